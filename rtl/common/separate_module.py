"""A component placed as an instance of a Verilog module emitted once for all its copies."""

from __future__ import annotations

from amaranth.back import verilog
from amaranth.hdl import Cat, ClockSignal, Instance, Module, ResetSignal, Signal
from amaranth.lib import wiring

from hymem.rtl.common.counter_readout import CounterReadout, readout_members
from hymem.rtl.common.packed_ports import PackedPorts, split_ports
from hymem.rtl.common.wrapper import connect_through, share_model_attributes


class SeparateModule(wiring.Component):
    """``template``'s behaviour as an ``Instance`` of the Verilog module ``module_name``.

    Why: Amaranth elaborates every copy of a component and writes each as a module of its own (a
    16-unit Hydra system is 16 copies of the unit's Verilog); Verilator then inlines each
    single-instance module and compiles all copies.  With the copies as instances of one
    module, the Verilog holds its text once (:meth:`verilog`, which the top appends to its own,
    see ``extra_verilog``) and Verilator compiles one C++ class for all of them.  The logic is
    the template's, gate for gate; only the hierarchy differs.  The module's ports are
    ``clk``, ``rst``, and the template's inputs and outputs packed into one vector each
    (:class:`rtl.common.packed_ports.PackedPorts`: Verilator's hierarchical blocks pay per port
    at every evaluation).  Simulation with Icarus and Verilator (the Amaranth simulator cannot
    run an ``Instance``).

    Parameters
    ----------
    template : wiring.Component
        The component (its ``sync`` domain drives the module's ``clk`` and ``rst`` ports).  It
        is never elaborated into the parent; copies may share one template.
    module_name : str
        The Verilog module's name (unique in the design).
    counter_readout : bool
        The module sends ``template``'s ``counters`` one per cycle
        (:class:`rtl.common.counter_readout.CounterReadout`) and this component keeps a copy of
        each, which is its ``counters`` member: a counter that holds its value from cycle t on
        reads that value here from cycle t + :attr:`counter_latency` on.  For a module Verilator
        verilates as a hierarchical block, whose every output it copies at every evaluation.

    Members
    -------
    As ``template``'s signature.  Attributes ``config`` and ``geo`` of the template are passed
    on.

    Latency and throughput: ``template``'s.
    """

    def __init__(self, template: wiring.Component, module_name: str, counter_readout: bool = False):
        if counter_readout and "counters" not in template.signature.members:
            raise ValueError(f"counter_readout: {type(template).__name__} has no counters member")
        self.template, self.module_name, self.counter_readout = template, module_name, counter_readout
        share_model_attributes(self, template)
        super().__init__(template.signature)

    @property
    def counter_latency(self) -> int:
        """Cycles from a counter's last change until ``counters`` shows it (0: no readout)."""
        return len(self.signature.members["counters"].signature.members) + 1 if self.counter_readout else 0

    def elaborate(self, platform):
        m = Module()
        members = readout_members(self.signature) if self.counter_readout else self.signature.members
        module = wiring.Signature(members).create()   # the module's ports before packing
        inputs, outputs = split_ports(module)
        packed_outputs = Signal(sum(len(value) for value in outputs))
        m.submodules.instance = Instance(self.module_name, i_clk=ClockSignal(), i_rst=ResetSignal(),
                                         i_inputs=Cat(*inputs), o_outputs=packed_outputs)
        m.d.comb += Cat(*outputs).eq(packed_outputs)
        shared = [name for name in module.signature.members if name != "readout"]
        connect_through(m, self, module, shared)
        if "readout" in module.signature.members:
            self.keep_counters(m, module.readout)
        return m

    def keep_counters(self, m, readout):
        """Each counter as the readout last sent it."""
        counters = [value for _, _, value in self.counters.signature.flatten(self.counters)]
        with m.Switch(readout.index):
            for k, counter in enumerate(counters):
                with m.Case(k):
                    m.d.sync += counter.eq(readout.value[:len(counter)])

    def verilog(self) -> str:
        """The module's Verilog: the template, with the counter readout if asked, its ports
        packed, converted once."""
        top = CounterReadout(self.template) if self.counter_readout else self.template
        return verilog.convert(PackedPorts(top), name=self.module_name)
