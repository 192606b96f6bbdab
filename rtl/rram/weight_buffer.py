"""Banked weight-buffer port: parameterised read latency and bank occupancy (seed 002 §5.1)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.mac_array import weight_layout

WEIGHT_BUFFER_COUNTERS = ("weight_reads", "weight_bank_waits")


class WeightBuffer(wiring.Component):
    """A weight buffer of ``banks`` interleaved banks (word a in bank ``a mod banks``).

    It models an RRAM (or SRAM) macro's timing: a read issued in cycle t returns its word in
    cycle ``t + latency``; the bank it hit accepts no other read in cycles t+1 .. t+busy-1
    (``busy`` cycles per read per bank: the macro's read bandwidth).  A request to a busy bank
    waits (``req.ready`` low), which is counted.  Responses are not back-pressured: the
    requester reserves room before it asks.

    Parameters
    ----------
    m, n : int
        A word holds m x n weights (one kernel position of one channel-group pair).
    depth : int
        Words in the buffer (a multiple of ``banks``).
    banks : int
        Banks, a power of two.
    latency : int
        Cycles from issue to data (>= 1).
    busy : int
        Cycles a bank is occupied by one read (>= 1).
    weight_bits, counter_width : int

    Members
    -------
    req : In(stream.Signature(range(depth)))
        Word address to read; accepted when its bank is free.
    resp_valid : Out(1)
        ``resp_data`` is the word of the read issued ``latency`` cycles earlier.
    resp_data : Out(weight_layout(m, n))
    wr_en, wr_addr, wr_data : In
        Load port: write one word.
    counters.weight_reads : Out(counter_width)
        Reads issued.
    counters.weight_bank_waits : Out(counter_width)
        Cycles a request waited for its bank (RRAM wait states).

    Latency and throughput
    ----------------------
    ``latency`` cycles; up to one read per cycle, at most one per bank every ``busy`` cycles.
    """

    def __init__(
        self,
        m: int,
        n: int,
        depth: int,
        banks: int,
        latency: int,
        busy: int,
        weight_bits: int,
        counter_width: int,
    ):
        if banks & (banks - 1) or depth % banks or latency < 1 or busy < 1:
            raise ValueError(
                f"WeightBuffer: banks={banks} (power of two), depth={depth} (multiple of "
                f"banks), latency={latency} and busy={busy} (>= 1)"
            )
        self.depth, self.banks, self.latency, self.busy = depth, banks, latency, busy
        self.word = weight_layout(m, n, weight_bits)
        self.bank_bits = (banks - 1).bit_length()
        super().__init__(
            {
                "req": In(stream.Signature(range(depth))),
                "resp_valid": Out(1),
                "resp_data": Out(self.word),
                "wr_en": In(1),
                "wr_addr": In(range(depth)),
                "wr_data": In(self.word),
                "counters": Out(
                    wiring.Signature({k: Out(counter_width) for k in WEIGHT_BUFFER_COUNTERS})
                ),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        banks, rows = self.banks, self.depth // self.banks
        req_bank = self.req.payload[: self.bank_bits] if self.bank_bits else 0
        req_row = self.req.payload[self.bank_bits :]
        wr_bank = self.wr_addr[: self.bank_bits] if self.bank_bits else 0
        wr_row = self.wr_addr[self.bank_bits :]
        free = Signal(banks)
        issue = Signal()
        mod.d.comb += [
            self.req.ready.eq((free >> req_bank)[0]),
            issue.eq(self.req.valid & self.req.ready),
        ]
        outs = []
        for b in range(banks):
            mem = Memory(shape=self.word, depth=rows, init=[])
            mod.submodules[f"bank{b}"] = mem
            rd, wr = mem.read_port(), mem.write_port()
            mod.d.comb += [
                rd.addr.eq(req_row),
                rd.en.eq(issue & (req_bank == b)),
                wr.addr.eq(wr_row),
                wr.data.eq(self.wr_data),
                wr.en.eq(self.wr_en & (wr_bank == b)),
            ]
            outs.append(rd.data)
            busy = Signal(range(self.busy), name=f"busy{b}")  # cycles the bank stays occupied
            mod.d.comb += free[b].eq(busy == 0)
            with mod.If(issue & (req_bank == b)):
                mod.d.sync += busy.eq(self.busy - 1)
            with mod.Elif(busy != 0):
                mod.d.sync += busy.eq(busy - 1)
        bank_q = Signal(range(banks))
        valid_q = Signal()
        mod.d.sync += [bank_q.eq(req_bank), valid_q.eq(issue)]
        data_q = Signal(self.word)
        with mod.Switch(bank_q):
            for b in range(banks):
                with mod.Case(b):
                    mod.d.comb += data_q.eq(outs[b])
        valid, word = valid_q, data_q  # latency 1 so far; the rest is a delay line
        for stage in range(self.latency - 1):
            v, d = Signal(name=f"delay_valid{stage}"), Signal(self.word, name=f"delay_data{stage}")
            mod.d.sync += [v.eq(valid), d.eq(word)]
            valid, word = v, d
        mod.d.comb += [self.resp_valid.eq(valid), self.resp_data.eq(word)]
        c = self.counters
        with mod.If(issue):
            mod.d.sync += c.weight_reads.eq(c.weight_reads + 1)
        with mod.If(self.req.valid & ~self.req.ready):
            mod.d.sync += c.weight_bank_waits.eq(c.weight_bank_waits + 1)
        return mod
