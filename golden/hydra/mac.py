"""Golden twin of ``rtl/hydra/mac.py``: the Hydra FX16 MAC.

*Functional* (bit-exact): :func:`mac_results` — what the MAC outputs for a
stimulus, independent of timing.

*Cost* (cycle-exact): :func:`mac_cycle_model` — the cycle-by-cycle behaviour of
the two-stage MAC (``variant="pipelined"``: one-cycle multiplier, ``rtl/hydra/mac.py``;
``variant="sequential"``: radix-4 Booth multiplier of :func:`booth_iterations`
cycles, ``rtl/hydra/mac_seq.py``) under a handshake schedule (idle gaps on the input,
back-pressure on the output), predicting the MAC's event counters exactly, and
an event timeline that :mod:`golden.trace` writes as a VCD beside the RTL dump.

Stimulus protocol (shared with ``tb/hydra/test_mac.py``): the stimulus is a
list of :class:`MacBatch`.  Before a batch the driver waits until it sees the
MAC idle (``busy`` low) in some cycle, then in the next cycle pulses ``bias_load`` with the
batch's bias for one cycle; it then
offers the batch's pairs, pair ``i`` after ``gap[i]`` idle cycles (counted from
the cycle after the previous transfer).  A batch with ``clear_after`` pulses
``clear`` in the cycle after its last transfer, abandoning the neuron in
progress.  The sink's ``ready`` in cycle ``c`` is ``ready[c]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hymem.golden.fixed import FixedFormat, bias_to_acc, product, requantize, wrap


def booth_iterations(width: int) -> int:
    """Cycles per pair of the sequential radix-4 multiplier on ``width``-bit operands: two
    multiplier bits per cycle."""
    return (width + 1) // 2


def multiply_cycles(variant: str, fmt: FixedFormat) -> int:
    """Cycles a MAC needs per pair at full rate: 1 (pipelined) or :func:`booth_iterations`."""
    if variant == "pipelined":
        return 1
    if variant == "sequential":
        return booth_iterations(fmt.width)
    raise ValueError(f"unknown MAC variant {variant!r}; valid: pipelined, sequential")


@dataclass
class MacBatch:
    """One bias and a run of ⟨W, A⟩ pairs (int arrays of equal length)."""

    bias: int
    w: np.ndarray
    a: np.ndarray
    last: np.ndarray
    clear_after: bool = False
    gap: np.ndarray = field(default=None)  # idle cycles before each pair; None = none

    def __post_init__(self):
        self.w = np.asarray(self.w, dtype=np.int64)
        self.a = np.asarray(self.a, dtype=np.int64)
        self.last = np.asarray(self.last, dtype=bool)
        n = len(self.w)
        if len(self.a) != n or len(self.last) != n:
            raise ValueError(f"MacBatch: w, a, last lengths differ ({n}, {len(self.a)}, {len(self.last)})")
        self.gap = np.zeros(n, dtype=np.int64) if self.gap is None else np.asarray(self.gap, np.int64)
        if n and not self.last[-1] and not self.clear_after:
            # The driver waits for an idle MAC between batches; an open neuron never idles.
            raise ValueError("MacBatch: the last pair must close its neuron unless clear_after is set")


@dataclass
class MacResults:
    value: np.ndarray  # requantized, signed
    acc: np.ndarray    # raw accumulator, signed


def mac_results(batches: list[MacBatch], fmt: FixedFormat) -> MacResults:
    """Bit-exact outputs: one (value, acc) per neuron closed by a ``last`` pair.

    Every neuron starts from its batch's bias; ``clear_after`` abandons the
    batch's trailing open neuron.
    """
    values, accs = [], []
    for batch in batches:
        prods = product(batch.w, batch.a)
        if len(prods) == 0:
            continue
        # Neuron k covers pairs (end[k-1], end[k]]; sums in int64 are exact and
        # wrapping once at the end equals the RTL's wrap after every addition.
        ends = np.flatnonzero(batch.last)
        starts = np.concatenate(([0], ends + 1))
        segment_sums = np.add.reduceat(prods, starts[starts < len(prods)])
        closed = wrap(segment_sums[: len(ends)] + bias_to_acc(batch.bias, fmt), fmt.acc_width)
        values.append(requantize(closed, fmt))
        accs.append(closed)
    empty = np.zeros(0, dtype=np.int64)
    return MacResults(
        value=np.concatenate(values) if values else empty,
        acc=np.concatenate(accs) if accs else empty,
    )


@dataclass
class MacTimeline:
    """Per-cycle trace of the pipeline (index = cycle since reset release).

    Signal names are the RTL's HDL port names, so a viewer shows model and
    RTL under the same names.
    """

    signals: dict = field(default_factory=lambda: {name: [] for name in TIMELINE_SIGNALS})

    def record(self, **values):
        for name, value in values.items():
            self.signals[name].append(int(value))

    def as_signals(self, counter_width: int = 32) -> dict:
        """``{name: (width, values)}`` for :func:`golden.trace.write_vcd`."""
        return {
            name: (counter_width if name.startswith("counters__") else 1, np.asarray(values, dtype=np.int64))
            for name, values in self.signals.items()
        }


TIMELINE_SIGNALS = ("pairs__valid", "pairs__ready", "results__valid", "results__ready",
                    "busy", "bias_load", "clear", "counters__macs", "counters__busy_cycles")


@dataclass
class MacCost:
    macs: int
    busy_cycles: int
    cycles: int
    timeline: MacTimeline


def mac_cycle_model(batches: list[MacBatch], ready: np.ndarray, trace: bool = False,
                    iterations: int = 0) -> MacCost:
    """Cycle-exact model of the MAC driven by the stimulus protocol above.

    ``ready[c]`` is the sink's ready in cycle ``c`` (cycles past the end are ready).
    ``iterations`` is 0 for the pipelined MAC (product registered in the cycle
    after acceptance) or the sequential multiplier's cycles per pair (the
    product is formed in the ``iterations`` cycles after acceptance, and the
    next pair can be accepted in the last of them when stage 2 can take the product).
    Returns the event counts the RTL counters must show after the run, and the
    number of cycles until the run is over (MAC idle after the last batch).
    """
    ready = np.asarray(ready, dtype=bool)
    timeline = MacTimeline()
    state = {"p_valid": False, "p_last": False, "partial": False, "out_valid": False,
             "count": 0, "m_last": False}
    counts = {"macs": 0, "busy_cycles": 0, "cycle": 0}

    def step(in_valid: bool, in_last: bool, bias_load: bool = False, clear: bool = False) -> bool:
        """Advance one cycle; returns whether a pair was transferred."""
        c = counts["cycle"]
        out_ready = bool(ready[c]) if c < len(ready) else True
        busy = is_busy()
        stalled = state["out_valid"] and not out_ready
        advance = state["p_valid"] and not clear and not (state["p_last"] and stalled)
        slot_free = not state["p_valid"] or advance
        finish = state["count"] == 1 and slot_free and not clear
        if iterations:
            in_ready = (state["count"] == 0 or finish) and not clear
        else:
            in_ready = slot_free and not clear
        fire = in_valid and in_ready
        if trace:
            timeline.record(pairs__valid=in_valid, pairs__ready=in_ready,
                            results__valid=state["out_valid"], results__ready=out_ready,
                            busy=busy, bias_load=bias_load, clear=clear,
                            counters__macs=counts["macs"], counters__busy_cycles=counts["busy_cycles"])
        # Register updates at the clock edge ending cycle c.
        counts["busy_cycles"] += busy
        counts["macs"] += advance
        out_valid = state["out_valid"] and not out_ready
        if advance and state["p_last"]:
            out_valid = True
        if advance:
            state["partial"] = not state["p_last"]
        # the sequential MAC keeps a waiting product that closes the previous neuron
        closing_waits = iterations and state["p_valid"] and state["p_last"]
        if clear and not closing_waits:
            state["partial"] = False
        state["out_valid"] = out_valid
        if iterations:
            if finish:
                state["p_valid"], state["p_last"] = True, state["m_last"]
            elif advance or (clear and not state["p_last"]):
                state["p_valid"] = False
            if clear or finish:
                state["count"] = 0
            elif state["count"] > 1:
                state["count"] -= 1
            if fire:
                state["count"], state["m_last"] = iterations, in_last
        elif fire:
            state["p_valid"], state["p_last"] = True, in_last
        elif advance or clear:
            state["p_valid"] = False
        counts["cycle"] = c + 1
        return fire

    def is_busy() -> bool:
        return state["count"] > 0 or state["p_valid"] or state["partial"] or state["out_valid"]

    def wait_idle():
        # The driver sees the MAC idle in cycle c and acts from cycle c + 1.
        while True:
            idle = not is_busy()
            step(False, False)
            if idle:
                return

    for batch in batches:
        wait_idle()
        step(False, False, bias_load=True)
        for gap, last in zip(batch.gap, batch.last):
            for _ in range(int(gap)):
                step(False, False)
            while not step(True, bool(last)):
                pass
        if batch.clear_after:
            step(False, False, clear=True)
    while is_busy():
        step(False, False)
    return MacCost(counts["macs"], counts["busy_cycles"], counts["cycle"], timeline)
