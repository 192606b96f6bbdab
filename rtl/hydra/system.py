"""Hydra system (seed 001 §III-C, Fig. 4): n_units units, one input channel each, and the RAU."""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Cat, Const, Module, Mux, ResetSignal, Signal, signed
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.hydra.jobs import READ_POOL
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.system import system_counter_names
from hymem.golden.hydra.unit import REG_WIDTH, REGISTERS
from hymem.rtl.common.counters import connect_counters, counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.rau import ResultAccumulationUnit
from hymem.rtl.hydra.unit import HydraUnit


class SystemState(enum.Enum):
    IDLE = 0
    WRITE = 1    # the addressed units take WRITE beats in lockstep
    BIAS = 2     # the RAU takes WRITE_BIAS beats
    RUN = 3      # the units run a START
    SUM = 4      # the RAU sums a conv/FC READ
    POOL = 5     # the units' pooled values pass through, one unit after the other
    DRAIN = 6    # wait for the units to be idle


def system_cmd_layout(n_units: int) -> data.StructLayout:
    return data.StructLayout({"op": HydraOp, "unit": max(1, ceil_log2(n_units)), "addr": REG_WIDTH,
                              "arg": REG_WIDTH})


class HydraSystem(wiring.Component):
    """The Hydra units of one DIMM rank plus the result-accumulation unit (RAU).

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
      sends the value on ``rdata``, else it stores the running sum.  ``READ_POOL``: units
      0 … a-1 are drained one after the other and their pooled values pass through.

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
            "counters": Out(counter_signature(system_counter_names(n_units),
                                              config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        units, geo = self.units, self.geo
        for i, unit in enumerate(units):
            m.submodules[f"unit{i}"] = unit
        m.submodules.rau = rau = ResultAccumulationUnit(self.config)
        cnt = self.counters
        with m.If(self.rdata.valid & self.rdata.ready):
            m.d.sync += cnt.outputs.eq(cnt.outputs + 1)
        connect_counters(m, cnt, rau, *[(f"u{i}_", u) for i, u in enumerate(units)],
                         own=("outputs",))
        m.d.comb += [self.error.eq(Cat(*[u.error for u in units]).any()),
                     self.busy.eq(~self.cmd.ready)]

        n = len(units)
        s = SimpleNamespace(  # what the steps below share (named for the waves)
            state=Signal(SystemState, name="state"), rau=rau,
            unit_cmd=Signal(units[0].cmd.payload.shape(), name="unit_cmd"),  # what units see
            unit_cmd_valid=Signal(n, name="unit_cmd_valid"),
            active=Signal(range(n + 1), name="active"),  # units taking part in a START / READ
            unit_mask=Signal(n, name="unit_mask"),       # units below `active`
            target=Signal.like(self.cmd.payload.unit, name="target"),  # a WRITE's last unit
            read_entries=Signal(REG_WIDTH, name="read_entries"),  # a READ's entries per unit
            pool_unit=Signal(range(n + 1), name="pool_unit"),  # the unit a pooled READ drains
            pool_issued=Signal(name="pool_issued"))       # ... has been sent its READ
        # Unit command fan-out: the system's command, re-addressed.
        for i, unit in enumerate(units):
            m.d.comb += [unit.cmd.payload.eq(s.unit_cmd),
                         unit.cmd.valid.eq(s.unit_cmd_valid[i]),
                         unit.wdata.payload.eq(self.wdata.payload.word_select(i, geo.bus_width))]
        m.d.comb += s.unit_mask.eq(Cat(*[i < s.active for i in range(len(units))]))

        # The RAU: bias beats from lane 0, the active units' partials.
        m.d.comb += [
            rau.bias_data.valid.eq(self.wdata.valid),
            rau.bias_data.payload.eq(self.wdata.payload[:geo.bus_width]),
            rau.partials_valid.eq(Cat(*[u.rdata.valid | ~s.unit_mask[i]
                                        for i, u in enumerate(units)]).all()),
            rau.rdata.ready.eq(self.rdata.ready),
        ]
        for i, unit in enumerate(units):
            m.d.comb += rau.partials[i].eq(Mux(s.unit_mask[i], unit.rdata.payload, 0))
        with m.If(rau.take):
            for i, unit in enumerate(units):
                m.d.comb += unit.rdata.ready.eq(s.unit_mask[i])

        self.dispatch(m, s)
        self.step(m, s)
        return m

    def units_up_to(self, last):
        """Mask of units 0 … ``last`` (unit 0 always: no constant comparison to lint)."""
        return Cat(Const(1), *[last >= i for i in range(1, len(self.units))])

    def all_idle(self):
        return Cat(*[u.cmd.ready for u in self.units]).all()

    def dispatch(self, m, s):
        """IDLE: take a command, forward it to the units it addresses or hand it to the RAU."""
        cmd, n_units = self.cmd.payload, len(self.units)
        out_h, out_w = Signal(REG_WIDTH), Signal(REG_WIDTH)   # snooped from SET_REG
        shift = Signal(REG_WIDTH, init=self.config.fixed.frac)  # Q-format shift (SET_REG)
        positions = Signal(2 * REG_WIDTH)   # P of the layer job, snooped from SET_REG out_h/out_w
        m.d.comb += [s.rau.shift.eq(shift), s.rau.positions.eq(positions)]
        with m.If(s.state == SystemState.IDLE):
            m.d.comb += self.cmd.ready.eq(self.all_idle() & ~ResetSignal())
            with m.If(self.cmd.valid & self.cmd.ready):
                m.d.comb += s.unit_cmd.eq(Cat(cmd.op, cmd.addr, cmd.arg))
                with m.If((cmd.op == HydraOp.WRITE_AB) | (cmd.op == HydraOp.WRITE_WB)):
                    m.d.comb += s.unit_cmd_valid.eq(self.units_up_to(cmd.unit))
                    m.d.sync += s.target.eq(cmd.unit)
                    goto(m, s.state, SystemState.WRITE)
                with m.Elif(cmd.op == HydraOp.SET_REG):
                    m.d.comb += s.unit_cmd_valid.eq((1 << n_units) - 1)
                    for name, snooped in (("out_h", out_h), ("out_w", out_w),
                                          ("shift", shift)):
                        with m.If(cmd.addr == REGISTERS.index(name)):
                            m.d.sync += snooped.eq(cmd.arg)
                with m.Elif(cmd.op == HydraOp.START):
                    m.d.sync += [s.active.eq(cmd.arg), positions.eq(out_h * out_w)]
                    m.d.comb += s.unit_cmd_valid.eq(Cat(*[i < cmd.arg for i in range(n_units)]))
                    goto(m, s.state, SystemState.RUN)
                with m.Elif(cmd.op == HydraOp.WRITE_BIAS):
                    m.d.comb += [s.rau.bias_start.eq(1), s.rau.bias_words.eq(cmd.arg)]
                    goto(m, s.state, SystemState.BIAS)
                with m.Elif(cmd.op == HydraOp.READ):
                    m.d.comb += [s.rau.sum_start.eq(1), s.rau.flags.eq(cmd.addr),
                                 s.rau.entries.eq(cmd.arg)]
                    m.d.sync += [s.read_entries.eq(cmd.arg), s.pool_unit.eq(0),
                                 s.pool_issued.eq(0), s.active.eq(cmd.unit + 1)]
                    with m.If((cmd.addr & READ_POOL) != 0):
                        goto(m, s.state, SystemState.POOL)
                    with m.Else():
                        m.d.comb += s.unit_cmd_valid.eq(self.units_up_to(cmd.unit))
                        goto(m, s.state, SystemState.SUM)
                with m.Else():  # unknown op: every unit sees it and raises its error flag
                    m.d.comb += s.unit_cmd_valid.eq((1 << n_units) - 1)

    def step(self, m, s):
        """The states after IDLE: lockstep WRITE, bias beats, RUN, SUM, POOL pass-through, DRAIN."""
        all_idle = self.all_idle()
        with m.If(s.state == SystemState.WRITE):
            # The addressed units take each beat together (in lockstep; the AND keeps them so).
            targeted = self.units_up_to(s.target)
            all_ready = Cat(*[u.wdata.ready | ~t for u, t in zip(self.units, targeted)]).all()
            m.d.comb += self.wdata.ready.eq(all_ready)
            for unit, t in zip(self.units, targeted):
                m.d.comb += unit.wdata.valid.eq(self.wdata.valid & all_ready & t)
            with m.If(all_idle):
                goto(m, s.state, SystemState.IDLE)
        with m.If((s.state == SystemState.RUN) & all_idle):
            goto(m, s.state, SystemState.IDLE)
        with m.If(s.state == SystemState.BIAS):
            m.d.comb += self.wdata.ready.eq(s.rau.bias_data.ready)
            with m.If(~s.rau.bias_data.ready):
                goto(m, s.state, SystemState.IDLE)
        m.d.comb += s.rau.in_sum.eq(s.state == SystemState.SUM)
        with m.If((s.state == SystemState.SUM) & s.rau.sum_idle):
            goto(m, s.state, SystemState.DRAIN)
        with m.If(s.state == SystemState.POOL):
            self.pass_pooled(m, s)
        with m.Else():
            m.d.comb += [self.rdata.valid.eq(s.rau.rdata.valid),
                         self.rdata.payload.eq(s.rau.rdata.payload)]
        with m.If((s.state == SystemState.DRAIN) & all_idle):
            goto(m, s.state, SystemState.IDLE)

    def pass_pooled(self, m, s):
        """POOL: each active unit in turn gets a READ; its pooled values pass through."""
        fmt = self.config.fixed
        with m.If(s.pool_unit == s.active):
            goto(m, s.state, SystemState.DRAIN)
        with m.Else():
            for i, unit in enumerate(self.units):
                with m.If(s.pool_unit == i):
                    with m.If(~s.pool_issued):
                        read = Cat(Const(HydraOp.READ, 3), Const(0, REG_WIDTH), s.read_entries)
                        m.d.comb += [s.unit_cmd.eq(read), s.unit_cmd_valid.eq(1 << i)]
                        m.d.sync += s.pool_issued.eq(1)
                    with m.Elif(unit.cmd.ready):  # this unit's READ is over
                        m.d.sync += [s.pool_issued.eq(0), s.pool_unit.eq(s.pool_unit + 1)]
                    m.d.comb += [self.rdata.valid.eq(unit.rdata.valid),
                                 self.rdata.payload.eq(unit.rdata.payload[:fmt.width]),
                                 unit.rdata.ready.eq(self.rdata.ready)]
