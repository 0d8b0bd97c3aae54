"""Reductions: sum, mean, prod, max/min (with indices), std/var, norm, logsumexp, cumsum, ...

``dim`` may be an int, a tuple of ints or None; negative dims count from the end.

>>> import numtorch as torch
>>> torch.tensor([[1., 5.], [3., 2.]]).max(dim=1)
torch.return_types.max(
values=tensor([5., 3.]),
indices=tensor([1, 0]))
"""
from __future__ import annotations

import math as _math
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype
from .._errors import arg_error, invalid_combination, not_tensor, repeated_dim_error
from .._tensor import Tensor, _wrap_dim
from ..autograd.engine import check_complex_below
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply, _make, write_out
from ._sum_order import ordered_sum


def _axes(dim, ndim):
    """NumPy axis argument for a PyTorch ``dim`` (None = all)."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        axes = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(axes) > 1 and len(set(axes)) != len(axes):
            raise repeated_dim_error(axes)
        return axes
    return _wrap_dim(dim, ndim)


def _expand_back(g, shape, axis, keepdim):
    """Broadcastable view of a reduced gradient ``g`` against the input ``shape``."""
    if axis is None:
        return np.broadcast_to(np.reshape(g, (1,) * len(shape)) if len(shape) else g, shape)
    if not keepdim:                  # put the reduced dims back as 1s (np.expand_dims is slow)
        kept = list(np.shape(g))
        for a in (sorted(axis) if isinstance(axis, tuple) else (axis,)):
            kept.insert(a, 1)
        g = np.reshape(g, kept)
    if _math.prod(shape) <= 65536 and type(g) is np.ndarray:   # small: a filled copy is cheaper
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    if len(shape) < np.ndim(g):      # a 0-d input "reduced" along its dim 0
        return np.reshape(g, shape)
    return np.broadcast_to(g, shape)


def _filled(v, shape):
    """An array of ``shape`` filled with the single value of ``v`` (the backward of a full
    reduction): a fresh array when small, a read-only stride-0 view when large."""
    if not isinstance(v, (np.ndarray, np.generic)):          # a TensorArray (create_graph)
        return np.broadcast_to(v.reshape(()), shape)
    v = np.asarray(v).reshape(())
    if len(shape) and _math.prod(shape) > 65536:
        a = np.ndarray(shape, v.dtype, v, 0, (0,) * len(shape))
        a.flags.writeable = False
        return a
    a = np.empty(shape, v.dtype)
    a.fill(v)
    return a


def _return_type(name, fields=("values", "indices")):
    cls = namedtuple(name, fields)
    cls.__module__ = "torch.return_types"

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"
    cls.__repr__ = __repr__
    return cls


class return_types:
    max = _return_type("max")
    min = _return_type("min")
    sort = _return_type("sort")
    topk = _return_type("topk")
    mode = _return_type("mode")
    median = _return_type("median")
    kthvalue = _return_type("kthvalue")
    cummax = _return_type("cummax")
    cummin = _return_type("cummin")
    nanmedian = _return_type("nanmedian")
    aminmax = _return_type("aminmax", ("min", "max"))
    histogram = _return_type("histogram", ("hist", "bin_edges"))
    histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))
    frexp = _return_type("frexp", ("mantissa", "exponent"))
    frexp_out = _return_type("frexp_out", ("mantissa", "exponent"))


# -- sum / mean / prod -----------------------------------------------------------------------

class Sum(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axis, keepdim, dtype):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        if dtype is None:
            kind = x.dtype.kind
            if kind == "f" and axis is None and x.dtype.itemsize >= 4 and type(x) is np.ndarray:
                return ordered_sum(x, None, keepdim)        # PyTorch's order: its bits
            if kind in "biu":
                dtype = np.int64
        return np.asarray(np.add.reduce(x, axis, dtype, None, keepdim))

    @staticmethod
    def backward(ctx, g):
        if ctx.axis is None:
            return (_filled(g, ctx.shape),)
        return (_expand_back(g, ctx.shape, ctx.axis, ctx.keepdim),)


class SumDim(Sum):
    _raw = True
    _name = "SumBackward1"


def mean_all(x: np.ndarray) -> np.ndarray:
    """``np.mean(x)`` as a 0-d array; for floats without its Python layers: the sum in PyTorch's
    order (``_sum_order.py``), then one division in the array's dtype, as PyTorch does.

    >>> mean_all(np.float32([1, 2, 4]))
    array(2.3333333, dtype=float32)
    """
    n = x.size
    if 0 < n < 1 << 24 and x.dtype.kind == "f" and x.dtype.itemsize >= 4:
        if type(x) is np.ndarray:
            return np.asarray(x.dtype.type(ordered_sum(x, None) / n))
        return np.asarray(x.dtype.type(np.add.reduce(x, None) / n))
    return np.asarray(_quietly(np.mean, x))


def _quietly(fn, *args, **kwargs):
    """``fn`` without NumPy's RuntimeWarnings ("Mean of empty slice", "Degrees of freedom <= 0",
    0/0): PyTorch returns nan silently there. Used only on those rare paths."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _check_dof(name: str, denom) -> None:
    if denom <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      f"than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=5)


