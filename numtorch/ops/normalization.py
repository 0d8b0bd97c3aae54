"""Normalization layers' ops: batch, layer, group, instance and local response norm.

``batch_norm``, ``layer_norm`` and ``group_norm`` are one fused node each
(``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``, ``NativeGroupNormBackward0``, as
PyTorch names them) with an analytic backward; ``instance_norm`` is batch norm over a
``(1, N*C, ...)`` view, and ``local_response_norm`` is composed of elementwise ops around a
zero padding and a windowed mean over channels, node for node as in PyTorch.

The statistics (mean, 1/std) are computed once in forward and kept by the node; under
``create_graph=True`` they are rebuilt from the traced input (``traced``), so the same backward
formula records itself and can be differentiated again.

>>> import numtorch as torch
>>> x = torch.tensor([[1.0, 2.0], [3.0, 6.0]], requires_grad=True)
>>> y = batch_norm(x, None, None, training=True)
>>> y
tensor([[-1.0000, -1.0000],
        [ 1.0000,  1.0000]], grad_fn=<NativeBatchNormBackward0>)
"""
from __future__ import annotations

from math import prod

import numpy as np

from .. import _dtype
from .._size import Size
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply
from . import elementwise as E
from . import shape as S

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
           "torch_batch_norm", "torch_instance_norm", "torch_layer_norm", "torch_group_norm",
           "count_batch"]

_BY_NP = _dtype._BY_NP


# -- shared pieces -----------------------------------------------------------------------------

def _chan_sum(a):
    """Sum of an ``(N, C, *S)`` array over every axis but the channel one: shape ``(C,)``.
    (Over the batch first: two contiguous reductions beat one over axes (0, 2, 3).)"""
    a = a.sum(axis=0)
    return a.sum(axis=tuple(range(1, a.ndim))) if a.ndim > 1 else a


def _bshape(ndim: int, c: int) -> tuple:
    """The shape per-channel values take to broadcast against an ``(N, C, *S)`` array."""
    return (1, c) + (1,) * (ndim - 2)


