"""Hydra system (seed 001, §III-C, Fig. 4): N_UNITS units, one input channel each, and the result-accumulation unit."""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, ResetSignal, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2, exact_log2

from golden.hydra.system import (
    READ_FIRST,
    READ_LAST,
    READ_POOL,
    READ_RELU,
    SYS_OP_WRITE_BIAS,
    system_counter_names,
)
from golden.hydra.unit import (
    OP_READ,
    OP_SET_REG,
    OP_START,
    OP_WRITE_AB,
    OP_WRITE_WB,
    REG_WIDTH,
    REGISTERS,
)
from rtl.common.counters import counter_signature
from rtl.common.fixed import bias_to_acc, wrap_to
from rtl.hydra.unit import HydraUnit

STATES = ("IDLE", "WRITE", "BIAS", "RUN", "SUM", "POOL", "DRAIN")


def requantize_by(acc, shift, fmt):
    """Twin of ``golden.hydra.system.requantize_by``: round at bit ``shift`` (a register), shift, saturate/wrap."""
    acc = acc.as_signed()
    shift = shift[:6]  # < acc_width <= 62 (a larger shift is rejected at START)
    if fmt.rounding == "half_up":
        half = Mux(shift == 0, 0, (Const(1, fmt.acc_width + 1) << shift)[1:])
        acc = acc + half
    shifted = acc >> shift
    if fmt.overflow == "wrap":
        return wrap_to(shifted, fmt.width)
    lo, hi = Const(fmt.min_value, signed(fmt.width)), Const(fmt.max_value, signed(fmt.width))
    return Mux(shifted > hi, hi, Mux(shifted < lo, lo, shifted))[:fmt.width].as_signed()


def system_cmd_layout(n_units: int) -> data.StructLayout:
    return data.StructLayout({"op": 3, "unit": max(1, ceil_log2(n_units)), "addr": REG_WIDTH, "arg": REG_WIDTH})


