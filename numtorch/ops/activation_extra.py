"""More activations of ``torch.nn.functional``: mish, hardswish, hardsigmoid, prelu, glu,
threshold, rrelu, hardshrink, softshrink and gumbel_softmax; forward and backward side by side.

Each op is one graph node with PyTorch's name (``MishBackward0``, ``PreluKernelBackward0``,
``RreluWithNoiseBackward0``, ...). Ops whose derivative is piecewise constant (threshold, rrelu,
hardshrink, softshrink) tie their recorded gradient to the input under ``create_graph=True`` with
PyTorch's double-backward node (``ThresholdBackwardBackward0``, ...); hardsigmoid's recorded
gradient refuses a second derivative, as PyTorch's does. ``rrelu`` in training mode and
``gumbel_softmax`` draw PyTorch's random numbers: after ``manual_seed`` they match bit for bit.

>>> import numtorch as torch
>>> hardshrink(torch.tensor([-1.0, 0.2, 0.7]))
tensor([-1.0000,  0.0000,  0.7000])
>>> glu(torch.tensor([1.0, 0.0]))
tensor([0.5000])
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _generator as _G
from .. import _random_ops as _RND
from .._dtype import legacy_name_np as _scalar_name
from .._errors import arg_error, cpp_number, not_tensor
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from . import elementwise as _E, math as _M
from ._apply import apply, apply_inplace, _make
from .activation import softmax_dim as _softmax

__all__ = ["mish", "hardswish", "hardsigmoid", "prelu", "glu", "threshold", "threshold_",
           "torch_threshold", "rrelu", "rrelu_", "torch_rrelu", "torch_rrelu_", "hardshrink",
           "softshrink", "gumbel_softmax"]


# -- argument checks ------------------------------------------------------------------------------

def _data(input, fn: str) -> np.ndarray:
    """The array of tensor ``input`` (PyTorch's TypeError for anything else)."""
    try:
        return input._data
    except AttributeError:
        raise not_tensor(fn, input) from None


def _float_data(input, fn: str, kernel: str) -> np.ndarray:
    """``_data`` of a floating-point tensor (PyTorch's NotImplementedError for other dtypes)."""
    x = _data(input, fn)
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')
    return x


# the C++ type names PyTorch's "value cannot be converted" message shows
_C_TYPES = {np.dtype(np.uint8): "uint8_t", np.dtype(np.int8): "int8_t",
            np.dtype(np.int16): "int16_t", np.dtype(np.int32): "int",
            np.dtype(np.int64): "int64_t", np.dtype(np.float16): "c10::Half",
            np.dtype(np.float32): "float", np.dtype(np.float64): "double"}


def _scalar(value, dt: np.dtype, fn: str, arg: str, position: int):
    """A Python number argument converted to the tensor's dtype ``dt`` as PyTorch converts it:
    truncated for integer tensors, refused when it does not fit.

    >>> _scalar(-1.5, np.dtype(np.int64), "threshold", "threshold", 2)
    np.int64(-1)
    """
    if isinstance(value, Tensor):
        value = value.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, (int, float)):
        raise arg_error(fn, arg, position, "Number", value)
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
        raise OverflowError("int too big to convert")
    overflow = RuntimeError(f"value cannot be converted to type {_C_TYPES.get(dt, dt.name)} "
                            "without overflow")
    if dt.kind == "f":
        if isinstance(value, float) and math.isfinite(value) \
                and abs(value) > float(np.finfo(dt).max):
            raise overflow
        return dt.type(value)
    info = np.iinfo(dt)
    if isinstance(value, float):
        if not math.isfinite(value) or value < info.min or value > info.max:
            raise overflow
        return dt.type(int(value))
    if dt.kind == "u":                  # a negative int wraps around, as C++ converts it
        if value > info.max or (value < 0 and -value > info.max):
            raise overflow
        return dt.type(value % (int(info.max) + 1))
    if value < info.min or value > info.max:
        raise overflow
    return dt.type(value)


# -- mish / hardswish / hardsigmoid ---------------------------------------------------------------

def _tanh_softplus(x):
    """``tanh(log(1 + exp(x)))``: mish's factor (arrays, or TensorArrays under create_graph)."""
    return np.tanh(np.log1p(np.exp(x)))


class Mish(Function):
    _raw = True
    _name = "MishBackward0"
    saves = (0,)
    traced = {"tsp": lambda ctx: _tanh_softplus(ctx.x)}

    @staticmethod
    def forward(ctx, x):
        tsp = _tanh_softplus(x)
        ctx.x, ctx.tsp = x, tsp
        return x * tsp

    @staticmethod
    def backward(ctx, g):
        x, tsp = ctx.x, ctx.tsp
        one = x.dtype.type(1)
        sig = one / (one + np.exp(-x))
        return (g * (tsp + x * sig * (one - tsp * tsp)),)


