# From Pixels to CNNs — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
BROWSER_STAMP := $(VENV)/.browser-stamp

.PHONY: help venv demo sandbox test test-all test-browser lab release check bench bench-grader lint notebook-lint contract clean

help:
	@echo "make demo     create .venv, regenerate notebooks/, grade every solution and an example class with the class grader"
	@echo "make test     create or update .venv and run the fast suite: every lesson once, every wrong implementation,"
	@echo "              the class grader on every solution (a few minutes on 2 cores)"
	@echo "make test-all everything CI runs: also the slow tests (Colab conditions, whole classes) and the browser tests"
	@echo "make test-browser  lesson 01 and the lessons with an explorer, run in JupyterLab in headless Chromium"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make release  regenerate notebooks/ from solutions/ (commit the result)"
	@echo "make check    class grader: solutions full marks, releases zero; plain nbgrader: solutions; notebooks/ in sync"
	@echo "make bench    time every lesson top to bottom against its 60 s budget"
	@echo "make bench-grader  the class grader against plain sequential nbgrader on 12 submissions"
	@echo "make sandbox  say what isolation the class grader gives student code here (bubblewrap, cgroups)"
	@echo "make lint     ruff on the Python code"
	@echo "make notebook-lint  template, cell ids, outputs and cell length of every notebook"

# pip's output goes to a log, shown only when the install fails
INSTALL = $(PY) -m pip install --quiet --disable-pip-version-check
INSTALL_LOG := $(VENV)/install.log

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the course, the grader and the test tools into $(VENV) (first time: a few minutes, TensorFlow is large) …"
	@$(INSTALL) --upgrade pip >$(INSTALL_LOG) 2>&1 || true
	@$(INSTALL) -e '.[dev,grader]' >>$(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); echo "installation failed: pip's messages are above (and in $(INSTALL_LOG))"; exit 1; }
	@$(PY) -c "import course_utils, grader, tensorflow, nbgrader" 2>/dev/null || { cat $(INSTALL_LOG); echo "installation failed: see the pip messages above"; exit 1; }
	@touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(PY) -m grader release
	@# grader demo grades the solutions with the class grader, sandboxed where it can; where it cannot, it says so
	@# and grades them anyway (the course's own code): the same policy as the example class below
	$(PY) -m grader demo
	@rm -rf .demo && $(PY) -m grader.example_class .demo/class >/dev/null
	@# the example class is the course's own code: where this machine has no full sandbox, say so and grade it anyway
	@$(PY) -m grader sandbox || true
	$(PY) -m grader autograde 01_pixels --submissions .demo/class --workspace .demo/grading \
		$$($(PY) -m grader sandbox --quiet || echo --no-sandbox)

# two workers; the tests that share one executed lesson, one class grading or one browser stay in one worker;
# the groups are handed out longest first (tests/conftest.py), not by their count of tests (xdist's default)
PYTEST := $(PY) -m pytest -n 2 --dist loadgroup --no-loadscope-reorder

test: venv
	$(PYTEST) -m "not slow and not browser"

test-all: $(BROWSER_STAMP)
	$(PYTEST) --junitxml=reports/test-all.xml
	@echo "screenshots: reports/browser/"

$(BROWSER_STAMP): $(STAMP)
	@test -n "$$CHROMIUM" || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
		echo "the browser tests drive the system's Chromium: sudo apt-get install chromium (Debian/Ubuntu)"; \
		echo "or point CHROMIUM at a Chrome or Chromium binary"; exit 1; }
	@$(INSTALL) -e '.[dev,grader,browser]' >$(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); echo "installing playwright failed: pip's messages are above"; exit 1; }
	@$(PY) -c "import playwright" 2>/dev/null || { cat $(INSTALL_LOG); echo "installing playwright failed: see the pip messages above"; exit 1; }
	@touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	$(PY) -m pytest -m browser tests/browser
	@echo "screenshots: reports/browser/"

sandbox: venv
	$(PY) -m grader sandbox

lab: venv
	$(VENV)/bin/jupyter lab notebooks/

release: venv
	$(PY) -m grader release

# the class grader on every solution and untouched release, plain nbgrader once more on every solution
check: venv
	$(PY) -m grader check

bench: venv
	$(PY) -m grader.bench

bench-grader: venv
	$(PY) -m grader.bench_grader

lint: venv
	$(VENV)/bin/ruff check course_utils grader tests

notebook-lint: venv
	$(PY) -m grader.lint

contract:
	$(PYTHON) ../shared/tools/contract_check.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info reports .demo grading
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
