# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
# Settings may live in a git-ignored .env (see .env.example); exported to every command.
-include .env
export
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install install-dev browser index run test lint evals bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The browser tests drive Debian's Chromium with CJK fonts; install them when missing (needs root or sudo).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
	fi

install-dev: $(VENV)/.installed-dev

# Incremental: embeds only new or changed documents, so it is cheap to run every time.
index: install
	$(PY) -m index build

run: index
	$(PY) app.py

lint: install-dev
	$(PY) -m ruff check .

test: install-dev browser lint
	$(PY) -m pytest -q
	mkdir -p test-artifacts
	$(PY) -m evals --check --report test-artifacts/evals-report.md  # evals/REPORT.md changes only by `make evals`

evals: install-dev
	$(PY) -m evals

bench: install-dev
	$(PY) benchmarks/bench_index.py --synthetic-docs 12
	$(PY) benchmarks/bench_query.py
