"""Elementwise arithmetic (add, sub, mul, div, floor_divide, remainder, fmod, pow, addcmul,
addcdiv and their in-place forms), comparisons and logic; forward and backward side by side.
(The math functions, ``exp`` ... ``clamp``, ``where``, ``maximum``, are in ``math.py``.)

Gradients are written for same-shape operands: the engine sums them back to each input's
shape (un-broadcasting happens in one place).

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 4.0], requires_grad=True)
>>> (x * x + 1).sum().backward(); x.grad
tensor([2., 8.])
"""
from __future__ import annotations

import struct
import sys as _sys

import numpy as np

from .. import _dtype
from .._errors import bad_operand, no_kernel
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from ..autograd.grad_mode import state as _grad_state
from ._apply import apply, apply_inplace, operands, broadcast_error, _make, write_out
from ._pointwise import _binary, _wrap_scalars
from .math import Maximum, Minimum
from .math import relu, sigmoid, tanh  # noqa: F401  (ops/rnn.py calls them as E.relu, ...)


def _binary_(cls, a, b, *params):
    # ``w -= g * lr`` under no_grad: same-dtype float operands of a plain ufunc op need no
    # promotion, no graph and no cast check, so the ufunc writes straight into a's memory
    # (the same elementwise arithmetic as computing a temporary and copying it in).
    ufunc = _INPLACE_UFUNCS.get(cls)
    if ufunc is not None and (not params or params[0] == 1):
        x = a._data
        if type(x) is np.ndarray and x.dtype.kind == "f" and x.flags.writeable:
            if isinstance(b, Tensor):
                y = b._data
                fast = y.dtype is x.dtype and y.shape == x.shape and not (
                    _grad_state[0] and (a.requires_grad or b.requires_grad))
            else:
                y = b
                fast = (type(b) is float or type(b) is int) and not (_grad_state[0] and a.requires_grad)
            if fast:
                ufunc(x, y, out=x)
                a._vc[0] += 1
                return a
    try:
        ta, tb, x, y = operands(a, b)
    except TypeError:
        return bad_operand(_sys._getframe(1).f_code.co_name, a, b, Tensor)
    try:
        return apply_inplace(cls, a, (ta, tb), (x, y), *params)
    except ValueError:
        raise broadcast_error(x, y) from None
    except OverflowError:
        x, y = _wrap_scalars(x, y)
        return apply_inplace(cls, a, (ta, tb), (x, y), *params)


# -- arithmetic ---------------------------------------------------------------------------------

class Add(Function):
    _raw = True
    complex_grad = True
    alpha = 1                         # set on the node only when it differs

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        if alpha == 1:
            return x + y
        _check_alpha("add", x, y, alpha)
        ctx.alpha = alpha
        return x + alpha * y

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class Sub(Function):
    _raw = True
    complex_grad = True
    alpha = 1                         # set on the node only when it differs

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        if alpha != 1:
            _check_alpha("sub", x, y, alpha)
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
    complex_grad = True
    saves = (0, 1)
    saved_for = (1, 0)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return x * y

    @staticmethod
    def backward(ctx, g):
        if g.dtype.kind == "c":             # complex: PyTorch's gradients are conjugated
            return (g * np.conjugate(ctx.y) if ctx.needs_input_grad[0] else None,
                    g * np.conjugate(ctx.x) if ctx.needs_input_grad[1] else None)
        gx = g * ctx.y if ctx.needs_input_grad[0] else None
        gy = g * ctx.x if ctx.needs_input_grad[1] else None
        return gx, gy


class Div(Function):
    _raw = True
    complex_grad = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        if isinstance(x, np.ndarray) and x.dtype.kind not in "fc":
            x = x.astype(_dtype.get_default_dtype().np)
        if isinstance(y, np.ndarray) and y.dtype.kind not in "fc":
            y = y.astype(x.dtype if isinstance(x, np.ndarray) else _dtype.get_default_dtype().np)
        ctx.x, ctx.y = x, y
        out = x / y
        if isinstance(y, (int, bool)) and not isinstance(x, (np.ndarray, np.generic)):
            out = np.asarray(out, _dtype.get_default_dtype().np)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        if g.dtype.kind == "c":             # complex: PyTorch's gradients are conjugated
            x, y = np.conjugate(x), np.conjugate(y)
        gx = g / y if ctx.needs_input_grad[0] else None
        gy = -g * x / (y * y) if ctx.needs_input_grad[1] else None
        return gx, gy


