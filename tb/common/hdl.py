"""HDL names and values derived from a component's signature (never retyped).

Amaranth joins a member's path with ``__`` in the emitted Verilog
(``pairs.payload`` → ``pairs__payload``) and drops signedness on ports, so
values are packed and decoded here from the member's shape.
"""

from __future__ import annotations

import functools

from amaranth.hdl import Shape
from amaranth.lib import data, wiring


def hdl_name(path) -> str:
    """Verilog port name of a signature member path, e.g. ``("pairs", "valid")``."""
    return "__".join(str(part) for part in path)


@functools.lru_cache(maxsize=256)
def members(component: wiring.Component) -> dict:
    """``{path tuple: port member}`` for every port of ``component`` (cached: flattening a
    large signature on every handle lookup costs milliseconds)."""
    return {path: member for path, member, _ in component.signature.flatten(component)}


def handle(dut, component: wiring.Component, *path):
    """The cocotb handle of port ``path`` of ``component`` (checked against the signature)."""
    ports = members(component)
    if path not in ports:
        valid = ", ".join(hdl_name(p) for p in ports)
        raise KeyError(f"{hdl_name(path)!r} is not a port of {type(component).__name__}; valid: {valid}")
    return getattr(dut, hdl_name(path))


def _fields(shape):
    """``(name, offset, width, signed)`` per field of a struct layout."""
    for name, field in shape:
        s = Shape.cast(field.shape)
        yield name, field.offset, s.width, s.signed


def pack(shape, value) -> int:
    """Bit pattern of ``value`` for a port of ``shape``: a dict of fields for a struct
    layout, or an int taken as the (already packed) bit pattern."""
    if isinstance(shape, data.Layout) and isinstance(value, dict):
        bits = 0
        for name, offset, width, _ in _fields(shape):
            bits |= (int(value[name]) & ((1 << width) - 1)) << offset
        return bits
    width = Shape.cast(shape).width
    return int(value) & ((1 << width) - 1)


def unpack(shape, bits: int):
    """Decode a port's bit pattern: signed ints sign-extended, structs as dicts."""
    bits = int(bits)
    if isinstance(shape, data.Layout):
        return {name: _signed(bits >> offset, width, signed) for name, offset, width, signed in _fields(shape)}
    s = Shape.cast(shape)
    return _signed(bits, s.width, s.signed)


def _signed(bits: int, width: int, signed: bool) -> int:
    bits &= (1 << width) - 1
    return bits - (1 << width) if signed and bits >> (width - 1) else bits


def read(dut, component, *path):
    """Read port ``path`` decoded per its shape."""
    return unpack(members(component)[path].shape, int(handle(dut, component, *path).value))


def write(dut, component, *path, value):
    """Drive port ``path`` with ``value`` packed per its shape."""
    handle(dut, component, *path).value = pack(members(component)[path].shape, value)


def pack_array(layout: data.Layout, **fields):
    """Vectorized :func:`pack` of a struct layout: one Python int per element."""
    import numpy as np

    bits = None
    for name, offset, width, _ in _fields(layout):
        column = (np.asarray(fields[name], dtype=np.int64) & ((1 << width) - 1)).astype(object) << offset
        bits = column if bits is None else bits | column
    return [int(b) for b in bits]
