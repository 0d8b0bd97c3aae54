"""Elementwise ops: arithmetic, math functions, comparisons; forward and backward side by side.

Gradients are written for same-shape operands: the engine sums them back to each input's
shape (un-broadcasting happens in one place).

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 4.0], requires_grad=True)
>>> torch.sqrt(x).sum().backward(); x.grad
tensor([0.5000, 0.2500])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, apply_inplace, operands, broadcast_error, _make

_BY_NP = _dtype._BY_NP


def _binary(cls, a, b, *params):
    ta, tb, x, y = operands(a, b)
    try:
        return apply(cls, (ta, tb), (x, y), *params)
    except ValueError:
        raise broadcast_error(x, y) from None


def _binary_(cls, a, b, *params):
    ta, tb, x, y = operands(a, b)
    try:
        return apply_inplace(cls, a, (ta, tb), (x, y), *params)
    except ValueError:
        raise broadcast_error(x, y) from None


def _float_array(x):
    """Integer/bool inputs of float-valued functions (exp, sqrt, ...) become the default float."""
    if x.dtype.kind in "fc":
        return x
    return x.astype(_dtype.get_default_dtype().np)


# -- arithmetic ---------------------------------------------------------------------------------

class Add(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        return x + y if alpha == 1 else x + alpha * y

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class Sub(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.alpha = alpha
        if isinstance(x, np.ndarray) and x.dtype == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        return x - y if alpha == 1 else x - alpha * y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class Mul(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return x * y

    @staticmethod
    def backward(ctx, g):
        gx = g * ctx.y if ctx.needs_input_grad[0] else None
        gy = g * ctx.x if ctx.needs_input_grad[1] else None
        return gx, gy


class Div(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        if isinstance(x, np.ndarray) and x.dtype.kind not in "fc":
            x = x.astype(_dtype.get_default_dtype().np)
        if isinstance(y, np.ndarray) and y.dtype.kind not in "fc" and not isinstance(x, np.ndarray):
            y = y.astype(_dtype.get_default_dtype().np)
        ctx.x, ctx.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            out = x / y
        if isinstance(y, (int, bool)) and not isinstance(x, np.ndarray):
            out = np.asarray(out, _dtype.get_default_dtype().np)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        gx = g / y if ctx.needs_input_grad[0] else None
        gy = -g * x / (y * y) if ctx.needs_input_grad[1] else None
        return gx, gy


class FloorDivide(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.zeros_like(g)


class DivTrunc(Function):
    _raw = True
    _name = "DivBackward1"

    @staticmethod
    def forward(ctx, x, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.true_divide(x, y)
        r = np.trunc(q)
        return r.astype(np.result_type(x, y)) if np.result_type(x, y).kind in "iu" else r

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.zeros_like(g)


class Remainder(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, -g * np.floor_divide(ctx.x, ctx.y)


class Fmod(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, -g * np.trunc(ctx.x / ctx.y)


class Pow(Function):
    _raw = True
    saves = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        if isinstance(x, np.ndarray) and x.dtype.kind in "iu" and isinstance(y, (int, np.ndarray)) \
                and np.any(np.asarray(y) < 0):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.power(x, y)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                if isinstance(y, (int, float)):
                    gx = g * y * (x ** (y - 1)) if y != 0 else np.zeros_like(g)
                else:
                    gx = g * y * np.power(x, y - 1)
            if ctx.needs_input_grad[1]:
                logx = np.log(x) if isinstance(x, np.ndarray) else np.log(np.asarray(x, g.dtype))
                gy = g * ctx.out * np.where((np.asarray(x) == 0) & (np.asarray(y) >= 0), 0, logx)
        return gx, gy


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcasting.

    >>> import numtorch as torch
    >>> torch.add(torch.tensor([1, 2]), 10)
    tensor([11, 12])
    """
    return _binary(Add, input, other, alpha)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    return _binary(Sub, input, other, alpha)


def mul(input, other, *, out=None) -> Tensor:
    return _binary(Mul, input, other)


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """True division (ints give floats); ``rounding_mode`` 'trunc' or 'floor' as PyTorch."""
    if rounding_mode is None:
        return _binary(Div, input, other)
    if rounding_mode == "floor":
        return _binary(FloorDivide, input, other)
    if rounding_mode == "trunc":
        return _binary(DivTrunc, input, other)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"'{rounding_mode}'")


def floor_divide(input, other, *, out=None) -> Tensor:
    return _binary(FloorDivide, input, other)


def remainder(input, other, *, out=None) -> Tensor:
    return _binary(Remainder, input, other)


def fmod(input, other, *, out=None) -> Tensor:
    return _binary(Fmod, input, other)


def pow(input, exponent, *, out=None) -> Tensor:
    if not isinstance(input, Tensor):      # torch.pow(2, t)
        return _binary(Pow, input, exponent)
    x = input._data
    if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        if x.dtype.kind in "iub" and isinstance(exponent, float):
            x = x.astype(_dtype.get_default_dtype().np)
        return apply(Pow, (input, None), (x, exponent))
    return _binary(Pow, input, exponent)


true_divide = divide = div
multiply = mul
subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    return _binary(Sub, other, input, alpha)