def _check_alpha(fn, x, y, alpha):
    """PyTorch's checks of ``alpha`` (run only when it is not 1)."""
    if not isinstance(alpha, (int, float, np.number)):
        from .._errors import arg_error
        raise arg_error(fn, "alpha", None, "Number", alpha)
    if isinstance(alpha, (float, np.floating)) and np.result_type(x, y).kind in "iub":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point "
                           "number.")


def _int_zero_division(x, y):
    if np.asarray(x).dtype.kind in "iub" and np.asarray(y).dtype.kind in "iub" and \
            not np.all(np.asarray(y) != 0):
        raise RuntimeError("ZeroDivisionError")


class DivFloor(Function):
    """``div(rounding_mode='floor')``: piecewise constant, zero gradient."""
    _raw = True
    _name = "DivBackward2"

    @staticmethod
    def forward(ctx, x, y):
        _int_zero_division(x, y)
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.zeros_like(g)


class FloorDivide(DivFloor):
    """``//`` and ``floor_divide``: PyTorch defines no derivative."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class DivTrunc(Function):
    _raw = True
    _name = "DivBackward2"

    @staticmethod
    def forward(ctx, x, y):
        _int_zero_division(x, y)
        q = np.true_divide(x, y)
        r = np.trunc(q)
        dt = np.result_type(x, y)
        return r.astype(dt) if dt.kind in "iu" else r.astype(q.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.zeros_like(g)


class Remainder(Function):
    _raw = True
    saves = (0, 1)

    _name = "RemainderBackward1"

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        _int_zero_division(x, y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        gy = -g * np.floor_divide(ctx.x, ctx.y) if ctx.needs_input_grad[1] else None
        return g, gy


class RemainderScalar(Remainder):
    _raw = True
    _name = "RemainderBackward0"


class RemainderScalarTensor(Remainder):
    """``scalar % tensor``: PyTorch defines no derivative."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")


class Fmod(Function):
    _raw = True
    saves = (0, 1)
    _name = "FmodBackward1"

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        _int_zero_division(x, y)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        gy = -g * np.trunc(ctx.x / ctx.y) if ctx.needs_input_grad[1] else None
        return g, gy


class FmodScalar(Fmod):
    _raw = True
    _name = "FmodBackward0"


# -- pow ----------------------------------------------------------------------------------------
# PyTorch's CPU kernel gives six exponents of a float32/float64 tensor plain arithmetic: x*x,
# x*x*x, 1/x, 1/(x*x), sqrt(x), 1/sqrt(x) (complex tensors: the two square roots). Any other
# exponent, and every tensor exponent, goes to a vectorised pow accurate to about an ulp, which
# agrees with NumPy's ``power`` on ~98% of elements; the values left over after whole vectors
# (all of a small tensor) go to C's pow, as NumPy's do (float32 to a number: see _pow_float32).
# float16 is computed in float32 and rounded once, as NumPy's ``power`` does.

# NumPy's RuntimeWarnings for NaN, inf and 1/0 (PyTorch prints none) are hidden by the filter
# numtorch/__init__.py installs for its own modules, as for every other op.

def _square(x): return x * x


def _cube(x): return x * x * x


def _recip(x): return np.reciprocal(x)


def _recip_square(x): return np.reciprocal(x * x)


def _sqrt(x): return np.sqrt(x)


def _rsqrt(x): return np.reciprocal(np.sqrt(x))


def _rsqrt_complex(x): return np.divide(1, np.sqrt(x))


_REAL_POW = {2: _square, 3: _cube, -1: _recip, -2: _recip_square,
             0.5: _sqrt, -0.5: _rsqrt, 1: np.copy, 0: np.ones_like}
