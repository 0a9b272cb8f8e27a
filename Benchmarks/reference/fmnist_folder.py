"""Writes Fashion-MNIST as image folders in torchvision's ImageFolder layout, for `triplet train --data`:
OUT/train/<label>/<row>.png and OUT/test/<label>/<row>.png (labels 0-9 as folder names, rows zero-padded
so that the files sort in the IDX order). With --format jpg the images are JPEG (quality --quality).

    pip install pillow
    python3 Benchmarks/reference/fmnist_folder.py --out /tmp/fmnist-png
    python3 Benchmarks/reference/fmnist_folder.py --out /tmp/fmnist-jpg --format jpg --quality 95
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image


def read_idx(path):
    data = gzip.open(path).read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=["png", "jpg"], default="png")
    p.add_argument("--quality", type=int, default=95)
    p.add_argument("--data", default=os.environ.get("TRIPLETKIT_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    args = p.parse_args()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(os.path.join(args.data, f"{prefix}-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(args.data, f"{prefix}-labels-idx1-ubyte.gz"))
        for label in range(10):
            os.makedirs(os.path.join(args.out, split, str(label)), exist_ok=True)
        for row, (image, label) in enumerate(zip(images, labels)):
            path = os.path.join(args.out, split, str(label), f"{row:05d}.{args.format}")
            if args.format == "png":
                Image.fromarray(image, mode="L").save(path)
            else:
                Image.fromarray(image, mode="L").save(path, quality=args.quality)
        print(f"wrote {len(labels)} {split} images to {os.path.join(args.out, split)}")


if __name__ == "__main__":
    main()
