"""Registered top-level components: what ``make verilog``, ``make synth`` and the runner know.

Adding a block is one line in :data:`TOPS`: a name (also the Verilog module
name and the RTL regression's test id), the system config it is elaborated from
(``configs/<config>.toml``), a factory taking that config's dataclass, a
description, and the cocotb module that verifies it (run on every simulator by
``tests/test_rtl.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from hymem.golden.config import ConfigError
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.maxnvm.params import load_maxnvm_config
from hymem.golden.rana.params import load_rana_config
from hymem.golden.rram.params import load_params as load_rram_config
from hymem.golden.shycache.params import load_shycache_config
from hymem.golden.shycache.rtl_params import level_params
from hymem.rtl.hydra.mac import Mac
from hymem.rtl.hydra.mac_bench_harness import MacBenchHarness
from hymem.rtl.hydra.mac_seq import MacSeq
from hymem.rtl.hydra.sim_top import HydraSimTop
from hymem.rtl.hydra.system import HydraSystem
from hymem.rtl.hydra.unit import HydraUnit
from hymem.rtl.maxnvm.bitmask_decoder import BitmaskDecoder
from hymem.rtl.maxnvm.bitmask_harness import BitmaskHarness
from hymem.rtl.maxnvm.cluster_lut import ClusterLut
from hymem.rtl.maxnvm.csr_decoder import CsrDecoder
from hymem.rtl.maxnvm.gray import Gray
from hymem.rtl.maxnvm.secded import SecDed
from hymem.rtl.maxnvm.weight_decoder import WeightDecoder
from hymem.rtl.rana.edram_controller import (
    EdramController,
    clock_divider,
    config_loader,
    refresh_controller,
)
from hymem.rtl.rram.acc_buffer import AccBuffer
from hymem.rtl.rram.accelerator import RramAccelerator
from hymem.rtl.rram.bias_store import BiasStore
from hymem.rtl.rram.command_regs import CommandRegs
from hymem.rtl.rram.drainer import Drainer
from hymem.rtl.rram.io_buffer import IoBuffer
from hymem.rtl.rram.line_register import LineRegister
from hymem.rtl.rram.mac_array import MacArray
from hymem.rtl.rram.requantizer import Requantizer
from hymem.rtl.rram.step_sequencer import StepSequencer
from hymem.rtl.rram.weight_buffer import WeightBuffer
from hymem.rtl.rram.weight_fetcher import WeightFetcher
from hymem.rtl.rram.window_select import WindowSelect
from hymem.rtl.shycache.address_predecoder import AddressPredecoder
from hymem.rtl.shycache.bit_flip_counter import BitFlipCounter
from hymem.rtl.shycache.hybrid_cache import HybridCache
from hymem.rtl.shycache.write_busy_timer import WriteBusyTimer

CONFIG_LOADERS = {"rana": load_rana_config, "hydra": load_hydra_config, "maxnvm": load_maxnvm_config,
                  "rram": load_rram_config, "shycache": load_shycache_config}



def _rram_small(c):
    """The RRAM [rtl] instance with 16-word buffers (synthesis and block benches)."""
    return replace(c.rtl, io_depth=16, weight_depth=16, bias_depth=16)


@dataclass(frozen=True)
class Top:
    name: str
    config: str
    factory: Callable
    description: str
    tb: str | None = None  # cocotb test module, e.g. "hymem.tb.hydra.test_mac"

    def load_config(self, path: Path | str | None = None):
        return CONFIG_LOADERS[self.config](path)

    def build(self, config_path: Path | str | None = None):
        """``(component, config)`` elaborated from the default TOML or ``config_path``."""
        config = self.load_config(config_path)
        return self.factory(config), config


TOPS = {
    top.name: top
    for top in (
        Top("hydra_mac", "hydra", lambda c: Mac(c.fixed, c.mac),
            "Hydra FX16 pipelined multiply-accumulate unit (seed 001, Table I)", "hymem.tb.hydra.test_mac"),
        Top("hydra_mac_bench", "hydra", lambda c: MacBenchHarness(c.fixed, c.mac),
            "Hydra MAC fed by an on-chip xorshift32 generator (simulation-speed benchmark)"),
        Top("rana_edram_controller", "rana", EdramController,
            "RANA refresh-optimized eDRAM controller: clock divider, per-bank flags and issuers, "
            "layer configuration loader (seed 004, Fig. 14)", "hymem.tb.rana.test_edram_controller"),
        Top("rana_clock_divider", "rana", clock_divider,
            "RANA programmable clock divider: refresh pulse, glitch-free reload (seed 004, Fig. 14)",
            "hymem.tb.rana.test_clock_divider"),
        Top("rana_refresh_controller", "rana", refresh_controller,
            "RANA per-bank refresh flags and issuers, accesses first with bounded stall (seed 004, Fig. 14)",
            "hymem.tb.rana.test_refresh_controller"),
        Top("rana_config_loader", "rana", config_loader,
            "RANA layer configuration loader: per-layer words from a configuration memory (seed 004, §IV-D2)",
            "hymem.tb.rana.test_config_loader"),
        Top("hydra_mac_seq", "hydra", lambda c: MacSeq(c.fixed, c.mac),
            "Hydra FX16 MAC with a sequential radix-4 Booth multiplier (8 cycles/pair; SPEC 5.1)",
            "hymem.tb.hydra.test_mac"),
        Top("hydra_unit", "hydra", HydraUnit,
            "Hydra unit: N MACs + streaming buffers, AB/WB/OB, controller, pool unit (seed 001, SIII-B)",
            "hymem.tb.hydra.test_unit"),
        # the units as instances of one Verilog module (emitted, linted and compiled once, not n_units times)
        Top("hydra_system", "hydra", lambda c: HydraSystem(c, unit_module=HydraSimTop.UNIT_MODULE),
            "Hydra system: n_units units (one input channel each) + result-accumulation unit (seed 001, SIII-C); "
            "co-simulated on reduced TOML variants by tests/test_golden_hydra_system.py"),
        Top("hydra_sim_top", "hydra", HydraSimTop,
            "Hydra simulation top: command streamer + DRAM/PCM device models (Table I timings on the memory "
            "clock) + the system, the serial or overlapped protocol as [system] overlap says; "
            "whole layers with no Python per cycle (tests/test_hydra_sim_top.py)"),
        Top("maxnvm_bitmask", "maxnvm", lambda c: BitmaskHarness(c.codec),
            "MaxNVM BitMask decoder + IdxSync with its surface memories (seed 003 §3.2.2, Fig. 4)",
            "hymem.tb.maxnvm.test_bitmask"),
        Top("maxnvm_bitmask_int8", "maxnvm", lambda c: BitmaskHarness(replace(c.codec, data_bits=8)),
            "MaxNVM BitMask decoder + memories for 8-bit elements (32-kernel groups)", "hymem.tb.maxnvm.test_bitmask"),
        Top("maxnvm_bitmask_idx4", "maxnvm", lambda c: BitmaskHarness(replace(c.codec, data_bits=4)),
            "MaxNVM BitMask decoder + memories for bit-packed 4-bit cluster indices (Table 2's LeNet5/VGG12 width)",
            "hymem.tb.maxnvm.test_bitmask"),
        Top("maxnvm_bitmask_decoder", "maxnvm", lambda c: BitmaskDecoder(c.codec),
            "MaxNVM BitMask decoder logic with IdxSync (synthesis; memories outside)"),
        Top("maxnvm_bitmask_decoder_noidx", "maxnvm", lambda c: BitmaskDecoder(c.codec, idxsync_support=False),
            "MaxNVM BitMask decoder logic without IdxSync (the unprotected baseline's area)"),
        Top("maxnvm_bitmask_decoder_packed", "maxnvm",
            lambda c: BitmaskDecoder(replace(c.codec, data_bits=c.codec.index_bits)),
            "MaxNVM BitMask decoder logic with IdxSync for bit-packed index_bits-wide cluster indices (synthesis)"),
        Top("maxnvm_bitmask_decoder_packed_noidx", "maxnvm",
            lambda c: BitmaskDecoder(replace(c.codec, data_bits=c.codec.index_bits), idxsync_support=False),
            "MaxNVM BitMask decoder logic without IdxSync for packed cluster indices (the baseline's area)"),
        Top("maxnvm_weight_decoder", "maxnvm", lambda c: WeightDecoder(c.codec),
            "MaxNVM weight decoder: BitMask surfaces of packed index_bits-bit cluster indices + IdxSync -> "
            "per-lane cluster LUTs -> FX16 dense weights (seed 003 §3.1.2, §3.2.2, Table 2's format)",
            "hymem.tb.maxnvm.test_weight_decoder"),
        Top("maxnvm_csr", "maxnvm", lambda c: CsrDecoder(c.codec),
            "MaxNVM CSR decoder: values, relative column indices, row counters -> dense rows (seed 003 §3.2.1)",
            "hymem.tb.maxnvm.test_csr"),
        Top("maxnvm_csr_packed", "maxnvm", lambda c: CsrDecoder(replace(c.codec, data_bits=c.codec.index_bits)),
            "MaxNVM CSR decoder for bit-packed index_bits-bit cluster-index values (Table 2's CSR format)",
            "hymem.tb.maxnvm.test_csr"),
        Top("maxnvm_secded", "maxnvm", lambda c: SecDed(c.codec),
            "MaxNVM extended-Hamming SEC-DED encoder/decoder at the configured width (seed 003 §3.3)",
            "hymem.tb.maxnvm.test_secded"),
        Top("maxnvm_secded_small", "maxnvm", lambda c: SecDed(replace(c.codec, secded_data_bits=4)),
            "MaxNVM SEC-DED at 4 data bits (exhaustive single/double-error regression)", "hymem.tb.maxnvm.test_secded"),
        Top("maxnvm_gray", "maxnvm", lambda c: Gray(c.codec),
            "MaxNVM Gray encoder/decoder for MLC level mapping (seed 003 §3.3)", "hymem.tb.maxnvm.test_gray"),
        Top("maxnvm_cluster_lut", "maxnvm", lambda c: ClusterLut(c.codec),
            "MaxNVM per-layer cluster codebook, index -> FX16 weight (seed 003 §3.1.2)",
            "hymem.tb.maxnvm.test_cluster_lut"),
        Top("rram_accelerator", "rram", lambda c: RramAccelerator(c.rtl, c.array.act_bits, c.array.weight_bits,
                                                                  c.array.acc_bits),
            "RRAM weight-buffer CNN accelerator tile engine: p x n MAC array, ping-pong accumulation buffer, "
            "p-RAM window path, banked RRAM weight buffer, loop-nest controller (seed 002 §3, Fig. 1)",
            "hymem.tb.rram.test_accelerator"),
        Top("rram_weight_buffer", "rram",
            lambda c: WeightBuffer(c.rtl.m, c.rtl.n, c.rtl.weight_depth, c.rtl.weight_banks, c.rtl.weight_latency,
                                   c.rtl.weight_bank_busy, c.array.weight_bits, c.rtl.counter_width),
            "RRAM weight buffer: interleaved banks, read latency and per-bank occupancy (seed 002 §5.1, Table 4)",
            "hymem.tb.rram.test_weight_buffer"),
        Top("rram_mac_array", "rram", lambda c: MacArray(c.rtl.p, c.rtl.n, c.rtl.m, c.array.act_bits,
                                                         c.array.weight_bits, c.array.acc_bits),
            "RRAM accelerator p x n MAC array of size-m int8 inner products (seed 002 §3.1, Fig. 1b)",
            "hymem.tb.rram.test_mac_array"),
        Top("rram_accelerator_logic", "rram",
            lambda c: RramAccelerator(_rram_small(c), c.array.act_bits,
                                      c.array.weight_bits, c.array.acc_bits),
            "RRAM accelerator logic for synthesis: the [rtl] instance with 16-word I/O RAMs and weight "
            "buffer (the generic flow has no RAM macros: big buffers become flip-flops)"),
        # The accelerator's blocks on their own, at the synthesis instance (16-word buffers):
        # per-block cocotb benches, and `make synth` sums them (the whole engine is too slow).
        Top("rram_acc_buffer", "rram", lambda c: AccBuffer(c.rtl.p, c.rtl.n, c.rtl.max_acc_depth,
                                                           c.array.acc_bits, c.rtl.counter_width),
            "RRAM accelerator ping-pong accumulation buffer, 2 g_max entries (seed 002 §3.2)",
            "hymem.tb.rram.test_acc_buffer"),
        Top("rram_io_buffer", "rram", lambda c: IoBuffer(c.rtl.p, c.rtl.m, 16, c.array.act_bits,
                                                         c.rtl.counter_width),
            "RRAM accelerator I/O buffer read path: p RAMs (16 words), window rotation (Fig. 1c)",
            "hymem.tb.rram.test_io_buffer"),
        Top("rram_line_register", "rram", lambda c: LineRegister(c.rtl.p, c.rtl.m, c.array.act_bits),
            "RRAM accelerator kernel-first line register (seed 002 §3.2)", "hymem.tb.rram.test_line_register"),
        Top("rram_window_select", "rram", lambda c: WindowSelect(_rram_small(c)),
            "RRAM accelerator window select: per-RAM addresses and lanes of a step",
            "hymem.tb.rram.test_window_select"),
        Top("rram_step_sequencer", "rram", lambda c: StepSequencer(_rram_small(c)),
            "RRAM accelerator loop-nest step sequencer (golden/rram/loopnest.py)",
            "hymem.tb.rram.test_step_sequencer"),
        Top("rram_weight_fetcher", "rram", lambda c: WeightFetcher(_rram_small(c)),
            "RRAM accelerator weight-tile prefetcher", "hymem.tb.rram.test_weight_fetcher"),
        Top("rram_requantizer", "rram", lambda c: Requantizer(c.rtl.p, c.rtl.n, c.array.acc_bits,
                                                              c.array.act_bits),
            "RRAM accelerator requantiser: bias, round half up, saturate, ReLU (golden.fixed)",
            "hymem.tb.rram.test_requantizer"),
        Top("rram_weight_buffer_logic", "rram",
            lambda c: WeightBuffer(c.rtl.m, c.rtl.n, 16, c.rtl.weight_banks, c.rtl.weight_latency,
                                   c.rtl.weight_bank_busy, c.array.weight_bits, c.rtl.counter_width),
            "RRAM weight buffer at 16 tiles (synthesis of the accelerator's blocks)", None),
        Top("rram_bias_store_logic", "rram", lambda c: BiasStore(c.rtl.n, 16, c.array.acc_bits),
            "RRAM accelerator bias store at 16 words (synthesis of the accelerator's blocks)", None),
        Top("rram_drainer", "rram", lambda c: Drainer(_rram_small(c), c.array.acc_bits),
            "RRAM accelerator drainer: finished halves to the out stream", "hymem.tb.rram.test_drainer"),
        Top("rram_command_regs", "rram", lambda c: CommandRegs(_rram_small(c), c.array.acc_bits),
            "RRAM accelerator command registers and START checks", "hymem.tb.rram.test_command_regs"),
        Top("shycache_hybrid_cache", "shycache", lambda c: HybridCache(level_params(c)),
            "SHyCache hybrid level: predecoder + SRAM and STT-MRAM parts, LRU, write-back, STT write-busy "
            "timers, bit-flip counter (seed 000 §III-IV, Table I; [rtl] simulation sizes)",
            "hymem.tb.shycache.test_hybrid_cache"),
        Top("shycache_hybrid_cache_sram", "shycache", lambda c: HybridCache(level_params(c, stt_bytes=0)),
            "SHyCache level with the SRAM part only (the all-SRAM end of the sweep)",
            "hymem.tb.shycache.test_hybrid_cache"),
        Top("shycache_hybrid_cache_stt", "shycache", lambda c: HybridCache(level_params(c, sram_bytes=0)),
            "SHyCache level with the STT-MRAM part only (the all-STT end of the sweep)",
            "hymem.tb.shycache.test_hybrid_cache"),
        Top("shycache_hybrid_cache_odd", "shycache",
            lambda c: HybridCache(level_params(c, sram_bytes=96, stt_bytes=768)),
            "SHyCache level with non-power-of-two sets (3 SRAM, 24 STT: set = line mod sets by a "
            "constant modulo, as the 4:1 area rule's 24 KB / 896 KB parts need)",
            "hymem.tb.shycache.test_hybrid_cache"),
        Top("shycache_bit_flip_counter", "shycache",
            lambda c: BitFlipCounter(level_params(c).line_bits, level_params(c).counter_width),
            "SHyCache endurance counter: popcount(old XOR new) per STT line write (seed 000 §VI-C)",
            "hymem.tb.shycache.test_bit_flip_counter"),
        Top("shycache_write_busy_timer", "shycache",
            lambda c: WriteBusyTimer(c.stt.subarrays, c.stt_write_cycles, c.rtl.stt_queued_writes),
            "SHyCache STT write-busy timers, one per subarray (seed 000 §V-A: 50 ns write time)",
            "hymem.tb.shycache.test_write_busy_timer"),
        Top("shycache_predecoder", "shycache", lambda c: AddressPredecoder(level_params(c)),
            "SHyCache address predecoder: base/limit range registers route a request to one array "
            "(seed 000 §IV-A)", "hymem.tb.shycache.test_address_predecoder"),
    )
}


def get_top(name: str) -> Top:
    """The registered top ``name``; unknown names list the valid ones."""
    if name not in TOPS:
        raise ConfigError(f"unknown top {name!r}; valid: {', '.join(sorted(TOPS))}")
    return TOPS[name]


def config_parameters(config) -> dict:
    """The dataclass as a plain dict (manifest ``parameters``)."""
    return asdict(config)
