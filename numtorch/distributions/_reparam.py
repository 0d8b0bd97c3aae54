"""Reparameterized gamma and Dirichlet samples, and the incomplete gamma/beta functions behind
their gradients.

A gamma (or Beta marginal) sample ``x`` with CDF ``F(x; a)`` moves with its parameter as
``dx/da = -(dF/da) / f(x; a)`` (implicit reparameterization).  ``dF/da`` is taken here by a
central difference of the regularized incomplete gamma / beta function, computed in float64 by
series and continued fractions (Numerical Recipes, ch. 6.2 and 6.4); PyTorch uses its own
approximations of the same exact quantity, so the gradients agree to float32 rounding in our
tests, not bit for bit.  The samples themselves are PyTorch's (``_samplers``).

>>> import numpy as np
>>> round(float(gammainc_np(np.array(1.0), np.array(1.0))), 12)   # 1 - e**-1
0.632120558829
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..ops._special_kernels import lgamma as _lgamma_f64
from ..ops.special_math import lgamma
from . import _samplers

_make = Tensor._make
_FPMIN = 1e-300
_EPS = 1e-16
_MAXIT = 20000


def _lgam(a: np.ndarray) -> np.ndarray:
    return _lgamma_f64(np.asarray(a, np.float64))


def gammainc_np(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Regularized lower incomplete gamma ``P(a, x)`` in float64 (a > 0, x >= 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    a = a.copy()
    x = x.copy()
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x >= 0)
    out[ok & (x == 0)] = 0.0
    out[ok & np.isposinf(x)] = 1.0
    live = ok & (x > 0) & np.isfinite(x)
    with np.errstate(all="ignore"):
        front = np.exp(-x + a * np.log(np.where(x > 0, x, 1.0)) - _lgam(a))
        ser = live & (x < a + 1)
        if ser.any():
            aa, xx = a[ser], x[ser]
            term = 1.0 / aa
            total = term.copy()
            n = np.zeros_like(aa)
            act = np.ones(aa.shape, bool)
            for _ in range(_MAXIT):
                n[act] += 1
                term[act] *= xx[act] / (aa[act] + n[act])
                total[act] += term[act]
                act &= np.abs(term) >= np.abs(total) * _EPS
                if not act.any():
                    break
            out[ser] = total * front[ser]
        cf = live & ~ser
        if cf.any():
            aa, xx = a[cf], x[cf]
            b = xx + 1.0 - aa
            c = np.full(aa.shape, 1.0 / _FPMIN)
            d = 1.0 / b
            h = d.copy()
            act = np.ones(aa.shape, bool)
            for i in range(1, _MAXIT):
                an = -i * (i - aa)
                b = b + 2.0
                d = an * d + b
                d = np.where(np.abs(d) < _FPMIN, _FPMIN, d)
                c = b + an / c
                c = np.where(np.abs(c) < _FPMIN, _FPMIN, c)
                d = 1.0 / d
                delta = d * c
                h = np.where(act, h * delta, h)
                act &= np.abs(delta - 1.0) >= _EPS
                if not act.any():
                    break
            out[cf] = 1.0 - front[cf] * h
    return out


def _betacf(a, b, x):
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _FPMIN, _FPMIN, d)
    d = 1.0 / d
    h = d.copy()
    act = np.ones(x.shape, bool)
    for m in range(1, _MAXIT):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _FPMIN, _FPMIN, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _FPMIN, _FPMIN, c)
        d = 1.0 / d
        h = np.where(act, h * d * c, h)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _FPMIN, _FPMIN, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _FPMIN, _FPMIN, c)
        d = 1.0 / d
        delta = d * c
        h = np.where(act, h * delta, h)
        act &= np.abs(delta - 1.0) >= _EPS
        if not act.any():
            break
    return h


def betainc_np(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Regularized incomplete beta ``I_x(a, b)`` in float64."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    out = np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, np.nan))
    live = (x > 0) & (x < 1) & (a > 0) & (b > 0)
    if live.any():
        aa, bb, xx = a[live], b[live], x[live]
        with np.errstate(all="ignore"):
            front = np.exp(_lgam(aa + bb) - _lgam(aa) - _lgam(bb)
                           + aa * np.log(xx) + bb * np.log1p(-xx))
            low = xx < (aa + 1.0) / (aa + bb + 2.0)
            res = np.empty_like(xx)
            if low.any():
                res[low] = front[low] * _betacf(aa[low], bb[low], xx[low]) / aa[low]
            hi = ~low
            if hi.any():
                res[hi] = 1.0 - front[hi] * _betacf(bb[hi], aa[hi], 1.0 - xx[hi]) / bb[hi]
        out[live] = res
    return out


_H = 1e-5       # relative step of the central differences


def standard_gamma_grad_np(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``dx/dalpha`` of a Gamma(alpha, 1) sample ``x``, in ``x``'s dtype."""
    a = np.asarray(alpha, np.float64)
    xx = np.asarray(x, np.float64)
    h = _H * a
    with np.errstate(all="ignore"):
        dp = (gammainc_np(a + h, xx) - gammainc_np(a - h, xx)) / (2 * h)
        logf = (a - 1.0) * np.log(xx) - xx - _lgam(a)
        g = -dp / np.exp(logf)
    g = np.where(np.isfinite(g), g, 0.0)
    return g.astype(np.asarray(x).dtype, copy=False)


