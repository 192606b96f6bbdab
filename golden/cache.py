"""Memoized expensive studies: JSON under ``build/cache/``, safe for parallel test workers.

A result is keyed by a digest of its inputs and of the code it depends on (every
``.py`` and ``.npz`` under the given package directories), so an edit to the
model invalidates it.  One process computes while concurrent ones wait on a
file lock and then read its result; the file appears atomically (written to a
temporary name, then renamed).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

CACHE_DIR = Path(__file__).resolve().parents[1] / "build" / "cache"


def inputs_digest(inputs, code_roots=()) -> str:
    """16 hex digits over ``repr(inputs)`` and the files of ``code_roots``."""
    h = hashlib.sha256(repr(inputs).encode())
    for root in code_roots:
        for f in sorted((*Path(root).rglob("*.py"), *Path(root).rglob("*.npz"))):
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cached_json(stem: str, inputs, compute: Callable[[], object], code_roots=()) -> object:
    """``compute()`` (a JSON-ready value), memoized as ``build/cache/<stem>_<digest>.json``."""
    path = CACHE_DIR / f"{stem}_{inputs_digest(inputs, code_roots)}.json"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file():
            return json.loads(path.read_text())
        result = compute()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result))
        tmp.replace(path)
    return result
