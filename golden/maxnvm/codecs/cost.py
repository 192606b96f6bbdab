"""Cost models of the codec RTL: beats and cycles the decoders take (the counters
that are not functional results; those come with the functional decode reports)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.maxnvm.codecs.bitmask import BitmaskLayout


@dataclass(frozen=True)
class BitmaskDecoderCost:
    weights: int      # dense weights out
    beats: int        # output beats (one per RUN cycle with ready high)
    groups: int       # set-up cycles (one per group)

    @property
    def busy_cycles(self) -> int:
        """Cycles with ``busy`` high when the output is always ready."""
        return self.groups + self.beats

    @property
    def weights_per_cycle(self) -> float:
        return self.weights / self.busy_cycles if self.busy_cycles else 0.0


def bitmask_decoder_cost(layout: BitmaskLayout, lanes: int, block: int) -> BitmaskDecoderCost:
    """``BitmaskDecoder`` beats: ``ceil(len / lanes)`` per block of ``block`` mask bits
    (blocks restart at each group; raw layers walk the same geometry)."""
    geometry = BitmaskLayout(layout.n_kernels, layout.kernel_elems, layout.data_bits, block)
    _, length, _ = geometry.blocks()
    beats = int(np.sum(-(-length // lanes)))
    return BitmaskDecoderCost(layout.n_weights, beats, layout.n_groups)


def bitmask_beats(weights: np.ndarray, layout: BitmaskLayout, lanes: int, block: int) -> list[dict]:
    """The decoder's output beats for decoded ``weights``: ``{w0.., count, last}`` each."""
    geometry = BitmaskLayout(layout.n_kernels, layout.kernel_elems, layout.data_bits, block)
    first, length, _ = geometry.blocks()
    flat = np.asarray(weights).reshape(-1)
    beats = []
    for f, n in zip(first.tolist(), length.tolist()):
        for off in range(0, n, lanes):
            take = min(lanes, n - off)
            lane_values = flat[f + off: f + off + take].tolist() + [0] * (lanes - take)
            beats.append({**{f"w{i}": v for i, v in enumerate(lane_values)}, "count": take, "last": 0})
    beats[-1]["last"] = 1
    return beats


def csr_decoder_cost(n_rows: int, n_cols: int) -> dict[str, int]:
    """``CsrDecoder`` at full rate: one set-up cycle per row, one cycle per dense weight."""
    return {"rows": n_rows, "weights_out": n_rows * n_cols, "busy_cycles": n_rows * (n_cols + 1)}


def bitmask_group_beats(layout: BitmaskLayout, lanes: int, block: int) -> np.ndarray:
    """``BitmaskDecoder`` beats per group (the units :func:`busy_cycles_with_stalls` replays)."""
    geometry = BitmaskLayout(layout.n_kernels, layout.kernel_elems, layout.data_bits, block)
    _, length, group = geometry.blocks()
    return np.bincount(group, weights=-(-length // lanes), minlength=layout.n_groups).astype(np.int64)


def busy_cycles_with_stalls(unit_beats, ready, start_cycle: int) -> tuple[int, int]:
    """Replay a decoder that spends one set-up cycle per unit (group, row) and then
    one cycle per beat offered, a beat leaving only in cycles where ``ready`` is high
    (``ready[c]`` for cycle ``c``; always high past the pattern).  ``start`` is high in
    ``start_cycle``; the first set-up cycle is the next.  Returns ``(busy cycles,
    first idle cycle)``."""
    ready = np.asarray(ready, dtype=bool)
    ready_before = np.concatenate([[0], np.cumsum(ready)])  # ready-high cycles in [0, c)
    cycle, busy = start_cycle + 1, 0
    for beats in np.asarray(unit_beats, dtype=np.int64).tolist():
        cycle += 1                                   # set-up cycle
        wanted = (ready_before[min(cycle, len(ready))] + (cycle - len(ready) if cycle > len(ready) else 0)
                  + beats)                           # ready-high cycles in [0, end of the unit]
        if wanted <= ready_before[-1]:
            end = int(np.searchsorted(ready_before, wanted))  # first c with ready-high count in [0, c) == wanted
        else:
            end = len(ready) + int(wanted - ready_before[-1])
        busy += 1 + end - cycle
        cycle = end
    return busy, cycle


def busy_cycles_through_stage(unit_beats, ready, start_cycle: int) -> tuple[int, int]:
    """:func:`busy_cycles_with_stalls` for a decoder behind a one-deep register stage (the
    ``WeightDecoder``'s codebook lookup): a beat leaves the decoder in a cycle where the
    stage is empty or drains (``ready`` high); the stage drains in cycles where it is full
    and ``ready`` is high.  The stage is empty when ``start`` is high.  Returns ``(busy
    cycles, first idle cycle)`` of the decoder."""
    ready = np.asarray(ready, dtype=bool)
    cycle, busy, full = start_cycle + 1, 0, False
    for beats in np.asarray(unit_beats, dtype=np.int64).tolist():
        for offer in [False] + [True] * beats:       # set-up cycle, then the beats in order
            while True:
                r = bool(ready[cycle]) if cycle < len(ready) else True
                moved = offer and (not full or r)
                full = moved or (full and not r)
                cycle += 1
                busy += 1
                if moved or not offer:
                    break
    return busy, cycle
