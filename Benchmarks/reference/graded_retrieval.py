#!/usr/bin/env python3
"""Reference values of TripletEvaluation's GradedRetrieval (NDCG@k, graded MAP) with scikit-learn:
ndcg_score (linear gain) and average_precision_score per relevance threshold; the exponential gain by
hand. Writes Tests/TripletEvaluationTests/Reference/graded_reference.json.

    python3 Benchmarks/reference/graded_retrieval.py
"""
import json

import numpy as np
from sklearn.metrics import average_precision_score, ndcg_score

rng = np.random.default_rng(2020)
n, d, k = 30, 4, 5
labels = np.arange(n) % 6
groups = {0: 0, 1: 0, 2: 1, 3: 1, 4: 2, 5: 2}
x = np.round(rng.normal(size=(n, d)) + np.eye(d)[labels % d], 4)
g = np.array([groups[c] for c in labels])
rel = np.where(labels[:, None] == labels[None, :], 2, np.where(g[:, None] == g[None, :], 1, 0))
dist = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2)

true_rows, score_rows = [], []
for q in range(n):
    others = [r for r in range(n) if r != q]
    true_rows.append(rel[q, others])
    score_rows.append(-dist[q, others])
true_rows, score_rows = np.array(true_rows), np.array(score_rows)
ndcg_linear = ndcg_score(true_rows, score_rows, k=k)


def ndcg_exp(t, s):
    order = np.argsort(-s, kind="stable")[:k]
    disc = 1 / np.log2(np.arange(2, k + 2))
    dcg = np.sum((2.0 ** t[order] - 1) * disc)
    ideal = np.sum((2.0 ** np.sort(t)[::-1][:k] - 1) * disc)
    return dcg / ideal


ndcg_exponential = float(np.mean([ndcg_exp(t, s) for t, s in zip(true_rows, score_rows)]))
maps = [float(np.mean([average_precision_score(t >= th, s) for t, s in zip(true_rows, score_rows)]))
        for th in (1, 2)]
out = {"embeddings": x.tolist(), "labels": labels.tolist(), "groups": {str(c): v for c, v in groups.items()},
       "k": k, "ndcg_linear": ndcg_linear, "ndcg_exponential": ndcg_exponential, "map_per_threshold": maps,
       "graded_map": float(np.mean(maps))}
with open("Tests/TripletEvaluationTests/Reference/graded_reference.json", "w") as f:
    json.dump(out, f)
print(json.dumps({key: v for key, v in out.items() if key != "embeddings"}))
