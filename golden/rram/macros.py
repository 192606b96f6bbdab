"""Table 4 / Table 5 macros of seed 002 as plain numbers, read from the tech table.

A buffer is ``banks`` identical macros (§5.1: "each buffer with 8 banks"); its capacity, its
bandwidths and its leakage are the bank's times ``banks``; one access is one word of the
macro's bitwidth (Table 4: 32 B RRAM, 8 B SRAM) and costs the bank's per-access energy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hymem.golden.config import ConfigError
from hymem.golden.tech import Technology, load_tech

ACC_PREFIX = "acc_buf_"


@dataclass(frozen=True)
class Macro:
    """One Table 4 memory macro (a bank)."""

    name: str
    kind: str            # "rram" | "sram"
    word_bytes: int      # bytes per access
    size_bytes: int
    rd_bw: float         # bytes/s
    wr_bw: float         # bytes/s
    rd_pj: float         # per access of word_bytes
    wr_pj: float
    leak_mw: float


@dataclass(frozen=True)
class AccMacro:
    """One Table 5 accumulation buffer (32-bit words); depth 0 = none, costs nothing."""

    depth: int
    rd_pj: float
    wr_pj: float
    leak_mw: float


@dataclass(frozen=True)
class Ddr:
    """The DDR4 of Table 4: energy per byte (model.ddr_bytes_per_access), ``chips`` chips."""

    rd_pj: float
    wr_pj: float
    bw: float            # bytes/s, all chips
    leak_mw: float       # background, all chips


@lru_cache(maxsize=8)
def technology(name: str) -> Technology:
    return load_tech(name)


def macro(tech: Technology, name: str) -> Macro:
    comp = tech[name]
    if comp.kind not in ("rram", "sram"):
        raise ConfigError(f"{name!r} is a {comp.kind}, not a Table 4 memory macro; valid: "
                          + ", ".join(c.name for c in tech.components.values()
                                      if c.kind in ("rram", "sram")))
    return Macro(name, comp.kind, int(comp["bitwidth"].to("B")), int(comp["size"].to("B")),
                 comp["read_bandwidth"].to("GB/s") * 1e9, comp["write_bandwidth"].to("GB/s") * 1e9,
                 comp["read_energy"].to("pJ"), comp["write_energy"].to("pJ"),
                 comp["leakage"].to("mW"))


def macros_of_kind(tech: Technology, kind: str) -> list[str]:
    return [c.name for c in tech.components.values() if c.kind == kind]


def acc_macro(tech: Technology, depth: int) -> AccMacro:
    if depth == 0:
        return AccMacro(0, 0.0, 0.0, 0.0)
    name = f"{ACC_PREFIX}{depth}"
    if name not in tech.components:
        valid = ["0 (none)"] + [c.name.removeprefix(ACC_PREFIX) for c in tech.components.values()
                                if c.kind == "accumulation_buffer"]
        raise ConfigError(f"accumulation depth {depth} is not in Table 5; valid: "
                          + ", ".join(valid))
    comp = tech[name]
    return AccMacro(depth, comp["read_energy"].to("pJ"), comp["write_energy"].to("pJ"),
                    comp["leakage"].to("mW"))


def acc_depths(tech: Technology) -> list[int]:
    return [0] + [int(c["depth"].value) for c in tech.components.values()
                  if c.kind == "accumulation_buffer"]


def ddr(tech: Technology, bytes_per_access: int = 1) -> Ddr:
    comp = tech["ddr4"]
    chips = comp["chips"].value
    return Ddr(comp["read_energy"].to("pJ") / bytes_per_access,
               comp["write_energy"].to("pJ") / bytes_per_access,
               comp["bandwidth"].to("GB/s") * 1e9 * chips, comp["leakage"].to("mW") * chips)


__all__ = ["AccMacro", "Ddr", "Macro", "acc_depths", "acc_macro", "ddr", "macro",
           "macros_of_kind", "technology"]
