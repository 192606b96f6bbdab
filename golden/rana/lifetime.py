"""Buffer storage, data lifetime and PE utilization: equations (1)–(13) of seed 004.

A convolution layer (Fig. 2) has ``M`` kernels of ``N × K × K`` sliding with
stride ``S`` over ``N × H × L`` inputs to give ``M × R × C`` outputs; the memory
control part of the loop nest (Fig. 10) is tiled by ``Tm, Tn, Tr, Tc`` and the
core holds a ``Tn × Th × Tl`` input tile (``Th = (Tr-1)·S + K``,
``Tl = (Tc-1)·S + K``), a ``Tm × Tr × Tc`` output tile and ``Tm × Tn × K²``
weights.

Loop orders, outermost first (3rd, 2nd, 1st level; the core is the 0th):

* ID  (Fig. 10a): M, RC, N
* OD  (Fig. 10b): N, M, RC   — Loop N moved outermost
* WD  (Fig. 10c): RC, M, N   — Loop RC moved outermost

Core timing (the model behind η): the 16×16 PE array computes 16 output
channels (rows, §III-A "16 rows of PEs share the same inputs to compute 16
output channels") × 16 output columns at a time, one MAC per PE per cycle.
A core step on a ``tm × tn × tr × tc`` tile therefore takes
``ceil(tm/16)·ceil(tc/16)·tr·tn·K²`` cycles, and summed over all tiles the
layer takes ``Pm·Pc·R·N·K²`` cycles with ``Pm = Σ_m-tiles ceil(tm/16)`` and
``Pc = Σ_c-tiles ceil(tc/16)``; η = MACs / (256 · cycles) =
``M·C / (16·Pm · 16·Pc)``.  C = 14 or 28 with Tc = 16 gives η = 0.875 (SPEC
§5.2).  A lifetime is the execution time of the loop level that reuses the
data (Fig. 10d–f), i.e. eqs. (4), (5), (9), (10) with this η; outputs that
accumulate inside the PEs (ID, WD, and OD with Tn ≥ N) have lifetime 0
(§III-B2: they are written once and sent off-chip).

Every function broadcasts over NumPy arrays of tilings, so the scheduler
evaluates thousands of candidates at once with the same code the CLI uses for
one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.params import CoreParams, PlatformParams

DATA_KINDS = ("input", "output", "weight")


class TilingError(ConfigError):
    """A tiling that violates a constraint (names the constraint)."""


#: the largest layer (MACs) whose event counts stay exact in int64 with room for the
#: products the lifetime/storage equations form (2^48 MACs: ~10^5 x VGG-16's largest layer)
MAX_LAYER_MACS = 1 << 48


@dataclass(frozen=True)
class ConvShape:
    """Shape of one convolution layer in the paper's symbols (Fig. 2)."""

    M: int
    N: int
    R: int
    C: int
    K: int
    S: int = 1
    H: int = 0   # 0: ·S + K, the rows the outputs touch
    L: int = 0   # 0: (C-1)·S + K
    name: str = ""

    def __post_init__(self):
        where = f"layer {self.name}" if self.name else "layer"
        for sym in ("M", "N", "R", "C", "K", "S"):
            if getattr(self, sym) < 1:
                raise ConfigError(f"{where}: {sym}={getattr(self, sym)} must be >= 1")
        macs = self.M * self.N * self.R * self.C * self.K * self.K
        if macs > MAX_LAYER_MACS:
            raise ConfigError(f"{where}: M*N*R*C*K^2 = {macs:.3g} MACs is more than {MAX_LAYER_MACS:.3g}, "
                              "the most the model counts exactly in 64-bit integers")
        for sym, out in (("H", "R"), ("L", "C")):
            touched = (getattr(self, out) - 1) * self.S + self.K   # input rows/columns the outputs cover
            size = getattr(self, sym) or touched
            # Padding of K or more per side would give outputs that see nothing but padding.
            if size < 1 or touched - size > 2 * (self.K - 1):
                raise ConfigError(f"{where}: {sym}={size} cannot give {out}={getattr(self, out)} outputs with "
                                  f"K={self.K}, S={self.S} (needs {sym} >= {max(1, touched - 2 * (self.K - 1))}, "
                                  f"i.e. at most K-1 padding per side)")
            object.__setattr__(self, sym, size)

    @property
    def macs(self) -> int:
        return self.M * self.N * self.R * self.C * self.K * self.K

    @property
    def input_words(self) -> int:
        return self.N * self.H * self.L

    @property
    def output_words(self) -> int:
        return self.M * self.R * self.C

    @property
    def weight_words(self) -> int:
        return self.M * self.N * self.K * self.K


