"""Expected values for Tests/TripletNetworksTests (PyTorch 2.13 CPU, float32).

Prints Swift literals: optimizer trajectories (SGD, Adam, AdamW) and forward/backward passes of three
small networks whose weights, inputs and output weights are fixed formulas (the tests rebuild them):
    value i of a tensor = scale * sin(a * i + b)
The "new layers" section at the end goes to TorchReference+Layers.swift.
Run: python3 Benchmarks/reference/networks_reference.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def formula(shape, a, b, scale):
    n = math.prod(shape)
    return torch.tensor([scale * math.sin(a * i + b) for i in range(n)], dtype=torch.float32).reshape(shape)


def swift(values):
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


# ---- optimizers: two parameters, three steps, gradient g_i(t) = 0.5 sin(0.7 i + 1.3 t), lr_t = 0.01 (t + 1)
def run(make):
    a = nn.Parameter(formula([2, 3], 1.0, 1.0, 1.0))
    b = nn.Parameter(formula([3], 1.0, 0.5, 1.0))
    opt = make([a, b])
    for t in range(3):
        for p in (a, b):
            p.grad = formula(p.shape, 0.7, 1.3 * t, 0.5)
        for group in opt.param_groups:
            group["lr"] = 0.01 * (t + 1)
        opt.step()
    return a.detach().flatten().tolist() + b.detach().flatten().tolist(), opt


configs = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.01),
    "sgdMomentum": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
    "sgdDampenedDecay": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgdNesterov": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.05),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01),
    "adamDecay": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    "adamW": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
}
print("// optimizers")
for name, make in configs.items():
    values, opt = run(make)
    print(f"static let {name}: [Float] = {swift(values)}")
    if name == "adam":
        state = opt.state[opt.param_groups[0]["params"][0]]
        print(f"static let adamExpAvg: [Float] = {swift(state['exp_avg'].flatten())}")
        print(f"static let adamExpAvgSq: [Float] = {swift(state['exp_avg_sq'].flatten())}")


# ---- networks
class Net(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class L2(nn.Module):
    def forward(self, x):
        return F.normalize(x, p=2, dim=1, eps=1e-12)


def check(name, net, input_shape, output_weights_a):
    state = net.state_dict()
    with torch.no_grad():
        for k, (key, t) in enumerate(state.items()):
            if key.endswith("num_batches_tracked"):
                continue
            if key.endswith("running_var"):
                t.copy_(formula(t.shape, 0.9, k, 0.3).abs() + 0.5)
            else:
                t.copy_(formula(t.shape, 1.7, k, 0.4))
    x = formula(input_shape, 0.37, 0.2, 1.0).requires_grad_(True)
    out = net.train()(x)
    w = formula(out.shape, 0.5, output_weights_a, 1.0)
    (out * w).sum().backward()
    print(f"// {name}: keys {list(state.keys())}")
    print(f"static let {name}Output: [Float] = {swift(out.detach().flatten())}")
    print(f"static let {name}InputGradient: [Float] = {swift(x.grad.flatten())}")
    grads = []
    for key, p in net.named_parameters():
        grads += p.grad.flatten().tolist()
    print(f"static let {name}ParameterGradients: [Float] = {swift(grads)}")
    buffers = []
    for key, b in net.named_buffers():
        buffers += b.flatten().tolist()
    if buffers:
        print(f"static let {name}Buffers: [Float] = {swift(buffers)}")


check("convNet", Net([
    nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 3, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3), L2()]), [2, 1, 10, 10], 0.1)
check("mlp", Net([nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3), L2()]), [3, 2, 3], 0.2)
check("batchNormNet", Net([
    nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
    nn.Linear(8, 4), nn.BatchNorm1d(4, eps=1e-3, momentum=0.2), L2()]), [3, 1, 7, 7], 0.3)


# ---- new layers (Tests/TripletNetworksTests/TorchReference+Layers.swift): GlobalAveragePool2D, LayerNorm,
# GELU, Embedding and a residual network, by the same recipe as the networks above
class GlobalAveragePool2d(nn.Module):
    """TripletNetworks' GlobalAveragePool2D: AdaptiveAvgPool2d(1) then flatten(1), one module so that the
    layers after it keep their indices in the state_dict."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return self.pool(x).flatten(1)


class Residual(nn.Module):
    def __init__(self, *body):
        super().__init__()
        self.body = nn.Sequential(*body)

    def forward(self, x):
        return x + self.body(x)


print("// ---- new layers")
check("globalAveragePool", Net([GlobalAveragePool2d()]), [2, 3, 3, 4], 0.6)
check("layerNorm2D", Net([nn.LayerNorm([6])]), [4, 6], 0.7)
check("layerNorm3D", Net([nn.LayerNorm([5])]), [2, 3, 5], 0.8)
check("layerNormTrailing2", Net([nn.LayerNorm([3, 4], eps=1e-3)]), [2, 3, 4], 0.9)
check("residualNet", Net([
    nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
    Residual(nn.Conv2d(3, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU()),
    GlobalAveragePool2d(), nn.Linear(3, 4), L2()]), [3, 2, 5, 5], 0.4)

# GELU on inputs 4 sin(0.37 i + 0.2) (a wider range than the networks' inputs), loss Σ w·y
for name, approximate in [("geluExact", "none"), ("geluTanh", "tanh")]:
    x = formula([3, 7], 0.37, 0.2, 4.0).requires_grad_(True)
    y = nn.GELU(approximate=approximate)(x)
    (y * formula(y.shape, 0.5, 1.1, 1.0)).sum().backward()
    print(f"static let {name}Output: [Float] = {swift(y.detach().flatten())}")
    print(f"static let {name}InputGradient: [Float] = {swift(x.grad.flatten())}")

# Embedding(7, 4), weight 0.4 sin(1.7 i), ids [[1, 3, 3], [0, 6, 1]] (3 and 1 repeated), loss Σ w·y
embedding = nn.Embedding(7, 4)
with torch.no_grad():
    embedding.weight.copy_(formula([7, 4], 1.7, 0.0, 0.4))
ids = torch.tensor([[1, 3, 3], [0, 6, 1]])
y = embedding(ids)
(y * formula(y.shape, 0.5, 1.2, 1.0)).sum().backward()
print(f"static let embeddingOutput: [Float] = {swift(y.detach().flatten())}")
print(f"static let embeddingWeightGradient: [Float] = {swift(embedding.weight.grad.flatten())}")
