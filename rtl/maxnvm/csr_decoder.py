"""CSR decoder: values, relative column indices and row counters → dense rows (seed 003 §3.2.1)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import data, enum, memory, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.codecs.csr import CSR_ARRAYS
from hymem.golden.maxnvm.params import CodecParams, CsrArray
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.maxnvm.bitmask_decoder import WORD, element_shape, popcount, times_const

CSR_COUNTERS = ("rows", "entries", "weights_out", "row_overruns", "col_overflows", "busy_cycles",
                "unused_entries", "truncated")
LENGTH_PORTS = {name: f"{name}_bytes" for name in CSR_ARRAYS}


class CsrState(enum.Enum):
    """The CSR decoder's states (BOOT: one cycle out of reset)."""

    BOOT = 0
    IDLE = 1
    ROW = 2
    RUN = 3


def packed_field(m, mem: memory.Memory, index, width: int, depth_words: int, name: str, limit):
    """Entry ``index`` of a ``width``-bit array bit-packed little-endian in 32-bit words: two
    asynchronous reads (the words holding its first and last bit) and a shift; 0 unless the
    entry lies wholly below bit ``limit`` (the array's loaded length)."""
    bit = Signal(range(depth_words * WORD), name=f"{name}_bit")
    m.d.comb += bit.eq(times_const(index, width))
    lo, hi = mem.read_port(domain="comb"), mem.read_port(domain="comb")
    m.d.comb += [lo.addr.eq(bit >> 5), hi.addr.eq((bit >> 5) + 1)]
    field = Signal(width, name=f"{name}_field")
    m.d.comb += field.eq(Mux(bit + width <= limit, Cat(lo.data, hi.data) >> bit[:5], 0))
    return field


