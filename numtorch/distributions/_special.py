"""Special functions the distributions need, with gradients: ``lgamma``, ``digamma``,
``polygamma``, ``erf``, ``erfinv``, ``xlogy``.

Private to ``numtorch.distributions``: when ``numtorch.special`` provides these ops, the
distributions should call those instead (one op, one place).  Values are computed in float64
(``math.lgamma`` / ``math.erf`` from the platform libm, series for the psi functions) and
rounded to the input's dtype; the gradients are themselves differentiable (each ``backward``
calls the next function of the family), so ``gradgradcheck`` passes.

>>> import numtorch as torch
>>> lgamma(torch.tensor([1.0, 5.0]))
tensor([0.0000, 3.1781])
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["lgamma", "digamma", "polygamma", "erf", "erfinv", "xlogy"]

_make = Tensor._make


def _float(x: Tensor) -> np.ndarray:
    a = x._data
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def _lgamma1(v: float) -> float:
    try:
        return math.lgamma(v)
    except (ValueError, OverflowError):        # poles: PyTorch gives +inf
        return math.inf


_LGAMMA = np.frompyfunc(_lgamma1, 1, 1)
_ERF = np.frompyfunc(math.erf, 1, 1)


def lgamma_np(a: np.ndarray) -> np.ndarray:
    """``log|Gamma(a)|`` elementwise, in ``a``'s dtype."""
    a64 = np.asarray(a, np.float64)
    return np.asarray(_LGAMMA(a64), np.float64).astype(a.dtype, copy=False)


def erf_np(a: np.ndarray) -> np.ndarray:
    a64 = np.asarray(a, np.float64)
    return np.asarray(_ERF(a64), np.float64).astype(a.dtype, copy=False)


# Bernoulli numbers B_2k for the asymptotic series of the psi functions.
_B2K = (1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6,
        -3617.0 / 510, 43867.0 / 798)
_SHIFT = 12.0      # recurrence up to x >= 12, then 9 terms of the asymptotic series


def digamma_np(a: np.ndarray) -> np.ndarray:
    """psi(a) elementwise: reflection below 0.5, recurrence, asymptotic series."""
    x = np.array(a, np.float64)
    out = np.zeros_like(x)
    neg = x < 0.5
    if neg.any():       # psi(x) = psi(1 - x) - pi / tan(pi x)
        xn = x[neg]
        with np.errstate(all="ignore"):
            out[neg] = -math.pi / np.tan(math.pi * xn)
        x[neg] = 1.0 - xn
    acc = np.zeros_like(x)
    small = x < _SHIFT
    while small.any():
        acc[small] -= 1.0 / x[small]
        x[small] += 1.0
        small = x < _SHIFT
    inv2 = 1.0 / (x * x)
    s = np.zeros_like(x)
    for k in range(len(_B2K), 0, -1):           # sum_k B_2k / (2k x^2k), Horner in 1/x^2
        s = (s + _B2K[k - 1] / (2 * k)) * inv2
    res = np.log(x) - 0.5 / x - s + acc + out
    a = np.asarray(a)
    pole = (a <= 0) & (np.floor(a) == a)
    if pole.any():      # PyTorch: -inf at 0, nan at the negative integers
        res[pole] = np.where(a[pole] == 0, -np.inf, np.nan)
    res[np.isnan(a)] = np.nan
    res[np.isposinf(a)] = np.inf
    return res.astype(a.dtype if a.dtype.kind == "f" else np.float32, copy=False)


