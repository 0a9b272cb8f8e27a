#!/usr/bin/env python3
"""Generator of TripletKit's own conformance cases (variants the shared cases do not cover).

Writes case files in exactly the schema of ../shared/conformance/SCHEMA.md (one batch per file,
many records) into Tests/TripletLossesTests/Conformance/cases/own_<id>.json. Reference values come
from PyTorch + pytorch-metric-learning (PML) themselves, in float64, on the embeddings rounded to
4 decimals (exactly as written to the file); `loss_f32` / `grad_f32_max_abs_err` repeat the same
call in float32, and `loss_f32_exact` / `grad_f32_exact_max_abs_err` repeat it in float32 with
torch.cdist forced onto its exact (non-matmul) path.

Needs: pip install "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0

Run (from the repository root):
    python3 Benchmarks/reference/conformance_cases.py [--out DIR] [--only ID ...]

Never edit the generated files by hand: change this script and run it again.
"""

import argparse
import contextlib
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

import pytorch_metric_learning
from pytorch_metric_learning import distances as pml_distances
from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning import miners as pml_miners
from pytorch_metric_learning import reducers as pml_reducers
from pytorch_metric_learning.utils import loss_and_miner_utils as lmu

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "TripletLossesTests", "Conformance", "cases"))
INLINE_MINED_MAX = 2000  # mined triplets are listed inline up to this many, else null (count + SHA-256)
GRAD_DIGITS = 7

# --------------------------------------------------------------------------------------------------
# cdist modes: the reference call as PML makes it (default torch.cdist: matmul path when B > 25),
# and the "exact" variant with the difference-based path.

_ORIGINAL_CDIST = torch.cdist


