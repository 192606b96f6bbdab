"""Host side of the Hydra system (``rtl/hydra/system.py``): runs a zoo layer through it, job by job.

The memory controller's view: activations come from the DRAM device and
weights and biases from the PCM device (bus-functional models of
``tb.common.dram_pcm`` with Table I timings, run on the simulation's cycle count
— one device cycle per system cycle, a simplification: the first beat of a WRITE
waits for the access latency, the others for row openings and column spacing),
outputs go back to DRAM.  The layer's jobs are
``golden.hydra.cycles.layer_jobs`` — the same schedule the cycle model costs.
With ``ideal_memory`` the devices still count and check every access but
every beat is sent without a gap: the run then takes exactly
``golden.hydra.cycles.layer_cycles`` cycles.  ``read_ready`` is the outputs'
back-pressure pattern (``tb.common.stream.ready_pattern``; default always ready).
"""

from __future__ import annotations

from dataclasses import replace

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from hymem.golden.hydra.cycles import layer_jobs
from hymem.golden.hydra.jobs import (
    READ_BANK,
    READ_BIAS_BANK,
    bias_bank_words,
    bias_banks,
    bias_words,
    outputs_of,
    overlap_banks,
    rau_flags,
    start_addr,
)
from hymem.golden.hydra.params import HydraOp
from hymem.golden.tech import load_tech
from hymem.tb.common.clock import cycle_now
from hymem.tb.common.dram_pcm import DeviceTiming, MemoryDevice, beat_gaps
from hymem.tb.common.hdl import handle, members, pack
from hymem.tb.common.stream import StreamDriver, StreamMonitor
from hymem.tb.hydra.unit_driver import pack_beats, transfer_values