def polygamma_np(n: int, a: np.ndarray) -> np.ndarray:
    """psi^(n)(a) for n >= 1: recurrence to x >= 12 + n, then the asymptotic series."""
    if n == 0:
        return digamma_np(a)
    x = np.array(a, np.float64)
    sign = 1.0 if n % 2 == 1 else -1.0          # (-1)**(n + 1)
    fact = math.factorial(n)
    acc = np.zeros_like(x)
    lim = _SHIFT + n
    bad = ~np.isfinite(x) | ((x <= 0) & (np.floor(x) == x))
    x[bad] = lim
    small = x < lim
    while small.any():
        acc[small] += 1.0 / x[small] ** (n + 1)
        x[small] += 1.0
        small = x < lim
    # (n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)! / ((2k)! x^(2k+n))
    s = math.factorial(n - 1) / x ** n + fact / (2.0 * x ** (n + 1))
    for k in range(1, len(_B2K) + 1):
        coef = math.factorial(2 * k + n - 1) / math.factorial(2 * k)
        s = s + _B2K[k - 1] * coef / x ** (2 * k + n)
    res = sign * (s + fact * acc)
    a = np.asarray(a)
    if bad.any():
        res[bad] = np.where(np.isposinf(a[bad]), 0.0, np.nan)
        res[bad & (a == 0)] = np.inf if n % 2 == 1 else np.nan
    return res.astype(a.dtype if a.dtype.kind == "f" else np.float32, copy=False)


def erfinv_np(a: np.ndarray) -> np.ndarray:
    """Inverse error function: Giles' single-precision approximation refined by two Newton
    steps on ``math.erf`` in float64."""
    y = np.asarray(a, np.float64)
    with np.errstate(all="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        small = w < 5.0
        ws = w - 2.5
        p1 = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            p1 = c + p1 * ws
        wl = np.sqrt(w) - 3.0
        p2 = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            p2 = c + p2 * wl
        x = np.where(small, p1, p2) * y
        for _ in range(2):
            fx = np.asarray(_ERF(x), np.float64) - y
            x = x - fx / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(y == 1.0, np.inf, np.where(y == -1.0, -np.inf, x))
    x = np.where(np.abs(y) > 1.0, np.nan, x)
    return x.astype(a.dtype, copy=False)


# -- differentiable ops (user-style Functions: their backward is made of ops, so it records
#    itself under create_graph=True and double backward works) ---------------------------------

class Lgamma(Function):
    _name = "LgammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _make(lgamma_np(_float(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * digamma(x)


class Digamma(Function):
    _name = "DigammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _make(digamma_np(_float(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * polygamma(1, x)


class Polygamma(Function):
    _name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _make(polygamma_np(n, _float(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * polygamma(ctx.n + 1, x), None


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    _name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _make(erf_np(_float(x)))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * (_TWO_OVER_SQRT_PI * (-(x * x)).exp())


class Erfinv(Function):
    _name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx, x):
        out = _make(erfinv_np(_float(x)))
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        y = erfinv(x)
        return g * (0.5 * math.sqrt(math.pi) * (y * y).exp())


def lgamma(x: Tensor) -> Tensor:
    """``torch.lgamma``: log of the absolute value of the gamma function."""
    return Lgamma.apply(x)


def digamma(x: Tensor) -> Tensor:
    """``torch.digamma``: the logarithmic derivative of the gamma function."""
    return Digamma.apply(x)


def polygamma(n: int, x: Tensor) -> Tensor:
    """``torch.polygamma(n, x)``: the n-th derivative of digamma."""
    if n == 0:
        return Digamma.apply(x)
    return Polygamma.apply(x, int(n))


def erf(x: Tensor) -> Tensor:
    """``torch.erf``."""
    return Erf.apply(x)


def erfinv(x: Tensor) -> Tensor:
    """``torch.erfinv``."""
    return Erfinv.apply(x)


class Xlogy(Function):
    """``x * log(y)``, 0 where ``x == 0`` (unless ``y`` is NaN)."""
    _name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x._data, y._data
        with np.errstate(all="ignore"):
            out = np.where((a == 0) & ~np.isnan(b), 0.0, a * np.log(b))
        return _make(np.asarray(out).astype(np.result_type(a, b), copy=False))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = g * y.log() if ctx.needs_input_grad[0] else None
        gy = g * x / y if ctx.needs_input_grad[1] else None
        return gx, gy


def xlogy(x, y) -> Tensor:
    """``torch.xlogy(x, y)``: ``x * log(y)``, 0 where ``x == 0``; d/dx is ``log(y)``."""
    from ..ops.creation import tensor
    if not isinstance(x, Tensor):
        x = tensor(x, dtype=y.dtype)
    if not isinstance(y, Tensor):
        y = tensor(y, dtype=x.dtype)
    return Xlogy.apply(x, y)
