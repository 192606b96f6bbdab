"""Golden twin of ``rtl/rana/``: the refresh-optimized eDRAM controller, cycle by cycle.

*Cost* (cycle-exact): :class:`DividerModel`, :class:`RefreshModel` and
:class:`LoaderModel` are the three RTL blocks as register-transfer state
machines in NumPy; :func:`run_controller` drives the assembled top
(``rtl/rana/edram_controller.py``) with the testbench protocol below and
returns every counter the RTL holds at the end (refresh pulses, rows refreshed
per bank, words refreshed, accesses, stall cycles, violations, layers loaded,
malformed layers), the cycle of every accepted access and of every applied
layer configuration.  Idle stretches (no access offered, loader waiting for
``layer_done``) are advanced in closed form between pulses, so a layer of
10^5 cycles costs only as many Python steps as it has accesses and pulses.

*Functional*: :func:`layer_malformed` — the loader's rule for a malformed layer
(the rules of :func:`golden.rana.config_words.unpack_words`, applied to one
layer, plus "refresh flags set with period 0").

Protocol of :func:`run_controller` (shared with ``tb/rana/test_edram_controller.py``):
cycle 0 is the cycle ``start`` is high (the configuration memory was written
before).  For each layer, the driver sees ``layer_valid`` high in some cycle c
and, from cycle c + 1 on, offers the layer's accesses: access i after
``gap[i]`` idle cycles counted from the cycle after the previous transfer
(from c + 1 for the first); ``tail`` idle cycles after the last transfer it
pulses ``layer_done`` for one cycle.  The run ends in the first cycle in which
``done`` is high and either ``refreshing`` is low or ``rows_per_bank`` cycles
have passed since ``done`` rose: a sweep started before ``done`` runs to its
end, so refreshes are counted in whole sweeps, and a period shorter than a
sweep (which never lets ``refreshing`` fall) still ends the run.  The counters
are those the RTL holds in that cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hymem.golden.rana.config_words import (
    FIELDS,
    HEADER_WORDS,
    RESERVED_MASKS,
    Pattern,
    flag_words,
    words_per_layer,
)


def layer_field(chunk, name: str) -> int:
    word, lsb, width = FIELDS[name]
    return int(chunk[word]) >> lsb & ((1 << width) - 1)


def layer_flags(chunk, n_banks: int) -> int:
    return sum(int(chunk[HEADER_WORDS + j]) << (32 * j) for j in range(flag_words(n_banks)))


def layer_malformed(chunk, index: int, n_layers: int, n_banks: int) -> list[str]:
    """The rules layer ``index`` of ``n_layers`` breaks (empty: well formed)."""
    broken = [f"word {w}: reserved bits" for w, mask in enumerate(RESERVED_MASKS) if int(chunk[w]) & mask]
    if layer_field(chunk, "pattern") > max(Pattern):
        broken.append("pattern 3")
    broken += [f"{t} = 0" for t in ("tm", "tn", "tr", "tc") if layer_field(chunk, t) == 0]
    flags = layer_flags(chunk, n_banks)
    if flags >> n_banks:
        broken.append("flag for a bank >= n_banks")
    if sum(layer_field(chunk, b) for b in ("banks_in", "banks_out", "banks_w")) > n_banks:
        broken.append("more banks allocated than exist")
    if layer_field(chunk, "last") != int(index == n_layers - 1):
        broken.append("'last' missing or early")
    if layer_field(chunk, "period") == 0 and flags:
        broken.append("refresh flags with period 0")
    return broken


@dataclass
class DividerModel:
    """``rtl/rana/clock_divider.py``: down-counter, shadow period, glitch-free reload."""

    running: bool = False
    count: int = 0
    shadow: int = 0
    pulses: int = 0

    @property
    def expire(self) -> bool:
        return self.running and self.count == 0

    def cycles_to_pulse(self) -> float:
        return self.count if self.running else np.inf

    def step(self, load: bool = False, period: int = 0) -> bool:
        """One cycle; returns whether the pulse was high in it."""
        expire = self.expire
        if load and not self.running:
            self.count, self.running = period - 1, period != 0
        elif expire:
            nxt = period if load else self.shadow
            self.count, self.running = nxt - 1, nxt != 0
        elif self.running:
            self.count -= 1
        if load:
            self.shadow = period
        self.pulses += expire
        return expire

    def skip(self, n: int):
        """``n`` cycles without a load and without a pulse."""
        assert n <= self.cycles_to_pulse()
        if self.running:
            self.count -= n


@dataclass
class RefreshModel:
    """``rtl/rana/refresh_controller.py``: flags, per-bank issuers, accesses first, bounded stall."""

    n_banks: int
    rows_per_bank: int
    row_words: int
    max_wait: int
    flags: np.ndarray = None
    pending: np.ndarray = None
    row: np.ndarray = None
    waited: np.ndarray = None
    rows_refreshed: np.ndarray = None
    counts: dict = field(default_factory=lambda: dict.fromkeys(
        ("pulses", "words_refreshed", "accesses", "stall_cycles", "violations", "bad_accesses"), 0))
    access_error: bool = False   # sticky: an access named a bank or row outside the buffer

    def __post_init__(self):
        zeros = lambda: np.zeros(self.n_banks, dtype=np.int64)
        self.flags = np.zeros(self.n_banks, dtype=bool)
        self.pending, self.row, self.waited, self.rows_refreshed = zeros(), zeros(), zeros(), zeros()

    @property
    def refreshing(self) -> bool:
        return bool(self.pending.any())

    def ready(self, bank: int) -> bool:
        return not (self.pending[bank] > 0 and self.waited[bank] == self.max_wait)

    def step(self, pulse: bool = False, access_bank: int | None = None, flags_load: int | None = None,
             access_row: int = 0) -> bool:
        """One cycle; returns whether the offered access (if any) was accepted.

        An access to a bank or row outside the buffer is accepted and dropped (``bad_accesses``)."""
        busy = self.pending > 0
        offered = np.zeros(self.n_banks, dtype=bool)
        bad = access_bank is not None and not (access_bank < self.n_banks and access_row < self.rows_per_bank)
        if access_bank is not None and not bad:
            offered[access_bank] = True
        stall = busy & (self.waited == self.max_wait)
        grant = busy & (~offered | stall)
        restart = self.flags & pulse
        late = restart & busy
        accepted = access_bank is not None and (bad or not stall[access_bank])
        defer = offered & busy & ~grant
        self.waited = np.where(restart | grant, 0, self.waited + defer)
        self.row = np.where(restart, 0, self.row + grant)
        self.pending = np.where(restart, self.rows_per_bank, self.pending - grant)
        self.rows_refreshed += grant
        c = self.counts
        c["words_refreshed"] += int(grant.sum()) * self.row_words
        c["pulses"] += bool(pulse)
        c["violations"] += int(late.sum())
        c["accesses"] += accepted and not bad
        c["bad_accesses"] += bad
        c["stall_cycles"] += access_bank is not None and not accepted
        self.access_error |= bad
        if flags_load is not None:
            self.flags = np.array([flags_load >> b & 1 for b in range(self.n_banks)], dtype=bool)
        return accepted

    def skip(self, n: int):
        """``n`` cycles with no access offered, no pulse and no flag load."""
        grant = np.minimum(self.pending, n)
        self.waited[grant > 0] = 0
        self.row += grant
        self.pending -= grant
        self.rows_refreshed += grant
        self.counts["words_refreshed"] += int(grant.sum()) * self.row_words

    def counters(self) -> dict:
        return {**self.counts, "rows_refreshed": {b: int(v) for b, v in enumerate(self.rows_refreshed)}}


@dataclass
class LoaderModel:
    """``rtl/rana/config_loader.py``: IDLE → READ (W + 1 cycles) → APPLY → RUN → …"""

    words: np.ndarray
    n_banks: int
    depth: int
    safe_period: int
    state: str = "IDLE"
    step_no: int = 0
    layer: int = 0
    n_layers: int = 0
    layer_valid: bool = False
    done: bool = False
    error: bool = False
    layers_loaded: int = 0
    malformed_layers: int = 0
    applied: list = field(default_factory=list)  # (cycle, period, flags, malformed) per APPLY

    def __post_init__(self):
        self.per_layer = words_per_layer(self.n_banks)
        image = np.zeros(self.depth, dtype=np.uint64)
        image[:len(self.words)] = np.asarray(self.words, dtype=np.uint64)
        self.image = image

    def chunk(self) -> np.ndarray:
        base = self.layer * self.per_layer
        return self.image[base:base + self.per_layer]

    def step(self, cycle: int, start: bool = False, layer_done: bool = False, n_layers: int = 0):
        """One cycle; returns ``(period, flags)`` when it loads them, else ``None``."""
        load = None
        if self.state == "IDLE":
            if start:
                self.done = self.error = False
                self.layer, self.step_no, self.n_layers = 0, 0, n_layers
                if n_layers * self.per_layer > self.depth:
                    self.error = self.done = True
                elif n_layers == 0:
                    self.done = True
                else:
                    self.state = "READ"
        elif self.state == "READ":
            self.step_no += 1
            if self.step_no == self.per_layer + 1:
                self.state = "APPLY"
        elif self.state == "APPLY":
            chunk = self.chunk()
            bad = layer_malformed(chunk, self.layer, self.n_layers, self.n_banks)
            if bad:
                load = (self.safe_period, (1 << self.n_banks) - 1)
                self.error = True
                self.malformed_layers += 1
            else:
                load = (layer_field(chunk, "period"), layer_flags(chunk, self.n_banks))
            self.applied.append((cycle, *load, bool(bad)))
            self.layer_valid = True
            self.layers_loaded += 1
            self.state = "RUN"
        elif self.state == "RUN" and layer_done:
            self.layer_valid = False
            if self.layer == self.n_layers - 1:
                self.done = True
                self.state = "IDLE"
            else:
                self.layer += 1
                self.step_no = 0
                self.state = "READ"
        return load


@dataclass
class LayerTraffic:
    """One layer's buffer accesses (gaps, bank, row, write) and the idle tail before ``layer_done``."""

    gap: np.ndarray
    bank: np.ndarray
    row: np.ndarray
    write: np.ndarray
    tail: int = 0

    def __post_init__(self):
        self.gap = np.asarray(self.gap, dtype=np.int64)
        self.bank = np.asarray(self.bank, dtype=np.int64)
        self.row = np.asarray(self.row, dtype=np.int64)
        self.write = np.asarray(self.write, dtype=bool)
        if not len(self.gap) == len(self.bank) == len(self.row) == len(self.write):
            raise ValueError("LayerTraffic: gap, bank, row, write lengths differ")
        if (self.gap < 0).any() or self.tail < 0:
            raise ValueError("LayerTraffic: gaps and tail must be >= 0")


