"""Memory- and compute-technology tables: ``configs/tech/*.toml`` → :class:`Technology`.

Every number in a tech file is a *quantity*: an inline table with its value,
its unit and its source, e.g.::

    seed = "004_17b579f82c765fa8.txt"          # default seed of the file

    [components.edram_32kb]
    kind = "edram"
    description = "32 KB eDRAM bank, 65 nm"
    refresh_energy = { value = 48.1, unit = "pJ", per = "16-bit refresh", source = "Table III" }

A bare number is rejected (a number without its unit is how tables go wrong),
as is an unknown unit; units convert only within their dimension
(``Quantity.to``).  ``per`` says what one event is when a cost is per event.
The quantity's source is the file's (or component's) ``seed`` plus its
``source`` field.  Keys starting with ``_`` are notes and ignored.

A user adds a technology by dropping a TOML file into ``configs/tech/`` or by
passing the file's path wherever a technology name is accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from hymem.golden.config import CONFIG_DIR, ConfigError, load_toml

TECH_DIR = CONFIG_DIR / "tech"

# unit → (dimension, factor to the dimension's base unit)
_KIB, _MIB, _GIB = 1024, 1024**2, 1024**3
UNITS: dict[str, tuple[str, float]] = {
    # energy, base pJ
    "fJ": ("energy", 1e-3), "pJ": ("energy", 1.0), "nJ": ("energy", 1e3),
    "uJ": ("energy", 1e6), "mJ": ("energy", 1e9), "J": ("energy", 1e12),
    "pJ/bit": ("energy_per_bit", 1.0), "fJ/bit": ("energy_per_bit", 1e-3),
    # time, base ns; clock cycles are their own dimension (need a clock to convert)
    "ps": ("time", 1e-3), "ns": ("time", 1.0), "us": ("time", 1e3), "ms": ("time", 1e6),
    "s": ("time", 1e9), "min": ("time", 60e9),
    "cycles": ("cycles", 1.0),
    # frequency, base Hz
    "Hz": ("frequency", 1.0), "kHz": ("frequency", 1e3), "MHz": ("frequency", 1e6),
    "GHz": ("frequency", 1e9), "fps": ("frame_rate", 1.0),
    # power, base mW
    "nW": ("power", 1e-6), "uW": ("power", 1e-3), "mW": ("power", 1.0), "W": ("power", 1e3),
    # area, base um²; cell area in F² (feature size squared)
    "um2": ("area", 1.0), "mm2": ("area", 1e6), "F2": ("cell_area", 1.0),
    # length, base nm
    "nm": ("length", 1.0), "um": ("length", 1e3), "mm": ("length", 1e6),
    # capacity, base bytes (binary prefixes, as memory macros are sized)
    "bit": ("capacity", 1 / 8), "Kb": ("capacity", _KIB / 8), "Mb": ("capacity", _MIB / 8),
    "Gb": ("capacity", _GIB / 8), "B": ("capacity", 1.0), "KB": ("capacity", _KIB),
    "MB": ("capacity", _MIB), "GB": ("capacity", _GIB),
    # bandwidth, base bytes/s (decimal, as data sheets quote it)
    "MB/s": ("bandwidth", 1e6), "GB/s": ("bandwidth", 1e9),
    # dimensionless: counts, ratios, probabilities; bits per MLC cell
    "1": ("dimensionless", 1.0), "bit/cell": ("bits_per_cell", 1.0),
}


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, what one event is (``per``) and its source."""

    value: float
    unit: str
    source: str
    per: str = ""

    @property
    def dimension(self) -> str:
        return UNITS[self.unit][0]

    def to(self, unit: str) -> float:
        """This value expressed in ``unit`` (same dimension only)."""
        if unit not in UNITS:
            raise ConfigError(f"unknown unit {unit!r}; valid: {', '.join(UNITS)}")
        dim, factor = UNITS[unit]
        if dim != self.dimension:
            raise ConfigError(f"cannot convert {self.unit} ({self.dimension}) to {unit} ({dim})")
        return self.value * UNITS[self.unit][1] / factor

    def __str__(self) -> str:
        per = f" per {self.per}" if self.per else ""
        return f"{self.value:g} {self.unit}{per}"


