"""Scalar rejection samplers on PyTorch's CPU generator: gamma, Dirichlet, Poisson, binomial.

These draw from ``numtorch._generator.Generator`` with the two scalar primitives PyTorch's CPU
samplers use: a float64 uniform ``U53`` (2 words) and a float64 standard normal from the scalar
Box-Muller path with the generator's one-value cache (spec ``torch-rng.md`` §3.2).  Elements are
sampled one after another in memory order.

- gamma: Marsaglia & Tsang (2000), "A simple method for generating gamma variables", with the
  boost ``U**(1/alpha)`` for ``alpha < 1`` (drawn first).  Measured against torch 2.13:
  ``alpha - 1/3`` is taken with ``1/3`` rounded to float32 (and, for float32 tensors, computed
  in float32, as is ``1/alpha``); the rest is float64.  Bit-identical to
  ``torch._standard_gamma`` / ``Gamma.sample`` after ``manual_seed``.
- Dirichlet: a float64 gamma draw per element, each row divided by its sum.
- Poisson: multiplication of uniforms (Knuth) below ``rate = 10``; Hoermann's PTRS transformed
  rejection (1993) from 10 up.
- binomial: see ``binomial``'s docstring.

>>> from numtorch._generator import Generator
>>> standard_gamma(Generator().manual_seed(0), np.array([1.0, 2.0]))
array([2.88243278, 1.31582694])
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import _generator as _G

_THIRD32 = float(np.float32(1.0) / np.float32(3.0))
_TWO_PI = 2.0 * math.pi


class _Stream:
    """Sequential scalar draws on a generator, fast: ``U53`` values are made in vectorised
    chunks; ``close()`` rewinds the engine and advances it by exactly the words used."""

    __slots__ = ("gen", "snap", "buf", "i", "used", "chunk")

    def __init__(self, gen: _G.Generator, expect: int = 64) -> None:
        self.gen = gen
        self.snap = gen._bg.state
        self.buf: list = []
        self.i = 0
        self.used = 0
        self.chunk = max(16, int(expect))

    def uniform(self) -> float:
        if self.i == len(self.buf):
            self.used += len(self.buf)
            self.buf = _G._u53(self.chunk, self.gen).tolist()
            self.chunk = min(self.chunk * 2, 1 << 16)
            self.i = 0
        u = self.buf[self.i]
        self.i += 1
        return u

    def normal(self) -> float:
        c = self.gen._normal_cache
        if c is not None:
            self.gen._normal_cache = None
            return c
        u1 = self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        th = _TWO_PI * u1
        self.gen._normal_cache = r * math.sin(th)
        return r * math.cos(th)

    def close(self) -> None:
        n = self.used + self.i            # U53 values consumed, 2 words each
        bg = self.gen._bg
        bg.state = self.snap
        if n:
            self.gen._fresh = False
            bg.random_raw(2 * n)


def _gamma_one(alpha, st: _Stream, f32: bool) -> float:
    """One Marsaglia-Tsang draw; ``alpha`` a float (float32-valued when ``f32``)."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        inv = float(np.float32(1.0) / np.float32(alpha)) if f32 else 1.0 / alpha
        scale = (1.0 - st.uniform()) ** inv
        alpha = float(np.float32(alpha) + np.float32(1.0)) if f32 else alpha + 1.0
    d = float(np.float32(alpha) - np.float32(_THIRD32)) if f32 else alpha - _THIRD32
    c = 1.0 / math.sqrt(9.0 * d)
    log = math.log
    while True:
        while True:
            x = st.normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1.0 - st.uniform()
        xsq = x * x
        if u < 1.0 - 0.0331 * xsq * xsq:
            return scale * d * v
        if log(u) < 0.5 * xsq + d * (1.0 - v + log(v)):
            return scale * d * v


def _check_gen(gen: Optional[_G.Generator]) -> _G.Generator:
    return _G._gen(gen)


def standard_gamma(gen: Optional[_G.Generator], alpha: np.ndarray) -> np.ndarray:
    """``torch._standard_gamma(alpha)``: Gamma(alpha, 1) draws in ``alpha``'s dtype (C order),
    never below the dtype's smallest normal number."""
    gen = _check_gen(gen)
    a = np.ascontiguousarray(alpha)
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    f32 = dt != np.float64
    flat = a.reshape(-1).tolist()
    st = _Stream(gen, 3 * len(flat) + 8)
    try:
        out = [_gamma_one(v, st, f32) if v == v else math.nan for v in flat]
    finally:
        st.close()
    r = np.array(out, np.float64).astype(dt)
    return np.maximum(r, np.finfo(dt).tiny).reshape(a.shape)