Mish._inplace = Mish          # in place, the input is copied first (it is saved): same node


def _act(cls, input, fn, kernel, inplace, *params):
    x = _float_data(input, fn, kernel)
    if inplace:
        return apply_inplace(cls._inplace, input, (input,), (x,), *params)
    return apply(cls, (input,), (x,), *params)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``.

    >>> mish(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.3034,  0.0000,  0.8651])
    """
    return _act(Mish, input, "mish", "mish_cpu", inplace)


class Hardswish(Function):
    _raw = True
    _name = "HardswishBackward0"
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        t = x.dtype.type
        ctx.x = x
        return x * np.clip(x + t(3), t(0), t(6)) / t(6)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        t = x.dtype.type
        # 0 up to -3 (included), x / 3 + 1/2 below 3, 1 from 3 on (PyTorch's choice at the kinks)
        mid = g * (x / t(3) + t(0.5))
        return (np.where(x <= t(-3), t(0), np.where(x < t(3), mid, g)),)


Hardswish._inplace = Hardswish


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``.

    >>> hardswish(torch.tensor([-4.0, 1.0, 4.0]))
    tensor([-0.0000, 0.6667, 4.0000])
    """
    return _act(Hardswish, input, "hardswish", "hardswish_cpu", inplace)


class _HardsigmoidBackwardNode(Function):
    """The recorded gradient of hardsigmoid (create_graph): PyTorch defines no derivative of
    it, so differentiating it again raises (``grad_fn=<NotImplemented>``)."""
    _raw = True
    _name = "torch::autograd::NotImplemented"

    @staticmethod
    def forward(ctx, gx, x):
        return gx

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")


class Hardsigmoid(Function):
    _raw = True
    _name = "HardsigmoidBackward0"
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        t = x.dtype.type
        ctx.x = x
        return np.clip(x + t(3), t(0), t(6)) / t(6)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        t = x.dtype.type
        # PyTorch multiplies by 1/6 rounded to float32, in float64 too
        gx = np.where((x > t(-3)) & (x < t(3)), g * t(np.float32(1 / 6)), t(0))
        if type(gx) is not np.ndarray:          # create_graph: the refusing node, tied to x
            gx = type(gx)(apply(_HardsigmoidBackwardNode, (gx.t, x.t), (gx.t._data, x.t._data)))
        return (gx,)


Hardsigmoid._inplace = Hardsigmoid


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``.

    >>> hardsigmoid(torch.tensor([-4.0, 0.0, 1.5]))
    tensor([0.0000, 0.5000, 0.7500])
    """
    return _act(Hardsigmoid, input, "hardsigmoid", "hardsigmoid_cpu", inplace)


# -- prelu -----------------------------------------------------------------------------------------

def _prelu_shape(ndim: int, w) -> tuple:
    """The shape ``weight`` broadcasts as against an input of ``ndim`` dims (channels: dim 1)."""
    if ndim >= 2 and w.size != 1:
        return (1, w.size) + (1,) * (ndim - 2)
    return (1,) * ndim


class Prelu(Function):
    _raw = True
    _name = "PreluKernelBackward0"
    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, w):
        wb = w.reshape(_prelu_shape(x.ndim, w))
        pos = x > 0
        ctx.x, ctx.y, ctx.pos = x, w, pos
        return np.where(pos, x, wb * x)

    @staticmethod
    def backward(ctx, g):
        x, w, pos = ctx.x, ctx.y, ctx.pos
        wb = w.reshape(_prelu_shape(x.ndim, w))
        zero = x.dtype.type(0)
        gx = np.where(pos, g, wb * g) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            contrib = np.where(pos, zero, x * g)
            channel = x.ndim >= 2 and w.size != 1
            axes = tuple(i for i in range(x.ndim) if not (channel and i == 1))
            gw = (contrib.sum(axis=axes) if axes else contrib).reshape(w.shape)
        return gx, gw


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``max(0, x) + weight * min(0, x)``, one weight per channel (dim 1) or one for all.

    >>> prelu(torch.tensor([[-2.0, 3.0]]), torch.tensor([0.25]))
    tensor([[-0.5000,  3.0000]])
    """
    x = _data(input, "prelu")
    if not isinstance(weight, Tensor):
        raise arg_error("prelu", "weight", 2, "Tensor", weight)
    w = weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_scalar_name(x.dtype)} and "
                           f"{_scalar_name(w.dtype)}")
    if x.ndim == 0 and w.size != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    if w.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {w.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {w.size} and channel size = {channels}.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"prelu_cpu" not implemented for \'{_scalar_name(x.dtype)}\'')
    return apply(Prelu, (input, weight), (x, w))


