"""The CNN trace generator: access counts against the kernel model's own arithmetic."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from hymem.golden.shycache.cnn_trace import network_trace
from hymem.golden.shycache.params import load_shycache_config
from hymem.golden.workloads import get_network


def _expected_kernel_loads(net, rows, tm=8, tn=12):
    """(B loads, A-panel loads) of the blocked SGEMM, from the layer shapes alone."""
    b = a = 0
    for lay in net.layers:
        if lay.kind not in ("conv", "fc"):
            continue
        m = lay.out_h * lay.out_w if lay.kind == "conv" else 1
        k = lay.weights // lay.out_ch if lay.kind == "conv" else lay.in_ch
        strips = math.ceil(lay.out_ch / tn)
        row_blocks = math.ceil(min(m, rows) / tm)
        b += row_blocks * strips * k * (tn // 4)
        a += row_blocks * strips * k * (tm // 4)
    return b, a


def test_lenet5_trace_counts_and_placement():
    cfg = load_shycache_config()
    cfg = replace(cfg, workload=replace(cfg.workload, max_rows=16))
    wp = cfg.workload
    trace = network_trace("lenet5", cfg)
    addr = trace.addr.astype(np.int64)
    weights = (addr >= wp.nvm_base) & (addr < wp.nvm_base + wp.nvm_size)
    panel = (addr >= wp.scratch_base + 0x0400_0000) & (addr < wp.act_base)
    b_loads, a_loads = _expected_kernel_loads(get_network("lenet5"), 16)
    assert int(weights.sum()) == b_loads           # 128-bit B loads never cross a line
    assert not trace.write[weights].any()           # weights are read-only at inference
    assert int((panel & (trace.write == 0)).sum()) == a_loads
    assert np.all(addr % 64 + trace.size <= 64)
    assert trace.store_data.shape == (int(trace.write.sum()), 16)
    # one compute gap per k step: k steps = B loads / 3
    assert int((trace.gap > 0).sum()) == b_loads // 3
    assert set(np.unique(trace.gap)) == {0, wp.compute_cycles_per_kstep}
    weights_f32 = sum(lay.weights for lay in get_network("lenet5").layers) * 4
    assert weights_f32 <= trace.meta["weights_bytes"] <= 1.2 * weights_f32  # + 12-column padding