def idle_traffic(configs) -> list[LayerTraffic]:
    """No buffer accesses; each layer of ``configs`` (``LayerConfig``) lasts its ``layer_cycles`` under the
    protocol below (the driver acts from the cycle after ``layer_valid``, so the tail is one less)."""
    return [LayerTraffic([], [], [], [], tail=max(c.layer_cycles - 1, 0)) for c in configs]


@dataclass
class ControllerRun:
    counters: dict
    cycles: int
    accepted: list      # cycle of each accepted access, in order
    applied: list       # (cycle, period, flags, malformed) per layer configuration applied
    pulses: list        # cycles with the refresh pulse high
    error: bool
    violation: bool
    access_error: bool


class ControllerModel:
    """The assembled top: loader → divider → refresh controller, one cycle per :meth:`step`."""

    def __init__(self, config, words):
        e = config.edram
        self.loader = LoaderModel(np.asarray(words), e.n_banks, e.config_memory_words,
                                  config.period_cycles(config.retention.typical_us))
        self.divider = DividerModel()
        self.refresh = RefreshModel(e.n_banks, e.rows_per_bank, config.refresh_words_per_row,
                                    e.refresh_max_wait)
        self.cycle = 0
        self.pulses = []
        self.violation = False

    def step(self, access_bank=None, start=False, layer_done=False, n_layers=0, access_row=0) -> bool:
        pulse = self.divider.expire
        load = self.loader.step(self.cycle, start, layer_done, n_layers)
        period, flags = load if load else (0, None)
        self.divider.step(load is not None, period)
        before = self.refresh.counts["violations"]
        accepted = self.refresh.step(pulse, access_bank, flags, access_row)
        self.violation |= self.refresh.counts["violations"] > before
        if pulse:
            self.pulses.append(self.cycle)
        self.cycle += 1
        return accepted

    def idle(self, n: int):
        """``n`` cycles with nothing offered; closed form while the loader waits."""
        while n > 0:
            if self.loader.state not in ("RUN", "IDLE") or self.divider.expire:
                self.step()
                n -= 1
                continue
            k = int(min(n, self.divider.cycles_to_pulse()))
            self.divider.skip(k)
            self.refresh.skip(k)
            self.cycle += k
            n -= k

    def wait_for(self, predicate):
        """Advance until ``predicate()`` holds at the start of a cycle; then consume that cycle."""
        while not predicate():
            self.step()
        self.step()


