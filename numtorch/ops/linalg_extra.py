"""The rest of ``torch.linalg``: pinv, lstsq, matrix_exp, cross, solve_triangular,
cholesky_solve / cholesky_inverse, the norms, matrix_rank, matrix_power, multi_dot, vecdot.

Ops with a gradient formula of their own are nodes here (``LinalgPinvBackward0``,
``LinalgMatrixExpBackward0``, ...); the others are compositions of differentiable ops, as in
PyTorch (``matrix_norm(A, 1)`` ends in ``amax``, ``matrix_power`` in ``mm``).

>>> import numtorch as torch
>>> torch.linalg.matrix_norm(torch.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
tensor(6.)
>>> torch.linalg.matrix_power(torch.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
tensor([[1., 3.],
        [0., 1.]])
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, broadcast_error, _NO_CTX
from ._tensor_array import TensorArray
from . import shape as S, reduce as R, math as M, convert as C, linalg_decomp as D
from .linalg import matmul
from .linalg_decomp import (check_square, check_matrix, check_float, return_type, mT, np_solve,
                            solve_, inv, svdvals, _out, _out_tuple, _tensor_of, _traced)

_make = Tensor._make

linalg_lstsq = return_type("linalg_lstsq", "solution residuals rank singular_values", __name__)
triangular_solve_type = return_type("triangular_solve", "solution cloned_coefficient", __name__,
                                    "triangular_solve_type")


def _eps(dtype) -> float:
    return float(np.finfo(dtype).eps)


def _value(v):
    """A tolerance given as a number or a tensor: its array (broadcast over the batch)."""
    return v._data if isinstance(v, Tensor) else v


def _tolerances(a: np.ndarray, atol, rtol) -> tuple:
    """PyTorch's defaults: ``rtol = eps * max(m, n)`` unless given, or 0 when only a positive
    ``atol`` is; ``atol = 0`` unless given."""
    if rtol is None:
        given = atol is not None and np.any(np.asarray(atol) > 0)
        rtol = 0.0 if given else _eps(a.dtype) * max(a.shape[-2:])
    return (0.0 if atol is None else atol), rtol


# -- pinv ---------------------------------------------------------------------------------------

def np_pinv(a: np.ndarray, atol, rtol, hermitian: bool) -> np.ndarray:
    """The pseudoinverse of the batch ``a``: singular values at most ``max(atol, rtol * s_max)``
    count as zero (``rtol`` None: ``eps * max(m, n)``, or 0 when ``atol`` is given)."""
    atol, rtol = _tolerances(a, atol, rtol)
    if hermitian:
        w, v = np.linalg.eigh(a)
        s = np.abs(w)
    else:
        u, s, vh = np.linalg.svd(a, full_matrices=False)
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    cut = np.maximum(np.asarray(atol)[..., None], np.asarray(rtol)[..., None] * smax)
    keep = s > cut
    if hermitian:
        winv = np.where(keep, 1 / np.where(keep, w, 1), 0).astype(a.dtype)
        return (v * winv[..., None, :]) @ mT(v)
    sinv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    return (mT(vh) * sinv[..., None, :]) @ mT(u)


def _pinv_grad(a, p, g):
    """The gradient of ``P = pinv(A)`` for ``dL/dP = g`` (valid where the rank is locally
    constant): ``-Pᵀ g Pᵀ + (I - A P) gᵀ P Pᵀ + Pᵀ P gᵀ (I - P A)``."""
    pt = mT(p)
    gt = mT(g)
    ppt = p @ pt
    x = gt @ ppt
    y = pt @ (p @ gt)
    return -(pt @ g @ pt) + (x - a @ (p @ x)) + (y - (y @ p) @ a)


class Pinv(Function):
    _raw = True
    _name = "LinalgPinvBackward0"
    saves = (0,)
    saves_output = True
    saved_inputs = ("a",)

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        out = np_pinv(a, atol, rtol, hermitian)
        ctx.a, ctx.out = a, out
        return out

    @staticmethod
    def backward(ctx, g):
        return (_pinv_grad(ctx.a, ctx.out, g),)


def pinv(A: Tensor, rcond=None, hermitian: bool = False, *, atol=None, rtol=None,
         out=None) -> Tensor:
    """The Moore-Penrose pseudoinverse (through the SVD, or the eigendecomposition when
    ``hermitian``); ``rcond`` is the older name of ``rtol``.

    >>> import numtorch as torch
    >>> torch.linalg.pinv(torch.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    a = A._data
    if a.ndim < 2 or a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise RuntimeError(f"linalg.pinv({_dtype.legacy_name_np(a.dtype)}{list(a.shape)}): "
                           "expected a tensor with 2 or more dimensions of float, double, cfloat "
                           "or cdouble types".replace("[", "{[").replace("]", "]}"))
    if rcond is not None:
        rtol = rcond
    D.real_grad_only("linalg.pinv", A)
    return _out(apply(Pinv, (A,), (a, _value(atol), _value(rtol), bool(hermitian))), out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``torch.pinverse``: ``torch.linalg.pinv`` with relative tolerance ``rcond``."""
    return pinv(input, rtol=rcond)


def _pinv_(a, rtol):
    if type(a) is np.ndarray:
        return np_pinv(a, None, rtol, False)
    return TensorArray(pinv(a.t, rtol=rtol))


# -- matrix_rank ----------------------------------------------------------------------------------

def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None,
                out=None) -> Tensor:
    """The number of singular values above ``max(atol, rtol * s_max)`` (int64); ``tol`` is
    the older name of ``atol``."""
    a = A._data
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least "
                           "2 dimensions.")
    if a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = _tolerances(a, _value(atol), _value(rtol))
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    smax = s.max(-1) if s.shape[-1] else np.zeros(s.shape[:-1], s.dtype)
    cut = np.maximum(atol, np.asarray(rtol) * smax)
    return _out(_make(np.asarray((s > cut[..., None]).sum(-1), np.int64)), out)


# -- lstsq ----------------------------------------------------------------------------------------

class Lstsq(D.Multi):
    """``(solution, residuals)``: one node, as PyTorch's (``residuals`` empty unless asked)."""
    _name = "LinalgLstsqBackward0"
    _n_out = 2
    saves = (0, 1)
    saved_inputs = ("a", "b")
    saved_outputs = ("X",)

    @staticmethod
    def forward(ctx, a, b, rtol, vec, residuals):
        bm = b[..., None] if vec else b
        x = np_pinv(a, None, rtol, False) @ bm
        res = (np.square(a @ x - bm).sum(-2) if residuals else np.zeros((0,), a.dtype))
        x = x[..., 0] if vec else x
        ctx.a, ctx.b, ctx.X, ctx.rtol, ctx.vec, ctx.residuals = a, b, x, rtol, vec, residuals
        return x, res

    @staticmethod
    def vjp(ctx, gx, gres):
        a, b, x = ctx.a, ctx.b, ctx.X
        if ctx.vec:
            b, x = b[..., None], x[..., None]
            gx = None if gx is None else gx[..., None]
        ga = gb = None
        if gx is not None:
            p = _pinv_(a, ctx.rtol)
            ga = _pinv_grad(a, p, gx @ mT(b))
            gb = mT(p) @ gx
        if gres is not None and ctx.residuals:        # ||A x_j - b_j||², x_j optimal
            e = (a @ x - b) * gres[..., None, :]
            ga = 2 * e @ mT(x) if ga is None else ga + 2 * e @ mT(x)
            gb = -2 * e if gb is None else gb - 2 * e
        if ctx.vec and gb is not None:
            gb = gb[..., 0]
        need = ctx.needs_input_grad
        return ga if need[0] else None, gb if need[1] else None


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares (minimum-norm) solution of ``A X = B``, with what PyTorch's CPU
    drivers report: ``(solution, residuals, rank, singular_values)``. The default driver,
    'gelsy', gives the rank and no residuals or singular values; 'gelsd'/'gelss' give all
    three; 'gels' the residuals only (residuals: squared residual norms of the columns, when
    ``m > n`` and every matrix has full rank)."""
    a, b = A._data, B._data
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, "
                           f"but got input's dtype {_dtype.legacy_name_np(a.dtype)} and other's "
                           f"dtype {_dtype.legacy_name_np(b.dtype)}")
    vec = b.ndim == a.ndim - 1
    m, n = a.shape[-2:]
    if (b.shape[-1] if vec else b.shape[-2]) != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    rtol = _eps(a.dtype) * max(m, n) if rcond is None or rcond < 0 else rcond
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-1] if vec else b.shape[:-2])
    if driver == "gels":
        rank = _make(np.zeros((0,), np.int64))
    else:
        rank = _make(np.broadcast_to(matrix_rank(A.detach(), rtol=rtol)._data, batch).copy())
    sv = svdvals(A.detach()) if driver in ("gelsd", "gelss") else _make(np.zeros((0,), a.dtype))
    residuals = driver != "gelsy" and m > n and (driver == "gels" or bool(np.all(rank._data == n)))
    D.real_grad_only("linalg.lstsq", A, B)
    x, res = D.apply_multi(Lstsq, (A, B), (a, b, rtol, vec, residuals))
    return linalg_lstsq(x, res, rank, sv)


# -- matrix_exp -----------------------------------------------------------------------------------

_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def np_matrix_exp(a: np.ndarray) -> np.ndarray:
    """``exp(a)`` for a batch of square matrices: scaling and squaring with the degree-13 Padé
    approximant (Higham 2005), in float64."""
    dt = a.dtype
    x = a.astype(np.float64)
    n = x.shape[-1]
    if n == 0 or x.size == 0:
        return np.zeros_like(a)
    norm = np.abs(x).sum(-2).max(-1)                            # the 1-norm of each matrix
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(norm / _THETA13))).astype(np.int64)
    s = np.where(np.isfinite(norm), s, 0)
    x = x / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        r = np.where((k < s)[..., None, None], r @ r, r)
    return r.astype(dt)


class MatrixExp(Function):
    _raw = True
    _name = "LinalgMatrixExpBackward0"
    saves = (0,)
    saved_inputs = ("a",)

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        return np_matrix_exp(a)

    @staticmethod
    def backward(ctx, g):
        # the gradient is the upper-right block of exp([[Aᵀ, g], [0, Aᵀ]])
        at = mT(ctx.a)
        n = at.shape[-1]
        top = np.concatenate([at, g], -1)
        bottom = np.concatenate([np.zeros_like(g), at], -1)
        return (_matrix_exp_(np.concatenate([top, bottom], -2))[..., :n, n:],)


def _matrix_exp_(a):
    if type(a) is np.ndarray:
        return np_matrix_exp(a)
    return TensorArray(matrix_exp(a.t))


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential ``sum_k A^k / k!`` of a square matrix (or a batch).

    >>> import numtorch as torch
    >>> torch.linalg.matrix_exp(torch.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    check_square("linalg.matrix_exp", A)
    check_float("linalg.matrix_exp", A)
    D.real_grad_only("linalg.matrix_exp", A)
    return apply(MatrixExp, (A,), (A._data,))


# -- cross ----------------------------------------------------------------------------------------

class Cross(Function):
    _raw = True
    _name = "LinalgCrossBackward0"
    saves = (0, 1)
    saved_inputs = ("a", "b")

    @staticmethod
    def forward(ctx, a, b, axis):
        ctx.a, ctx.b, ctx.axis = a, b, axis
        return np.cross(a, b, axis=axis)

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        return (_cross_(ctx.b, g, ctx.axis) if need[0] else None,
                _cross_(g, ctx.a, ctx.axis) if need[1] else None)


def _cross_(a, b, axis):
    if not _traced(a, b):
        return np.cross(a, b, axis=axis)
    return TensorArray(cross(_tensor_of(a), _tensor_of(b), dim=axis))


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the inputs broadcast).

    >>> import numtorch as torch
    >>> torch.linalg.cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    axis = _wrap_dim(dim, a.ndim)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[axis]} and {b.shape[axis]}")
    if a.dtype != b.dtype:
        d = _dtype.promote_types(input.dtype, other.dtype).np
        a, b = a.astype(d), b.astype(d)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(a, b) from None
    D.real_grad_only("linalg.cross", input, other)
    return _out(apply(Cross, (input, other), (a, b, axis)), out)


def torch_cross(input: Tensor, other: Tensor, dim: int | None = None, *, out=None) -> Tensor:
    """``torch.cross``: without ``dim``, the first dimension of size 3 (deprecated)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dims = [i for i, n in enumerate(shape) if n == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return cross(input, other, dim=dim, out=out)


# -- triangular systems, cholesky_solve / cholesky_inverse ----------------------------------------

def _tri(a, upper: bool, unit: bool):
    """The triangle of ``a`` a triangular solver reads (unit diagonal when ``unit``)."""
    if unit:
        n = a.shape[-1]
        return (np.triu(a, 1) if upper else np.tril(a, -1)) + np.eye(n, dtype=a.dtype)
    return np.triu(a) if upper else np.tril(a)


class SolveTriangular(Function):
    _raw = True
    _name = "LinalgSolveTriangularBackward0"
    saves = (0,)
    saves_output = True
    saved_inputs = ("a", "b")

    @staticmethod
    def forward(ctx, a, b, upper, left, unit):
        t = _tri(a, upper, unit)
        x = _tri_solve(t, b) if left else mT(_tri_solve(mT(t), mT(b)))
        ctx.a, ctx.upper, ctx.left, ctx.unit, ctx.out = a, upper, left, unit, x
        return x

    @staticmethod
    def backward(ctx, g):
        return _triangular_vjp(ctx.a, ctx.out, g, ctx.upper, ctx.left, ctx.unit, False,
                               ctx.needs_input_grad[0])[::-1]


def _triangular_vjp(a, x, g, upper, left, unit, transpose, need_a):
    """``(gB, gA)`` for ``X = op(T)⁻¹ B`` (``B op(T)⁻¹`` when not ``left``), ``T`` the
    triangle of ``a`` and ``op`` the transpose when ``transpose``."""
    t = _tri(a, upper, unit)
    op = mT(t) if transpose else t
    if left:                                       # op(T) X = B
        gb = solve_(mT(op), g)
        gop = -(gb @ mT(x))
    else:                                          # X op(T) = B
        gb = mT(solve_(op, mT(g)))
        gop = -(mT(x) @ gb)
    if not need_a:
        return gb, None
    gt = mT(gop) if transpose else gop
    return gb, np.triu(gt, 1 if unit else 0) if upper else np.tril(gt, -1 if unit else 0)


class TriangularSolve(D.Multi):
    """``torch.triangular_solve``: ``(solution, cloned_coefficient)`` from one node."""
    _name = "TriangularSolveBackward0"
    _n_out = 2
    saves = (1,)
    saved_inputs = ("b", "a")
    saved_outputs = ("X",)

    @staticmethod
    def forward(ctx, b, a, upper, transpose, unit):
        t = _tri(a, upper, unit)
        x = _tri_solve(mT(t) if transpose else t, b)
        ctx.a, ctx.X, ctx.upper, ctx.transpose, ctx.unit = a, x, upper, transpose, unit
        return x, a.copy()

    @staticmethod
    def vjp(ctx, gx, gcoef):
        need = ctx.needs_input_grad
        gb = ga = None
        if gx is not None:
            gb, ga = _triangular_vjp(ctx.a, ctx.X, gx, ctx.upper, True, ctx.unit, ctx.transpose,
                                     need[1])
        if gcoef is not None:
            ga = gcoef if ga is None else ga + gcoef
        return gb if need[0] else None, ga if need[1] else None


def _tri_solve(t: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``t⁻¹ b`` for triangular ``t``: a singular ``t`` gives inf/NaN, as LAPACK's trtrs."""
    try:
        return np.linalg.solve(t, b)
    except np.linalg.LinAlgError:
        n = t.shape[-1]
        d = np.diagonal(t, 0, -2, -1)
        safe = t + np.where(d == 0, 1, 0)[..., None] * np.eye(n, dtype=t.dtype)
        x = np.linalg.solve(safe, b)
        bad = np.any(d == 0, -1)[..., None, None]
        return np.where(bad, x * np.inf, x)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """The solution of ``A X = B`` (``X A = B`` when not ``left``) for triangular ``A`` (its
    upper or lower triangle is read; with ``unitriangular`` its diagonal is taken as ones)."""
    A, B = _triangular_args(A, B, left)
    D.real_grad_only("linalg.solve_triangular", A, B)
    return _out(apply(SolveTriangular, (A, B), (A._data, B._data, bool(upper), bool(left),
                                                 bool(unitriangular))), out)


def _triangular_args(A: Tensor, B: Tensor, left: bool):
    check_square("linalg.solve_triangular", A)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 "
                           "dimensions.")
    a, b = A._data, B._data
    n = a.shape[-1]
    rows = b.shape[-2] if left else b.shape[-1]
    if rows != n:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the "
                           f"equation {'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        bad = a.dtype if a.dtype.kind not in "fc" else b.dtype
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(bad)}'")
    if a.dtype != b.dtype:
        d = _dtype._BY_NP[np.result_type(a.dtype, b.dtype)]
        A, B = C.to(A, d), C.to(B, d)
    return A, B


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """``torch.triangular_solve`` (deprecated in PyTorch): ``(solution, cloned_coefficient)``
    of ``op(A) X = b`` with ``op`` the transpose when ``transpose``."""
    warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
                  "and will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular "
                  "has its arguments reversed and does not return a copy of one of the inputs."
                  "\nX = torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
                  "torch.linalg.solve_triangular(A, B).", UserWarning, stacklevel=2)
    A, b = _triangular_args(A, b, True)
    D.real_grad_only("triangular_solve", b, A)
    res = D.apply_multi(TriangularSolve, (b, A), (b._data, A._data, bool(upper), bool(transpose),
                                                 bool(unitriangular)))
    return _out_tuple(triangular_solve_type(*res), out)


class CholeskySolve(Function):
    _raw = True
    _name = "CholeskySolveBackward0"
    saves = (1,)
    saves_output = True
    saved_inputs = ("b", "l")

    @staticmethod
    def forward(ctx, b, l, upper):
        t = np.triu(l) if upper else np.tril(l)
        low = mT(t) if upper else t
        x = np_solve(mT(low), np_solve(low, b, "cholesky_solve"), "cholesky_solve")
        ctx.l, ctx.upper, ctx.out = l, upper, x
        return x

    @staticmethod
    def backward(ctx, g):
        upper, x = ctx.upper, ctx.out
        gb = _cholesky_solve_(g, ctx.l, upper)
        gl = None
        if ctx.needs_input_grad[1]:                    # (PyTorch's formula: with all of L)
            sym = gb @ mT(x) + x @ mT(gb)
            gl = -(ctx.l @ sym) if upper else -(sym @ ctx.l)
        return gb if ctx.needs_input_grad[0] else None, gl


def _cholesky_solve_(b, l, upper):
    if not _traced(b, l):
        return CholeskySolve.forward(_NO_CTX, b, l, upper)
    return TensorArray(cholesky_solve(_tensor_of(b), _tensor_of(l), upper))


class CholeskyInverse(CholeskySolve):
    """``(L Lᵀ)⁻¹``: ``cholesky_solve`` of the identity."""
    _raw = True
    _name = "CholeskyInverseBackward0"


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The solution of ``A X = B`` given the Cholesky factor ``L`` of ``A`` (``A = L Lᵀ``, or
    ``Uᵀ U`` when ``upper``)."""
    b, l = B._data, L._data
    if b.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {b.ndim} dimensions "
                           "instead")
    if l.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {l.ndim} dimensions "
                           "instead")
    if b.dtype != l.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_dtype.legacy_name_np(b.dtype)} and A of type "
                           f"{_dtype.legacy_name_np(l.dtype)} instead.")
    if l.shape[-1] != l.shape[-2] or b.shape[-2] != l.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{l.shape[-2]} by {l.shape[-1]} but each b matrix is {b.shape[-2]} "
                           f"by {b.shape[-1]}")
    if b.dtype.kind not in "fc" or b.dtype == np.float16:
        raise NotImplementedError(f"\"cholesky_solve_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(b.dtype)}'")
    D.real_grad_only("cholesky_solve", B, L)
    return _out(apply(CholeskySolve, (B, L), (b, l, bool(upper))), out)


def cholesky_inverse(L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """``A⁻¹`` given the Cholesky factor of ``A``."""
    check_square("cholesky_inverse", L)
    l = L._data
    if l.dtype.kind not in "fc" or l.dtype == np.float16:
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(l.dtype)}'")
    eye = np.broadcast_to(np.eye(l.shape[-1], dtype=l.dtype), l.shape)
    D.real_grad_only("cholesky_inverse", L)
    return _out(apply(CholeskyInverse, (None, L), (eye, l, bool(upper))), out)


# -- norms ----------------------------------------------------------------------------------------

def _norm_input(name: str, x: Tensor, dtype) -> Tensor:
    d = x._data.dtype
    if d.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype.legacy_name_np(d)}")
    if dtype is not None and dtype is not x.dtype:
        if dtype.itemsize < x.dtype.itemsize or not (dtype.is_floating_point or dtype.is_complex):
            raise RuntimeError(f"{name}: the dtype of the input ({_dtype.legacy_name(x.dtype)}) "
                               "should be convertible without narrowing to the specified dtype "
                               f"({_dtype.legacy_name(dtype)})")
        x = C.to(x, dtype)
    if x._data.dtype.kind == "c":                      # |z|, then the real norm
        x = M.abs(x)
    return x


def torch_norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
               dtype=None) -> Tensor:
    """``torch.norm`` / ``Tensor.norm``: the nuclear norm (``p='nuc'``) here, every other
    ``p`` as a vector norm (``reduce.norm``).

    >>> import numtorch as torch
    >>> torch.norm(torch.tensor([[3.0, 0.0], [0.0, 4.0]]), "nuc")
    tensor(7.)
    """
    if p == "nuc":
        dims = tuple(range(input._data.ndim)) if dim is None else dim
        return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype, out=out)
    return _out(R.norm(input, p, dim, keepdim, dtype), out)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements when None): ``ord`` any number,
    ``inf`` (max abs), ``-inf`` (min abs), 0 (count of non-zeros).

    >>> import numtorch as torch
    >>> torch.linalg.vector_norm(torch.tensor([3.0, -4.0]), float("inf"))
    tensor(4.)
    """
    if isinstance(ord, str) or not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    x = _norm_input("linalg.vector_norm", x, dtype)
    if isinstance(dim, int):
        dim = (dim,)
    return _out(apply(R.Norm, (x,), (x._data,), float(ord), R._axes(dim, x._data.ndim),
                      bool(keepdim)), out)


def _matrix_dims(dim, ndim: int) -> tuple:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        got = " ".join(map(str, dim)) if isinstance(dim, (tuple, list)) else dim
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    d0, d1 = _wrap_dim(dim[0], ndim), _wrap_dim(dim[1], ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """A matrix norm over the two dimensions ``dim``: 'fro', 'nuc' (sum of singular values),
    2 / -2 (largest / smallest singular value), 1 / -1 (max / min column sum of ``|A|``),
    ``inf`` / ``-inf`` (max / min row sum)."""
    check_matrix("linalg.matrix_norm", A)
    if A._data.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype.legacy_name(A.dtype)}")
    ndim = A._data.ndim
    d0, d1 = _matrix_dims(dim, ndim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype, out=out)
    if ord not in ("nuc", 2, -2, 1, -1, math.inf, -math.inf) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    x = _norm_input("linalg.matrix_norm", A, dtype)
    if ord in ("nuc", 2, -2):
        s = svdvals(S.movedim(x, (d0, d1), (-2, -1)))
        r = R.sum(s, -1) if ord == "nuc" else (R.amax(s, -1) if ord == 2 else R.amin(s, -1))
        if keepdim:
            r = S.movedim(S.unsqueeze(S.unsqueeze(r, -1), -1), (-2, -1), (d0, d1))
        return _out(r, out)
    big = ord > 0
    if abs(ord) == 1:                                    # column sums, then max/min over columns
        first, second = d0, d1
    else:                                                # row sums, then max/min over rows
        first, second = d1, d0
    s = R.sum(M.abs(x), first, keepdim)
    if not keepdim and second > first:
        second -= 1
    r = R.amax(s, second, keepdim) if big else R.amin(s, second, keepdim)
    return _out(r, out)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None,
         out=None) -> Tensor:
    """``torch.linalg.norm``: a vector norm (``dim`` an int, or 1-D input) or a matrix norm
    (``dim`` a pair, or 2-D input with ``ord`` given); all elements' 2-norm by default.

    >>> import numtorch as torch
    >>> torch.linalg.norm(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(5.)
    """
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype,
                               out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got "
                           f"{list(dim)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    ndim = A._data.ndim
    if ndim == 2 or (ndim == 1 and isinstance(ord, str)):
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                       f"2D. Got {ndim}D.")


