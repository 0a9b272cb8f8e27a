"""OASIS (Chechik et al. 2010) conformance cases for TripletKit, from the formula in numpy float64.

Writes Tests/TripletLossesTests/Conformance/cases-family/family_oasis_<name>.json in the format of
shared/conformance/SCHEMA.md ("The family's other learners"): features N×D, triplets in order, C, the
hinge of every step before its update, and W after all steps.

    python3 Benchmarks/reference/family_oasis.py

Independent of the Swift code: a plain loop over the formula. A violated step whose update V is zero
(zero query, or x+ = x-) gives tau = min(C, l / 0) = C and W + C * 0 = W: W is unchanged, the hinge
still recorded -- the same outcome as TripletKit's documented skip.
"""
import json
import pathlib

import numpy as np

FORMULA = (
    "Bilinear similarity S_W(x, y) = x\u1d40 W y, W (D\u00d7D) starts as the identity. For each triplet "
    "(i, j, k) in the given order, with x = features[i], x+ = features[j], x\u2212 = features[k]: "
    "l = max(0, 1 \u2212 S_W(x, x+) + S_W(x, x\u2212)); when l > 0: V = x (x+ \u2212 x\u2212)\u1d40, "
    "\u03c4 = min(C, l / \u2016V\u2016\u00b2_F), W \u2190 W + \u03c4 V. Results: the hinge values l of every "
    "step (before its update) and the final W."
)
OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/TripletLossesTests/Conformance/cases-family"


def oasis(features, triplets, C):
    x = np.asarray(features, dtype=np.float64)
    W = np.eye(x.shape[1])
    hinges = []
    for i, j, k in triplets:
        q, pos, neg = x[i], x[j], x[k]
        l = max(0.0, 1.0 - q @ W @ pos + q @ W @ neg)
        hinges.append(l)
        if l > 0:
            V = np.outer(q, pos - neg)
            norm = np.sum(V * V)
            tau = C if norm == 0 else min(C, l / norm)
            W = W + tau * V
    return hinges, W


def write(name, features, triplets, C, note):
    features = np.round(np.asarray(features, dtype=np.float64), 4)
    hinges, W = oasis(features, triplets, C)
    record = {
        "name": f"family_oasis_{name}", "family": "OASIS (Chechik et al. 2010)", "formula": FORMULA,
        "features": features.tolist(), "triplets": [list(map(int, t)) for t in triplets], "C": C,
        "hinge": hinges, "W": W.tolist(),
    }
    case = {"case": {"id": f"family_oasis_{name}", "note": note}, "records": [record]}
    (OUT / f"family_oasis_{name}.json").write_text(json.dumps(case))
    print(f"family_oasis_{name}: {len(triplets)} steps, {sum(h > 0 for h in hinges)} violated")


def labelled_triplets(rng, labels, count):
    out = []
    for _ in range(count):
        i = int(rng.integers(len(labels)))
        same = [j for j in range(len(labels)) if labels[j] == labels[i] and j != i]
        other = [k for k in range(len(labels)) if labels[k] != labels[i]]
        out.append((i, int(rng.choice(same)), int(rng.choice(other))))
    return out


def main():
    rng = np.random.default_rng(14)
    labels = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    x = rng.normal(size=(12, 6)) * 0.6
    t = labelled_triplets(rng, labels, 40)
    write("tiny_c", x, t, 1e-4, "C = 1e-4: every violated step takes tau = C (numpy float64, family_oasis.py)")
    write("huge_c", x, t, 1e6, "C = 1e6: every violated step takes tau = l / |V|^2 (family_oasis.py)")

    z = rng.normal(size=(6, 4)) * 0.5
    z[0] = 0  # a zero query: l = 1, V = 0
    z[5] = z[4]  # x+ = x-: l = 1, V = 0
    steps = [(1, 2, 3), (0, 1, 2), (2, 4, 5), (3, 1, 0), (1, 3, 2), (0, 4, 5), (2, 1, 3)]
    write("zero_norm", z, steps, 0.5, "zero-norm updates (zero query; x+ = x-): W unchanged (family_oasis.py)")

    # All hinges zero: the anchor is its positive (x^T x >= 1 + x^T x-) and negatives orthogonal to it.
    e = np.eye(5) * 1.5
    steps = [(0, 0, 1), (1, 1, 2), (2, 2, 3), (3, 3, 4), (4, 4, 0)]
    write("all_satisfied", e, steps, 0.1, "every comparison already holds with margin 1: W = I (family_oasis.py)")


if __name__ == "__main__":
    main()
