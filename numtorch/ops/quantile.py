"""``quantile`` and ``nanquantile``: sort, pick the two neighbouring order statistics, interpolate.

As in PyTorch the result is a composition of differentiable ops (``sort``, ``gather``, ``lerp``),
so its gradients (of any order) come from theirs: a quantile's gradient goes to the one or two
elements it was interpolated from. The position of quantile ``q`` among ``n`` sorted values is
``q * (n - 1)`` (for ``nanquantile``: ``n`` non-NaN values), computed in the input's dtype; a row
holding a NaN gives NaN (``quantile``), a row of only NaN gives NaN (``nanquantile``).

>>> import numtorch as torch
>>> torch.quantile(torch.tensor([0.0, 1.0, 2.0, 3.0]), 0.5)
tensor(1.5000)
>>> torch.quantile(torch.tensor([0.0, 1.0, 2.0, 3.0]), 0.5, interpolation="lower")
tensor(1.)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._apply import write_out
from .indexing import gather
from .math import lerp
from .shape import View, _view, movedim, reshape
from .sorting import sort

__all__ = ["quantile", "nanquantile"]

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


class QuantileSqueeze(View):
    """The last step: the result in its final shape (PyTorch's node name for it)."""
    _raw = True
    _name = "SqueezeBackward4"


def _q_array(q, x: np.ndarray) -> tuple:
    """``q`` as a 1-d array of the input's dtype, and whether it was a scalar."""
    if isinstance(q, Tensor):
        a = q._data
        if a.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if a.dtype != x.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        scalar, a = a.ndim == 0, a.reshape(-1)
    else:
        scalar, a = True, np.array([float(q)], dtype=x.dtype)
    bad = a[(a < 0) | (a > 1) | np.isnan(a)]
    if bad.size:
        if scalar and not isinstance(q, Tensor):
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {float(q):g}")
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    return a, scalar


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool,
              out=None) -> Tensor:
    """Both functions (their errors all say ``quantile()``, as PyTorch's)."""
    if out is not None:
        return write_out("nanquantile" if ignore_nan else "quantile",
                         _quantile(input, q, dim, keepdim, interpolation, ignore_nan), out)
    if not isinstance(input, Tensor):
        raise TypeError("quantile(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    x = input._data
    if x.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    qs, scalar = _q_array(q, x)
    if interpolation not in _MODES:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint "
                           f"or nearest, but got {interpolation}")
    # the reduced values last: (*rest, n)
    if dim is None:
        rows = reshape(input, (-1,))
        rest_shape = (1,) * x.ndim if keepdim else ()
    else:
        d = _wrap_dim(dim, x.ndim)
        rows = movedim(input, d, -1) if x.ndim else reshape(input, (1,))
        rest_shape = tuple(1 if (i == d and keepdim) else s for i, s in enumerate(x.shape)
                           if i != d or keepdim)
    ordered = sort(rows, dim=-1)[0]
    values = ordered._data                                   # (*rest, n)
    n = values.shape[-1]
    nans = np.isnan(values)
    if ignore_nan:
        last = (n - nans.sum(axis=-1, keepdims=True)).astype(values.dtype) - 1
        ranks = qs * last                                    # all-NaN rows: negative -> 0
        ranks = np.where(last < 0, values.dtype.type(0), ranks)
    else:
        ranks = np.broadcast_to(qs * values.dtype.type(n - 1), values.shape[:-1] + qs.shape)
        ranks = np.where(nans.any(axis=-1, keepdims=True), values.dtype.type(n - 1), ranks)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.rint(ranks)                              # halves to even, as PyTorch
    below = ranks.astype(np.int64)
    out = gather(ordered, -1, Tensor._make(below))           # (*rest, Q)
    if interpolation in ("linear", "midpoint"):
        weights = (np.full_like(ranks, 0.5) if interpolation == "midpoint"
                   else ranks - below.astype(ranks.dtype))
        above = gather(ordered, -1, Tensor._make(np.ceil(ranks).astype(np.int64)))
        out = lerp(out, above, Tensor._make(weights))
    out = movedim(out, -1, 0)                                # (Q, *rest)
    shape = rest_shape if scalar else (len(qs),) + rest_shape
    return _view(QuantileSqueeze, out, out._data, shape)


def quantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
             interpolation: str = "linear", out=None) -> Tensor:
    """The ``q``-th quantiles of ``input`` (all elements, or along ``dim``), as ``torch.quantile``.

    >>> import numtorch as torch
    >>> torch.quantile(torch.tensor([[1.0, 5.0], [3.0, 4.0]]), torch.tensor([0.0, 1.0]), dim=1)
    tensor([[1., 3.],
            [5., 4.]])
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input: Tensor, q, dim=None, keepdim: bool = False, *,
                interpolation: str = "linear", out=None) -> Tensor:
    """``quantile`` ignoring NaN values (NaN only for a row of NaN), as ``torch.nanquantile``.

    >>> import numtorch as torch
    >>> torch.nanquantile(torch.tensor([1.0, float("nan"), 3.0]), 0.5)
    tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, True, out)