# -- glu -------------------------------------------------------------------------------------------

def _halves(x, axis: int):
    """The first and second half of ``x`` along ``axis`` (index tuples work on TensorArrays)."""
    n = x.shape[axis] // 2
    lead = (slice(None),) * axis
    return x[lead + (slice(0, n),)], x[lead + (slice(n, None),)]


def _sigmoid(b):
    one = b.dtype.type(1)
    return one / (one + np.exp(-b))


class Glu(Function):
    _raw = True
    _name = "GluBackward0"
    saves = (0,)
    traced = {"sig": lambda ctx: _sigmoid(_halves(ctx.x, ctx.axis)[1])}

    @staticmethod
    def forward(ctx, x, axis):
        a, b = _halves(x, axis)
        sig = _sigmoid(b)
        ctx.x, ctx.axis, ctx.sig = x, axis, sig
        return a * sig

    @staticmethod
    def backward(ctx, g):
        sig = ctx.sig
        a = _halves(ctx.x, ctx.axis)[0]
        ga = g * sig
        gb = ga * a * (sig.dtype.type(1) - sig)
        return (np.concatenate([ga, gb], axis=ctx.axis),)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)``, where ``a`` and ``b`` are the two halves of ``input`` along ``dim``.

    >>> glu(torch.tensor([[1.0, 2.0, 0.0, 0.0]]))
    tensor([[0.5000, 1.0000]])
    """
    try:
        x = input._data
    except AttributeError:
        raise AttributeError(f"'{type(input).__name__}' object has no attribute 'dim'") from None
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise arg_error("glu", "dim", 2, "int", dim)
    axis = _wrap_dim(dim, x.ndim)
    if x.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{x.shape[axis]}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"glu_cpu" not implemented for \'{_scalar_name(x.dtype)}\'')
    return apply(Glu, (input,), (x,), axis)


# -- threshold / hardshrink / softshrink: piecewise linear, backward needs only a mask ----------

class _Masked(Function):
    """``g`` where the saved mask ``keep`` is set, 0 elsewhere."""
    _raw = True

    @staticmethod
    def backward(ctx, g):
        return (np.where(ctx.keep, g, g.dtype.type(0)),)


class Threshold(_Masked):
    _raw = True
    _name = "ThresholdBackward0"
    linked_backward = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, x, thr, value):
        low = x <= thr                  # NaN is not: it stays NaN, and passes its gradient
        ctx.keep = ~low
        return np.where(low, value, x)


class ThresholdInplace(Threshold):
    _raw = True
    _name = "ThresholdBackward1"


Threshold._inplace = ThresholdInplace


def _threshold(input, threshold, value, inplace, fn):
    x = _data(input, fn)
    if x.dtype.kind == "b":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    thr = _scalar(threshold, x.dtype, fn, "threshold", 2)
    val = _scalar(value, x.dtype, fn, "value", 3)
    if inplace:
        return apply_inplace(ThresholdInplace, input, (input,), (x,), thr, val)
    return apply(Threshold, (input,), (x,), thr, val)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, ``value`` elsewhere (both converted to the input's dtype).

    >>> threshold(torch.tensor([0.05, 0.5]), 0.1, 20.0)
    tensor([20.0000,  0.5000])
    """
    return _threshold(input, threshold, value, inplace, "threshold")


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold`` (``F.threshold_`` / ``torch.threshold_``)."""
    return _threshold(input, threshold, value, True, "threshold_")


def torch_threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``torch.threshold`` (no ``inplace`` argument)."""
    return _threshold(input, threshold, value, False, "threshold")


torch_threshold.__name__ = torch_threshold.__qualname__ = "threshold"


def _outside(x, lambd):
    """Where ``x`` is not in ``[-lambd, lambd]`` (NaN counts as outside, as in PyTorch)."""
    return ~((x >= -lambd) & (x <= lambd))


