# The README's commands. `make run` serves the tracker; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-security lint format translations messages install install-dev bench bench-register bench-load evaluate-capture

# pip speaks only when something fails (-qq: errors only, not the build backend's warnings);
# the stamp files skip it entirely when up to date.
PIP := $(BIN)/python -m pip -qq --disable-pip-version-check

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@$(PIP) install -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiles locale/*/LC_MESSAGES/django.po with Babel, so GNU gettext is not needed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

# The same, quietly and only when a .po file changed: what `make run` needs.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
$(CATALOGS): %.mo: %.po $(VENV)/.installed
	@$(BIN)/pybabel --quiet compile --domain=django --input-file=$< --output-file=$@

# Extracts new strings into the .po files (needs GNU gettext, a developer's tool).
messages: $(VENV)/.installed
	DEBUG=1 $(MANAGE) makemessages --locale=nl --no-obsolete --ignore=.venv --ignore=var

# Web server, Celery worker and beat together; Ctrl-C stops all of them. It prints the demo
# logins, where e-mail goes and the address, nothing else: the server's and the worker's own
# output goes to $(RUN_VAR)/log/. The links in e-mails follow HOST and PORT (SITE_URL).
# Celery runs as the user who runs make. As root (a container) Celery would warn: its danger
# is a root worker unpickling messages, and this worker accepts JSON only
# (CELERY_ACCEPT_CONTENT), so the warning is silenced rather than dropping privileges with
# --uid, which would leave the worker unable to write the root-owned var/.
RUN_VAR = $(or $(TRACKER_VAR_DIR),var)
CELERY_AS_ROOT := $(if $(filter 0,$(shell id -u)),PYTHONWARNINGS="ignore:You're running the worker with superuser privileges")
run: export DEBUG ?= 1
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed $(CATALOGS)
	@mkdir -p $(RUN_VAR)/log
	@$(MANAGE) migrate --noinput --verbosity 0
	@$(MANAGE) load_plan --verbosity 0 >> $(RUN_VAR)/log/setup.log
	@$(MANAGE) setup_demo --verbosity 0
	@if [ -n "$$EMAIL_HOST" ]; then \
	  echo "E-mail goes to $$EMAIL_HOST:$${EMAIL_PORT:-25}; logs are in $(RUN_VAR)/log/."; \
	else echo "E-mail is written as files to $(RUN_VAR)/mail/; logs are in $(RUN_VAR)/log/."; fi
	@echo "The tracker runs on $$SITE_URL/ (Ctrl-C stops it)."
	@trap 'trap - INT TERM; kill 0' INT TERM; \
	$(CELERY_AS_ROOT) $(BIN)/celery --app tracker worker --beat --loglevel INFO --concurrency 2 \
	  --logfile $(RUN_VAR)/log/celery.log >> $(RUN_VAR)/log/celery.log 2>&1 & \
	{ $(MANAGE) runserver $(HOST):$(PORT) >> $(RUN_VAR)/log/web.log 2>&1 || \
	  echo "The web server stopped: see $(RUN_VAR)/log/web.log" >&2; } & \
	wait

test: $(VENV)/.installed-dev translations
	$(BIN)/pytest

# The checks of README's "Security and data safety": access, history, loads, versions,
# e-mail exactly once, exports, throttling, headers and generated bad input.
SECURITY_TESTS := tests/test_access.py tests/test_access_matrix.py tests/test_data_safety.py \
	tests/test_security.py tests/test_fuzz.py tests/test_reminders_cron.py

test-security: $(VENV)/.installed-dev translations
	$(BIN)/pytest $(SECURITY_TESTS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (README, "Benchmark"): our pages against the Django admin on
# PostgreSQL filled by `generate_load`; not part of `make test`. BENCH_ARGS passes options,
# e.g. BENCH_ARGS="--only list_search --runs 10"; `python -m bench --help` lists them.
# SCALE=10000|100000|1000000 picks the database of that many commitments (bench/scale.py
# fills them), whatever DATABASE_URL says.
BENCH_DATABASE_10000 := tracker_bench_10k
BENCH_DATABASE_100000 := tracker_bench
BENCH_DATABASE_1000000 := tracker_bench_1m
ifdef SCALE
bench: export DATABASE_URL = postgres://postgres@127.0.0.1:5432/$(BENCH_DATABASE_$(SCALE))
else
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
endif
bench: $(VENV)/.installed translations
	@if [ -n "$(SCALE)" ] && [ -z "$(BENCH_DATABASE_$(SCALE))" ]; then \
	  echo "make bench: SCALE is 10000, 100000 or 1000000, not $(SCALE)" >&2; exit 2; fi
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	*) echo "make bench needs PostgreSQL: DATABASE_URL=$$DATABASE_URL is not postgres://…" >&2; \
	   exit 2;; esac
	$(BIN)/python -m bench $(BENCH_ARGS)

# The benchmark at 10,000, 100,000 and 1,000,000 commitments in turn, each database made and
# filled when it does not hold its size (1M: about half an hour), then p50 and queries side
# by side with the growth; writes var/bench/scale.json. BENCH_ARGS passes options, to
# bench.scale (--sizes 10000,100000, --skip-generate) and on to each bench (--runs 10 …).
.PHONY: bench-scale
bench-scale: $(VENV)/.installed translations
	$(BIN)/python -m bench.scale $(BENCH_ARGS)

# The Kamer-register sync against the local OData server at 2,000, 5,000 and 10,000 records
# of one ministry: first sync, incremental sync, memory; writes var/bench/register.json. Needs
# PostgreSQL; it drops and makes its own database (tracker_bench_register) for every size.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--sizes 2000 --profile".
bench-register: $(VENV)/.installed translations
	$(BIN)/python -m bench.register $(BENCH_ARGS)

# A mixed load under gunicorn (4 workers): 70 % lists, 20 % details, 10 % progress updates by
# logged-in officials, 16 connections for 60 s with wrk (bench/load.lua); then counts the run's
# updates in the database. Writes var/bench/load.json; exits 1 when a target is missed.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--seconds 20 --connections 8".
bench-load: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracker_bench
bench-load: $(VENV)/.installed translations
	$(BIN)/python -m bench.load $(BENCH_ARGS)

# How well the debate-report reader captures the commitments of the six shared reports
# (../shared/data/vlos/) against tests/data/vlos_expected_commitments.json; exits 1 when a
# target is missed. CAPTURE_ARGS passes options, e.g. CAPTURE_ARGS="-v --reports DIR".
evaluate-capture: $(VENV)/.installed
	$(BIN)/python -m bench.capture $(CAPTURE_ARGS)

# The README's pictures (docs/screenshots/), made afresh from the demo in Debian's Chromium:
# a throwaway SQLite database, `runserver` on a free port, Playwright as the demo's users.
.PHONY: screenshots
screenshots: $(VENV)/.installed-dev translations
	$(BIN)/python docs/screenshots.py
