# TripletKit — `make demo` and `make test` do all set-up on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
THREADS ?= 2
BIN := .build/release/triplet
BENCH_OUT := bench-out

.PHONY: deps build demo test bench bench-swift bench-pml lint format

# System packages, installed only when missing.
PACKAGES := libopenblas-dev zlib1g-dev dataset-fashion-mnist
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product triplet

# Until the trainer lands, the main job is the loss benchmark.
demo: build
	@for cfg in "256 64 semihard" "1024 256 semihard" "1024 10 semihard" "1024 10 all" "1024 10 batch-hard" "4096 10 semihard"; do \
	  set -- $$cfg; $(BIN) bench losses --batch-size $$1 --classes $$2 --miner $$3 --threads $(THREADS) --repeats 3; \
	done

test: deps
	$(SWIFT) test

# TripletKit and PML on the same sizes, same machine, same threads: a Markdown table with the ratio.
BENCH_MATRIX := 256:64 256:10 1024:256 1024:10 4096:1024 4096:10
BENCH_MINERS := semihard batch-hard all
bench: bench-swift bench-pml
	@python3 Benchmarks/compare.py $(BENCH_OUT)/tripletkit.jsonl $(BENCH_OUT)/pml.jsonl

bench-swift: build
	@mkdir -p $(BENCH_OUT) && : > $(BENCH_OUT)/tripletkit.jsonl
	@for bc in $(BENCH_MATRIX); do for m in $(BENCH_MINERS); do \
	  $(BIN) bench losses --batch-size $${bc%:*} --classes $${bc#*:} --miner $$m --threads $(THREADS) --repeats 5 --json \
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

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift
