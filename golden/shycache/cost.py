"""Energy and power of a simulated run: array events x tech-table energies + leakage.

Events per array (level x part), from the simulator's ``events``:

* ``read``  = demand hits that read (loads at L1, every L2 demand hit — the line goes
  up) + victim read-outs (each write-back; in an exclusive hierarchy every L1 victim,
  clean or dirty, is read out to move down);
* ``write`` = fills + stores + lines written back into the array from above.

Energy (one function, :func:`golden.energy.account`): ``events x per-line energy`` +
``leakage power per KB x capacity x time`` for every present array; time = cycles at the
core clock.  Power = energy / time.  The per-access energies and leakage of each array
come from the tech table (``configs/tech/shycache_28nm.toml`` or the user's TOML); the
STT-MRAM numbers can be scaled for a sensitivity study (``stt_scale``).  Only the L1-D and
L2 arrays are costed (the paper's Fig. 4 breakdown); core, DRAM and interconnect are not.
"""

from __future__ import annotations

from hymem.golden.energy import account
from hymem.golden.tech import load_tech

TECH_COMPONENT = {("l1", "sram"): "l1d_sram", ("l1", "stt"): "l1d_stt",
                  ("l2", "sram"): "l2_sram", ("l2", "stt"): "l2_stt"}
STT_SCALE_KEYS = ("read", "write", "leakage")


def array_events(result: dict, inclusion: str) -> dict[str, int]:
    """``{"l1.sram.read": n, "l1.sram.write": n, ...}`` from a simulator result."""
    out = {}
    for (level, part) in TECH_COMPONENT:
        ev = result["events"][level][part]
        reads = ev["read_hits"] + ev["writebacks"]
        if inclusion == "exclusive" and level == "l1":
            reads = ev["read_hits"] + ev["evictions"]
        out[f"{level}.{part}.read"] = reads
        out[f"{level}.{part}.write"] = ev["fills"] + ev["stores"] + ev["writebacks_in"]
    return out


def array_costs(config, tech=None, stt_scale: dict | None = None):
    """Per-event energies (pJ) and leakage per KB (mW) of every array, STT numbers scaled."""
    tech = load_tech(tech or config.tech)
    scale = {k: 1.0 for k in STT_SCALE_KEYS}
    for key, value in (stt_scale or {}).items():
        if key not in scale:
            raise ValueError(f"STT scale {key!r}; valid: {', '.join(STT_SCALE_KEYS)}")
        if not value > 0:
            raise ValueError(f"STT scale {key}={value}: must be > 0")
        scale[key] = float(value)
    costs, leak_per_kb = {}, {}
    for (level, part), comp in TECH_COMPONENT.items():
        k = scale if part == "stt" else {key: 1.0 for key in STT_SCALE_KEYS}
        costs[f"{level}.{part}.read"] = tech[comp]["read_energy"].to("pJ") * k["read"]
        costs[f"{level}.{part}.write"] = tech[comp]["write_energy"].to("pJ") * k["write"]
        leak_per_kb[f"{level}.{part}"] = tech[comp]["leakage_power"].to("mW") * k["leakage"]
    return costs, leak_per_kb


def costed(result: dict, l1, l2, config, inclusion: str | None = None, tech=None,
           stt_scale: dict | None = None) -> dict:
    """``result`` plus ``energy_j``, ``power_w`` and the per-array ``energy_breakdown_j``."""
    inclusion = inclusion or config.cache.inclusion
    costs, leak_per_kb = array_costs(config, tech, stt_scale)
    kb = {"l1.sram": l1.sram_kb, "l1.stt": l1.stt_kb,
          "l2.sram": l2.sram_kb if l2 else 0, "l2.stt": l2.stt_kb if l2 else 0}
    leakage = {name: leak_per_kb[name] * kb[name] for name in kb if kb[name]}
    acc = account(array_events(result, inclusion), costs, cycles=result["cycles"],
                  frequency_hz=config.core.freq_hz, leakage_mw=leakage)
    seconds = acc.seconds
    energy_j = acc.total_pj * 1e-12
    return {**result, "energy_j": energy_j, "power_w": energy_j / seconds if seconds else 0.0,
            "seconds": seconds,
            "energy_breakdown_j": {k: v * 1e-12 for k, v in acc.energy_pj.items()}}
