"""Pointwise binary math: maximum/minimum (NaN wins), fmax/fmin (NaN loses), lerp and atan2;
forward and backward side by side. ``math.py`` re-exports them (``torch.maximum``).

>>> import numtorch as torch
>>> torch.maximum(torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0]))
tensor([3., 5.])
>>> torch.lerp(torch.tensor([0.0]), torch.tensor([10.0]), 0.25)
tensor([2.5000])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._fma import fma64
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, apply_inplace, operands, broadcast_error, write_out
from ._pointwise import _binary

_BY_NP = _dtype._BY_NP


class Maximum(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        if x.dtype.kind == "c":                   # (the operands have one dtype here)
            raise RuntimeError("maximum not implemented for complex tensors.")
        ctx.x, ctx.y = x, y
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        keep = g.dtype.type(1) - (x == y) * g.dtype.type(0.5)   # a tie: half each; a NaN:
        return g * (keep - (x < y)), g * (keep - (x > y))               # all to both


class Minimum(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        if x.dtype.kind == "c":
            raise RuntimeError("minimum not implemented for complex tensors.")
        ctx.x, ctx.y = x, y
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        keep = g.dtype.type(1) - (x == y) * g.dtype.type(0.5)   # a tie: half each; a NaN:
        return g * (keep - (x > y)), g * (keep - (x < y))               # all to both


def maximum(input, other, *, out=None) -> Tensor:
    if out is not None:
        return write_out("maximum", maximum(input, other), out)
    return _binary(Maximum, input, other)


def minimum(input, other, *, out=None) -> Tensor:
    if out is not None:
        return write_out("minimum", minimum(input, other), out)
    return _binary(Minimum, input, other)


def _fmax_fmin(ctx, x, y, name, ufunc):
    if x.dtype.kind == "c":                   # (the operands have one dtype here)
        raise RuntimeError(f"{name} not implemented for complex tensors.")
    ctx.x, ctx.y = x, y
    return ufunc(x, y)


def _fmax_fmin_grads(ctx, g, wins):
    """``input`` gets the gradient where it wins (a tie included) or ``other`` is NaN."""
    to_x = wins | np.isnan(ctx.y) if ctx.y.dtype.kind in "fc" else wins
    zero = np.zeros((), g.dtype)
    return np.where(to_x, g, zero), np.where(to_x, zero, g)


class Fmax(Function):
    """``fmax``: ``maximum`` where a NaN loses to a number."""
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        return _fmax_fmin(ctx, x, y, "fmax", np.fmax)

    @staticmethod
    def backward(ctx, g):
        return _fmax_fmin_grads(ctx, g, ctx.x >= ctx.y)


class Fmin(Function):
    """``fmin``: ``minimum`` where a NaN loses to a number."""
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        return _fmax_fmin(ctx, x, y, "fmin", np.fmin)

    @staticmethod
    def backward(ctx, g):
        return _fmax_fmin_grads(ctx, g, ctx.x <= ctx.y)


def fmax(input, other, *, out=None) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are NaN).

    >>> import numtorch as torch
    >>> torch.fmax(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
    tensor([1., 2.])
    """
    if out is not None:
        return write_out("fmax", fmax(input, other), out)
    return _binary(Fmax, input, other)


def fmin(input, other, *, out=None) -> Tensor:
    """Elementwise minimum that ignores NaN (NaN only where both are NaN).

    >>> import numtorch as torch
    >>> torch.fmin(torch.tensor([1.0, float("nan")]), torch.tensor([float("nan"), 2.0]))
    tensor([1., 2.])
    """
    if out is not None:
        return write_out("fmin", fmin(input, other), out)
    return _binary(Fmin, input, other)


