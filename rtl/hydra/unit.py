"""One Hydra unit (seed 001 §III-B, Table I): its sub-components joined."""

from __future__ import annotations

from amaranth.hdl import Module, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.unit import UNIT_COUNTERS, UnitGeometry
from hymem.rtl.common.counters import connect_counters, counter_signature
from hymem.rtl.hydra.compute_engine import ComputeEngine
from hymem.rtl.hydra.fill_engine import FillEngine
from hymem.rtl.hydra.input_buffers import InputBuffers
from hymem.rtl.hydra.output_buffer import OutputBuffer
from hymem.rtl.hydra.unit_controller import UnitController
from hymem.rtl.hydra.unit_signatures import cmd_layout, transfer_layout


class HydraUnit(wiring.Component):
    """A Hydra unit: computes one input channel's contribution to a layer tile.

    Golden twin: ``golden.hydra.unit`` (function) and ``golden.hydra.cycles``
    (cycles and counters).  Commands arrive on ``cmd`` and are executed one at
    a time (``cmd.ready`` is high only when the unit is idle):

    * ``WRITE_AB`` / ``WRITE_WB`` (addr = first word, arg = words): the next
      ``arg`` beats of ``wdata`` (``bus_width`` bits, value ``i`` of a word in
      bits ``[i*width, (i+1)*width)``) fill the activation / weight buffer;
    * ``SET_REG`` (addr = register index of ``golden.hydra.unit.REGISTERS``,
      arg = value): writes the register stack; an unknown index raises ``error``;
    * ``START``: checks the register stack (``golden.hydra.unit.job_error``: zero
      stride, kernel beyond the window buffers, tile beyond AB/WB/OB, unknown
      mode) — if malformed it raises ``error`` and returns to idle — then runs
      the job and pulses ``done``;
    * ``READ`` (arg = entries): drains output-buffer entries ``0 … arg-1`` (order
      ``m * P + p``) on ``rdata``, up to ``rau_entries`` accumulators of one channel per beat.

    With [system] overlap AB, WB and OB have two banks, START's ``addr`` names the banks
    of the job, READ's ``addr`` flag ``READ_BANK`` the OB bank it drains, and WRITE, READ and
    SET_REG are taken while a START runs (``docs/hydra.md``, "Overlapped schedule").

    The controller runs G = ceil(P / N) *groups* of N consecutive output positions
    (raster order) in G + 1 phases.  In phase i the *fill engine* prepares group
    i: it takes the N lanes' positions from its lane assigner (which assigned them one
    lane per cycle while group i-1 was filled and computed), then scans the bounding box
    of the group's windows row by row, ``[unit] scan_values`` (V) values per cycle, reading
    each activation from AB once (V value banks; padding positions read nothing) and
    broadcasting them to every lane whose window contains one, which stores it at its
    window slot in one bank of its streaming buffer (V slot-interleaved memories).  Meanwhile the *compute
    engine* runs group i-1 from the other bank: for each output channel m and
    tap t it reads weight ``W[m, t]`` once from WB and gives every MAC the pair
    ⟨W, its window slot t⟩ (max-pool: the N comparators take the slot); each
    finished channel is one OB word — with the ``accumulate`` register set (conv/fc),
    the word plus the entries it replaces, so passes over several input channels
    sum in the OB.  A phase ends when both engines are done.

    Sub-components (one file each, joined with ``wiring.connect``):
    :class:`~rtl.hydra.unit_controller.UnitController` (commands, register stack,
    START checks, phases), :class:`~rtl.hydra.input_buffers.InputBuffers` (AB, WB,
    WRITE), :class:`~rtl.hydra.fill_engine.FillEngine` (with its
    :class:`~rtl.hydra.lane_assigner.LaneAssigner`),
    :class:`~rtl.hydra.compute_engine.ComputeEngine` (N
    :class:`~rtl.hydra.lane.Lane` PEs: streaming buffer, MAC, pool comparator) and
    :class:`~rtl.hydra.output_buffer.OutputBuffer` (OB, READ); their interfaces are
    in ``rtl/hydra/unit_signatures.py``.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed]``, ``[mac]`` (variant, counter width), ``[unit]``.

    Members
    -------
    cmd : In(stream.Signature(StructLayout{op: HydraOp (3 bits), addr: 16, arg: 16}))
        Commands (``op``: :class:`golden.hydra.params.HydraOp`).
    wdata : In(stream.Signature(bus_width))
        WRITE data beats.
    rdata : Out(stream.Signature(transfer_layout(signed(acc_width), rau_entries)))
        READ data: up to R = ``[system] rau_entries`` output-buffer entries (raw accumulators /
        pooled values) of one channel per beat, ``values[0 … count-1]`` (:class:`OutputBuffer`).
    busy : Out(1)
        A command is executing.
    done : Out(1)
        One-cycle pulse at the end of a START (also after an error).
    error : Out(1)
        The last START or SET_REG was malformed (cleared by the next START).
    computing, loading, draining : Out(1)
        A START is checked or run / WRITE beats are outstanding / a READ is draining (the
        system's view of a unit with [system] overlap, where these run at the same time).
    counters : Out(counter_signature(UNIT_COUNTERS, counter_width))
        cycles (START to done), macs (useful pairs), mac_busy_cycles (MAC 0 busy),
        ab/wb/ob reads and writes (word accesses; an accumulating job reads each OB word it
        writes; a READ reads one OB word per entry), write_cmds, read_cmds, bits_in,
        bits_out (``acc_width`` per READ beat), errors.

    Latency and throughput
    ----------------------
    Exactly ``golden.hydra.cycles.job_cycles``: 2 check cycles, then per phase
    ``max(fill, compute) + 1`` cycles with fill = wait + rows·ceil(cols / V) + 2 (wait: for the lane
    assigner, ``golden.hydra.cycles.fill_phases``) and compute
    = (m·K² − 1)·c + d (c = cycles per pair, d = pipeline drain); WRITE takes one
    cycle per beat plus one, READ one per beat of up to R entries plus one (without back-pressure).
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        fmt = config.fixed
        super().__init__({
            "cmd": In(stream.Signature(cmd_layout())),
            "wdata": In(stream.Signature(geo.bus_width)),
            "rdata": Out(stream.Signature(transfer_layout(signed(fmt.acc_width), geo.rau_entries))),
            "busy": Out(1),
            "done": Out(1),
            "error": Out(1),
            "computing": Out(1), "loading": Out(1), "draining": Out(1),
            "counters": Out(counter_signature(UNIT_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.controller = ctrl = UnitController(self.config)
        m.submodules.input_buffers = inputs = InputBuffers(self.config)
        m.submodules.fill = fill = FillEngine(self.config)
        m.submodules.compute = compute = ComputeEngine(self.config)
        m.submodules.output_buffer = output = OutputBuffer(self.config)

        wiring.connect(m, wiring.flipped(self.cmd), ctrl.cmd)
        wiring.connect(m, wiring.flipped(self.wdata), inputs.wdata)
        wiring.connect(m, wiring.flipped(self.rdata), output.rdata)
        m.d.comb += [self.busy.eq(ctrl.busy), self.done.eq(ctrl.done), self.error.eq(ctrl.error),
                     self.computing.eq(ctrl.computing), self.loading.eq(~ctrl.write.idle),
                     self.draining.eq(~ctrl.drain.idle)]
        wiring.connect(m, ctrl.job, fill.job, compute.job, output.job)
        wiring.connect(m, ctrl.write, inputs.control)
        wiring.connect(m, ctrl.fill, fill.control)
        wiring.connect(m, ctrl.compute, compute.control)
        wiring.connect(m, ctrl.drain, output.drain)
        for inputs_bank, fill_bank in zip(inputs.ab_read, fill.ab_read, strict=True):  # AB value banks
            wiring.connect(m, inputs_bank, fill_bank)
        wiring.connect(m, inputs.wb_read, compute.wb_read)
        wiring.connect(m, fill.bcast, compute.bcast)
        m.d.comb += compute.lane_base.eq(fill.lane_base)
        wiring.connect(m, compute.ob, output.port)
        connect_counters(m, self.counters, ctrl, inputs, fill, compute, output)
        return m
