"""Golden model of the Hydra simulation top (``rtl/hydra/sim_top.py``): the host's command stream
and memory images of a layer, and the exact cycles and event counts of running them.

*Program* (:func:`layer_program`): the commands ``tb.hydra.system_driver.SystemHost`` would issue
for a layer (``golden.hydra.cycles.layer_jobs``: WRITE_AB, WRITE_WB, WRITE_BIAS, SET_REG × 13,
START, READ per job), each naming where its WRITE beats come from — a DRAM image of the
activation tiles, a PCM image of the weight chunks and biases (each distinct tile or chunk stored
once, every request aligned to a column burst) — and, for a READ that finishes outputs, the DRAM
address the outputs are written back to.  A beat is ``n_units`` bus words side by side (lane ``u``
feeds unit ``u``; the output write-back packs ``n_units·bus_width/width`` values per beat).

*Cost* (:func:`program_cost`): cycles from ``start`` to ``done`` and every counter of the DRAM and
PCM models and the streamer, exact.  The device models run on a data-rate strobe from a
fractional divider in the unit clock domain: ``num/den`` strobes per unit cycle
(``clock_hz · data_beats_per_clock / freq_hz``, 4/15 for 400 MHz DDR at 3 GHz); a strobe is a
"tick", half a memory clock with DDR, and Table I's timings (memory clocks) count
``data_beats_per_clock`` ticks each.  One command (PRE, ACT or a column command of ``tCCD`` ticks
= ``tCCD`` beats) per tick at the earliest tick the timings allow; the data of a column command
moves at ticks ``col + tCL`` (read) or ``col + tWL`` (write) onwards, one beat per tick.  With
[system] overlap and ``[sim_top] pcm_prefetch_beats`` the PCM reads start ahead of the system
(:class:`PcmPrefetch`: the simulation top's prefetcher and FIFO).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from hymem.golden.hydra.cycles import (
    OverlapClock,
    job_cycles,
    job_read_transfers,
    layer_jobs,
    overlap_read_cycles,
    register_jobs_memory_cost,
)
from hymem.golden.hydra.jobs import (
    READ_BANK,
    READ_BIAS_BANK,
    READ_LAST,
    bias_bank_words,
    bias_banks,
    bias_words,
    outputs_of,
    overlap_banks,
    rau_flags,
    start_addr,
)
from hymem.golden.hydra.memory import TIMINGS, DeviceTiming
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.unit import UnitGeometry
from hymem.golden.tech import load_tech

SRC_NONE, SRC_DRAM, SRC_PCM, SRC_END = 0, 1, 2, 3
DEVICE_COUNTERS = ("read_beats", "write_beats", "activates", "precharges", "columns")
STREAMER_COUNTERS = ("cycles", "commands")


def ceil_log2(n: int) -> int:
    return max(1, (n - 1).bit_length())


def request_address_bits(config) -> int:
    """Bits of a device address in a command entry and a device request (both devices alike)."""
    return ceil_log2(max(config.sim_top.dram_depth, config.sim_top.pcm_depth))


def command_fields(config) -> tuple[tuple[str, int], ...]:
    """The command memory's entry, LSB first (the RTL's StructLayout is built from this)."""
    mem_bits = request_address_bits(config)
    return (
        ("op", 3),
        ("unit", ceil_log2(config.system.n_units)),
        ("addr", 16),
        ("arg", 16),
        ("src", 2),
        ("mem_addr", mem_bits),
        ("out_beats", 16),
    )


def tick_ratio(config) -> Fraction:
    """Data-rate strobes per unit cycle (``num/den``); at most 1/2 so that every tick is followed
    by a cycle without one (the device models' state machines take one cycle per decision)."""
    ratio = (
        Fraction(config.memory.clock_hz)
        * config.sim_top.data_beats_per_clock
        / Fraction(config.system.freq_hz)
    )
    if ratio > Fraction(1, 2):
        raise ValueError(
            f"memory.clock_hz x sim_top.data_beats_per_clock / system.freq_hz = {ratio}: "
            "the device models need at most one data beat every second unit cycle"
        )
    return ratio


@dataclass(frozen=True)
class DeviceTicks(DeviceTiming):
    """Table I's timings of one device in ticks (memory clocks × data beats per clock), and the
    beats of one row."""

    beats_per_row: int

    @classmethod
    def of(cls, config, component: str) -> DeviceTicks:
        tech = load_tech(config.memory.tech)
        per = config.sim_top.data_beats_per_clock
        beat_bits = config.system.n_units * config.unit.bus_width
        rows = max(1, config.memory.row_bytes * 8 // beat_bits)
        timing = DeviceTiming.from_tech(tech, component, per)
        return cls(**{t: getattr(timing, t) for t in TIMINGS}, beats_per_row=rows)

    @property
    def burst(self) -> int:
        return self.tCCD

    @property
    def write_recovery(self) -> int:
        """Ticks from a write column command to the earliest precharge (write data + tWR)."""
        return self.tWL + self.tCCD + self.tWR


# ------------------------------------------------------------------------------------------
# The program of a layer
# ------------------------------------------------------------------------------------------


@dataclass
class Image:
    """A device image being built: beats as ``[n, values_per_beat]`` 16-bit values, each distinct
    block stored once, blocks aligned to ``align`` beats."""

    values_per_beat: int
    align: int
    blocks: list = field(default_factory=list)
    where: dict = field(default_factory=dict)
    size: int = 0

    sizes_only: bool = False  # a cost-only program: addresses, no contents

    def place(self, key, beats, n_beats: int | None = None) -> int:
        """Start of block ``key``: ``beats()`` (called only for a new block with contents)
        of ``n_beats`` beats, placed once."""
        if key in self.where:
            return self.where[key]
        start = self.size
        if not self.sizes_only:
            block = beats() if callable(beats) else beats
            n_beats = len(block)
            self.blocks.append(block)
        pad = -n_beats % self.align
        if pad and not self.sizes_only:
            self.blocks.append(np.zeros((pad, self.values_per_beat), dtype=np.int64))
        self.where[key] = start
        self.size += n_beats + pad
        return start

    def reserve(self, n_beats: int) -> int:
        return self.place(
            ("reserved", self.size), lambda: np.zeros((n_beats, self.values_per_beat), np.int64), n_beats
        )

    def array(self) -> np.ndarray:
        if not self.blocks:
            return np.zeros((0, self.values_per_beat), dtype=np.int64)
        return np.concatenate(self.blocks)


@dataclass
class LayerProgram:
    commands: list  # dicts of command_fields
    dram: np.ndarray  # [beats, values_per_beat] signed values
    pcm: np.ndarray
    reads: list  # (layer job, output address, value count) of the READs that write back
    out_from: int  # the first output beat in the DRAM image
    out_to: int  # one past the last


def lane_beats(lanes, values_per_word: int, n_units: int) -> np.ndarray:
    """Lane ``u``'s values (each padded to whole words, all to the same count) into beats
    ``[words, n_units * values_per_word]``: beat ``j`` holds word ``j`` of every lane."""
    n_words = max(-(-len(np.ravel(lane)) // values_per_word) for lane in lanes)
    out = np.zeros((n_words, n_units, values_per_word), dtype=np.int64)
    for u, lane in enumerate(lanes):
        flat = np.ravel(np.asarray(lane, dtype=np.int64))
        padded = np.zeros(n_words * values_per_word, dtype=np.int64)
        padded[: len(flat)] = flat
        out[:, u] = padded.reshape(n_words, values_per_word)
    return out.reshape(n_words, -1)


def layer_program(layer, x, w, b, relu: bool, config, jobs=None) -> LayerProgram:
    """Commands and DRAM/PCM images of ``layer`` on input ``x`` [C, H, W] (weights [M, C, K, K]
    or [M, C], bias [M]; None for max-pool), for ``layer_jobs``.  ``x`` None: a cost-only program
    (the same commands and addresses, empty images; :func:`layer_memory_cost`).  ``jobs``: the
    layer's jobs if not ``layer_jobs(layer, config)``.

    Serial protocol (``[system] overlap = false``): per job WRITE_AB, WRITE_WB, WRITE_BIAS,
    SET_REG x 13, START, READ; a READ that finishes outputs carries their write-back (after it).
    Overlapped protocol: the host order of docs/hydra.md ("Overlapped schedule") with the banks of
    ``golden.hydra.jobs``; the write-back of a READ's outputs is carried by the next READ (or the
    END), which waits for the read engine anyway: the streamer writes back before offering it."""
    geo, n_units = UnitGeometry.from_config(config), config.system.n_units
    vpw, ticks = geo.values_per_word, DeviceTicks.of(config, "dram")
    vpb = n_units * vpw
    sizes_only = x is None  # a cost-only program (program_cost needs no contents)
    if not sizes_only:
        x = np.asarray(x, dtype=np.int64).reshape(layer.in_ch, layer.in_h if layer.kind != "fc" else 1, -1)
        if layer.kind == "fc":
            w = np.asarray(w).reshape(layer.out_ch, layer.in_ch, 1, 1)
    dram = Image(vpb, ticks.burst, sizes_only=sizes_only)
    pcm = Image(vpb, DeviceTicks.of(config, "pcm").burst, sizes_only=sizes_only)
    jobs = layer_jobs(layer, config) if jobs is None else jobs
    overlap = geo.n_banks > 1
    banks = overlap_banks(jobs) if overlap else [(0, 0)] * len(jobs)
    biases = bias_banks(jobs) if overlap else [0] * len(jobs)
    parts = []
    for j, lj in enumerate(jobs):
        parts.append(_job_commands(lj, geo, config.mac.variant, (x, w, b, relu), (dram, pcm), banks[j], biases[j]))
    commands = _overlapped_order(parts) if overlap else _serial_order(parts)
    commands.append(_command(0, 0, 0, 0, SRC_END, 0))
    out_from, reads = dram.size, []
    for read in commands:  # outputs after every input tile
        if "_outputs" in read:
            lj, n_out = read["_outputs"]
            read["_out_at"] = dram.reserve(-(-n_out // vpb))
            reads.append((lj, read["_out_at"], n_out))
    _place_write_backs(commands, overlap, vpb)
    return LayerProgram(commands, dram.array(), pcm.array(), reads, out_from, dram.size)


def layer_memory_cost(layer, config) -> ProgramCost:
    """Cycles and device counters of ``layer`` on the simulation top, DRAM/PCM timing on the
    memory clock (:func:`program_cost` of a cost-only :func:`layer_program`)."""
    return program_cost(layer_program(layer, None, None, None, False, config), config)


def jobs_memory_cost(jobs, config) -> int:
    """Cycles of a layer's ``jobs`` on the simulation top with DRAM/PCM timing (cost only)."""
    return program_cost(layer_program(None, None, None, None, False, config, jobs), config).cycles


register_jobs_memory_cost("dram_pcm", jobs_memory_cost)


def _job_commands(lj, geo, variant, operands, images, banks, bias_bank) -> dict:
    """One job's commands (``writes``, ``bias``, ``regs``, ``start``, ``read``) with their
    banks; places its activation tile, weight chunk and biases in the device images."""
    (x, w, b, relu), (dram, pcm) = operands, images
    job, chans, vpw = lj.job, range(lj.c0, lj.c0 + lj.active_units), geo.values_per_word
    n_units, (in_bank, ob_bank) = dram.values_per_beat // vpw, banks
    tile = ("ab", lj.c0, lj.y0, job.in_h)
    ab = dram.where.get(tile)
    if ab is None:
        ab = dram.place(tile, lambda: lane_beats([x[c, lj.y0 : lj.y0 + job.in_h] for c in chans], vpw, n_units),
                        lj.ab_words)
    writes = [_command(HydraOp.WRITE_AB, lj.active_units - 1, in_bank * geo.ab_words, lj.ab_words,
                       SRC_DRAM, ab)]
    if not job.is_pool:
        key = ("wb", lj.m0, job.m_count, lj.c0)
        wb = pcm.where.get(key)
        if wb is None:
            wb = pcm.place(key, lambda: lane_beats([w[lj.m0 : lj.m0 + job.m_count, c] for c in chans], vpw,
                                                   n_units), lj.wb_words)
        writes.append(_command(HydraOp.WRITE_WB, lj.active_units - 1, in_bank * geo.wb_words, lj.wb_words,
                               SRC_PCM, wb))
    bias, words = [], bias_words(lj, vpw)
    if words:
        key = ("bias", lj.m0, job.m_count)
        at = pcm.where.get(key)
        if at is None:
            at = pcm.place(key, lambda: lane_beats([b[lj.m0 : lj.m0 + job.m_count]], vpw, n_units), words)
        bias.append(_command(HydraOp.WRITE_BIAS, 0, bias_bank * bias_bank_words(geo), words, SRC_PCM, at))
    regs = [_command(HydraOp.SET_REG, 0, i, v) for i, v in job.register_values()]
    start = _command(HydraOp.START, 0, start_addr(*banks) if geo.n_banks > 1 else 0, lj.active_units)
    start["_cycles"], start["_ob_bank"] = job_cycles(job, geo, variant)["cycles"], ob_bank
    read = None
    if lj.reads:
        flags = rau_flags(lj, relu)
        if geo.n_banks > 1:
            flags |= (READ_BANK if ob_bank else 0) | (READ_BIAS_BANK if bias_bank else 0)
        read = _command(HydraOp.READ, lj.read_units - 1, flags, job.channels * job.positions)
        read["_pool"], read["_last"] = job.is_pool, bool(lj.read_flags & READ_LAST)
        read["_read_cycles"], read["_ob_bank"] = overlap_read_cycles(lj, geo.rau_entries), ob_bank
        read["_transfers"] = job_read_transfers(job, geo.rau_entries)  # per unit
        n_out = outputs_of(lj)
        if n_out:
            read["_outputs"] = (lj, n_out)
    return {"writes": writes, "bias": bias, "regs": regs, "start": start, "read": read}


def _serial_order(parts) -> list:
    commands = []
    for p in parts:
        commands += p["writes"] + p["bias"] + p["regs"] + [p["start"]] + ([p["read"]] if p["read"] else [])
    return commands


def _overlapped_order(parts) -> list:
    """Prologue load(0); per job j: START(j), READ(j-1), WRITE_BIAS(j), load(j+1); READ(last)."""
    commands = parts[0]["writes"] + parts[0]["regs"]
    for j, p in enumerate(parts):
        commands.append(p["start"])
        if j and parts[j - 1]["read"]:
            commands.append(parts[j - 1]["read"])
        commands += p["bias"]
        if j + 1 < len(parts):
            commands += parts[j + 1]["writes"] + parts[j + 1]["regs"]
    if parts[-1]["read"]:
        commands.append(parts[-1]["read"])
    return commands


def _place_write_backs(commands, overlap: bool, values_per_beat: int) -> None:
    """``out_beats``/``mem_addr`` of each write-back: on the READ that finishes the outputs
    (serial: written back after it), or on the next READ or END (overlapped: before it)."""
    pending = None
    for cmd in commands:
        carrier = cmd if not overlap else (cmd if cmd["op"] == HydraOp.READ or cmd["src"] == SRC_END else None)
        if overlap and carrier is not None and pending is not None:
            carrier["out_beats"], carrier["mem_addr"] = pending
            pending = None
        if "_outputs" in cmd:
            beats = -(-cmd["_outputs"][1] // values_per_beat)
            if overlap:
                pending = (beats, cmd["_out_at"])
            else:
                cmd["out_beats"], cmd["mem_addr"] = beats, cmd["_out_at"]


def _command(op, unit, addr, arg, src=SRC_NONE, mem_addr=0) -> dict:
    return {"op": int(op), "unit": unit, "addr": addr, "arg": arg, "src": src, "mem_addr": mem_addr,
            "out_beats": 0}


def layer_outputs(program: LayerProgram, dram_values: np.ndarray, layer) -> np.ndarray:
    """``[M, oh, ow]`` from the DRAM image after the run (``[beats, values_per_beat]`` values)."""
    out = np.zeros((layer.out_ch, layer.out_h, layer.out_w), dtype=np.int64)
    flat = np.asarray(dram_values, dtype=np.int64)
    for lj, at, n_out in program.reads:
        values = flat[at:].reshape(-1)[:n_out]
        job, r1 = lj.job, lj.r0 + lj.job.out_h
        if lj.job.is_pool:
            out[lj.c0 : lj.c0 + lj.read_units, lj.r0 : r1] = values.reshape(
                lj.read_units, job.out_h, -1
            )
        else:
            out[lj.m0 : lj.m0 + job.m_count, lj.r0 : r1] = values.reshape(
                job.m_count, job.out_h, -1
            )
    return out


# ------------------------------------------------------------------------------------------
# Cost: cycles and counters of running a program
# ------------------------------------------------------------------------------------------
# The system top's costs as the streamer sees them (``rtl/hydra/system.py`` state machines; they
# are ``golden.hydra.cycles``' host costs less the cycle that host takes to see ``busy`` low,
# since the streamer holds the next command valid): from accepting a command to the first
# cycle ``cmd.ready`` is high again.
WRITE_CLOSE = 3  # after the cycle the last WRITE beat is taken: the units close, the system closes
BIAS_CLOSE = 2  # WRITE_BIAS: the RAU's bias memory, no unit to close
START_CLOSE = 2  # START: accept + the units' job cycles + the system closes
# READs: per transfer of up to [system] rau_entries entries (golden.hydra.cycles.job_read_transfers)
READ_CLOSE = 5  # conv/FC READ: accept, first fetch, the RAU pipeline empties, the system closes
READ_LAST_CLOSE = 6  # ... and on the last pass the output register drains
POOL_CLOSE = 3  # max-pool READ: units × (entries + 3) + accept, drain
DEVICE_CLOSE = 2  # from the last data tick's cycle to the device's first idle cycle
# With [system] overlap: after the cycle a WRITE's (or WRITE_BIAS's) last beat is taken, the
# dispatcher takes the next command in the cycle after the next (golden.hydra.cycles.
# overlap_write_cycles: words + 2 from accept).
OVERLAP_WRITE_CLOSE = 2


class DeviceModel:
    """Golden twin of ``rtl/hydra/memory_device.py``: one request at a time, open-row policy."""

    def __init__(self, ticks: DeviceTicks, ratio: Fraction):
        self.t, self.num, self.den = ticks, ratio.numerator, ratio.denominator
        self.open_row = None
        self.next_pre = self.next_act = self.next_rcd = self.next_col = 0
        self.counts = dict.fromkeys(DEVICE_COUNTERS, 0)

    def first_tick(self, cycle: int) -> int:
        """Index of the first tick at or after ``cycle`` (ticks counted from cycle 0)."""
        return cycle * self.num // self.den

    def tick_cycle(self, k: int) -> int:
        return -(-(k + 1) * self.den // self.num) - 1

    def request(self, write: bool, addr: int, n_beats: int, accepted: int) -> int:
        """Serve a request accepted at cycle ``accepted``; returns its last data beat's cycle.

        Bursts of ``tCCD`` beats start at beats 0, tCCD, 2·tCCD, … of the request, each in the row
        of its first beat; the bursts of one row go in one step (a column every tCCD ticks from
        the first, which waits for tRCD and the previous column)."""
        t, k = self.t, self.first_tick(accepted + 1)
        bursts = -(-n_beats // t.burst)
        recovery = t.write_recovery if write else t.tRTP
        i = 0
        while i < bursts:
            row = (addr + i * t.burst) // t.beats_per_row
            if self.open_row != row:
                if self.open_row is not None:
                    k = max(k, self.next_pre)
                    self.next_act, self.open_row = k + t.tRP, None
                    self.counts["precharges"] += 1
                    k += 1
                k = max(k, self.next_act)
                self.next_rcd, self.open_row = k + t.tRCD, row
                self.counts["activates"] += 1
                k += 1
            # the bursts of this request that start in this row: start beat < the next row's
            in_row = min(bursts, -(-((row + 1) * t.beats_per_row - addr) // t.burst)) - i
            first = max(k, self.next_rcd, self.next_col)
            col = first + (in_row - 1) * t.tCCD  # the row's last column command
            i += in_row
            burst = min(t.burst, n_beats - (i - 1) * t.burst)
            self.next_col = col + t.tCCD
            self.next_pre = max(self.next_pre, col + recovery)
            last = col + (t.tWL if write else t.tCL) + burst - 1
            self.counts["columns"] += in_row
            k = col + 1
        self.counts["write_beats" if write else "read_beats"] += n_beats
        return self.tick_cycle(last)


@dataclass(frozen=True)
class ProgramCost:
    cycles: int
    counters: dict  # dram_<name>, pcm_<name> (DEVICE_COUNTERS), streamer <STREAMER_COUNTERS>
    prefetched: tuple = ()  # PcmPrefetch.history: the PCM requests the prefetcher made (overlap)


def program_cost(program: LayerProgram, config) -> ProgramCost:
    """Cycles from ``start`` (cycle 0 = the streamer's first cycle) to ``done`` and the device and
    streamer counters of running ``program`` on the simulation top, exact."""
    ratio = tick_ratio(config)
    devices = {
        SRC_DRAM: DeviceModel(DeviceTicks.of(config, "dram"), ratio),
        SRC_PCM: DeviceModel(DeviceTicks.of(config, "pcm"), ratio),
    }
    prefetched = []
    if config.system.overlap:
        cycles, commands = _overlapped_cost(program, devices, config.sim_top.pcm_prefetch_beats, prefetched)
    else:
        cycles, commands = _serial_cost(program, devices)
    counters = {
        f"{name}_{key}": value
        for name, src in (("dram", SRC_DRAM), ("pcm", SRC_PCM))
        for key, value in devices[src].counts.items()
    }
    counters.update(cycles=cycles, commands=commands)
    return ProgramCost(cycles, counters, tuple(prefetched))


def _serial_cost(program: LayerProgram, devices: dict) -> tuple[int, int]:
    """The serial protocol: every command runs alone; a write-back follows its READ."""
    idle = {SRC_DRAM: 0, SRC_PCM: 0}
    present = ready = 0
    for commands, cmd in enumerate(program.commands):  # commands accepted before this one
        src, op = cmd["src"], cmd["op"]
        if src == SRC_END:
            return max(present, ready) + 1, commands
        accept = max(present, ready, idle.get(src, 0))
        if src != SRC_NONE:
            last = devices[src].request(False, cmd["mem_addr"], cmd["arg"], accept)
            idle[src] = last + DEVICE_CLOSE
            ready = last + (BIAS_CLOSE if op == HydraOp.WRITE_BIAS else WRITE_CLOSE)
        elif op == HydraOp.SET_REG:
            ready = accept + 1
        elif op == HydraOp.START:
            ready = accept + cmd["_cycles"] + START_CLOSE
        elif cmd["_pool"]:
            ready = accept + (cmd["unit"] + 1) * (cmd["_transfers"] + 3) + POOL_CLOSE
        else:
            ready = accept + cmd["_transfers"] + (READ_LAST_CLOSE if cmd["_last"] else READ_CLOSE)
        present = accept + 1
        if cmd["out_beats"]:  # wait for the system, flush the packer, write the outputs back
            seen = max(accept + 1, ready)
            last = devices[SRC_DRAM].request(True, cmd["mem_addr"], cmd["out_beats"], seen + 2)
            idle[SRC_DRAM] = last + DEVICE_CLOSE
            present = idle[SRC_DRAM] + 1
    raise ValueError("program has no END command")


def _overlapped_cost(program: LayerProgram, devices: dict, prefetch: int = 0, history=None) -> tuple[int, int]:
    """The overlapped protocol: the system's dispatcher, units and read engine as
    ``golden.hydra.cycles.OverlapClock`` follows them, fed by the streamer (one entry per cycle at
    most; a WRITE offered when its device is idle, its beats at the device's timing) and the
    write-backs the streamer does before the READ (or END) that carries them.  ``prefetch``
    (``[sim_top] pcm_prefetch_beats``) > 0: PCM WRITEs are read by the prefetcher
    (:class:`PcmPrefetch`) into a FIFO and offered once their read has started; ``history`` (a
    list) receives its requests."""
    idle = {SRC_DRAM: 0, SRC_PCM: 0}
    clock, present = OverlapClock(), 0
    pcm = PcmPrefetch(devices[SRC_PCM], prefetch, program.commands) if prefetch else None
    if pcm is not None and history is not None:
        pcm.history = history
    for commands, cmd in enumerate(program.commands):  # commands accepted before this one
        src, op = cmd["src"], cmd["op"]
        if cmd["out_beats"]:  # wait for the read engine, flush the packer, write the outputs back
            seen = max(present + 1, clock.read)
            accept = max(seen + 2, idle[SRC_DRAM])
            last = devices[SRC_DRAM].request(True, cmd["mem_addr"], cmd["out_beats"], accept)
            idle[SRC_DRAM] = last + DEVICE_CLOSE
            present = idle[SRC_DRAM] + 1
        if src == SRC_END:
            return max(present, clock.dispatch, clock.compute, clock.read) + 1, commands
        clock.dispatch = max(clock.dispatch, present)
        if src == SRC_PCM and pcm is not None:
            accept = max(clock.dispatch, pcm.issue(commands) + 1)
            clock.dispatch = pcm.take(accept, cmd["arg"]) + OVERLAP_WRITE_CLOSE
        elif src != SRC_NONE:
            accept = max(clock.dispatch, idle[src])
            last = devices[src].request(False, cmd["mem_addr"], cmd["arg"], accept)
            idle[src] = last + DEVICE_CLOSE
            clock.dispatch = last + OVERLAP_WRITE_CLOSE
        elif op == HydraOp.SET_REG:
            accept = clock.dispatch
            clock.dispatch += 1
        elif op == HydraOp.START:
            clock.start(cmd["_cycles"], cmd["_ob_bank"])
            accept = clock.dispatch - 1
        else:
            clock.read_job(cmd["_read_cycles"], cmd["_ob_bank"])
            accept = clock.dispatch - 1
        present = accept + 1
    raise ValueError("program has no END command")


# The PCM prefetch FIFO (amaranth.lib.fifo.SyncFIFOBuffered): a beat pushed in cycle c can be
# taken from cycle c + FIFO_LATENCY; the FIFO reads empty in the cycle after its last beat is taken.
FIFO_LATENCY = 2


class PcmPrefetch:
    """Golden twin of ``rtl/hydra/pcm_prefetcher.py`` and the PCM FIFO of the simulation top.

    The prefetcher walks the command memory one entry per cycle from cycle 0 (its own read port)
    and stops at each PCM entry until the PCM is idle and the FIFO empty, then asks the PCM for the
    entry's beats (its request accepted in that cycle) and moves on; it waits at the END.  The
    streamer offers a PCM entry from the cycle after its request; the system takes its beats from
    the FIFO, one per cycle from the cycle after it accepts the WRITE, each no earlier than
    FIFO_LATENCY cycles after the PCM delivered it."""

    def __init__(self, device: DeviceModel, depth: int, commands: list):
        self.device, self.depth, self.commands = device, depth, commands
        self.at = self.cycle = 0  # the prefetcher reaches entry `at` in `cycle`
        self.idle = self.empty = 0  # the PCM is idle / the FIFO empty from these cycles on
        self.issued = 0  # the cycle the last PCM request was accepted
        self.last = {}  # entry -> cycle its last beat enters the FIFO
        self.history = []  # (entry, request accepted, last beat in the FIFO, WRITE accepted, last beat taken)

    def issue(self, entry: int) -> int:
        """The cycle the PCM entry ``entry``'s request is accepted (entries before it walked)."""
        while self.at <= entry:
            cmd = self.commands[self.at]
            if cmd["src"] == SRC_PCM:
                if cmd["arg"] > self.depth:
                    raise ValueError(f"a PCM request of {cmd['arg']} beats exceeds the prefetch FIFO: "
                                     f"sim_top.pcm_prefetch_beats = {self.depth}")
                self.cycle = max(self.cycle, self.idle, self.empty)
                self.last[self.at] = last = self.device.request(False, cmd["mem_addr"], cmd["arg"], self.cycle)
                self.idle = last + DEVICE_CLOSE
                self.issued = self.cycle
            self.at, self.cycle = self.at + 1, self.cycle + 1
        return self.issued

    def take(self, accept: int, n_beats: int) -> int:
        """The cycle the system takes the last beat of the entry just issued, accepted at ``accept``:
        the beats arrive at least one tick (two cycles) apart, so once the system waits for a beat it
        takes each as it comes: max(last beat's arrival, accept + n_beats)."""
        entry = self.at - 1
        last = self.last.pop(entry)
        taken = max(last + FIFO_LATENCY, accept + n_beats)
        self.empty = taken + 1
        self.history.append((entry, self.issued, last, accept, taken))
        return taken


def pack_commands(program: LayerProgram, config) -> list[int]:
    """The command memory's words (:func:`command_fields`, LSB first)."""
    fields = command_fields(config)
    words = []
    for cmd in program.commands:
        word, shift = 0, 0
        for name, width in fields:
            value = int(cmd[name])
            if not 0 <= value < 1 << width:
                raise ValueError(f"command field {name}={value} does not fit {width} bits")
            word |= value << shift
            shift += width
        words.append(word)
    return words
