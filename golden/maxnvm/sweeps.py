"""MaxNVM's fault-map study on the sweep layer (``hymem sweep maxnvm faults``).

One point is one fault map (seed 003 §4, Fig. 5): a technology, a Fig. 5 row (an encoding and
the one structure stored faulty, the others perfect), bits per cell and a trial number; its row
is the test error of the digits CNN decoded from that map and the number of faulty cells.  The
fault map is drawn from ``default_rng([study.seed, technology, row, bits per cell, trial])``,
exactly as :func:`golden.maxnvm.study.vulnerability` draws it, so the per-point seed depends on
the point only and :func:`~golden.maxnvm.study.vulnerability` itself runs on this study.

The deployed model (prune, retrain, cluster: seconds) is prepared once in the driver and sent
with every batch, so workers do no training.
"""

from __future__ import annotations

import numpy as np

from hymem.golden.sweep import Axis, study

from .mlc import BITS_PER_CELL
from .params import TECHNOLOGIES, MaxnvmConfig, load_maxnvm_config

#: Fig. 5 rows as ``encoding/structure`` labels, in :data:`golden.maxnvm.study.ROWS` order
ROW_LABELS = ("P+C/values", "CSR/values", "CSR/col_idx", "CSR+ECC/col_idx", "CSR/row_counts",
              "CSR+ECC/row_counts", "BitMask/values", "BitMask/wgs", "BitMask/mask",
              "BitM+ECC/mask", "BitM+IdxSync/mask", "BitM+IdxSync/counters", "P+C+ECC/values",
              "BitM+IdxSync+ECC/counters")
DEFAULT_TRIALS = 20   # per configuration; `hymem maxnvm study` uses [study] trials


def prepare(cfg: MaxnvmConfig):
    """(config, deployed model, every study encoding of it): the context of a batch."""
    from .study import STUDY_ENCODINGS, deploy, encode_model

    dep = deploy(cfg)
    return cfg, dep, {e: encode_model(dep, e, cfg) for e in STUDY_ENCODINGS}


@study("maxnvm", "faults", config=load_maxnvm_config, prepare=prepare, batch=128,
       axes={"technology": Axis(TECHNOLOGIES, choices=TECHNOLOGIES),
             "row": Axis(ROW_LABELS, choices=ROW_LABELS),
             "bits_per_cell": Axis(BITS_PER_CELL, choices=BITS_PER_CELL),
             "trial": Axis(tuple(range(DEFAULT_TRIALS)), minimum=0)},
       heat="error", pareto=("cells", "error"),
       description="Fig. 5 fault maps: one structure faulty per map, digits CNN test error")
def faults(points, context) -> list[dict]:
    from .study import ROWS, _bits_cells, _tech_index, trial

    cfg, dep, encoded = context
    rows = []
    for p in points:
        r = ROW_LABELS.index(p["row"])
        encoding, structure = ROWS[r]
        bpc = p["bits_per_cell"]
        rng = np.random.default_rng([cfg.study.seed, _tech_index(p["technology"]), r, bpc,
                                     p["trial"]])
        error, faulty = trial(dep, encoded[encoding], {structure: bpc},
                              cfg.mlc.tech(p["technology"]), cfg.mlc.level_code, rng)
        rows.append({"error": float(error), "faulty_cells": int(faulty),
                     "cells": _bits_cells(encoded[encoding], structure, bpc)})
    return rows