# -- matrix_power / multi_dot / vecdot ------------------------------------------------------------

class _Eye(Function):
    """``matrix_power(A, 0)``: identities shaped like ``A`` (a zero gradient)."""
    _raw = True
    _name = "torch::autograd::CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g, shape=ctx.shape),)


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n < 0``: powers of the inverse; ``n = 0``:
    the identity), by repeated squaring."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    check_square("linalg.matrix_power", A)
    n = int(n)
    if n == 0:
        return _out(apply(_Eye, (A,), (A._data,)), out)
    if n == -1:
        return _out(inv(A), out)
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return _out(S.clone(A), out)
    result, z = None, None
    while n:
        z = A if z is None else matmul(z, z)
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
    return _out(result, out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """The product of a chain of matrices, in the cheapest order (the first may be a row
    vector, the last a column vector: 1-D)."""
    tensors = list(tensors)
    k = len(tensors)
    if k < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {k}")
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    if first not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first}D")
    if last not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    d0 = tensors[0]._data.dtype
    for i, t in enumerate(tensors[1:], 1):
        if t._data.dtype != d0:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 "
                               f"is {_dtype.cpp_name(tensors[0].dtype)} and tensor {i} "
                               f"{_dtype.cpp_name(t.dtype)}")
    mats = list(tensors)
    if first == 1:
        mats[0] = S.unsqueeze(mats[0], 0)
    if last == 1:
        mats[-1] = S.unsqueeze(mats[-1], 1)
    for i in range(k - 1):
        if mats[i]._data.shape[1] != mats[i + 1]._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i]._data.shape)} and "
                               f"{list(tensors[i + 1]._data.shape)} cannot be multiplied")
    r = _chain(mats)
    shape = r._data.shape
    shape = (() if last == 1 else shape[1:]) if first == 1 else (shape[:1] if last == 1 else shape)
    return _out(S.reshape(r, shape), out)             # a view, as PyTorch's result


