"""Off-chip schedules of seed 002 §4: single layer, cross-layer fusion, fixed weights.

DDR traffic is set by the schedule alone (§5.3); the array's on-chip counts are
:mod:`golden.rram.loopnest`'s.  All sizes are bytes of 8-bit data (§5.1).

Stages
------
The layers that run on the array (conv, fc) in network order.  With ``pool_on_write`` a pool
right after a layer is applied on its output path, so the *stored* output ``out`` is the
pooled map.  Other layers (add, concat) are not modelled between stages: a branching network is
run as the chain of its array layers (an approximation stated in ``docs/rram.md``).

Single layer (§4.1, Fig. 2) — layer with input ``I``, stored output ``O``, weights ``W``, the
I/O buffer ``B_io`` and the weight space ``A_w`` left after fixed weights:

* the layer *fits* when input and output stay whole in the I/O buffer (``I + O <= B_io`` for one
  shared buffer; ``I <= B_io`` and ``O <= B_io`` for separate input and output buffers,
  ``model.io_buffers = 2``); the weights stream through in chunks of ``A_w`` (each chunk meets
  the whole map): DDR reads ``W`` (+ ``I`` unless the input is already on chip);
* otherwise the map is cut into ``F`` row bands (``ceil((I + O) / B_io)``, or
  ``max(ceil(I / B_io), ceil(O / B_io))`` with two buffers) whose inputs overlap by
  ``K - s`` rows (re-read: ``I_h = I + (F - 1)(K - s)·row``), and the cheaper of
  *reuse feature maps* (bands outer, every band meets all weights: ``I_h + W·F`` when
  ``W > A_w``, else ``I_h + W``) and *reuse weights* (weight chunks outer, every chunk meets all
  bands: ``W + I_h·ceil(W / A_w)``) is taken — per layer.
* A stage's output stays on chip for the next stage when both fit; otherwise it is written
  to DDR and read back by the next stage.  The last stage's output is always written.

Cross layer (§4.2, Fig. 3, Alwani et al.): consecutive stages whose (unfixed) weights fit in
``A_w`` together run as one group on row bands of the group's input: intermediate maps never
leave the chip (their overlaps are kept on chip), the group reads its weights once and its input
once plus the first layer's overlap rows per band; it is scheduled like one stage with ``I``
of its first and ``O`` of its last layer.  The partition into groups is optimal (dynamic
program over the chain).

Fixed weights (§4.3): a set of stages whose weights stay in the weight buffer (preloaded once,
``fixed_weights_preloaded``); the rest share ``B_w - Σ fixed``.  :func:`search_fixed_weight`
is the paper's SEARCHFIXEDWEIGHT (a depth-(n+1) binary tree pruned where the path's weights
exceed the buffer); :func:`brute_force_fixed_weight` tries every subset;
:func:`knapsack_fixed_weight` is the 0/1 knapsack optimum of the *separable* approximation
(value of fixing a stage = its weight traffic alone), exact when stages do not interact.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.workloads.layers import POOL_KINDS, Layer

LEVELS = ("single", "cross", "fixed")


@dataclass(frozen=True)
class Stage:
    """One array layer as the schedule sees it (bytes)."""

    name: str
    w: int        # weight bytes
    i: int        # input map bytes
    o: int        # stored output bytes (pooled when a pool follows and pool_on_write)
    o_conv: int   # the array's own output bytes (before any pool)
    halo: int     # input bytes of the K - s overlap rows between two row bands
    layer: Layer
    min_band: int = 0   # input bytes of the K rows one output row needs: the smallest band


def stages_of(layers: Sequence[Layer], pool_on_write: bool = True, act_bits: int = 8,
              weight_bits: int = 8, band_overlap: bool = True) -> list[Stage]:
    """Array stages (conv, fc) of a layer list, in order, with pooled outputs.  Without
    ``band_overlap`` (``model.band_overlap``) row bands do not re-read their K - s overlap rows."""
    out: list[Stage] = []
    for k, lay in enumerate(layers):
        if lay.kind not in ("conv", "fc"):
            continue
        nxt = layers[k + 1] if k + 1 < len(layers) else None
        pooled = pool_on_write and nxt is not None and nxt.kind in POOL_KINDS
        o_conv = lay.output_elems * act_bits // 8
        o = nxt.output_elems * act_bits // 8 if pooled else o_conv
        row = lay.in_ch * lay.in_w * act_bits // 8
        halo = max(lay.kernel_h - lay.stride_h, 0) * row if band_overlap else 0
        out.append(Stage(lay.name, lay.weights * weight_bits // 8, lay.input_elems * act_bits // 8,
                         o, o_conv, halo, lay, min(lay.kernel_h, lay.in_h) * row))
    if not out:
        raise ConfigError("the network has no conv or fc layer to run on the array")
    return out


@dataclass(frozen=True)
class Traffic:
    """Per-stage off-chip traffic of one schedule (bytes)."""

    level: str
    fixed: tuple[bool, ...]
    groups: tuple[tuple[int, int], ...]   # [first, last] stage index of each group
    ddr_weight_rd: tuple[int, ...]
    ddr_fmap_rd: tuple[int, ...]
    ddr_wr: tuple[int, ...]

    @property
    def ddr_rd(self) -> tuple[int, ...]:
        return tuple(a + b for a, b in zip(self.ddr_weight_rd, self.ddr_fmap_rd))

    @property
    def total(self) -> int:
        return sum(self.ddr_weight_rd) + sum(self.ddr_fmap_rd) + sum(self.ddr_wr)


def _group_cost(stages, a, b, fixed, b_io, a_w, input_on_chip):
    """(weight_rd, fmap_rd, feasible) of stages a..b as one group; writes are the caller's."""
    w = sum(s.w for s, f in zip(stages[a:b + 1], fixed[a:b + 1]) if not f)
    first, last = stages[a], stages[b]
    if (a != b and w > a_w) or (w > 0 and a_w <= 0):
        return None
    bands = _bands(first.i, last.o, b_io)
    if bands == 1:
        return w, 0 if input_on_chip else first.i
    i_h = first.i + (bands - 1) * first.halo
    if w <= a_w:
        return w, i_h
    reuse_fmaps = i_h + w * bands
    reuse_weights = w + i_h * math.ceil(w / a_w)
    if reuse_fmaps <= reuse_weights:
        return w * bands, i_h
    return w, i_h * math.ceil(w / a_w)


