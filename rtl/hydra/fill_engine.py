"""A Hydra unit's fill engine: positions to lanes, the AB scan, the broadcast (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.unit_signatures import (
    COORD,
    buffer_read_signature,
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
    SCAN = 3    # one AB value per cycle, row by row over the box
    DRAIN = 4   # the last broadcast is written


class FillEngine(wiring.Component):
    """Prepares one group of N output positions in a bank of the streaming buffers.

    On ``control.start`` it assigns the next N positions (raster order) to the N
    lanes (N cycles), then scans the bounding box of the group's windows row by
    row: each activation is read from AB once (padding positions read nothing
    and broadcast 0, or the most negative value for max-pool) and broadcast with
    its coordinates to the streaming buffers, where every lane whose window
    holds it stores it.  ``control.init`` (the START check cycle) rewinds the
    position counter to the layer's first output.

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
    ab_read : Out(buffer_read_signature(ab_words, bus_width))
        The activation buffer's read port.
    bcast : Out(window_write_signature(width))
        The broadcast activation, its window coordinates and bank.
    lane_base : Out(lane_bases_layout(n_macs))
        Every lane's window base (set while the group's positions are assigned).
    counters : Out(counter_signature(ab_reads))

    Latency and throughput
    ----------------------
    ``N + rows * cols + 1`` cycles from ``start`` to ``done`` (rows x cols: the box),
    ``golden.hydra.cycles``' fill term.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "job": In(job_signature()),
            "control": In(fill_control_signature(geo.n_macs)),
            "ab_read": Out(buffer_read_signature(geo.ab_words * geo.n_banks, geo.bus_width)),
            "bcast": Out(window_write_signature(geo.width)),
            "lane_base": Out(lane_bases_layout(geo.n_macs)),
            "counters": Out(counter_signature(("ab_reads",), config.mac.counter_width)),
        })

    def bank_base(self):
        """First AB word of the job's input bank ([system] overlap)."""
        return Mux(self.job.in_bank, self.geo.ab_words, 0) if self.geo.n_banks > 1 else 0

    def elaborate(self, platform):
        m = Module()
        geo, regs, ctl, bc = self.geo, self.job.regs, self.control, self.bcast
        n, lane_bits = geo.n_macs, exact_log2(geo.values_per_word)
        k = regs.kernel
        pos_by, pos_bx = Signal(COORD), Signal(COORD)
        pos_ox = Signal(REG_WIDTH)
        pos_left = Signal(2 * REG_WIDTH)           # positions not yet assigned to a lane
        setup_lane = Signal(range(n + 1))
        box_y_lo, box_y_hi = Signal(COORD), Signal(COORD)
        box_x_lo, box_x_hi = Signal(COORD), Signal(COORD)
        scan_y, scan_x = Signal(COORD), Signal(COORD)
        row_addr = Signal(AB_VALUE_ADDR)
        bc_inside = Signal()
        bc_lane = Signal(max(1, lane_bits))

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
            inside = ((scan_y >= 0) & (scan_y < regs.in_h) & (scan_x >= 0) & (scan_x < regs.in_w))
            addr = Signal(AB_VALUE_ADDR)
            m.d.comb += [
                addr.eq(row_addr + scan_x),
                self.ab_read.addr.eq(addr[lane_bits:] + self.bank_base()),
                self.ab_read.en.eq(inside),
            ]
            m.d.sync += [bc.valid.eq(1), bc_inside.eq(inside), bc.y.eq(scan_y), bc.x.eq(scan_x),
                         bc_lane.eq(addr[:lane_bits] if lane_bits else 0)]
            with m.If(inside):
                m.d.sync += self.counters.ab_reads.eq(self.counters.ab_reads + 1)
            with m.If(scan_x == box_x_hi):
                m.d.sync += [scan_x.eq(box_x_lo), scan_y.eq(scan_y + 1),
                             row_addr.eq(row_addr + regs.in_w)]
                with m.If(scan_y == box_y_hi):
                    goto(m, state, FillState.DRAIN)
            with m.Else():
                m.d.sync += scan_x.eq(scan_x + 1)
        with m.If(state == FillState.DRAIN):
            m.d.sync += bc.valid.eq(0)
            goto(m, state, FillState.DONE)
        with m.If(ctl.init):
            m.d.sync += [pos_by.eq(-regs.pad_top), pos_bx.eq(-regs.pad_left), pos_ox.eq(0),
                         pos_left.eq(self.job.positions)]

        pad_value = Mux(self.job.is_pool, self.config.fixed.min_value, 0)
        picked = Signal(geo.width)
        m.d.comb += [
            picked.eq(self.ab_read.data.word_select(bc_lane, geo.width)),
            bc.value.eq(Mux(bc_inside, picked, pad_value)),
            bc.bank.eq(ctl.bank),
        ]
        return m