def dirichlet_grad_np(x: np.ndarray, alpha: np.ndarray, total: np.ndarray) -> np.ndarray:
    """PyTorch's ``_dirichlet_grad``: for a Dirichlet sample with marginal ``x ~ Beta(alpha,
    total - alpha)``, ``(dx/dalpha with the other concentrations fixed) / (1 - x)``."""
    xx = np.asarray(x, np.float64)
    a = np.asarray(alpha, np.float64)
    b = np.asarray(total, np.float64) - a
    h = _H * a
    with np.errstate(all="ignore"):
        di = (betainc_np(a + h, b, xx) - betainc_np(a - h, b, xx)) / (2 * h)
        logf = ((a - 1.0) * np.log(xx) + (b - 1.0) * np.log1p(-xx)
                - (_lgam(a) + _lgam(b) - _lgam(a + b)))
        g = -di / np.exp(logf) / (1.0 - xx)
    g = np.where(np.isfinite(g), g, 0.0)
    return g.astype(np.asarray(x).dtype, copy=False)


class StandardGamma(Function):
    """``torch._standard_gamma``: Gamma(alpha, 1) samples, differentiable in alpha."""
    _name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha):
        x = _make(_samplers.standard_gamma(None, alpha._data))
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        return g * _make(standard_gamma_grad_np(alpha._data, x._data))


class _Dirichlet(Function):
    """``torch._sample_dirichlet`` with PyTorch's reparameterized gradient."""

    @staticmethod
    def forward(ctx, concentration):
        x = _make(_samplers.dirichlet(None, concentration._data))
        ctx.save_for_backward(x, concentration)
        return x

    @staticmethod
    def backward(ctx, g):
        x, concentration = ctx.saved_tensors
        c = concentration._data
        total = np.broadcast_to(c.sum(-1, keepdims=True), c.shape)
        grad = _make(dirichlet_grad_np(x._data, c, total))
        return grad * (g - (x * g).sum(-1, keepdim=True))


class Gammainc(Function):
    """``torch.special.gammainc(a, x)``; differentiable in ``x`` only, as in PyTorch."""
    _name = "IgammaBackward0"

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        dt = np.result_type(a._data.dtype, x._data.dtype)
        return _make(gammainc_np(a._data, x._data).astype(dt))

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("derivative for aten::igamma is not implemented")
        dens = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return None, g * dens


def standard_gamma(alpha: Tensor) -> Tensor:
    return StandardGamma.apply(alpha)


def sample_dirichlet(concentration: Tensor) -> Tensor:
    return _Dirichlet.apply(concentration)


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    return Gammainc.apply(a, x)
