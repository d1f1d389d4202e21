# Two commands for a fresh machine with Python 3.11 and make:
#   make figures   -- regenerate every figure of the paper into paper/figures/ (+ paper/generated/)
#   make test      -- run the test suite
# Both create .venv and install the project into it when needed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export TQDM_DISABLE ?= 1

.PHONY: all figures figures-quick test test-slow bench lint format clean-cache install

all: test figures

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

figures: $(STAMP)
	$(PY) -m figures

figures-quick: $(STAMP)
	$(PY) -m figures --quick

test: $(STAMP)
	$(PY) -m pytest -m "not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean-cache:
	rm -rf .cache
