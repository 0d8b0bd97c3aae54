"""Pointwise math functions: neg/abs/sign, exp and logarithms, powers and roots, trigonometric
and hyperbolic functions, sigmoid/tanh/relu, rounding, clamp and where; forward and backward side
by side. (Arithmetic and comparisons are in ``elementwise.py``; maximum/minimum, fmax/fmin, lerp
and atan2 in ``binary_math.py``, re-exported here.)

Gradients are written for same-shape operands: the engine sums them back to each input's
shape (un-broadcasting happens in one place).

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 4.0], requires_grad=True)
>>> torch.sqrt(x).sum().backward(); x.grad
tensor([0.5000, 0.2500])
"""
from __future__ import annotations

import sys as _sys

import numpy as np

from .. import _dtype
from .._errors import no_kernel, not_tensor
from .._tensor import Tensor
from ..autograd.engine import check_complex_below
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply, apply1, apply_inplace, operands, broadcast_error, write_out
from ._constants import ONE

_BY_NP = _dtype._BY_NP


# -- unary math: each is forward + backward ----------------------------------------------------

class Neg(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                               "are trying to invert a mask, use the `~` or `logical_not()` operator "
                               "instead.")
        return -x

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class Abs(Function):
    _raw = True
    complex_grad = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if x.dtype.kind == "c":          # complex: g z / |z| (0 at 0), differentiable again
            check_complex_below(ctx)
            a = np.abs(x)
            return (g * np.where(a == 0, 0, x / np.where(a == 0, 1, a)),)
        return (g * np.sign(x),)


