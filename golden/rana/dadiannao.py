"""RANA on one DaDianNao node (seed 004 §V-C, Fig. 19).

The node as the paper models it: 4096 multipliers in a tree, i.e. 64 output
channels × 64 input channels per cycle with the fixed tiling Tm = Tn = 64,
Tr = Tc = 1, 36 MB of eDRAM, 606 MHz, the Fig. 8 retention distribution.
Original DaDianNao runs every layer in WD (§V-C: "it only uses the WD
computation pattern") with the normal 45 µs refresh; RANA(0), RANA(E-5) and
RANA*(E-5) are configured as in Table IV on the same hardware.

Assumptions (stated in ``configs/rana.toml [dadiannao]``): the same 65 nm
Table III energies and the same eDRAM bank size as the evaluation platform
(36 MB / 22.7 KB = 1622 banks); the core-storage limits do not bind (the
tiling is fixed by the datapath).
"""

from __future__ import annotations

import dataclasses

from hymem.golden.config import ConfigError
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.designs import DESIGNS, Design
from hymem.golden.rana.lifetime import Tiling
from hymem.golden.rana.params import CoreParams, RanaConfig, load_rana_config
from hymem.golden.rana.scheduler import NetworkSchedule, schedule_network
from hymem.golden.rana.study import (
    AGGREGATE,
    BENCHMARKS,
    REFRESH_COUNT,
    RecountedSchedule,
    aggregate_ratio,
    counted,
)

# Bank sizes (bytes) the node's refresh could be issued at: the paper gives none for DaDianNao
# (§V-C).  The default is the evaluation platform's bank (configs/rana.toml [edram]); Table II's
# 32 KB macro; and one bank per 2 MB of eDRAM, the size of one DaDianNao tile's eDRAM (ref. [12]:
# 16 tiles x 2 MB + 4 MB central = the 36 MB of §V-C), 18 banks.
BANK_READINGS = {"Table II 32 KB macro": 32 * 1024, "2 MB, one DaDianNao tile's eDRAM": 2 << 20}

# How β_b counts a word moved to or from DDR, which the paper leaves to its ref. [11] (§IV-C3):
# "with_fill" (default, golden/rana/cost.py: the buffer sits between DDR and core, Fig. 3(a), so
# every DDR word is also one buffer write or read) or "core_only" (a buffer access is a word moving
# buffer <-> core, the only traffic §II-B and §IV-C1 discuss as "buffer access").  Reported beside
# the §V-C figures (issue 12); the default is unchanged.
BUFFER_COUNTS = ("with_fill", "core_only")
BUFFER_COUNT = "with_fill"


class CoreOnlyBuffer(RecountedSchedule):
    """A (counted) schedule with the buffer side of its DDR transfers taken out of β_b and of the
    buffer energy (:data:`BUFFER_COUNTS`); same ``totals``/``energy_pj``/``total_pj`` interface."""

    def __init__(self, counted_schedule, e_buffer_pj: float):
        fill = counted_schedule.totals()["ddr"]
        self._totals = {**counted_schedule.totals(), "buffer": counted_schedule.totals()["buffer"] - fill}
        energy = counted_schedule.energy_pj()
        self._energy = {**energy, "buffer": energy["buffer"] - fill * e_buffer_pj}


def buffer_counted(schedule: NetworkSchedule, refresh_count: str, buffer_count: str):
    """``schedule`` with γ counted as ``refresh_count`` and β_b as ``buffer_count``."""
    s = counted(schedule, refresh_count)
    if buffer_count == "with_fill":
        return s
    if buffer_count == "core_only":
        return CoreOnlyBuffer(s, schedule.costs["buffer"].energy_pj)
    raise ConfigError(f"buffer count {buffer_count!r}: valid: {', '.join(BUFFER_COUNTS)}")


ORIGINAL = Design("DaDianNao", "edram", (Pattern.WD,), None, "normal")
DD_DESIGNS = (ORIGINAL, DESIGNS["RANA(0)"], DESIGNS["RANA(E-5)"], DESIGNS["RANA*(E-5)"])


