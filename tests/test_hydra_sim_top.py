"""The Hydra simulation top (rtl/hydra/sim_top.py) on a reduced TOML on both simulators, and its
golden model's pieces against hand counts."""

from fractions import Fraction
from pathlib import Path

import pytest

from hymem.golden.hydra.command_stream import DeviceModel, DeviceTicks, tick_ratio
from hymem.golden.hydra.params import load_hydra_config
from hymem.tools.runner import run_cocotb
from hymem.tools.waves import HYDRA_SIM_TOP_SMALL

REPO = Path(__file__).resolve().parent.parent

def small_config(tmp_path) -> Path:
    text = (REPO / "configs" / "hydra.toml").read_text()
    for old, new in HYDRA_SIM_TOP_SMALL.items():  # overlap = false: the streamer issues the serial protocol
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "hydra_sim_small.toml"
    path.write_text(text)
    return path


def test_memory_clock_is_400_mhz_ddr_at_3_ghz():
    config = load_hydra_config()
    assert tick_ratio(config) == Fraction(2 * 400, 3000)  # 800 M beats/s on a 3 GHz clock


def test_device_read_by_hand():
    # DRAM, Table I x 2 ticks per memory clock: tRCD = tCL = tRP = 10, tCCD = 8, tRTP = 6.
    config = load_hydra_config()
    ticks = DeviceTicks.of(config, "dram")
    assert (ticks.tRCD, ticks.tCL, ticks.tRP, ticks.tCCD, ticks.tRTP) == (10, 10, 10, 8, 6)
    dev = DeviceModel(ticks, Fraction(1, 4))  # a tick every 4th cycle: cycles 3, 7, 11, ...
    # Accepted at cycle 0: ACT at tick 0 (cycle 3), RD at tick 10, 16 beats at ticks 20..35.
    assert dev.request(False, 0, 16, 0) == 4 * 35 + 3
    assert (
        dev.counts["activates"] == 1
        and dev.counts["columns"] == 2
        and dev.counts["read_beats"] == 16
    )
    # Next row (64 beats per row at 16 x 64 bits): PRE waits for tRTP after the last RD (tick 18
    # + 6 = 24) -- already past at tick 36 (accepted at cycle 143) -> PRE 36, ACT 46, RD 56,
    # data 66..73.
    assert dev.request(False, 64, 8, 143) == 4 * 73 + 3
    assert dev.counts["precharges"] == 1


def test_sim_top_small_layers(tmp_path, sim):
    run_cocotb(
        "hydra_sim_top",
        "hymem.tb.hydra.test_sim_top",
        sim,
        test_id="hydra_sim_top-small",
        config=small_config(tmp_path),
    )


def checker_flags(ticks, commands) -> bool:
    """Run the RTL timing checker (Amaranth simulator, a tick every cycle) over ``commands``:
    ``{tick index: command name}``; returns its error flag at the end."""
    from amaranth.sim import Simulator

    from hymem.rtl.hydra.device_timing_checker import DeviceTimingChecker

    dut = DeviceTimingChecker(ticks)
    flagged = []

    async def bench(ctx):
        ctx.set(dut.tick, 1)
        for k in range(max(commands) + 2):
            for name in ("pre", "act", "rd", "wr"):
                ctx.set(getattr(dut, name), int(commands.get(k) == name))
            await ctx.tick()
        flagged.append(ctx.get(dut.error))

    sim = Simulator(dut)
    sim.add_clock(1e-9)
    sim.add_testbench(bench)
    sim.run()
    return bool(flagged[0])


