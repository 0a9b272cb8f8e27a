"""Reference values for Tests/TripletEvaluationTests (retrieval, clustering, verification).

Writes seeded inputs as NPY and the expected metrics as JSON into Tests/TripletEvaluationTests/Reference/:
- retrieval: pytorch-metric-learning 2.9.0 AccuracyCalculator (precision_at_1, r_precision,
  mean_average_precision_at_r, mean_average_precision, mean_reciprocal_rank) for k = None,
  "max_bin_count" and 5, per query and avg_of_avgs; Recall@K (not in PML) from the same neighbours.
- clustering: sklearn normalized_mutual_info_score / adjusted_mutual_info_score (arithmetic) on saved
  assignments, and the NMI of sklearn's KMeans (n_init=10) on well-separated clusters.
- verification: sklearn roc_curve (drop_intermediate=False) / roc_auc_score; EER, TAR@FAR, best
  accuracy and LFW-style 10-fold accuracy computed from those ROC points.

The k-NN is exact and ordered as TripletKit orders it: embeddings lie on a 1/16 grid, so every squared
distance, norm and dot product is an integer multiple of 2^-8 below 2^24 and exact in float32 whichever
way it is summed (TripletKit's GEMM form |q|^2 + |r|^2 - 2 q.r included); the Euclidean distance is the
float32 square root of that exact value (correctly rounded in both), and ties are broken by the lower
reference index. faiss' IndexFlatL2 (PML's default) orders ties arbitrarily; the script reports how many
neighbour lists differ from it. Exact duplicate rows (some across labels) make ties at distance 0.

Run: python3 Benchmarks/reference/eval_reference.py   (torch 2.13 CPU, PML 2.9.0, sklearn, numpy, faiss-cpu)
"""
import json
import os

import numpy as np
import torch
from pytorch_metric_learning.utils import common_functions as c_f
from pytorch_metric_learning.utils.accuracy_calculator import AccuracyCalculator
from pytorch_metric_learning.utils.inference import return_results
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score, roc_auc_score, roc_curve
from sklearn.model_selection import KFold

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TripletEvaluationTests", "Reference")
GRID = 16.0
PML_METRICS = ("precision_at_1", "r_precision", "mean_average_precision_at_r", "mean_average_precision",
               "mean_reciprocal_rank")
RECALL_AT = [1, 2, 4, 8, 16]


def grid(x):
    """Rounds to the 1/16 grid and clips to [-8, 8] (exact float32 arithmetic, see the module doc)."""
    return (np.clip(np.round(x * GRID), -8 * GRID, 8 * GRID) / GRID).astype(np.float32)


def clustered(rng, counts, dim, spread):
    labels = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    centers = rng.normal(0, spread, (len(counts), dim))
    x = centers[labels] + rng.normal(0, 1, (len(labels), dim))
    order = rng.permutation(len(labels))
    return x[order], labels[order].astype(np.int64)


def sort_keys(query, reference, metric):
    """TripletKit's float32 distance of every pair (exact on the grid), as float64 numbers."""
    q = query.astype(np.float64)
    r = reference.astype(np.float64)
    if metric == "dot":
        return -(q @ r.T)
    d2 = (q * q).sum(1)[:, None] + (r * r).sum(1)[None, :] - 2 * q @ r.T
    assert np.all(d2 * 256 == np.round(d2 * 256)) and d2.max() * 256 < 2**24, "off the exact grid"
    d2 = np.maximum(d2, 0).astype(np.float32)
    if metric == "euclidean":
        return np.sqrt(d2).astype(np.float64)
    assert metric == "squaredEuclidean"
    return d2.astype(np.float64)


def ranked(query, reference, metric, exclude_self):
    """Every reference index per query, closest first, ties by lower index (self dropped if asked)."""
    keys = sort_keys(query, reference, metric)
    n_ref = keys.shape[1]
    rows = []
    for i in range(len(keys)):
        order = np.lexsort((np.arange(n_ref), keys[i]))
        if exclude_self:
            order = order[order != i]
        rows.append(order)
    return np.array(rows)


