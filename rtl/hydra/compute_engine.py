"""A Hydra unit's compute engine: ⟨W, A⟩ pairs to N MACs or the pool unit (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from golden.hydra.unit import REG_WIDTH, UnitGeometry
from rtl.common.counters import counter_signature
from rtl.hydra.mac import Mac
from rtl.hydra.mac_seq import MacSeq
from rtl.hydra.pool_unit import PoolUnit
from rtl.hydra.unit_signatures import (
    buffer_read_signature,
    compute_control_signature,
    job_signature,
    ob_port_signature,
    slot_read_signature,
)

COMPUTE_COUNTERS = ("macs", "mac_busy_cycles", "wb_reads")


def make_mac(config):
    """The MAC of ``[mac] variant``."""
    return (Mac if config.mac.variant == "pipelined" else MacSeq)(config.fixed, config.mac)


class ComputeEngine(wiring.Component):
    """Runs one group: for each output channel m and tap t, ``W[m, t]`` and every lane's slot t.

    On ``control.start`` it issues ``channels * taps`` pairs from bank
    ``control.bank``: it reads ``W[m, t]`` once from WB and gives every MAC the
    pair ⟨W, its lane's window slot t⟩ (max-pool: the pool unit takes the slots
    and WB is not read).  Each finished channel is one output-buffer word at
    ``phase + m * G`` — with the ``accumulate`` register set (conv/fc), the word
    plus the entries it replaces, read one word ahead from the output buffer.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed]``, ``[mac]`` (variant, counter width), ``[unit]``.

    Members
    -------
    job : In(job_signature())
        ``regs`` (bias, accumulate), ``is_pool``, ``taps``, ``channels``, ``groups``, ``phase``.
    control : In(compute_control_signature(n_macs))
        ``start``, ``bias_load`` (MACs load the bias), ``bank``, ``lanes`` in; ``done`` out.
    wb_read : Out(buffer_read_signature(wb_words, bus_width))
        The weight buffer's read port.
    slots : Out(slot_read_signature(n_macs, width))
        The streaming buffers' read side.
    ob : Out(ob_port_signature(ob_words, n_macs * acc_width))
        Output-buffer writes and the one-word-ahead read address.
    counters : Out(counter_signature(macs, mac_busy_cycles, wb_reads))
        ``macs`` counts useful pairs (lanes holding a position), ``mac_busy_cycles`` MAC 0's.

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
            "wb_read": Out(buffer_read_signature(geo.wb_words, geo.bus_width)),
            "slots": Out(slot_read_signature(geo.n_macs, fmt.width)),
            "ob": Out(ob_port_signature(geo.ob_words, geo.n_macs * fmt.acc_width)),
            "counters": Out(counter_signature(COMPUTE_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, fmt, job, ctl, cnt = self.geo, self.config.fixed, self.job, self.control, self.counters
        lane_bits = exact_log2(geo.values_per_word)
        is_pool = job.is_pool
        macs = [make_mac(self.config) for _ in range(geo.n_macs)]
        for j, mac in enumerate(macs):
            m.submodules[f"mac{j}"] = mac
        m.submodules.pool = pool = PoolUnit(geo.n_macs, fmt)

        active = Signal()                   # issuing or draining
        issue_left = Signal(REG_WIDTH + 8)  # pairs still to issue
        tap = Signal(8)
        wb_value_addr = Signal(REG_WIDTH + 8)
        d_valid, d_last = Signal(), Signal()
        d_lane = Signal(max(1, lane_bits))
        advance = Signal()
        m.d.comb += advance.eq(~d_valid | is_pool | macs[0].pairs.ready)
        issuing = active & (issue_left != 0)
        m.d.comb += [
            self.wb_read.addr.eq(wb_value_addr[lane_bits:]),
            self.wb_read.en.eq(issuing & advance & ~is_pool),
            self.slots.tap.eq(tap), self.slots.bank.eq(ctl.bank),
            self.slots.en.eq(issuing & advance),
        ]
        with m.If(ctl.start):
            m.d.sync += [active.eq(1), issue_left.eq(job.channels * job.taps), tap.eq(0),
                         wb_value_addr.eq(0)]
        with m.Elif(issuing & advance):
            m.d.sync += [issue_left.eq(issue_left - 1), wb_value_addr.eq(wb_value_addr + 1),
                         tap.eq(Mux(tap == job.taps - 1, 0, tap + 1))]
            with m.If(~is_pool):
                m.d.sync += cnt.wb_reads.eq(cnt.wb_reads + 1)
        with m.If(advance):
            m.d.sync += [d_valid.eq(issuing), d_last.eq(tap == job.taps - 1),
                         d_lane.eq(wb_value_addr[:lane_bits] if lane_bits else 0)]

        weight = self.wb_read.data.word_select(d_lane, fmt.width)
        for j, mac in enumerate(macs):
            m.d.comb += [
                mac.pairs.valid.eq(d_valid & ~is_pool),
                mac.pairs.payload.w.eq(weight),
                mac.pairs.payload.a.eq(self.slots.slots[j]),
                mac.pairs.payload.last.eq(d_last),
                mac.results.ready.eq(1),
                mac.bias.eq(job.regs.bias),
                mac.bias_load.eq(ctl.bias_load),
                mac.clear.eq(0),
            ]
        with m.If(d_valid & ~is_pool & macs[0].pairs.ready):
            m.d.sync += cnt.macs.eq(cnt.macs + ctl.lanes)
        with m.If(macs[0].busy):
            m.d.sync += cnt.mac_busy_cycles.eq(cnt.mac_busy_cycles + 1)
        m.d.comb += [pool.start.eq(ctl.start), pool.valid.eq(d_valid & is_pool),
                     pool.last.eq(d_last), pool.slots.eq(self.slots.slots)]

        write_ob = (macs[0].results.valid & ~is_pool) | pool.word_valid
        self.write_output_words(m, macs, pool, write_ob & active)
        m.d.comb += ctl.done.eq(~active)
        with m.If(active & (issue_left == 0) & ~d_valid & ~macs[0].busy & ~pool.word_valid
                  & ~ctl.start):
            m.d.sync += active.eq(0)
        return m

    def write_output_words(self, m, macs, pool, write):
        """One OB word per finished channel at ``phase + m * G``.  With ``accumulate`` (conv/fc)
        each lane adds the word's previous entry: the OB read port is kept one word ahead of the
        write address (``ob.read_addr`` is its next value), so the old word is there when the
        result is."""
        fmt, job, ob = self.config.fixed, self.job, self.ob
        acc = fmt.acc_width
        m.d.comb += ob.accumulating.eq((job.regs.accumulate != 0) & ~job.is_pool)
        addr_next = Mux(self.control.start, job.phase, Mux(write, ob.addr + job.groups, ob.addr))
        m.d.comb += ob.read_addr.eq(addr_next)
        m.d.sync += ob.addr.eq(ob.read_addr)
        old = [ob.old_word[j * acc:(j + 1) * acc] for j in range(len(macs))]
        mac_word = Cat(*[(mac.results.payload.acc + Mux(ob.accumulating, old[j], 0))[:acc]
                         for j, mac in enumerate(macs)])
        m.d.comb += [ob.write.eq(write), ob.data.eq(Mux(job.is_pool, pool.word, mac_word))]
