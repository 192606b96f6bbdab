"""Memoized expensive studies: JSON under ``build/cache/``, safe for parallel test workers.

A result is keyed by a digest of its inputs and of *everything* a study can
import or read: every ``.py``, ``.npz`` and ``.toml`` under ``golden/`` and
``configs/`` (:data:`CODE_ROOTS`).  Hand-picking the modules a study uses went
stale whenever a shared module (``golden/fixed.py``, ``golden/workloads``)
changed under it; hashing the lot costs a few milliseconds.  One process
computes while concurrent ones wait on a file lock and then read its result;
the file appears atomically (written to a temporary name, then renamed).  A
cold computation says so on stderr (the studies can take a minute or more).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO / "build" / "cache"
CODE_ROOTS = (REPO / "golden", REPO / "configs")
KEYED_SUFFIXES = (".py", ".npz", ".toml")


def _keyed_files(root: Path) -> list[Path]:
    return sorted(f for f in Path(root).rglob("*")
                  if f.suffix in KEYED_SUFFIXES and "__pycache__" not in f.parts and f.is_file())


def inputs_digest(inputs, code_roots=CODE_ROOTS) -> str:
    """16 hex digits over ``repr(inputs)`` and the files (path and bytes) of ``code_roots``."""
    h = hashlib.sha256(repr(inputs).encode())
    for root in code_roots:
        for f in _keyed_files(root):
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cached_json(stem: str, inputs, compute: Callable[[], object], code_roots=CODE_ROOTS) -> object:
    """``compute()`` (a JSON-ready value), memoized as ``build/cache/<stem>_<digest>.json``."""
    path = CACHE_DIR / f"{stem}_{inputs_digest(inputs, code_roots)}.json"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file():
            return json.loads(path.read_text())
        start = time.monotonic()
        print(f"hymem: computing {stem} (not cached yet; written to {path.name})",
              file=sys.stderr, flush=True)
        result = compute()
        print(f"hymem: {stem} done in {time.monotonic() - start:.0f} s", file=sys.stderr,
              flush=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(path)
    return result
