#!/usr/bin/env python3
"""Reference trainer: a triplet-loss embedding network on Fashion-MNIST in PyTorch + PML.

TripletKit's Swift trainer runs the same recipe; this script gives the numbers
(throughput, P@1, MAP@R) and the file format (safetensors state_dict) to match.

Recipe
  model     mlp:     Flatten, Linear(784,256), ReLU, Linear(256,64), then L2-normalise
            convnet: Conv2d(1,32,3), ReLU, MaxPool2d(2), Conv2d(32,64,3), ReLU, MaxPool2d(2),
                     Flatten, Linear(1600,128), ReLU, Linear(128,64), then L2-normalise
            (held as `self.layers`, so keys are "layers.<i>.weight" / "layers.<i>.bias")
  inputs    x/255, standardised with mean 0.2860, std 0.3530, shape [N,1,28,28]
  batches   P x K: P = batch-size / samples-per-class classes, K samples each. Every
            epoch each class's indices are shuffled (seeded numpy generator), cut into
            chunks of K, a short last chunk is topped up with random other samples of
            that class, and batches take P chunks of distinct classes, drawn at random
            weighted by each class's remaining chunks. When fewer than P classes still
            have chunks, the batch is completed with fresh random chunks of other
            classes, so every training sample is seen once per epoch (60000/256 -> 235).
  loss      PML TripletMarginLoss(margin=0.2) (LpDistance normalised, AvgNonZeroReducer)
            with TripletMarginMiner(margin=0.2, type_of_triplets=semihard|all|hard|easy)
            or BatchHardMiner(); Adam, lr 1e-3.
  metrics   after each epoch, on the 10k test set as both query and reference, self
            excluded: precision@1 and MAP@R (R = other test samples of the query's
            class = 999), computed exactly with float64 torch.cdist in chunks + topk,
            with PML AccuracyCalculator semantics (--check-pml cross-checks the last
            epoch against AccuracyCalculator, which uses faiss when installed).
  timing    images/s over the training loop only (batch sampling, gathering, forward,
            mining, loss, backward, Adam), not data loading or evaluation.

Needs: pip install "torch==2.13.0+cpu" pytorch-metric-learning==2.9.0 safetensors
       (optional, for --check-pml: pip install faiss-cpu)

Run:
    python3 Benchmarks/reference/fmnist_train.py --model mlp --miner semihard \
        --epochs 5 --threads 2 --out bench-out/pt-mlp-semihard --json
    python3 Benchmarks/reference/fmnist_train.py --model convnet --miner batch-hard \
        --threads 2 --json                       # ConvNet defaults to 3 epochs

Load a model saved by TripletKit (DIR/model.safetensors, PyTorch key names) into the
equivalent PyTorch module (strict), embed the first 1000 test images and, when
DIR/embeddings.npy exists (float32 [1000,64], written by TripletKit), compare:
    python3 Benchmarks/reference/fmnist_train.py --check-load DIR --model mlp
It prints PASS when the max abs difference is <= 1e-5 (exit status 1 otherwise).
Add --check-pml to also evaluate the loaded model on the whole test set, with this
script's P@1 / MAP@R and PML's AccuracyCalculator side by side.
"""

import argparse
import gzip
import json
import os
import sys
import time

