"""pytest configuration: simulator parametrization for RTL regressions, shared fixtures.

``HYMEM_SIMS`` (comma-separated, default both) restricts the simulators, which
is how ``make sim SIM=icarus`` works; ``pytest -k verilator`` works too since
the simulator is part of every RTL test id.
"""

from __future__ import annotations

import importlib.abc
import os
import sys

import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.tools.toolchain import SIMULATORS


class _OldImportNames(importlib.abc.MetaPathFinder):
    """Fail an import of ``golden``/``rtl``/``tb``/``tools`` as top-level packages: the source
    tree is on ``sys.path`` (pytest's ``pythonpath``), so such an import would otherwise load a
    second copy of a module that the rest of the run knows as ``hymem.golden...``."""

    NAMES = frozenset({"golden", "rtl", "tb", "tools"})

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.NAMES:
            raise ImportError(f"import hymem.{fullname}, not {fullname}: hymem's one import name")


sys.meta_path.insert(0, _OldImportNames())


@pytest.fixture
def run():
    """``run(*args)``: the ``hymem`` command through click's runner (exceptions propagate)."""
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return _run


def selected_simulators() -> list[str]:
    wanted = [s for s in os.environ.get("HYMEM_SIMS", ",".join(SIMULATORS)).split(",") if s]
    unknown = sorted(set(wanted) - set(SIMULATORS))
    if unknown:
        raise pytest.UsageError(f"unknown simulator(s) {', '.join(unknown)}; valid: {', '.join(SIMULATORS)}")
    return wanted


def pytest_generate_tests(metafunc):
    if "sim" in metafunc.fixturenames:
        metafunc.parametrize("sim", selected_simulators())


def pytest_collection_modifyitems(items):
    for item in items:
        if "sim" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.rtl)


def pytest_configure(config):
    config.addinivalue_line("markers", "rtl: RTL regression run through cocotb on a simulator")


# -- per-simulator summary of the cocotb runs (printed by make sim / make test) --

def pytest_sessionstart(session):
    import uuid

    if not hasattr(session.config, "workerinput") and not os.environ.get("HYMEM_RUN_ID"):
        os.environ["HYMEM_RUN_ID"] = uuid.uuid4().hex[:12]


def pytest_terminal_summary(terminalreporter):
    import json

    from hymem.tools.runner import RUNS_DIR

    run_id = os.environ.get("HYMEM_RUN_ID")
    runs = sorted((RUNS_DIR / run_id).glob("*.json")) if run_id else []
    if not runs:
        return
    per_sim = {}
    for path in runs:
        outcome = json.loads(path.read_text())
        total = per_sim.setdefault(outcome["sim"], {"runs": 0, "tests": 0, "passed": 0, "seconds": 0.0})
        total["runs"] += 1
        total["tests"] += outcome["tests"]
        total["passed"] += outcome["tests"] - outcome["failed"]
        total["seconds"] += outcome["seconds"]
    terminalreporter.section("RTL regressions per simulator")
    for sim, t in sorted(per_sim.items()):
        terminalreporter.write_line(
            f"{sim:10s} {t['runs']} simulator runs, {t['tests']} cocotb tests run, {t['passed']} passed, "
            f"{t['tests'] - t['passed']} failed ({t['seconds']:.1f} s simulating)"
        )
    _coverage_summary(terminalreporter, run_id)


def _coverage_summary(terminalreporter, run_id: str):
    """``make sim COVERAGE=1``: the merged Verilator coverage of this session (tools/coverage.py)."""
    from hymem.tools import coverage

    if not coverage.enabled():
        return
    terminalreporter.section("Verilator coverage (line, branch, toggle) per module")
    if coverage.report(run_id, terminalreporter.write_line) is None:
        terminalreporter.write_line("no Verilator run in this session: coverage needs SIM=verilator or SIM=all")
