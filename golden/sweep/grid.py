"""Grids: ``--grid KEY=V1,V2`` and ``--grid-file`` parsing, expansion into points, point keys
and the deterministic per-point seed.

A point is a dict: ``network`` first (when the study sweeps networks), then every axis in the
study's order.  Its *key* is that dict as compact JSON, which identifies the point in an output
directory (``--resume``) whatever the grid it came from; its *seed* is a hash of the study and
the key, so it does not depend on the batch, the worker or the order the points ran in.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from pathlib import Path

from hymem.golden.config import ConfigError, load_toml

from .registry import Axis, Study

_TRUE, _FALSE = ("true", "yes", "1", "on"), ("false", "no", "0", "off")


def _convert(name: str, axis: Axis, raw):
    """One grid value as the axis' type, checked against its choices and minimum."""
    kind = axis.kind
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if kind is bool:
                if text.lower() not in _TRUE + _FALSE:
                    raise ValueError
                value = text.lower() in _TRUE
            else:
                value = kind(text)
        except ValueError:
            raise ConfigError(f"grid {name}: {raw!r} is not a valid {kind.__name__}") from None
    elif kind is float and isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif type(raw) is kind:
        value = raw
    else:
        raise ConfigError(f"grid {name}: {raw!r} is not a valid {kind.__name__}")
    if kind is float and not math.isfinite(value):
        raise ConfigError(f"grid {name}: {raw!r} is not a finite number")
    if axis.choices is not None and value not in axis.choices:
        raise ConfigError(f"grid {name}: {raw!r} is not one of {', '.join(map(str, axis.choices))}")
    if axis.minimum is not None and value < axis.minimum:
        raise ConfigError(f"grid {name}: {raw!r} is below the minimum {axis.minimum:g}")
    if axis.check is not None:
        axis.check(value)
    return value


def _axes_of(study: Study, networks) -> dict[str, Axis]:
    """Every axis a grid may name: the study's, and those that depend on each network."""
    axes = dict(study.axes)
    if study.network_axes:
        for net in networks or ():
            for name, axis in study.network_axes(net).items():
                axes.setdefault(name, axis)
    return axes


def parse_grid(study: Study, items, networks=None) -> dict[str, tuple]:
    """``{axis: values}`` from ``KEY=V1,V2,...`` strings; unknown keys list the valid ones."""
    grid: dict[str, tuple] = {}
    valid = _axes_of(study, networks)
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise ConfigError(f"grid {item!r}: expected KEY=V1,V2,...")
        grid[key] = _values(study, valid, key, values.split(","))
    return grid


def _values(study: Study, valid: dict[str, Axis], key: str, raw) -> tuple:
    if key not in valid:
        raise ConfigError(f"grid key {key!r} is not an axis of {study.key}; valid: "
                          f"{', '.join(valid) or '(none)'}")
    if not raw:
        raise ConfigError(f"grid {key}: no values")
    if valid[key].choices is None or not study.network_axes or key in study.axes:
        return tuple(dict.fromkeys(_convert(key, valid[key], v) for v in raw))
    # a network-dependent axis: checked per network at expansion, converted by type here
    return tuple(dict.fromkeys(_convert(key, Axis(valid[key].values), v) for v in raw))


def load_grid_file(study: Study, path: Path, networks=None) -> tuple[dict[str, tuple], tuple | None]:
    """``[grid]`` table of a TOML file (``key = [v1, v2]`` or a scalar) and optional top-level
    ``networks = [...]``."""
    doc = load_toml(path)
    unknown = sorted(set(doc) - {"grid", "networks"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; valid: grid, networks")
    nets = doc.get("networks")
    if nets is not None:
        if not isinstance(nets, list) or not all(isinstance(n, str) for n in nets):
            raise ConfigError(f"{path}: networks must be a list of names")
        nets = tuple(nets)
    table = doc.get("grid", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [grid] must be a table of axis = [values]")
    valid = _axes_of(study, nets or networks or study.networks)
    grid = {k: _values(study, valid, k, v if isinstance(v, list) else [v]) for k, v in table.items()}
    return grid, nets


def check_networks(study: Study, networks) -> tuple[str, ...] | None:
    """The networks to sweep (default: the study's); each must load (zoo name or .onnx file)."""
    if study.networks is None:
        if networks:
            raise ConfigError(f"{study.key} does not sweep networks; drop --networks")
        return None
    from hymem.golden.workloads import load_network

    nets = tuple(dict.fromkeys(networks or study.networks))
    for n in nets:
        load_network(n)  # an unknown name lists the zoo
    return nets


def expand(study: Study, grid: dict[str, tuple] | None = None, networks=None) -> list[dict]:
    """Every point of ``grid`` (overriding the study's default values) x ``networks``, in order:
    networks outermost, then the axes as the study declares them."""
    grid = grid or {}
    nets = check_networks(study, networks)
    valid = _axes_of(study, nets)
    unknown = sorted(set(grid) - set(valid))
    if unknown:
        raise ConfigError(f"grid key(s) {', '.join(unknown)} not axes of {study.key}; valid: "
                          f"{', '.join(valid)}")
    if nets is None:
        checked = {k: tuple(_convert(k, study.axes[k], v) for v in vals) if k in study.axes else vals
                   for k, vals in grid.items()}
        return _product(study.axes, checked)
    points = []
    for net in nets:
        axes = {**(study.network_axes(net) if study.network_axes else {}), **study.axes}
        net_grid = {k: tuple(_convert(k, axes[k], v) for v in vals) if k in axes else vals
                    for k, vals in grid.items()}
        points += _product({"network": Axis((net,)), **axes}, net_grid)
    return points


def effective_grid(study: Study, grid: dict[str, tuple] | None = None, networks=None) -> dict:
    """``{parameter: [values]}`` the points take, in point order (network-dependent axes: the
    union over the networks)."""
    grid = grid or {}
    nets = check_networks(study, networks)
    out: dict[str, list] = {} if nets is None else {"network": list(nets)}
    for net in nets or ():
        for k, axis in (study.network_axes(net) if study.network_axes else {}).items():
            out.setdefault(k, [])
            out[k] += [v for v in grid.get(k, axis.values) if v not in out[k]]
    out.update({k: list(grid.get(k, axis.values)) for k, axis in study.axes.items()})
    return out


def _product(axes: dict[str, Axis], grid: dict[str, tuple]) -> list[dict]:
    names = list(axes)
    values = [grid.get(n, axes[n].values) for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def point_key(point: dict) -> str:
    """The identity of a point: its parameters as compact JSON, in their order."""
    return json.dumps(point, separators=(",", ":"))


def point_seed(study: Study, key: str) -> int:
    """A 63-bit seed of the point, from the study and the key only."""
    digest = hashlib.sha256(f"{study.key}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1
