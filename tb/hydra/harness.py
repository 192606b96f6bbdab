"""Reusable testbench of the Hydra system top (``rtl/hydra/system.py``): :class:`Run` drives layers
through :class:`tb.hydra.system_driver.SystemHost` and checks outputs, cycles, counters, traffic
and energy; random layers and operands.  Imported by ``tb/hydra/test_system.py`` and
``tb/hydra/bench_vgg16.py``."""

from __future__ import annotations

import numpy as np

from hymem.golden.hydra.cycles import layer_cycles, layer_jobs
from hymem.golden.hydra.system import system_counts, traffic_from_counters, transfer_energy
from hymem.golden.workloads.layers import make_layer
from hymem.tb.common.clock import cycle_now, start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.hydra.reference import reference_layer
from hymem.tb.hydra.system_driver import SystemHost
from hymem.tb.runner import tb_component


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
            if cycles != predicted and getattr(self.host, "accepted", None):
                self.dut._log.info(f"{layer.name}: commands taken at cycles {self.host.accepted}")
            assert cycles == predicted, f"{layer.name}: {cycles} cycles, golden layer_cycles {predicted}"
        self.dut._log.info(f"{self.name}: {layer.name} took {cycles} cycles; golden with ideal memory {predicted}"
                           + ("" if self.host.ideal_memory
                              else f" (+{cycles - predicted} waiting for DRAM/PCM or the output sink)"))
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
