"""``make bench [BENCH=<name> ...]``: run the benchmarks in ``tools/benches/``.

A name is a benchmark module (``rana_schedule``) or a group: the prefix before a
module's first underscore (``rana`` runs every ``rana_*`` module), so one system's
figures do not wait for another's long runs.  No name runs them all.  Each module's ``run()``
returns ``[{"name", "figure", "unit", "note"}, ...]``;
every result is written to ``build/bench/<name>.json`` together with a note on
the machine (benchmarks are timings: compare runs on the same machine) and
printed as one line.  Benchmarks are never part of ``make test``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time

from hymem.tools import benches
from hymem.tools.toolchain import BUILD

BENCH_DIR = BUILD / "bench"


def cocotb_bench(name: str, top: str, module: str, sim: str, env: dict | None = None,
                 config=None, hdl_clock: bool = False, registered_reset: bool = False,
                 registered_inputs: bool = False, verilator_args: tuple[str, ...] = (),
                 hier_blocks: tuple[str, ...] = ()) -> dict:
    """Run cocotb benchmark ``module`` on ``top`` and return the JSON it writes to ``HYMEM_BENCH_OUT``
    (``registered_inputs``, ``verilator_args``, ``hier_blocks``: see :class:`tools.runner.SimRun`)."""
    from hymem.tools.runner import run_cocotb

    out = BENCH_DIR / f"{name}-{sim}.raw.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    run_cocotb(top, module, sim, test_id=f"bench-{name}", config=config,
               extra_env={**(env or {}), "HYMEM_BENCH_OUT": str(out)}, hdl_clock=hdl_clock,
               registered_reset=registered_reset, registered_inputs=registered_inputs,
               verilator_args=tuple(verilator_args), hier_blocks=tuple(hier_blocks))
    return json.loads(out.read_text())


def machine_note() -> str:
    return (f"{platform.machine()} {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M:%S')}")


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(benches.__path__))


def groups() -> dict[str, list[str]]:
    """Benchmark modules by the prefix before their first underscore (``rana`` → ``rana_*``)."""
    by_prefix: dict[str, list[str]] = {}
    for name in available():
        by_prefix.setdefault(name.split("_", 1)[0], []).append(name)
    return by_prefix


def select(names: list[str]) -> list[str]:
    """The modules ``names`` ask for, in order and without repeats; an unknown name lists the valid ones."""
    modules, by_prefix = available(), groups()
    unknown = sorted(n for n in names if n not in modules and n not in by_prefix)
    if unknown:
        sys.exit(f"error: unknown benchmark(s) {', '.join(unknown)}; valid modules: {', '.join(modules)}; "
                 f"groups: {', '.join(sorted(by_prefix))}")
    chosen = [m for n in names for m in ([n] if n in modules else by_prefix[n])] or modules
    return list(dict.fromkeys(chosen))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmark modules or groups (default: all of "
                                                 f"{', '.join(available())})")
    parser.add_argument("--list", action="store_true", help="list the modules by group and exit")
    args = parser.parse_args(argv)
    if args.list:
        for prefix, modules in sorted(groups().items()):
            print(f"{prefix}: {' '.join(modules)}")
        return
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in select(args.names):
        module = importlib.import_module(f"hymem.tools.benches.{name}")
        for result in module.run():
            result = {**result, "benchmark": name, "machine": machine_note()}
            (BENCH_DIR / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
            figure = result["figure"]
            shown = f"{figure:,}" if isinstance(figure, int) else f"{figure:,.4g}"
            print(f"{result['name']}: {shown} {result['unit']}  ({result['note']})")


if __name__ == "__main__":
    main()