class Sign(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "c":
            raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex "
                                      "numbers. Please use torch.sgn instead.")
        out = np.sign(x)
        if x.dtype.kind == "f":                 # PyTorch: the sign of NaN is 0
            np.copyto(out, 0, where=np.isnan(out))
        return out

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class Exp(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.exp(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out,)


class Expm1(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.expm1(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * (ctx.out + 1),)


class Log(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return (g / ctx.x,)


class Log2(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        return (g / (ctx.x * np.log(2.0)).astype(g.dtype),)


class Log10(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        return (g / (ctx.x * np.log(10.0)).astype(g.dtype),)


class Log1p(Function):
    _raw = True
    _name = "Log1PBackward0"
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        return (g / (ctx.x + 1),)


class Sqrt(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.sqrt(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g / (2 * ctx.out),)


class Rsqrt(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = 1 / np.sqrt(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * -0.5 * ctx.out ** 3,)


class Square(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)
    _name = "PowBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x

    @staticmethod
    def backward(ctx, g):
        return (g * 2 * ctx.x,)


class Reciprocal(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = 1 / x
        return out

    @staticmethod
    def backward(ctx, g):
        return (-g * ctx.out * ctx.out,)


class Sin(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return (g * np.cos(ctx.x),)


class Cos(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return (-g * np.sin(ctx.x),)


class Tan(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.tan(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * (1 + ctx.out * ctx.out),)


class Tanh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.tanh(x)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * (1 - out * out),)


class Sigmoid(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        out = np.negative(x)            # 1 / (1 + exp(-x)), in place after the first op
        try:
            np.exp(out, out)
        except TypeError:               # a 0-d result is a NumPy scalar: give it memory
            out = np.asarray(out)
            np.exp(out, out)
        np.add(out, ONE.get(out.dtype, 1), out)
        np.reciprocal(out, out)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * out * np.subtract(ONE.get(out.dtype, 1), out),)


class Relu(Function):
    _raw = True
    saves_output = True
    linked_backward = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "c":
            raise NotImplementedError("clamp is not supported for complex types")
        out = np.maximum(x, 0)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * (ctx.out > 0),)


class Atan(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g):
        return (g / (1 + ctx.x * ctx.x),)


class Asin(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        return (g / np.sqrt(1 - ctx.x * ctx.x),)


class Acos(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        return (-g / np.sqrt(1 - ctx.x * ctx.x),)


class Sinh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g):
        return (g * np.cosh(ctx.x),)


class Cosh(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g):
        return (g * np.sinh(ctx.x),)


class Rounding(Function):
    """floor, ceil, round, trunc: piecewise constant, zero gradient."""
    _raw = True

    @staticmethod
    def forward(ctx, x, fn):
        if x.dtype.kind == "c":         # PyTorch has no complex rounding kernels
            if fn is np.round or fn.__name__ == "<lambda>":
                kernel = "round_vml_cpu" if fn is np.round else "round_cpu"
                raise NotImplementedError(f'"{kernel}" not implemented for '
                                          f"'{_dtype.legacy_name_np(x.dtype)}'")
            raise NotImplementedError(f"{fn.__name__} is not supported for complex inputs")
        return fn(x)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class Floor(Rounding):
    _raw = True


class Ceil(Rounding):
    _raw = True


class Round(Rounding):
    _raw = True


class Trunc(Rounding):
    _raw = True


def _unary(cls, input, *params, floats=True):
    try:
        x = input._data
    except AttributeError:        # the public op calling us names itself in the message
        raise not_tensor(_sys._getframe(1).f_code.co_name, input) from None
    if floats and x.dtype.kind not in "fc":
        x = x.astype(_dtype.get_default_dtype().np)
    return apply1(cls, input, x, *params)


def _unary_(cls, input, *params, floats=False):
    x = input._data
    if floats and x.dtype.kind not in "fc":     # exp_ on a long tensor: PyTorch's cast error
        x = x.astype(_dtype.get_default_dtype().np)
    return apply_inplace(cls, input, (input,), (x,), *params)


def neg(input): return _unary(Neg, input, floats=False)
def abs(input): return _unary(Abs, input, floats=False)
def sign(input): return _unary(Sign, input, floats=False)
def exp(input): return _unary(Exp, input)
def expm1(input): return _unary(Expm1, input)
def log(input): return _unary(Log, input)
def log2(input): return _unary(Log2, input)
def log10(input): return _unary(Log10, input)
def log1p(input): return _unary(Log1p, input)
def sqrt(input): return _unary(Sqrt, input)
def rsqrt(input): return _unary(Rsqrt, input)
def square(input): return _unary(Square, input, floats=False)
def reciprocal(input): return _unary(Reciprocal, input)
def sin(input): return _unary(Sin, input)
def cos(input): return _unary(Cos, input)
def tan(input): return _unary(Tan, input)
def tanh(input): return _unary(Tanh, input)
def sigmoid(input): return _unary(Sigmoid, input)
def relu(input): return _unary(Relu, input, floats=False)
def atan(input): return _unary(Atan, input)
def asin(input): return _unary(Asin, input)
def acos(input): return _unary(Acos, input)
def sinh(input): return _unary(Sinh, input)
def cosh(input): return _unary(Cosh, input)
def floor(input): return _unary(Floor, input, np.floor, floats=False)
def ceil(input): return _unary(Ceil, input, np.ceil, floats=False)
def trunc(input): return _unary(Trunc, input, np.trunc, floats=False)
fix = trunc
negative = neg
absolute = abs
arctan, arcsin, arccos = atan, asin, acos


class RoundDecimals(Round):
    _raw = True
    _name = "RoundBackward1"


class _NoDecimals(int):
    """The default of ``decimals`` (0), told apart from an explicit ``decimals=0``, which
    PyTorch runs through another kernel (integer tensors refuse it, a gradient shows
    ``RoundBackward1``)."""

    def __repr__(self) -> str:
        return "0"


_NO_DECIMALS = _NoDecimals(0)


def _round_args(name: str, input, decimals):
    """``(Function class, rounding function)`` for ``round``/``round_``, with PyTorch's errors
    for ``decimals`` and for integer and bool tensors."""
    kind = getattr(getattr(input, "_data", None), "dtype", np.dtype(np.float32)).kind
    if decimals is _NO_DECIMALS:
        if kind == "b":
            raise no_kernel("round_vml_cpu", input._data.dtype)
        return Round, np.round
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'decimals' must be int, not "
                        f"{type(decimals).__name__}")
    if kind in "biu":
        raise no_kernel("round_vml_cpu" if decimals == 0 else "round_cpu", input._data.dtype)
    if decimals == 0:
        return RoundDecimals, np.round
    return RoundDecimals, lambda a: np.round(a, decimals)


def round(input, *, decimals: int = _NO_DECIMALS):
    """Round half to even, as PyTorch (and NumPy) do; ``decimals`` places (negative: to tens,
    hundreds, ...).

    >>> import numtorch as torch
    >>> torch.round(torch.tensor([0.5, 1.5, 2.567]), decimals=0)
    tensor([0., 2., 3.])
    >>> torch.round(torch.tensor([1.2345, 1250.]), decimals=-2)
    tensor([   0., 1200.])
    """
    cls, fn = _round_args("round", input, decimals)
    return _unary(cls, input, fn, floats=False)


def neg_(input): return _unary_(Neg, input)
def abs_(input):
    if input._data.dtype.kind == "c":
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return _unary_(Abs, input)
def exp_(input): return _unary_(Exp, input, floats=True)
def log_(input): return _unary_(Log, input, floats=True)
def sqrt_(input): return _unary_(Sqrt, input, floats=True)
def sigmoid_(input): return _unary_(Sigmoid, input, floats=True)
def tanh_(input): return _unary_(Tanh, input, floats=True)
def relu_(input): return _unary_(Relu, input)
def floor_(input): return _unary_(Floor, input, np.floor)
def ceil_(input): return _unary_(Ceil, input, np.ceil)
def round_(input, *, decimals: int = _NO_DECIMALS):
    """``round`` in place (``decimals`` as there)."""
    cls, fn = _round_args("round_", input, decimals)
    return _unary_(cls, input, fn)
def trunc_(input): return _unary_(Trunc, input, np.trunc)
def reciprocal_(input): return _unary_(Reciprocal, input, floats=True)
def square_(input): return _unary_(Square, input)


# -- clamp, where, maximum/minimum, lerp ---------------------------------------------------------

class Clamp(Function):
    """``clamp`` with Python-number bounds (either may be None)."""
    _raw = True
    saves = (0,)
    _name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        if lo is not None and hi is not None:
            return np.minimum(np.maximum(x, lo), hi).astype(x.dtype, copy=False)
        out = np.maximum(x, lo) if lo is not None else np.minimum(x, hi)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.x, ctx.lo, ctx.hi
        mask = np.ones(x.shape, bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return (g * mask,)


class ClampMin(Clamp):
    _raw = True
    _name = "ClampMinBackward0"


class ClampMax(Clamp):
    _raw = True
    _name = "ClampMaxBackward0"


class ClampTensor(Function):
    """``clamp`` with tensor bounds: ``min(max(x, lo), hi)``; each bound gets its share."""
    _raw = True
    saves = (0, 1, 2)
    saved_inputs = ("x", "lo", "hi")
    _name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return out

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.x, ctx.lo, ctx.hi
        m = x if lo is None else np.maximum(x, lo)
        to_hi = (m > hi) if hi is not None else np.zeros(np.shape(g), bool)
        to_lo = (x < lo) & ~to_hi if lo is not None else np.zeros(np.shape(g), bool)
        to_x = ~(to_hi | to_lo)
        zero = np.zeros((), g.dtype)
        return (np.where(to_x, g, zero), None if lo is None else np.where(to_lo, g, zero),
                None if hi is None else np.where(to_hi, g, zero))


class ClampMinTensor(ClampTensor):
    _raw = True
    _name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    _raw = True
    _name = "ClampMaxBackward1"


def _clamp_args(input, min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = input._data
    kind = x.dtype.kind
    if kind in "iub" and (isinstance(min, float) or isinstance(max, float)):
        x = x.astype(_dtype.get_default_dtype().np)
    elif kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    for v in (min, max):
        if v is not None and not isinstance(v, (int, float, np.number)):
            from .._errors import invalid_combination
            got = {k: b for k, b in (("min", min), ("max", max)) if b is not None}
            raise invalid_combination("clamp", got, "(Tensor min = None, Tensor max = None), "
                                      "(Number min = None, Number max = None)")
    return x, min, max


def _clamp_tensors(input, min, max, cls, inplace=False):
    """Tensor bounds: promote the three operands together, then one node (written into
    ``input`` when ``inplace``)."""
    from ._apply import tensor_dtype_pair
    lo = min if min is None or isinstance(min, Tensor) else Tensor._make(np.asarray(min))
    hi = max if max is None or isinstance(max, Tensor) else Tensor._make(np.asarray(max))
    d = input.dtype
    for b in (lo, hi):
        if b is not None:
            d = _dtype.promote_types(d, tensor_dtype_pair(input, b))
    if d.is_complex:
        if input.dtype.is_complex:
            raise NotImplementedError("clamp is not supported for complex types")
        kernel = "maximum_cpu" if lo is not None else "minimum_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.legacy_name(d)}\'')
    arrs = [None if t is None else t._data.astype(d.np, copy=False) for t in (input, lo, hi)]
    try:
        if inplace:
            return apply_inplace(cls, input, (input, lo, hi), tuple(arrs))
        return apply(cls, (input, lo, hi), tuple(arrs))
    except ValueError:
        raise broadcast_error(arrs[0], arrs[1] if arrs[1] is not None else arrs[2]) from None


def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit values to [min, max]; bounds may be numbers or tensors.

    >>> import numtorch as torch
    >>> torch.clamp(torch.tensor([-1.0, 0.5, 2.0]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if out is not None:
        return write_out("clamp", clamp(input, min, max), out)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensors(input, min, max, ClampTensor)
    x, lo, hi = _clamp_args(input, min, max)
    return apply(Clamp, (input,), (x,), lo, hi)


def clamp_(input, min=None, max=None) -> Tensor:
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensors(input, min, max, ClampTensor, inplace=True)
    x, lo, hi = _clamp_args(input, min, max)
    return apply_inplace(Clamp, input, (input,), (input._data,), lo, hi)


def clamp_min(input, min) -> Tensor:
    """``clamp(input, min=min)``."""
    if isinstance(min, Tensor):
        return _clamp_tensors(input, min, None, ClampMinTensor)
    x, lo, _ = _clamp_args(input, min, None)
    return apply(ClampMin, (input,), (x,), lo, None)


def clamp_max(input, max) -> Tensor:
    """``clamp(input, max=max)``."""
    if isinstance(max, Tensor):
        return _clamp_tensors(input, None, max, ClampMaxTensor)
    x, _, hi = _clamp_args(input, None, max)
    return apply(ClampMax, (input,), (x,), None, hi)


clip = clamp
clip_ = clamp_


class Where(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.cond = cond
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros((), g.dtype)
        return np.where(ctx.cond, g, zero), np.where(ctx.cond, zero, g)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` holds, else ``other``; one argument: ``nonzero(as_tuple=True)``."""
    if out is not None:
        return write_out("where", where(condition, input, other), out)
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        from .._errors import invalid_combination
        raise invalid_combination("where", (condition, input, other), (
            "(Tensor condition), (Tensor condition, Tensor input, Tensor other), (Tensor "
            "condition, Number self, Tensor other), (Tensor condition, Tensor input, Number "
            "other), (Tensor condition, Number self, Number other)"))
    cond = condition._data
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {_dtype.legacy_name(_BY_NP[cond.dtype])}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):     # two Python numbers
        d = _dtype.promote_types(_dtype.scalar_dtype(input), _dtype.scalar_dtype(other)).np
        ta, tb, x, y = None, None, np.asarray(input, d), np.asarray(other, d)
    else:
        ta, tb, x, y = operands(input, other)
    try:
        return apply(Where, (ta, tb), (x, y), cond)
    except ValueError:
        try:
            np.broadcast_shapes(cond.shape, np.shape(x))
        except ValueError:
            raise broadcast_error(cond, x) from None
        raise broadcast_error(np.broadcast_to(cond, np.broadcast_shapes(cond.shape, np.shape(x))),
                              y) from None


# maximum/minimum, fmax/fmin, lerp and atan2 live in binary_math.py (re-exported here)
from . import binary_math as _binary_math  # noqa: E402
from .binary_math import *  # noqa: E402,F401,F403
from .binary_math import Maximum, Minimum, Fmax, Fmin, Lerp, LerpTensor, Atan2  # noqa: E402,F401

__all__ = [name for name, value in list(globals().items())
           if callable(value) and name[0].islower() and not name.startswith("_")
           and getattr(value, "__module__", None) == __name__] + _binary_math.__all__
