"""MLC eNVM cell model: level mapping, Gaussian level distributions, fault injection.

Seed 003 §2.3 and §4.1.  A cell stores ``bpc`` bits (SLC 1, MLC2 2, MLC3 3) as
one of ``2**bpc`` levels.  Reading level ``i`` yields a Gaussian signal
``N(mu_i, sigma_i)``; the sense amplifiers compare it with ``2**bpc - 1``
thresholds, and a signal past a threshold reads as the level beyond it.

Level layout (normalized window [0, 1], see ``configs/maxnvm.toml [mlc]``):
level 0 is the unprogrammed/erased state with its own ``sigma_erased`` and a
gap of ``erased_gap`` regular spacings to level 1; levels 1..N-1 are evenly
spaced up to 1.  The threshold between levels ``a`` and ``a + 1`` sits where
the two tails are equal, ``t = mu_a + d * sigma_a / (sigma_a + sigma_b)``,
then shifts by ``sense_offset * sigma`` (the sense amplifier's input-referred
offset).  The rate of reading level ``j`` for stored level ``i`` is then the
Gaussian mass of ``N(mu_i, sigma_i)`` between thresholds ``j - 1`` and ``j``:
:func:`transition_matrix`, closed form through ``erfc``.

Bits to cells: a structure is a flat bit stream; consecutive ``bpc`` bits form
one cell's symbol (MSB first), the last cell zero-padded.  The symbol's level
is its Gray-code rank (``mlc.level_code = "gray"``, so adjacent levels differ
in exactly one bit, §3.3) or its binary value (``"binary"``).

Injection (:func:`inject`) is exact and vectorized without touching every
cell: with ``p_max`` the largest per-level fault rate, the cells that *may*
fault are a Bernoulli(``p_max``) subset — drawn as a binomial count and
distinct random positions — and each candidate keeps its fault with
probability ``p(level) / p_max`` and goes up or down in proportion to the two
adjacent rates.  Only adjacent-level faults are injected: the non-adjacent
rates are below 1.5e-10 for every configured technology (§2.3 footnote 1;
checked by :func:`nonadjacent_rate` and the tests).  :func:`inject_gaussian`
is the direct method of §4.1 (sample every cell's signal, compare with the
thresholds) and serves as the reference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError

from .codecs.gray import gray_decode, gray_encode
from .params import LEVEL_CODES, MlcTech

BITS_PER_CELL = (1, 2, 3)
CELL_NAMES = {1: "SLC", 2: "MLC2", 3: "MLC3"}


def _check_bpc(bpc: int) -> None:
    if bpc not in BITS_PER_CELL:
        raise ConfigError(f"bits per cell {bpc!r}; valid: {', '.join(map(str, BITS_PER_CELL))}")


def _q(x: float) -> float:
    """Gaussian tail P(Z > x) = erfc(x / sqrt 2) / 2, accurate far into the tail."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


@dataclass(frozen=True)
class LevelModel:
    """Means, sigmas and thresholds of one technology at one bits-per-cell."""

    bpc: int
    means: tuple[float, ...]
    sigmas: tuple[float, ...]
    thresholds: tuple[float, ...]

    @property
    def levels(self) -> int:
        return len(self.means)


def level_model(tech: MlcTech, bpc: int) -> LevelModel:
    """Level means, sigmas and thresholds of ``tech`` storing ``bpc`` bits per cell."""
    _check_bpc(bpc)
    n = 2 ** bpc
    spacing = 1.0 / ((n - 2) + tech.erased_gap)  # level 0 -> 1 takes erased_gap spacings
    means = [0.0] + [(tech.erased_gap + k) * spacing for k in range(n - 1)]
    sigmas = [tech.sigma_erased] + [tech.sigma] * (n - 1)
    thresholds = []
    for a in range(n - 1):
        d = means[a + 1] - means[a]
        equal_tails = means[a] + d * sigmas[a] / (sigmas[a] + sigmas[a + 1])
        thresholds.append(equal_tails + tech.sense_offset * tech.sigma)
    return LevelModel(bpc, tuple(means), tuple(sigmas), tuple(thresholds))


