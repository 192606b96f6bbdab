"""eDRAM retention-time distribution (Fig. 8 of seed 004, after Kong et al. [6]).

The failure rate ``F(t)`` is the fraction of cells whose retention time is at
most ``t``.  The paper gives two points of Fig. 8: the weakest cell of a 32 KB
eDRAM at 45 µs (F = 3e-6) and ≈ 3 cells at 734 µs (F = 1e-5).

Functional form (``model = "power_law"``): a straight line in log–log space
through both points, ``F(t) = F1 · (t / t1)^b`` with
``b = ln(F2/F1) / ln(t2/t1) ≈ 0.431``, capped at 1.  It is the simplest
monotone form that passes exactly through both published points; the left
tail of a log-normal retention distribution is locally of this shape.
Outside [45, 734] µs it is an extrapolation.

``model = "table"``: a measured table (TOML, ``[[point]]`` with
``retention_us`` and ``failure_rate``, strictly increasing in both),
interpolated linearly in log–log space and extrapolated with the end slopes.

:func:`tolerable_retention_us` inverts either: the longest refresh interval
whose failure rate does not exceed a tolerable rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hymem.golden.config import CONFIG_DIR, ConfigError, load_toml
from hymem.golden.rana.params import RetentionParams


@dataclass(frozen=True)
class RetentionDistribution:
    """Failure rate vs retention time as a log–log piecewise-linear curve."""

    log_t: tuple[float, ...]   # ln(µs), strictly increasing
    log_f: tuple[float, ...]   # ln(rate), strictly increasing
    source: str

    def __post_init__(self):
        t, f = np.asarray(self.log_t), np.asarray(self.log_f)
        if len(t) < 2 or len(t) != len(f):
            raise ConfigError(f"retention table {self.source}: needs >= 2 points of (retention_us, failure_rate)")
        if np.any(np.diff(t) <= 0) or np.any(np.diff(f) <= 0):
            raise ConfigError(f"retention table {self.source}: retention time and failure rate must both "
                              "increase strictly")

    def _slopes(self):
        t, f = np.asarray(self.log_t), np.asarray(self.log_f)
        return (f[1] - f[0]) / (t[1] - t[0]), (f[-1] - f[-2]) / (t[-1] - t[-2])

    def failure_rate(self, retention_us):
        """F(t) for t in µs (array or scalar), capped at 1."""
        t, f = np.asarray(self.log_t), np.asarray(self.log_f)
        x = np.log(np.asarray(retention_us, dtype=float))
        lo, hi = self._slopes()
        y = np.interp(x, t, f)
        y = np.where(x < t[0], f[0] + lo * (x - t[0]), y)
        y = np.where(x > t[-1], f[-1] + hi * (x - t[-1]), y)
        return np.minimum(np.exp(y), 1.0)

    def retention_us(self, failure_rate):
        """Inverse of :meth:`failure_rate`: the time at which F reaches ``failure_rate``."""
        rate = np.asarray(failure_rate, dtype=float)
        if np.any((rate <= 0) | (rate > 1)):
            raise ConfigError(f"failure rate {failure_rate!r}: must be in (0, 1]")
        t, f = np.asarray(self.log_t), np.asarray(self.log_f)
        y = np.log(rate)
        lo, hi = self._slopes()
        x = np.interp(y, f, t)
        x = np.where(y < f[0], t[0] + (y - f[0]) / lo, x)
        x = np.where(y > f[-1], t[-1] + (y - f[-1]) / hi, x)
        return np.exp(x)


def tolerable_retention_us(dist: RetentionDistribution, tolerable_rate: float) -> float:
    """Longest refresh interval (µs) whose failure rate is at most ``tolerable_rate``."""
    return float(dist.retention_us(tolerable_rate))


def power_law(params: RetentionParams) -> RetentionDistribution:
    return RetentionDistribution(
        (float(np.log(params.typical_us)), float(np.log(params.tolerable_us))),
        (float(np.log(params.typical_failure_rate)), float(np.log(params.tolerable_failure_rate))),
        "power law through Fig. 8's (45 us, 3e-6) and (734 us, 1e-5)")


def load_table(path: Path | str) -> RetentionDistribution:
    """A measured table: ``[[point]] retention_us = …, failure_rate = …``."""
    path = Path(path)
    if not path.is_absolute():
        path = CONFIG_DIR / path
    if not path.is_file():
        raise ConfigError(f"retention table {path}: no such file")
    points = load_toml(path).get("point")
    if not isinstance(points, list) or not points:
        raise ConfigError(f"retention table {path}: expected [[point]] entries")
    try:
        t = [float(p["retention_us"]) for p in points]
        f = [float(p["failure_rate"]) for p in points]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"retention table {path}: each point needs retention_us and failure_rate ({exc})") from None
    if not all(np.isfinite(t + f)) or min(t) <= 0 or min(f) <= 0 or max(f) > 1:
        raise ConfigError(f"retention table {path}: retention_us must be finite and > 0, "
                          "failure_rate in (0, 1]")
    return RetentionDistribution(tuple(np.log(t)), tuple(np.log(f)), str(path))


def distribution(params: RetentionParams) -> RetentionDistribution:
    """The distribution ``configs/rana.toml [retention]`` selects."""
    return load_table(params.table_path) if params.model == "table" else power_law(params)


def power_law_exponent(params: RetentionParams) -> float:
    return float(np.log(params.tolerable_failure_rate / params.typical_failure_rate)
                 / np.log(params.tolerable_us / params.typical_us))