def run_controller(config, words, n_layers: int, layers: list[LayerTraffic]) -> ControllerRun:
    """Cycle-exact run of the top under the protocol of the module docstring."""
    model = ControllerModel(config, words)
    accepted = []
    model.step(start=True, n_layers=n_layers)
    for traffic in layers[:n_layers]:
        if model.loader.done:
            break
        model.wait_for(lambda: model.loader.layer_valid)
        for gap, bank, row in zip(traffic.gap, traffic.bank, traffic.row):
            model.idle(int(gap))
            while not model.step(access_bank=int(bank), access_row=int(row)):
                pass
            accepted.append(model.cycle - 1)
        model.idle(traffic.tail)
        model.step(layer_done=True)
    while not model.loader.done:
        model.step()
    for _ in range(config.edram.rows_per_bank):   # let the last pulse's sweep end (see the protocol)
        if not model.refresh.refreshing:
            break
        model.step()
    counters = {**model.refresh.counters(), "layers_loaded": model.loader.layers_loaded,
                "malformed_layers": model.loader.malformed_layers}
    return ControllerRun(counters, model.cycle, accepted, model.loader.applied, model.pulses,
                         model.loader.error, model.violation, model.refresh.access_error)


# -- block-level protocols (tb/rana/test_clock_divider.py, test_refresh_controller.py, test_config_loader.py)

