# perfkit's front door. `make report` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= data/demo
OUT    ?= outputs

.PHONY: report test check lab validate strip demo-data clean help bench system-deps system-deps-report

# What pip cannot install. WeasyPrint (the PDF) needs Pango and HarfBuzz, the appendix CSS uses
# the DejaVu fonts, the accessibility tests open the appendices in Debian's Chromium, and the
# service-returns tests save a return with LibreOffice Calc (without its desktop) as a service would.
# scripts/system_deps.py installs them with apt-get when run as root, or stops at once with the
# one command to run. SYSTEM_INSTALL=never only checks.
REPORT_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
TEST_PACKAGES   ?= $(REPORT_PACKAGES) chromium libreoffice-calc-nogui
SYSTEM_INSTALL  ?= auto

help:
	@echo "make report    set up .venv and produce the latest quarter's appendices for $(DATA)"
	@echo "make test      check the code (make check), then run the whole test suite"
	@echo "make check     lint and format check (ruff) and type check (mypy) of the package"
	@echo "make lab       open JupyterLab on notebooks/ with the project's kernel"
	@echo "make validate  check the data folder ($(DATA)) and list every problem"
	@echo "make strip     rewrite perfkit's notebooks as committed: no outputs, the project's metadata"
	@echo "make bench     measure speed and memory; writes benchmarks/RESULTS.md"
	@echo "make system-deps  check (and as root install) the system packages the tests need"

# The stamp is rebuilt whenever pyproject.toml changes, so dependencies stay in step.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "perfkit needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@$(GIT_FILTER)
	@touch $@

# Outputs never reach a commit: .gitattributes sends every notebook through nbstripout as it is
# staged, and this defines that filter in the clone's git config (so any make target sets it up).
# The Python version is stripped too, so a notebook saved on another Python is not a change.
# Nothing to do outside a git clone.
GIT_FILTER = if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  $(BIN)/python -m nbstripout --install --attributes .gitattributes && \
	  git config filter.nbstripout.extrakeys "metadata.language_info.version"; fi

# Git takes a notebook whose size changed for a changed one, even when nothing would be committed
# (a Python version or outputs added, which the filter strips): re-read those, so that `git status`
# lists only real changes.
GIT_REFRESH = if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -- 'notebooks/*.ipynb' | while IFS= read -r nb; do \
	    if git diff --quiet -- "$$nb"; then git update-index -- "$$nb"; fi; done; fi

system-deps:
	@$(PYTHON) scripts/system_deps.py --install $(SYSTEM_INSTALL) $(TEST_PACKAGES)

system-deps-report:
	@$(PYTHON) scripts/system_deps.py --install $(SYSTEM_INSTALL) $(REPORT_PACKAGES)

report: system-deps-report $(BIN)/.installed
	$(BIN)/perfkit run --data $(DATA) --out $(OUT)

test: system-deps check
	$(BIN)/python -m pytest

# House habits: zero findings from the linter, the formatter and the type checker.
check: $(BIN)/.installed
	$(BIN)/ruff check perfkit tests scripts benchmarks conftest.py
	$(BIN)/ruff format --check perfkit tests scripts benchmarks conftest.py
	$(BIN)/mypy

validate: $(BIN)/.installed
	$(BIN)/perfkit validate --data $(DATA)

# The kernel's name and display name are the ones scripts/make_notebooks.py writes into the notebooks.
# JupyterLab's settings (scripts/jupyterlab_overrides.json) turn off the pop-up asking to fetch news.
$(BIN)/.lab: $(BIN)/.installed scripts/jupyterlab_overrides.json
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name perfkit --display-name "Python 3 (perfkit)"
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp scripts/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

# The notebooks get this Python's version first, as JupyterLab would write it, so opening one does not
# mark it changed. Kernels are given encryption keys where pyzmq supports it, which also silences
# "Kernel is running over TCP without encryption". Jupyter refuses to run as root unless told;
# containers and CI machines often are root.
lab: $(BIN)/.lab
	@$(GIT_FILTER)
	@$(BIN)/python scripts/make_notebooks.py --metadata
	@$(GIT_REFRESH)
	$(BIN)/jupyter lab --notebook-dir=notebooks \
	  $(if $(shell $(BIN)/python -c 'import zmq; print(zmq.has("curve") or "")'),--KernelManager.transport_encryption=auto) \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

# Only perfkit's own notebooks: a notebook whose cells you edited is named and left as it is, and
# notebooks of your own (in notebooks/ or notebooks/scratch/) are never touched.
strip: $(BIN)/.installed
	@$(GIT_FILTER)
	@$(BIN)/python scripts/make_notebooks.py --strip; status=$$?; $(GIT_REFRESH); exit $$status

demo-data: $(BIN)/.installed
	$(BIN)/python scripts/make_demo_data.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# Speed and memory goals, measured side by side; writes benchmarks/RESULTS.md (about 10 minutes).
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py --repeat 3
