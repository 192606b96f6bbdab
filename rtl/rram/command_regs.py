"""Command decoder and tile registers of the RRAM accelerator's controller."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.rram.rtl_params import ErrorCode, Opcode, Order, Reg, RtlParams
from hymem.rtl.rram.tile import derived, tile_layout


def command_layout(rtl: RtlParams) -> data.StructLayout:
    return data.StructLayout({"op": 3, "reg": 5, "value": rtl.reg_bits})


class CommandRegs(wiring.Component):
    """Decodes the command stream into tile registers, a start pulse and an error flag.

    Commands (:class:`Opcode`) are accepted one per cycle, always (``cmd.ready`` is 1).  A
    malformed one changes nothing but the error state: ``error`` goes high (sticky until
    ``CLEAR_ERROR``), ``error_code`` says why (:class:`ErrorCode`) and ``bad_commands``
    counts it; the controller stays usable.  START checks the registers before the tile
    runs: every count >= 1; K, stride, g and order within the instance; padding below K;
    raster pixel groups only where they work (stride 1, out_cols = in_cols >= p); the
    requantiser's SHIFT below ``acc_bits`` and RELU 0 or 1; the input map (every channel
    group, row, stride phase), the tile's weight tiles and its output-channel groups' bias
    words inside the buffers.

    Parameters
    ----------
    rtl : RtlParams
    acc_bits : int
        Accumulator width (SHIFT must be below it).

    Members
    -------
    cmd : In(stream.Signature(command_layout))
        {op, reg, value}.
    busy : In(1)
        A tile runs (WRITE_REG and START are refused).
    tile : Out(tile_layout)
        The registers.
    start : Out(1)
        A valid START was accepted this cycle (the tile runs from the next cycle).
    error : Out(1)
        Sticky: a malformed command was refused.
    error_code : Out(range(len(ErrorCode)))
        The reason of the latest refusal.
    counters.commands, counters.bad_commands : Out(counter_width)
        Commands accepted, commands refused.

    Latency and throughput
    ----------------------
    One command per cycle; a register written in cycle t is visible in t + 1.
    """

    def __init__(self, rtl: RtlParams, acc_bits: int = 32):
        self.rtl, self.acc_bits = rtl, acc_bits
        super().__init__(
            {
                "cmd": In(stream.Signature(command_layout(rtl))),
                "busy": In(1),
                "tile": Out(tile_layout(rtl)),
                "start": Out(1),
                "error": Out(1),
                "error_code": Out(range(len(ErrorCode))),
                "counters": Out(
                    wiring.Signature(
                        {k: Out(rtl.counter_width) for k in ("commands", "bad_commands")}
                    )
                ),
            }
        )

    def shape_ok(self, mod):
        """Every register within its limits (combinational)."""
        t, r = self.tile, self.rtl
        ok = Signal()
        nonzero = [
            t.in_ch,
            t.out_ch,
            t.kernel,
            t.stride,
            t.in_rows,
            t.in_cols,
            t.out_rows,
            t.out_cols,
        ]
        mod.d.comb += ok.eq(
            Cat(v != 0 for v in nonzero).all()
            & (t.kernel <= r.max_kernel)
            & (t.stride <= r.max_stride)
            & (t.groups <= r.max_groups)
            & (t.order <= max(Order))
            & (t.pad_top < t.kernel)
            & (t.pad_left < t.kernel)
            & self.raster_ok()
        )
        return ok

    def raster_ok(self):
        """Raster pixel groups (PIXEL_GROUPS = 1) need stride 1 and out_cols = in_cols >= p
        (``golden.rram.loopnest.raster_blocker``); PIXEL_GROUPS is 0 or 1."""
        t = self.tile
        fits = (t.stride == 1) & (t.out_cols == t.in_cols) & (t.out_cols >= self.rtl.p)
        return (t.pixel_groups <= 1) & (~t.pixel_groups[0] | fits)

    def io_last(self, mod, d):
        """The largest I/O-buffer address of the input map (see ``WindowSelect``): the last
        word of the last channel group.  Raster pixel groups (stride 1 only): pixel H·W - 1's
        word, ``(H·W - 1) div p``.  Row groups, in the last row: stride 1, column W-1's word; stride
        2, the higher of the even phase's last word (column W-1 or W-2, ``((W-1) >> 1) div p``)
        and the odd phase's (``PHASE_STRIDE + ((W-2) >> 1) div p``, only when W >= 2): for odd
        W the odd phase can end a word lower than the even one."""
        t, r = self.tile, self.rtl
        two = t.stride == 2
        lg = exact_log2(r.p)
        even, odd = Signal(r.reg_bits, name="io_last_even"), Signal(r.reg_bits + 1, name="io_last_odd")
        col = Signal(r.reg_bits + 1, name="io_last_col")
        mod.d.comb += [
            even.eq(((t.in_cols - 1) >> two) >> lg),
            odd.eq(t.phase_stride + (((t.in_cols - 2) >> 1) >> lg)),
            col.eq(Mux(two & (t.in_cols >= 2) & (odd > even), odd, even)),
        ]
        in_map = Mux(  # the map's last word in its channel group
            t.pixel_groups[0],
            (t.in_rows * t.in_cols - 1) >> lg,
            (t.in_rows - 1) * t.row_stride + col,
        )
        last = Signal(4 * r.reg_bits + 4)
        mod.d.comb += last.eq((d["in_groups"] - 1) * t.chan_stride + in_map)
        return last

    def requant_ok(self, mod):
        """SHIFT below the accumulator width and RELU a bit (combinational)."""
        t, ok = self.tile, Signal()
        mod.d.comb += ok.eq((t.shift < self.acc_bits) & (t.relu <= 1))
        return ok

    def elaborate(self, platform):
        mod = Module()
        cmd, t, r = self.cmd, self.tile, self.rtl
        op, value = cmd.payload.op, cmd.payload.value
        d = derived(mod, t, r, "regs_")
        shape_ok = self.shape_ok(mod)
        requant_ok = self.requant_ok(mod)
        io_last = self.io_last(mod, d)
        bias_end = Signal(r.reg_bits + 1)
        mod.d.comb += bias_end.eq(t.bias_base + d["out_groups"])
        weight_end = Signal(4 * r.reg_bits + 6)
        mod.d.comb += weight_end.eq(
            t.weight_base + d["out_groups"] * d["in_groups"] * t.kernel * t.kernel
        )
        code = Signal(range(len(ErrorCode)))
        mod.d.comb += cmd.ready.eq(1)
        with mod.If(cmd.valid):
            with mod.Switch(op):
                with mod.Case(Opcode.NOP, Opcode.CLEAR_ERROR):
                    pass
                with mod.Case(Opcode.WRITE_REG, Opcode.START), mod.If(self.busy):
                    mod.d.comb += code.eq(ErrorCode.BUSY)
                with mod.Default():
                    mod.d.comb += code.eq(ErrorCode.BAD_OPCODE)
            with mod.If((op == Opcode.WRITE_REG) & ~self.busy):
                for reg in Reg:     # one comparison per register: no incomplete case in Verilog
                    with mod.If(cmd.payload.reg == reg):
                        mod.d.sync += getattr(t, reg.name.lower()).eq(value)
                with mod.If(cmd.payload.reg >= len(Reg)):
                    mod.d.comb += code.eq(ErrorCode.BAD_REGISTER)
            with mod.If((op == Opcode.START) & ~self.busy):
                with mod.If(~shape_ok):
                    mod.d.comb += code.eq(ErrorCode.BAD_SHAPE)
                with mod.Elif(~requant_ok):
                    mod.d.comb += code.eq(ErrorCode.BAD_REQUANT)
                with mod.Elif(io_last >= r.io_depth):
                    mod.d.comb += code.eq(ErrorCode.IO_RANGE)
                with mod.Elif(weight_end > r.weight_depth):
                    mod.d.comb += code.eq(ErrorCode.WEIGHT_RANGE)
                with mod.Elif(bias_end > r.bias_depth):
                    mod.d.comb += code.eq(ErrorCode.BIAS_RANGE)
                with mod.Else():
                    mod.d.comb += self.start.eq(1)
            c = self.counters
            with mod.If(code != ErrorCode.NONE):
                mod.d.sync += [
                    self.error.eq(1),
                    self.error_code.eq(code),
                    c.bad_commands.eq(c.bad_commands + 1),
                ]
            with mod.Else():
                mod.d.sync += c.commands.eq(c.commands + 1)
            with mod.If(op == Opcode.CLEAR_ERROR):
                mod.d.sync += [self.error.eq(0), self.error_code.eq(ErrorCode.NONE)]
        return mod