def _batch_mean(x):
    """Per-channel mean of ``x`` (N, C, *S), broadcastable against it; works on arrays and on
    TensorArrays (create_graph)."""
    c = x.shape[1]
    return (_chan_sum(x) / (x.size // c)).reshape(_bshape(x.ndim, c))


def _batch_var(x, mean):
    """Per-channel biased variance of ``x`` around ``mean``, shape ``(C,)``."""
    xc = x - mean
    return _chan_sum(xc * xc) / (x.size // x.shape[1])


def _batch_invstd(x, mean, eps):
    return 1 / np.sqrt(_batch_var(x, mean).reshape(mean.shape) + eps)


_ONES: dict = {}


def _row_mean(x, axes):
    """Mean over the trailing ``axes`` (kept): one BLAS product of the rows with a ones column,
    then / n (NumPy's reduction along short rows is several times slower). Works on
    TensorArrays too (create_graph)."""
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    k = len(axes)
    n = 1
    for a in axes:
        n *= x.shape[a]
    if n == 0 or x.size == 0 or x.dtype.kind != "f" or axes != tuple(range(x.ndim - k, x.ndim)):
        return x.mean(axis=axes, keepdims=True)
    ones = _ONES.get((n, x.dtype))
    if ones is None:
        ones = _ONES[(n, x.dtype)] = np.ones((n, 1), x.dtype)
    s = np.matmul(x.reshape(-1, n), ones)
    return (s / x.dtype.type(n)).reshape(x.shape[:x.ndim - k] + (1,) * k)


def _row_rstd(x, mean, axes, eps):
    """1/sqrt(biased var + eps) over ``axes`` (kept), as layer/group norm use it."""
    xc = x - mean
    return 1 / np.sqrt(_row_mean(xc * xc, axes) + eps)


def _normalized_grad(gxhat, xhat, rstd, axes):
    """d/dx of ``xhat = (x - mean(x)) * rstd`` over ``axes``, applied to ``gxhat``."""
    return rstd * (gxhat - _row_mean(gxhat, axes) - xhat * _row_mean(gxhat * xhat, axes))


def _kernel_name(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtype.legacy_name(_BY_NP[x.dtype])}'")


def _same_dtype(x: np.ndarray, *params) -> None:
    """PyTorch's CPU rule: a float32 input wants float32 parameters; other inputs want their own
    dtype."""
    for p in params:
        if p is not None and p.dtype != x.dtype:
            if x.dtype == np.float32:
                raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of "
                                   "Float")
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _data(t):
    return None if t is None else t._data


# -- batch norm --------------------------------------------------------------------------------

class NativeBatchNorm(Function):
    """Training mode: ``y = (x - mean) * invstd * w + b`` with the batch's own statistics."""
    _raw = True
    _name = "NativeBatchNormBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    # under create_graph the statistics are rebuilt from the traced input (in this order)
    traced = {"mean": lambda ctx: _batch_mean(ctx.x),
              "invstd": lambda ctx: _batch_invstd(ctx.x, ctx.mean, ctx.eps)}

    @staticmethod
    def forward(ctx, x, w, b, mean, invstd, eps):
        ctx.x, ctx.w, ctx.mean, ctx.invstd, ctx.eps = x, w, mean, invstd, eps
        return _affine(x, w, b, mean, invstd)

    @staticmethod
    def backward(ctx, g):
        x, w, mean, invstd = ctx.x, ctx.w, ctx.mean, ctx.invstd
        need = ctx.needs_input_grad
        c = x.shape[1]
        n = x.size // c
        b = mean.shape
        xhat = (x - mean) * invstd
        gb = _chan_sum(g)
        gw = _chan_sum(g * xhat)
        gx = None
        if need[0]:
            scale = invstd if w is None else invstd * w.reshape(b)
            gx = (g - xhat * (gw / n).reshape(b) - (gb / n).reshape(b)) * scale
        return gx, (gw if need[1] else None), (gb if need[2] else None)


class NativeBatchNormEval(Function):
    """Evaluation mode: the running statistics are constants of the graph."""
    _raw = True
    _name = "NativeBatchNormBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    constants = ("mean", "invstd")

    @staticmethod
    def forward(ctx, x, w, b, mean, invstd, eps):
        ctx.x, ctx.w, ctx.mean, ctx.invstd = x, w, mean, invstd
        return _affine(x, w, b, mean, invstd)

    @staticmethod
    def backward(ctx, g):
        x, w, mean, invstd = ctx.x, ctx.w, ctx.mean, ctx.invstd
        need = ctx.needs_input_grad
        b = mean.shape
        gx = (g * (invstd if w is None else invstd * w.reshape(b))) if need[0] else None
        gw = _chan_sum(g * ((x - mean) * invstd)) if need[1] else None
        return gx, gw, (_chan_sum(g) if need[2] else None)


def _affine(x, w, b, mean, invstd):
    """``(x - mean) * invstd * w + b`` as ``x * scale + shift`` (two passes over ``x``)."""
    scale = invstd if w is None else invstd * w.reshape(mean.shape)
    shift = -mean * scale
    if b is not None:
        shift = shift + b.reshape(mean.shape)
    out = x * scale
    out += shift
    return out


def _bn_arg_errors(x, params, momentum) -> None:
    """PyTorch's errors for ``torch.batch_norm``'s arguments (only called when one is wrong)."""
    if x.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got 1)")
    if momentum is None or isinstance(momentum, bool):
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not "
                        f"{type(momentum).__name__}")
    _kernel_name(x, "batch_norm")
    c = x.shape[1]
    for name, p in zip(("running_mean", "running_var", "weight", "bias"), params):
        if p is not None and p.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {p.size}")
    _same_dtype(x, *params)


