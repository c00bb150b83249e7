# perfkit's front door. `make report` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= data/demo
OUT    ?= outputs

.PHONY: report test check lab validate strip demo-data clean help bench

help:
	@echo "make report    set up .venv and produce the latest quarter's appendices for $(DATA)"
	@echo "make test      check the code (make check), then run the whole test suite"
	@echo "make check     lint and format check (ruff) and type check (mypy) of the package"
	@echo "make lab       open JupyterLab on notebooks/ with the project's kernel"
	@echo "make validate  check the data folder ($(DATA)) and list every problem"
	@echo "make strip     clear outputs from notebooks/ before committing"
	@echo "make bench     measure speed and memory; writes benchmarks/RESULTS.md"

# The stamp is rebuilt whenever pyproject.toml changes, so dependencies stay in step.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "perfkit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

report: $(BIN)/.installed
	$(BIN)/perfkit run --data $(DATA) --out $(OUT)

test: check
	$(BIN)/python -m pytest

# House habits: zero findings from the linter, the formatter and the type checker.
check: $(BIN)/.installed
	$(BIN)/ruff check perfkit tests scripts benchmarks conftest.py
	$(BIN)/ruff format --check perfkit tests scripts benchmarks conftest.py
	$(BIN)/mypy

validate: $(BIN)/.installed
	$(BIN)/perfkit validate --data $(DATA)

$(BIN)/.lab: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name perfkit --display-name "Python 3 (perfkit)"
	@touch $@

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
lab: $(BIN)/.lab
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

strip: $(BIN)/.installed
	$(BIN)/jupyter nbconvert --clear-output --inplace notebooks/*.ipynb

demo-data: $(BIN)/.installed
	$(BIN)/python scripts/make_demo_data.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Speed and memory goals, measured side by side; writes benchmarks/RESULTS.md (about 10 minutes).
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py --repeat 3
