# Brigade Ops: every developer and CI task, with no virtualenv activation needed.
#
#   make run    set up, load the demo brigade, serve http://127.0.0.1:8000/
#   make test   set up, run the test suite (SQLite unless DATABASE_URL is set)

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local commands default to DEBUG=1 (a dev key, eager tasks); an exported DEBUG wins.
DEV := DEBUG=$${DEBUG:-1}
APPS := brigade $(wildcard hazards incidents petitions outreach)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup deps assets compilemessages migrate run seed test lint typecheck check \
	worker beat messages clean backup restore

help:
	@echo "make run        set up, seed the demo brigade, serve http://127.0.0.1:8000/"
	@echo "make test       set up and run the tests (PYTEST_ARGS=... for extra options)"
	@echo "make lint       ruff check + ruff format --check + the import contract"
	@echo "make typecheck  mypy on $(APPS)"
	@echo "make check      manage.py check + makemigrations --check"
	@echo "make worker     a Celery worker (needs REDIS_URL)"
	@echo "make beat       the Celery beat scheduler (needs REDIS_URL)"
	@echo "make messages   extract and compile translations"
	@echo "make clean      remove caches, collected static files and the test database"
	@echo "make backup     the database and uploaded files into backups/ (BACKUP_DIR=...)"
	@echo "make restore    FILE=backups/brigade-....pgdump|.sqlite3 [TARGET_URL=...]"

# --- setup (idempotent: each step reruns only when its inputs changed) --------------------
setup: deps assets compilemessages migrate

deps: $(VENV)/.deps-installed

$(PY):
	$(PYTHON) -m venv $(VENV)

# pip >= 25.1 installs PEP 735 dependency groups (--group) straight from pyproject.toml.
$(VENV)/.deps-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --group dev
	@touch $@

assets: node_modules/.installed

# The front-end libraries, served by the app itself (no CDN on the intranet).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

compilemessages: deps
	@if ! ls locale/*/LC_MESSAGES/*.po */locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		echo "compilemessages: no translations under locale/ yet, skipped"; \
	elif ! command -v msgfmt >/dev/null 2>&1; then \
		echo "compilemessages: msgfmt not found (install gettext); using committed .mo files"; \
	else \
		$(DEV) $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	fi

migrate: deps
	$(DEV) $(MANAGE) migrate --noinput -v 0

# --- running ------------------------------------------------------------------------------
seed: setup
	$(DEV) $(MANAGE) seed_demo

run: seed
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

worker: setup
	$(DEV) $(VENV)/bin/celery -A brigade worker -l info

beat: setup
	$(DEV) $(VENV)/bin/celery -A brigade beat -l info

# Each domain app keeps its own catalog in <app>/locale/, holding the strings of <app>/ and
# of templates/<app>/ (linked in as <app>/templates_i18n for the extraction: makemessages
# skips dot-directories), so that apps never edit one file; locale/ holds the brigade's and
# the shared templates'. `make messages CATALOGS=petitions` extracts one catalog only
# ("brigade" is locale/).
DOMAIN_APPS := $(filter-out brigade,$(APPS))
CATALOGS ?= $(APPS)
LANGS := -l zh_Hans -l en
messages: deps
	@set -e; for app in $(CATALOGS); do \
		if [ "$$app" = brigade ]; then \
			$(DEV) $(MANAGE) makemessages $(LANGS) --ignore=.venv --ignore=node_modules \
				--ignore=staticfiles --ignore=media --ignore=artifacts \
				$(foreach app,$(DOMAIN_APPS),--ignore=$(app) --ignore=templates/$(app)); \
			continue; \
		fi; \
		mkdir -p $$app/locale; ln -sfn ../templates/$$app $$app/templates_i18n; \
		(cd $$app && $(DEV) DJANGO_SETTINGS_MODULE=brigade.settings PYTHONPATH=.. \
			../$(VENV)/bin/django-admin makemessages $(LANGS) --symlinks --ignore=migrations) \
			|| { rm -f $$app/templates_i18n; exit 1; }; \
		rm -f $$app/templates_i18n; \
	done
	$(DEV) $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

# --- guardrails ---------------------------------------------------------------------------
test: deps assets compilemessages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: deps
	$(DEV) $(VENV)/bin/mypy $(APPS)

check: deps
	$(DEV) $(MANAGE) check
	$(DEV) $(MANAGE) makemigrations --check --dry-run

# --- backups (README "Backups"): pg_dump -Fc or SQLite's online backup, plus media --------
backup: deps
	$(DEV) $(MANAGE) backup $(if $(BACKUP_DIR),--output-dir="$(BACKUP_DIR)")

# Asks before it replaces anything; TARGET_URL restores into another database.
restore: deps
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/brigade-YYYYMMDD-HHMMSS.pgdump [TARGET_URL=postgres://...]" >&2; exit 2; }
	$(DEV) $(MANAGE) restore "$(FILE)" $(if $(TARGET_URL),--database-url="$(TARGET_URL)")

clean:
	rm -rf staticfiles artifacts .pytest_cache .mypy_cache .ruff_cache test-db*.sqlite3*
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +
