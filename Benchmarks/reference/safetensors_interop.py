"""Checks that TripletKit's safetensors files load in Python and that Python's load in TripletKit.

Needs torch and safetensors (pip install safetensors). Run from the repository root:
    python3 Benchmarks/reference/safetensors_interop.py
"""
import os
import subprocess
import tempfile

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

folder = tempfile.mkdtemp()
env = dict(os.environ, TRIPLETKIT_SAFETENSORS_DIR=folder)
swift_test = ["swift", "test", "--scratch-path", ".build-nets", "--filter", "SafeTensorsInteropTests"]
subprocess.run(swift_test + ["--filter", "writeForPython"], env=env, check=True, capture_output=True)

state = load_file(os.path.join(folder, "swift.safetensors"))
print("Python loaded", {k: tuple(v.shape) for k, v in state.items()})


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3))

    def forward(self, x):
        return self.layers(x)


net = Net()
net.load_state_dict(state)  # strict: every name and shape must match PyTorch's
print("load_state_dict: ok; num_batches_tracked", net.layers[1].num_batches_tracked.dtype)
out = net.eval()(torch.zeros(2, 1, 6, 6))
print("forward:", tuple(out.shape))

# Python writes (with its own int64 num_batches_tracked), Swift reads.
save_file(net.state_dict(), os.path.join(folder, "python.safetensors"), metadata={"source": "python"})
result = subprocess.run(swift_test, env=env, capture_output=True, text=True)
print("\n".join(line for line in result.stdout.splitlines() if "read " in line or "Test run" in line))
assert result.returncode == 0, result.stdout + result.stderr
