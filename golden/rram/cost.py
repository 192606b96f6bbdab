"""Energy and time of a network on the RRAM/SRAM weight-buffer accelerator, and the §5.2 design
space — all points at once (NumPy broadcasting over the axes).

Energy = counts x Table 4/5 per-access energies (one access = one word of the macro's width)
+ leakage x time of every buffer and the DDR background + MACs x the per-MAC energy.  Rows are
Table 6's, plus the accumulation buffer's two (zero in Table 6's kernel-first designs):

=============  ===============================================================================
read iobuf     the array's I/O words (loopnest) + the words drained to DDR
read weight    the array's weight-buffer words (loopnest, words of the weight macro's width)
read ddr       DDR bytes read (weights + feature maps, schedule)
write iobuf    the array's stored outputs (pooled when ``pool_on_write``) + maps loaded from DDR
write weight   weight bytes loaded from DDR, in words of the weight macro's width
write ddr      DDR bytes written (schedule)
read accbuf    accumulation-buffer words read (pixel-first, loopnest)
write accbuf   accumulation-buffer words written
standby        time x (DDR background + io_buffers x io_banks and weight_banks macros + p·n
               accumulation buffers)
calculate      MACs x model.mac_energy_pj
=============  ===============================================================================

Time per stage is the array's ideal cycles unless a transfer needs longer at its Table 4
bandwidth (weight-buffer reads/writes, I/O reads/writes, DDR — each buffer ``banks`` x the
macro's bandwidth, the DDR chips together); transfers overlap computation (double buffering,
§3.1), so a stage takes the longest of them and is flagged bandwidth-bound when that is not the
array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.rram.loopnest import ORDERS, layer_shapes, loop_counts
from hymem.golden.rram.macros import acc_macro, ddr, macro, technology
from hymem.golden.rram.params import RramConfig
from hymem.golden.rram.schedule import LEVELS, schedule, stages_of
from hymem.golden.workloads.layers import Layer

ROWS = ("read iobuf", "read weight", "read ddr", "write iobuf", "write weight", "write ddr",
        "read accbuf", "write accbuf", "standby", "calculate")
TABLE6_ROWS = ROWS[:6] + ROWS[8:]
TECHS = ("sram", "rram")
BOUNDS = ("array", "weight read", "weight write", "io read", "io write", "ddr")


@dataclass(frozen=True)
class Axes:
    """The values of every axis of an evaluation; one value each is one design."""

    techs: tuple[str, ...]
    io_macros: tuple[str, ...]
    weight_macros: dict[str, tuple[str, ...]]   # per tech, same length
    acc_depths: tuple[int, ...]
    orders: tuple[str, ...]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class SpaceResult:
    """One entry per design point (flattened, C order over tech, io, weight, acc, order,
    schedule); ``breakdown_pj`` is (points, ROWS); ``bound`` names the slowest transfer of each
    point's slowest stage ('array' when compute-bound everywhere)."""

    tech: np.ndarray
    io_macro: np.ndarray
    weight_macro: np.ndarray
    io_bytes: np.ndarray
    weight_bytes: np.ndarray
    acc_depth: np.ndarray
    order: np.ndarray
    schedule: np.ndarray
    breakdown_pj: np.ndarray
    time_s: np.ndarray
    cycles: np.ndarray
    bandwidth_bound: np.ndarray
    bound: np.ndarray
    stage_names: tuple[str, ...] = ()
    stage_time_s: np.ndarray | None = None   # (points, stages)
    stage_bound: np.ndarray | None = None    # (points, stages): BOUNDS name per stage

    @property
    def total_pj(self) -> np.ndarray:
        return self.breakdown_pj.sum(axis=1)

    def __len__(self) -> int:
        return len(self.tech)

    def point(self, k: int) -> dict:
        """The JSON record of point ``k`` (``hymem rram dse --json``)."""
        return {"tech": str(self.tech[k]), "io_kb": int(self.io_bytes[k]) // 1024,
                "weight_kb": int(self.weight_bytes[k]) // 1024,
                "acc_depth": int(self.acc_depth[k]), "order": str(self.order[k]),
                "schedule": str(self.schedule[k]),
                "breakdown_uj": {r: float(v) / 1e6 for r, v in zip(ROWS, self.breakdown_pj[k])},
                "total_uj": float(self.total_pj[k]) / 1e6, "time_ms": float(self.time_s[k]) * 1e3,
                "bandwidth_bound": bool(self.bandwidth_bound[k]), "bound": str(self.bound[k])}

    def where(self, **match) -> np.ndarray:
        """Indices of the points whose fields equal ``match`` (e.g. tech="rram")."""
        mask = np.ones(len(self), dtype=bool)
        for key, val in match.items():
            mask &= getattr(self, key) == val
        return np.flatnonzero(mask)


