"""More pointwise math, as PyTorch 2.13 has it: ``sgn``, ``frac``, ``heaviside``, ``copysign``,
``nextafter``, ``ldexp``, ``frexp``, ``float_power``, ``positive``, ``isreal``, ``gcd``/``lcm``,
the bit shifts, and in-place forms (``x.sgn_()``,
``x.clamp_min_(0)``, ``x.logical_not_()``, ...); forward and backward side by side, built on
``math.py``'s machinery. Loaded on first use (``numtorch._LAZY``, ``LAZY_METHODS``).

>>> import numtorch as torch
>>> torch.copysign(torch.tensor([1.0, 2.0]), -1)
tensor([-1., -2.])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._errors import call_site, no_kernel as _no_kernel, not_tensor, type_name
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from . import elementwise as E
from . import math as M
from ._apply import (apply, apply_inplace, broadcast_error, operands, tensor_dtype_pair,
                     write_into, write_out, _make)
from .convert import _cast
from .reduce import return_types

_BY_NP = _dtype._BY_NP


def _legacy(npd) -> str:
    return _dtype.legacy_name_np(np.dtype(npd))


def _cast_error(src, dst) -> RuntimeError:
    """The in-place ops' refusal to write a ``src`` result into a ``dst`` tensor (np dtypes)."""
    return RuntimeError(f"result type {_legacy(src)} can't be cast to the desired output type "
                        f"{_legacy(dst)}")


def _check_cast(src, target: Tensor) -> None:
    dst = target._data.dtype
    if src != dst and not _dtype.can_cast(_BY_NP[np.dtype(src)], _BY_NP[dst]):
        raise _cast_error(src, dst)


def _overloads(fn: str, args, overloads: str) -> TypeError:
    """PyTorch's overload-mismatch TypeError, its list of signatures verbatim."""
    got = ", ".join(type_name(v) for v in args)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:{overloads}")


def _tensors(fn: str, input, other, other_name: str = "other"):
    """The argument parser's errors for an op that takes two tensors."""
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    if not isinstance(other, Tensor):
        raise not_tensor(fn, other, other_name, 1 if call_site() == 1 else 2)


def _promoted(input: Tensor, other: Tensor):
    """Both operands' arrays in PyTorch's result dtype of two tensors."""
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        d = tensor_dtype_pair(input, other).np
        x, y = x.astype(d, copy=False), y.astype(d, copy=False)
    return x, y


def _out(name: str, result: Tensor, out) -> Tensor:
    """``write_out`` with the dtype rules of the ops that want ``out``'s dtype exactly."""
    if isinstance(out, Tensor) and out.dtype is not result.dtype:
        if name in ("sgn", "frac"):
            raise RuntimeError(f"Found dtype {_dtype.legacy_name(out.dtype)} but expected "
                               f"{_dtype.legacy_name(result.dtype)}")
        if name == "heaviside":
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        if name == "ldexp" and not _dtype.can_cast(result.dtype, out.dtype):
            raise RuntimeError(f"ldexp can't be cast to the desired output type "
                               f"{_dtype.legacy_name(out.dtype)}")
    return write_out(name, result, out)


def _run(cls, tensors, arrays, *params):
    try:
        return apply(cls, tensors, arrays, *params)
    except ValueError:
        raise broadcast_error(arrays[0], arrays[1]) from None


def _run_(cls, input, tensors, arrays, *params):
    try:
        return apply_inplace(cls, input, tensors, arrays, *params)
    except ValueError:
        raise broadcast_error(arrays[0], arrays[1]) from None


# -- sgn, sign_, frac ---------------------------------------------------------------------------

class Sgn(Function):
    """``z / |z|`` (0 at 0) for complex ``z``; ``sign`` for real numbers (NaN gives 0)."""
    _raw = True
    complex_grad = True             # the backward below follows the conjugate convention
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        kind = x.dtype.kind
        if kind == "c":
            a = np.abs(x)
            zero = a == 0
            return np.where(zero, 0, x / np.where(zero, 1, a)).astype(x.dtype, copy=False)
        if kind == "b":
            return x.copy()
        return M.Sign.forward(ctx, x)                   # (NaN gives 0)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        if x.dtype.kind != "c":
            return (np.zeros_like(g),)
        # d(z/|z|): (g - conj(g) s^2) / (2 |z|), 0 at z = 0
        a = np.abs(x)
        zero = a == 0
        a = np.where(zero, 1, a)
        s = x / a
        return (np.where(zero, 0, (g - np.conj(g) * s * s) / (2 * a)),)


