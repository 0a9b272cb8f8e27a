#!/usr/bin/env python3
"""WordNet sense retrieval with sentence-transformers: the reference for `triplet text demo`.

Reads the task `triplet text demo` wrote (OUT/train.tsv: anchor, positive, negative; OUT/test.jsonl: one
query with the definitions of its word's senses), measures sense accuracy@1 of MODEL before fine-tuning,
fine-tunes it with MultipleNegativesRankingLoss (scale 20, in-batch and hard negatives) for one epoch
with the same batch size, learning rate and warm-up share, and measures again. Prints one JSON line (with
the sentences encoded per second while measuring the accuracy before fine-tuning).

Needs: pip install "torch==2.13.0+cpu" "sentence-transformers==6.2.0" "accelerate>=1.1.0" datasets
Run:   python3 Benchmarks/reference/wordnet_st.py MODEL OUT [--batch-size 32] [--lr 2e-5] [--warmup 0.1]
"""

import argparse
import json
import os
import time

import numpy as np
import torch
from sentence_transformers import InputExample, SentenceTransformer, losses
from torch.utils.data import DataLoader


def accuracy(model, queries):
    """Sense accuracy@1, and the sentences encoded per second while measuring it."""
    definitions = sorted({d for q in queries for d in q["definitions"]})
    position = {d: i for i, d in enumerate(definitions)}
    start = time.perf_counter()
    e = model.encode([q["example"] for q in queries], batch_size=32, normalize_embeddings=True)
    g = model.encode(definitions, batch_size=32, normalize_embeddings=True)
    rate = (len(queries) + len(definitions)) / (time.perf_counter() - start)
    right = 0
    for i, q in enumerate(queries):
        scores = [float(np.dot(e[i], g[position[d]])) for d in q["definitions"]]
        right += int(np.argmax(scores) == q["answer"])
    return right / len(queries), rate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("task")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(os.path.join(args.task, "train.tsv"), encoding="utf-8") as f:
        triplets = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    with open(os.path.join(args.task, "test.jsonl"), encoding="utf-8") as f:
        queries = [json.loads(line) for line in f if line.strip()]
    model = SentenceTransformer(args.model, device="cpu")
    before, encoding = accuracy(model, queries)
    loader = DataLoader([InputExample(texts=t) for t in triplets], shuffle=True, batch_size=args.batch_size,
                        drop_last=True)
    steps = len(loader)
    start = time.perf_counter()
    model.fit(train_objectives=[(loader, losses.MultipleNegativesRankingLoss(model))], epochs=1,
              warmup_steps=int(args.warmup * steps), optimizer_params={"lr": args.lr}, show_progress_bar=False)
    seconds = time.perf_counter() - start
    after, _ = accuracy(model, queries)
    print(json.dumps({"impl": "sentence-transformers", "training_triplets": steps * args.batch_size,
                      "test_examples": len(queries), "before": before, "after": after,
                      "training_seconds": seconds, "triplets_per_second": steps * args.batch_size / seconds,
                      "encoding_sentences_per_second": encoding}))


if __name__ == "__main__":
    main()
