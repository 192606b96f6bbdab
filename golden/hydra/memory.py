"""Hydra's hybrid main memory (seed 001, Table I): DRAM + PCM, three systems.

Cost model only (counts, energy, time); the functional side of a memory is
the identity.  Everything numeric about the devices — Table I's timings in
memory cycles and per-bit array/buffer read/write energies — comes from the
technology table ``configs/tech/hydra_dram_pcm.toml`` through
:mod:`golden.tech` and :mod:`golden.energy`; the model's own assumptions are
``[memory]`` of ``configs/hydra.toml`` (:class:`~golden.hydra.params.MemoryParams`).

Data movement (the assumptions behind every figure here):

* a layer whose kind is in ``memory.traffic_kinds`` (default conv and FC) reads
  its weights and biases once, reads its input once and writes its output
  once, all as ``fixed.width``-bit elements (the Hydra controller fetches each
  value once and broadcasts it, §III-B); other layers move nothing;
* where the data lives is the system (:data:`PLACEMENT`): pure DRAM, pure
  PCM, or Hydra — model parameters in PCM, read only; activations (every
  intermediate read and write) in DRAM (§I, §III);
* every bit moved crosses the device's array and its row buffer once
  (streaming, full row-buffer locality): a read costs array-read +
  buffer-read energy, a write buffer-write + array-write energy.  Which of
  these count as "data-transfer energy" is ``memory.transfer_energy``;
* transfer time streams the bits in ``burst_bytes`` accesses, one every tCCD,
  and pays tRCD + tCL + tRP per ``row_bytes`` row read and tRCD + tWL + tWR +
  tRP per row written (tRTP <= tCL + tCCD never limits); bursts are spread
  evenly over the device's channels; no bank-level parallelism.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from hymem.golden.config import ConfigError, resolve_name
from hymem.golden.energy import Account, EventCost, account, event_costs
from hymem.golden.tech import load_tech
from hymem.golden.workloads.layers import Layer

from .params import HydraConfig, MemoryParams

DEVICES = ("dram", "pcm")
SYSTEMS = ("dram", "pcm", "hydra")
# system -> (device holding the model parameters, device holding the activations)
PLACEMENT = {"dram": ("dram", "dram"), "pcm": ("pcm", "pcm"), "hydra": ("pcm", "dram")}
TIMINGS = ("tRP", "tCCD", "tRCD", "tCL", "tWL", "tWR", "tRTP")
# event suffix -> quantity of the tech table, energy per bit
EVENTS = {"array_read": "array_read_energy", "buffer_read": "buffer_read_energy",
          "array_write": "array_write_energy", "buffer_write": "buffer_write_energy"}
ENERGY_TERMS = {"array": ("array_read", "array_write"),
                "array+buffer": ("array_read", "array_write", "buffer_read", "buffer_write")}


@dataclass(frozen=True)
class DeviceTiming:
    """Table I's timings of one device (seed 001) as integers: memory-clock cycles, or ``per_clock``
    ticks per memory clock (``from_tech``).  The one definition the golden device model
    (``golden.hydra.command_stream.DeviceTicks``) and the testbenches' bus-functional model
    (``tb.common.dram_pcm.MemoryDevice``) share."""

    tRP: int
    tCCD: int
    tRCD: int
    tCL: int
    tWL: int
    tWR: int
    tRTP: int

    @classmethod
    def from_tech(cls, tech, component: str, per_clock: int = 1) -> DeviceTiming:
        """``component``'s timings (``dram`` / ``pcm``) from a technology table, x ``per_clock``."""
        return DeviceTiming(**{t: per_clock * int(tech.quantity(f"{component}.{t}").to("cycles"))
                               for t in TIMINGS})


def check_system(system: str) -> str:
    """The canonical memory-system name (case-insensitive); unknown names list the valid ones."""
    return resolve_name("memory system", system, SYSTEMS)


@dataclass(frozen=True)
class Device:
    """One main-memory device of Table I: timings (memory cycles), channels, per-bit costs."""

    name: str
    timings: dict[str, int]
    channels: int
    costs: dict[str, EventCost]  # "<device>.<event>" -> pJ per bit

    @property
    def read_row_cycles(self) -> int:
        t = self.timings
        return t["tRCD"] + t["tCL"] + t["tRP"]

    @property
    def write_row_cycles(self) -> int:
        t = self.timings
        return t["tRCD"] + t["tWL"] + t["tWR"] + t["tRP"]