MEAN, STD = 0.2860, 0.3530
MINERS = ["semihard", "batch-hard", "all", "hard", "easy"]
DEFAULT_EPOCHS = {"mlp": 5, "convnet": 3}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["mlp", "convnet"], default="mlp")
    p.add_argument("--miner", choices=MINERS, default="semihard")
    p.add_argument("--loss", choices=["triplet-margin"], default="triplet-margin")
    p.add_argument("--margin", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=None, help="default: mlp 5, convnet 3")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--samples-per-class", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--architecture", metavar="FILE", default=None,
                   help="a TripletKit architecture file (JSON layer list) instead of --model, built by "
                        "sidecar_module.py into the equivalent torch module")
    p.add_argument("--weight-decay", type=float, default=0.0, help="with --optimizer adamw: decoupled weight decay")
    p.add_argument("--optimizer", choices=["adam", "adamw"], default="adam")
    p.add_argument("--ce-weight", type=float, default=0.0,
                   help="triplet + cross-entropy: a linear classification head on the embedding, its "
                        "cross-entropy times this weight added to the loss (TripletKit's --loss triplet-margin+ce)")
    p.add_argument("--augment-pad", type=int, default=0,
                   help="zero-pad each training image by this many pixels and crop back at a random place "
                        "(TripletKit's --augment-pad)")
    p.add_argument("--schedule", choices=["constant", "cosine"], default="constant",
                   help="cosine: CosineAnnealingLR over all the run's steps, stepped after every batch "
                        "(TripletKit's --schedule cosine)")
    p.add_argument("--augment-flip", action="store_true",
                   help="flip each training image left to right with probability 1/2 (TripletKit's --augment-flip)")
    p.add_argument("--exact-distances", action="store_true",
                   help="make torch.cdist (PML's LpDistance) compute every distance from differences instead of "
                        "through the Gram matrix, whose float32 cancellation makes close pairs noisy")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="folder with the four Fashion-MNIST IDX .gz files")
    p.add_argument("--out", default=None, help="write metrics.json and model.safetensors here")
    p.add_argument("--json", action="store_true", help="end with one JSON line of results")
    p.add_argument("--check-pml", action="store_true",
                   help="cross-check the last evaluation (or, with --check-load, the loaded "
                        "model's) with PML's AccuracyCalculator")
    p.add_argument("--check-load", metavar="DIR", default=None,
                   help="load DIR/model.safetensors, embed 1000 test images, compare with "
                        "DIR/embeddings.npy if present; no training")
    p.add_argument("--check-count", type=int, default=1000)
    p.add_argument("--write-embeddings", metavar="FILE.npy", default=None,
                   help="with --check-load: save the PyTorch embeddings as float32 .npy")
    args = p.parse_args(argv)
    if args.epochs is None:
        args.epochs = DEFAULT_EPOCHS[args.model]
    if args.batch_size % args.samples_per_class:
        p.error("--batch-size must be a multiple of --samples-per-class")
    return args


# ---------------------------------------------------------------- data

def read_idx(path):
    """An IDX file (gzip or plain) as a numpy array of its declared shape."""
    import numpy as np
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = data[0] * 256 + data[1], data[2], data[3]
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(folder, split):
    import torch
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype("float32")).div_(255.0).sub_(MEAN).div_(STD)
    return x.unsqueeze(1).contiguous(), torch.from_numpy(labels.astype("int64"))


# ---------------------------------------------------------------- model

def build_model(kind):
    import torch.nn as nn
    import torch.nn.functional as F

    class Embedder(nn.Module):
        def __init__(self, layers):
            super().__init__()
            self.layers = layers

        def forward(self, x):
            return F.normalize(self.layers(x), p=2, dim=1)

    if kind == "mlp":
        layers = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64))
    else:
        layers = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 64))
    return Embedder(layers)


def embed(model, x, batch=1000):
    import torch
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    model.train(was_training)
    return out


# ---------------------------------------------------------------- P x K sampler

class PKSampler:
    """Epochs of P x K batches covering every sample once (see the module docstring)."""

    def __init__(self, labels_np, P, K, seed):
        import numpy as np
        self.np = np
        self.P, self.K = P, K
        self.rng = np.random.default_rng(seed)
        self.classes = np.unique(labels_np)
        if len(self.classes) < P:
            raise ValueError(f"{P} classes per batch but only {len(self.classes)} labels")
        self.members = {int(c): np.flatnonzero(labels_np == c) for c in self.classes}
        for c, m in self.members.items():
            if len(m) < K:
                raise ValueError(f"class {c} has {len(m)} samples, fewer than K={K}")

    def _chunks(self, c):
        np, K, rng = self.np, self.K, self.rng
        idx = self.members[c][rng.permutation(len(self.members[c]))]
        chunks = [idx[i:i + K] for i in range(0, len(idx), K)]
        short = K - len(chunks[-1])
        if short:  # top up with distinct random samples of the class not in this chunk
            extra = rng.choice(idx[:len(idx) - len(chunks[-1])], size=short, replace=False)
            chunks[-1] = np.concatenate([chunks[-1], extra])
        return chunks

    def epoch(self):
        np, P, rng = self.np, self.P, self.rng
        remaining = {int(c): self._chunks(int(c)) for c in self.classes}
        batches = []
        while True:
            avail = np.array([c for c in remaining if remaining[c]])
            if len(avail) == 0:
                break
            if len(avail) >= P:
                w = np.array([len(remaining[c]) for c in avail], dtype=np.float64)
                chosen = rng.choice(avail, size=P, replace=False, p=w / w.sum())
                parts = [remaining[int(c)].pop() for c in chosen]
            else:
                parts = [remaining[int(c)].pop() for c in avail]
                others = np.array([c for c in self.classes if c not in set(avail.tolist())])
                for c in rng.choice(others, size=P - len(avail), replace=False):
                    parts.append(rng.choice(self.members[int(c)], size=self.K, replace=False))
            batches.append(np.concatenate(parts))
        return batches


