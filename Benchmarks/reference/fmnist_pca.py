"""Fashion-MNIST raw pixels reduced to 64 dimensions by PCA (fitted on the training split), written as NPY
for the learners' comparison table (`make bench-learners`):

    python3 Benchmarks/reference/fmnist_pca.py OUT_DIR [--dims 64]

writes OUT_DIR/{train,test}_x.npy (float32 [N, dims], pixels / 255, centred on the training mean,
projected on the leading principal axes, scaled so the first axis has unit variance) and
OUT_DIR/{train,test}_y.npy (int64 labels). Deterministic: numpy's SVD of the centred training matrix.
"""
import argparse
import gzip
import os

import numpy as np

SOURCE = "/usr/share/datasets/fashion-mnist"


def idx(name, offset):
    with gzip.open(os.path.join(SOURCE, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--dims", type=int, default=64)
    args = parser.parse_args()
    train_x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64) / 255
    test_x = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64) / 255
    train_y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
    test_y = idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    mean = train_x.mean(axis=0)
    _, singular, axes = np.linalg.svd(train_x - mean, full_matrices=False)
    basis = axes[: args.dims].T
    scale = singular[0] / np.sqrt(len(train_x) - 1)
    os.makedirs(args.out, exist_ok=True)
    for name, x, y in [("train", train_x, train_y), ("test", test_x, test_y)]:
        np.save(os.path.join(args.out, f"{name}_x.npy"), ((x - mean) @ basis / scale).astype(np.float32))
        np.save(os.path.join(args.out, f"{name}_y.npy"), y)
    kept = (singular[: args.dims] ** 2).sum() / (singular**2).sum()
    print(f"wrote {args.out}: {args.dims} dimensions keep {kept:.3f} of the variance")


if __name__ == "__main__":
    main()
