# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run with DEBUG off, as in production, and a throwaway key.
TEST_ENV := SECRET_KEY=tests-only-insecure-key DEBUG=
# `make edge`: Varnish's port; gunicorn listens on 127.0.0.1:8000, the VCL's backend.
EDGE_PORT ?= 8080
# Debian installs varnishd in /usr/sbin, not always on a user's PATH.
VARNISHD := $(or $(shell command -v varnishd),/usr/sbin/varnishd)

.PHONY: run edge test lint messages browser redis varnish node lighthouse bench clean

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

# The site as production serves it, on this machine: Varnish with deploy/varnish/newsroom.vcl
# on EDGE_PORT in front of gunicorn with DEBUG off (docs/edge.md). Ctrl-C stops both.
edge: $(VENV)/.runtime messages varnish
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py collectstatic --no-input --verbosity 0
	@test -x $(VARNISHD) || { echo "make edge needs varnishd: sudo apt-get install varnish varnish-modules" >&2; exit 1; }
	@[ -n "$$SECRET_KEY" ] || echo "make edge: SECRET_KEY is not set; using a throwaway key for this run (never do this in production)" >&2
	@workdir=$$(mktemp -d); \
	export DEBUG= BIND=127.0.0.1:8000 WEB_CONCURRENCY="$${WEB_CONCURRENCY:-2}" \
	  SECRET_KEY="$${SECRET_KEY:-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  VARNISH_PURGE_URLS="$${VARNISH_PURGE_URLS:-http://127.0.0.1:$(EDGE_PORT)/}"; \
	$(BIN)/gunicorn newsroom.wsgi & app=$$!; \
	trap 'kill $$app 2>/dev/null; wait $$app; rm -rf "$$workdir"' EXIT INT TERM; \
	echo "make edge: http://127.0.0.1:$(EDGE_PORT)/ (Varnish) in front of gunicorn on 127.0.0.1:8000; Ctrl-C stops both"; \
	$(VARNISHD) -F -j none -n "$$workdir" -a 127.0.0.1:$(EDGE_PORT) -f $(CURDIR)/deploy/varnish/newsroom.vcl -s malloc,256m

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

# The edge-cache tests start a varnishd of their own, with the xkey vmod of varnish-modules; install them when we can.
varnish:
	@{ test -x $(VARNISHD) && ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null; \
	  else echo "No varnishd or varnish-modules: the Varnish tests will be skipped (sudo apt-get install varnish varnish-modules)" >&2; fi; }

test: $(VENV)/.dev messages browser redis varnish
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Lighthouse runs on Node.js, 18.16 or newer (Debian 12's will do); install it when we can.
node:
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else echo "No Node.js and npm: make lighthouse is skipped (sudo apt-get install nodejs npm)" >&2; fi; }

# Lighthouse on the demo's home, article and section pages, served as in production, with its mobile
# defaults; fails under the minimum scores (bench/lighthouse.py --help: LIGHTHOUSE_ARGS="--runs 5"...).
# Lighthouse itself is installed with npm into .lighthouse/ (git-ignored), at one fixed version: scores move with it.
LIGHTHOUSE_VERSION := 12.2.3
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
lighthouse: $(VENV)/.dev messages browser node
	@if ! command -v npm >/dev/null; then \
	  if [ "$$CI" = true ]; then echo "CI requires Lighthouse: no npm" >&2; exit 1; fi; exit 0; fi; \
	{ [ "$$($(LIGHTHOUSE) --version 2>/dev/null)" = $(LIGHTHOUSE_VERSION) ] || \
	  npm i -E --prefix .lighthouse --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION); } && \
	$(PY) bench/lighthouse.py $(LIGHTHOUSE_ARGS)

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