class Mean(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        if axis is None:
            ctx.count = x.size
            if not keepdim:
                return mean_all(x)
        else:
            ctx.count = int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
        if not ctx.count:                        # an empty mean is nan, silently
            return np.asarray(_quietly(np.mean, x, axis=axis, keepdims=keepdim))
        return np.asarray(np.mean(x, axis=axis, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        g = g / g.dtype.type(ctx.count) if ctx.count else g
        if ctx.axis is None:
            return (_filled(g, ctx.shape),)
        return (_expand_back(g, ctx.shape, ctx.axis, ctx.keepdim),)


class MeanDim(Mean):
    _raw = True
    _name = "MeanBackward1"


class Prod(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.x, ctx.axis, ctx.keepdim = x, axis, keepdim
        out = np.asarray(np.prod(x, axis=axis, keepdims=keepdim,
                                 dtype=np.int64 if x.dtype.kind in "biu" else None))
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        ge = _expand_back(g, x.shape, ctx.axis, ctx.keepdim)
        if np.all(x != 0):
            return (ge * (_expand_back(ctx.out, x.shape, ctx.axis, ctx.keepdim) / x),)
        # with zeros: the product of the other elements (exclusive prefix * suffix products)
        axes = list(range(x.ndim)) if ctx.axis is None else list(np.atleast_1d(ctx.axis))
        last = list(range(x.ndim - len(axes), x.ndim))
        moved = np.moveaxis(x, axes, last)
        flat = moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,))
        ones = np.ones(flat.shape[:-1] + (1,), x.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
        right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat[..., 1:], -1)], -1), -1), -1)
        others = np.moveaxis((left * right).reshape(moved.shape), last, axes)
        return (ge * others,)


class ProdDim(Prod):
    _raw = True
    _name = "ProdBackward1"


