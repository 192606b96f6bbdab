"""Hydra parameters (``configs/hydra.toml``) as frozen dataclasses.

Source of the paper values: seed ``001_fbb152c140f97399.txt``, Table I.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from hymem.golden.config import ConfigError, check_range, config_path, from_dict, load_toml
from hymem.golden.fixed import FixedFormat
from hymem.golden.workloads.layers import KINDS as LAYER_KINDS

PASS_ACCUMULATION = ("unit", "rau")
TILINGS = ("ideal_memory", "dram_pcm")


class HydraOp(IntEnum):
    """Command op codes (``cmd.op``) of a Hydra unit and of the Hydra system.

    The RTL uses this enum as the shape of its command's ``op`` field; golden
    and testbenches send the same members.  ``WRITE_BIAS`` is the system's only
    (the result-accumulation unit's bias memory); a unit raises ``error`` on it.
    """

    WRITE_AB = 1
    WRITE_WB = 2
    SET_REG = 3
    START = 4
    READ = 5
    WRITE_BIAS = 6


@dataclass(frozen=True)
class SystemParams:
    """``[system]``.  ``pass_accumulation``: where the partial sums of successive input-channel
    passes meet — ``unit``: each unit adds them in its output buffer (``accumulate`` register) and
    the RAU reads a chunk once, after its last pass; ``rau``: every pass is read into the RAU's
    accumulation memory (the paper's description, seed 001 §III-B).  Same results, bit for bit.
    ``overlap``: two banks of AB, WB and OB per unit, so the next job's WRITEs and the previous
    job's READ run while a START computes (``docs/hydra.md``, "Overlapped schedule"); false: the
    paper's serial schedule.  ``tiling``: how a layer's output rows per tile are chosen
    (``golden.hydra.cycles.best_tile_rows``) — ``ideal_memory``: the fastest with ideal memory
    (exhaustive); ``dram_pcm``: the fastest with the DRAM/PCM device models on the memory clock
    (the simulation top's exact cost) among the most rows of each output-channel chunk size.
    ``rau_entries`` (R): a READ moves R consecutive entries of one channel per cycle (R lanes of one
    output-buffer word; a channel's last transfer may be partial) through R adder trees and R
    requantizers of the RAU; 1 is the one-entry-per-cycle READ path."""

    n_units: int = 16      # seed 001, Table I
    n_macs: int = 32       # seed 001, Table I
    freq_hz: float = 3.0e9  # seed 001, Table I / §IV-B
    pass_accumulation: str = "unit"
    overlap: bool = True   # double-buffered AB/WB/OB: transfers overlap compute (issue 18)
    tiling: str = "ideal_memory"  # this design's choice (the paper gives no tiling)
    rau_entries: int = 1   # output-buffer entries a READ moves per cycle (RAU width; issue 18)

    def __post_init__(self):
        if not isinstance(self.overlap, bool):
            raise ConfigError(f"system.overlap={self.overlap!r}: must be true or false")
        if self.n_units < 1 or self.n_macs < 1:
            raise ConfigError(f"system: n_units={self.n_units}, n_macs={self.n_macs} must be >= 1")
        check_range("system.freq_hz", self.freq_hz, 0, lo_open=True)
        r = self.rau_entries
        if not isinstance(r, int) or r < 1 or r & (r - 1) or self.n_macs % r:
            raise ConfigError(f"system.rau_entries={r!r}: must be a power of two dividing "
                              f"system.n_macs={self.n_macs} (a READ moves R lanes of one output-buffer word)")
        if self.tiling not in TILINGS:
            raise ConfigError(f"system.tiling={self.tiling!r}; valid: {', '.join(TILINGS)}")
        if self.pass_accumulation not in PASS_ACCUMULATION:
            raise ConfigError(f"system.pass_accumulation={self.pass_accumulation!r}; "
                              f"valid: {', '.join(PASS_ACCUMULATION)}")


MAC_VARIANTS = ("pipelined", "sequential")


@dataclass(frozen=True)
class MacParams:
    """``[mac]``: event-counter width and the MAC timing variant.

    ``pipelined``: a full multiplier, one ⟨W, A⟩ pair per cycle (``rtl/hydra/mac.py``).
    ``sequential``: a radix-4 Booth multiplier retiring two multiplier bits per
    cycle, ``width / 2`` cycles per pair (8 for FX16; ``rtl/hydra/mac_seq.py``),
    the timing SPEC §5.1 infers from the paper's latencies.  Both are bit-identical.
    """

    counter_width: int = 32
    variant: str = "pipelined"

    def __post_init__(self):
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"mac.counter_width={self.counter_width}: must be in 8..64")
        if self.variant not in MAC_VARIANTS:
            raise ConfigError(f"mac.variant={self.variant!r}; valid: {', '.join(MAC_VARIANTS)}")


TRANSFER_ENERGY_TERMS = ("array", "array+buffer")


@dataclass(frozen=True)
class MemoryParams:
    """``[memory]``: the DRAM + PCM main-memory model (``golden/hydra/memory.py``).

    Device timings and per-bit energies are not here: they are Table I's, read
    from the technology table ``tech`` (``configs/tech/hydra_dram_pcm.toml``).
    Here are only the model's own assumptions, each explained in the TOML.
    """

    tech: str = "hydra_dram_pcm"
    clock_hz: float = 400e6        # memory bus clock of Table I's cycle timings (assumption)
    burst_bytes: int = 64          # one access = one 64 B block (Table I cache blocks)
    row_bytes: int = 8192          # row (page) opened once per streamed row (assumption)
    traffic_kinds: tuple[str, ...] = ("conv", "fc")
    transfer_energy: str = "array"

    def __post_init__(self):
        if self.clock_hz <= 0:
            raise ConfigError(f"memory.clock_hz={self.clock_hz}: must be > 0")
        if self.burst_bytes < 1 or self.row_bytes % self.burst_bytes or self.row_bytes < 1:
            raise ConfigError(f"memory: row_bytes={self.row_bytes} must be a positive multiple of "
                              f"burst_bytes={self.burst_bytes} (>= 1)")
        kinds = self.traffic_kinds
        if isinstance(kinds, str) or not all(isinstance(k, str) for k in kinds):
            raise ConfigError(f"memory.traffic_kinds={kinds!r}: must be a list of layer kinds")
        unknown = sorted(set(kinds) - set(LAYER_KINDS))
        if unknown:
            raise ConfigError(f"memory.traffic_kinds: unknown kind(s) {', '.join(unknown)}; "
                              f"valid: {', '.join(LAYER_KINDS)}")
        object.__setattr__(self, "traffic_kinds", tuple(kinds))
        if self.transfer_energy not in TRANSFER_ENERGY_TERMS:
            raise ConfigError(f"memory.transfer_energy={self.transfer_energy!r}; "
                              f"valid: {', '.join(TRANSFER_ENERGY_TERMS)}")


@dataclass(frozen=True)
class UnitParams:
    """``[unit]``: buffers and bus of one Hydra unit (``rtl/hydra/unit.py``).

    Table I gives "Activation buffer, Weight buffer per PE: 1 KB, 128 B"; a PE
    is read as one MAC, so a unit has ``n_macs`` × 1 KB of activations and
    ``n_macs`` × 128 B of weights.  The output-buffer depth, the bus width and
    the largest kernel are this design's choices (the paper gives none).  ``scan_values`` (V):
    the fill engine reads V consecutive activations of a box row per cycle from V value-interleaved
    AB banks (a power of two <= the values of a bus word; 1 is the one-value-a-cycle engine).
    """

    ab_bytes_per_mac: int = 1024   # seed 001, Table I
    wb_bytes_per_mac: int = 128    # seed 001, Table I
    ob_words: int = 128            # output-buffer words of n_macs accumulators (assumption)
    bus_width: int = 64            # chip-internal bus bits per beat (assumption: x8 chip, burst 8)
    max_kernel: int = 7            # largest K of a K×K window (ResNet-34's 7×7 conv1)
    scan_values: int = 4           # activations the fill engine scans per cycle (issue 18; 1: one a cycle)

    def __post_init__(self):
        for name in ("ab_bytes_per_mac", "wb_bytes_per_mac", "ob_words", "bus_width", "max_kernel",
                     "scan_values"):
            if getattr(self, name) < 1:
                raise ConfigError(f"unit.{name}={getattr(self, name)}: must be >= 1")
        check_range("unit.max_kernel", self.max_kernel, 1, 15, why="the unit's 4-bit kernel register")


@dataclass(frozen=True)
class SimTopParams:
    """``[sim_top]``: the simulation top (``rtl/hydra/sim_top.py``): in-HDL DRAM/PCM device models
    on the memory clock, a command memory and the host's command streamer.

    ``data_beats_per_clock``: beats per memory clock (2: DDR, data on both edges; with Table I's
    tCCD = 4 a column command moves 8 beats, a BL8 burst).  The depths are the simulation
    memories' sizes in beats / entries (simulation only; a whole layer's images must fit).
    ``pcm_prefetch_beats``: with [system] overlap, a FIFO of this many beats between the PCM model
    and the system, so a WRITE_WB / WRITE_BIAS is read from PCM while the system takes the WRITE
    before it from DRAM (0: no FIFO, the PCM read starts when the system takes the WRITE).
    """

    data_beats_per_clock: int = 2
    dram_depth: int = 1 << 18
    pcm_depth: int = 1 << 17
    cmd_depth: int = 1 << 17
    pcm_prefetch_beats: int = 512

    def __post_init__(self):
        check_range("sim_top.data_beats_per_clock", self.data_beats_per_clock, 1, 8)
        if self.pcm_prefetch_beats != 0:
            check_range("sim_top.pcm_prefetch_beats", self.pcm_prefetch_beats, 2, 1 << 16,
                        why="0 (no prefetch) or a FIFO of at least 2 beats")
        for name in ("dram_depth", "pcm_depth", "cmd_depth"):
            check_range(f"sim_top.{name}", getattr(self, name), 2, 1 << 30)


#: width of the unit command's addr and arg fields (``golden.hydra.unit.REG_WIDTH``)
CMD_FIELD_BITS = 16


@dataclass(frozen=True)
class HydraConfig:
    system: SystemParams = field(default_factory=SystemParams)
    fixed: FixedFormat = field(default_factory=FixedFormat)
    mac: MacParams = field(default_factory=MacParams)
    unit: UnitParams = field(default_factory=UnitParams)
    memory: MemoryParams = field(default_factory=MemoryParams)
    sim_top: SimTopParams = field(default_factory=SimTopParams)

    def __post_init__(self):
        self._check_command_fields()

    def _check_command_fields(self) -> None:
        """Buffer sizes the unit's 16-bit command fields can address (rtl/hydra/unit.py ``cmd``):
        WRITE_AB/WRITE_WB carry the first word in ``addr`` and the word count in ``arg``,
        READ the output-buffer entry count in ``arg``."""
        most = (1 << CMD_FIELD_BITS) - 1
        u, n = self.unit, self.system.n_macs
        banks = 2 if self.system.overlap else 1
        for buf, per_mac, cmd in (("activation", u.ab_bytes_per_mac, "WRITE_AB"),
                                  ("weight", u.wb_bytes_per_mac, "WRITE_WB")):
            words = banks * per_mac * 8 * n // u.bus_width
            if words > most:
                raise ConfigError(
                    f"system.n_macs={n} x unit.{buf[0]}b_bytes_per_mac={per_mac}: a {words}-word "
                    f"{buf} buffer ({u.bus_width}-bit words, {banks} bank(s), system.overlap="
                    f"{str(self.system.overlap).lower()}) is more than the {most} words the "
                    f"{CMD_FIELD_BITS}-bit cmd.addr/cmd.arg fields of {cmd} address")
        check_range("unit.ob_words", u.ob_words, 1, most // banks,
                    why=f"READ counts entries in the {CMD_FIELD_BITS}-bit cmd.arg field")


def load_hydra_config(path: Path | str | None = None) -> HydraConfig:
    """Load ``configs/hydra.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(HydraConfig, load_toml(path or config_path("hydra")), "hydra")
