# Two commands: `make run` serves the intranet with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
# The plugin docs/tutorial.md builds: installed and tested like the bundled ones (so a wrong
# example fails `make test`), translated by the same loops, but not shipped (`make wheels`).
TUTORIAL := docs/tutorial/visitors
# PostgreSQL used by `make test` (the suite also runs on SQLite).
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install deps test test-sqlite test-postgres browser-deps translations messages api-docs wheels bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

install: $(BIN)/activate deps
	$(BIN)/pip install -e '.[test]' $(foreach p,$(PLUGINS) $(TUTORIAL),-e $(p))
	npm ci --no-audit --no-fund  # Chart.js, and axe-core for the tests, pinned in package-lock.json
	$(MAKE) translations

api-docs:  ## docs/api.md, the core.api reference, from the docstrings
	$(BIN)/python -m core.apidoc > docs/api.md

translations:
	$(BIN)/pybabel compile -f -d core/translations
	@for p in $(PLUGINS) $(TUTORIAL); do \
	  for d in $$p/danwei_*/translations; do \
	    [ -d $$d ] && $(BIN)/pybabel compile -f -d $$d -D danwei_$$(basename $$p); \
	  done; \
	done

# Wheels of core and of every bundled plugin, into $(DIST) (README: "Installing from wheels").
# The catalogues are compiled first (*.mo files are not in git). setuptools builds in build/
# folders: removed before, so that no file deleted since the last build slips into a wheel, and
# after, so that no copy of the sources lingers for the tests that read the checkout's files.
DIST ?= dist
BUILD_DIRS := build $(addsuffix /build,$(PLUGINS))
wheels: translations
	rm -rf $(BUILD_DIRS)
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir $(DIST) . $(PLUGINS)
	rm -rf $(BUILD_DIRS)

# Extract msgids into .pot files next to the catalogues and update the zh_CN catalogues.
EXTRACT = extract -F babel.cfg -k _l -k lazy_gettext -k gettext -k ngettext:1,2 -k lazy_ngettext:1,2 --ignore-dirs='.* _* node_modules'
messages:
	$(BIN)/pybabel $(EXTRACT) -o core/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -l zh_CN -i core/translations/messages.pot -d core/translations
	@for p in $(PLUGINS) $(TUTORIAL); do \
	  n=$$(basename $$p); d=$$p/danwei_$$n/translations; \
	  [ -f $$p/babel.cfg ] && [ -d $$p/danwei_$$n ] || continue; mkdir -p $$d; \
	  (cd $$p && $(CURDIR)/$(BIN)/pybabel $(EXTRACT) -o danwei_$$n/translations/danwei_$$n.pot .) || exit 1; \
	  if [ -f $$d/zh_CN/LC_MESSAGES/danwei_$$n.po ]; then \
	    $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -l zh_CN -D danwei_$$n \
	      -i $$d/danwei_$$n.pot -d $$d || exit 1; \
	  else $(BIN)/pybabel init -l zh_CN -D danwei_$$n -i $$d/danwei_$$n.pot -d $$d || exit 1; fi; \
	done

run: install
	$(BIN)/danwei db upgrade
	$(BIN)/danwei demo
	$(BIN)/danwei run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium (Playwright never downloads one); a CJK font makes the
# screenshots saved in test-artifacts/ readable. Installs only what is missing, quietly; root in CI.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei
browser-deps:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -n "$${missing% }" ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  echo "browser-deps: installing $$missing"; log=$$(mktemp); \
	  if ! { $$sudo apt-get update -qq && \
	         $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
	       >$$log 2>&1; then \
	    cat $$log; rm -f $$log; exit 1; \
	  fi; rm -f $$log; \
	fi

# System tools the intranet itself runs: pg_dump/pg_restore for `danwei backup` on PostgreSQL,
# of the server's major version or newer (pg_dump refuses newer servers). Debian's
# postgresql-client follows the distribution's server; set PG_CLIENT=postgresql-client-16 to
# match another server. Installs only what is missing; root in CI.
PG_CLIENT ?= postgresql-client
deps:
	@if ! command -v pg_dump >/dev/null 2>&1; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  echo "deps: installing $(PG_CLIENT)"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PG_CLIENT) >/dev/null; \
	fi

test: install deps browser-deps test-sqlite test-postgres

# pytest exits 5 when it collected nothing: say so and fail rather than pass silently.
PYTEST = $(BIN)/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests"; exit $$rc; }

test-sqlite:
	DANWEI_TEST_DATABASE_URL=sqlite $(PYTEST)

test-postgres:
	DANWEI_TEST_DATABASE_URL=$(PG_URL) $(PYTEST)

# The benchmark (bench/run.py): generates a county's data on PostgreSQL, serves it with gunicorn,
# writes bench/results.md and the README's figures. About 20 minutes; BENCH_ARGS=--reuse keeps
# the generated databases of an earlier run.
bench: install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info plugins/*/*.egg-info $(TUTORIAL)/*.egg-info $(BUILD_DIRS) dist
