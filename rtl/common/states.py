"""How every controller in ``rtl/`` writes its states: one idiom, and why.

A block's states are a shaped ``amaranth.lib.enum.Enum`` declared beside the
block (``class State(Enum): IDLE = 0 ...``); the state register is
``Signal(State)`` and the block steps it with an ``m.If`` / ``m.Elif`` chain on
``state == State.X``.  Command op codes are different: they cross the
boundary to the golden model and the testbenches, so they are a plain
``enum.IntEnum`` in the system's parameter module (``golden/<system>/params.py``),
used directly as the shape of the command's ``op`` field.

Why not ``m.FSM`` / ``m.Switch``: Amaranth 0.5 emits their ``case`` statements
without a ``default`` arm, and Verilator with ``-Wall`` (our lint of every
registered top, ``make verilog``) reports each one as ``CASEINCOMPLETE``.  An
``If`` chain becomes nested ``if``/``else`` that Icarus, Verilator and Yosys all
accept, with the same behaviour.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal


def goto(m: Module, state: Signal, target) -> None:
    """Enter ``target`` on the next clock edge (the one way transitions are written)."""
    m.d.sync += state.eq(target)