_COMPLEX_POW = {0.5: np.sqrt, -0.5: _rsqrt_complex, 1: np.copy, 0: np.ones_like}
_SPECIAL_POW = {np.dtype(np.float32): _REAL_POW, np.dtype(np.float64): _REAL_POW,
                np.dtype(np.complex64): _COMPLEX_POW, np.dtype(np.complex128): _COMPLEX_POW}
_ARRAYS = (np.ndarray, np.generic)
_F16, _F32 = np.dtype(np.float16), np.dtype(np.float32)
_C_INT = {np.dtype(np.uint8): "uint8_t", np.dtype(np.int8): "int8_t", np.dtype(np.int16): "int16_t",
          np.dtype(np.int32): "int", np.dtype(np.int64): "int64_t"}
_NEGATIVE_POWER = "Integers to negative integer powers are not allowed."


def _pow_scalar(x, y):
    """``x ** y`` for an array ``x`` and a Python number ``y``, as PyTorch computes it."""
    special = _SPECIAL_POW.get(x.dtype)
    if special is None:                 # integers, float16
        return _pow_scalar_other(x, y)
    f = special.get(y)
    if f is not None:
        return f(x)
    if type(y) is int and not -2 ** 63 <= y < 2 ** 64:
        raise _huge(y)
    return _pow_float32(x, y) if x.dtype is _F32 else np.power(x, y)


def _pow_scalar_other(x, y):
    """``_pow_scalar`` for integer and float16 tensors, with PyTorch's refusals."""
    if type(y) is int and not -2 ** 63 <= y < 2 ** 64:
        raise _huge(y)
    if x.dtype.kind in "iub":           # (a float exponent made the tensor float already)
        if y < 0:
            raise RuntimeError(_NEGATIVE_POWER)
        try:
            return np.power(x, y)
        except OverflowError:           # the exponent does not fit the tensor's dtype
            name = "int64_t" if y >= 2 ** 63 else _C_INT.get(x.dtype, "int64_t")
            raise RuntimeError(f"value cannot be converted to type {name} without overflow") from None
    if x.dtype is _F16 and 65504 < abs(y) < float("inf"):
        raise RuntimeError("value cannot be converted to type c10::Half without overflow")
    return np.power(x, y)


_F32_PACK, _F32_UNPACK = struct.Struct("f").pack, struct.Struct("f").unpack


def _huge(y: int) -> OverflowError:
    return OverflowError("can't convert negative int to unsigned" if y < 0 else "int too big to convert")


def _pow_float32(x, y):
    """float32 ``x ** y`` for a Python number ``y`` as PyTorch's kernel computes it: whole blocks
    of 16 values (in memory order) through a vectorised pow with ``y`` rounded to float32 (NumPy's
    float32 power agrees to an ulp), the rest through C's pow in double precision, rounded. For a
    ``y`` that float32 holds exactly, C's float32 powf (NumPy's) differs from that on ~0.05% of
    values only, and is ~0.5 us faster on a small tensor."""
    n = x.size
    tail = n % 16
    if not tail or (abs(y) <= 16777216 if type(y) is int else
                    abs(y) < 3.4e38 and _F32_UNPACK(_F32_PACK(y))[0] == y):   # y is a float32
        return np.power(x, y)
    if tail == n:
        return np.float_power(x, y).astype(_F32)
    out = np.power(x, y)
    if tail:
        if x.flags.c_contiguous:
            fx, fo = x.reshape(-1), out.reshape(-1)
        elif x.flags.f_contiguous:
            fx, fo = x.T.reshape(-1), out.T.reshape(-1)
        else:                           # (blocks follow the strides: not reproduced)
            return out
        fo[n - tail:] = np.float_power(fx[n - tail:], y)
    return out


