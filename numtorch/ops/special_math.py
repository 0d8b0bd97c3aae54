"""Special pointwise functions: the error function family (``erf``, ``erfc``, ``erfinv``,
``erfcx``, ``ndtri``, ``log_ndtr``), the gamma family (``lgamma``, ``digamma``, ``polygamma``,
``mvlgamma``, ``zeta``), modified Bessel functions (``i0``, ``i0e``, ``i1``, ``i1e``), and
``logaddexp``/``logaddexp2``, ``hypot``, ``xlogy``/``xlog1py``, ``entr``, ``sinc``, ``logit``,
``exp2``, ``deg2rad``/``rad2deg``; forward and backward side by side.

The float64 kernels live in ``_special_kernels.py`` (NumPy only); float32/float16 inputs are
computed in float64 and rounded. Integer and bool inputs are promoted to the default float
dtype, as in PyTorch. Each backward is written on arrays and, under ``create_graph=True``, runs
on TensorArrays; where a derivative is another special function (``lgamma' = digamma``,
``digamma' = polygamma(1)``, ``i0' = i1``, ...) it calls that op's own node (``_call``), so every
op differentiates again.

>>> import numtorch as torch
>>> x = torch.tensor([0.5, 1.0], requires_grad=True)
>>> torch.erf(x)
tensor([0.5205, 0.8427], grad_fn=<ErfBackward0>)
>>> torch.lgamma(x).sum().backward(); x.grad        # digamma
tensor([-1.9635, -0.5772])
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._errors import not_tensor, arg_error, call_site, type_name
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from . import _special_kernels as K
from ._apply import apply, apply2, apply_inplace, operands, broadcast_error, write_out, _NO_CTX
from ._tensor_array import TensorArray
from .math import _unary, _unary_, Sigmoid, RoundDecimals

_SQRT_PI = 1.7724538509055160273
_TWO_SQRT_PI = 1.1283791670955125739       # 2 / sqrt(pi)
_SQRT_2PI = 2.5066282746310005024
_LN2 = 0.69314718055994530942
_DEG = math.pi / 180


def _k(kernel, x, *params):
    """A float64 kernel on ``x``, the result in ``x``'s dtype (an array, also when 0-d)."""
    if x.dtype == np.float64:
        return np.asarray(kernel(x, *params))
    return np.asarray(kernel(x.astype(np.float64), *params)).astype(x.dtype)


def _call(cls, x, *params):
    """Op ``cls`` on ``x``: its forward on an array; a recorded node on a TensorArray (the
    derivative of one special function that is another, under ``create_graph=True``)."""
    if type(x) is TensorArray:
        return TensorArray(apply(cls, (x.t,), (x.t._data,), *params))
    return cls.forward(_NO_CTX, x, *params)


def _c(x, value):
    """``value`` as a 0-d array of ``x``'s float dtype."""
    return np.asarray(value, x.dtype)


# -- the error function family -------------------------------------------------------------------

class Erf(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _k(K.erf, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_c(x, _TWO_SQRT_PI) * np.exp(-(x * x))),)


class Erfc(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _k(K.erfc, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_c(x, -_TWO_SQRT_PI) * np.exp(-(x * x))),)


class Erfinv(Function):
    _raw = True
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = _k(K.erfinv, x)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * (_c(out, _SQRT_PI / 2) * np.exp(out * out)),)


class Erfcx(Function):
    _raw = True
    _name = "SpecialErfcxBackward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        ctx.out = out = _k(K.erfcx, x)
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (2 * x * ctx.out - _c(x, _TWO_SQRT_PI)),)


class Ndtri(Function):
    _raw = True
    _name = "SpecialNdtriBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = _k(K.ndtri, x)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * (_c(out, _SQRT_2PI) * np.exp(out * out / 2)),)


class LogNdtr(Function):
    _raw = True
    _name = "SpecialLogNdtrBackward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        ctx.out = out = _k(K.log_ndtr, x)
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x                       # the normal density over the CDF, in log space
        return (g * (np.exp(-(x * x) / 2 - ctx.out) / _c(x, _SQRT_2PI)),)


# -- the gamma family ----------------------------------------------------------------------------

