"""Retention-aware training (seed 004 §IV-B, Fig. 9/11) on the shared digits CNN.

The analog of Fig. 11 on a network this project can train in seconds: the
digits CNN of :mod:`golden.nn` (scikit-learn's 8×8 digits, 16-bit fixed point).
A retention failure makes a stored bit read back as a random 0/1
(:func:`golden.nn.inject_bit_errors`); at failure rate ``r`` every bit of each
layer's fixed-point inputs and weights fails independently with probability
``r``.

Number format (``StudyOptions.number_format``):

* ``"dynamic"`` (default): per-layer fixed point, each layer's weights and
  inputs with as many fractional bits as their range allows
  (:func:`golden.nn.dynamic_formats`, calibrated on the training images), as
  16-bit accelerators store layers (the paper's networks would not survive one
  global format without losing accuracy); evaluated with the float model
  quantized per layer;
* ``"q8.8"``: the project's global FX16 Q8.8, evaluated bit-exactly (integer
  inference).  A random value in one of its 8 integer bits turns a 0.05 weight
  into ±64…128, so single errors are catastrophic here.

For each ``r`` and each seeded repeat:

* *without retraining*: the pretrained model, quantized, evaluated ``draws``
  times with fresh errors at rate ``r`` (the mean of the draws: one draw is a
  poor estimate, because rare errors in high-order bits collapse a whole
  evaluation);
* *with retraining*: the pretrained model fine-tuned for ``epochs`` epochs
  with errors at rate ``r`` injected into the forward pass (straight-through
  gradients, Fig. 9), then evaluated the same way.

"No accuracy loss" at ``r``: the mean accuracy over the repeats is at most
``loss_tolerance`` (default 0.5 percentage point, about 2 of the 450 test
images) below the clean accuracy in the same format.  The largest such ``r`` of
the retrained model is the tolerable failure rate; the retention distribution
(:mod:`golden.rana.retention`) turns it into the tolerable retention time,
reported beside the paper's 1e-5 / 734 µs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.rana.params import RetentionParams
from hymem.golden.rana.retention import distribution, tolerable_retention_us

RATES = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
NUMBER_FORMATS = ("dynamic", "q8.8")


@dataclass(frozen=True)
class StudyOptions:
    rates: tuple[float, ...] = RATES
    repeats: int = 5
    epochs: int = 4
    lr: float = 1e-4
    loss_tolerance: float = 0.005
    seed: int = 2024
    number_format: str = "dynamic"
    draws: int = 20

    def __post_init__(self):
        if self.number_format not in NUMBER_FORMATS:
            raise ConfigError(f"number format {self.number_format!r}; valid: {', '.join(NUMBER_FORMATS)}")
        if self.repeats < 1 or self.draws < 1 or self.epochs < 0:
            raise ConfigError(f"training study: repeats={self.repeats} and draws={self.draws} must be >= 1, "
                              f"epochs={self.epochs} >= 0")


TINY = StudyOptions(rates=(1e-5, 1e-1), repeats=2, epochs=1, draws=2)


@dataclass(frozen=True)
class StudyResult:
    options: StudyOptions
    clean_accuracy: float
    rates: tuple[float, ...]
    plain: tuple[tuple[float, ...], ...]       # accuracy per rate per repeat (mean of the draws), no retraining
    retrained: tuple[tuple[float, ...], ...]   # the same, retrained at that rate

    def mean(self, which: str) -> list[float]:
        return [float(np.mean(a)) for a in getattr(self, which)]

    def standard_error(self, which: str) -> list[float]:
        """Standard error of :meth:`mean` from the spread of the repeats (0 with one repeat)."""
        return [float(np.std(a, ddof=1) / np.sqrt(len(a))) if len(a) > 1 else 0.0 for a in getattr(self, which)]

    def tolerable_rate(self, which: str = "retrained") -> float | None:
        """Largest rate whose mean accuracy loses at most ``loss_tolerance``."""
        ok = [r for r, a in zip(self.rates, self.mean(which), strict=True)
              if a >= self.clean_accuracy - self.options.loss_tolerance]
        return max(ok) if ok else None

    def as_dict(self, retention: RetentionParams | None = None) -> dict:
        doc = {"options": asdict(self.options), "clean_accuracy": self.clean_accuracy,
               "rates": list(self.rates), "plain": [list(a) for a in self.plain],
               "retrained": [list(a) for a in self.retrained],
               "mean_plain": self.mean("plain"), "mean_retrained": self.mean("retrained"),
               "standard_error_plain": self.standard_error("plain"),
               "standard_error_retrained": self.standard_error("retrained"),
               "tolerable_rate": {"plain": self.tolerable_rate("plain"),
                                  "retrained": self.tolerable_rate("retrained")}}
        if retention is not None:
            dist = distribution(retention)
            doc["tolerable_retention_us"] = {
                k: (tolerable_retention_us(dist, r) if r else None) for k, r in doc["tolerable_rate"].items()}
        return doc


class _Evaluator:
    """Accuracy of a float model in the study's number format, with errors at one rate."""

    def __init__(self, opts: StudyOptions):
        from hymem.golden.nn import dynamic_formats, load_digits, load_pretrained, quantize_input

        self.opts = opts
        self.params, info = load_pretrained()
        self.split = load_digits(info["split_seed"], info["test_fraction"])
        self.x_int = quantize_input(self.split.x_test)
        self.formats = (dynamic_formats(self.params, self.split.x_train) if opts.number_format == "dynamic"
                        else None)

    def transform(self, rate: float, rng):
        from hymem.golden.nn import DEFAULT_FORMAT, bit_error_transform

        return bit_error_transform(rate, rng, self.formats or DEFAULT_FORMAT)

    def accuracy(self, params: dict, rate: float, rng) -> float:
        from hymem.golden.nn import accuracy, accuracy_fixed, quantize_params

        if self.formats is None:
            return accuracy_fixed(quantize_params(params), self.x_int, self.split.y_test,
                                  transform=self.transform(rate, rng))
        return accuracy(params, self.split.x_test, self.split.y_test, transform=self.transform(rate, rng))

    def mean_accuracy(self, params: dict, rate: float, rng) -> float:
        return float(np.mean([self.accuracy(params, rate, rng) for _ in range(self.opts.draws)]))