class TieOrderedKNN:
    """A PML knn_func: exact, ties by lower reference index, self removed by PML's own return_results."""

    def __init__(self, metric):
        self.metric = metric

    def __call__(self, query, k, reference, ref_includes_query=False):
        if ref_includes_query:
            k = k + 1
        q, r = query.cpu().numpy(), reference.cpu().numpy()
        keys = sort_keys(q, r, self.metric)
        order = np.array([np.lexsort((np.arange(keys.shape[1]), row))[:k] for row in keys])
        distances = np.take_along_axis(keys, order, 1)
        return return_results(torch.tensor(distances), torch.tensor(order), ref_includes_query)


def faiss_disagreements(query, reference, k, exclude_self):
    """Neighbour lists that faiss' IndexFlatL2 orders differently (ties), for the record."""
    import faiss

    index = faiss.IndexFlatL2(query.shape[1])
    index.add(reference)
    _, faiss_idx = index.search(query, k + int(exclude_self))
    ours = ranked(query, reference, "euclidean", exclude_self)[:, :k]
    if exclude_self:
        faiss_idx = np.array([[j for j in row if j != i][:k] for i, row in enumerate(faiss_idx)])
    return int(np.sum(np.any(faiss_idx != ours, axis=1)))


def recall_at(query_labels, reference_labels, order, exclude_self):
    counts = {c: int(np.sum(reference_labels == c)) - int(exclude_self) for c in np.unique(query_labels)}
    keep = np.array([counts[c] > 0 for c in query_labels])
    hits = reference_labels[order] == query_labels[:, None]
    return {str(k): float(np.mean(np.any(hits[keep, :k], axis=1))) for k in RECALL_AT}


def retrieval_case(name, query, query_labels, reference=None, reference_labels=None, metric="euclidean"):
    exclude_self = reference is None
    ref = query if exclude_self else reference
    ref_labels = query_labels if exclude_self else reference_labels
    files = {"queries": f"{name}_queries.npy", "queryLabels": f"{name}_query_labels.npy"}
    np.save(os.path.join(OUT, files["queries"]), query)
    np.save(os.path.join(OUT, files["queryLabels"]), query_labels.astype(np.int32))
    if not exclude_self:
        files["references"] = f"{name}_references.npy"
        files["referenceLabels"] = f"{name}_reference_labels.npy"
        np.save(os.path.join(OUT, files["references"]), reference)
        np.save(os.path.join(OUT, files["referenceLabels"]), reference_labels.astype(np.int32))
    order = ranked(query, ref, metric, exclude_self)
    results = []
    for k in [None, "max_bin_count", 5]:
        for avg in [False, True]:
            calc = AccuracyCalculator(include=PML_METRICS, k=k, avg_of_avgs=avg, device=torch.device("cpu"),
                                      knn_func=TieOrderedKNN(metric))
            if exclude_self:
                acc = calc.get_accuracy(query, query_labels)
            else:
                acc = calc.get_accuracy(query, query_labels, reference, reference_labels)
            entry = {"k": k, "averaging": "perClass" if avg else "perQuery",
                     **{m: float(acc[m]) for m in PML_METRICS}}
            if not avg:
                entry["recallAtK"] = recall_at(query_labels, ref_labels, order, exclude_self)
            results.append(entry)
    case = {"name": name, "metric": metric, "excludeSelf": exclude_self, "files": files,
            "firstNeighbors": order[:10, :8].tolist(), "results": results}
    if metric == "euclidean":
        case["faissTieDisagreements"] = faiss_disagreements(query, ref, 8, exclude_self)
    return case


def retrieval(rng):
    cases = []
    # 10 classes x 50, 8-D, overlapping clusters, with exact duplicate rows (some across labels).
    x, y = clustered(rng, [50] * 10, 8, 1.2)
    x = grid(x)
    for i, j in rng.choice(len(x), (15, 2), replace=False):
        x[j] = x[i]
    cases.append(retrieval_case("self", x, y))
    # Queries != references: uneven reference classes; query classes 10 and 11 have no reference.
    xr, yr = clustered(rng, [20, 25, 30, 35, 40, 20, 25, 30, 35, 40], 8, 1.2)
    xr = grid(xr)
    xq, yq = clustered(np.random.default_rng(7), [12] * 12, 8, 1.2)
    xq = grid(xq)
    for i in range(10):
        xq[i] = xr[5 * i]  # a query equal to a reference, possibly of another label
    cases.append(retrieval_case("split", xq, yq, xr, yr))
    # Uneven classes with one lone sample, squared Euclidean, queries = references.
    xu, yu = clustered(rng, [1, 3, 10, 20, 40, 6], 8, 1.0)
    xu = grid(xu)
    xu[5] = xu[6]
    cases.append(retrieval_case("uneven", xu, yu, metric="squaredEuclidean"))
    return cases, x, y


