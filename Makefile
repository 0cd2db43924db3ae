# Two commands for a new user: `make run` serves the dashboard on the demo database, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
DEMO_DB := data/demo.sqlite
DEMO_BOUNDARIES := data/demo.boundaries
# The 2021 municipality boundaries that ship with the project (data/boundaries/README.md). `make run
# BOUNDARIES=path` loads another file instead; `make run BOUNDARIES=` loads none (the map draws points).
SHIPPED_BOUNDARIES := data/boundaries/municipalities-2021.topo.json
SHIPPED_ATTRIBUTION := Statistics Finland, municipal boundaries 1:4.5M 2021, CC BY 4.0
BOUNDARIES ?= $(SHIPPED_BOUNDARIES)

# `make real` builds (or brings up to date) the real database from Statistics Finland's API; needs the network.
REAL_DB ?= sqlite:///data/real.sqlite

.PHONY: install run real test test-fast test-browser bench clean FORCE
# A recipe that fails leaves no half-built demo database that a later `make` would take as up to date.
.DELETE_ON_ERROR:

install: $(BIN)/.installed $(DEMO_DB)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

# Holds the BOUNDARIES the demo database was built with, so choosing another file rebuilds it.
$(DEMO_BOUNDARIES): FORCE
	@printf '%s\n' '$(BOUNDARIES)' | cmp -s - $@ || printf '%s\n' '$(BOUNDARIES)' > $@

$(DEMO_DB): $(BIN)/.installed $(wildcard data/*.csv data/*.toml app/ingest/*.py) app/schema.py $(DEMO_BOUNDARIES) \
            $(wildcard $(BOUNDARIES))
	$(BIN)/pilot-tracker demo --db sqlite:///$(DEMO_DB)
ifeq ($(strip $(BOUNDARIES)),)
	@echo "BOUNDARIES is empty: no boundaries loaded, the map page draws a symbol map"
else
	$(BIN)/pilot-tracker boundaries load "$(BOUNDARIES)" --year 2021 --db sqlite:///$(DEMO_DB) \
	  $(if $(filter $(SHIPPED_BOUNDARIES),$(BOUNDARIES)),--licence "$(SHIPPED_ATTRIBUTION)")
endif

run: install
	$(BIN)/python -m app.ui.serve --server.port $(PORT) --server.headless true

real: $(BIN)/.installed
	$(BIN)/pilot-tracker build real --db $(REAL_DB)
	@echo "serve it: PILOT_TRACKER_DB=$(REAL_DB) $(BIN)/streamlit run streamlit_app.py"

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not browser"

test-browser: install
	$(BIN)/python -m pytest -m browser

bench: install
	$(BIN)/python -m benchmarks

# The long runs of docs/reliability.md: 10,000 hypothesis URL states through AppTest; 30 minutes of ten
# browser sessions with the server's memory sampled.
.PHONY: fuzz-urls soak
fuzz-urls: install
	$(BIN)/python -m tests.fuzz_urls --cases 10000

soak: install
	$(BIN)/python -m tests.soak --minutes 30 --sessions 10

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_BOUNDARIES) artifacts .pytest_cache
