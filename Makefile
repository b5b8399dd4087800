# One entry point for people and CI. `make train` sets everything up and runs the default
# experiment end to end into MLflow; `make test` runs every test but those against services,
# which `make test-infra` runs; `make test-fast` leaves out the slow ones too.
# `make VENV=path ...` uses (or creates) the environment there.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LS_VENV := .venv-labelstudio
LS_STAMP := $(LS_VENV)/.installed

.PHONY: setup train select results results-transformers learning-curve test test-fast \
	test-infra labelstudio-env ui lint bench docs-screenshot docs-mlflow-screenshot catalog demo

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU wheel; an unpinned torch would pull gigabytes of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Label Studio (annotation) in an environment of its own: its pins (Django, ...) clash with
# the project's. The infra tests start it from there.
$(LS_STAMP): requirements-labelstudio.lock
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet -r requirements-labelstudio.lock
	touch $(LS_STAMP)

labelstudio-env: $(LS_STAMP)

train: $(STAMP)
	$(BIN)/python -m armstance.train

# Nested model selection of an experiment's knobs (configs/select/): writes the chosen
# values into experiments/$(SELECT_EXPERIMENT).yaml and logs the outer-fold estimate.
SELECT_EXPERIMENT ?= tfidf_mention_speaker_following
SELECT_KNOBS ?= default
select: $(STAMP)
	$(BIN)/python -m armstance.jobs.select experiment=$(SELECT_EXPERIMENT) select=$(SELECT_KNOBS)

# The baselines and the champion's parts beside the champion, its variants and its
# cross-lingual transfer, the annotator agreement, the learning curve, and the results table.
# Every experiments/*.yaml runs here or in results-transformers, or says in its first lines
# why not (tests/test_configs.py checks).
results: train
	$(BIN)/python -m armstance.train experiment=majority
	$(BIN)/python -m armstance.train experiment=tfidf_logreg
	$(BIN)/python -m armstance.train experiment=tfidf_logreg_calibrated
	$(BIN)/python -m armstance.train experiment=e5_logreg
	$(BIN)/python -m armstance.train experiment=e5_mention_logreg
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg_news_only
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg_equal_weights
	$(BIN)/python -m armstance.train experiment=tfidf_mention_stack
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg_decisions
	$(BIN)/python -m armstance.train experiment=tfidf_e5_avg
	$(BIN)/python -m armstance.train experiment=crossling_de_to_en
	$(BIN)/python -m armstance.train experiment=crossling_en_to_de
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg_de_to_en
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg_en_to_de
	$(BIN)/python -m armstance.train experiment=tfidf_mention_avg
	$(BIN)/python -m armstance.train experiment=tfidf_mention_filter
	$(BIN)/python -m armstance.train experiment=tfidf_mention_speaker
	$(BIN)/python -m armstance.train experiment=tfidf_mention_statements
	$(BIN)/python -m armstance.train experiment=tfidf_mention_following
	$(BIN)/python -m armstance.train experiment=tfidf_mention_queries
	$(BIN)/armstance agreement split:train,dev split:second_annotator --log \
		--collections tagesschau,guardian,nyt
	$(BIN)/armstance agreement split:train,dev split:second_annotator --log \
		--collections bundestag,whitehouse
	$(BIN)/armstance agreement split:train,dev split:second_annotator --log \
		--collections kremlin,ukpresident,congress
	$(BIN)/python -m armstance.learning_curve
	$(BIN)/armstance compare --markdown

# The transformer rows, CPU settings (about 2 h 15 min on 2 cores): sentiment on NewsMTSC
# (2 min), then MiniLM from its base weights and with the sentiment model from that NewsMTSC
# run (5.5 min each), e5's top two layers fine-tuned on the units (23 min), then e5's top
# layers fine-tuned at the mention (95 min).
results-transformers: $(STAMP)
	$(BIN)/python -m armstance.newsmtsc model.max_train_samples=2000 model.epochs=1 \
		model.max_length=128
	$(BIN)/python -m armstance.train experiment=minilm
	$(BIN)/python -m armstance.train experiment=minilm_newsmtsc_init
	$(BIN)/python -m armstance.train experiment=e5_finetune
	$(BIN)/python -m armstance.train experiment=mention_finetune
	$(BIN)/armstance compare --markdown

