"""Benchmark: ``hymem reproduce all`` as a user runs it, cold (if the study caches are) and warm.

Runs the CLI in a fresh process twice: the first run fills ``build/cache/`` when it is cold
(RANA's retention-aware training, MaxNVM's fault maps), the second is the warm figure the
project targets (< 60 s on 2 cores, issue 12).  Records the reproduction's counts beside the
cost, from the JSON the run printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from hymem.tools.toolchain import REPO


def _timed_run() -> tuple[float, dict]:
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "hymem.golden.cli", "reproduce", "all", "--json"],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, json.loads(res.stdout)


def run() -> list[dict]:
    first, _ = _timed_run()
    warm, doc = _timed_run()
    s = doc["summary"]
    return [
        {"name": "reproduce_all_first_wall", "figure": round(first, 1), "unit": "s",
         "note": "first run: cold when build/cache/ lacks the current studies (then it computes "
                 "them), else warm"},
        {"name": "reproduce_all_warm_wall", "figure": round(warm, 1), "unit": "s",
         "note": "warm run, fresh process (target < 60 s on 2 cores)"},
        {"name": "reproduce_predictions_reproduced", "figure": s["predictions_ok"],
         "unit": f"of {s['predictions']} predictions",
         "note": f"{s['expected_out']} expected out, {s['unexpected']} unexpected, "
                 f"{s['claims']} records"},
    ]


if __name__ == "__main__":
    for rec in run():
        print(rec)
