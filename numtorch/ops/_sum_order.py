"""float32 / float64 sums added in the order PyTorch's CPU kernel adds them (same bits).

NumPy sums a contiguous run pairwise; PyTorch 2.x on an AVX2 CPU adds in another order, so the
last bit of a sum (and of a mean, the sum divided by the count) often differs. The order below was
found by experiment against torch 2.13 (AVX2, 1-8 threads) and reproduces its bits for
full reductions, the last dim, other dims and several dims:

* A run of ``n`` contiguous elements is read as vectors of ``V`` lanes (8 for float32, 4 for
  float64); the vectors go round-robin to 4 accumulators, each a *cascade*: rows are added
  one after another into level 0, every ``S`` rows (``S = 2**max(4, ceil(log2(rows)) // 4)``)
  level 0 is folded into level 1, every ``S`` of those into level 2, then into level 3; at the
  end the levels are added from 0 up. The 1-3 vectors left over go into accumulator 0, then the
  accumulators are added 0+1+2+3; the scalar tail is added one by one from 0 and then the lanes.
* A reduced dim that is not the innermost (e.g. ``dim=0`` of a 2-D tensor) adds whole rows:
  column blocks of ``4 V`` columns get one cascade over the rows; the other columns get the
  4-accumulator sum over rows (with fewer than ``V`` columns: blocks of 4 columns / the rest).
* Several reduced dims: the innermost reduced group is summed as above, then the partial sums
  are added one after another (row-major) from 0.
* A full reduction of ``n >= 32768`` elements is split into ``min(threads, ceil(n / 32768))``
  equal chunks, each summed as a run, and the chunk sums are added in order.

>>> import numpy as np
>>> x = np.float32([1e8, -1e8, 0, 0, 0, 0, 0, 0, 1, 0])   # torch: x.sum() is tensor(0.)
>>> float(ordered_sum(x, None)), float(np.add.reduce(x))    # the tail 1 comes first here
(0.0, 1.0)
"""
from __future__ import annotations

import math as _math

import numpy as np

from .._threads import get_num_threads

__all__ = ["ordered_sum", "ordered_sum_1d"]

_GRAIN = 32768          # elements below which PyTorch reduces on one thread


def _sequential(a, axis: int) -> bool:
    """Whether ``np.add.reduce(a, axis)`` adds elementwise (left to right along ``axis``): NumPy
    sums pairwise only when ``axis`` is its inner loop, i.e. has the smallest stride."""
    s0 = abs(a.strides[axis])
    return any(n > 1 and abs(s) < s0 for i, (n, s) in enumerate(zip(a.shape, a.strides))
               if i != axis)


def _reduce(a, axis: int):
    """Left-to-right sum along ``axis`` (``((a0 + a1) + a2) + ...``), a new array."""
    if (a.shape[-1] > 1 and abs(a.strides[-1]) < abs(a.strides[axis])) or _sequential(a, axis):
        return np.add.reduce(a, axis)
    return np.take(np.add.accumulate(a, axis), -1, axis)


def _fold(a):
    """Left-to-right sum over axis 0; None when there are no rows (may be a view of ``a``)."""
    m = a.shape[0]
    if m > 1:
        return _reduce(a, 0)
    return a[0] if m else None


def _plus(acc, b):
    """``acc + b`` where None stands for zero."""
    if b is None:
        return acc
    return b if acc is None else acc + b


