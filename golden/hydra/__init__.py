"""Hydra (seed 001): DRAM+PCM near-memory units.

Importing the package registers the DRAM/PCM job cost that ``[system] tiling = "dram_pcm"`` tiles
layers with (``golden.hydra.cycles.register_jobs_memory_cost``; ``command_stream`` builds on
``cycles``, so ``cycles`` cannot import it).
"""

from hymem.golden.hydra import command_stream  # noqa: F401  (registers the dram_pcm job cost)
