"""Claims — a paper's number beside the model's — and the ``reproduce`` registry.

A :class:`Claim` is ``{id, system, seed, where, paper, model, unit, tolerance,
note}``; ``ratio = model / paper`` and ``ok = |ratio - 1| <= tolerance``
(tolerance is relative).  The model value must be computed by the model at
call time, never copied from the paper.  :func:`printed` derives the tolerance
"agrees to the precision the paper printed" (half a unit in the last printed
digit) from the paper's text, so a table value like ``"0.30"`` carries its own
rounding; any wider tolerance is set explicitly and explained in ``note``.

Registry
--------
``SYSTEMS`` lists the systems ``hymem reproduce`` knows.  A system registers
a function returning its claims with ``@register("<system>")`` in the module
``golden.<system>.claims`` (``golden.workloads.claims`` for the workload
tables).  :func:`reproduce` imports that module when it exists, which runs the
registration; a system without one is reported as *not yet modelled*.

Kinds and expectations (SPEC §3)
--------------------------------
``kind`` says what a claim is evidence of: ``prediction`` (a computed result
against a paper result that was not an input), ``calibration`` (the point a
named parameter was fitted on), ``derived`` (a paper number carried through a
model ratio) or ``input`` (a paper input checked against itself: shown as a
consistency check, never counted as reproduced).  ``expected`` is ``ok`` or
``out``; ``out`` is set only where a test in ``tests/`` demonstrates, from the
paper's own numbers, why the paper cannot support the number (or that it
lacks the information to pin it).  :attr:`Claim.outcome` compares the two,
pytest's strict-xfail convention: an expected-ok claim out *and* an
expected-out claim back within tolerance are both *unexpected*.

``--strict`` fails on any unexpected outcome.  A single system that is not
modelled yet fails ``--strict`` too (there is nothing to judge); ``all``
judges the modelled systems and names the others (:func:`not_modelled`).
An import error inside an existing claims module is *not* swallowed — it is a
bug, not "not modelled".
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

SYSTEMS = ("workloads", "hydra", "rana", "maxnvm", "rram", "shycache")
NOT_MODELLED = "not yet modelled"
MODELLED = "modelled"
# What kind of evidence a claim is (SPEC §3): only predictions count as reproduced.
KINDS = ("prediction", "calibration", "derived", "input")
EXPECTATIONS = ("ok", "out")

_REGISTRY: dict[str, Callable[[], list[Claim]]] = {}


class ClaimError(ValueError):
    """Unknown system or malformed claim."""


@dataclass(frozen=True)
class Claim:
    id: str
    system: str
    seed: str
    where: str
    paper: float
    model: float
    unit: str
    tolerance: float
    note: str = ""
    kind: str = "prediction"
    expected: str = "ok"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ClaimError(f"claim {self.id}: kind {self.kind!r}; valid: {', '.join(KINDS)}")
        if self.expected not in EXPECTATIONS:
            raise ClaimError(f"claim {self.id}: expected {self.expected!r}; "
                             f"valid: {', '.join(EXPECTATIONS)}")

    @property
    def ratio(self) -> float:
        if self.paper == 0:
            return float("inf") if self.model else 1.0
        return self.model / self.paper

    @property
    def ok(self) -> bool:
        # tiny slack so a value exactly on the rounding boundary is not lost to float error
        return abs(self.ratio - 1.0) <= self.tolerance * (1 + 1e-9) + 1e-12

    @property
    def unexpected(self) -> bool:
        """Outcome differs from the expectation (strict-xfail: out when ok was expected, or
        back in when out was)."""
        return self.ok != (self.expected == "ok")

    @property
    def outcome(self) -> str:
        """``ok``, ``out`` (as expected), ``OUT`` (unexpectedly) or ``OK!`` (expected out, back in)."""
        if self.unexpected:
            return "OK!" if self.ok else "OUT"
        return "ok" if self.ok else "out"

    def as_dict(self) -> dict:
        return {
            "id": self.id, "system": self.system, "seed": self.seed, "where": self.where,
            "paper": self.paper, "model": self.model, "unit": self.unit,
            "tolerance": self.tolerance, "ratio": self.ratio, "ok": self.ok, "note": self.note,
            "kind": self.kind, "expected": self.expected, "unexpected": self.unexpected,
        }


def printed(text: str) -> tuple[float, float]:
    """Value of a printed number and the relative tolerance of its last digit.

    ``"0.30"`` → (0.30, 0.005 / 0.30); ``"600810"`` → (600810, 0.5 / 600810).
    """
    d = Decimal(text)
    half_ulp = Decimal(5).scaleb(d.as_tuple().exponent - 1)
    value = float(d)
    if value == 0:
        raise ClaimError(f"printed value {text!r} is zero; give an absolute tolerance instead")
    return value, float(half_ulp) / abs(value)


def printed_ratio(numerator: str, denominator: str) -> tuple[float, float]:
    """Ratio of two printed numbers and its relative tolerance (the two last-digit tolerances add,
    to first order): ``printed_ratio("103.07", "81.22")`` -> (1.269, 0.0049 % + 0.0062 %)."""
    (a, ta), (b, tb) = printed(numerator), printed(denominator)
    return a / b, ta + tb


def claim(id: str, system: str, seed: str, where: str, paper: str | float, model: float,
          unit: str, *, tolerance: float | None = None, note: str = "",
          kind: str = "prediction", expected: str = "ok") -> Claim:
    """Build a claim; a ``str`` paper value gets the printed-precision tolerance
    unless ``tolerance`` widens it (then ``note`` must say why)."""
    if isinstance(paper, str):
        value, tol = printed(paper)
    else:
        value, tol = float(paper), None
    if tolerance is not None:
        if not note:
            raise ClaimError(f"claim {id}: an explicit tolerance needs a note saying why")
        tol = tolerance
    if tol is None:
        raise ClaimError(f"claim {id}: numeric paper value needs an explicit tolerance")
    return Claim(id, system, seed, where, value, float(model), unit, tol, note, kind, expected)


def register(system: str):
    """Decorator: ``@register("rana")`` on a zero-argument function returning claims."""
    if system not in SYSTEMS:
        raise ClaimError(f"unknown system {system!r}; valid: {', '.join(SYSTEMS)}")

    def deco(fn: Callable[[], list[Claim]]):
        _REGISTRY[system] = fn
        return fn
    return deco


def _claims_module(system: str) -> str:
    return f"hymem.golden.{system}.claims"


@dataclass(frozen=True)
class SystemResult:
    system: str
    status: str
    claims: tuple[Claim, ...]

    @property
    def ok(self) -> bool:
        """Every claim as expected (strict-xfail); vacuously true when not modelled."""
        return not any(c.unexpected for c in self.claims)


def summary(results: list[SystemResult]) -> dict:
    """Counts of the JSON contract: only predictions (and calibrations, separately) reproduce."""
    claims = [c for r in results for c in r.claims]
    preds = [c for c in claims if c.kind == "prediction"]
    return {
        "claims": len(claims),
        "predictions": len(preds),
        "predictions_ok": sum(c.ok for c in preds),
        "calibrations": sum(c.kind == "calibration" for c in claims),
        "derived": sum(c.kind == "derived" for c in claims),
        "inputs": sum(c.kind == "input" for c in claims),
        "expected_out": sum(c.expected == "out" for c in claims),
        "unexpected": sum(c.unexpected for c in claims),
    }


def not_modelled(results: list[SystemResult]) -> list[str]:
    return [r.system for r in results if r.status == NOT_MODELLED]


def resolve(system: str) -> list[str]:
    """``"all"`` → every system; unknown names list the valid ones."""
    if system == "all":
        return list(SYSTEMS)
    if system not in SYSTEMS:
        raise ClaimError(f"unknown system {system!r}; valid: {', '.join((*SYSTEMS, 'all'))}")
    return [system]


def reproduce(system: str, progress: Callable[[str], None] | None = None) -> list[SystemResult]:
    """Run the claims of ``system`` (or ``"all"``); ``progress(name)`` is called before each."""
    results = []
    for name in resolve(system):
        if progress:
            progress(name)
        if name not in _REGISTRY:
            modname = _claims_module(name)
            try:
                found = importlib.util.find_spec(modname) is not None
            except ModuleNotFoundError as exc:
                if exc.name != f"hymem.golden.{name}":  # a broken import inside the package is a bug
                    raise
                found = False  # the package golden.<system> does not exist yet
            if found:
                importlib.import_module(modname)
        fn = _REGISTRY.get(name)
        if fn is None:
            results.append(SystemResult(name, NOT_MODELLED, ()))
            continue
        claims = tuple(fn())
        seen = set()
        for c in claims:
            if c.system != name:
                raise ClaimError(f"claim {c.id} registered for {name!r} says system {c.system!r}")
            if c.id in seen:
                raise ClaimError(f"claim {c.id} registered twice for {name!r}")
            seen.add(c.id)
        results.append(SystemResult(name, MODELLED, claims))
    return results


__all__ = ["EXPECTATIONS", "KINDS", "MODELLED", "NOT_MODELLED", "SYSTEMS", "Claim", "ClaimError",
           "SystemResult", "claim", "not_modelled", "printed", "printed_ratio", "register",
           "reproduce", "resolve",
           "summary"]
