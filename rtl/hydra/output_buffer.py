"""A Hydra unit's output buffer and its READ drain (seed 001, §III-B)."""

from __future__ import annotations

from amaranth.hdl import Array, Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.hydra.unit_signatures import (
    drain_control_signature,
    job_signature,
    ob_port_signature,
    transfer_layout,
)

OUTPUT_BUFFER_COUNTERS = ("ob_reads", "ob_writes", "read_cmds", "bits_out")


class OutputBuffer(wiring.Component):
    """The output buffer (OB): one word of N accumulators per (channel, group), and READ.

    Word ``m * G + g`` holds the N entries of group g of channel m.  A READ of E
    entries drains entries ``0 … E-1`` in the order ``m * P + p`` on ``rdata``, up to R =
    ``[system] rau_entries`` consecutive entries of one channel per beat (R lanes of one word: N is
    a multiple of R, and a channel's transfers start at multiples of R); a channel's last beat
    carries ``P mod R`` entries when R does not divide P, the READ's last ``E``'s remainder.  With
    [system] overlap the OB has two banks (bank b from word ``b * ob_words``): a job writes
    ``job.ob_bank``, a READ drains ``drain.bank`` with the P and G of the job that wrote it.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed] acc_width``, ``[unit] ob_words``, ``[mac] counter_width``.

    Members
    -------
    job : In(job_signature())
        ``positions`` (P) and ``groups`` (G) of the last START.
    port : In(ob_port_signature(ob_words, n_macs * acc_width))
        The compute engine's writes and its one-word-ahead read address (used while ``drain.run``).
    drain : In(drain_control_signature())
        ``start`` a READ of ``entries``; ``read`` while the controller is in its READ state;
        ``idle`` out when the last entry has been taken.
    rdata : Out(stream.Signature(transfer_layout(signed(acc_width), rau_entries)))
        ``count`` output-buffer entries per beat in ``values[0 … count-1]``.
    counters : Out(counter_signature(ob_reads, ob_writes, read_cmds, bits_out))
        ``ob_reads``: a READ's word reads (one per beat) plus one per accumulating write;
        ``bits_out``: ``acc_width`` per entry sent.

    Latency and throughput
    ----------------------
    One beat (up to R entries) per cycle without back-pressure; the first beat two cycles after
    ``start``; a READ of E entries of a job with P positions per channel takes
    ``golden.hydra.unit.read_transfers(E, P, R)`` beats.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        acc = config.fixed.acc_width
        super().__init__({
            "job": In(job_signature()),
            "port": In(ob_port_signature(geo.ob_words * geo.n_banks, geo.n_macs * acc)),
            "drain": In(drain_control_signature()),
            "rdata": Out(stream.Signature(transfer_layout(signed(acc), geo.rau_entries))),
            "counters": Out(counter_signature(OUTPUT_BUFFER_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, acc, cnt = self.geo, self.config.fixed.acc_width, self.counters
        port, drain, job = self.port, self.drain, self.job
        n = geo.n_macs
        words = geo.ob_words * geo.n_banks
        m.submodules.ob = ob = Memory(shape=unsigned(n * acc), depth=words, init=[])
        # Two read ports: the compute engine's (one word ahead of its accumulating writes) and the
        # drain's, so a READ of one bank may run while a START computes into the other.
        ob_w, ob_r, drain_r = ob.write_port(), ob.read_port(), ob.read_port()
        m.d.comb += [ob_w.en.eq(port.write), ob_w.addr.eq(port.addr), ob_w.data.eq(port.data),
                     port.old_word.eq(ob_r.data), ob_r.addr.eq(port.read_addr)]
        with m.If(port.write):
            m.d.sync += cnt.ob_writes.eq(cnt.ob_writes + 1)
        # P and G of the job that last wrote each bank (a READ may follow the next START).
        positions = Array(Signal.like(job.positions, name=f"positions{b}")
                          for b in range(geo.n_banks))
        groups = Array(Signal.like(job.groups, name=f"groups{b}") for b in range(geo.n_banks))
        bank = job.ob_bank if geo.n_banks > 1 else 0
        with m.If(drain.run):
            m.d.sync += [positions[bank].eq(job.positions), groups[bank].eq(job.groups)]
        drained = self.drain_entries(m, drain_r, positions, groups)
        # OB word reads: an accumulating write's and the drain's (with overlap, in one cycle).
        # Conditions, not sums: Icarus may hold a comb signal at X until its block first runs,
        # and an X condition leaves the counter as it is where an X term would poison it.
        accumulated = port.write & port.accumulating
        with m.If(accumulated & drained):
            m.d.sync += cnt.ob_reads.eq(cnt.ob_reads + 2)
        with m.Elif(accumulated | drained):
            m.d.sync += cnt.ob_reads.eq(cnt.ob_reads + 1)
        return m

    def drain_entries(self, m, ob_r, positions, groups):
        """READ: entries ``0 … E-1`` of the named bank, up to R (``rau_entries``) of one channel per
        beat, all from one OB word; returns the expression that is 1 when a word is read."""
        geo, acc, cnt, drain = self.geo, self.config.fixed.acc_width, self.counters, self.drain
        n, r = geo.n_macs, geo.rau_entries
        n_bits, r_bits = exact_log2(n), exact_log2(r)
        read_left = Signal(REG_WIDTH)
        read_p = Signal(2 * REG_WIDTH)    # position of the next transfer's first entry (R-aligned)
        read_word = Signal(range(geo.ob_words + 1))
        read_chan_base = Signal(range(geo.ob_words * geo.n_banks + 1))
        read_bank = Signal(range(geo.n_banks))
        r_valid = Signal()
        r_slot = Signal(max(1, n_bits - r_bits))   # which R lanes of the word
        r_count = Signal.like(self.rdata.payload.count)
        lanes = ob_r.data.word_select(r_slot, r * acc) if n > r else ob_r.data
        m.d.comb += [self.rdata.valid.eq(r_valid), self.rdata.payload.count.eq(r_count)]
        for i in range(r):
            m.d.comb += self.rdata.payload.values[i].eq(lanes[i * acc:(i + 1) * acc])
        # this transfer's entries: R, or fewer at the channel's (or the READ's) end
        in_channel = positions[read_bank] - read_p
        count = Mux(in_channel < r, in_channel, r)
        count = Mux(read_left < count, read_left, count)
        r_advance = ~r_valid | self.rdata.ready
        m.d.comb += drain.idle.eq(r_advance & (read_left == 0))
        with m.If(r_valid & self.rdata.ready):
            m.d.sync += cnt.bits_out.eq(cnt.bits_out + r_count * acc)
        bank_base = Mux(drain.bank, geo.ob_words, 0) if geo.n_banks > 1 else 0
        with m.If(drain.start):
            m.d.sync += [read_left.eq(drain.entries), read_p.eq(0), read_word.eq(0),
                         read_chan_base.eq(bank_base), cnt.read_cmds.eq(cnt.read_cmds + 1)]
            if geo.n_banks > 1:
                m.d.sync += read_bank.eq(drain.bank)
        reading = drain.read if geo.n_banks == 1 else 1   # with overlap the drain runs any time
        with m.If(reading):
            m.d.comb += [ob_r.addr.eq(read_chan_base + read_word),
                         ob_r.en.eq(r_advance & (read_left != 0))]
            with m.If(r_advance):
                m.d.sync += [r_valid.eq(read_left != 0), r_count.eq(count),
                             r_slot.eq(read_p[r_bits:n_bits] if n > r else 0)]
                with m.If(read_left != 0):
                    m.d.sync += read_left.eq(read_left - count)
                    with m.If(in_channel <= r):   # the channel's last transfer
                        m.d.sync += [read_p.eq(0), read_word.eq(0),
                                     read_chan_base.eq(read_chan_base + groups[read_bank])]
                    with m.Else():
                        m.d.sync += read_p.eq(read_p + r)
                        with m.If(read_p[r_bits:n_bits] == (n // r) - 1 if n > r else 1):
                            m.d.sync += read_word.eq(read_word + 1)
        return r_advance & (read_left != 0) & reading
