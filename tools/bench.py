"""``make bench [BENCH=<name>]``: run the benchmarks in ``tools/benches/``.

Each module's ``run()`` returns ``[{"name", "figure", "unit", "note"}, ...]``;
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

import tools.benches
from tools.toolchain import BUILD

BENCH_DIR = BUILD / "bench"


def cocotb_bench(name: str, top: str, module: str, sim: str, env: dict | None = None,
                 config=None, hdl_clock: bool = False, registered_reset: bool = False) -> dict:
    """Run cocotb benchmark ``module`` on ``top`` and return the JSON it writes to ``HYMEM_BENCH_OUT``."""
    from tb.runner import run_cocotb

    out = BENCH_DIR / f"{name}-{sim}.raw.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    run_cocotb(top, module, sim, test_id=f"bench-{name}", config=config,
               extra_env={**(env or {}), "HYMEM_BENCH_OUT": str(out)}, hdl_clock=hdl_clock,
               registered_reset=registered_reset)
    return json.loads(out.read_text())


def machine_note() -> str:
    return (f"{platform.machine()} {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M:%S')}")


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(tools.benches.__path__))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmark modules (default: all of {', '.join(available())})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        sys.exit(f"error: unknown benchmark(s) {', '.join(unknown)}; valid: {', '.join(available())}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in args.names or available():
        module = importlib.import_module(f"tools.benches.{name}")
        for result in module.run():
            result = {**result, "benchmark": name, "machine": machine_note()}
            (BENCH_DIR / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
            figure = result["figure"]
            shown = f"{figure:,}" if isinstance(figure, int) else f"{figure:,.4g}"
            print(f"{result['name']}: {shown} {result['unit']}  ({result['note']})")


if __name__ == "__main__":
    main()