def with_bank_bytes(cfg: RanaConfig, bank_bytes: int) -> RanaConfig:
    """``cfg`` with eDRAM banks of ``bank_bytes`` (whole rows), for the node's refresh granularity."""
    row_bytes = cfg.edram.row_bits // 8
    if bank_bytes % row_bytes:
        raise ConfigError(f"bank of {bank_bytes} B: not a whole number of {row_bytes}-byte rows")
    return dataclasses.replace(cfg, edram=dataclasses.replace(cfg.edram,
                                                              rows_per_bank=bank_bytes // row_bytes))


def node_config(cfg: RanaConfig) -> RanaConfig:
    dd = cfg.dadiannao
    unbounded = CoreParams(1 << 40, 1 << 40, 1 << 40)
    return dataclasses.replace(cfg, platform=dd.platform(cfg.platform.data_bits), core=unbounded)


def node_banks(cfg: RanaConfig) -> int:
    return cfg.dadiannao.capacity_bytes // cfg.edram.bank_bytes


def schedule_on_node(network: str, design: Design, cfg: RanaConfig | None = None) -> NetworkSchedule:
    cfg = cfg or load_rana_config()
    dd = cfg.dadiannao
    return schedule_network(network, design, node_config(cfg), n_banks=node_banks(cfg),
                            fixed_tiling=Tiling(dd.tm, dd.tn, dd.tr, dd.tc))


def comparison(cfg: RanaConfig | None = None, nets=BENCHMARKS, how: str = AGGREGATE,
               refresh_count: str = REFRESH_COUNT, buffer_count: str = BUFFER_COUNT) -> dict:
    """§V-C figures over the benchmarks, combined and with γ counted as the §V-B ones
    (:mod:`golden.rana.study`), β_b as ``buffer_count`` (:data:`BUFFER_COUNTS`)."""
    cfg = cfg or load_rana_config()
    m = {(n, d.name): buffer_counted(schedule_on_node(n, d, cfg), refresh_count, buffer_count)
         for n in nets for d in DD_DESIGNS}

    def ratio(a: str, b: str, key) -> float:
        return aggregate_ratio([key(m[n, a]) for n in nets], [key(m[n, b]) for n in nets], how)

    def share(design: str, part, whole) -> float:
        return aggregate_ratio([part(m[n, design]) for n in nets], [whole(m[n, design]) for n in nets], how)

    def energy(event):
        return lambda s: s.energy_pj()[event]

    def accel(s):  # accelerator energy: everything but off-chip access (Fig. 16's convention)
        e = s.energy_pj()
        return e["mac"] + e["buffer"] + e["refresh"]

    return {
        "dadiannao_buffer_energy_share": share("DaDianNao", energy("buffer"), lambda s: s.total_pj()),
        "rana0_vs_dadiannao_buffer_energy_saving": 1 - ratio("RANA(0)", "DaDianNao", energy("buffer")),
        "ranae5_vs_rana0_refresh_energy_saving": 1 - ratio("RANA(E-5)", "RANA(0)", energy("refresh")),
        "ranae5_refresh_share_of_accelerator": share("RANA(E-5)", energy("refresh"), accel),
        "rana_star_vs_dadiannao_refresh_saving": 1 - ratio("RANA*(E-5)", "DaDianNao",
                                                           lambda s: s.totals()["refresh"]),
        "rana_star_vs_dadiannao_energy_saving": 1 - ratio("RANA*(E-5)", "DaDianNao", lambda s: s.total_pj()),
    }


PAPER = {  # seed 004 §V-C, as fractions
    "dadiannao_buffer_energy_share": 0.235,
    "rana0_vs_dadiannao_buffer_energy_saving": 0.972,
    "ranae5_vs_rana0_refresh_energy_saving": 0.949,
    "ranae5_refresh_share_of_accelerator": 0.369,
    "rana_star_vs_dadiannao_refresh_saving": 0.999,
    "rana_star_vs_dadiannao_energy_saving": 0.694,
}
