"""Fused neural-network ops: softmax, losses, dropout, activations; forward and backward side by side.

Each op is one graph node with an analytic backward (``cross_entropy`` is log_softmax and
nll_loss in one node, as fast as it gets on the training hot path).  Node names are the ones
PyTorch prints (``NllLossBackward0``, ``MseLossBackward0``, ...); where PyTorch composes an op
from several nodes, the fused node carries the name of PyTorch's last one, so
``print(loss)`` shows the same ``grad_fn=<...>``.

>>> import numtorch as torch
>>> x = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
>>> loss = cross_entropy(x, torch.tensor([2]))
>>> loss
tensor(0.4076, grad_fn=<NllLossBackward0>)
>>> loss.backward(); x.grad
tensor([[ 0.0900,  0.2447, -0.3348]])
"""
from __future__ import annotations

import math
import sys
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import (apply, apply2, apply3, apply_inplace, operands, broadcast_error, expand_error,
                     _make, check_inplace)
from ._constants import TWO
from .reduce import mean_all
from .shape import _zeros
from ._small_gemm import addmm_exact, matmul_exact

_BY_NP = _dtype._BY_NP
_REDUCTIONS = ("none", "mean", "sum")
_add_reduce = np.add.reduce


# -- helpers ------------------------------------------------------------------------------------

def legacy_reduction(size_average, reduce, emit_warning: bool = True) -> str:
    """The ``reduction`` string for the deprecated ``size_average``/``reduce`` arguments."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
                      "instead.", stacklevel=3)
    return ret


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return mean_all(loss)
    if reduction == "sum":
        return np.asarray(loss.sum())
    return loss


def _grad_scale(g, reduction: str, n: int):
    """The gradient of each loss element: ``g`` itself ('none'), or ``g`` (/ n for 'mean')."""
    if reduction == "mean":
        return g / n if n else g * np.nan
    return g


def _type_name(a: np.ndarray) -> str:
    return _dtype.legacy_name(_BY_NP[a.dtype]).replace("Tensor", "")


def _float_input(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')


def _scalar_name(npd) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}[np.dtype(npd).name]


def _size_warning(input: Tensor, target: Tensor) -> None:
    try:
        differ = input._data.shape != target._data.shape
    except AttributeError:                      # PyTorch compares target.size() first
        bad = target if not isinstance(target, Tensor) else input
        raise AttributeError(f"'{type(bad).__name__}' object has no attribute 'size'") from None
    if differ:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _binary_operands(input, target):
    ta, tb, x, y = operands(input, target)
    try:
        shape = np.broadcast_shapes(x.shape, np.shape(y))
    except ValueError:
        raise broadcast_error(x, y) from None
    return ta, tb, x, y, shape


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


# -- nll_loss / cross_entropy (class indices) ---------------------------------------------------

def _class_target_checks(x: np.ndarray, t: np.ndarray):
    """PyTorch's checks of a class-index target against an input of shape (N, C, d1, ...)."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and t.ndim >= 1 and x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0]}).")
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 2 and t.ndim == 0 or x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise RuntimeError(f"Expected target size [{x.shape[0] if x.ndim == 2 else 1}], got "
                               f"{list(t.shape)}")
    elif t.shape != (x.shape[0],) + x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got {list(t.shape)}")
    if t.dtype != np.int64 and t.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_name(t.dtype)}")


def _class_weight(weight, x):
    if weight is None:
        return None
    w = weight._data
    c = x.shape[1]
    if w.ndim != 1 or w.shape[0] != c:
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes "
                           f"but got weight tensor of shape: {list(w.shape)}")
    return w.astype(x.dtype, copy=False)


def _prepare_classes(x, t, ignore_index):
    """Shape (N, C, ...) input, int64 targets with ignored entries set to 0, and the keep-mask."""
    if x.ndim == 1:
        x = x[None]
        t = t.reshape(1)
    t = t.astype(np.int64, copy=False)
    c = x.shape[1]
    mask = None
    if t.size:
        lo, hi = t.min(), t.max()
        if lo <= ignore_index <= hi:
            mask = t != ignore_index
            t = np.where(mask, t, 0)
            lo, hi = (t.min(), t.max())
        if lo < 0 or hi >= c:
            bad = t[(t < 0) | (t >= c)]
            raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
    return x, t, mask