def torch_batch_norm(input: Tensor, weight, bias, running_mean, running_var, training: bool,
                     momentum: float, eps: float, cudnn_enabled: bool = True) -> Tensor:
    """``torch.batch_norm`` (PyTorch's argument order): normalise over every axis but dim 1;
    in training, update ``running_mean``/``running_var`` in place with ``momentum``.

    >>> rm, rv = torch.zeros(2), torch.ones(2)
    >>> _ = torch.batch_norm(torch.tensor([[1.0, 2.0], [3.0, 6.0]]), None, None, rm, rv, True,
    ...                      0.1, 1e-5, False)
    >>> rm, rv
    (tensor([0.2000, 0.4000]), tensor([1.1000, 1.7000]))
    """
    x = input._data
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    w = None if weight is None else weight._data
    b = None if bias is None else bias._data
    params = (rm, rv, w, b)
    if x.ndim < 2 or x.dtype.kind != "f" or type(momentum) is not float and (
            momentum is None or isinstance(momentum, bool)):
        _bn_arg_errors(x, params, momentum)
    c = x.shape[1]
    dt = x.dtype
    for p in params:
        if p is not None and (p.size != c or p.dtype != dt):
            _bn_arg_errors(x, params, momentum)
    if w is not None and w.ndim != 1:
        w = w.reshape(-1)
    if b is not None and b.ndim != 1:
        b = b.reshape(-1)
    bs = _bshape(x.ndim, c)
    tensors = (input, weight, bias)
    if not training:
        if rm is None or rv is None:
            raise RuntimeError(f"running_{'mean' if rm is None else 'var'} must be defined in "
                               "evaluation mode")
        mean = rm.reshape(bs).copy()            # the buffer may change before backward
        invstd = (1 / np.sqrt(rv.astype(np.float64) + eps)).astype(dt).reshape(bs)
        return apply(NativeBatchNormEval, tensors, (x, w, b), mean, invstd, eps)
    if x.size == 0:                                   # nothing to normalise: PyTorch returns it
        return apply(NativeBatchNormEval, tensors, (x, w, b), np.zeros(bs, dt), np.ones(bs, dt),
                     eps)
    mean = _batch_mean(x)
    var = _batch_var(x, mean)
    invstd = 1 / np.sqrt(var.reshape(bs) + eps)
    if rm is not None or rv is not None:
        # running = (1 - m) * running + m * stat, in double as PyTorch does, the variance unbiased
        n = x.size // c
        m = float(momentum)
        if rm is not None:
            rm[...] = (_F64(m) * mean.reshape(c) + _F64(1 - m) * rm).reshape(rm.shape)
            running_mean._bump_version()
        if rv is not None:
            unbiased = _F64(m * n / (n - 1)) * var if n > 1 else np.full(c, np.nan)
            rv[...] = (unbiased + _F64(1 - m) * rv.reshape(c)).reshape(rv.shape)
            running_var._bump_version()
    return apply(NativeBatchNorm, tensors, (x, w, b), mean, invstd, eps)


_F64 = np.float64


def count_batch(t: Tensor) -> None:
    """``num_batches_tracked += 1`` in place (no graph), bumping its version."""
    d = t._data
    if isinstance(d, np.ndarray):
        d += 1
    else:
        t._data = np.asarray(d + 1)
    t._bump_version()


def _update(t: Tensor, value) -> None:
    """Write a running statistic in place (no graph), bumping its version as ``copy_`` would."""
    t._data[...] = value.reshape(t._data.shape)
    t._bump_version()


def _verify_batch_size(size, shown=None) -> None:
    """PyTorch's refusal to normalise one value per channel in training (``size``: a shape;
    ``shown``: how the message prints it, ``torch.Size(...)`` by default)."""
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{Size(size) if shown is None else shown}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over every axis but dim 1 (``F.batch_norm``).

    In training mode the batch's statistics normalise the input and, when given, the running
    estimates are updated in place: ``running = (1 - momentum) * running + momentum * stat``
    (the unbiased variance for ``running_var``). In evaluation mode the running estimates
    normalise.

    >>> x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    >>> batch_norm(x, torch.zeros(2), torch.ones(2))          # eval: the running stats
    tensor([[1.0000, 2.0000],
            [3.0000, 6.0000]])
    """
    if training:
        _verify_batch_size(input._data.shape)
    return torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


# -- instance norm -----------------------------------------------------------------------------

def torch_instance_norm(input: Tensor, weight, bias, running_mean, running_var,
                        use_input_stats: bool, momentum: float, eps: float,
                        cudnn_enabled: bool = True) -> Tensor:
    """``torch.instance_norm``: batch norm of the ``(1, N*C, ...)`` view of ``input``, with
    weight, bias and running statistics repeated over the batch (as PyTorch composes it)."""
    shape = tuple(input.shape)
    n, c = shape[0], shape[1]
    x = S.reshape(input.contiguous(), (1, n * c) + shape[2:])
    w = S.repeat(weight, n) if weight is not None else None
    b = S.repeat(bias, n) if bias is not None else None
    rm = Tensor._make(np.tile(running_mean._data, n)) if running_mean is not None else None
    rv = Tensor._make(np.tile(running_var._data, n)) if running_var is not None else None
    out = torch_batch_norm(x, w, b, rm, rv, use_input_stats, momentum, eps)
    if use_input_stats:
        if running_mean is not None:
            _update(running_mean, rm._data.reshape(n, c).mean(axis=0))
        if running_var is not None:
            _update(running_var, rv._data.reshape(n, c).mean(axis=0))
    return S.view(out, shape)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample over its spatial positions (``F.instance_norm``).

    >>> instance_norm(torch.tensor([[[1.0, 3.0]]]))
    tensor([[[-1.0000,  1.0000]]])
    """
    if use_input_stats:
        size = input.size()
        if prod(size[2:]) == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input size "
                             f"{size}")
    return torch_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                               momentum, eps)


