# Two commands do everything: `make run` (set up, extract the sample articles, show the
# Qatari prime minister's statements) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Models: `quotes` finds the pipeline shipped in data/models/stanza-en by itself (README, "Models").
# Until those files are committed, fall back to the bootstrap pipeline beside the clone, if there is
# one. The fallback switches itself off as soon as data/models/stanza-en/resources.json exists, and
# can then be deleted. An explicit QUOTES_MODELS always wins.
ifeq ($(wildcard data/models/stanza-en/resources.json),)
ifneq ($(wildcard ../shared/models/stanza-en/resources.json),)
export QUOTES_MODELS ?= $(abspath ../shared/models/stanza-en)
endif
endif

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
