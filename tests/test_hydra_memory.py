"""Hydra main-memory model (golden/hydra/memory.py, frame.py): hand-derived counts,
energies and times for a tiny layer, invariants on real networks, config errors."""

from dataclasses import replace

import pytest

from hymem.golden.config import ConfigError, from_dict
from hymem.golden.hydra import memory
from hymem.golden.hydra.frame import MacRate, frame, layer_figures, paper_timing, radix4_timing
from hymem.golden.hydra.params import HydraConfig, MemoryParams, load_hydra_config
from hymem.golden.workloads import Builder, get_network, make_layer

# Table I, typed here from the seed (not read from the tech table under test), pJ/bit
DRAM_AR, DRAM_AW, PCM_AR, PCM_AW = 1.17, 0.39, 2.47, 16.82
BUF_R, BUF_W = 0.93, 1.02


@pytest.fixture(scope="module")
def config() -> HydraConfig:
    return load_hydra_config()


@pytest.fixture(scope="module")
def tiny():
    """conv 3x3, pad 1, 2x4x4 -> 3x4x4 with bias: 3*2*9 + 3 = 57 params, 32 inputs, 48 outputs."""
    return make_layer("tiny", "conv", (2, 4, 4), out_ch=3, kernel=3, padding=1, bias=True)


def test_tiny_layer_reads_writes_per_system(config, tiny):
    want = {  # system: (DRAM reads, DRAM writes, PCM reads, PCM writes, PCM writes avoided)
        "dram": (57 + 32, 48, 0, 0, 48),
        "pcm": (0, 0, 57 + 32, 48, 0),
        "hydra": (32, 48, 57, 0, 48),
    }
    for system, (dr, dw, pr, pw, avoided) in want.items():
        fig = layer_figures(tiny, system, config, MacRate(8, "t"))
        assert (fig.reads["dram"], fig.writes["dram"], fig.reads["pcm"], fig.writes["pcm"]) == \
            (dr, dw, pr, pw), system
        assert fig.pcm_writes_avoided == avoided


def test_tiny_layer_energy_by_hand(config, tiny):
    bits = 16
    by_hand_array = {
        "dram": (89 * DRAM_AR + 48 * DRAM_AW) * bits,                      # 1965.60 pJ
        "pcm": (89 * PCM_AR + 48 * PCM_AW) * bits,                         # 16435.04 pJ
        "hydra": (57 * PCM_AR + 32 * DRAM_AR + 48 * DRAM_AW) * bits,       # 3151.20 pJ
    }
    assert by_hand_array["hydra"] == pytest.approx(3151.20)
    hydra = layer_figures(tiny, "hydra", config, MacRate(8, "t"))
    bits_moved = {"pcm.array_read": 57 * bits, "dram.array_read": 32 * bits,  # 912, 512 bits
                  "dram.array_write": 48 * bits, "pcm.array_write": 0}        # 768 bits
    energy_per_bit = {"pcm.array_read": PCM_AR, "dram.array_read": DRAM_AR,
                      "dram.array_write": DRAM_AW, "pcm.array_write": PCM_AW}
    for event, nbits in bits_moved.items():
        assert hydra.energy_breakdown_pj[event] == pytest.approx(nbits * energy_per_bit[event])
    for system, pj in by_hand_array.items():
        fig = layer_figures(tiny, system, config, MacRate(8, "t"))
        assert fig.transfer_energy_pj == pytest.approx(pj, rel=1e-12), system
    both = replace(config, memory=replace(config.memory, transfer_energy="array+buffer"))
    fig = layer_figures(tiny, "hydra", both, MacRate(8, "t"))
    hand = (57 * (PCM_AR + BUF_R) + 32 * (DRAM_AR + BUF_R) + 48 * (DRAM_AW + BUF_W)) * bits
    assert hand == pytest.approx(5258.88)
    assert fig.transfer_energy_pj == pytest.approx(hand, rel=1e-12)
    assert fig.energy_pj["pcm"] == pytest.approx(57 * (PCM_AR + BUF_R) * bits, rel=1e-12)


def test_tiny_layer_transfer_time_and_compute_by_hand(config, tiny):
    fig = layer_figures(tiny, "hydra", config, MacRate(8, "t"))
    # PCM: 57 x 2 B = 114 B = 2 bursts in 1 row: tRCD 22 + tCL 5 + tRP 60 + 2 x tCCD 4 = 95
    # cycles over 4 channels, at 400 MHz
    assert fig.transfer_s["pcm"] == pytest.approx(95 / 4 / 400e6)
    # DRAM: read 64 B = 1 burst: 5 + 5 + 5 + 4 = 19; write 96 B = 2 bursts: 5 + 4 + 6 + 5 + 8 = 28
    assert fig.transfer_s["dram"] == pytest.approx((19 + 28) / 400e6)
    # 48 outputs x 18 MACs = 864 MACs over 16 x 32 MAC units at 8 cycles/MAC, 3 GHz
    assert fig.macs == 864
    assert fig.compute_cycles == pytest.approx(864 * 8 / 512)
    assert fig.compute_s == pytest.approx(13.5 / 3e9)
    assert fig.memory_bound  # 117.5 ns of DRAM traffic against 4.5 ns of compute


