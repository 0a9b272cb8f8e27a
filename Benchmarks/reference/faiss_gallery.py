#!/usr/bin/env python3
"""Reference: gallery identification with faiss-cpu's IndexFlatL2, timed like `triplet bench gallery`.

The stored embeddings are random unit vectors spread evenly over the identities; identify asks faiss for
k × (most samples per identity) neighbours and keeps the first k distinct identities, as the gallery does.
Needs: pip install faiss-cpu numpy
Run:   python3 Benchmarks/reference/faiss_gallery.py --embeddings 100000 --dim 64 --identities 10000 --threads 2 --json
"""

import argparse
import json
import time

import faiss
import numpy as np


def unit(rng, n, dim):
    x = rng.standard_normal((n, dim), dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def identities_of(neighbours, owners, k):
    """The first k distinct owners of each row of neighbour indices (vectorised over rows)."""
    o = owners[neighbours]
    n, w = o.shape
    earlier = np.tril(np.ones((w, w), dtype=bool), -1)
    repeated = ((o[:, :, None] == o[:, None, :]) & earlier).any(axis=2)
    order = np.argsort(repeated, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(o, order, axis=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--embeddings", type=int, default=100_000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--identities", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=10_000)
    p.add_argument("--batch", type=int, default=1_000)
    p.add_argument("--single", type=int, default=200)
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    faiss.omp_set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    stored = unit(rng, a.embeddings, a.dim)
    owners = (np.arange(a.embeddings) * a.identities) // a.embeddings
    wanted = min(a.embeddings, a.k * int(np.bincount(owners).max()))
    index = faiss.IndexFlatL2(a.dim)
    index.add(stored)
    probes = unit(rng, max(a.single, a.queries), a.dim)

    identities_of(index.search(probes[:1], wanted)[1], owners, a.k)  # warm-up
    times = []
    for q in range(a.single):
        t = time.perf_counter()
        identities_of(index.search(probes[q:q + 1], wanted)[1], owners, a.k)
        times.append((time.perf_counter() - t) * 1e3)
    single = sorted(times)[len(times) // 2]

    t = time.perf_counter()
    for first in range(0, a.queries, a.batch):
        identities_of(index.search(probes[first:first + a.batch], wanted)[1], owners, a.k)
    qps = a.queries / (time.perf_counter() - t)

    if a.json:
        print(json.dumps({"impl": "faiss", "embeddings": a.embeddings, "dim": a.dim, "identities": a.identities,
                          "k": a.k, "threads": a.threads, "single_median_ms": single, "batch": a.batch,
                          "batch_qps": qps}))
    else:
        print(f"faiss IndexFlatL2 gallery of {a.embeddings} (D={a.dim}), k={a.k}, {a.threads} threads: "
              f"single query median {single:.3f} ms, batches of {a.batch}: {qps:.0f} queries/s")


if __name__ == "__main__":
    main()
