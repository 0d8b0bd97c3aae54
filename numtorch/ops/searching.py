"""Searching and counting: searchsorted, bucketize, isin, histc, histogram, histogramdd,
bincount.

Bins are PyTorch's: ``histc`` and ``histogram`` compute each element's bin from the same
floating-point expression in the input's dtype (``histogram`` then corrects it against the bin
edges, which are ``torch.linspace``'s), so elements on an edge land where PyTorch puts them.
``searchsorted`` is PyTorch's binary search, which with NaN among the boundaries gives its
answers too.

>>> import numtorch as torch
>>> torch.searchsorted(torch.tensor([1., 2., 2., 3.]), torch.tensor([2., 2.5]), right=True)
tensor([3, 3])
>>> torch.bincount(torch.tensor([0, 2, 2]))
tensor([1, 0, 2])
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._errors import arg_error, no_kernel as _no_kernel, type_name
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, _make, write_out
from .creation import linspace_array
from .reduce import return_types


def _shape(a) -> str:
    return str(list(a.shape))


class _NotDifferentiable(Function):
    """An output PyTorch records with a node whose backward refuses
    (``grad_fn=<NotImplemented>``)."""
    _raw = True
    _name = "torch::autograd::NotImplemented"
    _message = ""

    @staticmethod
    def forward(ctx, *arrays_and_value):
        return arrays_and_value[-1]

    @classmethod
    def backward(cls, ctx, g):
        raise RuntimeError(cls._message)


def _refusing_node(op: str) -> type:
    """The ``_NotDifferentiable`` node PyTorch records for ``aten::<op>``: its backward raises
    ``derivative for aten::<op> is not implemented``."""
    return type(f"_{op}_node", (_NotDifferentiable,),
                {"_name": _NotDifferentiable._name, "__module__": __name__,
                 "_message": f"derivative for aten::{op} is not implemented"})


_HistogramNode = _refusing_node("histogram")
_BincountNode = _refusing_node("bincount")


def _result(cls, tensors, value: np.ndarray) -> Tensor:
    """``value`` as an output of ``tensors`` (through a refusing node when one needs grad)."""
    ts = tuple(t for t in tensors if isinstance(t, Tensor))
    if any(t.requires_grad for t in ts):
        return apply(cls, ts, tuple(t._data for t in ts) + (value,))
    return _make(value)


# -- searchsorted / bucketize -------------------------------------------------------------------

_SEARCH_OVERLOADS = (
    "\n * (Tensor sorted_sequence, Tensor input, *, bool out_int32 = False, bool right = False, "
    "str side = None, Tensor sorter = None, Tensor out = None)\n * (Tensor sorted_sequence, "
    "Number self, *, bool out_int32 = False, bool right = False, str side = None, Tensor sorter = "
    "None, Tensor out = None)\n")


def _binary_search(b: np.ndarray, v: np.ndarray, right: bool) -> np.ndarray:
    """PyTorch's binary search of each row of ``v`` (R, Q) in the row of ``b`` (R, M): the first
    position whose boundary is not below (``right``: not at most) the value, by ``>=``
    (``>``) comparisons, so NaNs among the boundaries answer as in PyTorch."""
    lo = np.zeros(v.shape, np.int64)
    hi = np.full(v.shape, b.shape[1], np.int64)
    rows = np.arange(len(b))[:, None]
    active = lo < hi
    while active.any():
        mid = lo + ((hi - lo) >> 1)
        bm = b[rows, np.minimum(mid, b.shape[1] - 1)]
        stop = (bm > v) if right else (bm >= v)
        lo = np.where(active & ~stop, mid + 1, lo)
        hi = np.where(active & stop, mid, hi)
        active = lo < hi
    return lo


def _search(boundaries: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    if boundaries.ndim == 1:
        if boundaries.dtype.kind != "f" or not np.isnan(boundaries).any():
            return np.searchsorted(boundaries, values, "right" if right else "left")
        return _binary_search(boundaries[None], values.reshape(1, -1), right).reshape(values.shape)
    m = boundaries.shape[-1]
    b = boundaries.reshape(-1, m)
    v = values.reshape(len(b), -1)
    return _binary_search(b, v, right).reshape(values.shape)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None) -> Tensor:
    """Where each of ``input``'s values would go in ``sorted_sequence`` (its last dimension)
    to keep it sorted: before equal elements, or after them with ``right=True`` /
    ``side='right'``. ``sorter`` sorts an unsorted sequence.

    >>> import numtorch as torch
    >>> torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3], [3]]))
    tensor([[1],
            [1]])
    """
    scalar = not isinstance(input, Tensor)
    if not isinstance(sorted_sequence, Tensor) or \
            (scalar and not isinstance(input, (int, float, np.number, np.bool_))):
        raise TypeError(f"searchsorted() received an invalid combination of arguments - got "
                        f"({type_name(sorted_sequence)}, {type_name(input)}), but expected one of:"
                        f"{_SEARCH_OVERLOADS}")
    b = sorted_sequence._data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                               f"{side}")
        if side == "left" and right:
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    if out is not None:
        want = np.int32 if out_int32 else np.int64
        if not isinstance(out, Tensor) or out._data.dtype != want:
            got = _dtype.legacy_name_np(out._data.dtype) if isinstance(out, Tensor) else \
                type_name(out)
            raise RuntimeError(
                "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) "
                "or Long(int64) depending on whether out_int32 flag is True, but we got output "
                f"tensor's dtype {got} and out_int32 flag is {'True' if out_int32 else 'False'}")
        return write_out("searchsorted", searchsorted(
            sorted_sequence, input, out_int32=out_int32, right=right, sorter=sorter), out)
    v = np.asarray(input) if scalar else input._data
    if b.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if b.ndim > 1 and (scalar or v.ndim != b.ndim or v.shape[:-1] != b.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {_shape(b)} and input value tensor {_shape(v)}")
    if sorter is not None:
        s = sorter._data
        if s.dtype != np.int64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but "
                               f"got dtype {_dtype.legacy_name_np(s.dtype)}")
        if s.shape != b.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same "
                               f"size, but got boundary tensor {_shape(b)}and got sorter tensor "
                               f"{_shape(s)}")
        if s.size and (s.min() < 0 or s.max() >= b.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        b = np.take_along_axis(b, s, -1)
    if b.dtype.kind == "b":
        raise _no_kernel("searchsorted_out_cpu", b.dtype)
    common = (_dtype.result_dtype(_dtype._BY_NP[b.dtype], input) if scalar else
              _dtype.promote_types(_dtype._BY_NP[b.dtype], _dtype._BY_NP[v.dtype])).np
    if common.kind == "c":
        raise _no_kernel("searchsorted_out_cpu", common)
    pos = _search(b.astype(common, copy=False), v.astype(common, copy=False), bool(right))
    return _make(np.asarray(pos, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None) -> Tensor:
    """The bucket of each element of ``input`` between the sorted 1-D ``boundaries`` (``right``:
    ``boundaries[i-1] <= x < boundaries[i]``, else ``boundaries[i-1] < x <= boundaries[i]``).

    >>> import numtorch as torch
    >>> torch.bucketize(torch.tensor([1, 5, 9]), torch.tensor([1, 3, 5, 7]))
    tensor([0, 2, 4])
    """
    if isinstance(boundaries, Tensor) and boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# -- isin ---------------------------------------------------------------------------------------

_ISIN_OVERLOADS = (
    "\n * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = "
    "False, Tensor out = None)\n * (Number element, Tensor test_elements, *, bool assume_unique = "
    "False, bool invert = False, Tensor out = None)\n * (Tensor elements, Number test_element, *, "
    "bool assume_unique = False, bool invert = False, Tensor out = None)\n")


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.number, np.bool_))


def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None) -> Tensor:
    """Whether each element of ``elements`` is in ``test_elements`` (``invert``: is not).

    >>> import numtorch as torch
    >>> torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3]))
    tensor([[False,  True],
            [ True, False]])
    """
    te, tt = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not ((te and tt) or (te and _is_number(test_elements)) or (tt and _is_number(elements))):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type_name(elements)}, {type_name(test_elements)}), but expected one of:"
                        f"{_ISIN_OVERLOADS}")
    if out is not None:
        if isinstance(out, Tensor) and out._data.dtype != np.bool_:
            raise RuntimeError(f"Expected out tensor to have dtype bool, but got "
                               f"{_dtype.cpp_name(out.dtype)} instead")
        return write_out("isin", isin(elements, test_elements, assume_unique=assume_unique,
                                      invert=invert), out)
    dts = [t._data.dtype for t in (elements, test_elements) if isinstance(t, Tensor)]
    if any(d.kind == "b" for d in dts) or isinstance(elements, (bool, np.bool_)) or \
            isinstance(test_elements, (bool, np.bool_)):
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    if te and tt:
        common = _dtype.promote_types(_dtype._BY_NP[dts[0]], _dtype._BY_NP[dts[1]]).np
    else:
        scalar = test_elements if te else elements
        common = _dtype.result_dtype(_dtype._BY_NP[dts[0]], scalar).np
    e = np.asarray(elements._data if te else elements, common)
    t = np.asarray(test_elements._data if tt else test_elements, common)
    return _make(np.asarray(np.isin(e, t, invert=bool(invert))))


def _bin_positions(x, lo, hi, bins):
    """Each in-range element's bin by PyTorch's arithmetic in the input's dtype:
    ``(x - lo) * bins / (hi - lo)``, truncated, the top edge in the last bin."""
    dt = x.dtype.type
    pos = ((x - lo) * dt(bins) / (hi - lo)).astype(np.int64)
    return np.minimum(pos, bins)


def _cpp_float(v, data_nan=False) -> str:
    """A bound as PyTorch's C++ prints it (``1``, ``0.5``, ``inf``; a NaN made by a reduction
    prints as ``-nan``)."""
    if np.isnan(v):
        return "-nan" if data_nan else "nan"
    return "%g" % float(v)


# -- histc --------------------------------------------------------------------------------------

def histc(input, bins=100, min=0, max=0, *, out=None) -> Tensor:
    """Counts of the elements in ``bins`` equal-width bins over [``min``, ``max``] (both 0:
    the data's range); elements outside are ignored. The result has ``input``'s dtype.

    >>> import numtorch as torch
    >>> torch.histc(torch.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    if not isinstance(input, Tensor):
        raise arg_error("histc", "input", 1, "Tensor", input)
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise arg_error("histc", "bins", 2, "int", bins)
    if out is not None:
        return write_out("histc", histc(input, bins, min, max), out)
    x = input._data
    if x.dtype.kind == "b":
        raise _no_kernel("linspace_cpu", x.dtype)
    if x.dtype.kind != "f":
        raise _no_kernel("aminmax_cpu" if x.dtype.kind == "c" and min == max else
                         "histogram_cpu", x.dtype)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    work = np.float32 if x.dtype == np.float16 else x.dtype.type
    lo, hi = work(min), work(max)
    from_data = False
    if lo == hi and x.size:
        lo, hi = work(x.min()), work(x.max())
        from_data = True
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_cpp_float(lo, from_data)}, "
                           f"{_cpp_float(hi, from_data)}] is not finite")
    flat = x.reshape(-1).astype(work)
    flat = flat[(flat >= lo) & (flat <= hi)]
    pos = np.minimum(_bin_positions(flat, lo, hi, bins), bins - 1)
    return _make(np.bincount(pos, minlength=bins).astype(x.dtype))


