"""``rms_norm``, ``bilinear`` and ``pdist`` (``torch.*`` and ``torch.nn.functional.*``).

- ``rms_norm(x, shape, weight, eps)``: ``x / sqrt(mean(x**2 over shape) + eps) * weight``, built
  from differentiable ops as PyTorch does (its ``grad_fn`` is ``MulBackward0``), so gradients of
  every order come for free. ``eps=None`` means the machine epsilon of the computing dtype
  (float32 for float16 inputs, which are computed in float32 and cast back).
- ``bilinear(x1, x2, weight, bias)``: ``y[..., o] = x1[..., i] weight[o, i, j] x2[..., j] + bias``
  as two matrix products on the flattened batch (one BLAS call each), then a view.
- ``pdist(x, p)``: the p-norm distances of the rows of ``x`` (N, M), pair (i, j) for i < j in
  row-major order (the upper triangle of ``cdist(x, x)``), one ``PdistBackward0`` node.

>>> import numtorch as torch
>>> torch.pdist(torch.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
tensor([ 5., 10.,  5.])
>>> torch.rms_norm(torch.tensor([[3.0, 4.0]]), (2,), eps=0.0)
tensor([[0.8485, 1.1314]])
"""
from __future__ import annotations

import numbers

import numpy as np

from .._dtype import float16, float32, legacy_name
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply

__all__ = ["rms_norm", "bilinear", "pdist"]


# -- rms_norm -------------------------------------------------------------------------------------

