"""The Hydra system's result-accumulation unit (RAU) and its linear function (seed 001 §III-C)."""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2, exact_log2

from hymem.golden.hydra.jobs import READ_FIRST, READ_LAST, READ_RELU, bias_bank_words
from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.fixed import bias_to_acc, wrap_to
from hymem.rtl.hydra.unit_signatures import transfer_layout

RAU_UNIT_COUNTERS = ("sums", "acc_reads", "acc_writes", "bias_reads", "bias_writes")


def requantize_by(acc, shift, fmt):
    """Twin of ``golden.hydra.system.requantize_by``: round at bit ``shift`` (a register), shift,
    saturate/wrap."""
    acc = acc.as_signed()
    shift = shift[:6]  # < acc_width <= 62 (a larger shift is rejected at START)
    if fmt.rounding == "half_up":
        half = Mux(shift == 0, 0, (Const(1, fmt.acc_width + 1) << shift)[1:])
        acc = acc + half
    shifted = acc >> shift
    if fmt.overflow == "wrap":
        return wrap_to(shifted, fmt.width)
    lo, hi = Const(fmt.min_value, signed(fmt.width)), Const(fmt.max_value, signed(fmt.width))
    return Mux(shifted > hi, hi, Mux(shifted < lo, lo, shifted))[:fmt.width].as_signed()


def bias_words_of(geo: UnitGeometry) -> int:
    """Words of a bank of the bias memory: one bias per output channel a unit's WB can hold."""
    return bias_bank_words(geo)


def flag_bit(flag: int) -> int:
    """The bit index of a one-hot ``READ_*`` flag."""
    return flag.bit_length() - 1


