# Two commands do everything on a fresh machine:
#   make run    serve the product on http://localhost:8000 (SQLite, demo content, editor login printed)
#   make test   run the whole test suite (SQLite on a dev machine; with CI=true once on PostgreSQL and Redis)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export WAGTAILADMIN_BASE_URL ?= http://localhost:$(PORT)
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/eleasud
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist processes: each has its own test database and its own Redis key prefix (tests/conftest.py)
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=25

.PHONY: install browser run test test-sqlite test-sqlite-subset test-services lint bench lighthouse lock clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# End-to-end tests drive Debian's chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_content
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo_merchants --merchants 300 --seed 0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py train_recommender
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py simulate_recommendation_traffic --rounds 2 --merchants 150 --seed 0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py create_editor
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo_missions
	@echo "API: http://localhost:$(PORT)/api/v1/  ·  docs: http://localhost:$(PORT)/api/v1/docs/"
	@echo "Task worker started: e-mails are written to var/mail/ (set EMAIL_BACKEND and EMAIL_HOST for SMTP)."
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py db_worker --backend background --queue-name '*' --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run -v 0

# In CI the tests marked `sqlite` (what make run's embedded database must do too) run on SQLite, then the
# whole suite runs once on production's stores (its closing line is the last one printed). A dev machine
# without those services runs the whole suite on SQLite.
test: install browser lint
	@if [ "$${CI:-}" = "true" ]; then $(MAKE) --no-print-directory test-sqlite-subset test-services; \
	else $(MAKE) --no-print-directory test-sqlite; fi

test-sqlite: install
	$(PYTEST)

test-sqlite-subset: install
	$(BIN)/python -m pytest -m sqlite -q

# Production's stores, for real: a missing PostgreSQL or Redis fails this target, never skips it.
test-services: install
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) REQUIRE_SERVICES=true $(PYTEST)

bench: install
	# MovieLens-100k for bench_movielens.py: the data file inside RecBole's wheel (no deps: RecBole is never imported).
	$(BIN)/pip install --no-deps -q -c constraints.txt "recbole>=1.2.1,<1.3"
	$(BIN)/python bench/run.py

# Lighthouse (mobile) on every screen of the merchants' app served as in production; installs its pinned npm
# package itself (bench/lighthouse/package-lock.json).
lighthouse: install browser
	$(BIN)/python bench/lighthouse.py

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) var
