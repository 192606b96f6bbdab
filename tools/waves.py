"""``make waves TEST=<top>[:<cocotb test>] [SIM=...]``: one regression with waveforms.

Leaves the simulator's dump under ``build/waves/`` — FST from Icarus, VCD from
Verilator — and, for the tops whose testbench writes one (:data:`GOLDEN_TIMELINES`),
the golden model's predicted event timeline for the same stimulus as
``*.golden.vcd``; prints their paths after checking that each file parses
(pywellen reads FST and VCD, the reader behind the Surfer viewer).

Every registered top is covered: by its own cocotb module, by a recipe
(:data:`RECIPES`: a module, environment and TOML variant from elsewhere in the
suite) or, for synthesis-only tops, an explanation (:data:`EXCLUDED`).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hymem.golden.config import CONFIG_DIR, ConfigError
from hymem.rtl.registry import TOPS, get_top
from hymem.tools.runner import WAVES_DIR, SimulationFailed, run_cocotb
from hymem.tools.toolchain import SIMULATORS


@dataclass(frozen=True)
class Recipe:
    """How ``make waves`` runs a top that has no cocotb module of its own."""

    module: str
    why: str
    env: dict = field(default_factory=dict)
    toml_edits: dict = field(default_factory=dict)   # text -> replacement in configs/<system>.toml


#: hydra_sim_top's reduced variant, shared with tests/test_hydra_sim_top.py: 2 units x 4 MACs and
#: small memory images (the 16 x 32 top's Verilator build alone takes ~16 min); the overlapped
#: protocol of the default config
HYDRA_SIM_TOP_SMALL = {
    "n_units = 16": "n_units = 2",
    "n_macs = 32": "n_macs = 4",
    "ob_words = 256": "ob_words = 16",
    "dram_depth = 262144": "dram_depth = 2048",
    "pcm_depth = 131072": "pcm_depth = 512",
    "cmd_depth = 131072": "cmd_depth = 1024",
    "pcm_prefetch_beats = 512": "pcm_prefetch_beats = 18",  # the largest PCM request of its layers
}
RECIPES = {
    "hydra_mac_bench": Recipe("hymem.tb.hydra.bench_mac", "the MAC benchmark, shortened to 2000 pairs",
                              env={"HYMEM_BENCH_PAIRS": "2000"}),
    "hydra_system": Recipe(
        "hymem.tb.hydra.test_system", "the co-simulation of tests/test_golden_hydra_system.py on its "
        "reduced 16-unit x 4-MAC variant (the full 16 x 32 system takes far longer)",
        toml_edits={"n_macs = 32": "n_macs = 4", "ob_words = 256": "ob_words = 32"}),
    "hydra_sim_top": Recipe(
        "hymem.tb.hydra.test_sim_top", "the small layers of tests/test_hydra_sim_top.py on its reduced "
        "2-unit x 4-MAC variant", toml_edits=HYDRA_SIM_TOP_SMALL),
}
_DECODER_ONLY = ("decoder logic registered for synthesis, without the surface memories it reads; "
                 "the same decoder runs inside the BitMask harness: make waves TEST=maxnvm_bitmask")
EXCLUDED = {name: _DECODER_ONLY for name in (
    "maxnvm_bitmask_decoder", "maxnvm_bitmask_decoder_noidx", "maxnvm_bitmask_decoder_packed",
    "maxnvm_bitmask_decoder_packed_noidx")}
EXCLUDED["rram_accelerator_logic"] = (
    "the RRAM accelerator with 16-word buffers, registered for synthesis only; the same logic "
    "runs in make waves TEST=rram_accelerator")
EXCLUDED["rram_weight_buffer_logic"] = (
    "the RRAM weight buffer at 16 words, registered for synthesis only (tools/synth_rram.py); "
    "the same logic runs in make waves TEST=rram_weight_buffer")
EXCLUDED["rram_bias_store_logic"] = (
    "the RRAM accelerator's bias store at 16 words, registered for synthesis only "
    "(tools/synth_rram.py); it runs inside make waves TEST=rram_accelerator")
#: tops whose testbench also writes the golden model's timeline (``*.golden.vcd``)
GOLDEN_TIMELINES = ("hydra_mac", "hydra_mac_seq")


def waves_module(top_name: str) -> str:
    """The cocotb module ``make waves`` runs for ``top_name``; an excluded top says why."""
    if top_name not in TOPS:
        raise ConfigError(f"unknown TEST {top_name!r}; valid: {', '.join(runnable_tops())} "
                          "(optionally :<cocotb test>)")
    if top_name in EXCLUDED:
        raise ConfigError(f"TEST {top_name!r} has no waves: {EXCLUDED[top_name]}")
    top = get_top(top_name)
    if top.tb:
        return top.tb
    if top_name in RECIPES:
        return RECIPES[top_name].module
    raise ConfigError(f"TEST {top_name!r}: registered without a cocotb module and without a "
                      "tools/waves.py recipe")


def runnable_tops() -> list[str]:
    return sorted(name for name, top in TOPS.items() if top.tb or name in RECIPES)


def recipe_config(top_name: str) -> Path | None:
    """The TOML variant a recipe runs on (written under build/waves/), or None."""
    recipe = RECIPES.get(top_name)
    if not recipe or not recipe.toml_edits:
        return None
    top = get_top(top_name)
    text = (CONFIG_DIR / f"{top.config}.toml").read_text()
    for old, new in recipe.toml_edits.items():
        if old not in text:
            raise ConfigError(f"waves recipe of {top_name}: configs/{top.config}.toml has no {old!r}")
        text = text.replace(old, new)
    WAVES_DIR.mkdir(parents=True, exist_ok=True)
    path = WAVES_DIR / f"{top_name}-variant.toml"
    path.write_text(text)
    return path


def cocotb_tests(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [name for name, _ in inspect.getmembers(module) if name.startswith(("test_", "bench_"))]


def parse_test(test: str) -> tuple[str, str | None]:
    """``"<top>[:<cocotb test>]"`` → (top, cocotb test or None), validated."""
    top_name, _, case = test.partition(":")
    module = waves_module(top_name)
    if case:
        cases = cocotb_tests(module)
        if case not in cases:
            raise ConfigError(f"unknown cocotb test {case!r} of {top_name}; valid: {', '.join(cases)}")
    return top_name, case or None


def signal_count(path) -> int:
    """Parse a dump fully; returns its number of variables (raises if unreadable)."""
    import pywellen

    waveform = pywellen.Waveform(str(path))
    return len(list(waveform.all_vars()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("test", help="<top>[:<cocotb test>]")
    parser.add_argument("--sim", default="icarus", help="icarus, verilator or all")
    parser.add_argument("--seed", type=int, default=None, help="cocotb random seed")
    args = parser.parse_args(argv)
    sims = SIMULATORS if args.sim == "all" else (args.sim,)
    try:
        if args.sim != "all" and args.sim not in SIMULATORS:
            raise ConfigError(f"unknown SIM {args.sim!r}; valid: {', '.join(SIMULATORS)} all")
        top, case = parse_test(args.test)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)  # bad input, as the hymem command
    for sim in sims:
        started = time.time()
        test_id = f"waves-{top}"
        recipe = RECIPES.get(top)
        if recipe:
            print(f"{top}: {recipe.why}", flush=True)
        try:
            outcome = run_cocotb(top, waves_module(top), sim, test_id=test_id, testcase=case,
                                 seed=args.seed, waves=True, config=recipe_config(top),
                                 extra_env=recipe.env if recipe else None)
        except SimulationFailed as exc:
            print(f"warning: {exc}", file=sys.stderr)
            outcome = {"waves": next(iter(sorted(WAVES_DIR.glob(f"{test_id}-{sim}.*"))), None)}
        if not outcome["waves"]:
            sys.exit(f"error: {sim} left no waveform dump")
        print(f"{sim} waves:  {outcome['waves']}  ({signal_count(outcome['waves'])} signals)")
        written = [g for g in sorted(WAVES_DIR.glob(f"{test_id}-{sim}-*.golden.vcd"))
                   if g.stat().st_mtime >= started]
        for golden in written:
            print(f"golden timeline: {golden}  ({signal_count(golden)} signals)")
        if not written:
            print(f"golden timeline: none (only the {', '.join(GOLDEN_TIMELINES)} testbenches write "
                  "one; the RTL dump is compared with the golden model by the regression itself)")


if __name__ == "__main__":
    main()
