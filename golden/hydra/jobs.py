"""A Hydra layer as the host runs it: :class:`LayerJob` (one job: register stack, units, tile)
and the RAU's READ flags, shared by the function (``golden.hydra.system``) and cost
(``golden.hydra.cycles``) models, the RTL (flag bits) and the testbench drivers.

``golden.hydra.cycles.layer_jobs`` builds a layer's jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from hymem.golden.hydra.unit import UnitJob

# The READ command's flags (``addr`` of a system READ): first pass into the RAU (no running sum
# yet), last pass (bias, ReLU, requantize, send), ReLU, max-pool pass-through; with [system]
# overlap, READ_BANK names the output-buffer bank drained and READ_BIAS_BANK the RAU's bias bank
# (docs/hydra.md, "Overlapped schedule").
READ_FIRST, READ_LAST, READ_RELU, READ_POOL, READ_BANK, READ_BIAS_BANK = 1, 2, 4, 8, 16, 32
# START's addr with [system] overlap: bit 0 the input (AB/WB) bank, bit 1 the output-buffer bank.
START_IN_BANK, START_OB_BANK = 1, 2


@dataclass(frozen=True)
class LayerJob:
    """One job of a layer: the register stack plus how many units run it and the tile's data."""

    job: UnitJob
    r0: int                # first output row of the tile
    y0: int                # first input row held in AB
    m0: int                # first output channel of the chunk
    c0: int                # first input channel of the pass (unit u holds c0 + u)
    active_units: int      # input channels in this pass
    ab_words: int          # AB words written per active unit
    wb_words: int          # WB words written per active unit
    read_flags: int | None  # the READ's RAU flags (READ_FIRST/LAST/POOL, no RELU); None: no READ
    read_units: int        # units the READ drains (accumulating in the units: all with partials)

    @property
    def reads(self) -> bool:
        return self.read_flags is not None



def overlap_banks(jobs: list[LayerJob]) -> list[tuple[int, int]]:
    """``(input bank, output-buffer bank)`` of each job of a layer with [system] overlap: the input
    banks alternate job by job; a job's OB bank flips after every job that is READ, so the passes
    of one output-channel chunk accumulate in one bank while the previous chunk is read from the
    other."""
    banks, ob = [], 0
    for j, lj in enumerate(jobs):
        banks.append((j % 2, ob))
        ob ^= int(lj.reads)
    return banks


def bias_banks(jobs: list[LayerJob]) -> list[int]:
    """The RAU bias bank of each job with [system] overlap: it alternates chunk by chunk (a chunk
    begins with its first input-channel pass), so a chunk's biases may be written while the
    previous chunk's last READ still uses its own."""
    banks, bank = [], 1
    for lj in jobs:
        bank ^= int(lj.c0 == 0)
        banks.append(bank)
    return banks


def bias_bank_words(geo) -> int:
    """Words of one bank of the RAU's bias memory: a bias per output channel a unit's weight
    buffer can hold (``WRITE_BIAS`` of bank b starts at word ``b * bias_bank_words``)."""
    return max(1, -(-geo.wb_values // geo.values_per_word))


def start_addr(in_bank: int, ob_bank: int) -> int:
    """START's ``addr`` naming the banks."""
    return (START_IN_BANK if in_bank else 0) | (START_OB_BANK if ob_bank else 0)


def rau_flags(lj: LayerJob, relu: bool) -> int:
    """READ flags of a layer job that is read (:attr:`LayerJob.reads`), ReLU added."""
    flags = lj.read_flags
    return flags | READ_RELU if relu and flags & READ_LAST else flags


def outputs_of(lj: LayerJob) -> int:
    """Values the system sends on ``rdata`` for a layer job."""
    if lj.job.is_pool:
        return lj.read_units * lj.job.positions
    return lj.job.channels * lj.job.positions if lj.reads and lj.read_flags & READ_LAST else 0


def bias_words(lj: LayerJob, values_per_word: int) -> int:
    """WRITE_BIAS words of a layer job: the chunk's biases, written on its first pass."""
    if lj.job.is_pool or lj.c0 != 0:
        return 0
    return -(-lj.job.m_count // values_per_word)
