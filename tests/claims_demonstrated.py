"""Every expected-out claim id -> the test in ``tests/test_claims_expected_out.py`` that
demonstrates why the paper cannot support it (kept out of the test module so the strict gate
in ``tests/test_reproduce_strict.py`` can read it without importing a test module)."""

# claim id -> the test in test_claims_expected_out.py that demonstrates it
DEMONSTRATED = {
    "hydra.fig6.energy_pcm_over_hydra": "test_hydra_fig6_pair_cannot_hold_together",
    "hydra.fig6.energy_pcm_over_dram": "test_hydra_fig6_pair_cannot_hold_together",
    "hydra.fig5.resnet34_over_vgg16.latency": "test_hydra_resnet34_latency_is_not_standard_resnet34",
    "maxnvm.t2.vgg16.params": "test_maxnvm_param_counts_are_not_the_named_networks",
    "maxnvm.t2.resnet50.params": "test_maxnvm_param_counts_are_not_the_named_networks",
    **{f"maxnvm.t2.{n}.{c}_size": "test_maxnvm_16b_and_pc_not_on_parameter_scale"
       for n in ("lenet5", "vgg12", "vgg16") for c in ("16b", "pc")},
    **{f"maxnvm.t2.{n}.csr_size": "test_maxnvm_csr_column_has_no_single_layout"
       for n in ("lenet5", "vgg12", "vgg16")},
    "maxnvm.s44.resnet50_pc_mlc3_fewer_than_csr": "test_maxnvm_csr_column_has_no_single_layout",
    **{f"maxnvm.t2.{n}.bitmask_size": "test_maxnvm_bitmask_below_its_minimum"
       for n in ("vgg12", "vgg16", "resnet50")},
    "maxnvm.s44.vgg16_idxsync_cell_reduction": "test_maxnvm_idxsync_22pct_needs_an_unstated_mask_level",
    "rana.fig15.rana_star_vs_sid.offchip_saving": "test_rana_headline_pair_needs_a_buffer_access_per_mac",
    "rana.fig15.rana_star_vs_sid.energy_saving":
        "test_rana_star_energy_depends_on_the_unstated_input_weight_split",
    "rana.fig15.edid_vs_sid.energy_increase":
        "test_rana_edid_energy_increase_depends_on_the_unnamed_resnet",
    "rana.fig15.edid_vs_sid.offchip_saving": "test_rana_figures_depend_on_the_unstated_core_split",
    **{f"rana.fig15.{c}": "test_rana_figures_depend_on_the_unnamed_resnet_and_the_averaging"
       for c in ("edod_vs_edid.refresh_energy_saving", "ranae5_vs_rana0.energy_saving")},
    "rana.dadiannao.rana_star.refresh_saving": "test_rana_dadiannao_refresh_saving_needs_a_bank_size",
    **{f"rana.fig15.{c}": "test_rana_refresh_savings_unreachable_under_the_suite_total"
       for c in ("rana_star_vs_edid.refresh_saving", "ranae5_vs_rana0.refresh_saving")},
    "rana.fig15.rana0_vs_edod.energy_saving":
        "test_rana_vgg_hybrid_saving_exceeds_19_4_by_the_papers_own_layer_figures",
    "rana.dadiannao.rana_star.energy_saving":
        "test_rana_dadiannao_energy_saving_needs_more_refresh_than_the_node_makes",
    "rana.dadiannao.ranae5_vs_rana0.refresh_energy_saving":
        "test_rana_dadiannao_refresh_saving_contradicts_the_refresh_share",
    "rana.dadiannao.rana0.buffer_energy_saving":
        "test_rana_dadiannao_buffer_saving_depends_on_the_unstated_buffer_count",
}

# RRAM (seed 002): expected-out claim id -> its test in tests/test_rram_paper.py
RRAM_DEMONSTRATED = {
    **{f"rram.table6.{t}.read_iobuf": "test_read_iobuf_is_below_one_read_of_every_input"
       for t in ("rram", "sram")},
    **{f"rram.table6.{t}.read_weight": "test_read_weight_rows_need_fractional_steps"
       for t in ("rram", "sram")},
    **{f"rram.table6.{t}.read_ddr": "test_read_ddr_exceeds_what_the_buffers_receive"
       for t in ("rram", "sram")},
    **{f"rram.table6.{t}.total": "test_totals_inherit_the_impossible_iobuf_row"
       for t in ("rram", "sram")},
    "rram.ddr_reduction.max": "test_ddr_reduction_at_16mb_is_above_98_5_percent",
    "rram.acc_buffer.onchip_reduction": "test_acc_buffer_reduction_is_at_most_78_percent",
    "rram.ddr_reduction.min": "test_ddr_reduction_at_1mb_is_above_25_5_with_table6s_io_buffers",
    "rram.schedule_saving.max": "test_schedule_saving_depends_on_the_unstated_loop_order",
    "rram.smallest_rram.pixel_first_saving":
        "test_pixel_first_third_depends_on_the_unstated_kernel_first_input_reads",
}

DEMONSTRATED.update(RRAM_DEMONSTRATED)
