"""Operation counts α, β_b, β_d, γ of one layer and the system energy of eq. (14).

``Energy = α·E_mac + β_b·E_buffer + γ·E_refresh + β_d·E_ddr`` (seed 004 §IV-C3)
with the Table III energies of ``configs/tech/rana_65nm.toml`` through
:func:`golden.energy.account`.  All counts are in 16-bit data words.

The paper models β_b and β_d "as done in [11]" and obtains γ from simulation
without giving the formulas; the model below is ours, stated here so every
number can be re-derived by hand:

α   the layer's MACs.

β_b buffer accesses = core-side traffic + every word that moves to or from
    DDR (it passes through the buffer once).  Core-side traffic follows the
    loop order (see :mod:`golden.rana.lifetime`): the core keeps one tile of
    each kind and fetches a tile whenever its id changes between consecutive
    core steps (inputs depend on loops N and RC, weights on M and N, outputs
    on M and RC).  Ignoring loops of a single iteration, a kind whose
    innermost dependent loop is ℓ is fetched ``f`` times over, where ``f`` is
    the product of the trip counts of the loops outside ℓ it does not depend
    on; so input reads = f_i·N·ΣTh·ΣTl (ΣTh, ΣTl: input rows/columns summed
    over the R and C tiles, halos included), weight reads = f_w·M·N·K²,
    output writes = f_o·M·R·C and output reads (partial sums coming back)
    = (f_o − 1)·M·R·C.  For example OD (N, M, RC) reads every weight once
    and writes the outputs ceil(N/Tn) times; ID (M, RC, N) reads the weights
    ceil(R/Tr)·ceil(C/Tc) times.  ``tests/test_rana_model.py`` checks this
    against a naive walk of the loop nest and against hand-derived per-kind
    counts of a small layer; ``counts["buffer_words"]`` gives the split.

    What the paper counts as a buffer access, and why β_b is this — the
    derivation from the text (seed 004):

    * unit: one 16-bit word (Table III prices a "16-bit 32KB SRAM/eDRAM
      access"; Table II's 1.139 pJ/bit × 16 = 18.2 pJ), read or write alike;
    * the PE array reads its operands from the core's 36 KB local storage,
      not from the buffer (§III-A: "so more data can be reused in the core to
      save buffer access"; §II-B: the core part "doesn't influence" memory
      access) — so a buffer access is a word moving buffer ↔ core, once per
      tile fetch, not once per MAC operand;
    * inputs: §II-B, Loop N "all the N input channels are loaded into the
      core", Loop RC "the whole N×H×L input maps are loaded into the core"
      per Tm slice, Loop M repeats it — ID reads the inputs ceil(M/Tm) times
      over (f_i); OD and WD by the same rule on their orders (Fig. 10);
    * weights: the core holds Tm·Tn·K² (R_w), so a weight tile is re-read
      whenever the (m, n) pair changes: every core step in ID and WD (N
      innermost), once per (n, m) in OD (RC innermost) — §IV-C1's "a smaller
      Tn means fewer data are stored in the core, which will result in more
      buffer access";
    * outputs: ID and WD accumulate over the innermost Loop N in the PEs
      "without communicating with the output buffer" and write each output
      once (§III-B2); OD rewrites them every N tile ("for each update, the
      outputs are rewritten to the buffer", §IV-C1), so it reads and writes
      partial sums (f_o − 1) and f_o times — not a free choice;
    * DDR words: the buffer sits between DDR and core (Fig. 3a), so every
      DDR word is one buffer write (load) or read (store) besides its core
      access.

    The paper's formulas (its ref. [11]) are not given, so this is our model,
    but nothing in the text supports a larger count.  In particular the
    previous suspicion that S+ID spends about as much on buffer access as on
    DDR (≈ 1 SRAM access per MAC; ours ≈ 0.1) came from reading the §V-B1
    averages as means of per-network ratios.  A per-network figure that does
    not depend on averaging contradicts it: AlexNet's eD+ID / S+ID energy of
    2.3× (no extra off-chip access, so it is set by the buffer / refresh
    balance) is 2.31× with this β_b, and falls to 1.55× when the core traffic
    is scaled ×8 (the factor that would bring eD+ID's mean increase to the
    paper's +13.3 %).  See :mod:`golden.rana.study` for the averaging.

β_d off-chip accesses: every layer reads its stored input map (N·H·L) and its
    weights once and writes its outputs once (layer-by-layer execution, §II-B),
    in every pattern.  In WD the input windows of neighbouring RC tiles overlap
    (halos); the overlap is re-read from the buffer (it counts in β_b's input
    reads), not from DDR.  This follows the paper's accounting, which states no
    extra off-chip access for RANA(E-5)/RANA*(E-5) at 1.454 MB (§V-B4) nor for
    DaDianNao, whose WD tiles are 1×1 (§V-C), while storing only one window per
    eq. (11); the K−S overlapping input rows kept for the next row of tiles
    (≤ N·(K−S)·L words) are, as in eq. (11), not added to BS_i.  (Counting the
    halos as DDR reads, as this model did before, gave RANA*(E-5) up to 2.2×
    the minimum traffic on VGG's conv1_2–conv3_3, contradicting §V-B4.)  If the buffer cannot hold the
    pattern's *dominant* data (inputs in ID, partial outputs in OD, weights in
    WD: the data the 3rd-level loop keeps), the banks left beside the other
    data's tiles cannot hold it, and the whole of it is fetched again on every
    later iteration of the 3rd-level loop (ID: ceil(M/Tm) iterations; WD:
    n_rc; OD: ceil(N/Tn), and spilled partial sums are written out and read
    back, 2 accesses): the loop sweeps it in the same order each time, so a
    partly resident copy is overwritten before it is reused.  (Re-fetching
    only the part that does not fit moves the §V-B figures away from the
    paper's: RANA*(E-5) vs S+ID energy −47 % instead of −61 %.)

γ   refresh operations (16-bit words refreshed).  Buffer space is allocated in
    whole banks, inputs first, then outputs, then weights.  A data kind needs
    refresh when its lifetime exceeds the refresh interval.  The *normal*
    controller (Table IV) has one refresh enable per layer: when any data of
    the layer needs refresh it refreshes every bank (used or not, §V-B4) at
    every pulse; the *optimized* controller (RANA*) refreshes only the banks of
    the data kinds that need it.  Pulses in a layer: the divider's phase is
    carried across layers as in ``rtl/rana/clock_divider.py`` (a reload only
    replaces the shadow period; the interval in progress runs on), so a layer
    that starts ``phase`` cycles after the last pulse sees
    floor((phase + span) / interval cycles) pulses, and the next layer
    starts at phase (phase + span) mod interval.  The first layer starts at
    phase 0 (the divider starts with the first load).  A layer's *span* is the
    time its refresh flags are in force: its cycles plus the configuration
    loader's reload of the next layer (:func:`controller_overhead`); a sweep a
    pulse starts is counted whole.  SRAM has no refresh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.energy import Account, EventCost, account, event_costs
from hymem.golden.rana.config_words import Pattern, words_per_layer
from hymem.golden.rana.lifetime import (
    ConvShape,
    Tiling,
    level_cycles,
    lifetime_cycles,
    span_sum,
    storage_words,
    trips,
)
from hymem.golden.rana.params import PlatformParams
from hymem.golden.tech import load_tech

EVENTS = ("mac", "buffer", "refresh", "ddr")
CONTROLLERS = ("none", "normal", "optimized")


@dataclass(frozen=True)
class Buffer:
    """The on-chip buffer a design runs on, in banks of ``bank_words`` data words."""

    kind: str            # "sram" or "edram"
    n_banks: int
    bank_words: int
    controller: str      # "none" (SRAM), "normal" or "optimized"
    period_cycles: int   # refresh interval in reference-clock cycles; 0 = no refresh

    @property
    def capacity_words(self) -> int:
        return self.n_banks * self.bank_words


def tech_costs(tech_name: str, buffer_kind: str) -> dict[str, EventCost]:
    """Per-event energies (pJ) of eq. (14) from the tech table (Table III)."""
    buf = {"sram": "sram_32kb.access_energy", "edram": "edram_32kb.access_energy"}[buffer_kind]
    return event_costs(load_tech(tech_name), {
        "mac": "mac16.energy",
        "buffer": buf,
        "refresh": "edram_32kb.refresh_energy",
        "ddr": "ddr3.access_energy",
    })


LOOP_ORDER = {Pattern.ID: ("m", "rc", "n"), Pattern.OD: ("n", "m", "rc"), Pattern.WD: ("rc", "m", "n")}
DEPENDS = {"input": ("n", "rc"), "weight": ("m", "n"), "output": ("m", "rc")}


def _fetch_factor(order, loop_trips: dict, deps):
    """How many times over a data kind's tiles are fetched into the core (see β_b above)."""
    factor = 1
    # from the outermost loop inwards, so the innermost dependent loop with > 1 trip wins
    for depth, loop in enumerate(order):
        outside = [loop_trips[o] for o in order[:depth] if o not in deps]
        here = np.prod(outside, axis=0) if outside else 1
        if loop in deps:
            factor = np.where(np.asarray(loop_trips[loop]) > 1, here, factor)
    return factor


