# Every target sets up its own .venv first: a fresh machine needs only python3 and make.
# The editable install uses a plain path entry (editable_mode=compat), so type checkers such as
# mypy find the package from a script anywhere, not only inside this repository.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test quick lint format demo fuzz bench regenerate clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Everything but the tests marked slow: the quick loop while editing (make test runs all).
quick: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# The long fuzz run (not in CI): 100,000 cases for each of the two fuzz tests.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=100000 $(BIN)/python -m pytest -q tests/test_fuzz.py \
		--hypothesis-show-statistics

# Every peer on the same bytes (zeep, suds-community, xsdata, the floor), start-up, medians and
# ratios against zeep and the lxml/httpx floors, how answers are read, and the generator
# (generating the List service's 260 operations; importing a generated module of 10); about 5
# minutes.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# The library's own operations and models, generated again from the reference WSDLs with the
# choices in superoffice_soap/_builtins.py (a test fails when the checked-in files differ).
regenerate: $(STAMP)
	$(BIN)/python -m superoffice_soap._builtins tests/reference

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
