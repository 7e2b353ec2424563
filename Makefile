# Two commands matter: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := data/homework.db
PORT ?= 8501

.PHONY: run test bench load lint install demo-db clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## run: start the dashboard on port $(PORT); demo data in data/homework.db unless DATABASE_URL is set;
## ARGS passes options to streamlit (e.g. ARGS="--server.fileWatcherType auto" while editing)
run: $(STAMP)
	@if [ -n "$$DATABASE_URL" ]; then \
		$(BIN)/python -m data_access init && $(BIN)/python -m data_access check-accounts; \
	elif [ ! -f $(DEMO_DB) ]; then \
		$(BIN)/python -m data_access demo --database-url sqlite:///$(DEMO_DB); \
	else \
		$(BIN)/python -m data_access init --database-url sqlite:///$(DEMO_DB); \
	fi
	MALLOC_ARENA_MAX=2 $(BIN)/python -m streamlit run dashboard/app.py --server.port $(PORT) $(ARGS)

## test: the whole suite (unit, integration on SQLite and PostgreSQL, browser)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: time the practice-wide queries at 10,000 clients on SQLite and PostgreSQL, then
## every practice page in headless Chromium (cold and warm, bytes received, server RSS)
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.browser $(BROWSER_ARGS)

## load: N people at once (5, 10, 20) against one app instance on the 10,000-client practice
load: $(STAMP)
	$(BIN)/python -m bench.load $(LOAD_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
