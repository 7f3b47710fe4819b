# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck cfnlint pytest bench clean

# constraints.txt pins the versions the test suite last passed with.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP) frontend
	$(BIN)/drorch demo

test: lint typecheck cfnlint ui-test e2e-deps pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# CloudFormation templates in infra/ stay cfn-lint clean.
cfnlint: $(STAMP)
	$(BIN)/cfn-lint infra/*.yaml

# Two workers, one test file each at a time (module fixtures stay in one process): most tests
# wait on a server or a browser, so two workers keep both cores busy.
PYTEST_WORKERS ?= 2
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/api_bench.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

# --- frontend (UI) ---
# The React + Cloudscape console in frontend/, built by Vite into frontend/dist, which
# `drorch serve` serves at /. Browser tests use Debian's Chromium (never a downloaded one).
NPM ?= npm
UI := frontend
UI_DEPS := $(UI)/node_modules/.installed
UI_BUILD := $(UI)/dist/.built
UI_SOURCES := $(shell find $(UI)/src -type f 2>/dev/null) $(UI)/index.html \
	$(UI)/vite.config.ts $(UI)/tsconfig.json $(UI)/package.json

.PHONY: frontend api-types ui-test e2e e2e-deps chromium

# npm ci when node_modules is missing or package-lock.json is newer than the last install.
$(UI_DEPS): $(UI)/package-lock.json
	cd $(UI) && $(NPM) ci --no-audit --no-fund
	touch $(UI_DEPS)

$(UI_BUILD): $(UI_DEPS) $(UI_SOURCES)
	cd $(UI) && $(NPM) run build
	touch $(UI_BUILD)

frontend: $(UI_BUILD)

# Regenerate frontend/src/api/schema.d.ts from a temporary `drorch serve`'s OpenAPI.
api-types: $(STAMP) $(UI_DEPS)
	$(UI)/scripts/gen-api.sh

ui-test: $(UI_DEPS)
	cd $(UI) && $(NPM) run test

chromium:
	scripts/ensure-chromium.sh

e2e-deps: $(STAMP) frontend chromium

e2e: e2e-deps
	$(BIN)/pytest tests/e2e
# --- end frontend ---
