#!/usr/bin/env bash
# Mining beyond the batch, side by side (make bench-mining): the ConvNet on Fashion-MNIST with semihard
# triplets, 2 threads, seed 0, P×K = 4 classes × 32 (so that the choice of classes matters), trained three
# ways: plain P×K batches, cross-batch memory of the last M embeddings (--memory-size), and hard-class
# sampling (--sampler hard-classes). Prints a Markdown table of P@1, MAP@R and images/s (the hard-class
# re-embedding counted in the epoch time); the runs stay in $OUT.
set -euo pipefail
BIN=${BIN:-.build/release/triplet}
OUT=${OUT:-runs/mining}
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
MEMORY=${MEMORY:-4096}
mkdir -p "$OUT"

run() { # name, then extra flags
  local name=$1; shift
  "$BIN" train --model convnet --loss triplet-margin --miner semihard --margin 0.2 --epochs "$EPOCHS" \
    --batch-size 128 --samples-per-class 32 --seed 0 --threads "$THREADS" --no-report --json \
    --out "$OUT/$name" "$@" 2> "$OUT/$name.log" | tail -1 > "$OUT/$name.json"
}

run pk
run memory --memory-size "$MEMORY"
run hard-classes --sampler hard-classes

echo "| batches | P@1 | MAP@R | images/s |"
echo "|---|---|---|---|"
for name in pk memory hard-classes; do
  python3 - "$OUT/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
label = {"pk": "P×K semihard", "memory": "+ cross-batch memory", "hard-classes": "+ hard-class sampling"}[sys.argv[2]]
print(f"| {label} | {r['p_at_1']:.4f} | {r['map_at_r']:.4f} | {r['images_per_s']:.0f} |")
PY
done
