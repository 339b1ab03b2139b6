# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := chromium fonts-noto-cjk nginx-light

.PHONY: run test install install-test system-packages lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Editable installs: the code is read from src/, so a change to it needs no reinstall; pip runs
# again only when pyproject.toml (the dependencies) is newer than the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

run: install
	$(BIN)/incoming serve --demo

# Chromium and CJK fonts for the browser tests, nginx for the tests behind a real proxy,
# from Debian's packages (root only).
system-packages:
	@if dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else echo "note: install $(SYSTEM_PACKAGES) (as root) for the browser tests"; fi

install-test: $(VENV)/.installed-test system-packages

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)