def _pick(a, t):
    """``a[n, t[n, ...], ...]``: the entry of the target class of each sample."""
    if a.ndim == 2:
        return a[np.arange(a.shape[0]), t]
    return np.take_along_axis(a, t[:, None], 1)[:, 0]


def _add_at_targets(grad, t, values):
    """``grad[n, t[n, ...], ...] += values`` (targets are distinct per position)."""
    if grad.ndim == 2:
        grad[np.arange(grad.shape[0]), t] += values
    else:
        cur = np.take_along_axis(grad, t[:, None], 1)
        np.put_along_axis(grad, t[:, None], cur + values[:, None], 1)


def _class_weights_of(t, w, mask, dtype):
    """Per-sample weight ``w[t]`` with ignored samples at 0 (None when all are 1)."""
    wt = None if w is None else w[t]
    if mask is not None:
        wt = mask.astype(dtype) if wt is None else wt * mask
    return wt


def _mean_coef(g, denom):
    """``g / denom`` for a weighted mean; 0 when every sample was ignored (as PyTorch)."""
    return g / denom if denom else np.zeros_like(g)


class NllLoss(Function):
    _raw = True
    _name = "NllLossBackward0"
    constants = ("wt",)              # class weights (and the ignore mask): not differentiable

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        squeeze = x.ndim == 1
        x, t, mask = _prepare_classes(x, t, ignore_index)
        wt = _class_weights_of(t, w, mask, x.dtype)
        loss = -_pick(x, t)
        if wt is not None:
            loss *= wt
        if reduction == "mean":
            denom = loss.dtype.type(t.size if wt is None else wt.sum())
            out = np.asarray(loss.sum() / denom)
        else:
            denom = None
            out = _reduce(loss, reduction)
            if squeeze and reduction == "none":
                out = out.reshape(())
        ctx.shape, ctx.t, ctx.wt, ctx.denom, ctx.reduction = x.shape, t, wt, denom, reduction
        ctx.squeeze = squeeze
        return out

    @staticmethod
    def backward(ctx, g):
        t, wt = ctx.t, ctx.wt
        grad = _zeros(g, ctx.shape)
        if ctx.reduction == "mean":
            c = np.broadcast_to(_mean_coef(g, ctx.denom), t.shape)
        else:
            c = np.broadcast_to(g.reshape(t.shape) if ctx.reduction == "none" else g, t.shape)
        c = -c if wt is None else -c * wt
        _add_at_targets(grad, t, c)
        if ctx.squeeze:
            grad = grad[0]
        return grad, None


def _rows(x):
    """A 1-D (unbatched) input as one row; (N, C, ...) as it is."""
    return x.reshape(1, -1) if x.ndim == 1 else x


def _exp_shifted(ctx):
    """``exp(x - max(x))`` over the class axis, from the traced input (create_graph)."""
    x = _rows(ctx.x)
    return np.exp(x - x.max(axis=1, keepdims=True))


