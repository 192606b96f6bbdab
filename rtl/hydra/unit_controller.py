"""A Hydra unit's controller: commands, register stack, START checks, phases (seed 001 §III-B)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, ResetSignal, Signal
from amaranth.lib import enum, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.hydra.jobs import READ_BANK, START_IN_BANK, START_OB_BANK
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.unit import MODES, REG_WIDTH, REGISTERS, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.unit_signatures import (
    cmd_layout,
    compute_control_signature,
    drain_control_signature,
    fill_control_signature,
    job_signature,
    registers_layout,
    write_control_signature,
)

CONTROLLER_COUNTERS = ("cycles", "errors")


class ControlState(enum.Enum):
    IDLE = 0
    WRITE = 1
    CHECK1 = 2   # derive P, K*K, channels from the register stack
    CHECK2 = 3   # check them against the buffers (``golden.hydra.unit.job_error``)
    RUN = 4
    READ = 5


class UnitController(wiring.Component):
    """Executes a unit's commands one at a time (``cmd.ready`` only when idle).

    WRITE hands the beats to the input buffers, SET_REG writes the register
    stack, READ hands the drain to the output buffer, and START checks the job
    (two cycles) and runs G = ceil(P / N) groups in G + 1 phases: phase i has the
    fill engine prepare group i in one bank while the compute engine runs group
    i - 1 from the other; a phase ends when both are done.  SET_REG writes a shadow register
    stack that START copies into ``job.regs``.  With [system] overlap, WRITE, READ and SET_REG
    are also taken while a START runs (WRITE when the input buffers are idle, READ when the
    output buffer's drain is): ``cmd.ready`` then depends on the offered command, and START
    carries the job's banks in ``addr`` (``golden.hydra.jobs.START_IN_BANK``/``START_OB_BANK``).

    Parameters
    ----------
    config : HydraConfig

    Members
    -------
    cmd : In(stream.Signature(cmd_layout()))
    busy, done, error : Out(1)
        As :class:`rtl.hydra.unit.HydraUnit`'s.
    job : Out(job_signature())
        The register stack, the sizes derived at START and the phase.
    write : Out(write_control_signature())
    fill : Out(fill_control_signature(n_macs))
    compute : Out(compute_control_signature(n_macs))
    drain : Out(drain_control_signature())
    computing : Out(1)
        A START is being checked or run.
    counters : Out(counter_signature(cycles, errors))
        ``cycles``: START to done; ``errors``: malformed commands and jobs.

    Latency and throughput
    ----------------------
    A command is taken the cycle it is valid in IDLE; START adds 2 check cycles and
    one cycle per phase boundary to the engines' time (``golden.hydra.cycles.job_cycles``).
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "cmd": In(stream.Signature(cmd_layout())),
            "busy": Out(1), "done": Out(1), "error": Out(1),
            "job": Out(job_signature()),
            "write": Out(write_control_signature()),
            "fill": Out(fill_control_signature(geo.n_macs)),
            "compute": Out(compute_control_signature(geo.n_macs)),
            "drain": Out(drain_control_signature()),
            "computing": Out(1),
            "counters": Out(counter_signature(CONTROLLER_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        job, cnt = self.job, self.counters
        running = Signal()
        state = Signal(ControlState)
        m.d.comb += [job.is_pool.eq(job.regs.mode == MODES.index("maxpool")),
                     self.computing.eq((state == ControlState.CHECK1)
                                       | (state == ControlState.CHECK2)
                                       | (state == ControlState.RUN))]
        m.d.sync += self.done.eq(0)
        with m.If(running):
            m.d.sync += cnt.cycles.eq(cnt.cycles + 1)
        shadow = Signal(registers_layout(), name="shadow_regs")   # SET_REG's; START copies it
        if self.geo.n_banks > 1:
            m.d.comb += [self.busy.eq(self.computing | ~self.write.idle | ~self.drain.idle),
                         self.drain.read.eq(1)]
            self.dispatch_overlapped(m, state, running, shadow)
        else:
            m.d.comb += self.busy.eq(~self.cmd.ready)
            self.dispatch(m, state, running, shadow)
        with m.If(state == ControlState.WRITE), m.If(self.write.idle):
            goto(m, state, ControlState.IDLE)
        self.check(m, state, running)
        self.run_phases(m, state, running)
        with m.If(state == ControlState.READ):
            if self.geo.n_banks == 1:
                m.d.comb += self.drain.read.eq(1)
            with m.If(self.drain.idle):
                goto(m, state, ControlState.IDLE)
        return m

    def dispatch(self, m, state, running, shadow):
        """IDLE: take a command (one at a time: the paper's serial schedule)."""
        cmd, cnt = self.cmd.payload, self.counters
        with m.If(state == ControlState.IDLE):
            # ~rst: low in reset, and it gives Icarus an event after time 0 to evaluate this
            # block (its inputs are registers that keep their initial value until a command).
            m.d.comb += self.cmd.ready.eq(~ResetSignal())
            with m.If(self.cmd.valid):
                with m.If((cmd.op == HydraOp.WRITE_AB) | (cmd.op == HydraOp.WRITE_WB)):
                    m.d.comb += [self.write.start.eq(1),
                                 self.write.to_ab.eq(cmd.op == HydraOp.WRITE_AB),
                                 self.write.addr.eq(cmd.addr), self.write.words.eq(cmd.arg)]
                    goto(m, state, ControlState.WRITE)
                with m.Elif((cmd.op == HydraOp.SET_REG) & (cmd.addr < len(REGISTERS))):
                    self.set_register(m, shadow)
                with m.Elif(cmd.op == HydraOp.START):
                    self.start_job(m, state, running, shadow)
                with m.Elif(cmd.op == HydraOp.READ):
                    m.d.comb += [self.drain.start.eq(1), self.drain.entries.eq(cmd.arg)]
                    goto(m, state, ControlState.READ)
                with m.Else():  # unknown op or register index
                    m.d.sync += [self.error.eq(1), cnt.errors.eq(cnt.errors + 1)]

    def set_register(self, m, shadow):
        cmd = self.cmd.payload
        for i, name in enumerate(REGISTERS):
            with m.If(cmd.addr == i):
                m.d.sync += getattr(shadow, name).eq(cmd.arg)

    def start_job(self, m, state, running, shadow):
        m.d.sync += [self.error.eq(0), running.eq(1), self.job.regs.eq(shadow)]
        if self.geo.n_banks > 1:
            addr = self.cmd.payload.addr
            m.d.sync += [self.job.in_bank.eq((addr & START_IN_BANK) != 0),
                         self.job.ob_bank.eq((addr & START_OB_BANK) != 0)]
        goto(m, state, ControlState.CHECK1)

    def dispatch_overlapped(self, m, state, running, shadow):
        """[system] overlap: START when no START is in progress; WRITE when the input buffers are
        idle and READ when the drain is, also while a START runs; SET_REG always."""
        cmd, cnt = self.cmd.payload, self.counters
        is_write = (cmd.op == HydraOp.WRITE_AB) | (cmd.op == HydraOp.WRITE_WB)
        free = Mux(is_write, self.write.idle,
                   Mux(cmd.op == HydraOp.READ, self.drain.idle,
                       Mux(cmd.op == HydraOp.START, state == ControlState.IDLE, 1)))
        m.d.comb += self.cmd.ready.eq(free & ~ResetSignal())
        with m.If(self.cmd.valid & self.cmd.ready):
            with m.If(is_write):
                m.d.comb += [self.write.start.eq(1),
                             self.write.to_ab.eq(cmd.op == HydraOp.WRITE_AB),
                             self.write.addr.eq(cmd.addr), self.write.words.eq(cmd.arg)]
            with m.Elif((cmd.op == HydraOp.SET_REG) & (cmd.addr < len(REGISTERS))):
                self.set_register(m, shadow)
            with m.Elif(cmd.op == HydraOp.START):
                self.start_job(m, state, running, shadow)
            with m.Elif(cmd.op == HydraOp.READ):
                m.d.comb += [self.drain.start.eq(1), self.drain.entries.eq(cmd.arg),
                             self.drain.bank.eq((cmd.addr & READ_BANK) != 0)]
            with m.Else():  # unknown op or register index
                m.d.sync += [self.error.eq(1), cnt.errors.eq(cnt.errors + 1)]

    def check(self, m, state, running):
        """CHECK1 derives the job's sizes, CHECK2 checks them (``golden.hydra.unit.job_error``)."""
        geo, fmt, job, regs = self.geo, self.config.fixed, self.job, self.job.regs
        n, k = geo.n_macs, regs.kernel
        in_size = Signal(2 * REG_WIDTH)
        with m.If(state == ControlState.CHECK1):
            m.d.sync += [
                job.positions.eq(regs.out_h * regs.out_w),
                job.taps.eq(k * k),
                in_size.eq(regs.in_h * regs.in_w),
                job.channels.eq(Mux(job.is_pool, 1, regs.m_count)),
            ]
            m.d.comb += self.compute.bias_load.eq(1)
            goto(m, state, ControlState.CHECK2)
        with m.If(state == ControlState.CHECK2):
            g = (job.positions + (n - 1)) >> exact_log2(n)
            wb_need = Signal(REG_WIDTH + 8)
            ob_need = Signal(3 * REG_WIDTH)
            bad = Signal()
            m.d.comb += [
                wb_need.eq(job.channels * job.taps),
                ob_need.eq(job.channels * g),
                bad.eq((regs.mode >= len(MODES)) | (regs.stride == 0) | (k == 0)
                       | (regs.shift >= fmt.acc_width)
                       | (k > geo.max_kernel) | (job.positions == 0) | (in_size > geo.ab_values)
                       | (~job.is_pool & ((job.channels == 0) | (wb_need > geo.wb_values)))
                       | (ob_need > geo.ob_words)),
                self.fill.init.eq(1),
            ]
            m.d.sync += [job.groups.eq(g), job.phase.eq(0), self.fill.bank.eq(0)]
            with m.If(bad):
                m.d.sync += [self.error.eq(1), self.counters.errors.eq(self.counters.errors + 1),
                             self.done.eq(1), running.eq(0)]
                goto(m, state, ControlState.IDLE)
            with m.Else():
                m.d.comb += self.fill.start.eq(1)
                goto(m, state, ControlState.RUN)

    def run_phases(self, m, state, running):
        """RUN: when both engines are done, end the job or start the next phase."""
        job, fill, compute = self.job, self.fill, self.compute
        with m.If(state == ControlState.RUN):
            m.d.comb += self.drain.run.eq(1)
            with m.If(fill.done & compute.done):
                with m.If(job.phase == job.groups):
                    m.d.sync += [self.done.eq(1), running.eq(0)]
                    goto(m, state, ControlState.IDLE)
                with m.Else():
                    # Next phase: compute the group just filled, fill the next one.
                    m.d.sync += [job.phase.eq(job.phase + 1), compute.bank.eq(fill.bank),
                                 fill.bank.eq(~fill.bank), compute.lanes.eq(fill.lanes)]
                    m.d.comb += compute.start.eq(1)
                    with m.If(job.phase + 1 != job.groups):
                        m.d.comb += fill.start.eq(1)
