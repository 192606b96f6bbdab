"""Retention-aware training (seed 004 §IV-B, Fig. 9/11) on the shared digits CNN.

The analog of Fig. 11 on a network this project can train in seconds: the
digits CNN of :mod:`golden.nn` (scikit-learn's 8×8 digits, FX16 Q8.8).  A
retention failure makes a stored bit read back as a random 0/1
(:func:`golden.nn.inject_bit_errors`); at failure rate ``r`` every bit of each
layer's fixed-point inputs and weights fails independently with probability
``r``.

For each ``r`` and each seeded repeat:

* *without retraining*: the committed pretrained model, quantized to FX16,
  evaluated bit-exactly (integer inference) with fresh errors at rate ``r``;
* *with retraining*: the pretrained model fine-tuned for ``epochs`` epochs
  with errors at rate ``r`` injected into the forward pass (straight-through
  gradients, Fig. 9), then evaluated the same way.

"No accuracy loss" at ``r``: the mean accuracy over the repeats is at most
``loss_tolerance`` (default 0.5 percentage point, about 2 of the 450 test
images) below the clean FX16 accuracy of the pretrained model.  The largest
such ``r`` of the retrained model is the tolerable failure rate; the
retention distribution (:mod:`golden.rana.retention`) turns it into the
tolerable retention time, reported beside the paper's 1e-5 / 734 µs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from golden.rana.params import RetentionParams
from golden.rana.retention import distribution, tolerable_retention_us

RATES = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)


@dataclass(frozen=True)
class StudyOptions:
    rates: tuple[float, ...] = RATES
    repeats: int = 5
    epochs: int = 4
    lr: float = 1e-4
    loss_tolerance: float = 0.005
    seed: int = 2024


TINY = StudyOptions(rates=(1e-5, 1e-1), repeats=2, epochs=1)


@dataclass(frozen=True)
class StudyResult:
    options: StudyOptions
    clean_accuracy: float
    rates: tuple[float, ...]
    plain: tuple[tuple[float, ...], ...]       # accuracy per rate per repeat, no retraining
    retrained: tuple[tuple[float, ...], ...]   # accuracy per rate per repeat, retrained at that rate

    def mean(self, which: str) -> list[float]:
        return [float(np.mean(a)) for a in getattr(self, which)]

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
               "tolerable_rate": {"plain": self.tolerable_rate("plain"),
                                  "retrained": self.tolerable_rate("retrained")}}
        if retention is not None:
            dist = distribution(retention)
            doc["tolerable_retention_us"] = {
                k: (tolerable_retention_us(dist, r) if r else None) for k, r in doc["tolerable_rate"].items()}
        return doc


def run_study(opts: StudyOptions = StudyOptions()) -> StudyResult:
    """Accuracy vs failure rate with and without retraining (seconds on one core)."""
    from golden.nn import (
        accuracy_fixed,
        bit_error_transform,
        load_digits,
        load_pretrained,
        quantize_input,
        quantize_params,
        train,
    )

    params, info = load_pretrained()
    split = load_digits(info["split_seed"], info["test_fraction"])
    x_int = quantize_input(split.x_test)
    clean = accuracy_fixed(quantize_params(params), x_int, split.y_test)
    plain, retrained = [], []
    for i, rate in enumerate(opts.rates):
        row_p, row_r = [], []
        for rep in range(opts.repeats):
            rng = np.random.default_rng([opts.seed, i, rep])
            row_p.append(accuracy_fixed(quantize_params(params), x_int, split.y_test,
                                        transform=bit_error_transform(rate, rng)))
            tuned, _ = train(params, split, opts.epochs, opts.lr, opts.seed + rep,
                             transform=bit_error_transform(rate, rng))
            row_r.append(accuracy_fixed(quantize_params(tuned), x_int, split.y_test,
                                        transform=bit_error_transform(rate, rng)))
        plain.append(tuple(row_p))
        retrained.append(tuple(row_r))
    return StudyResult(opts, clean, tuple(opts.rates), tuple(plain), tuple(retrained))


def cached_study(opts: StudyOptions = StudyOptions()) -> StudyResult:
    """:func:`run_study`, cached as JSON under ``build/rana/`` keyed by the options."""
    import hashlib
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    key = hashlib.sha256(json.dumps(asdict(opts), sort_keys=True).encode()).hexdigest()[:16]
    path = root / "build" / "rana" / f"training-{key}.json"
    if path.is_file():
        d = json.loads(path.read_text())
        return StudyResult(opts, d["clean_accuracy"], tuple(d["rates"]),
                           tuple(map(tuple, d["plain"])), tuple(map(tuple, d["retrained"])))
    result = run_study(opts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict()))
    return result
