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
with the committed pretrained FX16 model, end to end against ``golden.nn``.
"""

from __future__ import annotations

import cocotb
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from golden.fixed import bias_to_acc, wrap
from golden.hydra.cycles import layer_cycles, layer_jobs
from golden.hydra.system import requantize_by, system_counts, traffic_from_counters, transfer_energy
from golden.workloads.layers import make_layer
from tb.common.clock import cycle_now, start_clock_and_reset
from tb.common.counters import assert_counters_equal, read_counters
from tb.common.hdl import handle
from tb.common.seed import seeded_rng
from tb.common.stream import ready_pattern
from tb.common.watchdog import Watchdog
from tb.hydra.system_driver import SystemHost
from tb.runner import tb_component


def reference_layer(layer, x, w, b, relu, fmt, shift=None) -> np.ndarray:
    """Independent NumPy layer: padded sliding windows, exact int64 sums, one requantization
    (at bit ``shift``, default ``fmt.frac``)."""
    shift = fmt.frac if shift is None else shift
    if layer.kind == "fc":
        acc = np.asarray(w, np.int64).reshape(layer.out_ch, -1) @ np.asarray(x, np.int64).reshape(-1)
        acc = wrap(acc + bias_to_acc(np.asarray(b, np.int64), fmt), fmt.acc_width)
        return requantize_by(np.maximum(acc, 0) if relu else acc, shift, fmt).reshape(-1, 1, 1)
    k, s = layer.kernel_h, layer.stride_h
    pt, pl, pb, pr = layer.pad
    extra_h = max(0, (layer.out_h - 1) * s + k - (layer.in_h + pt + pb))
    extra_w = max(0, (layer.out_w - 1) * s + k - (layer.in_w + pl + pr))
    fill = fmt.min_value if layer.kind == "maxpool" else 0
    xp = np.pad(np.asarray(x, np.int64), ((0, 0), (pt, pb + extra_h), (pl, pr + extra_w)), constant_values=fill)
    win = sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::s, ::s][:, :layer.out_h, :layer.out_w]
    if layer.kind == "maxpool":
        return win.max(axis=(3, 4))
    # float64 products and sums are exact here (|x·w| < 2^30, fewer than 2^23 terms) and use BLAS:
    # whole VGG-16 layers check in seconds.
    assert k * k * layer.in_ch < 1 << 23, "float64 reference would not be exact"
    acc = np.tensordot(win.astype(np.float64), np.asarray(w, np.float64), axes=([0, 3, 4], [1, 2, 3]))
    acc = np.moveaxis(acc, 2, 0).astype(np.int64)
    acc = wrap(acc + bias_to_acc(np.asarray(b, np.int64), fmt)[:, None, None], fmt.acc_width)
    return requantize_by(np.maximum(acc, 0) if relu else acc, shift, fmt)


def random_values(rng, fmt, shape, scale):
    """Random FX16 values: mostly within ±scale, some at the extremes (to reach saturation)."""
    values = rng.integers(-scale, scale + 1, size=shape)
    extremes = rng.choice([fmt.min_value, fmt.max_value], size=shape)
    return np.where(rng.random(shape) < 0.05, extremes, values)


def random_operands(rng, fmt, layer):
    """Input, weights and bias (None for max-pool) of ``layer``, some values saturating."""
    x = random_values(rng, fmt, (layer.in_ch, layer.in_h, layer.in_w), 4 << fmt.frac)
    if layer.kind == "maxpool":
        return x, None, None
    w_shape = (layer.out_ch, layer.in_ch, layer.kernel_h, layer.kernel_w) if layer.kind == "conv" \
        else (layer.out_ch, layer.in_ch)
    return x, random_values(rng, fmt, w_shape, 2 << fmt.frac), random_values(rng, fmt, (layer.out_ch,), 4 << fmt.frac)


def random_layers(rng, n_units):
    layers = []
    for i in range(2):
        k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        layers.append(make_layer(f"conv{i}", "conv", (int(rng.integers(1, 2 * n_units + 2)), int(rng.integers(k, 9)),
                                                      int(rng.integers(k, 11))),
                                 out_ch=int(rng.integers(1, 7)), kernel=k, stride=s, padding=int(rng.integers(0, k)),
                                 bias=True))
    layers.append(make_layer("pool", "maxpool", (n_units + 1, 7, 9), kernel=3, stride=2, padding=1))
    layers.append(make_layer("fc", "fc", (int(rng.integers(2, 2 * n_units + 2)), 1, 1), out_ch=int(rng.integers(1, 9)),
                             bias=True))
    return layers


class Run:
    """Runs layers on the system and keeps the golden prediction of every counter."""

    def __init__(self, dut, name, ideal_memory: bool = False, read_ready=None):
        self.component, _ = tb_component()
        self.config, self.geo = self.component.config, self.component.geo
        self.dut, self.name = dut, name
        self.host = SystemHost(dut, self.component, ideal_memory=ideal_memory, read_ready=read_ready)
        self.expected = None

    async def start(self):
        self.watchdog = Watchdog(lambda: (self.host.cmd.sent, self.host.wdata.sent, len(self.host.rdata.items)),
                                 50_000, "hydra_system").start()
        await start_clock_and_reset(self.dut)
        self.host.start()

    async def layer(self, layer, x, w, b, relu, shift=None):
        began = cycle_now()
        got = await self.host.run_layer(layer, x, w, b, relu, shift)
        cycles, predicted = cycle_now() - began, layer_cycles(layer, self.config).cycles
        if self.host.ideal_memory:
            assert cycles == predicted, f"{layer.name}: {cycles} cycles, golden layer_cycles {predicted}"
        self.dut._log.info(f"{self.name}: {layer.name} took {cycles} cycles; golden with ideal memory {predicted}"
                           + ("" if self.host.ideal_memory else f" (+{cycles - predicted} waiting for DRAM/PCM or the output sink)"))
        want = reference_layer(layer, x, w, b, relu, self.config.fixed, shift)
        wrong = np.argwhere(got != want)
        assert not len(wrong), (f"{layer.name}: {len(wrong)} of {want.size} outputs differ, first at {wrong[0]}: "
                                f"rtl {got[tuple(wrong[0])]}, reference {want[tuple(wrong[0])]}")
        counts = system_counts(layer_jobs(layer, self.config), self.geo, self.config.mac.variant,
                               self.config.system.n_units)
        before = self.expected
        self.expected = counts if before is None else {k: before[k] + v for k, v in counts.items()}
        # Per layer: counters so far equal golden, and the layer's transfer energy from the RTL's
        # counter increments equals the golden model's for this layer alone.
        measured = read_counters(self.dut, self.component)
        assert_counters_equal(measured, self.expected, self.config.mac.counter_width)
        n_units = self.config.system.n_units
        rtl_delta = {k: measured[k] - (before or dict.fromkeys(measured, 0))[k] for k in measured}
        energy_rtl = transfer_energy(traffic_from_counters(rtl_delta, self.geo, n_units), self.host.tech)
        energy_golden = transfer_energy(traffic_from_counters(counts, self.geo, n_units), self.host.tech)
        assert energy_rtl.total_pj == energy_golden.total_pj, (energy_rtl.total_pj, energy_golden.total_pj)
        self.dut._log.info(f"{self.name}: {layer.name} {layer.in_ch}x{layer.in_h}x{layer.in_w} -> "
                           f"{layer.out_ch}x{layer.out_h}x{layer.out_w} bit-exact ({want.size} outputs), "
                           f"counters = golden, transfer energy {energy_rtl.total_pj:.1f} pJ = golden")
        return got

    def finish(self):
        self.watchdog.stop()
        n_units = self.config.system.n_units
        measured = read_counters(self.dut, self.component)
        assert_counters_equal(measured, self.expected, self.config.mac.counter_width)
        self.host.dram.check_timing()
        self.host.pcm.check_timing()
        from_rtl = traffic_from_counters(measured, self.geo, n_units)
        from_golden = traffic_from_counters(self.expected, self.geo, n_units)
        devices = self.host.device_traffic()
        assert from_rtl == from_golden == devices, f"traffic rtl {from_rtl}, golden {from_golden}, devices {devices}"
        energy_rtl = transfer_energy(from_rtl, self.host.tech)
        energy_golden = transfer_energy(from_golden, self.host.tech)
        assert energy_rtl.total_pj == energy_golden.total_pj
        self.dut._log.info(f"{self.name}: counters equal golden; traffic {devices}; "
                           f"transfer energy {energy_rtl.total_pj:.1f} pJ (rtl counters) = golden")
        return energy_rtl


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
    await run.host.cmd.send([run.host._cmd(7)])  # an unknown op: error flag up, system still working
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
    from golden.nn import (
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
