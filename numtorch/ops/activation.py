"""Activation functions: softmax and log_softmax, the ReLU family (leaky_relu, hardtanh,
relu6), elu/selu/celu, gelu, silu, softplus, softsign and logsigmoid; forward and backward side
by side. (``relu``, ``sigmoid`` and ``tanh`` themselves are in ``math.py`` with the other
pointwise functions.)

Each op is one graph node with an analytic backward, named as PyTorch names it
(``SoftmaxBackward0``, ``EluBackward0``, ...); the in-place forms (``elu_``, ``leaky_relu_``, ...)
are the ``_inplace`` class of each, with PyTorch's ``...Backward1`` names.

>>> import numtorch as torch
>>> softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
tensor([0.0900, 0.2447, 0.6652])
>>> elu(torch.tensor([-1.0, 2.0]))
tensor([-0.6321,  2.0000])
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._dtype import legacy_name_np as _scalar_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, apply_inplace
from ._scalars import scalar_for


# -- softmax / log_softmax ----------------------------------------------------------------------

class Softmax(Function):
    _raw = True
    _name = "SoftmaxBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        out = x - x.max(axis=axis, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=axis, keepdims=True)
        ctx.out, ctx.axis = out, axis
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.out
        gy = g * out
        gy -= out * gy.sum(axis=ctx.axis, keepdims=True)
        return (gy,)


class LogSoftmax(Function):
    _raw = True
    _name = "LogSoftmaxBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        out = x - x.max(axis=axis, keepdims=True)
        out -= np.log(np.exp(out).sum(axis=axis, keepdims=True))
        ctx.out, ctx.axis = out, axis
        return out

    @staticmethod
    def backward(ctx, g):
        return (g - np.exp(ctx.out) * g.sum(axis=ctx.axis, keepdims=True),)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=4)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(cls, input, dim, dtype, kernel):
    try:
        x = input._data
    except AttributeError:
        from .._errors import not_tensor
        raise not_tensor(kernel, input) from None
    if dim is None:
        dim = _softmax_dim(x.ndim, kernel)
    axis = _wrap_dim(dim, x.ndim)
    if dtype is not None:
        x = x.astype(dtype.np if hasattr(dtype, "np") else np.dtype(dtype), copy=False)
    elif x.dtype.kind != "f":
        last = axis == x.ndim - 1 or x.ndim == 0
        raise NotImplementedError(f'"{kernel}_{"lastdim_" if last else ""}kernel_impl" not implemented '
                                  f"for '{_scalar_name(x.dtype)}'")
    if x.ndim == 0:                 # a scalar: one-element softmax; the engine sums (1,) back to ()
        out = apply(cls, (input,), (x.reshape(1),), 0)
        out._data = out._data.reshape(())
        return out
    return apply(cls, (input,), (x,), axis)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """Softmax along ``dim``: ``exp(x) / exp(x).sum(dim)``, computed without overflow.

    >>> softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    return _softmax_like(Softmax, input, dim, dtype, "softmax")


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, stable for any logits.

    >>> log_softmax(torch.tensor([0.0, 0.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    return _softmax_like(LogSoftmax, input, dim, dtype, "log_softmax")


def softmax_dim(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``torch.softmax`` / ``Tensor.softmax``: as ``F.softmax``, but ``dim`` is required.

    >>> softmax_dim(torch.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    return _softmax_like(Softmax, input, dim, dtype, "softmax")


def log_softmax_dim(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``torch.log_softmax`` / ``Tensor.log_softmax``: ``dim`` is required."""
    return _softmax_like(LogSoftmax, input, dim, dtype, "log_softmax")


# their names as PyTorch's errors show them ("softmax() missing 1 required positional argument")
softmax_dim.__name__ = softmax_dim.__qualname__ = "softmax"
log_softmax_dim.__name__ = log_softmax_dim.__qualname__ = "log_softmax"


# -- activations --------------------------------------------------------------------------------

def _act(cls, input, kernel, inplace, *params):
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')
    if inplace:
        return apply_inplace(cls._inplace, input, (input,), (x,), *params)
    return apply(cls, (input,), (x,), *params)


class LeakyRelu(Function):
    _raw = True
    _name = "LeakyReluBackward0"
    linked_backward = "LeakyReluBackwardBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        pos = x > 0
        ctx.pos, ctx.slope = pos, slope
        return np.where(pos, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, g):
        return (np.where(ctx.pos, g, g * g.dtype.type(ctx.slope)),)


class LeakyReluInplace(LeakyRelu):
    _raw = True
    _name = "LeakyReluBackward1"


LeakyRelu._inplace = LeakyReluInplace


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    >>> leaky_relu(torch.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    return _act(LeakyRelu, input, "leaky_relu_cpu", inplace, float(negative_slope))


def _elu_neg(x, alpha, scale):
    """``alpha * scale * (exp(x) - 1)`` where ``x <= 0`` (0 elsewhere): elu's negative branch."""
    neg = np.expm1(np.minimum(x, 0))
    neg *= x.dtype.type(alpha * scale)
    return neg


def _elu(ctx, x, alpha, scale):
    pos = x > 0
    neg = _elu_neg(x, alpha, scale)
    ctx.pos, ctx.neg, ctx.alpha, ctx.scale = pos, neg, alpha, scale
    return np.where(pos, x * x.dtype.type(scale) if scale != 1 else x, neg)


class Elu(Function):
    _raw = True
    _name = "EluBackward0"
    traced = {"neg": lambda ctx: _elu_neg(ctx.x, ctx.alpha, ctx.scale)}

    @staticmethod
    def forward(ctx, x, alpha, scale):
        ctx.x = x
        return _elu(ctx, x, alpha, scale)

    @staticmethod
    def backward(ctx, g):
        t = g.dtype.type
        # d/dx of alpha*scale*(exp(x)-1) is alpha*scale*exp(x) = neg + alpha*scale
        return (np.where(ctx.pos, g * t(ctx.scale) if ctx.scale != 1 else g,
                         g * (ctx.neg + t(ctx.alpha * ctx.scale))),)


class EluInplace(Elu):
    """``elu_``: the input is overwritten, so (as PyTorch) the output is what is kept: where
    ``x <= 0`` it is the negative branch itself."""
    _raw = True
    _name = "EluBackward1"
    saves_output = True
    traced = {"neg": lambda ctx: ctx.out}

    @staticmethod
    def forward(ctx, x, alpha, scale):
        ctx.out = out = _elu(ctx, x, alpha, scale)
        return out


Elu._inplace = EluInplace

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    >>> elu(torch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return _act(Elu, input, "elu_cpu", inplace, float(alpha), 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants.

    >>> selu(torch.tensor([-1.0, 2.0]))
    tensor([-1.1113,  2.1014])
    """
    return _act(Elu, input, "elu_cpu", inplace, _SELU_ALPHA, _SELU_SCALE)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    alpha = float(alpha)
    if not 1e-4 < abs(alpha) < 6e4 and isinstance(input, Tensor) and \
            input._data.dtype.kind == "f":     # alpha and 1 / alpha must fit the dtype
        scalar_for(input._data.dtype, alpha)
        scalar_for(input._data.dtype, 1 / alpha)
    return _act(Celu, input, "elu_cpu", inplace, alpha)


def _celu_exp(x, alpha):
    """``exp(min(x, 0) / alpha)``: celu's derivative where ``x <= 0``."""
    return np.exp(np.minimum(x, 0) / x.dtype.type(alpha))


def _celu(ctx, x, alpha):
    pos = x > 0
    e = _celu_exp(x, alpha)
    ctx.pos, ctx.e, ctx.alpha = pos, e, alpha
    return np.where(pos, x, x.dtype.type(alpha) * (e - 1))


class Celu(Function):
    _raw = True
    _name = "CeluBackward0"
    traced = {"e": lambda ctx: _celu_exp(ctx.x, ctx.alpha)}

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.x = x
        return _celu(ctx, x, alpha)

    @staticmethod
    def backward(ctx, g):
        return (np.where(ctx.pos, g, g * ctx.e),)


class CeluInplace(Celu):
    """``celu_``: the output is kept (the input is overwritten); where ``x <= 0``,
    ``exp(x / alpha) = out / alpha + 1``."""
    _raw = True
    _name = "CeluBackward1"
    saves_output = True
    traced = {"e": lambda ctx: ctx.out / ctx.out.dtype.type(ctx.alpha) + 1}

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.out = out = _celu(ctx, x, alpha)
        return out


Celu._inplace = CeluInplace


# erf: float64 exactly through math.erf; float32 through a Chebyshev fit of erfc (relative error
# below 1.2e-7, i.e. float32 rounding) evaluated in float64.
_erf64 = np.frompyfunc(math.erf, 1, 1)


def _erf(x: np.ndarray) -> np.ndarray:
    if x.dtype == np.float64:
        return _erf64(x).astype(np.float64)
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly - z * z)
    return np.copysign(1.0 - erfc, x).astype(x.dtype)


_SQRT1_2 = 0.70710678118654752440
_INV_SQRT_2PI = 0.39894228040143267794
_SQRT_2_PI = 0.79788456080286535588


def _normal_cdf(x):
    """``Phi(x) = (1 + erf(x / sqrt(2))) / 2`` (arrays only)."""
    t = x.dtype.type
    return t(0.5) * (t(1) + _erf(x * t(_SQRT1_2)))


def _normal_pdf(x):
    """``exp(-x^2 / 2) / sqrt(2 pi)`` (arrays, or TensorArrays under create_graph)."""
    t = x.dtype.type
    return t(_INV_SQRT_2PI) * np.exp(t(-0.5) * x * x)


class NormalCdf(Function):
    """The normal CDF as a node of its own: what ``gelu``'s double backward differentiates
    (its derivative, the density, differentiates on)."""
    _raw = True
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _normal_cdf(x)

    @staticmethod
    def backward(ctx, g):
        return (g * _normal_pdf(ctx.x),)


def _traced_cdf(ctx):
    """``Phi(x)`` on the graph, from gelu's traced input (create_graph)."""
    x = ctx.x.t
    return type(ctx.x)(apply(NormalCdf, (x,), (x._data,)))


def _gelu_tanh(x):
    """``tanh(sqrt(2/pi) * (x + 0.044715 x^3))`` of gelu's tanh approximation."""
    t = x.dtype.type
    return np.tanh(t(_SQRT_2_PI) * (x + t(0.044715) * x * x * x))


class Gelu(Function):
    _raw = True
    _name = "GeluBackward0"
    saves = (0,)
    traced = {"th": lambda ctx: _gelu_tanh(ctx.x), "cdf": _traced_cdf}

    @staticmethod
    def forward(ctx, x, approximate):
        t = x.dtype.type
        ctx.x, ctx.approximate = x, approximate
        if approximate == "tanh":
            th = _gelu_tanh(x)
            ctx.th = th
            return t(0.5) * x * (t(1) + th)
        cdf = _normal_cdf(x)
        ctx.cdf = cdf
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        t = x.dtype.type
        if ctx.approximate == "tanh":
            th = ctx.th
            d_inner = t(_SQRT_2_PI) * (t(1) + t(3 * 0.044715) * x * x)
            return (g * (t(0.5) * (t(1) + th) + t(0.5) * x * (t(1) - th * th) * d_inner),)
        return (g * (ctx.cdf + x * _normal_pdf(x)),)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the normal CDF), or its tanh approximation.

    >>> gelu(torch.tensor([-1.0, 1.0]))
    tensor([-0.1587,  0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act(Gelu, input, "GeluKernelImpl", False, approximate)


class Silu(Function):
    _raw = True
    _name = "SiluBackward0"
    saves = (0,)
    traced = {"sig": lambda ctx: 1 / (1 + np.exp(-ctx.x))}

    @staticmethod
    def forward(ctx, x):
        sig = np.exp(-x)
        sig += 1
        np.reciprocal(sig, out=sig)
        ctx.x, ctx.sig = x, sig
        return x * sig

    @staticmethod
    def backward(ctx, g):
        sig = ctx.sig
        return (g * sig * (1 + ctx.x * (1 - sig)),)


Silu._inplace = Silu


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``.

    >>> silu(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    return _act(Silu, input, "silu", inplace)


def _scaled(x, beta):
    return x * x.dtype.type(beta) if beta != 1 else x


class Softplus(Function):
    _raw = True
    _name = "SoftplusBackward0"
    saves = (0,)
    traced = {"bx": lambda ctx: _scaled(ctx.x, ctx.beta)}

    @staticmethod
    def forward(ctx, x, beta, threshold):
        t = x.dtype.type
        bx = _scaled(x, beta)
        linear = bx > threshold
        soft = np.log1p(np.exp(bx))
        if beta != 1:
            soft /= t(beta)
        ctx.x, ctx.bx, ctx.linear, ctx.beta = x, bx, linear, beta
        return np.where(linear, x, soft)

    @staticmethod
    def backward(ctx, g):
        sig = 1 / (1 + np.exp(-ctx.bx))
        return (np.where(ctx.linear, g, g * sig),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` for stability.

    >>> softplus(torch.tensor([0.0]))
    tensor([0.6931])
    """
    return _act(Softplus, input, "softplus_cpu", False, beta, threshold)


class Softsign(Function):
    _raw = True
    _name = "DivBackward0"
    traced = {"d": lambda ctx: 1 + np.abs(ctx.x)}

    @staticmethod
    def forward(ctx, x):
        d = 1 + np.abs(x)
        ctx.x, ctx.d = x, d
        return x / d

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        return (g / (d * d),)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    >>> softsign(torch.tensor([1.0, -3.0]))
    tensor([ 0.5000, -0.7500])
    """
    x = input._data
    if x.dtype.kind != "f":
        x = x.astype(_dtype.get_default_dtype().np)
    return apply(Softsign, (input,), (x,))


class Hardtanh(Function):
    _raw = True
    _name = "HardtanhBackward0"
    linked_backward = "HardtanhBackwardBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.inside = (x > lo) & (x < hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return (np.where(ctx.inside, g, 0).astype(g.dtype, copy=False),)


Hardtanh._inplace = Hardtanh


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` clipped to ``[min_val, max_val]``.

    >>> hardtanh(torch.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    x = input._data
    if x.dtype.kind in "bc":
        if x.dtype.kind == "c":
            raise NotImplementedError("clamp is not supported for complex types")
        raise NotImplementedError("\"clamp_scalar_cpu\" not implemented for 'Bool'")
    if inplace:
        return apply_inplace(Hardtanh, input, (input,), (x,), min_val, max_val)
    return apply(Hardtanh, (input,), (x,), min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``.

    >>> relu6(torch.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


class LogSigmoid(Function):
    _raw = True
    _name = "LogSigmoidBackward0"
    traced = {"e": lambda ctx: np.exp(-np.abs(ctx.x))}

    @staticmethod
    def forward(ctx, x):
        e = np.exp(-np.abs(x))
        ctx.x, ctx.nonneg, ctx.e = x, x >= 0, e
        return np.minimum(x, 0) - np.log1p(e)

    @staticmethod
    def backward(ctx, g):
        e = ctx.e
        # d/dx log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x)
        sig_neg = np.where(ctx.nonneg, e / (1 + e), 1 / (1 + e))
        return (g * sig_neg,)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, finite for any ``x``.

    >>> logsigmoid(torch.tensor([0.0, -100.0]))
    tensor([  -0.6931, -100.0000])
    """
    return _act(LogSigmoid, input, "log_sigmoid_forward", False)


__all__ = ["softmax", "log_softmax", "softmax_dim", "log_softmax_dim", "leaky_relu", "elu", "selu",
           "celu", "gelu", "silu", "softplus", "softsign", "hardtanh", "relu6", "logsigmoid"]