class CrossEntropy(Function):
    """log_softmax + nll_loss with class-index targets (and label smoothing) in one node."""
    _raw = True
    _name = "NllLossBackward0"
    constants = ("w", "wt")            # class weights: not differentiable (as in PyTorch)
    # create_graph: the softmax parts rebuilt from the input on the graph
    traced = {"e": _exp_shifted, "s": lambda ctx: ctx.e.sum(axis=1, keepdims=True)}

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction, eps):
        ctx.x = x
        squeeze = x.ndim == 1
        x, t, mask = _prepare_classes(x, t, ignore_index)
        c = x.shape[1]
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        lse = np.log(s)
        lse_r = lse[:, 0]
        loss = lse_r - _pick(z, t)                          # -log p[target]
        wt = _class_weights_of(t, w, mask, x.dtype)
        if wt is not None:
            loss *= wt
        if eps:
            # smoothing term: -sum_c w_c log p_c = W * lse - sum_c w_c z_c
            if w is None:
                smooth = c * lse_r - z.sum(axis=1)
            else:
                shape = (1, c) + (1,) * (x.ndim - 2)
                smooth = w.sum() * lse_r - (z * w.reshape(shape)).sum(axis=1)
            if mask is not None:
                smooth *= mask
            loss = (1 - eps) * loss + (eps / c) * smooth
        if reduction == "mean":
            denom = loss.dtype.type(t.size if wt is None else wt.sum())
            out = np.asarray(loss.sum() / denom)
        else:
            denom = None
            out = _reduce(loss, reduction)
            if squeeze and reduction == "none":
                out = out.reshape(())
        ctx.e, ctx.s, ctx.t, ctx.w, ctx.wt, ctx.mask = e, s, t, w, wt, mask
        ctx.denom, ctx.reduction, ctx.eps, ctx.squeeze = denom, reduction, eps, squeeze
        return out

    @staticmethod
    def backward(ctx, g):
        t, wt, eps, w, mask = ctx.t, ctx.wt, ctx.eps, ctx.w, ctx.mask
        p = ctx.e / ctx.s                                     # softmax
        if ctx.reduction == "mean":
            coef = np.broadcast_to(_mean_coef(g, ctx.denom), t.shape)
        elif ctx.reduction == "none":
            coef = g.reshape(t.shape)
        else:
            coef = np.broadcast_to(g, t.shape)
        c = p.shape[1]
        # d loss_i / d x = A_i * p - a_i, with a = (1-eps) w_t onehot + (eps/C) w, A = sum(a)
        picked = coef if wt is None else coef * wt
        if eps:
            scale_all = coef if mask is None else coef * mask
            wsum = c if w is None else w.sum()
            big_a = (1 - eps) * picked + (eps / c) * wsum * scale_all
            grad = p * np.expand_dims(big_a, 1)
            if w is None:
                grad -= np.expand_dims((eps / c) * scale_all, 1)
            else:
                shape = (1, c) + (1,) * (p.ndim - 2)
                grad -= np.expand_dims((eps / c) * scale_all, 1) * w.reshape(shape)
            _add_at_targets(grad, t, -(1 - eps) * picked)
        else:
            grad = p
            grad *= np.expand_dims(picked, 1)
            _add_at_targets(grad, t, -picked)
        if ctx.squeeze:
            grad = grad[0]
        return grad, None


class CrossEntropySmoothed(CrossEntropy):
    _raw = True
    _name = "AddBackward0"


class CrossEntropy2d(CrossEntropy):
    _raw = True
    _name = "NllLoss2DBackward0"


class CrossEntropyView(CrossEntropy):
    _raw = True
    _name = "ViewBackward0"


class NllLoss2d(NllLoss):
    _raw = True
    _name = "NllLoss2DBackward0"


class NllLossView(NllLoss):
    _raw = True
    _name = "ViewBackward0"


def _nll_class(plain, two_d, view, ndim, reduction):
    """PyTorch's node name: nll_loss up to 2-D input, nll_loss2d beyond (viewed for 'none')."""
    if ndim <= 2:
        return plain
    if ndim == 4 or reduction != "none":
        return two_d
    return view


# -- cross_entropy with class probabilities ------------------------------------------------------

def _log_softmax_rows(x):
    """log_softmax over axis 1 (arrays, or TensorArrays under create_graph)."""
    lsm = x - x.max(axis=1, keepdims=True)
    lsm -= np.log(np.exp(lsm).sum(axis=1, keepdims=True))
    return lsm


def _smoothed_probs(q, w, eps):
    """The per-class coefficients of a probability target: ``q`` smoothed by ``eps``, weighted."""
    c = q.shape[1]
    a = q * (1 - eps) + eps / c if eps else q
    if w is not None:
        a = a * w.reshape((1, c) + (1,) * (q.ndim - 2))
    return a


