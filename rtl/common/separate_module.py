"""A component placed as an instance of a Verilog module emitted once for all its copies."""

from __future__ import annotations

from amaranth.back import verilog
from amaranth.hdl import ClockSignal, Instance, Module, ResetSignal, Value
from amaranth.lib import wiring

from hymem.rtl.common.wrapper import share_model_attributes


class SeparateModule(wiring.Component):
    """``template``'s behaviour as an ``Instance`` of the Verilog module ``module_name``.

    Why: Amaranth elaborates every copy of a component and writes each as a module of its own (a
    16-unit Hydra system is 16 copies of the unit's Verilog); Verilator then inlines each
    single-instance module and compiles all copies.  With the copies as instances of one
    module, the Verilog holds its text once (:meth:`verilog`, which the top appends to its own,
    see ``extra_verilog``) and Verilator compiles one C++ class for all of them.  The logic is
    the template's, gate for gate; only the hierarchy differs.  Simulation with Icarus and
    Verilator (the Amaranth simulator cannot run an ``Instance``).

    Parameters
    ----------
    template : wiring.Component
        The component (its ``sync`` domain drives the module's ``clk`` and ``rst`` ports).  It
        is never elaborated into the parent; copies may share one template.
    module_name : str
        The Verilog module's name (unique in the design).

    Members
    -------
    As ``template``'s signature; ports connected by the names Amaranth gives them
    (the signature path joined with ``__``).  Attributes ``config`` and ``geo`` of the
    template are passed on.

    Latency and throughput: ``template``'s.
    """

    def __init__(self, template: wiring.Component, module_name: str):
        self.template, self.module_name = template, module_name
        share_model_attributes(self, template)
        super().__init__(template.signature)

    def elaborate(self, platform):
        m = Module()
        ports = {"i_clk": ClockSignal(), "i_rst": ResetSignal()}
        for path, member, value in self.signature.flatten(self):
            direction = "i" if member.flow == wiring.In else "o"
            ports[f"{direction}_{'__'.join(map(str, path))}"] = Value.cast(value)
        m.submodules.instance = Instance(self.module_name, **ports)
        return m

    def verilog(self) -> str:
        """The module's Verilog (the template converted once)."""
        return verilog.convert(self.template, name=self.module_name)
