"""Benchmark data, built with NumPy only (so a PyTorch run never imports numtorch).

- :func:`iris_classification`: the seed's 4-3-3 Iris split (odd rows train, one-hot targets),
  read from numtorch's embedded ``iris.csv`` file (by path, not by import).
- :func:`mnist_like`: ``n`` MNIST images as float32 in [0, 1] with int64 labels: the 4,000 real
  training images of ``../shared/data/MNIST/raw`` (or ``$MNIST_RAW``) tiled to ``n`` rows, or, when
  those files are absent, synthetic images with ~81% zero pixels (MNIST's sparsity; dense uniform
  inputs would make the scratch model diverge into denormal floats).
"""
from __future__ import annotations

import gzip
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IRIS_CSV = os.path.join(ROOT, "numtorch", "datasets", "iris.csv")
MNIST_RAW = os.environ.get("MNIST_RAW", os.path.join(ROOT, "..", "shared", "data", "MNIST", "raw"))


def iris_classification():
    """(X_train float32 (75, 4), Y_train one-hot float32 (75, 3)) as the seed's classification_split."""
    table = np.loadtxt(IRIS_CSV, delimiter=",", skiprows=2)
    x = table[:, :4].astype(np.float32)
    y = table[:, 4].astype(np.int64)
    onehot = np.zeros((y.size, 3), np.float32)
    onehot[np.arange(y.size), y] = 1.0
    odd = np.arange(y.size) % 2 != 0
    return np.ascontiguousarray(x[odd]), np.ascontiguousarray(onehot[odd])


def _read_idx(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def mnist_source() -> str:
    """'real MNIST (4,000 images) tiled' or 'synthetic (~81% zero pixels)'."""
    ok = os.path.exists(os.path.join(MNIST_RAW, "train-images-idx3-ubyte.gz"))
    return "real MNIST 4,000 images tiled" if ok else "synthetic, ~81% zero pixels"


def mnist_like(n: int = 50_000):
    """(x float32 (n, 784) in [0, 1], y int64 (n,))."""
    images = os.path.join(MNIST_RAW, "train-images-idx3-ubyte.gz")
    if os.path.exists(images):
        img = _read_idx(images).reshape(-1, 784)
        lab = _read_idx(os.path.join(MNIST_RAW, "train-labels-idx1-ubyte.gz")).astype(np.int64)
        reps = -(-n // len(img))
        idx = np.tile(np.arange(len(img)), reps)[:n]
        x = np.empty((n, 784), np.float32)
        np.multiply(img[idx], np.float32(1 / 255), out=x, casting="unsafe")
        return x, lab[idx].copy()
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, n)
    x = np.zeros((n, 784), np.float32)
    # a per-class blob of "ink" pixels plus noise: ~19% non-zero, learnable
    protos = rng.random((10, 784)) < 0.17
    for c in range(10):
        rows = np.nonzero(y == c)[0]
        mask = protos[c] ^ (rng.random((rows.size, 784)) < 0.03)
        x[rows] = mask * rng.random((rows.size, 784), np.float32)
    return x, y
