"""``torch.nn.functional``: activations, losses, dropout, padding and friends as functions.

The numerical work lives in ``numtorch.ops`` (``activation``, ``loss``, ``linear``, ``dropout``,
``conv``, ...: one fused node per op); this module is the namespace users import, with
PyTorch's signatures.

>>> import numtorch as torch
>>> import numtorch.nn.functional as F
>>> F.relu(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..ops import elementwise as _E
from ..ops import math as _M
from ..ops import reduce as _R
from ..ops._apply import apply, _make
from ..ops.shape import _zeros
from ..ops.activation import (softmax, log_softmax, leaky_relu, elu, selu, celu, gelu,  # noqa: F401
                              silu, softplus, softsign, hardtanh, relu6, logsigmoid)
from ..ops.loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss,  # noqa: F401
                        huber_loss, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div)
from ..ops.distance import pairwise_distance  # noqa: F401
from ..ops.linear import linear  # noqa: F401
from ..ops.dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,  # noqa: F401
                           feature_alpha_dropout)
from .._lazy import lazy_module as _lazy_module

# the families a plain MLP does not use load on first use (``F.conv2d``): see numtorch/_lazy.py
__getattr__, __dir__ = _lazy_module(globals(), {
    "numtorch.ops.activation_extra": "mish hardswish hardsigmoid prelu glu threshold threshold_ "
                                     "rrelu rrelu_ hardshrink softshrink gumbel_softmax",
    "numtorch.ops.loss_extra": "poisson_nll_loss gaussian_nll_loss cosine_embedding_loss "
                               "margin_ranking_loss hinge_embedding_loss soft_margin_loss "
                               "multilabel_soft_margin_loss multilabel_margin_loss "
                               "multi_margin_loss triplet_margin_loss "
                               "triplet_margin_with_distance_loss ctc_loss",
    "numtorch.ops.conv": "conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d "
                         "unfold fold",
    "numtorch.ops.pooling": "max_pool1d max_pool2d max_pool1d_with_indices "
                            "max_pool2d_with_indices avg_pool1d avg_pool2d adaptive_avg_pool1d "
                            "adaptive_avg_pool2d adaptive_max_pool1d adaptive_max_pool2d "
                            "adaptive_max_pool1d_with_indices adaptive_max_pool2d_with_indices "
                            "max_unpool1d max_unpool2d",
    "numtorch.ops.pooling3d": "max_pool3d max_pool3d_with_indices avg_pool3d adaptive_avg_pool3d "
                              "adaptive_max_pool3d adaptive_max_pool3d_with_indices max_unpool3d "
                              "lp_pool1d lp_pool2d lp_pool3d",
    "numtorch.ops.fractional_pool": "fractional_max_pool2d fractional_max_pool2d_with_indices "
                                    "fractional_max_pool3d fractional_max_pool3d_with_indices",
    "numtorch.ops.resample": "interpolate upsample upsample_nearest upsample_bilinear "
                             "pixel_shuffle pixel_unshuffle channel_shuffle native_channel_shuffle",
    "numtorch.ops.normalization": "batch_norm layer_norm group_norm instance_norm "
                                  "local_response_norm",
    "numtorch.ops.embedding": "embedding embedding_bag",
    "numtorch.ops.nn_extra": "rms_norm bilinear pdist",
    "numtorch.ops.grid_sample": "grid_sample affine_grid",
    "numtorch.ops.attention": "scaled_dot_product_attention multi_head_attention_forward "
                              "_canonical_mask _none_or_dtype",
    "numtorch.ops.inplace_extra": "celu_ selu_",
})


# -- activations from the elementwise catalogue ---------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(0, x)``.

    >>> F.relu(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return _M.relu_(input) if inplace else _M.relu(input)


def relu_(input: Tensor) -> Tensor:
    return _M.relu_(input)


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return input.tanh()


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    return softmax(_M.neg(input), dim, _stacklevel, dtype)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return _E.sub(input, _M.tanh(input))


# -- one_hot ------------------------------------------------------------------------------------

def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices to one-hot rows (int64), a new last dimension of size ``num_classes``.

    >>> F.one_hot(torch.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if t.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(t.shape + (num_classes,), np.int64)
    np.put_along_axis(out, t[..., None], 1, axis=-1)
    return _make(out)


# -- pad ----------------------------------------------------------------------------------------

class ConstantPadNd(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, pairs, value):
        # pairs: ((before, after), ...) for every dim; negative entries crop
        grow = [(max(b, 0), max(a, 0)) for b, a in pairs]
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(pairs, x.shape))
        src = x[crop]
        out = np.full(tuple(s + b + a for s, (b, a) in zip(src.shape, grow)), value, x.dtype)
        where = tuple(slice(b, b + s) for s, (b, _) in zip(src.shape, grow))
        out[where] = src
        ctx.shape, ctx.crop, ctx.where = x.shape, crop, where
        return out

    @staticmethod
    def backward(ctx, g):
        gx = _zeros(g, ctx.shape)
        gx[ctx.crop] = g[ctx.where]
        return (gx,)


class _IndexPad(Function):
    """Reflect / replicate / circular padding: the output gathers input entries by index."""
    _raw = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape = index, x.shape
        return x[np.ix_(*index)] if len(index) == x.ndim else x[(Ellipsis,) + np.ix_(*index)]

    @staticmethod
    def backward(ctx, g):
        index = ctx.index
        lead = len(ctx.shape) - len(index)
        # scatter-add one padded dim at a time, last dims first (that dim moved to the front)
        for k in range(len(index) - 1, -1, -1):
            axis = lead + k
            front = np.moveaxis(g, axis, 0)
            acc = _zeros(g, (ctx.shape[axis],) + front.shape[1:])
            np.add.at(acc, index[k], front)
            g = np.moveaxis(acc, 0, axis)
        return (g,)


class ReflectionPad1d(_IndexPad):
    _raw = True
    _name = "ReflectionPad1DBackward0"


class ReflectionPad2d(_IndexPad):
    _raw = True
    _name = "ReflectionPad2DBackward0"


class ReflectionPad3d(_IndexPad):
    _raw = True
    _name = "ReflectionPad3DBackward0"


class ReplicationPad1d(_IndexPad):
    _raw = True
    _name = "ReplicationPad1DBackward0"


class ReplicationPad2d(_IndexPad):
    _raw = True
    _name = "ReplicationPad2DBackward0"


class ReplicationPad3d(_IndexPad):
    _raw = True
    _name = "ReplicationPad3DBackward0"


class CircularPad(_IndexPad):
    _raw = True
    _name = "torch::autograd::CopySlices"


_INDEX_PADS = {"reflect": (ReflectionPad1d, ReflectionPad2d, ReflectionPad3d),
               "replicate": (ReplicationPad1d, ReplicationPad2d, ReplicationPad3d),
               "circular": (CircularPad,) * 3}


def _pad_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    i = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":                                 # wraps within what cropping keeps
        lo = max(-before, 0)
        m = n - lo - max(-after, 0)
        return lo + (np.arange(-max(before, 0), m + max(after, 0)) % m) if m > 0 else i[:0]
    period = 2 * (n - 1)                                   # reflect (edge not repeated)
    i = np.abs(i) % period if period else np.zeros_like(i)
    return np.where(i >= n, period - i, i)


def _pad_ints(pad):
    if type(pad) is tuple and all(type(p) is int for p in pad):       # the common case
        return pad
    if isinstance(pad, Tensor) or not isinstance(pad, (tuple, list)):
        raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not hasattr(p, "__index__"):
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but found "
                            f"element of type {type(p).__name__} at pos {i}")
    return [p.__index__() for p in pad]


def _check_index_pad(shape: tuple, pairs: list, mode: str, k: int) -> None:
    """PyTorch's checks of reflect / replicate / circular padding (``pairs``: the last ``k``
    dims' (before, after)), in its order and with its messages."""
    ndim = len(shape)
    sizes = shape[ndim - k:]
    if mode == "circular":
        for (b, a), n in zip(pairs, sizes):          # leading padded dim first
            if b > n or a > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if n + b + a < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            kept = n - max(-b, 0) - max(-a, 0)
            if n + b + a > 0 and max(b, a) > kept:
                # PyTorch fails here too (a size mismatch or an overlapping copy)
                raise RuntimeError("Padding value causes wrapping around more than once.")
        return
    if 0 in (shape[1:] if ndim == k + 2 else shape):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           "batch size and other non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    if mode == "reflect":
        for j in range(k - 1, -1, -1):               # the last dim first (argument #4, #6, #8)
            (b, a), n = pairs[j], sizes[j]
            if b >= n or a >= n:
                raise RuntimeError(f"Argument #{4 + 2 * (k - 1 - j)}: Padding size should be less "
                                   "than the corresponding input dimension, but got: padding "
                                   f"({b}, {a}) at dimension {ndim - k + j} of input {list(shape)}")
    outs = [n + b + a for (b, a), n in zip(pairs, sizes)]
    if all(o < 1 for o in outs):
        names = "DHW"[3 - k:]
        if k == 1:
            inp = f"W: {sizes[0]}"
        elif k == 2:
            inp = f"H: {sizes[0]}, W: {sizes[1]}" + (" " if mode == "replicate" else "")
        else:
            inp = f"D: {sizes[0]} H: {sizes[1]}, W: {sizes[2]}"
        calc = " ".join(f"{c}: {o}" for c, o in zip(names, outs))
        raise RuntimeError(f"input ({inp}) is too small. Calculated output {calc}")
    if min(outs) < 0:
        if mode == "reflect" and k == 2:
            raise RuntimeError("numel: integer multiplication overflow")
        out_shape = list(shape[:ndim - k]) + outs
        neg = next(o for o in out_shape if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {out_shape}")


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims; ``pad`` lists (before, after) from the last dim back.
    Negative entries crop. ``mode``: ``'constant'`` (with ``value``), ``'reflect'``,
    ``'replicate'`` or ``'circular'`` (the last three pad 1 to 3 dims of a batched or unbatched
    input).

    >>> F.pad(torch.ones(1, 2), (1, 1))
    tensor([[0., 1., 1., 0.]])
    >>> F.pad(torch.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    x = input._data
    pad = _pad_ints(pad)
    if mode != "constant" and mode not in _INDEX_PADS:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension {x.ndim}")
    pairs = [(0, 0)] * (x.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]
    if mode == "constant":
        for (b, a), n in zip(pairs, x.shape):
            if n + min(b, 0) + min(a, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return apply(ConstantPadNd, (input,), (x, pairs, 0 if value is None else value))
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (1 <= k <= 3 and k + 1 <= x.ndim <= k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    pairs = pairs[x.ndim - k:]
    _check_index_pad(x.shape, pairs, mode, k)
    index = [_pad_index(n, b, a, mode) for (b, a), n in zip(pairs, x.shape[x.ndim - k:])]
    return apply(_INDEX_PADS[mode][k - 1], (input,), (x, index))


# -- normalize / cosine_similarity ----------------------------------------------------------------

def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``.

    >>> F.normalize(torch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = _R.norm(input, p, dim, keepdim=True)
    denom = _M.clamp_min(denom, eps)
    res = _E.div(input, denom)
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (after broadcasting); each
    norm is clamped to at least ``eps`` (outside autograd, as PyTorch: the gradient sees the
    plain norm).

    >>> F.cosine_similarity(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    from .._dtype import promote_types, legacy_name
    from ..autograd.grad_mode import no_grad
    from ..ops._apply import tensor_dtype_pair
    from ..ops.shape import broadcast_tensors, clone
    d = tensor_dtype_pair(x1, x2)
    if not d.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{legacy_name(d)}")
    a, b = (t if t.dtype is d else t.to(d) for t in (x1, x2))
    a, b = broadcast_tensors(a, b)
    unit = []
    for t in (a, b):
        n = clone(_R.norm(t, 2, dim, keepdim=True))
        with no_grad():
            _M.clamp_(n, eps)
        unit.append(_E.div(t, n))
    return _R.sum(_E.mul(unit[0], unit[1]), dim)



__all__ = ["softmax", "log_softmax", "softmin", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "kl_div", "dropout", "relu", "relu_", "sigmoid", "tanh", "leaky_relu", "leaky_relu_", "elu",
           "elu_", "selu", "celu", "gelu", "silu", "softplus", "softsign", "hardtanh", "hardtanh_",
           "relu6", "logsigmoid", "tanhshrink", "linear", "one_hot", "pad", "normalize",
           "cosine_similarity", "pairwise_distance"]
__all__ += ["batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm",
            "embedding", "embedding_bag", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
            "feature_alpha_dropout"]
__all__ += ["max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
            "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
            "adaptive_max_pool2d_with_indices", "max_unpool1d", "max_unpool2d", "max_pool3d",
            "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d",
            "adaptive_max_pool3d_with_indices", "max_unpool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
            "interpolate",
            "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle",
            "channel_shuffle", "native_channel_shuffle"]
__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward", "grid_sample",
            "affine_grid"]
__all__ += ["mish", "hardswish", "hardsigmoid", "prelu", "glu", "threshold", "threshold_", "rrelu",
            "rrelu_", "hardshrink", "softshrink", "gumbel_softmax"]
__all__ += ["celu_", "selu_"]
__all__ += ["poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
            "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
            "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss",
            "triplet_margin_with_distance_loss", "ctc_loss"]
__all__ += ["rms_norm", "bilinear", "pdist"]
__all__ += ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
            "fractional_max_pool3d_with_indices"]
