# convdoc: two commands on a fresh clone.
#   make html   set up .venv (pinned) and the offline math assets, build the site
#   make test   same set-up, then lint and every test (the site is built once by the tests)
# The set-up is skipped when nothing it depends on changed (stamp files).

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PINS   := requirements/constraints.txt
STAMP  := $(VENV)/.installed
SPHINXOPTS ?= -W --keep-going
BUILDDIR := docs/_build
KATEX_VERSION := 0.16.22
KATEX_DIR := docs/_static/katex
KATEX_STAMP := $(KATEX_DIR)/.version-$(KATEX_VERSION)
# Lighthouse for the site tests, at the exact version in tests/lighthouse/package-lock.json.
LIGHTHOUSE_DIR := tests/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE_DIR)/node_modules/.installed

.PHONY: help venv assets lighthouse html serve livehtml test lint mutate bench bench-build bench-peers clean distclean

help:
	@echo "make html      build the site into $(BUILDDIR)/html"
	@echo "make serve     serve the built site on http://127.0.0.1:8000"
	@echo "make livehtml  rebuild on save and reload the browser"
	@echo "make test      lint and run every test"
	@echo "make lint      ruff only"
	@echo "make mutate    mutation testing of the numerics (slow; MUTANTS='convdoc.engine*' for one module)"
	@echo "make bench     speed benchmarks of the engine, then the site's build-time budgets"
	@echo "make bench-build  only the build-time budgets (clean build, no-op rebuild, slowest example)"
	@echo "make bench-peers  convdoc against torch, OpenCV and SciPy in .venv-peers (optional, large install)"
	@echo "make clean     remove generated files (keeps .venv)"

$(STAMP): $(PINS) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(PINS) -e ".[docs,test]"
	@touch $@

venv: $(STAMP)

# KaTeX's stylesheet and fonts are served from _static so the site needs no network.
# They come from the npm registry at set-up time, never at page-load time.
$(KATEX_STAMP):
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm (Node.js) is needed once to fetch KaTeX $(KATEX_VERSION) for offline math," >&2; \
	  echo "       and node to prerender the formulas. Install Node.js 18+ (Debian: apt-get install nodejs npm)." >&2; \
	  exit 1; }
	@rm -rf $(KATEX_DIR) && mkdir -p $(KATEX_DIR)
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent katex@$(KATEX_VERSION) >/dev/null && \
	  tar -xzf katex-$(KATEX_VERSION).tgz && cd - >/dev/null && \
	  cp $$tmp/package/dist/katex.min.css $(KATEX_DIR)/ && \
	  cp $$tmp/package/dist/katex.min.js $(KATEX_DIR)/ && \
	  mkdir -p $(KATEX_DIR)/fonts && cp $$tmp/package/dist/fonts/*.woff2 $(KATEX_DIR)/fonts/ && \
	  rm -rf $$tmp
	@touch $@

assets: $(KATEX_STAMP)

# Lighthouse (tests/site/test_lighthouse.py) from the npm registry, as locked; it
# drives Debian's chromium (CHROME_PATH), so no browser is downloaded.
$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm (Node.js) is needed to install Lighthouse for the tests." >&2; exit 1; }
	cd $(LIGHTHOUSE_DIR) && npm ci --silent --no-audit --no-fund
	@touch $@

lighthouse: $(LIGHTHOUSE_STAMP)

# The log is kept in $(BUILDDIR)/build.log: the tests read it when CONVDOC_SITE
# points them at this build (zero warnings, nothing re-executed on a rebuild).
html: $(STAMP) $(KATEX_STAMP)
	@mkdir -p $(BUILDDIR)
	set -o pipefail; $(BIN)/sphinx-build -b html $(SPHINXOPTS) docs $(BUILDDIR)/html 2>&1 \
	  | tee $(BUILDDIR)/build.log
	@echo "Built the site in $(BUILDDIR)/html (make serve to browse it)."

serve:
	@test -f $(BUILDDIR)/html/index.html || { echo "No site yet: run 'make html' first." >&2; exit 1; }
	@echo "Serving $(BUILDDIR)/html on http://127.0.0.1:8000 (Ctrl-C to stop)"
	@$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory $(BUILDDIR)/html

livehtml: $(STAMP) $(KATEX_STAMP)
	$(BIN)/sphinx-autobuild -b html --host 127.0.0.1 --port 8000 \
	  --ignore "*/auto_examples/*" --ignore "*/api/generated/*" --watch convdoc --watch examples \
	  docs $(BUILDDIR)/html

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) $(KATEX_STAMP) $(LIGHTHOUSE_STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing (tests/MUTANTS.md): mutmut 3 mutates the numerics modules listed in
# pyproject.toml's [tool.mutmut] and runs, for each mutant, the unit tests that reach
# it. Hours for every module on two cores, so never part of `make test`; MUTANTS
# picks modules by mutant name, e.g. make mutate MUTANTS='convdoc.engine* convdoc.plans.separable*'.
MUTATE_STAMP := $(VENV)/.installed-mutate
MUTANTS ?=
MUTATE_JOBS ?= 2

$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(PINS) -e ".[docs,test,mutate]"
	@touch $@

mutate: $(MUTATE_STAMP)
	nice -n 10 $(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS)
	$(BIN)/python tests/mutation_report.py

# Timings are budgets checked here, never asserted in unit tests.
bench: $(STAMP) $(KATEX_STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/animation.py
	$(BIN)/python benchmarks/build_time.py
	$(BIN)/python benchmarks/playground.py

bench-build: $(STAMP) $(KATEX_STAMP)
	$(BIN)/python benchmarks/build_time.py

# Against the peers people use (benchmarks/peers.py): torch (CPU), OpenCV, SciPy.
# Its own environment, so torch and OpenCV never enter .venv, `make test` or CI.
# PEERS_ARGS passes options, e.g. make bench-peers PEERS_ARGS="--quick --json out.json".
PEERS_VENV  := .venv-peers
PEERS_PINS  := requirements/peers.txt
PEERS_STAMP := $(PEERS_VENV)/.installed
PEERS_ARGS  ?=

$(PEERS_STAMP): $(PEERS_PINS) $(PINS) pyproject.toml
	@test -x $(PEERS_VENV)/bin/python || $(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -c $(PINS) -r $(PEERS_PINS) -e .
	@touch $@

bench-peers: $(PEERS_STAMP)
	$(PEERS_VENV)/bin/python benchmarks/peers.py $(PEERS_ARGS)

clean:
	rm -rf $(BUILDDIR) docs/auto_examples docs/api/generated docs/jupyter_execute docs/sg_execution_times.rst .pytest_cache .ruff_cache .hypothesis mutants

distclean: clean
	rm -rf $(VENV) $(PEERS_VENV) $(KATEX_DIR) $(LIGHTHOUSE_DIR)/node_modules
