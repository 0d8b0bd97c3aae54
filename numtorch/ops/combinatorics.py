"""Structured constructions: ``cartesian_prod``, ``combinations``, ``tril_indices`` /
``triu_indices``, ``block_diag``, ``kron``, ``rot90``, pairwise distances (``cdist``) and
trapezoidal integration (``trapezoid``, ``trapz``, ``cumulative_trapezoid``).

Where PyTorch composes an op from others (``cartesian_prod`` and ``combinations`` end in a
stack, ``kron`` in an unsafe view, the trapezoid rules in a product or quotient) numtorch
composes it from the same numtorch ops, so gradients and higher derivatives come for free;
``block_diag``, ``rot90`` and ``cdist`` are nodes of their own, as in PyTorch.

>>> import numtorch as torch
>>> torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4]))
tensor([[1, 3],
        [1, 4],
        [2, 3],
        [2, 4]])
>>> torch.kron(torch.eye(2), torch.tensor([[1.0, 2.0]]))
tensor([[1., 2., 0., 0.],
        [0., 0., 1., 2.]])
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import _dtype
from .._errors import arg_error, not_tensor, type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, broadcast_error
from . import elementwise as E, reduce as R, shape as S
from .special_math import overload_error


def _int_arg(fn: str, name: str, position: int, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise arg_error(fn, name, position, "int", value)
    return int(value)


def _vector(t) -> Tensor:
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    return t


# -- products and combinations -------------------------------------------------------------------

def _tensor_list(tensors, fn: str) -> list:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type_name(t)}")
    return list(tensors)


def cartesian_prod(*tensors) -> Tensor:
    """Every tuple of one element from each 1-D tensor, one tuple a row (``itertools.product``
    order). One tensor comes back as it is.

    >>> import numtorch as torch
    >>> torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([5]))
    tensor([[1, 5],
            [2, 5]])
    """
    tensors = _tensor_list(tensors, "cartesian_prod")
    for t in tensors:
        _vector(t)
    if len(tensors) == 1:
        return tensors[0]
    from .creation import meshgrid
    grids = meshgrid(*tensors, indexing="ij")
    return S.stack([S.flatten(g) for g in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of a 1-D tensor's elements, one a row (``itertools``
    order; ``with_replacement`` as ``combinations_with_replacement``).

    >>> import numtorch as torch
    >>> torch.combinations(torch.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("combinations", input)
    r = _int_arg("combinations", "r", 2, r)
    _vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(np.empty((0,), input._data.dtype))
    n = input._data.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(n), r)), np.int64).reshape(-1, r)
    from .indexing import index_select
    return S.stack([index_select(input, 0, Tensor._make(np.ascontiguousarray(idx[:, j])))
                    for j in range(r)], 1)


# -- index sets ----------------------------------------------------------------------------------

def _tri_indices(fn: str, row, col, offset, dtype, upper: bool) -> Tensor:
    row = _int_arg(fn, "row", 1, row)
    col = _int_arg(fn, "col", 2, col)
    offset = _int_arg(fn, "offset", 3, offset)
    d = _dtype.int64 if dtype is None else dtype
    if d not in (_dtype.int64, _dtype.int32):
        raise NotImplementedError(f'"{fn}" not implemented for \'{_dtype.legacy_name(d)}\'')
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype(d.np).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, requires_grad: bool = False) -> Tensor:
    """The (row, column) indices of the lower triangle (on and below diagonal ``offset``) of a
    ``row x col`` matrix, as a ``2 x N`` tensor in row-major order.

    >>> import numtorch as torch
    >>> torch.tril_indices(3, 3)
    tensor([[0, 1, 1, 2, 2, 2],
            [0, 0, 1, 0, 1, 2]])
    """
    return _tri_indices("tril_indices", row, col, offset, dtype, False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None, requires_grad: bool = False) -> Tensor:
    """The (row, column) indices of the upper triangle (on and above diagonal ``offset``).

    >>> import numtorch as torch
    >>> torch.triu_indices(2, 3, 1)
    tensor([[0, 0, 1],
            [1, 2, 2]])
    """
    return _tri_indices("triu_indices", row, col, offset, dtype, True)


# -- block and Kronecker structure ---------------------------------------------------------------

class BlockDiag(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, *arrays):
        shapes = [a.shape for a in arrays]
        mats = [a.reshape((1, 1) if a.ndim == 0 else (1, -1) if a.ndim == 1 else a.shape)
                for a in arrays]
        rows = sum(m.shape[0] for m in mats)
        cols = sum(m.shape[1] for m in mats)
        out = np.zeros((rows, cols), np.result_type(*arrays) if arrays else np.float32)
        r = c = 0
        spans = []
        for m in mats:
            h, w = m.shape
            out[r:r + h, c:c + w] = m
            spans.append((r, h, c, w))
            r, c = r + h, c + w
        ctx.spans, ctx.shapes = spans, shapes
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[r:r + h, c:c + w].reshape(shape)
                     for (r, h, c, w), shape in zip(ctx.spans, ctx.shapes))


def block_diag(*tensors) -> Tensor:
    """The tensors (0-, 1- or 2-D) as the diagonal blocks of one matrix (a 0-D tensor is a
    1x1 block, a 1-D one a row).

    >>> import numtorch as torch
    >>> torch.block_diag(torch.tensor([[1, 2]]), torch.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    tensors = _tensor_list(tensors, "block_diag")
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t._data.ndim} dimensions")
    if not tensors:
        return Tensor._make(np.zeros((1, 0), _dtype.get_default_dtype().np))
    d = S._result_dtype(tensors)
    return apply(BlockDiag, tuple(tensors), tuple(t._data.astype(d, copy=False) for t in tensors))