class HydraSystem(wiring.Component):
    """The Hydra units of one DIMM rank plus the result-accumulation unit (RAU) with its linear function.

    Golden twin: ``golden.hydra.system``.  Commands on ``cmd`` (one at a time;
    ``cmd.ready`` is high when every unit and the RAU are idle):

    * ``WRITE_AB`` / ``WRITE_WB`` (unit = a − 1, addr, arg = words): forwarded to
      units ``0 … a-1``, which take the next ``arg`` beats in parallel, unit
      ``u`` from lane ``u`` of ``wdata`` (each unit sits on its own DRAM chip and
      is fed by that chip's internal bus, seed 001 §III-A);
    * ``SET_REG`` (addr, arg): broadcast to every unit's register stack;
    * ``START`` (arg = active units a): units ``0 … a-1`` run their job in parallel;
    * ``WRITE_BIAS`` (arg = words): the RAU's per-output-channel bias memory;
    * ``READ`` (unit = a − 1, arg = entries E per unit, addr = flags ``READ_*``):
      conv/FC — units ``0 … a-1`` drain their E entries in lockstep (a may exceed the
      last START's: units that accumulated earlier passes in their output buffers
      keep them until read); per entry the RAU adds the a partial sums (acc_width
      bits, wrapping) and, unless ``READ_FIRST``, the running sum of earlier
      passes from its accumulation memory; with ``READ_LAST`` it adds the
      channel's bias (aligned to the accumulator), applies ReLU if ``READ_RELU``
      and requantizes at the register stack's Q-format ``shift`` (snooped from
      SET_REG; round half-up, saturate: the one rounding step of a layer) and
      sends the value on ``rdata``, else it stores the running sum.  ``READ_POOL``: units 0 … a-1 are
      drained one after the other and their pooled values pass through.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_units``, and everything :class:`rtl.hydra.unit.HydraUnit` takes.

    Members
    -------
    cmd : In(stream.Signature(StructLayout{op: 3, unit: log2(n_units), addr: 16, arg: 16}))
    wdata : In(stream.Signature(n_units * bus_width))
        WRITE beats, lane ``u`` (bits ``[u*bus_width, (u+1)*bus_width)``) for unit ``u``;
        WRITE_BIAS beats in lane 0.
    rdata : Out(stream.Signature(signed(width)))
        Finished outputs (one FX16 value per beat).
    busy : Out(1)
    error : Out(1)
        Any unit's error flag.
    counters : Out(counter_signature(system_counter_names(n_units), counter_width))
        RAU: entries summed, outputs sent, accumulation-memory reads/writes, bias
        reads, bias-memory writes; and every unit's counters as ``u<i>_<name>``.

    Latency and throughput
    ----------------------
    Units as :class:`HydraUnit`; a WRITE moves one beat (a word for each
    addressed unit) per cycle; the RAU takes one entry per cycle (a two-stage
    pipeline; back-pressure on ``rdata`` stalls it).  Every command's cycle
    count, as a host that issues the next command after seeing ``busy`` low
    observes it, is ``golden.hydra.cycles.system_job_cycles``; the counters are
    ``golden.hydra.system.system_counts``.
    """

    def __init__(self, config):
        self.config = config
        self.units = [HydraUnit(config) for _ in range(config.system.n_units)]
        self.geo = geo = self.units[0].geo
        n_units = config.system.n_units
        super().__init__({
            "cmd": In(stream.Signature(system_cmd_layout(n_units))),
            "wdata": In(stream.Signature(n_units * geo.bus_width)),
            "rdata": Out(stream.Signature(signed(config.fixed.width))),
            "busy": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(system_counter_names(n_units), config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        fmt, geo, units = self.config.fixed, self.geo, self.units
        n_units = len(units)
        cnt = self.counters
        for i, unit in enumerate(units):
            m.submodules[f"unit{i}"] = unit
            for name in unit.counters.signature.members:
                m.d.comb += getattr(cnt, f"u{i}_{name}").eq(getattr(unit.counters, name))
        m.d.comb += self.error.eq(Cat(*[u.error for u in units]).any())

        entries = geo.ob_words * geo.n_macs
        m.submodules.acc_mem = acc_mem = Memory(shape=signed(fmt.acc_width), depth=entries, init=[])
        vpw = geo.values_per_word
        lane_bits = exact_log2(vpw)
        bias_words = max(1, -(-geo.wb_values // vpw))
        m.submodules.bias_mem = bias_mem = Memory(shape=unsigned(geo.bus_width), depth=bias_words, init=[])
        acc_r, acc_w = acc_mem.read_port(), acc_mem.write_port()
        bias_r, bias_w = bias_mem.read_port(), bias_mem.write_port()

        state = Signal(range(len(STATES)))

        def units_up_to(last):
            """Mask of units 0 … ``last`` (unit 0 always: no constant comparison to lint)."""
            return Cat(Const(1), *[last >= i for i in range(1, n_units)])

        def is_(name):
            return state == STATES.index(name)

        def goto(name):
            m.d.sync += state.eq(STATES.index(name))

        cmd = self.cmd.payload
        all_idle = Cat(*[u.cmd.ready for u in units]).all()
        target = Signal.like(cmd.unit)
        active = Signal(range(n_units + 1))
        flags = Signal(4)                 # READ_* bits of a READ's addr
        f_first, f_last, f_relu = flags[READ_FIRST.bit_length() - 1], flags[READ_LAST.bit_length() - 1], \
            flags[READ_RELU.bit_length() - 1]
        out_valid = Signal()               # RAU output register (rdata of a conv/FC READ)
        out_value = Signal(signed(fmt.width))
        left = Signal(REG_WIDTH)          # entries (or bias words) still to handle
        positions = Signal(2 * REG_WIDTH)  # P of the layer job, snooped from SET_REG out_h/out_w
        out_h, out_w = Signal(REG_WIDTH), Signal(REG_WIDTH)
        shift = Signal(REG_WIDTH, init=fmt.frac)  # Q-format shift, snooped from SET_REG
        entry, p, chan = Signal(REG_WIDTH), Signal(2 * REG_WIDTH), Signal(REG_WIDTH)
        pool_unit = Signal(range(n_units + 1))
        baddr = Signal(range(bias_words + 1))
        m.d.comb += self.busy.eq(~self.cmd.ready)

        # Unit command fan-out: the system's command, re-addressed.
        unit_cmd = Signal(units[0].cmd.payload.shape())
        unit_cmd_valid = Signal(n_units)
        for i, unit in enumerate(units):
            m.d.comb += [unit.cmd.payload.eq(unit_cmd), unit.cmd.valid.eq(unit_cmd_valid[i]),
                         unit.wdata.payload.eq(self.wdata.payload.word_select(i, geo.bus_width))]
        unit_mask = Signal(n_units)       # units below `active`
        m.d.comb += unit_mask.eq(Cat(*[i < active for i in range(n_units)]))

        with m.If(is_("IDLE")):
            m.d.comb += self.cmd.ready.eq(all_idle & ~ResetSignal())
            with m.If(self.cmd.valid & self.cmd.ready):
                m.d.comb += unit_cmd.eq(Cat(cmd.op, cmd.addr, cmd.arg))
                with m.If((cmd.op == OP_WRITE_AB) | (cmd.op == OP_WRITE_WB)):
                    m.d.comb += unit_cmd_valid.eq(units_up_to(cmd.unit))
                    m.d.sync += target.eq(cmd.unit)
                    goto("WRITE")
                with m.Elif(cmd.op == OP_SET_REG):
                    m.d.comb += unit_cmd_valid.eq((1 << n_units) - 1)
                    with m.If(cmd.addr == REGISTERS.index("out_h")):
                        m.d.sync += out_h.eq(cmd.arg)
                    with m.If(cmd.addr == REGISTERS.index("out_w")):
                        m.d.sync += out_w.eq(cmd.arg)
                    with m.If(cmd.addr == REGISTERS.index("shift")):
                        m.d.sync += shift.eq(cmd.arg)
                with m.Elif(cmd.op == OP_START):
                    m.d.sync += [active.eq(cmd.arg), positions.eq(out_h * out_w)]
                    m.d.comb += unit_cmd_valid.eq(Cat(*[i < cmd.arg for i in range(n_units)]))
                    goto("RUN")
                with m.Elif(cmd.op == SYS_OP_WRITE_BIAS):
                    m.d.sync += [left.eq(cmd.arg), baddr.eq(0)]
                    goto("BIAS")
                with m.Elif(cmd.op == OP_READ):
                    m.d.sync += [flags.eq(cmd.addr), left.eq(cmd.arg), entry.eq(0), p.eq(0), chan.eq(0),
                                 pool_unit.eq(0), active.eq(cmd.unit + 1)]
                    with m.If((cmd.addr & READ_POOL) != 0):
                        goto("POOL")
                    with m.Else():
                        m.d.comb += unit_cmd_valid.eq(units_up_to(cmd.unit))
                        goto("SUM")
                with m.Else():  # unknown op: every unit sees it and raises its error flag
                    m.d.comb += unit_cmd_valid.eq((1 << n_units) - 1)

        with m.If(is_("WRITE")):
            # The addressed units take each beat together (they are in lockstep; the AND keeps them so).
            targeted = units_up_to(target)
            all_ready = Cat(*[u.wdata.ready | ~t for u, t in zip(units, targeted)]).all()
            m.d.comb += self.wdata.ready.eq(all_ready)
            for unit, t in zip(units, targeted):
                m.d.comb += unit.wdata.valid.eq(self.wdata.valid & all_ready & t)
            with m.If(all_idle):
                goto("IDLE")
        with m.If(is_("RUN") & all_idle):
            goto("IDLE")

        with m.If(is_("BIAS")):
            m.d.comb += [self.wdata.ready.eq(left != 0), bias_w.addr.eq(baddr),
                         bias_w.data.eq(self.wdata.payload[:geo.bus_width]),
                         bias_w.en.eq(self.wdata.valid & (left != 0))]
            with m.If(left == 0):
                goto("IDLE")
            with m.Elif(self.wdata.valid):
                m.d.sync += [left.eq(left - 1), baddr.eq(baddr + 1), cnt.bias_writes.eq(cnt.bias_writes + 1)]

        # RAU, a two-stage pipeline taking one entry per cycle.  Stage 0 takes the active units'
        # partials of the next entry (when they are all valid and stage 1 is free) and reads the
        # running sum and the bias; stage 1 adds the running sum of earlier passes and either
        # stores the new running sum or, on the last pass, adds the bias, applies ReLU,
        # requantizes and hands the value to the output register (stalling while it is full).
        sum_terms = [Mux(unit_mask[i], u.rdata.payload, 0) for i, u in enumerate(units)]
        total = sum_terms[0]
        for term in sum_terms[1:]:
            total = wrap_to(total + term, fmt.acc_width)
        all_valid = Cat(*[u.rdata.valid | ~unit_mask[i] for i, u in enumerate(units)]).all()
        s1_valid = Signal()
        s1_partial = Signal(signed(fmt.acc_width))
        s1_entry = Signal.like(entry)
        bias_lane = Signal(max(1, lane_bits))
        running = Signal(signed(fmt.acc_width))
        finished = Signal(signed(fmt.acc_width))
        value = Signal(signed(fmt.width))
        bias_value = bias_r.data.word_select(bias_lane, fmt.width).as_signed()
        m.d.comb += [
            acc_r.addr.eq(entry), bias_r.addr.eq(chan[lane_bits:]),
            running.eq(wrap_to(s1_partial + Mux(f_first, 0, acc_r.data), fmt.acc_width)),
            finished.eq(wrap_to(running + bias_to_acc(bias_value, fmt), fmt.acc_width)),
        ]
        relu = Mux(f_relu & (finished < 0), 0, finished)
        m.d.comb += value.eq(requantize_by(relu.as_signed(), shift, fmt))

        out_free = ~out_valid | self.rdata.ready
        s1_advance = s1_valid & (~f_last | out_free)
        s0_take = is_("SUM") & (left != 0) & all_valid & (~s1_valid | s1_advance)
        # Read ports hold their data while disabled (their enable defaults to 1): a stalled stage 1 keeps its reads.
        m.d.comb += [acc_r.en.eq(s0_take), bias_r.en.eq(s0_take)]
        with m.If(out_valid & self.rdata.ready):
            m.d.sync += [out_valid.eq(0), cnt.outputs.eq(cnt.outputs + 1)]
        with m.If(s1_advance):
            m.d.sync += s1_valid.eq(0)
            with m.If(f_last):
                m.d.sync += [out_value.eq(value), out_valid.eq(1)]
            with m.Else():
                m.d.comb += [acc_w.addr.eq(s1_entry), acc_w.data.eq(running), acc_w.en.eq(1)]
                m.d.sync += cnt.acc_writes.eq(cnt.acc_writes + 1)
        with m.If(s0_take):
            for i, unit in enumerate(units):
                m.d.comb += unit.rdata.ready.eq(unit_mask[i])
            m.d.sync += [s1_valid.eq(1), s1_partial.eq(total), s1_entry.eq(entry),
                         bias_lane.eq(chan[:lane_bits] if lane_bits else 0),
                         cnt.sums.eq(cnt.sums + 1), entry.eq(entry + 1), left.eq(left - 1)]
            with m.If(~f_first):
                m.d.sync += cnt.acc_reads.eq(cnt.acc_reads + 1)
            with m.If(f_last):
                m.d.sync += cnt.bias_reads.eq(cnt.bias_reads + 1)
            with m.If(p == positions - 1):
                m.d.sync += [p.eq(0), chan.eq(chan + 1)]
            with m.Else():
                m.d.sync += p.eq(p + 1)
        with m.If(is_("SUM") & (left == 0) & ~s1_valid & ~out_valid):
            goto("DRAIN")

        # Pool: drain units one after the other; pooled values pass through.
        with m.If(is_("POOL")):
            with m.If(pool_unit == active):
                goto("DRAIN")
            with m.Else():
                for i, unit in enumerate(units):
                    with m.If(pool_unit == i):
                        with m.If(entry == 0):
                            m.d.comb += [unit_cmd.eq(Cat(Const(OP_READ, 3), Const(0, REG_WIDTH), left)),
                                         unit_cmd_valid.eq(1 << i)]
                            m.d.sync += entry.eq(1)
                        with m.Elif(unit.cmd.ready):  # this unit's READ is over
                            m.d.sync += [entry.eq(0), pool_unit.eq(pool_unit + 1)]
                        m.d.comb += [self.rdata.valid.eq(unit.rdata.valid),
                                     self.rdata.payload.eq(unit.rdata.payload[:fmt.width]),
                                     unit.rdata.ready.eq(self.rdata.ready)]
                        with m.If(unit.rdata.valid & self.rdata.ready):
                            m.d.sync += cnt.outputs.eq(cnt.outputs + 1)
        with m.Else():
            m.d.comb += [self.rdata.valid.eq(out_valid), self.rdata.payload.eq(out_value)]
        with m.If(is_("DRAIN") & all_idle):
            goto("IDLE")
        return m
