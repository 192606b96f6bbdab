"""Golden twin of ``rtl/hydra/system.py``: N_UNITS units and the result-accumulation unit (RAU).

A layer job runs on ``a`` active units, unit ``u`` holding input channel
``c0 + u``; each unit's output-buffer entries are its channel's partial sums
(unit bias register 0).  The RAU adds the ``a`` partial sums of an entry
(``acc_width`` bits, wrapping), adds the running sum of earlier passes
(``READ_FIRST`` clear), and on the last pass (``READ_LAST``) adds the output
channel's bias aligned to the accumulator, applies ReLU (``READ_RELU``) and
requantizes once (round half-up, saturate) — the only rounding of a layer.
Max-pool entries pass through unit by unit (``READ_POOL``).
"""

from __future__ import annotations

import numpy as np

from hymem.golden.fixed import FixedFormat, bias_to_acc, wrap
from hymem.golden.hydra.cycles import job_read_transfers, unit_counts
from hymem.golden.hydra.jobs import READ_FIRST, READ_LAST, LayerJob, bias_words, outputs_of
from hymem.golden.hydra.unit import UNIT_COUNTERS, UnitJob, unit_outputs

# The RAU's counters.  ``sums``: entries summed; ``outputs``: values sent on ``rdata``; ``acc_reads``,
# ``acc_writes``, ``bias_reads``: words of the accumulation / bias memory read or written, one per
# transfer of up to ``[system] rau_entries`` entries of one channel (so they equal the entries when
# rau_entries = 1); ``bias_writes``: WRITE_BIAS words.
RAU_COUNTERS = ("sums", "outputs", "acc_reads", "acc_writes", "bias_reads", "bias_writes")


def system_counter_names(n_units: int) -> tuple[str, ...]:
    return RAU_COUNTERS + tuple(f"u{i}_{name}" for i in range(n_units) for name in UNIT_COUNTERS)


def conv_layer_outputs(inputs, weights, bias, job: UnitJob, n_units: int, fmt: FixedFormat,
                       relu: bool) -> np.ndarray:
    """Outputs ``[m_count * P]`` of a conv/FC job over all input channels, pass by pass.

    The same for either ``pass_accumulation``: every sum wraps at ``acc_width`` bits, and
    wrapping addition does not depend on the order of its terms.

    ``inputs`` ``[C, in_h, in_w]`` (the tile of every input channel), ``weights``
    ``[m_count, C, K, K]``, ``bias`` ``[m_count]``; the unit register ``bias`` is 0.
    """
    inputs = np.asarray(inputs, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    unit_job = UnitJob(**{**job.__dict__, "bias": 0})
    running = None
    for c0 in range(0, inputs.shape[0], n_units):
        partial = np.zeros(job.m_count * job.positions, dtype=np.int64)
        for c in range(c0, min(inputs.shape[0], c0 + n_units)):
            partial = wrap(partial + unit_outputs(inputs[c], weights[:, c], unit_job, fmt), fmt.acc_width)
        running = partial if running is None else wrap(running + partial, fmt.acc_width)
    channel_bias = np.repeat(bias_to_acc(np.asarray(bias, dtype=np.int64), fmt), job.positions)
    finished = wrap(running + channel_bias, fmt.acc_width)
    if relu:
        finished = np.maximum(finished, 0)
    return requantize_by(finished, job.shift, fmt)


def requantize_by(acc, shift: int, fmt: FixedFormat) -> np.ndarray:
    """``golden.fixed.requantize`` with the register stack's Q-format shift instead of ``fmt.frac``:
    round (``fmt.rounding``) at bit ``shift``, shift arithmetically, saturate or wrap to ``fmt.width``."""
    acc = np.asarray(acc, dtype=np.int64)
    if fmt.rounding == "half_up" and shift > 0:
        acc = acc + (np.int64(1) << (shift - 1))
    shifted = acc >> shift
    if fmt.overflow == "saturate":
        return np.clip(shifted, fmt.min_value, fmt.max_value)
    return wrap(shifted, fmt.width)


def pool_layer_outputs(inputs, job: UnitJob, fmt: FixedFormat) -> np.ndarray:
    """Max-pool of every channel ``[C * P]`` (channel-major), as the units return them."""
    return np.concatenate([unit_outputs(channel, None, job, fmt) for channel in np.asarray(inputs)])


def system_counts(jobs: list[LayerJob], geo, variant: str, n_units: int) -> dict:
    """Every counter of the system after running ``jobs`` (``golden.hydra.cycles.layer_jobs``) in order."""
    counts = dict.fromkeys(system_counter_names(n_units), 0)
    for lj in jobs:
        job, read = unit_counts(lj, geo, variant)
        for units, increments in ((lj.active_units, job), (lj.read_units, read)):
            for u in range(units):
                for name, value in increments.items():
                    counts[f"u{u}_{name}"] += value
        flags = lj.read_flags
        entries = lj.job.channels * lj.job.positions
        words = job_read_transfers(lj.job, geo.rau_entries)  # one memory word per transfer
        counts["outputs"] += outputs_of(lj)
        counts["bias_writes"] += bias_words(lj, geo.values_per_word)
        if lj.reads and not lj.job.is_pool:
            counts["sums"] += entries
            counts["acc_reads"] += 0 if flags & READ_FIRST else words
            counts["acc_writes"] += 0 if flags & READ_LAST else words
            counts["bias_reads"] += words if flags & READ_LAST else 0
    return counts


TRAFFIC_COSTS = {"dram_read_bits": "dram.array_read_energy", "dram_write_bits": "dram.array_write_energy",
                 "pcm_read_bits": "pcm.array_read_energy"}


def traffic_from_counters(counts: dict, geo, n_units: int) -> dict:
    """Main-memory bits of a run from the system's counters (Hydra: activations and outputs in DRAM,
    weights and biases read from PCM): AB words from DRAM, WB and bias words from PCM, outputs to DRAM."""
    ab = sum(counts[f"u{u}_ab_writes"] for u in range(n_units))
    wb = sum(counts[f"u{u}_wb_writes"] for u in range(n_units))
    return {"dram_read_bits": ab * geo.bus_width,
            "pcm_read_bits": (wb + counts["bias_writes"]) * geo.bus_width,
            "dram_write_bits": counts["outputs"] * geo.width}


def transfer_energy(traffic: dict, tech):
    """Data-transfer energy (array read/write per bit, Table I) through ``golden.energy.account``."""
    from hymem.golden.energy import account, event_costs

    return account(traffic, event_costs(tech, {event: (q, 1) for event, q in TRAFFIC_COSTS.items()}))