def _chain(mats: list) -> Tensor:
    """The product in the order of fewest multiplications (the matrix-chain problem)."""
    k = len(mats)
    if k == 2:
        return matmul(mats[0], mats[1])
    dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def product(i, j):
        if i == j:
            return mats[i]
        s = split[i][j]
        return matmul(product(i, s), product(s + 1, j))
    return product(0, k - 1)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The dot product of vectors along ``dim`` (the inputs broadcast)."""
    for t in (x, y):
        if t._data.dtype.kind not in "fc":
            raise RuntimeError("linalg.vecdot: Expected a floating point or complex tensor as "
                               f"input. Got {_dtype.legacy_name(t.dtype)}")
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {_dtype.legacy_name(x.dtype)} and y of type "
                           f"{_dtype.legacy_name(y.dtype)} instead")
    if x._data.dtype.kind == "c":
        from .complex_ops import conj
        x = conj(x)
    return _out(R.sum(x * y, dim), out)




class tensor_methods:
    """The ``Tensor`` methods of this family under their method names (``A.svd()`` is
    ``torch.svd``, not ``torch.linalg.svd``), read by ``_tensor_methods``' table."""
    det, logdet, slogdet, inverse = D.det, D.logdet, D.torch_slogdet, D.inverse
    svd, cholesky, qr = D.torch_svd, D.torch_cholesky, D.torch_qr
    pinverse, matrix_power, matrix_exp = pinverse, matrix_power, matrix_exp
    cholesky_solve, cholesky_inverse = cholesky_solve, cholesky_inverse
    triangular_solve, cross, norm = triangular_solve, torch_cross, torch_norm