def test_timing_checker_flags_early_commands():
    ticks = DeviceTicks.of(load_hydra_config(), "pcm")  # tRCD 44, tRP 120, tCCD 8, tRTP 6 ticks
    assert not checker_flags(ticks, {0: "act", 44: "rd", 52: "rd", 58: "pre", 178: "act"})
    assert checker_flags(ticks, {0: "act", 43: "rd"})  # tRCD
    assert checker_flags(ticks, {0: "act", 44: "rd", 51: "rd"})  # tCCD
    assert checker_flags(ticks, {0: "act", 44: "rd", 49: "pre"})  # tRTP
    assert checker_flags(ticks, {0: "act", 44: "wr", 71: "pre"})  # tWL + tCCD + tWR = 28
    assert not checker_flags(ticks, {0: "act", 44: "wr", 72: "pre"})
    assert checker_flags(ticks, {0: "act", 44: "rd", 58: "pre", 177: "act"})  # tRP


def test_device_model_agrees_with_the_bus_functional_model():
    # With one tick per cycle and one beat per memory clock, the golden device model and
    # tb.common.dram_pcm (the co-simulation's bus-functional model, scheduled independently)
    # put every request's last beat on the same cycle and issue as many ACT/PRE/column commands.
    from dataclasses import replace

    from hymem.golden.tech import load_tech
    from hymem.tb.common.dram_pcm import DeviceTiming, MemoryDevice

    config = load_hydra_config()
    config = replace(config, sim_top=replace(config.sim_top, data_beats_per_clock=1))
    tech = load_tech(config.memory.tech)
    for name in ("dram", "pcm"):
        ticks = DeviceTicks.of(config, name)
        golden = DeviceModel(ticks, Fraction(1))
        bfm = MemoryDevice(name, DeviceTiming.from_tech(tech, name), beat_bits=16 * 64)
        now = 0
        for addr, beats in ((0, 50), (56, 80), (400, 8), (8, 200), (1024, 3)):  # 8-beat aligned
            last = golden.request(False, addr, beats, now)
            assert last == int(bfm.read(addr * 128, beats, now + 1)[-1]), (name, addr, beats)
            now = last + 5
        bfm.check_timing()
        kinds = [command for _, command, _ in bfm.commands]
        assert golden.counts["activates"] == kinds.count("ACT")
        assert golden.counts["precharges"] == kinds.count("PRE")
        assert golden.counts["columns"] == kinds.count("RD")


def test_sim_top_units_are_one_verilog_module(tmp_path):
    # The units are instances of one module (rtl.common.separate_module): its text once with its
    # submodules, one instance per unit; the system holds only the instances.
    import re

    from hymem.rtl.hydra.sim_top import HydraSimTop
    from hymem.tools.verilog import emit

    top = HydraSimTop(load_hydra_config(small_config(tmp_path)))
    text = emit(top, "hydra_sim_top", tmp_path).read_text()
    name = HydraSimTop.UNIT_MODULE
    modules = re.findall(r"^module \\?(\S+?) ?\(", text, re.MULTILINE)
    assert modules.count(name) == 1 and f"{name}.compute.lane0.mac" in modules
    assert not [m for m in modules if m.startswith("hydra_sim_top.system.unit0.")]
    assert len(re.findall(rf"^\s*{name} \\instance ", text, re.MULTILINE)) == top.config.system.n_units == 2


def test_registered_inputs_wrapper(tmp_path):
    from hymem.rtl.hydra.sim_top import HydraSimTop
    from hymem.tools.runner import SimRun, hdl_clock_wrapper

    with pytest.raises(ValueError, match="set hdl_clock"):
        SimRun("hydra_sim_top", "m", "verilator", registered_inputs=True)
    with pytest.raises(ValueError, match="verilator_args"):
        SimRun("hydra_sim_top", "m", "icarus", verilator_args=("-O3",))
    top = HydraSimTop(load_hydra_config(small_config(tmp_path)))
    _, path = hdl_clock_wrapper(top, "hydra_sim_top", tmp_path, 10, registered_inputs=True)
    text = path.read_text()
    assert "always @(posedge clk) start_q <= start;" in text and ".start(start_q)" in text
    assert ".rst(rst)" in text and "rst_q" not in text  # the reset is not delayed twice
    assert ".done(done)" in text  # outputs pass straight through