def _cascade(y):
    """PyTorch's multi-level cascade sum of the rows ``y[i]`` (axis 0, at least one row)."""
    size = y.shape[0]
    lp = max(4, (size - 1).bit_length() // 4)      # ceil(log2(size)) // 4, at least 4
    step = 1 << lp
    nb = size // step
    acc = _fold(y[nb * step:])
    if nb == 0:
        return acc
    rest = y.shape[1:]
    rows = y[:nb * step]
    k = _math.prod(rest)
    if nb >= 4 and k <= 64 and rows.flags.c_contiguous:
        # short rows: NumPy's inner loop would be one row; move the rows of each block apart
        # first (a copy of whole rows, as opaque items) so that each add is one long run
        t = rows.reshape(nb * step, k).view(f"V{k * rows.itemsize}").reshape(nb, step).T.copy()
        lvl = _reduce(t.view(rows.dtype).reshape((step, nb) + rest), 0)
    else:
        lvl = _reduce(rows.reshape((nb, step) + rest), 1)
    for _ in range(2):                              # levels 1 and 2 fold `step` sums each
        n1 = lvl.shape[0] // step
        acc = _plus(acc, _fold(lvl[n1 * step:]))
        if n1 == 0:
            return acc
        lvl = _reduce(lvl[:n1 * step].reshape((n1, step) + rest), 1)
    return _plus(acc, _fold(lvl))


def _row_sum(y):
    """Sum over axis 0 with 4 interleaved cascade accumulators (rows i % 4), the 1-3 rows
    left over added to accumulator 0, then accumulators 0+1+2+3."""
    size = y.shape[0]
    si = size // 4
    if not si:
        return _fold(y)
    p = _cascade(y[:si * 4].reshape((si, 4) + y.shape[1:]))
    acc = p[0]
    for i in range(si * 4, size):
        acc = acc + y[i]
    return ((acc + p[1]) + p[2]) + p[3]


def _inner_rows(x2):
    """Sums of the rows of a 2-D array ``x2`` (rows contiguous), as PyTorch's inner sum."""
    m, n = x2.shape
    dt = x2.dtype
    lanes = 32 // dt.itemsize
    nv = n // lanes
    if nv == 0:                                   # scalar path: the 4-accumulator sum
        return _row_sum(x2.T)
    si = nv // 4
    w = 4 * lanes
    end = nv * lanes
    if si:
        y = x2[:, :si * w]
        if m == 1:
            y = y.reshape(si, 1, w)
        elif si >= 16:      # rows first, each row's 4 vectors as one opaque item
            y = y.view(f"V{w * dt.itemsize}").T.copy().view(dt).reshape(si, m, w)
        else:
            y = y.reshape(m, si, w).transpose(1, 0, 2)
        p = _cascade(y).reshape(m, 4, lanes)
        acc = p[:, 0]
        for k in range(si * w, end, lanes):
            acc = acc + x2[:, k:k + lanes]
        acc = ((acc + p[:, 1]) + p[:, 2]) + p[:, 3]
    else:
        acc = x2[:, :lanes]
        for k in range(lanes, end, lanes):
            acc = acc + x2[:, k:k + lanes]
    # the scalar tail from 0, then the lanes, one by one
    seq = np.concatenate((x2[:, end:], acc), 1) if end < n else acc
    if m == 1:
        return np.add.accumulate(seq[0])[-1:]
    return _fold(np.ascontiguousarray(seq.T))


def _outer_cols(x3):
    """Sums over axis 1 of a ``(p, r, c)`` array with contiguous rows: PyTorch's outer sum."""
    c = x3.shape[2]
    lanes = 32 // x3.dtype.itemsize
    y = x3.transpose(1, 0, 2)                     # (r, p, c): rows first
    c_cas = c // (4 * lanes) * (4 * lanes) if c >= lanes else c // 4 * 4
    if c_cas == c:
        return _cascade(y)
    if not c_cas:
        return _row_sum(y)
    return np.concatenate((_cascade(y[:, :, :c_cas]), _row_sum(y[:, :, c_cas:])), 1)


_ORDERS = {}


def _order(n: int, lanes: int):
    """Positions in the order PyTorch adds a short run: ``n < lanes`` scalars go to 4
    accumulators (i % 4), the leftovers into the first, then the four are added; with one
    vector (``lanes <= n < 2 lanes``) the scalar tail comes first, then the lanes."""
    key = (n, lanes)
    order = _ORDERS.get(key)
    if order is None:
        if n < 4:
            order = list(range(n))
        elif n < lanes:
            order = [0] + list(range(4, n)) + [1, 2, 3]
        else:
            order = np.array(list(range(lanes, n)) + list(range(lanes)), np.intp)
        order = _ORDERS[key] = order
    return order


def _run_sum(r):
    """Sum of a contiguous 1-D run ``r`` of ``n >= 1`` elements (one thread's work), as a
    NumPy scalar (a zero may come out as -0.0)."""
    n = r.shape[0]
    lanes = 32 // r.dtype.itemsize
    nv = n // lanes
    if nv == 0:                                   # a few scalars: add them one by one
        order = _order(n, lanes)
        s = r[order[0]]
        for i in order[1:]:
            s = s + r[i]
        return s
    w = 4 * lanes
    si = nv // 4
    end = nv * lanes
    if si:          # 4 accumulators of `lanes` lanes (rows of 4 vectors)
        if si >= 16:                              # cascade levels are reached
            p = _cascade(r[:si * w].reshape(si, w))
        elif si > 3:
            p = np.add.reduce(r[:si * w].reshape(si, w), 0)
        else:
            p = r[:w] if si == 1 else r[:w] + r[w:2 * w]
            if si == 3:
                p += r[2 * w:3 * w]
        if end > si * w:
            p = np.concatenate((p[:lanes], r[si * w:end], p[lanes:]))
        acc = np.add.reduce(p.reshape(-1, lanes), 0)
    elif nv == 1:   # one vector: the tail first, then the lanes, one run in another order
        return np.add.accumulate(r.take(_order(n, lanes)) if end < n else r)[-1]
    else:
        acc = r[:lanes] + r[lanes:2 * lanes]
        if nv == 3:
            acc += r[2 * lanes:end]
    return np.add.accumulate(np.concatenate((r[end:], acc)) if end < n else acc)[-1]


def ordered_sum_1d(r, threads: int | None = None):
    """Sum of a contiguous 1-D array as PyTorch adds it on ``threads`` threads (default:
    ``torch.get_num_threads()``), a 0-d array."""
    n = r.shape[0]
    if n >= _GRAIN:
        if threads is None:
            threads = get_num_threads()
        tasks = min(threads, -(-n // _GRAIN))
        if tasks > 1:
            chunk = -(-n // tasks)
            s = r.dtype.type(0)
            for t in range(tasks):
                s = s + _run_sum(r[t * chunk:(t + 1) * chunk])
            return np.asarray(s)
    if n == 0:
        return np.zeros((), r.dtype)
    s = _run_sum(r)
    return np.asarray(r.dtype.type(0) if s == 0 else s)     # PyTorch's zero is +0.0


def _memory_order(x):
    """``x`` with its axes permuted into memory order, C-contiguous (a view when possible)."""
    if x.flags.c_contiguous:
        return x, tuple(range(x.ndim))
    perm = tuple(sorted(range(x.ndim), key=lambda i: -abs(x.strides[i])))
    xt = x.transpose(perm)
    if not xt.flags.c_contiguous:
        return np.ascontiguousarray(x), tuple(range(x.ndim))
    return xt, perm


def ordered_sum(x, axis, keepdim: bool = False, threads: int | None = None):
    """``np.add.reduce(x, axis, keepdims=keepdim)`` for float32/float64 ``x``, added in
    PyTorch's CPU order (``axis``: None, an int or a tuple of non-negative ints)."""
    nd = x.ndim
    if axis is None or (nd == 1 and x.flags.c_contiguous):
        if x.flags.c_contiguous:
            s = ordered_sum_1d(x.reshape(-1), threads)
            return s.reshape((1,) * nd) if keepdim else s
        red = (True,) * nd
    elif isinstance(axis, tuple):
        red = tuple(i in axis for i in range(nd))
    else:
        red = tuple(i == axis for i in range(nd))
    if x.size == 0 or not any(red):
        return np.asarray(np.add.reduce(x, axis, None, None, keepdim))
    out_shape = tuple(1 if r else s for s, r in zip(x.shape, red)) if keepdim else \
        tuple(s for s, r in zip(x.shape, red) if not r)
    xm, perm = _memory_order(x)
    # coalesce neighbouring dims of the same kind (size-1 dims drop out)
    sizes, kinds = [], []
    for i in perm:
        s, r = x.shape[i], red[i]
        if s == 1:
            continue
        if kinds and kinds[-1] == r:
            sizes[-1] *= s
        else:
            sizes.append(s)
            kinds.append(r)
    if True not in kinds:                         # only size-1 dims reduced: a copy
        return np.add.reduce(x, axis, None, None, keepdim)
    if len(sizes) == 1:                           # one contiguous run: a full reduction
        return ordered_sum_1d(xm.reshape(-1), threads).reshape(out_shape)
    xg = xm.reshape(sizes)
    g = len(sizes)
    d0 = g - 1 - kinds[::-1].index(True)          # the innermost reduced group
    if d0 == g - 1:                               # ... contiguous: row sums
        s = _inner_rows(xg.reshape(-1, sizes[d0])).reshape(sizes[:-1])
        sizes_s, kinds_s = sizes[:-1], kinds[:-1]
    elif kinds.count(True) == 1:                  # one reduced group with columns inside
        s = _outer_cols(xg.reshape(_math.prod(sizes[:d0]), sizes[d0], -1))
        return _restore(s, x, red, perm, out_shape)
    else:                                         # strided innermost reduced group: scalar sums
        s = _row_sum(np.moveaxis(xg, d0, 0))
        sizes_s = sizes[:d0] + sizes[d0 + 1:]
        kinds_s = kinds[:d0] + kinds[d0 + 1:]
    # add the partial sums over the remaining reduced groups in row-major order, from 0
    ra = [i for i, k in enumerate(kinds_s) if k]
    if ra:
        ka = [i for i, k in enumerate(kinds_s) if not k]
        t = s.reshape(sizes_s).transpose(ra + ka).reshape((-1,) + tuple(sizes_s[i] for i in ka))
        s = _fold(np.ascontiguousarray(t))
    return _restore(s, x, red, perm, out_shape)


def _restore(s, x, red, perm, out_shape):
    """The kept dims of the memory-ordered result back in the input's order, zeros as +0.0."""
    kept_perm = [i for i in perm if not red[i]]
    if kept_perm != sorted(kept_perm):
        s = s.reshape([x.shape[i] for i in kept_perm]).transpose(np.argsort(kept_perm))
    out = np.add(s, x.dtype.type(0))             # a new array; -0.0 + 0 is +0.0 as in PyTorch
    return out.reshape(out_shape)
