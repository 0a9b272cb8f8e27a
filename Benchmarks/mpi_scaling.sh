#!/usr/bin/env bash
# Data-parallel scaling (make bench-mpi): the demo recipe (ConvNet, semihard, P×K = 8×32 = 256, Fashion-MNIST)
# trained for one epoch of LIMIT samples in one process (THREADS threads, and 1) and as 2 and 4 MPI ranks of one
# thread each (--oversubscribe: on a 2-core machine this checks the mechanics and the model's compute term, it
# cannot speed anything up), the best of REPEATS runs each; the loss's own time from `triplet bench losses`; then
# Benchmarks/mpi_scaling.py's tables: bytes exchanged per step, the step time expected on N machines on 10 and
# 100 Gbit/s, and the step times measured here beside the model's.
set -euo pipefail
BIN=${BIN:-.build/release/triplet}
OUT=${OUT:-bench-out/mpi}
LIMIT=${LIMIT:-5120}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
RECIPE=(train --dataset fashion-mnist --model convnet --loss triplet-margin --miner semihard --margin 0.2
  --batch-size 256 --samples-per-class 32 --epochs 1 --limit "$LIMIT" --seed 0 --no-report --json)
mkdir -p "$OUT"
: > "$OUT/steps.jsonl"
for run in 1:"$THREADS" 1:1 2:1 4:1; do
  ranks=${run%:*} threads=${run#*:}
  for _ in $(seq "$REPEATS"); do
    if [ "$ranks" = 1 ]; then
      line=$("$BIN" "${RECIPE[@]}" --threads "$threads" --out "$OUT/ranks-1" 2>/dev/null | tail -1)
    else
      line=$("${MPIRUN[@]}" -np "$ranks" "$BIN" "${RECIPE[@]}" --threads "$threads" --out "$OUT/ranks-$ranks" \
        2>/dev/null | tail -1)
    fi
    echo "{\"ranks\": $ranks, \"run\": $line}" | tee -a "$OUT/steps.jsonl"
  done
done
: > "$OUT/loss.jsonl"
for threads in 1 "$THREADS"; do
  "$BIN" bench losses --batch-size 256 --dim 64 --classes 8 --miner semihard --threads "$threads" --repeats 9 \
    --json >> "$OUT/loss.jsonl"
done
python3 Benchmarks/mpi_scaling.py "$OUT"