def test_frame_latency_is_max_of_compute_and_busiest_device(config, tiny):
    b = Builder("one", (2, 4, 4))
    b.conv("c", b.input, 3, 3, padding=1)
    net = b.build()
    fig = frame(net, "hydra", config, MacRate(8, "t"))
    assert fig.latency_s == pytest.approx(max(fig.compute_s, *fig.transfer_s.values()))
    assert fig.latency_s == pytest.approx(47 / 400e6) and fig.memory_bound
    slow = frame(net, "hydra", config, MacRate(1e6, "t"))
    assert slow.latency_s == slow.compute_s and not slow.memory_bound


@pytest.mark.parametrize("net", ["vgg16", "resnet34", "googlenet"])
def test_invariants_on_real_networks(config, net):
    network = get_network(net)
    figs = {s: frame(network, s, config) for s in memory.SYSTEMS}
    hydra, pcm, dram = figs["hydra"], figs["pcm"], figs["dram"]
    assert hydra.writes["pcm"] == 0                       # Hydra never writes PCM
    assert all(lay.writes["pcm"] == 0 for lay in hydra.layers)
    assert dram.reads["pcm"] == dram.writes["pcm"] == 0    # pure DRAM never touches PCM
    assert pcm.reads["dram"] == pcm.writes["dram"] == 0
    assert hydra.pcm_writes_avoided == pcm.writes["pcm"] > 0
    assert pcm.pcm_writes_avoided == 0
    for lay_h, lay_p in zip(hydra.layers, pcm.layers, strict=True):
        assert lay_h.pcm_writes_avoided == lay_p.writes["pcm"]
    # same traffic, only the placement differs
    moved = {s: sum(f.reads.values()) + sum(f.writes.values()) for s, f in figs.items()}
    assert len(set(moved.values())) == 1
    # Hydra reads exactly the model (weights + biases of conv/FC layers) from PCM
    assert hydra.reads["pcm"] == sum(lay.params for lay in network.of_kind("conv", "fc"))
    e = {s: f.transfer_energy_j for s, f in figs.items()}
    assert e["dram"] < e["hydra"] < e["pcm"]
    # same compute on all three systems
    assert hydra.compute_s == pcm.compute_s == dram.compute_s


def test_writes_are_conv_and_fc_outputs_independently_counted(config):
    # VGG-16 outputs, counted by hand from Simonyan & Zisserman Table 1 (224x224 input)
    conv = 2 * 64 * 224**2 + 2 * 128 * 112**2 + 3 * 256 * 56**2 + 3 * 512 * 28**2 + 3 * 512 * 14**2
    fc = 4096 + 4096 + 1000
    assert frame(get_network("vgg16"), "pcm", config).writes["pcm"] == conv + fc == 13_556_712


def test_paper_and_radix4_timings(config):
    vgg16 = get_network("vgg16")
    assert frame(vgg16, "hydra", config, paper_timing(config)).latency_s == pytest.approx(81.22e-3)
    assert radix4_timing(config).cycles_per_mac == 8
    macs = 15_470_264_320  # VGG-16 conv + FC MACs
    assert frame(vgg16, "dram", config, radix4_timing(config)).compute_s == \
        pytest.approx(macs * 8 / 512 / 3e9)


def test_energy_terms_follow_the_tech_table(config, tmp_path):
    """Doubling every PCM energy in a copied tech table doubles pure-PCM energy."""
    src = (memory.load_tech(config.memory.tech)).path.read_text()
    for key, val in (("2.47", "4.94"), ("16.82", "33.64")):
        src = src.replace(f"value = {key},", f"value = {val},")
    path = tmp_path / "doubled.toml"
    path.write_text(src)
    doubled = replace(config, memory=replace(config.memory, tech=str(path)))
    net = get_network("vgg11")
    base = frame(net, "pcm", config).transfer_energy_j
    assert frame(net, "pcm", doubled).transfer_energy_j == pytest.approx(2 * base)


@pytest.mark.parametrize("section, match", [
    ({"traffic_kinds": ["conv", "lstm"]}, "unknown kind.*lstm.*valid: conv"),
    ({"traffic_kinds": "conv"}, "must be a list"),
    ({"transfer_energy": "buffer"}, "valid: array, array\\+buffer"),
    ({"row_bytes": 100}, "multiple of burst_bytes"),
    ({"clock_hz": 0}, "clock_hz"),
    ({"burst": 64}, "unknown key.*burst"),
])
def test_memory_config_errors(section, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(HydraConfig, {"memory": section}, "hydra")


def test_unknown_system_and_tech(config, tiny):
    with pytest.raises(ConfigError, match="unknown memory system 'sram'; valid: dram, pcm, hydra"):
        layer_figures(tiny, "sram", config, MacRate(8, "t"))
    bad = replace(config, memory=MemoryParams(tech="nope"))
    with pytest.raises(ConfigError, match="unknown technology 'nope'; valid:"):
        layer_figures(tiny, "hydra", bad, MacRate(8, "t"))
