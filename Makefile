# CertDesk: `make run` to use it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
VAR ?= var
BIND ?= 127.0.0.1:8000
BIN := $(VENV)/bin
PY := $(BIN)/python

# The three processes. docker-compose.yml runs the same commands (tests/test_compose.py checks).
WEB_CMD := gunicorn config.wsgi:application --bind $(BIND) --workers 2 --access-logfile -
WORKER_CMD := celery -A config worker --loglevel=INFO --concurrency=2
BEAT_CMD := celery -A config beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

# Single-machine defaults: secrets in files under var/ unless the environment provides them.
export SECRET_KEY_FILE ?= $(if $(SECRET_KEY),,$(abspath $(VAR))/secret-key)
export CERTDESK_KEY_ENCRYPTION_KEY_FILE ?= $(if $(CERTDESK_KEY_ENCRYPTION_KEY),,$(abspath $(VAR))/key-encryption.key)
# The folder settings keep the database, broker and secrets in (settings: CERTDESK_VAR_DIR).
export CERTDESK_VAR_DIR ?= $(abspath $(VAR))
# Where web listens; settings derive CERTDESK_PUBLIC_URL from it when that is unset.
export CERTDESK_BIND := $(BIND)

.PHONY: help install install-dev run manage web worker beat test lint format messages clean

help:
	@echo "make run    install, migrate, create the first admin, start web + worker + beat"
	@echo "make test   install test tools and run the whole suite (ruff included)"
	@echo "make manage ARGS=\"pki --help\"   run a manage.py command with make run's settings"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	@echo "CertDesk: installing requirements.txt into $(VENV) (once)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	@$(PY) -m config.secrets_init $(VAR)
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "CertDesk: database migrated, static files collected."
	@printf 'web: %s\nworker: %s\nbeat: %s\n' "$(WEB_CMD)" "$(WORKER_CMD)" "$(BEAT_CMD)" > $(VAR)/Procfile
	@echo "CertDesk: starting web, worker and beat on http://$(BIND)/"
	@$(PY) manage.py bootstrap
	@PATH="$(abspath $(BIN)):$$PATH" exec $(PY) -m config.launcher $(VAR)/Procfile \
		--wait-for "$(BIND)" --ready-note "CertDesk: ready at http://$(BIND)/  (Ctrl-C stops it)"

# Any manage.py command, with the same var/ secrets as `make run`: make manage ARGS="ca list".
manage: install
	@$(PY) manage.py $(ARGS)

web: install
	PATH="$(abspath $(BIN)):$$PATH" $(WEB_CMD)

worker: install
	PATH="$(abspath $(BIN)):$$PATH" $(WORKER_CMD)

beat: install
	PATH="$(abspath $(BIN)):$$PATH" $(BEAT_CMD)

# pytest-xdist workers: one per CPU (-n auto), at most 8; TEST_WORKERS=0 runs in this process.
# On 2 cores, 2 workers ran the suite in 6:42 and 3 workers in 12:33 (README, Tests).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$((n > 8 ? 8 : n)))

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=mypy CERTDESK_KEY_ENCRYPTION_KEY=mypy-only-not-a-secret DEBUG=true $(BIN)/mypy certauthority/pki deployments/rules certauthority/services certauthority/keystore.py certauthority/selectors.py deployments/services.py deployments/selectors.py deployments/probe.py deployments/documents.py deployments/mapping.py core api expiry
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l ja --no-obsolete --ignore=.venv --ignore=var --ignore=static \
		--ignore=bench --ignore=tests
	@echo "Translate the new entries of locale/ja/LC_MESSAGES/django.po, then:"
	$(PY) manage.py compilemessages -l ja --ignore=.venv

clean:
	rm -rf $(VENV) $(VAR)/staticfiles $(VAR)/celery
