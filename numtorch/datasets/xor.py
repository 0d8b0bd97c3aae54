"""The continuous XOR problem of the tutorials, as NumPy arrays."""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

__all__ = ["make_xor"]


def make_xor(
    n: int, std: float = 0.1, seed: Optional[int] = None
) -> Tuple[np.ndarray, np.ndarray]:
    """Sample ``n`` noisy XOR points.

    Each point starts at a corner of the unit square, (0,0), (0,1), (1,0) or (1,1),
    chosen uniformly; its label is 1 when exactly one coordinate is 1 (XOR), else
    0; then Gaussian noise with standard deviation ``std`` is added to the point.
    Returns ``(X, y)``: X float32 of shape (n, 2), y int64 of shape (n,).
    ``seed`` makes the draw reproducible (NumPy's generator, not torch's).

    >>> X, y = make_xor(4, std=0.0, seed=0)
    >>> X.dtype, y.dtype, bool(((X.sum(1) == 1) == (y == 1)).all())
    (dtype('float32'), dtype('int64'), True)
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2)).astype(np.float32)
    y = (corners.sum(axis=1) == 1).astype(np.int64)
    X = corners + np.float32(std) * rng.standard_normal((n, 2)).astype(np.float32)
    return X.astype(np.float32, copy=False), y
