# The two commands a new user needs: `make demo` and `make test`. Every install step lives here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages: the demo needs a CJK font and LibreOffice (bulletins as PDF); the tests also Chromium.
DEMO_APT_PACKAGES := fonts-noto-cjk libreoffice-writer-nogui
APT_PACKAGES := chromium $(DEMO_APT_PACKAGES)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo test test-postgres lint format system-deps demo-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json

# apt-get install the packages of $(1) that are missing (with sudo unless root).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-deps:
	$(call apt_install,$(APT_PACKAGES))

demo-deps:
	$(call apt_install,$(DEMO_APT_PACKAGES))

demo: install demo-deps
	$(BIN)/county-innovation demo

test: install system-deps
	$(BIN)/pytest -q

# The same suite on PostgreSQL (DATABASE_URL defaults to the local service's database `test`).
test-postgres: install system-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest -q -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache
