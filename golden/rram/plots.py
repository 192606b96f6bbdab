"""Seed 002 figures drawn from what the model computes (``--plot DIR``): the Fig. 4 analog
(energy of every design point, SRAM and RRAM side by side, loop order and schedule marked, the
best points labelled) and a Table 6 breakdown of one design."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hymem.golden.plotting import pyplot, save
from hymem.golden.rram.cost import ROWS, SpaceResult

MARKERS = {"single": "x", "cross": "+", "fixed": "o"}
COLORS = {"kernel_first": "#d7301f", "pixel_first": "#2b8cbe"}


def fig4(r: SpaceResult, outdir: Path, name: str = "rram_dse.png", ylim: float = 8000.0) -> str:
    """Energy per design (I/O x weight x accumulation depth) for SRAM and RRAM weight buffers."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=True)
    for ax, tech in zip(axes, ("sram", "rram")):
        ix = r.where(tech=tech)
        if not len(ix):
            continue
        designs = sorted({(r.io_bytes[k], r.weight_bytes[k], r.acc_depth[k]) for k in ix})
        pos = {d: i for i, d in enumerate(designs)}
        for order, color in COLORS.items():
            for level, marker in MARKERS.items():
                sel = [k for k in ix if r.order[k] == order and r.schedule[k] == level]
                xs = [pos[(r.io_bytes[k], r.weight_bytes[k], r.acc_depth[k])] for k in sel]
                ax.scatter(xs, r.total_pj[sel] / 1e6, s=10, marker=marker, color=color,
                           label=f"{order}, {level}")
        k = int(ix[np.argmin(r.total_pj[ix])])
        ax.annotate(f"best {r.total_pj[k] / 1e6:.0f} uJ\nio {r.io_bytes[k] // 1024} KB, "
                    f"w {r.weight_bytes[k] // 1024} KB,\nacc {r.acc_depth[k]}, {r.order[k]}",
                    (pos[(r.io_bytes[k], r.weight_bytes[k], r.acc_depth[k])],
                     r.total_pj[k] / 1e6), fontsize=7, xytext=(5, 30),
                    textcoords="offset points", arrowprops={"arrowstyle": "->"})
        over = int((r.total_pj[ix] / 1e6 > ylim).sum())
        ax.set_title(f"{tech.upper()} weight buffer ({over} points above {ylim:.0f} uJ)")
        ax.set_xlabel("design (I/O size, weight size, accumulation depth; ascending)")
        ax.set_ylim(0, ylim)
    axes[0].set_ylabel("energy per VGG-11 conv inference (uJ)")
    axes[1].legend(fontsize=6, ncol=2)
    fig.suptitle("Fig. 4 analog (seed 002): model energy of every design point")
    return save(fig, Path(outdir), name)


def fig5(acc: dict[str, dict], sched: list[dict], outdir: Path,
         name: str = "rram_fig5.png") -> str:
    """Fig. 5 analog: (a) lowest on-chip buffer dynamic energy per accumulation depth, SRAM and
    RRAM (``study.acc_study``); (b) DDR energy per RRAM weight size and schedule level with the
    I/O buffer of §5.3 (``study.schedule_study``)."""
    plt = pyplot()
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(11, 4))
    depths = list(next(iter(acc.values()))["per_depth_uj"])
    width = 0.4
    for i, (tech, study) in enumerate(acc.items()):
        ax_a.bar(np.arange(len(depths)) + (i - 0.5) * width,
                 [study["per_depth_uj"][d] for d in depths], width,
                 label=f"{tech} ({-100 * study['reduction']:.0f} % with a buffer)")
    ax_a.set_xticks(range(len(depths)), ["none" if d == 0 else str(d) for d in depths])
    ax_a.set_xlabel("accumulation buffer depth")
    ax_a.set_ylabel("on-chip buffer dynamic energy (uJ)")
    ax_a.set_title("(a) best design per depth (paper: -86 %)", fontsize=9)
    ax_a.legend(fontsize=7)
    sizes = [row["weight_macro"] for row in sched]
    for j, level in enumerate(("single", "cross", "fixed")):
        ax_b.bar(np.arange(len(sizes)) + (j - 1) * 0.27, [row[f"ddr_{level}_uj"] for row in sched],
                 0.27, label=level)
    ax_b.set_xticks(range(len(sizes)), [f"8 x {s.removeprefix('rram_')}" for s in sizes])
    ax_b.set_xlabel("RRAM weight buffer")
    ax_b.set_ylabel("DDR energy (uJ)")
    ax_b.set_title("(b) DDR energy by schedule (paper: -25 % .. -98 %)", fontsize=9)
    ax_b.legend(fontsize=7)
    fig.suptitle("Fig. 5 analog (seed 002), model")
    return save(fig, Path(outdir), name)


def breakdown(record: dict, outdir: Path, name: str = "rram_breakdown.png") -> str:
    """One design's Table 6 rows as horizontal bars (µJ)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    values = [record["breakdown_uj"][r] for r in ROWS]
    ax.barh(list(ROWS), values, color="#2b8cbe")
    ax.invert_yaxis()
    ax.set_xlabel("uJ")
    ax.set_title(f"{record['tech']} weight buffer {record['weight_kb']} KB, I/O "
                 f"{record['io_kb']} KB, acc {record['acc_depth']}, {record['order']}, "
                 f"{record['schedule']}: {record['total_uj']:.0f} uJ", fontsize=8)
    return save(fig, Path(outdir), name)


__all__ = ["breakdown", "fig4", "fig5"]
