"""Products with PyTorch's BLAS-style signatures: ``tensordot``, ``vdot``, ``addmv``, ``addr``,
``baddbmm``, ``addbmm``, ``chain_matmul`` (and the in-place and method forms).

Built on numtorch's ``mm``/``matmul`` kernels, which sum small products in PyTorch's order; a
fused ``beta * input + alpha * (product)`` node per op carries PyTorch's node name.

>>> import numtorch as torch
>>> torch.addmv(torch.ones(2), torch.eye(2), torch.tensor([3.0, 4.0]))
tensor([4., 5.])
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply
from ._scalars import coefficients
from ._small_gemm import addmm_exact, matmul_exact
from .linalg import Dot, mm
from .shape import clone, permute, reshape
from .shape_extra import _legacy, _run

__all__ = ["tensordot", "vdot", "addmv", "addr", "baddbmm", "addbmm", "chain_matmul"]


# -- -----------------------------------------------------------------------------------

def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Sum of products over the last ``dims`` dimensions of ``a`` and the first of ``b``
    (or over the dimension lists ``dims = (dims_a, dims_b)``).

    >>> import numtorch as torch
    >>> torch.tensordot(torch.ones(2, 3, 4), torch.ones(3, 4, 5), dims=2).shape
    torch.Size([2, 5])
    """
    x, y = a._data, b._data
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims._data.ndim else int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(x.ndim, y.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(x.ndim - dims, x.ndim)), list(range(dims))
        shown = (list(range(-dims, 0)), db)
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        shown = (da, db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")
    da = [_wrap_dim(d, x.ndim) for d in da]
    db = [_wrap_dim(d, y.ndim) for d in db]
    for i, j, si, sj in zip(da, db, *shown):
        if x.shape[i] != y.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{x.shape[i]} in dim {si} and second has size {y.shape[j]} in "
                               f"dim {sj}")
    fa = [d for d in range(x.ndim) if d not in da]
    fb = [d for d in range(y.ndim) if d not in db]
    k = int(np.prod([x.shape[d] for d in da], dtype=np.int64))
    ma = int(np.prod([x.shape[d] for d in fa], dtype=np.int64))
    nb = int(np.prod([y.shape[d] for d in fb], dtype=np.int64))
    pa = a if fa + da == list(range(x.ndim)) else permute(a, fa + da)
    pb = b if db + fb == list(range(y.ndim)) else permute(b, db + fb)
    r = mm(reshape(pa, (ma, k)), reshape(pb, (k, nb)))
    r = reshape(r, tuple(x.shape[d] for d in fa) + tuple(y.shape[d] for d in fb))
    if out is not None:
        from ._apply import write_out
        return write_out("tensordot", r, out)
    return r


class Vdot(Dot):
    _raw = True
    _name = "VdotBackward0"


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors (the first conjugated).

    >>> import numtorch as torch
    >>> torch.vdot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_legacy(input).replace('Tensor', '')} and "
                           f"{_legacy(other).replace('Tensor', '')}")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype.kind == "c":
        from .complex_ops import conj
        input = conj(input).resolve_conj() if hasattr(conj(input), "resolve_conj") else conj(input)
        a = input._data
    r = apply(Vdot, (input, other), (a, b))
    if out is not None:
        from ._apply import write_out
        return write_out("vdot", r, out)
    return r


def _scaled(p, c, beta, alpha):
    """``beta * c + alpha * p`` as PyTorch rounds it (beta == 0: ``c`` is ignored)."""
    if alpha != 1:
        p = p * alpha
    if beta == 0:
        return np.broadcast_to(p, np.broadcast_shapes(p.shape, c.shape)).copy()
    return p + (c if beta == 1 else c * beta)


