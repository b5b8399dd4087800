# One entry point for people and CI. `make train` sets everything up and runs the default
# experiment end to end into MLflow; `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup train results results-transformers test ui lint bench

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU wheel; an unpinned torch would pull gigabytes of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

train: $(STAMP)
	$(BIN)/python -m armstance.train

# The baselines beside the champion, the human ceiling, and the results table.
results: train
	$(BIN)/python -m armstance.train experiment=majority
	$(BIN)/python -m armstance.train experiment=tfidf_logreg_calibrated
	$(BIN)/python -m armstance.train experiment=crossling_de_to_en
	$(BIN)/python -m armstance.train experiment=crossling_en_to_de
	$(BIN)/armstance agreement split:train,dev split:second_annotator --log
	$(BIN)/armstance compare --markdown

# The transformer rows, CPU settings (about 13 minutes on 2 cores): sentiment on NewsMTSC
# (2 min), then MiniLM from its base weights and with the sentiment model from that NewsMTSC
# run (5.5 min each).
results-transformers: $(STAMP)
	$(BIN)/python -m armstance.newsmtsc model.max_train_samples=2000 model.epochs=1 \
		model.max_length=128
	$(BIN)/python -m armstance.train experiment=minilm
	$(BIN)/python -m armstance.train experiment=minilm_newsmtsc_init
	$(BIN)/armstance compare --markdown

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks && $(BIN)/ruff format --check src tests benchmarks

ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlruns.db \
		--default-artifact-root $(CURDIR)/mlartifacts --host 127.0.0.1 --port 5000

bench: $(STAMP)
	$(BIN)/python benchmarks/train_default.py
	$(BIN)/python benchmarks/predict_speed.py
	$(BIN)/python benchmarks/serve_load.py
