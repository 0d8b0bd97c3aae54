"""``fma64(a, b, c)``: a fused multiply-add in float64 (``a*b + c`` rounded once), which NumPy
lacks and PyTorch's CPU kernels use (random normals, ``linspace``, ``lerp``).

Dekker's exact product and Knuth's exact sum give ``a*b + c`` as an unevaluated sum of three
doubles; adding them rounds correctly except in rare double-rounding ties, which random tests
against PyTorch never met.

>>> float(fma64(0.1, 10.0, -1.0))   # the rounding error of 0.1 * 10, which a*b + c loses
5.551115123125783e-17
"""
from __future__ import annotations

import numpy as np

_SPLIT = 134217729.0                                    # 2**27 + 1


def two_prod(a, b):
    """``a * b`` and its exact rounding error (float64)."""
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a, b, c):
    """``a*b + c`` with one rounding, in float64 (arrays or numbers)."""
    a = np.asarray(a, np.float64)
    p, e1 = two_prod(a, np.asarray(b, np.float64))
    s = p + c
    bb = s - p
    e2 = (p - (s - bb)) + (c - bb)
    return s + (e1 + e2)
