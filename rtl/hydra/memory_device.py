"""A DRAM/PCM device model with Table I timings counted in memory-clock ticks (simulation top)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.command_stream import DEVICE_COUNTERS, DeviceTicks
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.device_timing_checker import DeviceTimingChecker
from hymem.rtl.hydra.image_ram import ImageRam


class DeviceState(enum.Enum):
    IDLE = 0
    BUSY = 1  # issuing PRE / ACT / column commands
    DRAIN = 2  # the last column command's data still moving


def request_layout(abits: int) -> data.StructLayout:
    return data.StructLayout({"write": 1, "addr": abits, "count": 16})


class MemoryDevice(wiring.Component):
    """One device (one bank, open-row policy) serving one request of ``count`` consecutive beats
    at a time, its array an :class:`ImageRam`.
    Golden twin: ``golden.hydra.command_stream.DeviceModel``.

    On each ``tick`` (a data-rate strobe: ``DeviceTicks`` counts Table I's memory clocks in ticks)
    it issues at most one command at the earliest tick the timings allow: PRE (tRTP after a read
    column command, tWL + tCCD + tWR after a write one), ACT (tRP after PRE), a column command
    (tRCD after ACT, tCCD after the previous one) moving ``tCCD`` beats (fewer at the end).  The
    beats move at ticks ``col + tCL`` (read, on ``rdata``) or ``col + tWL`` (write, from
    ``wdata``) onwards, one per tick: a delay line of column slots.

    ``error`` (sticky until ``clear``): a request beyond the array (ignored), a read beat not
    taken, a write beat not there when due, or a command the independent
    :class:`DeviceTimingChecker` finds too early.

    Parameters
    ----------
    name : str         image files ``<name>.hex`` / ``<name>_dump.hex``
    ticks : DeviceTicks
    width, depth : int  beat bits, beats
    counter_width : int
    req_abits : int     request address bits (at least the array's)

    Members
    -------
    req : In(stream(StructLayout{write: 1, addr: abits, count: 16}))
        Ready only when idle.
    rdata : Out(stream(width))   read beats (valid for the beat's tick cycle only)
    wdata : In(stream(width))    write beats (taken in the beat's tick cycle)
    tick, clear : In(1)          data-rate strobe; start of a run (rows closed, timers, counters
                                 and error cleared)
    load, dump : In(1); dump_from, dump_to : In(abits)   the array's image (:class:`ImageRam`)
    error : Out(1)
    counters : Out(read_beats, write_beats, activates, precharges, columns)

    Latency: a read's first beat tCL (+ tRP + tRCD on a row change) ticks after its column
    command; throughput one beat per tick within a row.
    """

    def __init__(
        self,
        name: str,
        ticks: DeviceTicks,
        width: int,
        depth: int,
        counter_width: int = 32,
        req_abits: int | None = None,
    ):
        if ticks.beats_per_row & (ticks.beats_per_row - 1):
            raise ValueError(f"{name}: {ticks.beats_per_row} beats per row must be a power of two")
        self.ticks, self.ram = ticks, ImageRam(name, width, depth)
        self.abits = abits = self.ram.abits
        self.req_abits = max(abits, req_abits or 0)
        if max(t for t in (ticks.tRP, ticks.tRCD, ticks.tCCD, ticks.write_recovery)) > 255:
            raise ValueError(f"{name}: a timing beyond the 8-bit tick timers")
        super().__init__(
            {
                "req": In(stream.Signature(request_layout(self.req_abits))),
                "rdata": Out(stream.Signature(width)),
                "wdata": In(stream.Signature(width)),
                "tick": In(1),
                "clear": In(1),
                "load": In(1),
                "dump": In(1),
                "dump_from": In(abits),
                "dump_to": In(abits),
                "error": Out(1),
                "counters": Out(counter_signature(DEVICE_COUNTERS, counter_width)),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = self.ram
        m.submodules.checker = checker = DeviceTimingChecker(self.ticks)
        m.d.comb += [
            ram.load.eq(self.load),
            ram.dump.eq(self.dump),
            ram.dump_from.eq(self.dump_from),
            ram.dump_to.eq(self.dump_to),
        ]
        t = self.ticks
        s = {
            name: Signal(8, name=name) for name in ("pre_wait", "act_wait", "rcd_wait", "col_wait")
        }
        s.update(
            state=Signal(DeviceState, name="state"),
            write=Signal(),
            addr=Signal(self.req_abits + 1),
            remaining=Signal(17),
            data_addr=Signal(self.abits),
            row=Signal(self.req_abits + 1),
            row_valid=Signal(),
            slots=Signal(range(t.burst + 1)),
            delay=Signal(max(t.tCL, t.tWL)),
            issue=Signal(),
            burst=Signal(range(t.burst + 1)),
        )
        cnt = self.counters
        s.update(pre=Signal(name="pre"), act=Signal(name="act"))
        m.d.comb += [
            checker.tick.eq(self.tick),
            checker.clear.eq(self.clear),
            checker.pre.eq(s["pre"]),
            checker.act.eq(s["act"]),
            checker.rd.eq(s["issue"] & ~s["write"]),
            checker.wr.eq(s["issue"] & s["write"]),
        ]
        with m.If(checker.error):
            m.d.sync += self.error.eq(1)
        with m.If(self.clear):
            m.d.sync += [
                s["state"].eq(DeviceState.IDLE),
                s["row_valid"].eq(0),
                s["slots"].eq(0),
                s["delay"].eq(0),
                self.error.eq(0),
            ]
            m.d.sync += [
                v.eq(0)
                for v in (
                    *[s[k] for k in ("pre_wait", "act_wait", "rcd_wait", "col_wait")],
                    *[getattr(cnt, n) for n in DEVICE_COUNTERS],
                )
            ]
        with m.Else():
            self.accept(m, s)
            with m.If(self.tick):
                self.on_tick(m, s)
        return m

    def accept(self, m, s):
        """IDLE: take a request (one beyond the array raises ``error`` and is dropped)."""
        req = self.req.payload
        m.d.comb += self.req.ready.eq(s["state"] == DeviceState.IDLE)
        with m.If(self.req.valid & self.req.ready & (req.count != 0)):
            with m.If(req.addr + req.count > self.ram.depth):
                m.d.sync += self.error.eq(1)
            with m.Else():
                m.d.sync += [
                    s["write"].eq(req.write),
                    s["addr"].eq(req.addr),
                    s["remaining"].eq(req.count),
                    s["data_addr"].eq(req.addr),
                ]
                goto(m, s["state"], DeviceState.BUSY)
        with m.If((s["state"] == DeviceState.DRAIN) & (s["delay"] == 0) & (s["slots"] == 0)):
            goto(m, s["state"], DeviceState.IDLE)

    def on_tick(self, m, s):
        """One tick: count the timers down, issue at most one command, move a due data beat."""
        t, cnt = self.ticks, self.counters
        for key in ("pre_wait", "act_wait", "rcd_wait", "col_wait"):
            with m.If(s[key] != 0):
                m.d.sync += s[key].eq(s[key] - 1)
        with m.If(s["slots"] != 0):
            m.d.sync += s["slots"].eq(s["slots"] - 1)
        slot = s["issue"] | (s["slots"] != 0)
        lat_mask = Mux(s["write"], (1 << t.tWL) - 1, (1 << t.tCL) - 1)
        m.d.sync += s["delay"].eq((Cat(slot, s["delay"]) & lat_mask)[: len(s["delay"])])
        due = Mux(
            s["write"], s["delay"].bit_select(t.tWL - 1, 1), s["delay"].bit_select(t.tCL - 1, 1)
        )
        self.move_beat(m, s, due)
        row = s["addr"] >> (t.beats_per_row.bit_length() - 1)
        with m.If(s["state"] == DeviceState.BUSY):
            row_hit = s["row_valid"] & (s["row"] == row)
            with m.If(row_hit), m.If((s["col_wait"] == 0) & (s["rcd_wait"] == 0)):
                self.column(m, s)
            with m.Elif(s["row_valid"]), m.If(s["pre_wait"] == 0):
                m.d.comb += s["pre"].eq(1)
                m.d.sync += [
                    s["act_wait"].eq(t.tRP - 1),
                    s["row_valid"].eq(0),
                    cnt.precharges.eq(cnt.precharges + 1),
                ]
            with m.Elif(s["act_wait"] == 0):
                m.d.comb += s["act"].eq(1)
                m.d.sync += [
                    s["rcd_wait"].eq(t.tRCD - 1),
                    s["row"].eq(row),
                    s["row_valid"].eq(1),
                    cnt.activates.eq(cnt.activates + 1),
                ]

    def column(self, m, s):
        """A column command of min(tCCD, remaining) beats."""
        t, cnt = self.ticks, self.counters
        burst = s["burst"]
        m.d.comb += [
            s["issue"].eq(1),
            burst.eq(Mux(s["remaining"] < t.burst, s["remaining"], t.burst)),
        ]
        recovery = Mux(s["write"], t.write_recovery - 1, t.tRTP - 1)
        pre_left = Mux(s["pre_wait"] != 0, s["pre_wait"] - 1, 0)
        m.d.sync += [
            s["col_wait"].eq(t.tCCD - 1),
            s["slots"].eq(burst - 1),
            s["pre_wait"].eq(Mux(pre_left > recovery, pre_left, recovery)),
            s["addr"].eq(s["addr"] + burst),
            s["remaining"].eq(s["remaining"] - burst),
            cnt.columns.eq(cnt.columns + 1),
        ]
        with m.If(s["remaining"] <= t.burst):
            goto(m, s["state"], DeviceState.DRAIN)

    def move_beat(self, m, s, due):
        """The beat due this tick: read from the array onto ``rdata`` / from ``wdata`` into it."""
        cnt, ram = self.counters, self.ram
        m.d.comb += [
            ram.raddr.eq(s["data_addr"]),
            ram.waddr.eq(s["data_addr"]),
            ram.wdata.eq(self.wdata.payload),
            self.rdata.payload.eq(ram.rdata),
        ]
        with m.If(due):
            m.d.sync += s["data_addr"].eq(s["data_addr"] + 1)
            with m.If(s["write"]):
                m.d.comb += [self.wdata.ready.eq(1), ram.we.eq(self.wdata.valid)]
                m.d.sync += cnt.write_beats.eq(cnt.write_beats + 1)
                with m.If(~self.wdata.valid):
                    m.d.sync += self.error.eq(1)
            with m.Else():
                m.d.comb += self.rdata.valid.eq(1)
                m.d.sync += cnt.read_beats.eq(cnt.read_beats + 1)
                with m.If(~self.rdata.ready):
                    m.d.sync += self.error.eq(1)