def run_divider(loads: dict[int, int], n_cycles: int) -> list[int]:
    """Pulse cycles of the divider over ``n_cycles`` with ``loads[cycle] = period``."""
    model = DividerModel()
    pulses = []
    for cycle in range(n_cycles):
        load = cycle in loads
        if model.step(load, loads.get(cycle, 0)):
            pulses.append(cycle)
    return pulses


def run_refresh(model: RefreshModel, pulses, flag_loads: dict[int, int], traffic: LayerTraffic,
                n_cycles: int) -> list[int]:
    """Refresh controller alone: ``pulse`` high in the cycles of ``pulses``, ``flags`` loaded at
    the cycles of ``flag_loads``, accesses offered under the stream protocol from cycle 0; the run
    lasts ``n_cycles`` (or until the last access is accepted, if later).  Returns accept cycles."""
    pulses = {int(p) for p in pulses}
    accepted, i, wait = [], 0, int(traffic.gap[0]) if len(traffic.gap) else 0
    cycle = 0
    while cycle < n_cycles or i < len(traffic.bank):
        offer, row = None, 0
        if i < len(traffic.bank) and wait == 0:
            offer, row = int(traffic.bank[i]), int(traffic.row[i])
        elif i < len(traffic.bank):
            wait -= 1
        if model.step(cycle in pulses, offer, flag_loads.get(cycle), row):
            accepted.append(cycle)
            i += 1
            wait = int(traffic.gap[i]) if i < len(traffic.gap) else 0
        cycle += 1
    return accepted


def run_loader(words, n_banks: int, depth: int, safe_period: int, n_layers: int, done_delays) -> LoaderModel:
    """Loader alone: ``start`` in cycle 0; ``done_delays[k]`` cycles after the driver sees layer k
    valid (it acts from the next cycle) it pulses ``layer_done``; ends in the first cycle ``done``
    is high."""
    model = LoaderModel(np.asarray(words), n_banks, depth, safe_period)
    cycle = 0
    model.step(cycle, start=True, n_layers=n_layers)
    cycle += 1
    for delay in done_delays[:n_layers]:
        if model.done:
            break
        while True:
            valid = model.layer_valid
            model.step(cycle)
            cycle += 1
            if valid:
                break
        for _ in range(int(delay)):
            model.step(cycle)
            cycle += 1
        model.step(cycle, layer_done=True)
        cycle += 1
    while not model.done:
        model.step(cycle)
        cycle += 1
    model.cycles = cycle
    return model
