# `make run`: the bot (the sandbox demo when DISCORD_TOKEN is not set).
# `make test`: quality checks and the whole suite (on PostgreSQL too, at the same time, when
# TEST_DATABASE_URL is set).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@if [ -n "$$DISCORD_TOKEN" ]; then $(BIN)/participation-bot run; \
	else echo "No DISCORD_TOKEN: playing the sandbox demo against the local Discord stand-in."; \
	$(BIN)/participation-bot sandbox; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	@# With PostgreSQL, both databases run at once (each suite is mostly waiting on I/O and
	@# timers), the PostgreSQL run's output shown after the SQLite run's.
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		log=$$(mktemp); \
		$(BIN)/pytest -q -p no:cacheprovider >"$$log" 2>&1 & pg=$$!; \
		echo "== SQLite (PostgreSQL runs beside it)"; \
		TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider; sqlite=$$?; \
		wait $$pg; postgres=$$?; \
		echo "== the same suite on PostgreSQL"; cat "$$log"; rm -f "$$log"; \
		[ $$sqlite -eq 0 ] && [ $$postgres -eq 0 ]; \
	elif [ -n "$$CI" ]; then \
		echo "CI needs PostgreSQL: TEST_DATABASE_URL is not set" >&2; exit 1; \
	else \
		TEST_DATABASE_URL= $(BIN)/pytest -q -p no:cacheprovider || exit 1; \
		echo "PostgreSQL run skipped: TEST_DATABASE_URL is not set (.ci/run sets it up)"; \
	fi

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) data sandbox-output .mypy_cache .ruff_cache .pytest_cache
