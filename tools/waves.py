"""``make waves TEST=<top>[:<cocotb test>] [SIM=...]``: one regression with waveforms.

Leaves the simulator's dump under ``build/waves/`` — FST from Icarus, VCD from
Verilator — and, beside it, the golden model's predicted event timeline for the
same stimulus as ``*.golden.vcd``; prints their paths after checking that each
file parses (pywellen reads FST and VCD, the reader behind the Surfer viewer).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time

from golden.config import ConfigError
from rtl.registry import TOPS, get_top
from tools.runner import WAVES_DIR, SimulationFailed, run_cocotb
from tools.toolchain import SIMULATORS


def cocotb_tests(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [name for name, _ in inspect.getmembers(module) if name.startswith("test_")]


def parse_test(test: str) -> tuple[str, str | None]:
    """``"<top>[:<cocotb test>]"`` → (top, cocotb test or None), validated."""
    top_name, _, case = test.partition(":")
    verified = sorted(name for name, top in TOPS.items() if top.tb)
    if top_name not in verified:
        raise ConfigError(f"unknown TEST {test!r}; valid: {', '.join(verified)} (optionally :<cocotb test>)")
    if case:
        cases = cocotb_tests(get_top(top_name).tb)
        if case not in cases:
            raise ConfigError(f"unknown cocotb test {case!r} of {top_name}; valid: {', '.join(cases)}")
    return top_name, case or None


def signal_count(path) -> int:
    """Parse a dump fully; returns its number of variables (raises if unreadable)."""
    import pywellen

    waveform = pywellen.Waveform(str(path))
    return len(list(waveform.all_vars()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("test", help="<top>[:<cocotb test>]")
    parser.add_argument("--sim", default="icarus", help="icarus, verilator or all")
    parser.add_argument("--seed", type=int, default=None, help="cocotb random seed")
    args = parser.parse_args(argv)
    sims = SIMULATORS if args.sim == "all" else (args.sim,)
    try:
        if args.sim != "all" and args.sim not in SIMULATORS:
            raise ConfigError(f"unknown SIM {args.sim!r}; valid: {', '.join(SIMULATORS)} all")
        top, case = parse_test(args.test)
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
    for sim in sims:
        started = time.time()
        test_id = f"waves-{top}"
        try:
            outcome = run_cocotb(top, get_top(top).tb, sim, test_id=test_id, testcase=case,
                                 seed=args.seed, waves=True)
        except SimulationFailed as exc:
            print(f"warning: {exc}", file=sys.stderr)
            outcome = {"waves": next(iter(sorted(WAVES_DIR.glob(f"{test_id}-{sim}.*"))), None)}
        if not outcome["waves"]:
            sys.exit(f"error: {sim} left no waveform dump")
        print(f"{sim} waves:  {outcome['waves']}  ({signal_count(outcome['waves'])} signals)")
        for golden in sorted(WAVES_DIR.glob(f"{test_id}-{sim}-*.golden.vcd")):
            if golden.stat().st_mtime >= started:
                print(f"golden timeline: {golden}  ({signal_count(golden)} signals)")


if __name__ == "__main__":
    main()
