"""More loss functions: Poisson and Gaussian negative log likelihood, the margin and embedding
losses (cosine_embedding, margin_ranking, hinge_embedding, soft_margin, multilabel_soft_margin,
multilabel_margin, multi_margin), the triplet losses and ctc_loss.

PyTorch composes most of these from ordinary ops; numtorch does the same with the same ops, so
``grad_fn`` (``SubBackward0``, ``MeanBackward0``, ``ClampMinBackward0``, ...), the gradients
and the double backward come out as PyTorch's. The four PyTorch computes in one kernel
(``soft_margin_loss``, ``multilabel_margin_loss``, ``multi_margin_loss``, ``ctc_loss``) are one
node each, with an analytic backward written once for first and higher order (PyTorch defines
no second derivative of the last three: their recorded gradient refuses, as PyTorch's does).
The reduction helpers are loss.py's.

>>> import numtorch as torch
>>> x = torch.tensor([[0.5, -1.0]], requires_grad=True)
>>> soft_margin_loss(x, torch.tensor([[1.0, -1.0]]))
tensor(0.3937, grad_fn=<SoftMarginLossBackward0>)
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .. import _dtype
from .._dtype import legacy_name_np as _scalar_name
from .._errors import not_tensor
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from . import math as _M
from . import reduce as _R
from . import shape as _S
from ._apply import apply, _make, broadcast_error
from .activation import logsigmoid
from .creation import zeros_like
from .distance import pairwise_distance
from .indexing import masked_fill
from .loss import (legacy_reduction, _check_reduction, _reduce, _grad_scale, _float_input,
                   _no_grad_weight)
from .searching import _refusing_node


# -- helpers ------------------------------------------------------------------------------------

def _tensors(fn: str, names: tuple, values: tuple) -> None:
    """PyTorch's argument-parser error for a non-tensor where its binding wants a tensor."""
    for i, (name, value) in enumerate(zip(names, values)):
        if not isinstance(value, Tensor):
            raise not_tensor(fn, value, name, i + 1)


def _reduced(loss: Tensor, reduction: str) -> Tensor:
    """A composed loss reduced as PyTorch reduces it: a ``mean()`` or ``sum()`` node, or as is."""
    if reduction == "mean":
        return _R.mean(loss)
    if reduction == "sum":
        return _R.sum(loss)
    return loss


