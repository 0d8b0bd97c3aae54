"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode,
unique, unique_consecutive.

Values and indices are PyTorch's, ties included: NaN sorts as the largest value; a stable sort
keeps equal elements in their order; where PyTorch's unstable algorithms decide which of equal
elements comes first (``sort(stable=False)``, ``topk``, ``kthvalue``, ``mode``), the rows with
such ties are replayed with those algorithms (``_tie_order.py``; in Python, so past
``_REPLAY_LIMIT`` elements per call the stable order is returned instead). ``median`` returns the
lower of the two middle values. Gradients flow to the selected positions (``SortBackward0``, ...).

>>> import numtorch as torch
>>> torch.sort(torch.tensor([3., 1., 2.]), descending=True)
torch.return_types.sort(
values=tensor([3., 2., 1.]),
indices=tensor([0, 2, 1]))
>>> torch.tensor([[1., 4.], [2., 3.]]).median()
tensor(2.)
"""
from __future__ import annotations

import numpy as np

from .._errors import arg_error, no_kernel, not_tensor, type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function
from ._apply import apply, _make, write_out
from ._tie_order import std_sort, nth_element, partial_sort, select
from .reduce import return_types, _check_nonempty

# Rows replayed in Python (see _tie_order.py) per call, at most; past it the stable order
# is returned (PyTorch does not specify the order of tied elements in an unstable sort).
_REPLAY_LIMIT = 1 << 16

_SORT_OVERLOADS = ("\n * (Tensor input, *, bool stable, int dim = -1, bool descending = False, "
                   "tuple of Tensors out = None)\n * (Tensor input, int dim = -1, bool "
                   "descending = False, *, tuple of Tensors out = None)\n")


# -- the gradient: back to the selected positions ----------------------------------------------

class _Gather(Function):
    """``x`` taken at ``idx`` along ``axis`` (``squeeze``: a reduction without keepdim); the
    gradient goes back to those positions."""
    _raw = True

    @staticmethod
    def forward(ctx, x, axis, idx, squeeze):
        ctx.shape, ctx.axis, ctx.idx, ctx.squeeze = x.shape, axis, idx, squeeze
        if x.ndim == 0:
            return x.copy()
        out = np.take_along_axis(x, idx, axis)
        return out.squeeze(axis) if squeeze else out

    @staticmethod
    def backward(ctx, g):
        if not ctx.shape:
            return (g,)
        if ctx.squeeze:
            g = np.expand_dims(g, ctx.axis)
        out = np.zeros_like(g, shape=ctx.shape)
        np.put_along_axis(out, ctx.idx, g, ctx.axis)
        return (out,)


class Sort(_Gather):
    pass


class SortStable(_Gather):
    _name = "SortBackward1"


class Topk(_Gather):
    pass


class Kthvalue(_Gather):
    pass


class Mode(_Gather):
    pass


class MedianDim(_Gather):
    _name = "MedianBackward1"


class NanmedianDim(_Gather):
    _name = "NanmedianBackward1"


class MedianAll(Function):
    """``median()`` over all elements: the gradient is shared evenly by the elements equal to
    the median (the NaNs when it is NaN), as in PyTorch."""
    _raw = True
    _name = "MedianBackward0"
    constants = ("weight",)

    @staticmethod
    def forward(ctx, x, value, weight):
        ctx.weight = weight
        return value

    @staticmethod
    def backward(ctx, g):
        return (np.broadcast_to(g, ctx.weight.shape) * ctx.weight,)


class NanmedianAll(MedianAll):
    _name = "NanmedianBackward0"


# -- helpers -------------------------------------------------------------------------------------

def _data(fn: str, input) -> np.ndarray:
    if not isinstance(input, Tensor):
        raise not_tensor(fn, input)
    return input._data


def _int_arg(fn: str, name: str, position: int, v) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        if isinstance(v, Tensor) and v._data.ndim == 0 and v._data.dtype.kind in "iu":
            return int(v._data)
        raise arg_error(fn, name, position, "int", v)
    return int(v)


def _rows(a: np.ndarray, axis: int) -> np.ndarray:
    """``a`` as a 2-D array of rows along ``axis`` (a copy)."""
    m = np.moveaxis(a, axis, -1)
    return m.reshape(-1, m.shape[-1]).copy()


def _unrows(r: np.ndarray, like_shape: tuple, axis: int) -> np.ndarray:
    """Undo ``_rows`` for an array whose ``axis`` now has ``r.shape[-1]`` entries."""
    moved = like_shape[:axis] + like_shape[axis + 1:] + (r.shape[-1],)
    return np.moveaxis(r.reshape(moved), -1, axis)


def _stable_order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort ``x`` along ``axis``, NaN largest, ties in their original order."""
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    return (n - 1) - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)