def sgn(input, *, out=None) -> Tensor:
    """The sign of real numbers, ``z / |z|`` of complex ones.

    >>> import numtorch as torch
    >>> torch.sgn(torch.tensor([3 + 4j, 0j]))
    tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """
    if out is not None:
        return _out("sgn", sgn(input), out)
    return M._unary(Sgn, input, floats=False)


def sgn_(input) -> Tensor:
    """In-place ``sgn``.

    >>> import numtorch as torch
    >>> torch.tensor([-2.0, 0.0, 5.0]).sgn_()
    tensor([-1.,  0.,  1.])
    """
    return M._unary_(Sgn, input)


def sign_(input) -> Tensor:
    """In-place ``sign``.

    >>> import numtorch as torch
    >>> torch.tensor([-2.0, 0.0, 5.0]).sign_()
    tensor([-1.,  0.,  1.])
    """
    if input._data.dtype == np.bool_:
        write_into(input, input._data)
        return input
    return M._unary_(M.Sign, input)


class Frac(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return (g,)


def _frac_args(input):
    if not isinstance(input, Tensor):
        raise not_tensor("frac", input)
    if input._data.dtype.kind != "f":
        raise _no_kernel("frac_cpu", input._data.dtype)


def frac(input, *, out=None) -> Tensor:
    """The fractional part, ``input - trunc(input)``.

    >>> import numtorch as torch
    >>> torch.frac(torch.tensor([2.5, -1.25]))
    tensor([ 0.5000, -0.2500])
    """
    if out is not None:
        return _out("frac", frac(input), out)
    _frac_args(input)
    return M._unary(Frac, input, floats=False)


def frac_(input) -> Tensor:
    """In-place ``frac``.

    >>> import numtorch as torch
    >>> torch.tensor([2.5, -1.25]).frac_()
    tensor([ 0.5000, -0.2500])
    """
    _frac_args(input)
    return M._unary_(Frac, input)


def fix_(input) -> Tensor:
    """In-place ``fix`` (``trunc_``).

    >>> import numtorch as torch
    >>> torch.tensor([2.5, -1.5]).fix_()
    tensor([ 2., -1.])
    """
    return M.trunc_(input)


# -- heaviside, copysign, nextafter -------------------------------------------------------------

class Heaviside(Function):
    """PyTorch defines no derivative: a graph records a node that refuses."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, x, v):
        return np.where(x == 0, v, x > 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def _heaviside_args(input, values):
    _tensors("heaviside", input, values, "values")
    x, v = input._data, values._data
    if x.dtype.kind == "c" or v.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return x, v


def heaviside(input, values, *, out=None) -> Tensor:
    """0 where ``input < 0``, ``values`` where it is 0, 1 where it is positive.

    >>> import numtorch as torch
    >>> torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    if out is not None:
        return _out("heaviside", heaviside(input, values), out)
    x, v = _heaviside_args(input, values)
    return _run(Heaviside, (input, values), (x, v))


def heaviside_(input, values) -> Tensor:
    """In-place ``heaviside``.

    >>> import numtorch as torch
    >>> torch.tensor([-1.0, 0.0, 2.0]).heaviside_(torch.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    x, v = _heaviside_args(input, values)
    return _run_(Heaviside, input, (input, values), (x, v))


class Copysign(Function):
    """``|x|`` with the sign of ``y``; ``y`` gets a zero gradient."""
    _raw = True
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.x = x
        ctx.out = out = np.copysign(x, y)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g * (np.sign(ctx.x) * np.sign(ctx.out))
        return gx, (np.zeros_like(g) if ctx.needs_input_grad[1] else None)


class CopysignScalar(Copysign):
    _raw = True
    _name = "CopysignBackward1"


_COPYSIGN_OVERLOADS = ("\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
                       " * (Tensor input, Number other, *, Tensor out = None)\n")


def _copysign_args(input, other):
    if not isinstance(input, Tensor) or not isinstance(other, (Tensor, int, float, complex)):
        raise _overloads("copysign", (input, other), _COPYSIGN_OVERLOADS)
    ta, tb, x, y = operands(input, other)
    kind = x.dtype.kind
    if kind == "c":
        raise _no_kernel("copysign_cpu", x.dtype)
    if kind in "iub":
        d = _dtype.get_default_dtype().np
        x = x.astype(d)
        y = y.astype(d) if isinstance(y, np.ndarray) else y
    return (CopysignScalar if tb is None else Copysign), (ta, tb), (x, y)


def copysign(input, other, *, out=None) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (a tensor or a number).

    >>> import numtorch as torch
    >>> torch.copysign(torch.tensor([1.0, -2.0]), -1)
    tensor([-1., -2.])
    """
    if out is not None:
        return write_out("copysign", copysign(input, other), out)
    cls, tensors, arrays = _copysign_args(input, other)
    return _run(cls, tensors, arrays)


def copysign_(input, other) -> Tensor:
    """In-place ``copysign``.

    >>> import numtorch as torch
    >>> torch.tensor([1.0, -2.0]).copysign_(torch.tensor([-1.0, 1.0]))
    tensor([-1.,  2.])
    """
    cls, tensors, arrays = _copysign_args(input, other)
    _check_cast(arrays[0].dtype, input)
    return _run_(cls, input, tensors, arrays)


class Nextafter(Function):
    """The next float after ``x`` towards ``y``: ``x``'s gradient where they differ, 0 for ``y``."""
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.nextafter(x, y)

    @staticmethod
    def backward(ctx, g):
        gx = g * (ctx.x != ctx.y) if ctx.needs_input_grad[0] else None
        return gx, (np.zeros_like(g) if ctx.needs_input_grad[1] else None)


def _nextafter_args(input, other):
    _tensors("nextafter", input, other)
    x, y = _promoted(input, other)
    if x.dtype.kind != "f":
        raise _no_kernel("nextafter_cpu", x.dtype)
    return x, y


def nextafter(input, other, *, out=None) -> Tensor:
    """The next representable value after ``input`` towards ``other``.

    >>> import numtorch as torch
    >>> torch.nextafter(torch.tensor([1.0]), torch.tensor([2.0])) - 1
    tensor([1.1921e-07])
    """
    if out is not None:
        return write_out("nextafter", nextafter(input, other), out)
    x, y = _nextafter_args(input, other)
    return _run(Nextafter, (input, other), (x, y))


def nextafter_(input, other) -> Tensor:
    """In-place ``nextafter``.

    >>> import numtorch as torch
    >>> torch.tensor([0.0], dtype=torch.float64).nextafter_(torch.tensor([1.0]))
    tensor([4.9407e-324], dtype=torch.float64)
    """
    x, y = _nextafter_args(input, other)
    _check_cast(x.dtype, input)
    return _run_(Nextafter, input, (input, other), (x, y))


# -- ldexp, frexp, float_power ------------------------------------------------------------------

def _pow2(e):
    """``pow(2, e)`` as PyTorch's ldexp gradient computes it: in ``e``'s own dtype, so an integer
    exponent gives 0 below 0 and wraps at the width of its type (``pow(2, -1) == 0``)."""
    if e.dtype.kind in "fc":
        return np.power(np.asarray(2, e.dtype), e)
    if e.dtype == np.bool_:
        e = e.astype(np.int64)
    ok = (e >= 0) & (e < e.dtype.itemsize * 8)
    one = np.ones((), e.dtype)
    return np.where(ok, np.left_shift(one, np.where(ok, e, 0).astype(e.dtype)), 0).astype(e.dtype)


class Ldexp(Function):
    """``x * 2 ** y``: exactly scaled for a float ``x`` and an integer ``y`` (which gets no
    gradient); otherwise ``x * pow(2, y)``, with ``pow`` in ``y``'s floating dtype."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0, 1)
    e = y = None                    # an integer exponent is kept as ``e``: a graph constant

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.real = x, x.real.dtype
        if y.dtype.kind in "fc":
            ctx.y = y
            return (x * np.power(np.asarray(2, y.dtype), y)).astype(x.dtype, copy=False)
        ctx.e = y
        if x.dtype.kind == "f":
            return np.ldexp(x, np.clip(y.astype(np.int64, copy=False), -4096, 4096)
                            .astype(np.int32))
        p = np.power(np.asarray(2, ctx.real), y.astype(ctx.real))
        return (x * p).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.e is not None:                     # (PyTorch's: 0 for a negative exponent)
            return g * _pow2(ctx.e).astype(ctx.real), None
        x, y = ctx.x, ctx.y
        p = _pow2(y)
        gy = g * x * p * np.log(2.0) if ctx.needs_input_grad[1] else None
        return g * p, gy


def _ldexp_args(input, other):
    _tensors("ldexp", input, other)
    x, y = input._data, other._data
    if x.dtype.kind == "f" and y.dtype.kind in "iub":     # the kernel: x's dtype
        if y.dtype == np.bool_:
            raise _no_kernel("ldexp_cpu_exp", np.bool_)
        return x, y
    # otherwise x * pow(2, y), pow(2, y) in y's dtype (the default float for an integer y)
    p = _BY_NP[y.dtype] if y.dtype.kind in "fc" else _dtype.get_default_dtype()
    d = _dtype.promote_types(_BY_NP[x.dtype], p).np
    return x.astype(d, copy=False), y


def ldexp(input, other, *, out=None) -> Tensor:
    """``input * 2 ** other``.

    >>> import numtorch as torch
    >>> torch.ldexp(torch.tensor([1.5, 3.0]), torch.tensor([2, -1]))
    tensor([6.0000, 1.5000])
    """
    if out is not None:
        return _out("ldexp", ldexp(input, other), out)
    x, y = _ldexp_args(input, other)
    return _run(Ldexp, (input, other), (x, y))


def ldexp_(input, other) -> Tensor:
    """In-place ``ldexp``.

    >>> import numtorch as torch
    >>> torch.tensor([1.5, 3.0]).ldexp_(torch.tensor([2, -1]))
    tensor([6.0000, 1.5000])
    """
    x, y = _ldexp_args(input, other)
    dst = input._data.dtype
    if x.dtype != dst and not _dtype.can_cast(_BY_NP[x.dtype], _BY_NP[dst]):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {_legacy(dst)}")
    return _run_(Ldexp, input, (input, other), (x, y))


class Frexp(Function):
    """The mantissa of ``frexp``: its gradient is ``g * 2 ** -exponent``."""
    _raw = True

    @staticmethod
    def forward(ctx, x, mantissa, exponent):
        ctx.e, ctx.real = exponent, x.dtype
        return mantissa

    @staticmethod
    def backward(ctx, g):
        return (g * np.ldexp(np.ones((), ctx.real), -ctx.e),)


def frexp(input, *, out=None):
    """``(mantissa, exponent)``: ``input = mantissa * 2 ** exponent``, ``0.5 <= |mantissa| < 1``.

    >>> import numtorch as torch
    >>> torch.frexp(torch.tensor([8.0, -0.75]))
    torch.return_types.frexp(
    mantissa=tensor([ 0.5000, -0.7500]),
    exponent=tensor([4, 0], dtype=torch.int32))
    """
    if not isinstance(input, Tensor):
        raise not_tensor("frexp", input)
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = np.frexp(x)
    result = return_types.frexp(apply(Frexp, (input,), (x,), np.asarray(m), np.asarray(e)),
                          _make(np.asarray(e, np.int32)))
    if out is not None:
        for t, want, what in ((out[0], x.dtype, "mantissa"), (out[1], np.int32, "exponent")):
            if isinstance(t, Tensor) and t._data.dtype != want:
                name = _dtype.cpp_name(_BY_NP[np.dtype(want)])
                kind = f"dtype {name}" if what == "mantissa" else f"{name} dtype"
                raise RuntimeError(f"torch.frexp() expects {what} to have {kind} but got "
                                   f"{_dtype.cpp_name(t.dtype)}")
        write_out("frexp", result.mantissa, out[0])
        write_out("frexp", result.exponent, out[1])
        return return_types.frexp_out(out[0], out[1])
    return result


_FLOAT_POWER_OVERLOADS = ("\n * (Tensor input, Tensor exponent, *, Tensor out = None)\n"
                          " * (Number self, Tensor exponent, *, Tensor out = None)\n"
                          " * (Tensor input, Number exponent, *, Tensor out = None)\n")


def _float_power_dtype(input, exponent):
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise _overloads("float_power", (input, exponent), _FLOAT_POWER_OVERLOADS)
    cplx = any(v.is_complex() if isinstance(v, Tensor) else isinstance(v, complex)
               for v in (input, exponent))
    return _dtype.complex128 if cplx else _dtype.float64


def _number(v, d):
    return complex(v) if d is _dtype.complex128 else float(v)


def float_power(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent`` computed in double precision (float64, or complex128).

    >>> import numtorch as torch
    >>> torch.float_power(torch.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=torch.float64)
    """
    d = _float_power_dtype(input, exponent)
    if out is not None:
        if isinstance(out, Tensor) and out.dtype is not d:
            raise RuntimeError(f"the output given to float_power has dtype "
                               f"{_dtype.legacy_name(out.dtype)} but the operation's result "
                               f"requires dtype {_dtype.legacy_name(d)}")
        return write_out("float_power", float_power(input, exponent), out)
    if not isinstance(input, Tensor):                     # a number to a tensor's power
        return E.pow(_number(input, d), _cast(exponent, d))
    base = _cast(input, d)
    if isinstance(exponent, Tensor):
        return E.pow(base, _cast(exponent, d))
    return apply(E.PowScalar, (base, None), (base._data, _number(exponent, d)))


def float_power_(input, exponent) -> Tensor:
    """In-place ``float_power``: the tensor must already be float64 (or complex128).

    >>> import numtorch as torch
    >>> torch.tensor([2.0, 3.0], dtype=torch.float64).float_power_(2)
    tensor([4., 9.], dtype=torch.float64)
    """
    d = _float_power_dtype(input, exponent)
    if input.dtype is not d:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_dtype.legacy_name(input.dtype)} but the operation's result requires "
                           f"dtype {_dtype.legacy_name(d)}")
    if isinstance(exponent, Tensor):
        return E.pow_(input, _cast(exponent, d))
    return apply_inplace(E.PowScalar, input, (input, None), (input._data, _number(exponent, d)))