@contextlib.contextmanager
def exact_cdist():
    def patched(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
        return _ORIGINAL_CDIST(x1, x2, p=p, compute_mode="donot_use_mm_for_euclid_dist")

    torch.cdist = patched
    try:
        yield
    finally:
        torch.cdist = _ORIGINAL_CDIST


# --------------------------------------------------------------------------------------------------
# Distances: spelling in the files (the repr forms the runner parses) -> PML object and formula text.

DIST_LP = "LpDistance(p=2, normalize_embeddings=True)"
DIST_LP_SQ = "LpDistance(p=2, power=2, normalize_embeddings=True)"
DIST_LP_RAW = "LpDistance(p=2, normalize_embeddings=False)"
DIST_COS = "CosineSimilarity()"
DIST_DOT_RAW = "DotProductSimilarity(normalize_embeddings=False)"

NORM_TEXT = "x_hat_i = x_i / max(||x_i||_2, 1e-12)"
CDIST_TEXT = "(torch.cdist; its gradient at d_ij == 0 is defined as 0)"


def make_distance(spec):
    if spec == DIST_LP:
        return pml_distances.LpDistance(p=2, normalize_embeddings=True)
    if spec == DIST_LP_SQ:
        return pml_distances.LpDistance(p=2, power=2, normalize_embeddings=True)
    if spec == DIST_LP_RAW:
        return pml_distances.LpDistance(p=2, normalize_embeddings=False)
    if spec == DIST_COS:
        return pml_distances.CosineSimilarity()
    if spec == DIST_DOT_RAW:
        return pml_distances.DotProductSimilarity(normalize_embeddings=False)
    raise ValueError(spec)


def is_similarity(spec):
    return spec in (DIST_COS, DIST_DOT_RAW)


def distance_text(spec):
    """Formula text defining d_ij (distances) or s_ij (similarities)."""
    if spec == DIST_LP:
        return f"{NORM_TEXT}; d_ij = ||x_hat_i - x_hat_j||_2 {CDIST_TEXT}"
    if spec == DIST_LP_SQ:
        return (f"{NORM_TEXT}; d_ij = ||x_hat_i - x_hat_j||_2^2 (LpDistance power=2: torch.cdist, then squared; "
                "the gradient of the squared distance is 2 (x_hat_i - x_hat_j), 0 at d_ij == 0)")
    if spec == DIST_LP_RAW:
        return (f"d_ij = ||x_i - x_j||_2 on RAW embeddings (normalize_embeddings=False: no normalisation) "
                f"{CDIST_TEXT}")
    if spec == DIST_COS:
        return (f"{NORM_TEXT}; s_ij = <x_hat_i, x_hat_j> (CosineSimilarity, a SIMILARITY: larger = closer; "
                "PML's is_inverted=True)")
    if spec == DIST_DOT_RAW:
        return ("s_ij = <x_i, x_j> on RAW embeddings (DotProductSimilarity(normalize_embeddings=False): no "
                "normalisation; a SIMILARITY: larger = closer; PML's is_inverted=True)")
    raise ValueError(spec)


def fmt(x):
    """A number as the formulas write it (0.2, 1, 0.05)."""
    return f"{x:g}"


# --------------------------------------------------------------------------------------------------
# Reducers

def make_reducer(spec):
    return {"AvgNonZeroReducer": pml_reducers.AvgNonZeroReducer,
            "MeanReducer": pml_reducers.MeanReducer,
            "SumReducer": pml_reducers.SumReducer}[spec]()


def triplet_reducer_text(spec):
    if spec == "AvgNonZeroReducer":
        return ("reducer AvgNonZeroReducer: L = mean of l_t over the t with l_t > 0; if no l_t > 0 (or no triplets) "
                "L = 0 with zero gradient")
    if spec == "MeanReducer":
        return ("reducer MeanReducer: L = mean of l_t over ALL the triplets (zeros included); if there is no triplet "
                "L = 0 with zero gradient")
    if spec == "SumReducer":
        return "reducer SumReducer: L = sum of l_t over all the triplets; if there is no triplet L = 0 with zero gradient"
    raise ValueError(spec)


PAIR_REDUCERS = {
    "AvgNonZero": ("MultipleReducers(pos_loss: AvgNonZero, neg_loss: AvgNonZero), summed",
                   pml_reducers.AvgNonZeroReducer,
                   "AvgNonZero(v) = mean of the v > 0 (0 if none)"),
    "Mean": ("MultipleReducers(pos_loss: Mean, neg_loss: Mean), summed",
             pml_reducers.MeanReducer,
             "Mean(v) = mean of ALL the v (zeros included)"),
    "Sum": ("MultipleReducers(pos_loss: Sum, neg_loss: Sum), summed",
            pml_reducers.SumReducer,
            "Sum(v) = sum of all the v"),
}


# --------------------------------------------------------------------------------------------------
# Helpers

def triplets_sorted(a, p, n):
    t = torch.stack([a, p, n], dim=1).tolist() if len(a) else []
    return sorted(tuple(int(v) for v in row) for row in t)


def sha256_triplets(triplets):
    data = b"".join(struct.pack("<3i", *t) for t in triplets)
    return hashlib.sha256(data).hexdigest()


def round_grad(g):
    return [[float(f"{v:.{GRAD_DIGITS}g}") for v in row] for row in g.tolist()]


def err3(x):
    return float(f"{x:.3g}")


def run_three(fn, emb64, labels):
    """fn(emb, labels) -> (loss tensor, extra); returns the float64 result, float32, float32 with exact cdist."""
    out = {}
    for key, dtype, exact in (("f64", torch.float64, False), ("f32", torch.float32, False),
                              ("f32_exact", torch.float32, True)):
        x = emb64.clone().to(dtype).requires_grad_(True)
        ctx = exact_cdist() if exact else contextlib.nullcontext()
        with ctx:
            loss, extra = fn(x, labels)
        if x.grad is not None:
            x.grad = None
        if loss.requires_grad:
            loss.backward()
        g = x.grad if x.grad is not None else torch.zeros_like(x)
        out[key] = (float(loss.detach().double()), g.detach().double(), extra)
    return out


def finish_record(name, family, params, formula, res, **extra_keys):
    loss64, g64, _ = res["f64"]
    loss32, g32, _ = res["f32"]
    loss32x, g32x, _ = res["f32_exact"]
    rec = {"name": name, "family": family, "params": params,
           "loss": loss64,
           "loss_f32": loss32, "grad_f32_max_abs_err": err3(float((g32 - g64).abs().max())),
           "loss_f32_exact": loss32x, "grad_f32_exact_max_abs_err": err3(float((g32x - g64).abs().max())),
           "grad": round_grad(g64)}
    rec.update(extra_keys)
    rec["formula"] = formula
    return rec


def mined_keys(triplets, inline=True):
    return {"mined_count": len(triplets), "mined_sha256": sha256_triplets(triplets),
            "mined": [list(t) for t in triplets] if (inline and len(triplets) <= INLINE_MINED_MAX) else None}


# --------------------------------------------------------------------------------------------------
# pml.TripletMarginLoss

def miner_spec(kind, margin=0.2):
    if kind is None:
        return None
    if kind == "batchhard":
        return {"type": "BatchHardMiner"}
    return {"type": "TripletMarginMiner", "margin": margin, "type_of_triplets": kind}


def easy_hard_spec(pos, neg, pos_range=None, neg_range=None):
    return {"type": "BatchEasyHardMiner", "pos_strategy": pos, "neg_strategy": neg,
            "allowed_pos_range": pos_range, "allowed_neg_range": neg_range}


def as_triplets(indices, labels):
    """A miner's output as (a, p, n); pair tuples (a1, p, a2, n) as PML's losses convert them."""
    return indices if len(indices) == 3 else lmu.convert_to_triplets(indices, labels)


def make_miner(spec, distance):
    if spec is None:
        return None
    if spec["type"] == "BatchHardMiner":
        return pml_miners.BatchHardMiner(distance=distance)
    if spec["type"] == "BatchEasyHardMiner":
        return pml_miners.BatchEasyHardMiner(
            pos_strategy=spec["pos_strategy"], neg_strategy=spec["neg_strategy"],
            allowed_pos_range=spec["allowed_pos_range"], allowed_neg_range=spec["allowed_neg_range"], distance=distance)
    return pml_miners.TripletMarginMiner(margin=spec["margin"], type_of_triplets=spec["type_of_triplets"],
                                         distance=distance)


def pml_tml_formula(margin, swap, smooth, dist, reducer, miner):
    sim = is_similarity(dist)
    parts = ["PML TripletMarginLoss: " + distance_text(dist)]
    what = "similarities" if sim else ("normalised distances" if dist in (DIST_LP, DIST_LP_SQ) else "raw distances")
    if miner is None:
        parts.append("no miner -> valid triplets: a != p, y_a == y_p, y_n != y_a (ordered; every anchor, every "
                     "positive, every negative)")
    elif miner["type"] == "TripletMarginMiner":
        mm = fmt(miner["margin"])
        m_def = "m_t = s_ap - s_an" if sim else "m_t = d_an - d_ap"
        parts.append(
            f"TripletMarginMiner(margin={mm}) built with the SAME distance object as the loss: over all valid triplets "
            f"(a != p, y_a == y_p, y_n != y_a), {m_def} ({what}). all: m_t <= {mm}; hard: m_t <= {mm} and m_t <= 0; "
            f"semihard: 0 < m_t <= {mm}; easy: m_t > {mm} -> this record uses '{miner['type_of_triplets']}'")
    elif miner["type"] == "BatchEasyHardMiner":
        close, far = ("most similar", "least similar") if sim else ("closest", "farthest")
        parts.append(
            f"BatchEasyHardMiner(pos_strategy={miner['pos_strategy']}, neg_strategy={miner['neg_strategy']}, "
            f"allowed_pos_range={miner['allowed_pos_range']}, allowed_neg_range={miner['allowed_neg_range']}) built "
            f"with the SAME distance object as the loss ({what}): positive easy = {close}, hard = {far}, semihard = "
            f"the {far} positive strictly {'more similar' if sim else 'closer'} than the chosen negative (negative "
            f"chosen first); negative easy = {far}, hard = {close}, semihard = the {close} negative strictly "
            f"{'less similar' if sim else 'farther'} than the chosen positive (positive chosen first); all = every "
            f"one; ranges (on the raw values, inclusive) filter the candidates of a non-'all' side; ties -> lowest "
            f"index; an anchor is kept when each non-'all' side has a choice; triplets = its positives x its "
            f"negatives (lmu.convert_to_triplets)")
    else:
        if sim:
            parts.append("BatchHardMiner built with the SAME distance object as the loss: for every anchor a having "
                         ">=1 positive and >=1 negative: p* = argmin_{p != a, y_p == y_a} s_ap (least similar "
                         "positive), n* = argmax_{y_n != y_a} s_an (most similar negative) (similarities; ties -> "
                         "lowest index); triplets (a, p*, n*)")
        else:
            parts.append(f"BatchHardMiner built with the SAME distance object as the loss: for every anchor a having "
                         f">=1 positive and >=1 negative: p* = argmax_{{p != a, y_p == y_a}} d_ap, n* = "
                         f"argmin_{{y_n != y_a}} d_an ({what}; ties -> lowest index); triplets (a, p*, n*)")
    m = fmt(margin)
    if sim:
        v = f"s_an - s_ap + {m}"
        swap_text = ("swap: s_an := max(s_an, s_pn) (the more similar of anchor-negative and positive-negative; "
                     "PML smallest_dist = torch.max for similarities; on a tie the gradient is split evenly)")
    else:
        v = f"d_ap - d_an + {m}"
        swap_text = ("swap: d_an := min(d_an, d_pn) (PML smallest_dist = torch.min; on a tie the gradient is split "
                     "evenly)")
    if swap:
        parts.append(swap_text)
    if smooth:
        parts.append(f"l_t = softplus({v}) = log(1 + exp({v}))")
    else:
        parts.append(f"l_t = relu({v})")
    red = triplet_reducer_text(reducer)
    if smooth and reducer == "AvgNonZeroReducer":
        red += " (softplus is always > 0, so smooth = plain mean)"
    parts.append(red)
    return "; ".join(parts)


def pml_tml_record(name, *, margin=0.05, swap=False, smooth=False, dist=DIST_LP, reducer="AvgNonZeroReducer",
                   miner=None):
    params = {"margin": margin, "swap": swap, "smooth_loss": smooth, "distance": dist, "reducer": reducer,
              "miner": miner}

    def fn(x, labels):
        d = make_distance(dist)
        loss_fn = pml_losses.TripletMarginLoss(margin=margin, swap=swap, smooth_loss=smooth, distance=d,
                                               reducer=make_reducer(reducer))
        m = make_miner(miner, d)
        if m is None:
            return loss_fn(x, labels), None
        idx = m(x, labels)
        return loss_fn(x, labels, idx), triplets_sorted(*as_triplets(idx, labels))

    def build(emb, labels):
        res = run_three(fn, emb, labels)
        extra = mined_keys(res["f64"][2]) if miner is not None else {}
        return finish_record(name, "pml.TripletMarginLoss", params,
                             pml_tml_formula(margin, swap, smooth, dist, reducer, miner), res, **extra)

    build.record_name = name
    build.params = params
    return build


# --------------------------------------------------------------------------------------------------
# pml.ContrastiveLoss

def pml_contrastive_record(name, *, pos_margin=0, neg_margin=1, dist=DIST_LP, reducer="AvgNonZero",
                           ms_epsilon=None):
    red_spec, red_cls, red_text = PAIR_REDUCERS[reducer]
    params = {"pos_margin": pos_margin, "neg_margin": neg_margin, "distance": dist, "reducer": red_spec}
    if ms_epsilon is not None:
        params["miner"] = {"type": "MultiSimilarityMiner", "epsilon": ms_epsilon}

    def fn(x, labels):
        d = make_distance(dist)
        loss_fn = pml_losses.ContrastiveLoss(
            pos_margin=pos_margin, neg_margin=neg_margin, distance=d,
            reducer=pml_reducers.MultipleReducers({"pos_loss": red_cls(), "neg_loss": red_cls()}))
        if ms_epsilon is None:
            return loss_fn(x, labels), None
        return loss_fn(x, labels, pml_miners.MultiSimilarityMiner(epsilon=ms_epsilon, distance=d)(x, labels)), None

    pm, nm = fmt(pos_margin), fmt(neg_margin)
    if is_similarity(dist):
        rule = (f"pos_l = relu({pm} - s_ij), neg_l = relu(s_ij - {nm}) (PML's margins for a similarity: "
                f"distance.margin(x, y) = y - x, so positives are pushed ABOVE pos_margin and negatives BELOW "
                f"neg_margin)")
    else:
        rule = f"pos_l = relu(d_ij - {pm}), neg_l = relu({nm} - d_ij)"
    if ms_epsilon is None:
        mined = "no miner"
        pairs = ("positive pairs: ordered (i,j), i != j, y_i == y_j; negative pairs: ordered (i,j), y_i != y_j")
    else:
        e = fmt(ms_epsilon)
        mined = f"MultiSimilarityMiner(epsilon={e}) built with the SAME distance object as the loss"
        if is_similarity(dist):
            pairs = (f"pairs mined per anchor a: positive (a,p) kept if s_ap - {e} < max_n s_an, negative (a,n) kept "
                     f"if s_an + {e} > min_p s_ap (anchors without a positive or a negative keep nothing)")
        else:
            pairs = (f"pairs mined per anchor a: positive (a,p) kept if d_ap + {e} > min_n d_an, negative (a,n) kept "
                     f"if d_an - {e} < max_p d_ap (anchors without a positive or a negative keep nothing)")
    formula = (f"PML ContrastiveLoss(pos_margin={pm}, neg_margin={nm}), {mined}: {distance_text(dist)}; "
               f"{pairs}. "
               f"{rule}. L = {reducer}(pos_l) + {reducer}(neg_l) (PML MultipleReducers({{'pos_loss': "
               f"{red_cls.__name__}(), 'neg_loss': {red_cls.__name__}()}}), sub-losses summed), where {red_text}; "
               f"each part 0 if its pair set is empty; L = 0 with zero gradient if there is no pair at all.")

    def build(emb, labels):
        return finish_record(name, "pml.ContrastiveLoss", params, formula, run_three(fn, emb, labels))

    build.record_name = name
    build.params = params
    return build


# --------------------------------------------------------------------------------------------------
# pml.NTXentLoss

def pml_ntxent_record(name, *, temperature, dist=DIST_COS, reducer="MeanReducer"):
    params = {"temperature": temperature, "distance": dist, "reducer": reducer}

    def fn(x, labels):
        loss_fn = pml_losses.NTXentLoss(temperature=temperature, distance=make_distance(dist),
                                        reducer=make_reducer(reducer))
        return loss_fn(x, labels), None

    t = fmt(temperature)
    if is_similarity(dist):
        sim_text = f"{distance_text(dist)}; z_ij = s_ij / t"
    else:
        sim_text = (f"{distance_text(dist)}; the distance is NOT inverted, so PML uses its negative: z_ij = -d_ij / t "
                    f"(NOT a cosine)")
    formula = (f"PML NTXentLoss(temperature={t}), no miner, {dist}: {sim_text}. For every ordered positive pair (a,p) "
               f"(a != p, y_a == y_p): l_ap = -log( exp(z_ap) / (exp(z_ap) + sum_{{n: y_n != y_a}} exp(z_an)) + tiny ), "
               f"tiny = finfo(dtype).tiny (PML adds it inside the log; numerically irrelevant). "
               + {"MeanReducer": "L = mean of l_ap over all positive pairs (MeanReducer; a pair whose anchor has no "
                                 "negative gives l_ap = -log(1 + tiny) = 0 and still counts).",
                  "AvgNonZeroReducer": "L = mean of the l_ap > 0 (AvgNonZeroReducer; a pair whose anchor has no "
                                       "negative gives l_ap = 0 and does not count).",
                  "SumReducer": "L = sum of l_ap over all positive pairs (SumReducer)."}[reducer]
               + " L = 0 (zero grad) if there is no positive pair or no negative pair in the batch.")

    def build(emb, labels):
        return finish_record(name, "pml.NTXentLoss", params, formula, run_three(fn, emb, labels))

    build.record_name = name
    build.params = params
    return build


# --------------------------------------------------------------------------------------------------
# MultipleNegativesRankingLoss (own)

def mnrl_record(name, *, scale):
    params = {"scale": scale, "similarity": "cosine", "pairs": "(2i, 2i+1)"}

    def fn(x, labels):
        a, p = x[0::2], x[1::2]
        s = scale * (F.normalize(a, p=2, dim=1, eps=1e-12) @ F.normalize(p, p=2, dim=1, eps=1e-12).T)
        return F.cross_entropy(s, torch.arange(len(a))), None

    formula = (f"sentence-transformers-style MultipleNegativesRankingLoss (own torch implementation). Pairs: anchor_i "
               f"= x_{{2i}}, positive_i = x_{{2i+1}}, i = 0..B/2-1 (labels are IGNORED, as in sentence-transformers: "
               f"all other positives in the batch are negatives, even when same class). S_ij = {fmt(scale)} * "
               f"cos(anchor_i, positive_j), cos via F.normalize(eps=1e-12) then dot. L = mean_i [ logsumexp_j S_ij - "
               f"S_ii ] (F.cross_entropy with targets 0..B/2-1).")

    def build(emb, labels):
        n = emb.shape[0] // 2
        pairs = [[2 * i, 2 * i + 1] for i in range(n)]
        return finish_record(name, "MultipleNegativesRankingLoss (own)", params, formula,
                             run_three(fn, emb, labels), pairs_count=n, pairs=pairs)

    build.record_name = name
    build.params = params
    return build


# --------------------------------------------------------------------------------------------------
# BatchHardSoftMargin (own, Hermans 2017)

def bhsm_record(name, *, normalize):
    params = {"distance": "euclidean", "normalize": normalize}

    def fn(x, labels):
        y = F.normalize(x, p=2, dim=1, eps=1e-12) if normalize else x
        dmat = _ORIGINAL_CDIST(y, y, p=2.0, compute_mode="donot_use_mm_for_euclid_dist")
        same = labels.unsqueeze(0) == labels.unsqueeze(1)
        eye = torch.eye(len(labels), dtype=torch.bool)
        pos, neg = same & ~eye, ~same
        valid = pos.any(1) & neg.any(1)
        inf = torch.tensor(float("inf"), dtype=dmat.dtype)
        dpos, ipos = torch.where(pos, dmat, -inf).max(dim=1)
        dneg, ineg = torch.where(neg, dmat, inf).min(dim=1)
        anchors = torch.nonzero(valid).squeeze(1)
        mined = triplets_sorted(anchors, ipos[anchors], ineg[anchors])
        if len(anchors) == 0:
            return torch.sum(x * 0), mined
        return F.softplus(dpos[anchors] - dneg[anchors]).mean(), mined

    if normalize:
        dtext = (f"D_ij = ||x_hat_i - x_hat_j||_2 on L2-NORMALISED embeddings, {NORM_TEXT} (F.normalize, eps=1e-12; "
                 f"torch.cdist exact mode, gradient at D == 0 is 0)")
    else:
        dtext = ("D_ij = ||x_i - x_j||_2 on RAW embeddings (no normalisation; torch.cdist exact mode, gradient at "
                 "D == 0 is 0)")
    formula = (f"Batch-hard soft-margin triplet loss (Hermans et al. 2017), own torch implementation: {dtext}. For "
               f"every anchor a with >=1 positive (p != a, y_p == y_a) and >=1 negative: d+ = max_p D_ap, d- = "
               f"min_n D_an (ties -> lowest index; 'mined' lists (a, argmax p, argmin n)); l_a = softplus(d+ - d-) = "
               f"log(1 + exp(d+ - d-)). L = mean over valid anchors; L = 0 with zero gradient if none.")

    def build(emb, labels):
        res = run_three(fn, emb, labels)
        return finish_record(name, "BatchHardSoftMargin (own, Hermans 2017)", params, formula, res,
                             **mined_keys(res["f64"][2]))

    build.record_name = name
    build.params = params
    return build


# --------------------------------------------------------------------------------------------------
# torch.nn.TripletMarginLoss on explicit triplets

def torch_tml_record(name, *, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    params = {"margin": margin, "p": p, "eps": eps, "swap": swap, "reduction": reduction}

    def build(emb, labels, triplets):
        if not triplets:
            return {"name": name, "family": "torch.nn.TripletMarginLoss", "params": params,
                    "skipped": "no valid triplet (no negative) in batch", "formula": formula}
        t = torch.tensor(triplets, dtype=torch.long)

        def fn(x, labels):
            loss_fn = torch.nn.TripletMarginLoss(margin=margin, p=p, eps=eps, swap=swap, reduction=reduction)
            return loss_fn(x[t[:, 0]], x[t[:, 1]], x[t[:, 2]]), None

        return finish_record(name, "torch.nn.TripletMarginLoss", params, formula, run_three(fn, emb, labels),
                             triplets_count=len(triplets), triplets=[list(x) for x in triplets])

    red = ("L = mean over ALL T triplets (zeros included)" if reduction == "mean"
           else "L = SUM over all T triplets (reduction='sum', no division)")
    swap_text = " swap: d(a,n) := min(d(a,n), d(p,n));" if swap else ""
    e = f"{eps:g}".replace("e-0", "e-")
    formula = (f"torch.nn.TripletMarginLoss(margin={fmt(margin)}, p={p}, eps={e}, swap={swap}, "
               f"reduction='{reduction}') on the explicit triplets listed in 'triplets' (raw, NOT normalised "
               f"embeddings). d(u,v) = ||u - v + eps||_{p} = (sum_k |u_k - v_k + eps|^{p})^(1/{p}) with eps={e} "
               f"added to every component of the difference (torch.pairwise_distance, p-norm with p={p}; its "
               f"gradient w.r.t. u is sign(z_k) |z_k|^({p}-1) / d^({p}-1), z = u - v + eps, 0 where z_k == 0). "
               f"l_t = max(0, d(a,p) - d(a,n) + margin);{swap_text} {red}. Gradient is w.r.t. the batch embeddings "
               f"(contributions of repeated indices summed).")
    build.explicit = True
    build.record_name = name
    build.params = params
    return build


def explicit_triplets(labels, seed, count):
    a, p, n = lmu.get_all_triplets_indices(labels)
    allt = triplets_sorted(a, p, n)
    if not allt:
        return []
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(allt), size=min(count, len(allt)), replace=False)
    return sorted(allt[i] for i in pick)


# --------------------------------------------------------------------------------------------------
# Record sets

def triplet_records(full=True):
    """pml.TripletMarginLoss variants the shared cases do not cover."""
    semihard = miner_spec("semihard", 0.2)
    recs = [
        pml_tml_record("pml_tml_m0.05_swap_nominer", swap=True),
        pml_tml_record("pml_tml_m0.05_swap_tmm_semihard", swap=True, miner=semihard),
        pml_tml_record("pml_tml_smooth_m0.05_tmm_all", smooth=True, miner=miner_spec("all", 0.2)),
        pml_tml_record("pml_tml_cos_m0.05_nominer", dist=DIST_COS),
        pml_tml_record("pml_tml_cos_m0.05_tmm_hard0.1", dist=DIST_COS, miner=miner_spec("hard", 0.1)),
        pml_tml_record("pml_tml_cos_m0.05_batchhard", dist=DIST_COS, miner=miner_spec("batchhard")),
        pml_tml_record("pml_tml_lpraw_m1_nominer", margin=1.0, dist=DIST_LP_RAW),
        pml_tml_record("pml_tml_lpraw_m1_batchhard", margin=1.0, dist=DIST_LP_RAW, miner=miner_spec("batchhard")),
        pml_tml_record("pml_tml_sq_m0.05_nominer", dist=DIST_LP_SQ),
        pml_tml_record("pml_tml_dotraw_m0.5_nominer", margin=0.5, dist=DIST_DOT_RAW),
        pml_tml_record("pml_tml_mean_m0.05_nominer", reducer="MeanReducer"),
        pml_tml_record("pml_tml_mean_m0.05_tmm_semihard", reducer="MeanReducer", miner=semihard),
        pml_tml_record("pml_tml_sum_m0.05_nominer", reducer="SumReducer"),
        pml_tml_record("pml_tml_sum_m0.05_tmm_semihard", reducer="SumReducer", miner=semihard),
        pml_tml_record("pml_tml_m0_nominer", margin=0.0),
        pml_tml_record("pml_tml_m0.5_nominer", margin=0.5),
        pml_tml_record("pml_tml_m0.05_tmm0.1_easy", miner=miner_spec("easy", 0.1)),
        pml_tml_record("pml_tml_m0.05_tmm0.1_all", miner=miner_spec("all", 0.1)),
        pml_tml_record("pml_tml_m0.05_tmm0.3_hard", miner=miner_spec("hard", 0.3)),
        # a few more combinations of the same axes
        pml_tml_record("pml_tml_cos_m0.2_swap_tmm_semihard", margin=0.2, swap=True, dist=DIST_COS, miner=semihard),
        pml_tml_record("pml_tml_lpraw_m1_tmm_semihard0.5", margin=1.0, dist=DIST_LP_RAW,
                       miner=miner_spec("semihard", 0.5)),
        pml_tml_record("pml_tml_dotraw_m0.5_batchhard", margin=0.5, dist=DIST_DOT_RAW, miner=miner_spec("batchhard")),
        pml_tml_record("pml_tml_sq_m0.1_tmm_hard0.2", margin=0.1, dist=DIST_LP_SQ, miner=miner_spec("hard", 0.2)),
        # BatchEasyHardMiner: every strategy on each side, ranges, a similarity
        pml_tml_record("pml_tml_m0.2_beh_easy_semihard", margin=0.2, miner=easy_hard_spec("easy", "semihard")),
        pml_tml_record("pml_tml_m0.2_beh_semihard_hard", margin=0.2, miner=easy_hard_spec("semihard", "hard")),
        pml_tml_record("pml_tml_m0.2_beh_hard_easy", margin=0.2, miner=easy_hard_spec("hard", "easy")),
        pml_tml_record("pml_tml_m0.2_beh_all_hard", margin=0.2, miner=easy_hard_spec("all", "hard")),
        pml_tml_record("pml_tml_m0.2_beh_easy_all", margin=0.2, miner=easy_hard_spec("easy", "all")),
        pml_tml_record("pml_tml_m0.2_beh_hard_hard_ranges", margin=0.2,
                       miner=easy_hard_spec("hard", "hard", [0.0, 1.2], [0.9, 2.0])),
        pml_tml_record("pml_tml_cos_m0.2_beh_easy_semihard", margin=0.2, dist=DIST_COS,
                       miner=easy_hard_spec("easy", "semihard")),
        pml_tml_record("pml_tml_cos_m0.2_beh_semihard_easy_ranges", margin=0.2, dist=DIST_COS,
                       miner=easy_hard_spec("semihard", "easy", [-0.5, 0.9], [-0.8, 0.6])),
    ]
    return recs


def pair_records():
    return [
        pml_contrastive_record("pml_contrastive_pos0.1_neg0.8", pos_margin=0.1, neg_margin=0.8),
        pml_contrastive_record("pml_contrastive_cos_pos1_neg0", pos_margin=1, neg_margin=0, dist=DIST_COS),
        pml_contrastive_record("pml_contrastive_mean_pos0_neg1", reducer="Mean"),
        pml_contrastive_record("pml_contrastive_sum_pos0_neg1", reducer="Sum"),
        pml_contrastive_record("pml_contrastive_ms0.1_pos0_neg1", ms_epsilon=0.1),
        pml_contrastive_record("pml_contrastive_cos_ms0.2_pos1_neg0.3", pos_margin=1, neg_margin=0.3, dist=DIST_COS,
                               ms_epsilon=0.2),
        pml_ntxent_record("pml_ntxent_cos_t0.5", temperature=0.5, dist=DIST_COS),
        pml_ntxent_record("pml_ntxent_lp_t0.1", temperature=0.1, dist=DIST_LP),
        pml_ntxent_record("pml_ntxent_cos_t0.2_sum", temperature=0.2, reducer="SumReducer"),
        pml_ntxent_record("pml_ntxent_cos_t0.1_avgnonzero", temperature=0.1, reducer="AvgNonZeroReducer"),
    ]


def own_records():
    return [mnrl_record("mnrl_cos_s10", scale=10.0), bhsm_record("batch_hard_soft_margin_norm", normalize=True)]


def explicit_records():
    return [
        torch_tml_record("torch_tml_explicit_p1_m1", p=1),
        torch_tml_record("torch_tml_explicit_p1_m1_swap", p=1, swap=True),
        torch_tml_record("torch_tml_explicit_p3_m1", p=3),
        torch_tml_record("torch_tml_explicit_p3_m1_swap", p=3, swap=True),
        torch_tml_record("torch_tml_explicit_m1_sum", reduction="sum"),
        torch_tml_record("torch_tml_explicit_p1_m0.2_swap_sum", p=1, margin=0.2, swap=True, reduction="sum"),
    ]


def every_record():
    return explicit_records() + triplet_records() + pair_records() + own_records()



# --------------------------------------------------------------------------------------------------
# Conditioning: a Float32 implementation can only reproduce a float64 reference whose discrete
# decisions (which triplets a miner keeps, which hinge is active, which positive is the hardest) are
# not near-ties. For each record, every decision quantity is compared with its threshold in float64;
# a batch is accepted only when the smallest gap, relative to the largest |entry| of the distance
# matrix it is read from, is at least MIN_RELATIVE_GAP (exact ties between duplicated rows, gap == 0
# exactly, are allowed: they are exact in Float32 too). Otherwise the next seed is tried.

MIN_RELATIVE_GAP = 1e-6
# The B=160 batch is 80 classes x 2, so it has 25,280 valid triplets (16 classes x 10 would have 216,000,
# and then a gap of 1e-6 is out of reach: only about 3e-7, too close to float32's own error of 1.9e-7 on
# the Gram path, so a BLAS kernel of another CPU could flip a mined triplet).
MIN_RELATIVE_GAP_BIG = 1e-6


def _matrix(spec, x):
    d = make_distance(spec)
    with exact_cdist():
        return d(x)


def _top2_gap(mat, mask, largest):
    """Per row, |best - second best| over the masked entries (rows with < 2 entries ignored)."""
    fill = float("-inf") if largest else float("inf")
    v = torch.where(mask, mat, torch.tensor(fill, dtype=mat.dtype))
    top = torch.topk(v, 2, dim=1, largest=largest).values
    ok = mask.sum(1) >= 2
    return (top[ok, 0] - top[ok, 1]).abs()


def decision_gaps(builder, x, labels):
    """(smallest relative gap, what) of one record's discrete decisions on the float64 batch."""
    params = builder.params
    gaps = []

    def add(values, threshold, scale, what):
        g = (values - threshold).abs()
        g = g[g > 0]  # exact ties (duplicates) are exact in Float32 too
        if len(g):
            gaps.append((float(g.min()) / scale, what))

    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos, neg = same & ~eye, ~same
    if "smooth_loss" in params:  # pml.TripletMarginLoss
        spec = params["distance"]
        mat = _matrix(spec, x)
        scale = float(mat.abs().max())
        sim = is_similarity(spec)
        a, p, n = lmu.get_all_triplets_indices(labels)
        ap, an = mat[a, p], mat[a, n]
        m = ap - an if sim else an - ap
        miner = params["miner"]
        if miner is not None and miner["type"] == "TripletMarginMiner":
            add(m, 0.0, scale, "miner m_t vs 0")
            add(m, miner["margin"], scale, f"miner m_t vs {miner['margin']}")
        if miner is not None and miner["type"] == "BatchEasyHardMiner":
            add(m, 0.0, scale, "positive vs negative of an anchor")
            for mask in (pos, neg):
                add(_top2_gap(mat, mask, largest=True), 0.0, scale, "best vs second best")
                add(_top2_gap(mat, mask, largest=False), 0.0, scale, "best vs second best")
            for r in (miner["allowed_pos_range"], miner["allowed_neg_range"]):
                if r is not None:
                    add(mat[pos | neg], r[0], scale, "range")
                    add(mat[pos | neg], r[1], scale, "range")
        if miner is not None and miner["type"] == "BatchHardMiner":
            add(_top2_gap(mat, pos, largest=not sim), 0.0, scale, "hardest positive")
            add(_top2_gap(mat, neg, largest=sim), 0.0, scale, "hardest negative")
        if miner is not None:  # the hinge and the swap only see the mined triplets
            a, p, n = as_triplets(make_miner(miner, make_distance(spec))(x, labels), labels)
            ap, an = mat[a, p], mat[a, n]
            m = ap - an if sim else an - ap
        if not params["smooth_loss"]:
            add(m, params["margin"], scale, "hinge")
        if params["swap"]:
            pn = mat[p, n]
            add(an, pn, scale, "swap choice")
            ms = ap - torch.maximum(an, pn) if sim else torch.minimum(an, pn) - ap
            if not params["smooth_loss"]:
                add(ms, params["margin"], scale, "swapped hinge")
    elif "pos_margin" in params:  # pml.ContrastiveLoss
        spec = params["distance"]
        mat = _matrix(spec, x)
        scale = float(mat.abs().max())
        add(mat[pos], float(params["pos_margin"]), scale, "positive hinge")
        add(mat[neg], float(params["neg_margin"]), scale, "negative hinge")
        if "miner" in params:
            eps = params["miner"]["epsilon"]
            inf = torch.tensor(float("inf"), dtype=mat.dtype)
            if is_similarity(spec):
                hardest_neg = torch.where(neg, mat, -inf).max(1).values
                hardest_pos = torch.where(pos, mat, inf).min(1).values
                add((mat - eps)[pos], hardest_neg.unsqueeze(1).expand_as(mat)[pos], scale, "MS positive")
                add((mat + eps)[neg], hardest_pos.unsqueeze(1).expand_as(mat)[neg], scale, "MS negative")
            else:
                hardest_neg = torch.where(neg, mat, inf).min(1).values
                hardest_pos = torch.where(pos, mat, -inf).max(1).values
                add((mat + eps)[pos], hardest_neg.unsqueeze(1).expand_as(mat)[pos], scale, "MS positive")
                add((mat - eps)[neg], hardest_pos.unsqueeze(1).expand_as(mat)[neg], scale, "MS negative")
    elif params.get("normalize") is not None and "distance" in params:  # BatchHardSoftMargin
        y = F.normalize(x, p=2, dim=1, eps=1e-12) if params["normalize"] else x
        mat = _ORIGINAL_CDIST(y, y, compute_mode="donot_use_mm_for_euclid_dist")
        scale = float(mat.abs().max())
        add(_top2_gap(mat, pos, largest=True), 0.0, scale, "hardest positive")
        add(_top2_gap(mat, neg, largest=False), 0.0, scale, "hardest negative")
    return min(gaps) if gaps else (float("inf"), "")

# --------------------------------------------------------------------------------------------------
# Batches

def gen_embeddings(seed, b, d):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, d, generator=g, dtype=torch.float64)
    return np.round(x.numpy(), 4)


