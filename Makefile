# Trackii: `make run` to try it, `make test` to test it. Python 3.11 is required.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
# make run PORT=8001: the server and every link the demo prints or e-mails use this port, on
# localhost (passkeys refuse an IP address as the site's origin).
PORT ?= 8000
SYSTEM_PACKAGES := scripts/system-packages

.DEFAULT_GOAL := help
.PHONY: help install run migrate seed test lint fmt lock clean system-packages-run system-packages-test catalogues messages

help:
	@echo "make run    install what is missing (Debian packages as root, .venv), migrate, load the demo, serve http://localhost:8000 (PORT=8001 for another port)"
	@echo "make test   the same Debian packages plus the tests' own, lint, no missing migration, then the whole test suite (DATABASE_URL / REDIS_URL pick the services)"
	@echo "make lint   ruff check and format check, the import contracts, mypy, duplicate code, templates;  make fmt  format the code"
	@echo "make lock   refresh constraints.txt from the installed environment"
	@echo "make backup  encrypted archive of the database and private files (BACKUP_KEY);  make restore ARCHIVE=path [FORCE=1]"
	@echo "make loadtest  load test on PostgreSQL and Redis (DATABASE_URL, REDIS_URL of its own): figures, then errors: N"
	@echo "make bench  the screening and briefing-pack benchmarks;  make bench-briefing  the latter only;  make bench-pages  the session and home pages against bare Django (DATABASE_URL, REDIS_URL of its own)"
	@echo "make cluster-check  two web processes and two Celery workers with no shared disk, on PostgreSQL, Redis and SeaweedFS (DATABASE_URL .../trackii_cluster, REDIS_URL .../9)"
	@echo "make test-fast  the tests not marked slow, without lint or Debian packages: the inner loop"
	@echo "Debian packages: system-packages.txt (run and test parts); scripts/fresh-machine-check tries both commands on a new Debian 12"

# system-packages.txt: installed when missing (root, Debian), else the exact command is printed.
system-packages-run:
	@$(SYSTEM_PACKAGES) ensure run

system-packages-test:
	@$(SYSTEM_PACKAGES) ensure run test

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Trackii needs Python 3.11, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The translation catalogues (docs/i18n.md): locale/<language>/LC_MESSAGES/django.po is the
# source, kept in git; its compiled .mo is built here (GNU gettext's msgfmt, on the package list)
# and never committed. --check refuses a translation whose format placeholders differ.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

catalogues: system-packages-run $(CATALOGUES)

# Collect the marked messages into every catalogue (new ones empty, changed ones fuzzy), for
# translators; the tests fail until each is translated.
MESSAGE_LANGUAGES := $(foreach po,$(wildcard locale/*/LC_MESSAGES/django.po),-l $(word 2,$(subst /, ,$(po))))
messages: install
	$(MANAGE) makemessages $(MESSAGE_LANGUAGES) --no-obsolete --no-wrap --add-location file \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' \
		--ignore 'loadtest/*' --ignore 'scripts/*' --ignore 'docs/*' --ignore 'lint/*' \
		--ignore 'test-artifacts/*' --ignore 'build/*'
	$(BIN)/python scripts/catalogue-headers

migrate: install catalogues
	@mkdir -p var
	@echo "Migrating the database (var/db.sqlite3 unless DATABASE_URL is set)"
	@$(MANAGE) migrate --noinput --verbosity 0

# Links in the demo's e-mails and in its summary follow PORT (also for e-mails sent later),
# unless TRACKII_BASE_URL is set in the environment.
TRACKII_BASE_URL ?= http://localhost:$(PORT)
seed run: export TRACKII_BASE_URL := $(TRACKII_BASE_URL)

seed: system-packages-run migrate
	@$(MANAGE) seed_demo

run: seed
	@echo "Serving Trackii on http://localhost:$(PORT)/ (SQLite and Celery in-process unless DATABASE_URL / REDIS_URL are set). Ctrl-C stops it."
	$(MANAGE) runserver localhost:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	@# mypy loads the test settings (django-stubs), which make a temporary folder for private
	@# files unless told where they are: nothing is stored there.
	PRIVATE_STORAGE_ROOT=$(CURDIR)/var/private-mypy $(BIN)/mypy
	$(BIN)/pylint trackii dialogues participants
	$(BIN)/djlint templates --lint

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest-xdist: PYTEST_WORKERS processes, each with its own test database and Redis database
# (tests/conftest.py); 0 runs the suite in one process. Two on our 2-core machines: on a quiet
# one, PostgreSQL took 217 s serial and 138 s with two; SQLite is about a quarter faster with
# two (docs/measurements.md, "Test suite").
PYTEST_WORKERS ?= 2

test: system-packages-test catalogues lint
	mkdir -p var test-artifacts
	@# Every model change has its migration (a missing one fails here, before the suite).
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The inner loop: no lint, no system packages, no slow test (pyproject.toml's markers).
.PHONY: test-fast
test-fast: install catalogues
	mkdir -p var test-artifacts
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache .hypothesis .import_linter_cache .mypy_cache

.PHONY: bench bench-briefing
# Both benchmarks run, even if the first misses a target; the exit status says if any did.
bench: install
	status=0; $(BIN)/python bench/screening.py || status=1; \
	$(BIN)/python bench/briefing.py || status=1; exit $$status

bench-briefing: install
	$(BIN)/python bench/briefing.py

.PHONY: bench-pages bench-page-times
# The session and home pages against bare Django pages of the same shape, served by gunicorn and
# measured with wrk (bench/pages.py). Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL) and a
# database of its own; wrk comes from the bench part of system-packages.txt.
bench-pages: install
	@$(SYSTEM_PACKAGES) ensure bench
	BIN=$(BIN) $(BIN)/python bench/pages.py

# Single-request time of the dialogue and session pages in-process, on SQLite (issue 16).
bench-page-times: install
	$(BIN)/python bench/page_times.py

.PHONY: loadtest
# Not part of `make test`. Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL) and a database of
# its own: it seeds the scaled demo organisation into it, then measures (loadtest/run.sh).
loadtest: install
	BIN=$(BIN) bash loadtest/run.sh

.PHONY: backup restore
# One encrypted archive of the database (DATABASE_URL) and the private files; BACKUP_KEY must be
# set (docs/operations.md). make backup [BACKUP_DIR=dir];  make restore ARCHIVE=path [FORCE=1]
backup: install
	$(MANAGE) backup $(if $(BACKUP_DIR),--output-dir "$(BACKUP_DIR)")

restore: install
	@test -n "$(ARCHIVE)" || { echo "usage: make restore ARCHIVE=var/backups/trackii-<UTC timestamp>.tar.enc [FORCE=1]" >&2; exit 2; }
	$(MANAGE) restore "$(ARCHIVE)" $(if $(filter 1 yes true,$(FORCE)),--force)

.PHONY: cluster-check
# Two web processes and two Celery workers with no shared disk, beside PostgreSQL, Redis and a
# SeaweedFS of its own (scripts/cluster-check): a paper and a pack stored through one process are
# served by the others, a worker killed mid-render loses nothing. Needs DATABASE_URL naming a
# throw-away database with "cluster" in its name (dropped and created again) and REDIS_URL a
# database number of its own, other than 0 (emptied); .ci/run passes both.
cluster-check: install catalogues
	$(BIN)/python scripts/cluster-check