class _FusedProduct(Function):
    """``beta * c + alpha * (a ⊗ b)`` for one product ⊗: the subclasses' ``_prod``."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (1, 2)
    saved_inputs = ("c", "a", "b")

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        raise NotImplementedError

    @staticmethod
    def _grads(ctx, g):
        raise NotImplementedError

    @classmethod
    def backward(cls, ctx, g):
        need = ctx.needs_input_grad
        gc = None
        if need[0]:
            gc = (g if ctx.beta == 1 else g * ctx.beta) if ctx.beta != 0 else g * 0
        ga, gb = cls._grads(ctx, g, need)
        if ctx.alpha != 1:
            ga = None if ga is None else ga * ctx.alpha
            gb = None if gb is None else gb * ctx.alpha
        return gc, ga, gb


class Addmv(_FusedProduct):
    _raw = True
    _name = "AddmvBackward0"

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        if alpha == 0:                  # as BLAS's gemv: the product is skipped (NaN included)
            return _scaled(np.zeros_like(a, shape=a.shape[:1]), c, beta, 1)
        return _scaled(matmul_exact(a, b[:, None])[:, 0], c, beta, alpha)

    @staticmethod
    def _grads(ctx, g, need):
        return (np.outer(g, ctx.b) if need[1] else None,
                np.matmul(ctx.a.T, g) if need[2] else None)


class Addr(_FusedProduct):
    _raw = True
    _name = "AddrBackward0"

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        p = np.outer(a if alpha == 1 else a * alpha, b)       # PyTorch: (alpha * v1) * v2
        if beta == 0 or beta == 1:
            return _scaled(p, c, beta, 1)
        if p.dtype.kind != "f" or p.dtype.itemsize > 8:
            return _scaled(p, c, beta, 1)
        be = np.asarray(beta, p.dtype)                 # then fma(beta, self, that)
        if p.dtype.itemsize == 8:
            from .._fma import fma64
            return fma64(be, np.broadcast_to(c, p.shape), p)
        wide = be.astype(np.float64) * c.astype(np.float64) + p.astype(np.float64)
        return np.broadcast_to(wide, p.shape).astype(p.dtype)

    @staticmethod
    def _grads(ctx, g, need):
        return (np.matmul(g, ctx.b) if need[1] else None,
                np.matmul(ctx.a, g) if need[2] else None)


class Baddbmm(_FusedProduct):
    _raw = True
    _name = "BaddbmmBackward0"

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        k, m, n = a.shape[2], a.shape[1], b.shape[2]
        if k * m * n < 400:     # PyTorch's own small kernel: a plain sum in k order
            p = np.add.reduce(np.transpose(a, (2, 0, 1))[..., None] *
                              np.transpose(b, (1, 0, 2))[:, :, None, :], axis=0)
        elif alpha == 0:                # BLAS skips the product (NaN included)
            p = np.zeros_like(a, shape=(a.shape[0], m, n))
        elif a.shape[0]:
            p = np.stack([matmul_exact(a[i], b[i]) for i in range(a.shape[0])])
        else:
            p = np.matmul(a, b)
        return _scaled(p, c, beta, alpha)

    @staticmethod
    def _grads(ctx, g, need):
        return (np.matmul(g, np.swapaxes(ctx.b, -1, -2)) if need[1] else None,
                np.matmul(np.swapaxes(ctx.a, -1, -2), g) if need[2] else None)


class Addbmm(_FusedProduct):
    _raw = True
    _name = "AddbmmBackward0"

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        shape = (a.shape[1], b.shape[2])
        out = np.zeros(shape, a.dtype) if beta == 0 else \
            np.broadcast_to(c if beta == 1 else c * beta, shape).copy()
        for i in range(a.shape[0] if alpha != 0 else 0):   # one product at a time (addmm)
            out = addmm_exact(out, a[i], b[i]) if alpha == 1 else \
                out + matmul_exact(a[i], b[i]) * alpha
        return out

    @staticmethod
    def _grads(ctx, g, need):
        a, b = ctx.a, ctx.b
        ga = np.matmul(g, np.swapaxes(b, -1, -2)) if need[1] else None
        gb = np.matmul(np.swapaxes(a, -1, -2), g) if need[2] else None
        return ga, gb


def _fused(fn, cls, input, a, b, beta, alpha, ranks, inplace, out_shape):
    for t, name in ((a, "mat1"), (b, "mat2")):
        if not isinstance(t, Tensor):
            from .._errors import not_tensor
            raise not_tensor(fn, t, name, 2)
    x, y = a._data, b._data
    if (x.ndim, y.ndim) != ranks or (fn == "addmv" and input._data.ndim > 1):
        raise RuntimeError(_RANK_ERRORS[fn].format(x.ndim, y.ndim, input._data.ndim))
    if x.dtype != y.dtype or input._data.dtype != x.dtype:
        bad = b if x.dtype != y.dtype else input
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_dtype.cpp_name(a.dtype)} != {_dtype.cpp_name(bad.dtype)}")
    shape = out_shape(x, y)
    if shape is None:
        raise RuntimeError(_SHAPE_ERRORS[fn](x, y))
    c = input._data
    name = fn + "_" if inplace else fn
    beta, alpha = coefficients(name, x.dtype, beta, alpha, _BOOL_KERNELS.get(fn))
    try:
        target = np.broadcast_shapes(c.shape, shape)
    except ValueError:
        target = None
    if target != tuple(shape) or (inplace and c.shape != tuple(shape)):
        if fn == "addmv":
            raise RuntimeError(f"size mismatch, got input ({c.size}), mat ({x.shape[0]}x"
                               f"{x.shape[1]}), vec ({y.shape[0]})")
        from ._apply import expand_error
        raise expand_error(c.shape, tuple(shape))
    return _run(cls, inplace, (input, a, b), (c, x, y), beta, alpha)


# PyTorch's kernel names in its "not implemented for 'Bool'" errors (addr works on bools)
_BOOL_KERNELS = {"addmv": "addmv_impl_cpu", "baddbmm": "baddbmm", "addbmm": "addmm_impl_cpu_"}

_RANK_ERRORS = {
    "addmv": "vector + matrix @ vector expected, got {2}, {0}, {1}",
    "addr": "addr: Expected 1-D argument vec1, but got {}-D",
    "baddbmm": "batch1 must be a 3D tensor",
    "addbmm": "batch1 must be a 3D tensor",
}
_SHAPE_ERRORS = {
    "addmv": lambda x, y: f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x"
                          f"{x.shape[1]}), vec ({y.shape[0]})",
    "baddbmm": lambda x, y: f"Expected size for first two dimensions of batch2 tensor to be: "
                            f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}].",
    "addbmm": lambda x, y: (f"batch1 and batch2 must have same number of batches, got "
                            f"{x.shape[0]} and {y.shape[0]}" if x.shape[0] != y.shape[0] else
                            f"Incompatible matrix sizes for bmm ({x.shape[1]}x{x.shape[2]} and "
                            f"{y.shape[1]}x{y.shape[2]})"),
}


def _mv_shape(x, y):
    return (x.shape[0],) if x.shape[1] == y.shape[0] else None


def _bmm_shape(x, y):
    ok = x.shape[0] == y.shape[0] and x.shape[2] == y.shape[1]
    return (x.shape[0], x.shape[1], y.shape[2]) if ok else None


def _addbmm_shape(x, y):
    ok = x.shape[0] == y.shape[0] and x.shape[2] == y.shape[1]
    return (x.shape[1], y.shape[2]) if ok else None


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``.

    >>> import numtorch as torch
    >>> torch.addmv(torch.ones(2), torch.ones(2, 3), torch.ones(3))
    tensor([4., 4.])
    """
    r = _fused("addmv", Addmv, input, mat, vec, beta, alpha, (2, 1), False, _mv_shape)
    return r if out is None else _write("addmv", r, out)


