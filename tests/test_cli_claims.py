"""Claim records and the reproduce registry (golden/claims.py)."""

import pytest

import hymem.golden.workloads.claims  # noqa: F401  (registers "workloads")
from hymem.golden import claims as C


@pytest.fixture(autouse=True)
def _private_registry(monkeypatch):
    """Registrations made by a test stay in that test."""
    monkeypatch.setattr(C, "_REGISTRY", dict(C._REGISTRY))


def test_printed_tolerance_is_half_last_digit():
    assert C.printed("0.30") == (0.30, pytest.approx(0.005 / 0.30))
    assert C.printed("600810") == (600810.0, pytest.approx(0.5 / 600810))
    assert C.printed("7.281")[1] == pytest.approx(0.0005 / 7.281)


def test_claim_ok_ratio_and_explicit_tolerance_needs_note():
    c = C.claim("x", "workloads", "s", "T", "1.33", 1.3316, "GOP")
    assert c.ok and c.ratio == pytest.approx(1.0012, abs=1e-4)
    assert not C.claim("y", "workloads", "s", "T", "1.33", 1.336, "GOP").ok  # 1.336 prints 1.34
    with pytest.raises(C.ClaimError, match="needs a note"):
        C.claim("z", "workloads", "s", "T", "1.0", 1.0, "u", tolerance=0.1)
    d = C.claim("w", "workloads", "s", "T", 2.0, 2.1, "u", tolerance=0.06, note="why").as_dict()
    assert set(d) == {"id", "system", "seed", "where", "paper", "model", "unit", "tolerance",
                      "ratio", "ok", "note", "kind", "expected", "unexpected"} and d["ok"]


def test_registry_not_modelled_and_all(monkeypatch):
    """A system without a claims module reports "not yet modelled"; "all" visits every system.

    Only workloads is modelled here (the registry and module lookup are patched), so the
    test does not depend on which systems the project has modelled so far.
    """
    monkeypatch.setattr(C, "_REGISTRY", {"workloads": C._REGISTRY["workloads"]})
    monkeypatch.setattr(C, "_claims_module", lambda name: f"hymem.golden.{name}_has_no_claims_module")
    res = {r.system: r for r in C.reproduce("all")}
    assert list(res) == list(C.SYSTEMS)
    assert res["workloads"].status == C.MODELLED and res["workloads"].claims
    assert res["rana"].status == C.NOT_MODELLED and res["rana"].ok


def test_registered_function_is_used():
    @C.register("rram")
    def _claims():
        return [C.claim("rram.t6.total", "rram", "002", "Table 6", "5230", 6000.0, "uJ")]

    (res,) = C.reproduce("rram")
    assert res.status == C.MODELLED and not res.ok


def test_wrong_system_in_claim_is_rejected():
    C.register("hydra")(lambda: [C.claim("a", "rana", "s", "T", "1", 1, "u")])
    with pytest.raises(C.ClaimError, match="registered for 'hydra'"):
        C.reproduce("hydra")


def test_unknown_system():
    with pytest.raises(C.ClaimError, match="unknown system 'x'; valid: workloads, hydra"):
        C.reproduce("x")
    with pytest.raises(C.ClaimError):
        C.register("x")


def test_strict_xfail_outcomes_and_summary():
    """An expected-out claim that is out is as expected; one back within tolerance is not."""
    ok_ok = C.claim("a", "workloads", "s", "T", "1.0", 1.0, "u")
    out_out = C.claim("b", "workloads", "s", "T", "1.0", 2.0, "u", expected="out")
    out_back = C.claim("c", "workloads", "s", "T", "1.0", 1.0, "u", expected="out")
    ok_out = C.claim("d", "workloads", "s", "T", "1.0", 2.0, "u", kind="calibration")
    assert [c.outcome for c in (ok_ok, out_out, out_back, ok_out)] == ["ok", "out", "OK!", "OUT"]
    res = [C.SystemResult("workloads", C.MODELLED, (ok_ok, out_out, out_back, ok_out))]
    assert C.summary(res) == {"claims": 4, "predictions": 3, "predictions_ok": 2,
                              "calibrations": 1, "derived": 0, "inputs": 0, "expected_out": 2,
                              "unexpected": 2}
    assert not res[0].ok
    assert C.printed_ratio("103.07", "81.22")[1] == pytest.approx(0.005 / 103.07 + 0.005 / 81.22)
