"""The study registry: what ``hymem sweep SYSTEM STUDY`` can run.

A study is a pure, batched function of (points, context) -> rows, plus the default grid it
sweeps.  A system registers one with a decorator in its ``golden/<system>/sweeps.py`` (found by
that name, so a new system needs no other registration line)::

    from hymem.golden.sweep import Axis, study

    @study("rram", "space", axes={"buffer_kb": Axis((256, 512, 1024))}, networks=("vgg11",),
           config=load_rram_config, description="125-point design space (Table 5)")
    def space(points, context):
        return [{"energy_uj": ..., "cycles": ...} for p in points]

``evaluate(points, context)`` receives a list of point dicts (every axis by name, ``network``
when the study sweeps networks, ``seed`` when it is seeded) and returns one dict of outputs
per point, in order.  It must be a module-level function (it is pickled to process-pool and
Dask workers) and deterministic: the same point gives the same row in any process.
``prepare(config)`` (optional) runs once in the driver and its result — the ``context`` —
is shipped with every batch; keep it small (a trained model is fine, a data set is not).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hymem.golden.config import ConfigError

#: systems whose ``golden/<system>/sweeps.py`` is imported to fill the registry
SYSTEMS = ("hydra", "rana", "maxnvm", "rram", "shycache")


@dataclass(frozen=True)
class Axis:
    """One named parameter: its default values, and the values allowed (None: any of its type).

    The type of the first default value is the type a ``--grid`` string is converted to
    (int, float, str or bool); ``minimum`` bounds numbers from below (inclusive); ``check``
    (optional) raises ``ConfigError`` naming what is wrong with a value (e.g. a cache geometry
    that breaks the area rule)."""

    values: tuple
    choices: tuple | None = None
    minimum: float | None = None
    check: Callable[[object], None] | None = None

    @property
    def kind(self) -> type:
        return type(self.values[0])


@dataclass(frozen=True)
class Study:
    system: str
    name: str
    evaluate: Callable[[Sequence[dict], object], list[dict]]
    axes: dict[str, Axis]
    config: Callable[[], object]
    description: str
    networks: tuple[str, ...] | None = None          # None: the study does not sweep networks
    network_axes: Callable[[str], dict[str, Axis]] | None = None   # axes that depend on the net
    prepare: Callable[[object], object] | None = None
    # the context of one network's batches, made in the driver when that network's first batch
    # is submitted and shared with the workers once (a SHyCache trace); a batch never spans
    # two networks then
    network_context: Callable[[object, str], object] | None = None
    seeded: bool = False
    batch: int = 1000                                # default points per task
    heat: str | None = None                          # output column a two-axis heat map shows
    heat_axes: tuple[str, str] | None = None         # (rows, columns) axes; default first two
    pareto: tuple[str, str] | None = None            # (x, y) output columns, both minimised
    outputs: tuple[str, ...] = field(default=())     # output columns, in order (documentation)

    @property
    def key(self) -> str:
        return f"{self.system}/{self.name}"


_STUDIES: dict[tuple[str, str], Study] = {}
_loaded = False


def study(system: str, name: str, **kwargs):
    """Decorator registering ``evaluate(points, context) -> rows`` as study ``system``/``name``."""
    def deco(fn):
        _STUDIES[system, name] = Study(system, name, fn, **kwargs)
        return fn
    return deco


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for system in SYSTEMS:
        try:
            importlib.import_module(f"hymem.golden.{system}.sweeps")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"hymem.golden.{system}", f"hymem.golden.{system}.sweeps"):
                raise
    _loaded = True


def list_studies() -> list[Study]:
    _load()
    return [_STUDIES[k] for k in sorted(_STUDIES)]


def get_study(system: str, name: str) -> Study:
    """The registered study; an unknown name lists the valid ones."""
    _load()
    if (system, name) in _STUDIES:
        return _STUDIES[system, name]
    systems = sorted({s for s, _ in _STUDIES})
    if system not in systems:
        raise ConfigError(f"no sweep studies for system {system!r}; valid: {', '.join(systems)}")
    names = sorted(n for s, n in _STUDIES if s == system)
    raise ConfigError(f"unknown {system} study {name!r}; valid: {', '.join(names)}")
