"""What the RTL instance of ``rtl/rram`` counts for one conv tile: the loop nest's exact counts
(:mod:`golden.rram.loopnest`) plus the cycles the loop nest does not model.

The loop nest's ``cycles`` are ideal (one step per cycle); the RTL's busy time adds

* the weight prefetch: tile i is read from bank ``addr mod banks`` once the bank is free
  (``weight_bank_busy`` cycles per read) and fewer than ``weight_fifo_depth`` tiles are in
  flight or queued; it is usable ``weight_latency + 1`` cycles after its read (the response
  enters a FIFO); a block's j = 0 steps wait for their tile (``weight_waits``);
* the ping-pong accumulation buffer: a block starts only when the block two before it (same
  half) has drained (``half_waits``);
* the pipeline: a step issued in cycle t accumulates in t + 2; its block drains from t + 3,
  an entry per cycle when the output port is ready (``out_stalls`` otherwise), blocks in
  order; the tile ends (busy falls) the cycle after its last entry is taken.

:func:`replay` walks these rules tile by tile (a Python loop over weight tiles and blocks, not
over cycles); it is a model of the RTL's control, written from its specification (the
component docstrings), and the cocotb regressions hold the RTL's counters equal to it.
Cycle 0 is the cycle after START is accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.rram.loopnest import loop_counts, raster_blocker
from hymem.golden.rram.params import ArrayParams
from hymem.golden.rram.rtl_params import Order, RtlParams
from hymem.golden.workloads.layers import Layer, make_layer

ORDER_NAMES = {Order.KERNEL_FIRST: "kernel_first", Order.PIXEL_FIRST: "pixel_first"}


@dataclass(frozen=True)
class Tile:
    """One conv tile as the RTL runs it: a square-kernel layer, a loop order and g (0 = no
    accumulation buffer; ignored by kernel-first)."""

    in_ch: int
    out_ch: int
    kernel: int
    stride: int
    in_h: int
    in_w: int
    pad: tuple[int, int, int, int]  # top, left, bottom, right
    order: Order
    groups: int
    pixel_groups: str = "row"  # "row" or "raster" (golden/rram/loopnest.py; Reg.PIXEL_GROUPS)

    @property
    def layer(self) -> Layer:
        return make_layer(
            "tile",
            "conv",
            (self.in_ch, self.in_h, self.in_w),
            out_ch=self.out_ch,
            kernel=self.kernel,
            stride=self.stride,
            padding=self.pad,
        )

    @property
    def out_h(self) -> int:
        return self.layer.out_h

    @property
    def out_w(self) -> int:
        return self.layer.out_w

    @property
    def acc_depth(self) -> int:
        """The loop nest's accumulation depth (2g, 0 = none)."""
        return 2 * self.groups

    def block(self) -> int:
        """Pixel groups per block (b of ``StepSequencer``)."""
        return self.groups if self.order == Order.PIXEL_FIRST and self.groups else 1


def tile_from_layer(layer: Layer, order: Order, groups: int, pixel_groups: str = "row") -> Tile:
    """A square-kernel, equal-stride conv layer as a tile; anything else is refused."""
    if (
        layer.kind != "conv"
        or layer.groups != 1
        or layer.kernel_h != layer.kernel_w
        or layer.stride_h != layer.stride_w
    ):
        raise ConfigError(
            f"layer {layer.name!r}: the RTL runs ungrouped square-kernel convs with equal strides"
        )
    return Tile(
        layer.in_ch,
        layer.out_ch,
        layer.kernel_h,
        layer.stride_h,
        layer.in_h,
        layer.in_w,
        layer.pad,
        Order(order),
        groups,
        pixel_groups,
    )


def check_tile(tile: Tile, rtl: RtlParams) -> None:
    """The limits START checks (so a test cannot ask the RTL for what it refuses)."""
    bad = []
    if not 1 <= tile.kernel <= rtl.max_kernel:
        bad.append(f"kernel {tile.kernel} not in 1..{rtl.max_kernel}")
    if not 1 <= tile.stride <= rtl.max_stride:
        bad.append(f"stride {tile.stride} not in 1..{rtl.max_stride}")
    if not 0 <= tile.groups <= rtl.max_groups:
        bad.append(f"g {tile.groups} not in 0..{rtl.max_groups}")
    if max(tile.pad[:2]) >= tile.kernel:
        bad.append(f"padding {tile.pad[:2]} not below K")
    if tile.pixel_groups not in ("row", "raster"):
        bad.append(f"pixel_groups {tile.pixel_groups!r} not one of row, raster")
    elif tile.pixel_groups == "raster" and (reason := raster_blocker(tile.layer, rtl.p)):
        bad.append(f"raster pixel groups: {reason}")
    if bad:
        raise ConfigError("tile: " + "; ".join(bad))


