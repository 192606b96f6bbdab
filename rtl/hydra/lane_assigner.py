"""A Hydra unit's lane assigner: the next group's output positions to the N lanes, ahead of its fill."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.hydra.unit_signatures import COORD, job_signature, lane_bases_layout


def group_box_layout() -> data.StructLayout:
    """The span of a group's window bases: rows ``y_lo … y_hi``, columns ``x_lo … x_hi``."""
    return data.StructLayout({"y_lo": COORD, "y_hi": COORD, "x_lo": COORD, "x_hi": COORD})


class LaneAssigner(wiring.Component):
    """Gives the next group's N output positions (raster order) to the N lanes, one lane per
    cycle, into shadow bases the fill engine takes when it starts that group's scan — so the
    assignment of group g runs while group g-1 scans and computes.

    ``init`` (the START's check cycle) rewinds to the layer's first output and assigns group 0;
    ``take`` (the fill engine copies ``bases``, ``lanes`` and ``box``) clears ``ready`` and, if
    positions are left, assigns the next group.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs`` (via :class:`UnitGeometry`).

    Members
    -------
    job : In(job_signature())
        ``regs`` (out_w, stride, pad_top, pad_left) and ``positions`` (P).
    init, take : In(1)
        Rewind and assign group 0 / the fill engine takes the assignment.
    ready : Out(1)
        ``bases``, ``lanes`` and ``box`` hold the next group.
    bases : Out(lane_bases_layout(n_macs))
        Every lane's window base (lanes past ``lanes`` keep a stale one).
    lanes : Out(range(n_macs + 1))
        Lanes holding a position of the group.
    box : Out(group_box_layout())
        The span of the group's bases (the fill engine adds the kernel).

    Latency and throughput
    ----------------------
    ``ready`` rises N + 1 cycles after ``init`` or ``take``; one lane per cycle.
    """

    def __init__(self, config):
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "job": In(job_signature()),
            "init": In(1), "take": In(1),
            "ready": Out(1),
            "bases": Out(lane_bases_layout(geo.n_macs)),
            "lanes": Out(range(geo.n_macs + 1)),
            "box": Out(group_box_layout()),
        })

    def elaborate(self, platform):
        m = Module()
        n, regs, box = self.geo.n_macs, self.job.regs, self.box
        pos_by, pos_bx = Signal(COORD), Signal(COORD)   # the next unassigned position's base
        pos_ox = Signal(REG_WIDTH)
        pos_left = Signal(2 * REG_WIDTH)                # positions not yet assigned to a lane
        lane = Signal(range(n + 1))
        assigning = Signal()

        with m.If(assigning):
            # Lane `lane` takes the next output position (if any is left); the box spans the
            # bases of the lanes that took one (lane 0 always does).
            first = lane == 0
            x_lo = Mux(first, pos_bx, box.x_lo)
            x_hi = Mux(first, pos_bx, box.x_hi)
            for j in range(n):
                with m.If(lane == j):
                    m.d.sync += [self.bases[j].y.eq(pos_by), self.bases[j].x.eq(pos_bx)]
            with m.If(first):
                m.d.sync += box.y_lo.eq(pos_by)
            with m.If(pos_left != 0):
                m.d.sync += [
                    self.lanes.eq(self.lanes + 1), pos_left.eq(pos_left - 1), box.y_hi.eq(pos_by),
                    box.x_lo.eq(Mux(pos_bx < x_lo, pos_bx, x_lo)),
                    box.x_hi.eq(Mux(pos_bx > x_hi, pos_bx, x_hi)),
                ]
                with m.If(pos_ox == regs.out_w - 1):
                    m.d.sync += [pos_ox.eq(0), pos_bx.eq(-regs.pad_left), pos_by.eq(pos_by + regs.stride)]
                with m.Else():
                    m.d.sync += [pos_ox.eq(pos_ox + 1), pos_bx.eq(pos_bx + regs.stride)]
            m.d.sync += lane.eq(lane + 1)
            with m.If(lane == n - 1):
                m.d.sync += [assigning.eq(0), self.ready.eq(1)]

        with m.If(self.take):
            m.d.sync += self.ready.eq(0)
            with m.If(pos_left != 0):
                m.d.sync += [assigning.eq(1), lane.eq(0), self.lanes.eq(0)]
        with m.If(self.init):
            m.d.sync += [pos_by.eq(-regs.pad_top), pos_bx.eq(-regs.pad_left), pos_ox.eq(0),
                         pos_left.eq(self.job.positions),
                         assigning.eq(1), lane.eq(0), self.lanes.eq(0), self.ready.eq(0)]
        return m
