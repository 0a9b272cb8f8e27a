#!/usr/bin/env python3
"""Side-by-side Markdown table of `triplet text demo` and Benchmarks/reference/wordnet_st.py on one task.

Usage: python3 Benchmarks/compare_text.py OUT/results.json OUT/sentence-transformers.json

The first file is the demo's results.json, the second the reference script's JSON line.
"""

import json
import sys


def main():
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        theirs = json.loads([line for line in f if line.startswith("{")][-1])
    rows = [
        ("TripletKit", ours["before"], ours["after"], ours["training_seconds"], ours["triplets_per_second"],
         ours["encoding_sentences_per_second"]),
        ("sentence-transformers", theirs["before"], theirs["after"], theirs["training_seconds"],
         theirs["triplets_per_second"], theirs["encoding_sentences_per_second"]),
    ]
    print("| | zero-shot | after fine-tuning | training s | training triplets/s | encoding sentences/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, before, after, seconds, triplets, sentences in rows:
        print(f"| {name} | {before:.4f} | {after:.4f} | {seconds:,.0f} | {triplets:.1f} | {sentences:,.0f} |")
    print(f"| TripletKit ÷ sentence-transformers | | {rows[0][2] - rows[1][2]:+.4f} | | "
          f"{rows[0][4] / rows[1][4]:.2f}× | {rows[0][5] / rows[1][5]:.2f}× |")
    print(f"\n{ours['training_triplets']} training triplets, {ours['test_examples']} test examples; "
          f"random {ours['random']:.3f}, first sense {ours['first_sense']:.3f}")


if __name__ == "__main__":
    main()