def loop_nest_counts(tile: Tile, rtl: RtlParams, array: ArrayParams) -> dict:
    """The loop nest's exact counts under the RTL's names (``steps`` = its ideal cycles).

    The RTL's weight word is one whole n x m tile, so ``weight_reads`` = tile reads.
    """
    inst = rtl.array(array)
    order = ORDER_NAMES[tile.order]
    c = loop_counts(
        [tile.layer],
        inst,
        order,
        tile.acc_depth,
        weight_word_bytes=inst.n * inst.m * inst.weight_bits // 8,
        pixel_groups=tile.pixel_groups,
    ).as_dict()
    return {
        "steps": c["cycles"],
        "macs": c["macs"],
        "io_reads": c["io_reads"],  # with K < s only the used pixels (loopnest.py's rule)
        "io_writes": c["io_writes"],
        "weight_reads": c["weight_tile_reads"],
        "acc_reads": c["acc_reads"],
        "acc_writes": c["acc_writes"],
    }


def _blocks(tile: Tile, rtl: RtlParams):
    """Block lengths of one output-channel group, in order."""
    if tile.pixel_groups == "raster":
        groups = math.ceil(tile.out_h * tile.out_w / rtl.p)
    else:
        groups = tile.out_h * math.ceil(tile.out_w / rtl.p)
    b = tile.block()
    return [min(b, groups - start) for start in range(0, groups, b)]


def replay(tile: Tile, rtl: RtlParams, ready=None) -> dict:
    """Cycle counts of the RTL for ``tile`` (module docstring).

    ``ready``: the output port's ready per cycle from cycle 0 (always ready past its end, or
    when None).  Returns cycles, weight_waits, half_waits, out_stalls, weight_bank_waits.
    """
    ready = np.ones(0, dtype=bool) if ready is None else np.asarray(ready, dtype=bool)
    free_at = np.flatnonzero(ready == 0)
    words_per_pass = math.ceil(tile.in_ch / rtl.m) * tile.kernel**2
    blocks = _blocks(tile, rtl) * math.ceil(tile.out_ch / rtl.n)
    bank_free = [0] * rtl.weight_banks
    st = {"fetch": -1, "step": -1, "waits": 0, "bank_waits": 0, "half_waits": 0, "stalls": 0}
    pops, drained, last_drain = [], [], -1
    word = 0
    for n_block, length in enumerate(blocks):
        o = n_block // len(_blocks(tile, rtl))
        for k in range(words_per_pass):
            addr = o * words_per_pass + k
            avail = _fetch(st, bank_free, addr % rtl.weight_banks, pops, word, rtl)
            half_free = drained[n_block - 2] + 1 if k == 0 and n_block >= 2 else 0
            earliest = st["step"] + 1
            t = max(earliest, avail, half_free)
            st["waits"] += max(0, min(t, avail) - earliest)
            st["half_waits"] += max(0, min(t, half_free) - earliest)
            pops.append(t)
            st["step"] = t + length - 1
            word += 1
        start = max(st["step"] + 3, last_drain + 1)
        last_drain = _drain(start, length, ready, free_at, st)
        drained.append(last_drain)
    return {
        "cycles": last_drain + 2,
        "weight_waits": st["waits"],
        "half_waits": st["half_waits"],
        "out_stalls": st["stalls"],
        "weight_bank_waits": st["bank_waits"],
    }


def _fetch(st, bank_free, bank, pops, word, rtl) -> int:
    """Issue cycle of weight tile ``word``; returns the first cycle a step can take it."""
    earliest = st["fetch"] + 1
    credit = pops[word - rtl.weight_fifo_depth] + 1 if word >= rtl.weight_fifo_depth else 0
    asking = max(earliest, credit)
    issue = max(asking, bank_free[bank])
    st["bank_waits"] += issue - asking
    bank_free[bank] = issue + rtl.weight_bank_busy
    st["fetch"] = issue
    return issue + rtl.weight_latency + 1


def _drain(start: int, length: int, ready, free_at, st) -> int:
    """Cycle of the last of ``length`` entries taken from ``start`` on (stalls counted)."""
    cycle, taken = start, 0
    while True:
        stalled = cycle < len(ready) and not ready[cycle]
        if stalled:
            st["stalls"] += 1
        else:
            taken += 1
            if taken == length:
                return cycle
        cycle += 1


def expected_counters(tile: Tile, rtl: RtlParams, array: ArrayParams, ready=None) -> dict:
    """Every event counter of ``RramAccelerator`` for one tile (commands excluded)."""
    check_tile(tile, rtl)
    return {**loop_nest_counts(tile, rtl, array), **replay(tile, rtl, ready)}


def weight_port_schedule(gaps, banks_of, rtl: RtlParams, start: int = 0) -> tuple[list[int], int]:
    """When the banked weight buffer accepts reads from a requester that idles ``gaps[i]``
    cycles after each accepted read (before the first: from cycle ``start``) and then offers
    read i to bank ``banks_of[i]`` until it is taken: at the first cycle that bank is free (a
    bank is busy ``weight_bank_busy`` cycles per read).  Returns the accept cycles and the
    cycles a read waited (``weight_bank_waits``); each read's data follows its accept by
    ``weight_latency`` cycles."""
    free = [0] * rtl.weight_banks
    accepted, waits, ready_from = [], 0, start
    for gap, bank in zip(gaps, banks_of):
        offer = ready_from + int(gap)
        take = max(offer, free[bank])
        waits += take - offer
        free[bank] = take + rtl.weight_bank_busy
        accepted.append(take)
        ready_from = take + 1
    return accepted, waits
