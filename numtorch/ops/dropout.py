"""The dropout family: ``F.dropout`` (one mask value per element), channel-wise
(``dropout1d/2d/3d``, ``feature_dropout``) and self-normalising (``alpha_dropout``,
``feature_alpha_dropout``).

Masks are drawn exactly as PyTorch draws them (one Bernoulli per element, or per channel for the
feature variants: 2 words of the generator each, ``U53 < 1 - p``), so a seeded run zeroes the
same elements as PyTorch. The product with the mask is the ``MulBackward0`` node of
``F.dropout``; alpha dropout then adds its constant shift (``AddBackward0``).

>>> import numtorch as torch
>>> _ = torch.manual_seed(0)
>>> dropout2d(torch.ones(1, 4, 1, 1), 0.5).flatten()
tensor([0., 0., 2., 0.])
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._errors import missing_arguments
from .._random_ops import dropout_mask
from .._tensor import Tensor
from ..autograd.function import Function
from . import elementwise as E
from ._apply import apply, apply_inplace, _make

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "feature_dropout", "alpha_dropout",
           "feature_alpha_dropout", "feature_dropout_", "alpha_dropout_", "feature_alpha_dropout_",
           "torch_alpha_dropout", "torch_feature_alpha_dropout"]

# SELU's alpha * scale: alpha dropout sets dropped values to -_ALPHA before its affine correction
_ALPHA = 1.7580993408473766


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


class Dropout(Function):
    _raw = True
    _name = "MulBackward0"
    constants = ("mask",)              # the drawn mask, scaled by 1/(1-p)

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.mask,)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (training only).

    The mask is drawn exactly as PyTorch draws it, so a seeded run matches PyTorch's numbers.

    >>> dropout(torch.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    x = input._data
    dt = x.dtype
    if dt.kind != "f":
        if dt.kind == "c":
            raise NotImplementedError('"bernoulli_scalar_cpu_" not implemented for '
                                      f"'{_dtype.legacy_name_np(dt)}'")
        raise RuntimeError("result type Float can't be cast to the desired output type "
                           f"{_dtype.legacy_name_np(dt)}")
    axes = None if x.flags.c_contiguous else _memory_axes(x)
    if axes is None:
        mask = dropout_mask(x.shape, p, dt)
    else:       # PyTorch draws into empty_like(input): in memory order for a permuted layout
        mask = dropout_mask(tuple(x.shape[i] for i in axes), p, dt).transpose(np.argsort(axes))
    if inplace:
        return apply_inplace(Dropout, input, (input, None), (x, mask))
    return apply(Dropout, (input, None), (x, mask))


def _memory_axes(x: np.ndarray):
    """The axes of a dense, non-overlapping but permuted array (a transposed view), outermost
    in memory first; None when ``x`` is C-contiguous or not dense (PyTorch's ``empty_like``
    then makes a contiguous tensor)."""
    axes = sorted((i for i in range(x.ndim) if x.shape[i] > 1), key=lambda i: -x.strides[i])
    step = x.itemsize
    for i in reversed(axes):
        if x.strides[i] != step:
            return None
        step *= x.shape[i]
    rest = [i for i in range(x.ndim) if x.shape[i] <= 1]
    return axes + rest if axes != sorted(axes) else None


def _dropout_impl(input: Tensor, p: float, train: bool, inplace: bool, feature: bool,
                  alpha: bool) -> Tensor:
    """PyTorch's shared dropout kernel: ``feature`` draws one value per (sample, channel);
    ``alpha`` keeps the mean and variance of SELU activations."""
    x = input._data
    if p == 0 or not train or x.size == 0:
        return input
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        zero = _make(np.zeros((), x.dtype))
        return input.mul_(zero) if inplace else E.mul(input, zero)
    if x.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_dtype.legacy_name(_dtype._BY_NP[x.dtype])}")
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    mask = dropout_mask(shape, p, x.dtype)
    if not alpha:
        if inplace:
            return apply_inplace(Dropout, input, (input, None), (x, mask))
        return apply(Dropout, (input, None), (x, mask))
    t = x.dtype.type
    keep = (mask != 0).astype(x.dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    shift = (keep + t(-1)) * t(_ALPHA * a) + t(_ALPHA * a * p)
    noise = keep * t(a)
    if inplace:
        return apply_inplace(Dropout, input, (input, None), (x, noise)).add_(_make(shift))
    return E.add(apply(Dropout, (input, None), (x, noise)), _make(shift))


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: zero whole channels (dim 1) with probability ``p``."""
    return _dropout_impl(input, p, train, False, True, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _dropout_impl(input, p, train, True, True, False)


def _alpha(input: Tensor, p: float, train: bool, inplace: bool, feature: bool) -> Tensor:
    return _dropout_impl(input, p, train, inplace, feature, True)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped values become SELU's negative saturation and an
    affine correction keeps mean 0 and variance 1 (``F.alpha_dropout``; training only).

    >>> alpha_dropout(torch.ones(2), 0.5)              # not training: unchanged
    tensor([1., 1.])
    """
    _check_p(p)
    return _alpha(input, p, training, inplace, False)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _alpha(input, p, train, True, False)


_REQUIRED = object()


def torch_dropout(input: Tensor, p: float = _REQUIRED, train: bool = _REQUIRED) -> Tensor:
    """``torch.dropout(input, p, train)``: ``F.dropout`` with both arguments required."""
    missing = [n for n, v in (("p", p), ("train", train)) if v is _REQUIRED]
    if missing:
        raise missing_arguments("dropout", missing)
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return dropout(input, p, train)


def torch_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout(input, p, train)``."""
    return _alpha(input, p, train, False, False)


def torch_feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout(input, p, train)``."""
    return _alpha(input, p, train, False, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (``F.feature_alpha_dropout``)."""
    _check_p(p)
    return _alpha(input, p, training, inplace, True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _alpha(input, p, train, True, True)


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool,
                     batched: bool) -> Tensor:
    """Feature dropout, through a batch of one for an unbatched input (as PyTorch does it)."""
    if batched:
        return _dropout_impl(input, p, training, inplace, True, False)
    input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, True, False)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs (``F.dropout1d``).

    >>> dropout1d(torch.ones(2, 3), 0.5, training=False)
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, ndim == 3)


def _deprecated_ndim(fn: str, ndim: int, spatial: int) -> None:
    warnings.warn(f"{fn}: Received a {ndim}-D input to {fn}, which is deprecated and will result "
                  "in an error in a future release. To retain the behavior and silence this "
                  f"warning, please use dropout instead. Note that {fn} exists to provide "
                  f"channel-wise dropout on inputs with {spatial} spatial dimensions, a channel "
                  "dimension, and an optional batch dimension (i.e. "
                  f"{spatial + 1}D or {spatial + 2}D inputs).", UserWarning, stacklevel=3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, H, W)`` inputs (``F.dropout2d``). A 3-D input is read as
    ``(N, C, L)`` (with PyTorch's warning).

    >>> dropout2d(torch.ones(1, 2, 1, 1), 0.5, training=False).flatten()
    tensor([1., 1.])
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        _deprecated_ndim("dropout2d", ndim, 2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch "
                      "to using dropout1d instead.", UserWarning, stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs (``F.dropout3d``)."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        _deprecated_ndim("dropout3d", ndim, 3)
    return _channel_dropout(input, p, training, inplace, ndim == 5)
