"""One Hydra unit (seed 001, §III-B, Table I): N MACs with streaming buffers, AB/WB/OB, controller, pool unit."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, ResetSignal, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from golden.hydra.unit import (
    MODES,
    OP_READ,
    OP_SET_REG,
    OP_START,
    OP_WRITE_AB,
    OP_WRITE_WB,
    REG_WIDTH,
    REGISTERS,
    UNIT_COUNTERS,
    UnitGeometry,
)
from rtl.common.counters import counter_signature
from rtl.hydra.mac import Mac
from rtl.hydra.mac_seq import MacSeq

COORD = signed(REG_WIDTH + 2)
# Controller states as plain registers and If chains (Amaranth's FSM/Switch emit case
# statements without a default, which verilator -Wall reports as CASEINCOMPLETE).
FILL_STATES = ("DONE", "SETUP", "BOX", "SCAN", "DRAIN")
CTRL_STATES = ("IDLE", "WRITE", "CHECK1", "CHECK2", "RUN", "READ")  # window coordinates: -padding .. 2^16


def cmd_layout() -> data.StructLayout:
    return data.StructLayout({"op": 3, "addr": REG_WIDTH, "arg": REG_WIDTH})


def make_mac(config):
    """The MAC of ``[mac] variant``."""
    return (Mac if config.mac.variant == "pipelined" else MacSeq)(config.fixed, config.mac)


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
      ``m * P + p``) on ``rdata``, one accumulator per beat.

    The controller runs G = ceil(P / N) *groups* of N consecutive output positions
    (raster order) in G + 1 phases.  In phase i the *fill engine* prepares group
    i: it assigns the N positions to the N lanes (N cycles), then scans the
    bounding box of the group's windows row by row, reading each activation
    from AB once (padding positions read nothing) and broadcasting it to every
    lane whose window contains it, which stores it at its window slot in one
    bank of its streaming buffer (one more cycle).  Meanwhile the *compute
    engine* runs group i-1 from the other bank: for each output channel m and
    tap t it reads weight ``W[m, t]`` once from WB and gives every MAC the pair
    ⟨W, its window slot t⟩ (max-pool: the N comparators take the slot); each
    finished channel is one OB word — with the ``accumulate`` register set (conv/fc),
    the word plus the entries it replaces, so passes over several input channels
    sum in the OB.  A phase ends when both engines are done.

    Parameters
    ----------
    config : HydraConfig
        ``[system] n_macs``, ``[fixed]``, ``[mac]`` (variant, counter width), ``[unit]``.

    Members
    -------
    cmd : In(stream.Signature(StructLayout{op: 3, addr: 16, arg: 16}))
        Commands (op codes in ``golden.hydra.unit``).
    wdata : In(stream.Signature(bus_width))
        WRITE data beats.
    rdata : Out(stream.Signature(signed(acc_width)))
        READ data: one output-buffer entry (raw accumulator / pooled value) per beat.
    busy : Out(1)
        A command is executing.
    done : Out(1)
        One-cycle pulse at the end of a START (also after an error).
    error : Out(1)
        The last START or SET_REG was malformed (cleared by the next START).
    counters : Out(counter_signature(UNIT_COUNTERS, counter_width))
        cycles (START to done), macs (useful pairs), mac_busy_cycles (MAC 0 busy),
        ab/wb/ob reads and writes (word accesses; an accumulating job reads each OB word it
        writes; a READ reads one OB word per entry), write_cmds, read_cmds, bits_in,
        bits_out (``acc_width`` per READ beat), errors.

    Latency and throughput
    ----------------------
    Exactly ``golden.hydra.cycles.job_cycles``: 2 check cycles, then per phase
    ``max(fill, compute) + 1`` cycles with fill = N + rows·cols + 1 and compute
    = (m·K² − 1)·c + d (c = cycles per pair, d = pipeline drain); WRITE takes one
    cycle per beat plus one, READ one per entry plus one (without back-pressure).
    """

    def __init__(self, config):
        self.config = config
        self.geo = geo = UnitGeometry.from_config(config)
        fmt = config.fixed
        super().__init__({
            "cmd": In(stream.Signature(cmd_layout())),
            "wdata": In(stream.Signature(geo.bus_width)),
            "rdata": Out(stream.Signature(signed(fmt.acc_width))),
            "busy": Out(1),
            "done": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(UNIT_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, fmt = self.geo, self.config.fixed
        n = geo.n_macs
        vpw = geo.values_per_word
        lane_bits = exact_log2(vpw)
        cnt = self.counters

        # ---- buffers ------------------------------------------------------------
        m.submodules.ab = ab = Memory(shape=unsigned(geo.bus_width), depth=geo.ab_words, init=[])
        m.submodules.wb = wb = Memory(shape=unsigned(geo.bus_width), depth=geo.wb_words, init=[])
        m.submodules.ob = ob = Memory(shape=unsigned(n * fmt.acc_width), depth=geo.ob_words, init=[])
        ab_w, ab_r = ab.write_port(), ab.read_port()
        wb_w, wb_r = wb.write_port(), wb.read_port()
        ob_w, ob_r = ob.write_port(), ob.read_port()
        win_depth = 2 << geo.slot_bits
        windows = []
        for j in range(n):
            mem = Memory(shape=signed(fmt.width), depth=win_depth, init=[])
            m.submodules[f"window{j}"] = mem
            windows.append((mem.write_port(), mem.read_port()))
        macs = []
        for j in range(n):
            mac = make_mac(self.config)
            m.submodules[f"mac{j}"] = mac
            macs.append(mac)

        # ---- register stack --------------------------------------------------------
        regs = {name: Signal(REG_WIDTH, name=f"reg_{name}") for name in REGISTERS}
        k = regs["kernel"]
        is_pool = Signal()
        m.d.comb += is_pool.eq(regs["mode"] == MODES.index("maxpool"))

        # Derived at START (check cycles).
        positions = Signal(2 * REG_WIDTH)
        taps = Signal(8)
        in_size = Signal(2 * REG_WIDTH)
        groups = Signal(2 * REG_WIDTH)
        channels = Signal(REG_WIDTH)
        wb_need = Signal(REG_WIDTH + 8)
        ob_need = Signal(3 * REG_WIDTH)
        bad = Signal()

        # ---- command interface ------------------------------------------------------
        cmd = self.cmd.payload
        words_left = Signal(REG_WIDTH)
        waddr = Signal(REG_WIDTH)
        to_ab = Signal()
        m.d.comb += self.busy.eq(~self.cmd.ready)
        m.d.sync += self.done.eq(0)

        # ---- fill engine ---------------------------------------------------------------
        lane_by = [Signal(COORD, name=f"lane{j}_by") for j in range(n)]
        lane_bx = [Signal(COORD, name=f"lane{j}_bx") for j in range(n)]
        pos_by, pos_bx = Signal(COORD), Signal(COORD)
        pos_ox = Signal(REG_WIDTH)
        pos_left = Signal(2 * REG_WIDTH)           # positions not yet assigned to a lane
        setup_lane = Signal(range(n + 1))
        fill_valid = Signal(range(n + 1))          # valid lanes of the group being filled
        box_y_lo, box_y_hi = Signal(COORD), Signal(COORD)
        box_x_lo, box_x_hi = Signal(COORD), Signal(COORD)
        scan_y, scan_x = Signal(COORD), Signal(COORD)
        row_addr = Signal(signed(2 * REG_WIDTH + 4))
        fill_bank = Signal()
        fill_start, fill_done = Signal(), Signal()
        bc_valid, bc_inside = Signal(), Signal()
        bc_y, bc_x = Signal(COORD), Signal(COORD)
        bc_lane = Signal(max(1, lane_bits))
        pad_value = Mux(is_pool, fmt.min_value, 0)

        fill_state = Signal(range(len(FILL_STATES)))
        with m.If(fill_state == FILL_STATES.index("DONE")):
            m.d.comb += fill_done.eq(1)
            with m.If(fill_start):
                m.d.sync += [setup_lane.eq(0), fill_valid.eq(0)]
                m.d.sync += fill_state.eq(FILL_STATES.index("SETUP"))
        with m.If(fill_state == FILL_STATES.index("SETUP")):
            # Lane `setup_lane` takes the next output position (if any is left); the box
            # spans the bases of the lanes that took one (lane 0 always does).
            first = setup_lane == 0
            x_lo = Mux(first, pos_bx, box_x_lo)
            x_hi = Mux(first, pos_bx, box_x_hi)
            for j in range(n):
                with m.If(setup_lane == j):
                    m.d.sync += [lane_by[j].eq(pos_by), lane_bx[j].eq(pos_bx)]
            with m.If(first):
                m.d.sync += box_y_lo.eq(pos_by)
            with m.If(pos_left != 0):
                m.d.sync += [
                    fill_valid.eq(fill_valid + 1), pos_left.eq(pos_left - 1),
                    box_y_hi.eq(pos_by),
                    box_x_lo.eq(Mux(pos_bx < x_lo, pos_bx, x_lo)),
                    box_x_hi.eq(Mux(pos_bx > x_hi, pos_bx, x_hi)),
                ]
                with m.If(pos_ox == regs["out_w"] - 1):
                    m.d.sync += [pos_ox.eq(0), pos_bx.eq(-regs["pad_left"]),
                                 pos_by.eq(pos_by + regs["stride"])]
                with m.Else():
                    m.d.sync += [pos_ox.eq(pos_ox + 1), pos_bx.eq(pos_bx + regs["stride"])]
            m.d.sync += setup_lane.eq(setup_lane + 1)
            with m.If(setup_lane == n - 1):
                m.d.sync += fill_state.eq(FILL_STATES.index("BOX"))
        with m.If(fill_state == FILL_STATES.index("BOX")):  # the box spans the windows: K-1 beyond the last base
            m.d.sync += [scan_y.eq(box_y_lo), scan_x.eq(box_x_lo), row_addr.eq(box_y_lo * regs["in_w"]),
                         box_y_hi.eq(box_y_hi + k - 1), box_x_hi.eq(box_x_hi + k - 1)]
            m.d.sync += fill_state.eq(FILL_STATES.index("SCAN"))
        with m.If(fill_state == FILL_STATES.index("SCAN")):
            inside = ((scan_y >= 0) & (scan_y < regs["in_h"]) & (scan_x >= 0) & (scan_x < regs["in_w"]))
            addr = Signal(signed(2 * REG_WIDTH + 4))
            m.d.comb += [
                addr.eq(row_addr + scan_x),
                ab_r.addr.eq(addr[lane_bits:]),
                ab_r.en.eq(inside),
            ]
            m.d.sync += [bc_valid.eq(1), bc_inside.eq(inside), bc_y.eq(scan_y), bc_x.eq(scan_x),
                         bc_lane.eq(addr[:lane_bits] if lane_bits else 0)]
            with m.If(inside):
                m.d.sync += cnt.ab_reads.eq(cnt.ab_reads + 1)
            with m.If(scan_x == box_x_hi):
                m.d.sync += [scan_x.eq(box_x_lo), scan_y.eq(scan_y + 1), row_addr.eq(row_addr + regs["in_w"])]
                with m.If(scan_y == box_y_hi):
                    m.d.sync += fill_state.eq(FILL_STATES.index("DRAIN"))
            with m.Else():
                m.d.sync += scan_x.eq(scan_x + 1)
        with m.If(fill_state == FILL_STATES.index("DRAIN")):  # the last broadcast is written this cycle
            m.d.sync += bc_valid.eq(0)
            m.d.sync += fill_state.eq(FILL_STATES.index("DONE"))

        # Broadcast: every lane whose window holds (bc_y, bc_x) stores the value.
        bc_value = Signal(signed(fmt.width))
        picked = Signal(fmt.width)
        m.d.comb += picked.eq(ab_r.data.word_select(bc_lane, fmt.width))
        m.d.comb += bc_value.eq(Mux(bc_inside, picked, pad_value))
        for j in range(n):
            wport = windows[j][0]
            dy = Signal(COORD, name=f"lane{j}_dy")
            dx = Signal(COORD, name=f"lane{j}_dx")
            m.d.comb += [
                dy.eq(bc_y - lane_by[j]),
                dx.eq(bc_x - lane_bx[j]),
                wport.en.eq(bc_valid & (dy >= 0) & (dy < k) & (dx >= 0) & (dx < k)),
                wport.addr.eq(Cat((dy[:4] * k[:4] + dx[:4])[:geo.slot_bits], fill_bank)),
                wport.data.eq(bc_value),
            ]

        # ---- compute engine ---------------------------------------------------------------
        comp_start = Signal()
        comp_bank = Signal()
        comp_valid = Signal(range(n + 1))   # valid lanes of the group being computed
        comp_active = Signal()              # issuing or draining
        issue_left = Signal(REG_WIDTH + 8)  # pairs still to issue
        tap = Signal(8)
        wb_value_addr = Signal(REG_WIDTH + 8)
        d_valid, d_last = Signal(), Signal()
        d_lane = Signal(max(1, lane_bits))
        ob_addr = Signal(range(geo.ob_words + 1))
        ob_step = Signal(2 * REG_WIDTH)     # G: words between channels of one group
        phase = Signal(2 * REG_WIDTH)       # phase i fills group i and computes group i-1

        mac_ready = Signal()
        m.d.comb += mac_ready.eq(is_pool | macs[0].pairs.ready)
        advance = Signal()
        m.d.comb += advance.eq(~d_valid | mac_ready)
        issuing = comp_active & (issue_left != 0)
        m.d.comb += [
            wb_r.addr.eq(wb_value_addr[lane_bits:]),
            wb_r.en.eq(issuing & advance & ~is_pool),
        ]
        for j in range(n):
            m.d.comb += [windows[j][1].addr.eq(Cat(tap[:geo.slot_bits], comp_bank)),
                         windows[j][1].en.eq(issuing & advance)]
        with m.If(comp_start):
            m.d.sync += [comp_active.eq(1), issue_left.eq(channels * taps), tap.eq(0), wb_value_addr.eq(0)]
        with m.Elif(issuing & advance):
            m.d.sync += [issue_left.eq(issue_left - 1), wb_value_addr.eq(wb_value_addr + 1),
                         tap.eq(Mux(tap == taps - 1, 0, tap + 1))]
            with m.If(~is_pool):
                m.d.sync += cnt.wb_reads.eq(cnt.wb_reads + 1)
        with m.If(advance):
            m.d.sync += [d_valid.eq(issuing), d_last.eq(tap == taps - 1),
                         d_lane.eq(wb_value_addr[:lane_bits] if lane_bits else 0)]

        weight = wb_r.data.word_select(d_lane, fmt.width)
        for j, mac in enumerate(macs):
            m.d.comb += [
                mac.pairs.valid.eq(d_valid & ~is_pool),
                mac.pairs.payload.w.eq(weight),
                mac.pairs.payload.a.eq(windows[j][1].data),
                mac.pairs.payload.last.eq(d_last),
                mac.results.ready.eq(1),
                mac.bias.eq(regs["bias"]),
                mac.clear.eq(0),
            ]
        with m.If(d_valid & ~is_pool & macs[0].pairs.ready):
            m.d.sync += cnt.macs.eq(cnt.macs + comp_valid)

        # Pool unit: N comparators.
        pool_max = [Signal(signed(fmt.width), name=f"pool{j}_max") for j in range(n)]
        pool_out = Signal()
        first_tap = Signal()
        with m.If(comp_start):
            m.d.sync += first_tap.eq(1)
        with m.If(d_valid & is_pool):
            m.d.sync += first_tap.eq(d_last)
            for j in range(n):
                a = windows[j][1].data
                m.d.sync += pool_max[j].eq(Mux(first_tap | (a > pool_max[j]), a, pool_max[j]))
        m.d.sync += pool_out.eq(d_valid & is_pool & d_last)

        # Output buffer: one word per finished channel of the group.  With `accumulate` (conv/fc)
        # each lane adds the word's previous entry: the read port is kept one word ahead of the
        # write address (ob_next is its next value), so the old word is there when the result is.
        results_valid = macs[0].results.valid & ~is_pool
        write_ob = results_valid | pool_out
        accumulating = Signal()
        m.d.comb += accumulating.eq((regs["accumulate"] != 0) & ~is_pool)
        ob_next = Signal.like(ob_addr)
        m.d.comb += ob_next.eq(Mux(comp_start, phase, Mux(write_ob & comp_active, ob_addr + ob_step, ob_addr)))
        m.d.sync += ob_addr.eq(ob_next)
        old_word = ob_r.data
        mac_word = Cat(*[
            (mac.results.payload.acc + Mux(accumulating, old_word[j * fmt.acc_width:(j + 1) * fmt.acc_width], 0))
            [:fmt.acc_width]
            for j, mac in enumerate(macs)])
        pool_word = Cat(*[Cat(pm, pm[-1].replicate(fmt.acc_width - fmt.width)) for pm in pool_max])
        m.d.comb += [
            ob_w.en.eq(write_ob & comp_active),
            ob_w.addr.eq(ob_addr),
            ob_w.data.eq(Mux(is_pool, pool_word, mac_word)),
        ]
        with m.If(write_ob & comp_active):
            m.d.sync += cnt.ob_writes.eq(cnt.ob_writes + 1)
            with m.If(accumulating):
                m.d.sync += cnt.ob_reads.eq(cnt.ob_reads + 1)
        comp_done = Signal()
        m.d.comb += comp_done.eq(~comp_active)
        with m.If(comp_active & (issue_left == 0) & ~d_valid & ~macs[0].busy & ~pool_out & ~comp_start):
            m.d.sync += comp_active.eq(0)

        # ---- main controller ------------------------------------------------------------
        read_left = Signal(REG_WIDTH)
        read_p = Signal(2 * REG_WIDTH)
        read_word = Signal(range(geo.ob_words + 1))
        read_chan_base = Signal(range(geo.ob_words + 1))
        r_valid = Signal()
        r_lane = Signal(max(1, exact_log2(n)))
        m.d.comb += [
            self.rdata.valid.eq(r_valid),
            self.rdata.payload.eq(ob_r.data.word_select(r_lane, fmt.acc_width)),
        ]
        r_advance = ~r_valid | self.rdata.ready
        with m.If(r_valid & self.rdata.ready):
            m.d.sync += cnt.bits_out.eq(cnt.bits_out + fmt.acc_width)
        running = Signal()
        with m.If(running):
            m.d.sync += cnt.cycles.eq(cnt.cycles + 1)
        with m.If(macs[0].busy):
            m.d.sync += cnt.mac_busy_cycles.eq(cnt.mac_busy_cycles + 1)

        ctrl_state = Signal(range(len(CTRL_STATES)))
        with m.If(ctrl_state == CTRL_STATES.index("IDLE")):
            # ~rst: low in reset, and it gives Icarus an event after time 0 to evaluate this
            # block (its inputs are registers that keep their initial value until a command).
            m.d.comb += self.cmd.ready.eq(~ResetSignal())
            with m.If(self.cmd.valid):
                with m.If((cmd.op == OP_WRITE_AB) | (cmd.op == OP_WRITE_WB)):
                    m.d.sync += [words_left.eq(cmd.arg), waddr.eq(cmd.addr), to_ab.eq(cmd.op == OP_WRITE_AB),
                                 cnt.write_cmds.eq(cnt.write_cmds + 1)]
                    m.d.sync += ctrl_state.eq(CTRL_STATES.index("WRITE"))
                with m.Elif((cmd.op == OP_SET_REG) & (cmd.addr < len(REGISTERS))):
                    for i, name in enumerate(REGISTERS):
                        with m.If(cmd.addr == i):
                            m.d.sync += regs[name].eq(cmd.arg)
                with m.Elif(cmd.op == OP_START):
                    m.d.sync += [self.error.eq(0), running.eq(1)]
                    m.d.sync += ctrl_state.eq(CTRL_STATES.index("CHECK1"))
                with m.Elif(cmd.op == OP_READ):
                    m.d.sync += [read_left.eq(cmd.arg), read_p.eq(0), read_word.eq(0), read_chan_base.eq(0),
                                 cnt.read_cmds.eq(cnt.read_cmds + 1)]
                    m.d.sync += ctrl_state.eq(CTRL_STATES.index("READ"))
                with m.Else():  # unknown op or register index
                    m.d.sync += [self.error.eq(1), cnt.errors.eq(cnt.errors + 1)]
        with m.If(ctrl_state == CTRL_STATES.index("WRITE")):
            m.d.comb += [
                self.wdata.ready.eq(words_left != 0),
                ab_w.addr.eq(waddr), ab_w.data.eq(self.wdata.payload),
                ab_w.en.eq(self.wdata.valid & (words_left != 0) & to_ab),
                wb_w.addr.eq(waddr), wb_w.data.eq(self.wdata.payload),
                wb_w.en.eq(self.wdata.valid & (words_left != 0) & ~to_ab),
            ]
            with m.If(words_left == 0):
                m.d.sync += ctrl_state.eq(CTRL_STATES.index("IDLE"))
            with m.Elif(self.wdata.valid):
                m.d.sync += [words_left.eq(words_left - 1), waddr.eq(waddr + 1),
                             cnt.bits_in.eq(cnt.bits_in + geo.bus_width)]
                with m.If(to_ab):
                    m.d.sync += cnt.ab_writes.eq(cnt.ab_writes + 1)
                with m.Else():
                    m.d.sync += cnt.wb_writes.eq(cnt.wb_writes + 1)
        with m.If(ctrl_state == CTRL_STATES.index("CHECK1")):
            m.d.sync += [
                positions.eq(regs["out_h"] * regs["out_w"]),
                taps.eq(k * k),
                in_size.eq(regs["in_h"] * regs["in_w"]),
                channels.eq(Mux(is_pool, 1, regs["m_count"])),
            ]
            for mac in macs:
                m.d.comb += mac.bias_load.eq(1)
            m.d.sync += ctrl_state.eq(CTRL_STATES.index("CHECK2"))
        with m.If(ctrl_state == CTRL_STATES.index("CHECK2")):
            g = (positions + (n - 1)) >> exact_log2(n)
            m.d.comb += [
                wb_need.eq(channels * taps),
                ob_need.eq(channels * g),
                bad.eq((regs["mode"] >= len(MODES)) | (regs["stride"] == 0) | (k == 0)
                       | (regs["shift"] >= fmt.acc_width)
                       | (k > geo.max_kernel) | (positions == 0) | (in_size > geo.ab_values)
                       | (~is_pool & ((channels == 0) | (wb_need > geo.wb_values)))
                       | (ob_need > geo.ob_words)),
            ]
            m.d.sync += [groups.eq(g), ob_step.eq(g), phase.eq(0),
                         pos_by.eq(-regs["pad_top"]), pos_bx.eq(-regs["pad_left"]), pos_ox.eq(0),
                         pos_left.eq(positions), fill_bank.eq(0)]
            with m.If(bad):
                m.d.sync += [self.error.eq(1), cnt.errors.eq(cnt.errors + 1), self.done.eq(1), running.eq(0)]
                m.d.sync += ctrl_state.eq(CTRL_STATES.index("IDLE"))
            with m.Else():
                m.d.comb += fill_start.eq(1)
                m.d.sync += ctrl_state.eq(CTRL_STATES.index("RUN"))
        with m.If(ctrl_state == CTRL_STATES.index("RUN")):
            m.d.comb += ob_r.addr.eq(ob_next)
        with m.If(ctrl_state == CTRL_STATES.index("RUN")), m.If(fill_done & comp_done):
            with m.If(phase == groups):
                m.d.sync += [self.done.eq(1), running.eq(0)]
                m.d.sync += ctrl_state.eq(CTRL_STATES.index("IDLE"))
            with m.Else():
                # Next phase: compute the group just filled, fill the next one.
                m.d.sync += [phase.eq(phase + 1), comp_bank.eq(fill_bank), fill_bank.eq(~fill_bank),
                             comp_valid.eq(fill_valid)]
                m.d.comb += comp_start.eq(1)
                with m.If(phase + 1 != groups):
                    m.d.comb += fill_start.eq(1)
        with m.If(ctrl_state == CTRL_STATES.index("READ")):
            m.d.comb += [ob_r.addr.eq(read_chan_base + read_word), ob_r.en.eq(r_advance & (read_left != 0))]
            with m.If(r_advance):
                m.d.sync += [r_valid.eq(read_left != 0), r_lane.eq(read_p[:exact_log2(n)] if n > 1 else 0)]
                with m.If(read_left != 0):
                    m.d.sync += [read_left.eq(read_left - 1), cnt.ob_reads.eq(cnt.ob_reads + 1)]
                    with m.If(read_p == positions - 1):
                        m.d.sync += [read_p.eq(0), read_word.eq(0), read_chan_base.eq(read_chan_base + groups)]
                    with m.Else():
                        m.d.sync += read_p.eq(read_p + 1)
                        with m.If(read_p[:exact_log2(n)] == n - 1 if n > 1 else 1):
                            m.d.sync += read_word.eq(read_word + 1)
                with m.Elif(~r_valid | self.rdata.ready):
                    m.d.sync += ctrl_state.eq(CTRL_STATES.index("IDLE"))
        return m
