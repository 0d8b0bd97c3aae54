"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), mm, bmm, mv, dot, outer,
addmm, einsum. Always NumPy's matmul (BLAS), never broadcast-multiply-sum.

>>> import numtorch as torch
>>> torch.ones(2, 3) @ torch.ones(3)
tensor([3., 3.])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply

_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
          "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "bool": "bool"}


def _same_dtype(a: Tensor, b: Tensor, m1="m1", m2="m2"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {m1} and {m2} to have the same dtype, but got: "
                           f"{_NAMES[a.dtype.name]} != {_NAMES[b.dtype.name]}")


def _check_tensor(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {type(x).__name__}")


class MatMul(Function):
    _raw = True
    _name = "MmBackward0"
    saves = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:              # dot
            return (g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None)
        if a.ndim == 1:                              # (k) @ (..., k, m) -> (..., m)
            if ctx.needs_input_grad[0]:
                ga = np.matmul(b, g[..., None])[..., 0]
            if ctx.needs_input_grad[1]:
                gb = a[:, None] * g[..., None, :]
            return ga, gb
        if b.ndim == 1:                              # (..., n, k) @ (k) -> (..., n)
            if ctx.needs_input_grad[0]:
                ga = g[..., None] * b
            if ctx.needs_input_grad[1]:
                gb = np.matmul(np.swapaxes(a, -1, -2), g[..., None])[..., 0]
            return ga, gb
        if ctx.needs_input_grad[0]:
            ga = np.matmul(g, np.swapaxes(b, -1, -2))
        if ctx.needs_input_grad[1]:
            gb = np.matmul(np.swapaxes(a, -1, -2), g)
        return ga, gb


class Mm(MatMul):
    _raw = True
    _name = "MmBackward0"


class Bmm(MatMul):
    _raw = True
    _name = "BmmBackward0"


class Mv(MatMul):
    _raw = True
    _name = "MvBackward0"


class Dot(MatMul):
    _raw = True
    _name = "DotBackward0"


class UnsafeViewMatMul(MatMul):
    _raw = True
    _name = "UnsafeViewBackward0"


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched operands.

    >>> import numtorch as torch
    >>> (torch.ones(5, 2, 3) @ torch.ones(3, 4)).shape
    torch.Size([5, 2, 4])
    """
    _check_tensor(other, "matmul")
    a, b = input._data, other._data
    _same_dtype(input, other)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                               f"[{b.shape[0]}] to have the same number of elements, but got "
                               f"{a.shape[0]} and {b.shape[0]} elements respectively")
        if a.ndim <= 2 and b.ndim <= 2:
            if a.ndim == 2 and b.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                                   f"vec ({b.shape[0]})")
            sa = f"{a.shape[0]}x{a.shape[1]}" if a.ndim == 2 else f"1x{a.shape[0]}"
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b.shape[0] if b.ndim > 2 else a.shape[0]}, {ka}] but got: "
                           f"[{b.shape[0] if b.ndim > 2 else 1}, {kb}].")
    if a.ndim == 1 and b.ndim == 1:
        cls = Dot
    elif a.ndim == 2 and b.ndim == 2:
        cls = Mm
    elif a.ndim == 2 and b.ndim == 1:
        cls = Mv
    elif a.ndim > 2 or b.ndim > 2:
        cls = UnsafeViewMatMul if b.ndim <= 2 else Bmm
    else:
        cls = MatMul
    try:
        return apply(cls, (input, other), (a, b))
    except ValueError as e:
        raise RuntimeError(str(e)) from None


def mm(input, mat2) -> Tensor:
    _check_tensor(mat2, "mm")
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2) -> Tensor:
    if input._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    if input._data.shape[0] != mat2._data.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{input._data.shape[0]} and {mat2._data.shape[0]}")
    return matmul(input, mat2)


def mv(input, vec) -> Tensor:
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec._data.ndim}, "
                           f"{input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


def dot(input, other) -> Tensor:
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    _same_dtype(input, other, "self", "other")
    return matmul(input, other)


inner = dot
vdot = dot


class Outer(Function):
    _raw = True
    _name = "OuterBackward0"
    saves = (0, 1)

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.outer(a, b)

    @staticmethod
    def backward(ctx, g):
        return g @ ctx.b, ctx.a @ g


def outer(input, vec2) -> Tensor:
    return apply(Outer, (input, vec2), (input._data, vec2._data))


ger = outer


class Addmm(Function):
    """beta * input + alpha * (mat1 @ mat2): the fused node behind nn.Linear."""
    _raw = True
    saves = (1, 2)

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        out = np.matmul(a, b)
        if alpha != 1:
            out *= alpha
        out += c if beta == 1 else beta * c
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gc = (g if ctx.beta == 1 else g * ctx.beta) if need[0] else None
        ga = np.matmul(g, ctx.b.T) if need[1] else None
        gb = np.matmul(ctx.a.T, g) if need[2] else None
        if ctx.alpha != 1:
            ga = None if ga is None else ga * ctx.alpha
            gb = None if gb is None else gb * ctx.alpha
        return gc, ga, gb


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    a, b = mat1._data, mat2._data
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        sa = "x".join(map(str, a.shape))
        sb = "x".join(map(str, b.shape))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    _same_dtype(mat1, mat2, "mat1", "mat2")
    return apply(Addmm, (input, mat1, mat2), (input._data, a, b), beta, alpha)


class Einsum(Function):
    _raw = True

    @staticmethod
    def forward(ctx, *args):
        *arrays, eq = args
        ctx.arrays, ctx.eq = arrays, eq
        return np.asarray(np.einsum(eq, *arrays, optimize=len(arrays) > 2))

    @staticmethod
    def backward(ctx, g):
        ins, out = ctx.eq.split("->")
        ins = ins.split(",")
        grads = []
        for i, sub in enumerate(ins):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [a for j, a in enumerate(ctx.arrays) if j != i]
            other_subs = [s for j, s in enumerate(ins) if j != i]
            # letters of this operand missing elsewhere are summed over: broadcast them back
            present = set(out).union(*other_subs) if other_subs else set(out)
            eq = ",".join([out] + other_subs) + "->" + "".join(c for c in sub if c in present)
            r = np.einsum(eq, g, *others)
            missing = [k for k, c in enumerate(sub) if c not in present]
            if missing:
                r = np.expand_dims(r, missing)
                r = np.broadcast_to(r, ctx.arrays[i].shape)
            # repeated letters (a diagonal) need a scatter; rare in practice
            grads.append(np.ascontiguousarray(r))
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation for explicit or implicit equations ('ij,jk->ik', 'bij,bjk', 'ii->i', ...)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "->" not in eq:
        ins = eq.split(",")
        letters = "".join(ins)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c != "."))
        eq = eq + "->" + out
    if "..." in eq:
        raise NotImplementedError("numtorch's einsum does not support '...' yet")
    arrays = [t._data for t in operands]
    dt = arrays[0].dtype
    arrays = [a if a.dtype == dt else a.astype(np.result_type(*arrays)) for a in arrays]
    return apply(Einsum, tuple(operands), tuple(arrays), eq)


def trace(input) -> Tensor:
    from .shape import diagonal
    from .reduce import sum
    return sum(diagonal(input))
