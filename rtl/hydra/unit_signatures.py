"""The interfaces between a Hydra unit's sub-components (``rtl/hydra/unit.py`` joins them).

Each ``*_signature`` is written from the driving side (the controller, or the
engine that owns the address): the other side takes it ``In(...)``.
"""

from __future__ import annotations

from amaranth.hdl import signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.memory import ReadPort
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.unit import REG_WIDTH, REGISTERS

COORD = signed(REG_WIDTH + 2)  # window coordinates: -padding .. 2^16 + kernel
KERNEL = unsigned(4)           # a tap's row or column in the window ([unit] max_kernel < 16)


def cmd_layout() -> data.StructLayout:
    """A unit command: ``op`` (:class:`HydraOp`), ``addr`` and ``arg``."""
    return data.StructLayout({"op": HydraOp, "addr": REG_WIDTH, "arg": REG_WIDTH})


def registers_layout() -> data.StructLayout:
    """The register stack (``golden.hydra.unit.REGISTERS``, ``REG_WIDTH`` bits each)."""
    return data.StructLayout({name: REG_WIDTH for name in REGISTERS})


def job_signature() -> wiring.Signature:
    """The job the controller runs: register stack, sizes derived at START, and the phase."""
    return wiring.Signature({
        "regs": Out(registers_layout()),
        "is_pool": Out(1),
        "positions": Out(2 * REG_WIDTH),   # P = out_h * out_w
        "taps": Out(8),                    # K * K
        "channels": Out(REG_WIDTH),        # m_count (1 for max-pool)
        "groups": Out(2 * REG_WIDTH),      # G = ceil(P / N); also the OB words between channels
        "phase": Out(2 * REG_WIDTH),       # phase i fills group i and computes group i-1
        "in_bank": Out(1),                 # AB/WB bank the job reads ([system] overlap)
        "ob_bank": Out(1),                 # OB bank the job writes ([system] overlap)
    })


def write_control_signature() -> wiring.Signature:
    """Controller -> input buffers: a WRITE_AB / WRITE_WB; ``idle`` once its beats are in."""
    return wiring.Signature({
        "start": Out(1), "to_ab": Out(1), "addr": Out(REG_WIDTH), "words": Out(REG_WIDTH),
        "idle": In(1),
    })


def fill_control_signature(n_macs: int) -> wiring.Signature:
    """Controller -> fill engine: ``init`` (START's check cycle), ``start`` a group, its bank."""
    return wiring.Signature({
        "init": Out(1), "start": Out(1), "bank": Out(1),
        "done": In(1),
        "lanes": In(range(n_macs + 1)),    # lanes holding a position of the group just filled
    })


def compute_control_signature(n_macs: int) -> wiring.Signature:
    """Controller -> compute engine: ``start`` a group held in ``bank`` by ``lanes`` lanes."""
    return wiring.Signature({
        "start": Out(1), "bias_load": Out(1), "bank": Out(1), "lanes": Out(range(n_macs + 1)),
        "done": In(1),
    })


def transfer_layout(value_shape, rau_entries: int) -> data.StructLayout:
    """One beat of the READ path ([system] ``rau_entries`` = R): up to R consecutive entries of one
    output channel (``values[0 … count-1]``; the rest are not entries and are ignored)."""
    return data.StructLayout({"values": data.ArrayLayout(value_shape, rau_entries),
                              "count": unsigned(ceil_log2(rau_entries + 1))})


def drain_control_signature() -> wiring.Signature:
    """Controller -> output buffer: a READ of ``entries``, and which state owns the OB port."""
    return wiring.Signature({
        "start": Out(1), "entries": Out(REG_WIDTH),
        "bank": Out(1),    # the OB bank a READ drains ([system] overlap)
        "run": Out(1),     # RUN: the compute engine addresses the OB read port
        "read": Out(1),    # READ: the drain does
        "idle": In(1),     # the READ's last entry has left
    })


def buffer_read_signature(depth: int, width: int) -> wiring.Signature:
    """A buffer's read port as its reader sees it (the memory port's signature, flipped)."""
    return ReadPort.Signature(addr_width=ceil_log2(depth), shape=unsigned(width)).flip()


def window_write_signature(width: int, scan_values: int = 1) -> wiring.Signature:
    """Fill engine -> lanes: up to ``scan_values`` (V) consecutive activations of one input row
    ``y``, in *column order*: ``values[j]`` is the one at column ``x[j]``, the column of the step
    congruent to j modulo V, valid where ``mask`` bit j is set (a row's last step may be partial);
    every lane whose window (K x K from the lane's base) holds it stores it in window memory j of
    bank ``bank``.  Ordering the step by column once here is what spares each lane a rotation."""
    return wiring.Signature({
        "valid": Out(1), "y": Out(COORD), "x": Out(data.ArrayLayout(COORD, scan_values)),
        "values": Out(data.ArrayLayout(signed(width), scan_values)), "mask": Out(scan_values),
        "bank": Out(1),
    })


def ab_bank_read_signature(geo) -> wiring.Signature:
    """One of the ``scan_values`` (V) value banks of the activation buffer, as its reader sees it:
    bank b's word w holds values ``w * values_per_word + b + V * j`` (j < values_per_word / V)."""
    return buffer_read_signature(geo.ab_words * geo.n_banks, geo.bus_width // geo.scan_values)


def lane_bases_layout(n_macs: int) -> data.ArrayLayout:
    """Every lane's window base (top-left input coordinate of its output position)."""
    return data.ArrayLayout(data.StructLayout({"y": COORD, "x": COORD}), n_macs)


def lane_control_signature(width: int) -> wiring.Signature:
    """Compute engine -> every lane: read window tap ``(tap_y, tap_x)`` of ``bank``; the MAC's
    weight ``w`` (paired with the tap's value); the comparator's step."""
    return wiring.Signature({
        "tap_y": Out(KERNEL), "tap_x": Out(KERNEL), "bank": Out(1), "en": Out(1),
        "w": Out(signed(width)), "pool_valid": Out(1), "pool_first": Out(1),
    })


def lane_mac_signature(acc_width: int) -> wiring.Signature:
    """The lanes' shared MAC control -> every lane's multiplier and accumulator
    (:class:`~rtl.hydra.lane_mac_control.LaneMacControl`)."""
    return wiring.Signature({
        "load": Out(1), "step": Out(1), "finish": Out(1), "add": Out(1), "partial": Out(1),
        "base": Out(signed(acc_width)),
    })


def ob_port_signature(ob_words: int, word_width: int) -> wiring.Signature:
    """Compute engine -> output buffer: finished words; the read one word ahead (accumulation)."""
    return wiring.Signature({
        "write": Out(1), "addr": Out(range(ob_words + 1)), "data": Out(word_width),
        "accumulating": Out(1),              # the write adds the entries it replaces (one OB read)
        "read_addr": Out(range(ob_words + 1)),
        "old_word": In(word_width),
    })
