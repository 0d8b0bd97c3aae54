"""The inverse hyperbolic functions ``asinh``, ``acosh``, ``atanh`` (and their ``arc*``
aliases and in-place forms), as PyTorch 2.13 computes them; forward and backward side by side.
Loaded on first use (``numtorch._LAZY``, ``LAZY_METHODS``).

>>> import numtorch as torch
>>> x = torch.tensor([0.5, 2.0], requires_grad=True)
>>> torch.asinh(x).sum().backward(); x.grad
tensor([0.8944, 0.4472])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from . import math as M
from ._apply import write_out

# -- inverse hyperbolic functions ---------------------------------------------------------------

# PyTorch's CPU kernel for atanh evaluates whole vectors (16 float32 / 8 float64 values, in
# memory order) with a vector library that is accurate to within an ulp, and the remainder with
# the C library, as NumPy does: so the blocks are computed in wider precision and rounded.
_WIDE = {np.dtype(np.float32): (np.float64, 16)}
if np.finfo(np.longdouble).nmant > 52:
    _WIDE[np.dtype(np.float64)] = (np.longdouble, 8)


def _atanh(x):
    wide = _WIDE.get(x.dtype)
    n = x.size
    if wide is None or n < wide[1]:
        return np.arctanh(x)
    body = n - n % wide[1]
    flat = x.reshape(-1)
    out = np.empty(n, x.dtype)
    out[:body] = np.arctanh(flat[:body].astype(wide[0]))
    out[body:] = np.arctanh(flat[body:])
    return out.reshape(x.shape)


class Asinh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g / np.sqrt(x * x + 1),)


class Acosh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if x.dtype.kind == "c":                     # the principal branch: sqrt(z-1) sqrt(z+1)
            return (g / (np.sqrt(x - 1) * np.sqrt(x + 1)),)
        return (g / np.sqrt(x * x - 1),)


class Atanh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _atanh(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g / (1 - x * x),)


class _NoInplaceDerivative:
    """The in-place forms: PyTorch records ``<Op>Backward1``, whose backward refuses."""

    @classmethod
    def backward(cls, ctx, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {cls._op}' is not "
                                  "implemented.")


class AsinhInplace(_NoInplaceDerivative, Asinh):
    _raw = True
    _name = "AsinhBackward1"
    complex_grad = True             # (it refuses all the same)
    _op = "asinh"


class AcoshInplace(_NoInplaceDerivative, Acosh):
    _raw = True
    _name = "AcoshBackward1"
    complex_grad = True             # (it refuses all the same)
    _op = "acosh"


class AtanhInplace(_NoInplaceDerivative, Atanh):
    _raw = True
    _name = "AtanhBackward1"
    complex_grad = True             # (it refuses all the same)
    _op = "atanh"


def asinh(input, *, out=None) -> Tensor:
    """The inverse hyperbolic sine.

    >>> import numtorch as torch
    >>> torch.asinh(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8814])
    """
    if out is not None:
        return write_out("asinh", asinh(input), out)
    return M._unary(Asinh, input)


def acosh(input, *, out=None) -> Tensor:
    """The inverse hyperbolic cosine (NaN below 1).

    >>> import numtorch as torch
    >>> torch.acosh(torch.tensor([1.0, 2.0]))
    tensor([0.0000, 1.3170])
    """
    if out is not None:
        return write_out("acosh", acosh(input), out)
    return M._unary(Acosh, input)


def atanh(input, *, out=None) -> Tensor:
    """The inverse hyperbolic tangent (infinite at -1 and 1, NaN beyond).

    >>> import numtorch as torch
    >>> torch.atanh(torch.tensor([0.0, 0.5]))
    tensor([0.0000, 0.5493])
    """
    if out is not None:
        return write_out("atanh", atanh(input), out)
    return M._unary(Atanh, input)


def asinh_(input) -> Tensor:
    """In-place ``asinh``.

    >>> import numtorch as torch
    >>> torch.tensor([1.0]).asinh_()
    tensor([0.8814])
    """
    return M._unary_(AsinhInplace, input, floats=True)


def acosh_(input) -> Tensor:
    """In-place ``acosh``.

    >>> import numtorch as torch
    >>> torch.tensor([2.0]).acosh_()
    tensor([1.3170])
    """
    return M._unary_(AcoshInplace, input, floats=True)


def atanh_(input) -> Tensor:
    """In-place ``atanh``.

    >>> import numtorch as torch
    >>> torch.tensor([0.5]).atanh_()
    tensor([0.5493])
    """
    return M._unary_(AtanhInplace, input, floats=True)


arcsinh, arccosh, arctanh = asinh, acosh, atanh
arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_


__all__ = ["asinh", "acosh", "atanh", "asinh_", "acosh_", "atanh_", "arcsinh", "arccosh",
           "arctanh", "arcsinh_", "arccosh_", "arctanh_"]
