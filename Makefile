# litmine: `make demo` sets up and runs the nightly job offline; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP  := $(VENV)/.installed
CORPUS ?= ../shared/corpus/dev

.PHONY: install demo test eval bench lock clean

install: $(STAMP)

# compileall: the .pyc files pip writes in the image (Dockerfile), written here too. uv skips
# them, and where PYTHONDONTWRITEBYTECODE is set every process then compiles what it imports
# from source: 6-10 s for Great Expectations alone, in each validate task (about 30 s, once).
$(STAMP): pyproject.toml requirements.lock Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8
	$(UV) pip install -q -p $(PY) -r requirements.lock
	$(UV) pip install -q -p $(PY) --no-deps -e .
	$(PY) -m compileall -qq -j 0 $(VENV)/lib
	touch $@

demo: $(STAMP)
	$(PY) -m pipeline.demo

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	@if [ -d "$(CORPUS)" ]; then $(VENV)/bin/litmine eval --corpus $(CORPUS); \
	else echo "eval skipped: $(CORPUS) is absent (the labelled corpus lives in ../shared)"; fi

bench: $(STAMP)
	$(PY) benchmarks/harvest_bench.py
	$(PY) benchmarks/extract_bench.py
	@if [ -f benchmarks/pdf_bench.py ]; then $(PY) benchmarks/pdf_bench.py; fi
	$(PY) benchmarks/fulltext_bench.py

# Re-resolve the pinned dependency set after editing pyproject.toml.
lock:
	$(UV) pip compile -q pyproject.toml --extra dev -p $(PY) -o requirements.lock --no-header

clean:
	rm -rf $(VENV) .airflow warehouse/*.duckdb warehouse/staging warehouse/published warehouse/docs
