"""The PCM of the Hydra simulation top: Table I's PCM timings on the memory clock."""

from __future__ import annotations

from hymem.golden.hydra.command_stream import DeviceTicks, request_address_bits
from hymem.rtl.hydra.memory_device import MemoryDevice


class PcmModel(MemoryDevice):
    """:class:`MemoryDevice` with the PCM timings of ``[memory] tech`` (Table I: tRCD = 22,
    tRP = 60, tCL = 5, tCCD = 4, tWL = 4, tWR = 6, tRTP = 3 memory clocks) in ticks of
    ``[sim_top] data_beats_per_clock``; ``[sim_top] pcm_depth`` beats; image files ``pcm.hex`` /
    ``pcm_dump.hex``.  Holds the weights and biases (read only in this design, seed 001 §III)."""

    def __init__(self, config):
        super().__init__(
            "pcm",
            DeviceTicks.of(config, "pcm"),
            config.system.n_units * config.unit.bus_width,
            config.sim_top.pcm_depth,
            config.mac.counter_width,
            request_address_bits(config),
        )