class CrossEntropyProb(Function):
    _raw = True
    _name = "NegBackward0"
    saves = (1,)
    constants = ("w",)
    traced = {"lsm": lambda ctx: _log_softmax_rows(_rows(ctx.x)),
              "a": lambda ctx: _smoothed_probs(_rows(ctx.y), ctx.w, ctx.eps)}

    @staticmethod
    def forward(ctx, x, q, w, reduction, eps):
        ctx.x, ctx.y = x, q
        squeeze = x.ndim == 1
        if squeeze:
            x, q = x[None], q[None]
        lsm = _log_softmax_rows(x)
        a = _smoothed_probs(q, w, eps)
        loss = -(a * lsm).sum(axis=1)
        n = loss.size
        if reduction == "mean":
            out = np.asarray(loss.sum() / loss.dtype.type(n))
        else:
            out = _reduce(loss, reduction)
            if squeeze and reduction == "none":
                out = out.reshape(())
        ctx.lsm, ctx.a, ctx.w, ctx.n, ctx.reduction, ctx.eps = lsm, a, w, n, reduction, eps
        ctx.squeeze = squeeze
        return out

    @staticmethod
    def backward(ctx, g):
        lsm, a = ctx.lsm, ctx.a
        if ctx.reduction == "none":
            coef = np.expand_dims(g.reshape(lsm.shape[:1] + lsm.shape[2:]), 1)
        else:
            coef = g / ctx.n if ctx.reduction == "mean" else g
        gx = gq = None
        if ctx.needs_input_grad[0]:
            gx = np.exp(lsm) * a.sum(axis=1, keepdims=True)
            gx -= a
            gx *= coef
        if ctx.needs_input_grad[1]:
            gq = lsm * -coef
            if ctx.eps:
                gq *= 1 - ctx.eps
            if ctx.w is not None:
                gq *= ctx.w.reshape((1, -1) + (1,) * (lsm.ndim - 2))
        if ctx.squeeze:
            gx = None if gx is None else gx[0]
            gq = None if gq is None else gq[0]
        return gx, gq


class CrossEntropyProbMean(CrossEntropyProb):
    _raw = True
    _name = "DivBackward1"