def array_layers(layers: Sequence[Layer]) -> list[Layer]:
    """The conv part of a network: every layer before its first fc layer (the paper's "convolution
    layers of VGG-11", §5.2), pools included so they can be applied on write."""
    out = []
    for lay in layers:
        if lay.kind == "fc":
            break
        out.append(lay)
    if not any(lay.kind == "conv" for lay in out):
        raise ConfigError("the network has no conv layer before its first fc layer")
    return out


def default_axes(cfg: RramConfig) -> Axes:
    sp = cfg.space
    return Axes(TECHS, sp.io_macros, {"sram": sp.sram_weight_macros, "rram": sp.rram_weight_macros},
                sp.acc_depths, ORDERS, LEVELS)


def evaluate(layers: Sequence[Layer], cfg: RramConfig, axes: Axes) -> SpaceResult:
    """Every combination of ``axes`` on ``layers`` (all of them run; pools applied on write)."""
    _check_axes(axes)
    tech = technology(cfg.tech)
    arr = cfg.array
    stages = stages_of(layers, cfg.model.pool_on_write, arr.act_bits, arr.weight_bits,
                       cfg.model.band_overlap)
    conv = [s.layer for s in stages]
    n_w = len(axes.weight_macros[axes.techs[0]])
    io = [macro(tech, name) for name in axes.io_macros]
    wm = [[macro(tech, name) for name in axes.weight_macros[t]] for t in axes.techs]
    for t, row in zip(axes.techs, wm):
        if any(m.kind != t for m in row):
            raise ConfigError(f"weight macros for {t}: {[m.name for m in row]} are not all {t}")
    acc = [acc_macro(tech, d) for d in axes.acc_depths]
    dd = ddr(tech, cfg.model.ddr_bytes_per_access)
    shape = (len(axes.techs), len(io), n_w, len(acc), len(axes.orders), len(axes.levels),
             len(stages))
    lc = _loop_grid(conv, cfg, axes, wm)                 # (T, 1, 1, A, O, 1, L) each
    io_buffers = cfg.model.io_buffers
    tr = _traffic_grid(stages, axes, io, wm, arr, io_buffers)  # (T, IO, W, 1, 1, S, L) each
    io_p = _param_grid(io, (1, -1, 1, 1, 1, 1, 1))
    w_p = _param_grid([m for row in wm for m in row], (len(axes.techs), 1, n_w, 1, 1, 1, 1))
    acc_rd = np.array([a.rd_pj for a in acc]).reshape(1, 1, 1, -1, 1, 1, 1)
    acc_wr = np.array([a.wr_pj for a in acc]).reshape(1, 1, 1, -1, 1, 1, 1)
    acc_leak = np.array([a.leak_mw for a in acc]).reshape(1, 1, 1, -1, 1, 1, 1)

    stored = _stored_output_words(stages, arr)           # (L,)
    io_rd = lc["io_reads"] + tr["ddr_wr"] / io_p["word"]
    io_wr = stored + tr["ddr_fmap_rd"] / io_p["word"]
    w_wr = np.ceil(tr["ddr_weight_rd"] / w_p["word"])
    w_rd = lc["weight_reads"]
    times = np.stack(np.broadcast_arrays(
        lc["cycles"] / arr.freq_hz,
        w_rd * w_p["word"] / (arr.weight_banks * w_p["rd_bw"]),
        tr["ddr_weight_rd"] / (arr.weight_banks * w_p["wr_bw"]),
        io_rd * io_p["word"] / (arr.io_banks * io_p["rd_bw"]),
        io_wr * io_p["word"] / (arr.io_banks * io_p["wr_bw"]),
        (tr["ddr_rd"] + tr["ddr_wr"]) / dd.bw))
    stage_time = times.max(axis=0)                       # (..., L)
    time = stage_time.sum(axis=-1)
    leak_mw = (dd.leak_mw + io_buffers * arr.io_banks * io_p["leak"]
               + arr.weight_banks * w_p["leak"]
               + arr.p * arr.n * acc_leak)[..., 0]
    rows = [io_rd * io_p["rd"], w_rd * w_p["rd"], tr["ddr_rd"] * dd.rd_pj,
            io_wr * io_p["wr"], w_wr * w_p["wr"], tr["ddr_wr"] * dd.wr_pj,
            lc["acc_reads"] * acc_rd, lc["acc_writes"] * acc_wr]
    sums = [np.broadcast_to(r, shape).sum(axis=-1) for r in rows]
    sums.append(np.broadcast_to(time * leak_mw * 1e9, shape[:-1]))
    sums.append(np.broadcast_to(lc["macs"].sum(axis=-1) * cfg.model.mac_energy_pj, shape[:-1]))
    breakdown = np.stack(sums, axis=-1).reshape(-1, len(ROWS))
    # what limits each stage (index into BOUNDS), and which limit the slowest stage has
    limit = times.argmax(axis=0)                                         # (..., L)
    slowest = np.take_along_axis(limit, stage_time.argmax(axis=-1)[..., None], axis=-1)[..., 0]
    flags = (limit != 0).any(axis=-1), slowest
    r = _flatten(axes, io, wm, acc, shape, breakdown, time, lc, flags, arr)
    per_stage = (-1, len(stages))
    return replace(r, stage_names=tuple(s.name for s in stages),
                   stage_time_s=np.broadcast_to(stage_time, shape).reshape(per_stage),
                   stage_bound=np.array(BOUNDS)[np.broadcast_to(limit, shape).reshape(per_stage)])


