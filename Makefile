# hotline developer commands. `make demo` runs the demo; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/hotline

.PHONY: demo test install lint typecheck test-sqlite test-postgres worker bench clean

$(BIN)/hotline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m hotline.hashing.warm
	touch $(BIN)/hotline

install: $(BIN)/hotline

demo: install
	$(BIN)/hotline demo --reset

worker: install
	$(BIN)/hotline worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy hotline

test-sqlite: install
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-dovecot.sh
	$(BIN)/pytest -p no:cacheprovider

test-postgres: install
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-dovecot.sh
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider

# Both suites at once (scripts/test-both.sh); test-sqlite and test-postgres run one alone.
test: lint typecheck
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-dovecot.sh
	PYTEST=$(BIN)/pytest PG_URL=$(PG_URL) bash scripts/test-both.sh

bench: install
	$(BIN)/python bench/bench_hashing.py
	$(BIN)/python bench/bench_index.py --sizes 100000,1000000

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