class Polygamma(Function):
    """``polygamma(n, x)``; its derivative is ``polygamma(n + 1, x)``."""
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, n):
        ctx.x, ctx.n = x, n
        if n > 1:
            return _k(lambda v: K.polygamma(n, v), x)
        return _k(K.trigamma if n else K.digamma, x)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(Polygamma, ctx.x, ctx.n + 1),)


class Digamma(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _k(K.digamma, x)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(Polygamma, ctx.x, 1),)


class Lgamma(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _k(K.lgamma, x)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(Digamma, ctx.x),)


class Mvlgamma(Function):
    """The multivariate log-gamma: ``sum_j lgamma(x - j/2) + p(p-1)/4 log(pi)``."""
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, p):
        ctx.x, ctx.p = x, p
        out = _c(x, p * (p - 1) / 4 * math.log(math.pi))
        for j in range(p):
            out = out + _k(K.lgamma, x - _c(x, j / 2))
        return np.asarray(out, x.dtype)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        total = _call(Digamma, x)
        for j in range(1, ctx.p):
            total = total + _call(Digamma, x - _c(x, j / 2))
        return (g * total,)


class Zeta(Function):
    """The Hurwitz zeta function; PyTorch defines no derivative in ``x``, and
    ``d/dq zeta(x, q) = -x zeta(x + 1, q)``."""
    _raw = True
    _name = "SpecialZetaBackward0"
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, q):
        ctx.x, ctx.y = x, q
        return _k2(K.zeta, x, q)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.x, ctx.y
        if type(q) is TensorArray:
            shift = TensorArray(apply(Zeta, (None, q.t), (_const(x) + 1, q.t._data)))
        else:
            shift = Zeta.forward(_NO_CTX, x + 1, q)
        return None, g * -x * shift


class ZetaSelfScalar(Zeta):
    _raw = True
    _name = "SpecialZetaBackward1"


class ZetaOtherScalar(Zeta):
    _raw = True
    _name = "SpecialZetaBackward2"


def _const(v):
    return v.t._data if type(v) is TensorArray else v


def _k2(kernel, x, y):
    """A two-argument float64 kernel, the result in the operands' (common) dtype."""
    dt = np.result_type(x, y)
    out = kernel(np.asarray(x, np.float64), np.asarray(y, np.float64))
    return np.asarray(out).astype(dt, copy=False)


# -- modified Bessel functions ---------------------------------------------------------------------

class I0(Function):
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _k(_i0, x)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(I1, ctx.x),)


class I1(Function):
    _raw = True
    _name = "SpecialI1Backward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        ctx.out = out = _k(_i1, x)
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x                            # i1' = i0 - i1 / x (1/2 at 0)
        zero = x == 0
        safe = np.where(zero, _c(x, 1), x)
        d = np.where(zero, _c(x, 0.5), _call(I0, x) - ctx.out / safe)
        return (g * d,)


class I0e(Function):
    _raw = True
    _name = "SpecialI0EBackward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        ctx.out = out = _k(K.i0e, x)
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_call(I1e, x) - np.sign(x) * ctx.out),)


class I1e(Function):
    _raw = True
    _name = "SpecialI1EBackward0"
    saves = (0,)
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        ctx.out = out = _k(K.i1e, x)
        return out

    @staticmethod
    def backward(ctx, g):
        x = ctx.x                            # i1e' = i0e - i1e (sign(x) + 1/x) (1/2 at 0)
        zero = x == 0
        safe = np.where(zero, _c(x, 1), x)
        d = np.where(zero, _c(x, 0.5), _call(I0e, x) - ctx.out * (np.sign(x) + 1 / safe))
        return (g * d,)


def _i0(x):
    return np.where(np.isinf(x), np.nan, K.i0(x))          # PyTorch's i0(+-inf) is nan


def _i1(x):
    return np.where(np.isinf(x), np.nan, K.i1(x))


# -- other unary functions -------------------------------------------------------------------------