def addmv_(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place ``addmv``.

    >>> import numtorch as torch
    >>> torch.zeros(2).addmv_(torch.eye(2), torch.tensor([1.0, 2.0]), alpha=2)
    tensor([2., 4.])
    """
    return _fused("addmv", Addmv, input, mat, vec, beta, alpha, (2, 1), True, _mv_shape)


def _addr_shape(x, y):
    return (x.shape[0], y.shape[0])


def _check_addr(vec1, vec2):
    for t, name in ((vec1, "vec1"), (vec2, "vec2")):
        if isinstance(t, Tensor) and t._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t._data.ndim}-D")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    >>> import numtorch as torch
    >>> torch.addr(torch.zeros(2, 2), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    _check_addr(vec1, vec2)
    r = _fused("addr", Addr, input, vec1, vec2, beta, alpha, (1, 1), False, _addr_shape)
    return r if out is None else _write("addr", r, out)


def addr_(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place ``addr``.

    >>> import numtorch as torch
    >>> torch.ones(1, 2).addr_(torch.tensor([2.0]), torch.tensor([1.0, 3.0]))
    tensor([[3., 7.]])
    """
    _check_addr(vec1, vec2)
    return _fused("addr", Addr, input, vec1, vec2, beta, alpha, (1, 1), True, _addr_shape)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
            out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``.

    >>> import numtorch as torch
    >>> torch.baddbmm(torch.ones(2, 1, 1), torch.ones(2, 1, 3), torch.ones(2, 3, 1)).flatten()
    tensor([4., 4.])
    """
    _check_batch(batch1, batch2)
    r = _fused("baddbmm", Baddbmm, input, batch1, batch2, beta, alpha, (3, 3), False, _bmm_shape)
    return r if out is None else _write("baddbmm", r, out)


def baddbmm_(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place ``baddbmm``.

    >>> import numtorch as torch
    >>> torch.zeros(1, 1, 1).baddbmm_(torch.ones(1, 1, 2), torch.ones(1, 2, 1)).item()
    2.0
    """
    _check_batch(batch1, batch2)
    return _fused("baddbmm", Baddbmm, input, batch1, batch2, beta, alpha, (3, 3), True,
                  _bmm_shape)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
           out=None) -> Tensor:
    """``beta * input + alpha * (sum of the batch's matrix products)``.

    >>> import numtorch as torch
    >>> torch.addbmm(torch.zeros(1, 1), torch.ones(3, 1, 2), torch.ones(3, 2, 1))
    tensor([[6.]])
    """
    _check_batch(batch1, batch2)
    r = _fused("addbmm", Addbmm, input, batch1, batch2, beta, alpha, (3, 3), False,
               _addbmm_shape)
    return r if out is None else _write("addbmm", r, out)