# -- layer norm --------------------------------------------------------------------------------

class NativeLayerNorm(Function):
    """``y = (x - mean) * rstd * w + b`` with statistics over the last ``len(w.shape)`` dims."""
    _raw = True
    _name = "NativeLayerNormBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    traced = {"mean": lambda ctx: _row_mean(ctx.x, ctx.axes),
              "rstd": lambda ctx: _row_rstd(ctx.x, ctx.mean, ctx.axes, ctx.eps)}

    @staticmethod
    def forward(ctx, x, w, b, axes, eps):
        mean = _row_mean(x, axes)
        rstd = _row_rstd(x, mean, axes, eps)
        ctx.x, ctx.w, ctx.mean, ctx.rstd, ctx.axes, ctx.eps = x, w, mean, rstd, axes, eps
        out = x - mean
        out *= rstd
        if w is not None:
            out *= w
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, axes = ctx.x, ctx.w, ctx.axes
        need = ctx.needs_input_grad
        xhat = (x - ctx.mean) * ctx.rstd
        gx = _normalized_grad(g if w is None else g * w, xhat, ctx.rstd, axes) if need[0] else None
        lead = (-1,) + x.shape[x.ndim - len(axes):]
        gw = (g * xhat).reshape(lead).sum(axis=0) if need[1] else None
        gb = g.reshape(lead).sum(axis=0) if need[2] else None
        return gx, gw, gb


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims (``F.layer_norm``).

    >>> layer_norm(torch.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    if not isinstance(normalized_shape, (tuple, list)) or \
            not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool)
                    for s in normalized_shape):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    shape = [int(s) for s in normalized_shape]
    x = input._data
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(t.shape)} and normalized_shape = {shape}")
    k = len(shape)
    if x.ndim < k or list(x.shape[x.ndim - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(x.shape)}")
    _kernel_name(x, "LayerNormKernelImpl")
    w, b = _data(weight), _data(bias)
    _same_dtype(x, w, b)
    axes = tuple(range(x.ndim - k, x.ndim))
    return apply(NativeLayerNorm, (input, weight, bias), (x, w, b), axes, eps)


def torch_layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
                     bias: Tensor | None = None, eps: float = 1e-5,
                     cudnn_enable: bool = True) -> Tensor:
    """``torch.layer_norm`` (``F.layer_norm`` with PyTorch's extra ``cudnn_enable``)."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


# -- group norm --------------------------------------------------------------------------------

class NativeGroupNorm(Function):
    """``y = (x - mean) * rstd * w[c] + b[c]`` with statistics per sample and channel group."""
    _raw = True
    _name = "NativeGroupNormBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    traced = {"mean": lambda ctx: _row_mean(_grouped(ctx.x, ctx.groups), 2),
              "rstd": lambda ctx: _row_rstd(_grouped(ctx.x, ctx.groups), ctx.mean, 2, ctx.eps)}

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        xg = _grouped(x, groups)
        mean = _row_mean(xg, 2)
        rstd = _row_rstd(xg, mean, 2, eps)
        ctx.x, ctx.w, ctx.mean, ctx.rstd, ctx.groups, ctx.eps = x, w, mean, rstd, groups, eps
        out = xg - mean
        out *= rstd
        out = out.reshape(x.shape)
        bs = _bshape(x.ndim, x.shape[1])
        if w is not None:
            out *= w.reshape(bs)
        if b is not None:
            out += b.reshape(bs)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.x, ctx.w
        need = ctx.needs_input_grad
        bs = _bshape(x.ndim, x.shape[1])
        xhat = (_grouped(x, ctx.groups) - ctx.mean) * ctx.rstd
        gx = None
        if need[0]:
            gxhat = _grouped(g if w is None else g * w.reshape(bs), ctx.groups)
            gx = _normalized_grad(gxhat, xhat, ctx.rstd, 2).reshape(x.shape)
        gw = _chan_sum(g * xhat.reshape(x.shape)) if need[1] else None
        gb = _chan_sum(g) if need[2] else None
        return gx, gw, gb


def _grouped(x, groups: int):
    return x.reshape(x.shape[0], groups, -1)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C // num_groups`` channels per sample (``F.group_norm``).

    >>> group_norm(torch.tensor([[1.0, 3.0]]), 1)
    tensor([[-1.0000,  1.0000]])
    """
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    n, c = x.shape[0], x.shape[1]
    size = [n * c // num_groups, num_groups] + list(x.shape[2:])
    _verify_batch_size(size, size)
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(x.shape)}")
    _kernel_name(x, "GroupNormKernelImpl")
    w, b = _data(weight), _data(bias)
    _same_dtype(x, w, b)
    return apply(NativeGroupNorm, (input, weight, bias), (x, w, b), num_groups, eps)