# -- histogram ----------------------------------------------------------------------------------

def _edges_bins(flat, edges):
    """``(in range, bin of each in-range value)`` for the bin ``edges`` of a tensor ``bins``."""
    n = len(edges) - 1
    keep = (flat >= edges[0]) & (flat <= edges[-1]) if len(edges) else \
        np.zeros(flat.shape, bool)
    pos = np.searchsorted(edges, flat[keep], "right") - 1
    return keep, np.minimum(pos, n - 1)


def _equal_bins(flat, edges, n):
    """``(in range, bin of each in-range value)`` for the ``n`` equal bins of ``edges``
    (``torch.linspace``'s): PyTorch's arithmetic, corrected by one against the edges."""
    lo, hi = edges[0], edges[-1]
    keep = (flat >= lo) & (flat <= hi)
    v = flat[keep]
    pos = _bin_positions(v, lo, hi, n)
    ext = np.append(edges, np.inf)
    down = v < ext[pos]
    pos = pos - down
    pos = pos + (~down & (v >= ext[pos + 1]))
    return keep, np.minimum(pos, n - 1)


_HISTOGRAM_OVERLOADS = (
    "\n * (Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, tuple of "
    "Tensors out = None)\n * (Tensor input, int bins = 100, *, tuple of floats range = None, "
    "Tensor weight = None, bool density = False, tuple of Tensors out = None)\n")


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """``(hist, bin_edges)``: the (weighted) counts of ``input``'s elements in ``bins`` equal
    bins over ``range`` (default: the data's), or between the edges of a 1-D tensor ``bins``.
    ``density=True`` scales the histogram to integrate to 1.

    >>> import numtorch as torch
    >>> torch.histogram(torch.tensor([1., 2., 1.]), bins=4, range=(0., 3.))
    torch.return_types.histogram(
    hist=tensor([0., 2., 1., 0.]),
    bin_edges=tensor([0.0000, 0.7500, 1.5000, 2.2500, 3.0000]))
    """
    if not isinstance(input, Tensor) or not (
            isinstance(bins, Tensor) or (isinstance(bins, (int, np.integer))
                                         and not isinstance(bins, bool))):
        raise TypeError(f"histogram() received an invalid combination of arguments - got "
                        f"({type_name(input)}, {type_name(bins)}), but expected one of:"
                        f"{_HISTOGRAM_OVERLOADS}")
    if out is not None:
        res = histogram(input, bins, range=range, weight=weight, density=density)
        if not isinstance(out, (tuple, list)):
            raise arg_error("histogram", "out", None, "tuple of Tensors", out)
        write_out("histogram", res.hist, out[0])
        write_out("histogram", res.bin_edges, out[1])
        return return_types.histogram(out[0], out[1])
    x = input._data
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise _no_kernel("histogramdd", x.dtype)
    dt = x.dtype.type
    if isinstance(bins, Tensor):
        edges = bins._data
        if edges.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got "
                               f"{edges.ndim} dimensions in the bins tensor for dimension 0")
        if edges.dtype != x.dtype:
            raise RuntimeError(
                f"torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
                f"got input with dtype {_dtype.cpp_name(input.dtype)} and bins for dimension 0 "
                f"with dtype {_dtype.cpp_name(bins.dtype)}")
    elif bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    w = None
    if weight is not None:
        w = weight._data
        if w.shape != x.shape:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape as "
                "the input tensor excluding its innermost dimension, but got input with shape "
                f"{list(x.reshape(-1, 1).shape)} and weight with shape {list(w.shape)}")
        if w.dtype != x.dtype:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({_dtype.cpp_name(input.dtype)}), and "
                f"weight({_dtype.cpp_name(weight.dtype)})")
        w = w.reshape(-1)
    flat = x.reshape(-1)
    if isinstance(bins, Tensor):
        n = len(edges) - 1
        keep, pos = _edges_bins(flat, edges)
    else:
        n = int(bins)
        edges = _equal_edges(flat, n, range, 0, dt)  # torch.linspace's edges
        keep, pos = _equal_bins(flat, edges, n)
    hist = np.zeros(builtins.max(n, 0), x.dtype)
    np.add.at(hist, pos, w[keep] if w is not None else dt(1))
    if density:
        total = hist.sum()
        hist = hist / total / np.diff(edges) if n > 0 else hist
        hist = hist.astype(x.dtype)
    edges = np.array(edges, x.dtype)
    ins = (input, weight, bins if isinstance(bins, Tensor) else None)
    return return_types.histogram(_result(_HistogramNode, ins, hist),
                                  _result(_HistogramNode, ins, edges))


