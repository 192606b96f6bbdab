"""The real-model study: MLC faults in each encoded structure of a trained CNN (seed 003 §4).

Model: the shared digits CNN (:mod:`golden.nn`, zoo ``digits_cnn``), pruned by
magnitude and retrained, then clustered per layer (§3.1) — the stand-in for
MNIST-LeNet5 of Fig. 5.  Every weight layer is encoded (:mod:`.storage`) and
each structure is stored at 1, 2 or 3 bits per cell of a technology
(:mod:`.mlc`).  A *trial* draws one fault map — every cell of the faulted
structures of every layer read once through the cell model — decodes the
layers like the hardware, looks the indices up in the codebooks and measures
the float classification error on the held-out test split.

* :func:`vulnerability` is Fig. 5: one structure faulty at a time (the others
  stored perfectly), per bits per cell and protection, averaged over trials.
  Besides the paper's rows, two controls the paper does not show: the dense
  P+C values and the IdxSync counters SEC-DED protected (``P+C+ECC``,
  ``BitM+IdxSync+ECC``, :data:`storage.STUDY_ENCODINGS`), so that ECC is
  compared on dense and sparse structures alike and the counters' own
  vulnerability has a remedy on record.
* :func:`minimal_cells` is Fig. 6: per encoding, the configuration of bits per
  cell (one per structure) with the fewest cells whose error stays within the
  iso-training-noise bound with every structure faulty at once.  Candidates
  are tried in order of cell count; a candidate is skipped without
  evaluation when one of its structures was already unsafe *in isolation* at
  the same or fewer bits per cell (faults only grow with bits per cell, and
  adding faults elsewhere is assumed not to repair it).  At most
  :data:`MAX_EVALUATIONS` candidates are evaluated; when none of them is safe
  the result says so (``found`` false, ``note``) and the study goes on.
* Iso-training noise (§3.1.1, :func:`itn_bound`): the whole pipeline (train
  from a fresh seed with the pretrained model's hyper-parameters, prune,
  retrain, cluster) is repeated ``study.itn_retrains`` times; the bound is
  ``study.itn_sigmas`` sample standard deviations of the resulting test
  errors.  A configuration is *safe* when its mean error exceeds the clean
  deployed model's error by at most the bound.

Biases and codebooks are not faulted (held in reliable storage) and not
counted in the cells.  Seeds: fault maps draw from
``default_rng([study.seed, technology, row, bits per cell, trial])``.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

import numpy as np

from hymem.golden.config import ConfigError

from .accounting import cells
from .clustering import ClusteredLayer, cluster, clustered_params
from .mlc import BITS_PER_CELL, CELL_NAMES, inject
from .params import TECHNOLOGIES, MaxnvmConfig
from .pruning import prune_and_retrain
from .storage import (
    BASE,
    STUDY_ENCODINGS,
    StoredLayer,
    decode,
    ecc_structures,
    encode_layer,
    structures_of,
)

# Fig. 5 rows: (encoding, structure); protection follows from the encoding
ROWS = (
    ("P+C", "values"),
    ("CSR", "values"), ("CSR", "col_idx"), ("CSR+ECC", "col_idx"),
    ("CSR", "row_counts"), ("CSR+ECC", "row_counts"),
    ("BitMask", "values"), ("BitMask", "wgs"), ("BitMask", "mask"), ("BitM+ECC", "mask"),
    ("BitM+IdxSync", "mask"), ("BitM+IdxSync", "counters"),
    # controls beyond Fig. 5, appended so the rows above keep their fault-map seeds
    ("P+C+ECC", "values"), ("BitM+IdxSync+ECC", "counters"),
)


def protection(encoding: str, structure: str) -> str:
    if structure in ecc_structures(encoding):
        return "ECC"
    if BASE.get(encoding, encoding) == "BitM+IdxSync" and structure in ("mask", "counters"):
        return "IdxSync"
    return "none"


def isolation_row(encoding: str, structure: str) -> tuple[str, str]:
    """The Fig. 5 row that isolates ``structure`` of ``encoding`` (same stored form and decoder)."""
    if (encoding, structure) in ROWS:
        return encoding, structure
    base = BASE.get(encoding, encoding)
    if structure == "mask" and base == "BitM+IdxSync":  # clean counters: their protection is moot
        return base, structure
    if structure in ("values", "wgs"):  # unprotected and decoded the same in every variant
        return {"P+C": "P+C", "CSR": "CSR"}.get(base, "BitMask"), structure
    raise ConfigError(f"no isolation row for {encoding}/{structure}")


# --- the deployed model ------------------------------------------------------------

@dataclass(frozen=True)
class Deployed:
    """A pruned, clustered model, its test data and its clean (fault-free) test error."""

    params: dict
    layers: dict[str, ClusteredLayer]
    x_test: np.ndarray
    y_test: np.ndarray
    clean_error: float

    def error(self, indices: dict[str, np.ndarray] | None = None) -> float:
        from hymem.golden.nn import accuracy

        if indices is not None and all(np.array_equal(indices[k], lay.indices)
                                       for k, lay in self.layers.items()):
            return self.clean_error  # the decoders returned the clean weights: same logits
        p = clustered_params(self.params, self.layers, indices)
        return 1.0 - accuracy(p, self.x_test, self.y_test)


def _pipeline(params: dict, split, info: dict, cfg: MaxnvmConfig, seed: int) -> Deployed:
    s = cfg.study
    pruned, _ = prune_and_retrain(params, split, s.prune_fraction, s.retrain_epochs, s.retrain_lr,
                                  seed, info["batch_size"], info["optimizer"])
    layers = cluster(pruned, s.index_bits, seed)
    dep = Deployed(pruned, layers, split.x_test, split.y_test, 0.0)
    return Deployed(pruned, layers, split.x_test, split.y_test, dep.error())


def deploy(cfg: MaxnvmConfig) -> Deployed:
    """The pretrained digits CNN pruned, retrained and clustered with ``cfg.study``."""
    from hymem.golden.nn import load_digits, load_pretrained

    params, info = load_pretrained()
    split = load_digits(info["split_seed"], info["test_fraction"])
    return _pipeline(params, split, info, cfg, cfg.study.seed)


def itn_bound(cfg: MaxnvmConfig) -> dict:
    """Iso-training noise: test errors of ``itn_retrains`` seeded runs of the whole pipeline."""
    from hymem.golden.nn import init_params, load_digits, load_pretrained, train

    _, info = load_pretrained()
    split = load_digits(info["split_seed"], info["test_fraction"])
    errors = []
    for k in range(cfg.study.itn_retrains):
        seed = cfg.study.seed + 1 + k
        params, _ = train(init_params(seed), split, info["epochs"], info["lr"], seed,
                          info["batch_size"], optimizer=info["optimizer"])
        errors.append(_pipeline(params, split, info, cfg, seed).clean_error)
    std = float(np.std(errors, ddof=1))
    return {"errors": errors, "mean": float(np.mean(errors)), "std": std,
            "bound": cfg.study.itn_sigmas * std, "retrains": len(errors),
            "definition": f"{cfg.study.itn_sigmas:g} x sample std of the test error over "
                          f"{len(errors)} seeded retrainings (train, prune, retrain, cluster)"}


# --- fault trials --------------------------------------------------------------------

@dataclass
class Encoded:
    """Every layer of a deployed model stored under one encoding."""

    encoding: str
    layers: dict[str, StoredLayer] = field(default_factory=dict)

    def structure_bits(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for lay in self.layers.values():
            for s in lay.streams:
                out[s] = out.get(s, 0) + lay.bits(s)
        return out

    def cells(self, bpc: dict[str, int]) -> int:
        return sum(cells({s: lay.bits(s)}, bpc.get(s, 1)) for lay in self.layers.values()
                   for s in lay.streams)


def encode_model(dep: Deployed, encoding: str, cfg: MaxnvmConfig) -> Encoded:
    enc = Encoded(encoding)
    for name, lay in dep.layers.items():
        enc.layers[name] = encode_layer(lay.indices, encoding, cfg.study.index_bits, cfg.codec,
                                        cfg.study.idxsync_block)
    return enc


def trial(dep: Deployed, enc: Encoded, bpc: dict[str, int], tech, code: str,
          rng: np.random.Generator) -> tuple[float, int]:
    """One fault map over the structures in ``bpc``: (test error, faulty cells)."""
    indices, faulty = {}, 0
    for name, lay in enc.layers.items():
        streams = {}
        for s, b in bpc.items():
            res = inject(lay.streams[s], b, tech, rng, code)
            faulty += res.faulty_cells
            if res.faulty_cells:
                streams[s] = res.bits
        indices[name] = decode(lay, streams).indices if streams else dep.layers[name].indices
    return dep.error(indices), faulty


def _stats(errors: list[float], faults: list[int], clean: float, bound: float) -> dict:
    e = np.asarray(errors)
    return {"mean_error": float(e.mean()), "std_error": float(e.std(ddof=1)) if len(e) > 1 else 0.0,
            "delta_error": float(e.mean() - clean), "safe": bool(e.mean() - clean <= bound),
            "mean_faulty_cells": float(np.mean(faults)),
            "trials_with_faults": int(np.count_nonzero(faults)), "trials": len(errors)}


def _tech_index(name: str) -> int:
    if name not in TECHNOLOGIES:
        raise ConfigError(f"unknown technology {name!r}; valid: {', '.join(TECHNOLOGIES)}")
    return TECHNOLOGIES.index(name)


def vulnerability(dep: Deployed, encoded: dict[str, Encoded], cfg: MaxnvmConfig, tech: str,
                  trials: int, bound: float, progress=None, engine=None) -> list[dict]:
    """Fig. 5 analog: each row's error at SLC / MLC2 / MLC3, the other structures perfect.

    The fault maps are the points of the ``maxnvm faults`` sweep (:mod:`golden.maxnvm.sweeps`),
    run on ``engine`` (default: serially in this process), then averaged per row."""
    from hymem.golden.sweep import get_study, rows_of

    from .sweeps import ROW_LABELS

    _tech_index(tech)
    maps = rows_of(get_study("maxnvm", "faults"),
                   {"technology": (tech,), "row": ROW_LABELS, "bits_per_cell": BITS_PER_CELL,
                    "trial": tuple(range(trials))},
                   engine=engine, progress=progress or False, config=cfg,
                   context=(cfg, dep, encoded))
    rows = []
    for r, (encoding, structure) in enumerate(ROWS):
        for b, bpc in enumerate(BITS_PER_CELL):
            start = (r * len(BITS_PER_CELL) + b) * trials
            mine = maps[start:start + trials]
            rows.append({"technology": tech, "encoding": encoding, "structure": structure,
                         "protection": protection(encoding, structure), "bits_per_cell": bpc,
                         "cell": CELL_NAMES[bpc],
                         "cells": _bits_cells(encoded[encoding], structure, bpc),
                         **_stats([m["error"] for m in mine], [m["faulty_cells"] for m in mine],
                                  dep.clean_error, bound)})
    return rows


def _bits_cells(enc: Encoded, structure: str, bpc: int) -> int:
    """Cells of one structure (all layers) at ``bpc`` bits per cell."""
    return sum(cells({structure: lay.bits(structure)}, bpc) for lay in enc.layers.values())


#: Fig. 6 search budget: candidate configurations evaluated per encoding and technology
MAX_EVALUATIONS = 40


def minimal_cells(dep: Deployed, enc: Encoded, cfg: MaxnvmConfig, tech: str, trials: int,
                  bound: float, isolated: list[dict], max_evaluations: int | None = None,
                  progress=None) -> dict:
    """Fig. 6 analog: fewest-cells bits-per-cell configuration of ``enc`` within the bound.

    Evaluates at most ``max_evaluations`` (default :data:`MAX_EVALUATIONS`) candidates; the
    result has ``found`` False and a ``note`` when none of them is safe.  ``progress`` (a tqdm
    bar) advances by ``max_evaluations * trials`` in all."""
    max_evaluations = MAX_EVALUATIONS if max_evaluations is None else max_evaluations
    if max_evaluations < 1:
        raise ConfigError(f"max_evaluations={max_evaluations}: need >= 1")
    t = cfg.mlc.tech(tech)
    structs = structures_of(enc.encoding)
    unsafe_from = {}  # structure -> smallest bpc unsafe in isolation
    for s in structs:
        row = isolation_row(enc.encoding, s)
        bad = [r["bits_per_cell"] for r in isolated
               if (r["encoding"], r["structure"]) == row and not r["safe"]]
        unsafe_from[s] = min(bad) if bad else 99
    candidates = []
    for combo in itertools.product(BITS_PER_CELL, repeat=len(structs)):
        bpc = dict(zip(structs, combo, strict=True))
        if any(bpc[s] >= unsafe_from[s] for s in structs):
            continue
        candidates.append((enc.cells(bpc), -sum(combo), bpc))
    candidates.sort(key=lambda c: (c[0], c[1]))
    evaluated, found = 0, None
    for n_cells, _, bpc in candidates[:max_evaluations]:
        evaluated += 1
        errors, faults = [], []
        for k in range(trials):
            rng = np.random.default_rng([cfg.study.seed, _tech_index(tech), 100 + STUDY_ENCODINGS.index(
                enc.encoding), *bpc.values(), k])
            e, f = trial(dep, enc, bpc, t, cfg.mlc.level_code, rng)
            errors.append(e)
            faults.append(f)
            if progress:
                progress.update(1)
        st = _stats(errors, faults, dep.clean_error, bound)
        if st["safe"]:
            found = {"technology": tech, "encoding": enc.encoding, "found": True, "bits_per_cell": bpc,
                     "cells": n_cells, "cells_per_structure": {
                         s: _bits_cells(enc, s, b) for s, b in bpc.items()},
                     "bits": enc.structure_bits(), "evaluated": evaluated, **st}
            break
    if progress:  # the unused part of the budget
        progress.update((max_evaluations - evaluated) * trials)
    if found:
        return found
    if not candidates:
        note = "none: every configuration has a structure unsafe in isolation"
    else:
        note = f"none found within {evaluated} evaluations" + (
            f" (all {len(candidates)} candidates)" if evaluated == len(candidates) else "")
    return {"technology": tech, "encoding": enc.encoding, "found": False, "note": note,
            "evaluated": evaluated, "candidates": len(candidates), "max_evaluations": max_evaluations}


SWEEP_BLOCKS = (8, 16, 32, 64, 128, 1024)
SWEEP_TECH, SWEEP_BPC = "ctt", 3


def idxsync_sweep(dep: Deployed, cfg: MaxnvmConfig, trials: int, bound: float, progress=None) -> list[dict]:
    """MLC3-CTT bitmask faults decoded with IdxSync at several block sizes (and without)."""
    out = []
    for i, block in enumerate((*SWEEP_BLOCKS, None)):
        c = dataclasses.replace(cfg, study=dataclasses.replace(cfg.study, idxsync_block=block or 8))
        enc = encode_model(dep, "BitM+IdxSync" if block else "BitMask", c)
        errors, faults = [], []
        for k in range(trials):
            rng = np.random.default_rng([cfg.study.seed, 200, i, k])
            e, f = trial(dep, enc, {"mask": SWEEP_BPC}, cfg.mlc.tech(SWEEP_TECH), cfg.mlc.level_code, rng)
            errors.append(e)
            faults.append(f)
            if progress:
                progress.update(1)
        out.append({"technology": SWEEP_TECH, "bits_per_cell": SWEEP_BPC, "idxsync_block": block,
                    "counter_bits": enc.structure_bits().get("counters", 0),
                    **_stats(errors, faults, dep.clean_error, bound)})
    return out


def study_trials(cfg: MaxnvmConfig, trials: int | None) -> int:
    """Fault maps per configuration: ``trials``, or ``[study] trials`` when None (0 is an error)."""
    trials = cfg.study.trials if trials is None else trials
    if trials < 2:
        raise ConfigError(f"trials={trials}: need >= 2 fault maps for a mean and spread")
    return trials


def progress_total(n_technologies: int, trials: int, search: bool) -> int:
    """Fault maps :func:`run_study` draws at most (the progress bar's total): Fig. 5 rows,
    the IdxSync sweep and, with ``search``, each Fig. 6 search's whole budget (a search that
    stops early advances the bar by what it did not use)."""
    fig5 = n_technologies * len(ROWS) * len(BITS_PER_CELL)
    fig6 = n_technologies * len(STUDY_ENCODINGS) * MAX_EVALUATIONS if search else 0
    return (fig5 + len(SWEEP_BLOCKS) + 1 + fig6) * trials


def run_study(cfg: MaxnvmConfig, trials: int | None = None, technologies=TECHNOLOGIES,
              search: bool = True, progress: bool = False, engine=None) -> dict:
    """Deploy, bound, Fig. 5 (and with ``search`` Fig. 6) analogs per technology; JSON-ready.

    With ``progress`` one bar (counting fault maps) is shown from the start, its label naming
    the phase (deploying, ITN retraining, fault maps); ``engine`` (a :mod:`golden.sweep`
    engine) runs the Fig. 5 fault maps, serially in this process by default."""
    trials = study_trials(cfg, trials)
    for tname in technologies:
        _tech_index(tname)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=progress_total(len(technologies), trials, search), unit="map",
                   desc="maxnvm: deploying (prune, retrain, cluster)", leave=False, disable=None)
    _phase(bar, "maxnvm: deploying (prune, retrain, cluster)")
    dep = deploy(cfg)
    _phase(bar, f"maxnvm: ITN bound ({cfg.study.itn_retrains} retrainings)")
    itn = itn_bound(cfg)
    _phase(bar, "maxnvm fault maps")
    encoded = {e: encode_model(dep, e, cfg) for e in STUDY_ENCODINGS}
    out = {"model": {"network": "digits_cnn", "clean_error": dep.clean_error,
                     "weights": int(sum(lay.indices.size for lay in dep.layers.values())),
                     "sparsity": float(np.mean(np.concatenate(
                         [(lay.indices == 0).reshape(-1) for lay in dep.layers.values()]))),
                     "index_bits": cfg.study.index_bits, "test_images": len(dep.y_test)},
           "itn": itn, "trials": trials, "idxsync_block": cfg.study.idxsync_block,
           "structure_bits": {e: enc.structure_bits() for e, enc in encoded.items()},
           "vulnerability": [], "minimal_cells": []}
    for tname in technologies:
        rows = vulnerability(dep, encoded, cfg, tname, trials, itn["bound"], bar, engine)
        out["vulnerability"] += rows
        for e in STUDY_ENCODINGS if search else ():
            out["minimal_cells"].append(minimal_cells(dep, encoded[e], cfg, tname, trials,
                                                      itn["bound"], rows, progress=bar))
    out["idxsync_sweep"] = idxsync_sweep(dep, cfg, trials, itn["bound"], bar)
    if bar:
        bar.close()
    return out


def _phase(bar, label: str) -> None:
    if bar is not None and hasattr(bar, "set_description"):
        bar.set_description(label)


# --- cached runs (for `hymem reproduce`) ------------------------------------------------

def cached_study(cfg: MaxnvmConfig, trials: int | None = None, technologies=TECHNOLOGIES,
                 search: bool = True, progress: bool = True, engine=None) -> dict:
    """:func:`run_study`, memoized in ``build/cache/`` by a digest of its inputs and of all of
    ``golden/`` and ``configs/`` (:mod:`golden.cache`); a cold run shows a progress bar.  The
    engine and the bar do not change the result, so they are not part of the key."""
    from hymem.golden.cache import cached_json

    trials = study_trials(cfg, trials)
    return cached_json("maxnvm_study", (cfg, (trials, tuple(technologies), search)),
                       lambda: run_study(cfg, trials, technologies, search, progress, engine))
