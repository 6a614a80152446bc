# Every target works on a fresh machine with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
# Programs the interop tests start: openssl (DTLS s_server/s_client), coturn (TURN turnserver),
# chromium (headless browser peer), redis-server (signaling scale-out).
APT_PACKAGES := openssl coturn chromium redis-server

.PHONY: test lint typecheck pytest bench system-deps clean venv speedups demo

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict purertc

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# The optional Cython twins of hot framing code (DESIGN.md §5); pure Python stays the reference.
speedups: $(STAMP)
	$(BIN)/python -m pip install --quiet 'Cython>=3.0'
	$(BIN)/python setup_speedups.py build_ext --inplace

# Two peers in one process move a generated file over a data channel (README's "run it").
demo: $(STAMP)
	$(BIN)/purertc demo $(DEMO_ARGS)

bench: $(STAMP)
	@set -e; for script in benchmarks/bench_*.py; do \
		echo "== $$script"; \
		$(BIN)/python $$script; \
	done

system-deps:
	@if command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	else \
		echo "apt-get not found: install $(APT_PACKAGES) yourself" >&2; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache .hypothesis
	rm -f purertc/_speedups/*.so purertc/_speedups/*.c