def _equal_neighbours(s: np.ndarray) -> np.ndarray:
    """Whether each sorted row's neighbours are equal (NaN equals NaN here)."""
    a, b = s[..., 1:], s[..., :-1]
    eq = a == b
    if s.dtype.kind == "f":
        eq |= np.isnan(a) & np.isnan(b)
    return eq


def _ranks(order: np.ndarray, eq: np.ndarray) -> np.ndarray:
    """Dense ranks (0 first, equal elements equal) of each row, from its sorted ``order``."""
    dense = np.zeros(order.shape, np.int64)
    np.cumsum(~eq, axis=-1, out=dense[:, 1:])
    ranks = np.empty_like(dense)
    np.put_along_axis(ranks, order, dense, -1)
    return ranks


def _replayed(rows: np.ndarray, n: int) -> bool:
    return 0 < len(rows) and len(rows) * n <= _REPLAY_LIMIT


def _scalar_pair(cls, kind, input, dim):
    """The ``(values, indices)`` of a 0-d input: itself and 0."""
    _wrap_dim(dim, 0)
    values = apply(cls, (input,), (input._data,), 0, None, False)
    return kind(values, _make(np.zeros((), np.int64)))


def _write_pair(name: str, result, out):
    if not isinstance(out, (tuple, list)):
        raise arg_error(name, "out", None, "tuple of Tensors", out)
    values, indices = out
    write_out(name, result[0], values)
    write_out(name, result[1], indices)
    return type(result)(values, indices)


def _pick(cls, kind, input, x, axis, idx, keepdim):
    """``(values, indices)`` of a reduction that picked index ``idx`` (keepdim-shaped) per row."""
    values = apply(cls, (input,), (x,), axis, idx, not keepdim)
    return kind(values, _make(idx if keepdim else idx.squeeze(axis)))


# -- sort / argsort / msort ----------------------------------------------------------------------