def _power(x, y):
    """``x ** y`` elementwise for a tensor exponent (or a Python-number base), as PyTorch's
    general pow: quietly, and integers to negative powers give 0 (1 ** n = 1, (-1) ** n = +-1)."""
    try:
        return np.power(x, y)
    except ValueError:                  # NumPy refuses negative powers of integers
        neg = y < 0
        out = np.power(x, np.where(neg, 0, y))
        one = np.where(x == -1, 1 - 2 * (y & 1), np.where(x == 1, 1, 0))
        return np.where(neg, one, out).astype(out.dtype, copy=False)


class Pow(Function):
    """``tensor ** tensor``; subclasses name the scalar-exponent and scalar-base forms."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0, 1)
    saves_output = True
    _name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        out = ctx.out = _power(x, y)
        return out

    @staticmethod
    def backward(ctx, g):
        return _pow_grads(ctx, g)


def _pow_grads(ctx, g):
    """PyTorch's gradients of ``x ** y``: ``y * x ** (y - 1)`` (0 where y == 0) and
    ``x ** y * log(x)`` (0 where x == 0 and y >= 0), in its order of products."""
    x, y = ctx.x, ctx.y
    gx = gy = None
    if ctx.needs_input_grad[0]:
        gx = np.where(y == 0, 0, g * (y * np.power(x, y - 1)))
    if ctx.needs_input_grad[1]:       # (a Python-number base: its log in double precision)
        r = ctx.out * np.log(x) if hasattr(x, "dtype") else _scale(ctx.out, np.log(x).item())
        gy = g * np.where((x == 0) & (y >= 0), 0, r)
    return gx, gy


def _scale(a, s):
    """``a * s`` for a Python number ``s`` as PyTorch's CPU kernels compute it: a float16 tensor
    in float32 (``s`` rounded to float32, not float16), then rounded once."""
    if a.dtype is _F16 and isinstance(a, _ARRAYS):
        return (a * np.float32(s)).astype(_F16)
    return a * s


class PowScalar(Pow):
    """``tensor ** number``: the gradient reads the base, not the result."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)
    saves_output = False
    _name = "PowBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return _pow_scalar(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        if y == 0:
            return np.zeros_like(g), None
        # x ** (y - 1) by pow's own rules (a TensorArray under create_graph: numtorch's pow)
        p = _pow_scalar(x, y - 1) if isinstance(x, _ARRAYS) else x ** (y - 1)
        return g * (p * y if p.dtype is not _F16 else _scale(p, y)), None


class PowScalarBase(Pow):
    _raw = True
    saves = (1,)
    _name = "PowBackward2"


class Rsub(Sub):
    _raw = True
    _name = "RsubBackward1"


class RDiv(Div):
    """``scalar / tensor`` (PyTorch computes it as ``scalar * reciprocal``)."""
    _raw = True
    _name = "MulBackward0"


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcasting.

    >>> import numtorch as torch
    >>> torch.add(torch.tensor([1, 2]), 10)
    tensor([11, 12])
    """
    if out is not None:
        return write_out("add", add(input, other, alpha=alpha), out)
    return _binary(Add, input, other, alpha)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    if out is not None:
        return write_out("sub", sub(input, other, alpha=alpha), out)
    return _binary(Sub if isinstance(input, Tensor) else Rsub, input, other, alpha)


def mul(input, other, *, out=None) -> Tensor:
    if out is not None:
        return write_out("mul", mul(input, other), out)
    return _binary(Mul, input, other)


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """True division (ints give floats); ``rounding_mode`` 'trunc' or 'floor' as PyTorch."""
    if out is not None:
        return write_out("div", div(input, other, rounding_mode=rounding_mode), out)
    if rounding_mode is None:
        return _binary(Div if isinstance(input, Tensor) else RDiv, input, other)
    if rounding_mode == "floor":
        return _binary(DivFloor, input, other)
    if rounding_mode == "trunc":
        return _binary(DivTrunc, input, other)
    raise _rounding_mode_error(rounding_mode)


def _rounding_mode_error(rounding_mode) -> RuntimeError:
    """PyTorch's refusal of a ``rounding_mode`` other than None, 'trunc' and 'floor'."""
    return RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                        f"found '{rounding_mode}'")


def floor_divide(input, other, *, out=None) -> Tensor:
    if out is not None:
        return write_out("floor_divide", floor_divide(input, other), out)
    return _binary(FloorDivide, input, other)


