"""Reference solutions of Schultz & Joachims's relative-comparison QP (NIPS 2003, A = I), by cvxpy
(Clarabel interior point, tight tolerances) -- independent of TripletKit's dual coordinate descent.

    minimise 1/2 |w|^2 + C sum_t xi_t  s.t.  w . z_t >= 1 - xi_t, xi >= 0, w >= 0,
    z_t = (x_a - x_n)^2 - (x_a - x_p)^2 (elementwise), for "a is closer to p than to n".

Writes Tests/TripletLinearTests/Reference/relative_comparisons_<name>.json: features N x D (float32
values), comparisons [[a, p, n]], C, objective, w.

    pip install cvxpy && python3 Benchmarks/reference/relative_comparisons_qp.py
"""
import json
import pathlib

import cvxpy as cp
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/TripletLinearTests/Reference"


def solve(features, comparisons, C):
    x = np.asarray(features, dtype=np.float64)
    a, p, n = (np.array([t[i] for t in comparisons]) for i in range(3))
    Z = (x[a] - x[n]) ** 2 - (x[a] - x[p]) ** 2
    w = cp.Variable(x.shape[1], nonneg=True)
    objective = 0.5 * cp.sum_squares(w) + C * cp.sum(cp.pos(1 - Z @ w))
    problem = cp.Problem(cp.Minimize(objective))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    weights = np.maximum(w.value, 0)
    value = 0.5 * weights @ weights + C * np.maximum(0, 1 - Z @ weights).sum()
    return weights, float(value)


def case(name, rng, n_samples, dim, classes, count, C, scale=None):
    labels = rng.integers(classes, size=n_samples)
    centres = rng.normal(size=(classes, dim))
    x = centres[labels] + rng.normal(size=(n_samples, dim)) * (scale if scale is not None else np.ones(dim))
    x = x.astype(np.float32).astype(np.float64)  # the values Swift reads
    comparisons = []
    while len(comparisons) < count:
        i = int(rng.integers(n_samples))
        same = np.flatnonzero((labels == labels[i]) & (np.arange(n_samples) != i))
        other = np.flatnonzero(labels != labels[i])
        if len(same) and len(other):
            comparisons.append([i, int(rng.choice(same)), int(rng.choice(other))])
    w, objective = solve(x, comparisons, C)
    record = {"features": x.tolist(), "comparisons": comparisons, "C": C, "objective": objective,
              "w": w.tolist()}
    (OUT / f"relative_comparisons_{name}.json").write_text(json.dumps(record))
    print(f"{name}: {count} comparisons, D = {dim}, C = {C}: objective {objective:.8g}, "
          f"{int((w > 1e-9).sum())} nonzero weights")


def main():
    rng = np.random.default_rng(2003)
    case("small", rng, 30, 5, 3, 60, 1.0)
    case("soft", rng, 40, 8, 4, 150, 0.05)
    case("noisy", rng, 50, 6, 3, 200, 10.0, scale=np.array([0.3, 0.3, 3, 3, 1, 0.1]))


if __name__ == "__main__":
    main()
