"""Figures of the SHyCache design space (seed 000 Figs. 3, 4, 5), from sweep rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hymem.golden.plotting import pyplot, save

from .model import BASE_L1, BASE_L2

FIG4_POINTS = (("all SRAM", BASE_L1, BASE_L2), ("L1 STT", "128/0", BASE_L2),
               ("L1+L2 STT", "128/0", "4096/0"))


def _row(rows, net, l1, l2):
    return next(r for r in rows if r["network"] == net and r["l1"] == l1 and r["l2"] == l2)


def plot_sweep(rows: list[dict], config, outdir: Path) -> list[str]:
    """Fig. 3 heat maps per network, Fig. 5 bit-flip curves, Fig. 4 power breakdown."""
    outdir = Path(outdir)
    nets = list(dict.fromkeys(r["network"] for r in rows))
    written = [_heatmaps(rows, config, net, outdir) for net in nets]
    written.append(_bitflips(rows, config, nets, outdir))
    written.append(_breakdown(rows, nets, outdir))
    return written


def _heatmaps(rows, config, net, outdir) -> str:
    plt = pyplot()
    l1s, l2s = config.geometry.l1, config.geometry.l2
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, title in ((axes[0], "gain", "(a) runtime gain"),
                           (axes[1], "power_reduction", "(b) power reduction")):
        grid = np.array([[_row(rows, net, l1, l2)[key] for l1 in l1s] for l2 in l2s], float)
        im = ax.imshow(grid, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(l1s)), l1s)
        ax.set_yticks(range(len(l2s)), ["No-L2" if x == "none" else x for x in l2s])
        ax.set_xlabel("L1 STT/SRAM (KB)")
        ax.set_ylabel("L2 STT/SRAM (KB)")
        for i in range(len(l2s)):
            for j in range(len(l1s)):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white")
        ax.set_title(f"{net}: {title} (x)")
        fig.colorbar(im, ax=ax)
    return save(fig, outdir, f"shycache_fig3_{net}.png")


def _bitflips(rows, config, nets, outdir) -> str:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    l1s = config.geometry.l1
    l2s = [x for x in config.geometry.l2 if x != "none"]
    for net in nets:
        axes[0].plot(l1s, [_row(rows, net, l1, "none")["stt_bitflips"] or 0 for l1 in l1s],
                     marker="o", label=net)
        axes[1].plot(l2s, [_row(rows, net, BASE_L1, l2)["stt_bitflips"] or 0 for l2 in l2s],
                     marker="o", label=net)
    axes[0].set_title("(a) STT bit flips, L1 geometries, No-L2")
    axes[0].set_xlabel("L1 STT/SRAM (KB)")
    axes[1].set_title(f"(b) STT bit flips, L2 geometries, L1 {BASE_L1}")
    axes[1].set_xlabel("L2 STT/SRAM (KB)")
    for ax in axes:
        ax.set_yscale("symlog")
        ax.set_ylabel("bit flips")
        ax.legend(fontsize=7)
    return save(fig, outdir, "shycache_fig5_bitflips.png")


def _breakdown(rows, nets, outdir) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(10, 4.5))
    labels, bars = [], []
    for net in nets:
        for name, l1, l2 in FIG4_POINTS:
            r = _row(rows, net, l1, l2)
            labels.append(f"{net[:6]}\n{name}")
            bars.append({k: j / r["seconds"] for k, j in r["energy_breakdown_j"].items()})
    keys = list(dict.fromkeys(k for bar in bars for k in bar))
    bottom = np.zeros(len(labels))
    for key in keys:  # a key absent from a bar (an array that does not exist) adds zero
        values = np.array([bar.get(key, 0.0) for bar in bars])
        if values.any():
            ax.bar(range(len(labels)), values, bottom=bottom, label=key)
            bottom += values
    ax.set_xticks(range(len(labels)), labels, fontsize=6)
    ax.set_ylabel("cache power (W)")
    ax.set_title("Fig. 4 analogue: L1-D + L2 power by array and access kind")
    ax.legend(fontsize=6, ncol=2)
    return save(fig, outdir, "shycache_fig4_power.png")
