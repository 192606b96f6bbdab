"""MaxNVM study figures from what the model computes (``hymem maxnvm study --plot DIR``).

* Fig. 5 analog: classification-error increase with one structure faulty,
  per structure and protection, at SLC / MLC2 / MLC3, one panel per cell
  technology, with the iso-training-noise bound.
* Fig. 6 analog: the fewest cells per encoding that stay within the bound,
  per technology (an encoding with no safe configuration is marked).

Each function takes the :func:`golden.maxnvm.study.run_study` document, writes
one PNG and returns its path (matplotlib, headless).
"""

from __future__ import annotations

from pathlib import Path

from hymem.golden.plotting import pyplot, save

CELL_COLORS = {"SLC": "#1b9e77", "MLC2": "#7570b3", "MLC3": "#d95f02"}


#: a bar shorter than this (percentage points) is drawn as an open circle at 0
ZERO_PP = 0.01


def _standard_error(row: dict) -> float:
    """Standard error of a bar's mean error over its fault maps (``std_error`` is their spread)."""
    n = row.get("trials", 1)
    return row["std_error"] / n ** 0.5 if n > 1 else 0.0


def _technologies(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(r["technology"] for r in rows))


def fig5(result: dict, outdir: Path) -> str:
    plt = pyplot()
    rows, bound = result["vulnerability"], result["itn"]["bound"]
    techs = _technologies(rows)
    fig, axes = plt.subplots(len(techs), 1, figsize=(12, 3.8 * len(techs)), squeeze=False)
    for ax, tech in zip(axes[:, 0], techs, strict=True):
        mine = [r for r in rows if r["technology"] == tech]
        groups = list(dict.fromkeys((r["encoding"], r["structure"]) for r in mine))
        cells = list(dict.fromkeys(r["cell"] for r in mine))
        width = 0.8 / len(cells)
        for j, cell in enumerate(cells):
            by_group = {(r["encoding"], r["structure"]): r for r in mine if r["cell"] == cell}
            xs = [i + j * width for i in range(len(groups))]
            pp = [100 * by_group[g]["delta_error"] for g in groups]
            color = CELL_COLORS.get(cell)
            ax.bar(xs, pp, width, label=cell, color=color,
                   yerr=[100 * _standard_error(by_group[g]) for g in groups],
                   error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "#333333"})
            # a bar of (nearly) zero height is a result too: mark it so it is not read as missing
            zero = [(x, v) for x, v in zip(xs, pp, strict=True) if abs(v) < ZERO_PP]
            if zero:
                ax.scatter([x for x, _ in zero], [0.0] * len(zero), marker="o", s=14,
                           facecolors="white", edgecolors=color, linewidths=1.2, zorder=3)
        ax.axhline(100 * bound, color="black", linestyle=":", linewidth=0.8, label="ITN bound")
        ax.axhline(0, color="#999999", linewidth=0.5)
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, -0.04 * high), high)   # room below 0 for the open circles
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))], [f"{e}\n{s}" for e, s in groups],
                      rotation=90, fontsize=7)
        ax.set_ylabel("error increase (pp)")
        ax.set_title(f"{tech.upper()}: one structure faulty, the others perfect", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Fig. 5 analog (model): digits CNN, {result['trials']} fault maps per bar; "
                 f"error bar = standard error of the mean; open circle = no increase "
                 f"(|bar| < {ZERO_PP:g} pp)", fontsize=10)
    return save(fig, outdir, "maxnvm_fig5.png")


def fig6(result: dict, outdir: Path) -> str:
    plt = pyplot()
    rows = result["minimal_cells"]
    techs = _technologies(rows)
    encodings = list(dict.fromkeys(r["encoding"] for r in rows))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(len(techs), 1)
    for j, tech in enumerate(techs):
        by_enc = {r["encoding"]: r for r in rows if r["technology"] == tech}
        xs = [i + j * width for i in range(len(encodings))]
        ax.bar(xs, [by_enc[e].get("cells", 0) if by_enc[e]["found"] else 0 for e in encodings], width,
               label=tech.upper())
        for x, e in zip(xs, encodings, strict=True):
            if not by_enc[e]["found"]:
                ax.text(x, 0, "none\nsafe", ha="center", va="bottom", fontsize=6)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(encodings))], encodings, rotation=30, fontsize=8)
    ax.set_ylabel("memory cells")
    ax.set_title("Fig. 6 analog (model): fewest cells within the ITN bound, all structures faulty", fontsize=9)
    ax.legend(fontsize=7)
    return save(fig, outdir, "maxnvm_fig6.png")
