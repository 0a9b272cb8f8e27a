#!/usr/bin/env python3
"""Reference cases for the family's other losses (SCHEMA.md, "cases-family/"), from the formulas in
float64 with numpy, written independently of TripletKit (every term enumerated, no streaming).

    python3 Benchmarks/reference/family_losses.py [OUT_DIR]

OUT_DIR defaults to Tests/TripletLossesTests/Conformance/cases-family. Writes family_ladder_gen_*.json and
family_hoffer_ailon_gen_*.json; the inputs are rounded to 4 decimals first, and the values are computed
on the rounded inputs.
"""
import json
import os
import sys

import numpy as np

LADDER_FORMULA = (
    "Embeddings are L2-normalised (x / max(\u2016x\u2016, 1e-12)); s(i, j) = cosine similarity. relevance[i][j] "
    "is an integer level in 0..L-1 (the diagonal is ignored). For each anchor i and each level l = 1..L-1: "
    "positives P = {j \u2260 i : relevance[i][j] \u2265 l}, negatives N = {k \u2260 i : relevance[i][k] < l}; every "
    "(i, j, k) with j in P and k in N gives the term max(0, margins[l-1] \u2212 s(i, j) + s(i, k)). Level loss = "
    "mean of its non-zero terms (0 when none); loss = \u03a3_l weights[l-1] \u00b7 level loss. Gradient with respect "
    "to the raw embeddings (through the normalisation); a term at exactly 0 contributes no gradient."
)
HA_FORMULA = (
    "Raw embeddings, explicit triplets (a, p, n). d+ = \u2016e_a \u2212 e_p\u2016\u2082, d\u2212 = \u2016e_a \u2212 e_n\u2016\u2082; "
    "(q+, q\u2212) = softmax(d+, d\u2212) = (exp(d+), exp(d\u2212)) / (exp(d+) + exp(d\u2212)); per-triplet loss "
    "(q+ \u2212 0)\u00b2 + (q\u2212 \u2212 1)\u00b2 (= 2 q+\u00b2); loss = mean over the triplets. "
    "Where d = 0 the subgradient of the norm is 0 (PyTorch's convention)."
)


def normalize(x):
    norms = np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x / norms, norms


def ladder(x, rel, margins, weights):
    """Loss, gradient and active counts, every (i, j, k) term enumerated by broadcasting."""
    b = x.shape[0]
    xn, norms = normalize(x)
    s = xn @ xn.T
    off = ~np.eye(b, dtype=bool)
    loss = 0.0
    ds = np.zeros((b, b))
    active = []
    for l in range(1, len(margins) + 1):
        pos = (rel >= l) & off          # [i, j]
        neg = (rel < l) & off           # [i, k]
        mask = pos[:, :, None] & neg[:, None, :]
        terms = margins[l - 1] - s[:, :, None] + s[:, None, :]
        on = mask & (terms > 0)
        count = int(on.sum())
        active.append(count)
        if count == 0:
            continue
        loss += weights[l - 1] * terms[on].sum() / count
        scale = weights[l - 1] / count
        ds -= scale * on.sum(axis=2)    # d/ds(i, j)
        ds += scale * on.sum(axis=1)    # d/ds(i, k)
    dxn = (ds + ds.T) @ xn
    dx = (dxn - xn * np.sum(xn * dxn, axis=1, keepdims=True)) / norms
    return float(loss), dx, active


def hoffer_ailon(x, triplets):
    grad = np.zeros_like(x)
    total = 0.0
    for a, p, n in triplets:
        up, un = x[a] - x[p], x[a] - x[n]
        dp, dn = np.linalg.norm(up), np.linalg.norm(un)
        qp = 1.0 / (1.0 + np.exp(dn - dp))
        total += 2 * qp * qp
        slope = 4 * qp * qp * (1 - qp) / len(triplets)
        if dp > 0:
            grad[a] += slope * up / dp
            grad[p] -= slope * up / dp
        if dn > 0:
            grad[a] -= slope * un / dn
            grad[n] += slope * un / dn
    return total / len(triplets), grad


def hierarchical(labels, group_of):
    labels = np.asarray(labels)
    groups = np.asarray([group_of[c] for c in labels])
    return np.where(labels[:, None] == labels[None, :], 2, np.where(groups[:, None] == groups[None, :], 1, 0))


