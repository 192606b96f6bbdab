"""Headless matplotlib for the ``--plot DIR`` options: one figure in, one PNG path out."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed; imported only when plotting)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, outdir: Path, name: str, rect=None) -> str:
    """Write ``fig`` as ``outdir/name`` (creating the directory), close it, return the path.

    ``rect`` (left, bottom, right, top in figure fractions): the area the axes may fill, leaving
    the rest to a figure-level legend."""
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / name
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=120)
    pyplot().close(fig)
    return str(path)