def _bands(i: int, o: int, b_io) -> int:
    """Row bands needed so a band's input and output fit the I/O buffer ``b_io``: an int (one
    buffer shared by input and output) or ``(bytes, buffers)`` — with 2 buffers the input and
    the output each have a buffer of ``bytes`` (model.io_buffers)."""
    size, buffers = (b_io, 1) if isinstance(b_io, int) else b_io
    if size <= 0:
        raise ConfigError(f"I/O buffer of {size} B: must be > 0")
    if buffers == 1:
        return max(1, math.ceil((i + o) / size))
    return max(1, math.ceil(i / size), math.ceil(o / size))


def _check_bands(stages, b_io) -> None:
    """A band holds at least the K input rows of one output row; a buffer below that is an error."""
    size = b_io if isinstance(b_io, int) else b_io[0]
    for s in stages:
        if s.min_band > size:
            raise ConfigError(f"I/O buffer of {size} B is too small for one band of layer "
                              f"{s.name!r}: {s.layer.kernel_h} input rows = {s.min_band} B")


def _fits(stages, a, b, b_io):
    return _bands(stages[a].i, stages[b].o, b_io) == 1


def plan(stages: Sequence[Stage], b_io: int, b_w: int, level: str,
         fixed: Sequence[bool] | None = None) -> Traffic:
    """DDR traffic of ``stages`` under schedule ``level`` with a given fixed set (none if None).

    ``single``: every stage its own group; ``cross``/``fixed``: the optimal partition.
    """
    if level not in LEVELS:
        raise ConfigError(f"unknown schedule {level!r}; valid: {', '.join(LEVELS)}")
    n = len(stages)
    _check_bands(stages, b_io)
    fixed = tuple(bool(f) for f in fixed) if fixed is not None else (False,) * n
    a_w = b_w - sum(s.w for s, f in zip(stages, fixed) if f)
    if a_w < 0:
        raise ConfigError(f"fixed weights ({b_w - a_w} B) exceed the weight buffer ({b_w} B)")
    max_len = 1 if level == "single" else n
    # best[b] = {fits_of_last_group: (cost, groups, per-group costs)} over stages[0..b]
    best: list[dict] = [{} for _ in range(n)]
    for b in range(n):
        for a in range(max(0, b - max_len + 1), b + 1):
            fits_here = _fits(stages, a, b, b_io)
            prevs = [(None, (0, (), ()))] if a == 0 else list(best[a - 1].items())
            for prev_fits, (cost, groups, parts) in prevs:
                on_chip = a > 0 and prev_fits and fits_here
                gc = _group_cost(stages, a, b, fixed, b_io, a_w, on_chip)
                if gc is None:
                    continue
                spill = 0 if (a == 0 or on_chip) else stages[a - 1].o
                total = cost + gc[0] + gc[1] + spill   # written; its read-back is in gc
                old = best[b].get(fits_here)
                if old is None or total < old[0]:
                    best[b][fits_here] = (total, groups + ((a, b),), parts + ((gc, spill),))
    if not best[n - 1]:
        raise ConfigError(f"no schedule fits: weight buffer of {b_w} B leaves {a_w} B for "
                          "streaming weights")
    _, groups, parts = min(best[n - 1].values(), key=lambda v: v[0])
    return _traffic(stages, level, fixed, groups, parts)


