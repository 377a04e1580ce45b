# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails (demo data included) name the address the portal really runs at.
ifeq ($(strip $(DUALSOURCE_SITE_URL)),)
DUALSOURCE_SITE_URL := http://$(HOST):$(PORT)
endif
export DUALSOURCE_SITE_URL

.PHONY: run test install migrate demo lint format check clean site-url

$(STAMP): pyproject.toml
	@echo "Installing Python packages into $(VENV) (first time only: a minute or two)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@echo "Updating the database (SQLite under var/ unless DATABASE_URL is set)..."
	@$(BIN)/python manage.py migrate --noinput --verbosity 0

demo: migrate
	@echo "Loading demo data if the database is empty (first time only: about 3 minutes)..."
	@$(BIN)/python manage.py seed_demo --size small --seed 1 --if-empty

## Start web, Celery worker and beat on SQLite and the filesystem broker; Ctrl-C stops all.
## The first start installs packages, creates the database and loads demo data (~4 minutes).
run: demo
	@echo "Starting web, worker and scheduler at $(DUALSOURCE_SITE_URL) (Ctrl-C stops all)..."
	@HOST=$(HOST) PORT=$(PORT) scripts/run.sh

## The address links in emails use (DUALSOURCE_SITE_URL, from HOST and PORT).
site-url:
	@echo "$$DUALSOURCE_SITE_URL"

## Run the whole test suite (SQLite by default; DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis).
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var
