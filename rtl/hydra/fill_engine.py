"""A Hydra unit's fill engine: lanes from its assigner, the AB scan (V values a cycle), the broadcast."""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Module, Mux, Signal, signed
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.lane_assigner import LaneAssigner, group_box_layout
from hymem.rtl.hydra.unit_signatures import (
    COORD,
    ab_bank_read_signature,
    fill_control_signature,
    job_signature,
    lane_bases_layout,
    window_write_signature,
)

AB_VALUE_ADDR = signed(2 * REG_WIDTH + 4)  # row-major value address; negative in the padding


class FillState(enum.Enum):
    DONE = 0
    WAIT = 1    # for the lane assigner to finish the group's positions
    BOX = 2     # the bounding box of the group's windows
    SCAN = 3    # up to V AB values of a box row per cycle, row by row over the box
    DRAIN = 4   # the last broadcast is written


class FillEngine(wiring.Component):
    """Prepares one group of N output positions in a bank of the streaming buffers.

    On ``control.start`` it takes the group's N positions (raster order) from its
    :class:`~rtl.hydra.lane_assigner.LaneAssigner` — which assigned them one lane per cycle
    while the previous group scanned and computed, and now assigns the next group; the fill
    waits only if it has not finished — then scans the bounding box of the group's windows row by
    row, V = ``[unit] scan_values`` consecutive values per cycle (a row's last step
    may be partial): each activation is read from AB once — value a from AB bank
    ``a mod V``, so a step is one read of each bank (padding positions read nothing
    and broadcast 0, or the most negative value for max-pool) — and the step is
    broadcast in column order (value j the one whose column is j mod V, which is the lanes'
    window memory j) with its coordinates and a mask of its valid values to the streaming
    buffers, where every lane whose window holds a value stores it.  ``control.init``
    (the START check cycle) rewinds the position counter to the layer's first output.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed]``, ``[unit]`` (via :class:`UnitGeometry`),
        ``[mac] counter_width``.

    Members
    -------
    job : In(job_signature())
        Register stack (in_h, in_w, out_w, kernel, stride, pad_top, pad_left), P, is_pool.
    control : In(fill_control_signature(n_macs))
        ``init``, ``start``, ``bank`` in; ``done`` (idle) and ``lanes`` (valid lanes) out.
    ab_read : Out(ab_bank_read_signature(geo)).array(V)
        The activation buffer's V value banks' read ports.
    bcast : Out(window_write_signature(width, V))
        The broadcast activations in column order, their row and columns, the valid mask, the bank.
    lane_base : Out(lane_bases_layout(n_macs))
        Every lane's window base (taken from the assigner when the group's scan starts).
    counters : Out(counter_signature(ab_reads))
        ``ab_reads``: activation values read (one value-bank read each).

    Latency and throughput
    ----------------------
    ``wait + rows * ceil(cols / V) + 2`` cycles from ``start`` to ``done`` (rows x cols: the box;
    wait: for the assigner, N + 1 cycles after ``init`` or the previous group's start), the fill term of
    ``golden.hydra.cycles.fill_phases``.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "job": In(job_signature()),
            "control": In(fill_control_signature(geo.n_macs)),
            "ab_read": Out(ab_bank_read_signature(geo)).array(geo.scan_values),
            "bcast": Out(window_write_signature(geo.width, geo.scan_values)),
            "lane_base": Out(lane_bases_layout(geo.n_macs)),
            "counters": Out(counter_signature(("ab_reads",), config.mac.counter_width)),
        })

    def bank_base(self):
        """First AB word of the job's input bank ([system] overlap)."""
        return Mux(self.job.in_bank, self.geo.ab_words, 0) if self.geo.n_banks > 1 else 0

    def elaborate(self, platform):
        m = Module()
        geo, regs, ctl, bc = self.geo, self.job.regs, self.control, self.bcast
        m.submodules.assigner = assigner = LaneAssigner(self.config)
        wiring.connect(m, wiring.flipped(self.job), assigner.job)
        box = Signal(group_box_layout())
        scan_y, scan_x = Signal(COORD), Signal(COORD)
        row_addr = Signal(AB_VALUE_ADDR)
        step = self.step_registers()

        state = Signal(FillState)
        # Take the group's lanes from the assigner (which then assigns the next group); not in
        # START's check cycle, where the assigner still holds a previous START's assignment.
        waiting = ((state == FillState.DONE) & ctl.start) | (state == FillState.WAIT)
        m.d.comb += [assigner.init.eq(ctl.init), assigner.take.eq(waiting & assigner.ready & ~ctl.init)]
        with m.If(assigner.take):
            m.d.sync += [self.lane_base.eq(assigner.bases), ctl.lanes.eq(assigner.lanes), box.eq(assigner.box)]
            goto(m, state, FillState.BOX)
        with m.Elif(waiting):
            goto(m, state, FillState.WAIT)
        m.d.comb += ctl.done.eq(state == FillState.DONE)
        with m.If(state == FillState.BOX):  # the windows reach K-1 beyond the last base
            m.d.sync += [scan_y.eq(box.y_lo), scan_x.eq(box.x_lo), row_addr.eq(box.y_lo * regs.in_w),
                         box.y_hi.eq(box.y_hi + regs.kernel - 1), box.x_hi.eq(box.x_hi + regs.kernel - 1)]
            goto(m, state, FillState.SCAN)
        with m.If(state == FillState.SCAN):
            row_end = self.scan_step(m, step, scan_y, scan_x, row_addr, box.x_hi)
            with m.If(row_end):
                m.d.sync += [scan_x.eq(box.x_lo), scan_y.eq(scan_y + 1), row_addr.eq(row_addr + regs.in_w)]
                with m.If(scan_y == box.y_hi):
                    goto(m, state, FillState.DRAIN)
            with m.Else():
                m.d.sync += scan_x.eq(scan_x + geo.scan_values)
        with m.If(state == FillState.DRAIN):
            m.d.sync += bc.valid.eq(0)
            goto(m, state, FillState.DONE)
        m.d.comb += bc.bank.eq(ctl.bank)
        self.broadcast_values(m, step)
        return m

    def step_registers(self):
        """What the broadcast cycle needs of the scan step before it: ``sub`` (per AB bank, the
        value read within the bank's word), ``rot`` (the bank holding the broadcast's value 0, the
        one at a column = 0 mod V), ``inside`` (per broadcast value: read from the tile, else
        padding)."""
        v = self.geo.scan_values
        per_bank = self.geo.values_per_word // v
        return {"sub": Array(Signal(range(max(2, per_bank)), name=f"step_sub{b}") for b in range(v)),
                "rot": Signal(max(1, exact_log2(v)), name="step_rot"),
                "inside": Signal(v, name="step_inside")}

    def scan_step(self, m, step, scan_y, scan_x, row_addr, box_x_hi):
        """One scan step: values ``scan_x … scan_x + V - 1`` of row ``scan_y`` (those up to
        ``box_x_hi``) read from the AB's value banks, broadcast the next cycle.  Returns whether
        this step ends the box row."""
        geo, regs, bc = self.geo, self.job.regs, self.bcast
        v, v_bits, word_bits = geo.scan_values, exact_log2(geo.scan_values), exact_log2(geo.values_per_word)
        left = Signal(COORD)                      # values of the row after the first of this step
        first_addr = Signal(AB_VALUE_ADDR)        # row-major value address (negative in padding)
        m.d.comb += [left.eq(box_x_hi - scan_x), first_addr.eq(row_addr + scan_x)]
        in_row = Cat(*[left >= i for i in range(v)])   # value i of the step; the last may be partial
        row_inside = (scan_y >= 0) & (scan_y < regs.in_h)
        inside = Signal(v)                        # value i: in the box row and in the tile
        for i in range(v):
            x = scan_x + i
            m.d.comb += inside[i].eq(in_row[i] & row_inside & (x >= 0) & (x < regs.in_w))
        rot = first_addr[:v_bits] if v_bits else 0   # the bank of the step's value 0
        for b in range(v):
            offset = (b - rot)[:v_bits] if v_bits else 0   # the step's value this bank serves
            addr = Signal(AB_VALUE_ADDR, name=f"bank{b}_addr")
            m.d.comb += [
                addr.eq(first_addr + offset),
                self.ab_read[b].addr.eq(addr[word_bits:] + self.bank_base()),
                self.ab_read[b].en.eq(inside.bit_select(offset, 1) if v_bits else inside[0]),
            ]
            if word_bits > v_bits:
                m.d.sync += step["sub"][b].eq(addr[v_bits:word_bits])
        m.d.sync += [bc.valid.eq(1), bc.y.eq(scan_y),
                     # the broadcast in column order: j is the value whose column is j mod V, in
                     # bank (row_addr + j) mod V
                     step["rot"].eq(row_addr[:v_bits] if v_bits else 0),
                     self.counters.ab_reads.eq(self.counters.ab_reads + sum(inside[i] for i in range(v)))]
        for j in range(v):
            i = (j - scan_x)[:v_bits] if v_bits else 0   # the step's value at a column = j mod V
            m.d.sync += [bc.x[j].eq(scan_x + i), bc.mask[j].eq(in_row.bit_select(i, 1)),
                         step["inside"][j].eq(inside.bit_select(i, 1))]
        return left < v

    def broadcast_values(self, m, step):
        """The broadcast's value j: from the bank ``(rot + j) mod V`` read in the step before,
        or the padding value (0; max-pool: the most negative) where it lies outside the tile."""
        geo, v = self.geo, self.geo.scan_values
        v_bits, per_bank = exact_log2(v), geo.values_per_word // v
        pad_value = Mux(self.job.is_pool, self.config.fixed.min_value, 0)
        picked = Array(self.ab_read[b].data.word_select(step["sub"][b], geo.width) if per_bank > 1
                       else self.ab_read[b].data[:geo.width] for b in range(v))
        for i in range(v):
            value = picked[(step["rot"] + i)[:v_bits]] if v_bits else picked[0]
            m.d.comb += self.bcast.values[i].eq(Mux(step["inside"][i], value, pad_value))
