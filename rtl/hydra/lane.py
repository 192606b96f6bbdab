"""One lane (PE) of a Hydra unit: streaming buffer, MAC and pool comparator (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Array, Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.mac import booth_iterations
from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.hydra.mac_seq import booth_step
from hymem.rtl.hydra.unit_signatures import (
    COORD,
    lane_control_signature,
    lane_mac_signature,
    window_write_signature,
)


class Lane(wiring.Component):
    """A processing element: one output position's window, its MAC's data and its comparator.

    The streaming buffer is a window memory of two banks of K x K slots: a
    broadcast activation lands at slot ``dy * K + dx`` of the write bank when it
    lies in this lane's window (``0 <= dy, dx < K`` from ``base``).  A broadcast
    carries up to V = ``[unit] scan_values`` consecutive values of a row, whose
    slots are consecutive, so the window is V slot-interleaved memories (slot s in
    memory ``s mod V``) and each takes at most one of them.  Each cycle the compute
    engine may read slot ``tap`` of the other bank (memory ``tap mod V``); the value
    goes to the MAC with the broadcast weight (conv/FC) and to the comparator, which
    keeps the window's maximum (max-pool).

    The MAC's control is the unit's :class:`~rtl.hydra.lane_mac_control.LaneMacControl`, one
    for all lanes; a lane keeps the ``[mac] variant``'s data: the product register (and the
    sequential variant's Booth operands and running sum) and the accumulator, which holds the
    partial sum and then the neuron's result.

    Parameters
    ----------
    config : HydraConfig
        ``[fixed]``, ``[mac] variant``, ``[unit] max_kernel``, ``scan_values``.

    Members
    -------
    write : In(window_write_signature(width, V))
        The fill engine's broadcast.
    base : In(StructLayout{y: COORD, x: COORD})
        This lane's window base.
    kernel : In(REG_WIDTH)
        K.
    control : In(lane_control_signature(width))
        Slot read, the MAC's weight, the comparator's step (``pool_first``: a new window).
    mac : In(lane_mac_signature(acc_width))
        The shared MAC control: the pair (the weight and the slot read) is taken on ``load``.
    acc : Out(signed(acc_width))
        The accumulator: the neuron's result in the cycle the control's ``result_valid`` is high.
    pool_max : Out(signed(width))
        The comparator's maximum so far.

    Latency and throughput
    ----------------------
    Slot reads take one cycle; the MAC's latency is its variant's (its control's); the
    comparator updates the cycle after a slot.
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
            "mac": In(lane_mac_signature(fmt.acc_width)),
            "acc": Out(signed(fmt.acc_width)),
            "pool_max": Out(signed(fmt.width)),
        })

    def elaborate(self, platform):
        m, ctl = Module(), self.control
        slot = self.window_memories(m)
        product = self.multiplier(m, ctl.w, slot)
        with m.If(self.mac.add):   # the accumulator's width wraps the sum, as golden's
            m.d.sync += self.acc.eq(product + Mux(self.mac.partial, self.acc, self.mac.base))
        with m.If(ctl.pool_valid):
            m.d.sync += self.pool_max.eq(Mux(ctl.pool_first | (slot > self.pool_max), slot,
                                             self.pool_max))
        return m

    def multiplier(self, m, w, a):
        """The product register of ``w * a`` for the ``[mac] variant``: loaded with the pair
        (pipelined) or after a radix-4 Booth iteration per cycle (sequential)."""
        fmt, mac = self.config.fixed, self.mac
        product = Signal(signed(2 * fmt.width))
        if self.config.mac.variant == "pipelined":
            with m.If(mac.load):
                m.d.sync += product.eq(w * a)
            return product
        n = booth_iterations(fmt.width)
        multiplicand = Signal(signed(2 * fmt.width))   # w << 2i
        booth = Signal(2 * n + 1)                      # a (sign-extended) over a 0
        running = Signal(signed(2 * fmt.width))
        running_next = running + booth_step(booth, multiplicand)
        with m.If(mac.step):
            m.d.sync += [running.eq(running_next), multiplicand.eq(multiplicand << 2),
                         booth.eq(booth.as_signed() >> 2)]
        with m.If(mac.finish):
            m.d.sync += product.eq(running_next)
        with m.If(mac.load):
            m.d.sync += [multiplicand.eq(w), booth.eq(Cat(0, a, a[-1].replicate(2 * n - fmt.width))),
                         running.eq(0)]
        return product

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
