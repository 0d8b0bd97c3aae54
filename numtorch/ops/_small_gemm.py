"""Bit-exact small matrix products: the float results PyTorch's CPU build gives.

NumPy's ``matmul`` (OpenBLAS) sums with FMA and in blocks, so a tiny network trained for
thousands of steps drifts from PyTorch by a few ulps. PyTorch hands ``C = A @ B`` to MKL's
``sgemm``/``dgemm`` (column-major, as ``C^T = B^T A^T``). For small shapes MKL's kernel is
plain sequential accumulation in ``k`` order, each product rounded first (no FMA)::

    acc = a[i, 0] * b[0, j]
    for l in 1 .. k-1:  acc = round(acc + round(a[i, l] * b[l, j]))
    mm:    C[i, j] = acc + 0.0        (so -0.0 sums come out as +0.0)
    addmm: C[i, j] = acc + c[i, j]    (beta == alpha == 1) when BLAS's op(A) is 'T', i.e.
                                      b is a transposed view (F.linear's ``x @ W.t()``);
           acc starts at c[i, j] instead (c + p0 + p1 + ...) when op(A) is 'N' (b row-major).
           A one-column result (n == 1) is column-major to PyTorch, so BLAS's A is ``a`` and
           the sum starts at c iff ``a`` is a transposed view, or m == 1 (a 1x1 result).

Where that holds depends on the shape and on which operand is a transposed view
(:func:`torch_uses_sequential`, measured against torch 2.13 + MKL 2024.2 on x86-64). Elsewhere
MKL uses FMA or vectorized dot products that we don't emulate, and we use ``np.matmul``.

All products are made by one multiply, laid out (k, m, n), and summed over the ``k`` axis row by
row: ``np.add.reduce`` (which starts at +0.0, as MKL's zeroed C, and adds whole rows in order)
for ``a @ b``; whole-row adds or ``np.add.accumulate`` (sequential by definition) when the sum
must start at, or end with, ``c``. Where the reduced axis ends up innermost in memory (a 1x1
result) ``np.add.reduce`` would sum pairwise, so ``accumulate`` is used there too.

>>> import numpy as np
>>> a = np.array([[0.1, 0.2, 0.3]], np.float32); b = np.ones((3, 1), np.float32)
>>> matmul_exact(a, b).dtype
dtype('float32')
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._constants import ZERO

# Largest m*k*n done the exact way (the temporary is that many elements); beyond, np.matmul.
_CAP = 1 << 18
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)    # builtin dtypes are singletons


def torch_uses_sequential(m: int, k: int, n: int, trans_a: bool = False, trans_b: bool = False,
                          double: bool = False) -> bool:
    """Whether PyTorch's CPU ``A(m,k) @ B(k,n)`` is the plain sequential float sum.

    ``trans_a``/``trans_b``: the operand is a transposed view (column-major in memory), e.g.
    ``x @ W.t()`` in ``F.linear`` has ``trans_b``; ``g.t() @ x`` (its weight grad) ``trans_a``.
    In BLAS's terms M = n, N = m, K = k, op(A) = 'T' iff trans_b, op(B) = 'T' iff trans_a.
    Conservative: True only where every random trial matched, for float32 (``double`` False)
    and float64, m up to 256 and k up to 128 (tests/test_small_gemm.py re-checks it).

    >>> torch_uses_sequential(4, 2, 2, trans_b=True)     # the XOR net's hidden layer
    True
    >>> torch_uses_sequential(64, 64, 64)
    False
    """
    if k == 1:
        return True
    if trans_b:         # BLAS op(A) = 'T': vectorized dot products along k beyond k = 3 or 4
        if k <= 3 or (k == 4 and trans_a):
            return n <= 11 or m <= 3
        if k == 4:
            return n <= 3 or m == 1
        if k <= 7:
            return n == 2 or n == 3 or (n == 1 and (trans_a or m <= 3))
        if n == 1:
            return trans_a or m <= 3 if k <= (9 if double else 11) else trans_a or m == 1
        return m == 1 and n <= 3 and k <= (9 if double else 11)
    # BLAS op(A) = 'N': MKL's kernel runs along n, k in order for any k when n fits a register
    if k <= 7:
        return n <= 11 and (n >= 2 or trans_a or k <= 4 or m <= 3) or m <= 3
    if n == 1:
        return trans_a or (m <= 3 if k <= (9 if double else 11) else m == 1)
    if double:
        return n <= 10 and n % 2 == 0 or (n % 2 == 0 and m <= 3)
    return n in (2, 3, 4, 8) or (n % 4 == 0 and m <= 3)


def _is_t(x: np.ndarray) -> bool:
    """Whether PyTorch would see the 2-D operand as a transposed (column-major) view."""
    s0, s1 = x.strides
    return s0 == x.itemsize and s1 != x.itemsize


_sum_k = np.add.reduce            # called positionally: (array, axis, dtype, out, keepdims, initial)


def _products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All ``k * m * n`` products ``a[i, l] * b[l, j]`` in one multiply (each rounded, as MKL
    does), laid out (k, m, n) so that summing axis 0 runs row by row, in ``k`` order."""
    return np.multiply(a.T[:, :, None], b[:, None, :], order="C")


