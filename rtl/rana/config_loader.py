"""RANA layer configuration loader: per-layer words from a configuration memory (seed 004, §IV-A, §IV-D2)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import data, enum, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.rana.config_words import (
    FIELDS,
    HEADER_WORDS,
    RESERVED_MASKS,
    WORD_BITS,
    Pattern,
)
from hymem.rtl.common.counters import counter_signature

LOADER_COUNTERS = ("layers_loaded", "malformed_layers")


def flag_words(n_banks: int) -> int:
    """Configuration words holding one refresh flag per bank (``WORD_BITS`` flags a word)."""
    return -(-n_banks // WORD_BITS)


def words_per_layer(n_banks: int) -> int:
    """Configuration words of one layer: the header and the flag words."""
    return HEADER_WORDS + flag_words(n_banks)
LAYER_FIELDS = ("pattern", "tm", "tn", "tr", "tc", "layer_cycles", "banks_in", "banks_out", "banks_w")


def layer_layout() -> data.StructLayout:
    """The current layer's configuration as the accelerator sees it."""
    return data.StructLayout({name: FIELDS[name][2] for name in LAYER_FIELDS})


class LoaderState(enum.Enum):
    IDLE = 0
    READ = 1    # the layer's words, one per cycle
    APPLY = 2   # check them, load period and flags, present the layer
    RUN = 3     # until the accelerator's layer_done