def batch_random(cid, seed, b, d, c, note):
    rng = np.random.default_rng(seed)
    while True:
        labels = rng.integers(0, c, size=b)
        _, counts = np.unique(labels, return_counts=True)
        if len(counts) == c and counts.max() >= 2:
            break
    return dict(id=cid, B=b, D=d, n_classes=c, seed=seed, note=note,
                embeddings=gen_embeddings(seed, b, d), labels=labels.tolist())


def batch_pk(cid, seed, p, k, d, note):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(p), k))
    return dict(id=cid, B=p * k, D=d, n_classes=p, seed=seed, note=note,
                embeddings=gen_embeddings(seed, p * k, d), labels=labels.tolist())


def batch_edge_dup(cid, seed):
    e = gen_embeddings(seed, 8, 16)
    labels = [0, 0, 0, 1, 1, 1, 2, 2]
    e[1] = e[0]   # same class duplicate: zero positive distance
    e[5] = e[0]   # different class duplicate of x0: zero negative distance (anchor 0/1 vs negative 5)
    e[7] = e[6]   # class 2 has only these two: their only positive is at distance 0
    note = ("duplicate embeddings: x1==x0 (same class), x5==x0 (class 1 vs class 0: zero negative distance for "
            "anchors 0 and 1, and a three-way tie between x0, x1, x5), x7==x6 (class 2 has only these two -> zero "
            "positive distance). B<=25 so torch.cdist uses the exact (non-matmul) path and zero distances are "
            "exactly 0. Rounding-sensitive by construction: in pml_contrastive_cos_pos1_neg0 the duplicated positive "
            "pairs have s_ij = <x_hat_i, x_hat_i> = 1 up to the last bit against pos_margin = 1, so whether "
            "pos_l = relu(1 - s_ij) is > 0, and counted by AvgNonZero, depends on rounding (see loss_f32: torch "
            "float32 gets s = 1 - 2^-23 where float64 gets exactly 1).")
    return dict(id=cid, B=8, D=16, n_classes=3, seed=seed, note=note, embeddings=e, labels=labels)


