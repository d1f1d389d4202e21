# Two commands for a fresh machine with Python 3.11 and make:
#   make figures   -- regenerate every figure of the paper into paper/figures/ (+ paper/generated/)
#   make test      -- run the test suite
# Both create .venv and install the project into it when needed.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export TQDM_DISABLE ?= 1
# a crash inside a compiled library (XLA) still prints the Python frames that led to it
export PYTHONFAULTHANDLER ?= 1

.PHONY: all figures figures-quick paper test test-slow bench lint format clean-cache install

all: test figures

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

figures: $(STAMP)
	$(PY) -m figures

# The paper: regenerate what is stale (figures are cached), then build offline with latexmk.
# Reproducible bytes: dates come from the last commit (SOURCE_DATE_EPOCH), no PDF trailer id.
TEX_PACKAGES := latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
paper: figures
	@command -v latexmk >/dev/null 2>&1 || { echo "latexmk/TeX not found; install it with:"; \
	  echo "  sudo apt-get install -y --no-install-recommends $(TEX_PACKAGES)"; exit 1; }
	cd paper && SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) FORCE_SOURCE_DATE=1 \
	  latexmk -pdf -interaction=nonstopmode -halt-on-error -file-line-error main.tex > /dev/null \
	  || { tail -40 main.log; exit 1; }
	$(PY) paper/check_log.py paper/main.log
	@echo "wrote paper/main.pdf"

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