def addbmm_(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """In-place ``addbmm``.

    >>> import numtorch as torch
    >>> torch.ones(1, 1).addbmm_(torch.ones(2, 1, 1), torch.ones(2, 1, 1), beta=0)
    tensor([[2.]])
    """
    _check_batch(batch1, batch2)
    return _fused("addbmm", Addbmm, input, batch1, batch2, beta, alpha, (3, 3), True,
                  _addbmm_shape)


def _check_batch(b1, b2):
    for t, name in ((b1, "batch1"), (b2, "batch2")):
        if isinstance(t, Tensor) and t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")


def _write(fn, r, out):
    from ._apply import write_out
    return write_out(fn, r, out)


def chain_matmul(*matrices, out=None) -> Tensor:
    """The product of the matrices, in the cheapest order (deprecated: ``linalg.multi_dot``).

    >>> import numtorch as torch, warnings
    >>> warnings.simplefilter("ignore")
    >>> torch.chain_matmul(torch.ones(2, 3), torch.ones(3, 4), torch.ones(4, 1))
    tensor([[12.],
            [12.]])
    """
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for i, m in enumerate(matrices):
        if m._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        r = clone(matrices[0])
    else:
        from .linalg_extra import multi_dot
        r = multi_dot(list(matrices))
    return r if out is None else _write("chain_matmul", r, out)