# How much the speeches and briefings help on the news: the champion cross-validated with
# growing shares of each added (about 6 minutes on 2 cores), then the results table.
learning-curve: $(STAMP)
	$(BIN)/python -m armstance.learning_curve
	$(BIN)/armstance compare --markdown

# The per-file entries of data/sources.yaml for the mirror's bundestag/, whitehouse/ and
# kremlin_ua/ folders, and the per-record (line) entries of congress/, from their
# manifest.jsonl (ARMSTANCE_DATA_MIRROR names the mirror).
catalog: $(STAMP)
	$(BIN)/armstance data catalog bundestag --licence "official parliamentary records; \
	public speeches in parliament may be reproduced (§ 48 UrhG); research use"
	$(BIN)/armstance data catalog whitehouse --licence "US federal works, public domain \
	(17 U.S.C. § 105); repository CC0 1.0"
	$(BIN)/armstance data catalog kremlin_ua --licence "CC BY 4.0 (en.kremlin.ru, \
	president.gov.ua); attribute the source URL of each release"
	$(BIN)/armstance data catalog congress --licence "official statements of members of \
	Congress, US federal works (17 U.S.C. § 105); repository code MIT"

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not infra"

# The quick tier while working: every test but the slow ones (jobs, real fits, real
# weights) and those against services.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not infra"

# The tests marked `infra`, against real services: scripts/services/run.sh installs the Debian
# packages they need if missing, starts them (each from scripts/services/NAME.sh, in this
# order), runs the tests and stops the services again, also when a test fails. Needs root.
# Another service: its script beside the others and its name here. Label Studio runs from
# its own environment (labelstudio-env), started by its test. Spark runs in local mode inside
# its test; spark.sh only installs the Java runtime and gives it a scratch folder.
INFRA_SERVICES := postgres mlflow slurm spark
test-infra: $(STAMP) labelstudio-env
	PATH="$(abspath $(BIN)):$$PATH" scripts/services/run.sh $(INFRA_SERVICES) -- \
		$(BIN)/python -m pytest -q -m infra

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks docs && $(BIN)/ruff format --check src tests benchmarks docs

ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlruns.db \
		--default-artifact-root $(CURDIR)/mlartifacts --host 127.0.0.1 --port 5000

# The corpus-analysis demo (scripts/demo.py): the model over the statement collections (White
# House, Kremlin, Ukrainian presidency, Congress by quarter; Bundestag speeches by session and
# party), `armstance analyze`, figures and a summary in docs/demo/. A quick check:
# `make demo DEMO_ARGS="--limit 40 --model runs:/<run id>/model"`; Spark: `--engine spark`.
DEMO_ARGS ?=
demo: $(STAMP)
	$(BIN)/python scripts/demo.py $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/train_default.py
	$(BIN)/python benchmarks/predict_speed.py
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/batch_predict.py

# docs/labelstudio_labelling.png: the labelling page with the champion's pre-annotations,
# through Debian's chromium (apt-get install chromium) driven by a pinned playwright-core.
docs/screenshot/node_modules: docs/screenshot/package-lock.json
	npm ci --prefix docs/screenshot --silent
	touch $@

docs-screenshot: $(STAMP) $(LS_STAMP) docs/screenshot/node_modules
	$(BIN)/python docs/screenshot/labelling_page.py docs/labelstudio_labelling.png

# docs/mlflow_compare.png: the MLflow UI's runs table of experiment `armstance`, best CV e2e
# F_avg first, with the columns a user compares, from the store STORE (a tracking URI or an
# mlruns.db path; default the project's). Take it after `make results`.
STORE ?= $(CURDIR)/mlruns.db
docs-mlflow-screenshot: $(STAMP) docs/screenshot/node_modules
	$(BIN)/python docs/screenshot/mlflow_compare.py --store $(STORE) docs/mlflow_compare.png
