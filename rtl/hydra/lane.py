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

    The streaming buffer is a window memory of two banks of K x K values: a broadcast
    activation at input (y, x) is this lane's tap ``(dy, dx) = (y, x) - base`` when
    ``0 <= dy, dx < K``.  A broadcast carries up to V = ``[unit] scan_values`` consecutive
    values of a row, so the window is V memories interleaved by *input column*: memory j holds
    the taps whose column x is j modulo V, at row dy and column ``dx // V`` (distinct, since two
    such dx differ by a multiple of V).  The fill engine orders the broadcast the same way, so
    memory j takes value j or nothing: a lane compares, it does not route.  Each cycle the
    compute engine may read tap ``(tap_y, tap_x)`` of the other bank, one address for every
    lane; the lane picks memory ``(base.x + tap_x) mod V``, with the base the bank was filled
    with.  The value goes to the MAC with the broadcast weight (conv/FC) and to the
    comparator, which keeps the window's maximum (max-pool).

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
        Tap read, the MAC's weight, the comparator's step (``pool_first``: a new window).
    mac : In(lane_mac_signature(acc_width))
        The shared MAC control: the pair (the weight and the tap read) is taken on ``load``.
    acc : Out(signed(acc_width))
        The accumulator: the neuron's result in the cycle the control's ``result_valid`` is high.
    pool_max : Out(signed(width))
        The comparator's maximum so far.

    Latency and throughput
    ----------------------
    Tap reads take one cycle; the MAC's latency is its variant's (its control's); the
    comparator updates the cycle after a tap read.
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
        tap = self.window_memories(m)
        product = self.multiplier(m, ctl.w, tap)
        with m.If(self.mac.add):   # the accumulator's width wraps the sum, as golden's
            m.d.sync += self.acc.eq(product + Mux(self.mac.partial, self.acc, self.mac.base))
        with m.If(ctl.pool_valid):
            m.d.sync += self.pool_max.eq(Mux(ctl.pool_first | (tap > self.pool_max), tap,
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
        """The V column-interleaved window memories: the broadcast's writes and the compute
        engine's tap read; returns the value read (valid the cycle after ``control.en``)."""
        geo, wr, ctl, k = self.geo, self.write, self.control, self.kernel
        v_bits, row_bits, col_bits = exact_log2(geo.scan_values), geo.window_row_bits, geo.window_col_bits
        dy = Signal(signed(COORD.width + 1))
        m.d.comb += dy.eq(wr.y - self.base.y)
        row_hit = wr.valid & (dy.as_unsigned() < k)   # a negative dy is a large unsigned one
        reads = []
        for j in range(geo.scan_values):
            memory = Memory(shape=signed(self.config.fixed.width), depth=2 << (row_bits + col_bits), init=[])
            m.submodules[f"window{j}" if v_bits else "window"] = memory
            wport, rport = memory.write_port(), memory.read_port()
            dx = Signal(signed(COORD.width + 1), name=f"dx{j}")   # of the broadcast's value j
            m.d.comb += [
                dx.eq(wr.x[j] - self.base.x),
                wport.en.eq(row_hit & wr.mask[j] & (dx.as_unsigned() < k)),
                wport.addr.eq(Cat(dx[v_bits:v_bits + col_bits], dy[:row_bits], wr.bank)),
                wport.data.eq(wr.values[j]),
                # the same address in every lane: only which memory holds the tap differs
                rport.addr.eq(Cat(ctl.tap_x[v_bits:v_bits + col_bits], ctl.tap_y[:row_bits], ctl.bank)),
                rport.en.eq(ctl.en),
            ]
            reads.append(rport.data)
        if not v_bits:
            return reads[0]
        # the base's column mod V per window bank, kept from its fill: the base moves on to the
        # next group while the compute engine reads this one
        phase = [Signal(v_bits, name=f"phase{b}") for b in range(2)]
        for b in range(2):
            with m.If(wr.valid & (wr.bank == b)):
                m.d.sync += phase[b].eq(self.base.x[:v_bits])
        which = Signal(v_bits)                     # the memory holding the tap: its input column mod V
        with m.If(ctl.en):
            # a Mux, not an Array: Icarus never evaluates the case block an Array becomes while
            # its inputs keep their initial values
            m.d.sync += which.eq(Mux(ctl.bank, phase[1], phase[0]) + ctl.tap_x[:v_bits])
        return Array(reads)[which]