def transition_matrix(tech: MlcTech, bpc: int) -> np.ndarray:
    """``P[i, j]`` = probability that stored level ``i`` reads as level ``j`` (rows sum to 1)."""
    m = level_model(tech, bpc)
    edges = (-math.inf, *m.thresholds, math.inf)
    p = np.empty((m.levels, m.levels))
    for i, (mu, sd) in enumerate(zip(m.means, m.sigmas, strict=True)):
        for j in range(m.levels):
            # mass between edges j and j+1, as a difference of upper tails (no cancellation)
            lo, hi = edges[j], edges[j + 1]
            p[i, j] = (_q((lo - mu) / sd) if lo > -math.inf else 1.0) - \
                      (_q((hi - mu) / sd) if hi < math.inf else 0.0)
    return p


def adjacent_rates(tech: MlcTech, bpc: int) -> tuple[np.ndarray, np.ndarray]:
    """Per stored level: (rate of reading one level down, rate of reading one level up)."""
    p = transition_matrix(tech, bpc)
    n = p.shape[0]
    down = np.array([p[i, i - 1] if i > 0 else 0.0 for i in range(n)])
    up = np.array([p[i, i + 1] if i < n - 1 else 0.0 for i in range(n)])
    return down, up


def nonadjacent_rate(tech: MlcTech, bpc: int) -> float:
    """Largest probability of reading a level two or more away from the stored one."""
    p = transition_matrix(tech, bpc)
    idx = np.arange(p.shape[0])
    far = np.abs(idx[:, None] - idx[None, :]) >= 2
    return float(p[far].max()) if far.any() else 0.0


def cell_fault_rate(tech: MlcTech, bpc: int) -> float:
    """Fault rate of a cell averaged over equally likely levels."""
    down, up = adjacent_rates(tech, bpc)
    return float((down + up).mean())


# --- bits <-> cells -----------------------------------------------------------

def _level_of_symbol(bpc: int, code: str) -> tuple[np.ndarray, np.ndarray]:
    """Lookup tables symbol -> level and level -> symbol for ``bpc`` bits per cell."""
    if code not in LEVEL_CODES:
        raise ConfigError(f"level code {code!r}; valid: {', '.join(LEVEL_CODES)}")
    levels = np.arange(2 ** bpc, dtype=np.int64)
    symbol_of_level = gray_encode(levels) if code == "gray" else levels
    level_of_symbol = gray_decode(levels) if code == "gray" else levels
    return np.asarray(level_of_symbol, np.int64), np.asarray(symbol_of_level, np.int64)


