"""MaxNVM BitMask decoder with Index Synchronization (seed 003 §3.2.2, §3.3, Fig. 4)."""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.codecs.bitmask import SURFACE_ALIGN
from hymem.golden.maxnvm.params import CodecParams, is_packed
from hymem.rtl.common.counters import counter_signature

BITMASK_COUNTERS = ("blocks", "resyncs", "weights_out", "beats", "counter_errors", "wgs_errors",
                    "overruns", "busy_cycles", "truncated", "wgs_mismatches")
WORD = 32  # bits per word of the WMB and IdxSync memories (little-endian surface bytes)


def align_up(n: int, a: int) -> int:
    """``n`` rounded up to a multiple of ``a``."""
    return -(-n // a) * a


def counter_bits(block: int) -> int:
    """Bits of an IdxSync count field: it holds at most ``block // 2`` (it counts the smaller of
    the block's non-zeros and zeros)."""
    return (block // 2).bit_length()


def idxsync_word_bits(block: int) -> int:
    """Bits per stored IdxSync counter: the count field and the non-zeros/zeros flag."""
    return counter_bits(block) + 1


class DecoderState(enum.Enum):
    """The BitMask decoder's states (BOOT: one cycle out of reset)."""

    BOOT = 0
    IDLE = 1
    GROUP = 2
    RUN = 3


def element_shape(data_bits: int):
    """Stored element: unsigned packed cluster index (4..7 bits) or signed NVDLA int8/int16."""
    return unsigned(data_bits) if is_packed(data_bits) else signed(data_bits)


def data_window_words(params: CodecParams) -> int:
    """32-bit words the decoder reads per cycle from the data surface: ``lanes`` consecutive
    elements starting at any bit of a word."""
    return -(-(WORD - 1 + params.lanes * params.data_bits) // WORD)


def times_const(x, k: int):
    """``x * k`` for a small constant as shifts and adds (no multiplier)."""
    terms = [x << i for i in range(k.bit_length()) if k >> i & 1]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def weights_layout(params: CodecParams, shape=None) -> data.StructLayout:
    """One output beat: ``lanes`` elements (``shape``, default the stored element), how many
    are valid, and end of layer."""
    shape = element_shape(params.data_bits) if shape is None else shape
    fields = {f"w{i}": shape for i in range(params.lanes)}
    return data.StructLayout({**fields, "count": range(params.lanes + 1), "last": 1})


def max_groups_and_blocks(params: CodecParams) -> tuple[int, int]:
    """Most kernel groups and IdxSync blocks a layer of ``max_weights`` can have: a full group
    holds >= group_kernels elements and the last may be shorter; every group starts a block."""
    max_groups = params.max_weights // params.group_kernels + 1
    return max_groups, params.max_weights // params.idxsync_block + max_groups


def surface_limits(params: CodecParams) -> dict[str, int]:
    """Largest byte length each metadata surface can need (128-B padded): the ranges of the
    ``wgs_bytes``, ``wmb_bytes`` and ``sync_bytes`` inputs."""
    n, block = params.max_weights, params.idxsync_block
    max_groups, max_blocks = max_groups_and_blocks(params)
    return {"wgs_bytes": align_up(4 * max_groups, SURFACE_ALIGN), "wmb_bytes": align_up(-(-n // 8), SURFACE_ALIGN),
            "sync_bytes": align_up(-(-max_blocks * idxsync_word_bits(block) // 8), SURFACE_ALIGN)}


def layer_ports(params: CodecParams) -> dict:
    """The layer inputs (``start`` and what it latches), shared with ``BitmaskHarness``."""
    n = params.max_weights
    return {"start": In(1), "n_weights": In(range(n + 1)), "group_elems": In(range(n + 1)),
            "compressed": In(1), "idxsync": In(1), "data_elems": In(range(n + 1)),
            **{name: In(range(limit + 1)) for name, limit in surface_limits(params).items()}}


def status_ports(params: CodecParams) -> dict:
    """The dense output stream, status flags and counters, shared with ``BitmaskHarness``."""
    return {"weights": Out(stream.Signature(weights_layout(params))), "busy": Out(1), "error": Out(1),
            "counters": Out(counter_signature(BITMASK_COUNTERS, params.counter_width))}


def popcount(bits) -> object:
    total = Const(0, 5)
    for b in bits:
        total = total + b
    return total


class BitmaskDecoder(wiring.Component):
    """Streams dense weights out of NVDLA sparse surfaces, with IdxSync re-alignment.

    Golden twin: ``golden.maxnvm.codecs.bitmask.decode_bitmask_report`` (function
    and counters) and ``golden.maxnvm.codecs.cost.bitmask_decoder_cost`` (beats,
    cycles).  The surfaces live in memories outside the decoder (the eNVM
    arrays); it reads them through asynchronous read ports (address out, word in
    the same cycle).  Mask bits are walked in order, at most ``lanes`` per cycle
    and never across an IdxSync block boundary; each mask one takes the next
    packed value.  The packed values are read as a window of consecutive 32-bit
    words starting at the word that holds the next value's first bit, so
    elements of any width (bit-packed 4..7-bit indices, NVDLA's 8/16-bit
    elements) and elements straddling two words cost nothing extra.  At every block end, with
    ``idxsync`` high, the read index is
    re-aligned to the block's start index plus the block counter's non-zeros;
    with ``idxsync`` low (the unprotected baseline, same RTL) it runs on.  Each
    group starts at the running sum of its predecessors' WGS byte counts.

    Parameters
    ----------
    params : CodecParams
        ``data_bits`` (16 or 8: NVDLA's signed elements of 2 or 1 bytes; 4..7:
        unsigned cluster indices, bit-packed, WGS counting elements), ``lanes``
        (weights per beat), ``idxsync_block`` (mask bits per block),
        ``max_weights`` (address ranges), ``counter_width``.
    idxsync_support : bool
        False elaborates the decoder without the IdxSync counter path (the area
        baseline for ``make synth``); ``idxsync`` is then ignored.

    Members
    -------
    start : In(1)
        Starts a layer with the layer inputs below (ignored while ``busy``).
    n_weights : In(range(max_weights + 1))
        Dense weights of the layer.
    group_elems : In(range(max_weights + 1))
        Elements of a full kernel group (``group_kernels × kernel elements``, at
        most ``n_weights``: a layer with fewer kernels is one group); the last
        group holds what remains.  0 is malformed: ``error`` and no output.
    compressed : In(1)
        Sparse surfaces (1) or raw weights in the data memory (0).
    idxsync : In(1)
        Re-align at block boundaries with the IdxSync counters.
    data_elems : In(range(max_weights + 1))
        Packed elements present in the data memory; reads at or past it give 0
        and count as ``overruns``.
    wgs_bytes, wmb_bytes, sync_bytes : In(range(surface_limits(params)[name] + 1))
        Bytes of the WGS, WMB and IdxSync surfaces present (a caller clamps larger
        lengths to the port's range: they are complete).  Items not wholly present
        (WGS word ``g`` past ``wgs_bytes // 4``, mask bit past ``8 * wmb_bytes``,
        counter word past ``8 * sync_bytes // word bits``) read as 0, whatever the
        memory holds, and a surface found short counts once per layer in ``truncated``.
    wmb_addr : Out(range)
        Word address (32-bit words) of the mask bits; ``wmb_lo``/``wmb_hi`` are
        the words at ``wmb_addr`` and ``wmb_addr + 1``.
    wgs_addr : Out(range), wgs_word : In(32)
        WGS word of the current group.
    sync_addr : Out(range), sync_lo/sync_hi : In(32)
        Words of the bit-packed IdxSync counter surface (``counter_bits + 1``-bit words).
    data_addr : Out(range), data_words : In(32).array(window)
        Word address into the data surface (bit ``idx * data_bits`` of the next
        packed value lies in word ``data_addr``) and the ``window`` =
        ``ceil((31 + lanes * data_bits) / 32)`` words at ``data_addr``,
        ``data_addr + 1``, ... (little-endian surface bytes).
    weights : Out(stream.Signature(StructLayout{w0..w{lanes-1}: element, count, last}))
        One beat per cycle: ``count`` valid elements in lanes ``0..count-1`` (the
        others are 0); ``last`` on the layer's final beat.  ``element`` is
        ``signed(data_bits)`` for 8/16 bits, ``unsigned(data_bits)`` for packed indices.
    busy : Out(1)
        A layer is in progress.
    error : Out(1)
        Malformed or inconsistent input seen since ``start``: any of the events
        counted in ``resyncs``, ``counter_errors``, ``wgs_errors``, ``overruns``,
        ``truncated``, ``wgs_mismatches``.
    counters.blocks / resyncs / weights_out / beats : Out(counter_width)
        IdxSync blocks passed (compressed layers), blocks whose mask popcount
        differed from their counter (IdxSync on), weights and beats sent.
    counters.counter_errors / wgs_errors / overruns : Out(counter_width)
        Counters clamped to their block, WGS words clamped, reads past ``data_elems``.
    counters.truncated / wgs_mismatches : Out(counter_width)
        Surfaces found shorter than the layer needs (WMB, WGS, IdxSync counters when
        read: at most 3 per layer); groups whose mask popcount differed from their
        clamped WGS count.
    counters.busy_cycles : Out(counter_width)
        Cycles with ``busy`` high.

    Latency and throughput
    ----------------------
    One set-up cycle per group (reads its WGS word), then one beat per cycle
    while ``weights.ready``: ``ceil(block bits / lanes)`` beats per block.
    Asymptotically ``lanes`` weights per cycle.  Every cycle out of set-up
    either waits for ``ready`` or consumes ≥ 1 mask bit, so a layer always ends.
    """

    def __init__(self, params: CodecParams, idxsync_support: bool = True):
        self.params = params
        self.idxsync_support = idxsync_support
        n = params.max_weights
        lanes = params.lanes
        self.word_bits = idxsync_word_bits(params.idxsync_block)
        self.max_groups, max_blocks = max_groups_and_blocks(params)
        self.sync_words = max_blocks * self.word_bits // WORD + 1
        self.window = data_window_words(params)
        self.data_depth = (2 * n + lanes) * params.data_bits // WORD + 1  # address range of the index
        super().__init__({
            **layer_ports(params),
            "wmb_addr": Out(range(n // WORD + 1)),
            "wmb_lo": In(WORD),
            "wmb_hi": In(WORD),
            "wgs_addr": Out(range(self.max_groups)),
            "wgs_word": In(32),
            "sync_addr": Out(range(self.sync_words)),
            "sync_lo": In(WORD),
            "sync_hi": In(WORD),
            "data_addr": Out(range(self.data_depth)),
            "data_words": In(WORD).array(self.window),
            **status_ports(params),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.params
        n, block = p.max_weights, p.idxsync_block
        cbits = counter_bits(block)
        elem_shift = 1 if p.data_bits == 16 else 0

        # Layer registers, latched at start.
        n_weights = Signal(range(n + 1))
        group_elems = Signal(range(n + 1))
        compressed = Signal()
        idxsync = Signal()
        data_elems = Signal(range(n + 1))
        limits = surface_limits(p)
        wgs_words = Signal(range(limits["wgs_bytes"] // 4 + 1))        # WGS words wholly present
        wmb_bits = Signal(range(8 * limits["wmb_bytes"] + 1))         # mask bits present
        sync_limit = Signal(range(8 * limits["sync_bytes"] + 1))      # counter bits present
        short = Signal(3)  # surfaces already found short in this layer: WMB, WGS, IdxSync
        # Walk state.
        pos = Signal(range(n + 1))              # next mask bit (dense element)
        group = Signal(range(n + 1))
        group_rem = Signal(range(n + 1))        # elements left in the group
        block_len = Signal(range(block + 1))
        block_rem = Signal(range(block + 1))
        ones = Signal(range(block + 1))         # mask ones seen in the block
        idx = Signal(range(2 * n + 1))          # read index into the packed values
        block_base = Signal(range(2 * n + 1))   # synchronized index at the block's start
        group_start = Signal(range(2 * n + 1))  # running sum of clamped WGS (elements)
        group_nnz = Signal(range(n + 1))        # this group's clamped WGS (elements)
        group_ones = Signal(range(n + 1))       # mask ones seen in the group
        sync_bit = Signal(range(self.word_bits * (n // block + n) + 1))

        # States as an If/Elif chain, not m.FSM: see rtl/common/states.py.
        state = Signal(DecoderState, init=DecoderState.BOOT)
        with m.If(state == DecoderState.BOOT):
            # one cycle out of reset: Icarus evaluates the combinational outputs only once the
            # state register changes
            m.d.sync += state.eq(DecoderState.IDLE)
        with m.Elif(state == DecoderState.IDLE), m.If(self.start):
            m.d.sync += [
                n_weights.eq(self.n_weights), group_elems.eq(self.group_elems),
                compressed.eq(self.compressed), data_elems.eq(self.data_elems),
                idxsync.eq(self.idxsync if self.idxsync_support else 0),
                wgs_words.eq(self.wgs_bytes >> 2), wmb_bits.eq(self.wmb_bytes << 3),
                sync_limit.eq(self.sync_bytes << 3), short.eq(0),
                pos.eq(0), group.eq(0), group_start.eq(0), sync_bit.eq(0),
                self.error.eq(0),
            ]
            with m.If(self.group_elems == 0):
                m.d.sync += self.error.eq(self.n_weights != 0)
            with m.Elif(self.n_weights != 0):
                m.d.sync += state.eq(DecoderState.GROUP)
        with m.Elif(state == DecoderState.GROUP):
            m.d.comb += self.busy.eq(1)
            remaining = n_weights - pos
            this_group = Mux(group_elems < remaining, group_elems, remaining)
            group_bytes = Signal(range(2 * n + 1))
            m.d.comb += [self.wgs_addr.eq(group), group_bytes.eq(this_group << elem_shift)]
            wgs_present = group < wgs_words
            wgs = Signal(32)
            m.d.comb += wgs.eq(Mux(wgs_present, self.wgs_word, 0))
            bad = (wgs > group_bytes) | (wgs[0] if elem_shift else 0)
            clamped = Mux(wgs > group_bytes, group_bytes, wgs) >> elem_shift
            m.d.sync += [
                group_rem.eq(this_group),
                block_len.eq(Mux(this_group < block, this_group, block)),
                block_rem.eq(Mux(this_group < block, this_group, block)),
                ones.eq(0),
            ]
            with m.If(compressed):
                m.d.sync += [idx.eq(group_start), block_base.eq(group_start),
                             group_start.eq(group_start + clamped), group_nnz.eq(clamped), group_ones.eq(0)]
                with m.If(bad):
                    m.d.sync += [self.error.eq(1), self.counters.wgs_errors.eq(self.counters.wgs_errors + 1)]
                with m.If(~wgs_present & ~short[1]):
                    m.d.sync += [short[1].eq(1), self.error.eq(1),
                                 self.counters.truncated.eq(self.counters.truncated + 1)]
            with m.Else():
                m.d.sync += idx.eq(pos)
            m.d.sync += state.eq(DecoderState.RUN)
        with m.Elif(state == DecoderState.RUN):
            m.d.comb += self.busy.eq(1)
            self._run(m, SimpleNamespace(
                cbits=cbits, pos=pos, idx=idx, ones=ones, block_rem=block_rem, block_len=block_len,
                group_rem=group_rem, group=group, block_base=block_base, sync_bit=sync_bit,
                compressed=compressed, idxsync=idxsync, data_elems=data_elems, n_weights=n_weights,
                state=state, wmb_bits=wmb_bits, sync_limit=sync_limit, short=short, group_nnz=group_nnz,
                group_ones=group_ones))
        with m.If(self.busy):
            m.d.sync += self.counters.busy_cycles.eq(self.counters.busy_cycles + 1)
        return m

    def _run(self, m, s: SimpleNamespace):
        """One beat: ``take`` mask bits, their values, and the block/group bookkeeping."""
        p = self.params
        lanes, block, cbits = p.lanes, p.idxsync_block, s.cbits
        pos, idx, ones = s.pos, s.idx, s.ones
        block_rem, block_len, group_rem = s.block_rem, s.block_len, s.group_rem
        block_base, sync_bit, compressed = s.block_base, s.sync_bit, s.compressed
        idxsync, data_elems, n_weights = s.idxsync, s.data_elems, s.n_weights
        counters = self.counters

        take = Signal(range(lanes + 1))
        m.d.comb += take.eq(Mux(block_rem < lanes, block_rem, lanes))
        m.d.comb += self.wmb_addr.eq(pos >> 5)
        window = Signal(2 * WORD)
        m.d.comb += window.eq(Cat(self.wmb_lo, self.wmb_hi) >> pos[:5])
        mask = Signal(lanes)
        for i in range(lanes):  # mask bits past wmb_bits read as 0
            m.d.comb += mask[i].eq((i < take) & ((window[i] & (pos + i < s.wmb_bits)) | ~compressed))
        wmb_short = Signal()  # this beat reads mask bits past the surface
        m.d.comb += wmb_short.eq(compressed & (pos + take > s.wmb_bits))
        prefix = [Const(0, 5)]
        for i in range(lanes):
            prefix.append(prefix[-1] + mask[i])
        ones_now = Signal(range(lanes + 1))
        m.d.comb += ones_now.eq(prefix[lanes])
        # Packed values idx, idx + 1, ... from a window of words starting at idx's first bit.
        b = p.data_bits
        bit_addr = Signal(range(self.data_depth * WORD))
        m.d.comb += [bit_addr.eq(times_const(idx, b)), self.data_addr.eq(bit_addr >> 5)]
        data_window = Signal(self.window * WORD)
        m.d.comb += data_window.eq(Cat(*self.data_words) >> bit_addr[:5])
        elems = [data_window[j * b:(j + 1) * b] for j in range(lanes)]
        overrun = Signal(lanes)
        for i in range(lanes):
            addr = Signal(range(2 * p.max_weights + lanes), name=f"addr{i}")
            value = elems[0]  # lane i takes value idx + prefix[i], prefix[i] <= i
            for j in range(1, i + 1):
                value = Mux(prefix[i] == j, elems[j], value)
            m.d.comb += [addr.eq(idx + prefix[i]), overrun[i].eq(mask[i] & (addr >= data_elems))]
            m.d.comb += self.weights.payload[f"w{i}"].eq(Mux(mask[i] & ~overrun[i], value, 0))
        last = (pos + take) == n_weights
        m.d.comb += [self.weights.valid.eq(1), self.weights.payload.count.eq(take),
                     self.weights.payload.last.eq(last)]

        # IdxSync counter word of this block: word_bits bits at sync_bit.
        if self.idxsync_support:  # the baseline has no counter path at all (area comparison)
            m.d.comb += self.sync_addr.eq(sync_bit >> 5)
        word = Signal(self.word_bits)
        sync_present = Signal()  # the whole counter word lies inside the surface
        m.d.comb += [sync_present.eq(sync_bit + self.word_bits <= s.sync_limit),
                     word.eq(Mux(sync_present, Cat(self.sync_lo, self.sync_hi) >> sync_bit[:5], 0))]
        count = word[:cbits]
        count_bad = count > block_len
        clamped = Mux(count_bad, block_len, count)
        expected = Signal(range(block + 1))
        m.d.comb += expected.eq(Mux(word[cbits], block_len - clamped, clamped))
        sync_now = Signal()
        m.d.comb += sync_now.eq(compressed & idxsync)

        with m.If(self.weights.ready):
            idx_next = idx + ones_now
            m.d.sync += [
                pos.eq(pos + take), idx.eq(idx_next), ones.eq(ones + ones_now),
                block_rem.eq(block_rem - take), group_rem.eq(group_rem - take),
                counters.weights_out.eq(counters.weights_out + take),
                counters.beats.eq(counters.beats + 1),
                counters.overruns.eq(counters.overruns + popcount(overrun)),
            ]
            with m.If(overrun.any()):
                m.d.sync += self.error.eq(1)
            block_end = block_rem == take
            new_wmb = wmb_short & ~s.short[0]
            new_sync = Signal()  # the baseline reads no counters
            if self.idxsync_support:
                m.d.comb += new_sync.eq(block_end & sync_now & ~sync_present & ~s.short[2])
            with m.If(new_wmb | new_sync):
                m.d.sync += [s.short[0].eq(s.short[0] | new_wmb), s.short[2].eq(s.short[2] | new_sync),
                             self.error.eq(1), counters.truncated.eq(counters.truncated + new_wmb + new_sync)]
            m.d.sync += s.group_ones.eq(s.group_ones + ones_now)
            with m.If(block_end):  # block ends with this beat
                with m.If(compressed):
                    m.d.sync += counters.blocks.eq(counters.blocks + 1)
                    if self.idxsync_support:
                        m.d.sync += sync_bit.eq(sync_bit + self.word_bits)
                with m.If(sync_now):
                    m.d.sync += [idx.eq(block_base + expected), block_base.eq(block_base + expected)]
                    with m.If(expected != ones + ones_now):
                        m.d.sync += [self.error.eq(1), counters.resyncs.eq(counters.resyncs + 1)]
                    with m.If(count_bad):
                        m.d.sync += [self.error.eq(1), counters.counter_errors.eq(counters.counter_errors + 1)]
                with m.Else():
                    m.d.sync += block_base.eq(idx_next)
                rest = group_rem - take
                m.d.sync += [block_len.eq(Mux(rest < block, rest, block)),
                             block_rem.eq(Mux(rest < block, rest, block)), ones.eq(0)]
                with m.If(group_rem == take):
                    m.d.sync += s.group.eq(s.group + 1)
                    with m.If(compressed & (s.group_ones + ones_now != s.group_nnz)):
                        m.d.sync += [self.error.eq(1), counters.wgs_mismatches.eq(counters.wgs_mismatches + 1)]
                    m.d.sync += s.state.eq(DecoderState.IDLE)
                    with m.If(~last):
                        m.d.sync += s.state.eq(DecoderState.GROUP)