def dirichlet(gen: Optional[_G.Generator], alpha: np.ndarray) -> np.ndarray:
    """``torch._sample_dirichlet(alpha)``: float64 gamma draws normalised over the last axis,
    clamped to ``[tiny, 1)`` in ``alpha``'s dtype."""
    gen = _check_gen(gen)
    a = np.ascontiguousarray(alpha)
    dt = a.dtype
    flat = a.reshape(-1).astype(np.float64).tolist()
    st = _Stream(gen, 3 * len(flat) + 8)
    try:
        g = [_gamma_one(v, st, False) if v == v else math.nan for v in flat]
    finally:
        st.close()
    g = np.maximum(np.array(g, np.float64), np.finfo(np.float64).tiny).reshape(a.shape)
    x = (g / g.sum(-1, keepdims=True)).astype(dt)
    return np.clip(x, np.finfo(dt).tiny, np.nextafter(dt.type(1), dt.type(0)))


def _poisson_one(lam: float, st: _Stream) -> float:
    if lam >= 10.0:                  # PTRS (Hoermann 1993)
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        log, lgamma = math.log, math.lgamma
        while True:
            u = st.uniform() - 0.5
            v = st.uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return float(k)
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (log(v) + log(invalpha) - log(a / (us * us) + b)
                    <= -lam + k * loglam - lgamma(k + 1.0)):
                return float(k)
    if lam == 0.0:
        return 0.0
    enlam = math.exp(-lam)           # multiply uniforms until the product drops below e^-lam
    x = 0
    prod = 1.0
    while True:
        prod *= st.uniform()
        if prod > enlam:
            x += 1
        else:
            return float(x)


def poisson(gen: Optional[_G.Generator], rate: np.ndarray) -> np.ndarray:
    """``torch.poisson(rate)``: Poisson draws in ``rate``'s dtype (C order)."""
    gen = _check_gen(gen)
    r = np.ascontiguousarray(rate)
    flat = r.reshape(-1).astype(np.float64).tolist()
    st = _Stream(gen, 2 * len(flat) + 8)
    try:
        out = [_poisson_one(v, st) if v == v else math.nan for v in flat]
    finally:
        st.close()
    return np.array(out, np.float64).astype(r.dtype).reshape(r.shape)


# log(k!) - (k + 1/2) log(k + 1) + (k + 1) - log(sqrt(2 pi)), exactly for k < 10 (Hoermann 1993)
_STIRLING_TAIL = [math.lgamma(k + 1.0) - (k + 0.5) * math.log(k + 1.0) + (k + 1.0)
                  - 0.5 * math.log(2 * math.pi) for k in range(10)]


def _stirling_tail(k: float) -> float:
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1.0) * (k + 1.0)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1.0)


def _btrs(n: float, p: float, st: _Stream) -> float:
    """Hoermann's BTRS transformed rejection (n * p >= 10, p <= 1/2)."""
    spq = math.sqrt(n * p * (1 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    vr = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    lpq = math.log(p / (1 - p))
    m = math.floor((n + 1) * p)
    h = (math.lgamma(m + 1) + math.lgamma(n - m + 1))
    log = math.log
    while True:
        u = st.uniform() - 0.5
        v = st.uniform()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= vr:
            return float(k)
        v = log(v * alpha / (a / (us * us) + b))
        if v <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - m) * lpq:
            return float(k)


def _inversion(n: float, p: float, st: _Stream) -> float:
    """Count geometric waiting times until they pass ``n`` (n * p < 10)."""
    logq = math.log1p(-p)
    total = 0.0
    k = 0.0
    while True:
        total += math.ceil(math.log(st.uniform()) / logq)
        if total > n:
            return k
        k += 1.0


def _binomial_one(n: float, p: float, st: _Stream) -> float:
    if n <= 0.0 or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return n
    if p <= 0.5:
        return _btrs(n, p, st) if n * p >= 10.0 else _inversion(n, p, st)
    q = 1.0 - p
    return n - (_btrs(n, q, st) if n * q >= 10.0 else _inversion(n, q, st))


def binomial(gen: Optional[_G.Generator], count: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """``torch.binomial(count, prob)``: geometric waiting times below ``n p = 10``, Hoermann's
    BTRS above, by symmetry (``n - X``) for ``p > 1/2``.  The BTRS acceptance test is the
    paper's, written with log-gamma: it matched torch 2.13 on every draw we compared (20,000
    random ``(n, p)`` pairs in float32 and float64), but a draw that falls within rounding of
    the acceptance boundary could in principle go the other way."""
    gen = _check_gen(gen)
    n_arr, p_arr = np.broadcast_arrays(np.asarray(count), np.asarray(prob))
    dt = np.result_type(n_arr.dtype, p_arr.dtype)
    if dt.kind != "f":
        dt = np.dtype(np.float32)
    ns = n_arr.reshape(-1).astype(np.float64).tolist()
    ps = p_arr.reshape(-1).astype(np.float64).tolist()
    st = _Stream(gen, 2 * len(ns) + 8)
    try:
        out = [_binomial_one(n, p, st) if (n == n and p == p) else math.nan
               for n, p in zip(ns, ps)]
    finally:
        st.close()
    return np.array(out, np.float64).astype(dt).reshape(n_arr.shape)