@cache
def _devices_for(tech_name: str) -> dict[str, Device]:
    tech = load_tech(tech_name)
    out = {}
    for dev in DEVICES:
        comp = tech[dev]
        timings = {}
        for key in TIMINGS:
            q = comp[key]
            if q.dimension != "cycles":
                raise ConfigError(f"{tech.path.name}: {dev}.{key} must be in cycles, got {q.unit}")
            timings[key] = int(q.value)
        costs = event_costs(tech, {f"{dev}.{ev}": (f"{dev}.{qty}", 1.0) for ev, qty in EVENTS.items()})
        out[dev] = Device(dev, timings, int(comp["channels"].value), costs)
    return out


def devices(params: MemoryParams) -> dict[str, Device]:
    """DRAM and PCM of the technology table ``params.tech``."""
    return _devices_for(params.tech)


@dataclass(frozen=True)
class Traffic:
    """Elements one layer moves, whatever the system: model reads, activation reads/writes."""

    weight_reads: int
    input_reads: int
    output_writes: int


def layer_traffic(layer: Layer, params: MemoryParams) -> Traffic:
    if layer.kind not in params.traffic_kinds:
        return Traffic(0, 0, 0)
    return Traffic(layer.params, layer.input_elems, layer.output_elems)


@dataclass(frozen=True)
class DeviceAccess:
    """Elements read from and written to one device."""

    reads: int = 0
    writes: int = 0


def place(traffic: Traffic, system: str) -> dict[str, DeviceAccess]:
    """Per-device reads/writes (elements) of ``traffic`` in ``system``."""
    model_dev, act_dev = PLACEMENT[check_system(system)]
    reads = dict.fromkeys(DEVICES, 0)
    writes = dict.fromkeys(DEVICES, 0)
    reads[model_dev] += traffic.weight_reads
    reads[act_dev] += traffic.input_reads
    writes[act_dev] += traffic.output_writes
    return {dev: DeviceAccess(reads[dev], writes[dev]) for dev in DEVICES}


def transfer_account(access: dict[str, DeviceAccess], config: HydraConfig) -> Account:
    """Energy of the accesses: bits × Table I per-bit energies (golden.energy.account)."""
    bits = config.fixed.width
    devs = devices(config.memory)
    costs = {name: cost for d in devs.values() for name, cost in d.costs.items()}
    counts = {}
    for dev, acc in access.items():
        counts[f"{dev}.array_read"] = counts[f"{dev}.buffer_read"] = acc.reads * bits
        counts[f"{dev}.array_write"] = counts[f"{dev}.buffer_write"] = acc.writes * bits
    return account(counts, costs)


def transfer_energy_pj(acct: Account, params: MemoryParams, device: str | None = None) -> float:
    """Data-transfer energy (pJ): the ``params.transfer_energy`` terms, of one device or all."""
    terms = ENERGY_TERMS[params.transfer_energy]
    return math.fsum(pj for event, pj in acct.energy_pj.items()
                     if event.split(".")[1] in terms and (device is None or event.startswith(device + ".")))


def transfer_cycles(dev: Device, acc: DeviceAccess, config: HydraConfig) -> float:
    """Memory-bus cycles to stream ``acc`` through ``dev`` (model in the module docstring)."""
    p = config.memory
    total = 0.0
    for elems, row_cycles in ((acc.reads, dev.read_row_cycles), (acc.writes, dev.write_row_cycles)):
        nbytes = elems * config.fixed.width / 8
        bursts = math.ceil(nbytes / p.burst_bytes)
        rows = math.ceil(nbytes / p.row_bytes)
        total += rows * row_cycles + bursts * dev.timings["tCCD"]
    return total / dev.channels


def transfer_seconds(access: dict[str, DeviceAccess], config: HydraConfig) -> dict[str, float]:
    devs = devices(config.memory)
    return {dev: transfer_cycles(devs[dev], acc, config) / config.memory.clock_hz
            for dev, acc in access.items()}


__all__ = ["DEVICES", "ENERGY_TERMS", "PLACEMENT", "SYSTEMS", "Device", "DeviceAccess", "Traffic",
           "check_system", "devices", "layer_traffic", "place", "transfer_account", "transfer_cycles",
           "transfer_energy_pj", "transfer_seconds"]
