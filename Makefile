# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
INSTALLED := $(VENV)/.installed
SERVING := $(VENV)/.installed-serving
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test install lint fixtures superuser bench test-browser

$(PY):
	$(PYTHON) -m venv $(VENV)

# Serving needs the package alone (make run); the tests and the linter need its dev extras too.
$(SERVING): pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

$(INSTALLED): pyproject.toml | $(PY)
	$(PIP) -e '.[dev]'
	touch $@

install: $(INSTALLED)

# Migrate and load the seed; loaddata updates rows by primary key, so running it twice adds nothing.
fixtures: $(SERVING)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddata seed

# The mail worker (manage.py db_worker, which sends the queued emails) runs beside the server
# and is stopped with it: on Ctrl-C, on a kill, or when runserver ends.
run: fixtures
	export DEBUG=$${DEBUG:-true}; \
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

superuser: $(SERVING)
	$(PY) manage.py createsuperuser

# Load-test the blog under gunicorn with wrk (apt-get install wrk); prints a table. See README.
bench: $(SERVING)
	$(PY) -m bench.run

# The browser journeys and axe checks (tests/browser): Debian's chromium, axe-core from npm.
# Screenshots land in artifacts/browser/.
AXE := tests/browser/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

test-browser: install $(AXE)
	rm -rf artifacts/browser
	$(PY) -m pytest -m browser tests/browser
