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

def small_config(tmp_path, overlap: bool = True, rau_entries: int | None = None, prefetch: bool = True) -> Path:
    """The 2-unit x 4-MAC top; ``rau_entries``: [system] rau_entries if not the TOML's; ``prefetch``
    False: no PCM prefetch FIFO (``[sim_top] pcm_prefetch_beats = 0``)."""
    text = (REPO / "configs" / "hydra.toml").read_text()
    edits = dict(HYDRA_SIM_TOP_SMALL, **({} if overlap else {"overlap = true": "overlap = false"}))
    if rau_entries is not None:
        edits[f"rau_entries = {load_hydra_config().system.rau_entries} "] = f"rau_entries = {rau_entries} "
    if not prefetch:
        edits[next(k for k in edits if k.startswith("pcm_prefetch_beats"))] = "pcm_prefetch_beats = 0"
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    suffix = (("" if overlap else "_serial") + ("" if rau_entries is None else f"_r{rau_entries}")
              + ("" if prefetch else "_noprefetch"))
    path = tmp_path / f"hydra_sim_small{suffix}.toml"
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


@pytest.mark.parametrize("overlap, rau_entries, prefetch",
                         [(True, None, True), (False, None, False), (True, 1, True), (True, 2, False)],
                         ids=["overlap", "serial", "overlap-r1", "overlap-r2-noprefetch"])
