"""Per-layer and per-frame figures of a network on the three Hydra memory systems.

For each layer: compute time (from a :class:`Timing`), per-device reads and
writes, data-transfer energy, transfer time, and PCM writes avoided relative
to the pure-PCM system; for the frame: their sums and the frame latency.

Frame latency is ``max(Σ compute, Σ transfer of the busiest device)``: the
Hydra buffers prefetch operands while the MACs run, so transfers overlap
computation across the frame (§III-B, §IV-B-1: "equivalent performance for
all systems ... additional buffers to overlap data access latency").  A layer
whose own transfer time exceeds its compute time (the FC layers) is flagged
``memory_bound``; the frame is flagged when the overlap cannot hide the
transfers.

Timings:

* :class:`MacRate` — compute cycles ``MACs × cycles_per_mac / (units × MACs per
  unit)``: every MAC of every unit busy.  :func:`paper_timing` calibrates
  ``cycles_per_mac`` (the one calibrated parameter) so that VGG-16 takes the
  paper's 81.22 ms (seed 001, Fig. 5a); :func:`radix4_timing` uses the
  sequential radix-4 multiplier's ``width / 2`` cycles per MAC, uncalibrated.
* :class:`RtlTiming` — the RTL cycle model ``golden.hydra.cycles.layer_cycles``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache

from hymem.golden.config import ConfigError, resolve_name
from hymem.golden.workloads import Network, get_network
from hymem.golden.workloads.layers import Layer

from . import memory
from .params import HydraConfig, SystemParams

# The calibration point of the paper timing (named; everything else is a prediction).
PAPER_CAL_NETWORK = "vgg16"
PAPER_CAL_LATENCY_S = 81.22e-3  # seed 001, Fig. 5a: "VGG-16 (latency: 81.22 ms per frame)"
PAPER_CAL_SOURCE = "seed 001 Fig. 5a (VGG-16, 81.22 ms per frame)"


@dataclass(frozen=True)
class LayerCompute:
    cycles: float
    utilization: float | None = None  # MAC-busy fraction, when the timing model knows it


@dataclass(frozen=True)
class MacRate:
    """Compute time proportional to MACs at ``cycles_per_mac`` per MAC per MAC unit."""

    cycles_per_mac: float
    label: str

    def __post_init__(self):
        if not self.cycles_per_mac > 0:
            raise ConfigError(f"cycles per MAC must be > 0, got {self.cycles_per_mac}")

    def layer(self, layer: Layer, config: HydraConfig) -> LayerCompute:
        parallel = config.system.n_units * config.system.n_macs
        return LayerCompute(layer.macs * self.cycles_per_mac / parallel)


def network_macs(net: Network) -> int:
    return sum(lay.macs for lay in net.layers)


#: the configuration Fig. 5a's latencies were measured on: Table I's 16 units x 32 MACs at 3 GHz
#: (the dataclass defaults carry those paper values; a user's TOML does not move them)
PAPER_SYSTEM = SystemParams()


def paper_timing(config: HydraConfig) -> MacRate:
    """:class:`MacRate` with ``cycles_per_mac`` calibrated on VGG-16's 81.22 ms (Fig. 5a).

    The calibration is done once, on the paper's own configuration (:data:`PAPER_SYSTEM`), and
    gives a per-MAC-unit cost; the frame time then scales with the configured ``n_units``,
    ``n_macs`` and ``freq_hz`` (re-fitting on the user's configuration would pin VGG-16 at
    81.22 ms whatever the design, and hide every change a user explores)."""
    s = PAPER_SYSTEM
    macs = network_macs(get_network(PAPER_CAL_NETWORK))
    c = PAPER_CAL_LATENCY_S * s.freq_hz * s.n_units * s.n_macs / macs
    return MacRate(c, f"paper: {c:.4f} cycles/MAC, calibrated on {PAPER_CAL_SOURCE} at Table I's "
                      f"{s.n_units} units x {s.n_macs} MACs, {s.freq_hz / 1e9:g} GHz; scales with "
                      "n_units, n_macs, freq_hz")


def radix4_timing(config: HydraConfig) -> MacRate:
    """Sequential radix-4 multiplier: two multiplier bits per cycle, no other overhead."""
    c = math.ceil(config.fixed.width / 2)
    return MacRate(c, f"radix-4 sequential MAC: {c} cycles/MAC, ideal, uncalibrated")


RTL_KINDS = ("conv", "fc", "maxpool")  # the unit's modes; other layers do not run on the units


@dataclass(frozen=True)
class RtlTiming:
    """Compute cycles from the RTL cycle model ``golden.hydra.cycles.layer_cycles``.

    Its cycles include the unit's command traffic on the chip-internal bus
    (WRITE/READ), so this is the latency of our RTL configuration; layers of
    other kinds (add, avgpool, concat) have no unit mode and count 0 cycles.
    """

    label: str = ("rtl: golden.hydra.cycles.layer_cycles (add/avgpool/concat layers: no unit "
                  "mode, 0 cycles)")
    memory_timing: bool = False  # DRAM/PCM timing on the memory clock (the simulation top's cost)

    def layer(self, layer: Layer, config: HydraConfig) -> LayerCompute:
        if layer.kind not in RTL_KINDS:
            return LayerCompute(0.0, None)
        try:
            cycles, util = _rtl_cycles(replace(layer, name=""), config, self.memory_timing)
        except ConfigError as exc:  # put the layer's name back into the message
            raise ConfigError(str(exc).replace("layer ''", f"layer {layer.name!r}", 1)) from None
        return LayerCompute(cycles, util)


@lru_cache(maxsize=512)
def _rtl_cycles(layer: Layer, config: HydraConfig, memory_timing: bool = False) -> tuple[float, float]:
    """One RTL cycle-model run per layer shape (the name is blanked: VGG-19 repeats VGG-16's).
    ``memory_timing``: the simulation top's exact cost with the DRAM/PCM device models
    (``golden.hydra.command_stream.layer_memory_cost``) instead of ideal memory."""
    try:
        if memory_timing:
            from hymem.golden.hydra.command_stream import layer_memory_cost
            from hymem.golden.hydra.cycles import best_tile_rows

            best_tile_rows(layer, config)  # raises UnsupportedLayer naming the constraint
            cycles = layer_memory_cost(layer, config).cycles
            n_macs = config.system.n_units * config.system.n_macs
            return float(cycles), layer.macs / (n_macs * cycles) if cycles else 0.0
        res = rtl_layer_cycles()(layer, config)
    except ValueError as exc:  # UnsupportedLayer names the constraint that fails
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(str(exc)) from None
    return float(_field(res, "cycles")), float(_field(res, "utilization"))


def rtl_layer_cycles():
    """The RTL cycle model, or a one-line error while it does not exist."""
    try:
        from hymem.golden.hydra.cycles import layer_cycles
    except ImportError as exc:
        raise ConfigError(f"RTL timing needs golden.hydra.cycles.layer_cycles, not available ({exc})") \
            from None
    return layer_cycles


def _field(res, key: str):
    return res[key] if isinstance(res, dict) else getattr(res, key)


TIMINGS = ("paper", "radix4", "rtl", "rtl-memory")


def timing_by_name(name: str, config: HydraConfig):
    name = resolve_name("timing", name, TIMINGS)
    if name == "paper":
        return paper_timing(config)
    if name == "radix4":
        return radix4_timing(config)
    schedule = "overlapped" if config.system.overlap else "serial (no overlap)"
    if name == "rtl":
        return RtlTiming(label=f"rtl: golden.hydra.cycles.layer_cycles, {schedule} schedule, ideal memory "
                               "(add/avgpool/concat layers: no unit mode, 0 cycles)")
    if name == "rtl-memory":
        clock = config.memory.clock_hz / 1e6
        return RtlTiming(label=f"rtl-memory: golden.hydra.command_stream.layer_memory_cost, {schedule} "
                               f"schedule, DRAM/PCM (Table I) on the {clock:g} MHz memory clock "
                               "(add/avgpool/concat layers: no unit mode, 0 cycles)", memory_timing=True)
    raise ConfigError(f"unknown timing {name!r}; valid: {', '.join(TIMINGS)}")


@dataclass(frozen=True)
class LayerFigures:
    name: str
    kind: str
    macs: int
    compute_cycles: float
    compute_s: float
    utilization: float | None           # MAC-busy fraction (RTL timing only)
    reads: dict[str, int]               # elements per device
    writes: dict[str, int]
    energy_pj: dict[str, float]         # data-transfer energy per device
    energy_breakdown_pj: dict[str, float]
    transfer_s: dict[str, float]
    pcm_writes_avoided: int

    @property
    def transfer_energy_pj(self) -> float:
        return math.fsum(self.energy_pj.values())

    @property
    def memory_bound(self) -> bool:
        return max(self.transfer_s.values()) > self.compute_s

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "macs": self.macs,
                "compute_cycles": self.compute_cycles, "compute_s": self.compute_s,
                "utilization": self.utilization, "reads": self.reads, "writes": self.writes,
                "transfer_energy_pj": self.transfer_energy_pj, "energy_pj": self.energy_pj,
                "energy_breakdown_pj": self.energy_breakdown_pj, "transfer_s": self.transfer_s,
                "memory_bound": self.memory_bound, "pcm_writes_avoided": self.pcm_writes_avoided}


@dataclass(frozen=True)
class FrameFigures:
    network: str
    system: str
    timing: str
    transfer_energy: str
    layers: tuple[LayerFigures, ...] = field(repr=False)

    def _sum(self, get) -> float:
        return math.fsum(get(lay) for lay in self.layers)

    @property
    def compute_s(self) -> float:
        return self._sum(lambda lay: lay.compute_s)

    @property
    def transfer_s(self) -> dict[str, float]:
        return {dev: self._sum(lambda lay, d=dev: lay.transfer_s[d]) for dev in memory.DEVICES}

    @property
    def latency_s(self) -> float:
        return max(self.compute_s, *self.transfer_s.values())

    @property
    def memory_bound(self) -> bool:
        return max(self.transfer_s.values()) > self.compute_s

    @property
    def reads(self) -> dict[str, int]:
        return {dev: sum(lay.reads[dev] for lay in self.layers) for dev in memory.DEVICES}

    @property
    def writes(self) -> dict[str, int]:
        return {dev: sum(lay.writes[dev] for lay in self.layers) for dev in memory.DEVICES}

    @property
    def energy_pj(self) -> dict[str, float]:
        return {dev: self._sum(lambda lay, d=dev: lay.energy_pj[d]) for dev in memory.DEVICES}

    @property
    def transfer_energy_j(self) -> float:
        return math.fsum(self.energy_pj.values()) * 1e-12

    @property
    def pcm_writes_avoided(self) -> int:
        return sum(lay.pcm_writes_avoided for lay in self.layers)

    @property
    def macs(self) -> int:
        return sum(lay.macs for lay in self.layers)

    @property
    def utilization(self) -> float | None:
        """Cycle-weighted MAC-busy fraction over the layers whose timing reports one."""
        known = [lay for lay in self.layers if lay.utilization is not None]
        cycles = math.fsum(lay.compute_cycles for lay in known)
        return math.fsum(lay.utilization * lay.compute_cycles for lay in known) / cycles \
            if cycles else None

    def totals(self) -> dict:
        return {"latency_s": self.latency_s, "fps": 1 / self.latency_s if self.latency_s else None,
                "compute_s": self.compute_s, "transfer_s": self.transfer_s,
                "memory_bound": self.memory_bound, "macs": self.macs,
                "utilization": self.utilization, "reads": self.reads, "writes": self.writes,
                "transfer_energy_j": self.transfer_energy_j,
                "energy_j": {d: e * 1e-12 for d, e in self.energy_pj.items()},
                "pcm_writes_avoided": self.pcm_writes_avoided}

    def as_dict(self) -> dict:
        return {"network": self.network, "system": self.system, "timing": self.timing,
                "transfer_energy": self.transfer_energy,
                "layers": [lay.as_dict() for lay in self.layers], "frame": self.totals()}


def layer_figures(layer: Layer, system: str, config: HydraConfig, timing) -> LayerFigures:
    traffic = memory.layer_traffic(layer, config.memory)
    access = memory.place(traffic, system)
    acct = memory.transfer_account(access, config)
    compute = timing.layer(layer, config)
    pcm_only = memory.place(traffic, "pcm")["pcm"].writes
    return LayerFigures(
        name=layer.name, kind=layer.kind, macs=layer.macs, compute_cycles=compute.cycles,
        compute_s=compute.cycles / config.system.freq_hz, utilization=compute.utilization,
        reads={d: a.reads for d, a in access.items()}, writes={d: a.writes for d, a in access.items()},
        energy_pj={d: memory.transfer_energy_pj(acct, config.memory, d) for d in memory.DEVICES},
        energy_breakdown_pj=dict(acct.energy_pj),
        transfer_s=memory.transfer_seconds(access, config),
        pcm_writes_avoided=pcm_only - access["pcm"].writes)


def _check_something_to_model(net: Network, config: HydraConfig) -> None:
    """A network without MACs or main-memory traffic has no Hydra figures (all would be 0)."""
    kinds = config.memory.traffic_kinds
    if any(lay.macs or lay.kind in kinds for lay in net.layers):
        return
    present = sorted({lay.kind for lay in net.layers})
    raise ConfigError(f"{net.name}: nothing for Hydra to model: no layer has MACs or main-memory "
                      f"traffic (memory.traffic_kinds = {', '.join(kinds)}); its "
                      f"{len(net.layers)} layer(s) are {', '.join(present) or 'none'}")


def frame(net: Network, system: str, config: HydraConfig, timing=None) -> FrameFigures:
    """Per-layer and per-frame figures of ``net`` on ``system`` (default timing: paper)."""
    system = memory.check_system(system)
    _check_something_to_model(net, config)
    timing = timing or paper_timing(config)
    layers = tuple(layer_figures(lay, system, config, timing) for lay in net.layers)
    return FrameFigures(net.name, system, timing.label, config.memory.transfer_energy, layers)


__all__ = ["PAPER_CAL_LATENCY_S", "PAPER_CAL_NETWORK", "TIMINGS", "FrameFigures", "LayerCompute",
           "LayerFigures", "MacRate", "RtlTiming", "frame", "layer_figures", "network_macs",
           "paper_timing", "radix4_timing", "timing_by_name"]
