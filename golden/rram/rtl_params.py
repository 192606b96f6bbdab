"""``[rtl]`` of ``configs/rram.toml``: the small RTL instance of the seed-002 accelerator.

The paper's array is 8 x 8 x 8 (``[array]``); the RTL is parameterised by the same
dimensions but the simulated instance is smaller (``p``, ``n``, ``m`` here) so the cocotb
regressions stay fast.  Every other field sizes a memory or a register of the RTL, or models
the weight-buffer macro's timing (read latency and per-bank occupancy: the RRAM wait states).
The opcodes, register addresses and error codes of the command interface live here too, so
RTL, golden model and testbench share one definition.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from hymem.golden.config import ConfigError


class Opcode(enum.IntEnum):
    """``cmd.payload.op`` of the accelerator's command stream."""

    NOP = 0
    WRITE_REG = 1  # register ``reg`` <- ``value`` (idle only)
    START = 2  # validate the registers and run the tile (idle only)
    CLEAR_ERROR = 3  # error flag and error code <- 0 (any time)


class Reg(enum.IntEnum):
    """Tile registers written by ``WRITE_REG`` (``value`` is unsigned)."""

    IN_CH = 0  # C: input channels (the last group of m may be ragged)
    OUT_CH = 1  # M: output channels (the last group of n may be ragged)
    KERNEL = 2  # K (square kernel)
    STRIDE = 3  # 1 or 2
    IN_ROWS = 4  # H: input rows held in the I/O buffer (padding is not stored)
    IN_COLS = 5  # W: input columns
    OUT_ROWS = 6  # Ho
    OUT_COLS = 7  # Wo (the last pixel group of a row may be ragged)
    PAD_TOP = 8  # input rows of zero padding above the map
    PAD_LEFT = 9  # input columns of zero padding left of the map
    ORDER = 10  # :class:`Order`
    GROUPS = 11  # pixel-first: g pixel groups per block (acc depth 2g); 0 = no acc buffer
    CHAN_STRIDE = 12  # I/O-buffer words between input-channel groups
    ROW_STRIDE = 13  # I/O-buffer words between input rows
    PHASE_STRIDE = 14  # I/O-buffer words between the stride phases of one row (stride 2)
    WEIGHT_BASE = 15  # weight-buffer word of the tile's first weight tile
    PIXEL_GROUPS = 16  # 0: p pixels of one output row; 1: raster, across rows (loopnest.py)
    SHIFT = 17  # requantiser: arithmetic right shift of the biased sum, 0 .. acc_bits - 1
    RELU = 18  # requantiser: 1 = clamp negative int8 results to 0 (0 or 1)
    BIAS_BASE = 19  # bias-store word of the tile's first output-channel group


class LoadTarget(enum.IntEnum):
    """``load.payload.target``: the buffer a load word is written to."""

    IO = 0  # I/O-buffer RAM ``ram``, word ``addr``: m activations
    WEIGHT = 1  # weight-buffer word ``addr``: one n x m weight tile
    BIAS = 2  # bias-store word ``addr``: n biases of one output-channel group (aligned to the accumulator)


class Order(enum.IntEnum):
    KERNEL_FIRST = 0
    PIXEL_FIRST = 1


class ErrorCode(enum.IntEnum):
    """Why the last malformed command was refused (``error_code``; 0 = none)."""

    NONE = 0
    BAD_OPCODE = 1  # opcode not in :class:`Opcode`
    BAD_REGISTER = 2  # WRITE_REG to an address not in :class:`Reg`
    BUSY = 3  # WRITE_REG / START while a tile runs
    BAD_SHAPE = 4  # a count is 0, K, stride, g, order, padding or PIXEL_GROUPS above its limit, or raster unfit
    IO_RANGE = 5  # the tile reads past the I/O buffer
    WEIGHT_RANGE = 6  # the tile reads past the weight buffer
    BAD_REQUANT = 7  # SHIFT >= acc_bits or RELU > 1
    BIAS_RANGE = 8  # the tile's output-channel groups read past the bias store


@dataclass(frozen=True)
class RtlParams:
    """``[rtl]``: sizes of the simulated RTL instance (not paper values; see the TOML notes)."""

    p: int = 4  # pixels per group (I/O RAMs)
    n: int = 4  # output channels in parallel
    m: int = 4  # input channels per inner product
    io_depth: int = 2048  # words (m activations) per I/O RAM
    weight_depth: int = 2048  # weight words (m x n weights) in the weight buffer
    bias_depth: int = 256  # bias words (n int32 biases: one output-channel group) in the bias store
    weight_banks: int = 8  # interleaved banks (word a in bank a mod banks)
    weight_latency: int = 3  # cycles from a bank read issue to its data
    weight_bank_busy: int = 3  # cycles a bank is occupied by one read (1 = a read per cycle)
    weight_fifo_depth: int = 8  # prefetched weight words (reads in flight + queued)
    max_acc_depth: int = 16  # accumulation-buffer entries (2 g_max, ping-pong)
    max_kernel: int = 5
    max_stride: int = 2
    reg_bits: int = 16  # width of the tile registers and of the command value
    counter_width: int = 32

    def __post_init__(self):
        positive = (
            "p",
            "n",
            "m",
            "io_depth",
            "weight_depth",
            "bias_depth",
            "weight_banks",
            "weight_latency",
            "weight_bank_busy",
            "weight_fifo_depth",
            "max_kernel",
            "max_stride",
        )
        bad = [f"{k}={getattr(self, k)!r}" for k in positive if getattr(self, k) < 1]
        if bad:
            raise ConfigError(f"rtl: {', '.join(bad)} must be >= 1")
        if self.weight_banks & (self.weight_banks - 1):
            raise ConfigError(f"rtl.weight_banks={self.weight_banks}: must be a power of two")
        if self.weight_depth % self.weight_banks:
            raise ConfigError(
                f"rtl.weight_depth={self.weight_depth}: must be a multiple of "
                f"weight_banks={self.weight_banks}"
            )
        if self.max_acc_depth < 2 or self.max_acc_depth % 2:
            raise ConfigError(
                f"rtl.max_acc_depth={self.max_acc_depth}: must be even and >= 2 "
                "(two ping-pong halves of g_max entries)"
            )
        for name in ("p", "n", "m"):
            value = getattr(self, name)
            if value & (value - 1):
                raise ConfigError(f"rtl.{name}={value}: must be a power of two")
        if self.n % self.m:
            raise ConfigError(
                f"rtl: n={self.n} must be a multiple of m={self.m} "
                "(results are written as I/O words of m channels)"
            )
        if self.max_stride > 2:
            raise ConfigError(f"rtl.max_stride={self.max_stride}: the window path supports 1..2")
        if not 8 <= self.reg_bits <= 24:
            raise ConfigError(f"rtl.reg_bits={self.reg_bits}: must be in 8..24")
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"rtl.counter_width={self.counter_width}: must be in 8..64")

    @property
    def max_groups(self) -> int:
        """g_max: pixel groups one ping-pong half holds."""
        return self.max_acc_depth // 2

    @property
    def acc_depths(self) -> tuple[int, ...]:
        """Accumulation depths 2g the instance can run (g = 1 .. g_max)."""
        return tuple(2 * g for g in range(1, self.max_groups + 1))

    def array(self, array):
        """``array`` (an ``ArrayParams``) with this instance's p, n, m."""
        return replace(array, p=self.p, n=self.n, m=self.m)
