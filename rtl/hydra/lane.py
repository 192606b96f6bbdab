"""One lane (PE) of a Hydra unit: streaming buffer, MAC and pool comparator (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

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
    lies in this lane's window (``0 <= dy, dx < K`` from ``base``).  A broadcast
    carries up to V = ``[unit] scan_values`` consecutive values of a row, whose
    slots are consecutive, so the window is V slot-interleaved memories (slot s in
    memory ``s mod V``) and each takes at most one of them.  Each cycle the compute
    engine may read slot ``tap`` of the other bank (memory ``tap mod V``); the value
    goes to the MAC with the broadcast weight (conv/FC) and to the comparator, which
    keeps the window's maximum (max-pool).

    Parameters
    ----------
    config : HydraConfig
        ``[fixed]``, ``[mac]`` (the MAC variant), ``[unit] max_kernel``.

    Members
    -------
    write : In(window_write_signature(width, V))
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
            "write": In(window_write_signature(fmt.width, self.geo.scan_values)),
            "base": In(data.StructLayout({"y": COORD, "x": COORD})),
            "kernel": In(REG_WIDTH),
            "control": In(lane_control_signature(fmt.width)),
            "ready": Out(1), "busy": Out(1),
            "result_valid": Out(1), "acc": Out(signed(fmt.acc_width)),
            "pool_max": Out(signed(fmt.width)),
        })

    def elaborate(self, platform):
        m, ctl = Module(), self.control
        slot = self.window_memories(m)
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

    def window_memories(self, m):
        """The V slot-interleaved window memories: the broadcast's writes and the compute
        engine's slot read; returns the slot read (valid the cycle after ``control.en``)."""
        v, wr, ctl, k = self.geo.scan_values, self.write, self.control, self.kernel
        v_bits = exact_log2(v)
        slot_bits = max(self.geo.slot_bits, v_bits)
        dy, dx = Signal(COORD), Signal(COORD)     # of the broadcast's first value
        first_slot = Signal(slot_bits)             # dy * K + dx, modulo 2^slot_bits
        m.d.comb += [dy.eq(wr.y - self.base.y), dx.eq(wr.x - self.base.x),
                     first_slot.eq(dy[:4] * k[:4] + dx)]
        row_hit = wr.valid & (dy >= 0) & (dy < k) & (dx > -v) & (dx < k)
        dx_near = dx[:max(5, v_bits + 1) + 1].as_signed()   # -(V-1) .. K-1 when row_hit
        reads = []
        for j in range(v):
            memory = Memory(shape=signed(self.config.fixed.width), depth=2 << (slot_bits - v_bits), init=[])
            m.submodules[f"window{j}" if v > 1 else "window"] = memory
            wport, rport = memory.write_port(), memory.read_port()
            offset = (j - first_slot[:v_bits])[:v_bits] if v_bits else 0   # the value memory j takes
            col = dx_near + offset
            m.d.comb += [
                wport.en.eq(row_hit & wr.mask.bit_select(offset, 1) & (col >= 0) & (col < k)),
                wport.addr.eq(Cat((first_slot + offset)[v_bits:slot_bits], wr.bank)),
                wport.data.eq(wr.values[offset]),
                rport.addr.eq(Cat(ctl.tap[v_bits:slot_bits], ctl.bank)),
                rport.en.eq(ctl.en),
            ]
            reads.append(rport.data)
        if v == 1:
            return reads[0]
        which = Signal(v_bits)                     # the memory holding the slot read
        with m.If(ctl.en):
            m.d.sync += which.eq(ctl.tap[:v_bits])
        return Array(reads)[which]
