"""Benchmark: numtorch's PyTorch-compatible RNG vs PyTorch (when installed) vs plain NumPy.

Run: ``python bench/rng.py``.  Prints the best of several runs, in milliseconds.
Target: 1e6 float32 normals in <= 100 ms.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from numtorch import _generator as G  # noqa: E402

try:
    import torch
    torch.set_num_threads(1)
except ImportError:
    torch = None


def best(fn, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def main() -> None:
    g = G.Generator().manual_seed(0)
    n = 10 ** 6
    rg = np.random.default_rng(0)
    rows = [
        ("randn 1e6 float32", lambda: G.normal(g, n, np.float32),
         (lambda: torch.randn(n)) if torch else None, lambda: rg.standard_normal(n, np.float32)),
        ("randn 1e6 float64", lambda: G.normal(g, n, np.float64),
         (lambda: torch.randn(n, dtype=torch.float64)) if torch else None,
         lambda: rg.standard_normal(n)),
        ("rand 1e6 float32", lambda: G.uniform(g, n, np.float32),
         (lambda: torch.rand(n)) if torch else None, lambda: rg.random(n, np.float32)),
        ("uniform_(-b, b) 1e6 float32", lambda: G.uniform(g, n, np.float32, -0.05, 0.05),
         (lambda: torch.empty(n).uniform_(-0.05, 0.05)) if torch else None,
         lambda: rg.uniform(-0.05, 0.05, n).astype(np.float32)),
        ("randint(0, 10) 1e6", lambda: G.randint(g, 0, 10, n),
         (lambda: torch.randint(0, 10, (n,))) if torch else None, lambda: rg.integers(0, 10, n)),
        ("randperm(60000)", lambda: G.randperm(g, 60000),
         (lambda: torch.randperm(60000)) if torch else None, lambda: rg.permutation(60000)),
        ("dropout mask 1e6 (bernoulli)", lambda: G.bernoulli(g, 0.5, n),
         (lambda: torch.empty(n).bernoulli_(0.5)) if torch else None, lambda: rg.random(n) < 0.5),
    ]
    print(f"{'operation':32s} {'numtorch ms':>12s} {'torch ms':>10s} {'numpy ms':>10s} {'ratio':>7s}")
    for name, ours, theirs, plain in rows:
        a = best(ours)
        b = best(theirs) if theirs else float("nan")
        c = best(plain)
        print(f"{name:32s} {a:12.1f} {b:10.1f} {c:10.1f} {a / b:7.1f}")


if __name__ == "__main__":
    main()
