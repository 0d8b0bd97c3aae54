"""``nanmean``, ``cov``, ``corrcoef``, ``vander`` and ``renorm``.

The first four are compositions of differentiable ops, in PyTorch's order (so the values, the
``grad_fn`` names and the gradients of every order are those of the parts); ``renorm`` is one
node (``RenormBackward0``) whose gradient formula goes through the norm.

>>> import numtorch as torch
>>> torch.nanmean(torch.tensor([1.0, float("nan"), 3.0]))
tensor(2.)
>>> torch.vander(torch.tensor([1, 2, 3]), N=3)
tensor([[1, 1, 1],
        [4, 2, 1],
        [9, 3, 1]])
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _dtype
from .._errors import arg_error, not_tensor
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from . import elementwise as E
from . import linalg as L
from . import math as M
from . import reduce as R
from . import shape as S
from ._apply import apply, apply_inplace, write_out
from .indexing import diagonal

__all__ = ["nanmean", "cov", "corrcoef", "vander", "renorm"]


# -- nanmean ---------------------------------------------------------------------------------

def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None,
            out: Tensor | None = None) -> Tensor:
    """The mean of the non-NaN elements (over ``dim``): ``nansum / count of non-NaN``.

    >>> import numtorch as torch
    >>> torch.nanmean(torch.tensor([[1.0, float("nan")], [2.0, 4.0]]), dim=1)
    tensor([1., 3.])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("nanmean", input)
    kind = input._data.dtype.kind
    if kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but "
                           f"got {_dtype.legacy_name(input.dtype)}")
    if not isinstance(keepdim, bool):
        raise arg_error("nanmean", "keepdim", 3, "bool", keepdim)
    if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be either "
                           f"a floating point or complex dtype. Got: {_dtype.legacy_name(dtype)}")
    if out is not None:
        if dtype is None and isinstance(out, Tensor) and out._data.dtype.kind in "fc":
            dtype = out.dtype
        total = R.nansum(input, dim, keepdim, dtype=dtype)
        write_out("nansum", total, out)
        count = R.sum(E.logical_not(E.isnan(input)), dim, keepdim)
        return out.div_(count)
    total = R.nansum(input, dim, keepdim, dtype=dtype)
    return E.div(total, R.sum(E.logical_not(E.isnan(input)), dim, keepdim))


# -- cov / corrcoef --------------------------------------------------------------------------

