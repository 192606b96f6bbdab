"""Memory-access traces: hymem's compact NumPy format (with values) and DineroIV ``.din``.

A :class:`Trace` is a sequence of data accesses of one in-order core:

``addr``  uint64 byte address; ``write`` uint8 (1 = store); ``size`` uint8 bytes (1..16,
the access must not cross a 64-byte line); ``gap`` uint32 non-memory core cycles spent
before the access; ``store_data`` uint8 ``(n_stores, 16)`` the bytes each store writes
(first ``size`` used), or ``None`` when the trace has no values (``.din``).

Main memory starts from an **image**: a list of regions ``(lo, hi, kind, seed, scale)``
whose never-written lines read as ``"zero"``, ``"random"`` (splitmix64 of the 8-byte word
address and seed) or ``"float32"`` (float32 words uniform in ``[-scale, scale)`` drawn from
the same hash); memory outside every region reads as zeros.

Files: ``.npz`` holds the arrays above plus ``img_lo``, ``img_hi``, ``img_kind``,
``img_seed``, ``img_scale`` and a ``meta`` JSON string; ``.din`` is DineroIV's text format
``label address`` (label 0 read, 1 write, 2 instruction fetch — skipped, the L1-I is not
modelled; address in hex), with no values: its bit flips are *unavailable*.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hymem.golden.config import ConfigError

IMAGE_KINDS = ("zero", "random", "float32")
MAX_ACCESS = 16


class TraceError(ConfigError):
    """An unreadable or malformed trace (a user error: one line, exit 2)."""


@dataclass(frozen=True)
class Region:
    lo: int
    hi: int
    kind: str = "zero"
    seed: int = 0
    scale: float = 1.0

    def __post_init__(self):
        if self.kind not in IMAGE_KINDS:
            raise TraceError(f"image kind {self.kind!r}; valid: {', '.join(IMAGE_KINDS)}")
        if not 0 <= self.lo < self.hi:
            raise TraceError(f"image region [{self.lo:#x}, {self.hi:#x}) is empty")


@dataclass
class Trace:
    addr: np.ndarray
    write: np.ndarray
    size: np.ndarray
    gap: np.ndarray
    store_data: np.ndarray | None = None
    image: tuple = ()
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.addr = np.ascontiguousarray(self.addr, dtype=np.uint64)
        n = len(self.addr)
        self.write = np.ascontiguousarray(self.write, dtype=np.uint8)
        self.size = np.ascontiguousarray(self.size, dtype=np.uint8)
        self.gap = np.ascontiguousarray(self.gap, dtype=np.uint32)
        for name in ("write", "size", "gap"):
            if len(getattr(self, name)) != n:
                raise TraceError(f"trace field {name} has {len(getattr(self, name))} entries, "
                                 f"addr has {n}")
        if n and (self.size.min() < 1 or self.size.max() > MAX_ACCESS):
            raise TraceError(f"access sizes must be 1..{MAX_ACCESS} bytes")
        if n and np.any((self.addr % 64) + self.size > 64):
            bad = int(np.flatnonzero((self.addr % 64) + self.size > 64)[0])
            raise TraceError(f"access {bad} at {int(self.addr[bad]):#x} of "
                             f"{int(self.size[bad])} B crosses a 64-byte line")
        if self.store_data is not None:
            self.store_data = np.ascontiguousarray(self.store_data, dtype=np.uint8)
            if self.store_data.shape != (int(self.write.sum()), MAX_ACCESS):
                raise TraceError(f"store_data has shape {self.store_data.shape}, expected "
                                 f"({int(self.write.sum())}, {MAX_ACCESS})")
        self.image = tuple(r if isinstance(r, Region) else Region(*r) for r in self.image)

    def __len__(self) -> int:
        return len(self.addr)

    @property
    def has_values(self) -> bool:
        return self.store_data is not None

    def store_bytes(self):
        """The bytes of each store, in order (``size`` of them are used)."""
        return [bytes(row) for row in self.store_data]

    def image_lines(self, line_addrs, line_bytes: int = 64) -> np.ndarray:
        """Initial memory contents of the given line addresses: ``(n, line_bytes)`` uint8."""
        return image_lines(self.image, np.asarray(line_addrs, dtype=np.uint64), line_bytes)

    def image_function(self):
        """``f(line_addr, line_bytes) -> bytes`` for the reference model."""
        def f(line_addr, line_bytes):
            return self.image_lines([line_addr], line_bytes)[0].tobytes()
        return f


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def image_lines(regions, line_addrs: np.ndarray, line_bytes: int) -> np.ndarray:
    """Contents of never-written lines under the image ``regions``."""
    out = np.zeros((len(line_addrs), line_bytes), dtype=np.uint8)
    if not len(line_addrs):
        return out
    words = line_bytes // 8
    with np.errstate(over="ignore"):
        for r in regions:
            sel = np.flatnonzero((line_addrs >= np.uint64(r.lo)) & (line_addrs < np.uint64(r.hi)))
            if not len(sel) or r.kind == "zero":
                continue
            waddr = (line_addrs[sel, None] + np.arange(0, line_bytes, 8, dtype=np.uint64))
            h = _splitmix64(waddr ^ np.uint64(r.seed * 0x632BE59BD9B4E019 % 2**64))
            if r.kind == "random":
                out[sel] = h.view(np.uint8).reshape(len(sel), line_bytes)
                continue
            # two float32 per 64-bit hash: 24-bit uniforms -> [-scale, scale)
            lo24 = (h & np.uint64(0xFFFFFF)).astype(np.float32)
            hi24 = ((h >> np.uint64(40)) & np.uint64(0xFFFFFF)).astype(np.float32)
            u = np.stack([lo24, hi24], axis=-1).reshape(len(sel), 2 * words)
            f = (u * np.float32(2.0 / 2**24) - np.float32(1.0)) * np.float32(r.scale)
            out[sel] = f.astype("<f4").view(np.uint8).reshape(len(sel), line_bytes)
    return out


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------

def save_npz(trace: Trace, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"addr": trace.addr, "write": trace.write, "size": trace.size, "gap": trace.gap,
              "img_lo": np.array([r.lo for r in trace.image], dtype=np.uint64),
              "img_hi": np.array([r.hi for r in trace.image], dtype=np.uint64),
              "img_kind": np.array([r.kind for r in trace.image], dtype="U8"),
              "img_seed": np.array([r.seed for r in trace.image], dtype=np.uint64),
              "img_scale": np.array([r.scale for r in trace.image], dtype=np.float64),
              "meta": np.array(json.dumps(trace.meta))}
    if trace.store_data is not None:
        arrays["store_data"] = trace.store_data
    with path.open("wb") as f:
        np.savez_compressed(f, **arrays)
    return path


def load_trace(path: Path | str) -> Trace:
    """Read a ``.npz`` (hymem) or ``.din`` (DineroIV) trace; errors are :class:`TraceError`."""
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"trace {path}: no such file")
    if path.suffix == ".din":
        return load_din(path)
    if path.suffix != ".npz":
        raise TraceError(f"trace {path}: unknown format {path.suffix!r}; valid: .npz, .din")
    try:
        with np.load(path, allow_pickle=False) as z:
            image = tuple(Region(int(lo), int(hi), str(k), int(s), float(sc)) for lo, hi, k, s, sc
                          in zip(z["img_lo"], z["img_hi"], z["img_kind"], z["img_seed"],
                                 z["img_scale"]))
            return Trace(z["addr"], z["write"], z["size"], z["gap"],
                         z["store_data"] if "store_data" in z.files else None, image,
                         json.loads(str(z["meta"])))
    except TraceError:
        raise
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # not our format
        raise TraceError(f"trace {path}: unreadable ({type(exc).__name__}: {exc})") from None


def load_din(path: Path | str) -> Trace:
    """DineroIV text: ``label address`` per line; reads 4-byte accesses, no values."""
    addrs, writes = [], []
    with Path(path).open() as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            try:
                label, addr = int(fields[0]), int(fields[1], 16)
            except (ValueError, IndexError):
                raise TraceError(f"{path}:{lineno}: expected 'label hex-address', got "
                                 f"{line.strip()!r}") from None
            if label == 2:
                continue
            if label not in (0, 1):
                raise TraceError(f"{path}:{lineno}: label {label}; valid: 0 read, 1 write, "
                                 "2 instruction fetch (skipped)")
            addrs.append(addr - addr % 4)
            writes.append(label)
    n = len(addrs)
    return Trace(np.array(addrs, dtype=np.uint64), np.array(writes, dtype=np.uint8),
                 np.full(n, 4, np.uint8), np.zeros(n, np.uint32), None, (),
                 {"source": str(path), "format": "din"})
