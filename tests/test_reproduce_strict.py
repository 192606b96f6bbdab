"""``hymem reproduce all --strict`` as the regression gate of the reproduction (issue 12).

Runs every modelled system's claims once (the studies come from ``build/cache/`` when warm; a
cold clone computes them, a few minutes on 2 cores) and checks the JSON contract, that every
expected-out claim has its demonstration in ``tests/test_claims_expected_out.py``, and the exit
status.
"""

import json
from pathlib import Path

import pytest
from claims_demonstrated import DEMONSTRATED
from click.testing import CliRunner

from hymem.golden.cli import main

# Out of tolerance, expected ok, and no demonstration yet that the paper cannot support them: they
# keep `reproduce all --strict` at exit 1 until modelled or demonstrated (issue 12). RANA's Fig.
# 15/19 figures at their printed digits (0.1 %), with VGG-19 as RANA's VGG (docs/rana.md, "The six
# claims of issue 12"): RANA(0) vs eD+OD 24.5 (19.4), DaDianNao RANA* energy 65.5 (69.4), RANA(0)
# buffer 97.06 (97.2), RANA(E-5) refresh 97.5 (94.9); no reading tried moves them into the paper's
# digits and no test shows the paper cannot support them.  (Fig. 16's eD+OD figure is reproduced
# under the running-tiling and phase-averaged readings; RANA*(E-5) vs S+ID energy, 66.14 vs 66.2, is
# expected out: the unstated R_i/R_w split moves it in and out of the digits.)
UNEXPLAINED = {"rana.fig15.rana0_vs_edod.energy_saving"} | {
    f"rana.dadiannao.{c}" for c in ("rana_star.energy_saving", "rana0.buffer_energy_saving",
                                    "ranae5_vs_rana0.refresh_energy_saving")}


def _names_a_test(note: str) -> bool:
    """The note names ``tests/test_x.py`` or ``tests/test_x.py::test_y`` that exists."""
    repo = Path(__file__).parent.parent
    for word in note.replace("(", " ").split():
        path, _, test = word.rstrip(").,;:").partition("::")
        exists = path.startswith("tests/test_") and (repo / path).is_file()
        if exists and (not test or f"def {test}(" in (repo / path).read_text()):
            return True
    return False


@pytest.fixture(scope="module")
def strict_run():
    res = CliRunner().invoke(main, ["reproduce", "all", "--strict", "--json"])
    return res, json.loads(res.stdout)


def test_contract_and_demonstrations(strict_run):
    _, doc = strict_run
    s = doc["summary"]
    assert set(s) >= {"claims", "predictions", "predictions_ok", "calibrations", "expected_out",
                      "unexpected"}
    claims = doc["claims"]
    assert s["claims"] == len(claims)
    assert s["predictions"] == sum(c["kind"] == "prediction" for c in claims)
    assert s["predictions_ok"] == sum(c["kind"] == "prediction" and c["ok"] for c in claims)
    assert s["unexpected"] == sum(c["ok"] != (c["expected"] == "ok") for c in claims)
    # every expected-out claim has its demonstration: listed in test_claims_expected_out.py, or
    # (for systems that keep their own) its note names an existing tests/test_*.py
    undemonstrated = [c["id"] for c in claims if c["expected"] == "out"
                      and c["id"] not in DEMONSTRATED and not _names_a_test(c["note"])]
    assert not undemonstrated
    assert {c["id"] for c in claims if c["unexpected"]} == UNEXPLAINED


@pytest.mark.xfail(strict=True, reason=f"unexplained outs: {', '.join(sorted(UNEXPLAINED))}")
def test_reproduce_all_strict_exits_0(strict_run):
    res, _ = strict_run
    assert res.exit_code == 0, res.stderr
