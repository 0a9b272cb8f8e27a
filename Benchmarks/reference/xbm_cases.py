#!/usr/bin/env python3
"""Generator of TripletKit's own cross-batch memory cases (variants the shared cases-xbm do not cover).

Writes sequence cases in the schema of ../shared/conformance/SCHEMA.md ("Cross-batch memory") into
Tests/TripletLossesTests/Conformance/cases-xbm/own_<id>.json. The values come from
pytorch-metric-learning's CrossBatchMemory itself, run in float64 on embeddings rounded to 4 decimals;
the same sequence is repeated in float32 and a case is kept only when both mine the same rows (otherwise
the next seed is tried). Covered beyond the shared cases: memory sizes that the batch size does not
divide and that equal it, the margin miner's other types, triplet miners under pair losses (pairs
counted once per triplet), a pair miner under the triplet loss (pairs turned into triplets), other
margins and temperatures, and a one-class batch.

Needs: pip install "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0
Run (from the repository root): python3 Benchmarks/reference/xbm_cases.py [--out DIR]
Never edit the generated files by hand: change this script and run it again.
"""

import argparse
import hashlib
import json
import os
import struct

import numpy as np
import torch

from pytorch_metric_learning import losses as pml_losses
from pytorch_metric_learning import miners as pml_miners

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(
    os.path.join(HERE, "..", "..", "Tests", "TripletLossesTests", "Conformance", "cases-xbm"))
INLINE_MAX = 300

FORMULA = (
    "PML 2.9 CrossBatchMemory(loss, D, memory_size, miner), one fresh memory per record, the case's batches fed "
    "in order: each batch is written into the ring at queue_idx.. (mod memory_size); references are the filled "
    "rows in ring order; the miner runs on (batch, labels, references, reference labels), else all pairs; pairs "
    "or triplets of an anchor with its own ring slot are removed after mining; the inner loss uses L2-normalised "
    "embeddings on both sides and no gradient reaches the references. Mined indices: a = batch row, "
    "p, n, r = ring slots.")


class RecordingMemory(pml_losses.CrossBatchMemory):
    """CrossBatchMemory that keeps the indices tuple it mined (after self-comparison removal)."""

    def create_indices_tuple(self, *args, **kwargs):
        self.mined = super().create_indices_tuple(*args, **kwargs)
        return self.mined


def make_loss(p):
    if p["loss"] == "TripletMarginLoss":
        return pml_losses.TripletMarginLoss(margin=p["margin"])
    if p["loss"] == "ContrastiveLoss":
        return pml_losses.ContrastiveLoss(pos_margin=p["pos_margin"], neg_margin=p["neg_margin"])
    if p["loss"] == "NTXentLoss":
        return pml_losses.NTXentLoss(temperature=p["temperature"])
    raise ValueError(p["loss"])


def make_miner(p):
    name = p["miner"]
    if name == "none":
        return None
    if name == "TripletMarginMiner":
        return pml_miners.TripletMarginMiner(margin=p["miner_margin"], type_of_triplets=p["type_of_triplets"])
    if name == "BatchHardMiner":
        return pml_miners.BatchHardMiner()
    if name == "MultiSimilarityMiner":
        return pml_miners.MultiSimilarityMiner(epsilon=p["epsilon"])
    raise ValueError(name)


def rows_of(mined):
    """The mined tuple as sorted rows: ("triplets", rows) or ("pairs", positive rows, negative rows)."""
    as_rows = lambda *cols: sorted(map(list, zip(*[c.tolist() for c in cols])))
    if len(mined) == 3:
        return {"triplets": as_rows(*mined)}
    return {"pos_pairs": as_rows(mined[0], mined[1]), "neg_pairs": as_rows(mined[2], mined[3])}


def sha256(rows):
    return hashlib.sha256(b"".join(struct.pack("<i", v) for row in rows for v in row)).hexdigest()


def run(params, D, steps, dtype):
    torch.manual_seed(0)
    memory = RecordingMemory(make_loss(params), D, memory_size=params["memory_size"], miner=make_miner(params))
    out = []
    for step in steps:
        x = torch.tensor(step["embeddings"], dtype=dtype, requires_grad=True)
        loss = memory(x, torch.tensor(step["labels"]))
        if loss.requires_grad:
            loss.backward()
        grad = x.grad if x.grad is not None else torch.zeros_like(x)
        out.append((float(loss.detach()), grad.detach().numpy(), rows_of(memory.mined)))
    return out