def _shape_tuple(normalized_shape, fn: str = "rms_norm") -> tuple:
    if isinstance(normalized_shape, (numbers.Integral, Tensor)) \
            or not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not {type(normalized_shape).__name__}")
    return tuple(int(n) for n in normalized_shape)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square normalisation over the last ``len(normalized_shape)`` dims, then
    ``* weight`` (when given).

    >>> import numtorch as torch
    >>> import numtorch.nn.functional as F
    >>> F.rms_norm(torch.tensor([[1.0, -1.0, 1.0, -1.0]]), [4])
    tensor([[ 1., -1.,  1., -1.]])
    """
    shape = _shape_tuple(normalized_shape)
    k = len(shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           f"containing at least one element, but got normalized_shape = {list(shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError("Expected weight to be of same shape as normalized_shape, but got weight "
                           f"of shape {list(weight.shape)} and normalized_shape = {list(shape)}")
    if k > input.ndim:
        raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.ndim}")
    if tuple(input.shape[input.ndim - k:]) != shape:
        star = ", ".join(str(n) for n in shape)
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{star}], but got input of size{list(input.shape)}")
    dtype = input.dtype
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"rms_norm" not implemented for \'{legacy_name(dtype)}\'')
    x = input.to(float32) if dtype is float16 else input
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(-k, 0))
    out = x * x.pow(2).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out if out.dtype is dtype else out.to(dtype)


# -- bilinear -------------------------------------------------------------------------------------

def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``.

    >>> import numtorch as torch
    >>> import numtorch.nn.functional as F
    >>> F.bilinear(torch.ones(1, 2), torch.ones(1, 3), torch.ones(4, 2, 3)).shape
    torch.Size([1, 4])
    """
    tensors = [("input1", input1), ("input2", input2), ("weight", weight)]
    if bias is not None:
        tensors.append(("bias", bias))
    if len({t.dtype for _, t in tensors}) > 1:
        raise RuntimeError("All tensors must have the same dtype, got " +
                           ", ".join(f"{n}: {t.dtype.name if t.dtype.name != 'float32' else 'float'}"
                                     .replace("float64", "double") for n, t in tensors))
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    if input1.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    for d in range(input1.ndim - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got "
                               f"{input1.shape[d]} and {input2.shape[d]}")
    if weight.ndim < 2 or input1.shape[-1] != weight.shape[1]:
        raise RuntimeError("bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1] if weight.ndim > 1 else 0}")
    if weight.ndim != 3:
        raise RuntimeError("number of dimensions must match")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError("bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None:
        if bias.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        if bias.shape[0] != weight.shape[0]:
            raise RuntimeError("bilinear(): bias size does not match weight size: got "
                               f"{bias.shape[0]} but expected {weight.shape[0]}")
    o, i, j = weight.shape
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    # (N, i) @ (i, o*j) -> (N, o, j); then a batch of (o, j) @ (j, 1) products
    t = (x1 @ weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    out = (t @ x2.unsqueeze(-1)).reshape(lead + (o,))
    return out if bias is None else out + bias


# -- pdist ----------------------------------------------------------------------------------------

def _pdist_grad(g, x, p, rows, cols):
    """d(sum g * pdist(x, p)) / dx on arrays."""
    gx = np.zeros_like(x)
    if p == 0 or rows.size == 0 or x.shape[1] == 0:
        return gx
    diff = x[rows] - x[cols]
    a = np.abs(diff)
    g = g[:, None]
    if p == 1:
        gd = np.sign(diff) * g
    elif p == np.inf:
        gd = np.where(a == a.max(1, keepdims=True), np.sign(diff), 0) * g
    else:
        d = _distances(diff, a, p)[:, None]
        safe = np.where(d == 0, 1, d)
        if p == 2:
            gd = diff / safe
        else:                                # 0 where a component or the distance is 0
            gd = np.sign(diff) * (np.where(a == 0, 1, a) / safe) ** (p - 1)
            gd = np.where(a == 0, 0, gd)
        gd = np.where(d == 0, 0, gd) * g
    np.add.at(gx, rows, gd)
    np.add.at(gx, cols, -gd)
    return gx


def _distances(diff, a, p):
    if p == 2:
        return np.sqrt(np.einsum("ij,ij->i", diff, diff))
    if p == 1:
        return a.sum(1)
    if p == 0:
        return (a != 0).sum(1).astype(diff.dtype)
    if p == np.inf:
        return a.max(1) if a.shape[1] else np.zeros(a.shape[0], diff.dtype)
    t = diff.dtype.type
    return (a ** t(p)).sum(1) ** t(1 / p)


class Pdist(Function):
    _raw = True

    @staticmethod
    def forward(ctx, x, p, rows, cols):
        diff = x[rows] - x[cols]
        ctx.x, ctx.p, ctx.pairs = x, p, (rows, cols)
        return _distances(diff, np.abs(diff), p)

    @staticmethod
    def backward(ctx, g):
        x, p, (rows, cols) = ctx.x, ctx.p, ctx.pairs
        if type(g) is np.ndarray:
            return (_pdist_grad(g, x, p, rows, cols),)
        # create_graph=True: the gradient is recorded, but (as in PyTorch) not differentiable
        wrap = type(g)
        return (wrap(apply(PdistBackward, (g.t, x.t), (g.t._data, x.t._data, p, rows, cols))),)


class PdistBackward(Function):
    """The gradient of ``pdist`` under ``create_graph=True``: PyTorch has no derivative of it."""
    _raw = True

    @staticmethod
    def forward(ctx, g, x, p, rows, cols):
        return _pdist_grad(g, x, p, rows, cols)

    @staticmethod
    def backward(ctx, gg):
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distance between every pair of rows ``i < j`` of ``input`` (N, M): a
    vector of ``N * (N - 1) / 2``, in the order of the upper triangle of ``cdist(input, input)``.

    >>> import numtorch as torch
    >>> import numtorch.nn.functional as F
    >>> F.pdist(torch.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 3.0]]), p=1)
    tensor([2., 4., 2.])
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if input.dtype is float16:
        raise NotImplementedError('"pdist" not implemented for \'Half\'')
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    rows, cols = np.triu_indices(input.shape[0], 1)
    return apply(Pdist, (input,), (input._data, float(p), rows, cols))
