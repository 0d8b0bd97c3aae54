"""Special pointwise functions of one tensor: the error function family (``erf``, ``erfc``,
``erfinv``, ``erfcx``, ``ndtri``, ``log_ndtr``, ``ndtr``), the gamma family (``lgamma``,
``digamma``, ``polygamma``, ``mvlgamma``), modified Bessel functions (``i0``, ``i0e``, ``i1``,
``i1e``), and ``sinc``, ``entr``, ``logit``, ``exp2``, ``deg2rad``/``rad2deg``; forward and
backward side by side. (The two-operand ones are in ``special_binary.py``; ``special_math.py``
gathers both for ``torch`` and the Tensor methods.)

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

from .._errors import not_tensor, arg_error
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from . import _special_kernels as K
from ._apply import apply, write_out, _NO_CTX
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
    if x.dtype.kind == "c":                 # PyTorch has no complex kernels for these
        name = getattr(kernel, "__name__", "").lstrip("_")
        name = {"erf": "erf_vml_cpu", "erfc": "erfc_vml_cpu", "erfinv": "erfinv_vml_cpu",
                "lgamma": "lgamma_vml_cpu", "i0": "i0_vml_cpu", "digamma": "digamma",
                "trigamma": "trigamma", "<lambda>": "polygamma"}.get(name, name + "_cpu")
        from .. import _dtype
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{_dtype.legacy_name_np(x.dtype)}'")
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


def _out(name, result, out):
    return result if out is None else write_out(name, result, out)


class _Kernel(Function):
    """A unary op whose forward is the float64 kernel ``kernel`` (result in the input's dtype);
    it keeps the input as ``ctx.x`` when ``saves`` names it and the output as ``ctx.out`` when
    ``saves_output``. Subclasses write ``backward``."""
    _raw = True
    kernel = None

    @classmethod
    def forward(cls, ctx, x):
        if cls.saves:
            ctx.x = x
        out = _k(cls.kernel, x)
        if cls.saves_output:
            ctx.out = out
        return out


def _public(cls, name: str, summary: str, call: str, result: str, out_name: str | None = None):
    """The public op ``name(input, *, out=None)``: ``cls`` on ``input`` (integers promoted to
    the default float dtype), written into ``out`` (errors naming ``out_name``, default
    ``name``); its docstring is ``summary`` and the example ``call`` -> ``result``."""
    out_name = out_name or name

    def op(input, *, out=None) -> Tensor:
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        return _out(out_name, _unary(cls, input), out)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{summary}\n\n    >>> import numtorch as torch\n    >>> {call}\n"
                  f"    {result}\n    ")
    return op


# -- the error function family -------------------------------------------------------------------

class Erf(_Kernel):
    saves = (0,)
    kernel = staticmethod(K.erf)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_c(x, _TWO_SQRT_PI) * np.exp(-(x * x))),)


class Erfc(_Kernel):
    saves = (0,)
    kernel = staticmethod(K.erfc)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_c(x, -_TWO_SQRT_PI) * np.exp(-(x * x))),)


class Erfinv(_Kernel):
    saves_output = True
    kernel = staticmethod(K.erfinv)

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * (_c(out, _SQRT_PI / 2) * np.exp(out * out)),)


class Erfcx(_Kernel):
    _name = "SpecialErfcxBackward0"
    saves = (0,)
    saves_output = True
    kernel = staticmethod(K.erfcx)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (2 * x * ctx.out - _c(x, _TWO_SQRT_PI)),)


class Ndtri(_Kernel):
    _name = "SpecialNdtriBackward0"
    saves_output = True
    kernel = staticmethod(K.ndtri)

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        return (g * (_c(out, _SQRT_2PI) * np.exp(out * out / 2)),)


class LogNdtr(_Kernel):
    _name = "SpecialLogNdtrBackward0"
    saves = (0,)
    saves_output = True
    kernel = staticmethod(K.log_ndtr)

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


class Digamma(_Kernel):
    saves = (0,)
    kernel = staticmethod(K.digamma)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(Polygamma, ctx.x, 1),)


class Lgamma(_Kernel):
    saves = (0,)
    kernel = staticmethod(K.lgamma)

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


# -- modified Bessel functions ---------------------------------------------------------------------

def _i0(x):
    return np.where(np.isinf(x), np.nan, K.i0(x))          # PyTorch's i0(+-inf) is nan


def _i1(x):
    return np.where(np.isinf(x), np.nan, K.i1(x))


def _i1_derivative(x, order0, out, scaled: bool):
    """``i1' = i0 - i1 / x`` (``i1e' = i0e - i1e (sign(x) + 1/x)`` when ``scaled``), 1/2 at 0;
    ``order0`` is the order-0 op (``I0``/``I0e``), ``out`` the order-1 value at ``x``."""
    zero = x == 0
    safe = np.where(zero, _c(x, 1), x)
    d0 = _call(order0, x)
    return np.where(zero, _c(x, 0.5), d0 - (out * (np.sign(x) + 1 / safe) if scaled else
                                             out / safe))


class I0(_Kernel):
    saves = (0,)
    kernel = staticmethod(_i0)

    @staticmethod
    def backward(ctx, g):
        return (g * _call(I1, ctx.x),)


class I1(_Kernel):
    _name = "SpecialI1Backward0"
    saves = (0,)
    saves_output = True
    kernel = staticmethod(_i1)

    @staticmethod
    def backward(ctx, g):
        return (g * _i1_derivative(ctx.x, I0, ctx.out, False),)


class I0e(_Kernel):
    _name = "SpecialI0EBackward0"
    saves = (0,)
    saves_output = True
    kernel = staticmethod(K.i0e)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return (g * (_call(I1e, x) - np.sign(x) * ctx.out),)


class I1e(_Kernel):
    _name = "SpecialI1EBackward0"
    saves = (0,)
    saves_output = True
    kernel = staticmethod(K.i1e)

    @staticmethod
    def backward(ctx, g):
        return (g * _i1_derivative(ctx.x, I0e, ctx.out, True),)


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
        if x.dtype.kind == "c":
            from .. import _dtype
            raise NotImplementedError(f'"entr_cpu" not implemented for '
                                      f"'{_dtype.legacy_name_np(x.dtype)}'")
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
        if x.dtype.kind == "c":
            from .. import _dtype
            raise NotImplementedError(f'"logit_cpu" not implemented for '
                                      f"'{_dtype.legacy_name_np(x.dtype)}'")
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


class _Scale(Function):
    """``x * factor`` (a unit conversion)."""
    _raw = True
    factor = 1.0

    @classmethod
    def forward(cls, ctx, x):
        if x.dtype.kind == "c":
            name = "deg2rad" if cls.factor < 1 else "rad2deg"
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        return x * _c(x, cls.factor)

    @classmethod
    def backward(cls, ctx, g):
        return (g * _c(g, cls.factor),)


class Deg2Rad(_Scale):
    factor = _DEG


class Rad2Deg(_Scale):
    factor = 1 / _DEG


# -- the public functions --------------------------------------------------------------------------

erf = _public(Erf, "erf", "The error function ``2/sqrt(pi) * int_0^x exp(-t^2) dt``.",
              "torch.erf(torch.tensor([0.0, -1.0, 0.5]))",
              "tensor([ 0.0000, -0.8427,  0.5205])")
erfc = _public(Erfc, "erfc", "``1 - erf(x)``, accurate where it is small.",
               "torch.erfc(torch.tensor([0.0, 10.0]))", "tensor([1.0000e+00, 1.4013e-45])")
erfinv = _public(Erfinv, "erfinv", "The inverse of ``erf`` on [-1, 1] (+-inf at +-1, nan outside).",
                 "torch.erfinv(torch.tensor([0.0, 0.5, -1.0]))",
                 "tensor([0.0000, 0.4769,   -inf])")
erfcx = _public(Erfcx, "erfcx", "The scaled complementary error function ``exp(x^2) * erfc(x)``.",
                "torch.special.erfcx(torch.tensor([0.0, 30.0]))", "tensor([1.0000, 0.0188])",
                "special_erfcx")
ndtri = _public(Ndtri, "ndtri",
                "The quantile function of the standard normal distribution (inverse of ``ndtr``).",
                "torch.special.ndtri(torch.tensor([0.5, 0.975]))", "tensor([0.0000, 1.9600])",
                "special_ndtri")
log_ndtr = _public(LogNdtr, "log_ndtr", "``log(ndtr(x))``, accurate far in both tails.",
                   "torch.special.log_ndtr(torch.tensor([0.0, -40.0]))",
                   "tensor([-6.9315e-01, -8.0461e+02])", "special_log_ndtr")


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


lgamma = _public(Lgamma, "lgamma", "``log |Gamma(x)|`` (inf at 0 and the negative integers).",
                 "torch.lgamma(torch.tensor([0.5, 3.0, 10.0]))",
                 "tensor([ 0.5724,  0.6931, 12.8018])")
digamma = _public(Digamma, "digamma",
                  "``psi(x) = d/dx lgamma(x)`` (-inf at 0, nan at the negative integers).",
                  "torch.digamma(torch.tensor([1.0, 0.5]))", "tensor([-0.5772, -1.9635])")


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
    if input._data.dtype.kind == "c":
        from .. import _dtype
        raise NotImplementedError(f'"arange_cpu" not implemented for '
                                  f"'{_dtype.legacy_name_np(input._data.dtype)}'")
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


i0 = _public(I0, "i0", "The modified Bessel function of the first kind of order 0.",
             "torch.i0(torch.tensor([0.0, 1.0]))", "tensor([1.0000, 1.2661])")
i0e = _public(I0e, "i0e", "``exp(-|x|) * i0(x)``.",
              "torch.special.i0e(torch.tensor([0.0, 1.0]))", "tensor([1.0000, 0.4658])",
              "special_i0e")
i1 = _public(I1, "i1", "The modified Bessel function of the first kind of order 1.",
             "torch.special.i1(torch.tensor([0.0, 1.0]))", "tensor([0.0000, 0.5652])",
             "special_i1")
i1e = _public(I1e, "i1e", "``exp(-|x|) * i1(x)``.",
              "torch.special.i1e(torch.tensor([0.0, 1.0]))", "tensor([0.0000, 0.2079])",
              "special_i1e")
sinc = _public(Sinc, "sinc", "The normalized sinc ``sin(pi x) / (pi x)`` (1 at 0).",
               "torch.sinc(torch.tensor([0.0, 0.5]))", "tensor([1.0000, 0.6366])")
entr = _public(Entr, "entr", "The elementwise entropy ``-x log x`` (0 at 0, -inf for negative x).",
               "torch.special.entr(torch.tensor([0.0, 0.5, -1.0]))",
               "tensor([0.0000, 0.3466,   -inf])", "special_entr")


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


expit = _public(Sigmoid, "expit", "``torch.special.expit``: the logistic sigmoid.",
                "torch.special.expit(torch.tensor([0.0]))", "tensor([0.5000])", "sigmoid")
exp2 = _public(Exp2, "exp2", "``2 ** x``.", "torch.exp2(torch.tensor([0.0, 3.0, -1.0]))",
               "tensor([1.0000, 8.0000, 0.5000])")
deg2rad = _public(Deg2Rad, "deg2rad", "Degrees to radians.",
                  "torch.deg2rad(torch.tensor([180.0, 90.0]))", "tensor([3.1416, 1.5708])")
rad2deg = _public(Rad2Deg, "rad2deg", "Radians to degrees.",
                  "torch.rad2deg(torch.tensor([3.14159265]))", "tensor([180.])")


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
