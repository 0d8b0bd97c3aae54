"""Loss functions: cross_entropy and nll_loss, mse/l1/smooth_l1/huber, binary cross entropy
(with probabilities or logits) and kl_div; forward and backward side by side.

Each loss is one graph node with an analytic backward (``cross_entropy`` is log_softmax and
nll_loss in one node, as fast as it gets on the training hot path). Node names are the ones
PyTorch prints (``NllLossBackward0``, ``MseLossBackward0``, ...); where PyTorch composes a loss
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

import sys
import warnings

import numpy as np

from .. import _dtype
from .._dtype import legacy_name_np as _scalar_name
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, apply2, operands, broadcast_error
from ._constants import TWO
from .reduce import mean_all
from .shape import _zeros

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


def _float_input(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(x.dtype)}\'')


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


__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "legacy_reduction"]