@dataclass(frozen=True)
class Tiling:
    tm: int
    tn: int
    tr: int
    tc: int


def _cdiv(a, b):
    return -(-a // b)


def trips(size, tile):
    """Iterations of a tiled loop: ceil(size / tile)."""
    return _cdiv(size, tile)


def passes(size, tile, lanes):
    """Σ over the tiles of a loop of ceil(tile_len / lanes): PE passes with edge effects."""
    size, tile = np.asarray(size), np.asarray(tile)
    rest = size % tile
    return (size // tile) * _cdiv(tile, lanes) + _cdiv(rest, lanes)


def span_sum(size, tile, stride, kernel):
    """Σ over the tiles of a loop of the input extent one tile reads: (t-1)·S + K."""
    size, tile = np.asarray(size), np.asarray(tile)
    rest = size % tile
    return (size // tile) * ((tile - 1) * stride + kernel) + np.where(rest > 0, (rest - 1) * stride + kernel, 0)


def tile_in_h(shape: ConvShape, tr):
    return (np.asarray(tr) - 1) * shape.S + shape.K


def tile_in_l(shape: ConvShape, tc):
    return (np.asarray(tc) - 1) * shape.S + shape.K


def layer_cycles(shape: ConvShape, t: Tiling, platform: PlatformParams):
    """Cycles of the whole layer on the PE array (any pattern: the core part is the same)."""
    return level_cycles(shape, t, platform)["layer"]


def utilization(shape: ConvShape, t: Tiling, platform: PlatformParams):
    """η: MACs / (PEs × cycles)."""
    return shape.macs / (platform.macs * layer_cycles(shape, t, platform))


def level_cycles(shape: ConvShape, t: Tiling, platform: PlatformParams) -> dict:
    """Execution time (cycles) of one iteration of each memory-control loop, full tiles.

    ``n``: one Tn slice of all M, R, C; ``m``: one Tm slice of all N, R, C;
    ``rc``: one Tr×Tc tile of all M, N; ``m_rc``: one Tm slice, one Tn slice, all R, C.
    The PE columns run along output columns (``platform.col_dim == "c"``, the
    16×16 array of §III-A) or along input channels (``"n"``, DaDianNao's
    64×64 multiplier tree, §V-C).
    """
    k2 = shape.K ** 2
    tm = np.minimum(t.tm, shape.M)
    tn = np.minimum(t.tn, shape.N)
    tr = np.minimum(t.tr, shape.R)
    tc = np.minimum(t.tc, shape.C)
    pm = passes(shape.M, tm, platform.pe_rows)
    tm_pass = _cdiv(tm, platform.pe_rows)
    if platform.col_dim == "n":
        pn = passes(shape.N, tn, platform.pe_cols)
        tn_pass = _cdiv(tn, platform.pe_cols)
        rc = shape.R * shape.C * k2
        return {"layer": pm * pn * rc, "n": pm * tn_pass * rc, "m": tm_pass * pn * rc,
                "rc": pm * pn * tr * tc * k2, "m_rc": tm_pass * tn_pass * rc}
    pc = passes(shape.C, tc, platform.pe_cols)
    tc_pass = _cdiv(tc, platform.pe_cols)
    return {
        "layer": pm * pc * shape.R * shape.N * k2,
        "n": pm * pc * shape.R * tn * k2,
        "m": tm_pass * pc * shape.R * shape.N * k2,
        "rc": pm * tc_pass * tr * shape.N * k2,
        "m_rc": tm_pass * pc * shape.R * tn * k2,
    }


def lifetime_cycles(shape: ConvShape, pattern: Pattern, t: Tiling, platform: PlatformParams) -> dict:
    """Lifetime in cycles of inputs, outputs and weights (eqs. 4, 5, 9, 10 and Fig. 10)."""
    lv = level_cycles(shape, t, platform)
    zero = np.zeros_like(lv["layer"])
    if pattern == Pattern.ID:      # M, RC, N
        return {"input": lv["layer"], "output": zero, "weight": lv["m"]}
    if pattern == Pattern.OD:      # N, M, RC; with a single N iteration the outputs are final when written
        single_pass = trips(shape.N, np.asarray(t.tn)) == 1
        return {"input": lv["n"], "output": np.where(single_pass, zero, lv["n"]), "weight": lv["m_rc"]}
    if pattern == Pattern.WD:      # RC, M, N
        return {"input": lv["rc"], "output": zero, "weight": lv["layer"]}
    raise ConfigError(f"pattern {pattern!r}: valid: {', '.join(p.name for p in Pattern)}")


def storage_words(shape: ConvShape, pattern: Pattern, t: Tiling) -> dict:
    """Buffer storage BS_i, BS_o, BS_w in data words (eqs. 1–3, 6–8, 11–13)."""
    tm, tn = np.minimum(t.tm, shape.M), np.minimum(t.tn, shape.N)
    tr, tc = np.minimum(t.tr, shape.R), np.minimum(t.tc, shape.C)
    k2 = shape.K ** 2
    th = np.minimum(tile_in_h(shape, tr), shape.H)
    tl = np.minimum(tile_in_l(shape, tc), shape.L)
    if pattern == Pattern.ID:
        out = {"input": shape.N * shape.H * shape.L + 0 * tm, "output": tm * tr * tc, "weight": shape.N * tm * k2}
    elif pattern == Pattern.OD:
        out = {"input": tn * shape.H * shape.L, "output": shape.M * shape.R * shape.C + 0 * tm,
               "weight": tn * tm * k2}
    elif pattern == Pattern.WD:
        out = {"input": shape.N * th * tl, "output": tm * tr * tc, "weight": shape.N * shape.M * k2 + 0 * tm}
    else:
        raise ConfigError(f"pattern {pattern!r}: valid: {', '.join(p.name for p in Pattern)}")
    out["total"] = out["input"] + out["output"] + out["weight"]
    return out


def core_usage(shape: ConvShape, t: Tiling) -> dict:
    """Core-local words of each data kind: Tn·Th·Tl, Tm·Tr·Tc, Tm·Tn·K² (§IV-C3)."""
    return {
        "input": np.asarray(t.tn) * tile_in_h(shape, t.tr) * tile_in_l(shape, t.tc),
        "output": np.asarray(t.tm) * t.tr * t.tc,
        "weight": np.asarray(t.tm) * t.tn * shape.K ** 2,
    }


def core_fits(shape: ConvShape, t: Tiling, core: CoreParams):
    use = core_usage(shape, t)
    return (use["input"] <= core.r_i) & (use["output"] <= core.r_o) & (use["weight"] <= core.r_w)


def check_tiling(shape: ConvShape, t: Tiling, core: CoreParams) -> None:
    """Raise :class:`TilingError` naming every violated constraint of one tiling."""
    problems = []
    for sym, value in (("Tm", t.tm), ("Tn", t.tn), ("Tr", t.tr), ("Tc", t.tc)):
        if value < 1:
            problems.append(f"{sym}={value} must be >= 1")
    if problems:
        raise TilingError("; ".join(problems))
    use = core_usage(shape, t)
    th, tl = int(tile_in_h(shape, t.tr)), int(tile_in_l(shape, t.tc))
    if use["input"] > core.r_i:
        problems.append(f"Tn*Th*Tl = {t.tn}*{th}*{tl} = {int(use['input'])} > R_i = {core.r_i}")
    if use["output"] > core.r_o:
        problems.append(f"Tm*Tr*Tc = {t.tm}*{t.tr}*{t.tc} = {int(use['output'])} > R_o = {core.r_o}")
    if use["weight"] > core.r_w:
        problems.append(f"Tm*Tn*K^2 = {t.tm}*{t.tn}*{shape.K}^2 = {int(use['weight'])} > R_w = {core.r_w}")
    if problems:
        raise TilingError("impossible tiling: " + "; ".join(problems))