class CsrDecoder(wiring.Component):
    """Rebuilds a dense matrix row by row from its CSR arrays, one weight per cycle.

    Golden twin: ``golden.maxnvm.codecs.csr.decode_csr_report`` (function and
    counters) and ``golden.maxnvm.codecs.cost.csr_decoder_cost`` (cycles).  Each
    row's entries start where the previous row's counted entries end (so a
    corrupted row counter shifts every later row, seed 003 §4.2); an entry's
    column is the previous entry's column + 1 + its relative index (the first
    counts from column 0).  Entries whose column falls past the row are dropped
    (``col_overflows``); entries a row counter asks for past ``n_entries`` are
    missing (``row_overruns``); entries left after the last row are ``unused_entries``;
    an array shorter than the matrix needs (its ``*_bytes`` input) reads as 0 from its
    first entry not wholly present on, whatever the memory holds, and counts in
    ``truncated``; each raises ``error`` and decoding goes on.

    The three arrays are stored bit-packed (``golden.maxnvm.codecs.csr.pack_csr``:
    entry ``i`` of a ``w``-bit array at bits ``i*w ..``, little-endian) in 32-bit-word
    memories; each array is read through two asynchronous ports (the words holding
    an entry's first and last bit), so any width, including entries that straddle
    two words, reads in one cycle.

    Parameters
    ----------
    params : CodecParams
        ``data_bits`` (values: 8/16 signed, 4..7 unsigned cluster indices),
        ``csr_index_bits``, ``csr_counter_bits``, ``max_weights`` (memory depths),
        ``counter_width``.

    Members
    -------
    load : In(stream.Signature(StructLayout{array: CsrArray (2 bits), addr, word: 32}))
        Writes ``word`` at word address ``addr`` of array ``array`` (``golden.maxnvm.params.
        CsrArray``: values, column indices, row counters): the packed surface as little-endian
        32-bit words; always ready.
    start : In(1)
        Starts a matrix with ``n_rows``, ``n_cols``, ``n_entries`` (ignored while busy).
    n_rows, n_cols, n_entries : In(range(max_weights + 1))
        Matrix shape and stored entries; ``n_cols = 0`` with rows is malformed (``error``, no output).
    values_bytes, col_idx_bytes, row_counts_bytes : In(range(4 * memory words + 1))
        Bytes of each packed array present in its memory (latched at ``start``); larger
        values than the memory holds are clamped by the caller (complete).
    weights : Out(stream.Signature(StructLayout{w: element, row_end: 1, last: 1}))
        The dense matrix in row-major order (``element``: ``signed(data_bits)`` for
        8/16 bits, ``unsigned(data_bits)`` for packed indices).
    busy, error : Out(1)
        A matrix in progress; malformed input seen since ``start``.
    counters.rows / entries / weights_out : Out(counter_width)
        Rows, entries consumed (placed or dropped), dense weights sent.
    counters.row_overruns / col_overflows : Out(counter_width)
        Missing entries, dropped entries.
    counters.busy_cycles : Out(counter_width)
        Cycles with ``busy`` high.
    counters.unused_entries / truncated : Out(counter_width)
        Entries after the last row's (counters summing to fewer than ``n_entries``); arrays
        shorter than ``n_entries`` (values, column indices) or ``n_rows`` (counters) entries,
        checked at ``start`` of a matrix with rows and columns (0..3 per matrix).

    Latency and throughput
    ----------------------
    One set-up cycle per row (reads its counter), then one dense weight per
    cycle while ``weights.ready``: ``n_rows × (n_cols + 1)`` busy cycles at full rate.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        n = params.max_weights
        self.widths = {"values": params.data_bits, "col_idx": params.csr_index_bits,
                       "row_counts": params.csr_counter_bits}
        # 32-bit words of each packed array (n entries, or n rows) plus the spare word read at + 1
        self.depths = {k: -(-n * w // WORD) + 1 for k, w in self.widths.items()}
        super().__init__({
            "load": In(stream.Signature(data.StructLayout(
                {"array": CsrArray, "addr": range(max(self.depths.values())), "word": WORD}))),
            "start": In(1),
            "n_rows": In(range(n + 1)),
            "n_cols": In(range(n + 1)),
            "n_entries": In(range(n + 1)),
            **{LENGTH_PORTS[k]: In(range(WORD // 8 * d + 1)) for k, d in self.depths.items()},
            "weights": Out(stream.Signature(data.StructLayout(
                {"w": element_shape(params.data_bits), "row_end": 1, "last": 1}))),
            "busy": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(CSR_COUNTERS, params.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.params
        n = p.max_weights
        mems = {}
        for code, name in zip(CsrArray, CSR_ARRAYS):
            mems[name] = mem = memory.Memory(shape=WORD, depth=self.depths[name], init=[])
            m.submodules[name] = mem
            wr = mem.write_port()
            m.d.comb += [wr.addr.eq(self.load.payload.addr), wr.data.eq(self.load.payload.word),
                         wr.en.eq(self.load.valid & (self.load.payload.array == code))]
        m.d.comb += self.load.ready.eq(1)

        n_rows, n_cols, n_entries = (Signal(range(n + 1), name=x) for x in ("rows_reg", "cols_reg", "entries_reg"))
        row = Signal(range(n + 1))
        col = Signal(range(n + 1))
        entry = Signal(range(n + 1))
        left = Signal(p.csr_counter_bits)          # entries of this row still to place
        base = Signal(range(n + (1 << p.csr_index_bits) + 1))  # column the next relative index counts from
        counters = self.counters
        limits = {k: Signal(range(WORD * d + 1), name=f"{k}_limit") for k, d in self.depths.items()}  # bits present
        fields = {name: packed_field(m, mems[name], row if name == "row_counts" else entry, self.widths[name],
                                     self.depths[name], name, limits[name]) for name in CSR_ARRAYS}

        # States as an If/Elif chain, not m.FSM: see rtl/common/states.py.
        state = Signal(CsrState, init=CsrState.BOOT)
        with m.If(state == CsrState.BOOT):  # one cycle out of reset (see BitmaskDecoder)
            m.d.sync += state.eq(CsrState.IDLE)
        with m.Elif(state == CsrState.IDLE), m.If(self.start):
            m.d.sync += [n_rows.eq(self.n_rows), n_cols.eq(self.n_cols), n_entries.eq(self.n_entries),
                         row.eq(0), entry.eq(0), self.error.eq(0)]
            m.d.sync += [limits[k].eq(getattr(self, LENGTH_PORTS[k]) << 3) for k in CSR_ARRAYS]
            with m.If(self.n_cols == 0):
                m.d.sync += self.error.eq(self.n_rows != 0)
            with m.Elif(self.n_rows != 0):
                m.d.sync += state.eq(CsrState.ROW)
                needed = {"values": self.n_entries, "col_idx": self.n_entries, "row_counts": self.n_rows}
                short = Signal(len(CSR_ARRAYS))
                m.d.comb += [short[i].eq((getattr(self, LENGTH_PORTS[k]) << 3) < times_const(needed[k], self.widths[k]))
                             for i, k in enumerate(CSR_ARRAYS)]
                m.d.sync += counters.truncated.eq(counters.truncated + popcount(short))
                with m.If(short.any()):
                    m.d.sync += self.error.eq(1)
        with m.Elif(state == CsrState.ROW):
            m.d.comb += self.busy.eq(1)
            m.d.sync += [left.eq(fields["row_counts"]), col.eq(0), base.eq(0),
                         counters.rows.eq(counters.rows + 1)]
            m.d.sync += state.eq(CsrState.RUN)
        with m.Elif(state == CsrState.RUN):
            m.d.comb += self.busy.eq(1)
            have = (left != 0) & (entry < n_entries)
            hit = Signal()
            m.d.comb += hit.eq(have & (base + fields["col_idx"] == col))
            row_end = col == n_cols - 1
            m.d.comb += [
                self.weights.valid.eq(1),
                self.weights.payload.w.eq(Mux(hit, fields["values"], 0)),
                self.weights.payload.row_end.eq(row_end),
                self.weights.payload.last.eq(row_end & (row == n_rows - 1)),
            ]
            with m.If(self.weights.ready):
                entry_next = entry + hit
                left_next = left - hit
                m.d.sync += [col.eq(col + 1), entry.eq(entry_next), left.eq(left_next),
                             counters.weights_out.eq(counters.weights_out + 1),
                             counters.entries.eq(counters.entries + hit)]
                with m.If(hit):
                    m.d.sync += base.eq(col + 1)
                with m.If(row_end):
                    # Entries left in the row fall past its end: drop those present, count the missing.
                    present = Signal(range(n + 1))
                    m.d.comb += present.eq(Mux(left_next < n_entries - entry_next, left_next,
                                               n_entries - entry_next))
                    m.d.sync += [
                        entry.eq(entry_next + present), row.eq(row + 1),
                        counters.entries.eq(counters.entries + hit + present),
                        counters.col_overflows.eq(counters.col_overflows + present),
                        counters.row_overruns.eq(counters.row_overruns + left_next - present),
                    ]
                    with m.If(left_next != 0):
                        m.d.sync += self.error.eq(1)
                    m.d.sync += state.eq(CsrState.ROW)
                    with m.If(row == n_rows - 1):
                        m.d.sync += state.eq(CsrState.IDLE)
                        unused = Signal(range(n + 1))
                        m.d.comb += unused.eq(n_entries - entry_next - present)
                        m.d.sync += counters.unused_entries.eq(counters.unused_entries + unused)
                        with m.If(unused != 0):
                            m.d.sync += self.error.eq(1)
        with m.If(self.busy):
            m.d.sync += counters.busy_cycles.eq(counters.busy_cycles + 1)
        return m
