#!/usr/bin/env bash
# Data-parallel scaling (make bench-mpi): the demo recipe (ConvNet, semihard, P×K = 8×32 = 256, Fashion-MNIST)
# trained for one epoch of LIMIT samples in one process (THREADS threads) and as 2 and 4 MPI ranks (one thread
# each, --oversubscribe: on a 2-core machine this checks the mechanics, it cannot speed anything up), the loss's
# own time from `triplet bench losses`, then Benchmarks/mpi_scaling.py's table: bytes exchanged per step and the
# step time expected on N machines on 10 and 100 Gbit/s beside the step times measured here.
set -euo pipefail
BIN=${BIN:-.build/release/triplet}
OUT=${OUT:-bench-out/mpi}
LIMIT=${LIMIT:-5120}
THREADS=${THREADS:-2}
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
RECIPE=(train --dataset fashion-mnist --model convnet --loss triplet-margin --miner semihard --margin 0.2
  --batch-size 256 --samples-per-class 32 --epochs 1 --limit "$LIMIT" --seed 0 --no-report --json)
mkdir -p "$OUT"
: > "$OUT/steps.jsonl"
for ranks in 1 2 4; do
  if [ "$ranks" = 1 ]; then
    line=$("$BIN" "${RECIPE[@]}" --threads "$THREADS" --out "$OUT/ranks-1" 2>/dev/null | tail -1)
  else
    line=$("${MPIRUN[@]}" -np "$ranks" "$BIN" "${RECIPE[@]}" --threads 1 --out "$OUT/ranks-$ranks" 2>/dev/null | tail -1)
  fi
  echo "{\"ranks\": $ranks, \"run\": $line}" | tee -a "$OUT/steps.jsonl"
done
"$BIN" bench losses --batch-size 256 --dim 64 --classes 8 --miner semihard --threads "$THREADS" --repeats 9 --json \
  > "$OUT/loss.json"
python3 Benchmarks/mpi_scaling.py "$OUT"
