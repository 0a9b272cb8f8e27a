"""Relative comparisons on scikit-learn's digits: TripletKit (Schultz-Joachims, OASIS) against metric-learn
0.7.0 (SCML on triplets, LSML on quadruplets), same comparisons, same machine, one run.

Digits: pixels / 16; 1 200 training and 597 held-out samples (seeded permutation); comparisons drawn from
the labels with a fixed seed (anchor, same-class positive, other-class negative): 100 000 among the
training samples, 5 000 among the held-out ones. Reported: the fraction of held-out comparisons ordered
correctly (d(a, p) < d(a, n), or S(a, p) > S(a, n) for OASIS) and the training time.

    python3 -m venv /work/venv-ml && /work/venv-ml/bin/pip install metric-learn==0.7.0 "scikit-learn<1.6"
    swift build -c release --product triplet
    .venv-ml/bin/python Benchmarks/reference/relative_comparisons_bench.py [--triplet .build/release/triplet]
"""
import argparse
import json
import pathlib
import subprocess
import tempfile
import time

import numpy as np
from sklearn.datasets import load_digits


def draw(labels, count, rng):
    out = np.empty((count, 3), dtype=np.int64)
    classes = {c: np.flatnonzero(labels == c) for c in np.unique(labels)}
    others = {c: np.flatnonzero(labels != c) for c in classes}
    for t in range(count):
        a = int(rng.integers(len(labels)))
        same = classes[labels[a]]
        p = a
        while p == a:
            p = int(rng.choice(same))
        out[t] = (a, p, int(rng.choice(others[labels[a]])))
    return out


def accuracy(L, x, comparisons):
    e = x @ L.T
    a, p, n = e[comparisons[:, 0]], e[comparisons[:, 1]], e[comparisons[:, 2]]
    return float(np.mean(((a - n) ** 2).sum(1) > ((a - p) ** 2).sum(1)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--triplet", default=".build/release/triplet")
    parser.add_argument("--c", default="0.01,0.1,1", help="Schultz-Joachims C values")
    parser.add_argument("--skip-metric-learn", action="store_true")
    args = parser.parse_args()

    digits = load_digits()
    x, y = digits.data / 16.0, digits.target
    order = np.random.default_rng(0).permutation(len(y))
    train, held = order[:1200], order[1200:]
    xt, yt, xh, yh = x[train], y[train], x[held], y[held]
    rng = np.random.default_rng(2003)
    cmp_train, cmp_held = draw(yt, 100_000, rng), draw(yh, 5_000, rng)
    rows = [{"method": "identity (Euclidean)", "accuracy": accuracy(np.eye(64), xh, cmp_held), "seconds": 0.0}]

    if not args.skip_metric_learn:
        import metric_learn

        start = time.perf_counter()
        scml = metric_learn.SCML(preprocessor=xt, random_state=42).fit(cmp_train)
        rows.append({"method": "metric-learn 0.7.0 SCML (triplets)", "seconds": time.perf_counter() - start,
                     "accuracy": accuracy(scml.components_, xh, cmp_held)})
        quads = cmp_train[:, [0, 1, 0, 2]]
        start = time.perf_counter()
        lsml = metric_learn.LSML(preprocessor=xt, random_state=42).fit(quads)
        rows.append({"method": "metric-learn 0.7.0 LSML (quadruplets a,p,a,n)", "seconds": time.perf_counter() - start,
                     "accuracy": accuracy(lsml.components_, xh, cmp_held)})

    with tempfile.TemporaryDirectory() as folder:
        f = pathlib.Path(folder)
        np.save(f / "train_x.npy", xt.astype(np.float32))
        np.save(f / "held_x.npy", xh.astype(np.float32))
        np.save(f / "held_y.npy", yh.astype(np.int64))
        np.save(f / "train_cmp.npy", cmp_train)
        np.save(f / "held_cmp.npy", cmp_held)
        out = subprocess.run(
            [args.triplet, "bench", "linear", "--train", str(f / "train_x.npy"), "--comparisons",
             str(f / "train_cmp.npy"), "--held-out", str(f / "held_x.npy"), "--held-out-labels",
             str(f / "held_y.npy"), "--held-out-comparisons", str(f / "held_cmp.npy"), "--c", args.c],
            check=True, capture_output=True, text=True).stdout
    rows += [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    print(f"{'method':58s} {'held-out acc':>12s} {'train s':>9s}")
    for r in rows:
        extra = {k: v for k, v in r.items() if k not in ("method", "accuracy", "seconds")}
        print(f"{r['method']:58s} {r['accuracy']:12.4f} {r['seconds']:9.3f}  {extra if extra else ''}")


if __name__ == "__main__":
    main()
