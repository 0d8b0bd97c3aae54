"""``torch.linalg``: norms, inverses, determinants, solvers and factorizations of (batches of)
matrices, with PyTorch's names, results, errors and gradients.

The ops live in ``numtorch/ops/linalg_decomp.py`` (factorizations, inv, det, solve) and
``numtorch/ops/linalg_extra.py`` (pinv, lstsq, matrix_exp, norms, ...); this module is the
namespace. Eigenvectors and singular vectors are unique only up to sign, as PyTorch documents:
NumPy's LAPACK may pick other signs than PyTorch's.

>>> import numtorch as torch
>>> A = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
>>> torch.linalg.cholesky(A) @ torch.linalg.cholesky(A).mT
tensor([[4.0000, 1.0000],
        [1.0000, 3.0000]])
"""
from __future__ import annotations

from .ops.linalg import matmul  # noqa: F401  (torch.linalg.matmul)
from .ops.linalg_decomp import (LinAlgError, inv, inv_ex, det, slogdet, solve,  # noqa: F401
                                solve_ex, cholesky, cholesky_ex, qr, eigh, eigvalsh, svd, svdvals)
from .ops.linalg_extra import (pinv, lstsq, matrix_rank, matrix_exp, cross,  # noqa: F401
                               solve_triangular, vector_norm, matrix_norm, norm, matrix_power,
                               multi_dot, vecdot)
from .ops.indexing import diagonal as _diagonal

__all__ = ["LinAlgError", "inv", "inv_ex", "det", "slogdet", "solve", "solve_ex", "cholesky",
           "cholesky_ex", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq",
           "matrix_rank", "matrix_exp", "cross", "solve_triangular", "vector_norm", "matrix_norm",
           "norm", "matrix_power", "multi_dot", "vecdot", "matmul", "diagonal"]


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """``torch.linalg.diagonal``: ``torch.diagonal`` with the last two dimensions by default."""
    return _diagonal(A, offset, dim1, dim2)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torch.linalg.{name} yet")
