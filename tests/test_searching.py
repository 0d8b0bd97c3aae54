"""Searching and counting against PyTorch 2.13: searchsorted, bucketize, isin, histc, histogram,
bincount.

Results, dtypes, shapes, reprs, ``grad_fn`` names where PyTorch records one, error types and
messages. Values on bin edges and boundaries (drawn from a grid) test PyTorch's arithmetic and
its binary search (NaN boundaries included). PyTorch's answers are recorded in
``tests/data/searching.npz`` / ``searching.json`` (regenerate with
``python tests/data/regen_sorting.py searching``); with torch installed each record is also
checked against live PyTorch.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import numtorch
from numtorch.ops import searching

import _order_harness as H

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "searching.npz")
RECORD_JSON = os.path.join(DATA, "searching.json")
MOD = sys.modules[__name__]


def _grid(rng, shape, dtype, lo=-2.0, hi=2.0, steps=8):
    """Values on and between the points of a grid (edges are where the arithmetic matters)."""
    on = lo + (hi - lo) * rng.integers(0, steps + 1, shape) / steps
    off = rng.uniform(lo - 0.5, hi + 0.5, shape)
    return np.where(rng.random(shape) < 0.6, on, off).astype(dtype)


def search(bshape, vshape, dtype="float32", vdtype=None, nan=False, sorter=False, **kw):
    def make(T, rng):
        b = np.sort(_grid(rng, bshape, dtype), axis=-1)
        if nan:
            b[..., -2:] = np.nan
        v = _grid(rng, vshape, vdtype or dtype)
        if nan and v.dtype.kind == "f":
            v.reshape(-1)[::3] = np.nan
        if sorter:
            perm = np.argsort(rng.random(bshape), axis=-1)
            b = np.take_along_axis(b, perm, -1)
            kw["sorter"] = T.tensor(np.argsort(perm, axis=-1))
        return T.searchsorted(T.tensor(b), T.tensor(v), **kw), {}
    return make


def bucket(bsize, vshape, dtype="float32", **kw):
    def make(T, rng):
        b = np.sort(_grid(rng, (bsize,), dtype))
        return T.bucketize(T.tensor(_grid(rng, vshape, dtype)), T.tensor(b), **kw), {}
    return make


def member(eshape, tshape, edtype="int64", tdtype="int64", **kw):
    def make(T, rng):
        e = H.array(rng, "n64", eshape).astype(edtype) if edtype.startswith("float") else \
            rng.integers(0, 8, eshape).astype(edtype)
        t = H.array(rng, "n64", tshape).astype(tdtype) if tdtype.startswith("float") else \
            rng.integers(0, 8, tshape).astype(tdtype)
        return T.isin(T.tensor(e), T.tensor(t), **kw), {}
    return make


def hist_c(shape, dtype="float32", *args, **kw):
    def make(T, rng):
        return T.histc(T.tensor(_grid(rng, shape, dtype)), *args, **kw), {}
    return make


def hist(shape, bins, dtype="float64", weight=False, tensor_bins=False, **kw):
    def make(T, rng):
        x = T.tensor(_grid(rng, shape, dtype))
        if weight:
            kw["weight"] = T.tensor(rng.uniform(0, 2, shape).astype(dtype))
        b = T.tensor(np.sort(_grid(rng, (bins,), dtype))) if tensor_bins else bins
        return T.histogram(x, b, **kw), {}
    return make


def count(n, hi, dtype="int64", weights=None, minlength=0):
    def make(T, rng):
        x = T.tensor(rng.integers(0, hi, n).astype(dtype))
        w = None if weights is None else T.tensor((rng.standard_normal(n) * 2).astype(weights))
        return T.bincount(x, w, minlength), {}
    return make


CASES = {}
for dt in ("float32", "float64", "int64"):
    for right in (False, True):
        CASES[f"searchsorted-1d-{dt}-{right}"] = search((12,), (4, 9), dt, right=right)
        CASES[f"searchsorted-nd-{dt}-{right}"] = search((3, 10), (3, 7), dt, right=right)
        CASES[f"searchsorted-3d-{dt}-{right}"] = search((2, 3, 6), (2, 3, 5), dt, right=right)
        CASES[f"searchsorted-sorter-{dt}-{right}"] = search((15,), (20,), dt, sorter=True,
                                                            right=right)
        CASES[f"searchsorted-sorter-nd-{dt}-{right}"] = search((2, 9), (2, 4), dt, sorter=True,
                                                               right=right)
for side in ("left", "right"):
    CASES[f"searchsorted-side-{side}"] = search((10,), (12,), side=side)
    CASES[f"searchsorted-nan-{side}"] = search((11,), (15,), "float64", nan=True, side=side)
    CASES[f"searchsorted-nan-nd-{side}"] = search((3, 9), (3, 8), nan=True, side=side)
CASES["searchsorted-int32"] = search((10,), (6,), out_int32=True)
CASES["searchsorted-mixed"] = search((10,), (6,), "int64", "float32")
CASES["searchsorted-mixed2"] = search((10,), (6,), "float32", "int64")
CASES["searchsorted-mixed3"] = search((10,), (6,), "int32", "float64")
CASES["searchsorted-0d-value"] = search((10,), (), right=True)
CASES["searchsorted-empty"] = search((0,), (4,))
CASES["searchsorted-empty-values"] = search((5,), (0,))
CASES["searchsorted-scalar"] = lambda T, rng: (T.searchsorted(T.tensor([1., 2., 2., 3.]), 2), {})
CASES["searchsorted-scalar-float"] = lambda T, rng: (
    T.searchsorted(T.tensor([1, 2, 3]), 2.5, right=True), {})
CASES["searchsorted-bool-scalar"] = lambda T, rng: (T.searchsorted(T.tensor([1., 2.]), True), {})
CASES["searchsorted-bool-values"] = lambda T, rng: (
    T.searchsorted(T.tensor([0., 0.5, 1.]), T.tensor([True, False])), {})
for dt in ("float32", "int64"):
    for right in (False, True):
        CASES[f"bucketize-{dt}-{right}"] = bucket(9, (3, 5), dt, right=right)
CASES["bucketize-int32"] = bucket(9, (7,), out_int32=True)
CASES["bucketize-scalar"] = lambda T, rng: (T.bucketize(2, T.tensor([1, 2, 3])), {})
CASES["bucketize-scalar-right"] = lambda T, rng: (
    T.bucketize(2.0, T.tensor([1., 2., 3.]), right=True), {})
CASES["bucketize-0d"] = bucket(5, ())

for et, tt in (("int64", "int64"), ("int64", "float64"), ("float32", "int64"),
               ("float64", "float32"), ("uint8", "int64"), ("int32", "int16")):
    for invert in (False, True):
        CASES[f"isin-{et}-{tt}-{invert}"] = member((4, 6), (5,), et, tt, invert=invert)
CASES["isin-nd-test"] = member((3, 3), (2, 2), assume_unique=True)
CASES["isin-empty-test"] = member((5,), (0,))
CASES["isin-empty"] = member((0, 2), (3,))
CASES["isin-scalar-element"] = lambda T, rng: (T.isin(2, T.tensor([1, 2])), {})
CASES["isin-scalar-test"] = lambda T, rng: (T.isin(T.tensor([1., 2.5]), 2.5), {})
CASES["isin-scalar-float-int"] = lambda T, rng: (T.isin(T.tensor([1, 2]), 2.0), {})
CASES["isin-large"] = lambda T, rng: (T.isin(T.tensor(rng.integers(0, 50, 300)),
                                             T.tensor(rng.integers(0, 50, 40))), {})
CASES["isin-nan"] = lambda T, rng: (T.isin(T.tensor([1., float("nan")]),
                                           T.tensor([float("nan"), 1.])), {})

for dt in ("float32", "float64"):
    CASES[f"histc-{dt}"] = hist_c((40,), dt)
    CASES[f"histc-range-{dt}"] = hist_c((5, 8), dt, 8, -2, 2)
    CASES[f"histc-range2-{dt}"] = hist_c((60,), dt, 7, -1.3, 1.7)
    CASES[f"histc-bins1-{dt}"] = hist_c((10,), dt, 1)
    CASES[f"histc-many-{dt}"] = hist_c((200,), dt, 37, -2, 2)
    CASES[f"histc-tenths-{dt}"] = lambda T, rng, dt=dt: (
        T.histc(T.tensor(np.arange(11, dtype=dt) / 10), 10, 0, 1), {})
CASES["histc-equal-range"] = hist_c((9,), "float32", 4, 1, 1)
CASES["histc-constant"] = lambda T, rng: (T.histc(T.ones(3), 4), {})
CASES["histc-0d"] = lambda T, rng: (T.histc(T.tensor(1.), 3), {})
CASES["histc-empty"] = lambda T, rng: (T.histc(T.zeros(0), 3), {})
CASES["histc-nan-in-range"] = lambda T, rng: (T.histc(T.tensor([1., float("nan")]), 4, 0, 2), {})
CASES["histc-half"] = hist_c((30,), "float16", 5, -2, 2)
CASES["histc-method"] = lambda T, rng: (T.tensor([1., 2., 1., 2.5, 4., 0.]).histc(3, 0, 4), {})

for dt in ("float32", "float64"):
    CASES[f"histogram-{dt}"] = hist((40,), 6, dt)
    CASES[f"histogram-range-{dt}"] = hist((5, 8), 8, dt, range=(-2., 2.))
    CASES[f"histogram-range2-{dt}"] = hist((60,), 7, dt, range=(-1.3, 1.7))
    CASES[f"histogram-many-{dt}"] = hist((300,), 33, dt, range=(-2.1, 2.3))
    CASES[f"histogram-weight-{dt}"] = hist((30,), 5, dt, weight=True)
    CASES[f"histogram-density-{dt}"] = hist((30,), 5, dt, density=True)
    CASES[f"histogram-weight-density-{dt}"] = hist((30,), 4, dt, weight=True, density=True,
                                                   range=(-1., 2.))
    CASES[f"histogram-tensor-bins-{dt}"] = hist((50,), 6, dt, tensor_bins=True)
    CASES[f"histogram-tensor-bins-density-{dt}"] = hist((50,), 5, dt, tensor_bins=True, weight=True,
                                                  density=True)
CASES["histogram-constant"] = lambda T, rng: (T.histogram(T.ones(3), 4), {})
CASES["histogram-equal-range"] = lambda T, rng: (T.histogram(T.ones(3), 2, range=(1., 1.)), {})
CASES["histogram-empty"] = lambda T, rng: (T.histogram(T.zeros(0), 3), {})
CASES["histogram-int-range"] = lambda T, rng: (T.histogram(T.arange(6.), 3, range=(0, 4)), {})
CASES["histogram-repeated-edges"] = lambda T, rng: (
    T.histogram(T.tensor([1., 2., 1., 2.5, 4., 0.]), T.tensor([0., 1., 1., 4.])), {})
CASES["histogram-unsorted-edges"] = lambda T, rng: (
    T.histogram(T.tensor([1., 2., 0.]), T.tensor([3., 1.])), {})
CASES["histogram-method"] = lambda T, rng: (T.arange(5.).histogram(2), {})
CASES["histogram-grad"] = lambda T, rng: (T.histogram(T.arange(5., requires_grad=True), 2), {})
CASES["histogram-grad-weight"] = lambda T, rng: (T.histogram(
    T.arange(4.), 2, weight=T.ones(4, requires_grad=True)), {})

for dt in ("int64", "int32", "uint8", "int8"):
    CASES[f"bincount-{dt}"] = count(30, 7, dt)
CASES["bincount-minlength"] = count(10, 4, minlength=9)
CASES["bincount-minlength-small"] = count(10, 4, minlength=2)
for w in ("float32", "float64", "int64", "int32", "bool", "float16"):
    CASES[f"bincount-weights-{w}"] = count(40, 6, weights=w)
CASES["bincount-weights-minlength"] = count(12, 3, weights="float64", minlength=5)
CASES["bincount-empty"] = lambda T, rng: (T.bincount(T.tensor([], dtype=T.int64)), {})
CASES["bincount-empty-minlength"] = lambda T, rng: (
    T.bincount(T.tensor([], dtype=T.int64), minlength=3), {})
CASES["bincount-empty-weights"] = lambda T, rng: (
    T.bincount(T.tensor([], dtype=T.int64), T.tensor([]), 2), {})
CASES["bincount-method"] = lambda T, rng: (T.tensor([0, 3, 3]).bincount(minlength=5), {})
CASES["bincount-grad"] = lambda T, rng: (
    T.bincount(T.tensor([0, 1, 1]), T.tensor([1., 2., 3.], requires_grad=True)), {})


def _t(T, *a, **k):
    return T.tensor(*a, **k)


ERRORS = {
    "searchsorted_side": lambda T: T.searchsorted(_t(T, [1., 2.]), _t(T, [1.]), side="foo"),
    "searchsorted_side_right": lambda T: T.searchsorted(_t(T, [1., 2.]), _t(T, [1.]),
                                                        side="left", right=True),
    "searchsorted_shape": lambda T: T.searchsorted(_t(T, [[1, 3], [2, 4]]), _t(T, [[2, 1, 4]])),
    "searchsorted_shape_1d": lambda T: T.searchsorted(_t(T, [[1, 3], [2, 4]]), _t(T, [2, 5])),
    "searchsorted_0d": lambda T: T.searchsorted(_t(T, 5.), _t(T, [2.])),
    "searchsorted_sorter_size": lambda T: T.searchsorted(_t(T, [5., 1., 3.]), _t(T, [2.]),
                                                         sorter=_t(T, [1, 2])),
    "searchsorted_sorter_dtype": lambda T: T.searchsorted(_t(T, [5., 1., 3.]), _t(T, [2.]),
                                                          sorter=_t(T, [1., 2., 0.])),
    "searchsorted_sorter_range": lambda T: T.searchsorted(_t(T, [5., 1., 3.]), _t(T, [2.]),
                                                          sorter=_t(T, [1, 5, 0])),
    "searchsorted_list": lambda T: T.searchsorted(_t(T, [1., 2.]), [1., 2.]),
    "searchsorted_list_seq": lambda T: T.searchsorted([1., 2.], _t(T, [1., 2.])),
    "searchsorted_bool": lambda T: T.searchsorted(_t(T, [False, True]), _t(T, [True])),
    "searchsorted_out_dtype": lambda T: T.searchsorted(_t(T, [1., 2.]), _t(T, [2.]),
                                                       out=T.zeros(1)),
    "bucketize_2d": lambda T: T.bucketize(_t(T, [2., 0.]), _t(T, [[1., 2.]])),
    "isin_bool": lambda T: T.isin(_t(T, [True, False]), _t(T, [True])),
    "isin_bool_test": lambda T: T.isin(_t(T, [1, 2]), _t(T, [True])),
    "isin_scalars": lambda T: T.isin(2, 3),
    "isin_bool_scalar": lambda T: T.isin(_t(T, [1, 2]), True),
    "isin_bool_element": lambda T: T.isin(True, _t(T, [1, 2])),
    "isin_list": lambda T: T.isin(_t(T, [1, 2]), [1]),
    "isin_out_dtype": lambda T: T.isin(_t(T, [1, 2]), _t(T, [1]), out=T.zeros(2)),
    "histc_minmax": lambda T: T.histc(_t(T, [1., 2.]), 4, 3, 0),
    "histc_bins_zero": lambda T: T.histc(_t(T, [1., 2.]), 0),
    "histc_bins_negative": lambda T: T.histc(_t(T, [1., 2.]), -1),
    "histc_nan": lambda T: T.histc(_t(T, [1., float("nan")]), 4),
    "histc_inf": lambda T: T.histc(_t(T, [1., float("inf")]), 4),
    "histc_nan_bound": lambda T: T.histc(_t(T, [1., 2.]), 4, min=float("nan"), max=3),
    "histc_long": lambda T: T.histc(_t(T, [1, 2])),
    "histc_bool": lambda T: T.histc(_t(T, [True])),
    "histc_float_bins": lambda T: T.histc(_t(T, [1., 2.]), 2.5),
    "histogram_range": lambda T: T.histogram(_t(T, [1., 2.]), 4, range=(3., 0.)),
    "histogram_bins_zero": lambda T: T.histogram(_t(T, [1., 2.]), 0),
    "histogram_bins_2d": lambda T: T.histogram(_t(T, [1., 2.]), _t(T, [[0., 1.]])),
    "histogram_weight_shape": lambda T: T.histogram(_t(T, [1., 2.]), 4, weight=T.ones(3)),
    "histogram_weight_dtype": lambda T: T.histogram(_t(T, [1., 2.]), 4,
                                                    weight=T.ones(2, dtype=T.float64)),
    "histogram_bins_dtype": lambda T: T.histogram(_t(T, [1., 2.]),
                                                  _t(T, [0., 1.], dtype=T.float64)),
    "histogram_nan": lambda T: T.histogram(_t(T, [1., float("nan")]), 4),
    "histogram_inf": lambda T: T.histogram(_t(T, [1., float("inf")]), 4),
    "histogram_nan_range": lambda T: T.histogram(_t(T, [1., 2.]), 3, range=(float("nan"), 1.)),
    "histogram_long": lambda T: T.histogram(_t(T, [1, 2]), 3),
    "histogram_half": lambda T: T.histogram(_t(T, [1., 2.], dtype=T.float16), 3),
    "histogram_backward": lambda T: T.histogram(_t(T, [1., 2.], requires_grad=True), 2)
    .hist.sum().backward(),
    "bincount_negative": lambda T: T.bincount(_t(T, [0, 1, -1])),
    "bincount_2d": lambda T: T.bincount(_t(T, [[0, 1]])),
    "bincount_0d": lambda T: T.bincount(_t(T, 1)),
    "bincount_minlength": lambda T: T.bincount(_t(T, [0, 1]), minlength=-1),
    "bincount_weights_length": lambda T: T.bincount(_t(T, [0, 1]), _t(T, [1.])),
    "bincount_weights_2d": lambda T: T.bincount(_t(T, [0, 1]), _t(T, [[1., 2.]])),
    "bincount_float": lambda T: T.bincount(_t(T, [0., 1.])),
    "bincount_bool": lambda T: T.bincount(_t(T, [True])),
    "bincount_negative_2d": lambda T: T.bincount(_t(T, [[0, -1]])),
    "bincount_backward": lambda T: T.bincount(_t(T, [0, 1]), _t(T, [1., 2.], requires_grad=True))
    .sum().backward(),
}

REPRS = {
    "histogram": lambda T: T.histogram(_t(T, [1., 2., 1., 2.5, 4., 0.]), 4),
    "histogram_grad": lambda T: T.histogram(_t(T, [1., 2., 3.], requires_grad=True), 2),
    "histogram_type": lambda T: type(T.histogram(_t(T, [1., 2.]), 2)).__module__,
    "histc": lambda T: T.histc(_t(T, [1., 2., 1.]), 4, 0, 3),
    "bincount_grad": lambda T: T.bincount(_t(T, [0, 1, 1]),
                                          _t(T, [1., 2., 3.], requires_grad=True)),
    "searchsorted": lambda T: T.searchsorted(_t(T, [1., 2., 2., 3.]), _t(T, [[2., 2.5]]),
                                             out_int32=True),
    "isin": lambda T: T.isin(_t(T, [1, 2, 3]), _t(T, [2])),
}
HIGHER: dict = {}


@pytest.fixture(scope="module")
def record():
    return H.load(MOD)


DENSITY_TOL = {k: 1e-6 for k in CASES if "density" in k}


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    H.check_case(numtorch, MOD, case_id, record, tol=DENSITY_TOL.get(case_id))


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    H.check_error(numtorch, MOD, case_id, record)


@pytest.mark.parametrize("case_id", list(REPRS))
def test_reprs(case_id, record):
    H.check_repr(numtorch, MOD, case_id, record)


# -- behaviour checked against mathematics -------------------------------------------------------

def test_bin_edges_are_torch_linspace():
    """The edges: one fused multiply-add from the nearer end, rounded once (PyTorch's
    linspace), e.g. 0.3 + 3 * 0.7 rounds to 2.4, not 2.3999999999999995."""
    from numtorch.ops.creation import linspace_array
    edges = linspace_array(0.3, 0.3 + 7 * 0.7, 8, np.float64)
    assert edges[3] == 2.4 and edges[0] == 0.3 and edges[-1] == 0.3 + 7 * 0.7
    e32 = linspace_array(-1.0, 1.0, 5, np.float32)
    assert e32.dtype == np.float32 and e32.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]


def test_searchsorted_matches_numpy_without_nan():
    rng = np.random.default_rng(3)
    b = np.sort(rng.integers(0, 20, (4, 30)), axis=-1)
    v = rng.integers(-2, 22, (4, 11))
    for right in (False, True):
        got = numtorch.searchsorted(numtorch.tensor(b), numtorch.tensor(v), right=right).numpy()
        want = np.stack([np.searchsorted(b[i], v[i], "right" if right else "left")
                         for i in range(4)])
        np.testing.assert_array_equal(got, want)


def test_out_arguments():
    o = numtorch.zeros(0, dtype=numtorch.int64)
    assert numtorch.searchsorted(numtorch.tensor([1., 3.]), numtorch.tensor([2.]), out=o) is o
    assert o.tolist() == [1]
    o = numtorch.zeros(0, dtype=numtorch.int32)
    numtorch.bucketize(numtorch.tensor([4.]), numtorch.tensor([1., 3.]), out_int32=True, out=o)
    assert o.tolist() == [2]
    b = numtorch.zeros(0, dtype=numtorch.bool)
    assert numtorch.isin(numtorch.tensor([1, 2]), numtorch.tensor([2]), out=b) is b
    assert b.tolist() == [False, True]
    h = numtorch.zeros(0)
    assert numtorch.histc(numtorch.tensor([1., 2.]), 2, out=h) is h and h.tolist() == [1., 1.]
    h, e = numtorch.zeros(0), numtorch.zeros(0)
    r = numtorch.histogram(numtorch.tensor([1., 2.]), 2, out=(h, e))
    assert r.hist is h and e.tolist() == [1., 1.5, 2.]


def test_exports_and_methods():
    for name in ("searchsorted", "bucketize", "isin", "histc", "histogram", "bincount"):
        assert getattr(numtorch, name) is getattr(searching, name)
    for name in ("histc", "histogram", "bincount"):
        assert getattr(numtorch.Tensor, name) is getattr(searching, name)
    for name in ("searchsorted", "bucketize", "isin"):       # PyTorch has no such methods
        assert not hasattr(numtorch.Tensor, name)
