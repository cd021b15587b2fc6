# Two commands on a fresh machine: `make chat` (set up, index seeds/, serve the chat) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: setup setup-test chat test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first: `torch==2.13.0` takes the CPU build; a bare `torch` would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

chat: setup
	$(BIN)/rag ingest seeds/
	$(BIN)/rag chat --host $(HOST) --port $(PORT)

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .rag
