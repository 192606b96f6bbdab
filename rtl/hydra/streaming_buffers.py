"""A Hydra unit's streaming buffers: each lane's window of activations (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In

from golden.hydra.unit import UnitGeometry
from rtl.hydra.unit_signatures import COORD, broadcast_signature, job_signature, slot_read_signature


class StreamingBuffers(wiring.Component):
    """N window memories (one per MAC lane) of two banks of K x K slots each.

    The fill engine broadcasts activations with their coordinates; lane ``j``
    stores one at slot ``dy * K + dx`` of the fill bank when it lies in its window
    (``0 <= dy, dx < K`` from the lane's base).  The compute engine reads slot
    ``tap`` of the other bank from every lane at once.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed] width``, ``[unit] max_kernel`` (via :class:`UnitGeometry`).

    Members
    -------
    job : In(job_signature())
        Only ``regs.kernel`` is used.
    bcast : In(broadcast_signature(n_macs, width))
        Activation, coordinates, fill bank and every lane's window base.
    read : In(slot_read_signature(n_macs, width))
        ``tap``, ``bank``, ``en`` in; ``slots`` (one value per lane) out, one cycle later.

    Latency and throughput
    ----------------------
    A broadcast is stored in the cycle it is presented; reads take one cycle; one of each per cycle.
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "job": In(job_signature()),
            "bcast": In(broadcast_signature(geo.n_macs, geo.width)),
            "read": In(slot_read_signature(geo.n_macs, geo.width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, bc, rd = self.geo, self.bcast, self.read
        k = self.job.regs.kernel
        for j in range(geo.n_macs):
            mem = Memory(shape=signed(geo.width), depth=2 << geo.slot_bits, init=[])
            m.submodules[f"window{j}"] = mem
            wport, rport = mem.write_port(), mem.read_port()
            dy = Signal(COORD, name=f"lane{j}_dy")
            dx = Signal(COORD, name=f"lane{j}_dx")
            m.d.comb += [
                dy.eq(bc.y - bc.lane_base[j].y),
                dx.eq(bc.x - bc.lane_base[j].x),
                wport.en.eq(bc.valid & (dy >= 0) & (dy < k) & (dx >= 0) & (dx < k)),
                wport.addr.eq(Cat((dy[:4] * k[:4] + dx[:4])[:geo.slot_bits], bc.bank)),
                wport.data.eq(bc.value),
                rport.addr.eq(Cat(rd.tap[:geo.slot_bits], rd.bank)),
                rport.en.eq(rd.en),
                rd.slots[j].eq(rport.data),
            ]
        return m
