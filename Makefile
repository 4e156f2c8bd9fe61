# Two commands: `make run` serves the intranet with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(wildcard plugins/*)
# PostgreSQL used by `make test` (the suite also runs on SQLite).
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install test test-sqlite test-postgres browser-deps translations bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

install: $(BIN)/activate
	$(BIN)/pip install -e '.[test]' $(foreach p,$(PLUGINS),-e $(p))
	$(MAKE) translations

translations:
	$(BIN)/pybabel compile -f -d core/translations
	@for p in $(PLUGINS); do \
	  for d in $$p/danwei_*/translations; do \
	    [ -d $$d ] && $(BIN)/pybabel compile -f -d $$d -D danwei_$$(basename $$p); \
	  done; \
	done

run: install
	$(BIN)/danwei db upgrade
	$(BIN)/danwei demo
	$(BIN)/danwei run --host 127.0.0.1 --port 5000

browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: install browser-deps test-sqlite test-postgres

# pytest exits 5 when it collected nothing: say so and fail rather than pass silently.
PYTEST = $(BIN)/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests"; exit $$rc; }

test-sqlite:
	DANWEI_TEST_DATABASE_URL=sqlite $(PYTEST)

test-postgres:
	DANWEI_TEST_DATABASE_URL=$(PG_URL) $(PYTEST)

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) *.egg-info plugins/*/*.egg-info