class Hardshrink(_Masked):
    _raw = True
    _name = "HardshrinkBackward0"
    linked_backward = "HardshrinkBackwardBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        keep = _outside(x, lambd)
        ctx.keep = keep
        return np.where(keep, x, x.dtype.type(0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, 0 elsewhere.

    >>> hardshrink(torch.tensor([-1.0, 0.2, 0.7]))
    tensor([-1.0000,  0.0000,  0.7000])
    """
    x = _float_data(input, "hardshrink", "hardshrink_cpu")
    return apply(Hardshrink, (input,), (x,), _scalar(lambd, x.dtype, "hardshrink", "lambd", 2))


class Softshrink(_Masked):
    _raw = True
    _name = "SoftshrinkBackward0"
    linked_backward = "SoftshrinkBackwardBackward0"

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.keep = _outside(x, lambd)
        # inside the band: x * 0, a zero with x's sign (as PyTorch computes it)
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * x.dtype.type(0)))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between.

    >>> softshrink(torch.tensor([-1.0, 0.2, 0.75]))
    tensor([-0.5000,  0.0000,  0.2500])
    """
    x = _float_data(input, "softshrink", "softshrink_check")
    if isinstance(lambd, Tensor):
        lambd = lambd.item()
    if isinstance(lambd, (int, float, np.generic)):
        top = float(np.finfo(x.dtype).max)
        if not 0 <= float(lambd) <= top:
            raise RuntimeError(f"lambda must be in range [0, {cpp_number(top)}] for input dtype "
                               f"{_scalar_name(x.dtype)}, but found {cpp_number(float(lambd))}")
    return apply(Softshrink, (input,), (x,), _scalar(lambd, x.dtype, "softshrink", "lambd", 2))


# -- rrelu -----------------------------------------------------------------------------------------

class RreluWithNoise(Function):
    """``x * noise``: the noise is the slope of each element (1 where ``x > 0``), a constant of
    the graph (drawn in training mode, ``(lower + upper) / 2`` in eval mode)."""
    _raw = True
    _name = "RreluWithNoiseBackward0"
    linked_backward = "RreluWithNoiseBackwardBackward0"
    constants = ("noise",)

    @staticmethod
    def forward(ctx, x, noise):
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.noise,)


class RreluWithNoiseInplace(RreluWithNoise):
    _raw = True
    _name = "RreluWithNoiseBackward1"


def _rrelu_noise(x, lower: float, upper: float, training: bool, generator) -> np.ndarray:
    """The slope of every element. Training: one draw ``U(lower, upper)`` per element ``<= 0``,
    in C order, as PyTorch draws it (53-bit uniforms, bounds rounded to the input dtype first,
    ``u * (upper - lower) + lower`` in float64, then rounded); eval: ``(lower + upper) / 2``."""
    t = x.dtype.type
    if not training:
        return np.where(x > 0, t(1), t((lower + upper) / 2))
    neg = x <= 0                                   # NaN draws nothing and stays NaN
    lo, hi = float(t(lower)), float(t(upper))
    u = _G._u53(int(np.count_nonzero(neg)), _G._gen(generator))
    noise = np.ones(x.shape, x.dtype)
    noise[neg] = (u * (hi - lo) + lo).astype(x.dtype)
    return noise


def _rrelu(input, lower, upper, training, inplace, generator, fn="rrelu"):
    x = _data(input, fn)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if x.dtype.kind != "f":
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')
    noise = _rrelu_noise(x, float(lower), float(upper), training, generator)
    if inplace:
        return apply_inplace(RreluWithNoiseInplace, input, (input,), (x,), noise)
    return apply(RreluWithNoise, (input,), (x,), noise)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: in training, each element ``<= 0`` is scaled by a slope drawn from
    ``U(lower, upper)``; in eval, by ``(lower + upper) / 2``.

    >>> rrelu(torch.tensor([-1.0, 2.0]))
    tensor([-0.2292,  2.0000])
    """
    return _rrelu(input, lower, upper, training, inplace, None)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu`` (``F.rrelu_``)."""
    return _rrelu(input, lower, upper, training, True, None, "rrelu_")


def torch_rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                training: bool = False, generator=None) -> Tensor:
    """``torch.rrelu``: as ``F.rrelu``, with a ``generator`` for the draws."""
    return _rrelu(input, lower, upper, training, False, generator)


def torch_rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 training: bool = False, generator=None) -> Tensor:
    """``torch.rrelu_``."""
    return _rrelu(input, lower, upper, training, True, generator, "rrelu_")


torch_rrelu.__name__ = torch_rrelu.__qualname__ = "rrelu"
torch_rrelu_.__name__ = torch_rrelu_.__qualname__ = "rrelu_"


# -- gumbel_softmax --------------------------------------------------------------------------------

def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g = -log(Exp(1))`` noise drawn as PyTorch draws it; ``hard=True`` returns the one-hot of
    the argmax in the forward pass and the soft sample's gradient (straight-through).

    >>> _ = torch.manual_seed(0)
    >>> gumbel_softmax(torch.zeros(3), hard=True)
    tensor([0., 0., 1.])
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    x = _data(logits, "empty_like")
    if x.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           "dtype must be a floating point but you specified "
                           f"{_scalar_name(x.dtype)}")
    draws = _RND.exponential_(_make(np.empty(x.shape, x.dtype)))
    gumbels = _M.neg(_M.log(draws))
    y_soft = _softmax(_E.div(_E.add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _make(np.zeros(x.shape, x.dtype)).scatter_(dim, index, 1.0)
    return _E.add(_E.sub(y_hard, y_soft.detach()), y_soft)
