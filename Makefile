# The README's commands. Each sets itself up on a fresh clone with only Python 3.11+ present.
#   make demo   set up, load the demo content, serve http://127.0.0.1:$(PORT)
#   make test   set up and run every test (with axe-core from npm for the browser tests, where npm is installed)
#   make lint   ruff check and ruff format --check
#   make bench  run every benchmarks/*.py and print its timings

PORT ?= 8000
VENV ?= .venv
# The newest Python 3.11+ on the machine, unless PYTHON is given.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	echo $$p; break; fi; done)
BIN = $(VENV)/bin
MANAGE = $(BIN)/python site/manage.py
# Re-install when the project's dependencies change.
STAMP = $(VENV)/.installed
# axe-core, from the npm registry (package-lock.json): the browser tests inject it into each public page.
AXE = node_modules/axe-core/axe.min.js

.PHONY: demo test lint bench install serve clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed: install it, or run make PYTHON=/path/to/python3.11"; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(AXE): package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm is not installed: the accessibility checks will be skipped (Debian: apt-get install npm)"; \
	elif npm ci --no-audit --no-fund --loglevel=error; then touch $(AXE); \
	else echo "npm ci could not install axe-core: the accessibility checks will be skipped (failed with CI=true)"; fi

# Links the demo prints (logins, notification emails) use the port it serves on.
demo: export WAGTAILADMIN_BASE_URL = http://127.0.0.1:$(PORT)
demo: $(STAMP)
	$(MANAGE) migrate --no-input
	@# The logins first: the demo's pending change is submitted by the demo editor.
	$(MANAGE) create_demo_logins
	$(MANAGE) load_demo_content
	@echo "Serving the demo on http://127.0.0.1:$(PORT)/privacy/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	@# --insecure: the site's CSS is served with DJANGO_DEBUG=false too (then the demo shows the site's own 404).
	$(MANAGE) runserver --insecure 127.0.0.1:$(PORT)

test: $(STAMP) $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Measurements, not tests: each script prints its timings and exits 0 however slow (see benchmarks/README.md).
bench: $(STAMP)
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules test-artifacts