def _sort_order(x: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    order = _stable_order(x, axis, descending)
    n = x.shape[axis]
    if stable or n <= 16 or x.size == 0:        # GCC's sort is an insertion sort up to 16
        return order
    if x.ndim == 1 and n >= 32768 and x.dtype.kind in "iu" and not descending:
        return order                            # PyTorch radix-sorts these: a stable order
    o = _rows(order, axis)
    eq = _equal_neighbours(np.take_along_axis(_rows(x, axis), o, -1))
    rows = np.flatnonzero(eq.any(-1))
    if not _replayed(rows, n):
        return order
    for r, key in zip(rows, _ranks(o[rows], eq[rows]).tolist()):
        p = list(range(n))
        std_sort(p, key)
        o[r] = p
    return _unrows(o, x.shape, axis)


def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values and their indices along ``dim`` (NaN largest; ``stable`` keeps ties in
    order).

    >>> import numtorch as torch
    >>> torch.tensor([[2, 1, 2]]).sort(stable=True)
    torch.return_types.sort(
    values=tensor([[1, 2, 2]]),
    indices=tensor([[1, 0, 2]]))
    """
    x = _data("sort", input)
    bad_dim = isinstance(dim, bool) or not isinstance(dim, (int, np.integer))
    if bad_dim or not isinstance(stable, bool):
        got = "Tensor" + (f", {type_name(dim)}" if bad_dim else "") + \
            ("" if isinstance(stable, bool) else f", stable={type_name(stable)}")
        raise TypeError(f"sort() received an invalid combination of arguments - got ({got}), but "
                        f"expected one of:{_SORT_OVERLOADS}")
    if out is not None:
        return _write_pair("sort", sort(input, dim, descending, stable=stable), out)
    if x.dtype.kind == "c":
        _wrap_dim(dim, x.ndim)
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    if x.ndim == 0:
        return _scalar_pair(Sort, return_types.sort, input, dim)
    axis = _wrap_dim(dim, x.ndim)
    order = _sort_order(x, axis, bool(descending), stable)
    values = apply(SortStable if stable else Sort, (input,), (x,), axis, order, False)
    return return_types.sort(values, _make(order))


def argsort(input, dim=-1, descending=False, *, stable=False) -> Tensor:
    """The indices ``sort`` returns.

    >>> import numtorch as torch
    >>> torch.argsort(torch.tensor([3., 1., 2.]))
    tensor([1, 2, 0])
    """
    x = _data("argsort", input)
    if x.dtype.kind == "c":
        _wrap_dim(dim, x.ndim)
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    if x.ndim == 0:
        _wrap_dim(dim, 0)
        return _make(np.zeros((), np.int64))
    return _make(_sort_order(x, _wrap_dim(dim, x.ndim), bool(descending), bool(stable)))


def msort(input, *, out=None) -> Tensor:
    """``sort(input, dim=0).values``.

    >>> import numtorch as torch
    >>> torch.msort(torch.tensor([[2., 1.], [0., 3.]]))
    tensor([[0., 1.],
            [2., 3.]])
    """
    _data("msort", input)
    if out is not None:
        return write_out("msort", msort(input), out)
    return sort(input, 0).values


# -- topk / kthvalue -----------------------------------------------------------------------------

def _topk_order(x: np.ndarray, axis: int, k: int, largest: bool, ordered: bool) -> np.ndarray:
    order = _stable_order(x, axis, largest)
    n = x.shape[axis]
    if k == 0 or x.size == 0:
        return np.take(order, np.arange(k), axis)
    o = _rows(order, axis)
    eq = _equal_neighbours(np.take_along_axis(_rows(x, axis), o, -1))
    partial = k * 64 <= n                       # PyTorch's choice: heap select, else introselect
    if ordered or partial or n <= 3:
        need = eq[:, :min(k, n - 1)].any(-1)    # ties inside the top k or at its border
    else:
        need = np.ones(len(o), bool)            # the order introselect leaves
    rows = np.flatnonzero(need)
    if _replayed(rows, n):
        for r, key in zip(rows, _ranks(o[rows], eq[rows]).tolist()):
            p = list(range(n))
            if partial:
                partial_sort(p, key, k)
            else:
                nth_element(p, key, k - 1)
                if ordered:
                    std_sort(p, key, 0, k - 1)
            o[r, :k] = p[:k]
    return _unrows(o[:, :k], x.shape, axis)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices.

    >>> import numtorch as torch
    >>> torch.topk(torch.tensor([1., 5., 3., 4.]), 2)
    torch.return_types.topk(
    values=tensor([5., 4.]),
    indices=tensor([1, 3]))
    """
    x = _data("topk", input)
    k = _int_arg("topk", "k", 2, k)
    if out is not None:
        return _write_pair("topk", topk(input, k, dim, largest, sorted), out)
    axis = _wrap_dim(dim, x.ndim)
    n = x.shape[axis] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if x.dtype.kind == "c":
        raise RuntimeError(" topk does not support complex dtypes on CPU")
    if x.ndim == 0:
        return _scalar_pair(Topk, return_types.topk, input, dim)
    order = _topk_order(x, axis, k, bool(largest), bool(sorted))
    values = apply(Topk, (input,), (x,), axis, order, False)
    return return_types.topk(values, _make(order))


def _no_kernel(kernel: str, x: np.ndarray) -> NotImplementedError:
    return no_kernel(kernel, x.dtype)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index.

    >>> import numtorch as torch
    >>> torch.kthvalue(torch.tensor([3., 1., 2.]), 2)
    torch.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
    """
    x = _data("kthvalue", input)
    k = _int_arg("kthvalue", "k", 2, k)
    if out is not None:
        return _write_pair("kthvalue", kthvalue(input, k, dim, keepdim), out)
    axis = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        if k != 1:
            raise RuntimeError("kthvalue(): selected number k out of range for dimension 0")
        if x.dtype.kind in "bc":
            raise _no_kernel("kthvalue_cpu", x)
        return _scalar_pair(Kthvalue, return_types.kthvalue, input, dim)
    _check_nonempty(x, "kthvalue", axis)
    n = x.shape[axis]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if x.dtype.kind in "bc":
        raise _no_kernel("kthvalue_cpu", x)
    if x.size == 0:
        idx = np.zeros(x.shape[:axis] + (1,) + x.shape[axis + 1:], np.int64)
        return _pick(Kthvalue, return_types.kthvalue, input, x, axis, idx, keepdim)
    o = _rows(_stable_order(x, axis, False), axis)
    eq = _equal_neighbours(np.take_along_axis(_rows(x, axis), o, -1))
    pick = o[:, k - 1].copy()
    # a tie at the k-th place: which of the equals the selection algorithm leaves there
    tied = np.zeros(len(o), bool)
    if k > 1:
        tied |= eq[:, k - 2]
    if k < n:
        tied |= eq[:, k - 1]
    rows = np.flatnonzero(tied)
    if _replayed(rows, n):
        for r, key in zip(rows, _ranks(o[rows], eq[rows]).tolist()):
            p = list(range(n))
            select(p, key, k - 1)
            pick[r] = p[k - 1]
    idx = _unrows(pick[:, None], x.shape, axis)
    return _pick(Kthvalue, return_types.kthvalue, input, x, axis, idx, keepdim)


# -- median / nanmedian --------------------------------------------------------------------------

def _median_all(input, x, ignore_nan: bool) -> Tensor:
    flat = x.reshape(-1)
    isnan = np.isnan(flat) if flat.dtype.kind == "f" else np.zeros(flat.shape, bool)
    cls = NanmedianAll if ignore_nan else MedianAll
    if flat.size == 0:
        value = np.asarray(np.nan, x.dtype if x.dtype.kind in "fc" else np.float32)
        return _make(value) if x.dtype.kind != "f" else \
            apply(cls, (input,), (x,), value, np.zeros(x.shape, x.dtype))
    valid = flat[~isnan] if ignore_nan else flat
    if valid.size == 0 or (not ignore_nan and isnan.any()):
        value = np.asarray(np.nan, x.dtype)
        mask = isnan
    else:
        value = np.partition(valid, (valid.size - 1) // 2)[(valid.size - 1) // 2]
        value = np.asarray(value, x.dtype)
        mask = flat == value
    if x.dtype.kind != "f":
        return _make(value)
    weight = (mask / np.count_nonzero(mask)).astype(x.dtype).reshape(x.shape)
    return apply(cls, (input,), (x,), value, weight)


def _median_dim(name, cls, kind, input, dim, keepdim, ignore_nan: bool):
    x = input._data
    axis = _wrap_dim(dim, x.ndim)
    _check_nonempty(x, "median", axis)
    if x.dtype.kind in "bc":
        raise _no_kernel("median_out", x)
    if x.ndim == 0:
        return _scalar_pair(cls, kind, input, dim)
    keep_shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
    if x.size == 0:
        return _pick(cls, kind, input, x, axis, np.zeros(keep_shape, np.int64), keepdim)
    order = _stable_order(x, axis, False)                 # NaN last
    n = x.shape[axis]
    if x.dtype.kind == "f":
        isnan = np.isnan(x)
        if ignore_nan:       # the lower median of the other values
            count = n - isnan.sum(axis, keepdims=True)
            idx = np.take_along_axis(order, np.maximum(count - 1, 0) // 2, axis)
            if not count.all():
                # a row of NaNs only: PyTorch's nth_element over n equal keys leaves this one
                p = list(range(n))
                nth_element(p, [0] * n, 0)
                idx = np.where(count == 0, p[0], idx)
        else:                # a NaN makes the median NaN, at the first NaN
            idx = np.where(isnan.any(axis, keepdims=True),
                           np.argmax(isnan, axis).reshape(keep_shape),
                           np.take(order, [(n - 1) // 2], axis))
    else:
        idx = np.take(order, [(n - 1) // 2], axis)
    return _pick(cls, kind, input, x, axis, np.ascontiguousarray(idx, np.int64), keepdim)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements (a tensor), or ``(values, indices)`` along ``dim``.

    >>> import numtorch as torch
    >>> torch.median(torch.tensor([[1., 4., 2., 3.]]), 1)
    torch.return_types.median(
    values=tensor([2.]),
    indices=tensor([2]))
    """
    x = _data("median", input)
    if dim is None:
        if out is not None:
            return write_out("median", median(input), out)
        if x.dtype.kind == "b" or (x.dtype.kind == "c" and x.size):
            raise _no_kernel("median_cpu", x)
        return _median_all(input, x, False)
    if out is not None:
        return _write_pair("median", median(input, dim, keepdim), out)
    return _median_dim("median", MedianDim, return_types.median, input, dim, keepdim, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaN (NaN only where a row has nothing else).

    >>> import numtorch as torch
    >>> torch.nanmedian(torch.tensor([1., float('nan'), 3., 2.]))
    tensor(2.)
    """
    x = _data("nanmedian", input)
    if dim is None:
        if out is not None:
            return write_out("nanmedian", nanmedian(input), out)
        if x.dtype.kind == "b" or (x.dtype.kind == "c" and x.size):
            raise _no_kernel("median_cpu", x)
        return _median_all(input, x, True)
    if out is not None:
        return _write_pair("nanmedian", nanmedian(input, dim, keepdim), out)
    return _median_dim("nanmedian", NanmedianDim, return_types.nanmedian, input, dim, keepdim,
                       True)


# -- mode ----------------------------------------------------------------------------------------

def _mode_row(values: list) -> int:
    """Index of the mode of one row as PyTorch finds it: GCC's sort of (value, index) pairs by
    value (NaN compares false both ways), then the first longest run of equal values; the
    index is that of the run's last element."""
    n = len(values)
    p = list(range(n))
    std_sort(p, values)
    best, best_count, count = 0, 0, 0
    for j in range(n):
        count += 1
        if j == n - 1 or values[p[j]] != values[p[j + 1]]:
            if count > best_count:
                best, best_count = p[j], count
            count = 0
    return best


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and an
    index of it.

    >>> import numtorch as torch
    >>> torch.mode(torch.tensor([[1, 2, 2, 1, 3]]))
    torch.return_types.mode(
    values=tensor([1]),
    indices=tensor([3]))
    """
    x = _data("mode", input)
    if out is not None:
        return _write_pair("mode", mode(input, dim, keepdim), out)
    axis = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return _scalar_pair(Mode, return_types.mode, input, dim)
    _check_nonempty(x, "mode", axis)
    if x.dtype.kind == "c":
        raise _no_kernel("mode_cpu", x)
    keep_shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
    if x.size == 0:
        return _pick(Mode, return_types.mode, input, x, axis, np.zeros(keep_shape, np.int64),
                     keepdim)
    n = x.shape[axis]
    xr = _rows(x, axis)
    o = np.argsort(xr, axis=-1, kind="stable")
    s = np.take_along_axis(xr, o, -1)
    pos = np.arange(n)
    starts = np.ones(s.shape, bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    ends = np.ones(s.shape, bool)
    ends[:, :-1] = starts[:, 1:]
    run = pos - np.maximum.accumulate(np.where(starts, pos, 0), axis=-1) + 1
    end = np.argmax(np.where(ends, run, 0), axis=-1)          # first longest run
    rows = np.arange(len(s))
    pick = o[rows, end]
    # rows whose answer depends on the sort algorithm: NaN (never equal, and unordered), or a
    # repeated mode past 16 elements (GCC's introsort is not stable there)
    redo = run[rows, end] > 1 if n > 16 else np.zeros(len(s), bool)
    if xr.dtype.kind == "f":
        redo |= np.isnan(xr).any(-1)
    for r in np.flatnonzero(redo):
        pick[r] = _mode_row(xr[r].tolist())
    idx = _unrows(pick[:, None], x.shape, axis)
    return _pick(Mode, return_types.mode, input, x, axis, idx, keepdim)


# -- unique / unique_consecutive ----------------------------------------------------------------

class _NoDerivative(Function):
    """The values of ``unique``: PyTorch records a node whose backward refuses."""
    _raw = True
    _message = ""

    @staticmethod
    def forward(ctx, x, values):
        ctx.shape = x.shape
        return values

    @classmethod
    def backward(cls, ctx, g):
        raise NotImplementedError(cls._message)


class Unique2(_NoDerivative):
    _message = "the derivative for '_unique2' is not implemented."


class UniqueDim(_NoDerivative):
    _message = "the derivative for 'unique_dim' is not implemented."


class UniqueConsecutive(_NoDerivative):
    _message = "the derivative for 'unique_consecutive' is not implemented."


class _LexKey:
    """A row compared as PyTorch's ``unique(dim=...)`` sort compares: element by element with
    ``<`` and ``>`` (so NaN never decides)."""
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        for a, b in zip(self.v, other.v):
            if a < b:
                return True
            if a > b:
                return False
        return False


def _groups(starts: np.ndarray, order: np.ndarray, n: int):
    """(first position of each group in sorted order, inverse, counts) from group starts."""
    first = np.flatnonzero(starts)
    inverse = np.empty(n, np.int64)
    inverse[order] = np.cumsum(starts) - 1
    counts = np.diff(np.append(first, n)).astype(np.int64)
    return first, inverse, counts


def _unique_rows(rows: np.ndarray):
    """Sorted distinct rows of a 2-D array: (order, group starts in that order)."""
    n = len(rows)
    if rows.dtype.kind == "f" and np.isnan(rows).any():
        p = list(range(n))
        keys = [_LexKey(r) for r in rows.tolist()]
        std_sort(p, keys)
        order = np.asarray(p, np.int64)
    elif rows.shape[1]:
        order = np.lexsort(rows.T[::-1])
    else:
        order = np.arange(n)
    s = rows[order]
    starts = np.ones(n, bool)
    starts[1:] = (s[1:] != s[:-1]).any(axis=1)
    return order, starts


def _unique_result(cls, input, x, values, inverse, counts, return_inverse, return_counts):
    out = apply(cls, (input,), (x,), values) if input.requires_grad else _make(values)
    if not (return_inverse or return_counts):
        return out
    res = (out,)
    if return_inverse:
        res += (_make(inverse),)
    if return_counts:
        res += (_make(counts),)
    return res


def _dim_rows(fn, x, dim):
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    axis = _wrap_dim(dim, x.ndim)
    if x.size == 0 and x.shape[axis] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    moved = np.moveaxis(x, axis, 0)
    return axis, moved, moved.reshape(moved.shape[0], int(np.prod(moved.shape[1:])))


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (``dim``: distinct slices) in ascending order, with the inverse
    mapping and counts when asked. NaNs are all distinct.

    >>> import numtorch as torch
    >>> torch.unique(torch.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 0, 2, 1]), tensor([1, 1, 2]))
    """
    x = _data("unique", input)
    if x.dtype.kind == "c":
        raise _no_kernel("unique" if dim is None else "unique_dim", x)
    if dim is None:
        flat = x.reshape(-1)
        order = np.argsort(flat, kind="stable")
        if flat.dtype.kind == "f" and 1 < np.isnan(flat).sum() and flat.size <= _REPLAY_LIMIT:
            # NaNs stay distinct: their order is that of GCC's sort (NaN largest, all equal)
            eq = _equal_neighbours(flat[order])[None]
            p = list(range(flat.size))
            std_sort(p, _ranks(order[None], eq)[0].tolist())
            order = np.asarray(p, np.int64)
        s = flat[order]
        starts = np.ones(s.shape, bool)
        starts[1:] = s[1:] != s[:-1]
        first, inverse, counts = _groups(starts, order, s.size)
        return _unique_result(Unique2, input, x, s[first], inverse.reshape(x.shape), counts,
                              return_inverse, return_counts)
    axis, moved, rows = _dim_rows("unique", x, dim)
    order, starts = _unique_rows(rows)
    first, inverse, counts = _groups(starts, order, len(rows))
    values = np.moveaxis(moved[order[first]], 0, axis)
    return _unique_result(UniqueDim, input, x, np.ascontiguousarray(values), inverse, counts,
                          return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (``dim``: slices) to one.

    >>> import numtorch as torch
    >>> torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 1]), return_counts=True)
    (tensor([1, 2, 1]), tensor([2, 2, 1]))
    """
    x = _data("unique_consecutive", input)
    if x.dtype.kind == "c":          # (PyTorch takes the flat path for a 1-D input)
        raise _no_kernel("unique" if dim is None or x.ndim == 1 else "unique_dim", x)
    if dim is None:
        s = x.reshape(-1)
        starts = np.ones(s.shape, bool)
        starts[1:] = s[1:] != s[:-1]
        first, inverse, counts = _groups(starts, np.arange(s.size), s.size)
        return _unique_result(UniqueConsecutive, input, x, s[first], inverse.reshape(x.shape),
                              counts, return_inverse, return_counts)
    axis, moved, rows = _dim_rows("unique_consecutive", x, dim)
    starts = np.ones(len(rows), bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first, inverse, counts = _groups(starts, np.arange(len(rows)), len(rows))
    values = np.ascontiguousarray(np.moveaxis(moved[first], 0, axis))
    return _unique_result(UniqueConsecutive, input, x, values, inverse, counts,
                          return_inverse, return_counts)
