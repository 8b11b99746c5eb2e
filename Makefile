# OpenBalie: `make run` sets up everything and starts the portal and the kiosk; `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app portal
APT_PACKAGES := swig libpcsclite-dev pcscd vsmartcard-vpcd chromium fonts-dejavu-core postgresql redis-server
STAMP_APT := $(VENV)/.apt-done
STAMP_PIP := $(VENV)/.pip-done

.PHONY: run test translations install db messages bench

install: $(STAMP_PIP) translations

$(STAMP_APT):
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(STAMP_PIP): pyproject.toml $(VENV)/bin/python $(STAMP_APT)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,kiosk]'
	touch $@

translations: $(STAMP_PIP)
	$(VENV)/bin/pybabel compile -d translations --statistics

db: install
	mkdir -p instance
	@# A new database knows no kiosk: forget the demo kiosk's token so run-embedded registers it again.
	@[ -f instance/openbalie.sqlite3 ] || rm -f instance/kiosk-token
	$(FLASK) db upgrade
	$(FLASK) catalogue load
	$(FLASK) isil load

run: db
	$(FLASK) demo load
	./scripts/run-embedded

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o $(VENV)/fresh.pot . >/dev/null 2>&1
	$(PY) scripts/check-catalogues $(VENV)/fresh.pot
	@# The functional suite runs on PostgreSQL too, beside the whole suite on SQLite: both mostly
	@# wait on the servers they start, so together they take little more than one. Each keeps
	@# its own temporary folder; the PostgreSQL run's report follows the SQLite one.
	@OPENBALIE_TEST_DATABASE=postgresql $(VENV)/bin/pytest tests/functional -q \
	  --basetemp=$(VENV)/pytest-postgresql > $(VENV)/pytest-postgresql.log 2>&1 & postgresql=$$!; \
	$(VENV)/bin/pytest --basetemp=$(VENV)/pytest-sqlite; sqlite=$$?; \
	wait $$postgresql; on_postgresql=$$?; \
	echo "== the functional suite on PostgreSQL (OPENBALIE_TEST_DATABASE=postgresql):"; \
	cat $(VENV)/pytest-postgresql.log; \
	[ $$sqlite -eq 0 ] && [ $$on_postgresql -eq 0 ]

# Refresh the message catalogues after changing user-visible strings.
messages: $(STAMP_PIP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o translations/messages.pot \
	  --no-location --sort-output --project OpenBalie .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(PY) scripts/complete-source-catalogue translations/en/LC_MESSAGES/messages.po

# Benchmarks under benchmarks/ (hardware through pcscd and virtual cards, start-up times, the portal
# with BENCH_PATRONS patrons on SQLite and PostgreSQL); each prints its own figures.
bench: install
	@for script in benchmarks/*.py; do PYTHONPATH=. $(PY) $$script || exit 1; done