@dataclass(frozen=True)
class Component:
    """One memory macro, compute unit or platform with its quantities."""

    name: str
    kind: str
    description: str = ""
    quantities: dict[str, Quantity] = field(default_factory=dict)
    attrs: dict[str, str | bool] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Quantity:
        try:
            return self.quantities[key]
        except KeyError:
            raise ConfigError(f"component {self.name!r} has no quantity {key!r}; valid: "
                              f"{', '.join(self.quantities)}") from None


@dataclass(frozen=True)
class Technology:
    name: str
    description: str
    path: Path
    components: dict[str, Component]

    def __getitem__(self, key: str) -> Component:
        try:
            return self.components[key]
        except KeyError:
            raise ConfigError(f"technology {self.name!r} has no component {key!r}; valid: "
                              f"{', '.join(self.components)}") from None

    def quantity(self, dotted: str) -> Quantity:
        """``"component.quantity"`` lookup."""
        comp, _, qty = dotted.partition(".")
        return self[comp][qty]


def list_techs() -> list[str]:
    return sorted(p.stem for p in TECH_DIR.glob("*.toml"))


def tech_path(name: str | Path) -> Path:
    """A name in ``configs/tech`` or a path to a TOML file; unknown names list valid ones."""
    p = Path(name)
    if p.suffix == ".toml" and p.is_file():
        return p
    p = TECH_DIR / f"{name}.toml"
    if p.is_file():
        return p
    raise ConfigError(f"unknown technology {str(name)!r}; valid: {', '.join(list_techs())}")


def load_tech(name: str | Path) -> Technology:
    """Load and validate one technology table."""
    path = tech_path(name)
    data = load_toml(path)
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    allowed = {"name", "description", "seed", "components"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(allowed))}")
    for key in ("name", "description", "components"):
        if key not in data:
            raise ConfigError(f"{path}: missing {key!r}")
    if not isinstance(data["components"], dict) or not data["components"]:
        raise ConfigError(f"{path}: 'components' must be a non-empty table")
    seed = data.get("seed", "")
    comps = {cname: _component(path, cname, body, seed)
             for cname, body in data["components"].items()}
    return Technology(str(data["name"]), str(data["description"]), path, comps)


def _component(path: Path, cname: str, body, seed: str) -> Component:
    where = f"{path.name}: components.{cname}"
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: expected a table")
    body = {k: v for k, v in body.items() if not k.startswith("_")}
    if "kind" not in body:
        raise ConfigError(f"{where}: missing 'kind'")
    seed = body.pop("seed", seed)
    kind = body.pop("kind")
    desc = body.pop("description", "")
    quantities: dict[str, Quantity] = {}
    attrs: dict[str, str | bool] = {}
    for key, val in body.items():
        if isinstance(val, dict):
            quantities[key] = _quantity(f"{where}.{key}", val, seed)
        elif isinstance(val, str | bool):
            attrs[key] = val
        else:
            raise ConfigError(
                f"{where}.{key}: bare value {val!r}; numbers need a unit and a source: "
                f'{{ value = {val!r}, unit = "...", source = "Table ..." }}'
            )
    return Component(cname, str(kind), str(desc), quantities, attrs)


def _quantity(where: str, val: dict, seed: str) -> Quantity:
    allowed = {"value", "unit", "source", "per", "seed"}
    unknown = sorted(set(val) - allowed - {k for k in val if k.startswith("_")})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(allowed))}")
    for key in ("value", "unit", "source"):
        if key not in val:
            raise ConfigError(f"{where}: missing {key!r}")
    value = val["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: value must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{where}: value must be a finite number >= 0 (an energy, time, size "
                          f"or rate), got {value!r}")
    unit = val["unit"]
    if unit not in UNITS:
        raise ConfigError(f"{where}: unknown unit {unit!r}; valid: {', '.join(UNITS)}")
    seed = val.get("seed", seed)
    source = f"seed {seed}, {val['source']}" if seed else str(val["source"])
    return Quantity(float(value), unit, source, str(val.get("per", "")))


__all__ = ["TECH_DIR", "UNITS", "Component", "ConfigError", "Quantity", "Technology",
           "list_techs", "load_tech", "tech_path"]