def _lerp(x, y, w):
    """``x + w (y - x)``, from the nearer end (``y - (y - x)(1 - w)`` once ``|w| >= 0.5``) with
    one rounding, as PyTorch's fused multiply-add kernel: float32 (and float16, which PyTorch
    computes in float32) through float64, where the product of two float32 values is exact;
    float64 through ``fma64``."""
    dt = x.dtype
    low = dt.itemsize < 8
    if low and dt != np.float32:
        x, y = x.astype(np.float32), y.astype(np.float32)
    if not isinstance(w, np.ndarray):                    # a number: one branch
        near = -0.5 < w < 0.5                            # (abs is this module's op)
        if not low:
            if dt != np.float64:                         # complex
                return x + w * (y - x) if near else y - (y - x) * (1 - w)
            return fma64(w, y - x, x) if near else fma64(x - y, 1 - w, y)
        w = np.float32(w)
        t = (y - x).astype(np.float64)
        if near:
            t *= w
            t += x
        else:
            t *= -(np.float32(1) - w)
            t += y
        return t.astype(np.float32).astype(dt, copy=False)
    if low:
        w = w.astype(np.float32)
    d = y - x
    v = 1 - w                                   # rounded in float32, as PyTorch's
    if low:
        x, y, w, d, v = (a.astype(np.float64) for a in (x, y, w, d, v))
        out = np.where(np.abs(w) < 0.5, x + w * d, y - d * v)
    elif dt == np.float64:                      # one rounding, as PyTorch's fma
        out = np.where(np.abs(w) < 0.5, fma64(w, d, x), fma64(-d, v, y))
    else:                                       # complex
        out = np.where(np.abs(w) < 0.5, x + w * d, y - d * v)
    return out.astype(np.float32).astype(dt, copy=False) if low else np.asarray(out, dt)


class Lerp(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.x, ctx.y, ctx.w = x, y, w
        return _lerp(x, y, w)

    @staticmethod
    def backward(ctx, g):
        return g * (1 - ctx.w), g * ctx.w


class LerpTensor(Function):
    """``lerp`` with a tensor weight (which gets a gradient too)."""
    _raw = True
    saves = (0, 1, 2)
    _name = "LerpBackward1"

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.x, ctx.y, ctx.w = x, y, w
        return _lerp(x, y, w)

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        gw = g * (ctx.y - ctx.x) if ctx.needs_input_grad[2] else None
        return g * (1 - w), g * w, gw


def _lerp_args(input, end, weight):
    """PyTorch's checks: tensors of one dtype (a 0-d weight tensor counts as a number), floats."""
    if not isinstance(input, Tensor) or not isinstance(end, Tensor) or not (
            isinstance(weight, (Tensor, int, float)) and not isinstance(weight, bool)):
        from .._errors import type_name
        got = ", ".join(type_name(v) for v in (input, end, weight))
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got}), but "
                        "expected one of:\n * (Tensor input, Tensor end, Tensor weight, *, Tensor "
                        "out = None)\n * (Tensor input, Tensor end, Number weight, *, Tensor out = "
                        "None)\n")
    x, y = input._data, end._data
    for name, v in (("end", y), ("weight", weight._data if isinstance(weight, Tensor) and
                                 weight._data.ndim else None)):
        if v is not None and v.dtype != x.dtype:
            raise RuntimeError(f"expected dtype {_dtype.cpp_name(_BY_NP[x.dtype])} for `{name}` "
                               f"but got dtype {_dtype.cpp_name(_BY_NP[v.dtype])}")
    if x.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtype.legacy_name(_BY_NP[x.dtype])}'")
    if isinstance(weight, Tensor):
        return x, y, weight._data.astype(x.dtype, copy=False)
    return x, y, float(weight)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``.

    >>> import numtorch as torch
    >>> torch.lerp(torch.tensor([0.0]), torch.tensor([10.0]), 0.25)
    tensor([2.5000])
    """
    if out is not None:
        return write_out("lerp", lerp(input, end, weight), out)
    x, y, w = _lerp_args(input, end, weight)
    try:
        if isinstance(weight, Tensor):
            np.broadcast_shapes(x.shape, y.shape, w.shape)
            return apply(LerpTensor, (input, end, weight), (x, y, w))
        return apply(Lerp, (input, end), (x, y), w)
    except ValueError:
        try:
            xy = np.broadcast_to(np.empty((), x.dtype), np.broadcast_shapes(x.shape, y.shape))
        except ValueError:
            raise broadcast_error(x, y) from None
        raise broadcast_error(xy, w) from None


def lerp_(input, end, weight) -> Tensor:
    x, y, w = _lerp_args(input, end, weight)
    if isinstance(weight, Tensor):
        return apply_inplace(LerpTensor, input, (input, end, weight), (x, y, w))
    return apply_inplace(Lerp, input, (input, end), (x, y), w)


class Atan2(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.arctan2(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        d = x * x + y * y
        return g * y / d, -g * x / d


def atan2(input, other) -> Tensor:
    ta, tb, x, y = operands(input, other)
    if x.dtype.kind not in "fc":
        x = x.astype(_dtype.get_default_dtype().np)
        y = np.asarray(y, x.dtype)
    try:
        return apply(Atan2, (ta, tb), (x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


arctan2 = atan2


__all__ = [name for name, value in list(globals().items())
           if callable(value) and name[0].islower() and not name.startswith("_")
           and getattr(value, "__module__", None) == __name__]
