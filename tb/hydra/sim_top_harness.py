"""Reusable testbench of the Hydra simulation top (``rtl/hydra/sim_top.py``): no Python per cycle.

:class:`SimTopRun` writes a layer's command memory and DRAM/PCM images
(``golden.hydra.command_stream.layer_program``) as hex files in the simulator's working
directory, pulses ``load`` and ``start``, awaits ``done`` (a watchdog on the streamer's command
counter), dumps the DRAM's output region and checks: outputs bit-exact against the independent
NumPy reference (``tb.hydra.reference``), cycles and device/streamer counters equal to
``program_cost``, system counters equal to ``system_counts``, no error flag.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from hymem.golden.hydra.command_stream import (
    command_fields,
    layer_outputs,
    layer_program,
    pack_commands,
    program_cost,
)
from hymem.golden.hydra.cycles import layer_jobs
from hymem.golden.hydra.system import system_counts
from hymem.golden.workloads.layers import make_layer
from hymem.tb.common.clock import start_clock_and_reset, wait_for_level
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.hydra.reference import reference_layer
from hymem.tb.runner import tb_component


def beats_hex(values: np.ndarray, width: int) -> str:
    """``[beats, per_beat]`` signed values as $readmemh lines (value ``i`` in bits
    ``[i*width, (i+1)*width)``)."""
    if width != 16:
        raise ValueError("image files are written for 16-bit values")
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return "0\n"
    digits = values.shape[1] * 4
    text = (values[:, ::-1] & 0xFFFF).astype(">u2").tobytes().hex()
    return "\n".join(text[i : i + digits] for i in range(0, len(text), digits)) + "\n"


def read_hex_beats(path: Path, per_beat: int, width: int) -> np.ndarray:
    """A $writememh dump back to ``[beats, per_beat]`` signed values."""
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("//")]
    raw = np.frombuffer(bytes.fromhex("".join(ln.zfill(per_beat * 4) for ln in lines)), dtype=">u2")
    values = raw.reshape(len(lines), per_beat)[:, ::-1].astype(np.int64)
    return np.where(values >= 1 << (width - 1), values - (1 << width), values)


class SimTopRun:
    """Runs layers on the simulation top and keeps the golden prediction of the system counters."""

    def __init__(self, dut, name: str = "hydra_sim_top", max_stall_cycles: int = 200_000):
        self.component, self.config = tb_component()
        self.dut, self.name = dut, name
        self.port = lambda *path: handle(dut, self.component, *path)
        self.system_expected = None
        self.per_beat = self.config.system.n_units * self.component.geo.values_per_word
        self.results = []
        self.max_stall_cycles = max_stall_cycles  # the longest single command (a START, a READ)

    async def start(self):
        for name in ("start", "load", "dump", "dump_from", "dump_to"):
            self.port(name).value = 0
        commands = self.port("counters", "commands")
        self.watchdog = Watchdog(
            lambda: int(commands.value), self.max_stall_cycles, self.name
        ).start()
        await start_clock_and_reset(self.dut)

    async def pulse(self, name):
        self.port(name).value = 1
        await RisingEdge(self.dut.clk)
        self.port(name).value = 0
        await RisingEdge(self.dut.clk)

    async def layer(self, layer, x, w, b, relu: bool) -> dict:
        config, width = self.config, self.config.fixed.width
        began = time.perf_counter()
        program = layer_program(layer, x, w, b, relu, config)
        cost = program_cost(program, config)
        self._write_images(program)
        prepared, cpu_before = time.perf_counter(), time.process_time()
        await self.pulse("load")
        await self.pulse("start")
        await wait_for_level(self.dut.clk, self.port("done"), 1)
        # The simulator runs in this process: its CPU time is the design's evaluation, whatever
        # else shares the machine (wall time is not, on a loaded machine).
        simulated, simulate_cpu = time.perf_counter(), time.process_time() - cpu_before
        # the units' counters reach the top one per cycle (HydraSimTop.counter_latency)
        await ClockCycles(self.dut.clk, self.component.counter_latency)
        self.port("dump_from").value = program.out_from
        self.port("dump_to").value = max(program.out_from, program.out_to - 1)
        await self.pulse("dump")
        await Timer(1, unit="ns")
        dumped = read_hex_beats(Path("dram_dump.hex"), self.per_beat, width)
        image = np.zeros((program.out_to, self.per_beat), dtype=np.int64)
        image[program.out_from : program.out_to] = dumped[: program.out_to - program.out_from]
        got = layer_outputs(program, image, layer)
        want = reference_layer(layer, x, w, b, relu, config.fixed)
        wrong = np.argwhere(got != want)
        assert not len(wrong), (
            f"{layer.name}: {len(wrong)} of {want.size} outputs differ, first at "
            f"{wrong[0]}: rtl {got[tuple(wrong[0])]}, reference {want[tuple(wrong[0])]}"
        )
        assert int(self.port("error").value) == 0, f"{layer.name}: error flag raised"
        self._check_counters(layer, cost)
        result = {
            "layer": layer.name,
            "cycles": cost.cycles,
            "macs": layer.macs,
            "prepare_s": round(prepared - began, 3),
            "simulate_s": round(simulated - prepared, 3),
            "simulate_cpu_s": round(simulate_cpu, 3),
            "check_s": round(time.perf_counter() - simulated, 3),
            "counters": {k: v for k, v in cost.counters.items()},
        }
        protocol = "overlapped" if config.system.overlap else "serial"
        self.dut._log.info(
            f"{self.name} ({protocol} protocol): {layer.name} bit-exact ({want.size} outputs), {cost.cycles} cycles "
            f"= golden, counters = golden; simulated in {result['simulate_s']} s"
        )
        self.results.append(result)
        return result

    def _write_images(self, program):
        config = self.config
        digits = -(-sum(w for _, w in command_fields(config)) // 4)
        Path("cmd.hex").write_text(
            "".join(f"{word:0{digits}x}\n" for word in pack_commands(program, config))
        )
        for name, values, depth in (
            ("dram", program.dram, config.sim_top.dram_depth),
            ("pcm", program.pcm, config.sim_top.pcm_depth),
        ):
            if len(values) > depth:
                raise ValueError(
                    f"{name} image of {len(values)} beats exceeds sim_top.{name}_depth={depth}"
                )
            Path(f"{name}.hex").write_text(beats_hex(values, config.fixed.width))
        if len(program.commands) > config.sim_top.cmd_depth:
            raise ValueError(f"{len(program.commands)} commands exceed sim_top.cmd_depth")

    def _check_counters(self, layer, cost):
        config = self.config
        measured = read_counters(self.dut, self.component)
        counts = system_counts(
            layer_jobs(layer, config), self.component.geo, config.mac.variant, config.system.n_units
        )
        before = self.system_expected
        self.system_expected = (
            counts if before is None else {k: before[k] + v for k, v in counts.items()}
        )
        assert_counters_equal(
            measured, {**self.system_expected, **cost.counters}, config.mac.counter_width
        )


def small_layers(n_units: int) -> list:
    """The layers the small simulation top runs (``tests/test_hydra_sim_top.py``)."""
    return [
        make_layer("conv_a", "conv", (2 * n_units + 1, 6, 9), out_ch=3, kernel=3, stride=1, padding=1, bias=True),
        make_layer("conv_b", "conv", (n_units, 7, 7), out_ch=2, kernel=3, stride=2, padding=0, bias=True),
        make_layer("pool", "maxpool", (n_units + 1, 6, 8), kernel=2, stride=2),
        # several output-channel chunks per row tile, the last one partial: with overlap the READs
        # of one chunk drain while the next chunk computes (both OB banks and bias banks in use)
        make_layer("conv_c", "conv", (n_units + 1, 5, 8), out_ch=9, kernel=3, stride=1, padding=1, bias=True),
        # 2 x 4 MACs: 18-beat weight chunks (8 channels x 3 x 3 / 4 per word), read from PCM while
        # the system takes the activations: the prefetch FIFO of the small TOML (18 beats) fills
        make_layer("conv_d", "conv", (n_units + 1, 4, 16), out_ch=8, kernel=3, stride=2, padding=1, bias=True),
        make_layer("fc", "fc", (3 * n_units, 1, 1), out_ch=5, bias=True),
    ]
