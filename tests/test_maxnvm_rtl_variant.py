"""MaxNVM BitMask and weight decoders from configs/maxnvm.toml variants of LANES and the IdxSync
block (``tb.maxnvm.variants.LANE_VARIANTS``): the default regressions run lanes 4 with
1024-bit blocks; here the same cocotb modules run unchanged at one lane, and at three lanes
with 256-bit blocks, on both simulators (one parameter source sizes RTL, golden and testbench).
"""

import pytest

from hymem.tb.maxnvm.variants import LANE_VARIANTS, codec_variant_toml
from hymem.tools.runner import run_cocotb

TOPS = {"maxnvm_bitmask": "hymem.tb.maxnvm.test_bitmask",
        "maxnvm_weight_decoder": "hymem.tb.maxnvm.test_weight_decoder"}


@pytest.mark.parametrize("variant", list(LANE_VARIANTS))
@pytest.mark.parametrize("top", list(TOPS))
def test_maxnvm_decoders_with_other_lanes(tmp_path, sim, top, variant):
    config = codec_variant_toml(LANE_VARIANTS[variant], tmp_path / f"maxnvm_{variant}.toml")
    run_cocotb(top, TOPS[top], sim, test_id=f"{top}-{variant}", config=config)  # raises unless all pass
