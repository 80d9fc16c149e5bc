# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run with DEBUG off, as in production, and a throwaway key.
TEST_ENV := SECRET_KEY=tests-only-insecure-key DEBUG=

.PHONY: run test lint messages browser redis bench clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Newsroom needs Python 3.11 or newer; set PYTHON=python3.12 or similar.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

messages: $(VENV)/.runtime
	$(BIN)/pybabel compile --domain django --directory locale >/dev/null

run: $(VENV)/.runtime messages
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium, and the HTML check runs on Java; install them when we can.
browser:
	@{ test -x /usr/bin/chromium && command -v java >/dev/null; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic default-jre-headless >/dev/null; \
	  else echo "No Chromium or Java: the browser tests will be skipped (sudo apt-get install chromium fonts-ipafont-gothic default-jre-headless)" >&2; fi; }

# The shared-cache tests start a redis-server of their own on a free port; install it when we can.
redis:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "No redis-server: the shared-cache tests will be skipped (sudo apt-get install redis-server)" >&2; fi; }

test: $(VENV)/.dev messages browser redis
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Import 10,000 generated posts into a fresh SQLite database, and time the
# copy desk on a 100 KB article (see README, Performance).
bench: $(VENV)/.dev
	$(PY) -m articles.benchmarks.import_posts --posts $(or $(POSTS),10000)
	$(PY) -m articles.benchmarks.copydesk

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
