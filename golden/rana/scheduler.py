"""RANA's layer-wise scheduler (§IV-C3, Fig. 13) and its configuration output.

For every convolution layer the scheduler evaluates each allowed pattern
(OD and WD for RANA; the baselines' single pattern) over a grid of tilings,
keeps those that satisfy the core-storage constraints ``Tn·Th·Tl ≤ R_i``,
``Tm·Tr·Tc ≤ R_o``, ``Tm·Tn·K² ≤ R_w`` and fit the buffer, and picks the one
with the lowest system energy (eq. 14, :mod:`golden.rana.cost`); ties keep the
first candidate in grid order, which runs from the largest tiles down.  Tiling grid: Tm ∈ {16·2^k < M} ∪ {M},
Tn ∈ {2^k < N} ∪ {N}, Tr ∈ {2^k < R} ∪ {R}, Tc ∈ {16·2^k < C} ∪ {C}
(tiles that are multiples of the 16×16 PE array or the whole dimension).

The result of a layer is its :class:`~golden.rana.config_words.LayerConfig`:
refresh interval (divider period), pattern, tiling, execution time, banks of
the unified buffer given to inputs / outputs / weights (contiguous, in that
order) and the refresh flags — every bank (normal controller, when any data of
the layer outlives the interval), only the banks whose data outlives the
interval (optimized controller), or none.  ``pack_words`` of the network's
configs is exactly what the RTL loads.

Only convolution layers are scheduled (the paper's discussion and Table I are
about CONV layers, §II-A); a grouped convolution runs its groups back to back.
The layer's stored input map is the zoo's ``in_h × in_w`` (padding is not
stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.energy import Account
from hymem.golden.rana.config_words import ConfigWordError, LayerConfig, Pattern, pack_words
from hymem.golden.rana.cost import (
    EVENTS,
    Buffer,
    controller_overhead,
    energy_pj,
    layer_account,
    layer_counts,
    next_phase,
    tech_costs,
)
from hymem.golden.rana.designs import Design, design_buffer, get_design
from hymem.golden.rana.lifetime import ConvShape, Tiling, TilingError, check_tiling, core_fits
from hymem.golden.rana.params import RanaConfig, load_rana_config
from hymem.golden.workloads import Network, load_network


class ScheduleError(ConfigError):
    """No tiling of a layer satisfies the constraints."""


@dataclass(frozen=True)
class LayerSchedule:
    name: str
    shape: ConvShape
    repeat: int
    pattern: Pattern
    tiling: Tiling
    counts: dict
    account: Account
    config: LayerConfig
    candidates: int

    def lifetime_us(self, freq_hz: float) -> dict:
        return {k: float(v) / freq_hz * 1e6 for k, v in self.counts["lifetime_cycles"].items()}

    def as_dict(self, freq_hz: float) -> dict:
        c = self.config
        return {
            "layer": self.name, "M": self.shape.M, "N": self.shape.N, "R": self.shape.R,
            "C": self.shape.C, "K": self.shape.K, "S": self.shape.S, "groups": self.repeat,
            "pattern": self.pattern.name,
            "tiling": {"Tm": c.tm, "Tn": c.tn, "Tr": c.tr, "Tc": c.tc},
            "cycles": int(self.counts["cycles"]),
            "lifetime_us": self.lifetime_us(freq_hz),
            "storage_words": {k: int(v) for k, v in self.counts["storage_words"].items()},
            "banks": {"input": c.banks_in, "output": c.banks_out, "weight": c.banks_w},
            "refresh_flags": f"{c.refresh_flags:#x}",
            "period_cycles": c.period,
            "counts": {e: int(self.counts[e]) for e in EVENTS},
            "energy_pj": dict(self.account.energy_pj),
        }


@dataclass(frozen=True)
class NetworkSchedule:
    network: str
    design: Design
    buffer: Buffer
    layers: list[LayerSchedule]
    freq_hz: float
    costs: dict = field(repr=False)
    skipped: tuple[tuple[str, str], ...] = ()   # (name, kind) of layers with MACs not scheduled

    @property
    def configs(self) -> list[LayerConfig]:
        return [s.config for s in self.layers]

    def words(self) -> np.ndarray:
        return pack_words(self.configs, self.buffer.n_banks)

    def totals(self) -> dict:
        return {e: sum(int(s.counts[e]) for s in self.layers) for e in EVENTS + ("cycles",)}

    def energy_pj(self) -> dict:
        return {e: float(sum(s.account.energy_pj[e] for s in self.layers)) for e in EVENTS}

    def total_pj(self) -> float:
        return float(sum(self.energy_pj().values()))

    def as_dict(self) -> dict:
        return {
            "network": self.network, "design": self.design.name,
            "buffer": {"kind": self.buffer.kind, "n_banks": self.buffer.n_banks,
                       "bank_words": self.buffer.bank_words, "controller": self.buffer.controller,
                       "period_cycles": self.buffer.period_cycles},
            "layers": [s.as_dict(self.freq_hz) for s in self.layers],
            "counts": self.totals(),
            "energy_pj": self.energy_pj(),
            "total_pj": self.total_pj(),
            "skipped_layers": [{"layer": n, "kind": k} for n, k in self.skipped],
        }


def _pow2_below(limit: int, start: int = 1) -> list[int]:
    vals, v = [], start
    while v < limit:
        vals.append(v)
        v *= 2
    return vals


def tiling_grid(shape: ConvShape, lanes_m: int = 16, lanes_c: int = 16) -> Tiling:
    """Candidate tilings (flattened arrays), see the module docstring."""
    tm = sorted(set(_pow2_below(shape.M, lanes_m)) | {shape.M}, reverse=True)
    tn = sorted(set(_pow2_below(shape.N)) | {shape.N}, reverse=True)
    tr = sorted(set(_pow2_below(shape.R)) | {shape.R}, reverse=True)
    tc = sorted(set(_pow2_below(shape.C, lanes_c)) | {shape.C}, reverse=True)
    grids = np.meshgrid(tm, tn, tr, tc, indexing="ij")
    return Tiling(*(g.ravel().astype(np.int64) for g in grids))


def _pick(t: Tiling, i: int) -> Tiling:
    return Tiling(int(t.tm[i]), int(t.tn[i]), int(t.tr[i]), int(t.tc[i]))


def _scalar_counts(counts: dict) -> dict:
    out = {}
    for k, v in counts.items():
        out[k] = {kk: int(vv) for kk, vv in v.items()} if isinstance(v, dict) else int(v)
    return out


def layer_config(counts: dict, pattern: Pattern, t: Tiling, buf: Buffer) -> LayerConfig:
    """The configuration words' view of one scheduled layer."""
    banks, needs = counts["banks"], counts["needs_refresh"]
    b_in, b_out, b_w = (int(banks[k]) for k in ("input", "output", "weight"))
    start = {"input": 0, "output": b_in, "weight": b_in + b_out}
    flags = 0
    if buf.controller == "normal" and any(bool(needs[k]) for k in needs):
        flags = (1 << buf.n_banks) - 1
    elif buf.controller == "optimized":
        for k in ("input", "output", "weight"):
            if bool(needs[k]):
                flags |= ((1 << int(banks[k])) - 1) << start[k]
    return LayerConfig(period=buf.period_cycles, refresh_flags=flags, pattern=pattern,
                       tm=t.tm, tn=t.tn, tr=t.tr, tc=t.tc, layer_cycles=int(counts["cycles"]),
                       banks_in=b_in, banks_out=b_out, banks_w=b_w)