# -- unary math: each is forward + backward ----------------------------------------------------

class Neg(Function):
    _raw = True

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
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return (g * np.sign(ctx.x),)


class Sign(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class Exp(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            ctx.out = out = np.exp(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out,)


class Expm1(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            ctx.out = out = np.expm1(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * (ctx.out + 1),)


class Log(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore"):
            return (g / ctx.x,)


class Log2(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore"):
            return (g / (ctx.x * np.log(2.0)).astype(g.dtype),)


class Log10(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore"):
            return (g / (ctx.x * np.log(10.0)).astype(g.dtype),)


class Log1p(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore"):
            return (g / (ctx.x + 1),)


class Sqrt(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            ctx.out = out = np.sqrt(x)
        return out

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore"):
            return (g / (2 * ctx.out),)


class Rsqrt(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            ctx.out = out = 1 / np.sqrt(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * -0.5 * ctx.out ** 3,)


class Square(Function):
    _raw = True
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
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            ctx.out = out = 1 / x
        return out

    @staticmethod
    def backward(ctx, g):
        return (-g * ctx.out * ctx.out,)


class Sin(Function):
    _raw = True
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
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        # 1 / (1 + exp(-x)) without overflow warnings: exp(-x) -> inf gives exactly 0
        with np.errstate(over="ignore"):
            out = np.exp(-x)
            out += 1
            np.reciprocal(out, out=out)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * out * (1 - out),)


class Relu(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * (ctx.out > 0),)


class Atan(Function):
    _raw = True
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
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g / np.sqrt(1 - ctx.x * ctx.x),)


class Acos(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-g / np.sqrt(1 - ctx.x * ctx.x),)


class Sinh(Function):
    _raw = True
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
    x = input._data
    if floats and x.dtype.kind not in "fc":
        x = x.astype(_dtype.get_default_dtype().np)
    return apply(cls, (input,), (x,), *params)


def _unary_(cls, input, *params):
    return apply_inplace(cls, input, (input,), (input._data,), *params)


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


def round(input, *, decimals: int = 0):
    """Round half to even, as PyTorch (and NumPy) do."""
    if decimals == 0:
        return _unary(Round, input, np.round, floats=False)
    return _unary(Round, input, lambda a: np.round(a, decimals), floats=False)


def neg_(input): return _unary_(Neg, input)
def abs_(input): return _unary_(Abs, input)
def exp_(input): return _unary_(Exp, input)
def log_(input): return _unary_(Log, input)
def sqrt_(input): return _unary_(Sqrt, input)
def sigmoid_(input): return _unary_(Sigmoid, input)
def tanh_(input): return _unary_(Tanh, input)
def relu_(input): return _unary_(Relu, input)
def floor_(input): return _unary_(Floor, input, np.floor)
def ceil_(input): return _unary_(Ceil, input, np.ceil)
def round_(input): return _unary_(Round, input, np.round)
def trunc_(input): return _unary_(Trunc, input, np.trunc)
def reciprocal_(input): return _unary_(Reciprocal, input)
def square_(input): return _unary_(Square, input)


# -- clamp, where, maximum/minimum, lerp ---------------------------------------------------------

class Clamp(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        if lo is not None and hi is not None:
            return np.minimum(np.maximum(x, lo), hi)
        return np.maximum(x, lo) if lo is not None else np.minimum(x, hi)

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.x, ctx.lo, ctx.hi
        mask = np.ones(x.shape, bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        return (g * mask,)


def _clamp_args(input, min, max):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo = min._data if isinstance(min, Tensor) else min
    hi = max._data if isinstance(max, Tensor) else max
    x = input._data
    if x.dtype.kind in "iub" and (isinstance(lo, float) or isinstance(hi, float)):
        x = x.astype(_dtype.get_default_dtype().np)
    return x, lo, hi


def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit values to [min, max].

    >>> import numtorch as torch
    >>> torch.clamp(torch.tensor([-1.0, 0.5, 2.0]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    x, lo, hi = _clamp_args(input, min, max)
    return apply(Clamp, (input,), (x,), lo, hi)


def clamp_(input, min=None, max=None) -> Tensor:
    x, lo, hi = _clamp_args(input, min, max)
    return apply_inplace(Clamp, input, (input,), (input._data,), lo, hi)


def clamp_min(input, min): return clamp(input, min=min)
def clamp_max(input, max): return clamp(input, max=max)


clip = clamp
clip_ = clamp_


class Where(Function):
    _raw = True

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
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                           f"dtype {_dtype.legacy_name(_BY_NP[cond.dtype])}")
    ta, tb, x, y = operands(input, other)
    if ta is None and tb is None:
        raise TypeError("where(): expected a Tensor for input or other")
    return apply(Where, (ta, tb), (x, y), cond)


class Maximum(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        gt, eq = (x > y), (x == y)
        wx = gt + 0.5 * eq
        return g * wx, g * (1 - wx)


class Minimum(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        lt, eq = (x < y), (x == y)
        wx = lt + 0.5 * eq
        return g * wx, g * (1 - wx)


def maximum(input, other, *, out=None) -> Tensor:
    return _binary(Maximum, input, other)


def minimum(input, other, *, out=None) -> Tensor:
    return _binary(Minimum, input, other)


fmax, fmin = maximum, minimum


class Lerp(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.x, ctx.y, ctx.w = x, y, w
        return x + w * (y - x)

    @staticmethod
    def backward(ctx, g):
        return g * (1 - ctx.w), g * ctx.w


def lerp(input, end, weight) -> Tensor:
    w = weight._data if isinstance(weight, Tensor) else weight
    ta, tb, x, y = operands(input, end)
    return apply(Lerp, (ta, tb), (x, y), w)


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
    return apply(Atan2, (ta, tb), (x, y))


arctan2 = atan2


# -- comparisons and logic: no gradient ----------------------------------------------------------

def _compare(ufunc, a, b):
    _, _, x, y = operands(a, b)
    try:
        return _make(ufunc(x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


def eq(input, other) -> Tensor: return _compare(np.equal, input, other)
def ne(input, other) -> Tensor: return _compare(np.not_equal, input, other)
def lt(input, other) -> Tensor: return _compare(np.less, input, other)
def le(input, other) -> Tensor: return _compare(np.less_equal, input, other)
def gt(input, other) -> Tensor: return _compare(np.greater, input, other)
def ge(input, other) -> Tensor: return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other) -> bool:
    """True when both tensors have the same shape and values."""
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _as_bool(v):
    d = v._data if isinstance(v, Tensor) else np.asarray(v)
    return d.astype(bool, copy=False)


def logical_and(input, other) -> Tensor: return _make(np.logical_and(_as_bool(input), _as_bool(other)))
def logical_or(input, other) -> Tensor: return _make(np.logical_or(_as_bool(input), _as_bool(other)))
def logical_xor(input, other) -> Tensor: return _make(np.logical_xor(_as_bool(input), _as_bool(other)))
def logical_not(input) -> Tensor: return _make(np.logical_not(_as_bool(input)))


def _bitwise(ufunc, a, b):
    _, _, x, y = operands(a, b)
    if (isinstance(x, np.ndarray) and x.dtype.kind == "f") or isinstance(y, float) or \
            (isinstance(y, np.ndarray) and y.dtype.kind == "f"):
        raise RuntimeError(f'"{ufunc.__name__}_cpu" not implemented for \'Float\'')
    return _make(ufunc(x, y))


def bitwise_and(input, other) -> Tensor: return _bitwise(np.bitwise_and, input, other)
def bitwise_or(input, other) -> Tensor: return _bitwise(np.bitwise_or, input, other)
def bitwise_xor(input, other) -> Tensor: return _bitwise(np.bitwise_xor, input, other)


def bitwise_not(input) -> Tensor:
    if input._data.dtype.kind == "f":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return _make(np.invert(input._data))


def isnan(input) -> Tensor: return _make(np.isnan(input._data))
def isinf(input) -> Tensor: return _make(np.isinf(input._data))
def isfinite(input) -> Tensor: return _make(np.isfinite(input._data))
def isposinf(input) -> Tensor: return _make(np.isposinf(input._data))
def isneginf(input) -> Tensor: return _make(np.isneginf(input._data))
def signbit(input) -> Tensor: return _make(np.signbit(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    _, _, x, y = operands(input, other)
    return _make(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    _, _, x, y = operands(input, other)
    return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    return _make(np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf))


# -- in-place arithmetic ---------------------------------------------------------------------------

def add_(input, other, *, alpha=1) -> Tensor: return _binary_(Add, input, other, alpha)
def sub_(input, other, *, alpha=1) -> Tensor: return _binary_(Sub, input, other, alpha)
def mul_(input, other) -> Tensor: return _binary_(Mul, input, other)
def div_(input, other, *, rounding_mode=None) -> Tensor:
    if rounding_mode == "floor":
        return _binary_(FloorDivide, input, other)
    if rounding_mode == "trunc":
        return _binary_(DivTrunc, input, other)
    return _binary_(Div, input, other)
def pow_(input, exponent) -> Tensor: return _binary_(Pow, input, exponent)
def remainder_(input, other) -> Tensor: return _binary_(Remainder, input, other)
def floor_divide_(input, other) -> Tensor: return _binary_(FloorDivide, input, other)
def maximum_(input, other) -> Tensor: return _binary_(Maximum, input, other)
def minimum_(input, other) -> Tensor: return _binary_(Minimum, input, other)


def lerp_(input, end, weight) -> Tensor:
    w = weight._data if isinstance(weight, Tensor) else weight
    ta, tb, x, y = operands(input, end)
    return apply_inplace(Lerp, input, (ta, tb), (x, y), w)


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add(input, mul(tensor1, tensor2), alpha=value)


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add(input, div(tensor1, tensor2), alpha=value)


def addcmul_(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add_(input, mul(tensor1, tensor2), alpha=value)


def addcdiv_(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add_(input, div(tensor1, tensor2), alpha=value)


__all__ = [name for name, value in list(globals().items())
           if callable(value) and name[0].islower() and not name.startswith("_")
           and getattr(value, "__module__", None) == __name__]
