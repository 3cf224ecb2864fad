# Two commands do everything: `make run` (set up, extract the sample articles, show the
# Qatari prime minister's statements) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Until the project ships its own models (data/models/), use the bootstrap pipeline beside the clone.
export QUOTES_MODELS ?= $(abspath ../shared/models/stanza-en)

.PHONY: setup run test clean

$(BIN)/quotes: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[test,html]'
	touch $(BIN)/quotes

setup: $(BIN)/quotes

run: setup
	$(BIN)/quotes extract data/samples --out out/samples
	$(BIN)/quotes query "Al Thani" --store out/samples

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out *.egg-info
