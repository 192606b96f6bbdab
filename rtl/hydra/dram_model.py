"""The DRAM of the Hydra simulation top: Table I's DRAM timings on the memory clock."""

from __future__ import annotations

from hymem.golden.hydra.command_stream import DeviceTicks, request_address_bits
from hymem.rtl.hydra.memory_device import MemoryDevice


class DramModel(MemoryDevice):
    """:class:`MemoryDevice` with the DRAM timings of ``[memory] tech`` (Table I: tRCD = tCL = tRP
    = 5, tCCD = 4, tWL = 4, tWR = 6, tRTP = 3 memory clocks) in ticks of ``[sim_top]
    data_beats_per_clock``; ``[sim_top] dram_depth`` beats of ``n_units × bus_width`` bits; image
    files ``dram.hex`` / ``dram_dump.hex``.  Holds activation tiles and the outputs written back."""

    def __init__(self, config):
        super().__init__(
            "dram",
            DeviceTicks.of(config, "dram"),
            config.system.n_units * config.unit.bus_width,
            config.sim_top.dram_depth,
            config.mac.counter_width,
            request_address_bits(config),
        )
