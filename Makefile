# AcuDesk: `make run` installs and starts the app; `make test` installs and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_APP := $(VENV)/.installed-app
STAMP_TEST := $(VENV)/.installed-test
# Test processes (pytest-xdist): one per core. TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: run demo test lint bench guide-images clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "AcuDesk needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_APP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP_APP)

run: $(STAMP_APP)
	@scripts/check-qt-runtime.sh $(PY)
	$(PY) main.py $(ARGS)

demo: $(STAMP_APP)
	@scripts/check-qt-runtime.sh $(PY)
	$(PY) main.py --demo

test: $(STAMP_TEST)
	@scripts/install-test-deps.sh
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check acudesk tests db bench
	$(VENV)/bin/mypy acudesk

bench: $(STAMP_TEST)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench $(BENCH_ARGS)

# The user guide's pictures (resources/help/images), drawn from the app on a throwaway demo clinic.
guide-images: $(STAMP_APP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/make_guide_images.py resources/help/images

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
