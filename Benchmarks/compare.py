#!/usr/bin/env python3
"""Side-by-side Markdown table of TripletKit and PML benchmark results.

Usage: python3 Benchmarks/compare.py tripletkit.jsonl pml.jsonl

Each file holds JSON lines with the keys impl, batch_size, dim, classes, miner,
loss, threads, median_ms, peak_rss_mib (and "error" when a run was skipped or
failed). Rows are matched on (batch_size, dim, classes, miner, loss, threads).
"""

import json
import sys

KEY = ("batch_size", "dim", "classes", "miner", "loss", "threads")


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                rows[tuple(r.get(k) for k in KEY)] = r
    return rows


def ms(r):
    if r is None:
        return "—"
    if r.get("error"):
        return r["error"]
    return "—" if r.get("median_ms") is None else f"{r['median_ms']:.2f}"


def mib(r):
    if r is None or r.get("error") or r.get("peak_rss_mib") is None:
        return "—"
    return f"{r['peak_rss_mib']:.0f}"


def speedup(tk, pml):
    ok = lambda r: r is not None and not r.get("error") and r.get("median_ms")
    return f"{pml['median_ms'] / tk['median_ms']:.1f}×" if ok(tk) and ok(pml) else "n/a"


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    tk, pml = load(argv[1]), load(argv[2])
    print("| B | D | labels | miner | loss | TripletKit ms | PML ms | speed-up | "
          "TripletKit MiB | PML MiB |")
    print("|---:|---:|---|---|---|---:|---:|---:|---:|---:|")
    order = ["semihard", "hard", "easy", "all", "batch-hard"]
    keys = sorted(set(tk) | set(pml), key=lambda k: (
        k[0], k[1], k[2] * 4 != k[0], k[2], order.index(k[3]) if k[3] in order else 9,
        str(k[3]), str(k[4]), str(k[5])))
    for k in keys:
        b, d, c, miner, loss, _ = k
        t, p = tk.get(k), pml.get(k)
        labels = "P×K, K=4" if c * 4 == b else f"{c} classes"
        print(f"| {b} | {d} | {labels} | {miner} | {loss} | {ms(t)} | {ms(p)} | "
              f"{speedup(t, p)} | {mib(t)} | {mib(p)} |")


if __name__ == "__main__":
    main(sys.argv)