BIG_TML_A = ["pml_tml_m0.05_swap_tmm_semihard", "pml_tml_cos_m0.05_tmm_hard0.1", "pml_tml_lpraw_m1_batchhard",
             "pml_tml_mean_m0.05_tmm_semihard", "pml_tml_m0.05_tmm0.3_hard", "pml_tml_smooth_m0.05_tmm_all",
             "pml_tml_cos_m0.05_batchhard"]
BIG_TML_B = ["pml_tml_sum_m0.05_tmm_semihard", "pml_tml_sq_m0.1_tmm_hard0.2", "pml_tml_dotraw_m0.5_batchhard",
             "pml_tml_lpraw_m1_tmm_semihard0.5", "pml_tml_cos_m0.2_swap_tmm_semihard", "pml_tml_m0.05_tmm0.1_easy",
             "pml_tml_m0.05_tmm0.1_all"]
BIG_PAIR = ["pml_contrastive_pos0.1_neg0.8", "pml_contrastive_cos_pos1_neg0", "pml_contrastive_mean_pos0_neg1",
            "pml_contrastive_sum_pos0_neg1", "pml_ntxent_cos_t0.5", "pml_ntxent_lp_t0.1"]


def cases():
    """(batch factory: seed -> batch, first seed, smallest relative decision gap, [(file id, record builders)])."""
    every = every_record()
    by_name = {b.record_name: b for b in every}
    big_note = ("B=160, D=128, 80 classes x 2 (shuffled): B*B*D > 2^21, large enough for TripletKit's BLAS (Gram) "
                "distance path; the same batch is split over three files (own_b160_d128_pk80x2_*) to keep each small")
    return [
        (lambda seed: batch_random("own_b12_d5_c3", seed, 12, 5, 3, "small, 5-D, 3 random classes"), 11000, MIN_RELATIVE_GAP,
         [("own_b12_d5_c3", every)]),
        (lambda seed: batch_pk("own_b40_d32_pk10x4", seed, 10, 4, 32,
                               "PK batch: 10 classes x 4 samples (shuffled); B > 25 so torch.cdist takes its "
                               "matmul path"), 12000, MIN_RELATIVE_GAP,
         [("own_b40_d32_pk10x4", every)]),
        (lambda seed: batch_edge_dup("own_edge_dup_b8_d16", seed), 13000, MIN_RELATIVE_GAP,
         [("own_edge_dup_b8_d16", every)]),
        (lambda seed: batch_pk("own_b160_d128_pk80x2", seed, 80, 2, 128, big_note), 14000, MIN_RELATIVE_GAP_BIG,
         [("own_b160_d128_pk80x2_tml_a", [by_name[n] for n in BIG_TML_A]),
          ("own_b160_d128_pk80x2_tml_b", [by_name[n] for n in BIG_TML_B]),
          ("own_b160_d128_pk80x2_pair", [by_name[n] for n in BIG_PAIR])]),
    ]