# -- positive, isreal ---------------------------------------------------------------------------

def positive(input) -> Tensor:
    """``input`` itself (``+input``).

    >>> import numtorch as torch
    >>> x = torch.tensor([1.0, -2.0]); torch.positive(x) is x
    True
    """
    if not isinstance(input, Tensor):
        raise not_tensor("positive", input)
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def isreal(input) -> Tensor:
    """True where an element has no imaginary part (every element of a real tensor).

    >>> import numtorch as torch
    >>> torch.isreal(torch.tensor([1 + 1j, 2 + 0j]))
    tensor([False,  True])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("isreal", input)
    x = input._data
    if x.dtype.kind == "c":
        return _make(np.asarray(x.imag == 0))
    return _make(np.ones(x.shape, bool))


# -- gcd, lcm, bit shifts -----------------------------------------------------------------------

def _integer_args(fn: str, input, other):
    _tensors(fn, input, other)
    x, y = _promoted(input, other)
    if x.dtype.kind not in "iu":
        raise _no_kernel(fn + "_cpu", x.dtype)
    return x, y


def _integer_op(fn: str, ufunc, input, other) -> Tensor:
    x, y = _integer_args(fn, input, other)
    try:
        return _make(np.asarray(ufunc(x, y)))
    except ValueError:
        raise broadcast_error(x, y) from None


def _integer_op_(fn: str, ufunc, input, other) -> Tensor:
    if isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise not_tensor(fn + "_", other, "other", 1)
    _tensors(fn, input, other)
    _check_cast(_promoted(input, other)[0].dtype, input)
    write_into(input, _integer_op(fn, ufunc, input, other)._data)
    return input


def gcd(input, other, *, out=None) -> Tensor:
    """The greatest common divisor of integers (non-negative; ``gcd(0, 0) = 0``).

    >>> import numtorch as torch
    >>> torch.gcd(torch.tensor([12, -18, 0]), torch.tensor([8, 12, 5]))
    tensor([4, 6, 5])
    """
    if out is not None:
        return write_out("gcd", gcd(input, other), out)
    return _integer_op("gcd", np.gcd, input, other)


def lcm(input, other, *, out=None) -> Tensor:
    """The least common multiple of integers (0 when either is 0).

    >>> import numtorch as torch
    >>> torch.lcm(torch.tensor([4, -6, 0]), torch.tensor([6, 4, 5]))
    tensor([12, 12,  0])
    """
    if out is not None:
        return write_out("lcm", lcm(input, other), out)
    return _integer_op("lcm", np.lcm, input, other)


def gcd_(input, other) -> Tensor:
    """In-place ``gcd``.

    >>> import numtorch as torch
    >>> torch.tensor([12, 18]).gcd_(torch.tensor([8, 12]))
    tensor([4, 6])
    """
    return _integer_op_("gcd", np.gcd, input, other)


def lcm_(input, other) -> Tensor:
    """In-place ``lcm``.

    >>> import numtorch as torch
    >>> torch.tensor([4, 6]).lcm_(torch.tensor([6, 4]))
    tensor([12, 12])
    """
    return _integer_op_("lcm", np.lcm, input, other)


def _shift_args(fn: str, kernel: str, input, other):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        bad = ", ".join(f"!{type(v).__name__}!" for v in (input, other))
        raise _overloads(fn, (input, other), (
            "\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Number self, Tensor other)\n"
            f"      didn't match because some of the arguments have invalid types: ({bad})\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n"))
    try:
        _, _, x, y = operands(input, other)
    except TypeError:
        raise not_tensor(fn, other, "other", 2) from None
    d = (x if isinstance(x, np.ndarray) else y).dtype
    if d.kind not in "iu" or isinstance(x, float) or isinstance(y, float):
        raise _no_kernel(kernel, d if d.kind not in "iu" else _dtype.get_default_dtype().np)
    x = np.asarray(x).astype(d, copy=False)
    s = np.asarray(y).astype(d, copy=False)
    return x, s


def _shift(x, s, left: bool):
    bits = x.dtype.itemsize * 8
    over = (s >= bits) | (s < 0) if x.dtype.kind == "i" else s >= bits
    t = np.where(over, 0, s).astype(x.dtype, copy=False)
    try:
        if left:
            return np.where(over, 0, np.left_shift(x, t)).astype(x.dtype, copy=False)
        if x.dtype.kind == "i":                       # out of range: the sign fills every bit
            return np.right_shift(x, np.where(over, bits - 1, t).astype(x.dtype, copy=False))
        return np.where(over, 0, np.right_shift(x, t)).astype(x.dtype, copy=False)
    except ValueError:
        raise broadcast_error(x, s) from None


def bitwise_left_shift(input, other, *, out=None) -> Tensor:
    """``input << other`` for integers (0 once the shift reaches the width of the type).

    >>> import numtorch as torch
    >>> torch.bitwise_left_shift(torch.tensor([1, 3]), 2)
    tensor([ 4, 12])
    """
    if out is not None:
        return write_out("bitwise_left_shift", bitwise_left_shift(input, other), out)
    x, s = _shift_args("bitwise_left_shift", "lshift_cpu", input, other)
    return _make(np.asarray(_shift(x, s, True)))


def bitwise_right_shift(input, other, *, out=None) -> Tensor:
    """``input >> other`` for integers (arithmetic: negative numbers keep their sign).

    >>> import numtorch as torch
    >>> torch.bitwise_right_shift(torch.tensor([8, -8]), 2)
    tensor([ 2, -2])
    """
    if out is not None:
        return write_out("bitwise_right_shift", bitwise_right_shift(input, other), out)
    x, s = _shift_args("bitwise_right_shift", "rshift_cpu", input, other)
    return _make(np.asarray(_shift(x, s, False)))


def bitwise_left_shift_(input, other) -> Tensor:
    """In-place ``bitwise_left_shift``.

    >>> import numtorch as torch
    >>> torch.tensor([1, 2]).bitwise_left_shift_(2)
    tensor([4, 8])
    """
    x, s = _shift_args("bitwise_left_shift_", "lshift_cpu", input, other)
    _check_cast(x.dtype, input)
    write_into(input, _shift(x, s, True))
    return input


def bitwise_right_shift_(input, other) -> Tensor:
    """In-place ``bitwise_right_shift``.

    >>> import numtorch as torch
    >>> torch.tensor([8, 16]).bitwise_right_shift_(torch.tensor([2, 3]))
    tensor([2, 2])
    """
    x, s = _shift_args("bitwise_right_shift_", "rshift_cpu", input, other)
    _check_cast(x.dtype, input)
    write_into(input, _shift(x, s, False))
    return input


def bitwise_not_(input) -> Tensor:
    """In-place ``bitwise_not``.

    >>> import numtorch as torch
    >>> torch.tensor([3, -2]).bitwise_not_()
    tensor([-4,  1])
    """
    x = input._data
    if x.dtype.kind in "fc":
        raise _no_kernel("bitwise_not_cpu", x.dtype)
    write_into(input, np.invert(x))
    return input


def logical_not_(input) -> Tensor:
    """In-place ``logical_not``: 1 where the element is 0, else 0, in the tensor's dtype
    (PyTorch records no graph for it).

    >>> import numtorch as torch
    >>> torch.tensor([1.0, 0.0, -2.0]).logical_not_()
    tensor([0., 1., 0.])
    """
    write_into(input, np.logical_not(input._data))
    return input


# -- in-place forms of math.py's ops ------------------------------------------------------------

def _clamp_bound_(input, bound) -> None:
    """PyTorch's refusal of a float bound for an integer tensor, in place."""
    if input._data.dtype.kind in "iub" and isinstance(bound, float):
        raise RuntimeError(f"result type {_dtype.legacy_name(_dtype.get_default_dtype())} can't be "
                           f"cast to the desired output type {_dtype.cpp_name(input.dtype)}")