def _check_weights(name: str, w, n: int, integral: bool) -> None:
    if not isinstance(w, Tensor):
        raise arg_error("cov", name, None, "Tensor", w)
    a = w._data
    if a.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {a.ndim} dimensions")
    if integral:
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} "
                               f"with {_dtype.legacy_name(w.dtype)} dtype")
    elif a.dtype.kind != "f":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} "
                           f"with {_dtype.legacy_name(w.dtype)} dtype")
    if a.size != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {a.size} != {n}")
    if a.size and a.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with frequency weights ``fweights`` and observation weights ``aweights``.

    >>> import numtorch as torch
    >>> torch.cov(torch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("cov", input)
    if isinstance(correction, bool) or not isinstance(correction, numbers.Integral):
        raise arg_error("cov", "correction", None, "int", correction)
    a = input._data
    if a.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {a.ndim} dimensions")
    if a.dtype == np.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input if a.ndim == 2 else S.reshape(input, (1, -1))
    n = x._data.shape[1]
    if fweights is not None:
        _check_weights("fweights", fweights, n, True)
    if aweights is not None:
        _check_weights("aweights", aweights, n, False)
    w = fweights
    if aweights is not None:
        w = aweights if w is None else E.mul(w, aweights)
    if w is None:
        w_sum = n
        avg = E.div(R.sum(x, 1), n)
        norm = n - int(correction)
    else:
        w_sum = R.sum(w)
        if w_sum._data == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = E.div(R.sum(E.mul(x, w), 1), w_sum)
        if aweights is None:
            norm = E.sub(w_sum, int(correction))
        elif correction == 0:
            norm = w_sum
        else:
            norm = E.sub(w_sum, E.div(E.mul(R.sum(E.mul(w, aweights)), int(correction)), w_sum))
    if (norm._data if isinstance(norm, Tensor) else norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than "
                      "the number of observations.", UserWarning, stacklevel=2)
        norm = 0 if not isinstance(norm, Tensor) else M.clamp_min(norm, 0)
    xc = E.sub(x, S.unsqueeze(avg, 1))
    right = xc if w is None else E.mul(xc, w)
    right = S.t(right)
    if right._data.dtype.kind == "c":
        from .complex_ops import conj
        right = conj(right)
    return S.squeeze(E.div(L.mm(xc, right), norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the variables in the rows of ``input``:
    ``cov(input)`` divided by the outer product of the standard deviations, clipped to [-1, 1].

    >>> import numtorch as torch
    >>> torch.corrcoef(torch.tensor([[0.0, 1.0, 2.0], [4.0, 2.0, 0.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("corrcoef", input)
    if input._data.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._data.ndim} dimensions")
    c = cov(input)
    if c._data.ndim == 0:
        return E.div(c, c)
    d = diagonal(c)
    if d._data.dtype.kind == "c":
        from .complex_ops import real
        d = real(d)
    std = M.sqrt(d)
    c = E.div(E.div(c, S.view(std, -1, 1)), S.view(std, 1, -1))
    if c._data.dtype.kind == "c":
        from .complex_ops import complex, imag, real
        return complex(M.clamp(real(c), -1, 1), M.clamp(imag(c), -1, 1))
    return M.clamp(c, -1, 1)


# -- vander ------------------------------------------------------------------------------------

def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-d ``x``: columns ``x ** (N - 1), ..., x, 1`` (``1, x,
    ..., x ** (N - 1)`` when ``increasing``); integer and bool inputs give int64.

    PyTorch 2.13's ``vander`` records a graph whose backward fails (a cumprod input it saved is
    overwritten in place); here the same ``grad_fn`` gives the true gradient.

    >>> import numtorch as torch
    >>> torch.vander(torch.tensor([2.0, 3.0]), N=3, increasing=True)
    tensor([[1., 2., 4.],
            [1., 3., 9.]])
    """
    if not isinstance(x, Tensor):
        raise not_tensor("vander", x, "x")
    if N is not None and (isinstance(N, bool) or not isinstance(N, numbers.Integral)):
        raise arg_error("vander", "N", None, "int", N)
    a = x._data
    if a.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = a.shape[0]
    if N is None:
        N = n
    elif N < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = x.dtype if a.dtype.kind in "fc" else _dtype.int64
    from .creation import ones
    result = ones(n, N, dtype=dtype)
    if N > 1:
        col = S.unsqueeze(x if x.dtype == dtype else x.to(dtype), 1)
        result[:, 1:] = R.cumprod(S.expand(col, n, N - 1), 1)
    return result if increasing else S.flip(result, (1,))


# -- renorm ------------------------------------------------------------------------------------

_EPS = 1e-7


def _norms(x, p: float, axes: tuple):
    """The ``p``-norms of ``x`` over ``axes`` (kept as 1s), with NumPy calls that also run on the
    engine's TensorArray (so the gradient formula below differentiates again)."""
    v = np.abs(x) if x.dtype.kind == "c" else x
    if p == 2:
        return np.sqrt((v * v).sum(axis=axes, keepdims=True))
    if p == np.inf:
        return np.abs(x).max(axis=axes, keepdims=True)
    if p == 1:
        return np.abs(x).sum(axis=axes, keepdims=True)
    return (np.abs(x) ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)


def _factor(norm, maxnorm: float):
    """The scale of each slice: ``maxnorm / (norm + 1e-7)`` where the norm exceeds ``maxnorm``."""
    return np.where(norm > maxnorm, maxnorm / (norm + norm.dtype.type(_EPS)), norm.dtype.type(1))


class Renorm(Function):
    """``renorm``: each slice along ``dim`` scaled down to p-norm ``maxnorm`` where larger."""
    _raw = True
    _name = "RenormBackward0"
    complex_grad = True         # the formula below follows PyTorch's conjugate convention
    saves = (0,)

    @staticmethod
    def forward(ctx, x, p, axes, maxnorm):
        ctx.x, ctx.p, ctx.axes, ctx.maxnorm = x, p, axes, maxnorm
        f = _factor(_norms(x, p, axes), maxnorm)
        return x * f.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, p, axes, maxnorm = ctx.x, ctx.p, ctx.axes, ctx.maxnorm
        norm = _norms(x, p, axes)
        big = norm > maxnorm
        f = _factor(norm, maxnorm)
        # d/dx of x * f(norm(x)): g * f + x . g summed over the slice * f'(norm) * dnorm/dx
        df = np.where(big, -maxnorm / ((norm + norm.dtype.type(_EPS)) ** 2), 0)
        gx = g * x if x.dtype.kind != "c" else (np.conjugate(g) * x + g * np.conjugate(x)) * 0.5
        s = gx.sum(axis=axes, keepdims=True) * df        # complex: Re(conj(g) x), summed
        if p == 2:
            dn = np.where(norm == 0, 0, x / norm)
        elif p == 1:
            dn = np.sign(x)
        elif p == np.inf:
            mask = np.abs(x) == norm
            dn = np.sign(x) * mask / mask.sum(axis=axes, keepdims=True)
        else:
            dn = np.where(norm == 0, 0, np.sign(x) * np.abs(x) ** (p - 1) / norm ** (p - 1))
        return (g * f + s * dn,)


def _number(name: str, position: int, v) -> float:
    """A Number argument (a 0-d tensor counts, as in PyTorch) as a float."""
    if isinstance(v, Tensor) and v._data.ndim == 0:
        v = v.item()
    if not isinstance(v, numbers.Number):
        raise arg_error("renorm", name, position, "Number", v)
    if isinstance(v, complex):
        if name == "p":
            raise RuntimeError("renorm: p must be real-valued")
        v = v.real
    return float(v)


def _renorm_args(input, p, dim, maxnorm):
    if not isinstance(input, Tensor):
        raise not_tensor("renorm", input)
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
        raise arg_error("renorm", "dim", 3, "int", dim)
    p, maxnorm = _number("p", 2, p), _number("maxnorm", 4, maxnorm)
    a = input._data
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if a.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {a.ndim} dimensions")
    if a.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype.legacy_name(input.dtype)}")
    d = _wrap_dim(dim, a.ndim)
    return p, tuple(i for i in range(a.ndim) if i != d), maxnorm


def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm`` scaled by
    ``maxnorm / (norm + 1e-7)``; the others unchanged.

    >>> import numtorch as torch
    >>> torch.renorm(torch.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    p, axes, maxnorm = _renorm_args(input, p, dim, maxnorm)
    return apply(Renorm, (input,), (input._data,), p, axes, maxnorm)


def renorm_(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """In-place ``renorm``.

    >>> import numtorch as torch
    >>> torch.tensor([[3.0, 4.0]]).renorm_(1, 0, 1.4)
    tensor([[0.6000, 0.8000]])
    """
    p, axes, maxnorm = _renorm_args(input, p, dim, maxnorm)
    return apply_inplace(Renorm, input, (input,), (input._data,), p, axes, maxnorm)
