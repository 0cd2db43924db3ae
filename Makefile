# Two commands for a new user: `make run` serves the dashboard on the demo database, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
DEMO_DB := data/demo.sqlite
# A boundary file to load into the demo database; the shared 2021 boundaries are used when present.
BOUNDARIES ?= $(wildcard ../shared/data/geo/municipalities-2021.geojson)

.PHONY: install run test test-fast test-browser bench clean

install: $(BIN)/.installed $(DEMO_DB)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

$(DEMO_DB): $(BIN)/.installed $(wildcard data/*.csv data/*.toml app/ingest/*.py)
	$(BIN)/pilot-tracker demo --db sqlite:///$(DEMO_DB)
	@if [ -n "$(BOUNDARIES)" ]; then \
	  $(BIN)/pilot-tracker boundaries load "$(BOUNDARIES)" --year 2021 --db sqlite:///$(DEMO_DB) \
	  || echo "boundaries not loaded: the map page draws a symbol map"; \
	else $(BIN)/pilot-tracker boundaries fetch --year 2021 --db sqlite:///$(DEMO_DB) \
	  || echo "no boundary file configured and the WFS is not reachable: the map page draws a symbol map"; fi

run: install
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not browser"

bench: install
	$(BIN)/python -m app.bench

clean:
	rm -rf $(VENV) $(DEMO_DB) artifacts .pytest_cache
