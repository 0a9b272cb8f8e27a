#!/usr/bin/env python3
"""Side-by-side Markdown table of TripletKit and PyTorch + PML training runs.

Usage: python3 Benchmarks/compare_train.py tripletkit.jsonl pytorch.jsonl

Each file holds JSON lines with the keys impl, model, miner, epochs, threads, images_per_s, p_at_1 and
map_at_r (the final line of `triplet train --json` and of Benchmarks/reference/fmnist_train.py --json).
Rows are matched on (model, miner, epochs, threads).
"""

import json
import sys

KEY = ("model", "miner", "epochs", "threads")


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                rows[tuple(r.get(k) for k in KEY)] = r
    return rows


def num(r, key, fmt):
    return "—" if r is None or r.get(key) is None else fmt.format(r[key])


def main():
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    print("| model | miner | epochs | TripletKit img/s | PyTorch img/s | speed-up | TripletKit P@1 | PyTorch P@1 "
          "| TripletKit MAP@R | PyTorch MAP@R |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        ratio = "n/a" if a is None or b is None else f"{a['images_per_s'] / b['images_per_s']:.1f}×"
        print(f"| {key[0]} | {key[1]} | {key[2]} | {num(a, 'images_per_s', '{:,.0f}')} | "
              f"{num(b, 'images_per_s', '{:,.0f}')} | {ratio} | {num(a, 'p_at_1', '{:.4f}')} | "
              f"{num(b, 'p_at_1', '{:.4f}')} | {num(a, 'map_at_r', '{:.4f}')} | {num(b, 'map_at_r', '{:.4f}')} |")


if __name__ == "__main__":
    main()
