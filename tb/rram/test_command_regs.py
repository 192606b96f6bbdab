"""cocotb regression of ``rtl/rram/command_regs.py`` (command decoder, tile registers, START).

A Python model of the command interface written from its definition
(``golden.rram.rtl_params``: :class:`Opcode`, :class:`Reg`, :class:`ErrorCode`) checks every
command: the registers, the ``start`` pulse, the sticky ``error`` and its ``error_code``, and
the ``commands``/``bad_commands`` counters.  START's range checks are computed the direct
way: the input map's footprint is the largest address of any stored word, enumerated word by
word (``tb.rram.layout``'s storage rule with the register strides), the weight tiles
``weight_base + out_groups·in_groups·K²``, the bias words ``bias_base + out_groups``, and the
requantiser's SHIFT < acc_bits and RELU <= 1.  Directed boundaries (whatever the seed): the
last word of each buffer accepted, one past refused; the stride-2 odd-W map whose odd phase
ends a word below its even phase (accepted at the I/O buffer's end: the rule before this
fix refused it) and a one-column stride-2 map (no odd phase at all); a raster map at the I/O
buffer's end and one past, and each raster refusal.  Register values are drawn small so that
every limit and both buffer boundaries (the 16-word synthesis instance) are crossed often.
``PIXEL_GROUPS`` (0 row, 1 raster: stride 1 and Wo = W >= p, or BAD_SHAPE; raster maps
stored pixel j = y·W + x at word j div p) is drawn too, and 40 % of the real tiles are raster.
Variants: idle cycles between commands, and a ``busy`` controller (WRITE_REG and START
refused, CLEAR_ERROR still obeyed) on back-to-back commands.
"""

from __future__ import annotations

import math

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.rtl_params import ErrorCode, Opcode, Order, Reg
from hymem.golden.rram.rtl_timing import Tile
from hymem.tb.common.hdl import read, write
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.harness import start_block_bench
from hymem.tb.rram.layout import registers

COMMANDS = 400
COUNTS = (Reg.IN_CH, Reg.OUT_CH, Reg.KERNEL, Reg.STRIDE, Reg.IN_ROWS, Reg.IN_COLS,
          Reg.OUT_ROWS, Reg.OUT_COLS)


