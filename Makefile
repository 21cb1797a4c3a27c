# Developer entry points. Everything runs from the project's own virtualenv (.venv), which the first
# target creates; nothing installed by hand is used. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Rewritten whenever pyproject.toml is newer, so dependencies are reinstalled only when they change.
STAMP := $(VENV)/.installed

# The interpreter that creates .venv: the newest that actually runs. Django 6 needs 3.12+, so those come
# first; 3.11 still works (pip then resolves Django 5.2 LTS). Each candidate is run rather than merely
# looked up, because pyenv shims exist for versions that fail unless activated.
# Recursive (=) so it is only worked out when .venv has to be created. Override: make run BOOTSTRAP_PYTHON=…
BOOTSTRAP_PYTHON ?= $(shell \
	for c in python3.14 python3.13 python3.12 \
	         $$(ls -d $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
	    echo "$$c"; break; \
	  fi; \
	done)

# `make run` is the local demo: debug mode, the SQLite file in the project folder, and Celery tasks
# in-process after commit (an empty broker URL), whatever the shell or a .env file says.
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 CELERY_BROKER_URL=
HOST_PORT ?= 127.0.0.1:8000

.PHONY: help venv run test lint bench worker clean

help:
	@echo "make run     set up .venv, migrate, seed the demo data and serve http://$(HOST_PORT)/"
	@echo "make test    run the test suite (honours DATABASE_URL and CELERY_BROKER_URL)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make bench   time the sync engine on the configured database (BENCH_ARGS='--events 100')"
	@echo "make worker  run a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make clean   remove .venv, caches and the demo database"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if ! $(PY) -c 'import sys' >/dev/null 2>&1; then \
	  py="$(BOOTSTRAP_PYTHON)"; \
	  if [ -z "$$py" ]; then echo "No working Python 3.11+ found (tried python3.14 … python3, pyenv)." >&2; exit 1; fi; \
	  echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	  rm -rf $(VENV) && "$$py" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Prints the demo URLs and logins from seed_demo's last line (a JSON object) without needing jq.
define SHOW_DEMO
import json, sys
demo = json.loads(open(sys.argv[1], encoding="utf-8").read().strip().splitlines()[-1])
base = "http://$(HOST_PORT)"
print()
print(f"  Portal:     {base}/   (log in; employees land on My visits)")
print(f"  Admin:      {base}/admin/")
print(f"  Front desk: {base}/admin/frontdesk/   (reception lands here)")
print(f"  API docs:   {base}/api/v2/docs")
print(f"  API schema: {base}/api/v2/schema")
print()
for role in ("admin", "employee", "reception", "locationAdmin"):
    print(f"  {role + ' login:':<21}{demo[role]['username']} / {demo[role]['password']}")
print(f"  API token:           {demo['token']}")
print(f"  agentToken:          {demo['agentToken']}")
print()
endef
export SHOW_DEMO

run: $(STAMP)
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	@# The .mo files are committed; recompile only where gettext is installed and there is a catalogue.
	@if command -v msgfmt >/dev/null 2>&1 && [ -n "$$(find apps locale -name '*.po' 2>/dev/null | head -n 1)" ]; then \
	  $(DEMO_ENV) $(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules; \
	fi
	$(DEMO_ENV) $(MANAGE) seed_demo > $(VENV)/seed_demo.out
	@$(PY) -c "$$SHOW_DEMO" $(VENV)/seed_demo.out
	$(DEMO_ENV) $(MANAGE) runserver $(HOST_PORT)

PYTEST_ARGS ?=
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

BENCH_ARGS ?=
# With DEBUG off the settings want a SECRET_KEY; the benchmark signs nothing that outlives it.
bench: export SECRET_KEY ?= $(shell od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
bench: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) bench_sync $(BENCH_ARGS)

worker: $(STAMP)
	@# Asks the settings, so a broker configured in .env counts too.
	@$(MANAGE) shell -v 0 -c 'import sys; from django.conf import settings; sys.exit(not settings.CELERY_BROKER_URL)' || { \
	  echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0); without it tasks run in-process." >&2; exit 1; }
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

clean:
	rm -rf $(VENV) *.egg-info build .pytest_cache .ruff_cache staticfiles db.sqlite3 db.sqlite3-journal
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
