# The commune assistant. `make run` starts everything; `make test` runs every check.
# Both run `make setup` first, which is idempotent and quick when nothing changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

RASA_VENV := .venv/rasa
APP_VENV  := .venv/app
PY        := $(APP_VENV)/bin/python
RASA_PY   := $(RASA_VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
PIP_FLAGS := --quiet --disable-pip-version-check
LINTED    := bot actions tests scripts bench rasa_sdk_plugins

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false


.PHONY: browser
.PHONY: help setup run train test lint unit test-nlu validate integration bench clean lock

help:
	@echo "make run    - set up, train if needed, start Rasa + actions + gateway (http://127.0.0.1:8000)"
	@echo "make test   - set up, then lint, unit tests, rasa data validate, integration tests"
	@echo "make setup  - create/refresh the two virtualenvs (.venv/rasa, .venv/app)"
	@echo "make train  - train the Rasa model when data or config changed"

setup: $(RASA_VENV)/.installed $(APP_VENV)/.installed browser

# Debian's chromium + chromedriver for the browser tests; a no-op when both are installed.
browser:
	@scripts/install-browser.sh

$(RASA_VENV)/.installed: requirements/rasa.txt scripts/find-python310.sh
	@py=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x $(RASA_VENV)/bin/python ]; then echo "Creating $(RASA_VENV) with $$py"; $$py -m venv $(RASA_VENV); fi
	$(RASA_PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(RASA_PY) -m pip install $(PIP_FLAGS) -r requirements/rasa.txt
	@touch $@

$(APP_VENV)/.installed: requirements/app.txt
	@if [ ! -x $(APP_VENV)/bin/python ]; then echo "Creating $(APP_VENV) with python3"; python3 -m venv $(APP_VENV); fi
	$(PY) -m pip install $(PIP_FLAGS) --upgrade pip
	$(PY) -m pip install $(PIP_FLAGS) -r requirements/app.txt
	@touch $@

train: setup
	$(PY) -m bot train

run: setup
	$(PY) -m bot run

lint: setup
	$(APP_VENV)/bin/ruff check $(LINTED)
	$(APP_VENV)/bin/ruff format --check $(LINTED)

unit: setup
	$(PY) -m pytest -q -m "not integration and not rasa"

test-nlu: setup
	$(RASA_PY) -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning tests/nlu tests/text tests/test_rasa_lock_store.py tests/test_rasa_server_in_rasa.py

validate: setup
	RASA=$(RASA) scripts/validate-data.sh

integration: setup
	$(PY) -m pytest -q -m integration

test: lint unit test-nlu validate integration

lock:
	$(RASA_PY) -m pip freeze | grep -v '^ruff==' > requirements/rasa.txt.new
	$(PY) -m pip freeze | sed 's/^torch==\(.*\)+cpu/torch==\1/' > requirements/app.txt.new
	@echo "Review requirements/*.txt.new and move them over the .txt files."

clean:
	rm -rf .venv models .rasa var/logs

bench: setup train
	$(PY) -m bench.chat_latency --messages 100
	$(PY) -m bench.chat_latency --messages 100 --redis-url redis://127.0.0.1:6379/0
	REDIS_URL=redis://127.0.0.1:6379/0 $(PY) -m bot.gateway.zalo.bench
	$(PY) -m bench.search_latency --all-national

# Load (issue 9): the whole stack on Redis under a chat mix, closed and open loop, against the
# same bot trained with Rasa's stock config (trained once into var/bench/stock-models/, cached by
# a hash of data + config). Writes docs/performance.md. Options: make bench-load ARGS="--skip-stock".
.PHONY: bench-load
bench-load: setup train
	$(PY) -m bench.load $(ARGS)

# NLU evaluation (issue 7): regenerate the procedure lookup table, then 5-fold CV of the shipped
# pipeline against Rasa's default, held-out set, latency; writes docs/nlu-evaluation.md. About
# 2.5-3 h on 2 cores with 3,400 examples, nearly all of it Rasa's default pipeline. Options:
# make eval-nlu ARGS="--configs ours_fast" (shipped pipeline only, ~20 min), ARGS="--folds 3".
.PHONY: eval-nlu
eval-nlu: setup
	$(PY) -m bot nlu lookups
	$(RASA_PY) -m bench.nlu_eval $(ARGS)

# Procedure-question evaluation (issue 4) against the real stack: dev set + blind held-out set;
# procedure top-1/top-3, aspect, intent accuracy, unmarked subset, confusions. About 5 min.
.PHONY: eval models
eval: setup train
	$(PY) -m bench.eval

# Download the sentence-transformers model for dense retrieval (needs the internet; optional:
# without it search is lexical). Then run with EMBEDDING_MODEL=var/models/embedding.
EMBEDDING_DEFAULT ?= bkai-foundation-models/vietnamese-bi-encoder
models: setup
	@$(PY) -c "import sys; from sentence_transformers import SentenceTransformer; \
	SentenceTransformer(sys.argv[1]).save('var/models/embedding'); \
	print('saved to var/models/embedding: run with EMBEDDING_MODEL=var/models/embedding')" \
	$(EMBEDDING_DEFAULT) 2>/dev/null || { echo "make models: could not download $(EMBEDDING_DEFAULT) (no internet access?). Search keeps working lexically; copy a sentence-transformers model directory here and set EMBEDDING_MODEL to its path." >&2; exit 1; }