# -- histogramdd --------------------------------------------------------------------------------

_HISTOGRAMDD_OVERLOADS = (
    "\n * (Tensor input, int bins, tuple of floats range = None, Tensor weight = None, bool "
    "density = False)\n * (Tensor input, tuple of ints bins, tuple of floats range = None, Tensor "
    "weight = None, bool density = False)\n * (Tensor input, tuple of Tensors bins, tuple of "
    "floats range = None, Tensor weight = None, bool density = False)\n")
_HISTOGRAMDD_ARGS = ("input", "bins", "range", "weight", "density")


_HistogramddCountsNode = _refusing_node("_histogramdd_from_bin_cts")
_HistogramddEdgesNode = _refusing_node("_histogramdd_bin_edges")
_HistogramddTensorsNode = _refusing_node("_histogramdd_from_bin_tensors")


def _histogramdd_args(args, kwargs) -> dict:
    """The arguments by name, with PyTorch's TypeError for any that do not fit."""
    def refuse():
        got = [type_name(a) for a in args]
        got += [f"{k}={type_name(v)}" for k, v in kwargs.items() if k != "bins"]
        if "bins" in kwargs:
            got.append(f"bins={type_name(kwargs['bins'])}")
        return TypeError(f"histogramdd() received an invalid combination of arguments - got "
                         f"({', '.join(got)}), but expected one of:{_HISTOGRAMDD_OVERLOADS}")
    if len(args) > len(_HISTOGRAMDD_ARGS) or any(k not in _HISTOGRAMDD_ARGS for k in kwargs):
        raise refuse()
    given = dict(zip(_HISTOGRAMDD_ARGS, args))
    for k, v in kwargs.items():
        if k in given:
            raise refuse()
        given[k] = v
    a = {"range": None, "weight": None, "density": False, **given}
    bins = a.get("bins")
    ok_bins = (isinstance(bins, (int, np.integer)) and not isinstance(bins, bool)) or \
        isinstance(bins, (tuple, list))
    if not isinstance(a.get("input"), Tensor) or not ok_bins or \
            not (a["weight"] is None or isinstance(a["weight"], Tensor)) or \
            not isinstance(a["density"], bool) or \
            not (a["range"] is None or isinstance(a["range"], (tuple, list))):
        raise refuse()
    if isinstance(bins, (tuple, list)) and bins:
        want_tensors = isinstance(bins[0], Tensor)
        for i, b in enumerate(bins):
            ok = isinstance(b, Tensor) if want_tensors else \
                (isinstance(b, (int, np.integer)) and not isinstance(b, bool))
            if not ok:
                raise TypeError(f"expected Tensor as element {i} in argument 1, but got "
                                f"{type_name(b)}")
    if a["range"] is not None:
        for i, r in enumerate(a["range"]):
            if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)):
                raise TypeError(f"histogramdd(): argument 'range' must be tuple of floats, but "
                                f"found element of type {type_name(r)} at pos {i + 1}")
    return a