def _banks(words, bank_words):
    return -(-np.asarray(words) // bank_words)


def controller_overhead(n_banks: int, last: bool) -> int:
    """Cycles a layer's refresh flags stay in force beyond its ``layer_cycles`` (``rtl/rana``).

    Between layers the configuration loader (``rtl/rana/config_loader.py``)
    takes the ``layer_done`` cycle, READ (one cycle per configuration word
    plus one) and APPLY before the next layer's flags replace these; after the
    last layer only the ``layer_done`` cycle remains.  Checked against the
    controller's cycle model in ``tests/test_golden_rana_controller.py``.
    """
    return 1 if last else words_per_layer(n_banks) + 3


def layer_counts(shape: ConvShape, pattern: Pattern, t: Tiling, platform: PlatformParams,
                 buf: Buffer, repeat: int = 1, phase: int = 0, overhead: int = 0) -> dict:
    """α, β_b, β_d, γ and what they come from; broadcasts over array tilings.

    ``repeat`` runs the layer that many times back to back (the groups of a
    grouped convolution, each a ``shape``); refresh pulses count over the
    whole run.  ``phase``: cycles since the divider's last pulse when the
    layer starts and ``overhead`` the controller's cycles after it
    (:func:`controller_overhead`; see γ above).  ``feasible`` is False where the non-dominant
    tiles alone overflow the buffer.
    """
    W, O = shape.weight_words, shape.output_words
    tm = np.minimum(t.tm, shape.M)
    tn = np.minimum(t.tn, shape.N)
    tr = np.minimum(t.tr, shape.R)
    tc = np.minimum(t.tc, shape.C)
    sum_h = np.minimum(span_sum(shape.R, tr, shape.S, shape.K), shape.H * trips(shape.R, tr))
    sum_l = np.minimum(span_sum(shape.C, tc, shape.S, shape.K), shape.L * trips(shape.C, tc))
    n_m, n_n = trips(shape.M, tm), trips(shape.N, tn)
    n_rc = trips(shape.R, tr) * trips(shape.C, tc)
    store = storage_words(shape, pattern, t)

    loop_trips = {"m": n_m, "n": n_n, "rc": n_rc}
    order = LOOP_ORDER[pattern]
    f = {kind: _fetch_factor(order, loop_trips, deps) for kind, deps in DEPENDS.items()}
    input_reads = f["input"] * shape.N * sum_h * sum_l
    weight_reads = f["weight"] * W
    out_writes, out_reads = f["output"] * O, (f["output"] - 1) * O
    if pattern == Pattern.OD:
        dominant, reuse, spill_factor = "output", n_n, 2
    elif pattern == Pattern.ID:
        dominant, reuse, spill_factor = "input", n_m, 1
    else:
        dominant, reuse, spill_factor = "weight", n_rc, 1

    ddr_inputs = shape.input_words   # every pattern, halos from the buffer (see β_d above)
    others = [k for k in ("input", "output", "weight") if k != dominant]
    banks = {k: _banks(store[k], buf.bank_words) for k in others}
    free_banks = buf.n_banks - banks[others[0]] - banks[others[1]]
    feasible = free_banks >= 1
    room = np.maximum(free_banks, 0) * buf.bank_words
    resident = np.minimum(store[dominant], room)
    banks[dominant] = _banks(resident, buf.bank_words)
    spill = np.where(resident < store[dominant], store[dominant], 0) * (reuse - 1) * spill_factor
    ddr = ddr_inputs + W + O + spill

    cycles = level_cycles(shape, t, platform)["layer"] * repeat
    life = lifetime_cycles(shape, pattern, t, platform)
    refresh, needs = _refresh(life, banks, cycles + overhead, buf, phase)

    core_traffic = input_reads + weight_reads + out_writes + out_reads
    by_kind = {"input_reads": input_reads, "weight_reads": weight_reads, "output_writes": out_writes,
               "output_reads": out_reads, "ddr": ddr}
    return {
        "mac": shape.macs * repeat + 0 * cycles,
        "buffer": (core_traffic + ddr) * repeat,
        "refresh": refresh,
        "ddr": ddr * repeat,
        "cycles": cycles,
        "lifetime_cycles": life,
        "storage_words": store,
        "banks": banks,
        "needs_refresh": needs,
        "feasible": feasible,
        "spill_words": spill * repeat,
        "buffer_words": {k: v * repeat for k, v in by_kind.items()},
    }


def next_phase(phase: int, span: int, buf: Buffer) -> int:
    """Divider phase at the start of the layer after one whose flags were in force ``span`` cycles (see γ)."""
    if buf.controller == "none" or buf.period_cycles == 0:
        return 0
    return int((phase + span) % buf.period_cycles)


def _refresh(life: dict, banks: dict, span, buf: Buffer, phase: int = 0):
    kinds = ("input", "output", "weight")
    if buf.controller == "none" or buf.period_cycles == 0:
        zero = 0 * span
        return zero, {k: zero.astype(bool) for k in kinds}
    needs = {k: (life[k] > buf.period_cycles) & (banks[k] > 0) for k in kinds}
    pulses = (phase + span) // buf.period_cycles
    if buf.controller == "normal":
        any_need = needs["input"] | needs["output"] | needs["weight"]
        per_pulse = np.where(any_need, buf.n_banks, 0)
    else:
        per_pulse = sum(np.where(needs[k], banks[k], 0) for k in kinds)
    return pulses * per_pulse * buf.bank_words, needs


def energy_pj(counts: dict, costs: dict[str, EventCost]):
    """Eq. (14) for array counts (the scheduler's search); equals :func:`layer_account` per point."""
    return sum(counts[e] * costs[e].energy_pj for e in EVENTS)


def layer_account(counts: dict, costs: dict[str, EventCost], platform: PlatformParams) -> Account:
    """Eq. (14) for one scheduled layer through the shared accounting."""
    return account({e: int(counts[e]) for e in EVENTS}, costs, cycles=int(counts["cycles"]),
                   frequency_hz=platform.freq_hz)
