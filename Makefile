# Portico's commands. `make run` and `make test` work on a fresh machine: they create the virtualenv,
# install, make sure PostgreSQL and Redis answer, then run the app or the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Every command runs with the services `infra/local/services.py up` chose.
WITH_SERVICES := set -a && . ./.var/services.env && set +a &&

.PHONY: run test lint bench stop install services roles migrate system-deps pdf-deps clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

services: install
	$(BIN)/python infra/local/services.py up

# The owner role owns the database and runs migrations; web, Celery and the tests use the runtime role.
roles: services
	$(WITH_SERVICES) $(BIN)/python manage.py db_roles

migrate: roles
	$(WITH_SERVICES) $(BIN)/python manage.py migrate --noinput
	$(WITH_SERVICES) $(BIN)/python manage.py check --database default

run: migrate pdf-deps
	$(WITH_SERVICES) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Portico is starting:"
	@echo "    public site   http://localhost:$(PORT)/   (sign up: /signup/, find my portal: /find-my-portal/)"
	@echo "    demo portal   http://demo.localhost:$(PORT)/   (Northwind Consulting; logins above)"
	@echo "    probes        http://localhost:$(PORT)/healthz  http://localhost:$(PORT)/readyz"
	@echo "  Ctrl-C stops the web server, the Celery worker, beat and the hourly tenant purge (purge_tenants)."
	@echo ""
	$(WITH_SERVICES) PORT=$(PORT) SITE_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f infra/local/Procfile -d . start

# `check --deploy` runs with the production settings and placeholder secrets: it connects to nothing, and fails on
# any warning. SENTRY_DSN is emptied so no check starts error reporting.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=config.settings.production PORTICO_ENV_FILE= SENTRY_DSN= \
	SECRET_KEY=placeholder-for-the-deploy-check-long-and-varied-enough-0123456789 \
	DATABASE_URL=postgres://check@db.invalid/portico REDIS_URL=redis://redis.invalid:6379/0 \
	EMAIL_URL=smtp+tls://check@smtp.invalid:587

# Needs the services (makemigrations compares with the database's migration history); `services` is quick once up.
lint: services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --lint .
	$(BIN)/lint-imports --no-cache
	$(WITH_SERVICES) SENTRY_DSN= $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/mypy .

# WeasyPrint (a deliverable's decision record, a PDF) loads Debian's Pango when it renders, and needs a font.
# ldconfig lives in /sbin, which a user's PATH may not name.
PDF_DEPS_MISSING = \
	PATH="$$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -q libpango-1.0.so.0 || missing="$$missing libpango-1.0-0"; \
	PATH="$$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpangoft2-1.0-0"; \
	! command -v fc-list >/dev/null || fc-list | grep -q . || missing="$$missing fonts-dejavu-core";

system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	$(PDF_DEPS_MISSING) \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "[system] installing Debian packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "[system] missing Debian packages:$$missing (chromium for the browser journeys, poppler-utils for PDF thumbnails, Pango and a font for WeasyPrint's PDFs)"; exit 1; fi; \
	fi

# `make run` needs only WeasyPrint's libraries, and runs without them (all but the decision record): it installs
# them when it can and otherwise warns.
pdf-deps:
	@missing=""; \
	$(PDF_DEPS_MISSING) \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "[system] installing Debian packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	  else echo "[system] missing Debian packages:$$missing (Pango and a font: decision records cannot be made as PDFs)"; fi; \
	fi

test: roles lint system-deps
	$(WITH_SERVICES) $(BIN)/pytest $(PYTEST_ARGS)

# Loads gunicorn with Debian's wrk, installed here when missing (bench/load.py does the same for the quick mode).
bench: roles
	@command -v wrk >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "[system] installing Debian packages: wrk"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; \
	  else echo "[system] missing Debian package: wrk (the bench's HTTP load generator; as root: apt-get install wrk)"; exit 1; fi; \
	}
	$(WITH_SERVICES) $(BIN)/python bench/run.py

stop:
	@test -x $(BIN)/python && $(BIN)/python infra/local/services.py down || true

clean: stop
	rm -rf $(VENV) .var