def torch_group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
                     bias: Tensor | None = None, eps: float = 1e-5,
                     cudnn_enabled: bool = True) -> Tensor:
    """``torch.group_norm`` (``F.group_norm`` with PyTorch's extra ``cudnn_enabled``)."""
    return group_norm(input, num_groups, weight, bias, eps)


# -- local response norm -----------------------------------------------------------------------

def _window_mean(a, size: int, before: int = 0, after: int = 0):
    """Mean over windows of ``size`` along axis 2 of ``a`` zero-padded by (before, after)."""
    if before or after:
        a = _pad_axis2(a, before, after)
    c = a.shape[2] - size + 1
    lead = (slice(None), slice(None))
    s = a[lead + (slice(0, c),)]
    for j in range(1, size):
        s = s + a[lead + (slice(j, j + c),)]
    if s.dtype.kind in "iub":
        return s // size
    return s / s.dtype.type(size)


def _pad_axis2(a, before: int, after: int):
    width = [(0, 0)] * a.ndim
    width[2] = (before, after)
    return np.pad(a, width)


class _ChannelPad(Function):
    """The zero padding of the channel axis (axis 2 of ``(N, 1, C, ...)``) before the pool."""
    _raw = True
    _name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, before, after):
        ctx.before, ctx.n = before, x.shape[2]
        return _pad_axis2(x, before, after)

    @staticmethod
    def backward(ctx, g):
        return (g[:, :, ctx.before:ctx.before + ctx.n],)


class _ChannelAvgPool(Function):
    """The ``size x 1 (x 1)`` stride-1 average pool of local response norm, over axis 2 of an
    ``(N, 1, C + size - 1, ...)`` input."""
    _raw = True

    @staticmethod
    def forward(ctx, x, size):
        ctx.size = size
        return _window_mean(x, size)

    @staticmethod
    def backward(ctx, g):
        # the transposed window: the same mean over g padded by size - 1 on both sides
        return (_window_mean(g, ctx.size, ctx.size - 1, ctx.size - 1),)


class _ChannelAvgPool2d(_ChannelAvgPool):
    _raw = True
    _name = "AvgPool2DBackward0"


class _ChannelAvgPool3d(_ChannelAvgPool):
    _raw = True
    _name = "AvgPool3DBackward0"


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """``x / (k + alpha * mean of x^2 over size neighbouring channels) ** beta``
    (``F.local_response_norm``).

    >>> local_response_norm(torch.ones(1, 2, 1), 2, alpha=1.0, beta=1.0, k=0.0)
    tensor([[[2.],
             [1.]]])
    """
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    if input.numel() == 0:
        return input
    before, after = size // 2, (size - 1) // 2
    div = E.mul(input, input)
    if dim == 3:
        div = S.unsqueeze(div, 1)
        div = apply(_ChannelPad, (div,), (div._data, before, after))
        div = S.squeeze(apply(_ChannelAvgPool2d, (div,), (div._data, size)), 1)
    else:
        sizes = tuple(input.shape)
        div = S.view(div, (sizes[0], 1, sizes[1], sizes[2], -1))
        div = apply(_ChannelPad, (div,), (div._data, before, after))
        div = S.view(S.squeeze(apply(_ChannelAvgPool3d, (div,), (div._data, size)), 1), sizes)
    div = E.pow(E.add(E.mul(div, alpha), k), beta)
    return E.div(input, div)
