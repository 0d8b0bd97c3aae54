"""Cholesky factorization and triangular solves with gradients, for ``MultivariateNormal``.

Private to ``numtorch.distributions``: once ``numtorch.linalg.cholesky`` and
``numtorch.linalg.solve_triangular`` are in place the distributions should call those (one op,
one place).  Both backward passes are written with differentiable ops, so double backward works.

>>> import numtorch as torch
>>> cholesky(torch.tensor([[4.0, 2.0], [2.0, 2.0]]))
tensor([[2., 0.],
        [1., 1.]])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

_make = Tensor._make


def _mT(x: Tensor) -> Tensor:
    return x.transpose(-2, -1)


def _not_pd(a: np.ndarray) -> RuntimeError:
    n = a.shape[-1]
    order = n
    for k in range(1, n + 1):                       # the first leading minor that fails
        try:
            np.linalg.cholesky(a.reshape((-1, n, n))[..., :k, :k])
        except np.linalg.LinAlgError:
            order = k
            break
    return RuntimeError("linalg.cholesky: The factorization could not be completed because the "
                        f"input is not positive-definite (the leading minor of order {order} is "
                        "not positive-definite).")


class Cholesky(Function):
    """``L`` with ``A = L L^T`` (lower)."""
    _name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        a = A._data
        try:
            L = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _not_pd(a) from None
        out = _make(L)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, gL):
        # A-bar = sym(L^-T Phi(L^T L-bar) L^-1), Phi = lower triangle with a halved diagonal
        L, = ctx.saved_tensors
        P = (_mT(L) @ gL).tril()
        P = P - 0.5 * P * _eye_like(P)
        Lt = _mT(L)
        S = solve_triangular(Lt, _mT(solve_triangular(Lt, _mT(P), upper=True)), upper=True)
        return 0.5 * (S + _mT(S))


def _eye_like(x: Tensor) -> Tensor:
    n = x.shape[-1]
    return _make(np.eye(n, dtype=x._data.dtype))


class SolveTriangular(Function):
    """``X = A^-1 B`` for triangular ``A`` (its other triangle is ignored)."""
    _name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx, A, B, upper):
        a = np.triu(A._data) if upper else np.tril(A._data)
        b = B._data
        dt = np.result_type(a.dtype, b.dtype)
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = np.broadcast_to(a, shape + a.shape[-2:])
        b = np.broadcast_to(b, shape + b.shape[-2:])
        X = _make(np.linalg.solve(a, b).astype(dt, copy=False))
        ctx.save_for_backward(A, X)
        ctx.upper = upper
        return X

    @staticmethod
    def backward(ctx, gX):
        A, X = ctx.saved_tensors
        upper = ctx.upper
        gB = solve_triangular(_mT(A), gX, upper=not upper)
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -(gB @ _mT(X))
            gA = gA.triu() if upper else gA.tril()
        return gA, gB, None


def cholesky(A: Tensor) -> Tensor:
    """``torch.linalg.cholesky(A)`` (lower)."""
    return Cholesky.apply(A)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool) -> Tensor:
    """``torch.linalg.solve_triangular(A, B, upper=upper)`` (left side)."""
    return SolveTriangular.apply(A, B, upper)
