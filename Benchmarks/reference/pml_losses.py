#!/usr/bin/env python3
"""Reference benchmark: one metric-learning training step in pytorch-metric-learning (PML).

Measures, for a batch of B random float32 embeddings of dimension D with labels
`i % C` (shuffled), the median wall time of one step

    emb.grad = None; idx = miner(emb, labels); loss = loss_fn(emb, labels, idx); loss.backward()

over --repeats timed runs (after --warmup untimed ones), plus the process's peak
resident memory, the loss value and the number of mined triplets. TripletKit's
Swift benchmark runs the same step with the same semantics, and
Benchmarks/compare.py puts both sides' JSON lines into one table.

Needs: pip install "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0

Run:
    python3 Benchmarks/reference/pml_losses.py --batch-size 1024 --classes 256 \
        --miner semihard --loss triplet-margin --threads 2 --repeats 5 --json

Triplet miners other than batch-hard materialise every valid (anchor, positive,
negative) triplet; when the estimated memory for that exceeds --max-gib the run is
skipped and an error line is printed instead.
"""

import argparse
import json
import os
import resource
import sys
import time

MINERS = ["all", "hard", "semihard", "easy", "batch-hard"]
LOSSES = ["triplet-margin", "contrastive", "ntxent"]
INT32_MAX = 2**31 - 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--classes", type=int, required=True, help="labels are i %% C, shuffled")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--miner", choices=MINERS, default="all",
                   help="only used with --loss triplet-margin")
    p.add_argument("--loss", choices=LOSSES, default="triplet-margin")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--max-gib", type=float, default=16.0,
                   help="skip triplet mining whose estimated index memory exceeds this")
    p.add_argument("--json", action="store_true", help="print exactly one JSON line")
    p.add_argument("--memory-size", type=int, default=0,
                   help="wrap the loss (and miner) in CrossBatchMemory of this many rows, filled with random "
                        "batches first; each timed step enqueues its batch")
    return p.parse_args(argv)


def count_valid_triplets(labels):
    """Sum over anchors of (#positives excluding itself) * (#negatives)."""
    import numpy as np
    _, counts = np.unique(labels, return_counts=True)
    b = len(labels)
    return int(sum(int(c) * (int(c) - 1) * (b - int(c)) for c in counts))


def estimate_mining_bytes(batch_size, triplets):
    """Conservative peak bytes of a TripletMarginMiner + TripletMarginLoss step in PML 2.9.0.

    get_all_triplets_indices takes one of two paths:
    - B**3 < INT32_MAX (B <= 1290): a uint8 [B, B, B] product of the match/diff
      masks, then torch.where -> one int64 [T, 3] nonzero result (24 B/triplet);
      the cube is freed on return.
    - otherwise a Python loop over anchors builds int64 a/p/n pieces (24 B/triplet)
      and torch.cat copies them (another 24 B/triplet).
    The miner then gathers ap/an distances and their difference (3 x float32) plus
    bool masks, and the loss repeats that for the mined triplets, with relu, the
    non-zero filter and backward temporaries on top of 24 B/triplet of mined indices.
    Measured (peak RSS - baseline) / valid triplets with miner "all", where nearly
    every triplet is mined: ~66 B (B=1024, C=10) and ~70 B (B=4096, C=1024); so 72.
    """
    per_triplet = 72 * triplets
    if batch_size ** 3 < INT32_MAX:
        return max(batch_size ** 3 + 24 * triplets, per_triplet)
    return per_triplet


def peak_rss_mib():
    # ru_maxrss is KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024.0 * 1024.0) if sys.platform == "darwin" else rss / 1024.0


def human_count(n):
    for div, unit in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return str(n)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        # Set before torch is imported so OpenMP/MKL pools start at this size.
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)

    B, C = args.batch_size, args.classes
    miner_name = args.miner if args.loss == "triplet-margin" else None
    result = {
        "impl": "pml", "batch_size": B, "dim": args.dim, "classes": C,
        "miner": miner_name or "none", "loss": args.loss, "threads": args.threads,
        "repeats": args.repeats, "memory_size": args.memory_size, "median_ms": None, "peak_rss_mib": None,
        "loss_value": None, "triplets": None,
    }

    def emit(res):
        if args.json:
            print(json.dumps(res), flush=True)
        elif res.get("error"):
            print(f"pml B={B} D={args.dim} C={C} miner={res['miner']} loss={args.loss}: "
                  f"ERROR {res['error']}", flush=True)
        else:
            print(f"pml B={B} D={args.dim} C={C} miner={res['miner']} loss={args.loss} "
                  f"threads={res['threads']}: median {res['median_ms']:.3f} ms over "
                  f"{args.repeats}, peak RSS {res['peak_rss_mib']:.1f} MiB, "
                  f"loss {res['loss_value']:.6f}, triplets {res['triplets']}", flush=True)

    import numpy as np
    rng = np.random.default_rng(args.seed)
    labels_np = rng.permutation(np.arange(B, dtype=np.int64) % C)
    emb_np = rng.standard_normal((B, args.dim), dtype=np.float32)

    if miner_name in ("all", "hard", "semihard", "easy") and not args.memory_size:
        t = count_valid_triplets(labels_np)
        need = estimate_mining_bytes(B, t)
        if need > args.max_gib * 2**30:
            result["error"] = (f"{human_count(t)} triplets, ~{need / 2**30:.0f} GiB of "
                               f"index tensors, over --max-gib {args.max_gib:g}")
            emit(result)
            return 0

    import torch
    from pytorch_metric_learning import losses, miners

    if args.threads:
        torch.set_num_threads(args.threads)
        try:
            torch.set_num_interop_threads(args.threads)
        except RuntimeError:
            pass  # only settable once, before any inter-op work
    result["threads"] = torch.get_num_threads()

    labels = torch.from_numpy(labels_np)
    emb = torch.from_numpy(emb_np).requires_grad_(True)

    miner = None
    if args.loss == "triplet-margin":
        loss_fn = losses.TripletMarginLoss(margin=0.2)
        if miner_name == "batch-hard":
            miner = miners.BatchHardMiner()
        else:
            miner = miners.TripletMarginMiner(margin=0.2, type_of_triplets=miner_name)
    elif args.loss == "contrastive":
        loss_fn = losses.ContrastiveLoss(pos_margin=0, neg_margin=1)
    else:
        loss_fn = losses.NTXentLoss(temperature=0.07)

    if args.memory_size:
        memory = losses.CrossBatchMemory(loss_fn, args.dim, memory_size=args.memory_size, miner=miner)
        for _ in range(-(-args.memory_size // B)):
            memory(torch.from_numpy(rng.standard_normal((B, args.dim), dtype=np.float32)), labels)
        loss_fn, miner = (lambda e, l, _idx: memory(e, l)), None

    def step():
        emb.grad = None
        t0 = time.perf_counter()
        idx = miner(emb, labels) if miner is not None else None
        loss = loss_fn(emb, labels, idx)
        loss.backward()
        t1 = time.perf_counter()
        return (t1 - t0) * 1000.0, loss.item(), (len(idx[0]) if idx is not None else None)

    try:
        for _ in range(args.warmup):
            step()
        times = []
        for _ in range(args.repeats):
            ms, loss_value, n_trip = step()
            times.append(ms)
    except (RuntimeError, MemoryError) as e:
        result["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
        result["peak_rss_mib"] = round(peak_rss_mib(), 1)
        emit(result)
        return 1

    result["median_ms"] = round(float(np.median(times)), 3)
    result["peak_rss_mib"] = round(peak_rss_mib(), 1)
    result["loss_value"] = loss_value
    result["triplets"] = n_trip
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