def schedule_layer(name: str, shape: ConvShape, patterns, cfg: RanaConfig, buf: Buffer,
                   costs: dict, repeat: int = 1, fixed_tiling: Tiling | None = None,
                   phase: int = 0, overhead: int = 0) -> LayerSchedule:
    """Lowest-energy (pattern, tiling) of one layer under all constraints.

    ``phase``: cycles since the refresh divider's last pulse when the layer
    starts (the divider runs on across layers, :mod:`golden.rana.cost` γ);
    ``overhead``: the controller's cycles after the layer under its flags.

    ``fixed_tiling`` replaces the grid by one tiling (a fixed datapath such as
    DaDianNao's, §V-C), clipped to the layer.
    """
    if fixed_tiling is None:
        grid = tiling_grid(shape, cfg.platform.pe_rows, cfg.platform.pe_cols)
    else:
        grid = Tiling(*(np.array([min(v, dim)]) for v, dim in zip(
            (fixed_tiling.tm, fixed_tiling.tn, fixed_tiling.tr, fixed_tiling.tc),
            (shape.M, shape.N, shape.R, shape.C), strict=True)))
    fits = core_fits(shape, grid, cfg.core)
    best = None
    n_ok = 0
    for pattern in patterns:
        counts = layer_counts(shape, pattern, grid, cfg.platform, buf, repeat, phase, overhead)
        ok = fits & counts["feasible"]
        n_ok += int(ok.sum())
        if not ok.any():
            continue
        energy = np.where(ok, energy_pj(counts, costs), np.inf)
        i = int(np.argmin(energy))
        if best is None or energy[i] < best[0]:
            best = (energy[i], pattern, _pick(grid, i))
    if best is None:
        why = f"the tiles overflow the {buf.n_banks}-bank buffer"
        if not fits.any():
            smallest = _pick(grid, int(np.argmin(grid.tm * grid.tn * grid.tr * grid.tc)))
            try:
                check_tiling(shape, smallest, cfg.core)
            except TilingError as exc:
                why = f"no tiling meets the core limits; even the smallest, {exc}"
        raise ScheduleError(f"layer {name}: no feasible schedule for patterns "
                            f"{', '.join(p.name for p in patterns)}: {why}")
    _, pattern, tiling = best
    counts = _scalar_counts(layer_counts(shape, pattern, tiling, cfg.platform, buf, repeat, phase, overhead))
    try:
        config = layer_config(counts, pattern, tiling, buf)
    except ConfigWordError as exc:  # e.g. a huge image: layer_cycles beyond its 32-bit word
        raise ScheduleError(f"layer {name}: {exc}") from None
    return LayerSchedule(name, shape, repeat, pattern, tiling, counts,
                         layer_account(counts, costs, cfg.platform), config, n_ok)


