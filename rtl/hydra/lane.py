"""One lane (PE) of a Hydra unit: streaming buffer, MAC and pool comparator (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.hydra.mac import Mac
from hymem.rtl.hydra.mac_seq import MacSeq
from hymem.rtl.hydra.unit_signatures import COORD, lane_control_signature, window_write_signature


def make_mac(config):
    """The MAC of ``[mac] variant``."""
    return (Mac if config.mac.variant == "pipelined" else MacSeq)(config.fixed, config.mac)


class Lane(wiring.Component):
    """A processing element: one output position's window, its MAC and its comparator.

    The streaming buffer is a window memory of two banks of K x K slots: a
    broadcast activation lands at slot ``dy * K + dx`` of the write bank when it
    lies in this lane's window (``0 <= dy, dx < K`` from ``base``).  Each cycle
    the compute engine may read slot ``tap`` of the other bank; the value goes
    to the MAC with the broadcast weight (conv/FC) and to the comparator, which
    keeps the window's maximum (max-pool).

    Parameters
    ----------
    config : HydraConfig
        ``[fixed]``, ``[mac]`` (the MAC variant), ``[unit] max_kernel``.

    Members
    -------
    write : In(window_write_signature(width))
        The fill engine's broadcast.
    base : In(StructLayout{y: COORD, x: COORD})
        This lane's window base.
    kernel : In(REG_WIDTH)
        K.
    control : In(lane_control_signature(width))
        Slot read, the MAC's pair and bias, the comparator's step (``pool_first``: a new window).
    ready, busy : Out(1)
        The MAC takes a pair / is computing.
    result_valid : Out(1), acc : Out(signed(acc_width))
        The MAC's finished accumulator (one cycle).
    pool_max : Out(signed(width))
        The comparator's maximum so far.

    Latency and throughput
    ----------------------
    Slot reads take one cycle; the MAC's latency is its variant's; the comparator
    updates the cycle after a slot.
    """

    def __init__(self, config):
        self.config = config
        self.geo = UnitGeometry.from_config(config)
        fmt = config.fixed
        super().__init__({
            "write": In(window_write_signature(fmt.width)),
            "base": In(data.StructLayout({"y": COORD, "x": COORD})),
            "kernel": In(REG_WIDTH),
            "control": In(lane_control_signature(fmt.width)),
            "ready": Out(1), "busy": Out(1),
            "result_valid": Out(1), "acc": Out(signed(fmt.acc_width)),
            "pool_max": Out(signed(fmt.width)),
        })

    def elaborate(self, platform):
        m = Module()
        slot_bits, wr, ctl, k = self.geo.slot_bits, self.write, self.control, self.kernel
        m.submodules.window = window = Memory(shape=signed(self.config.fixed.width),
                                              depth=2 << slot_bits, init=[])
        wport, rport = window.write_port(), window.read_port()
        dy, dx = Signal(COORD), Signal(COORD)
        m.d.comb += [
            dy.eq(wr.y - self.base.y),
            dx.eq(wr.x - self.base.x),
            wport.en.eq(wr.valid & (dy >= 0) & (dy < k) & (dx >= 0) & (dx < k)),
            wport.addr.eq(Cat((dy[:4] * k[:4] + dx[:4])[:slot_bits], wr.bank)),
            wport.data.eq(wr.value),
            rport.addr.eq(Cat(ctl.tap[:slot_bits], ctl.bank)),
            rport.en.eq(ctl.en),
        ]
        slot = rport.data

        m.submodules.mac = mac = make_mac(self.config)
        m.d.comb += [
            mac.pairs.valid.eq(ctl.pair_valid),
            mac.pairs.payload.w.eq(ctl.w),
            mac.pairs.payload.a.eq(slot),
            mac.pairs.payload.last.eq(ctl.last),
            mac.results.ready.eq(1),
            mac.bias.eq(ctl.bias),
            mac.bias_load.eq(ctl.bias_load),
            mac.clear.eq(0),
            self.ready.eq(mac.pairs.ready),
            self.busy.eq(mac.busy),
            self.result_valid.eq(mac.results.valid),
            self.acc.eq(mac.results.payload.acc),
        ]
        with m.If(ctl.pool_valid):
            m.d.sync += self.pool_max.eq(Mux(ctl.pool_first | (slot > self.pool_max), slot,
                                             self.pool_max))
        return m
