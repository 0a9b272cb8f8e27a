"""Writes scikit-learn's bundled digits (1 797 images of 8×8, 64 features, labels 0-9) as the CSV test
fixture Tests/TripletKitTests/Fixtures/digits.csv: a header row pixel_0 … pixel_63,label, then one row per
image (pixel values 0-16 as integers).

    pip install scikit-learn
    python3 Benchmarks/reference/digits_csv.py
"""
import os

from sklearn.datasets import load_digits

digits = load_digits()
out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TripletKitTests", "Fixtures", "digits.csv")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write(",".join(f"pixel_{i}" for i in range(64)) + ",label\n")
    for row, label in zip(digits.data.astype(int), digits.target):
        f.write(",".join(str(v) for v in row) + f",{label}\n")
print(f"wrote {os.path.normpath(out)}: {len(digits.target)} rows")