# ---------------------------------------------------------------- evaluation

def knn_metrics(emb, labels, chunk=1000):
    """Exact P@1 and MAP@R, query = reference = emb, self excluded (PML semantics)."""
    import torch
    e = emb.double()
    n = len(e)
    counts = torch.bincount(labels)
    r_all = counts[labels] - 1                      # other samples of the query's class
    k = int(r_all.max())
    ranks = torch.arange(1, k + 1, dtype=torch.float64)
    p1_sum, ap_sum, n_valid = 0.0, 0.0, 0
    for s in range(0, n, chunk):
        q = e[s:s + chunk]
        d = torch.cdist(q, e)
        rows = torch.arange(len(q))
        d[rows, rows + s] = float("inf")
        _, idx = d.topk(k, dim=1, largest=False, sorted=True)
        same = labels[idx] == labels[s:s + chunk, None]
        r = r_all[s:s + chunk]
        valid = r > 0                                # lone queries are skipped, as in PML
        eq = same & (torch.arange(k)[None, :] < r[:, None])
        prec = (eq.cumsum(1) * eq).double() / ranks
        ap = prec.sum(1) / r.clamp(min=1).double()
        p1_sum += float(same[valid, 0].double().sum())
        ap_sum += float(ap[valid].sum())
        n_valid += int(valid.sum())
    return p1_sum / n_valid, ap_sum / n_valid


def pml_metrics(emb, labels, threads):
    """PML AccuracyCalculator twice: default kNN (faiss IndexFlatL2 when installed, else
    torch; both float32) and an exact float64 kNN plugged in as its knn_func.

    AccuracyCalculator casts embeddings to float32, and float32 ||q||^2+||r||^2-2q.r
    cannot order neighbours whose squared distances are ~1e-6 apart, which happens
    when training (batch-hard especially) packs the embeddings tightly. The float64
    variant checks this script's metric semantics with the neighbour order fixed.
    """
    import torch
    from pytorch_metric_learning.utils.accuracy_calculator import AccuracyCalculator
    from pytorch_metric_learning.utils.inference import return_results

    knn = "faiss"
    try:
        import faiss
        faiss.omp_set_num_threads(threads)
    except ImportError:
        knn = "torch (faiss not installed)"

    def exact_knn(query, k, reference, ref_includes_query=False, chunk=1000):
        if ref_includes_query:
            k = k + 1
        ds, ids = [], []
        r = reference.double()
        for s in range(0, len(query), chunk):
            d, i = torch.cdist(query[s:s + chunk].double(), r).topk(k, dim=1, largest=False)
            ds.append(d)
            ids.append(i)
        return return_results(torch.cat(ds), torch.cat(ids), ref_includes_query)

    out = {}
    for name, knn_func in ((knn, None), ("exact float64", exact_knn)):
        calc = AccuracyCalculator(include=("precision_at_1", "mean_average_precision_at_r"),
                                  exclude=(), k="max_bin_count", device=torch.device("cpu"),
                                  knn_func=knn_func)
        acc = calc.get_accuracy(emb, labels)
        out[name] = {"p_at_1": float(acc["precision_at_1"]),
                     "map_at_r": float(acc["mean_average_precision_at_r"])}
    return out


