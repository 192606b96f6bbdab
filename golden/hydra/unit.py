"""Golden twin of ``rtl/hydra/unit.py``: one Hydra unit (one input channel).

*Interface* shared with the RTL and the testbench (op codes: ``golden.hydra.params.HydraOp``): the
register stack's indices, and :class:`UnitGeometry` (buffer sizes in words and
values, derived from ``[system]``, ``[fixed]`` and ``[unit]`` of hydra.toml).

*Functional* (bit-exact): :func:`unit_outputs` — the output buffer's entries
after a START, from the activation tile, the weights and the register stack.

*Cost*: :func:`golden.hydra.cycles.job_cycles` (cycles and every counter).

A job (one START) computes, for one input channel held in the activation
buffer (AB, ``in_h × in_w`` values, row-major from value 0) and ``m_count``
output channels' K×K kernels in the weight buffer (WB, ``m*K*K + ky*K + kx``),
the ``out_h × out_w`` outputs of each output channel:

``conv`` / ``fc``  ``bias·2^frac + Σ_{ky,kx} W[m,ky,kx] · A[oy·s+ky-pt, ox·s+kx-pl]``
                   in the accumulator (``acc_width`` bits, wrapping), positions
                   outside the tile read 0 (padding);  ``fc`` is the same datapath
                   (a fully connected layer runs as 1×1 convolutions of 1×1 inputs);
``maxpool``        ``max_{ky,kx} A[…]`` with out-of-tile positions reading the most
                   negative value (PyTorch's -inf padding), sign-extended.

With the ``accumulate`` register set, a conv/fc job adds each result to the
output-buffer entry it replaces (wrapping): a unit sums the partials of the
input channels it is given one after the other, so the system READs a chunk
once, after its last pass, instead of after every pass.

Entry ``e = m * P + p`` of the output (``P = out_h·out_w``, ``p = oy·out_w + ox``)
is what READ returns as the ``e``-th beat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hymem.golden.fixed import FixedFormat, bias_to_acc, wrap
from hymem.golden.hydra.params import CMD_FIELD_BITS

# Register-stack indices (SET_REG addr); the op codes are golden.hydra.params.HydraOp.
REGISTERS = ("mode", "in_h", "in_w", "out_h", "out_w", "kernel", "stride", "pad_top", "pad_left",
             "m_count", "bias", "shift", "accumulate")
MODES = ("conv", "maxpool", "fc")
REG_WIDTH = CMD_FIELD_BITS  # the params module checks the buffers fit these fields
UNIT_COUNTERS = ("cycles", "macs", "mac_busy_cycles", "ab_reads", "ab_writes", "wb_reads", "wb_writes",
                 "ob_reads", "ob_writes", "write_cmds", "read_cmds", "bits_in", "bits_out", "errors")


class UnitConfigError(ValueError):
    """A [unit] configuration the RTL cannot be built from."""


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@dataclass(frozen=True)
class UnitGeometry:
    """Sizes of one unit's buffers, derived from the config (one place for RTL, golden and tb)."""

    n_macs: int
    width: int
    acc_width: int
    bus_width: int
    ab_words: int
    wb_words: int
    ob_words: int
    max_kernel: int
    n_banks: int = 1   # 2 with [system] overlap: AB, WB and OB double-buffered (sizes per bank)
    rau_entries: int = 1  # [system] rau_entries: OB entries a READ moves per cycle
    scan_values: int = 1  # [unit] scan_values: activations the fill engine scans per cycle (V)

    @classmethod
    def from_config(cls, config) -> UnitGeometry:
        u, n, fmt = config.unit, config.system.n_macs, config.fixed
        if not _is_pow2(n):
            raise UnitConfigError(f"system.n_macs={n}: the unit needs a power of two (lane = position mod n_macs)")
        if u.bus_width % fmt.width or not _is_pow2(u.bus_width // fmt.width):
            raise UnitConfigError(f"unit.bus_width={u.bus_width}: must hold a power-of-two number of "
                                  f"{fmt.width}-bit values")
        for name in ("ab_bytes_per_mac", "wb_bytes_per_mac"):
            if (getattr(u, name) * 8 * n) % u.bus_width:
                raise UnitConfigError(f"unit.{name}={getattr(u, name)} x {n} MACs is not a whole number of "
                                      f"{u.bus_width}-bit words")
        if u.max_kernel >= 1 << 4:
            raise UnitConfigError(f"unit.max_kernel={u.max_kernel}: must be < 16")
        per_word = u.bus_width // fmt.width
        if not _is_pow2(u.scan_values) or u.scan_values > per_word:
            raise UnitConfigError(f"unit.scan_values={u.scan_values}: must be a power of two <= the "
                                  f"{per_word} values of a {u.bus_width}-bit bus word (the AB's value banks)")
        return cls(n_macs=n, width=fmt.width, acc_width=fmt.acc_width, bus_width=u.bus_width,
                   ab_words=u.ab_bytes_per_mac * 8 * n // u.bus_width,
                   wb_words=u.wb_bytes_per_mac * 8 * n // u.bus_width,
                   ob_words=u.ob_words, max_kernel=u.max_kernel,
                   n_banks=2 if config.system.overlap else 1,
                   rau_entries=config.system.rau_entries, scan_values=u.scan_values)

    @property
    def values_per_word(self) -> int:
        return self.bus_width // self.width

    @property
    def ab_values(self) -> int:
        return self.ab_words * self.values_per_word

    @property
    def wb_values(self) -> int:
        return self.wb_words * self.values_per_word

    @property
    def window_row_bits(self) -> int:
        """Address bits of a window row (0 .. max_kernel - 1)."""
        return math.ceil(math.log2(self.max_kernel))

    @property
    def window_col_bits(self) -> int:
        """Address bits of a window column within one of the V column-interleaved window memories:
        memory j holds the columns dx whose input column is j modulo V, at dx // V."""
        return math.ceil(math.log2(math.ceil(self.max_kernel / self.scan_values)))


@dataclass(frozen=True)
class UnitJob:
    """The register stack of one START (values as written with SET_REG)."""

    mode: int
    in_h: int
    in_w: int
    out_h: int
    out_w: int
    kernel: int
    stride: int
    pad_top: int
    pad_left: int
    m_count: int
    bias: int = 0
    shift: int = 8   # Q-format shift of the final requantization (done by the system's RAU)
    accumulate: int = 0  # conv/fc: add each result to the output-buffer entry it replaces (0 / 1)

    @property
    def positions(self) -> int:
        return self.out_h * self.out_w

    @property
    def taps(self) -> int:
        return self.kernel * self.kernel

    @property
    def is_pool(self) -> bool:
        return self.mode == MODES.index("maxpool")

    @property
    def accumulates(self) -> bool:
        """Results are added to the output buffer's previous entries (conv/fc with ``accumulate``)."""
        return bool(self.accumulate) and not self.is_pool

    @property
    def channels(self) -> int:
        """Output channels computed: ``m_count`` (one for max-pool)."""
        return 1 if self.is_pool else self.m_count

    def groups(self, n_macs: int) -> int:
        return -(-self.positions // n_macs)

    def register_values(self) -> list[tuple[int, int]]:
        """``(register index, 16-bit value)`` in SET_REG order."""
        return [(i, getattr(self, name) & ((1 << REG_WIDTH) - 1)) for i, name in enumerate(REGISTERS)]


def read_transfers(entries: int, positions: int, rau_entries: int) -> int:
    """Transfers (cycles of the READ path) of a READ of ``entries`` entries, ``positions`` (P) per
    channel, ``rau_entries`` (R) per transfer: a transfer moves up to R consecutive entries of one
    channel from one output-buffer word (N a multiple of R), so each channel's last transfer is
    partial when R does not divide P, as is the READ's last when R does not divide its entries."""
    full, rest = divmod(entries, positions)
    return full * -(-positions // rau_entries) + -(-rest // rau_entries)


def job_error(job: UnitJob, geo: UnitGeometry) -> str | None:
    """Why the RTL raises ``error`` at START for this register stack, or None (RTL mirrors this)."""
    if job.mode >= len(MODES):
        return f"mode {job.mode} unknown; valid: {', '.join(f'{i}={m}' for i, m in enumerate(MODES))}"
    if job.stride == 0:
        return "stride 0"
    if job.shift >= geo.acc_width:
        return f"Q-format shift {job.shift} >= accumulator width {geo.acc_width}"
    if not 1 <= job.kernel <= geo.max_kernel:
        return f"kernel {job.kernel} outside 1..{geo.max_kernel} (window buffer size)"
    if job.out_h == 0 or job.out_w == 0:
        return f"empty output {job.out_h}x{job.out_w}"
    if job.in_h * job.in_w > geo.ab_values:
        return f"input tile {job.in_h}x{job.in_w} exceeds the activation buffer ({geo.ab_values} values)"
    if not job.is_pool and (job.m_count == 0 or job.m_count * job.taps > geo.wb_values):
        return f"{job.m_count} kernels of {job.kernel}x{job.kernel} exceed the weight buffer ({geo.wb_values} values)"
    if job.channels * job.groups(geo.n_macs) > geo.ob_words:
        return f"{job.channels} x {job.groups(geo.n_macs)} output words exceed the output buffer ({geo.ob_words})"
    return None


def window_gather(tile: np.ndarray, job: UnitJob, pad_value: int) -> np.ndarray:
    """``[P, K*K]`` activations under each output position's window (padding = ``pad_value``)."""
    k, s = job.kernel, job.stride
    oy, ox = np.divmod(np.arange(job.positions), job.out_w)
    ky, kx = np.divmod(np.arange(job.taps), k)
    y = (oy * s - job.pad_top)[:, None] + ky[None, :]
    x = (ox * s - job.pad_left)[:, None] + kx[None, :]
    inside = (y >= 0) & (y < job.in_h) & (x >= 0) & (x < job.in_w)
    flat = np.where(inside, y * job.in_w + x, 0)
    return np.where(inside, tile.reshape(-1)[flat], pad_value).astype(np.int64)


def unit_outputs(tile, weights, job: UnitJob, fmt: FixedFormat, previous=None) -> np.ndarray:
    """Output-buffer entries ``[channels * P]`` (``e = m*P + p``) of one job, bit-exact.

    ``tile``: the ``in_h × in_w`` activations; ``weights``: ``m_count × K × K``
    (ignored for max-pool).  Values are signed integers of the fixed format.
    ``previous``: the entries before the job, added when ``job.accumulates``.
    """
    tile = np.asarray(tile, dtype=np.int64).reshape(job.in_h, job.in_w)
    if job.is_pool:
        return window_gather(tile, job, fmt.min_value).max(axis=1)
    windows = window_gather(tile, job, 0)                                   # [P, KK]
    w = np.asarray(weights, dtype=np.int64).reshape(job.m_count, job.taps)  # [M, KK]
    # |w*a| < 2^30 and KK <= 225: the int64 sums are exact; one wrap equals the register's.
    sums = (w @ windows.T + bias_to_acc(job.bias, fmt)).reshape(-1)
    if job.accumulates:
        if previous is None:
            raise ValueError("an accumulating job needs the output buffer's previous entries")
        sums = sums + np.asarray(previous, dtype=np.int64)
    return wrap(sums, fmt.acc_width)