def write(out, name, record):
    path = os.path.join(out, name + ".json")
    with open(path, "w") as f:
        json.dump({"case": {"id": name, "note": "formula reference in float64 (family_losses.py, numpy)"},
                   "records": [record]}, f, ensure_ascii=False)
    print("wrote", path)


def ladder_case(out, name, x, labels, rel, margins, weights, note):
    x = np.round(x, 4)
    loss, grad, active = ladder(x, rel, margins, weights)
    write(out, name, {
        "name": name, "family": "LadderLoss (Zhou et al. 2020)", "formula": LADDER_FORMULA + " " + note,
        "params": {"margins": margins, "weights": weights, "levels": len(margins) + 1},
        "embeddings": x.tolist(), "labels": [int(v) for v in labels], "relevance": rel.astype(int).tolist(),
        "loss": loss, "grad": grad.tolist(), "active_terms_per_level": active})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/TripletLossesTests/Conformance/cases-family"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(14)

    # Four levels, an asymmetric random relevance matrix.
    b = 14
    x = rng.normal(size=(b, 6))
    rel = rng.integers(0, 4, size=(b, b))
    ladder_case(out, "family_ladder_gen_levels4", x, [0] * b, rel, [0.3, 0.2, 0.1], [1.0, 0.5, 0.25],
                "Relevance drawn at random (not symmetric); labels unused.")

    # Ties: duplicated rows and a zero margin, so some terms are exactly 0 (no gradient, not active).
    labels = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 4, 4]
    base = rng.normal(size=(len(labels), 5))
    base[1] = base[0]
    base[4] = base[3]
    base[7] = base[6]
    base[9] = base[0]
    rel = hierarchical(labels, {0: 0, 1: 0, 2: 1, 3: 1, 4: 2})
    ladder_case(out, "family_ladder_gen_ties", base, labels, rel, [0.0, 0.1], [1.0, 1.0],
                "Rows 1, 9 equal row 0, row 4 equals row 3, row 7 equals row 6; level 1 has margin 0.")

    # No active term: two tight clusters on orthogonal axes, margin below their separation.
    labels = [0] * 5 + [1] * 5
    x = np.zeros((10, 4))
    x[:5, 0] = 1
    x[5:, 1] = 1
    x += 0.01 * rng.normal(size=x.shape)
    rel = (np.asarray(labels)[:, None] == np.asarray(labels)[None, :]).astype(int)
    ladder_case(out, "family_ladder_gen_inactive", x, labels, rel, [0.2], [1.0],
                "Two levels; every term is 0: loss 0, zero gradient.")

    # One level without positives: relevance only 0 and 1 with three levels.
    labels = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    x = rng.normal(size=(10, 3))
    rel = hierarchical(labels, {0: 0, 1: 0, 2: 1, 3: 1, 4: 2})
    rel = np.where(rel == 2, 1, rel)
    ladder_case(out, "family_ladder_gen_empty_level", x, labels, rel, [0.25, 0.1], [1.0, 2.0],
                "No pair has level 2: the second level has no positive and adds 0.")

    # Triplet network: repeated indices, wide distances, and one coincident positive (d+ = 0).
    for name, b, d, count, duplicate in [("family_hoffer_ailon_gen_0", 16, 8, 40, False),
                                         ("family_hoffer_ailon_gen_zero", 8, 3, 10, True)]:
        x = np.round(rng.normal(scale=1.5, size=(b, d)), 4)
        triplets = []
        while len(triplets) < count:
            a, p, n = (int(v) for v in rng.integers(0, b, size=3))
            if a != p and a != n:
                triplets.append([a, p, n])
        if duplicate:
            x[1] = x[0]
            triplets[0] = [0, 1, 2]
        loss, grad = hoffer_ailon(x, triplets)
        write(out, name, {
            "name": name, "family": "TripletNetworkLoss (Hoffer & Ailon 2015)",
            "formula": HA_FORMULA + (" Row 1 equals row 0: the first triplet has d+ = 0." if duplicate else ""),
            "embeddings": x.tolist(), "triplets": triplets, "loss": loss, "grad": grad.tolist()})


if __name__ == "__main__":
    main()
