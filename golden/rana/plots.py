"""RANA figures in the paper's layout, drawn from what the model computes (``--plot DIR``).

Fig. 11 (accuracy vs failure rate), Fig. 15 (energy by event per design,
normalized to S+ID, per benchmark), Fig. 16 (accelerator energy vs retention
time) and Fig. 18 (energy vs buffer capacity).  Each function takes the
document the matching ``hymem rana`` command prints with ``--json`` (or its
in-memory form), writes one PNG and returns its path.  The paper's bars are not
given as numbers, so the plots show the model; each title quotes the paper's
summary figures for that study.  matplotlib runs headless (Agg).
"""

from __future__ import annotations

from pathlib import Path

from hymem.golden.plotting import pyplot, save

EVENT_COLORS = {"mac": "#4daf4a", "buffer": "#377eb8", "refresh": "#e41a1c", "ddr": "#984ea3"}
EVENT_LABELS = {"mac": "computing", "buffer": "buffer access", "refresh": "refresh", "ddr": "off-chip access"}


def _stacked(ax, groups: dict[str, dict[str, dict[str, float]]], width: float = 0.8, legend: bool = True) -> None:
    """Stacked bars by event: ``groups[group][bar][event] = value``; groups side by side."""
    x, ticks, labels = 0.0, [], []
    for group, bars in groups.items():
        for bar, events in bars.items():
            bottom = 0.0
            for event, value in events.items():
                ax.bar(x, value, width, bottom=bottom, color=EVENT_COLORS[event],
                       label=EVENT_LABELS[event] if not ticks else None)
                bottom += value
            ticks.append(x)
            labels.append(f"{group}\n{bar}" if bar == next(iter(bars)) else bar)
            x += 1.0
        x += 0.8   # gap between groups
    ax.set_xticks(ticks, labels, rotation=90, fontsize=7)
    if legend:
        ax.legend(fontsize=7)


def fig15(normalized: dict, outdir: Path) -> str:
    """``normalized[network][design][event]``: energy normalized to S+ID's total (``rana designs``)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 4.5))
    _stacked(ax, normalized)
    ax.set_ylabel("system energy / S+ID")
    ax.set_title("Fig. 15 (model): system energy by event; paper: RANA*(E-5) -66.2 % energy, "
                 "-41.7 % off-chip vs S+ID", fontsize=9)
    return save(fig, outdir, "rana_fig15.png")


def fig16(sweep: dict, outdir: Path, network: str) -> str:
    """``sweep[design][interval_us][event]`` in pJ (``rana retention-sweep``; off-chip excluded)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 4.5))
    in_uj = {d: {f"{t} us": {e: v / 1e6 for e, v in per_t.items()} for t, per_t in per.items()}
             for d, per in sweep.items()}
    _stacked(ax, in_uj)
    ax.set_ylabel("accelerator energy (uJ)")
    ax.set_title(f"Fig. 16 (model, {network}): accelerator energy vs retention time; paper (ResNet, "
                 "90 -> 180 us): refresh eD+ID -50.0 %, eD+OD -80.1 %", fontsize=9)
    return save(fig, outdir, "rana_fig16.png")


def fig18(sweep: dict, outdir: Path) -> str:
    """``sweep[network][scale][design][event]``, normalized to RANA(E-5) at 1x (``rana sweep``)."""
    plt = pyplot()
    networks = list(sweep)
    fig, axes = plt.subplots(1, len(networks), figsize=(4 * len(networks), 4.5), squeeze=False)
    for i, (ax, net) in enumerate(zip(axes[0], networks, strict=True)):
        groups = {f"{scale}x": {("E-5" if d == "RANA(E-5)" else "*E-5"): e for d, e in per.items()}
                  for scale, per in sweep[net].items()}
        _stacked(ax, groups, legend=False)
        ax.set_title(net, fontsize=9)
        ax.set_ylabel("energy / RANA(E-5) at 1x")
    # one legend for all panels, in a row under the title: inside an axes it covered AlexNet's bars
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.95))
    fig.suptitle("Fig. 18 (model): RANA(E-5) vs RANA*(E-5) over 0.25x..8x of 1.454 MB; paper: RANA* saves "
                 "65.5-92.3 % of refresh", fontsize=9)
    return save(fig, outdir, "rana_fig18.png", rect=(0, 0, 1, 0.92))


def fig11(study: dict, outdir: Path) -> str:
    """``study``: ``hymem rana train --json``: mean accuracy (± s.e.) vs failure rate, plain and retrained.

    The two curves nearly coincide on the digits CNN, so they are told apart three ways: colour and
    marker (open circles, filled squares), a small horizontal offset of the markers (x 0.9 / 1.1 on
    the log axis; the rates are the same), and a lower panel with their difference."""
    import numpy as np

    plt = pyplot()
    fig, (ax, diff) = plt.subplots(2, 1, figsize=(6.5, 6.5), sharex=True,
                                   gridspec_kw={"height_ratios": [2.2, 1]})
    rates = np.asarray(study["rates"], dtype=float)
    styles = {"plain": {"fmt": "o--", "color": "#377eb8", "mfc": "white", "label": "no retraining",
                        "dodge": 0.9},
              "retrained": {"fmt": "s-", "color": "#e41a1c", "mfc": "#e41a1c",
                            "label": "retrained with errors", "dodge": 1.1}}
    for which, st in styles.items():
        ax.errorbar(rates * st["dodge"], study[f"mean_{which}"], yerr=study[f"standard_error_{which}"],
                    fmt=st["fmt"], color=st["color"], mfc=st["mfc"], mew=1.3, ms=6, capsize=3,
                    label=st["label"])
    ax.axhline(study["clean_accuracy"] - study["options"]["loss_tolerance"], color="grey", linewidth=0.8,
               linestyle=":", label="no-loss bound")
    ax.set_xscale("log")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"Fig. 11 (model): digits CNN, {study['options']['number_format']} 16-bit fixed point; "
                 "paper: no loss at 1e-5", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    gain = 100 * (np.asarray(study["mean_retrained"]) - np.asarray(study["mean_plain"]))
    se = 100 * np.hypot(study["standard_error_retrained"], study["standard_error_plain"])
    diff.errorbar(rates, gain, yerr=se, fmt="D-", color="#4d4d4d", ms=4, capsize=3)
    diff.axhline(0, color="grey", linewidth=0.8)
    diff.set_ylabel("retrained - plain\n(pp)", fontsize=8)
    diff.set_xlabel("retention failure rate r (markers above offset x0.9 / x1.1 for legibility)")
    return save(fig, outdir, "rana_fig11.png")