def records_for(case_steps, D, memory_size, variants):
    records = []
    for name, params in variants:
        params = dict(params, memory_size=memory_size)
        ref64 = run(params, D, case_steps, torch.float64)
        ref32 = run(params, D, case_steps, torch.float32)
        steps = []
        for (loss, grad, mined), (loss32, grad32, mined32) in zip(ref64, ref32):
            if mined != mined32:
                return None
            step = {"loss": loss, "grad": grad.tolist(), "loss_f32": loss32,
                    "grad_f32_max_abs_err": float(np.max(np.abs(grad - grad32))) if grad.size else 0.0}
            for key, rows in mined.items():
                step[key] = rows if len(rows) <= INLINE_MAX else None
                step[key + "_count"] = len(rows)
                step[key + "_sha256"] = sha256(rows)
            steps.append(step)
        records.append({"name": f"{name}-m{memory_size}", "family": "pml.CrossBatchMemory", "formula": FORMULA,
                        "params": params, "steps": steps})
    return records


VARIANTS = [
    ("xbm-triplet-hard", {"loss": "TripletMarginLoss", "margin": 0.2, "miner": "TripletMarginMiner",
                          "miner_margin": 0.2, "type_of_triplets": "hard"}),
    ("xbm-triplet-easy", {"loss": "TripletMarginLoss", "margin": 0.3, "miner": "TripletMarginMiner",
                          "miner_margin": 0.1, "type_of_triplets": "easy"}),
    ("xbm-triplet-all-mined", {"loss": "TripletMarginLoss", "margin": 0.1, "miner": "TripletMarginMiner",
                               "miner_margin": 0.3, "type_of_triplets": "all"}),
    ("xbm-triplet-margin05", {"loss": "TripletMarginLoss", "margin": 0.5, "miner": "none"}),
    ("xbm-triplet-multisimilarity", {"loss": "TripletMarginLoss", "margin": 0.2, "miner": "MultiSimilarityMiner",
                                     "epsilon": 0.2}),
    ("xbm-contrastive-batch-hard", {"loss": "ContrastiveLoss", "pos_margin": 0.0, "neg_margin": 1.0,
                                    "miner": "BatchHardMiner"}),
    ("xbm-contrastive-semihard", {"loss": "ContrastiveLoss", "pos_margin": 0.1, "neg_margin": 0.9,
                                  "miner": "TripletMarginMiner", "miner_margin": 0.2, "type_of_triplets": "semihard"}),
    ("xbm-contrastive-margins", {"loss": "ContrastiveLoss", "pos_margin": 0.2, "neg_margin": 0.7, "miner": "none"}),
    ("xbm-ntxent-semihard", {"loss": "NTXentLoss", "temperature": 0.1, "miner": "TripletMarginMiner",
                             "miner_margin": 0.2, "type_of_triplets": "semihard"}),
    ("xbm-ntxent-multisimilarity", {"loss": "NTXentLoss", "temperature": 0.2, "miner": "MultiSimilarityMiner",
                                    "epsilon": 0.1}),
    ("xbm-ntxent-batch-hard", {"loss": "NTXentLoss", "temperature": 0.5, "miner": "BatchHardMiner"}),
    ("xbm-ntxent-t05", {"loss": "NTXentLoss", "temperature": 0.5, "miner": "none"}),
]

# (id, B, D, classes, memory size, steps, first batch's labels or None)
CASES = [
    ("b6_d5_c2_m15", 6, 5, 2, 15, 6, None),       # the batch does not divide the memory: the ring wraps mid-batch
    ("b10_d8_c5_m10", 10, 8, 5, 10, 4, None),     # memory size = batch size: only the current batch
    ("b16_d12_c4_m40", 16, 12, 4, 40, 5, None),   # longer lists: count + SHA-256
    ("b4_d3_c2_m8", 4, 3, 2, 8, 4, [1, 1, 1, 1]),  # a one-class first batch: no negative anywhere
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for cid, B, D, C, M, n_steps, first in CASES:
        for seed in range(1000, 1100):
            rng = np.random.default_rng(seed)
            steps = []
            for s in range(n_steps):
                labels = first if (s == 0 and first) else rng.integers(0, C, B).tolist()
                x = np.round(rng.normal(size=(B, D)), 4)
                steps.append({"embeddings": x.tolist(), "labels": [int(v) for v in labels]})
            records = records_for(steps, D, M, VARIANTS)
            if records is not None:
                break
        else:
            raise SystemExit(f"{cid}: no seed where float32 and float64 mine the same rows")
        case = {"id": f"own_xbm_{cid}", "B": B, "D": D, "n_classes": C, "seed": seed, "memory_size": M,
                "note": "generated by Benchmarks/reference/xbm_cases.py", "steps": steps}
        path = os.path.join(args.out, f"own_xbm_{cid}.json")
        with open(path + ".tmp", "w") as f:
            json.dump({"case": case, "records": records}, f)
        os.replace(path + ".tmp", path)
        print(f"{path}: seed {seed}, {len(records)} records")


if __name__ == "__main__":
    main()