def test_sim_top_small_layers(tmp_path, sim, overlap, rau_entries, prefetch):
    """The TOML's rau_entries (4 = the 4 MACs: a transfer is a whole OB word), 1 (one entry per
    cycle) and 2 (half a word); the layers' P of 9, 54, 12, 40 and 1 positions per channel give
    partial transfers at R = 2 and 4, and the outputs of partial transfers straddle the packer's
    8-value beats.  With the PCM prefetch FIFO ([sim_top] pcm_prefetch_beats) and without it (the
    PCM read starts when the system takes the WRITE); serial: the paper's protocol, no prefetch."""
    suffix = (("" if overlap else "-serial") + ("" if rau_entries is None else f"-r{rau_entries}")
              + ("" if prefetch or not overlap else "-noprefetch"))
    run_cocotb(
        "hydra_sim_top",
        "hymem.tb.hydra.test_sim_top",
        sim,
        test_id=f"hydra_sim_top-small{suffix}",
        config=small_config(tmp_path, overlap, rau_entries, prefetch),
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


def test_overlapped_program_by_count(tmp_path):
    # Golden only: the overlapped program of a layer with several chunks holds each job's commands
    # once (counted from its layer jobs, not from the program), moves each WRITE's words once,
    # writes every output back once (carried by a READ or the END), and takes no fewer cycles than
    # its STARTs alone and fewer than the serial program of the same layer.
    import numpy as np

    from hymem.golden.hydra.command_stream import SRC_END, layer_program, program_cost
    from hymem.golden.hydra.cycles import layer_jobs
    from hymem.golden.hydra.params import HydraOp
    from hymem.golden.workloads.layers import make_layer

    layer = make_layer("conv_c", "conv", (3, 5, 8), out_ch=9, kernel=3, stride=1, padding=1, bias=True)
    rng = np.random.default_rng(1)
    x, w, b = rng.integers(-256, 256, (3, 5, 8)), rng.integers(-256, 256, (9, 3, 3, 3)), rng.integers(-9, 9, 9)
    costs = {}
    for overlap in (False, True):
        config = load_hydra_config(small_config(tmp_path, overlap))
        program = layer_program(layer, x, w, b, True, config)
        costs[overlap] = program_cost(program, config)
    jobs, cost = layer_jobs(layer, config), costs[True]
    first_passes = sum(lj.c0 == 0 for lj in jobs)
    ops = [c["op"] for c in program.commands if c["src"] != SRC_END]
    assert ops.count(HydraOp.START) == len(jobs) and ops.count(HydraOp.SET_REG) == 13 * len(jobs)
    assert ops.count(HydraOp.READ) == sum(lj.reads for lj in jobs)
    assert ops.count(HydraOp.WRITE_BIAS) == first_passes and cost.counters["commands"] == len(ops)
    assert cost.counters["dram_read_beats"] == sum(lj.ab_words for lj in jobs)
    biases = sum(-(-lj.job.m_count // 4) for lj in jobs if lj.c0 == 0)  # 4 values per bus word
    assert cost.counters["pcm_read_beats"] == sum(lj.wb_words for lj in jobs) + biases
    out_beats = sum(-(-n // 8) for _, _, n in program.reads)  # 2 units x 4 values per beat
    assert sum(c["out_beats"] for c in program.commands) == out_beats == cost.counters["dram_write_beats"]
    assert all(c["op"] == HydraOp.READ or c["src"] == SRC_END for c in program.commands if c["out_beats"])
    starts = sum(c["_cycles"] + 1 for c in program.commands if c["op"] == HydraOp.START and c["src"] != SRC_END)
    assert starts <= cost.cycles < costs[False].cycles


def test_dram_pcm_tiling_reads_each_weight_once_on_conv5_1():
    # VGG-16 conv5_1 (512 x 14 x 14 -> 512): with ideal memory the fastest tiles are a few output rows
    # (many output channels per job amortize each group's fill), but then every tile re-reads all
    # 2.4 M weights from PCM, whose row changes (tRP 60 + tRCD 22 memory clocks) make each job's
    # weight stream longer than its compute. tiling = "dram_pcm" costs the tilings on the device
    # models and takes the whole layer as one tile: each weight read once, far fewer cycles.
    from dataclasses import replace

    from hymem.golden.config import ConfigError
    from hymem.golden.hydra.command_stream import layer_memory_cost
    from hymem.golden.hydra.cycles import best_tile_rows
    from hymem.golden.workloads.zoo import get_network

    ideal = load_hydra_config()
    timed = replace(ideal, system=replace(ideal.system, tiling="dram_pcm"))
    layer = next(layer for layer in get_network("vgg16").layers if layer.name == "conv5_1")
    ideal_rows = best_tile_rows(layer, ideal)
    assert ideal_rows < 14 == best_tile_rows(layer, timed)
    tiles = -(-14 // ideal_rows)
    weight_words = 512 * 512 * 9 // 4 // 16  # 4 values per 64-bit word, 16 units side by side
    fast, slow = layer_memory_cost(layer, timed), layer_memory_cost(layer, ideal)
    # once, + biases + each chunk's weights rounded up to whole words (< 2 %); the ideal tiles: once per tile
    assert weight_words <= fast.counters["pcm_read_beats"] < 1.02 * weight_words
    assert tiles > 1 and slow.counters["pcm_read_beats"] >= tiles * weight_words
    assert fast.cycles < slow.cycles
    with pytest.raises(ConfigError, match="ideal_memory, dram_pcm"):
        replace(ideal.system, tiling="fastest")


def test_utilization_parts_cover_the_cycles(tmp_path):
    # The parts sum to the cycles exactly when the jobs' T x P x a equal the layer's MACs counted by
    # the workload (an independent count); 3 input channels on 2 units leave one unit idle in the
    # second pass, and 8-wide rows fill 4-lane groups exactly.
    from hymem.golden.hydra.utilization import PARTS, layer_losses
    from hymem.golden.workloads.layers import make_layer

    config = load_hydra_config(small_config(tmp_path))
    layer = make_layer("conv_c", "conv", (3, 5, 8), out_ch=9, kernel=3, stride=1, padding=1, bias=True)
    parts = layer_losses(layer, config)
    assert abs(sum(parts[p] for p in PARTS) - parts["cycles"]) < 1e-6
    assert parts["macs"] == layer.macs / 8 and parts["idle_units"] > 0 and parts["idle_lanes"] == 0


def test_sim_top_units_are_one_verilog_module(tmp_path):
    # The units are instances of one module (rtl.common.separate_module): its text once with its
    # submodules, one instance per unit; the system holds only the instances.  Inside, the unit
    # takes its reset from a flip-flop (RegisteredReset), so its logic does not read the port, its
    # counters leave the module one per cycle (CounterReadout), not as 14 ports, and the module's
    # ports are packed into one vector each way (PackedPorts).
    import re

    from hymem.rtl.hydra.sim_top import HydraSimTop
    from hymem.tools.verilog import emit

    top = HydraSimTop(load_hydra_config(small_config(tmp_path)))
    text = emit(top, "hydra_sim_top", tmp_path).read_text()
    name = HydraSimTop.UNIT_MODULE
    modules = re.findall(r"^module \\?(\S+?) ?\(", text, re.MULTILINE)
    assert modules.count(name) == 1 and f"{name}.inner.inner.inner.compute.lane0" in modules

    def module_text(module):
        return re.search(rf"^module \\?{re.escape(module)} ?\(.*?^endmodule", text, re.MULTILINE | re.DOTALL).group(0)

    ports = re.match(rf"module {name}\((\w+), (\w+), (\w+), (\w+)\);", module_text(name)).groups()
    assert set(ports) == {"clk", "rst", "inputs", "outputs"}                  # PackedPorts
    readout = module_text(f"{name}.inner")                                   # CounterReadout
    readout_ports = readout[:readout.index(");")]
    assert "readout" in readout_ports and "counters__" not in readout_ports
    assert ".inner_rst(inner_reset)" in module_text(f"{name}.inner.inner")   # RegisteredReset
    assert not [m for m in modules if m.startswith("hydra_sim_top.system.unit0.")]
    assert len(re.findall(rf"^\s*{name} \\instance ", text, re.MULTILINE)) == top.config.system.n_units == 2


@pytest.mark.parametrize("option", ["unit_reset_flop", "unit_counter_readout"])
def test_unit_module_options_need_the_unit_module(tmp_path, option):
    from hymem.rtl.hydra.system import HydraSystem

    with pytest.raises(ValueError, match=f"{option} is for units placed as one module: give unit_module"):
        HydraSystem(load_hydra_config(small_config(tmp_path)), **{option: True})


def test_counter_readout_sends_every_counter_round_robin():
    # rtl.common.counter_readout (the sim top's unit modules send their counters through it),
    # in the Amaranth simulator against a model of its contract: in cycle t + 1 the readout
    # carries counter t mod n as it was in cycle t; a counter that holds from cycle T on has been
    # sent by cycle T + n.  Three counters of different widths count random events (fixed seed,
    # as the other golden-side tests) and wrap, then hold.
    import random

    from amaranth.hdl import Module
    from amaranth.lib import wiring
    from amaranth.lib.wiring import In, Out
    from amaranth.sim import Simulator

    from hymem.rtl.common.counter_readout import CounterReadout

    widths = {"a": 8, "b": 5, "c": 8}

    class Counting(wiring.Component):
        def __init__(self):
            super().__init__({"events": In(len(widths)),
                              "counters": Out(wiring.Signature({k: Out(w) for k, w in widths.items()}))})

        def elaborate(self, platform):
            m = Module()
            for bit, name in enumerate(widths):
                counter = getattr(self.counters, name)
                with m.If(self.events[bit]):
                    m.d.sync += counter.eq(counter + 1)
            return m

    rng = random.Random(11)
    dut = CounterReadout(Counting())
    counting, n = 60, len(widths)
    events = [rng.randrange(2**n) for _ in range(counting)] + [0] * (n + 2)
    sent, seen = [], [[0] * n]          # seen[t]: the counters in cycle t

    async def bench(ctx):
        for bits in events:
            ctx.set(dut.events, bits)
            await ctx.tick()
            sent.append((ctx.get(dut.readout.index), ctx.get(dut.readout.value)))
            seen.append([(seen[-1][k] + (bits >> k & 1)) % 2 ** w for k, w in enumerate(widths.values())])

    sim = Simulator(dut)
    sim.add_clock(1e-9)
    sim.add_testbench(bench)
    sim.run()
    # sent[t - 1] is the readout in cycle t, which carries counter (t - 1) mod n of cycle t - 1
    assert sent == [(t % n, seen[t][t % n]) for t in range(len(events))]
    last = {index: value for index, value in sent[counting:counting + n]}
    assert last == dict(enumerate(seen[counting]))


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


def test_sim_top_units_as_hierarchical_block(tmp_path, sim):
    """The long-run bench's build (tools/benches/hydra_sim_top.py): Verilator verilates the unit
    module once as a hierarchical block; the small top's layers stay bit-exact, cycles and counters
    equal to golden.  Then, as the bench does, two simulator processes run on that one build at
    the same time, each in a directory of its own: on the sweeps' process-pool engine and on a
    real two-worker Dask cluster started here."""
    from hymem.golden.sweep.executors import open_engine
    from hymem.rtl.hydra.sim_top import HydraSimTop
    from hymem.tools.runner import SimRun

    if sim != "verilator":
        pytest.skip("hierarchical blocks are Verilator's")
    options = {"test_id": "hydra_sim_top-small-hier", "config": small_config(tmp_path),
               "hier_blocks": (HydraSimTop.UNIT_MODULE,)}
    run_cocotb("hydra_sim_top", "hymem.tb.hydra.test_sim_top", sim, **options)
    run = SimRun("hydra_sim_top", "hymem.tb.hydra.test_sim_top", sim, **options)
    with open_engine(2, pool=True) as engine:
        reruns_in_parallel(engine, run, tmp_path / "local")
    pytest.importorskip("distributed")
    from hymem.tools.dask_cluster import LocalDaskCluster

    with LocalDaskCluster(workers=2) as cluster, open_engine(scheduler=cluster.address) as engine:
        reruns_in_parallel(engine, run, tmp_path / "dask")


def reruns_in_parallel(engine, run, where):
    from hymem.tools.runner import rerun

    futures = [engine.executor.submit(rerun, run, "hydra_sim_top", where / f"run{k}") for k in range(2)]
    results = [future.result() for future in futures]
    assert [(r["tests"], r["failed"]) for r in results] == [(1, 0), (1, 0)]
    for k in range(2):  # each ran in its own directory, from its own memory images
        assert (where / f"run{k}" / "results.xml").is_file() and (where / f"run{k}" / "cmd.hex").is_file()


def test_rerun_without_a_build_says_so(tmp_path):
    from hymem.tools.runner import SimRun, SimulationFailed, rerun

    run = SimRun("hydra_sim_top", "hymem.tb.hydra.test_sim_top", "verilator", test_id="no-such-build")
    with pytest.raises(SimulationFailed, match="no build of no-such-build on verilator in .*build_only"):
        rerun(run, "hydra_sim_top", tmp_path)


def test_hier_blocks_are_verilator_control_lines(tmp_path):
    from hymem.rtl.hydra.sim_top import HydraSimTop
    from hymem.tools.runner import SimRun, ports_control_file

    with pytest.raises(ValueError, match="hier_blocks"):
        SimRun("hydra_sim_top", "m", "icarus", hier_blocks=(HydraSimTop.UNIT_MODULE,))
    top = HydraSimTop(load_hydra_config(small_config(tmp_path)))
    lines = ports_control_file(top, "hydra_sim_top", tmp_path, ("hymem_hydra_unit",)).read_text().splitlines()
    assert lines[0] == "`verilator_config" and lines[-1] == 'hier_block -module "hymem_hydra_unit"'
    assert 'public_flat_rw -module "hydra_sim_top" -var "done"' in lines


def test_pcm_prefetch_reads_pcm_while_dram_streams(tmp_path, monkeypatch):
    # Golden: with the prefetch FIFO ([sim_top] pcm_prefetch_beats) a job's weight read (PCM) runs
    # while an activation read (DRAM) streams; without it no PCM read overlaps a DRAM read (the
    # system takes one WRITE at a time), and the layer takes longer.  Intervals from the device
    # models' requests: accepted cycle .. last beat's cycle (the devices told apart by tRP).
    from dataclasses import replace

    from hymem.golden.hydra import command_stream as cs
    from hymem.tb.hydra.sim_top_harness import small_layers

    log, request = [], cs.DeviceModel.request

    def logged(self, write, addr, n_beats, accepted):
        last = request(self, write, addr, n_beats, accepted)
        log.append((self.t.tRP, write, accepted, last))
        return last

    monkeypatch.setattr(cs.DeviceModel, "request", logged)
    config = load_hydra_config(small_config(tmp_path))
    layer = next(lr for lr in small_layers(2) if lr.name == "conv_c")
    dram_trp, cycles, overlapping = DeviceTicks.of(config, "dram").tRP, {}, {}
    for depth in (0, config.sim_top.pcm_prefetch_beats):
        c = replace(config, sim_top=replace(config.sim_top, pcm_prefetch_beats=depth))
        log.clear()
        cycles[depth] = cs.program_cost(cs.layer_program(layer, None, None, None, False, c), c).cycles
        dram = [(a, last) for trp, w, a, last in log if not w and trp == dram_trp]
        pcm = [(a, last) for trp, w, a, last in log if not w and trp != dram_trp]
        overlapping[depth] = sum(a1 <= l2 and a2 <= l1 for a1, l1 in dram for a2, l2 in pcm)
    assert overlapping[0] == 0 < overlapping[depth] and cycles[depth] < cycles[0]


def test_pcm_prefetch_fifo_fills(tmp_path):
    # conv_d on the small TOML (2 x 4 MACs): its 18-beat weight chunks are the FIFO's depth, and one
    # is in the FIFO whole before the system takes its WRITE_WB: the FIFO is full.  The small sim
    # top runs this layer on both simulators (a beat the FIFO refused would raise the PCM model's
    # error flag; cycles and counters = golden).  Every PCM WRITE goes through the prefetcher.
    from hymem.golden.hydra.command_stream import SRC_PCM, layer_program, program_cost
    from hymem.tb.hydra.sim_top_harness import small_layers

    config = load_hydra_config(small_config(tmp_path))
    depth = config.sim_top.pcm_prefetch_beats
    for layer in small_layers(2):
        program = layer_program(layer, None, None, None, False, config)
        cost = program_cost(program, config)
        sizes = [program.commands[e]["arg"] for e, *_ in cost.prefetched]
        assert len(sizes) == sum(c["src"] == SRC_PCM for c in program.commands)
        assert all(n <= depth for n in sizes)
        if layer.name == "conv_d":
            full = [e for e, _, last, accept, _ in cost.prefetched if program.commands[e]["arg"] == depth
                    and last < accept]
            assert full, "no weight chunk of the FIFO's depth was whole in the FIFO"


def test_pcm_prefetch_request_beyond_the_fifo_is_an_error(tmp_path):
    from dataclasses import replace

    from hymem.golden.config import ConfigError
    from hymem.golden.hydra.command_stream import layer_program, program_cost
    from hymem.tb.hydra.sim_top_harness import small_layers

    config = load_hydra_config(small_config(tmp_path))
    small = replace(config, sim_top=replace(config.sim_top, pcm_prefetch_beats=17))
    layer = next(lr for lr in small_layers(2) if lr.name == "conv_d")
    with pytest.raises(ValueError, match="18 beats exceeds the prefetch FIFO: sim_top.pcm_prefetch_beats = 17"):
        program_cost(layer_program(layer, None, None, None, False, small), small)
    with pytest.raises(ConfigError, match="pcm_prefetch_beats"):
        replace(config.sim_top, pcm_prefetch_beats=1)
