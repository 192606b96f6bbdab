"""A Hydra unit's compute engine: N lanes fed ⟨W, A⟩ pairs, one OB word per channel."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.hydra.lane import Lane
from hymem.rtl.hydra.lane_mac_control import LaneMacControl
from hymem.rtl.hydra.unit_signatures import (
    KERNEL,
    buffer_read_signature,
    compute_control_signature,
    job_signature,
    lane_bases_layout,
    lane_control_signature,
    ob_port_signature,
    window_write_signature,
)

COMPUTE_COUNTERS = ("macs", "mac_busy_cycles", "wb_reads")


class ComputeEngine(wiring.Component):
    """N lanes (:class:`~rtl.hydra.lane.Lane`: window buffer, MAC data, pool comparator), their
    shared MAC control (:class:`~rtl.hydra.lane_mac_control.LaneMacControl`) and the sequencer
    that runs one group on them.

    The fill engine's broadcast goes to every lane.  On ``control.start`` the
    sequencer issues ``channels * taps`` steps from bank ``control.bank``: for
    output channel m and tap t = (ty, tx) it reads ``W[m, t]`` once from WB and gives every
    lane's MAC the pair ⟨W, the lane's window tap t⟩ (max-pool: the comparators
    take the taps and WB is not read).  Each finished channel is one
    output-buffer word at ``phase + m * G`` — with the ``accumulate`` register
    set (conv/fc), the word plus the entries it replaces, read one word ahead.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed]``, ``[mac]`` (variant, counter width), ``[unit]``.

    Members
    -------
    job : In(job_signature())
        ``regs`` (kernel, bias, accumulate), ``is_pool``, ``taps``, ``channels``, ``groups``,
        ``phase``.
    control : In(compute_control_signature(n_macs))
        ``start``, ``bias_load`` (MACs load the bias), ``bank``, ``lanes`` in; ``done`` out.
    bcast : In(window_write_signature(width, scan_values)), lane_base : In(lane_bases_layout(n_macs))
        The fill engine's broadcast and every lane's window base.
    wb_read : Out(buffer_read_signature(wb_words, bus_width))
        The weight buffer's read port.
    ob : Out(ob_port_signature(ob_words, n_macs * acc_width))
        Output-buffer writes and the one-word-ahead read address.
    counters : Out(counter_signature(macs, mac_busy_cycles, wb_reads))
        ``macs`` counts useful pairs (lanes holding a position), ``mac_busy_cycles`` the cycles
        the lanes' MACs are busy (all at once).

    Latency and throughput
    ----------------------
    ``(channels * taps - 1) * c + d`` cycles from ``start`` to ``done`` (c: cycles per
    pair of the MAC variant, d: its drain), ``golden.hydra.cycles``' compute term.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        fmt = config.fixed
        super().__init__({
            "job": In(job_signature()),
            "control": In(compute_control_signature(geo.n_macs)),
            "bcast": In(window_write_signature(fmt.width, geo.scan_values)),
            "lane_base": In(lane_bases_layout(geo.n_macs)),
            "wb_read": Out(buffer_read_signature(geo.wb_words * geo.n_banks, geo.bus_width)),
            "ob": Out(ob_port_signature(geo.ob_words * geo.n_banks, geo.n_macs * fmt.acc_width)),
            "counters": Out(counter_signature(COMPUTE_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, fmt, job, ctl, cnt = self.geo, self.config.fixed, self.job, self.control, self.counters
        lane_bits = exact_log2(geo.values_per_word)
        is_pool = job.is_pool
        lanes = [Lane(self.config) for _ in range(geo.n_macs)]
        lane_ctl = lane_control_signature(fmt.width).create()
        m.submodules.mac_control = macs = LaneMacControl(self.config)
        for j, lane in enumerate(lanes):
            m.submodules[f"lane{j}"] = lane
            m.d.comb += [lane.base.eq(self.lane_base[j]), lane.kernel.eq(job.regs.kernel)]
        wiring.connect(m, wiring.flipped(self.bcast), *[lane.write for lane in lanes])
        wiring.connect(m, lane_ctl, *[lane.control for lane in lanes])
        wiring.connect(m, macs.lanes, *[lane.mac for lane in lanes])

        active = Signal()                   # issuing or draining
        issue_left = Signal(REG_WIDTH + 8)  # pairs still to issue
        tap_y, tap_x = Signal(KERNEL), Signal(KERNEL)
        last_tap = (tap_y == job.regs.kernel - 1) & (tap_x == job.regs.kernel - 1)
        wb_value_addr = Signal(REG_WIDTH + 8)
        d_valid, d_last = Signal(), Signal()
        d_lane = Signal(max(1, lane_bits))
        advance = Signal()
        m.d.comb += advance.eq(~d_valid | is_pool | macs.ready)
        issuing = active & (issue_left != 0)
        m.d.comb += [
            self.wb_read.addr.eq(wb_value_addr[lane_bits:]
                                 + self.bank_base(job.in_bank, geo.wb_words)),
            self.wb_read.en.eq(issuing & advance & ~is_pool),
            lane_ctl.tap_y.eq(tap_y), lane_ctl.tap_x.eq(tap_x), lane_ctl.bank.eq(ctl.bank),
            lane_ctl.en.eq(issuing & advance),
        ]
        with m.If(ctl.start):
            m.d.sync += [active.eq(1), issue_left.eq(job.channels * job.taps), tap_y.eq(0), tap_x.eq(0),
                         wb_value_addr.eq(0)]
        with m.Elif(issuing & advance):
            m.d.sync += [issue_left.eq(issue_left - 1), wb_value_addr.eq(wb_value_addr + 1)]
            self.next_tap(m, tap_y, tap_x)
            with m.If(~is_pool):
                m.d.sync += cnt.wb_reads.eq(cnt.wb_reads + 1)
        with m.If(advance):
            m.d.sync += [d_valid.eq(issuing), d_last.eq(last_tap),
                         d_lane.eq(wb_value_addr[:lane_bits] if lane_bits else 0)]

        first_tap, pool_done = Signal(), Signal()
        with m.If(ctl.start):
            m.d.sync += first_tap.eq(1)
        with m.If(d_valid & is_pool):
            m.d.sync += first_tap.eq(d_last)
        m.d.sync += pool_done.eq(d_valid & is_pool & d_last)
        m.d.comb += [
            macs.pair_valid.eq(d_valid & ~is_pool), macs.last.eq(d_last),
            lane_ctl.w.eq(self.wb_read.data.word_select(d_lane, fmt.width)),
            macs.bias.eq(job.regs.bias), macs.bias_load.eq(ctl.bias_load),
            lane_ctl.pool_valid.eq(d_valid & is_pool), lane_ctl.pool_first.eq(first_tap),
        ]
        with m.If(d_valid & ~is_pool & macs.ready):
            m.d.sync += cnt.macs.eq(cnt.macs + ctl.lanes)
        with m.If(macs.busy):
            m.d.sync += cnt.mac_busy_cycles.eq(cnt.mac_busy_cycles + 1)

        write_ob = (macs.result_valid & ~is_pool) | pool_done
        self.write_output_words(m, lanes, write_ob & active)
        m.d.comb += ctl.done.eq(~active)
        with m.If(active & (issue_left == 0) & ~d_valid & ~macs.busy & ~pool_done
                  & ~ctl.start):
            m.d.sync += active.eq(0)
        return m

    def next_tap(self, m, tap_y, tap_x):
        """The window's taps in raster order (W's order in WB), back to (0, 0) after the last."""
        k = self.job.regs.kernel
        with m.If(tap_x != k - 1):
            m.d.sync += tap_x.eq(tap_x + 1)
        with m.Else():
            m.d.sync += [tap_x.eq(0), tap_y.eq(Mux(tap_y == k - 1, 0, tap_y + 1))]

    def bank_base(self, bank, words):
        """First word of ``bank`` in a buffer of ``words`` words per bank ([system] overlap)."""
        return Mux(bank, words, 0) if self.geo.n_banks > 1 else 0

    def write_output_words(self, m, lanes, write):
        """One OB word per finished channel at ``phase + m * G``.  With ``accumulate`` (conv/fc)
        each lane adds the word's previous entry: the OB read port is kept one word ahead of the
        write address (``ob.read_addr`` is its next value), so the old word is there when the
        result is."""
        fmt, job, ob = self.config.fixed, self.job, self.ob
        acc, width = fmt.acc_width, fmt.width
        m.d.comb += ob.accumulating.eq((job.regs.accumulate != 0) & ~job.is_pool)
        first = job.phase + self.bank_base(job.ob_bank, self.geo.ob_words)
        addr_next = Mux(self.control.start, first, Mux(write, ob.addr + job.groups, ob.addr))
        m.d.comb += ob.read_addr.eq(addr_next)
        m.d.sync += ob.addr.eq(ob.read_addr)
        old = [ob.old_word[j * acc:(j + 1) * acc] for j in range(len(lanes))]
        mac_word = Cat(*[(lane.acc + Mux(ob.accumulating, old[j], 0))[:acc]
                         for j, lane in enumerate(lanes)])
        pool_word = Cat(*[Cat(lane.pool_max, lane.pool_max[-1].replicate(acc - width))
                          for lane in lanes])
        m.d.comb += [ob.write.eq(write), ob.data.eq(Mux(job.is_pool, pool_word, mac_word))]
