"""The one sweep layer: a study's grid of named parameters x networks, evaluated in batches on a
``concurrent.futures.Executor`` (serial, a local process pool, or a Dask cluster), written as
a table (CSV and JSON lines, with the hymem version and config hash), resumable.

See ``docs/sweeps.md``; a system registers a study with :func:`study` in its
``golden/<system>/sweeps.py``.
"""

from .engine import SweepResult, config_hash, hymem_version, rows_of, run_batch, run_sweep
from .executors import ENGINES, Engine, SerialExecutor, open_engine
from .grid import expand, load_grid_file, parse_grid, point_key, point_seed
from .registry import Axis, Study, get_study, list_studies, study

__all__ = ["ENGINES", "Axis", "Engine", "SerialExecutor", "Study", "SweepResult", "config_hash",
           "expand", "get_study", "hymem_version", "list_studies", "load_grid_file", "open_engine",
           "parse_grid", "point_key", "point_seed", "rows_of", "run_batch", "run_sweep", "study"]
