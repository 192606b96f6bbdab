"""A cache of Verilator's runtime objects, shared by every Verilator build of a checkout.

Every Verilated model links the same runtime library (``verilated.o``, ``verilated_vpi.o``,
``verilated_threads.o``, ``verilated_dpi.o``, and ``verilated_timing.o`` with ``--timing``),
compiled from ``$VERILATOR_ROOT/include`` alone: none of them includes a design header (their
``.d`` files list only the kit's and the system's headers).  Compiling them is most of a small
top's build (measured on ``rram_drainer``: 52 s in all, 8 s without them), and ``make test``
builds ~50 Verilator tops.  So the runner (:class:`tools.runner.PortsOnlyVerilator`) restores
them into a fresh build directory before ``make`` and saves them after it: make then sees
objects newer than their sources and links them.

The key is everything the objects' compilation depends on: the kit (its path and version
file), the compiler's version, the object list and switches of ``Vtop_classes.mk``
(``VM_TIMING``, ``VM_TRACE``, ``VM_COVERAGE``, ...), the user CFLAGS in ``Vtop.mk`` and the
make variables in ``MAKEFLAGS`` (``OPT_GLOBAL`` etc.).  A save writes a temporary directory and
renames it, so two pytest-xdist workers never see half a cache entry.

Run as ``python -m hymem.tools.verilator_runtime {restore,save} BUILD_DIR``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from hymem.tools.toolchain import BUILD

CACHE = BUILD / "verilator_runtime"


def runtime_objects(build_dir: Path) -> list[str]:
    """The runtime's object names (``VM_GLOBAL_FAST`` + ``VM_GLOBAL_SLOW`` of Vtop_classes.mk)."""
    text = (build_dir / "Vtop_classes.mk").read_text()
    names = []
    for block in re.findall(r"^VM_GLOBAL_(?:FAST|SLOW) \+= \\\n((?:  \S+ \\\n)*)", text, re.MULTILINE):
        names += [line.split()[0] for line in block.splitlines()]
    return [f"{name}.o" for name in names]


def _switches(text: str) -> list[str]:
    """The one-line ``VM_* = value`` settings of a Verilator makefile."""
    return re.findall(r"^VM_\w+ \??= .*$", text, re.MULTILINE)


def _user_cflags(vtop_mk: str) -> str:
    match = re.search(r"^VM_USER_CFLAGS = \\\n((?:  .* \\\n)*)", vtop_mk, re.MULTILINE)
    return match.group(1) if match else ""


def _make_variables() -> list[str]:
    """``VAR=value`` definitions passed to make (``MAKEFLAGS`` also carries job-server fds, not keyed)."""
    return re.findall(r"\b[A-Z_]+=\S*", os.environ.get("MAKEFLAGS", ""))


def _compiler_version() -> str:
    cxx = os.environ.get("CXX", "g++")
    try:
        return subprocess.run([cxx, "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return cxx


def cache_key(build_dir: Path) -> str:
    classes = (build_dir / "Vtop_classes.mk").read_text()
    vtop = (build_dir / "Vtop.mk").read_text()
    root = Path(os.environ.get("VERILATOR_ROOT", ""))
    version = root / "include" / "verilated_config.h"
    parts = [str(root), version.read_text() if version.is_file() else "", _compiler_version(),
             *runtime_objects(build_dir), *_switches(classes), *_switches(vtop), _user_cflags(vtop),
             *_make_variables()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def restore(build_dir: Path) -> int:
    """Copy the cached runtime objects into ``build_dir``; returns how many (0 on a miss)."""
    entry = CACHE / cache_key(build_dir)
    if not entry.is_dir():
        return 0
    names = runtime_objects(build_dir)
    for name in names:   # copy2 would keep the old mtime; a fresh one keeps make from rebuilding
        shutil.copyfile(entry / name, build_dir / name)
    return len(names)


def save(build_dir: Path) -> bool:
    """Store ``build_dir``'s runtime objects unless an entry exists; True when stored."""
    entry = CACHE / cache_key(build_dir)
    names = runtime_objects(build_dir)
    if entry.is_dir() or not all((build_dir / name).is_file() for name in names):
        return False
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=CACHE, prefix=".staging-"))
    for name in names:
        shutil.copyfile(build_dir / name, staging / name)
    try:
        staging.rename(entry)
    except OSError:   # another worker stored the same entry first
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("restore", "save"))
    parser.add_argument("build_dir", type=Path)
    args = parser.parse_args(argv)
    (restore if args.action == "restore" else save)(args.build_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