class Sinc(Function):
    """``sin(pi x) / (pi x)``, 1 at 0 (``pi x`` rounded in the input's dtype, as PyTorch)."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        zero = x == 0
        px = np.where(zero, _c(x, 1), x * _c(x, math.pi))
        return np.where(zero, _c(x, 1), np.sin(px) / px)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        zero = x == 0
        safe = np.where(zero, _c(x, 1), x)
        px = safe * _c(x, math.pi)
        d = (np.cos(px) * px - np.sin(px)) / (px * safe)
        return (g * np.where(zero, _c(x, 0), d),)


class Entr(Function):
    """``-x log x`` (0 at 0, -inf for x < 0)."""
    _raw = True
    _name = "SpecialEntrBackward0"
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        pos = x > 0
        safe = np.where(pos, x, _c(x, 1))
        out = np.where(pos, -x * np.log(safe), np.where(x == 0, _c(x, 0), _c(x, -np.inf)))
        return np.where(np.isnan(x), x, out)

    @staticmethod
    def backward(ctx, g):
        return (g * -(np.log(ctx.x) + 1),)


class Logit(Function):
    """``log(x / (1 - x))``, with ``x`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given
    (and zero gradient outside)."""
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x, eps):
        ctx.x, ctx.eps = x, eps
        if eps is not None:
            x = np.clip(x, _c(x, eps), _c(x, 1 - eps))
        return np.asarray(np.log(x / (1 - x)), x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, eps = ctx.x, ctx.eps
        d = g / (x * (1 - x))
        if eps is None:                                      # nan outside [0, 1], as PyTorch
            return (np.where((x < 0) | (x > 1), _c(x, np.nan), d),)
        out = (x < eps) | (x > 1 - eps)
        return (np.where(out, _c(x, 0), d),)


class Exp2(Function):
    _raw = True
    complex_grad = HOLOMORPHIC
    saves_output = True

    @staticmethod
    def forward(ctx, x):
        ctx.out = out = np.exp2(x)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out * _c(ctx.out, _LN2),)


class Deg2Rad(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        return x * _c(x, _DEG)

    @staticmethod
    def backward(ctx, g):
        return (g * _c(g, _DEG),)


class Rad2Deg(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x):
        return x * _c(x, 1 / _DEG)

    @staticmethod
    def backward(ctx, g):
        return (g * _c(g, 1 / _DEG),)


# -- binary functions ----------------------------------------------------------------------------

class Logaddexp(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.logaddexp(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        return g / (1 + np.exp(y - x)), g / (1 + np.exp(x - y))


class Logaddexp2(Function):
    _raw = True
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.logaddexp2(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        ln2 = _c(x, _LN2)
        return g / (1 + np.exp((y - x) * ln2)), g / (1 + np.exp((x - y) * ln2))


class Hypot(Function):
    _raw = True
    saves = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        ctx.out = out = np.hypot(x, y)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return g * ctx.x / out, g * ctx.y / out


class Xlogy(Function):
    """``x * log(y)``, 0 where ``x == 0`` unless ``y`` is nan."""
    _raw = True
    saves = (0, 1)
    _log = staticmethod(np.log)
    _offset = False                 # xlog1py: the derivative in y is x / (1 + y)

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.x, ctx.y = x, y
        zero = (x == 0) & ~np.isnan(y)
        return np.where(zero, _c(x, 0), x * cls._log(y))

    @classmethod
    def backward(cls, ctx, g):
        x, y = ctx.x, ctx.y
        gx = gy = None
        if ctx.needs_input_grad[0]:                # log(y), 0 where x == 0 and y <= 0 (-1)
            zero = (x == 0) & (y <= (-1 if cls._offset else 0))
            gx = g * np.where(zero, _c(y, 0), cls._log(y))
        if ctx.needs_input_grad[1]:
            gy = g * x / (y + 1) if cls._offset else g * x / y
        return gx, gy


class XlogyScalarSelf(Xlogy):
    _raw = True
    _name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    _raw = True
    _name = "XlogyBackward2"


class Xlog1py(Xlogy):
    """``x * log1p(y)``, 0 where ``x == 0`` unless ``y`` is nan."""
    _raw = True
    _name = "SpecialXlog1PyBackward0"
    _log = staticmethod(np.log1p)
    _offset = True


class Xlog1pyScalarSelf(Xlog1py):
    _raw = True
    _name = "SpecialXlog1PyBackward1"


class Xlog1pyScalarOther(Xlog1py):
    _raw = True
    _name = "SpecialXlog1PyBackward2"


# -- the public functions --------------------------------------------------------------------------

def overload_error(fn: str, got, overloads: str) -> TypeError:
    """PyTorch's multi-line overload mismatch: ``fn() received an invalid combination of
    arguments - got (int, int), but expected one of:\n * (...)\n``; ``got``: the values, or the
    description itself."""
    if not isinstance(got, str):
        got = ", ".join(type_name(v) for v in got)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of:{overloads}")


def _out(name, result, out):
    return result if out is None else write_out(name, result, out)


def erf(input, *, out=None) -> Tensor:
    """The error function ``2/sqrt(pi) * int_0^x exp(-t^2) dt``.

    >>> import numtorch as torch
    >>> torch.erf(torch.tensor([0.0, -1.0, 0.5]))
    tensor([ 0.0000, -0.8427,  0.5205])
    """
    return _out("erf", _unary(Erf, input), out)


def erfc(input, *, out=None) -> Tensor:
    """``1 - erf(x)``, accurate where it is small.

    >>> import numtorch as torch
    >>> torch.erfc(torch.tensor([0.0, 10.0]))
    tensor([1.0000e+00, 1.4013e-45])
    """
    return _out("erfc", _unary(Erfc, input), out)


def erfinv(input, *, out=None) -> Tensor:
    """The inverse of ``erf`` on [-1, 1] (+-inf at +-1, nan outside).

    >>> import numtorch as torch
    >>> torch.erfinv(torch.tensor([0.0, 0.5, -1.0]))
    tensor([0.0000, 0.4769,   -inf])
    """
    return _out("erfinv", _unary(Erfinv, input), out)


def erfcx(input, *, out=None) -> Tensor:
    """The scaled complementary error function ``exp(x^2) * erfc(x)``.

    >>> import numtorch as torch
    >>> torch.special.erfcx(torch.tensor([0.0, 30.0]))
    tensor([1.0000, 0.0188])
    """
    return _out("special_erfcx", _unary(Erfcx, input), out)


def ndtri(input, *, out=None) -> Tensor:
    """The quantile function of the standard normal distribution (inverse of ``ndtr``).

    >>> import numtorch as torch
    >>> torch.special.ndtri(torch.tensor([0.5, 0.975]))
    tensor([0.0000, 1.9600])
    """
    return _out("special_ndtri", _unary(Ndtri, input), out)


def log_ndtr(input, *, out=None) -> Tensor:
    """``log(ndtr(x))``, accurate far in both tails.

    >>> import numtorch as torch
    >>> torch.special.log_ndtr(torch.tensor([0.0, -40.0]))
    tensor([-6.9315e-01, -8.0461e+02])
    """
    return _out("special_log_ndtr", _unary(LogNdtr, input), out)


def ndtr(input, *, out=None) -> Tensor:
    """The standard normal CDF ``(1 + erf(x / sqrt(2))) / 2`` (composed as PyTorch does).

    >>> import numtorch as torch
    >>> torch.special.ndtr(torch.tensor([0.0, 1.0]))
    tensor([0.5000, 0.8413])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("special_ndtr", input)
    from .elementwise import add, mul
    return _out("special_ndtr", mul(add(erf(mul(input, 0.7071067811865476)), 1), 0.5), out)


def lgamma(input, *, out=None) -> Tensor:
    """``log |Gamma(x)|`` (inf at 0 and the negative integers).

    >>> import numtorch as torch
    >>> torch.lgamma(torch.tensor([0.5, 3.0, 10.0]))
    tensor([ 0.5724,  0.6931, 12.8018])
    """
    return _out("lgamma", _unary(Lgamma, input), out)


def digamma(input, *, out=None) -> Tensor:
    """``psi(x) = d/dx lgamma(x)`` (-inf at 0, nan at the negative integers).

    >>> import numtorch as torch
    >>> torch.digamma(torch.tensor([1.0, 0.5]))
    tensor([-0.5772, -1.9635])
    """
    return _out("digamma", _unary(Digamma, input), out)


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise arg_error("polygamma", "n", 1, "int", n)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n: int, input, *, out=None) -> Tensor:
    """The n-th derivative of ``digamma`` (``polygamma(0, x)`` is ``digamma(x)``).

    >>> import numtorch as torch
    >>> torch.polygamma(1, torch.tensor([1.0, 0.5]))
    tensor([1.6449, 4.9348])
    """
    n = _check_n(n)
    if not isinstance(input, Tensor):
        raise not_tensor("polygamma", input, position=2)
    return _out("polygamma", _unary(Polygamma, input, n), out)


def _polygamma_method(self, n: int) -> Tensor:
    return polygamma(n, self)


def polygamma_(self, n: int) -> Tensor:
    return _unary_(Polygamma, self, _check_n(n), floats=True)


def _check_mvlgamma(input, p):
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise arg_error("mvlgamma", "p", 2, "int", p)
    if p < 1:                      # (PyTorch 2.13 no longer checks x > (p - 1) / 2)
        raise RuntimeError("p has to be greater than or equal to 1")
    return int(p)


def mvlgamma(input, p: int, *, out=None) -> Tensor:
    """The multivariate log-gamma function of dimension ``p``.

    >>> import numtorch as torch
    >>> torch.mvlgamma(torch.tensor([2.5, 3.0]), 2)
    tensor([0.8570, 1.5502])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("mvlgamma", input)
    p = _check_mvlgamma(input, p)
    return _out("mvlgamma", _unary(Mvlgamma, input, p), out)


def mvlgamma_(input, p: int) -> Tensor:
    p = _check_mvlgamma(input, p)
    return _unary_(Mvlgamma, input, p, floats=True)


def multigammaln(input, p: int, *, out=None) -> Tensor:
    """``torch.special.multigammaln``: ``mvlgamma``."""
    return mvlgamma(input, p, out=out)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k)^-input``.

    >>> import numtorch as torch
    >>> torch.special.zeta(torch.tensor([2.0, 4.0]), 1.0)
    tensor([1.6449, 1.0823])
    """
    cls = Zeta if isinstance(input, Tensor) and isinstance(other, Tensor) else \
        ZetaSelfScalar if isinstance(other, Tensor) else ZetaOtherScalar
    return _out("special_zeta", _float_binary(cls, input, other, "special_zeta", _ZETA_OVERLOADS),
                out)


def i0(input, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind of order 0.

    >>> import numtorch as torch
    >>> torch.i0(torch.tensor([0.0, 1.0]))
    tensor([1.0000, 1.2661])
    """
    return _out("i0", _unary(I0, input), out)


def i0e(input, *, out=None) -> Tensor:
    """``exp(-|x|) * i0(x)``.

    >>> import numtorch as torch
    >>> torch.special.i0e(torch.tensor([0.0, 1.0]))
    tensor([1.0000, 0.4658])
    """
    return _out("special_i0e", _unary(I0e, input), out)


def i1(input, *, out=None) -> Tensor:
    """The modified Bessel function of the first kind of order 1.

    >>> import numtorch as torch
    >>> torch.special.i1(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.5652])
    """
    return _out("special_i1", _unary(I1, input), out)


def i1e(input, *, out=None) -> Tensor:
    """``exp(-|x|) * i1(x)``.

    >>> import numtorch as torch
    >>> torch.special.i1e(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.2079])
    """
    return _out("special_i1e", _unary(I1e, input), out)


def sinc(input, *, out=None) -> Tensor:
    """The normalized sinc ``sin(pi x) / (pi x)`` (1 at 0).

    >>> import numtorch as torch
    >>> torch.sinc(torch.tensor([0.0, 0.5]))
    tensor([1.0000, 0.6366])
    """
    return _out("sinc", _unary(Sinc, input), out)


def entr(input, *, out=None) -> Tensor:
    """The elementwise entropy ``-x log x`` (0 at 0, -inf for negative x).

    >>> import numtorch as torch
    >>> torch.special.entr(torch.tensor([0.0, 0.5, -1.0]))
    tensor([0.0000, 0.3466,   -inf])
    """
    return _out("special_entr", _unary(Entr, input), out)


def _check_eps(eps):
    if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float, np.number))):
        if isinstance(eps, Tensor) and eps._data.ndim == 0:
            return float(eps._data)
        raise arg_error("logit", "eps", 2, "float", eps)
    return None if eps is None else float(eps)


def logit(input, eps: float | None = None, *, out=None) -> Tensor:
    """``log(x / (1 - x))``; with ``eps``, ``x`` is first clamped to ``[eps, 1 - eps]``.

    >>> import numtorch as torch
    >>> torch.logit(torch.tensor([0.25, 0.5, 1.0]), eps=1e-6)
    tensor([-1.0986,  0.0000, 13.8023])
    """
    return _out("logit", _unary(Logit, input, _check_eps(eps)), out)


def logit_(input, eps: float | None = None) -> Tensor:
    return _unary_(Logit, input, _check_eps(eps), floats=True)


def expit(input, *, out=None) -> Tensor:
    """``torch.special.expit``: the logistic sigmoid.

    >>> import numtorch as torch
    >>> torch.special.expit(torch.tensor([0.0]))
    tensor([0.5000])
    """
    return _out("sigmoid", _unary(Sigmoid, input), out)


def exp2(input, *, out=None) -> Tensor:
    """``2 ** x``.

    >>> import numtorch as torch
    >>> torch.exp2(torch.tensor([0.0, 3.0, -1.0]))
    tensor([1.0000, 8.0000, 0.5000])
    """
    return _out("exp2", _unary(Exp2, input), out)


def deg2rad(input, *, out=None) -> Tensor:
    """Degrees to radians.

    >>> import numtorch as torch
    >>> torch.deg2rad(torch.tensor([180.0, 90.0]))
    tensor([3.1416, 1.5708])
    """
    return _out("deg2rad", _unary(Deg2Rad, input), out)


def rad2deg(input, *, out=None) -> Tensor:
    """Radians to degrees.

    >>> import numtorch as torch
    >>> torch.rad2deg(torch.tensor([3.14159265]))
    tensor([180.])
    """
    return _out("rad2deg", _unary(Rad2Deg, input), out)


def special_round(input, *, out=None) -> Tensor:
    """``torch.special.round``: ``torch.round`` (its node is ``RoundBackward1``)."""
    return _out("round", _unary(RoundDecimals, input, np.round, floats=False), out)


def erf_(input): return _unary_(Erf, input, floats=True)
def erfc_(input): return _unary_(Erfc, input, floats=True)
def erfinv_(input): return _unary_(Erfinv, input, floats=True)
def lgamma_(input): return _unary_(Lgamma, input, floats=True)
def digamma_(input): return _unary_(Digamma, input, floats=True)
def i0_(input): return _unary_(I0, input, floats=True)
def sinc_(input): return _unary_(Sinc, input, floats=True)
def exp2_(input): return _unary_(Exp2, input, floats=True)
def deg2rad_(input): return _unary_(Deg2Rad, input, floats=True)
def rad2deg_(input): return _unary_(Rad2Deg, input, floats=True)


# -- binary ops: operands --------------------------------------------------------------------------

def _tensors_only(fn: str, a, b):
    """The two tensors of an op without Number overloads (``logaddexp``, ``hypot``)."""
    if not isinstance(a, Tensor):
        raise not_tensor(fn, a)
    if not isinstance(b, Tensor):
        method = call_site() == 1                    # ``t.hypot(2.0)``: other is argument 1
        raise not_tensor(fn, b, "other", 1 if method else 2)
    ta, tb, x, y = operands(a, b)
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f'"{fn}_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
    return ta, tb, x, y


def _apply2(cls, ta, tb, x, y):
    try:
        return apply2(cls, ta, tb, x, y)
    except ValueError:
        raise broadcast_error(x, y) from None


def logaddexp(input, other, *, out=None) -> Tensor:
    """``log(exp(x) + exp(y))`` without overflow.

    >>> import numtorch as torch
    >>> torch.logaddexp(torch.tensor([0.0, 1000.0]), torch.tensor([0.0, 1000.0]))
    tensor([6.9315e-01, 1.0007e+03])
    """
    return _out("logaddexp", _apply2(Logaddexp, *_tensors_only("logaddexp", input, other)), out)


def logaddexp2(input, other, *, out=None) -> Tensor:
    """``log2(2^x + 2^y)`` without overflow.

    >>> import numtorch as torch
    >>> torch.logaddexp2(torch.tensor([1.0]), torch.tensor([1.0]))
    tensor([2.])
    """
    return _out("logaddexp2", _apply2(Logaddexp2, *_tensors_only("logaddexp2", input, other)),
                out)


def hypot(input, other, *, out=None) -> Tensor:
    """``sqrt(x^2 + y^2)`` without overflow.

    >>> import numtorch as torch
    >>> torch.hypot(torch.tensor([3.0]), torch.tensor([4.0]))
    tensor([5.])
    """
    return _out("hypot", _apply2(Hypot, *_tensors_only("hypot", input, other)), out)


def hypot_(input, other) -> Tensor:
    ta, tb, x, y = _tensors_only("hypot", input, other)
    return apply_inplace(Hypot, input, (ta, tb), (x, y))


_XLOGY_OVERLOADS = ("\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
                    " * (Number self, Tensor other, *, Tensor out = None)\n"
                    " * (Tensor input, Number other, *, Tensor out = None)\n")
_ZETA_OVERLOADS = _XLOGY_OVERLOADS


def _float_binary(cls, a, b, fn: str, overloads: str, inplace: bool = False):
    """Tensor/Number operands promoted as PyTorch does, then to the default float dtype when
    integral (``xlogy``, ``xlog1py``, ``zeta``)."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise overload_error(fn, (a, b), overloads)
    try:
        ta, tb, x, y = operands(a, b)
    except TypeError:
        raise overload_error(fn, (a, b), overloads) from None
    d = np.result_type(x, y)                 # a Python number takes the tensor's dtype
    if d.kind not in "fc":
        d = _dtype.get_default_dtype().np
    x, y = np.asarray(x, d), np.asarray(y, d)
    if inplace:
        return apply_inplace(cls, a, (ta, tb), (x, y))
    return _apply2(cls, ta, tb, x, y)


def _xlogy_cls(base, self_scalar, other_scalar, a, b):
    if not isinstance(a, Tensor):
        return self_scalar
    return base if isinstance(b, Tensor) else other_scalar


def xlogy(input, other, *, out=None) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0`` (unless ``y`` is nan); either may be a number.

    >>> import numtorch as torch
    >>> torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    return _xlogy(input, other, out, "xlogy")


def _xlogy(input, other, out, fn: str) -> Tensor:
    """``xlogy``, its errors naming ``fn`` (``torch.special.xlogy``: ``special_xlogy``)."""
    cls = _xlogy_cls(Xlogy, XlogyScalarSelf, XlogyScalarOther, input, other)
    return _out("xlogy", _float_binary(cls, input, other, fn, _XLOGY_OVERLOADS), out)


def xlogy_(input, other) -> Tensor:
    cls = Xlogy if isinstance(other, Tensor) else XlogyScalarOther
    return _float_binary(cls, input, other, "xlogy_", _XLOGY_OVERLOADS, inplace=True)


def xlog1py(input, other, *, out=None) -> Tensor:
    """``x * log1p(y)``, 0 where ``x == 0`` (unless ``y`` is nan).

    >>> import numtorch as torch
    >>> torch.special.xlog1py(torch.tensor([0.0, 2.0]), torch.tensor([-1.0, 1.0]))
    tensor([0.0000, 1.3863])
    """
    cls = _xlogy_cls(Xlog1py, Xlog1pyScalarSelf, Xlog1pyScalarOther, input, other)
    return _out("special_xlog1py", _float_binary(cls, input, other, "special_xlog1py",
                                                 _XLOGY_OVERLOADS), out)


# the Tensor methods (``x.polygamma(n)``: n second); ``METHODS`` is what
# ``_tensor_methods._install_methods`` reads them from
TENSOR_METHODS = {
    "erf": erf, "erfc": erfc, "erfinv": erfinv, "erf_": erf_, "erfc_": erfc_, "erfinv_": erfinv_,
    "lgamma": lgamma, "lgamma_": lgamma_, "digamma": digamma, "digamma_": digamma_,
    "polygamma": _polygamma_method, "polygamma_": polygamma_, "mvlgamma": mvlgamma,
    "mvlgamma_": mvlgamma_, "i0": i0, "i0_": i0_, "sinc": sinc, "sinc_": sinc_, "logit": logit,
    "logit_": logit_, "exp2": exp2, "exp2_": exp2_, "deg2rad": deg2rad, "deg2rad_": deg2rad_,
    "rad2deg": rad2deg, "rad2deg_": rad2deg_, "logaddexp": logaddexp, "logaddexp2": logaddexp2,
    "hypot": hypot, "hypot_": hypot_, "xlogy": xlogy, "xlogy_": xlogy_,
}
METHODS = type("METHODS", (), {name: staticmethod(fn) for name, fn in TENSOR_METHODS.items()})

__all__ = ["erf", "erfc", "erfinv", "erf_", "erfc_", "lgamma", "digamma", "polygamma",
           "mvlgamma", "i0", "i0_", "sinc", "sinc_", "logit", "logit_", "exp2", "exp2_",
           "deg2rad", "deg2rad_", "rad2deg", "rad2deg_", "logaddexp", "logaddexp2", "hypot",
           "xlogy", "xlogy_"]
