"""pytest configuration: simulator parametrization for RTL regressions.

``HYMEM_SIMS`` (comma-separated, default both) restricts the simulators, which
is how ``make sim SIM=icarus`` works; ``pytest -k verilator`` works too since
the simulator is part of every RTL test id.
"""

from __future__ import annotations

import os

import pytest

from tools.toolchain import SIMULATORS


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