def remainder(input, other, *, out=None) -> Tensor:
    """Python's ``%``: the result has the sign of ``other``."""
    if out is not None:
        return write_out("remainder", remainder(input, other), out)
    if not isinstance(input, Tensor):
        return _binary(RemainderScalarTensor, input, other)
    return _binary(Remainder if isinstance(other, Tensor) else RemainderScalar, input, other)


def fmod(input, other, *, out=None) -> Tensor:
    """C's ``fmod``: the result has the sign of ``input``."""
    if out is not None:
        return write_out("fmod", fmod(input, other), out)
    return _binary(Fmod if isinstance(other, Tensor) else FmodScalar, input, other)


def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a Python number.

    >>> import numtorch as torch
    >>> torch.pow(torch.tensor([1.0, 2.0]), 2)
    tensor([1., 4.])
    """
    if out is not None:
        return write_out("pow", pow(input, exponent), out)
    if not isinstance(input, Tensor):      # torch.pow(2, t)
        if type(input) is bool and isinstance(exponent, Tensor) and exponent._data.dtype == np.bool_:
            raise no_kernel("pow", np.bool_)
        return _binary(PowScalarBase, input, exponent)
    x = input._data
    if isinstance(exponent, (int, float)):
        if x.dtype.kind in "iub":
            if isinstance(exponent, float):
                x = x.astype(_dtype.get_default_dtype().np)
            elif type(exponent) is bool and x.dtype == np.bool_:     # stays bool
                return _make(x.copy() if exponent else np.ones_like(x))
        return apply(PowScalar, (input, None), (x, exponent))
    if isinstance(exponent, Tensor) and x.dtype == np.bool_ and exponent._data.dtype == np.bool_:
        raise no_kernel("pow", np.bool_)
    return _binary(Pow, input, exponent)


true_divide = divide = div
multiply = mul
subtract = sub


class RsubTensor(Sub):
    _raw = True
    _name = "RsubBackward0"


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    if isinstance(other, Tensor):
        return _binary(RsubTensor, other, input, alpha)
    return _binary(Rsub, other, input, alpha)



# -- comparisons and logic: no gradient ----------------------------------------------------------

def _compare(ufunc, a, b, kernel=None):
    """``ufunc(a, b)`` as a bool tensor; ``kernel`` (``"lt_cpu"``): an order, which complex
    numbers lack (PyTorch's NotImplementedError)."""
    try:
        _, _, x, y = operands(a, b)
    except TypeError:
        return bad_operand(_sys._getframe(1).f_code.co_name, a, b, Tensor,
                           "(Tensor input, Tensor other, *, Tensor out = None), "
                           "(Tensor input, Number other, *, Tensor out = None)")
    if kernel is not None:      # (operands promoted: a complex operand makes the tensor's complex)
        d = (x if isinstance(a, Tensor) else y).dtype
        if d.kind == "c":
            raise no_kernel(kernel, d)
    try:
        return _make(ufunc(x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


def eq(input, other) -> Tensor: return _compare(np.equal, input, other)
def ne(input, other) -> Tensor: return _compare(np.not_equal, input, other)
def lt(input, other) -> Tensor: return _compare(np.less, input, other, "lt_cpu")
def le(input, other) -> Tensor: return _compare(np.less_equal, input, other, "le_cpu")
def gt(input, other) -> Tensor: return _compare(np.greater, input, other, "gt_cpu")
def ge(input, other) -> Tensor: return _compare(np.greater_equal, input, other, "ge_cpu")


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other) -> bool:
    """True when both tensors have the same shape and values."""
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _as_bool(v):
    d = v._data if isinstance(v, Tensor) else np.asarray(v)
    return d.astype(bool, copy=False)


def _logical(ufunc, a, b):
    x, y = _as_bool(a), _as_bool(b)
    try:
        return _make(ufunc(x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


def logical_and(input, other) -> Tensor: return _logical(np.logical_and, input, other)
def logical_or(input, other) -> Tensor: return _logical(np.logical_or, input, other)
def logical_xor(input, other) -> Tensor: return _logical(np.logical_xor, input, other)
def logical_not(input) -> Tensor: return _make(np.logical_not(_as_bool(input)))


def _bitwise(ufunc, a, b):
    _, _, x, y = operands(a, b)
    if (isinstance(x, np.ndarray) and x.dtype.kind == "f") or isinstance(y, float) or \
            (isinstance(y, np.ndarray) and y.dtype.kind == "f"):
        raise NotImplementedError(f'"{ufunc.__name__}_cpu" not implemented for \'Float\'')
    return _make(ufunc(x, y))


def bitwise_and(input, other) -> Tensor: return _bitwise(np.bitwise_and, input, other)
def bitwise_or(input, other) -> Tensor: return _bitwise(np.bitwise_or, input, other)
def bitwise_xor(input, other) -> Tensor: return _bitwise(np.bitwise_xor, input, other)


def bitwise_not(input) -> Tensor:
    if input._data.dtype.kind in "fc":
        raise NotImplementedError("\"bitwise_not_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(input._data.dtype)}'")
    return _make(np.invert(input._data))


def isnan(input) -> Tensor: return _make(np.isnan(input._data))
def isinf(input) -> Tensor: return _make(np.isinf(input._data))
def isfinite(input) -> Tensor: return _make(np.isfinite(input._data))
def isposinf(input) -> Tensor:
    if input._data.dtype.kind == "c":
        raise RuntimeError("isposinf does not support complex inputs.")
    return _make(np.isposinf(input._data))


def isneginf(input) -> Tensor:
    if input._data.dtype.kind == "c":
        raise RuntimeError("isneginf does not support complex inputs.")
    return _make(np.isneginf(input._data))


def signbit(input) -> Tensor:
    if input._data.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    return _make(np.signbit(input._data))


def _close_operands(input, other):
    if isinstance(other, Tensor) and input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_dtype.legacy_name(input.dtype)} did not match "
                           f"{_dtype.legacy_name(other.dtype)}")
    _, _, x, y = operands(input, other)
    try:
        np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise broadcast_error(x, y) from None
    return x, y


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    x, y = _close_operands(input, other)
    return _make(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    x, y = _close_operands(input, other)
    return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


class NanToNum(Function):
    """nan, +inf and -inf replaced; the gradient passes where the input is finite."""
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.x = x
        if x.dtype.kind not in "fc":
            return x.copy()
        with np.errstate(over="ignore"):            # posinf=1e40 on float32: inf, quietly
            return np.asarray(np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf), x.dtype)

    @staticmethod
    def backward(ctx, g):
        return (g * np.isfinite(ctx.x),)


def _nan_to_num_args(nan, posinf, neginf) -> tuple:
    out = []
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if isinstance(v, Tensor) and v._data.ndim == 0:
            v = v._data.item()                 # a 0-d tensor stands for a number here
        if v is not None and not isinstance(v, (int, float, np.number)):
            from .._errors import arg_error
            raise arg_error("nan_to_num", name, None, "float", v)
        out.append(v)
    return tuple(out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """nan -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (the dtype's largest and smallest
    finite values by default); integer tensors come back as copies.

    >>> import numtorch as torch
    >>> torch.nan_to_num(torch.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
    tensor([0., 9., 1.])
    """
    args = _nan_to_num_args(nan, posinf, neginf)
    if out is not None:
        return write_out("nan_to_num", nan_to_num(input, *args), out)
    return apply(NanToNum, (input,), (input._data,), *args)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None) -> Tensor:
    return apply_inplace(NanToNum, input, (input,), (input._data,),
                         *_nan_to_num_args(nan, posinf, neginf))


# -- in-place arithmetic ---------------------------------------------------------------------------

# the ops whose in-place no-grad form is a single ufunc call (see _binary_); maximum_ and
# minimum_ (math.py's family) are here because they go through _binary_ too
_INPLACE_UFUNCS = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.divide}


def add_(input, other, *, alpha=1) -> Tensor: return _binary_(Add, input, other, alpha)
def sub_(input, other, *, alpha=1) -> Tensor: return _binary_(Sub, input, other, alpha)
def mul_(input, other) -> Tensor: return _binary_(Mul, input, other)
def div_(input, other, *, rounding_mode=None) -> Tensor:
    if rounding_mode is None:
        return _binary_(Div, input, other)
    if rounding_mode == "floor":
        return _binary_(DivFloor, input, other)      # DivBackward2, as div(rounding_mode=...)
    if rounding_mode == "trunc":
        return _binary_(DivTrunc, input, other)
    raise _rounding_mode_error(rounding_mode)
def pow_(input, exponent) -> Tensor:
    x = input._data
    if isinstance(exponent, (int, float)):
        if x.dtype.kind in "iub":
            if isinstance(exponent, float):     # PyTorch's "result type Float can't be cast"
                x = x.astype(_dtype.get_default_dtype().np)
            elif type(exponent) is bool and x.dtype == np.bool_:
                if not exponent:
                    x[...] = True
                input._vc[0] += 1
                return input
        return apply_inplace(PowScalar, input, (input, None), (x, exponent))
    if isinstance(exponent, Tensor) and x.dtype == np.bool_ and exponent._data.dtype == np.bool_:
        raise no_kernel("pow", np.bool_)
    return _binary_(Pow, input, exponent)
def remainder_(input, other) -> Tensor: return _binary_(Remainder, input, other)
def floor_divide_(input, other) -> Tensor: return _binary_(FloorDivide, input, other)
def maximum_(input, other) -> Tensor: return _binary_(Maximum, input, other)
def minimum_(input, other) -> Tensor: return _binary_(Minimum, input, other)


class Addcmul(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (1, 2)
    saved_inputs = ("x", "a", "b")

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.a, ctx.b, ctx.value = a, b, value
        return x + value * (a * b)

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gv = g * ctx.value
        return g, gv * ctx.b if n[1] else None, gv * ctx.a if n[2] else None


class Addcdiv(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (1, 2)
    saved_inputs = ("x", "a", "b")

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.a, ctx.b, ctx.value = a, b, value
        return x + value * (a / b)

    @staticmethod
    def backward(ctx, g):
        n = ctx.needs_input_grad
        gv = g * ctx.value
        return g, gv / ctx.b if n[1] else None, -gv * ctx.a / (ctx.b * ctx.b) if n[2] else None


def _ternary(cls, input, t1, t2, value):
    from ._apply import tensor_dtype_pair
    d = _dtype.promote_types(tensor_dtype_pair(input, t1), tensor_dtype_pair(t1, t2))
    d = _dtype.promote_types(d, tensor_dtype_pair(input, t2))
    arrs = tuple(t._data.astype(d.np, copy=False) for t in (input, t1, t2))
    try:
        return apply(cls, (input, t1, t2), arrs, value)
    except ValueError:
        try:
            shape = np.broadcast_shapes(arrs[1].shape, arrs[2].shape)
        except ValueError:
            raise broadcast_error(arrs[1], arrs[2]) from None
        raise broadcast_error(arrs[0], np.broadcast_to(arrs[1].dtype.type(0), shape)) from None


def addcmul(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return _ternary(Addcmul, input, tensor1, tensor2, value)


def addcdiv(input, tensor1, tensor2, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    if tensor1._data.dtype.kind not in "fc" and tensor2._data.dtype.kind not in "fc":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "The historic addcdiv behavior can be implemented as (input + value * "
                           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and "
                           "as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * "
                           "tensor1 / tensor2), for all dtypes.")
    return _ternary(Addcdiv, input, tensor1, tensor2, value)


def addcmul_(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add_(input, mul(tensor1, tensor2), alpha=value)


def addcdiv_(input, tensor1, tensor2, *, value=1) -> Tensor:
    return add_(input, div(tensor1, tensor2), alpha=value)


__all__ = [name for name, value in list(globals().items())
           if callable(value) and name[0].islower() and not name.startswith("_")
           and getattr(value, "__module__", None) == __name__]