def clustering(rng, x, y):
    cases = []

    def assignment(name, labels_true, labels_pred):
        np.save(os.path.join(OUT, f"{name}_true.npy"), labels_true.astype(np.int32))
        np.save(os.path.join(OUT, f"{name}_pred.npy"), labels_pred.astype(np.int32))
        cases.append({"name": name, "true": f"{name}_true.npy", "pred": f"{name}_pred.npy",
                      "nmi": normalized_mutual_info_score(labels_true, labels_pred),
                      "ami": adjusted_mutual_info_score(labels_true, labels_pred),
                      "nmiByAverage": {m: normalized_mutual_info_score(labels_true, labels_pred, average_method=m)
                                       for m in ["min", "geometric", "arithmetic", "max"]},
                      "amiByAverage": {m: adjusted_mutual_info_score(labels_true, labels_pred, average_method=m)
                                       for m in ["min", "geometric", "arithmetic", "max"]}})

    noisy = y.copy() % 12
    flip = rng.random(len(y)) < 0.25
    noisy[flip] = rng.integers(0, 12, flip.sum())
    assignment("noisy12", y, noisy)
    assignment("kmeansSelf", y, KMeans(10, n_init=10, random_state=0).fit(x).labels_)
    big_true = rng.integers(0, 30, 3000)
    big_pred = np.where(rng.random(3000) < 0.5, big_true % 25, rng.integers(0, 25, 3000))
    assignment("large", big_true, big_pred)
    small = [([0, 0, 1, 1], [1, 1, 0, 0]), ([0, 0, 0, 0], [0, 0, 0, 0]), ([0, 0, 0, 0], [0, 1, 2, 3]),
             ([0, 1, 2, 3], [0, 1, 2, 3]), ([0, 0, 1, 1], [0, 1, 0, 1]), ([5, 5, 7], [1, 2, 2]),
             ([0, 0, 1, 2, 2, 2], [3, 3, 3, 4, 4, 9])]
    inline = [{"true": a, "pred": b, "nmi": normalized_mutual_info_score(a, b),
               "ami": adjusted_mutual_info_score(a, b)} for a, b in small]
    # Well-separated clusters for k-means itself.
    xk, yk = clustered(rng, [50] * 10, 8, 6.0)
    xk = xk.astype(np.float32)
    np.save(os.path.join(OUT, "kmeans_points.npy"), xk)
    np.save(os.path.join(OUT, "kmeans_labels.npy"), yk.astype(np.int32))
    km = KMeans(10, n_init=10, random_state=0).fit(xk)
    kmeans = {"points": "kmeans_points.npy", "labels": "kmeans_labels.npy", "clusters": 10,
              "sklearnNMI": normalized_mutual_info_score(yk, km.labels_), "sklearnInertia": float(km.inertia_)}
    return {"assignments": cases, "inline": inline, "kmeans": kmeans}


def roc_summary(is_same, scores):
    """Metrics from sklearn's ROC points; scores: larger means more likely the same."""
    fpr, tpr, thr = roc_curve(is_same, scores, drop_intermediate=False)
    fnr = 1 - tpr
    diff = fnr - fpr
    i = int(np.argmax(diff <= 0))
    t = diff[i - 1] / (diff[i - 1] - diff[i])
    eer = fpr[i - 1] + t * (fpr[i] - fpr[i - 1])
    n_pos, n_neg = int(is_same.sum()), int((~is_same).sum())
    tps, fps = np.round(tpr * n_pos), np.round(fpr * n_neg)  # counts, so that equal accuracies tie exactly
    accuracy = (tps + n_neg - fps) / (n_pos + n_neg)
    best = int(np.argmax(accuracy))
    tar = {str(f): float(tpr[fpr <= f].max()) for f in [1e-1, 1e-2, 1e-3]}
    return {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr[1:].tolist(), "auc": roc_auc_score(is_same, scores),
            "eer": float(eer), "tarAtFar": tar, "bestAccuracy": float(accuracy[best]),
            "bestThreshold": float(thr[best]) if np.isfinite(thr[best]) else None}


