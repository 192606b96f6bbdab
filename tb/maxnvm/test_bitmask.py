"""cocotb regression of ``rtl/maxnvm/bitmask_harness.py`` (BitmaskDecoder + memories)
against ``golden.maxnvm.codecs`` (decode report and beat/cycle cost).

Random layers at random sparsity (0-95 %), encoded by the golden NVDLA encoder
with IdxSync counters, are loaded into the surface memories and decoded with
IdxSync on and off: every output beat must equal the golden one, and every
counter the golden prediction.  Fault-injected surfaces — mask, IdxSync
counters, packed values and WGS stored in MLC cells, each at its own bits per
cell, and read back through the golden cell model (``tb.common.mlc_cells``,
accelerated so every read has faults) — must decode exactly like the golden
decoder under the same faults; MLC3 mask faults must stay inside their blocks
with IdxSync and spread past them without (asserted on the RTL's output).
Malformed inputs (zero group size, oversize WGS and counters, truncated data) and
short WMB, WGS and IdxSync surfaces over stale memory contents raise ``error``, count
like the golden decoder's, and the decoder finishes (watchdog)."""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.bits import bits_of
from hymem.golden.maxnvm.codecs import encode_bitmask
from hymem.golden.maxnvm.codecs.bitmask import elements_in
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.maxnvm.harness import (
    SURFACE_BPC,
    BitmaskBench,
    mlc_fault_layers,
    net_shift_before_blocks,
    random_layer,
    random_layers,
    truncated_layers,
)


@cocotb.test()
async def test_bitmask_full_rate(dut):
    await random_layers(dut, "full_rate")


@cocotb.test()
async def test_bitmask_idle_load(dut):
    await random_layers(dut, "idle_load", n_layers=3, idle_prob=0.3)


@cocotb.test()
async def test_bitmask_backpressure(dut):
    await random_layers(dut, "backpressure", n_layers=3, stall_prob=0.4)


@cocotb.test()
async def test_bitmask_faults_match_golden(dut):
    await mlc_fault_layers(dut)


@cocotb.test()
async def test_idxsync_confines_damage(dut):
    """MLC3 mask faults from the cell model (the other surfaces clean), one group of four
    blocks: with IdxSync only blocks holding a flipped mask bit differ; without it the
    damage spreads into clean blocks.  Fault maps are redrawn (seeded) until one leaves a
    non-zero net index shift before a clean block with non-zeros, i.e. until propagation
    is possible at all (a flip in the last block, or cancelling flips, cannot spread)."""
    bench = BitmaskBench(dut, "confinement")
    await bench.start()
    p = bench.params
    block = p.idxsync_block
    w = random_layer(bench.rng, p, sparsity=0.5, n_kernels=p.group_kernels, kernel_elems=4 * block // p.group_kernels)
    s = encode_bitmask(w, p.data_bits, block, allow_raw=False)
    n, clean = w.size, w.reshape(-1)
    clean_mask = bits_of(s.wmb, n)
    block_has_nonzero = np.add.reduceat(clean_mask.astype(np.int64), np.arange(0, n, block)) > 0
    cells = bench.mlc_faults(expected_faults=2.0)
    for draw in range(1, 101):  # a fault map whose net shift reaches a clean block with non-zeros
        wmb = cells.surface("wmb", s.wmb, SURFACE_BPC["wmb"], used_bits=n)
        faulty_mask = bits_of(wmb, n)
        faulty_blocks = set((np.flatnonzero(faulty_mask != clean_mask) // block).tolist())
        shift = net_shift_before_blocks(clean_mask, faulty_mask, block, n // block)
        spreads = [b for b in range(n // block) if b not in faulty_blocks and shift[b] and block_has_nonzero[b]]
        if spreads:
            break
    else:
        raise AssertionError("no cell-model fault map in 100 draws shifts a later clean block")
    faulty = s.with_surfaces(wmb=wmb)
    damaged_on = np.flatnonzero(await bench.layer(faulty, w.shape, True) != clean)
    damaged_off = np.flatnonzero(await bench.layer(faulty, w.shape, False) != clean)
    outside_off = sorted(set((damaged_off // block).tolist()) - faulty_blocks)
    dut._log.info(f"draw {draw}: mask bits flipped in blocks {sorted(faulty_blocks)} (net shifts {shift.tolist()}); "
                  f"IdxSync on damages {len(damaged_on)} weights in blocks "
                  f"{sorted(set((damaged_on // block).tolist()))}; "
                  f"off damages {len(damaged_off)}, also in clean blocks {outside_off}")
    assert len(damaged_on) and set((damaged_on // block).tolist()) <= faulty_blocks
    # Not a count comparison: without IdxSync a later flip can cancel the shift (net shift back to 0)
    # and end the damage early, so 'off' may damage fewer weights in total than 'on' (seed 269683321).
    assert set(spreads) <= set(outside_off)
    bench.finish()


@cocotb.test()
async def test_malformed_inputs_flag_error_and_finish(dut):
    bench = BitmaskBench(dut, "malformed")
    await bench.start()
    p = bench.params
    w = random_layer(bench.rng, p, sparsity=0.5, n_kernels=p.group_kernels + 3, kernel_elems=100)
    s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
    flags = []
    await bench.layer(s, w.shape, True, group_elems=0)             # impossible geometry
    flags.append(bench.last_error)
    wgs = s.wgs.copy()
    wgs[0:4] = [0xFF, 0xFF, 0xFF, 0x7F]                             # WGS far beyond its group
    await bench.layer(s.with_surfaces(wgs=wgs), w.shape, False)
    flags.append(bench.last_error)
    sync = s.idxsync.copy()
    sync[:3] = 0xFF                                                 # counters beyond their block
    await bench.layer(s.with_surfaces(idxsync=sync), w.shape, True)
    flags.append(bench.last_error)
    await bench.layer(s, w.shape, True, data_elems=elements_in(len(s.data), p.data_bits) // 3)  # truncated data
    flags.append(bench.last_error)
    assert flags == [1, 1, 1, 1], f"every malformed layer must raise error: {flags}"
    bench.finish()


@cocotb.test()
async def test_truncated_surfaces_flag_error_and_finish(dut):
    await truncated_layers(dut)


@cocotb.test()
async def test_empty_layer_is_a_no_op(dut):
    """A start with n_weights = 0 (found by make sim COVERAGE=1 to be untested): the decoder stays
    idle — never busy, no beat, no error, no counter moves — and decodes the next layer as usual."""
    bench = BitmaskBench(dut, "empty")
    await bench.start()
    p = bench.params
    for name, value in (("n_weights", 0), ("group_elems", p.group_kernels), ("compressed", 1),
                        ("idxsync", 1), ("data_elems", 0), ("start", 1)):
        write(dut, bench.component, name, value=value)
    await RisingEdge(dut.clk)
    write(dut, bench.component, "start", value=0)
    busy = handle(dut, bench.component, "busy")
    for _ in range(8):
        await ReadOnly()
        assert int(busy.value) == 0, "an empty layer must not start the decoder"
        await RisingEdge(dut.clk)
    assert read(dut, bench.component, "error") == 0 and not bench.monitor.items
    assert_counters_equal(read_counters(dut, bench.component), bench.expected)
    w = random_layer(bench.rng, p, sparsity=0.5)
    surfaces = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
    assert np.array_equal(await bench.layer(surfaces, w.shape, True), w.reshape(-1))
    bench.finish()
