"""One parameter source per system: ``configs/<system>.toml`` → frozen dataclass.

The same dataclass instance elaborates the RTL, parameterizes the golden model
and configures the testbench (SPEC §3).  Loading is strict: unknown keys,
missing keys and values of the wrong type are rejected with the TOML path of
the offending entry, so a typo never silently falls back to a default.  A float
must be finite (TOML allows ``inf`` and ``nan``; no parameter means either), a
file that is not UTF-8 text is a clean error, and each params module checks the
ranges stated next to its keys in the TOML (:func:`check_range` words them).
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
import typing
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


class ConfigError(ValueError):
    """A configuration file or value that violates a documented constraint."""


def config_path(name: str) -> Path:
    """Path of ``configs/<name>.toml``; unknown names list the valid ones."""
    path = CONFIG_DIR / f"{name}.toml"
    if not path.is_file():
        valid = sorted(p.stem for p in CONFIG_DIR.glob("*.toml"))
        raise ConfigError(f"unknown config {name!r}; valid: {', '.join(valid)}")
    return path


def name_key(name: str) -> str:
    """How names compare: case, punctuation and spaces ignored, ``*`` read as ``star``, so
    ``RANA*(E-5)`` can be typed ``rana-star-e5`` and ``S+ID`` as ``s-id`` (no shell quoting)."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower().replace("*", "star"))


def resolve_name(kind: str, name: str, valid) -> str:
    """The canonical spelling in ``valid`` that ``name`` means (see :func:`name_key`);
    an unknown name is a :class:`ConfigError` listing the valid ones."""
    valid = list(valid)
    matches = [v for v in valid if name_key(v) == name_key(name)]
    if len(matches) == 1:
        return matches[0]
    if name in valid:
        return name
    raise ConfigError(f"unknown {kind} {name!r}; valid: {', '.join(valid)}")


def load_toml(path: Path | str) -> dict:
    path = Path(path)
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a TOML text file (byte {exc.start} is not UTF-8)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None


def check_range(where: str, value, lo=None, hi=None, *, lo_open: bool = False,
                hi_open: bool = False, why: str = "") -> None:
    """``value`` of TOML key ``where`` must lie in the interval; the error states it.

    ``lo``/``hi`` None: unbounded on that side; ``*_open``: the bound itself is excluded.
    ``why`` names the constraint behind the bound (e.g. the RTL word that holds it)."""
    ok = (lo is None or (value > lo if lo_open else value >= lo)) and \
         (hi is None or (value < hi if hi_open else value <= hi))
    if ok:
        return
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    span = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
    raise ConfigError(f"{where}={value!r}: must be in {span}" + (f" ({why})" if why else ""))


def from_dict(cls, data: dict, where: str = ""):
    """Build dataclass ``cls`` from ``data`` recursively and strictly.

    Nested dataclass fields take TOML tables; keys starting with ``_`` (for
    example ``_source`` notes) are documentation and ignored.  ``where`` is the
    dotted TOML path used in error messages.
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    data = {k: v for k, v in data.items() if not k.startswith("_")}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where or cls.__name__}: unknown key(s) {', '.join(unknown)}; "
            f"valid: {', '.join(sorted(fields))}"
        )
    kwargs = {}
    for name, field in fields.items():
        path = f"{where}.{name}" if where else name
        if name not in data:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{path}: missing")
            continue
        kwargs[name] = _coerce(hints[name], data[name], path)
    return cls(**kwargs)


def _coerce(hint, value, path: str):
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a table, got {value!r}")
        return from_dict(hint, value, path)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (int, float, str, bool) and not _is_exactly(value, hint):
        raise ConfigError(f"{path}: expected {hint.__name__}, got {value!r}")
    if hint is float and not math.isfinite(value):
        raise ConfigError(f"{path}: expected a finite number, got {value!r}")
    return value


def _is_exactly(value, kind) -> bool:
    """isinstance, except that a TOML boolean is not an int."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))
