"""``hymem sweep --plot DIR``: a heat map over two swept axes and the Pareto front.

* heat map: the study's ``heat`` column over its ``heat_axes`` (one panel per network), or
  else over the first two axes that take more than one value (networks count as an axis),
  reduced over every other axis by ``min`` (the best design point of that cell) — or
  ``mean`` over repeated trials for a study with a ``trial`` axis;
* Pareto front: the study's ``pareto = (x, y)`` columns, both minimised, every point in grey and
  the non-dominated ones in colour, also written as ``pareto.csv``.  Trials of one
  configuration are averaged first; one front per network.  Rows with ``feasible`` False are
  left out of both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

NON_AXES = ("seed", "trial")


def _params(rows: list[dict], study) -> list[str]:
    names = ["network"] if study.networks is not None else []
    names += [k for k in rows[0] if k in study.axes or k == "layer"]
    return list(dict.fromkeys(n for n in names if n not in NON_AXES))


def _usable(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r.get("feasible", True)]


def _grouped(rows: list[dict], keys: list[str], column: str, how: str) -> dict:
    groups: dict = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(float(r[column]))
    reduce = np.min if how == "min" else np.mean
    return {k: float(reduce(v)) for k, v in groups.items()}


def heat_map(study, rows: list[dict], outdir: Path) -> str | None:
    """The study's ``heat`` column over its ``heat_axes`` (one panel per network), or else over
    the first two swept parameters."""
    from hymem.golden.plotting import pyplot, save

    params = _params(rows, study)
    if study.heat is None:
        return None
    if study.heat_axes:
        a, b = study.heat_axes
        panels = _by_network(rows) if study.networks is not None else {None: rows}
    else:
        swept = [p for p in params if len({r[p] for r in rows}) > 1]
        if len(swept) < 2:
            return None
        (a, b), panels = swept[:2], {None: rows}
    how = "mean" if "trial" in rows[0] else "min"
    ya = list(dict.fromkeys(r[a] for r in rows))
    xb = list(dict.fromkeys(r[b] for r in rows))
    plt = pyplot()
    width = max(5, 0.5 * len(xb) + 3)
    fig, axes = plt.subplots(1, len(panels), squeeze=False,
                             figsize=(width * len(panels), max(4, 0.25 * len(ya) + 2)))
    for ax, (net, panel) in zip(axes[0], panels.items(), strict=True):
        grid = np.full((len(ya), len(xb)), np.nan)
        for (va, vb), v in _grouped(panel, [a, b], study.heat, how).items():
            grid[ya.index(va), xb.index(vb)] = v
        im = ax.imshow(grid, aspect="auto", cmap="viridis")
        if grid.size <= 80:  # small grids: the values themselves, to read the map by eye
            for (i, j), v in np.ndenumerate(grid):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=6, color="w")
        ax.set_xticks(range(len(xb)), [str(v) for v in xb], rotation=90, fontsize=7)
        ax.set_yticks(range(len(ya)), [str(v) for v in ya], fontsize=7)
        ax.set_xlabel(b)
        ax.set_ylabel(a)
        fig.colorbar(im, ax=ax, label=f"{study.heat} ({how})")
        ax.set_title(f"{net + ': ' if net else ''}{study.heat}, {how} over the other axes",
                     fontsize=9)
    fig.suptitle(study.key, fontsize=9)
    return save(fig, outdir, f"{study.system}-{study.name}-heat.png")


def _by_network(rows: list[dict]) -> dict:
    panels: dict = {}
    for r in rows:
        panels.setdefault(r["network"], []).append(r)
    return panels


def pareto_front(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``points[:, (x, y)]`` (both minimised), by x."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    front, best = [], np.inf
    for i in order:
        if points[i, 1] < best:
            front.append(i)
            best = points[i, 1]
    return np.array(front, dtype=int)


def pareto(study, rows: list[dict], outdir: Path) -> str | None:
    """One front per network (networks of different sizes do not compete), all on one chart."""
    from hymem.golden.plotting import pyplot, save

    if study.pareto is None or not rows:
        return None
    x, y = study.pareto
    keys = _params(rows, study)
    xs, ys = _grouped(rows, keys, x, "mean"), _grouped(rows, keys, y, "mean")
    by_net: dict = {}
    for c in xs:
        by_net.setdefault(c[0] if keys and keys[0] == "network" else None, []).append(c)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    outdir.mkdir(parents=True, exist_ok=True)
    n_front = 0
    with (outdir / f"{study.system}-{study.name}-pareto.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*keys, x, y])
        for net, configs in by_net.items():
            pts = np.array([[xs[c], ys[c]] for c in configs])
            front = pareto_front(pts)
            n_front += len(front)
            ax.scatter(pts[:, 0], pts[:, 1], s=4, color="#bbbbbb")
            ax.plot(pts[front, 0], pts[front, 1], "o-", ms=3, label=net or "Pareto front")
            w.writerows([*configs[i], xs[configs[i]], ys[configs[i]]] for i in front)
    ax.set_xscale("log" if len(by_net) > 1 else "linear")
    ax.set_yscale("log" if len(by_net) > 1 else "linear")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{study.key}: {n_front} of {len(xs)} points non-dominated (grey: all)")
    ax.legend(fontsize=6)
    return save(fig, outdir, f"{study.system}-{study.name}-pareto.png")


def plot_sweep(study, rows: list[dict], outdir: Path) -> list[str]:
    rows = _usable(rows)
    if not rows:
        return []
    return [p for p in (heat_map(study, rows, outdir), pareto(study, rows, outdir)) if p]