def cells_of(n_bits: int, bpc: int) -> int:
    """Cells holding ``n_bits`` at ``bpc`` bits per cell (last cell padded)."""
    _check_bpc(bpc)
    return -(-int(n_bits) // bpc)


def levels_of_bits(bits: np.ndarray, bpc: int, code: str = "gray") -> np.ndarray:
    """The level each cell is programmed to when ``bits`` (0/1, flat) are stored."""
    n_cells = cells_of(bits.size, bpc)
    padded = np.zeros(n_cells * bpc, np.int64)
    padded[:bits.size] = bits
    symbols = padded.reshape(n_cells, bpc) @ (1 << np.arange(bpc - 1, -1, -1))
    level_of_symbol, _ = _level_of_symbol(bpc, code)
    return level_of_symbol[symbols]


def bits_of_levels(levels: np.ndarray, bpc: int, n_bits: int, code: str = "gray") -> np.ndarray:
    """Inverse of :func:`levels_of_bits`: the first ``n_bits`` bits the cells read back."""
    _, symbol_of_level = _level_of_symbol(bpc, code)
    symbols = symbol_of_level[np.asarray(levels, np.int64)]
    bits = (symbols[:, None] >> np.arange(bpc - 1, -1, -1)) & 1
    return bits.reshape(-1)[:n_bits].astype(np.uint8)


# --- fault injection ------------------------------------------------------------

@dataclass(frozen=True)
class Injection:
    """A faulty read of a bit stream: the bits read back and how many cells misread."""

    bits: np.ndarray
    cells: int
    faulty_cells: int


def inject(bits: np.ndarray, bpc: int, tech: MlcTech, rng: np.random.Generator,
           code: str = "gray", acceleration: float = 1.0) -> Injection:
    """Store ``bits`` (flat 0/1) in cells of ``bpc`` bits and read them back with faults.

    Exact adjacent-level fault sampling that only visits candidate cells (see
    the module docstring); returns a new array, ``bits`` is not modified.
    ``acceleration`` multiplies every level's up and down rate (an accelerated
    test: same per-level profile, more faults); no level's rate may exceed 1.
    """
    bits = np.asarray(bits, np.uint8).reshape(-1)
    n_cells = cells_of(bits.size, bpc)
    if not acceleration >= 1.0:
        raise ValueError(f"acceleration={acceleration}: must be >= 1")
    down, up = (r * acceleration for r in adjacent_rates(tech, bpc))
    p_any = down + up
    if p_any.max() > 1.0:
        raise ValueError(f"acceleration={acceleration:.3g} gives a level fault rate {p_any.max():.3g} > 1")
    p_max = float(p_any.max())
    out = bits.copy()
    if n_cells == 0 or p_max == 0.0:
        return Injection(out, n_cells, 0)
    k = int(rng.binomial(n_cells, p_max))
    if k == 0:
        return Injection(out, n_cells, 0)
    cand = rng.choice(n_cells, size=k, replace=False)
    # read the candidate cells' bits (the last cell may be partly padding)
    pos = cand[:, None] * bpc + np.arange(bpc)
    inside = pos < bits.size
    cell_bits = np.where(inside, bits[np.minimum(pos, bits.size - 1)], 0).astype(np.int64)
    level_of_symbol, symbol_of_level = _level_of_symbol(bpc, code)
    level = level_of_symbol[cell_bits @ (1 << np.arange(bpc - 1, -1, -1))]
    u = rng.random(k) * p_max
    go_up = u < up[level]
    go_down = ~go_up & (u < p_any[level])
    new_level = level + go_up - go_down
    changed = go_up | go_down
    new_bits = (symbol_of_level[new_level][:, None] >> np.arange(bpc - 1, -1, -1)) & 1
    write = inside & changed[:, None]
    out[pos[write]] = new_bits[write]
    return Injection(out, n_cells, int(changed.sum()))


def inject_gaussian(bits: np.ndarray, bpc: int, tech: MlcTech, rng: np.random.Generator,
                    code: str = "gray") -> Injection:
    """Reference method of §4.1: sample every cell's read signal and threshold it.

    Includes non-adjacent misreads (they are just never observed at the
    configured rates).  Slow on large streams; used to validate :func:`inject`.
    """
    bits = np.asarray(bits, np.uint8).reshape(-1)
    m = level_model(tech, bpc)
    levels = levels_of_bits(bits, bpc, code)
    signal = np.asarray(m.means)[levels] + np.asarray(m.sigmas)[levels] * rng.standard_normal(levels.size)
    read = np.searchsorted(np.asarray(m.thresholds), signal)
    return Injection(bits_of_levels(read, bpc, bits.size, code), levels.size,
                     int((read != levels).sum()))


__all__ = ["BITS_PER_CELL", "CELL_NAMES", "Injection", "LevelModel", "adjacent_rates",
           "bits_of_levels", "cell_fault_rate", "cells_of", "inject", "inject_gaussian",
           "level_model", "levels_of_bits", "nonadjacent_rate", "transition_matrix"]
