# Two commands: `make run` serves the app with demo data, `make test` lints and runs every test.
# Both work on a fresh machine that has only Python 3.11+ and make.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-stamp
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup lint format bench load clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(INSTALLED)
	@mkdir -p var
	$(BIN)/shinrai compile_translations
	$(BIN)/shinrai migrate --noinput

run: setup
	@if [ ! -f var/.demo-loaded ] || [ -z "$$DATABASE_URL" -a ! -f var/shinrai.sqlite3 ]; then \
		$(BIN)/shinrai demo && touch var/.demo-loaded; \
	else \
		$(BIN)/shinrai demo --logins; \
	fi
	@echo ""
	@echo "  Shinrai is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo ""
	@# Webhooks are sent by a delivery loop beside the server (docs/WEBHOOKS.md); it stops with the server.
	@$(BIN)/shinrai deliver-webhooks --every 15 > var/deliver-webhooks.log 2>&1 & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		$(BIN)/shinrai runserver 127.0.0.1:$(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/pytest

# The page benchmark needs gunicorn (the production extra); the first run seeds the large dataset (minutes).
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,production]'
	$(BIN)/python bench/run.py

# Shinrai against a real Redmine 5 with the same 1,700 issues (bench/redmine_bench.py, ~20 minutes). Needs root
# the first time (scripts/redmine-test-server installs Debian's redmine). Arguments through BENCH_ARGS.
.PHONY: bench-redmine
bench-redmine: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,production]'
	$(BIN)/python bench/redmine_bench.py $(BENCH_ARGS)

# The load and soak test: 50 mixed users for 5 minutes on the large dataset (needs gunicorn and locust).
# Arguments through LOAD_ARGS, e.g. make load LOAD_ARGS="--scale small --users 5 --duration 30s".
load: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,production,bench]'
	$(BIN)/python bench/load_bench.py $(LOAD_ARGS)

# The static security scan (bandit; findings fixed or justified with `# nosec <id>: reason`) and the dependency
# audit (pip-audit through scripts/audit-dependencies). CI runs it before the tests.
.PHONY: audit
audit: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,audit]'
	$(BIN)/bandit -c pyproject.toml -r shinrai -q
	$(BIN)/python scripts/audit-dependencies

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