def fold_accuracy(is_same, scores, folds=10):
    """LFW protocol: the best threshold on 9 folds (midpoint between distinct scores, the strictest when
    several tie), accuracy on the 10th; sklearn KFold(10) without shuffling; mean and population std."""
    accuracies = []
    for train, test in KFold(folds).split(scores):
        s = np.unique(scores[train])[::-1]
        candidates = np.concatenate([[np.inf], (s[:-1] + s[1:]) / 2, [-np.inf]])
        train_acc = [np.mean((scores[train] >= c) == is_same[train]) for c in candidates]
        c = candidates[int(np.argmax(train_acc))]
        accuracies.append(float(np.mean((scores[test] >= c) == is_same[test])))
    return {"foldAccuracies": accuracies, "mean": float(np.mean(accuracies)), "std": float(np.std(accuracies))}


def verification(rng, x, y):
    cases = []
    # Distances with ties (rounded to 0.05), 200 same-label and 400 other pairs from the "self" data.
    same = [(i, j) for i in range(len(y)) for j in range(i + 1, len(y)) if y[i] == y[j]]
    other = [(i, j) for i in range(len(y)) for j in range(i + 1, len(y)) if y[i] != y[j]]
    pairs = [same[i] for i in rng.choice(len(same), 200, replace=False)]
    pairs += [other[i] for i in rng.choice(len(other), 400, replace=False)]
    pairs = np.array(pairs)[rng.permutation(600)]
    is_same = y[pairs[:, 0]] == y[pairs[:, 1]]
    d = np.round(np.linalg.norm(x[pairs[:, 0]].astype(np.float64) - x[pairs[:, 1]], axis=1) / 0.05) * 0.05
    np.save(os.path.join(OUT, "verify_ties_distances.npy"), d)
    np.save(os.path.join(OUT, "verify_ties_same.npy"), is_same)
    cases.append({"name": "ties", "kind": "distance", "scores": "verify_ties_distances.npy",
                  "same": "verify_ties_same.npy", **roc_summary(is_same, -d), "folds": fold_accuracy(is_same, -d)})
    # Similarities: 1000 genuine, 3000 impostor scores, continuous.
    n_pos, n_neg = 1000, 3000
    s = np.concatenate([rng.normal(1.5, 1, n_pos), rng.normal(-1, 1, n_neg)])
    same2 = np.concatenate([np.ones(n_pos, bool), np.zeros(n_neg, bool)])
    order = rng.permutation(n_pos + n_neg)
    s, same2 = s[order].astype(np.float32).astype(np.float64), same2[order]
    np.save(os.path.join(OUT, "verify_sim_scores.npy"), s.astype(np.float32))
    np.save(os.path.join(OUT, "verify_sim_same.npy"), same2)
    summary = roc_summary(same2, s)
    for key in ["fpr", "tpr", "thresholds"]:
        del summary[key]
    cases.append({"name": "similarity", "kind": "similarity", "scores": "verify_sim_scores.npy",
                  "same": "verify_sim_same.npy", **summary, "folds": fold_accuracy(same2, s)})
    # Pair distances by metric for a few index pairs of the "self" data.
    idx = rng.choice(len(y), (20, 2))
    xd = x.astype(np.float64)
    a, b = xd[idx[:, 0]], xd[idx[:, 1]]
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    distances = {"euclidean": np.linalg.norm(a - b, axis=1), "squaredEuclidean": ((a - b) ** 2).sum(1),
                 "cosine": 1 - cos, "dot": -(a * b).sum(1)}
    return {"cases": cases, "pairDistances": {"pairs": idx.tolist(),
                                               **{k: v.tolist() for k, v in distances.items()}}}


def main():
    c_f.LOGGER.setLevel("ERROR")  # PML warns that k = 5 < max_bin_count: that case is on purpose
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2026)
    cases, x, y = retrieval(rng)
    reference = {"generator": "Benchmarks/reference/eval_reference.py", "torch": torch.__version__,
                 "retrieval": cases, "clustering": clustering(rng, x, y), "verification": verification(rng, x, y)}
    with open(os.path.join(OUT, "eval_reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {OUT}: {total / 1024:.0f} KiB;",
          "faiss tie disagreements:", {c["name"]: c.get("faissTieDisagreements") for c in cases})


if __name__ == "__main__":
    main()