def kron(input, other, *, out=None) -> Tensor:
    """The Kronecker product: block ``(i, j, ...)`` of the result is ``input[i, j, ...] *
    other`` (the shorter shape padded with leading 1s).

    >>> import numtorch as torch
    >>> torch.kron(torch.tensor([1, 10]), torch.tensor([1, 2, 3]))
    tensor([ 1,  2,  3, 10, 20, 30])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("kron", input)
    if not isinstance(other, Tensor):
        raise not_tensor("kron", other, "other", 2)
    sa, sb = input._data.shape, other._data.shape
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    a = S.reshape(input, tuple(v for s in sa for v in (s, 1)))
    b = S.reshape(other, tuple(v for s in sb for v in (1, s)))
    prod = E.mul(a, b)
    shape = tuple(x * y for x, y in zip(sa, sb))
    res = apply(S.UnsafeView, (prod,), (prod._data,), shape)
    if out is not None:
        from ._apply import write_out
        return write_out("kron", res, out)
    return res


# -- rot90 ---------------------------------------------------------------------------------------

def _rot90(a, k: int, d0: int, d1: int):
    """``a`` turned ``k`` quarter turns from axis ``d0`` towards ``d1`` (arrays or
    TensorArrays: flips and an axis swap)."""
    k %= 4
    if k == 1:
        return np.swapaxes(np.flip(a, d1), d0, d1)
    if k == 2:
        return np.flip(np.flip(a, d0), d1)
    if k == 3:
        return np.flip(np.swapaxes(a, d0, d1), d1)
    return a


class Rot90(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, k, d0, d1):
        ctx.k, ctx.d0, ctx.d1 = k, d0, d1
        return np.array(_rot90(x, k, d0, d1))           # a copy, as PyTorch's

    @staticmethod
    def backward(ctx, g):
        return (_rot90(g, -ctx.k, ctx.d0, ctx.d1),)


def rot90(input, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first towards the second.

    >>> import numtorch as torch
    >>> torch.rot90(torch.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    if not isinstance(input, Tensor):
        raise not_tensor("rot90", input)
    k = _int_arg("rot90", "k", 2, k)
    dims = list(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = _wrap_dim(dims[0], ndim), _wrap_dim(dims[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    return apply(Rot90, (input,), (input._data,), k, d0, d1)


# -- cdist -----------------------------------------------------------------------------------------

def _pair_diff(x1, x2):
    """``x1[..., i, :] - x2[..., j, :]`` for every ``(i, j)``: shape ``(..., r1, r2, m)``."""
    return x1[..., :, None, :] - x2[..., None, :, :]


class Cdist(Function):
    """The p-norm distance between every row of ``x1`` and every row of ``x2`` (batched)."""
    _raw = True
    saves = (0, 1)
    saves_output = True
    traced = {"diff": lambda ctx: _pair_diff(ctx.x, ctx.y)}

    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = _pair_diff(x1, x2)
        a = np.abs(diff)
        if a.shape[-1] == 0:
            out = np.zeros(a.shape[:-1], a.dtype)
        elif p == 0:
            out = np.count_nonzero(diff, axis=-1).astype(a.dtype)
        elif p == 1:
            out = a.sum(-1)
        elif p == 2:
            out = np.sqrt((diff * diff).sum(-1))
        elif p == np.inf:
            out = a.max(-1)
        else:
            out = (a ** p).sum(-1) ** (1 / p)
        out = np.asarray(out, a.dtype)
        ctx.x, ctx.y, ctx.p, ctx.diff, ctx.out = x1, x2, p, diff, out
        return out

    @staticmethod
    def backward(ctx, g):
        p, diff, out = ctx.p, ctx.diff, ctx.out
        zero = np.zeros((), diff.dtype)
        d = out[..., None]
        if p == 0:
            w = np.zeros_like(diff)
        elif p == 1:
            w = np.sign(diff)
        elif p == np.inf:
            w = np.sign(diff) * (np.abs(diff) == d)
        else:
            dead = np.broadcast_to(d == 0, diff.shape)
            if p < 1:
                dead = dead | (diff == 0)
            safe_d = np.where(d == 0, np.ones((), d.dtype), d)
            if p == 2:
                w = diff / safe_d
            elif p < 2:
                a = np.where(dead, np.ones((), diff.dtype), np.abs(diff))
                w = np.sign(diff) * (a / safe_d) ** (p - 1)
            else:
                w = diff * np.abs(diff) ** (p - 2) / safe_d ** (p - 1)
            w = np.where(dead, zero, w)
        gw = g[..., None] * w
        g1 = gw.sum(-2) if ctx.needs_input_grad[0] else None
        g2 = 0 - gw.sum(-3) if ctx.needs_input_grad[1] else None      # +0, not -0
        return g1, g2


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                "donot_use_mm_for_euclid_dist")


class EuclideanDist(Function):
    """Euclidean distances through one matrix product, ``|a|^2 + |b|^2 - 2 a.b`` (clamped at
    0 before the root): PyTorch's path for large inputs. The gradient is ``cdist``'s, with
    ``(a_i - b_j) / d_ij`` summed by matrix products (0 where ``d_ij == 0``)."""
    _raw = True
    saves = (0, 1)
    saves_output = True

    @staticmethod
    def forward(ctx, x1, x2):
        n1 = (x1 * x1).sum(-1, keepdims=True)
        n2 = (x2 * x2).sum(-1, keepdims=True)
        a = np.concatenate([x1 * np.asarray(-2, x1.dtype), n1, np.ones_like(n1)], -1)
        b = np.concatenate([x2, np.ones_like(n2), n2], -1)
        out = np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), 0))
        ctx.x, ctx.y, ctx.out = x1, x2, out
        return out

    @staticmethod
    def backward(ctx, g):
        x1, x2, d = ctx.x, ctx.y, ctx.out
        zero = d == 0
        w = np.where(zero, np.zeros((), d.dtype), g / np.where(zero, np.ones((), d.dtype), d))
        g1 = g2 = None
        if ctx.needs_input_grad[0]:
            g1 = x1 * w.sum(-1)[..., None] - w @ x2
        if ctx.needs_input_grad[1]:
            g2 = x2 * w.sum(-2)[..., None] - np.swapaxes(w, -1, -2) @ x1
        return g1, g2


def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"):
    """Distances between each row of ``x1`` (``..., r1, m``) and each row of ``x2``
    (``..., r2, m``): a ``..., r1, r2`` tensor. For ``p = 2`` and more than 25 rows (or
    ``compute_mode='use_mm_for_euclid_dist'``) it goes through a matrix product, as PyTorch.

    >>> import numtorch as torch
    >>> torch.cdist(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([[3.0, 4.0]]))
    tensor([[5.0000],
            [3.6056]])
    """
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t, pos in (("x1", x1, 1), ("x2", x2, 2)):
        if not isinstance(t, Tensor):
            raise not_tensor("cdist", t, name, pos)
    a, b = x1._data, x2._data
    for name, arr in (("X1", a), ("X2", b)):
        if arr.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {arr.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    for name, arr in (("X1", a), ("X2", b)):
        if arr.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_dtype.legacy_name_np(arr.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.legacy_name_np(a.dtype)} but found "
                           f"{_dtype.legacy_name_np(b.dtype)}")
    p = float(p)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(np.empty(a.shape[:-2]), np.empty(b.shape[:-2])) from None
    r1, r2 = a.shape[-2], b.shape[-2]
    mode = _CDIST_MODES.index(compute_mode)
    if p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        e1 = x1 if a.shape[:-2] == batch else S.expand(x1, batch + a.shape[-2:])
        e2 = x2 if b.shape[:-2] == batch else S.expand(x2, batch + b.shape[-2:])
        res = apply(EuclideanDist, (e1, e2), (e1._data, e2._data))
        return S.reshape(res, batch + (r1, r2))
    return apply(Cdist, (x1, x2), (a, b), p)


# -- trapezoidal rule ----------------------------------------------------------------------------

def _trapezoid_args(fn: str, y, x, dx, dim):
    if not isinstance(y, Tensor):
        raise not_tensor(fn, y, "y")
    if x is not None and dx is not None:
        got = f"Tensor, {type_name(x)}, dx={type_name(dx)}"
        raise overload_error(fn, got, "\n * (Tensor y, Tensor x, *, int dim = -1)\n"
                             " * (Tensor y, *, Number dx = 1, int dim = -1)\n")
    if y._data.dtype == np.bool_:
        raise RuntimeError(f"{fn}: received a bool input for `y`, but bool is not supported")
    if y._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = _wrap_dim(dim, y._data.ndim)
    if y._data.dtype.kind not in "fc":                 # integers: the default float dtype
        y = y.to(_dtype.get_default_dtype())
    if isinstance(dx, Tensor):
        dx = dx.item()
    return y, dim, 1 if dx is None else dx


def _pairs(y: Tensor, dim: int):
    """``y[1:] + y[:-1]`` along ``dim``."""
    n = y._data.shape[dim]
    return E.add(S.narrow(y, dim, 1, n - 1), S.narrow(y, dim, 0, n - 1))


def _x_diff(fn: str, x: Tensor, y: Tensor, dim: int) -> Tensor:
    """The spacings ``x[1:] - x[:-1]`` aligned with ``y``'s ``dim`` (a 1-D ``x`` lies along it)."""
    n = y._data.shape[dim]
    if x._data.ndim == 1:
        if x._data.shape[0] != n:
            raise RuntimeError(f"{fn}: There must be one `x` value for each sample point")
        dx = E.sub(S.narrow(x, 0, 1, n - 1), S.narrow(x, 0, 0, n - 1))
        shape = [1] * y._data.ndim
        shape[dim] = n - 1
        return S.reshape(dx, tuple(shape))
    xd = _wrap_dim(dim - y._data.ndim, x._data.ndim) if x._data.ndim else 0
    m = x._data.shape[xd] if x._data.ndim else 0
    return E.sub(S.narrow(x, xd, 1, max(m - 1, 0)), S.narrow(x, xd, 0, max(m - 1, 0)))


def trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: samples ``y`` at points ``x`` (or spaced ``dx``).

    >>> import numtorch as torch
    >>> torch.trapezoid(torch.tensor([1.0, 2.0, 4.0]), dx=0.5)
    tensor(2.2500)
    """
    y, dim, step = _trapezoid_args("trapezoid", y, x, dx, dim)
    n = y._data.shape[dim]
    if n == 0:
        shape = y._data.shape[:dim] + y._data.shape[dim + 1:]
        return Tensor._make(np.zeros(shape, y._data.dtype))
    if x is None:
        ends = E.add(S.select(y, dim, 0), S.select(y, dim, -1))
        return E.mul(E.sub(R.sum(y, dim), E.mul(ends, 0.5)), step)
    if not isinstance(x, Tensor):
        raise not_tensor("trapezoid", x, "x", 2)
    return E.div(R.sum(E.mul(_x_diff("trapezoid", x, y, dim), _pairs(y, dim)), dim), 2)


def trapz(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """``trapezoid`` (its older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral along ``dim`` (one element shorter than ``y`` there).

    >>> import numtorch as torch
    >>> torch.cumulative_trapezoid(torch.tensor([1.0, 2.0, 4.0]))
    tensor([1.5000, 4.5000])
    """
    y, dim, step = _trapezoid_args("cumulative_trapezoid", y, x, dx, dim)
    n = y._data.shape[dim]
    if n == 0:
        shape = list(y._data.shape)
        shape[dim] = 0
        return Tensor._make(np.zeros(shape, y._data.dtype))
    if x is None:
        return R.cumsum(E.div(E.mul(_pairs(y, dim), step), 2), dim)
    if not isinstance(x, Tensor):
        raise not_tensor("cumulative_trapezoid", x, "x", 2)
    diff = _x_diff("cumulative_trapezoid", x, y, dim)
    return E.div(R.cumsum(E.mul(diff, _pairs(y, dim)), dim), 2)


__all__ = ["cartesian_prod", "combinations", "tril_indices", "triu_indices", "block_diag", "kron",
           "rot90", "cdist", "trapezoid", "trapz", "cumulative_trapezoid"]
