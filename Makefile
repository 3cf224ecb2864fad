# Two commands do everything: `make run` (set up, extract the sample articles, show the
# Qatari prime minister's statements) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Models: `quotes` uses the pipeline shipped in data/models/stanza-en (README, "Models");
# QUOTES_MODELS=DIR picks another one.

.PHONY: setup run test gate clean

$(BIN)/quotes: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[test,html,ray]'
	touch $(BIN)/quotes

setup: $(BIN)/quotes

run: setup
	$(BIN)/quotes extract data/samples --out out/samples
	$(BIN)/quotes query "Al Thani" --store out/samples

test: setup
	$(BIN)/python -m pytest -q

# The accuracy gate: PolNeAR dev must not fall below reports/eval-polnear-dev.json (minutes).
gate: setup
	$(BIN)/python -m pytest -q -m slow tests/test_regression_gate.py

clean:
	rm -rf $(VENV) out *.egg-info