class ConfigLoader(wiring.Component):
    """Loads each layer's configuration words and hands period, flags and pattern on.

    The host writes the word image of ``golden.rana.config_words.pack_words`` into
    the configuration memory (``cfg_write``), sets ``n_layers`` and pulses ``start``.
    The loader reads layer 0's ``words_per_layer`` words, checks them, loads the
    clock-divider period and the refresh flags, and presents the layer; when the
    accelerator pulses ``layer_done`` it loads the next layer, and after the last
    one it raises ``done``.

    A layer whose words are malformed by the rules of
    ``golden.rana.config_words.unpack_words`` (reserved bits set, pattern 3, a zero
    tile, a refresh flag for a bank ≥ ``n_banks``, more banks allocated than exist,
    ``last`` missing on the final layer or set on an earlier one), or that sets
    refresh flags with period 0 (flagged banks that would never be refreshed), sets
    the sticky ``error`` and is still presented (so the layer handshake goes on),
    but the loader falls back to conventional refresh for it: all banks flagged, at
    ``safe_period`` (the typical retention time).  ``n_layers`` larger than the
    memory holds sets ``error`` and ends at once with ``done``.  Nothing waits on
    anything but ``start`` and ``layer_done``.

    Parameters
    ----------
    n_banks : int
        eDRAM banks (sets the flag words per layer).
    depth : int
        Configuration memory depth in 32-bit words.
    period_width : int
        Width of the clock-divider period.
    safe_period : int
        Period loaded for a malformed layer.
    counter_width : int
        Width of the event counters.

    Members
    -------
    cfg_write : In(StructLayout{en: 1, addr, data: 32})
        Host write port of the configuration memory.
    n_layers : In(addr width + 1)
        Layers in the memory image; sampled at ``start``.
    start : In(1)
        Begins at layer 0 (ignored while a network runs).
    layer_done : In(1)
        The current layer has finished; load the next one.
    period : Out(period_width)
        Divider period of the layer being loaded; valid with ``period_load``.
    period_load : Out(1)
        One-cycle strobe: load ``period`` into the clock divider.
    flags : Out(n_banks)
        Refresh flags of the layer being loaded; valid with ``flags_load``.
    flags_load : Out(1)
        One-cycle strobe (same cycle as ``period_load``): load ``flags``.
    layer : Out(layer_layout)
        The current layer's pattern, tiling, cycles and bank allocation.
    layer_index : Out(addr width + 1)
        Index of the current layer.
    layer_valid : Out(1)
        ``layer`` is loaded and running (until ``layer_done``).
    done : Out(1)
        All layers done (until the next ``start``).
    error : Out(1)
        Sticky until ``start``: a malformed layer or an oversized ``n_layers``.
    counters.layers_loaded : Out(counter_width)
        Layers presented.
    counters.malformed_layers : Out(counter_width)
        Layers that were malformed.

    Latency and throughput
    ----------------------
    ``start`` (or ``layer_done``) in cycle t: the memory is read in cycles
    t+1 … t+W+1 (W = words per layer, one-cycle read latency), the checks run
    in t+W+2, where ``period_load``/``flags_load`` pulse and ``layer_valid`` rises.
    """

    def __init__(self, n_banks: int, depth: int, period_width: int, safe_period: int,
                 counter_width: int):
        self.n_banks = n_banks
        self.words = words_per_layer(n_banks)
        if depth < self.words:
            raise ValueError(f"ConfigLoader: depth={depth} words cannot hold one layer of {self.words} words")
        if not 0 < safe_period < 1 << period_width:
            raise ValueError(f"ConfigLoader: safe_period={safe_period} must be in 1..2**{period_width}-1")
        self.depth = depth
        self.period_width = period_width
        self.safe_period = safe_period
        self.addr_width = max(ceil_log2(depth), 1)
        super().__init__({
            "cfg_write": In(data.StructLayout({"en": 1, "addr": self.addr_width, "data": WORD_BITS})),
            "n_layers": In(self.addr_width + 1),
            "start": In(1),
            "layer_done": In(1),
            "period": Out(period_width),
            "period_load": Out(1),
            "flags": Out(n_banks),
            "flags_load": Out(1),
            "layer": Out(layer_layout()),
            "layer_index": Out(self.addr_width + 1),
            "layer_valid": Out(1),
            "done": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(LOADER_COUNTERS, counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.memory = memory = Memory(shape=WORD_BITS, depth=self.depth, init=[])
        wr = memory.write_port()
        rd = memory.read_port()
        m.d.comb += [wr.en.eq(self.cfg_write.en), wr.addr.eq(self.cfg_write.addr),
                     wr.data.eq(self.cfg_write.data)]

        n_words = self.words
        words = [Signal(WORD_BITS, name=f"word{i}") for i in range(n_words)]
        base = Signal(self.addr_width + 1)      # first word of the current layer
        step = Signal(range(n_words + 2))       # read step within the layer
        n_layers = Signal.like(self.n_layers)
        m.d.comb += rd.addr.eq(base + step)

        def field(name):
            word, lsb, width = FIELDS[name]
            return words[word][lsb:lsb + width]

        flags_all = Cat(*words[HEADER_WORDS:HEADER_WORDS + flag_words(self.n_banks)])
        is_last = self.layer_index == n_layers - 1
        malformed = Signal()
        m.d.comb += malformed.eq(
            Cat(*[(words[w] & mask) != 0 for w, mask in enumerate(RESERVED_MASKS)]).any()
            | (field("pattern") > max(Pattern))
            | Cat(*[field(t) == 0 for t in ("tm", "tn", "tr", "tc")]).any()
            | ((flags_all >> self.n_banks) != 0)
            | (field("banks_in") + field("banks_out") + field("banks_w") > self.n_banks)
            | (field("last") != is_last)
            | ((field("period") == 0) & (flags_all[:self.n_banks] != 0))
        )

        # States as an If/Elif chain, not m.FSM: see rtl/common/states.py.
        state = Signal(LoaderState)
        with m.If(state == LoaderState.IDLE):  # noqa: SIM117 (the Elif chain below belongs to this If)
            with m.If(self.start):
                m.d.sync += [self.done.eq(0), self.error.eq(0), self.layer_index.eq(0),
                             base.eq(0), step.eq(0), n_layers.eq(self.n_layers)]
                with m.If(self.n_layers * n_words > self.depth):
                    m.d.sync += [self.error.eq(1), self.done.eq(1)]
                with m.Elif(self.n_layers == 0):
                    m.d.sync += self.done.eq(1)
                with m.Else():
                    m.d.sync += state.eq(LoaderState.READ)
        with m.Elif(state == LoaderState.READ):
            m.d.sync += step.eq(step + 1)
            with m.If(step != 0):  # word step-1 arrives: shift it in at the top
                m.d.sync += [words[i].eq(words[i + 1]) for i in range(n_words - 1)]
                m.d.sync += words[-1].eq(rd.data)
            with m.If(step == n_words):
                m.d.sync += state.eq(LoaderState.APPLY)
        with m.Elif(state == LoaderState.APPLY):
            m.d.comb += [self.period_load.eq(1), self.flags_load.eq(1)]
            with m.If(malformed):
                m.d.comb += [self.period.eq(self.safe_period), self.flags.eq(-1)]
                m.d.sync += [self.error.eq(1),
                             self.counters.malformed_layers.eq(self.counters.malformed_layers + 1)]
            with m.Else():
                m.d.comb += [self.period.eq(field("period")), self.flags.eq(flags_all)]
            m.d.sync += [self.layer.eq(Cat(*[field(name) for name in LAYER_FIELDS])),
                         self.layer_valid.eq(1),
                         self.counters.layers_loaded.eq(self.counters.layers_loaded + 1),
                         state.eq(LoaderState.RUN)]
        with m.Elif(self.layer_done):  # LoaderState.RUN, the only state left
            m.d.sync += self.layer_valid.eq(0)
            with m.If(is_last):
                m.d.sync += [self.done.eq(1), state.eq(LoaderState.IDLE)]
            with m.Else():
                m.d.sync += [self.layer_index.eq(self.layer_index + 1), base.eq(base + n_words),
                             step.eq(0), state.eq(LoaderState.READ)]
        return m
