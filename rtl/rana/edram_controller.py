"""RANA refresh-optimized eDRAM controller top: divider + flags/issuers + layer loader (seed 004, Fig. 14)."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out, connect, flipped

from hymem.golden.rana.config_words import PERIOD_BITS
from hymem.golden.rana.params import RanaConfig
from hymem.rtl.rana.clock_divider import ClockDivider
from hymem.rtl.rana.config_loader import ConfigLoader
from hymem.rtl.rana.refresh_controller import RefreshController

LOADER_PORTS = ("cfg_write", "n_layers", "start", "layer_done", "layer", "layer_index", "layer_valid",
                "done", "error")
REFRESH_PORTS = ("access", "edram_access", "edram_refresh", "edram_refresh_row", "refreshing",
                 "violation", "access_error", "flag_reg")


def refresh_controller(config: RanaConfig) -> RefreshController:
    e = config.edram
    return RefreshController(e.n_banks, e.rows_per_bank, config.refresh_words_per_row,
                             e.refresh_max_wait, e.counter_width)


def config_loader(config: RanaConfig) -> ConfigLoader:
    e = config.edram
    return ConfigLoader(e.n_banks, e.config_memory_words, PERIOD_BITS,
                        config.period_cycles(config.retention.typical_us), e.counter_width)


def clock_divider(config: RanaConfig) -> ClockDivider:
    return ClockDivider(PERIOD_BITS, config.edram.counter_width)


class EdramController(wiring.Component):
    """The eDRAM controller of Fig. 14 with its layer configuration loader.

    Wires a :class:`ConfigLoader` (per-layer words → period and refresh flags),
    a :class:`ClockDivider` (period → refresh pulse) and a
    :class:`RefreshController` (flags, per-bank issuers, arbitration with buffer
    accesses).  The members are the loader's and the refresh controller's, under
    the same names and meanings (see those classes), plus the pulse.  Golden
    twin: ``golden.rana.controller``.

    Parameters
    ----------
    config : RanaConfig
        ``[edram]`` sizes the buffer, the memory and the counters;
        ``retention.typical_us`` is the loader's safe period.

    Members
    -------
    cfg_write, n_layers, start, layer_done, layer, layer_index, layer_valid, done, error
        As :class:`ConfigLoader`.
    access, edram_access, edram_refresh, edram_refresh_row, refreshing, violation, access_error, flag_reg
        As :class:`RefreshController`.
    pulse : Out(1)
        The divider's refresh pulse.
    counters : Out
        The refresh controller's counters (``pulses``, ``rows_refreshed`` per bank,
        ``words_refreshed``, ``accesses``, ``stall_cycles``, ``violations``, ``bad_accesses``) and the
        loader's (``layers_loaded``, ``malformed_layers``).

    Latency and throughput
    ----------------------
    The loader's period and flags reach the divider and the flag register at
    the edge ending the loader's apply cycle; the divider's pulse reaches the
    issuers in the same cycle.  Otherwise as the three blocks.
    """

    def __init__(self, config: RanaConfig):
        self.config = config
        self._loader = config_loader(config)
        self._refresh = refresh_controller(config)
        self._divider = clock_divider(config)
        loader_members = self._loader.signature.members
        refresh_members = self._refresh.signature.members
        counters = {**dict(refresh_members["counters"].signature.members),
                    **dict(loader_members["counters"].signature.members)}
        super().__init__({
            **{name: loader_members[name] for name in LOADER_PORTS},
            **{name: refresh_members[name] for name in REFRESH_PORTS},
            "pulse": Out(1),
            "counters": Out(wiring.Signature(counters)),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.loader = loader = self._loader
        m.submodules.refresh = refresh = self._refresh
        m.submodules.divider = divider = self._divider
        for name in LOADER_PORTS:
            connect_port(m, self, loader, name)
        for name in REFRESH_PORTS:
            connect_port(m, self, refresh, name)
        m.d.comb += [
            divider.period.eq(loader.period),
            divider.load.eq(loader.period_load),
            refresh.flags.eq(loader.flags),
            refresh.flags_load.eq(loader.flags_load),
            refresh.pulse.eq(divider.pulse),
            self.pulse.eq(divider.pulse),
        ]
        for name in self.signature.members["counters"].signature.members:
            source = loader if name in loader.signature.members["counters"].signature.members else refresh
            m.d.comb += getattr(self.counters, name).eq(getattr(source.counters, name))
        return m


def connect_port(m: Module, outer, inner, name: str):
    """Pass member ``name`` of the top straight through to the same member of ``inner``."""
    if isinstance(getattr(outer, name), wiring.PureInterface) or hasattr(getattr(outer, name), "signature"):
        connect(m, flipped(getattr(outer, name)), getattr(inner, name))
    elif outer.signature.members[name].flow == In:
        m.d.comb += getattr(inner, name).eq(getattr(outer, name))
    else:
        m.d.comb += getattr(outer, name).eq(getattr(inner, name))
