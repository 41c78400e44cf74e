# Quick start:  make run   (the app on the bundled data)   |   make test   (every test)
# Both create .venv and install the project on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STAMP  := $(VENV)/.installed
export UV_COMPILE_BYTECODE=1

.PHONY: run test test-fast lint format check-chromium validate import bench audit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q risk ui pages app.py serve.py  # imports read .pyc even where PYTHONDONTWRITEBYTECODE=1
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run serve.py --server.port $(PORT) --browser.gatherUsageStats false

# Chromium is needed for chart exports (kaleido) and the browser tests. Locally a missing
# Chromium skips those tests with a message; under CI (CI=true) it is a failure.
check-chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -n "$$BROWSER_PATH" ]; then \
	  echo "chromium: $$(command -v chromium || echo $$BROWSER_PATH)"; \
	elif [ "$$CI" = "true" ]; then \
	  echo "ERROR: chromium not found; CI needs it (apt-get install -y chromium)"; exit 1; \
	else \
	  echo "NOTE: chromium not found: export and browser tests will be skipped."; \
	  echo "      Install it with: sudo apt-get install -y chromium   (or set BROWSER_PATH)"; \
	fi

test: $(STAMP) check-chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

validate: $(STAMP)
	$(BIN)/python -m risk validate

import: $(STAMP)
	$(BIN)/python -m risk import-all

# Every benchmark script (helpers start with _; minimal_app.py is the baseline app ui_latency.py serves).
# Results: benchmarks/README.md.
bench: $(STAMP)
	@set -e; for f in benchmarks/[!_]*.py; do \
	  case $$f in benchmarks/minimal_app.py) continue;; esac; \
	  echo "== $$f"; $(BIN)/python $$f; \
	done

# Dependency audit: pip-audit against the PyPI vulnerability data. Packages the index cannot
# look up are listed as skipped; a network failure is reported, not hidden (see scripts in .ci/).
audit: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit
	.ci/audit $(BIN)/pip-audit

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
