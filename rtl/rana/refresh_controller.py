"""RANA refresh-optimized eDRAM controller: per-bank flags and refresh issuers (seed 004, §IV-D, Fig. 14)."""

from __future__ import annotations

from amaranth.hdl import Const, Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

REFRESH_COUNTERS = ("pulses", "words_refreshed", "accesses", "stall_cycles", "violations", "bad_accesses")


def row_width(rows_per_bank: int) -> int:
    return max(ceil_log2(rows_per_bank), 1)


def access_layout(n_banks: int, rows_per_bank: int) -> data.StructLayout:
    """One buffer access: which bank and row, read or write."""
    return data.StructLayout({
        "bank": max(ceil_log2(n_banks), 1),
        "row": row_width(rows_per_bank),
        "write": 1,
    })


class RefreshController(wiring.Component):
    """Refresh flags, one independent refresh issuer per bank, and access arbitration.

    The unified eDRAM buffer has ``n_banks`` banks of ``rows_per_bank`` rows; a row
    (``row_words`` data words) is the unit one issuer refreshes in one cycle.  At
    every ``pulse`` each bank whose refresh flag is set starts a sweep of all its
    rows (row 0 first); a bank whose flag is clear is not refreshed at all.  Flags
    are sampled at the pulse, so a sweep in progress completes even if the flags
    change (layer boundary).

    Arbitration (per bank): buffer accesses first.  An issuer refreshes its next row
    in every cycle in which no access is offered to its bank.  An issuer that has
    deferred ``max_wait`` times since its last refresh steals the next cycle: an
    access offered to that bank is then stalled (``access.ready`` low) for that one
    cycle.  So an access waits at most one cycle per stall, and a sweep finishes
    within ``rows_per_bank · (max_wait + 1)`` cycles whatever the traffic.  If a
    flagged bank's sweep is still unfinished when the next pulse comes, that is a
    violation: ``violation`` is raised (sticky until reset), ``counters.violations``
    counts it, and the sweep restarts from row 0.

    Malformed input: an access whose bank or row is outside the buffer (the
    fields are wider than ``n_banks``/``rows_per_bank`` need when those are not
    powers of two) is accepted at once and dropped: it does not reach
    ``edram_access``, defers no refresh, raises ``access_error`` (sticky) and
    counts in ``counters.bad_accesses``.

    Parameters
    ----------
    n_banks, rows_per_bank, row_words : int
        Bank count, rows per bank, 16-bit words per row (``[edram]`` of rana.toml).
    max_wait : int
        Deferrals an issuer accepts before it stalls an access (bounded stall).
    counter_width : int
        Width of the event counters.

    Members
    -------
    pulse : In(1)
        Refresh pulse (from the clock divider).
    flags : In(n_banks)
        Refresh-flag bits to load, bit b for bank b.
    flags_load : In(1)
        Writes ``flags`` to the refresh-flag register.
    flag_reg : Out(n_banks)
        The refresh-flag register.
    access : In(stream.Signature(access_layout))
        Normal buffer accesses {bank, row, write}; accepted when ``ready``.
    edram_access : Out(StructLayout{valid: 1, bank, row, write})
        The access the eDRAM performs this cycle (the accepted one).
    edram_refresh : Out(n_banks)
        Bit b: bank b refreshes row ``edram_refresh_row[b]`` this cycle.
    edram_refresh_row : Out(ArrayLayout(row_width, n_banks))
        Per bank, the row an issuer refreshes next (and this cycle, if its bit is set).
    refreshing : Out(1)
        Some issuer has rows left in its sweep.
    violation : Out(1)
        Sticky: a flagged bank's sweep was unfinished at a pulse.
    access_error : Out(1)
        Sticky: an access named a bank or row outside the buffer (dropped).
    counters.pulses : Out(counter_width)
        Pulses seen.
    counters.rows_refreshed : Out(ArrayLayout(counter_width, n_banks))
        Rows refreshed, per bank (words refreshed in bank b = rows · row_words).
    counters.words_refreshed : Out(counter_width)
        Words refreshed in all banks (the refresh-energy event, γ of eq. (14)).
    counters.accesses : Out(counter_width)
        Accesses accepted and performed.
    counters.stall_cycles : Out(counter_width)
        Cycles in which an offered access was stalled by a refresh.
    counters.violations : Out(counter_width)
        Pulses that found a flagged bank's sweep unfinished (one per bank).
    counters.bad_accesses : Out(counter_width)
        Accesses dropped for a bank or row outside the buffer.

    Latency and throughput
    ----------------------
    A pulse in cycle t refreshes row 0 of every idle flagged bank in cycle t + 1
    and one row per cycle after that; an accepted access appears on
    ``edram_access`` in the same cycle (combinational).  One access per cycle.
    """

    def __init__(self, n_banks: int, rows_per_bank: int, row_words: int, max_wait: int,
                 counter_width: int):
        if n_banks < 1 or rows_per_bank < 1 or row_words < 1 or max_wait < 0:
            raise ValueError(f"RefreshController: n_banks={n_banks}, rows_per_bank={rows_per_bank}, "
                             f"row_words={row_words} must be >= 1 and max_wait={max_wait} >= 0")
        self.n_banks = n_banks
        self.rows_per_bank = rows_per_bank
        self.row_words = row_words
        self.max_wait = max_wait
        self.counter_width = counter_width
        layout = access_layout(n_banks, rows_per_bank)
        self.row_width = row_width(rows_per_bank)
        counters = {name: Out(counter_width) for name in REFRESH_COUNTERS}
        counters["rows_refreshed"] = Out(data.ArrayLayout(counter_width, n_banks))
        super().__init__({
            "pulse": In(1),
            "flags": In(n_banks),
            "flags_load": In(1),
            "flag_reg": Out(n_banks),
            "access": In(stream.Signature(layout)),
            "edram_access": Out(data.StructLayout({"valid": 1, **{n: f.shape for n, f in layout}})),
            "edram_refresh": Out(n_banks),
            "edram_refresh_row": Out(data.ArrayLayout(self.row_width, n_banks)),
            "refreshing": Out(1),
            "violation": Out(1),
            "access_error": Out(1),
            "counters": Out(wiring.Signature(counters)),
        })

    def elaborate(self, platform):
        m = Module()
        n, rows = self.n_banks, self.rows_per_bank
        acc = self.access
        counters = self.counters

        with m.If(self.flags_load):
            m.d.sync += self.flag_reg.eq(self.flags)

        in_range = Signal()      # the offered access names a row of a bank that exists
        m.d.comb += in_range.eq((acc.payload.bank < n) & (acc.payload.row < rows))
        offered = Signal(n)      # bit b: a well-formed access to bank b is offered this cycle
        stall = Signal(n)        # bit b: bank b's issuer steals this cycle
        grant = Signal(n)        # bit b: bank b refreshes a row this cycle
        late = Signal(n)         # bit b: flagged bank still sweeping at this pulse
        pending_any = Signal(n)
        for b in range(n):
            pending = Signal(range(rows + 1), name=f"pending{b}")  # rows left in the sweep
            row = self.edram_refresh_row[b]
            waited = Signal(range(self.max_wait + 1), name=f"waited{b}")
            flagged = self.flag_reg[b]
            m.d.comb += [
                pending_any[b].eq(pending != 0),
                offered[b].eq(acc.valid & in_range & (acc.payload.bank == b)),
                stall[b].eq((pending != 0) & (waited == self.max_wait)),
                grant[b].eq((pending != 0) & (~offered[b] | stall[b])),
                late[b].eq(self.pulse & flagged & (pending != 0)),
            ]
            with m.If(self.pulse & flagged):
                m.d.sync += [pending.eq(rows), row.eq(0), waited.eq(0)]
            with m.Elif(grant[b]):
                m.d.sync += [pending.eq(pending - 1), row.eq(row + 1), waited.eq(0)]
            with m.Elif(offered[b] & (pending != 0)):
                m.d.sync += waited.eq(waited + 1)
            with m.If(grant[b]):
                m.d.sync += counters.rows_refreshed[b].eq(counters.rows_refreshed[b] + 1)

        stalled_bank = Signal()
        m.d.comb += [
            stalled_bank.eq(in_range & (stall >> acc.payload.bank)[0]),
            acc.ready.eq(~stalled_bank),
            self.edram_access.valid.eq(acc.valid & acc.ready & in_range),
            self.edram_access.bank.eq(acc.payload.bank),
            self.edram_access.row.eq(acc.payload.row),
            self.edram_access.write.eq(acc.payload.write),
            self.edram_refresh.eq(grant),
            self.refreshing.eq(pending_any != 0),
        ]

        grants = Signal(range(n + 1))
        m.d.comb += grants.eq(sum(grant[b] for b in range(n)))
        lates = Signal(range(n + 1))
        m.d.comb += lates.eq(sum(late[b] for b in range(n)))
        m.d.sync += counters.words_refreshed.eq(counters.words_refreshed + grants * Const(self.row_words))
        with m.If(self.pulse):
            m.d.sync += counters.pulses.eq(counters.pulses + 1)
        with m.If(lates != 0):
            m.d.sync += [counters.violations.eq(counters.violations + lates), self.violation.eq(1)]
        with m.If(self.edram_access.valid):
            m.d.sync += counters.accesses.eq(counters.accesses + 1)
        with m.If(acc.valid & ~in_range):
            m.d.sync += [counters.bad_accesses.eq(counters.bad_accesses + 1), self.access_error.eq(1)]
        with m.If(acc.valid & ~acc.ready):
            m.d.sync += counters.stall_cycles.eq(counters.stall_cycles + 1)
        return m