def sum(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    """Sum of all elements, or along ``dim``.

    >>> import numtorch as torch
    >>> torch.tensor([[1, 2], [3, 4]]).sum(0)
    tensor([4, 6])
    """
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("sum", input) from None
    try:
        npd = None if dtype is None else dtype.np
    except AttributeError:
        raise invalid_combination("sum", {"dtype": dtype}, "(*, torch.dtype dtype = None), "
                                  "(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype "
                                  "= None)") from None
    return apply(Sum if dim is None else SumDim, (input,), (x,), _axes(dim, x.ndim), keepdim, npd)


def mean(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("mean", input) from None
    if dtype is not None:
        x = x.astype(dtype.np)
    elif x.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {_dtype.legacy_name(input.dtype)}")
    return apply(Mean if dim is None else MeanDim, (input,), (x,), _axes(dim, x.ndim), keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    x = input._data if dtype is None else input._data.astype(dtype.np)
    return apply(Prod if dim is None else ProdDim, (input,), (x,), _axes(dim, x.ndim), keepdim)


class Nansum(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.x, ctx.axis, ctx.keepdim = x, axis, keepdim
        return np.asarray(np.nansum(x, axis=axis, keepdims=keepdim,
                                    dtype=np.int64 if x.dtype.kind in "biu" else None))

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (_expand_back(g, x.shape, ctx.axis, ctx.keepdim) * ~np.isnan(x),)


def nansum(input, dim=None, keepdim=False, *, dtype=None) -> Tensor:
    """Sum treating NaN as zero."""
    x = input._data
    axis = _axes(dim, x.ndim)
    if x.dtype.kind == "c":
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if dtype is not None:
        if dtype.is_complex:
            raise NotImplementedError(f'"nansum_cpu" not implemented for '
                                      f"'{_dtype.legacy_name(dtype)}'")
        x = x.astype(dtype.np)
    return apply(Nansum, (input,), (x,), axis, keepdim)


# -- max / min ---------------------------------------------------------------------------------

class MaxAll(Function):
    """max()/min()/amax()/amin(): the gradient is shared evenly among tied extremes."""
    _raw = True
    _name = "MaxBackward1"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim, fn):
        out = np.asarray(fn(x, axis=axis, keepdims=keepdim))
        ctx.x, ctx.out, ctx.axis, ctx.keepdim = x, out, axis, keepdim
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        mask = x == _expand_back(ctx.out, x.shape, ctx.axis, ctx.keepdim)
        count = mask.sum(axis=ctx.axis, keepdims=True)
        return (_expand_back(g, x.shape, ctx.axis, ctx.keepdim) * mask / count.astype(g.dtype),)


class MinAll(MaxAll):
    _raw = True
    _name = "MinBackward1"


class Amax(MaxAll):
    _raw = True
    _name = "AmaxBackward0"


class Amin(MaxAll):
    _raw = True
    _name = "AminBackward0"


class MaxDim(Function):
    """max(dim)/min(dim): the gradient goes to the returned index."""
    _raw = True
    _name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, axis, keepdim, idx):
        ctx.shape, ctx.axis, ctx.keepdim, ctx.idx = x.shape, axis, keepdim, idx
        return np.take_along_axis(x, np.expand_dims(idx, axis), axis) if keepdim else \
            np.take_along_axis(x, np.expand_dims(idx, axis), axis).squeeze(axis)

    @staticmethod
    def backward(ctx, g):
        out = np.zeros_like(g, shape=ctx.shape)
        gi = g if ctx.keepdim else np.expand_dims(g, ctx.axis)
        np.put_along_axis(out, np.expand_dims(ctx.idx, ctx.axis), gi, ctx.axis)
        return (out,)


class MinDim(MaxDim):
    _raw = True
    _name = "MinBackward0"


def _check_nonempty(x, name, dim=None):
    if x.size == 0 and (dim is None or x.shape[dim] == 0):
        if dim is None:
            if name == "aminmax":
                raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                                   "operation has no identity.")
            if name in ("argmax", "argmin"):
                raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        raise IndexError(f"{name}{':' if name == 'aminmax' else '():'} Expected reduction dim {dim} "
                         "to have non-zero size.")


def _empty_reduction_error(x, name, axis) -> Exception:
    """The error of a max-like reduction over no elements (NumPy raised a ValueError)."""
    try:
        if axis is None:
            _check_nonempty(x, name)
        for a in axis if isinstance(axis, tuple) else (axis,):
            _check_nonempty(x, name, a)
    except (RuntimeError, IndexError) as e:
        return e
    return RuntimeError(f"{name}(): could not reduce a tensor of shape {list(x.shape)}")


def _extreme(input, dim, keepdim, big: bool, name):
    x = input._data
    if dim is None:
        _check_nonempty(x, name)
        if x.dtype.kind == "c":
            raise NotImplementedError(f'"{name}_all" not implemented for '
                                      f"'{_dtype.legacy_name_np(x.dtype)}'")
        return apply(MaxAll if big else MinAll, (input,), (x,), None, False,
                     np.max if big else np.min)
    if isinstance(dim, Tensor):           # torch.max(a, b)
        from .math import maximum, minimum
        return (maximum if big else minimum)(input, dim)
    axis = _wrap_dim(dim, x.ndim)
    if x.dtype.kind == "c":
        _check_nonempty(x, name, axis)
        raise RuntimeError(f"{name}(): does not support complex input")
    if x.ndim == 0:
        return getattr(return_types, name)(input.clone(), _make(np.zeros((), np.int64)))
    _check_nonempty(x, name, axis)
    idx = _arg_extreme(x, axis, big)
    values = apply(MaxDim if big else MinDim, (input,), (x,), axis, keepdim, idx)
    indices = _make(np.expand_dims(idx, axis) if keepdim else idx)
    return getattr(return_types, name)(values, indices)


def _arg_extreme(x, axis, big):
    """First index of the max (min); NaN counts as the extreme, as in PyTorch."""
    if x.dtype.kind == "f" and np.isnan(x).any():
        return (np.argmax if big else np.argmin)(np.where(np.isnan(x), np.inf if big else -np.inf, x), axis=axis)
    return (np.argmax if big else np.argmin)(x, axis=axis)


def _extreme_out(name, result, out):
    """``max``/``min`` with ``out=``: one tensor, or ``(values, indices)`` along a dim."""
    if not isinstance(result, tuple):
        return write_out(name, result, out)
    values, indices = out
    write_out(name + ".dim", result[0], values)
    write_out(name + ".dim", result[1], indices)
    return getattr(return_types, name)(values, indices)


def max(input, dim=None, keepdim=False, *, out=None):
    """Largest element, or ``(values, indices)`` along ``dim``, or elementwise max of two tensors."""
    if out is not None:
        return _extreme_out("max", max(input, dim, keepdim), out)
    return _extreme(input, dim, keepdim, True, "max")


def min(input, dim=None, keepdim=False, *, out=None):
    if out is not None:
        return _extreme_out("min", min(input, dim, keepdim), out)
    return _extreme(input, dim, keepdim, False, "min")


def amax(input, dim=(), keepdim=False) -> Tensor:
    x = input._data
    axis = _axes(dim, x.ndim)
    if x.dtype.kind == "c" and x.size:
        raise NotImplementedError(f'"max_values_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    try:
        return apply(Amax, (input,), (x,), axis, keepdim, np.max)
    except ValueError:
        err = _empty_reduction_error(x, "amax", axis)
    raise err from None


def amin(input, dim=(), keepdim=False) -> Tensor:
    x = input._data
    axis = _axes(dim, x.ndim)
    if x.dtype.kind == "c" and x.size:
        raise NotImplementedError(f'"min_values_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    try:
        return apply(Amin, (input,), (x,), axis, keepdim, np.min)
    except ValueError:
        err = _empty_reduction_error(x, "amin", axis)
    raise err from None


class _AminmaxMin(Amin):
    _raw = True
    _name = "AminmaxBackward0"


class _AminmaxMax(Amax):
    _raw = True
    _name = "AminmaxBackward0"


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over all elements or along ``dim``.

    >>> import numtorch as torch
    >>> torch.tensor([[1., 5.], [3., 2.]]).aminmax(dim=1)
    torch.return_types.aminmax(
    min=tensor([1., 2.]),
    max=tensor([5., 3.]))
    """
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("aminmax", input) from None
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise arg_error("aminmax", "dim", None, "int", dim)
    axis = None if dim is None else _wrap_dim(dim, x.ndim)
    _check_nonempty(x, "aminmax", axis)
    if x.dtype.kind == "c":
        raise NotImplementedError(f'"aminmax_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    return return_types.aminmax(apply(_AminmaxMin, (input,), (x,), axis, keepdim, np.min),
                                apply(_AminmaxMax, (input,), (x,), axis, keepdim, np.max))


def argmax(input, dim=None, keepdim=False) -> Tensor:
    x = input._data
    if x.dtype.kind == "c":
        raise RuntimeError("argmax(): does not support complex input")
    if dim is None:
        _check_nonempty(x, "argmax")
        r = _arg_extreme(x.reshape(-1), 0, True)
        return _make(np.asarray(r, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    axis = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _make(np.zeros((), np.int64))
    _check_nonempty(x, "argmax", axis)
    r = _arg_extreme(x, axis, True)
    return _make(np.expand_dims(r, axis) if keepdim else np.asarray(r))


def argmin(input, dim=None, keepdim=False) -> Tensor:
    x = input._data
    if x.dtype.kind == "c":
        raise RuntimeError("argmin(): does not support complex input")
    if dim is None:
        _check_nonempty(x, "argmin")
        r = _arg_extreme(x.reshape(-1), 0, False)
        return _make(np.asarray(r, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    axis = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _make(np.zeros((), np.int64))
    _check_nonempty(x, "argmin", axis)
    r = _arg_extreme(x, axis, False)
    return _make(np.expand_dims(r, axis) if keepdim else np.asarray(r))


# -- var / std / norm / logsumexp ------------------------------------------------------------

class Var(Function):
    _raw = True
    complex_grad = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, axis, keepdim, correction, api="var"):
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
        ctx.x, ctx.axis, ctx.keepdim, ctx.denom = x, axis, keepdim, n - correction
        if n - correction <= 0:
            _check_dof(api, n - correction)
            return np.asarray(_quietly(np.var, x, axis=axis, keepdims=keepdim, ddof=correction))
        return np.asarray(np.var(x, axis=axis, keepdims=keepdim, ddof=correction))

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if x.dtype.kind == "c":          # |x - m|^2: the same formula gives PyTorch's gradient
            check_complex_below(ctx)
        m = np.mean(x, axis=ctx.axis, keepdims=True)
        ge = _expand_back(g, x.shape, ctx.axis, ctx.keepdim)
        return (ge * 2 * (x - m) / x.dtype.type(ctx.denom),)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    if isinstance(dim, bool):        # var(x, False): the old ``unbiased`` positional form
        dim, unbiased = None, dim
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return apply(Var, (input,), (x,), _axes(dim, x.ndim), keepdim, _correction(unbiased, correction))


class Std(Function):
    _raw = True
    complex_grad = True
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim, correction, api="std"):
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))
        if n - correction <= 0:
            _check_dof(api, n - correction)
            out = np.asarray(_quietly(np.std, x, axis=axis, keepdims=keepdim, ddof=correction))
        else:
            out = np.asarray(np.std(x, axis=axis, keepdims=keepdim, ddof=correction))
        ctx.x, ctx.axis, ctx.keepdim, ctx.denom, ctx.out = x, axis, keepdim, n - correction, out
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if x.dtype.kind == "c":
            check_complex_below(ctx)
        m = np.mean(x, axis=ctx.axis, keepdims=True)
        ge = _expand_back(g, x.shape, ctx.axis, ctx.keepdim)
        oe = _expand_back(ctx.out, x.shape, ctx.axis, ctx.keepdim)
        return (ge * (x - m) / (x.dtype.type(ctx.denom) * oe),)


class _VarMeanVar(Var):
    _raw = True
    _name = "VarMeanBackward0"


class _VarMeanMean(MeanDim):
    _raw = True
    _name = "VarMeanBackward0"


class _StdMeanStd(Std):
    _raw = True
    _name = "StdMeanBackward0"


class _StdMeanMean(MeanDim):
    _raw = True
    _name = "StdMeanBackward0"


def _var_args(input, dim, unbiased, correction):
    if isinstance(dim, bool):        # std(x, False): the old ``unbiased`` positional form
        dim, unbiased = None, dim
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return x, _axes(dim, x.ndim), _correction(unbiased, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None) -> Tensor:
    """Standard deviation (Bessel-corrected unless ``unbiased=False`` / ``correction=0``)."""
    x, axis, corr = _var_args(input, dim, unbiased, correction)
    return apply(Std, (input,), (x,), axis, keepdim, corr)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axis, corr = _var_args(input, dim, unbiased, correction)
    return (apply(_VarMeanVar, (input,), (x,), axis, keepdim, corr, "var_mean"),
            apply(_VarMeanMean, (input,), (x,), axis, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    x, axis, corr = _var_args(input, dim, unbiased, correction)
    return (apply(_StdMeanStd, (input,), (x,), axis, keepdim, corr, "std_mean"),
            apply(_StdMeanMean, (input,), (x,), axis, keepdim))


class Norm(Function):
    _raw = True
    complex_grad = True
    _name = "LinalgVectorNormBackward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, p, axis, keepdim):
        ax = axis
        v = np.abs(x) if x.dtype.kind == "c" else x      # complex: the norm of the moduli, real
        if p == 2:
            out = np.sqrt(np.sum(v * v, axis=ax, keepdims=keepdim))
        elif p == np.inf:
            out = np.max(np.abs(x), axis=ax, keepdims=keepdim)
        elif p == -np.inf:
            out = np.min(np.abs(x), axis=ax, keepdims=keepdim)
        elif p == 0:
            out = np.sum(x != 0, axis=ax, keepdims=keepdim).astype(v.dtype)
        elif p == 1:
            out = np.sum(np.abs(x), axis=ax, keepdims=keepdim)
        else:
            out = np.sum(np.abs(x) ** p, axis=ax, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out, v.dtype)
        ctx.x, ctx.p, ctx.axis, ctx.keepdim, ctx.out = x, p, axis, keepdim, out
        return out

    @staticmethod
    def backward(ctx, g):
        x, p = ctx.x, ctx.p
        ge = _expand_back(g, x.shape, ctx.axis, ctx.keepdim)
        oe = _expand_back(ctx.out, x.shape, ctx.axis, ctx.keepdim)
        if p == 2:
            gx = np.where(oe == 0, 0, x / oe)
        elif p == 1:
            gx = np.sign(x)
        elif p in (np.inf, -np.inf):
            mask = np.abs(x) == oe
            gx = np.sign(x) * mask / mask.sum(axis=ctx.axis, keepdims=True)
        elif p == 0:                      # a count: PyTorch returns no gradient at all
            return (None,)
        else:
            gx = np.where(oe == 0, 0, np.sign(x) * np.abs(x) ** (p - 1) / oe ** (p - 1))
        if x.dtype.kind == "c":          # a real gradient becomes complex here (sgn(z) = z/|z|)
            check_complex_below(ctx)
            return (ge * gx.astype(x.dtype),)
        return (ge * gx.astype(g.dtype),)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None) -> Tensor:
    """Vector p-norm over all elements or ``dim`` ('fro' and 2 are the same here)."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise NotImplementedError("numtorch does not implement the nuclear norm yet")
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype.legacy_name(input.dtype)}")
    return apply(Norm, (input,), (x,), float(p), _axes(dim, x.ndim), keepdim)


class LogSumExp(Function):
    _raw = True
    _name = "LogsumexpBackward0"
    complex_grad = HOLOMORPHIC
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        if not keepdim:
            out = np.squeeze(out, axis=axis)
        ctx.x, ctx.axis, ctx.keepdim, ctx.out = x, axis, keepdim, out
        return out

    @staticmethod
    def backward(ctx, g):
        x, axis, keepdim = ctx.x, ctx.axis, ctx.keepdim
        ge = _expand_back(g, x.shape, axis, keepdim)
        return (ge * np.exp(x - _expand_back(ctx.out, x.shape, axis, keepdim)),)


def logsumexp(input, dim, keepdim=False) -> Tensor:
    x = input._data
    if x.dtype.kind not in "fc":
        x = x.astype(_dtype.get_default_dtype().np)
    return apply(LogSumExp, (input,), (x,), _axes(dim, x.ndim), keepdim)


class Cumsum(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, axis, dtype):
        ctx.axis = axis
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        if x.dtype == np.float32 and dtype in (None, np.float32):
            # PyTorch's CPU kernel accumulates float32 in double
            return np.cumsum(x, axis=axis, dtype=np.float64).astype(np.float32)
        return np.cumsum(x, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return (np.flip(np.cumsum(np.flip(g, ctx.axis), axis=ctx.axis), ctx.axis),)


def cumsum(input, dim, *, dtype=None) -> Tensor:
    x = input._data
    if x.ndim == 0:
        return input.clone()
    return apply(Cumsum, (input,), (x,), _wrap_dim(dim, x.ndim), None if dtype is None else dtype.np)


class Cumprod(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.x, ctx.axis = x, axis
        if x.dtype == np.float32:           # PyTorch's CPU kernel accumulates float32 in double
            out = np.cumprod(x, axis=axis, dtype=np.float64).astype(np.float32)
        else:
            out = np.cumprod(x, axis=axis)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        x, axis, out = ctx.x, ctx.axis, ctx.out
        if np.all(x != 0):
            s = np.flip(np.cumsum(np.flip(g * out, axis), axis=axis), axis)
            return (s / x,)
        # with zeros: d out_i / d x_k = prod_{j <= i, j != k} x_j, summed against g_i
        xm, gm = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
        res = np.zeros_like(xm)
        for k in range(xm.shape[-1]):
            others = xm.copy()
            others[..., k] = 1
            res[..., k] = np.sum((gm * np.cumprod(others, -1))[..., k:], -1)
        return (np.moveaxis(res, -1, axis),)


def cumprod(input, dim, *, dtype=None) -> Tensor:
    x = input._data
    return apply(Cumprod, (input,), (x,), _wrap_dim(dim, x.ndim))


def all(input, dim=None, keepdim=False) -> Tensor:
    x = input._data
    return _make(np.asarray(np.all(x, axis=_axes(dim, x.ndim), keepdims=keepdim)))


def any(input, dim=None, keepdim=False) -> Tensor:
    x = input._data
    return _make(np.asarray(np.any(x, axis=_axes(dim, x.ndim), keepdims=keepdim)))


def count_nonzero(input, dim=None) -> Tensor:
    """Number of non-zero elements, over all elements or along ``dim`` (int or tuple).

    >>> import numtorch as torch
    >>> torch.count_nonzero(torch.tensor([[0, 1], [2, 3]]), dim=0)
    tensor([1, 2])
    """
    try:
        x = input._data
    except AttributeError:
        raise not_tensor("count_nonzero", input) from None
    return _make(np.asarray(np.count_nonzero(x, axis=_axes(dim, x.ndim)), np.int64))
