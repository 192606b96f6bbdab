"""Renderings of ``hymem reproduce``: the terminal table, CSV, Markdown and the plots.

Every rendering shows the same records (:class:`golden.claims.Claim`) in the
same order: per system the claims that count (predictions, calibrations,
derived ratio checks), then its *consistency checks* (``kind = input``: a
paper input against itself, never counted as reproduced).  Numbers are never
cut: the terminal table folds the text columns (claim id, where) and keeps
each number column as wide as its widest value; notes are footnotes below.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hymem.golden.claims import NOT_MODELLED, Claim, SystemResult, summary

FORMATS = ("table", "csv", "md")
CSV_FIELDS = ("system", "id", "kind", "expected", "outcome", "where", "paper", "model", "unit",
              "ratio", "tolerance", "note")
OUTCOME_STYLE = {"ok": "green", "out": "yellow", "OUT": "bold red", "OK!": "bold red"}
OUTCOME_LEGEND = ("result: ok = within tolerance; out = out of tolerance as expected (a test in "
                  "tests/ shows why the paper cannot support it); OUT = unexpectedly out; OK! = "
                  "expected out but back within tolerance. kind: pred = prediction, cal = "
                  "calibration point, der = a paper number carried through a model ratio, inp = "
                  "a paper input checked against itself (consistency; not counted)")
KIND_SHORT = {"prediction": "pred", "calibration": "cal", "derived": "der", "input": "inp"}


def fmt_num(x: float) -> str:
    if float(x).is_integer() and abs(x) >= 1000:
        return f"{int(x):,}".replace(",", " ")
    return f"{x:.6g}"


def fmt_tol(c: Claim) -> str:
    return f"±{c.tolerance * 100:.2g}%"


def ordered(res: SystemResult) -> tuple[list[Claim], list[Claim]]:
    """(claims that count, consistency checks) of one system, each in registration order."""
    return ([c for c in res.claims if c.kind != "input"],
            [c for c in res.claims if c.kind == "input"])


def summary_line(results: list[SystemResult]) -> str:
    s = summary(results)
    return (f"{s['predictions_ok']} of {s['predictions']} predictions reproduced; "
            f"{s['calibrations']} calibration points, {s['derived']} derived ratio checks, "
            f"{s['inputs']} consistency checks; {s['expected_out']} expected out; "
            f"{s['unexpected']} unexpected; {s['claims']} records in all")


def _footnote(notes: list[str], note: str) -> str:
    if not note:
        return ""
    if note not in notes:
        notes.append(note)
    return f" [{notes.index(note) + 1}]"


NUMBER_FIELDS = ("paper", "model", "unit", "ratio", "tol", "kind", "result")
RIGHT = ("paper", "model", "ratio", "tol")


def _numbers(c: Claim) -> dict[str, str]:
    return {"paper": fmt_num(c.paper), "model": fmt_num(c.model), "unit": c.unit,
            "ratio": f"{c.ratio:.4f}", "tol": fmt_tol(c), "kind": KIND_SHORT[c.kind],
            "result": c.outcome}


def print_table(results: list[SystemResult], console) -> None:
    """The terminal table, readable at 80 columns and never cutting a number.

    Each claim takes two lines: its id, footnote mark and place in the paper
    (folded to the console's width), then its numbers in fixed columns as wide
    as their widest value; notes are footnotes below.
    """
    from rich.markup import escape

    claims = [c for r in results for c in r.claims]
    width = {f: max([len(f)] + [len(_numbers(c)[f]) for c in claims]) for f in NUMBER_FIELDS}

    def line(values: dict[str, str], style: str = "") -> str:
        cells = [values[f].rjust(width[f]) if f in RIGHT else values[f].ljust(width[f])
                 for f in NUMBER_FIELDS]
        text = "    " + "  ".join(escape(x) for x in cells)
        if style:
            text = text.replace(escape(values["result"]), f"[{style}]{escape(values['result'])}[/]")
        return text.rstrip()

    notes: list[str] = []
    console.print("[bold]hymem reproduce — paper vs model[/]")
    console.print(line({f: f for f in NUMBER_FIELDS}), style="bold", highlight=False)
    for res in results:
        if res.status == NOT_MODELLED:
            console.print(f"[bold]{res.system}[/]: [yellow]{NOT_MODELLED}[/]")
            continue
        main, inputs = ordered(res)
        console.print(f"[bold underline]{res.system}[/] ({len(main)} claims)")
        for group, claims_ in (("", main), ("consistency checks (paper vs paper)", inputs)):
            if group and claims_:
                console.print(f"  [dim]{group}[/]")
            for c in claims_:
                mark = _footnote(notes, c.note)
                console.print(f"  {escape(c.id)}{mark}  [dim]{escape(c.where)}[/]", highlight=False)
                nums = _numbers(c)
                console.print(line(nums, OUTCOME_STYLE[c.outcome]), highlight=False)
    console.print()
    for i, note in enumerate(notes, 1):
        console.print(f"[{i}] {note}", highlight=False, markup=False)
    console.print(OUTCOME_LEGEND, highlight=False)
    console.print(summary_line(results), highlight=False)


def _records(results: list[SystemResult]):
    for res in results:
        main, inputs = ordered(res)
        yield from main + inputs


def to_csv(results: list[SystemResult]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for c in _records(results):
        w.writerow((c.system, c.id, c.kind, c.expected, c.outcome, c.where, repr(c.paper),
                    repr(c.model), c.unit, f"{c.ratio:.6g}", f"{c.tolerance:.6g}", c.note))
    for res in results:
        if res.status == NOT_MODELLED:
            w.writerow((res.system, "", "", "", NOT_MODELLED) + ("",) * 7)
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(results: list[SystemResult]) -> str:
    notes: list[str] = []
    lines = ["| claim | where | paper | model | unit | ratio | tol | kind | result |",
             "|---|---|--:|--:|---|--:|--:|---|---|"]
    for res in results:
        if res.status == NOT_MODELLED:
            lines.append(f"| **{res.system}**: {NOT_MODELLED} | | | | | | | | |")
            continue
        main, inputs = ordered(res)
        lines.append(f"| **{res.system}** ({len(main)} claims) | | | | | | | | |")
        for c in main + inputs:
            label = c.id + _footnote(notes, c.note)
            if c.kind == "input":
                label += " (consistency)"
            lines.append("| " + " | ".join(_md_cell(x) for x in (
                label, c.where, fmt_num(c.paper), fmt_num(c.model), c.unit, f"{c.ratio:.4f}",
                fmt_tol(c), KIND_SHORT[c.kind], c.outcome)) + " |")
    lines.append("")
    lines += [f"[{i}] {_md_cell(n)}  " for i, n in enumerate(notes, 1)]
    lines += ["", OUTCOME_LEGEND, "", summary_line(results)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------

def is_verdict(c: Claim) -> bool:
    """A yes/no claim: paper 1 = "holds", model 1 or 0 (see golden/maxnvm/claims.py)."""
    return c.unit == "holds"


def is_bound(c: Claim) -> bool:
    return "upper bound" in c.unit


COLORS = {"ok": "#2b8cbe", "out": "#f28e2b", "OUT": "#d7301f", "OK!": "#d7301f"}


def _tick(c: Claim, system: str) -> str:
    """Claim id with the paper's and the model's value in their own unit."""
    name = c.id.removeprefix(f"{system}.")
    if is_verdict(c):
        return f"{name}: {'holds' if c.model else 'FAILS'}"
    return f"{name}: {fmt_num(c.paper)} vs {fmt_num(c.model)} {c.unit}"


Y_TICKS = (-100, -50, -20, -10, -5, -2, -1, -0.5, 0, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _deviation(c: Claim) -> float:
    """Model against paper in percent: 0 on the paper's value, -100 for a yes/no claim that fails."""
    return 100 * (c.ratio - 1)


def _draw(ax, x: int, c: Claim) -> None:
    """Grey band = the paper at its tolerance (an upper bound: everything below it); stem and
    marker = the model; a yes/no claim that fails is a cross at -100 %."""
    tol = 100 * c.tolerance
    lo = -100 if is_bound(c) else -tol
    ax.fill_between([x - 0.4, x + 0.4], lo, max(tol, 0.02), color="#d0d0d0", zorder=0)
    ax.plot([x - 0.4, x + 0.4], [0, 0], color="#606060", linewidth=1.5, zorder=1)
    y = max(min(_deviation(c), 1e4), -100)
    ax.vlines(x, 0, y, color=COLORS[c.outcome], linewidth=2, zorder=2)
    failed_verdict = is_verdict(c) and not c.model
    marker = "X" if failed_verdict else "o" if c.kind == "prediction" else "s"
    ax.plot([x], [y], marker=marker, markersize=11 if failed_verdict else 7,
            color=COLORS[c.outcome], zorder=3, linestyle="none")


def plot_system(res: SystemResult, outdir: Path) -> str:
    """One PNG per system: each claim's model value against the paper's, with the paper's tolerance.

    The y axis is model / paper - 1 in percent on a symmetric-log scale (linear within +-1 %), so
    a 0.3 % miss and a 2x miss both read.  A grey band is the paper at its tolerance (an upper
    bound: everything below it), the stem and marker the model, coloured by outcome (blue ok,
    orange expected out, red unexpected); a circle is a prediction, a square a calibration or
    derived check, a cross a yes/no claim that fails (model 0 = -100 %).  Tick labels give the
    paper's and the model's values in their unit.  Consistency checks are not drawn.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    from hymem.golden.plotting import pyplot, save

    plt = pyplot()
    claims = [c for c in res.claims if c.kind != "input"]
    n = len(claims)
    fig, ax = plt.subplots(figsize=(max(7.0, 0.34 * n + 4.5), 8.0))
    for x, c in enumerate(claims):
        _draw(ax, x, c)
    ax.set_yscale("symlog", linthresh=1.0)
    top = max([1.0] + [_deviation(c) for c in claims] + [100 * c.tolerance for c in claims])
    bottom = min([-1.0] + [max(_deviation(c), -100) for c in claims]
                 + [-100 * c.tolerance for c in claims if not is_bound(c)])
    lo, hi = bottom * 1.6 if bottom < -1 else -1.5, top * 1.6 if top > 1 else 1.5
    ax.set_ylim(lo, hi)
    ax.set_yticks([t for t in Y_TICKS if lo <= t <= hi])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+g} %" if v else "0"))
    ax.set_xticks(list(range(n)), [_tick(c, res.system) for c in claims], rotation=90, fontsize=8)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_ylabel("model / paper - 1  (symmetric log scale)", fontsize=10)
    ax.set_title(f"hymem reproduce {res.system}: {summary_line([res]).split(';')[0]}",
                 fontsize=10)
    ax.grid(axis="y", which="major", linewidth=0.4, color="#e0e0e0")
    handles = [Patch(color="#d0d0d0", label="paper ± tolerance\n(upper bound: below it)"),
               *(Line2D([], [], color=COLORS[k], marker="o", linestyle="none", label=text)
                 for k, text in (("ok", "model within tolerance"),
                                 ("out", "model out, as expected\n(tests/ show why)"),
                                 ("OUT", "unexpected outcome"))),
               Line2D([], [], color="#606060", marker="s", linestyle="none",
                      label="calibration or\nderived check"),
               Line2D([], [], color="#606060", marker="X", linestyle="none",
                      label="yes/no claim fails")]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, outdir, f"{res.system}.png")


def plot(results: list[SystemResult], outdir: Path) -> list[str]:
    return [plot_system(r, outdir) for r in results if r.claims]
