"""The RRAM weight-buffer CNN accelerator tile engine (seed 002 §3, Fig. 1)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.rram.rtl_params import ErrorCode, LoadTarget, RtlParams
from hymem.rtl.rram.acc_buffer import ACC_BUFFER_COUNTERS, AccBuffer
from hymem.rtl.rram.bias_store import BiasStore
from hymem.rtl.rram.command_regs import CommandRegs, command_layout
from hymem.rtl.rram.drainer import Drainer, out_layout
from hymem.rtl.rram.io_buffer import IoBuffer
from hymem.rtl.rram.line_register import LineRegister
from hymem.rtl.rram.mac_array import MacArray, weight_layout
from hymem.rtl.rram.requantizer import Requantizer, bias_layout, q_layout
from hymem.rtl.rram.step_sequencer import StepSequencer
from hymem.rtl.rram.tile import clamp, derived
from hymem.rtl.rram.weight_buffer import WEIGHT_BUFFER_COUNTERS, WeightBuffer
from hymem.rtl.rram.weight_fetcher import WeightFetcher
from hymem.rtl.rram.window_select import WindowSelect

OWN_COUNTERS = ("cycles", "steps", "macs", "weight_waits", "half_waits", "out_stalls")
ACCELERATOR_COUNTERS = (
    OWN_COUNTERS
    + ("io_reads", "io_writes")
    + WEIGHT_BUFFER_COUNTERS
    + ACC_BUFFER_COUNTERS
    + ("commands", "bad_commands")
)

TARGET_IO, TARGET_WEIGHT, TARGET_BIAS = LoadTarget.IO, LoadTarget.WEIGHT, LoadTarget.BIAS


def load_layout(rtl: RtlParams, act_bits: int = 8, acc_bits: int = 32) -> data.StructLayout:
    """A word for the I/O buffer (``target`` IO: RAM ``ram``), the weight buffer (WEIGHT) or the
    bias store (BIAS) (:class:`LoadTarget`)."""
    return data.StructLayout(
        {
            "target": range(len(LoadTarget)),
            "ram": range(rtl.p),
            "addr": range(max(rtl.io_depth, rtl.weight_depth, rtl.bias_depth)),
            "data": max(
                rtl.m * act_bits, weight_layout(rtl.m, rtl.n, 8).size, bias_layout(rtl.n, acc_bits).size
            ),
        }
    )


def result_layout(rtl: RtlParams, acc_bits: int = 32) -> data.StructLayout:
    """An ``out`` entry: the drainer's {oc, row, col, data} (raw sums) and ``q``, the same sums
    requantised to int8 with the tile's bias, SHIFT and RELU."""
    fields = dict(out_layout(rtl, acc_bits).members)
    return data.StructLayout({**fields, "q": q_layout(rtl.p, rtl.n, 8)})