# Kernels: one per kind of layout, chosen once per layout (``_choose``).

def _sum_rows(p: np.ndarray) -> np.ndarray:
    """``p[0] + p[1] + ... + p[k-1]`` row by row, in order (k >= 2): a few whole-row adds for
    small k, else ``accumulate`` (sequential by definition)."""
    if len(p) <= 3:
        out = p[0] + p[1]
        if len(p) == 3:
            out += p[2]
        return out
    return np.add.accumulate(p, axis=0)[-1]


def _mm_outer(a, b):
    """k == 1: each result is one product (MKL adds it to a zeroed C: -0.0 becomes +0.0)."""
    out = np.multiply(a, b)
    np.add(out, ZERO[out.dtype], out)
    return out


def _mm_sum(a, b):
    """The products summed in k order starting from +0.0, as MKL's zeroed C. ``np.add.reduce``
    over axis 0 adds whole rows (``out = 0; out += p[0]; out += p[1] ...``) as long as the
    result has more than one element; for a 1x1 result the k products lie contiguous and NumPy
    sums them pairwise from k = 8 on (``_mm_accumulate``)."""
    return _sum_k(_products(a, b), 0, None, None, False, 0.0)


def _mm_accumulate(a, b):
    return np.add.accumulate(_products(a, b), axis=0)[-1] + 0.0


def _addmm_outer(a, b, c):
    """k == 1, with c: ``p[0] + c``."""
    out = np.multiply(a, b)
    out += c
    return out


def _addmm_sum(a, b, c):
    """``(p[0] + p[1] + ...) + c`` (BLAS op(A) = 'T')."""
    return _sum_rows(_products(a, b)) + c


def _addmm_from_c(a, b, c):
    """``c + p[0] + p[1] + ...`` (BLAS op(A) = 'N': the sum starts at c)."""
    p = _products(a, b)
    p[0] += c
    return _sum_rows(p)


def _np_matmul(a, b):
    return np.matmul(a, b)


def _np_addmm(a, b, c):
    out = np.matmul(a, b)
    if out.dtype == np.result_type(out, c):
        out += c
        return out
    return out + c


def _choose(a: np.ndarray, b: np.ndarray, c) -> Callable:
    """The kernel for this layout: PyTorch's sequential sum where MKL uses it, else np.matmul."""
    m, k = a.shape
    n = b.shape[1]
    num = a.dtype.num
    same = b.dtype.num == num and (c is None or c.dtype.num == num)
    if not (m * k * n <= _CAP and k and num in (_F32.num, _F64.num) and same):
        return _np_matmul if c is None else _np_addmm
    ta, tb = _is_t(a), _is_t(b)
    if not torch_uses_sequential(m, k, n, ta, tb, num == _F64.num):
        return _np_matmul if c is None else _np_addmm
    if c is None:
        if k == 1:
            return _mm_outer
        return _mm_accumulate if m * n == 1 and k >= 8 else _mm_sum
    if k == 1:
        return _addmm_outer
    if ta or m == 1 if n == 1 else not tb:      # BLAS op(A) = 'N': the sum starts at c
        return _addmm_from_c
    return _addmm_sum


# The choice depends only on shapes, strides and dtypes: it is memoized per layout (a training
# loop sees the same few layouts every step).
_KERNELS: dict = {}


def _kernel(key, a, b, c) -> Callable:
    if len(_KERNELS) > 4096:                    # many layouts: don't grow without bound
        _KERNELS.clear()
    fn = _KERNELS[key] = _choose(a, b, c)
    return fn


def matmul_exact(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D arrays, bit-identical to PyTorch where it sums sequentially.

    >>> a = np.array([[1e8, 1.0, -1e8]], np.float32); b = np.ones((3, 1), np.float32)
    >>> matmul_exact(a, b)   # ((1e8 + 1) - 1e8) in float32
    array([[0.]], dtype=float32)
    """
    try:
        key = (a.shape, a.strides, b.shape, b.strides, a.dtype.num, b.dtype.num)
    except AttributeError:      # a gradient under create_graph (TensorArray): numtorch's matmul
        return np.matmul(a, b)
    fn = _KERNELS.get(key)
    if fn is None:
        fn = _kernel(key, a, b, None)
    return fn(a, b)


def addmm_exact(c: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``c + a @ b`` (``c`` broadcast to the product), summed in PyTorch's order (module doc).

    >>> addmm_exact(np.float32([1.0]), np.ones((2, 2), np.float32), np.ones((2, 1), np.float32))
    array([[3.],
           [3.]], dtype=float32)
    """
    try:
        key = (a.shape, a.strides, b.shape, b.strides, a.dtype.num, b.dtype.num, c.shape,
               c.dtype.num)
    except AttributeError:      # TensorArray operands (create_graph): numtorch's ops
        return np.matmul(a, b) + c
    fn = _KERNELS.get(key)
    if fn is None:
        fn = _kernel(key, a, b, c)
    return fn(a, b, c)