def _equal_edges(col, n, rng, d, dt):
    """Dimension ``d``'s ``n`` + 1 equal-bin edges over ``rng`` (None: ``col``'s range)."""
    if n + 1 < 0:
        raise RuntimeError("number of steps must be non-negative")
    if rng is not None:
        lo, hi = dt(rng[0]), dt(rng[1])
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{_cpp_float(lo)} max {_cpp_float(hi)} for dimension {d}")
    elif col.size:
        lo, hi = col.min(), col.max()
    else:
        lo, hi = dt(0), dt(1)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{_cpp_float(lo)}, "
                           f"{_cpp_float(hi)}] is not finite")
    if lo == hi:
        lo, hi = lo - dt(0.5), hi + dt(0.5)
    return linspace_array(lo, hi, n + 1, col.dtype)


def histogramdd(*args, **kwargs):
    """``(hist, bin_edges)``: the (weighted) counts of the points in the rows of ``input``
    (its last dimension holds each point's N coordinates) in an N-dimensional grid of bins.
    ``bins``: one int for every dimension, N ints, or N 1-D tensors of bin edges; ``range``:
    ``[min0, max0, min1, max1, ...]`` (default: the data's); ``weight``: one per point;
    ``density=True`` scales the histogram to integrate to 1.

    Signature: ``histogramdd(input, bins, *, range=None, weight=None, density=False)``.

    >>> import numtorch as torch
    >>> x = torch.tensor([[0., 0.], [1., 1.], [2., 0.], [2., 2.]])
    >>> torch.histogramdd(x, bins=[2, 2])
    torch.return_types.histogramdd(
    hist=tensor([[1., 0.],
            [1., 2.]]),
    bin_edges=(tensor([0., 1., 2.]), tensor([0., 1., 2.])))
    """
    a = _histogramdd_args(args, kwargs)
    input, bins, rng, weight = a["input"], a["bins"], a["range"], a["weight"]
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if x.dtype.kind != "f" or x.dtype == np.float16:
        raise _no_kernel("histogramdd", x.dtype)
    if x.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = x.shape[-1]
    if dims == 0:
        return return_types.histogramdd(_make(np.zeros((), x.dtype)), ())
    pts = x.reshape(-1, dims)
    dt = x.dtype.type
    given = isinstance(bins, (tuple, list)) and bins and isinstance(bins[0], Tensor)
    if given:
        if len(bins) != dims:
            raise RuntimeError(f"torch.histogramdd: expected {dims} sequences of bin edges for a "
                               f"{dims}-dimensional histogram but got {len(bins)}")
    elif isinstance(bins, (tuple, list)):
        if len(bins) != dims:
            raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                               "dimension of the input.")
        counts = [int(b) for b in bins]
    else:
        counts = [int(bins)] * dims
    if not given and rng is not None and len(rng) != 2 * dims:
        raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range should "
                           f"have {2 * dims} elements, but got {len(rng)}")
    w = None
    if weight is not None:
        w = weight._data
        if w.shape != x.shape[:-1]:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape as "
                "the input tensor excluding its innermost dimension, but got input with shape "
                f"{list(x.shape)} and weight with shape {list(w.shape)}")
        if w.dtype != x.dtype:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({_dtype.cpp_name(input.dtype)}), and "
                f"weight({_dtype.cpp_name(weight.dtype)})")
        w = w.reshape(-1)
    edges = []
    for d in builtins.range(dims):
        if given:
            e = bins[d]._data
            if e.ndim != 1:
                raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, "
                                   f"but got {e.ndim} dimensions in the bins tensor for "
                                   f"dimension {d}")
            if e.dtype != x.dtype:
                raise RuntimeError(
                    f"torch.histogramdd: input tensor and bins tensors should have the same "
                    f"dtype, but got input with dtype {_dtype.cpp_name(input.dtype)} and bins for "
                    f"dimension {d} with dtype {_dtype.cpp_name(bins[d].dtype)}")
        else:
            e = _equal_edges(pts[:, d], counts[d], None if rng is None else rng[2 * d:2 * d + 2],
                             d, dt)
        if len(e) == 0:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have at least 1 element, "
                               f"but got 0 elements in the bins tensor for dimension {d}")
        edges.append(np.array(e, x.dtype))
    for d, e in enumerate(edges):
        if len(e) == 1:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got 0 for dimension {d}")
    keep = np.ones(len(pts), bool)
    where = []
    for d, e in enumerate(edges):
        k, p = (_edges_bins if given else _equal_bins)(pts[:, d], e, *(() if given else
                                                                      (len(e) - 1,)))
        full = np.zeros(len(pts), np.int64)
        full[k] = p
        keep &= k
        where.append(full)
    hist = np.zeros(tuple(len(e) - 1 for e in edges), x.dtype)
    np.add.at(hist, tuple(p[keep] for p in where), w[keep] if w is not None else dt(1))
    if a["density"]:
        hist = hist / hist.sum()
        for d, e in enumerate(edges):
            hist = hist / np.diff(e).reshape((-1,) + (1,) * (dims - d - 1))
        hist = hist.astype(x.dtype)
    ins = (input, weight)
    if given:
        return return_types.histogramdd(_result(_HistogramddTensorsNode, ins, hist),
                                        tuple(bins))
    return return_types.histogramdd(_result(_HistogramddCountsNode, ins, hist),
                                    tuple(_result(_HistogramddEdgesNode, ins, e) for e in edges))


