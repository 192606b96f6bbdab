"""cocotb co-simulation of ``rtl/hydra/system.py``: layers through the units and the RAU, fed by DRAM/PCM models.

Every layer runs as ``golden.hydra.cycles.layer_jobs`` schedules it; the
activations come from the DRAM model and the weights and biases from the PCM
model (Table I timings, checked on every command), the outputs go back to
DRAM.  Checks: outputs bit-exact against an independent NumPy reference of the
layer (sliding windows, one einsum, one rounding); every counter of the system
(RAU and every unit) equal to ``golden.hydra.system.system_counts``; the bits
each device moved equal to the traffic derived from the RTL counters and from
the golden counts, and so the data-transfer energy (``golden.energy``) of the
three equal.

Tests: random layers (conv with stride 1/2 and padding, max-pool, FC, data
reaching saturation) and the digits CNN's conv and pool layers on a test image
with the committed pretrained FX16 model, end to end against ``golden.nn``."""

from __future__ import annotations

import cocotb
import numpy as np

from hymem.golden.hydra.params import HydraOp
from hymem.tb.common.hdl import handle
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import ready_pattern
from hymem.tb.hydra.harness import Run, random_layers, random_operands


@cocotb.test()
async def test_system_random_layers(dut):
    """Random conv (stride 1/2, padding), max-pool and FC layers with saturating data and back-pressure on the
    outputs (30 % of cycles not ready), bit-exact, counters equal."""
    rng = seeded_rng(dut, "random_layers")
    run = Run(dut, "random", read_ready=ready_pattern(rng, 100_000, 0.3))
    fmt = run.config.fixed
    await run.start()
    saturated = 0
    for layer in random_layers(rng, run.config.system.n_units):
        x, w, b = random_operands(rng, fmt, layer)
        shift = int(rng.integers(fmt.frac - 2, fmt.frac + 4))  # Q-format shift of the layer's output
        got = await run.layer(layer, x, w, b, relu=bool(rng.random() < 0.5), shift=shift)
        saturated += int(np.sum((got == fmt.max_value) | (got == fmt.min_value)))
    assert saturated > 0, "no output reached saturation"
    unknown_op = max(HydraOp) + 1   # no HydraOp member: error flag up, system still working
    await run.host.cmd.send([run.host._cmd(unknown_op)])
    await run.host.wait_idle()
    assert int(handle(dut, run.component, "error").value) == 1, "unknown op not flagged"
    for name in [f"u{u}_errors" for u in range(run.config.system.n_units)]:
        run.expected[name] += 1
    run.finish()


@cocotb.test()
async def test_system_cycles_ideal_memory(dut):
    """With every beat ready (ideal memory) each random layer takes exactly golden.hydra.cycles.layer_cycles."""
    run = Run(dut, "ideal_memory", ideal_memory=True)
    fmt = run.config.fixed
    rng = seeded_rng(dut, "ideal_memory")
    await run.start()
    for layer in random_layers(rng, run.config.system.n_units):
        x, w, b = random_operands(rng, fmt, layer)
        await run.layer(layer, x, w, b, relu=bool(rng.random() < 0.5))
    run.finish()


@cocotb.test()
async def test_system_digits_cnn(dut):
    """The digits CNN's conv and pool layers (pretrained, FX16) on a test image, end to end against golden.nn."""
    from hymem.golden.nn import (
        fixed_trace,
        load_digits,
        load_pretrained,
        plan,
        quantize_input,
        quantize_params,
    )

    run = Run(dut, "digits_cnn")
    fmt = run.config.fixed
    params, info = load_pretrained()
    qparams = quantize_params(params, fmt)
    split = load_digits(info["split_seed"], info["test_fraction"])
    image = quantize_input(split.x_test[:1], fmt)
    _, traces = fixed_trace(qparams, image, fmt)
    inputs = {t.name: np.asarray(t.input) for t in traces}
    await run.start()
    x = image[0]
    steps = [s for s in plan() if s.layer.kind in ("conv", "maxpool")]
    for i, step in enumerate(steps):
        layer = step.layer
        w = qparams.get(f"{layer.name}.w")
        b = qparams.get(f"{layer.name}.b")
        x = await run.layer(layer, x, w, b, relu=step.relu)
        nxt = [t.name for t in traces][[t.name for t in traces].index(layer.name) + 1]
        want = inputs[nxt].reshape(-1)
        assert np.array_equal(x.reshape(-1), want[:x.size]), f"{layer.name}: differs from golden.nn's {nxt} input"
    energy = run.finish()
    dut._log.info(f"digits_cnn: {len(steps)} layers bit-exact with golden.nn; energy by event {energy.energy_pj}")
