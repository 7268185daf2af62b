# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both create .venv and install the pinned dependencies when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# dagster-dbt finds `dbt` on PATH when it parses the project.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export RUNTIME__DLTHUB_TELEMETRY := false

DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)

.PHONY: demo dev test bench manifest install clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test]'
	@touch $@

# dagster-dbt needs the dbt manifest before the definitions can load.
manifest: dbt_project/target/manifest.json

dbt_project/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/dagster-dbt project prepare-and-package --file orchestration/defs/dbt_project.py

demo: manifest
	$(BIN)/touchline build --source demo

dev: manifest
	$(BIN)/dagster dev -w workspace.yaml

test: manifest
	$(BIN)/python -m pytest

bench: manifest
	$(BIN)/python bench/run.py

clean:
	rm -rf warehouse dbt_project/target dbt_project/logs .pytest_cache