def io_footprint_last(regs: dict, rtl) -> int:
    """Largest I/O-buffer address of the stored input map (every channel group, row, column;
    raster pixel groups: pixel j = y·W + x at word j div p of its channel group)."""
    s, p = regs[Reg.STRIDE], rtl.p
    if regs[Reg.PIXEL_GROUPS] == 1:
        last_pixel = (regs[Reg.IN_ROWS] - 1) * regs[Reg.IN_COLS] + regs[Reg.IN_COLS] - 1  # (H-1, W-1)
        return (math.ceil(regs[Reg.IN_CH] / rtl.m) - 1) * regs[Reg.CHAN_STRIDE] + last_pixel // p
    col_part = max((c % s) * regs[Reg.PHASE_STRIDE] + (c // s) // p
                   for c in range(regs[Reg.IN_COLS]))
    groups = math.ceil(regs[Reg.IN_CH] / rtl.m)
    return ((groups - 1) * regs[Reg.CHAN_STRIDE] + (regs[Reg.IN_ROWS] - 1) * regs[Reg.ROW_STRIDE]
            + col_part)


def raster_ok(regs: dict, rtl) -> bool:
    """PIXEL_GROUPS is 0 (row) or 1 (raster, which needs stride 1 and Wo = W >= p)."""
    if regs[Reg.PIXEL_GROUPS] == 0:
        return True
    return (regs[Reg.PIXEL_GROUPS] == 1 and regs[Reg.STRIDE] == 1
            and regs[Reg.OUT_COLS] == regs[Reg.IN_COLS] >= rtl.p)


def start_error(regs: dict, rtl, acc_bits: int) -> ErrorCode:
    k = regs[Reg.KERNEL]
    shape_ok = (all(regs[r] for r in COUNTS) and k <= rtl.max_kernel
                and regs[Reg.STRIDE] <= rtl.max_stride and regs[Reg.GROUPS] <= rtl.max_groups
                and regs[Reg.ORDER] <= max(Order) and regs[Reg.PAD_TOP] < k
                and regs[Reg.PAD_LEFT] < k and raster_ok(regs, rtl))
    if not shape_ok:
        return ErrorCode.BAD_SHAPE
    if regs[Reg.SHIFT] >= acc_bits or regs[Reg.RELU] > 1:
        return ErrorCode.BAD_REQUANT
    if io_footprint_last(regs, rtl) >= rtl.io_depth:
        return ErrorCode.IO_RANGE
    out_groups = math.ceil(regs[Reg.OUT_CH] / rtl.n)
    tiles = out_groups * math.ceil(regs[Reg.IN_CH] / rtl.m) * k * k
    if regs[Reg.WEIGHT_BASE] + tiles > rtl.weight_depth:
        return ErrorCode.WEIGHT_RANGE
    if regs[Reg.BIAS_BASE] + out_groups > rtl.bias_depth:
        return ErrorCode.BIAS_RANGE
    return ErrorCode.NONE


class CommandModel:
    def __init__(self, rtl, acc_bits: int):
        self.rtl, self.acc_bits = rtl, acc_bits
        self.regs = {reg: 0 for reg in Reg}
        self.error, self.code, self.commands, self.bad = 0, ErrorCode.NONE, 0, 0
        self.refusals = {code: 0 for code in ErrorCode}

    def apply(self, op: int, reg: int, value: int, busy: int) -> int:
        """One accepted command; returns the ``start`` pulse."""
        code, start = ErrorCode.NONE, 0
        if op not in tuple(Opcode):
            code = ErrorCode.BAD_OPCODE
        elif op in (Opcode.WRITE_REG, Opcode.START) and busy:
            code = ErrorCode.BUSY
        elif op == Opcode.WRITE_REG:
            if reg in tuple(Reg):
                self.regs[Reg(reg)] = value
            else:
                code = ErrorCode.BAD_REGISTER
        elif op == Opcode.START:
            code = start_error(self.regs, self.rtl, self.acc_bits)
            start = int(code == ErrorCode.NONE)
        if code != ErrorCode.NONE:
            self.error, self.code, self.bad = 1, code, self.bad + 1
            self.refusals[code] += 1
        else:
            self.commands += 1
        if op == Opcode.CLEAR_ERROR:
            self.error, self.code = 0, ErrorCode.NONE
        return start


def small_value(rng, reg: Reg, rtl) -> int:
    """A register value near the limits: small counts, 0 now and then, strides of a few words."""
    if reg == Reg.PIXEL_GROUPS:
        return int(rng.integers(0, 3))
    if reg in (Reg.CHAN_STRIDE, Reg.ROW_STRIDE, Reg.PHASE_STRIDE, Reg.WEIGHT_BASE, Reg.BIAS_BASE):
        return int(rng.integers(0, 9)) if reg != Reg.BIAS_BASE else int(rng.integers(0, 17))
    if reg == Reg.SHIFT:
        return int(rng.integers(0, 40))
    if reg == Reg.RELU:
        return int(rng.integers(0, 3))
    if reg == Reg.IN_CH or reg == Reg.OUT_CH:
        return int(rng.integers(0, 3 * rtl.m))
    return int(rng.integers(0, 7)) if rng.random() < 0.9 else int(rng.integers(0, 1 << 16))


def tile_program(rng, rtl) -> list[tuple[int, int, int]]:
    """WRITE_REGs of a small real tile laid out as ``tb.rram.layout`` stores it, then START:
    most fit the 16-word buffers, some just do not."""
    k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    h, w = int(rng.integers(k, k + 4)), int(rng.integers(max(k, 2), 2 * rtl.p + 3))
    pad = int(rng.integers(0, k))
    raster = rng.random() < 0.4  # raster pixel groups: stride 1, 'same' width, >= p columns
    pads = (pad, pad, pad, k - 1 - pad) if raster else (pad, pad, pad, pad)
    s, w = (1, max(w, rtl.p)) if raster else (s, w)
    tile = Tile(int(rng.integers(1, 2 * rtl.m + 1)), int(rng.integers(1, 2 * rtl.n + 1)), k, s,
                h, w, pads, Order(int(rng.integers(2))), int(rng.integers(0, 3)),
                "raster" if raster else "row")
    regs = registers(tile, rtl, weight_base=int(rng.integers(0, 4)), bias_base=int(rng.integers(0, 16)))
    program = [(Opcode.WRITE_REG, int(reg), value) for reg, value in regs.items()]
    return program + [(Opcode.START, 0, 0)]


def boundary_programs(rng, rtl, acc_bits: int) -> list[tuple[int, int, int]]:
    """Tiles that end exactly at the last word of each buffer (accepted) and one word past it
    (IO_RANGE, WEIGHT_RANGE, BIAS_RANGE), whatever the seed: a 1 x 2 map at stride 2, whose
    last word is its odd phase's first (``PHASE_STRIDE``), a 1 x 1 kernel's single weight tile
    and bias word; SHIFT and RELU at their limits and one above (BAD_REQUANT)."""
    tile = Tile(rtl.m, rtl.n, 1, 2, 1, 2, (0, 0, 0, 0), Order(int(rng.integers(2))), 1)
    base = [(Opcode.WRITE_REG, int(reg), v) for reg, v in registers(tile, rtl).items()]
    start = (Opcode.START, 0, 0)
    phase, weight, bias = int(Reg.PHASE_STRIDE), int(Reg.WEIGHT_BASE), int(Reg.BIAS_BASE)
    shift, relu = int(Reg.SHIFT), int(Reg.RELU)
    return base + [
        (Opcode.WRITE_REG, phase, rtl.io_depth - 1), start,        # last I/O word: accepted
        (Opcode.WRITE_REG, phase, rtl.io_depth), start,            # one past: IO_RANGE
        (Opcode.WRITE_REG, phase, 1),
        (Opcode.WRITE_REG, weight, rtl.weight_depth - 1), start,   # last weight tile: accepted
        (Opcode.WRITE_REG, weight, rtl.weight_depth), start,       # one past: WEIGHT_RANGE
        (Opcode.WRITE_REG, weight, 0),
        (Opcode.WRITE_REG, bias, rtl.bias_depth - 1), start,       # last bias word: accepted
        (Opcode.WRITE_REG, bias, rtl.bias_depth), start,           # one past: BIAS_RANGE
        (Opcode.WRITE_REG, bias, 0),
        (Opcode.WRITE_REG, shift, acc_bits - 1), (Opcode.WRITE_REG, relu, 1), start,  # accepted
        (Opcode.WRITE_REG, shift, acc_bits), start,                # BAD_REQUANT
        (Opcode.WRITE_REG, shift, 0), (Opcode.WRITE_REG, relu, 2), start,  # BAD_REQUANT
        (Opcode.WRITE_REG, relu, 0),
        (Opcode.CLEAR_ERROR, 0, 0),
    ] + odd_width_programs(rng, rtl) + raster_programs(rng, rtl)


def odd_width_programs(rng, rtl) -> list[tuple[int, int, int]]:
    """Stride 2, W = 2p + 1: the even phase holds columns 0, 2, .., 2p (p + 1 of them: words 0
    and 1), the odd phase columns 1, .., 2p - 1 (word 0 only), so with PHASE_STRIDE =
    io_depth - 1 the map ends exactly on the last word and is accepted; the rule before
    (PHASE_STRIDE + the even phase's last word) refused it.  Then W = 1 at stride 2: no odd
    column, PHASE_STRIDE past the buffer does not matter.  Last, W = 2p + 1 one word past."""
    order = Order(int(rng.integers(2)))
    start, phase = (Opcode.START, 0, 0), int(Reg.PHASE_STRIDE)
    program = []
    for width, accepted_phase in ((1, rtl.io_depth), (2 * rtl.p + 1, rtl.io_depth - 1)):
        tile = Tile(rtl.m, rtl.n, 1, 2, 1, width, (0, 0, 0, 0), order, 1)
        program += [(Opcode.WRITE_REG, int(reg), v) for reg, v in registers(tile, rtl).items()]
        program += [(Opcode.WRITE_REG, phase, accepted_phase), start]
    program += [(Opcode.WRITE_REG, phase, rtl.io_depth), start, (Opcode.CLEAR_ERROR, 0, 0)]
    return program


def raster_programs(rng, rtl) -> list[tuple[int, int, int]]:
    """Raster pixel groups: a 2 x p map of two channel groups (pixel j at word j div p: one word
    per row) ends at CHAN_STRIDE + 1, accepted with CHAN_STRIDE = io_depth - 2 whatever
    PHASE_STRIDE and ROW_STRIDE say (raster does not use them), IO_RANGE one word further;
    then each raster refusal (BAD_SHAPE): stride 2, Wo != W, W < p, PIXEL_GROUPS 2."""
    tile = Tile(2 * rtl.m, rtl.n, 1, 1, 2, rtl.p, (0, 0, 0, 0), Order(int(rng.integers(2))), 1, "raster")
    start = (Opcode.START, 0, 0)
    chan, cols, out_cols = int(Reg.CHAN_STRIDE), int(Reg.IN_COLS), int(Reg.OUT_COLS)
    program = [(Opcode.WRITE_REG, int(reg), v) for reg, v in registers(tile, rtl).items()]
    program += [
        (Opcode.WRITE_REG, int(Reg.PHASE_STRIDE), rtl.io_depth), (Opcode.WRITE_REG, int(Reg.ROW_STRIDE), rtl.io_depth),
        (Opcode.WRITE_REG, chan, rtl.io_depth - 2), start,          # last I/O word: accepted
        (Opcode.WRITE_REG, chan, rtl.io_depth - 1), start,          # one past: IO_RANGE
        (Opcode.WRITE_REG, chan, 1),
        (Opcode.WRITE_REG, int(Reg.STRIDE), 2), start,              # BAD_SHAPE
        (Opcode.WRITE_REG, int(Reg.STRIDE), 1),
        (Opcode.WRITE_REG, out_cols, rtl.p - 1), start,             # Wo != W: BAD_SHAPE
        (Opcode.WRITE_REG, cols, rtl.p - 1), start,                 # Wo = W < p: BAD_SHAPE
        (Opcode.WRITE_REG, cols, rtl.p), (Opcode.WRITE_REG, out_cols, rtl.p),
        (Opcode.WRITE_REG, int(Reg.PIXEL_GROUPS), 2), start,        # BAD_SHAPE
        (Opcode.WRITE_REG, int(Reg.PIXEL_GROUPS), 1), start,        # accepted again
        (Opcode.CLEAR_ERROR, 0, 0),
    ]
    return program


def random_commands(rng, rtl, acc_bits: int) -> list[tuple[int, int, int, bool]]:
    """(op, reg, value, directed): directed commands run on an idle controller."""
    commands = [(*c, True) for c in boundary_programs(rng, rtl, acc_bits)]
    while len(commands) < COMMANDS:
        if rng.random() < 0.04:
            commands += [(*c, False) for c in tile_program(rng, rtl)]
        else:
            commands.append((*random_command(rng, rtl), False))
    return commands


def random_command(rng, rtl) -> tuple[int, int, int]:
    draw = rng.random()
    if draw < 0.65:
        reg = int(rng.integers(len(Reg))) if rng.random() < 0.95 else int(rng.integers(len(Reg), 32))
        value = small_value(rng, Reg(reg), rtl) if reg < len(Reg) else 1
        return Opcode.WRITE_REG, reg, value
    if draw < 0.88:
        return Opcode.START, 0, 0
    if draw < 0.94:
        return Opcode.CLEAR_ERROR, 0, 0
    return int(rng.choice([Opcode.NOP, 4, 5, 6, 7])), 0, 0


async def run(dut, name: str, idle: float, busy_prob: float):
    component, rng = await start_block_bench(dut, name, [("cmd", "valid"), ("busy",)])
    rtl = component.rtl
    model = CommandModel(rtl, component.acc_bits)
    c0 = {k: read(dut, component, "counters", k) for k in ("commands", "bad_commands")}
    wrong, starts, done = [], 0, [0]
    dog = Watchdog(lambda: done[0], 50, name).start()
    commands = random_commands(rng, rtl, component.acc_bits)
    for k, (op, reg, value, directed) in enumerate(commands):
        while rng.random() < idle:
            write(dut, component, "cmd", "valid", value=0)
            await RisingEdge(dut.clk)
        busy = int(not directed and rng.random() < busy_prob)
        write(dut, component, "cmd", "valid", value=1)
        write(dut, component, "cmd", "payload", value={"op": op, "reg": reg, "value": value})
        write(dut, component, "busy", value=busy)
        await ReadOnly()
        want_start = model.apply(op, reg, value, busy)
        starts += want_start
        if read(dut, component, "cmd", "ready") != 1 or read(dut, component, "start") != want_start:
            wrong.append((k, "start", op, read(dut, component, "start"), want_start, dict(model.regs)))
        await RisingEdge(dut.clk)
        write(dut, component, "cmd", "valid", value=0)
        await ReadOnly()
        tile = read(dut, component, "tile")
        got = (read(dut, component, "error"), read(dut, component, "error_code"))
        if got != (model.error, int(model.code)):
            wrong.append((k, "error", op, got, (model.error, int(model.code))))
        if any(tile[reg.name.lower()] != model.regs[reg] for reg in Reg):
            wrong.append((k, "registers", op))
        await RisingEdge(dut.clk)
        done[0] += 1
    dog.stop()
    assert not wrong, f"{name}: {len(wrong)} wrong, first {wrong[:3]}"
    width = rtl.counter_width
    got = {k: (read(dut, component, "counters", k) - c0[k]) % (1 << width) for k in c0}
    assert got == {"commands": model.commands, "bad_commands": model.bad}, f"{name}: counters {got}"
    dut._log.info(f"{name}: {len(commands)} commands, {starts} tiles started, {model.bad} refused")
    assert starts > 0, f"{name}: no START was valid (the draw does not exercise the checks)"
    crossed = (ErrorCode.IO_RANGE, ErrorCode.WEIGHT_RANGE, ErrorCode.BIAS_RANGE, ErrorCode.BAD_REQUANT)
    assert all(model.refusals[code] for code in crossed), (
        f"{name}: the draw crossed not every boundary: {model.refusals}")


@cocotb.test()
async def idle_cycles(dut):
    await run(dut, "idle", idle=0.3, busy_prob=0.0)


@cocotb.test()
async def busy_back_to_back(dut):
    await run(dut, "busy", idle=0.0, busy_prob=0.3)