def clamp_min_(input, min) -> Tensor:
    """In-place ``clamp_min``.

    >>> import numtorch as torch
    >>> torch.tensor([1.0, -2.0]).clamp_min_(0)
    tensor([1., 0.])
    """
    if isinstance(min, Tensor):
        return M._clamp_tensors(input, min, None, M.ClampMinTensor, inplace=True)
    _clamp_bound_(input, min)
    _, lo, _ = M._clamp_args(input, min, None)
    return apply_inplace(M.ClampMin, input, (input,), (input._data,), lo, None)


def clamp_max_(input, max) -> Tensor:
    """In-place ``clamp_max``.

    >>> import numtorch as torch
    >>> torch.tensor([1.0, -2.0]).clamp_max_(0)
    tensor([ 0., -2.])
    """
    if isinstance(max, Tensor):
        return M._clamp_tensors(input, None, max, M.ClampMaxTensor, inplace=True)
    _clamp_bound_(input, max)
    _, _, hi = M._clamp_args(input, None, max)
    return apply_inplace(M.ClampMax, input, (input,), (input._data,), None, hi)


def negative_(input) -> Tensor:
    """In-place ``negative`` (``neg_``).

    >>> import numtorch as torch
    >>> torch.tensor([1.0, -2.0]).negative_()
    tensor([-1.,  2.])
    """
    return M.neg_(input)


def absolute_(input) -> Tensor:
    """In-place ``absolute`` (``abs_``).

    >>> import numtorch as torch
    >>> torch.tensor([1, -2]).absolute_()
    tensor([1, 2])
    """
    if input._data.dtype == np.bool_:
        raise _no_kernel("abs_cpu", np.bool_)
    return M.abs_(input)


__all__ = ["sgn", "frac", "frac_", "fix_", "heaviside", "copysign", "nextafter", "ldexp", "frexp",
           "float_power", "positive", "isreal", "gcd", "lcm", "bitwise_left_shift",
           "bitwise_right_shift", "clamp_min_", "clamp_max_", "negative_"]
