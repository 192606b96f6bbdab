"""A sweep's output directory.

* ``results.jsonl`` — one JSON object per row.  While the sweep runs, every finished batch is
  appended (so a killed sweep keeps what it finished); at the end it is rewritten in point
  order.  A torn last line (the process died while writing it) is ignored: that point runs
  again on ``--resume``.
* ``results.csv`` — the same rows with a header, in point order.
* ``failures.jsonl`` — one object per failed point: its parameters and the error.
* ``meta.json`` — hymem version, config hash, study, grid, engine, timings.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from hymem.golden.config import ConfigError

RESULTS, CSV, FAILURES, META = "results.jsonl", "results.csv", "failures.jsonl", "meta.json"


def read_rows(out: Path) -> list[dict]:
    """The rows already in ``out`` (none if there is no log); a torn last line is dropped."""
    path = out / RESULTS
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def read_meta(out: Path) -> dict | None:
    path = out / META
    return json.loads(path.read_text()) if path.is_file() else None


def check_resumable(out: Path, meta: dict, resume: bool) -> None:
    """Refuse to mix sweeps: an existing output needs ``--resume`` and the same study and code."""
    old = read_meta(out)
    if old is None and not (out / RESULTS).is_file():
        return
    if not resume:
        raise ConfigError(f"{out} already holds a sweep; pass --resume to continue it, "
                          "or choose another --out")
    if old is None:
        return
    for k in ("system", "study", "config_hash", "hymem_version"):
        if old.get(k) != meta[k]:
            raise ConfigError(f"{out} holds a sweep with {k} {old.get(k)!r}, this one has "
                              f"{meta[k]!r}; choose another --out")


class RowLog:
    """Appends finished rows to ``results.jsonl`` as they arrive (flushed per batch)."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        self._file = (out / RESULTS).open("a")

    def append(self, lines: list[str]) -> None:
        if lines:
            self._file.write("".join(line + "\n" for line in lines))
            self._file.flush()

    def close(self) -> None:
        self._file.close()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def write_table(out: Path, rows: list[tuple[str, str, list[str]]], failures: list[dict],
                meta: dict, rewrite_log: bool = True) -> None:
    """The final files from ``rows`` = (JSON line, CSV line, columns) in point order.

    ``rewrite_log`` False: ``results.jsonl`` already holds exactly these rows in this order.
    The CSV header is the columns of the first row; a row with other columns (a study whose
    outputs vary) is written through the header's columns instead."""
    out.mkdir(parents=True, exist_ok=True)
    if rewrite_log:  # else the log was appended in point order already
        _atomic_write(out / RESULTS, "".join(js + "\n" for js, _, _ in rows))
    header = rows[0][2] if rows else []
    layouts = {id(cols): cols for _, _, cols in rows}  # one list per batch, shared by its rows
    columns = list(dict.fromkeys(c for cols in layouts.values() for c in cols))
    if columns == header:
        body = "".join(cs + "\n" for _, cs, _ in rows)
    else:
        buf = io.StringIO()
        csv.writer(buf).writerows([json.loads(js).get(c, "") for c in columns] for js, _, _ in rows)
        body = buf.getvalue()
    head = io.StringIO()
    csv.writer(head).writerow(columns)
    _atomic_write(out / CSV, head.getvalue().replace("\r\n", "\n") + body.replace("\r\n", "\n"))
    _atomic_write(out / FAILURES, "".join(json.dumps(x) + "\n" for x in failures))
    _atomic_write(out / META, json.dumps(meta, indent=2) + "\n")
