"""Cycle and event-count model of the Hydra RTL (``rtl/hydra/unit.py``, ``rtl/hydra/system.py``), exact.

Three levels:

* :func:`job_cycles` — one START of one unit: its cycle count and every
  counter of the unit's ``counters`` member, in closed form (checked for
  equality against the RTL by ``tb/hydra/test_unit.py``);
* :func:`system_job_cycles` — one layer job on the system top as a host drives
  it (one command at a time: WRITEs to all active units in parallel, WRITE_BIAS,
  SET_REG × 13, START, READ through the RAU), with ideal memory; checked cycle
  for cycle against the RTL by ``tb/hydra/test_system.py``;
* :func:`layer_cycles` — a whole zoo layer (``golden.workloads.Layer``) on the
  configured system: the layer is split into jobs (row tiles × output-channel
  chunks × passes of ``n_units`` input channels, see :func:`layer_jobs`), every
  job runs on all units in parallel, one input channel per unit, and costs
  :func:`system_job_cycles`.  This is the public entry point for the
  memory/frame model: ``layer_cycles(layer, config) -> LayerCycles``.

With ``[system] overlap`` (the default) a layer's commands are streamed and the system runs the
next job's loads and the previous jobs' READs while a START computes:
:func:`overlapped_cycles` follows the system's in-order dispatcher, the units and the read
engine cycle for cycle (``docs/hydra.md``, "Overlapped schedule"); ``system_job_cycles`` is
the serial schedule (``overlap = false``).

Closed form of one job (N MACs, P = out_h·out_w positions, G = ceil(P/N)
groups, T = channels·K² pairs per lane per group, n = MAC multiply cycles):

    cycles = 2 + (F_0 + 1) + Σ_{g=1}^{G-1} (max(F_g, C) + 1) + (C + 1)
    F_g    = W_g + rows_g · ceil(cols_g / V) + 2      fill: wait for the lanes, box, scan, drain
    C      = T + 4 (pipelined MAC) | T·n + 5 (sequential) | T + 3 (max-pool)

where ``rows_g × cols_g`` is the bounding box of group g's windows, V = ``[unit] scan_values``
(the fill engine reads V consecutive values of a box row per cycle; a row's last step may be
partial) and W_g the wait for the lane assigner, which gives the N lanes their positions one per
cycle while the previous group scans and computes (W_0 = N + 1; :func:`fill_phases`).
``ab_reads`` counts activation *values* read (one value-bank read each; padding reads nothing), so it
does not depend on V.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from hymem.golden.hydra.jobs import READ_FIRST, READ_LAST, READ_POOL, LayerJob, bias_words
from hymem.golden.hydra.mac import booth_iterations
from hymem.golden.hydra.unit import (
    MODES,
    REGISTERS,
    UNIT_COUNTERS,
    UnitGeometry,
    UnitJob,
    job_error,
    read_transfers,
)
from hymem.golden.workloads.layers import Layer

CHECK_CYCLES = 2


class UnsupportedLayer(ValueError):
    """A layer the Hydra RTL cannot run (the message says which constraint fails)."""


def group_boxes(job: UnitJob, n_macs: int, scan_values: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per group: (scan steps of the fill engine over the box, in-tile positions among them).

    A step reads up to ``scan_values`` consecutive values of one box row: rows × ceil(cols / V) steps."""
    p = np.arange(job.positions)
    oy, ox = np.divmod(p, job.out_w)
    by = oy * job.stride - job.pad_top
    bx = ox * job.stride - job.pad_left
    starts = np.arange(0, job.positions, n_macs)
    ends = np.minimum(starts + n_macs, job.positions) - 1
    y_lo, y_hi = by[starts], by[ends] + job.kernel - 1
    x_lo = np.minimum.reduceat(bx, starts)
    x_hi = np.maximum.reduceat(bx, starts) + job.kernel - 1
    steps = (y_hi - y_lo + 1) * -(-(x_hi - x_lo + 1) // scan_values)
    rows_in = np.clip(np.minimum(y_hi, job.in_h - 1) - np.maximum(y_lo, 0) + 1, 0, None)
    cols_in = np.clip(np.minimum(x_hi, job.in_w - 1) - np.maximum(x_lo, 0) + 1, 0, None)
    return steps, rows_in * cols_in


def fill_phases(steps: np.ndarray, n_macs: int, compute: int) -> list[int]:
    """Cycles of phases 0 … G-1 (phase g fills group g while group g-1 computes).

    The fill engine's lane assigner gives the N lanes their positions one lane per cycle into
    shadow bases; it starts at the START's check (group 0) and, for group g, in the cycle the
    fill engine takes group g-1's bases, so it runs while group g-1 scans and computes.  A fill
    waits for its group's assignment (ready N + 1 cycles after the assigner starts), then scans
    (BOX, the steps, DRAIN): F_g = wait_g + steps_g + 2.  A phase lasts max(F_g, C) + 1 (phase 0:
    F_0 + 1, no group computes)."""
    phases, start, ready = [], 0, n_macs + 1
    for g, scan in enumerate(steps.tolist()):
        wait = max(0, ready - start)
        fill = wait + scan + 2
        ready = start + wait + n_macs + 1     # the next group's assigner starts as this fill takes its bases
        phases.append((fill if g == 0 else max(fill, compute)) + 1)
        start += phases[-1]
    return phases


def compute_cycles(job: UnitJob, variant: str, multiply: int) -> tuple[int, int]:
    """(cycles the compute engine is active per group, MAC-0 busy cycles per group)."""
    pairs = job.channels * job.taps
    if job.is_pool:
        return pairs + 3, 0
    if variant == "pipelined":
        return pairs + 4, pairs + 1
    return pairs * multiply + 5, pairs * multiply + 2


def job_cycles(job: UnitJob, geo: UnitGeometry, variant: str, multiply: int | None = None) -> dict:
    """Counters of one START (``cycles`` included), as the unit's ``counters`` show them.

    ``variant`` is ``[mac] variant``; ``multiply`` the sequential MAC's cycles
    per pair (default: radix-4 for ``geo.width`` bits).  A malformed register
    stack costs the two check cycles and one error.
    """
    return dict(_job_cycles(job, geo, variant, multiply))  # a copy: callers may add to it


@lru_cache(maxsize=4096)  # a layer's jobs repeat a few register stacks many times
def _job_cycles(job: UnitJob, geo: UnitGeometry, variant: str, multiply: int | None) -> dict:
    counts = dict.fromkeys(UNIT_COUNTERS, 0)
    counts["cycles"] = CHECK_CYCLES
    if job_error(job, geo) is not None:
        counts["errors"] = 1
        return counts
    if multiply is None:
        multiply = booth_iterations(geo.width)
    n = geo.n_macs
    groups = job.groups(n)
    steps, inside = group_boxes(job, n, geo.scan_values)
    comp, busy = compute_cycles(job, variant, multiply)
    phases = sum(fill_phases(steps, n, comp)) + comp + 1
    pairs = job.channels * job.taps
    counts.update(
        cycles=CHECK_CYCLES + phases,
        macs=0 if job.is_pool else job.positions * pairs,
        mac_busy_cycles=groups * busy,
        ab_reads=int(inside.sum()),
        wb_reads=0 if job.is_pool else groups * pairs,
        ob_writes=groups * job.channels,
        ob_reads=groups * job.channels if job.accumulates else 0,  # the entry each result adds to
    )
    return counts


# ------------------------------------------------------------------------------------------
# A whole layer on the system
# ------------------------------------------------------------------------------------------

def unit_counts(lj: LayerJob, geo: UnitGeometry, variant: str, multiply: int | None = None) -> tuple[dict, dict]:
    """Counter increments of a layer job: ``(each active unit's, each read unit's)`` — the START
    (:func:`job_cycles`) and the WRITEs of units ``0 … active_units-1``; the READ of units
    ``0 … read_units-1`` (each sends its ``channels·P`` entries, reading one OB word per transfer of
    up to ``rau_entries`` entries: :func:`job_read_transfers`)."""
    job = job_cycles(lj.job, geo, variant, multiply)
    job.update(ab_writes=lj.ab_words, wb_writes=lj.wb_words, write_cmds=1 + bool(lj.wb_words),
               bits_in=(lj.ab_words + lj.wb_words) * geo.bus_width)
    entries = lj.job.channels * lj.job.positions if lj.reads else 0
    words = job_read_transfers(lj.job, geo.rau_entries) if lj.reads else 0
    read = {"read_cmds": int(lj.reads), "ob_reads": words, "bits_out": entries * geo.acc_width}
    return job, read


@dataclass(frozen=True)
class LayerCycles:
    """What our RTL configuration needs for one layer (:func:`layer_cycles`).

    ``cycles`` = ``compute_cycles`` (STARTs) + ``transfer_cycles`` (every other
    command, :func:`system_job_cycles`; with [system] overlap the transfer cycles compute did not
    hide, :func:`overlapped_cycles`); ``macs`` are useful
    multiply-accumulates (= ``layer.macs``); ``utilization`` = macs /
    (n_units · n_macs · cycles); ``counters`` sums the unit counters over all
    jobs and units.
    """

    layer: str
    cycles: int
    compute_cycles: int
    transfer_cycles: int
    jobs: int
    macs: int
    mac_busy_cycles: int
    utilization: float
    seconds: float
    counters: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# The system top as a host drives it
# ------------------------------------------------------------------------------------------
# ``rtl/hydra/system.py`` executes one command at a time; a WRITE fills the active units in parallel
# (each unit is fed by its own chip's internal bus).  The host
# (``tb.hydra.system_driver.SystemHost``, a memory controller's view) offers each command in the
# cycle after it has seen the system idle, and with ideal memory every WRITE beat is there when
# asked and every output is taken at once.  Costs from offering a command to offering the next,
# from the system's and the units' state machines (checked cycle for cycle by tb/hydra/test_system.py):

SET_REG_CYCLES = 1  # the units stay idle: the next command is accepted in the next cycle


def host_write_cycles(words: int) -> int:
    """WRITE of ``words`` beats to the active units: accept, one beat per cycle, the units
    close, the system closes, the host sees it idle."""
    return words + 4


def host_bias_cycles(words: int) -> int:
    """WRITE_BIAS into the RAU's own memory: as a unit WRITE less the unit's closing cycle."""
    return words + 3


def host_start_cycles(unit_cycles: int) -> int:
    """START: accept, the units' ``cycles`` (``job_cycles``), the system closes, the host sees it idle."""
    return unit_cycles + 3


def job_read_transfers(job: UnitJob, rau_entries: int) -> int:
    """Transfers of a unit's READ of a whole job (``channels·P`` entries, up to ``rau_entries`` of
    one channel per transfer; ``golden.hydra.unit.read_transfers``)."""
    return read_transfers(job.channels * job.positions, job.positions, rau_entries)


def host_read_cycles(transfers: int, last_pass: bool) -> int:
    """Conv/FC READ: the RAU's two-stage pipeline takes one transfer (up to ``[system]
    rau_entries`` entries) per cycle after accept and first fetch; it empties (and on the last
    pass its output register drains), the system closes, the host sees it idle."""
    return transfers + (7 if last_pass else 6)


def host_pool_read_cycles(transfers: int, units: int) -> int:
    """Max-pool READ: the RAU drains the units one after the other (READ, fetch, ``transfers``
    beats of up to ``rau_entries`` values, close per unit), plus accept, drain and idle."""
    return units * (transfers + 3) + 4


def system_job_cycles(lj: LayerJob, geo: UnitGeometry, variant: str,
                      multiply: int | None = None) -> tuple[int, int]:
    """``(compute, transfer)`` cycles of one layer job on the system top, commands as
    ``SystemHost.run_layer`` issues them: WRITE AB (and WB) to all active units, WRITE_BIAS
    on a chunk's first pass, SET_REG × 13, START, READ (if the job is read)."""
    unit = job_cycles(lj.job, geo, variant, multiply)["cycles"]
    writes = host_write_cycles(lj.ab_words) + (host_write_cycles(lj.wb_words) if lj.wb_words else 0)
    transfer = writes + len(REGISTERS) * SET_REG_CYCLES
    bias = bias_words(lj, geo.values_per_word)
    if bias:
        transfer += host_bias_cycles(bias)
    if lj.job.is_pool:
        transfer += host_pool_read_cycles(job_read_transfers(lj.job, geo.rau_entries), lj.active_units)
    elif lj.reads:
        transfer += host_read_cycles(job_read_transfers(lj.job, geo.rau_entries), bool(lj.read_flags & READ_LAST))
    return host_start_cycles(unit), transfer


# With [system] overlap (docs/hydra.md, "Overlapped schedule") the host streams its commands
# back to back and the system's ``cmd.ready`` paces them.  The system's dispatcher takes at most
# one command per cycle, in order: a WRITE (AB/WB/bias) holds it until its beats are in, a SET_REG
# for one cycle; a START only hands the job to the units (they compute ``job_cycles`` cycles and
# are idle the cycle after), a READ only hands the entries to the read engine (the RAU or the
# pooled pass-through), which drains them while the next commands are taken.  A START waits for
# the previous START and for a READ draining its OB bank; a READ waits for the previous READ and
# for a START writing its OB bank.  Costs below: cycles from acceptance until the resource is
# free again (ideal memory, outputs always taken).

def overlap_write_cycles(words: int) -> int:
    """WRITE (AB/WB) or WRITE_BIAS: accept, one beat per cycle, the engine idle, the system idle."""
    return words + 2


def overlap_read_cycles(lj: LayerJob, rau_entries: int = 1) -> int:
    """The read engine's time for a READ of a layer job: conv/FC through the RAU (first fetch,
    one transfer of up to ``rau_entries`` entries per cycle, its pipeline and on the last pass its
    output register empty, DRAIN); max-pool: every unit fetched at once, their transfers one unit
    after the other, then DRAIN."""
    transfers = job_read_transfers(lj.job, rau_entries)
    if lj.job.is_pool:
        return lj.read_units * transfers + 4
    return transfers + (6 if lj.read_flags & READ_LAST else 5)


def load_cycles(lj: LayerJob) -> int:
    """The dispatcher's time for a job's WRITE_AB, WRITE_WB (if any) and SET_REGs."""
    wb = overlap_write_cycles(lj.wb_words) if lj.wb_words else 0
    return overlap_write_cycles(lj.ab_words) + wb + len(REGISTERS) * SET_REG_CYCLES


@dataclass
class OverlapClock:
    """When each resource of the system is free next (cycles), as the host's commands arrive.
    Banks: the OB bank of the last START / READ (None: none yet)."""

    dispatch: int = 0                 # the dispatcher takes the next command
    compute: int = 0                  # no unit computes (the next START may go)
    compute_bank: int | None = None
    read: int = 0                     # the read engine is idle (the next READ may go)
    read_bank: int | None = None

    def start(self, unit_cycles: int, ob_bank: int) -> None:
        t = max(self.dispatch, self.compute, self.read if ob_bank == self.read_bank else 0)
        self.compute, self.compute_bank, self.dispatch = t + unit_cycles + 1, ob_bank, t + 1

    def read_job(self, read_cycles: int, ob_bank: int) -> None:
        t = max(self.dispatch, self.read, self.compute if ob_bank == self.compute_bank else 0)
        self.read, self.read_bank, self.dispatch = t + read_cycles, ob_bank, t + 1


def _overlap_steps(jobs: list[LayerJob], geo: UnitGeometry, variant: str, multiply: int | None):
    """Per job, in host order: ``(load, unit cycles, reads, read cycles, bias cycles)`` — its
    load (WRITEs and SET_REGs), its START, and after the START the previous job's READ and this
    job's WRITE_BIAS; ``reads``: the job is read (its OB bank flips after it)."""
    steps = []
    for lj in jobs:
        bias = bias_words(lj, geo.values_per_word)
        steps.append((load_cycles(lj), _job_cycles(lj.job, geo, variant, multiply)["cycles"],
                      lj.reads, overlap_read_cycles(lj, geo.rau_entries) if lj.reads else 0,
                      overlap_write_cycles(bias) if bias else 0))
    return steps


def _run_steps(clock: OverlapClock, steps, first: bool, pending, ob_bank: int):
    """Advance ``clock`` over ``steps``; ``pending``: ``(read cycles, OB bank)`` of the job before
    the first step if it is read, else None.  Returns ``(compute, pending, ob_bank)`` after."""
    compute = 0
    for i, (load, unit, reads, read_cycles, bias) in enumerate(steps):
        if i or not first:
            clock.dispatch += load
        compute += unit + 1
        clock.start(unit, ob_bank)
        if pending is not None:
            clock.read_job(*pending)
        clock.dispatch += bias
        pending = (read_cycles, ob_bank) if reads else None
        ob_bank ^= int(reads)
    return compute, pending, ob_bank


def _finish(clock: OverlapClock, pending) -> int:
    """The last READ, then the host sees the system idle (+1, as :func:`system_job_cycles`)."""
    if pending is not None:
        clock.read_job(*pending)
    return max(clock.dispatch, clock.compute, clock.read) + 1


def overlapped_cycles(jobs: list[LayerJob], geo: UnitGeometry, variant: str,
                      multiply: int | None = None) -> tuple[int, int]:
    """``(cycles, compute)`` of a layer's jobs with [system] overlap, commands in the host order
    of ``docs/hydra.md`` (banks: ``golden.hydra.jobs.overlap_banks``), from offering the first
    command to the host seeing the system idle (+1, as :func:`system_job_cycles` counts).
    ``compute``: the STARTs' ``job_cycles + 1``; the rest are transfer cycles compute did not
    hide (the first load, READs longer than the compute behind which they run, the last READ)."""
    steps = _overlap_steps(jobs, geo, variant, multiply)
    clock = OverlapClock(dispatch=steps[0][0])
    compute, pending, _ = _run_steps(clock, steps, True, None, 0)
    return _finish(clock, pending), compute


def _flip(bank: int | None, by: int) -> int | None:
    """A bank relative to (or back from) bank ``by`` (None: no START/READ yet)."""
    return None if bank is None else bank ^ by


def _relative(clock: OverlapClock, pending, by: int) -> tuple:
    """The clock relative to its dispatcher (earlier times act as "now") and the banks relative
    to bank ``by``: equal relative states evolve equally over equal steps."""
    base = clock.dispatch
    return (max(clock.compute - base, 0), _flip(clock.compute_bank, by),
            max(clock.read - base, 0), _flip(clock.read_bank, by),
            None if pending is None else (pending[0], _flip(pending[1], by)))


def _overlap_tiling_cycles(t: _Tiling, geo: UnitGeometry, config, tile_rows: int) -> int:
    """:func:`overlapped_cycles` of the layer's jobs with ``tile_rows`` rows per tile, tile by
    tile.  Exact and fast: the clock is a max-plus function of its state, so a tile's effect
    depends only on the tile's jobs and the clock's relative state (:func:`_relative`); equal tiles
    in equal relative states are costed once."""
    variant, multiply = config.mac.variant, booth_iterations(config.fixed.width)
    memo, clock, pending, ob_bank = {}, None, None, 0
    for _, _, job, m_chunk in _tiles(t, geo, config, tile_rows):
        steps = _tile_steps(t, geo, config, job, m_chunk, variant, multiply)
        first = clock is None
        if first:
            clock = OverlapClock(dispatch=steps[0][0])
        key = (steps, first, _relative(clock, pending, ob_bank))
        if key not in memo:
            probe = replace(clock)
            _, after, bank_after = _run_steps(probe, steps, first, pending, ob_bank)
            memo[key] = (probe.dispatch - clock.dispatch, _relative(probe, after, ob_bank),
                         bank_after ^ ob_bank)
        advance, (compute, compute_bank, read, read_bank, after), flip = memo[key]
        base = clock.dispatch + advance
        clock = OverlapClock(base, base + compute, _flip(compute_bank, ob_bank), base + read,
                              _flip(read_bank, ob_bank))
        pending = None if after is None else (after[0], _flip(after[1], ob_bank))
        ob_bank ^= flip
    return _finish(clock, pending)


@lru_cache(maxsize=1024)
def _tile_steps(t: _Tiling, geo: UnitGeometry, config, job: UnitJob, m_chunk: int, variant: str,
                multiply: int | None) -> tuple:
    """The steps (:func:`_overlap_steps`) of one row tile's jobs (chunks x passes)."""
    jobs = []
    for m0 in range(0, t.out_channels, m_chunk):
        sized = replace(job, m_count=min(m_chunk, t.out_channels - m0))
        jobs.extend(_pass_jobs(t, geo, config, sized, 0, 0, m0))
    return tuple(_overlap_steps(jobs, geo, variant, multiply))


def _check_supported(layer: Layer, geo: UnitGeometry):
    if layer.kind not in ("conv", "maxpool", "fc"):
        raise UnsupportedLayer(f"layer {layer.name!r}: kind {layer.kind!r} does not run on Hydra units; "
                               "supported: conv, maxpool, fc")
    if layer.kind == "fc":
        return
    if layer.kernel_h != layer.kernel_w or layer.stride_h != layer.stride_w:
        raise UnsupportedLayer(f"layer {layer.name!r}: only square kernels and strides "
                               f"({layer.kernel_h}x{layer.kernel_w}, stride {layer.stride_h}x{layer.stride_w})")
    if layer.groups != 1:
        raise UnsupportedLayer(f"layer {layer.name!r}: grouped convolution (groups={layer.groups})")
    if layer.kernel_h > geo.max_kernel:
        raise UnsupportedLayer(f"layer {layer.name!r}: kernel {layer.kernel_h} > unit.max_kernel={geo.max_kernel}")
    if layer.kernel_h * layer.in_w > geo.ab_values:
        raise UnsupportedLayer(f"layer {layer.name!r}: {layer.kernel_h} input rows of {layer.in_w} exceed the "
                               f"activation buffer ({geo.ab_values} values); column tiling is not implemented")


@dataclass(frozen=True)
class _Tiling:
    """A layer's shape as the units see it (FC: 1×1 convolutions of 1×1 inputs)."""

    mode: int
    pool: bool
    k: int
    s: int
    pad_top: int
    pad_left: int
    in_h: int
    in_w: int
    out_h: int
    out_w: int
    in_ch: int
    out_channels: int  # output channels to compute (1 for max-pool: each unit pools its own channel)

    @classmethod
    def of(cls, layer: Layer) -> _Tiling:
        mode = MODES.index(layer.kind)
        if layer.kind == "fc":
            return cls(mode, False, 1, 1, 0, 0, 1, 1, 1, 1, layer.in_ch, layer.out_ch)
        pool = layer.kind == "maxpool"
        pt, pl, _, _ = layer.pad
        return cls(mode, pool, layer.kernel_h, layer.stride_h, pt, pl, layer.in_h, layer.in_w, layer.out_h,
                   layer.out_w, layer.in_ch, 1 if pool else layer.out_ch)

    def max_rows(self, geo: UnitGeometry) -> int:
        """Most output rows per tile: the tile's input rows fit the activation buffer and its
        groups of one channel the output buffer."""
        by_ab = (geo.ab_values // self.in_w - self.k) // self.s + 1
        by_ob = geo.ob_words * geo.n_macs // self.out_w
        return max(1, min(self.out_h, by_ab, by_ob))


def _tiles(t: _Tiling, geo: UnitGeometry, config, tile_rows: int):
    """Per row tile: ``(r0, y0, job, m_chunk)`` — the tile's register stack (``m_count`` = m_chunk)
    and how many output channels a job takes (weight buffer and output buffer limits)."""
    for r0 in range(0, t.out_h, tile_rows):
        r1 = min(t.out_h, r0 + tile_rows)
        y0 = max(0, r0 * t.s - t.pad_top)
        y1 = min(t.in_h, (r1 - 1) * t.s - t.pad_top + t.k)
        groups = -(-(r1 - r0) * t.out_w // geo.n_macs)
        m_chunk = t.out_channels if t.pool else max(1, min(t.out_channels, geo.wb_values // (t.k * t.k),
                                                           geo.ob_words // groups))
        job = UnitJob(mode=t.mode, in_h=y1 - y0, in_w=t.in_w, out_h=r1 - r0, out_w=t.out_w, kernel=t.k,
                      stride=t.s, pad_top=y0 - (r0 * t.s - t.pad_top), pad_left=t.pad_left, m_count=m_chunk,
                      shift=config.fixed.frac)
        yield r0, y0, job, m_chunk


def _pass_jobs(t: _Tiling, geo: UnitGeometry, config, job: UnitJob, r0: int, y0: int, m0: int):
    """The layer jobs of one tile and output-channel chunk: one per pass of ``n_units`` input channels."""
    n_units = config.system.n_units
    in_unit = config.system.pass_accumulation == "unit" and not t.pool
    vpw = geo.values_per_word
    jobs = _pass_registers(job, in_unit)   # first pass, later passes
    for c0 in range(0, t.in_ch, n_units):
        active = min(n_units, t.in_ch - c0)
        flags = _read_flags(t.pool, in_unit, first=c0 == 0, last=c0 + active == t.in_ch)
        yield LayerJob(
            job=jobs[c0 > 0], r0=r0, y0=y0, m0=m0, c0=c0,
            active_units=active,
            ab_words=-(-job.in_h * t.in_w // vpw),
            wb_words=0 if t.pool else -(-job.m_count * job.taps // vpw),
            read_flags=flags,
            read_units=min(n_units, t.in_ch) if in_unit else active,
        )


@lru_cache(maxsize=4096)
def _pass_registers(job: UnitJob, in_unit: bool) -> tuple[UnitJob, UnitJob]:
    """The register stacks of a tile's first pass and of its later passes (cached: a layer's
    tiles repeat a few)."""
    return replace(job, accumulate=0), replace(job, accumulate=int(in_unit))


@lru_cache(maxsize=65536)
def _job_cost(lj: LayerJob, geo: UnitGeometry, variant: str, multiply: int | None) -> int:
    return sum(system_job_cycles(lj, geo, variant, multiply))


def _tiling_cycles(t: _Tiling, geo: UnitGeometry, config, tile_rows: int) -> int:
    """Cycles of the layer with ``tile_rows`` output rows per tile: :func:`system_job_cycles` of every
    job, counted once per distinct job (chunks of equal size cost the same; position fields zeroed)."""
    variant, multiply = config.mac.variant, booth_iterations(config.fixed.width)
    if geo.n_banks > 1:   # overlapped: a job's cost depends on its neighbours
        return _overlap_tiling_cycles(t, geo, config, tile_rows)
    total = 0
    for _, _, job, m_chunk in _tiles(t, geo, config, tile_rows):
        full, rest = divmod(t.out_channels, m_chunk)
        for m_count, count in ((m_chunk, full), (rest, 1)):
            if not (m_count and count):
                continue
            sized = replace(job, m_count=m_count)
            total += count * sum(_job_cost(lj, geo, variant, multiply)
                                 for lj in _pass_jobs(t, geo, config, sized, 0, 0, 0))
    return total


def best_tile_rows(layer: Layer, config) -> int:
    """Output rows per tile that make the layer fastest on the system (exact: every candidate is
    costed with :func:`system_job_cycles`; ties go to fewer rows).  Few rows leave room in the
    output buffer for many output channels per job, which amortizes each group's fill over more
    pairs; many rows save refills of the activation buffer."""
    geo = UnitGeometry.from_config(config)
    _check_supported(layer, geo)
    t = _Tiling.of(layer)
    if -(-t.out_w // geo.n_macs) > geo.ob_words:
        raise UnsupportedLayer(f"layer {layer.name!r}: one output row of {t.out_w} exceeds the output buffer "
                               f"({geo.ob_words} words of {geo.n_macs} positions)")
    return _best_rows(t, geo, config)


@lru_cache(maxsize=1024)
def _best_rows(t: _Tiling, geo: UnitGeometry, config) -> int:
    rows = range(1, t.max_rows(geo) + 1)
    best = min(rows, key=lambda r: _tiling_cycles(t, geo, config, r))
    tiling = config.system.tiling
    if tiling != "ideal_memory":
        return _best_rows_on_memory(t, geo, config, best, _memory_cost(tiling))
    return best


# Tile choices costed on a memory model ([system] tiling other than "ideal_memory"): the cost of a
# layer's jobs comes from a module that itself builds on this one (golden.hydra.command_stream
# prices jobs with job_cycles), so it registers its cost here rather than this module importing it;
# golden/hydra/__init__.py imports it, so the registration exists whenever this module does.
JOBS_MEMORY_COSTS: dict = {}


def register_jobs_memory_cost(tiling: str, cost) -> None:
    """``cost(jobs, config) -> cycles`` prices a layer's jobs for ``[system] tiling = tiling``."""
    JOBS_MEMORY_COSTS[tiling] = cost


def _memory_cost(tiling: str):
    if tiling not in JOBS_MEMORY_COSTS:
        raise ValueError(f"[system] tiling = {tiling!r} has no job cost registered; "
                         f"registered: ideal_memory, {', '.join(sorted(JOBS_MEMORY_COSTS))}")
    return JOBS_MEMORY_COSTS[tiling]


def _best_rows_on_memory(t: _Tiling, geo: UnitGeometry, config, ideal_best: int, jobs_cost) -> int:
    """[system] tiling = "dram_pcm": the rows per tile whose jobs the simulation top runs fastest
    with the DRAM/PCM device models (``jobs_cost``: ``golden.hydra.command_stream``, exact), among the ideal-memory
    choice and, for each output-channel chunk size a tile allows, the most rows with that size
    (more rows re-read the weights less often; the chunk size sets the weight stream per job).
    Ties go to fewer rows."""
    most_rows = {}
    for r in range(1, t.max_rows(geo) + 1):
        most_rows[next(_tiles(t, geo, config, r))[3]] = r
    candidates = sorted(set(most_rows.values()) | {ideal_best})
    if len(candidates) == 1:
        return ideal_best
    return min(candidates, key=lambda r: jobs_cost(_layer_jobs(t, geo, config, r), config))


def layer_jobs(layer: Layer, config) -> list[LayerJob]:
    """Split ``layer`` into unit jobs (row tiles × output-channel chunks × input-channel passes).

    Row tiles take :func:`best_tile_rows` output rows (the activation buffer holds
    the tile's input rows, the output buffer one channel's groups); output
    channels are chunked by the weight buffer and the output buffer; input
    channels are spread over ``n_units`` units per pass.  A fully connected
    layer runs as 1×1 convolutions of 1×1 inputs: unit u takes input feature u
    of the pass.
    """
    tile_rows = best_tile_rows(layer, config)
    return _layer_jobs(_Tiling.of(layer), UnitGeometry.from_config(config), config, tile_rows)


def _layer_jobs(t: _Tiling, geo: UnitGeometry, config, tile_rows: int) -> list[LayerJob]:
    jobs = []
    for r0, y0, job, m_chunk in _tiles(t, geo, config, tile_rows):
        for m0 in range(0, t.out_channels, m_chunk):
            sized = replace(job, m_count=min(m_chunk, t.out_channels - m0))
            jobs.extend(_pass_jobs(t, geo, config, sized, r0, y0, m0))
    return jobs


def _read_flags(pool: bool, in_unit: bool, first: bool, last: bool) -> int | None:
    """The READ of a pass: pools are read every job; with accumulation in the units only the
    last pass is read, and it is then the RAU's first and last; else every pass is read into the RAU."""
    if pool:
        return READ_POOL
    if in_unit:
        return READ_FIRST | READ_LAST if last else None
    return (READ_FIRST if first else 0) | (READ_LAST if last else 0)


def layer_cycles(layer: Layer, config) -> LayerCycles:
    """Cycles, MAC utilization and counters of ``layer`` on our RTL configuration (``config``: HydraConfig).

    Stable signature, used by the memory/frame model.  Raises
    :class:`UnsupportedLayer` (naming the failing constraint) for layers the
    units cannot run (avgpool, add, concat, grouped or non-square kernels,
    kernels beyond ``unit.max_kernel``).
    """
    geo = UnitGeometry.from_config(config)
    variant = config.mac.variant
    multiply = booth_iterations(config.fixed.width)
    totals = dict.fromkeys(UNIT_COUNTERS, 0)
    compute = transfer = 0
    jobs = layer_jobs(layer, config)
    for lj in jobs:
        job, read = unit_counts(lj, geo, variant, multiply)
        for name, value in job.items():
            totals[name] += value * lj.active_units
        for name, value in read.items():
            totals[name] += value * lj.read_units
        job_compute, job_transfer = system_job_cycles(lj, geo, variant, multiply)
        compute += job_compute
        transfer += job_transfer
    if geo.n_banks > 1:
        cycles, compute = overlapped_cycles(jobs, geo, variant, multiply)
        transfer = cycles - compute
    cycles = compute + transfer
    units_macs = config.system.n_units * geo.n_macs
    return LayerCycles(
        layer=layer.name, cycles=cycles, compute_cycles=compute, transfer_cycles=transfer, jobs=len(jobs),
        macs=totals["macs"], mac_busy_cycles=totals["mac_busy_cycles"],
        utilization=totals["macs"] / (units_macs * cycles) if cycles else 0.0,
        seconds=cycles / config.system.freq_hz, counters=totals,
    )
