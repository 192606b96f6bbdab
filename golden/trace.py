"""Golden event timelines as VCD (pyvcd), to view beside the RTL's waveform dump.

A timeline is ``{signal name: (width, per-cycle values)}``; cycle ``c`` is drawn
at time ``c * period`` so that, with the testbench's clock period and reset
offset, model and RTL line up in GTKWave or Surfer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from vcd import VCDWriter


def write_vcd(path: Path | str, signals: dict, period_ns: int = 10, offset_ns: int = 0,
              scope: str = "golden") -> Path:
    """Write ``signals`` to ``path``, plus ``cycle`` (the cycle index); only changes are emitted."""
    path = Path(path)
    n_cycles = max((len(values) for _, values in signals.values()), default=0)
    signals = {"cycle": (32, np.arange(n_cycles)), **signals}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f, VCDWriter(f, timescale="1 ns", date="today") as writer:
        handles = {
            name: (writer.register_var(scope, name, "wire", size=width), np.asarray(values))
            for name, (width, values) in signals.items()
        }
        previous = {}
        for cycle in range(n_cycles):
            for name, (var, values) in handles.items():
                if cycle < len(values) and previous.get(name) != values[cycle]:
                    writer.change(var, offset_ns + cycle * period_ns, int(values[cycle]))
                    previous[name] = values[cycle]
    return path
