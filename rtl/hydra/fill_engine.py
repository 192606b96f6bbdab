"""A Hydra unit's fill engine: positions to lanes, the AB scan, the broadcast (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Module, Mux, Signal, signed
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
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
    SETUP = 1   # one cycle per lane: the lane takes the next output position
    BOX = 2     # the bounding box of the group's windows
    SCAN = 3    # up to V AB values of a box row per cycle, row by row over the box
    DRAIN = 4   # the last broadcast is written


class FillEngine(wiring.Component):
    """Prepares one group of N output positions in a bank of the streaming buffers.

    On ``control.start`` it assigns the next N positions (raster order) to the N
    lanes (N cycles), then scans the bounding box of the group's windows row by
    row, V = ``[unit] scan_values`` consecutive values per cycle (a row's last step
    may be partial): each activation is read from AB once — value a from AB bank
    ``a mod V``, so a step is one read of each bank (padding positions read nothing
    and broadcast 0, or the most negative value for max-pool) — and the step is
    broadcast with its coordinates and a mask of its valid values to the streaming
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
        The broadcast activations, the first one's window coordinates, the valid mask, the bank.
    lane_base : Out(lane_bases_layout(n_macs))
        Every lane's window base (set while the group's positions are assigned).
    counters : Out(counter_signature(ab_reads))
        ``ab_reads``: activation values read (one value-bank read each).

    Latency and throughput
    ----------------------
    ``N + rows * ceil(cols / V) + 1`` cycles from ``start`` to ``done`` (rows x cols: the box),
    ``golden.hydra.cycles``' fill term.
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
        n = geo.n_macs
        k = regs.kernel
        pos_by, pos_bx = Signal(COORD), Signal(COORD)
        pos_ox = Signal(REG_WIDTH)
        pos_left = Signal(2 * REG_WIDTH)           # positions not yet assigned to a lane
        setup_lane = Signal(range(n + 1))
        box_y_lo, box_y_hi = Signal(COORD), Signal(COORD)
        box_x_lo, box_x_hi = Signal(COORD), Signal(COORD)
        scan_y, scan_x = Signal(COORD), Signal(COORD)
        row_addr = Signal(AB_VALUE_ADDR)
        step = self.step_registers()

        state = Signal(FillState)
        with m.If(state == FillState.DONE):
            m.d.comb += ctl.done.eq(1)
            with m.If(ctl.start):
                m.d.sync += [setup_lane.eq(0), ctl.lanes.eq(0)]
                goto(m, state, FillState.SETUP)
        with m.If(state == FillState.SETUP):
            # Lane `setup_lane` takes the next output position (if any is left); the box
            # spans the bases of the lanes that took one (lane 0 always does).
            first = setup_lane == 0
            x_lo = Mux(first, pos_bx, box_x_lo)
            x_hi = Mux(first, pos_bx, box_x_hi)
            for j in range(n):
                with m.If(setup_lane == j):
                    m.d.sync += [self.lane_base[j].y.eq(pos_by), self.lane_base[j].x.eq(pos_bx)]
            with m.If(first):
                m.d.sync += box_y_lo.eq(pos_by)
            with m.If(pos_left != 0):
                m.d.sync += [
                    ctl.lanes.eq(ctl.lanes + 1), pos_left.eq(pos_left - 1),
                    box_y_hi.eq(pos_by),
                    box_x_lo.eq(Mux(pos_bx < x_lo, pos_bx, x_lo)),
                    box_x_hi.eq(Mux(pos_bx > x_hi, pos_bx, x_hi)),
                ]
                with m.If(pos_ox == regs.out_w - 1):
                    m.d.sync += [pos_ox.eq(0), pos_bx.eq(-regs.pad_left),
                                 pos_by.eq(pos_by + regs.stride)]
                with m.Else():
                    m.d.sync += [pos_ox.eq(pos_ox + 1), pos_bx.eq(pos_bx + regs.stride)]
            m.d.sync += setup_lane.eq(setup_lane + 1)
            with m.If(setup_lane == n - 1):
                goto(m, state, FillState.BOX)
        with m.If(state == FillState.BOX):  # the windows reach K-1 beyond the last base
            m.d.sync += [scan_y.eq(box_y_lo), scan_x.eq(box_x_lo),
                         row_addr.eq(box_y_lo * regs.in_w),
                         box_y_hi.eq(box_y_hi + k - 1), box_x_hi.eq(box_x_hi + k - 1)]
            goto(m, state, FillState.SCAN)
        with m.If(state == FillState.SCAN):
            row_end = self.scan_step(m, step, scan_y, scan_x, row_addr, box_x_hi)
            with m.If(row_end):
                m.d.sync += [scan_x.eq(box_x_lo), scan_y.eq(scan_y + 1),
                             row_addr.eq(row_addr + regs.in_w)]
                with m.If(scan_y == box_y_hi):
                    goto(m, state, FillState.DRAIN)
            with m.Else():
                m.d.sync += scan_x.eq(scan_x + geo.scan_values)
        with m.If(state == FillState.DRAIN):
            m.d.sync += bc.valid.eq(0)
            goto(m, state, FillState.DONE)
        with m.If(ctl.init):
            m.d.sync += [pos_by.eq(-regs.pad_top), pos_bx.eq(-regs.pad_left), pos_ox.eq(0),
                         pos_left.eq(self.job.positions)]

        m.d.comb += bc.bank.eq(ctl.bank)
        self.broadcast_values(m, step)
        return m

    def step_registers(self):
        """What the broadcast cycle needs of the scan step before it: ``sub`` (per AB bank, the
        value read within the bank's word), ``rot`` (the bank holding the step's first value),
        ``inside`` (per value: read from the tile, else padding)."""
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
        in_row = Cat(*[left >= i for i in range(v)])   # the row's last step may be partial
        row_inside = (scan_y >= 0) & (scan_y < regs.in_h)
        inside = Signal(v)                        # value i: in the box row and in the tile
        for i in range(v):
            x = scan_x + i
            m.d.comb += inside[i].eq(in_row[i] & row_inside & (x >= 0) & (x < regs.in_w))
        rot = first_addr[:v_bits] if v_bits else 0   # the bank of value 0
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
        m.d.sync += [bc.valid.eq(1), bc.y.eq(scan_y), bc.x.eq(scan_x), bc.mask.eq(in_row),
                     step["inside"].eq(inside), step["rot"].eq(rot),
                     self.counters.ab_reads.eq(self.counters.ab_reads + sum(inside[i] for i in range(v)))]
        return left < v

    def broadcast_values(self, m, step):
        """The broadcast's value i: from the bank ``(rot + i) mod V`` read in the step before,
        or the padding value (0; max-pool: the most negative) where it lies outside the tile."""
        geo, v = self.geo, self.geo.scan_values
        v_bits, per_bank = exact_log2(v), geo.values_per_word // v
        pad_value = Mux(self.job.is_pool, self.config.fixed.min_value, 0)
        picked = Array(self.ab_read[b].data.word_select(step["sub"][b], geo.width) if per_bank > 1
                       else self.ab_read[b].data[:geo.width] for b in range(v))
        for i in range(v):
            value = picked[(step["rot"] + i)[:v_bits]] if v_bits else picked[0]
            m.d.comb += self.bcast.values[i].eq(Mux(step["inside"][i], value, pad_value))