def _reduction_arg(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    return reduction


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of logits ``input`` (N, C, ...) against class indices or class probabilities.

    >>> cross_entropy(torch.tensor([[0.0, 0.0]]), torch.tensor([1]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    try:
        x, t = input._data, target._data
    except AttributeError:
        from .._errors import not_tensor
        raise (not_tensor("cross_entropy_loss", input) if not isinstance(input, Tensor)
               else not_tensor("cross_entropy_loss", target, "target", 2)) from None
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _check_reduction(reduction)
    if x.shape == t.shape:                                    # class probabilities
        if t.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class probabilities, "
                               f"got {_scalar_name(t.dtype)}")
        if x.ndim == 0:
            raise RuntimeError("Expected 1 or more dimensions (got 0)")
        _float_input(x, "log_softmax_lastdim_kernel_impl")
        w = _class_weight(weight, x if x.ndim > 1 else x[None])
        cls = CrossEntropyProbMean if reduction == "mean" else CrossEntropyProb
        return apply(cls, (input, target), (x, t.astype(x.dtype, copy=False)), w, reduction,
                     float(label_smoothing))
    _class_target_checks(x, t)
    _float_input(x, "log_softmax_lastdim_kernel_impl")
    w = _class_weight(weight, x if x.ndim > 1 else x[None])
    cls = CrossEntropySmoothed if label_smoothing else \
        _nll_class(CrossEntropy, CrossEntropy2d, CrossEntropyView, x.ndim, reduction)
    return apply(cls, (input, None), (x, t), w, int(ignore_index), reduction, float(label_smoothing))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log likelihood of log-probabilities ``input`` (N, C, ...) at class indices.

    >>> nll_loss(torch.tensor([[-1.0, -2.0]]), torch.tensor([1]))
    tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    x, t = input._data, target._data
    _class_target_checks(x, t)
    w = _class_weight(weight, x if x.ndim > 1 else x[None])
    cls = _nll_class(NllLoss, NllLoss2d, NllLossView, x.ndim, reduction)
    return apply(cls, (input, None), (x, t), w, int(ignore_index), reduction)


# -- regression losses --------------------------------------------------------------------------

def _diff(ctx):
    """``x - y`` of a regression loss, from its traced inputs (create_graph)."""
    return ctx.x - ctx.y


class MseLoss(Function):
    _raw = True
    _name = "MseLossBackward0"
    traced = {"d": _diff}

    @staticmethod
    def forward(ctx, x, y, reduction):
        d = x - y
        ctx.x, ctx.y, ctx.d, ctx.reduction = x, y, d, reduction
        if reduction == "sum":      # what ndarray.sum calls, without its Python wrapper
            return np.asarray(_add_reduce(d * d, None))
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        gx = d * _grad_scale(g * TWO.get(g.dtype, 2), ctx.reduction, d.size)
        return gx, (-gx if ctx.needs_input_grad[1] else None)


class L1Loss(Function):
    _raw = True
    _name = "AbsBackward0"
    constants = ("sign",)              # sign(x - y): its derivative is 0 (PyTorch's too)

    @staticmethod
    def forward(ctx, x, y, reduction):
        d = x - y
        ctx.sign, ctx.n, ctx.reduction = np.sign(d), d.size, reduction
        return _reduce(np.abs(d, out=d), reduction)

    @staticmethod
    def backward(ctx, g):
        gx = ctx.sign * _grad_scale(g, ctx.reduction, ctx.n)
        return gx, (-gx if ctx.needs_input_grad[1] else None)


class L1LossMean(L1Loss):
    _raw = True
    _name = "MeanBackward0"


class L1LossSum(L1Loss):
    _raw = True
    _name = "SumBackward0"


class SmoothL1Loss(Function):
    _raw = True
    _name = "SmoothL1LossBackward0"
    traced = {"d": _diff}

    @staticmethod
    def forward(ctx, x, y, reduction, beta):
        d = x - y
        ad = np.abs(d)
        small = ad < beta
        loss = np.where(small, (0.5 / beta) * d * d if beta else ad, ad - 0.5 * beta)
        ctx.x, ctx.y, ctx.d, ctx.small, ctx.reduction, ctx.beta = x, y, d, small, reduction, beta
        return _reduce(loss.astype(d.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        gx = np.where(ctx.small, d / ctx.beta if ctx.beta else d, np.sign(d)).astype(d.dtype, copy=False)
        gx *= _grad_scale(g, ctx.reduction, d.size)
        return gx, (-gx if ctx.needs_input_grad[1] else None)


class HuberLoss(Function):
    _raw = True
    _name = "HuberLossBackward0"
    traced = {"d": _diff}

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        d = x - y
        ad = np.abs(d)
        small = ad < delta
        loss = np.where(small, 0.5 * d * d, delta * (ad - 0.5 * delta)).astype(d.dtype, copy=False)
        ctx.x, ctx.y, ctx.d, ctx.small, ctx.reduction, ctx.delta = x, y, d, small, reduction, delta
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        d = ctx.d
        gx = np.where(ctx.small, d, ctx.delta * np.sign(d)).astype(d.dtype, copy=False)
        gx *= _grad_scale(g, ctx.reduction, d.size)
        return gx, (-gx if ctx.needs_input_grad[1] else None)


def _regression(cls, input, target, reduction, *params):
    _size_warning(input, target)
    _check_reduction(reduction)
    ta, tb, x, y, shape = _binary_operands(input, target)
    if x.dtype.kind != "f":
        caller = sys._getframe(1).f_code.co_name          # the loss: PyTorch has no integer kernel
        kernel = {"mse_loss": "mse_cpu", "smooth_l1_loss": "smooth_l1_cpu",
                  "huber_loss": "huber_cpu"}.get(caller)
        if kernel is not None:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')
        if caller == "l1_loss" and reduction == "mean":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                               f"floating point or complex dtype. Got: {_scalar_name(x.dtype)}")
        x = x.astype(_dtype.get_default_dtype().np)
        y = y.astype(x.dtype) if isinstance(y, np.ndarray) else y
    return apply(cls, (ta, tb), (x, y, reduction) + params)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``((input - target) ** 2).mean()`` in one node.

    >>> mse_loss(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(5.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if weight is not None:
        return _weighted(lambda a, b: (a - b) ** 2, input, target, weight, reduction)
    if type(input) is Tensor and type(target) is Tensor and reduction in _REDUCTIONS:
        x, y = input._data, target._data
        if x.shape == y.shape and x.dtype is y.dtype and x.dtype.kind == "f":
            # the usual case (same shape and float dtype): nothing to promote, broadcast or warn
            return apply2(MseLoss, input, target, x, y, reduction)
    return _regression(MseLoss, input, target, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error.

    >>> l1_loss(torch.tensor([1.0, -3.0]), torch.tensor([0.0, 0.0]))
    tensor(2.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if weight is not None:
        return _weighted(lambda a, b: (a - b).abs(), input, target, weight, reduction)
    cls = L1LossMean if reduction == "mean" else (L1LossSum if reduction == "sum" else L1Loss)
    return _regression(cls, input, target, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Squared error below ``beta``, absolute error (minus beta/2) above it.

    >>> smooth_l1_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return _regression(SmoothL1Loss, input, target, reduction, float(beta))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error below ``delta``, ``delta`` times (absolute error - delta/2) above it.

    >>> huber_loss(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(1.3125)
    """
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None:
        return _weighted(lambda a, b: huber_loss(a, b, "none", delta), input, target, weight, reduction,
                         mean_by_weight=False)
    return _regression(HuberLoss, input, target, reduction, float(delta))


def _weighted(pointwise, input, target, weight, reduction, mean_by_weight=True):
    """Losses with an elementwise ``weight`` (rare): composed from ordinary ops, as PyTorch does."""
    _size_warning(input, target)
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss = pointwise(input, target) * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# -- binary cross entropy -----------------------------------------------------------------------

def _clamped_logs(x):
    """``log(x)`` and ``log(1 - x)`` clamped below at -100, as PyTorch's binary_cross_entropy."""
    low = x.dtype.type(-100)
    return np.maximum(np.log(x), low), np.maximum(np.log1p(-x), low)


class BinaryCrossEntropy(Function):
    _raw = True
    _name = "BinaryCrossEntropyBackward0"
    saves = (0, 1)
    constants = ("w",)                 # the weight (PyTorch refuses a weight that requires grad)
    traced = {"log_x": lambda ctx: _clamped_logs(ctx.x)[0],
              "log_1mx": lambda ctx: _clamped_logs(ctx.x)[1]}

    @staticmethod
    def forward(ctx, x, y, w, reduction):
        log_x, log_1mx = _clamped_logs(x)
        loss = (y - 1) * log_1mx - y * log_x
        if w is not None:
            loss *= w
        ctx.x, ctx.y, ctx.w, ctx.reduction = x, y, w, reduction
        ctx.log_x, ctx.log_1mx = log_x, log_1mx
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.x, ctx.y, ctx.w
        scale = _grad_scale(g, ctx.reduction, x.size)
        if w is not None:
            scale = scale * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = (x - y) / np.maximum((1 - x) * x, x.dtype.type(1e-12)) * scale
        if ctx.needs_input_grad[1]:
            gy = (ctx.log_1mx - ctx.log_x) * scale
        return gx, gy


def _in_unit_interval(a: np.ndarray) -> bool:
    return a.size == 0 or bool(a.min() >= 0 and a.max() <= 1)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary cross entropy of probabilities ``input`` (log clamped at -100, as PyTorch does).

    >>> binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    x, y = input._data, target._data
    if x.shape != y.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _check_reduction(reduction)
    if y.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_scalar_name(y.dtype)} but expected {_scalar_name(x.dtype)}")
    _float_input(x, "binary_cross_entropy")
    if not _in_unit_interval(x):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not _in_unit_interval(y):
        raise RuntimeError("all elements of target should be between 0 and 1")
    w = None
    _no_grad_weight("binary_cross_entropy", "weight", weight)
    if weight is not None:
        w = np.broadcast_to(weight._data, np.broadcast_shapes(weight._data.shape, y.shape))
        w = w.astype(x.dtype, copy=False)
    return apply(BinaryCrossEntropy, (input, target), (x, y, w, reduction))


def _log_sigmoid(x):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``: finite for any logit."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


class BinaryCrossEntropyWithLogits(Function):
    _raw = True
    _name = "BinaryCrossEntropyWithLogitsBackward0"
    saves = (0, 1)
    constants = ("w", "pw")            # weight and pos_weight: PyTorch refuses ones requiring grad
    traced = {"log_sig": lambda ctx: _log_sigmoid(ctx.x)}

    @staticmethod
    def forward(ctx, x, y, w, pw, reduction):
        log_sig = _log_sigmoid(x)
        if pw is None:
            loss = (1 - y) * x - log_sig
        else:
            loss = (1 - y) * x - (1 + (pw - 1) * y) * log_sig
        if w is not None:
            loss *= w
        ctx.x, ctx.y, ctx.w, ctx.pw, ctx.log_sig, ctx.reduction = x, y, w, pw, log_sig, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w, pw = ctx.x, ctx.y, ctx.w, ctx.pw
        scale = _grad_scale(g, ctx.reduction, x.size)          # x and y have one shape
        if w is not None:
            scale = scale * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            sig = np.exp(ctx.log_sig)
            if pw is None:
                gx = (sig - y) * scale
            else:
                lw = 1 + (pw - 1) * y
                gx = (lw * sig - lw + (1 - y)) * scale
        if ctx.needs_input_grad[1]:
            gy = -x * scale if pw is None else (-x - (pw - 1) * ctx.log_sig) * scale
        return gx, gy


def _no_grad_weight(fn: str, name: str, t) -> None:
    if t is not None and t.requires_grad:
        from ..autograd import grad_mode
        if grad_mode.state[0]:
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                               f"'{name}'. This input cannot have requires_grad True.")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross entropy in one stable node (finite for logits of any size).

    >>> binary_cross_entropy_with_logits(torch.tensor([0.0]), torch.tensor([1.0]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if target._data.dtype.kind != "f" and input._data.dtype.kind == "f":
        raise RuntimeError(f"result type {_dtype.legacy_name(input.dtype)} can't be cast to the "
                           f"desired output type {_dtype.legacy_name(target.dtype)}")
    ta, tb, x, y = operands(input, target)
    if x.dtype.kind != "f":
        x = x.astype(_dtype.get_default_dtype().np)
        y = y.astype(x.dtype)
    _no_grad_weight("binary_cross_entropy_with_logits", "weight", weight)
    _no_grad_weight("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    w = None if weight is None else weight._data.astype(x.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(x.dtype, copy=False)
    return apply(BinaryCrossEntropyWithLogits, (ta, tb), (x, y, w, pw, reduction))


# -- KL divergence -------------------------------------------------------------------------------

class KlDiv(Function):
    _raw = True
    _name = "SubBackward0"
    saves = (0, 1)
    traced = {"ey": lambda ctx: np.exp(ctx.y), "log_y": lambda ctx: np.log(ctx.y)}

    @staticmethod
    def forward(ctx, x, y, reduction, log_target):
        if log_target:
            ey = np.exp(y)
            loss = ey * (y - x)
            ctx.ey = ey
        else:
            log_y = np.log(y)
            ylogy = y * log_y
            ylogy[y == 0] = 0
            loss = ylogy - y * x
            ctx.log_y = log_y
        ctx.x, ctx.y, ctx.reduction, ctx.log_target = x, y, reduction, log_target
        if reduction == "batchmean":
            return np.asarray(loss.sum() / loss.dtype.type(x.shape[0])) if x.ndim else np.asarray(loss.sum())
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.x, ctx.y
        shape = np.broadcast_shapes(x.shape, y.shape)
        red = ctx.reduction
        if red == "batchmean":
            scale = g / x.shape[0] if x.ndim else g
        else:
            scale = _grad_scale(g, red, int(np.prod(shape)))
        gx = gy = None
        if ctx.log_target:
            ey = ctx.ey
            if ctx.needs_input_grad[0]:
                gx = -ey * scale
            if ctx.needs_input_grad[1]:
                gy = ey * (y - x + 1) * scale
        else:
            if ctx.needs_input_grad[0]:
                gx = -y * scale
            if ctx.needs_input_grad[1]:
                gy = (ctx.log_y + 1 - x) * scale
        if gx is not None and gx.shape != shape:
            gx = np.broadcast_to(gx, shape)
        return gx, gy


class KlDivLogTarget(KlDiv):
    _raw = True
    _name = "MulBackward0"


class KlDivMean(KlDiv):
    _raw = True
    _name = "MeanBackward0"


class KlDivSum(KlDiv):
    _raw = True
    _name = "SumBackward0"


class KlDivBatchMean(KlDiv):
    _raw = True
    _name = "DivBackward0"


_KL_CLASSES = {"mean": KlDivMean, "sum": KlDivSum, "batchmean": KlDivBatchMean}


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Pointwise KL divergence ``target * (log(target) - input)``; ``input`` holds log-probabilities.

    >>> kl_div(torch.tensor([0.0]), torch.tensor([1.0]), reduction="sum")
    tensor(0.)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                      "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                      "major release.", stacklevel=2)
    if reduction not in _REDUCTIONS and reduction != "batchmean":
        raise ValueError(f"{reduction} is not a valid value for reduction")
    ta, tb, x, y, shape = _binary_operands(input, target)
    if x.dtype.kind != "f":
        x = x.astype(_dtype.get_default_dtype().np)
    if not isinstance(y, np.ndarray):
        y = np.asarray(y, x.dtype)
    cls = _KL_CLASSES.get(reduction) or (KlDivLogTarget if log_target else KlDiv)
    return apply(cls, (ta, tb), (x, y, reduction, bool(log_target)))


# -- dropout ------------------------------------------------------------------------------------

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
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    from .._random_ops import dropout_mask
    x = input._data
    dt = x.dtype if x.dtype.kind == "f" else np.float32
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
        raise RuntimeError("ZeroDivisionError")
    return _act(Celu, input, "elu_cpu", inplace, float(alpha))


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
    if x.dtype.kind == "b":
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


# -- linear -------------------------------------------------------------------------------------

class Linear(Function):
    """``x @ W.T + b`` for ``x`` of shape (N, in): one node (PyTorch's addmm)."""
    _raw = True
    _name = "AddmmBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.x, ctx.w = x, w
        # PyTorch's addmm / mm bits for small shapes (see _small_gemm)
        return matmul_exact(x, w.T) if b is None else addmm_exact(b, x, w.T)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gx = matmul_exact(g, ctx.w) if need[0] else None
        gw = matmul_exact(g.T, ctx.x) if need[1] else None
        gb = _add_reduce(g, 0) if need[2] else None      # g.sum(axis=0) without its wrapper
        return gx, gw, gb


class LinearNoBias(Linear):
    _raw = True
    _name = "MmBackward0"


class LinearNd(Function):
    """``linear`` of a 1-D or N-D input: flattened to 2-D inside the one node."""
    _raw = True
    _name = "ViewBackward0"
    saves = (0, 1)
    saved_inputs = ("x", "w", "b")
    traced = {"x2": lambda ctx: ctx.x.reshape(-1, ctx.x.shape[-1])}

    @staticmethod
    def forward(ctx, x, w, b):
        x2 = x.reshape(-1, x.shape[-1])
        if b is None or x.ndim == 1:    # PyTorch: mm, then bias added; N-D: one addmm
            out = matmul_exact(x2, w.T)
            if b is not None:
                out += b
        else:
            out = addmm_exact(b, x2, w.T)
        ctx.x, ctx.x2, ctx.w, ctx.xshape = x, x2, w, x.shape
        return out.reshape(x.shape[:-1] + (w.shape[0],))

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1] if g.ndim else 1)
        gx = matmul_exact(g2, ctx.w).reshape(ctx.xshape) if need[0] else None
        gw = matmul_exact(g2.T, ctx.x2) if need[1] else None
        gb = g2.sum(axis=0) if need[2] else None
        return gx, gw, gb


class LinearNdNoBias(LinearNd):
    _raw = True
    _name = "UnsafeViewBackward0"


class Linear1dNoBias(LinearNd):
    _raw = True
    _name = "SqueezeBackward4"


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``.

    >>> linear(torch.ones(1, 2), torch.ones(3, 2), torch.zeros(3))
    tensor([[2., 2., 2.]])
    """
    try:
        x, w = input._data, weight._data
    except AttributeError:
        from .._errors import not_tensor
        raise (not_tensor("linear", input) if not isinstance(input, Tensor)
               else not_tensor("linear", weight, "weight", 2)) from None
    b = None if bias is None else bias._data
    cls = Linear if b is not None else LinearNoBias
    if x.ndim == 2 and w.ndim == 2:
        if x.shape[1] != w.shape[1]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} "
                               f"and {w.shape[1]}x{w.shape[0]})")
        if x.dtype != w.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{_scalar_name(x.dtype)} and {_scalar_name(w.dtype)}")
        try:
            return apply3(cls, input, weight, bias, x, w, b)
        except ValueError:                      # the bias does not fit the output
            raise expand_error(b.shape, (x.shape[0], w.shape[0])) from None
    if x.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D and "
                           f"{w.ndim}D")
    if w.ndim != 2:
        from .linalg import matmul
        out = matmul(input, weight.t() if w.ndim == 2 else weight)
        return out if bias is None else out + bias
    if x.shape[-1] != w.shape[1]:
        n = int(np.prod(x.shape[:-1]))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{x.shape[-1]} and "
                           f"{w.shape[1]}x{w.shape[0]})")
    cls = LinearNd if b is not None else (Linear1dNoBias if x.ndim == 1 else LinearNdNoBias)
    return apply(cls, (input, weight, bias), (x, w, b))


__all__ = ["softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
           "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "kl_div", "dropout", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "softplus",
           "softsign", "hardtanh", "relu6", "logsigmoid", "linear", "legacy_reduction"]