class SystemHost:
    def __init__(self, dut, component, tech_name: str = "hydra_dram_pcm", ideal_memory: bool = False,
                 read_ready=None):
        self.dut, self.component = dut, component
        self.config, self.geo = component.config, component.geo
        self.cmd = StreamDriver(dut, component, "cmd")
        self.wdata = StreamDriver(dut, component, "wdata")
        self.rdata = StreamMonitor(dut, component, "rdata", ready=read_ready,
                                   expand=transfer_values(members(component)[("rdata", "payload")].shape,
                                                          self.geo.width))
        self.cmd_shape = members(component)[("cmd", "payload")].shape
        self.busy = handle(dut, component, "busy")
        tech = load_tech(tech_name)
        self.tech = tech
        # One beat of a rank: a bus word from each of the n_units chips (every unit has its own chip).
        rank_bits = self.config.system.n_units * self.geo.bus_width
        self.dram = MemoryDevice("DRAM", DeviceTiming.from_tech(tech, "dram"), beat_bits=rank_bits)
        self.pcm = MemoryDevice("PCM", DeviceTiming.from_tech(tech, "pcm"), beat_bits=rank_bits)
        self.ideal_memory = ideal_memory

    def start(self):
        """Nothing runs per cycle until a READ: the monitor is started and stopped around each READ
        that sends values."""

    def _cmd(self, op, unit=0, addr=0, arg=0):
        return pack(self.cmd_shape, {"op": op, "unit": unit, "addr": addr, "arg": arg})

    async def wait_idle(self):
        await ReadOnly()
        if int(self.busy.value):
            await FallingEdge(self.busy)
        await RisingEdge(self.dut.clk)

    async def write(self, op, values_per_lane, device: MemoryDevice, address: int):
        """WRITE ``values_per_lane[u]`` to units ``0 … a-1`` at once (lane ``u`` of every beat; equal
        word counts), or WRITE_BIAS one list (lane 0); beats at the device's read timing."""
        geo = self.geo
        words = pack_beats(values_per_lane, geo.width, geo.values_per_word)
        n_words = len(words)
        now = cycle_now()
        cycles = device.read(address, n_words, now, bits=len(values_per_lane) * n_words * geo.bus_width)
        beats = cocotb.start_soon(self.wdata.send(words, None if self.ideal_memory else beat_gaps(cycles, now)))
        await self.cmd.send([self._cmd(op, len(values_per_lane) - 1, 0, n_words)])
        await beats
        await self.wait_idle()

    async def run_layer(self, layer, x, w=None, b=None, relu=False, shift=None) -> np.ndarray:
        """Run ``layer`` on input ``x`` [C, H, W] (weights [M, C, K, K] or [M, C], bias [M]); returns [M, oh, ow].

        ``shift``: the Q-format shift of the output (default: the format's ``frac``).  With
        [system] overlap the commands are streamed (:meth:`run_layer_overlapped`)."""
        if self.geo.n_banks > 1:
            return await self.run_layer_overlapped(layer, x, w, b, relu, shift)
        geo, width = self.geo, self.geo.width
        pool = layer.kind == "maxpool"
        in_ch = layer.in_ch
        x = np.asarray(x, dtype=np.int64).reshape(in_ch, layer.in_h if layer.kind != "fc" else 1, -1)
        if layer.kind == "fc":
            w = np.asarray(w).reshape(layer.out_ch, in_ch, 1, 1)
        out = np.zeros((layer.out_ch, layer.out_h, layer.out_w), dtype=np.int64)
        for lj in layer_jobs(layer, self.config):
            job = lj.job if shift is None else replace(lj.job, shift=shift)
            channels = range(lj.c0, lj.c0 + lj.active_units)
            row_bytes = x.shape[2] * width // 8
            await self.write(HydraOp.WRITE_AB, [x[c, lj.y0:lj.y0 + job.in_h, :] for c in channels], self.dram,
                             (lj.c0 * x.shape[1] + lj.y0) * row_bytes)
            if not pool:
                await self.write(HydraOp.WRITE_WB, [w[lj.m0:lj.m0 + job.m_count, c] for c in channels], self.pcm,
                                 (lj.m0 * in_ch + lj.c0) * job.taps * width // 8)
            if bias_words(lj, geo.values_per_word):
                await self.write(HydraOp.WRITE_BIAS, [b[lj.m0:lj.m0 + job.m_count]], self.pcm, 1 << 30)
            await self.cmd.send([self._cmd(HydraOp.SET_REG, 0, i, v) for i, v in job.register_values()])
            await self.cmd.send([self._cmd(HydraOp.START, 0, 0, lj.active_units)])
            await self.wait_idle()
            if not lj.reads:  # the units keep the pass's partial sums (pass_accumulation = "unit")
                continue
            expected = outputs_of(lj)
            # Only READs that finish outputs send values: the others run without Python per cycle
            # (a stray value would stall the RAU, which the watchdog and the counters catch).
            monitor = self.rdata.start() if expected else None
            await self.cmd.send([self._cmd(HydraOp.READ, lj.read_units - 1, rau_flags(lj, relu),
                                           job.channels * job.positions)])
            await self.wait_idle()
            if monitor is not None:
                monitor.cancel()
            values = np.array(self.rdata.items, dtype=np.int64)
            self.rdata.items.clear()  # long runs keep no history
            assert len(values) == expected, f"{layer.name}: {len(values)} outputs, expected {expected}"
            if not expected:
                continue
            n_words = -(-expected // geo.values_per_word)
            self.dram.write(1 << 31, n_words, cycle_now(), bits=expected * width)
            r1 = lj.r0 + job.out_h
            if pool:
                out[lj.c0:lj.c0 + lj.active_units, lj.r0:r1] = values.reshape(lj.active_units, job.out_h, -1)
            else:
                out[lj.m0:lj.m0 + job.m_count, lj.r0:r1] = values.reshape(job.m_count, job.out_h, -1)
        return out

    def _operands(self, layer, x, w):
        x = np.asarray(x, dtype=np.int64).reshape(layer.in_ch, layer.in_h if layer.kind != "fc" else 1, -1)
        if layer.kind == "fc":
            w = np.asarray(w).reshape(layer.out_ch, layer.in_ch, 1, 1)
        return x, w

    def _load(self, lj, job, in_bank, x, w):
        """WRITE_AB, WRITE_WB (into ``in_bank``) and SET_REGs of a job: ``(commands, beats)``.  The
        devices count the bits read (with overlap the beats are sent without the devices' gaps)."""
        geo, width, channels = self.geo, self.geo.width, range(lj.c0, lj.c0 + lj.active_units)
        row_bytes = x.shape[2] * width // 8
        cmds, beats = [], []
        lanes = [x[c, lj.y0:lj.y0 + job.in_h, :] for c in channels]
        writes = [(HydraOp.WRITE_AB, lanes, self.dram, (lj.c0 * x.shape[1] + lj.y0) * row_bytes,
                   geo.ab_words)]
        if not job.is_pool:
            writes.append((HydraOp.WRITE_WB, [w[lj.m0:lj.m0 + job.m_count, c] for c in channels],
                           self.pcm, (lj.m0 * w.shape[1] + lj.c0) * job.taps * width // 8, geo.wb_words))
        for op, values, device, address, bank_words in writes:
            words = pack_beats(values, width, geo.values_per_word)
            device.read(address, len(words), cycle_now(), bits=len(values) * len(words) * geo.bus_width)
            cmds.append(self._cmd(op, len(values) - 1, in_bank * bank_words, len(words)))
            beats.extend(words)
        cmds.extend(self._cmd(HydraOp.SET_REG, 0, i, v) for i, v in job.register_values())
        return cmds, beats

    def _read(self, lj, job, ob_bank, bias_bank, relu):
        flags = rau_flags(lj, relu) | (READ_BANK if ob_bank else 0) | (READ_BIAS_BANK if bias_bank else 0)
        return self._cmd(HydraOp.READ, lj.read_units - 1, flags, job.channels * job.positions)

    async def run_layer_overlapped(self, layer, x, w=None, b=None, relu=False, shift=None) -> np.ndarray:
        """[system] overlap: the layer's commands in the host order of ``docs/hydra.md``
        ("Overlapped schedule") streamed back to back with every WRITE beat behind them; the
        system's ``cmd.ready`` paces them.  The outputs are collected through the whole layer."""
        geo = self.geo
        x, w = self._operands(layer, x, w)
        jobs = layer_jobs(layer, self.config)
        regs = [lj.job if shift is None else replace(lj.job, shift=shift) for lj in jobs]
        banks, biases = overlap_banks(jobs), bias_banks(jobs)
        cmds, beats = self._load(jobs[0], regs[0], banks[0][0], x, w)
        for j, (lj, job) in enumerate(zip(jobs, regs)):
            cmds.append(self._cmd(HydraOp.START, 0, start_addr(*banks[j]), lj.active_units))
            if j and jobs[j - 1].reads:
                cmds.append(self._read(jobs[j - 1], regs[j - 1], banks[j - 1][1], biases[j - 1], relu))
            bias = bias_words(lj, geo.values_per_word)
            if bias:
                words = pack_beats([b[lj.m0:lj.m0 + job.m_count]], geo.width, geo.values_per_word)
                self.pcm.read(1 << 30, len(words), cycle_now(), bits=len(words) * geo.bus_width)
                cmds.append(self._cmd(HydraOp.WRITE_BIAS, 0, biases[j] * bias_bank_words(geo), len(words)))
                beats.extend(words)
            if j + 1 < len(jobs):
                more_cmds, more_beats = self._load(jobs[j + 1], regs[j + 1], banks[j + 1][0], x, w)
                cmds.extend(more_cmds)
                beats.extend(more_beats)
        if jobs[-1].reads:
            cmds.append(self._read(jobs[-1], regs[-1], banks[-1][1], biases[-1], relu))
        monitor = self.rdata.start()
        sending = cocotb.start_soon(self.wdata.send(beats))
        began, self.accepted = cycle_now(), []   # the cycle each command is taken (diagnostics)
        await self.cmd.send(cmds, on_beat=lambda i, item: self.accepted.append(cycle_now() - began))
        await sending
        await self.wait_idle()
        monitor.cancel()
        values = np.array(self.rdata.items, dtype=np.int64)
        self.rdata.items.clear()
        expected = sum(outputs_of(lj) for lj in jobs)
        assert len(values) == expected, f"{layer.name}: {len(values)} outputs, expected {expected}"
        self.dram.write(1 << 31, -(-expected // geo.values_per_word), cycle_now(), bits=expected * geo.width)
        return self._assemble(layer, jobs, regs, values)

    @staticmethod
    def _assemble(layer, jobs, regs, values):
        """The layer's output [M, oh, ow] from the values of its READs, in job order."""
        out = np.zeros((layer.out_ch, layer.out_h, layer.out_w), dtype=np.int64)
        at = 0
        for lj, job in zip(jobs, regs):
            n = outputs_of(lj)
            if not n:
                continue
            chunk, at = values[at:at + n], at + n
            r1 = lj.r0 + job.out_h
            if job.is_pool:
                out[lj.c0:lj.c0 + lj.active_units, lj.r0:r1] = chunk.reshape(lj.active_units, job.out_h, -1)
            else:
                out[lj.m0:lj.m0 + job.m_count, lj.r0:r1] = chunk.reshape(job.m_count, job.out_h, -1)
        return out

    def device_traffic(self) -> dict:
        return {"dram_read_bits": self.dram.bits_read, "pcm_read_bits": self.pcm.bits_read,
                "dram_write_bits": self.dram.bits_written}