def _traffic(stages, level, fixed, groups, parts) -> Traffic:
    n = len(stages)
    w_rd, f_rd, wr = [0] * n, [0] * n, [0] * n
    for k, ((a, b), ((wbytes, fbytes), spill)) in enumerate(zip(groups, parts)):
        unfixed = [j for j in range(a, b + 1) if not fixed[j]]
        total_w = sum(stages[j].w for j in unfixed) or 1
        for j in unfixed:  # weight re-reads shared in proportion to each stage's weights
            w_rd[j] = wbytes * stages[j].w // total_w
        if unfixed:
            w_rd[unfixed[-1]] += wbytes - sum(w_rd[j] for j in unfixed)
        f_rd[a] += fbytes
        if k > 0:
            wr[a - 1] += spill  # the previous group's output, read back here as this input
    wr[n - 1] += stages[n - 1].o
    return Traffic(level, tuple(fixed), tuple(groups), tuple(w_rd), tuple(f_rd), tuple(wr))


def search_fixed_weight(stages: Sequence[Stage], b_io: int, b_w: int) -> Traffic:
    """The paper's SEARCHFIXEDWEIGHT (seed 002 §4.3): depth-(n+1) binary tree over "fix layer
    k or not", a subtree pruned when the layer does not fit the buffer left on its path;
    each leaf scored by the optimal cross-layer schedule (OptEnergy) of its fixed set."""
    n = len(stages)

    def search(k: int, left: int, f: tuple[bool, ...]) -> Traffic | None:
        if k == n:
            try:
                return plan(stages, b_io, b_w, "fixed", f)
            except ConfigError:
                return None
        if left < stages[k].w:
            return search(k + 1, left, f + (False,))
        e1 = search(k + 1, left, f + (False,))
        e2 = search(k + 1, left - stages[k].w, f + (True,))
        cands = [t for t in (e1, e2) if t is not None]
        return min(cands, key=lambda t: t.total) if cands else None

    found = search(0, b_w, ())
    if found is None:
        raise ConfigError(f"no schedule fits a weight buffer of {b_w} B")
    return found


def brute_force_fixed_weight(stages: Sequence[Stage], b_io: int, b_w: int) -> Traffic:
    """Every subset of fixed stages that fits, scored like :func:`search_fixed_weight`."""
    best = None
    for f in itertools.product((False, True), repeat=len(stages)):
        if sum(s.w for s, x in zip(stages, f) if x) > b_w:
            continue
        try:
            t = plan(stages, b_io, b_w, "fixed", f)
        except ConfigError:
            continue
        if best is None or t.total < best.total:
            best = t
    if best is None:
        raise ConfigError(f"no schedule fits a weight buffer of {b_w} B")
    return best


def knapsack_fixed_weight(stages: Sequence[Stage], b_w: int, unit: int = 1024) -> tuple[bool, ...]:
    """0/1 knapsack (dynamic program over capacity in ``unit`` bytes, weights rounded up) that
    fixes the stages maximising the weight bytes no longer read from DDR."""
    cap = b_w // unit
    sizes = [math.ceil(s.w / unit) for s in stages]
    value = [[0] * (cap + 1) for _ in range(len(stages) + 1)]
    for k, (size, s) in enumerate(zip(sizes, stages), 1):
        for c in range(cap + 1):
            value[k][c] = value[k - 1][c]
            if size <= c and value[k - 1][c - size] + s.w > value[k][c]:
                value[k][c] = value[k - 1][c - size] + s.w
    chosen, c = [False] * len(stages), cap
    for k in range(len(stages), 0, -1):
        if value[k][c] != value[k - 1][c]:
            chosen[k - 1] = True
            c -= sizes[k - 1]
    return tuple(chosen)


