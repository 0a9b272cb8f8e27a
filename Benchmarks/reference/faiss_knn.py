#!/usr/bin/env python3
"""Reference: exact k-NN with faiss-cpu's IndexFlatL2 on random data, timed like `triplet bench knn`.

Needs: pip install faiss-cpu numpy
Run:   python3 Benchmarks/reference/faiss_knn.py --queries 10000 --references 60000 --dim 64 -k 10 --threads 2 --json
"""

import argparse
import json
import time

import faiss
import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--queries", type=int, default=10000)
    p.add_argument("--references", type=int, default=60000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    faiss.omp_set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    q = rng.standard_normal((a.queries, a.dim), dtype=np.float32)
    r = rng.standard_normal((a.references, a.dim), dtype=np.float32)
    index = faiss.IndexFlatL2(a.dim)
    index.add(r)
    index.search(q, a.k)  # warm-up
    times = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        index.search(q, a.k)
        times.append((time.perf_counter() - t) * 1e3)
    median = sorted(times)[len(times) // 2]
    if a.json:
        print(json.dumps({"impl": "faiss", "queries": a.queries, "references": a.references, "dim": a.dim, "k": a.k,
                          "threads": a.threads, "median_ms": median}))
    else:
        print(f"faiss IndexFlatL2: {a.queries} queries x {a.references} references, D={a.dim}, k={a.k}, "
              f"{a.threads} threads: median {median:.1f} ms")


if __name__ == "__main__":
    main()
