#!/usr/bin/env bash
# The family's learners side by side (make bench-learners): Fashion-MNIST's pixels reduced to 64 PCA
# dimensions (Benchmarks/reference/fmnist_pca.py, fitted on the training split), every learner trained on
# the 60 000 training rows with seed 0 and scored on the 10 000 test rows by `triplet evaluate`: P@1, MAP@R,
# and NDCG@10 / graded MAP with the coarse groups tops (0 2 4 6), shoes (5 7 9) and other (1 3 8).
# Prints a Markdown table; the runs stay in $OUT.
set -euo pipefail
BIN=${BIN:-.build/release/triplet}
OUT=${OUT:-runs/learners}
EPOCHS=${EPOCHS:-20}
THREADS=${THREADS:-2}
COARSE=0,2,4,6:5,7,9:1,3,8
DATA=$OUT/data
mkdir -p "$OUT"
[ -f "$DATA/test_y.npy" ] || python3 Benchmarks/reference/fmnist_pca.py "$DATA"
TRAIN=(--features "$DATA/train_x.npy" --feature-labels "$DATA/train_y.npy")
TEST=(--features "$DATA/test_x.npy" --feature-labels "$DATA/test_y.npy")

network() { # name, then train flags: the MLP (64-256-64, L2) with Adam 1e-3 on a cosine schedule
  local name=$1; shift
  "$BIN" train "${TRAIN[@]}" --eval-features "$DATA/test_x.npy" --eval-feature-labels "$DATA/test_y.npy" \
    --model mlp --epochs "$EPOCHS" --schedule cosine --seed 0 --threads "$THREADS" --no-report \
    --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
}
linear() { # name, then fit-linear flags
  local name=$1; shift
  "$BIN" fit-linear "${TRAIN[@]}" --seed 0 --out "$OUT/$name" "$@" > "$OUT/$name.log" 2>&1
}

network triplet-semihard --loss triplet-margin --miner semihard
network triplet-ce --loss triplet-margin+ce --miner semihard --ce-weight 1
network hoffer-ailon --loss triplet-network --miner semihard
network ladder --loss ladder --coarse-groups "$COARSE"
linear oasis --learner oasis --c 0.1 --comparisons 100000
linear sj-diagonal --learner relative-comparisons --c 0.1 --comparisons 100000
linear sj-full --learner relative-comparisons-full --c 0.1 --comparisons 100000

"$BIN" evaluate --embeddings "$DATA/test_x.npy" --labels "$DATA/test_y.npy" --coarse-groups "$COARSE" \
  --threads "$THREADS" --out "$OUT/identity.json" > /dev/null
for name in triplet-semihard triplet-ce hoffer-ailon ladder oasis sj-diagonal sj-full; do
  "$BIN" evaluate --model "$OUT/$name" "${TEST[@]}" --coarse-groups "$COARSE" --threads "$THREADS" > /dev/null
done

python3 - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
rows = [("identity (PCA-64, Euclidean)", "identity.json", None),
        ("triplet, semihard", "triplet-semihard", "net"), ("triplet + cross-entropy", "triplet-ce", "net"),
        ("Hoffer–Ailon triplet network", "hoffer-ailon", "net"), ("ladder (3 levels)", "ladder", "net"),
        ("OASIS", "oasis", "linear"), ("Schultz–Joachims, diagonal", "sj-diagonal", "linear"),
        ("Schultz–Joachims, full L", "sj-full", "linear")]
print("| learner | P@1 | MAP@R | NDCG@10 | graded MAP | training s |")
print("|---|---:|---:|---:|---:|---:|")
for label, name, kind in rows:
    path = os.path.join(out, name if kind is None else f"{name}/evaluation.json")
    e = json.load(open(path))
    if kind == "net":
        seconds = sum(m["seconds"] for m in json.load(open(os.path.join(out, name, "metrics.json"))))
    elif kind == "linear":
        seconds = json.load(open(os.path.join(out, name, "model.json")))["linear"]["seconds"]
    r, g = e["retrieval"], e["graded"]
    time = "—" if kind is None else f"{seconds:.1f}"
    print(f"| {label} | {r['precision_at_1']:.4f} | {r['mean_average_precision_at_r']:.4f} | "
          f"{g['ndcg_at_k']:.4f} | {g['graded_map']:.4f} | {time} |")
EOF
