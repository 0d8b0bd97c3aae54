"""``linear``: ``input @ weight.T + bias`` as one node (PyTorch's addmm / mm), forward and
backward side by side, with PyTorch's small-product bits (see ``_small_gemm``).

>>> import numtorch as torch
>>> linear(torch.ones(1, 2), torch.ones(3, 2), torch.zeros(3))
tensor([[2., 2., 2.]])
"""
from __future__ import annotations

import numpy as np

from .._dtype import legacy_name_np as _scalar_name
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply, apply3, expand_error
from ._small_gemm import addmm_exact, matmul_exact

_add_reduce = np.add.reduce


class Linear(Function):
    """``x @ W.T + b`` for ``x`` of shape (N, in): one node (PyTorch's addmm)."""
    _raw = True
    _name = "AddmmBackward0"
    complex_grad = HOLOMORPHIC
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
    complex_grad = HOLOMORPHIC
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


__all__ = ["linear"]