def tree_leaves(stages: Sequence[Stage], b_w: int) -> np.ndarray:
    """The leaves SEARCHFIXEDWEIGHT visits (its pruned tree), as a (leaves, stages) bool array."""
    n = len(stages)
    leaves: list[tuple[bool, ...]] = []

    def walk(k: int, left: int, f: tuple[bool, ...]) -> None:
        if k == n:
            leaves.append(f)
            return
        walk(k + 1, left, f + (False,))
        if left >= stages[k].w:
            walk(k + 1, left - stages[k].w, f + (True,))

    walk(0, b_w, ())
    return np.array(leaves, dtype=bool).reshape(len(leaves), n)


def plan_totals(stages: Sequence[Stage], b_io: int, b_w: int, fixed: np.ndarray) -> np.ndarray:
    """:func:`plan`'s ``Traffic.total`` for many fixed sets at once (rows of ``fixed``); a fixed
    set without any feasible schedule scores +inf.  Vectorised over the sets."""
    n = len(stages)
    _check_bands(stages, b_io)
    w = np.array([s.w for s in stages], dtype=np.float64)
    unfixed = np.where(fixed, 0.0, w)
    prefix = np.concatenate([np.zeros((len(fixed), 1)), np.cumsum(unfixed, axis=1)], axis=1)
    a_w = b_w - fixed.astype(np.float64) @ w
    inf = np.full(len(fixed), np.inf)
    best = [{False: inf, True: inf} for _ in range(n)]
    for b in range(n):
        for a in range(b + 1):
            fits_here = _fits(stages, a, b, b_io)
            w_g = prefix[:, b + 1] - prefix[:, a]
            ok = ~((w_g > 0) & (a_w <= 0))
            if a != b:
                ok &= w_g <= a_w
            prevs = [(False, np.zeros(len(fixed)))] if a == 0 else list(best[a - 1].items())
            for prev_fits, cost in prevs:
                on_chip = a > 0 and prev_fits and fits_here
                gc = _group_cost_many(stages[a], stages[b], w_g, a_w, b_io, on_chip)
                spill = 0 if (a == 0 or on_chip) else stages[a - 1].o
                total = np.where(ok, cost + gc + spill, np.inf)
                best[b][fits_here] = np.minimum(best[b][fits_here], total)
    return np.minimum(best[n - 1][False], best[n - 1][True]) + stages[n - 1].o


def _group_cost_many(first: Stage, last: Stage, w_g, a_w, b_io, on_chip):
    """:func:`_group_cost`'s weight + fmap bytes, vectorised over weight sums ``w_g``."""
    bands = _bands(first.i, last.o, b_io)
    if bands == 1:
        return w_g + (0 if on_chip else first.i)
    i_h = first.i + (bands - 1) * first.halo
    with np.errstate(divide="ignore", invalid="ignore"):
        chunks = np.ceil(w_g / np.where(a_w > 0, a_w, 1))
    streamed = np.minimum(i_h + w_g * bands, w_g + i_h * chunks)
    return np.where(w_g <= a_w, w_g + i_h, streamed)


def fast_fixed_weight(stages: Sequence[Stage], b_io: int, b_w: int) -> Traffic:
    """SEARCHFIXEDWEIGHT's result with its leaves scored together (:func:`plan_totals`); the
    scalar :func:`search_fixed_weight` is the reference the tests hold it to."""
    leaves = tree_leaves(stages, b_w)
    totals = plan_totals(stages, b_io, b_w, leaves)
    k = int(np.argmin(totals))
    if not np.isfinite(totals[k]):
        raise ConfigError(f"no schedule fits a weight buffer of {b_w} B")
    return plan(stages, b_io, b_w, "fixed", leaves[k])


def schedule(stages: Sequence[Stage], b_io: int, b_w: int, level: str) -> Traffic:
    """The schedule of one level: single, cross, or cross + fixed weights (tree search)."""
    if level == "fixed":
        return fast_fixed_weight(stages, b_io, b_w)
    return plan(stages, b_io, b_w, level)


__all__ = ["LEVELS", "Stage", "Traffic", "brute_force_fixed_weight", "fast_fixed_weight",
           "knapsack_fixed_weight", "plan", "plan_totals", "schedule", "search_fixed_weight",
           "stages_of", "tree_leaves"]