class ResultAccumulationUnit(wiring.Component):
    """Sums the units' partial sums entry by entry and applies bias, ReLU and requantization.

    WRITE_BIAS fills the per-output-channel bias memory (``bias_start`` with
    ``bias_words``, then the beats of ``bias_data``).  A conv/FC READ (``sum_start``
    with its ``READ_*`` flags and E entries) runs a two-stage pipeline taking one
    transfer per cycle while ``in_sum`` — up to R = ``[system] rau_entries`` consecutive
    entries of one output channel (``partials_count`` of them; the units' OB drains send them
    in lockstep): stage 0 takes the partials of the next transfer (when ``partials_valid`` and
    stage 1 is free; ``take`` pulses) and reads the running sums (one accumulation-memory word of
    R sums per transfer) and the channel's bias; stage 1 adds the running sums of earlier passes
    (unless ``READ_FIRST``) and either stores the new running sums or, with ``READ_LAST``, adds
    the bias, applies ReLU (``READ_RELU``), requantizes at ``shift`` (round half-up, saturate)
    and hands the ``count`` values to ``rdata``.  Hardware per entry of a transfer: an adder
    tree of ``n_units`` inputs, a running-sum adder, a bias adder, ReLU and a requantizer.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_units``, ``[fixed]``, ``[unit]`` (via :class:`UnitGeometry`).

    Members
    -------
    bias_start : In(1), bias_words : In(REG_WIDTH), bias_data : In(stream.Signature(bus_width))
    bias_addr : In(REG_WIDTH), bank : In(1)
        WRITE_BIAS's first word; the bias bank a READ uses ([system] overlap: two banks of
        biases, bank b from word ``b * bias_words``, so a chunk's biases may be written while
        the previous chunk is read; the READ's flag ``READ_BIAS_BANK``).
    sum_start : In(1), flags : In(4), entries : In(REG_WIDTH)
        A READ: its flags (``golden.hydra.system.READ_*``) and entries per unit.
    in_sum : In(1)
        The system is in its SUM state (stage 0 may take entries).
    positions : In(2 * REG_WIDTH), shift : In(REG_WIDTH)
        P of the layer job (entries per channel) and the Q-format shift.
    partials : In(ArrayLayout(ArrayLayout(signed(acc_width), R), n_units)), partials_valid : In(1)
        The active units' current transfers (inactive units give 0), all valid.
    partials_count : In(bits for 0 … R)
        Entries in the current transfer (the same in every unit).
    take : Out(1)
        Stage 0 takes the partials this cycle (the units' ``rdata.ready``).
    sum_idle : Out(1)
        No entry left, in flight, or waiting on ``rdata``.
    rdata : Out(stream.Signature(transfer_layout(signed(width), R)))
        ``count`` finished values per beat.
    counters : Out(counter_signature(sums, acc_reads, acc_writes, bias_reads, bias_writes))
        ``sums``: entries; the others: memory words, one per transfer (``golden.hydra.system``).

    Latency and throughput
    ----------------------
    One transfer per cycle; its outputs two cycles after its partials; ``rdata``
    back-pressure stalls stage 1 and then stage 0.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        fmt, n_units = config.fixed, config.system.n_units
        super().__init__({
            "bias_start": In(1), "bias_words": In(REG_WIDTH), "bias_addr": In(REG_WIDTH),
            "bank": In(1),
            "bias_data": In(stream.Signature(geo.bus_width)),
            "sum_start": In(1), "flags": In(4), "entries": In(REG_WIDTH), "in_sum": In(1),
            "positions": In(2 * REG_WIDTH), "shift": In(REG_WIDTH),
            "partials": In(data.ArrayLayout(data.ArrayLayout(signed(fmt.acc_width), geo.rau_entries),
                                            n_units)),
            "partials_valid": In(1),
            "partials_count": In(ceil_log2(geo.rau_entries + 1)),
            "take": Out(1), "sum_idle": Out(1),
            "rdata": Out(stream.Signature(transfer_layout(signed(fmt.width), geo.rau_entries))),
            "counters": Out(counter_signature(RAU_UNIT_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo = self.geo
        words = geo.ob_words * geo.n_macs // geo.rau_entries   # a READ's transfers at most
        m.submodules.acc_mem = acc_mem = Memory(
            shape=data.ArrayLayout(signed(self.config.fixed.acc_width), geo.rau_entries), depth=words, init=[])
        m.submodules.bias_mem = bias_mem = Memory(shape=unsigned(geo.bus_width),
                                                  depth=bias_words_of(geo) * geo.n_banks, init=[])
        self.load_bias(m, bias_mem.write_port())
        self.sum_entries(m, acc_mem.read_port(), acc_mem.write_port(), bias_mem.read_port())
        return m

    def load_bias(self, m, bias_w):
        """WRITE_BIAS: one bias word per beat."""
        left = Signal(REG_WIDTH)
        baddr = Signal(range(bias_words_of(self.geo) * self.geo.n_banks + 1))
        m.d.comb += [self.bias_data.ready.eq(left != 0), bias_w.addr.eq(baddr),
                     bias_w.data.eq(self.bias_data.payload),
                     bias_w.en.eq(self.bias_data.valid & (left != 0))]
        with m.If(self.bias_start):
            m.d.sync += [left.eq(self.bias_words),
                         baddr.eq(self.bias_addr if self.geo.n_banks > 1 else 0)]
        with m.Elif(self.bias_data.valid & (left != 0)):
            m.d.sync += [left.eq(left - 1), baddr.eq(baddr + 1),
                         self.counters.bias_writes.eq(self.counters.bias_writes + 1)]

    def sum_entries(self, m, acc_r, acc_w, bias_r):
        """The two-stage pipeline of a conv/FC READ, one transfer of up to R entries per cycle."""
        fmt, cnt, r = self.config.fixed, self.counters, self.geo.rau_entries
        lane_bits = exact_log2(self.geo.values_per_word)
        flags = Signal(4)
        f_first, f_last = flags[flag_bit(READ_FIRST)], flags[flag_bit(READ_LAST)]
        f_relu = flags[flag_bit(READ_RELU)]
        left = Signal(REG_WIDTH)          # entries still to take
        word, p, chan = Signal(REG_WIDTH), Signal(2 * REG_WIDTH), Signal(REG_WIDTH)
        s1_valid = Signal()
        s1_partial = Signal(data.ArrayLayout(signed(fmt.acc_width), r))
        s1_count = Signal.like(self.partials_count)
        s1_word = Signal.like(word)
        bias_lane = Signal(max(1, lane_bits))
        out_valid = Signal()
        out = Signal(self.rdata.payload.shape())
        bias_value = bias_r.data.word_select(bias_lane, fmt.width).as_signed()
        bias_base = Mux(self.bank, bias_words_of(self.geo), 0) if self.geo.n_banks > 1 else 0
        m.d.comb += [acc_r.addr.eq(word), bias_r.addr.eq(chan[lane_bits:] + bias_base),
                     self.rdata.valid.eq(out_valid), self.rdata.payload.eq(out)]
        running = Signal(data.ArrayLayout(signed(fmt.acc_width), r))
        values = Signal(data.ArrayLayout(signed(fmt.width), r))
        for i in range(r):
            m.d.comb += running[i].eq(wrap_to(s1_partial[i] + Mux(f_first, 0, acc_r.data[i]), fmt.acc_width))
            finished = wrap_to(running[i] + bias_to_acc(bias_value, fmt), fmt.acc_width)
            relu = Mux(f_relu & (finished < 0), 0, finished)
            m.d.comb += values[i].eq(requantize_by(relu.as_signed(), self.shift, fmt))

        out_free = ~out_valid | self.rdata.ready
        s1_advance = s1_valid & (~f_last | out_free)
        take = self.in_sum & (left != 0) & self.partials_valid & (~s1_valid | s1_advance)
        # Read ports hold their data while disabled (their enable defaults to 1): a stalled
        # stage 1 keeps its reads.
        m.d.comb += [acc_r.en.eq(take), bias_r.en.eq(take), self.take.eq(take),
                     self.sum_idle.eq((left == 0) & ~s1_valid & ~out_valid)]
        with m.If(self.sum_start):
            m.d.sync += [flags.eq(self.flags), left.eq(self.entries), word.eq(0), p.eq(0),
                         chan.eq(0)]
        with m.If(out_valid & self.rdata.ready):
            m.d.sync += out_valid.eq(0)
        with m.If(s1_advance):
            with m.If(f_last):
                m.d.sync += [out.values.eq(values), out.count.eq(s1_count), out_valid.eq(1)]
            with m.Else():
                m.d.comb += [acc_w.addr.eq(s1_word), acc_w.data.eq(running), acc_w.en.eq(1)]
                m.d.sync += cnt.acc_writes.eq(cnt.acc_writes + 1)
        with m.If(take):
            self.take_transfer(m, s1_partial, s1_count, s1_word, bias_lane, left, word, p, chan,
                               f_first, f_last, lane_bits)
        m.d.sync += s1_valid.eq(Mux(take, 1, Mux(s1_advance, 0, s1_valid)))  # take refills stage 1

    def take_transfer(self, m, s1_partial, s1_count, s1_word, bias_lane, left, word, p, chan,
                      f_first, f_last, lane_bits):
        """Stage 0: the sum over the units of each entry of the transfer, into stage 1."""
        fmt, cnt, count = self.config.fixed, self.counters, self.partials_count
        for i in range(self.geo.rau_entries):
            total = self.partials[0][i]
            for u in range(1, len(self.partials)):
                total = wrap_to(total + self.partials[u][i], fmt.acc_width)
            m.d.sync += s1_partial[i].eq(total)
        m.d.sync += [s1_count.eq(count), s1_word.eq(word),
                     bias_lane.eq(chan[:lane_bits] if lane_bits else 0),
                     cnt.sums.eq(cnt.sums + count), word.eq(word + 1), left.eq(left - count)]
        with m.If(~f_first):
            m.d.sync += cnt.acc_reads.eq(cnt.acc_reads + 1)
        with m.If(f_last):
            m.d.sync += cnt.bias_reads.eq(cnt.bias_reads + 1)
        with m.If(p + count >= self.positions):   # the channel's last transfer
            m.d.sync += [p.eq(0), chan.eq(chan + 1)]
        with m.Else():
            m.d.sync += p.eq(p + count)
