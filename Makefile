# Cohort Finder: targets for practice data managers and developers.
# `make` (or `make help`) lists them. Everything runs inside a project-local
# virtual environment (.venv) built from the pinned lock files.

PYTHON    ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
COHORT    := $(BIN)/cohort
WORKSPACE ?= workspace
STUDY     ?= studies/instep.yaml
DEMO_DIR  ?= demo
EXTRACT   ?=
INDEX_DATE ?=
OUT       ?=
NEW_WORKSPACE ?=
ARGS      ?=

.DEFAULT_GOAL := help
.PHONY: help install demo test run check validate codelists-check sql lint format bench efficacy spark test-spark clean

help: ## List the targets
	@echo "Cohort Finder: make TARGET [VAR=value]"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: EXTRACT=folder  INDEX_DATE=YYYY-MM-DD  WORKSPACE=$(WORKSPACE)  NEW_WORKSPACE=1 (first run only)  STUDY=$(STUDY)  OUT=folder"

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cohort Finder needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install your Python's venv module (Debian/Ubuntu: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(BIN)/.dev-installed: $(BIN)/.installed requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned dependencies

demo: $(BIN)/.installed ## Generate 9 synthetic practices (~200,000 patients) and run the InStep study (then the type 2 diabetes study) on them
	$(BIN)/python -m pipeline.demo --dir $(DEMO_DIR)

test: $(BIN)/.dev-installed ## Check the codelists, then run the whole test suite
	$(COHORT) codelists check
	$(BIN)/python -m pytest -n 2 -q $(ARGS)

run: $(BIN)/.installed ## Run the study: make run EXTRACT=extracts/ [WORKSPACE=dir] [NEW_WORKSPACE=1] [INDEX_DATE=YYYY-MM-DD] [OUT=folder]
	@test -n "$(EXTRACT)" || { echo "Say which extract: make run EXTRACT=path/to/extracts [INDEX_DATE=YYYY-MM-DD]"; exit 2; }
	@echo "Workspace (ledger, do-not-contact list, audit log): $(abspath $(WORKSPACE))"
	$(COHORT) run $(EXTRACT) --study $(STUDY) --workspace $(abspath $(WORKSPACE)) $(if $(NEW_WORKSPACE),--new-workspace) $(if $(INDEX_DATE),--index-date $(INDEX_DATE)) $(if $(OUT),--out $(OUT)) $(ARGS)

check: $(BIN)/.installed ## Load and validate an extract and say what a run would do: make check EXTRACT=...
	@test -n "$(EXTRACT)" || { echo "Say which extract: make check EXTRACT=path/to/extracts"; exit 2; }
	$(COHORT) check $(EXTRACT) --study $(STUDY) $(if $(INDEX_DATE),--index-date $(INDEX_DATE))

validate: $(BIN)/.installed ## Run only the extract validation suites: make validate EXTRACT=...
	@test -n "$(EXTRACT)" || { echo "Say which extract: make validate EXTRACT=path/to/extracts"; exit 2; }
	$(COHORT) validate $(EXTRACT)

codelists-check: $(BIN)/.installed ## Check every published codelist against the lock file
	$(COHORT) codelists check

sql: $(BIN)/.installed ## Print the compiled SQL of the study
	$(COHORT) sql --study $(STUDY)

lint: $(BIN)/.dev-installed ## Lint and format-check the Python code with ruff
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/ruff format --check pipeline tests benchmarks

format: $(BIN)/.dev-installed ## Reformat the Python code with ruff
	$(BIN)/ruff format pipeline tests benchmarks
	$(BIN)/ruff check --fix pipeline tests benchmarks

bench: $(BIN)/.installed ## Benchmarks at 100k/1M/3M patients, CSV and Parquet, median of 3, against the floor (slow; 10M, --memory-limit, Spark: benchmarks/README.md)
	$(BIN)/python benchmarks/bench_pipeline.py $(ARGS)

efficacy: $(BIN)/.installed ## Letters vs truth on 5 fresh synthetic worlds: codelist-only, InStep rows, pilot Table 1 (slow; ARGS="--seeds 2 --patients 20000" for a quick look)
	$(BIN)/python benchmarks/efficacy.py $(ARGS)

# The optional Spark engine: pyspark (requirements-spark.lock) into .venv, and Java 17+
# (installed with apt-get when missing, and said so). Never part of install/demo/test.
$(BIN)/.spark-installed: $(BIN)/.installed requirements-spark.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	@touch $@

spark: $(BIN)/.spark-installed ## Install the optional Spark engine: pinned pyspark into .venv, Java 17+ with apt-get if missing
	@$(BIN)/python -m pipeline.engines.spark.java --install
	@$(BIN)/python -c 'import pyspark; print("pyspark", pyspark.__version__, "in $(VENV): cohort run --engine spark and make test-spark can run")'

test-spark: spark $(BIN)/.dev-installed ## The study spec tests on a local Spark session (after make spark; slow), plus the engine's own tests
	$(BIN)/python -m pytest -n 2 -q --engine spark tests/engines tests/study $(ARGS)

clean: ## Remove the virtual environment, demo output and caches (not your workspace)
	rm -rf $(VENV) $(DEMO_DIR) build *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