def conv_layers(network: str | Network) -> list[tuple[str, ConvShape, int]]:
    """(name, per-group shape, groups) of every convolution of a network (zoo name, ONNX path or Network)."""
    out = []
    for lay in as_network(network).layers:
        if lay.kind != "conv":
            continue
        if lay.kernel_h != lay.kernel_w or lay.stride_h != lay.stride_w:
            raise ConfigError(f"layer {lay.name}: RANA's model needs square kernels and strides")
        g = lay.groups
        shape = ConvShape(M=lay.out_ch // g, N=lay.in_ch // g, R=lay.out_h, C=lay.out_w, K=lay.kernel_h,
                          S=lay.stride_h, H=lay.in_h, L=lay.in_w, name=lay.name)
        out.append((lay.name, shape, g))
    return out


def skipped_layers(network: Network) -> tuple[tuple[str, str], ...]:
    """(name, kind) of the layers with MACs that the scheduler leaves out (FC: not a convolution)."""
    return tuple((lay.name, lay.kind) for lay in network.layers if lay.kind != "conv" and lay.macs)


def as_network(network: str | Network) -> Network:
    return network if isinstance(network, Network) else load_network(network)


def schedule_network(network: str | Network, design: str | Design, cfg: RanaConfig | None = None, *,
                     capacity_scale: float = 1.0, interval_us: float | None = None,
                     n_banks: int | None = None, fixed_tiling: Tiling | None = None) -> NetworkSchedule:
    """Schedule every convolution of ``network`` (zoo name, ONNX path or Network) on ``design``."""
    network = as_network(network)
    cfg = cfg or load_rana_config()
    d = get_design(design) if isinstance(design, str) else design
    buf = design_buffer(d, cfg, capacity_scale, n_banks=n_banks, interval_us=interval_us)
    costs = tech_costs(cfg.tech, d.buffer_kind)
    layers, phase = [], 0
    convs = conv_layers(network)
    if not convs:
        skipped = ", ".join(f"{n} ({k})" for n, k in skipped_layers(network)) or "none"
        raise ScheduleError(f"{network.name}: nothing for RANA to schedule: it has no convolution "
                            f"layer (RANA schedules convolutions only, seed 004 §II-A); layers with "
                            f"MACs left out: {skipped}")
    for i, (name, shape, g) in enumerate(convs):   # in order: the divider's phase carries over
        overhead = controller_overhead(buf.n_banks, last=i == len(convs) - 1)
        s = schedule_layer(name, shape, d.patterns, cfg, buf, costs, g, fixed_tiling, phase, overhead)
        layers.append(s)
        phase = next_phase(phase, int(s.counts["cycles"]) + overhead, buf)
    return NetworkSchedule(network.name, d, buf, layers, cfg.platform.freq_hz, costs,
                           skipped_layers(network))