def _flatten(axes, io, wm, acc, shape, breakdown, time, lc, flags, arr):
    t_i, io_i, w_i, a_i, o_i, s_i = np.indices(shape[:-1]).reshape(len(shape) - 1, -1)
    w_names = np.array([[m.name for m in row] for row in wm])
    w_bytes = np.array([[m.size_bytes for m in row] for row in wm])
    cycles = np.broadcast_to(lc["cycles"].sum(axis=-1), shape[:-1]).reshape(-1)
    bandwidth_bound, slowest = flags
    return SpaceResult(
        tech=np.array(axes.techs)[t_i], io_macro=np.array([m.name for m in io])[io_i],
        weight_macro=w_names[t_i, w_i],
        io_bytes=np.array([m.size_bytes for m in io])[io_i] * arr.io_banks,
        weight_bytes=w_bytes[t_i, w_i] * arr.weight_banks,
        acc_depth=np.array([a.depth for a in acc])[a_i], order=np.array(axes.orders)[o_i],
        schedule=np.array(axes.levels)[s_i], breakdown_pj=breakdown,
        time_s=np.broadcast_to(time, shape[:-1]).reshape(-1), cycles=cycles,
        bandwidth_bound=np.broadcast_to(bandwidth_bound, shape[:-1]).reshape(-1),
        bound=np.array(BOUNDS)[np.broadcast_to(slowest, shape[:-1]).reshape(-1)])


def _check_axes(axes: Axes) -> None:
    for name in ("techs", "io_macros", "acc_depths", "orders", "levels"):
        if not getattr(axes, name):
            raise ConfigError(f"design space axis {name} is empty")
    for t in axes.techs:
        if t not in TECHS:
            raise ConfigError(f"unknown weight-buffer technology {t!r}; valid: {', '.join(TECHS)}")
    lengths = {len(axes.weight_macros[t]) for t in axes.techs}
    if len(lengths) != 1:
        raise ConfigError("every technology needs the same number of weight macros")
    for o in axes.orders:
        if o not in ORDERS:
            raise ConfigError(f"unknown loop order {o!r}; valid: {', '.join(ORDERS)}")
    for s in axes.levels:
        if s not in LEVELS:
            raise ConfigError(f"unknown schedule {s!r}; valid: {', '.join(LEVELS)}")


