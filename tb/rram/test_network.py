"""Real network slices through ``rtl/rram/accelerator.py`` (random int8 data only where no trained
model exists).

* VGG-11 conv3_2 (256 -> 256, 56 x 56, 3 x 3 pad 1; shapes from the zoo): a tile set of two
  4 x 8 output regions (the padded top-left corner and an interior one) x 8 output channels x
  all 256 input channels, random int8 operands, pixel-first g = 8 and kernel-first; each tile
  bit-exact against the whole padded layer and counter-exact against the loop nest.
  The int8 outputs are requantised by the RTL (SHIFT 12, ReLU, random biases) and checked too.
* The digits CNN (``golden/nn``, trained weights) quantised to int8: test images through
  conv1, conv2 and the fc layer on the RTL, each requantised by the RTL's own output path
  (biases in the bias store, SHIFT = the format's fractional bits, RELU) and fed as it came
  out to the next layer (max-pooling in the testbench); logits equal to
  ``golden.nn.model.forward_fixed`` and every layer's int8 activations to ``fixed_trace``'s.
"""

from __future__ import annotations

import cocotb
import numpy as np

from hymem.golden.nn.digits import load_digits
from hymem.golden.nn.model import fixed_trace, plan, quantize_input, quantize_params
from hymem.golden.nn.pretrained import load_pretrained
from hymem.golden.rram.functional import DIGITS_INT8
from hymem.golden.rram.rtl_params import Order
from hymem.golden.workloads import get_network
from hymem.tb.common.seed import seeded_rng
from hymem.tb.rram.harness import RramHarness
from hymem.tb.rram.layout import Requant
from hymem.tb.rram.network import run_digits, run_region
from hymem.tb.runner import tb_component

VGG_LAYER = "conv3_2"
VGG_SHIFT = 12  # 2304-term sums of random int8 (std ~ 2.6e5): int8 results both in range and saturated
DIGIT_IMAGES = 3


async def harness(dut, name, stall_cycles=200000):
    component, config = tb_component()
    h = RramHarness(dut, component, config)
    await h.reset()
    return h, h.watchdog(name, stall_cycles)


@cocotb.test()
async def vgg11_conv_tile_set(dut):
    h, dog = await harness(dut, "vgg11")
    rng = seeded_rng(dut, "vgg11")
    layer = next(lay for lay in get_network("vgg11").layers if lay.name == VGG_LAYER)
    x = rng.integers(-128, 128, size=(layer.in_ch, layer.in_h, layer.in_w))
    oc0 = int(rng.integers(0, layer.out_ch - 8))
    w = rng.integers(-128, 128, size=(8, layer.in_ch, 3, 3))
    requant = Requant(VGG_SHIFT, True, rng.integers(-(1 << 18), 1 << 18, size=8))
    for name, (oy0, ox0), order in (
        ("corner", (0, 0), Order.PIXEL_FIRST),
        ("interior", (20, 24), Order.KERNEL_FIRST),
    ):
        delta = await run_region(
            h,
            f"vgg11 {VGG_LAYER} {name} oc {oc0}..{oc0 + 7}",
            layer,
            x,
            w,
            oy0,
            4,
            ox0,
            8,
            order,
            h.rtl.max_groups,
            requant,
        )
        dut._log.info(
            f"{name}: {delta['macs']} MACs in {delta['cycles']} cycles, MAC utilisation "
            f"{delta['macs'] / (delta['cycles'] * h.rtl.p * h.rtl.n * h.rtl.m):.3f}"
        )
    dog.stop()


@cocotb.test()
async def digits_cnn_int8(dut):
    h, dog = await harness(dut, "digits")
    params, _ = load_pretrained()
    q = quantize_params(params, DIGITS_INT8)
    split = load_digits()
    x_int = quantize_input(split.x_test[:DIGIT_IMAGES], DIGITS_INT8)
    logits, acts = await run_digits(h, q, x_int, DIGITS_INT8)
    want, traces = fixed_trace(q, x_int, DIGITS_INT8)
    assert np.array_equal(logits, want), f"logits differ:\nrtl {logits}\ngolden {want}"
    relu = {step.layer.name: step.relu for step in plan()}
    for trace in traces:
        if trace.name in acts:  # the last image's int8 activations, layer by layer
            z = trace.pre_activation[-1]
            golden = (np.maximum(z, 0) if relu[trace.name] else z).reshape(acts[trace.name].shape)
            assert np.array_equal(acts[trace.name], golden), f"{trace.name}: int8 activations differ"
    assert set(acts) == {"conv1", "conv2", "fc"}, f"layers on the RTL: {sorted(acts)}"
    correct = int((logits.argmax(axis=1) == split.y_test[:DIGIT_IMAGES]).sum())
    dut._log.info(f"digits int8: {DIGIT_IMAGES} images bit-exact, {correct} classified correctly")
    dog.stop()
