"""Builds the PyTorch module of a TripletKit model folder from its model.json architecture, loads
model.safetensors into it with strict=True, embeds Fashion-MNIST test images standardised with the
sidecar's input_normalization, and compares with the folder's embeddings.npy (written by
`triplet embed --model DIR --split test --out DIR/embeddings.npy`).

    python3 Benchmarks/reference/sidecar_module.py runs/convnet-semihard --count 10000

Every layer kind of TripletNetworks maps to the torch module of the same semantics; the model is a module
whose `layers` attribute is the nn.Sequential, so the state_dict names agree ("layers.3.body.1.weight").
Prints PASS when the largest absolute difference is <= 1e-5 (exit status 1 otherwise).
"""

import argparse
import gzip
import json
import os
import re
import sys


def option(config, name, default=None):
    """A configuration field under its camelCase or snake_case name."""
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)
    for key in (name, snake):
        if key in config:
            return config[key]
    if default is not None:
        return default
    raise KeyError(f"{name} missing in {config}")


def build(specs):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class L2Normalize(nn.Module):
        def forward(self, x):
            return F.normalize(x, p=2, dim=1, eps=1e-12)

    class GlobalAveragePool2d(nn.Module):
        def forward(self, x):
            return x.mean(dim=(2, 3))

    class Residual(nn.Module):
        def __init__(self, body):
            super().__init__()
            self.body = body

        def forward(self, x):
            return x + self.body(x)

    def layer(spec):
        (kind, c), = spec.items()
        if kind == "flatten":
            return nn.Flatten()
        if kind == "dense":
            return nn.Linear(option(c, "inputs"), option(c, "outputs"), bias=option(c, "bias", True))
        if kind == "conv2d":
            return nn.Conv2d(option(c, "inChannels"), option(c, "outChannels"), option(c, "kernel"),
                             stride=option(c, "stride", 1), padding=option(c, "padding", 0),
                             bias=option(c, "bias", True))
        if kind == "maxPool2d":
            return nn.MaxPool2d(option(c, "kernel"), option(c, "stride"))
        if kind == "relu":
            return nn.ReLU()
        if kind == "gelu":
            return nn.GELU(approximate=option(c, "approximate", "none"))
        if kind == "dropout":
            return nn.Dropout(option(c, "p"))
        if kind == "batchNorm1d":
            return nn.BatchNorm1d(option(c, "features"), eps=option(c, "eps"), momentum=option(c, "momentum"))
        if kind == "batchNorm2d":
            return nn.BatchNorm2d(option(c, "channels"), eps=option(c, "eps"), momentum=option(c, "momentum"))
        if kind == "layerNorm":
            return nn.LayerNorm(option(c, "normalizedShape"), eps=option(c, "eps", 1e-5),
                                elementwise_affine=option(c, "elementwiseAffine", True))
        if kind == "embedding":
            return nn.Embedding(option(c, "count"), option(c, "dimension"))
        if kind == "l2Normalize":
            return L2Normalize()
        if kind == "globalAveragePool2d":
            return GlobalAveragePool2d()
        if kind == "residual":
            return Residual(nn.Sequential(*[layer(s) for s in option(c, "body")]))
        if kind == "sequential":
            return nn.Sequential(*[layer(s) for s in option(c, "layers")])
        raise ValueError(f"no torch module for layer kind {kind!r}")

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(*[layer(s) for s in specs])

        def forward(self, x):
            return self.layers(x)

    return Model()


def main(argv=None):
    import numpy as np
    import torch
    from safetensors.torch import load_file

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", help="a model folder written by triplet train")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--data", default=os.environ.get("TRIPLETKIT_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    args = p.parse_args(argv)
    torch.set_num_threads(2)

    sidecar = json.load(open(os.path.join(args.model, "model.json")))
    model = build(sidecar["architecture"])
    model.load_state_dict(load_file(os.path.join(args.model, "model.safetensors")), strict=True)
    model.eval()
    print(f"loaded {args.model}: {sum(p.numel() for p in model.parameters())} parameters, strict state_dict load")

    raw = gzip.open(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")).read()
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)[:args.count]
    x = torch.from_numpy(images.astype(np.float32)).div_(255.0)
    stats = sidecar.get("input_normalization") or sidecar.get("inputNormalization")
    if stats:
        mean = torch.tensor(stats["mean"], dtype=torch.float32).view(1, -1, 1, 1)
        std = torch.tensor(stats["std"], dtype=torch.float32).view(1, -1, 1, 1)
        x = (x - mean) / std
    with torch.no_grad():
        emb = torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    ref = torch.from_numpy(np.load(os.path.join(args.model, "embeddings.npy"))[:args.count].astype(np.float32))
    if ref.shape != emb.shape:
        print(f"FAIL: embeddings.npy has shape {tuple(ref.shape)}, PyTorch made {tuple(emb.shape)}")
        return 1
    diff = float((ref - emb).abs().max())
    ok = diff <= 1e-5
    print(f"{len(emb)} test images: max abs difference {diff:.3e} -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