class RramAccelerator(wiring.Component):
    """MAC array, accumulation buffer, I/O-buffer window path, banked weight buffer, controller.

    The host loads the I/O buffer (p RAMs of m-activation words, Fig. 1c), the weight
    buffer (m x n-weight words) and the bias store (n biases per output-channel group)
    through ``load``, writes the tile registers and START through ``cmd``, and receives every
    pixel group's p x n results on ``out`` (the write port of the I/O buffer's output half;
    §3.1's buffers are double-buffered): the raw ``acc_bits`` sums (``data``) and, beside them,
    the int8 activations the I/O buffer stores (``q``: bias, round half up by SHIFT, saturate,
    ReLU if RELU; ``Requantizer``, combinational in the drain cycle, so no added latency).
    The loop nest is ``StepSequencer``'s; the weight words are prefetched
    (``WeightFetcher``) from the banked ``WeightBuffer`` whose latency and bank occupancy
    model the RRAM macro; the accumulation buffer's halves ping-pong (``AccBuffer``,
    ``Drainer``).

    Pipeline: a step issued in cycle t reads its window (t), multiplies (t + 1) and
    accumulates (t + 2); a batch whose last step issued in t drains from t + 3.

    Parameters
    ----------
    rtl : RtlParams
        The instance (``[rtl]`` of configs/rram.toml).
    act_bits, weight_bits, acc_bits : int
        ``[array]`` widths (8, 8, 32).

    Members
    -------
    cmd : In(stream.Signature(command_layout))
        Commands (``golden.rram.rtl_params.Opcode``); always ready.
    load : In(stream.Signature(load_layout))
        Buffer words {target (:class:`LoadTarget`), ram, addr, data}; always ready (a write per
        cycle).
    out : Out(stream.Signature(result_layout))
        Results {oc, row, col, data[p][n] (int32 sums), q[p][n] (int8)}; back-pressure stalls
        the drain, then the steps.
    busy : Out(1)
        A tile runs.
    error : Out(1), error_code : Out(range(len(ErrorCode)))
        Sticky malformed-command flag and its reason.
    counters.<name> : Out(counter_width)
        cycles (busy cycles), steps (the loop nest's ideal cycles), macs (useful: pe·n_eff·m_eff
        per step), weight_waits (a step waited for its weight tile), half_waits (a block waited
        for its half to drain), out_stalls (``out.valid`` without ``ready``), io_reads and
        io_writes (I/O-buffer words of m activations), weight_reads (weight tiles),
        weight_bank_waits, acc_reads and acc_writes (32-bit words), commands, bad_commands.
        They run freely (never cleared): a tile's counts are the differences.

    Latency and throughput
    ----------------------
    One step (p·n·m MACs) per cycle when neither weights nor drains hold it up.
    """

    def __init__(self, rtl: RtlParams, act_bits: int = 8, weight_bits: int = 8, acc_bits: int = 32):
        if act_bits != 8 or weight_bits != 8:
            raise ValueError(
                f"RramAccelerator: 8-bit operands only (act_bits={act_bits}, "
                f"weight_bits={weight_bits})"
            )
        self.rtl, self.acc_bits = rtl, acc_bits
        super().__init__(
            {
                "cmd": In(stream.Signature(command_layout(rtl))),
                "load": In(stream.Signature(load_layout(rtl, act_bits, acc_bits))),
                "out": Out(stream.Signature(result_layout(rtl, acc_bits))),
                "busy": Out(1),
                "error": Out(1),
                "error_code": Out(range(len(ErrorCode))),
                "counters": Out(
                    wiring.Signature({k: Out(rtl.counter_width) for k in ACCELERATOR_COUNTERS})
                ),
            }
        )

    def submodules(self, mod):
        rtl = self.rtl
        parts = {
            "regs": CommandRegs(rtl, self.acc_bits),
            "seq": StepSequencer(rtl),
            "fetch": WeightFetcher(rtl),
            "wbuf": WeightBuffer(
                rtl.m,
                rtl.n,
                rtl.weight_depth,
                rtl.weight_banks,
                rtl.weight_latency,
                rtl.weight_bank_busy,
                8,
                rtl.counter_width,
            ),
            "window": WindowSelect(rtl),
            "iobuf": IoBuffer(rtl.p, rtl.m, rtl.io_depth, 8, rtl.counter_width),
            "line": LineRegister(rtl.p, rtl.m),
            "macs": MacArray(rtl.p, rtl.n, rtl.m, 8, 8, self.acc_bits),
            "acc": AccBuffer(rtl.p, rtl.n, rtl.max_acc_depth, self.acc_bits, rtl.counter_width),
            "drain": Drainer(rtl, self.acc_bits),
            "bias": BiasStore(rtl.n, rtl.bias_depth, self.acc_bits),
            "requant": Requantizer(rtl.p, rtl.n, self.acc_bits, 8),
        }
        for name, part in parts.items():
            mod.submodules[name] = part
        return parts

    def elaborate(self, platform):
        mod = Module()
        s = self.submodules(mod)
        regs, seq, fetch, wbuf, iobuf, drain = (
            s["regs"],
            s["seq"],
            s["fetch"],
            s["wbuf"],
            s["iobuf"],
            s["drain"],
        )
        wiring.connect(mod, wiring.flipped(self.cmd), regs.cmd)
        wiring.connect(mod, fetch.req, wbuf.req)
        self.output_path(mod, s)
        start = regs.start
        mod.d.comb += [
            self.error.eq(regs.error),
            self.error_code.eq(regs.error_code),
            seq.tile.eq(regs.tile),
            fetch.tile.eq(regs.tile),
            seq.start.eq(start),
            fetch.start.eq(start),
            drain.start.eq(start),
            fetch.resp_valid.eq(wbuf.resp_valid),
            fetch.resp_data.eq(wbuf.resp_data),
            seq.weight_valid.eq(fetch.word.valid),
            fetch.word.ready.eq(seq.weight_take),
        ]
        self.load_port(mod, iobuf, wbuf, s["bias"])

        stage = self.issue_and_accumulate(mod, s)
        full = Signal(2)  # bit h: half h holds a batch not yet drained
        mod.d.sync += full.eq((full | (seq.batch_end << seq.batch.half)) & ~drain.freed)
        mod.d.comb += seq.half_free.eq(~full)

        empty = ~stage[0]["fire"] & ~stage[1]["fire"] & drain.idle & (full == 0)
        with mod.If(start):
            mod.d.sync += self.busy.eq(1)
        with mod.Elif(self.busy & seq.done & empty):
            mod.d.sync += self.busy.eq(0)
        mod.d.comb += regs.busy.eq(self.busy)
        self.count(mod, s)
        return mod

    def issue_and_accumulate(self, mod, s):
        """Cycle t: issue (window read, weight tile latched); t + 1: multiply; t + 2: accumulate
        and hand a finished block to the drain."""
        rtl, seq, window, iobuf, line = self.rtl, s["seq"], s["window"], s["iobuf"], s["line"]
        macs, acc, drain, regs = s["macs"], s["acc"], s["drain"], s["regs"]
        weight = Signal(weight_layout(rtl.m, rtl.n, 8))
        with mod.If(seq.weight_take):
            mod.d.sync += weight.eq(s["fetch"].word.payload)
        mod.d.comb += [window.tile.eq(regs.tile)] + [
            getattr(window, k).eq(getattr(seq, k)) for k in ("c", "oy", "gi", "ox", "ky", "kx")
        ]
        mod.d.comb += [
            iobuf.rd_lanes.eq(Mux(seq.fire, window.read, 0)),
            iobuf.rd_addr.eq(window.addr),
            iobuf.rd_rotate.eq(window.rotate),
        ]
        fields = ("fire", "acc_addr", "acc_first", "batch_end", "batch")
        stage = [{k: Signal.like(getattr(seq, k), name=f"{k}{n}") for k in fields} for n in (1, 2)]
        keep = Signal(rtl.p)
        mod.d.sync += keep.eq(window.keep & window.valid)
        for k in fields:
            mod.d.sync += [stage[0][k].eq(getattr(seq, k)), stage[1][k].eq(stage[0][k])]
        mod.d.comb += [
            line.fresh.eq(iobuf.window),
            line.keep.eq(keep),
            line.stride2.eq(regs.tile.stride == 2),
            line.step.eq(stage[0]["fire"]),
            macs.act.eq(line.act),
            macs.weight.eq(weight),
            macs.valid.eq(stage[0]["fire"]),
            acc.acc_en.eq(stage[1]["fire"]),
            acc.acc_addr.eq(stage[1]["acc_addr"]),
            acc.acc_first.eq(stage[1]["acc_first"]),
            acc.dot.eq(macs.dot),
            acc.counting.eq(derived(mod, regs.tile, rtl, "top_")["acc_buffer"]),
            drain.tile.eq(regs.tile),
            drain.done_batch_valid.eq(stage[1]["fire"] & stage[1]["batch_end"]),
            drain.done_batch.eq(stage[1]["batch"]),
            acc.drain_addr.eq(drain.drain_addr),
            acc.drain_en.eq(drain.drain_en),
            drain.drain_data.eq(acc.drain_data),
        ]
        return stage

    def output_path(self, mod, s):
        """The drainer's entry to ``out`` with its requantisation beside it (same cycle): the
        bias word of the entry's output-channel group, the tile's SHIFT and RELU."""
        src, dst, t = s["drain"].out, self.out, s["regs"].tile
        bias, requant = s["bias"], s["requant"]
        mod.d.comb += [
            dst.valid.eq(src.valid),
            src.ready.eq(dst.ready),
            bias.rd_addr.eq(t.bias_base + src.payload.oc),
            requant.acc.eq(src.payload.data),
            requant.bias.eq(bias.rd_data),
            requant.shift.eq(t.shift),
            requant.relu.eq(t.relu[0]),
            dst.payload.q.eq(requant.q),
        ]
        mod.d.comb += [getattr(dst.payload, k).eq(getattr(src.payload, k)) for k in ("oc", "row", "col", "data")]

    def useful_macs(self, mod, s):
        """pe · n_eff · m_eff of the step issuing now (padding taps included, as Layer.macs)."""
        rtl, seq, t = self.rtl, s["seq"], s["regs"].tile
        m_eff, n_eff = Signal(range(rtl.m + 1)), Signal(range(rtl.n + 1))
        mod.d.comb += [
            m_eff.eq(clamp(t.in_ch - seq.c * rtl.m, rtl.m)),
            n_eff.eq(clamp(t.out_ch - seq.o * rtl.n, rtl.n)),
        ]
        return s["window"].pixels * n_eff * m_eff

    def load_port(self, mod, iobuf, wbuf, bias):
        load, rtl = self.load, self.rtl
        mod.d.comb += [
            load.ready.eq(1),
            iobuf.wr_en.eq(load.valid & (load.payload.target == TARGET_IO)),
            iobuf.wr_ram.eq(load.payload.ram),
            iobuf.wr_addr.eq(load.payload.addr),
            iobuf.wr_data.eq(load.payload.data[: rtl.m * 8]),
            wbuf.wr_en.eq(load.valid & (load.payload.target == TARGET_WEIGHT)),
            wbuf.wr_addr.eq(load.payload.addr),
            wbuf.wr_data.eq(load.payload.data[: wbuf.word.size]),
            bias.wr_en.eq(load.valid & (load.payload.target == TARGET_BIAS)),
            bias.wr_addr.eq(load.payload.addr),
            bias.wr_data.eq(load.payload.data[: bias_layout(rtl.n, self.acc_bits).size]),
        ]

    def count(self, mod, s):
        c, seq = self.counters, s["seq"]
        events = {
            "cycles": self.busy,
            "steps": seq.fire,
            "weight_waits": seq.weight_wait,
            "half_waits": seq.half_wait,
            "out_stalls": self.out.valid & ~self.out.ready,
        }
        for name, event in events.items():
            with mod.If(event):
                mod.d.sync += getattr(c, name).eq(getattr(c, name) + 1)
        with mod.If(seq.fire):
            mod.d.sync += c.macs.eq(c.macs + self.useful_macs(mod, s))
        for part, names in (
            ("iobuf", ("io_reads",)),
            ("drain", ("io_writes",)),
            ("wbuf", WEIGHT_BUFFER_COUNTERS),
            ("acc", ACC_BUFFER_COUNTERS),
            ("regs", ("commands", "bad_commands")),
        ):
            for name in names:
                mod.d.comb += getattr(c, name).eq(getattr(s[part].counters, name))