def well_conditioned_batch(factory, seed, builders, min_gap=MIN_RELATIVE_GAP, max_tries=3000, verbose=False):
    """The first batch from seed, seed+1, ... whose records have no near-tie decision (see MIN_RELATIVE_GAP)."""
    for s in range(seed, seed + max_tries):
        batch = factory(s)
        x = torch.tensor(batch["embeddings"], dtype=torch.float64)
        labels = torch.tensor(batch["labels"], dtype=torch.long)
        worst = (float("inf"), "")
        for b in builders:
            gap, what = decision_gaps(b, x, labels)
            if gap < worst[0]:
                worst = (gap, f"{b.record_name}: {what}")
            if gap < min_gap:
                break
        if verbose:
            print(f"  seed {s}: smallest relative decision gap {worst[0]:.3g} ({worst[1]})", file=sys.stderr)
        if worst[0] >= min_gap:
            batch["note"] += (f" Seed {s}: the first from {seed} whose decisions (mined sets, active hinges, "
                              f"hardest pairs) have no near-tie: smallest relative gap {worst[0]:.2g} "
                              f"(>= {min_gap:g}).")
            return batch
    raise RuntimeError(f"no well-conditioned batch in seeds {seed}..{seed + max_tries - 1}")


def build_file(batch, file_id, builders, out_dir):
    emb = torch.tensor(batch["embeddings"], dtype=torch.float64)
    labels = torch.tensor(batch["labels"], dtype=torch.long)
    triplets = explicit_triplets(labels, batch["seed"] + 1, 2 * batch["B"])
    records = []
    for builder in builders:
        if getattr(builder, "explicit", False):
            records.append(builder(emb, labels, triplets))
        else:
            records.append(builder(emb, labels))
    case = {k: batch[k] for k in ("id", "B", "D", "n_classes", "seed", "note")}
    case["id"] = file_id
    case["embeddings"] = [[float(v) for v in row] for row in batch["embeddings"]]
    case["labels"] = [int(v) for v in batch["labels"]]
    doc = {"generator": "Benchmarks/reference/conformance_cases.py",
           "versions": {"torch": torch.__version__, "pytorch_metric_learning": pytorch_metric_learning.__version__,
                        "numpy": np.__version__},
           "dtype_of_reference": "float64 (loss, grad); loss_f32 = same call in float32",
           "grad_significant_digits": GRAD_DIGITS,
           "case": case, "records": records}
    path = os.path.join(out_dir, file_id + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
    return path, len(records)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="*", help="case ids to (re)write")
    ap.add_argument("--verbose", action="store_true", help="print each seed tried")
    args = ap.parse_args(argv)
    if torch.__version__.split("+")[0] != "2.13.0" or pytorch_metric_learning.__version__ != "2.9.0":
        print(f"warning: reference versions are torch 2.13.0 / PML 2.9.0, found {torch.__version__} / "
              f"{pytorch_metric_learning.__version__}", file=sys.stderr)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    for factory, seed, min_gap, files in cases():
        if args.only and not any(fid in args.only for fid, _ in files):
            continue
        builders = [b for _, bs in files for b in bs]
        batch = well_conditioned_batch(factory, seed, builders, min_gap, verbose=args.verbose)
        for fid, bs in files:
            path, n = build_file(batch, fid, bs, args.out)
            print(f"{path}: {n} records, {os.path.getsize(path)} bytes (seed {batch['seed']})")


if __name__ == "__main__":
    main()
