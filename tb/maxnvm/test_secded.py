"""cocotb regression of ``rtl/maxnvm/secded.py`` against ``golden.maxnvm.codecs.secded``.

Registered twice: at the configured data width (random words, random single-
and double-bit errors) and at a small width (4 data bits: every data word with
no error, every single-bit error and every double-bit error).  Every codeword
and decode result must equal the golden one; independently of the golden
decoder, every single error must come back corrected to the original data and
every double error must be flagged uncorrectable.  Counters equal the golden counts.
"""

from __future__ import annotations

from itertools import combinations

import cocotb
import numpy as np

from hymem.golden.maxnvm.codecs import secded_decode, secded_encode
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.seed import seeded_rng
from hymem.tb.maxnvm.codec_streams import run_paths
from hymem.tb.runner import tb_component

EXHAUSTIVE_MAX_BITS = 4
RANDOM_WORDS = 600


def error_patterns(rng, k: int, n: int):
    """``(data, error mask)`` pairs: exhaustive for small ``k``, random otherwise."""
    if k <= EXHAUSTIVE_MAX_BITS:
        masks = [0] + [1 << i for i in range(n)] + [(1 << i) | (1 << j) for i, j in combinations(range(n), 2)]
        data = np.repeat(np.arange(1 << k), len(masks))
        return data.astype(np.uint64), np.tile(np.array(masks, dtype=np.uint64), 1 << k)
    data = rng.integers(0, 1 << k, size=RANDOM_WORDS, dtype=np.uint64)
    first = rng.integers(0, n, size=RANDOM_WORDS)
    second = (first + rng.integers(1, n, size=RANDOM_WORDS)) % n
    kind = rng.integers(0, 3, size=RANDOM_WORDS)  # none, single, double
    mask = np.where(kind >= 1, 1 << first, 0) | np.where(kind == 2, 1 << second, 0)
    return data, mask.astype(np.uint64)


async def secded(dut, name, idle_prob=0.0, stall_prob=0.0):
    component, _ = tb_component()
    k, n = component.k, component.n
    rng = seeded_rng(dut, name)
    data, mask = error_patterns(rng, k, n)
    codewords = secded_encode(data, k)
    received = codewords ^ mask
    d, c, u = secded_decode(received, k)
    singles = np.array([int(x).bit_count() == 1 for x in mask])
    doubles = np.array([int(x).bit_count() == 2 for x in mask])
    assert np.array_equal(d[singles], data[singles]) and c[singles].all() and u[doubles].all()
    paths = {
        ("enc_in", "enc_out"): ([int(x) for x in data], [int(x) for x in codewords]),
        ("dec_in", "dec_out"): ([int(x) for x in received],
                                [{"data": int(a), "corrected": int(b), "uncorrectable": int(e)}
                                 for a, b, e in zip(d, c, u)]),
    }
    _enc_items, dec_items = await run_paths(dut, component, rng, name, paths, idle_prob, stall_prob)
    rtl_data = np.array([x["data"] for x in dec_items], dtype=np.uint64)
    rtl_corrected = np.array([x["corrected"] for x in dec_items], dtype=bool)
    rtl_flagged = np.array([x["uncorrectable"] for x in dec_items], dtype=bool)
    assert np.array_equal(rtl_data[singles], data[singles]) and rtl_corrected[singles].all()
    assert rtl_flagged[doubles].all() and not rtl_flagged[singles].any()
    dut._log.info(f"{name}: k={k}, {len(data)} words, {int(singles.sum())} single and "
                  f"{int(doubles.sum())} double errors")
    assert_counters_equal(read_counters(dut, component), {
        "encoded": len(data), "decoded": len(data), "corrected": int(c.sum()), "uncorrectable": int(u.sum())})


@cocotb.test()
async def test_secded_full_rate(dut):
    await secded(dut, "full_rate")


@cocotb.test()
async def test_secded_idle_backpressure(dut):
    await secded(dut, "idle_backpressure", idle_prob=0.3, stall_prob=0.3)