def _loop_grid(conv, cfg, axes, wm) -> dict[str, np.ndarray]:
    """loopnest counts per (tech's weight word, acc depth, order, stage): (T,1,1,A,O,1,L)."""
    keys = ("cycles", "macs", "io_reads", "weight_reads", "acc_reads", "acc_writes")
    out = {k: np.zeros((len(axes.techs), 1, 1, len(axes.acc_depths), len(axes.orders), 1,
                        len(conv))) for k in keys}
    cache: dict = {}
    for t, row in enumerate(wm):
        word = row[0].word_bytes
        if any(m.word_bytes != word for m in row):
            raise ConfigError("the weight macros of one technology must share one bitwidth")
        for a, depth in enumerate(axes.acc_depths):
            for o, order in enumerate(axes.orders):
                key = (word, depth if order == "pixel_first" else 0, order)
                if key not in cache:
                    cache[key] = loop_counts(conv, cfg.array, order, key[1], word,
                                             cfg.model.pixel_groups)
                for k in keys:
                    out[k][t, 0, 0, a, o, 0, :] = getattr(cache[key], k)
                if order == "kernel_first" and cfg.model.kernel_first_input == "table3":
                    out["io_reads"][t, 0, 0, a, o, 0, :] = table3_kernel_first_io(conv, cfg.array)
    return out


def table3_kernel_first_io(conv, array) -> np.ndarray:
    """Kernel-first I/O words per layer read as seed 002 Table 3 prints them
    (``model.kernel_first_input = "table3"``): (p + K - 1)^2 input pixels per p-pixel group, per
    input-channel tile and output tile (Kh, Kw for K; stride and padding ignored as in the table),
    instead of the loop nest's line-register count."""
    s = layer_shapes(conv)
    p = array.p
    groups = s.ho * (-(-s.wo // p))
    tiles = (-(-s.mo // array.n)) * (-(-s.c // array.m))
    return (s.groups * tiles * groups * (p + s.kh - 1) * (p + s.kw - 1)).astype(np.float64)


def _traffic_grid(stages, axes, io, wm, arr, io_buffers) -> dict[str, np.ndarray]:
    """Schedule traffic per (tech, io, weight, schedule, stage): (T,IO,W,1,1,S,L)."""
    keys = ("ddr_weight_rd", "ddr_fmap_rd", "ddr_wr", "ddr_rd")
    shape = (len(axes.techs), len(io), len(wm[0]), 1, 1, len(axes.levels), len(stages))
    out = {k: np.zeros(shape) for k in keys}
    for t, row in enumerate(wm):
        for i, io_m in enumerate(io):
            for w, w_m in enumerate(row):
                for s, level in enumerate(axes.levels):
                    tr = schedule(stages, (io_m.size_bytes * arr.io_banks, io_buffers),
                                  w_m.size_bytes * arr.weight_banks, level)
                    for k in keys:
                        out[k][t, i, w, 0, 0, s, :] = getattr(tr, k)
    return out


def _param_grid(macros, shape) -> dict[str, np.ndarray]:
    fields = {"word": "word_bytes", "rd": "rd_pj", "wr": "wr_pj", "rd_bw": "rd_bw",
              "wr_bw": "wr_bw", "leak": "leak_mw"}
    return {k: np.array([getattr(m, f) for m in macros], dtype=np.float64).reshape(shape)
            for k, f in fields.items()}


def _stored_output_words(stages, arr) -> np.ndarray:
    """I/O words the array stores per stage: ceil(M/m) words per stored (pooled) pixel."""
    pixels = [s.o * 8 // arr.act_bits // s.layer.out_ch for s in stages]
    return np.array([-(-s.layer.out_ch // arr.m) * px for s, px in zip(stages, pixels)],
                    dtype=np.float64)


def evaluate_design(layers: Sequence[Layer], cfg: RramConfig, tech: str, io_macro: str,
                    weight_macro: str, acc_depth: int, order: str, level: str) -> dict:
    """One design point's record (the same computation as the design space, one value per axis),
    with each stage's time and what bounds it (``BOUNDS``: 'array' unless bandwidth-bound)."""
    axes = Axes((tech,), (io_macro,), {tech: (weight_macro,)}, (acc_depth,), (order,), (level,))
    r = evaluate(layers, cfg, axes)
    rec = r.point(0)
    rec["stages"] = [{"name": name, "time_ms": float(t) * 1e3, "bound": str(b)}
                     for name, t, b in zip(r.stage_names, r.stage_time_s[0], r.stage_bound[0])]
    return rec


__all__ = ["BOUNDS", "ROWS", "TABLE6_ROWS", "TECHS", "Axes", "SpaceResult", "array_layers",
           "default_axes", "evaluate", "evaluate_design"]
