# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv when missing and install the project into it.

# The first Python 3.11+ on PATH, looked for once. A pyenv shim for a version that is not
# installed exits with an error message: the probe keeps that quiet.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint types format bench demo-server clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Companion needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/companion

demo-server: $(STAMP)
	$(BIN)/companion-server demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check companion sync tests bench
	$(BIN)/ruff format --check companion sync tests bench

types: $(STAMP)
	$(BIN)/mypy companion sync

format: $(STAMP)
	$(BIN)/ruff format companion sync tests bench
	$(BIN)/ruff check --fix companion sync tests bench

check: lint types test

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
