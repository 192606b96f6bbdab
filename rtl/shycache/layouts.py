"""Payload layouts and the cache-part interface shared by the SHyCache RTL blocks."""

from __future__ import annotations

from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.shycache.rtl_params import OP_BITS, LevelParams


def index_bits(n: int) -> int:
    """Bits of an index over ``n`` items (at least 1, so no port is zero-width)."""
    return max(ceil_log2(n), 1)


def request_layout(p: LevelParams) -> data.StructLayout:
    """A core request: opcode (``Op``), byte address, store data (ignored by loads)."""
    return data.StructLayout({"op": OP_BITS, "addr": p.addr_bits, "data": p.word_bits})


def routed_layout(p: LevelParams) -> data.StructLayout:
    """A request after the predecoder: ``stt`` set when it goes to the STT part."""
    return data.StructLayout({"op": OP_BITS, "addr": p.addr_bits, "data": p.word_bits, "stt": 1})


def response_layout(p: LevelParams) -> data.StructLayout:
    """One response per request: load data (a store returns the word it wrote), whether the
    line was found, which part served it, and ``error`` for a malformed request."""
    return data.StructLayout({"data": p.word_bits, "hit": 1, "stt": 1, "error": 1})


def range_layout(p: LevelParams) -> data.StructLayout:
    """A predecoder range-register write: pair ``index`` becomes [base, limit)."""
    return data.StructLayout({"index": index_bits(p.n_ranges), "base": p.addr_bits,
                              "limit": p.addr_bits})


def mem_request_layout(p: LevelParams) -> data.StructLayout:
    """To the next level: a line fill (``write`` 0) or a write-back of ``data`` (``write`` 1)."""
    return data.StructLayout({"write": 1, "line": p.line_addr_bits, "data": p.line_bits})


class PartSignature(wiring.Signature):
    """The controller's side of one cache part (tag array + data array); ``Out`` is driven by
    the controller.  See :class:`rtl.shycache.cache_part.CachePart` for the timing."""

    def __init__(self, p: LevelParams):
        super().__init__({
            "ready": In(1),                         # the reset sweep has cleared the arrays
            "line": Out(p.line_addr_bits),          # line address of the current request
            "lookup": Out(1),                       # read the tag row of set(line)
            "hit": In(1),                           # (cycle after lookup) tag(line) is in the set
            "way": In(index_bits(p.ways)),          # the hit way, else the LRU victim
            "way_valid": In(1),
            "way_dirty": In(1),
            "victim_line": In(p.line_addr_bits),    # line address held by ``way``
            "use_way": Out(index_bits(p.ways)),     # the way read, written and touched
            "read": Out(1),                         # read the data line of (set, use_way)
            "read_data": In(p.line_bits),           # (cycle after read; held until the next read)
            "write": Out(1),                        # write ``write_data`` to (set, use_way)
            "write_data": Out(p.line_bits),
            "update": Out(1),                       # tag row: use_way <- line, dirty; LRU touch
            "dirty": Out(1),
            "probe_line": Out(p.line_addr_bits),    # a request waiting to be accepted
            "busy": In(1),                          # its subarray is being written
        })