def _matrix_check(x: np.ndarray) -> None:
    """The native multi-class margin losses take (C,) or (N, C) input, C > 0 (0-d: one score)."""
    if x.ndim > 2 or (x.ndim >= 1 and x.shape[-1] == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")


def _rows_cols(x: np.ndarray) -> tuple:
    """(N, C) of a (C,) / (N, C) / 0-d input."""
    if x.ndim == 2:
        return x.shape
    return 1, (x.shape[0] if x.ndim else 1)


_MultiMarginBackwardNode = _refusing_node("multi_margin_loss_backward")
_MultilabelMarginBackwardNode = _refusing_node("multilabel_margin_loss_backward")


def _refusing(node_cls, gx, x):
    """``gx`` under create_graph, recorded as PyTorch records the gradient of a loss it defines
    no second derivative for: through a node (tied to the gradient and the input) that raises."""
    if type(gx) is np.ndarray:
        return gx
    ts = (gx.t, x.t)
    return type(gx)(apply(node_cls, ts, (gx.t._data, x.t._data, gx.t._data)))


def _per_sample_scale(g, reduction: str, n: int):
    """The gradient of each sample's loss, shaped (N, 1) ('none') or 0-d ('mean', 'sum')."""
    if reduction == "none":
        return g.reshape(n, 1)
    return _grad_scale(g, reduction, n)


# -- Poisson / Gaussian negative log likelihood --------------------------------------------------

def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Negative log likelihood of ``target ~ Poisson(rate)``: ``exp(input) - target * input``
    (``log_input``) or ``input - target * log(input + eps)``; ``full`` adds Stirling's
    approximation of ``log(target!)`` where ``target > 1``.

    >>> poisson_nll_loss(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
    tensor(0.8591)
    """
    _tensors("poisson_nll_loss", ("input", "target"), (input, target))
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if log_input:
        loss = _M.exp(input) - target * input
    else:
        loss = input - target * _M.log(input + eps)
    if full:
        stirling = target * _M.log(target) - target + 0.5 * _M.log(2 * math.pi * target)
        loss = loss + masked_fill(stirling, target <= 1, 0)
    return _reduced(loss, reduction)


# C++ names PyTorch's in-place clamp prints for an integer ``var``
_CPP_INT_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                  "uint8": "unsigned char", "bool": "bool"}
_ANY_OVERLOADS = ("\n * (Tensor input, *, Tensor out = None)\n"
                  " * (Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)\n"
                  " * (Tensor input, int dim, bool keepdim = False, *, Tensor out = None)\n")


def _gaussian_var(input: Tensor, var) -> Tensor:
    """``var`` checked and shaped against ``input`` as PyTorch allows: the input's shape, that
    shape with one dimension 1, that shape less its last dimension, or a float."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        x = input._data
        dtype = x.dtype if x.dtype.kind == "f" else _dtype.get_default_dtype().np
        return _make(np.full(x.shape, var, dtype))
    if not isinstance(var, Tensor):
        negative = var < 0                  # a list raises TypeError here, as in PyTorch
        raise TypeError(f"any() received an invalid combination of arguments - got "
                        f"({type(negative).__name__}), but expected one of:{_ANY_OVERLOADS}")
    xs, vs = tuple(input.shape), tuple(var.shape)
    if vs != xs:
        if xs[:-1] == vs:                                   # one variance per row
            var = _S.unsqueeze(var, -1)
        elif not (len(vs) == len(xs)
                  and sum(a != b for a, b in zip(vs, xs)) == 1
                  and all(b == 1 for a, b in zip(xs, vs) if a != b)):
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    return var


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of ``target ~ N(input, var)``:
    ``0.5 * (log(var) + (input - target) ** 2 / var)`` (+ ``0.5 * log(2 pi)`` when ``full``).
    ``var`` is clamped to at least ``eps`` outside autograd (its gradient sees the plain value).

    >>> gaussian_nll_loss(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 1.0]), torch.ones(2))
    tensor(0.2500)
    """
    var = _gaussian_var(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    v = var._data
    if v.dtype.kind != "f":
        name = _CPP_INT_NAMES.get(v.dtype.name, _scalar_name(v.dtype))
        raise RuntimeError(f"result type Float can't be cast to the desired output type {name}")
    var = _S.clone(var)
    with no_grad():
        _M.clamp_(var, eps)
    loss = 0.5 * (_M.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduced(loss, reduction)


# -- embedding / ranking / hinge losses ----------------------------------------------------------

_COS_EPS = 1e-12           # added to each squared norm (zero vectors have cosine 0)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1`` (0 elsewhere); cosines along the last dimension.

    >>> cosine_embedding_loss(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]]),
    ...                       torch.tensor([1]))
    tensor(0.2929)
    """
    _tensors("cosine_embedding_loss", ("input1", "input2", "target"), (input1, input2, target))
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    td = target.ndim
    if td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != td + 1 or input2.ndim != td + 1:
        raise RuntimeError(f"{td}D target tensor expects {td + 1}D input tensors, but found inputs "
                           f"with sizes {list(input1.shape)} and {list(input2.shape)}.")
    prod = _R.sum(input1 * input2, td)
    mag1 = _R.sum(input1 * input1, td) + _COS_EPS
    mag2 = _R.sum(input2 * input2, td) + _COS_EPS
    cos = prod / _M.sqrt(mag1 * mag2)
    zeros = zeros_like(cos)
    pos = 1 - cos
    neg = _M.clamp_min(cos - margin, 0)
    loss = _M.where(target == 1, pos, zeros) + _M.where(target == -1, neg, zeros)
    return _reduced(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` (+1/-1) says which input
    should rank higher.

    >>> margin_ranking_loss(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 1.0]),
    ...                     torch.tensor([1.0, 1.0]))
    tensor(0.5000)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but "
                           f"got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    loss = _M.clamp_min(-target * (input1 - input2) + float(margin), 0)
    return _reduced(loss, reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``
    (both added for any other target value).

    >>> hinge_embedding_loss(torch.tensor([0.3, 0.3]), torch.tensor([1.0, -1.0]))
    tensor(0.5000)
    """
    _tensors("hinge_embedding_loss", ("input", "target"), (input, target))
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    zeros = zeros_like(input)
    margin_clamp = _M.clamp_min(margin - input, 0)
    if margin_clamp.dtype is not input.dtype:        # an integer input: PyTorch stays integer
        margin_clamp = margin_clamp.to(input.dtype)
    loss = _M.where(target != 1, margin_clamp, zeros) + _M.where(target != -1, input, zeros)
    return _reduced(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross entropy of logits per class (``target`` 0/1), weighted by ``weight``,
    averaged over the classes (the last dimension).

    >>> multilabel_soft_margin_loss(torch.tensor([[0.0, 0.0]]), torch.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _tensors("log_sigmoid", ("input",), (input,))     # PyTorch's first op on it
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"log_sigmoid_cpu" not implemented for '
                                  f"'{_scalar_name(input._data.dtype)}'")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    if input.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = _R.sum(loss, input.ndim - 1) / input.shape[-1]
    if reduction == "none":
        return loss
    if reduction in ("mean", "sum"):
        return _reduced(loss, reduction)
    raise ValueError(f"{reduction} is not valid")


# -- triplet losses -------------------------------------------------------------------------------

def _triplet_dims(anchor, positive, negative) -> None:
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not a == p == n:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a}D, positive {p}D, and "
                           f"negative {n}D inputs")


def _triplet(d_pos: Tensor, d_neg: Tensor, d_swap, margin, reduction) -> Tensor:
    if d_swap is not None:
        d_neg = _M.minimum(d_neg, d_swap)
    return _reduced(_M.clamp_min(margin + d_pos - d_neg, 0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the p-norm
    pairwise distance; ``swap`` uses ``min(d(a, n), d(p, n))`` for the negative distance.

    >>> triplet_margin_loss(torch.zeros(1, 2), torch.ones(1, 2), torch.zeros(1, 2))
    tensor(2.4142)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    _tensors("triplet_margin_loss", ("anchor", "positive", "negative"), (anchor, positive, negative))
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    d_swap = pairwise_distance(positive, negative, p, eps) if swap else None
    return _triplet(d_pos, d_neg, d_swap, margin, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """The triplet loss with any ``distance_function(x1, x2)`` (default: ``pairwise_distance``).

    >>> triplet_margin_with_distance_loss(torch.zeros(1, 2), torch.ones(1, 2), torch.zeros(1, 2))
    tensor(2.4142)
    """
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    d_swap = dist(positive, negative) if swap else None
    return _triplet(d_pos, d_neg, d_swap, margin, reduction)


# -- soft_margin_loss (one node) ------------------------------------------------------------------

class SoftMarginLoss(Function):
    """``log(1 + exp(-y x))``; the gradient ``-y e / (1 + e)`` with ``e = exp(-y x)``."""
    _raw = True
    _name = "SoftMarginLossBackward0"
    saves = (0, 1)
    traced = {"e": lambda ctx: np.exp(-ctx.y * ctx.x)}

    @staticmethod
    def forward(ctx, x, y, reduction):
        e = np.asarray(np.exp(-y * x))
        ctx.x, ctx.y, ctx.e, ctx.reduction = x, y, e, reduction
        return _reduce(np.log1p(e), reduction)

    @staticmethod
    def backward(ctx, g):
        e = ctx.e
        return -ctx.y * e / (1 + e) * _grad_scale(g, ctx.reduction, e.size), None


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))`` (``target`` is +1 or -1).

    >>> soft_margin_loss(torch.tensor([0.0]), torch.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    _tensors("soft_margin_loss", ("input", "target"), (input, target))
    _no_grad_weight("soft_margin_loss", "target", target)
    x, y = input._data, target._data
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise broadcast_error(x, y) from None
    if x.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_scalar_name(x.dtype)}")
    if shape != x.shape:
        raise RuntimeError(f"output with shape {list(x.shape)} doesn't match the broadcast shape "
                           f"{list(shape)}")
    y = np.broadcast_to(y.astype(x.dtype, copy=False), shape)
    return apply(SoftMarginLoss, (input, None), (x, y), reduction)


# -- multi_margin_loss (one node) -----------------------------------------------------------------

def _margins(x2, t, margin):
    """``margin - x[n, t[n]] + x[n, i]`` for every sample n and class i."""
    picked = np.take_along_axis(x2, t[:, None], 1)
    return margin - picked + x2


class MultiMarginLoss(Function):
    """Per sample ``sum_{i != y} w[y] * max(0, margin - x[y] + x[i]) ** p / C``. As in PyTorch,
    its gradient has no derivative (create_graph records it through a refusing node)."""
    _raw = True
    _name = "MultiMarginLossBackward0"
    saves = (0,)
    # the class weight of each sample's target, and the margins (p=2): the gradient's own
    # derivative is refused (as PyTorch), so they never need tracing
    constants = ("wt", "z")

    @staticmethod
    def forward(ctx, x, t, w, p, margin, reduction, out_shape):
        n, c = _rows_cols(x)
        t = t.reshape(n)
        z = _margins(x.reshape(n, c), t, margin)
        active = z > 0
        active[np.arange(n), t] = False
        h = np.where(active, z if p == 1 else z * z, 0).astype(x.dtype, copy=False)
        wt = None if w is None else w[t][:, None]
        if wt is not None:
            h = h * wt
        loss = h.sum(axis=1) / x.dtype.type(c)
        ctx.x, ctx.t, ctx.active, ctx.wt, ctx.p, ctx.reduction = x, t, active, wt, p, reduction
        if p == 2:
            ctx.z = z
        return loss.reshape(out_shape) if reduction == "none" else _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        active = ctx.active
        n, c = active.shape
        d = active.astype(g.dtype) if ctx.p == 1 else 2 * ctx.z * active
        if ctx.wt is not None:
            d = d * ctx.wt
        d = d * (_per_sample_scale(g, ctx.reduction, n) / c)
        onehot = np.zeros(active.shape, bool)
        onehot[np.arange(n), ctx.t] = True
        gx = d - onehot * d.sum(axis=1, keepdims=True)
        return _refusing(_MultiMarginBackwardNode, gx.reshape(ctx.x.shape), ctx.x), None, None


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss of scores ``input`` (N, C) against class indices ``target`` (N,).

    >>> multi_margin_loss(torch.tensor([[0.1, 0.2, 0.4]]), torch.tensor([2]))
    tensor(0.5000)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _tensors("multi_margin_loss", ("input", "target"), (input, target))
    _no_grad_weight("multi_margin_loss", "weight", weight)
    x, t = input._data, target._data
    _matrix_check(x)
    n, c = _rows_cols(x)
    if t.ndim > 1 or t.size != n:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size [{n}], but "
                           f"got {list(t.shape)}. Input has shape {list(x.shape)}.")
    _float_input(x, "multi_margin_loss_cpu_kernel")
    w = None
    if weight is not None:
        w = weight._data
        if w.size != c:
            raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(w.shape)}")
        if w.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {_scalar_name(x.dtype)} but found "
                               f"{_scalar_name(w.dtype)}")
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(t.dtype)}")
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    return apply(MultiMarginLoss, (input, None, None), (x, t, w), int(p), float(margin), reduction,
                 t.shape)


# -- multilabel_margin_loss (one node) ------------------------------------------------------------

class MultilabelMarginLoss(Function):
    """Per sample ``sum_{j in labels} sum_{i not a label} max(0, 1 - (x[j] - x[i])) / C``; the
    labels are ``target``'s entries before its first -1 (a repeated label counts again). The
    loss is piecewise linear: its gradient is a constant (of the active pairs) times ``g``; as
    in PyTorch, that gradient has no derivative (create_graph records a refusing node)."""
    _raw = True
    _name = "MultilabelMarginLossBackward0"
    saves = (0,)
    constants = ("coef",)

    @staticmethod
    def forward(ctx, x, t, reduction):
        n, c = _rows_cols(x)
        x2, t2 = x.reshape(n, c), t.reshape(n, c)
        labels = np.cumprod(t2 != -1, axis=1).astype(bool)        # the entries before the first -1
        counts = np.zeros((n, c), x.dtype)
        np.add.at(counts, (np.nonzero(labels)[0], t2[labels]), 1)
        # pairs[n, j, i]: how often label j is paired with the non-label i
        pairs = counts[:, :, None] * (counts == 0)[:, None, :]
        z = 1 - x2[:, :, None] + x2[:, None, :]
        active = np.where(z > 0, pairs, 0).astype(x.dtype, copy=False)
        loss = (active * z).sum(axis=(1, 2)) / x.dtype.type(c)
        ctx.coef = (active.sum(axis=1) - active.sum(axis=2)) / x.dtype.type(c)
        ctx.x, ctx.reduction = x, reduction
        if reduction == "none":
            return loss if x.ndim == 2 else loss.reshape(())
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        coef = ctx.coef
        gx = coef * _per_sample_scale(g, ctx.reduction, coef.shape[0])
        return _refusing(_MultilabelMarginBackwardNode, gx.reshape(ctx.x.shape), ctx.x), None


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: every label in ``target`` (class indices, ended by -1) should
    score at least 1 above every class that is not a label.

    >>> multilabel_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    _tensors("multilabel_margin_loss", ("input", "target"), (input, target))
    x, t = input._data, target._data
    _matrix_check(x)
    n, c = _rows_cols(x)
    if (t.shape != x.shape) if x.ndim == 2 else (t.ndim > 1 or t.size != c):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(x.shape)}")
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("argument #2 'target' is out of range")
    _float_input(x, "multilabel_margin_loss_forward_out_frame")
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(t.dtype)}")
    return apply(MultilabelMarginLoss, (input, None), (x, t), reduction)


# -- ctc_loss -------------------------------------------------------------------------------------

def _logsumexp3(a, b, c):
    """``log(exp(a) + exp(b) + exp(c))`` elementwise, -inf where all three are -inf."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(np.isfinite(m), m, 0)
    return m + np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m))


def _shift(a, k, fill):
    """``a`` moved ``k`` places along the last axis (right for k > 0), ``fill`` coming in."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


_CtcBackwardNode = _refusing_node("_ctc_loss_backward")


class CtcLoss(Function):
    """The negative log likelihood of each sample's target under CTC (blank-separated paths),
    by the forward (alpha) / backward (beta) recursions in log space, vectorized over the batch
    and the extended labels. The gradient is PyTorch's: ``exp(lp) - exp(log(sum alpha beta over
    a class's positions) + nll - lp)`` for ``t < input_length``, 0 after (it equals the
    derivative when ``log_probs`` come from log_softmax); PyTorch defines no second one."""
    _raw = True
    _name = "CtcLossBackward0"
    saves = (0,)
    constants = ("lp", "lpe", "alpha", "nll")   # the gradient's own derivative is refused

    @staticmethod
    def forward(ctx, lp, ext, valid, skip, il, tl, zero_infinity):
        lpe = np.take_along_axis(lp, np.broadcast_to(ext, lp.shape[:1] + ext.shape), 2)
        with np.errstate(divide="ignore", invalid="ignore"):     # -inf: the impossible paths
            alpha, nll = _ctc_alpha(lpe, valid, skip, il, tl)
        ctx.x, ctx.lp, ctx.alpha, ctx.nll = lp, lp, alpha, nll
        ctx.lpe, ctx.ext, ctx.valid, ctx.skip, ctx.il, ctx.tl = lpe, ext, valid, skip, il, tl
        ctx.zero_infinity = zero_infinity
        return nll

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = _ctc_gradient(ctx)
        gx = grad * g.reshape(1, grad.shape[1], 1)
        return _refusing(_CtcBackwardNode, gx, ctx.x), None


def _ctc_alpha(lpe, valid, skip, il, tl):
    """The forward variables (T, N, S') and each sample's negative log likelihood."""
    neg = lpe.dtype.type(-np.inf)
    alpha = np.full(lpe.shape, neg)
    a = np.full(lpe.shape[1:], neg)
    a[:, :2] = lpe[0, :, :2]
    a[~valid] = neg
    alpha[0] = a
    for t in range(1, lpe.shape[0]):
        a = _logsumexp3(a, _shift(a, 1, neg), np.where(skip, _shift(a, 2, neg), neg)) + lpe[t]
        a[~valid] = neg
        alpha[t] = a
    last = alpha[np.maximum(il - 1, 0), np.arange(lpe.shape[1])]       # (N, S') at t = il - 1
    end = np.take_along_axis(last, (2 * tl)[:, None], 1)[:, 0]
    before = np.take_along_axis(last, np.maximum(2 * tl - 1, 0)[:, None], 1)[:, 0]
    ll = np.logaddexp(end, np.where(tl > 0, before, neg))
    ll = np.where(il > 0, ll, np.where(tl > 0, neg, lpe.dtype.type(0)))
    return alpha, -ll


def _ctc_gradient(ctx):
    """PyTorch's gradient of each sample's loss with respect to ``log_probs`` (T, N, C)."""
    lp, lpe, alpha, nll, ext, valid, il, tl = (ctx.lp, ctx.lpe, ctx.alpha, ctx.nll, ctx.ext,
                                               ctx.valid, ctx.il, ctx.tl)
    steps, n, c = lp.shape
    neg = lp.dtype.type(-np.inf)
    beta = np.full(lpe.shape, neg)
    width = np.arange(ext.shape[1])
    finals = valid & ((width[None] == 2 * tl[:, None]) | (width[None] == 2 * tl[:, None] - 1))
    skip_next = _shift(ctx.skip, -2, False)            # s -> s + 2 is allowed
    b = np.full(ext.shape, neg)
    for t in range(steps - 1, -1, -1):
        rec = _logsumexp3(b, _shift(b, -1, neg), np.where(skip_next, _shift(b, -2, neg), neg)) + lpe[t]
        b = np.where((t == il - 1)[:, None], np.where(finals, lpe[t], neg),
                     np.where((t < il - 1)[:, None], rec, neg))
        b[~valid] = neg
        beta[t] = b
    ab = alpha + beta
    m = ab.max(axis=2, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    onehot = np.zeros((n, ext.shape[1], c), lp.dtype)
    np.put_along_axis(onehot, ext[:, :, None], valid[:, :, None].astype(lp.dtype), 2)
    lcab = np.log(np.einsum("tns,nsc->tnc", np.exp(ab - m), onehot)) + m
    grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
    keep = np.arange(steps)[:, None] < il[None, :]                     # (T, N)
    if ctx.zero_infinity:
        keep = keep & (nll != np.inf)[None, :]
    return np.where(keep[:, :, None], grad, lp.dtype.type(0))


def _ctc_lengths(name: str, v) -> np.ndarray:
    if isinstance(v, Tensor):
        a = v._data
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return a.reshape(-1).astype(np.int64)
    for i, e in enumerate(v):
        if not isinstance(e, (int, np.integer)) or isinstance(e, bool):
            raise TypeError(f"ctc_loss(): argument '{name}' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(e).__name__}\"")
    return np.array(v, np.int64).reshape(-1)


def _checking(text: str) -> RuntimeError:
    return RuntimeError(f"{text} (while checking arguments for ctc_loss_allocate_outputs)")


def _ctc_targets(targets: np.ndarray, tl: np.ndarray, n: int) -> np.ndarray:
    """The targets as an (N, max length) array (concatenated 1-D targets are split)."""
    if targets.ndim not in (1, 2):
        raise _checking(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for "
                        "argument #2 'targets'")
    if tl.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    if targets.ndim == 2 and targets.shape[0] != n:
        raise _checking(f"Expected tensor to have size {n} at dimension 0, but got size "
                        f"{targets.shape[0]} for argument #2 'targets'")
    for k in tl:
        if k < 0:
            raise _checking(f"Expected target_lengths to have value at least 0, but got value {k}")
    width = int(tl.max()) if n else 0
    if targets.ndim == 2:
        if width > targets.shape[1]:
            raise _checking(f"Expected tensor to have size at least {width} at dimension 1, but got "
                            f"size {targets.shape[1]} for argument #2 'targets'")
        return targets[:, :width].astype(np.int64)
    total = int(tl.sum())
    if targets.shape[0] != total:
        raise _checking(f"Expected tensor to have size {total} at dimension 0, but got size "
                        f"{targets.shape[0]} for argument #2 'targets'")
    padded = np.zeros((n, width), np.int64)
    starts = np.concatenate([[0], np.cumsum(tl)[:-1]]).astype(np.int64)
    for i in range(n):
        padded[i, :tl[i]] = targets[starts[i]:starts[i] + tl[i]]
    return padded


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist Temporal Classification loss of ``log_probs`` (T, N, C) (or (T, C)) against
    ``targets``: padded (N, S) or concatenated (sum(target_lengths),). ``'mean'`` divides each
    sample's loss by its target length, then averages; ``zero_infinity`` zeroes impossible
    (infinite) losses and their gradients.

    >>> lp = torch.tensor([[[-0.1, -2.4]], [[-2.4, -0.1]]])      # (T=2, N=1, C=2)
    >>> ctc_loss(lp, torch.tensor([[1]]), (2,), (1,))
    tensor(0.0954)
    """
    _check_reduction(reduction)
    _tensors("ctc_loss", ("log_probs", "targets"), (log_probs, targets))
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor) or not all(
            isinstance(v, (Tensor, tuple, list)) for v in (input_lengths, target_lengths)):
        got = ", ".join(type(v).__name__ for v in (log_probs, targets, input_lengths, target_lengths))
        raise TypeError(f"ctc_loss() received an invalid combination of arguments - got ({got}, int, "
                        "int, bool), but expected one of:\n"
                        " * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of "
                        "ints target_lengths, int blank = 0, int reduction = at::Reduction::Mean, "
                        "bool zero_infinity = False)\n"
                        " * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor "
                        "target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool "
                        "zero_infinity = False)\n")
    il = _ctc_lengths("input_lengths", input_lengths)
    tl = _ctc_lengths("target_lengths", target_lengths)
    if log_probs._data.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    unbatched = log_probs.ndim != 3
    if unbatched:
        log_probs = _S.unsqueeze(log_probs, 1)
        if targets.ndim == 1:
            targets = _S.unsqueeze(targets, 0)
    lp, t = log_probs._data, targets._data
    if lp.ndim != 3:
        raise _checking(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for "
                        "argument #1 'log_probs'")
    _float_input(lp, "ctc_loss_cpu")
    steps, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if il.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    padded = _ctc_targets(t, tl, n)
    for k in il:
        if k < 0:
            raise _checking(f"Expected input_lengths to have value at least 0, but got value {k}")
        if k > steps:
            raise _checking(f"Expected input_lengths to have value at most {steps}, but got value {k}")
    labels = padded[np.arange(padded.shape[1])[None] < tl[:, None]]
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        bad = labels[(labels < 0) | (labels >= c)]
        raise IndexError(f"Target {int(bad[0])} is out of bounds.")
    # the extended labels: blank, l1, blank, l2, ..., blank (2 * length + 1 of them)
    ext = np.full((n, 2 * padded.shape[1] + 1), blank, np.int64)
    ext[:, 1::2] = np.where(np.arange(padded.shape[1])[None] < tl[:, None], padded, blank)
    valid = np.arange(ext.shape[1])[None] < (2 * tl + 1)[:, None]
    # s - 2 -> s skips a blank between two different labels (a label equal to blank counts)
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    loss = apply(CtcLoss, (log_probs, None), (lp, ext, valid, skip, il, tl, bool(zero_infinity)))
    if zero_infinity:
        loss = _M.where(loss == np.inf, zeros_like(loss), loss)
    if reduction == "mean":
        lengths = _make(np.maximum(tl, 1).astype(lp.dtype))
        return _R.mean(loss / lengths)
    if reduction == "sum":
        return _R.sum(loss)
    return _S.squeeze(loss, 0) if unbatched else loss


__all__ = ["poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss"]