def pml_check(emb, labels, threads, p1, mapr, log):
    checks = pml_metrics(emb, labels, threads)
    for name, c in checks.items():
        c["agree_1e-6"] = abs(c["p_at_1"] - p1) <= 1e-6 and abs(c["map_at_r"] - mapr) <= 1e-6
        log(f"PML AccuracyCalculator, {name} kNN: P@1 {c['p_at_1']:.6f} (ours {p1:.6f}), "
            f"MAP@R {c['map_at_r']:.6f} (ours {mapr:.6f}) -> "
            f"{'agree' if c['agree_1e-6'] else 'DIFFER'}")
    return checks


# ---------------------------------------------------------------- modes

def set_threads(n):
    import torch
    torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:
        pass
    return torch.get_num_threads()


def check_load(args):
    import numpy as np
    import torch
    from safetensors.torch import load_file

    set_threads(args.threads)
    model = build_model(args.model)
    path = os.path.join(args.check_load, "model.safetensors")
    state = load_file(path)
    model.load_state_dict(state, strict=True)
    print(f"loaded {path}: " + ", ".join(f"{k} {tuple(v.shape)} {str(v.dtype).split('.')[-1]}"
                                         for k, v in state.items()), flush=True)
    x, y = load_split(args.data, "test")
    if args.check_pml:
        emb_all = embed(model, x)
        p1, mapr = knn_metrics(emb_all, y)
        print(f"test set (10k, self excluded): P@1 {p1:.6f}, MAP@R {mapr:.6f}", flush=True)
        pml_check(emb_all, y, args.threads, p1, mapr, print)
    emb = embed(model, x[:args.check_count])
    norms = emb.norm(dim=1)
    print(f"embedded {tuple(emb.shape)} test images; L2 norms in "
          f"[{float(norms.min()):.6f}, {float(norms.max()):.6f}]", flush=True)
    if args.write_embeddings:
        np.save(args.write_embeddings, emb.numpy().astype(np.float32))
        print(f"wrote {args.write_embeddings}")
    ref_path = os.path.join(args.check_load, "embeddings.npy")
    if not os.path.exists(ref_path):
        print(f"no {ref_path}; load check only (strict state_dict load succeeded)")
        return 0
    ref = torch.from_numpy(np.load(ref_path).astype(np.float32))
    if ref.shape != emb.shape:
        print(f"FAIL: {ref_path} has shape {tuple(ref.shape)}, expected {tuple(emb.shape)}")
        return 1
    diff = float((ref - emb).abs().max())
    ok = diff <= 1e-5
    print(f"max abs difference vs {ref_path}: {diff:.3e} -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def train(args):
    t_start = time.perf_counter()
    import numpy as np
    import torch
    from pytorch_metric_learning import losses, miners, reducers

    threads = set_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.exact_distances:
        cdist = torch.cdist
        torch.cdist = lambda a, b, p=2.0, compute_mode=None: cdist(a, b, p, compute_mode="donot_use_mm_for_euclid_dist")

    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "test")
    K = args.samples_per_class
    P = args.batch_size // K
    sampler = PKSampler(y_train.numpy(), P, K, args.seed)

    if args.architecture:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from sidecar_module import build
        model = build(json.load(open(args.architecture)))
    else:
        model = build_model(args.model)
    params = list(model.parameters())
    head = None
    if args.ce_weight > 0:
        model.eval()
        with torch.no_grad():
            dim = model(x_train[:2]).shape[1]
        head = torch.nn.Linear(dim, int(y_train.max()) + 1)
        params += list(head.parameters())
    if args.optimizer == "adamw":
        opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    else:
        opt = torch.optim.Adam(params, lr=args.lr)
    scheduler = None
    # The default reducer, but recording how many triplet losses were > 0. The loss
    # keeps a deep copy of the reducer it is given, so read the stats from that copy.
    loss_fn = losses.TripletMarginLoss(
        margin=args.margin, reducer=reducers.AvgNonZeroReducer(collect_stats=True))
    reducer = loss_fn.reducer
    if args.miner == "batch-hard":
        miner = miners.BatchHardMiner()
    else:
        miner = miners.TripletMarginMiner(margin=args.margin, type_of_triplets=args.miner)

    def log(msg):
        if not args.json:
            print(msg, flush=True)
        else:
            print(msg, file=sys.stderr, flush=True)

    log(f"pytorch {args.model} miner={args.miner} P={P} K={K} epochs={args.epochs} "
        f"threads={threads} seed={args.seed}")
    epochs, train_s, images = [], 0.0, 0
    for ep in range(1, args.epochs + 1):
        model.train()
        loss_sum, n_batches, mined, active = 0.0, 0, 0, 0
        t0 = time.perf_counter()
        batches = sampler.epoch()
        if args.schedule == "cosine" and scheduler is None:
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * len(batches))
        for b in batches:
            bi = torch.from_numpy(b)
            xb, yb = x_train[bi], y_train[bi]
            if args.augment_pad:
                q = args.augment_pad
                padded = torch.nn.functional.pad(xb, (q, q, q, q))
                dy = torch.randint(0, 2 * q + 1, (len(xb),))
                dx = torch.randint(0, 2 * q + 1, (len(xb),))
                h, w = xb.shape[2], xb.shape[3]
                xb = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(len(xb))])
            if args.augment_flip:
                flip = torch.rand(len(xb)) < 0.5
                xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
            emb = model(xb)
            idx = miner(emb, yb)
            loss = loss_fn(emb, yb, idx)
            if head is not None:
                loss = loss + args.ce_weight * torch.nn.functional.cross_entropy(head(emb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if scheduler is not None:
                scheduler.step()
            loss_sum += loss.item()
            n_batches += 1
            m = len(idx[0])
            mined += m
            active += reducer.num_past_filter if m else 0
        sec = time.perf_counter() - t0
        n_img = n_batches * args.batch_size
        train_s += sec
        images += n_img
        t_eval = time.perf_counter()
        p1, mapr = knn_metrics(embed(model, x_test), y_test)
        eval_s = time.perf_counter() - t_eval
        rec = {"epoch": ep, "batches": n_batches, "images": n_img,
               "loss_mean": loss_sum / n_batches,
               "active_fraction": (active / mined) if mined else None,
               "mined_per_batch": mined / n_batches,
               "p_at_1": p1, "map_at_r": mapr,
               "seconds": sec, "images_per_s": n_img / sec, "eval_seconds": eval_s}
        epochs.append(rec)
        af = "n/a" if rec["active_fraction"] is None else f"{rec['active_fraction']:.3f}"
        log(f"epoch {ep}: {n_batches} batches, loss {rec['loss_mean']:.4f}, active {af} "
            f"of {rec['mined_per_batch']:.0f} mined/batch, P@1 {p1:.4f}, MAP@R {mapr:.4f}, "
            f"{sec:.2f} s, {rec['images_per_s']:.0f} img/s (eval {eval_s:.2f} s)")

    result = {"impl": "pytorch", "model": os.path.basename(args.architecture) if args.architecture else args.model, "miner": args.miner,
              "epochs": args.epochs, "threads": threads,
              "images_per_s": images / train_s,
              "p_at_1": epochs[-1]["p_at_1"], "map_at_r": epochs[-1]["map_at_r"],
              "batch_size": args.batch_size, "samples_per_class": K, "seed": args.seed,
              "train_s": train_s}

    if args.check_pml:
        result["pml_check"] = pml_check(embed(model, x_test), y_test, threads,
                                        result["p_at_1"], result["map_at_r"], log)

    if args.out:
        from safetensors.torch import save_file
        os.makedirs(args.out, exist_ok=True)
        save_file(model.state_dict(), os.path.join(args.out, "model.safetensors"))
        with open(os.path.join(args.out, "metrics.json"), "w") as f:
            json.dump({**result, "margin": args.margin, "lr": args.lr,
                       "epochs_detail": epochs}, f, indent=2)
            f.write("\n")

    result["wall_s"] = time.perf_counter() - t_start
    log(f"overall: {images} images in {train_s:.2f} s of training = "
        f"{result['images_per_s']:.0f} img/s; P@1 {result['p_at_1']:.4f}, "
        f"MAP@R {result['map_at_r']:.4f}; wall {result['wall_s']:.1f} s")
    if args.json:
        print(json.dumps(result), flush=True)
    return 0


def main(argv=None):
    args = parse_args(argv)
    # Size the OpenMP/MKL pools before torch is imported.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    return check_load(args) if args.check_load else train(args)


if __name__ == "__main__":
    sys.exit(main())