# -- bincount -----------------------------------------------------------------------------------

def bincount(input, weights=None, minlength=0) -> Tensor:
    """How many times each value 0, 1, ... occurs in the 1-D non-negative integer ``input``
    (``weights``: their sum), with at least ``minlength`` bins.

    >>> import numtorch as torch
    >>> torch.bincount(torch.tensor([0, 1, 1]), torch.tensor([0.5, 1., 2.]))
    tensor([0.5000, 3.0000])
    """
    if not isinstance(input, Tensor):
        raise arg_error("bincount", "input", 1, "Tensor", input)
    x = input._data
    if x.dtype.kind not in "iu":
        raise _no_kernel("bincount_cpu", x.dtype)
    if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)):
        raise arg_error("bincount", "minlength", 3, "int", minlength)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None:
        if not isinstance(weights, Tensor):
            raise arg_error("bincount", "weights", 2, "Tensor", weights)
        w = weights._data
        if w.ndim != 1 or len(w) != len(x):
            raise RuntimeError("weights should be 1-d and have the same length as input")
    n = builtins.max(int(x.max()) + 1 if x.size else 0, int(minlength))
    if weights is None or x.size == 0:
        return _make(np.bincount(x, minlength=n).astype(np.int64) if x.size else
                     np.zeros(n, np.int64))
    dt = w.dtype if w.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    counts = np.zeros(n, dt)
    np.add.at(counts, x, w.astype(dt))
    return _result(_BincountNode, (weights,), counts)