def point_accuracy(ev: _Evaluator, rate: float, repeat: int) -> dict:
    """One (rate, repeat) of the study: mean accuracy over the draws without and with retraining.

    Its errors come from ``default_rng([seed, index of rate in the options' rates, repeat])``,
    so a point gives the same numbers alone, in a sweep or in :func:`run_study`."""
    from hymem.golden.nn import train

    opts = ev.opts
    if rate not in opts.rates:
        raise ConfigError(f"rate {rate:g} is not one of the study's rates "
                          f"{', '.join(f'{r:g}' for r in opts.rates)} (its seed is its position)")
    rng = np.random.default_rng([opts.seed, opts.rates.index(rate), repeat])
    plain = ev.mean_accuracy(ev.params, rate, rng)
    tuned, _ = train(ev.params, ev.split, opts.epochs, opts.lr, opts.seed + repeat,
                     transform=ev.transform(rate, rng))
    return {"plain_accuracy": plain, "retrained_accuracy": ev.mean_accuracy(tuned, rate, rng)}


def run_study(opts: StudyOptions = StudyOptions(), engine=None,
              progress: bool = False) -> StudyResult:
    """Accuracy vs failure rate with and without retraining (seconds to a minute on one core).

    The (rate, repeat) points are the ``rana training`` sweep (:mod:`golden.rana.sweeps`), run on
    ``engine`` (default: serially in this process); ``progress`` shows a bar."""
    from hymem.golden.sweep import get_study, rows_of

    if len(set(opts.rates)) != len(opts.rates):
        raise ConfigError(f"training study: repeated rates in {opts.rates}")
    ev = _Evaluator(opts)
    clean = ev.accuracy(ev.params, 0.0, np.random.default_rng(opts.seed))   # quantized, no errors
    rows = rows_of(get_study("rana", "training"),
                   {"rate": tuple(opts.rates), "repeat": tuple(range(opts.repeats))},
                   engine=engine, config=opts, context=ev, progress=progress)
    n = opts.repeats
    plain = tuple(tuple(r["plain_accuracy"] for r in rows[i * n:(i + 1) * n]) for i in range(len(opts.rates)))
    retrained = tuple(tuple(r["retrained_accuracy"] for r in rows[i * n:(i + 1) * n])
                      for i in range(len(opts.rates)))
    return StudyResult(opts, clean, tuple(opts.rates), plain, retrained)


def cached_study(opts: StudyOptions = StudyOptions()) -> StudyResult:
    """:func:`run_study`, memoized in ``build/cache/`` by a digest of the options and of all of
    ``golden/`` and ``configs/`` (:mod:`golden.cache`); a cold run shows a progress bar."""
    from hymem.golden.cache import cached_json

    d = cached_json("rana_training", asdict(opts), lambda: run_study(opts, progress=True).as_dict())
    return StudyResult(opts, d["clean_accuracy"], tuple(d["rates"]),
                       tuple(map(tuple, d["plain"])), tuple(map(tuple, d["retrained"])))
