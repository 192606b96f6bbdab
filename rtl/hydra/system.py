"""Hydra system (seed 001 §III-C, Fig. 4): n_units units, one input channel each, and the RAU."""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Array, Cat, Const, Module, Mux, ResetSignal, Signal, signed
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.hydra.jobs import READ_BANK, READ_BIAS_BANK, READ_POOL, START_OB_BANK
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.system import system_counter_names
from hymem.golden.hydra.unit import REG_WIDTH, REGISTERS
from hymem.rtl.common.counters import connect_counters, counter_signature
from hymem.rtl.common.registered_reset import RegisteredReset
from hymem.rtl.common.separate_module import SeparateModule
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.rau import ResultAccumulationUnit
from hymem.rtl.hydra.unit import HydraUnit
from hymem.rtl.hydra.unit_signatures import transfer_layout


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

    Golden twin: ``golden.hydra.system``.  Commands on ``cmd`` (without [system] overlap one
    at a time, ``cmd.ready`` high when every unit and the RAU are idle; with overlap, the banks
    and the flow control of ``docs/hydra.md``, "Overlapped schedule": a START or a READ only
    hands its work to the units or to the read engine, and the next commands are taken while
    they run):

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
    unit_module : str, optional
        Place the units as instances of one Verilog module of this name
        (:class:`rtl.common.separate_module.SeparateModule`; its text is :attr:`extra_verilog`):
        the same logic, emitted and compiled once instead of ``n_units`` times (long-run
        simulation tops).  Default: the units are elaborated into the system.
    unit_reset_flop : bool
        With ``unit_module``: each unit takes its reset through a flip-flop of its own
        (:class:`rtl.common.registered_reset.RegisteredReset`, a local reset synchronizer) and
        leaves reset one cycle after the RAU, so a command in the first cycle after reset waits
        a cycle.  Verilator, which verilates the unit module as a hierarchical block for the
        long runs, then evaluates the unit's next-state logic once per cycle instead of again at
        every evaluation of the module's inputs (the simulation top, whose streamer starts later).
    unit_counter_readout : bool
        With ``unit_module``: each unit module sends its counters one per cycle
        (:class:`rtl.common.counter_readout.CounterReadout`) and the system keeps a copy, so
        ``counters``' ``u<i>_`` members show a unit's counts :attr:`counter_latency` cycles after
        they last changed (a unit's counters hold while it is idle).  Verilator copies every
        output of the hierarchical block at every evaluation; the counters were 448 of its 652
        output bits (the simulation top, which reads the counters after a layer).

    Members
    -------
    cmd : In(stream.Signature(StructLayout{op: 3, unit: log2(n_units), addr: 16, arg: 16}))
    wdata : In(stream.Signature(n_units * bus_width))
        WRITE beats, lane ``u`` (bits ``[u*bus_width, (u+1)*bus_width)``) for unit ``u``;
        WRITE_BIAS beats in lane 0.
    rdata : Out(stream.Signature(transfer_layout(signed(width), rau_entries)))
        Finished outputs: ``values[0 … count-1]`` per beat, up to R = ``[system] rau_entries``
        consecutive outputs of one channel (max-pool: of one unit's channel).
    busy : Out(1)
    reading : Out(1)
        With [system] overlap: the read engine drains a READ (low: the next READ may go as far as
        the read engine is concerned, and every value of the last READ is out); without, ``busy``.
    error : Out(1)
        Any unit's error flag.
    counters : Out(counter_signature(system_counter_names(n_units), counter_width))
        RAU: entries summed, outputs sent, accumulation-memory reads/writes, bias
        reads, bias-memory writes; and every unit's counters as ``u<i>_<name>``.

    Latency and throughput
    ----------------------
    Units as :class:`HydraUnit`; a WRITE moves one beat (a word for each
    addressed unit) per cycle; the RAU takes one transfer of up to R entries per cycle (a
    two-stage pipeline; back-pressure on ``rdata`` stalls it).  Every command's cycle
    count, as a host that issues the next command after seeing ``busy`` low
    observes it, is ``golden.hydra.cycles.system_job_cycles``; with overlap a layer's
    streamed commands take ``golden.hydra.cycles.overlapped_cycles``; the counters are
    ``golden.hydra.system.system_counts``.
    """

    def __init__(self, config, unit_module: str | None = None, unit_reset_flop: bool = False,
                 unit_counter_readout: bool = False):
        self.config = config
        for option, given in (("unit_reset_flop", unit_reset_flop), ("unit_counter_readout", unit_counter_readout)):
            if given and not unit_module:
                raise ValueError(f"{option} is for units placed as one module: give unit_module")
        if unit_module:
            template = RegisteredReset(HydraUnit(config)) if unit_reset_flop else HydraUnit(config)
            self.units = [SeparateModule(template, unit_module, unit_counter_readout)
                          for _ in range(config.system.n_units)]
        else:
            self.units = [HydraUnit(config) for _ in range(config.system.n_units)]
        self.geo = geo = self.units[0].geo
        n_units = config.system.n_units
        super().__init__({
            "cmd": In(stream.Signature(system_cmd_layout(n_units))),
            "wdata": In(stream.Signature(n_units * geo.bus_width)),
            "rdata": Out(stream.Signature(transfer_layout(signed(config.fixed.width), geo.rau_entries))),
            "busy": Out(1),
            "reading": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(system_counter_names(n_units),
                                              config.mac.counter_width)),
        })

    @property
    def counter_latency(self) -> int:
        """Cycles from a unit counter's last change until ``counters`` shows it."""
        unit = self.units[0]
        return unit.counter_latency if isinstance(unit, SeparateModule) else 0

    @property
    def extra_verilog(self) -> str:
        """The unit module's Verilog when the units are instances of one (``unit_module``), else ''."""
        unit = self.units[0]
        return unit.verilog() if isinstance(unit, SeparateModule) else ""

    def elaborate(self, platform):
        m = Module()
        units, geo = self.units, self.geo
        for i, unit in enumerate(units):
            m.submodules[f"unit{i}"] = unit
        m.submodules.rau = rau = ResultAccumulationUnit(self.config)
        cnt = self.counters
        with m.If(self.rdata.valid & self.rdata.ready):
            m.d.sync += cnt.outputs.eq(cnt.outputs + self.rdata.payload.count)
        connect_counters(m, cnt, rau, *[(f"u{i}_", u) for i, u in enumerate(units)],
                         own=("outputs",))
        m.d.comb += self.error.eq(Cat(*[u.error for u in units]).any())

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
            pool_issued=Signal(name="pool_issued"),       # ... has been sent its READ
            read_bank=Signal(name="read_bank"),           # the OB bank a READ drains (overlap)
            bias_bank=Signal(name="bias_bank"),           # the bias bank it uses (overlap)
            run_ob_bank=Signal(name="run_ob_bank"))       # the OB bank the last START writes
        # With overlap a READ runs (SUM / POOL / DRAIN) in a state machine of its own, so the next
        # commands are taken while it drains; without, in the one state machine.
        s.rstate = Signal(SystemState, name="read_state") if geo.n_banks > 1 else s.state
        if self.geo.n_banks > 1:
            m.d.comb += self.busy.eq((s.state != SystemState.IDLE)
                                     | (s.rstate != SystemState.IDLE) | self.any_unit("computing")
                                     | self.any_unit("loading") | self.any_unit("draining"))
            m.d.comb += self.reading.eq(s.rstate != SystemState.IDLE)
        else:
            m.d.comb += [self.busy.eq(~self.cmd.ready), self.reading.eq(self.busy)]
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
            rau.partials_count.eq(units[0].rdata.payload.count),  # the units drain in lockstep
        ]
        for i, unit in enumerate(units):
            for j in range(geo.rau_entries):
                m.d.comb += rau.partials[i][j].eq(Mux(s.unit_mask[i], unit.rdata.payload.values[j], 0))
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

    def any_unit(self, flag):
        """Any unit's ``computing`` / ``loading`` / ``draining`` output."""
        return Cat(*[getattr(u, flag) for u in self.units]).any()

    def transfer_done(self, flag):
        """A WRITE (``loading``) or READ (``draining``) is over in every unit: with [system] overlap
        the units may still compute; without, they are idle."""
        return ~self.any_unit(flag) if self.geo.n_banks > 1 else self.all_idle()

    def overlapped_ready(self, s):
        """[system] overlap, IDLE: START waits for the previous START in every unit and while a READ
        drains the OB bank it names; a READ waits for the previous READ and while a START writes
        the OB bank it names; everything else is taken while the units compute and a READ drains."""
        cmd, computing = self.cmd.payload, self.any_unit("computing")
        same_bank = ((cmd.addr & READ_BANK) != 0) == s.run_ob_bank
        reading = s.rstate != SystemState.IDLE
        read_bank = ((cmd.addr & START_OB_BANK) != 0) == s.read_bank
        return Mux(cmd.op == HydraOp.START, ~computing & ~(reading & read_bank),
                   Mux(cmd.op == HydraOp.READ, ~reading & ~(computing & same_bank), 1))

    def dispatch(self, m, s):
        """IDLE: take a command, forward it to the units it addresses or hand it to the RAU."""
        cmd, n_units = self.cmd.payload, len(self.units)
        out_h, out_w = Signal(REG_WIDTH), Signal(REG_WIDTH)   # snooped from SET_REG
        shift = Signal(REG_WIDTH, init=self.config.fixed.frac)  # Q-format shift (SET_REG)
        # P of the layer job (snooped from SET_REG out_h/out_w) and the shift, per OB bank: with
        # overlap a READ of one bank may follow the START of a job that writes the other.
        banks = self.geo.n_banks
        positions = Array(Signal(2 * REG_WIDTH, name=f"positions{b}") for b in range(banks))
        shifts = Array(Signal(REG_WIDTH, name=f"shift{b}") for b in range(banks))
        read_bank = s.read_bank if banks > 1 else 0
        m.d.comb += [s.rau.shift.eq(shifts[read_bank] if banks > 1 else shift),
                     s.rau.positions.eq(positions[read_bank]),
                     s.rau.bank.eq(s.bias_bank if banks > 1 else 0)]
        with m.If(s.state == SystemState.IDLE):
            ready = self.overlapped_ready(s) if banks > 1 else self.all_idle()
            m.d.comb += self.cmd.ready.eq(ready & ~ResetSignal())
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
                    ob_bank = (cmd.addr & START_OB_BANK) != 0 if banks > 1 else 0
                    m.d.sync += [positions[ob_bank].eq(out_h * out_w), shifts[ob_bank].eq(shift)]
                    if banks == 1:
                        m.d.sync += s.active.eq(cmd.arg)
                    m.d.comb += s.unit_cmd_valid.eq(Cat(*[i < cmd.arg for i in range(n_units)]))
                    if banks > 1:  # the units run; the system takes the next commands
                        m.d.sync += s.run_ob_bank.eq(ob_bank)
                    else:
                        goto(m, s.state, SystemState.RUN)
                with m.Elif(cmd.op == HydraOp.WRITE_BIAS):
                    m.d.comb += [s.rau.bias_start.eq(1), s.rau.bias_words.eq(cmd.arg),
                                 s.rau.bias_addr.eq(cmd.addr)]
                    goto(m, s.state, SystemState.BIAS)
                with m.Elif(cmd.op == HydraOp.READ):
                    m.d.comb += [s.rau.sum_start.eq(1), s.rau.flags.eq(cmd.addr),
                                 s.rau.entries.eq(cmd.arg)]
                    m.d.sync += [s.read_entries.eq(cmd.arg), s.pool_unit.eq(0),
                                 s.pool_issued.eq(0), s.active.eq(cmd.unit + 1),
                                 s.read_bank.eq((cmd.addr & READ_BANK) != 0),
                                 s.bias_bank.eq((cmd.addr & READ_BIAS_BANK) != 0)]
                    with m.If((cmd.addr & READ_POOL) != 0):
                        goto(m, s.rstate, SystemState.POOL)
                        if banks > 1:  # every unit takes its READ now and waits for its turn
                            m.d.comb += s.unit_cmd_valid.eq(self.units_up_to(cmd.unit))
                    with m.Else():
                        m.d.comb += s.unit_cmd_valid.eq(self.units_up_to(cmd.unit))
                        goto(m, s.rstate, SystemState.SUM)
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
            with m.If(self.transfer_done("loading")):
                goto(m, s.state, SystemState.IDLE)
        with m.If((s.state == SystemState.RUN) & all_idle):
            goto(m, s.state, SystemState.IDLE)
        with m.If(s.state == SystemState.BIAS):
            m.d.comb += self.wdata.ready.eq(s.rau.bias_data.ready)
            with m.If(~s.rau.bias_data.ready):
                goto(m, s.state, SystemState.IDLE)
        m.d.comb += s.rau.in_sum.eq(s.rstate == SystemState.SUM)
        with m.If((s.rstate == SystemState.SUM) & s.rau.sum_idle):
            goto(m, s.rstate, SystemState.DRAIN)
        with m.If(s.rstate == SystemState.POOL):
            if self.geo.n_banks > 1:
                self.pass_pooled_overlapped(m, s)
            else:
                self.pass_pooled(m, s)
        with m.Else():
            m.d.comb += [self.rdata.valid.eq(s.rau.rdata.valid),
                         self.rdata.payload.eq(s.rau.rdata.payload)]
        with m.If((s.rstate == SystemState.DRAIN) & self.transfer_done("draining")):
            goto(m, s.rstate, SystemState.IDLE)

    def pass_pooled_overlapped(self, m, s):
        """POOL with overlap: the active units took their READ together; each in turn passes its
        pooled values through (the others wait with their first value ready)."""
        with m.If(s.pool_unit == s.active):
            goto(m, s.rstate, SystemState.DRAIN)
        with m.Else():
            for i, unit in enumerate(self.units):
                with m.If(s.pool_unit == i):
                    with m.If(~unit.draining):  # this unit's values are out
                        m.d.sync += s.pool_unit.eq(s.pool_unit + 1)
                    self.pass_through(m, unit)

    def pass_through(self, m, unit):
        """A unit's pooled values (FX16 in its accumulator lanes) on ``rdata``, a beat at a time."""
        width = self.config.fixed.width
        m.d.comb += [self.rdata.valid.eq(unit.rdata.valid), unit.rdata.ready.eq(self.rdata.ready),
                     self.rdata.payload.count.eq(unit.rdata.payload.count)]
        for j in range(self.geo.rau_entries):
            m.d.comb += self.rdata.payload.values[j].eq(unit.rdata.payload.values[j][:width])

    def pass_pooled(self, m, s):
        """POOL: each active unit in turn gets a READ; its pooled values pass through."""
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
                    self.pass_through(m, unit)
