"""tools/coverage.py: Verilator coverage of the regressions (``make sim COVERAGE=1``)."""

import json

import pytest

from hymem.tools import coverage
from hymem.tools.toolchain import REPO


def _point(page, line, what, instance="top", column=1):
    return f"C '\x01f\x02top.v\x01l\x02{line}\x01n\x02{column}\x01page\x02{page}\x01o\x02{what}\x01h\x02{instance}' "


VERILOG = [
    "module top(input clk, input a, output reg q);",                                   # 1
    "  wire \\$7 ;",                                                                   # 2
    f'  assign \\$7  = (* src = "{REPO}/rtl/top.py:12" *) a;',                         # 3
    "  always @* begin",                                                               # 4
    "    if (\\$auto$verilog_backend.cc:2355:dump_module$1 ) begin end",              # 5
    "    if (\\$7 ) q = 1'b1;",                                                        # 6
    "    else q = 1'b0;",                                                              # 7
    "  end",                                                                           # 8
    "endmodule",                                                                       # 9
]
DAT = ["# SystemC::Coverage-3",
       _point("v_branch/top", 5, "if") + "0",           # Yosys' time-0 trigger: not design logic
       _point("v_line/top", 5, "block") + "0",
       _point("v_branch/top", 6, "if") + "5",
       _point("v_branch/top", 7, "else") + "0",         # never taken
       _point("v_toggle/top", 1, "a:0->1") + "2",
       _point("v_toggle/top", 1, "a:1->0") + "1",
       _point("v_toggle/top", 1, "count__05Fx[1]:0->1") + "1",
       _point("v_toggle/top", 1, "count__05Fx[1]:1->0") + "0",  # rose, never fell
       _point("v_toggle/top", 1, "__0123[0]:0->1") + "0"]       # internal net: counted, not listed


def _write_run(directory, name):
    (directory / f"{name}.dat").write_text("\n".join(DAT) + "\n")
    (directory / f"{name}.v").write_text("\n".join(VERILOG) + "\n")


def test_report_counts_hand_built_points(tmp_path, monkeypatch):
    monkeypatch.setattr(coverage, "COVERAGE_DIR", tmp_path)
    run = tmp_path / "r1"
    run.mkdir()
    _write_run(run, "a")
    _write_run(run, "b")          # the same elaboration twice: merged, not doubled
    lines = []
    table = coverage.report("r1", lines.append)
    assert table == {"top": {"line": [0, 0], "branch": [1, 2], "toggle": [3, 5]}}
    assert json.loads((run / "summary.json").read_text())["runs"] == ["a", "b"]
    uncovered = (run / "uncovered.txt").read_text().splitlines()
    # the else arm maps to the Amaranth line of the condition it negates (the assign's src)
    assert uncovered == ["top branch rtl/top.py:12 (a.v:7 else): else q = 1'b0;",
                         "top toggle top.count_x: bits not toggled both ways 1"]
    assert "1/2  50.0%" in lines[1] and "3/5  60.0%" in lines[1]


def test_a_variant_counts_on_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(coverage, "COVERAGE_DIR", tmp_path)
    run = tmp_path / "r2"
    run.mkdir()
    _write_run(run, "a")
    _write_run(run, "variant")
    (run / "variant.v").write_text("\n".join(VERILOG) + "\n// another elaboration\n")
    assert coverage.report("r2", lambda _: None)["top"]["branch"] == [2, 4]


def test_numbered_instances_share_a_row():
    one = {"line": [1, 2], "branch": [0, 0], "toggle": [3, 4]}
    table = {"sys": one, "sys.unit0.mac1": one, "sys.unit1.mac0": one, "top_idx4": one, "top_idx4.lut2": one}
    rows = coverage.by_instance_family(table)
    assert rows["sys.unit*.mac*"] == ({"line": [2, 4], "branch": [0, 0], "toggle": [6, 8]}, 2)
    assert set(rows) == {"sys", "sys.unit*.mac*", "top_idx4", "top_idx4.lut*"}   # the top keeps its name


def test_regression_with_coverage(tmp_path, monkeypatch, sim):
    """A Verilator run under HYMEM_COVERAGE=1 leaves its points; an Icarus run is unaffected."""
    from hymem.tools.runner import run_cocotb

    monkeypatch.setattr(coverage, "COVERAGE_DIR", tmp_path)
    monkeypatch.setenv("HYMEM_COVERAGE", "1")
    monkeypatch.setenv("HYMEM_RUN_ID", "flow")
    run_cocotb("rana_clock_divider", "hymem.tb.rana.test_clock_divider", sim, test_id="rana_clock_divider-coverage")
    table = coverage.report("flow", lambda _: None)
    if sim != "verilator":
        assert table is None
        return
    hit, total = table["rana_clock_divider"]["line"]
    assert 0 < hit <= total
    assert (tmp_path / "flow" / "rana_clock_divider-coverage.v").is_file()


@pytest.fixture(autouse=True)
def _no_coverage_by_default(monkeypatch):
    monkeypatch.delenv("HYMEM_COVERAGE", raising=False)
