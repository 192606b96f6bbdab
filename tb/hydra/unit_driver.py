"""Host side of a Hydra unit's command interface (``rtl/hydra/unit.py``) for cocotb tests.

:class:`UnitHost` issues WRITE / SET_REG / START / READ on the unit's ``cmd``
stream, sends WRITE beats on ``wdata`` and collects READ beats from ``rdata``;
:func:`pack_words` packs values into bus words the way the unit unpacks them
(value ``i`` of a word in bits ``[i*width, (i+1)*width)``), :func:`pack_beats`
several units' words side by side into the system's beats.  Expected results
and counters come from ``golden.hydra.unit`` and ``golden.hydra.cycles``.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.bits import word_bits
from hymem.golden.hydra.cycles import job_cycles
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.unit import UNIT_COUNTERS, UnitJob, read_transfers
from hymem.tb.common.clock import wait_for_level
from hymem.tb.common.hdl import handle, members, pack
from hymem.tb.common.stream import StreamDriver, StreamMonitor


def transfer_values(shape, value_width: int):
    """``expand`` for a :class:`StreamMonitor` of a READ path beat (``rtl.hydra.unit_signatures.
    transfer_layout``): the beat's ``count`` values, signed ``value_width``-bit each."""
    mask, top = (1 << value_width) - 1, 1 << (value_width - 1)
    lanes = shape["values"].shape.length

    def expand(item: dict) -> list[int]:
        count = item["count"]
        if count > lanes:
            raise AssertionError(f"READ beat with count {count} > {lanes} lanes")
        bits = item["values"]
        return [((bits >> (i * value_width)) & mask) - (((bits >> (i * value_width)) & top) << 1)
                for i in range(count)]

    return expand


def pack_words(values, width: int, per_word: int) -> list[int]:
    """Values (signed ints) → bus words, zero-padded to whole words."""
    return pack_beats([values], width, per_word)


def pack_beats(values_per_lane, width: int, per_word: int) -> list[int]:
    """Several lanes' values → beats: beat ``j`` holds word ``j`` of every lane, lane ``u`` in bits
    ``[u*per_word*width, (u+1)*per_word*width)``; each lane zero-padded to whole words (all lanes
    must come to the same number of words).  Vectorized: one ``int.from_bytes`` per beat, since a
    long run sends millions of beats."""
    lanes = [np.asarray(values, dtype=np.int64).reshape(-1) for values in values_per_lane]
    n_words = -(-len(lanes[0]) // per_word)
    if any(-(-len(lane) // per_word) != n_words for lane in lanes):
        raise ValueError(f"lanes of {[len(lane) for lane in lanes]} values do not fill the same number of "
                         f"{per_word}-value words")
    values = np.zeros((len(lanes), n_words * per_word), dtype=np.uint64)
    for u, lane in enumerate(lanes):
        values[u, :len(lane)] = lane & ((1 << width) - 1)
    beats = values.reshape(len(lanes), n_words, per_word).transpose(1, 0, 2).reshape(n_words, -1)
    packed = np.packbits(word_bits(beats, width).reshape(n_words, -1), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


class UnitHost:
    """Drives one unit; keeps the golden prediction of its counters for the commands sent."""

    def __init__(self, dut, component, read_ready=None, on_item=None):
        self.dut, self.component = dut, component
        self.geo = component.geo
        self.cmd = StreamDriver(dut, component, "cmd")
        self.wdata = StreamDriver(dut, component, "wdata")
        shape = members(component)[("rdata", "payload")].shape
        self.rdata = StreamMonitor(dut, component, "rdata", ready=read_ready, on_item=on_item,
                                   expand=transfer_values(shape, self.geo.acc_width))
        self.cmd_shape = members(component)[("cmd", "payload")].shape
        self.ready = handle(dut, component, "cmd", "ready")
        self.error = handle(dut, component, "error")
        self.expected = dict.fromkeys(UNIT_COUNTERS, 0)

    def start(self):
        """Nothing runs per cycle until a READ: the monitor is started and stopped around each READ."""

    def _cmd(self, op: int, addr: int = 0, arg: int = 0) -> int:
        return pack(self.cmd_shape, {"op": op, "addr": addr, "arg": arg})

    async def write(self, to_ab: bool, values, gaps=None):
        words = pack_words(values, self.geo.width, self.geo.values_per_word)
        beats = cocotb.start_soon(self.wdata.send(words, gaps))
        await self.cmd.send([self._cmd(HydraOp.WRITE_AB if to_ab else HydraOp.WRITE_WB, 0, len(words))])
        await beats
        e = self.expected
        e["ab_writes" if to_ab else "wb_writes"] += len(words)
        e["write_cmds"] += 1
        e["bits_in"] += len(words) * self.geo.bus_width

    async def set_registers(self, job: UnitJob):
        await self.cmd.send([self._cmd(HydraOp.SET_REG, index, value) for index, value in job.register_values()])

    async def wait_idle(self):
        """Return right after the edge of the first cycle in which the unit accepts commands again."""
        await wait_for_level(self.dut.clk, self.ready, 1)

    async def run(self, job: UnitJob, variant: str) -> bool:
        """SET_REG of every register, START, wait until idle; returns the error flag."""
        await self.set_registers(job)
        await self.cmd.send([self._cmd(HydraOp.START)])
        await self.wait_idle()
        for name, value in job_cycles(job, self.geo, variant).items():
            self.expected[name] += value
        await ReadOnly()
        error = bool(int(self.error.value))
        await RisingEdge(self.dut.clk)
        return error

    async def read(self, entries: int, positions: int):
        """READ ``entries`` (``positions`` per channel: the beats and OB word reads they take)."""
        before = len(self.rdata.items)
        monitor = self.rdata.start()
        await self.cmd.send([self._cmd(HydraOp.READ, 0, entries)])
        while len(self.rdata.items) < before + entries:
            await RisingEdge(self.dut.clk)
        await self.wait_idle()
        monitor.cancel()
        self.expected["read_cmds"] += 1
        self.expected["ob_reads"] += read_transfers(entries, positions, self.geo.rau_entries)
        self.expected["bits_out"] += entries * self.geo.acc_width
