"""Sorting and order statistics against PyTorch 2.13: sort, argsort, msort, topk, kthvalue,
median, nanmedian, mode, unique, unique_consecutive.

Values, indices (ties included: int and float data drawn from a few values, and NaNs), dtypes,
shapes, ``grad_fn`` names, gradients, return-type reprs, error types and messages, second
derivatives. PyTorch's answers are recorded in ``tests/data/sorting.npz`` / ``sorting.json``
(regenerate with ``python tests/data/regen_sorting.py``), so this runs without torch; with torch
installed every record is also checked against live PyTorch. ``gradcheck`` / ``gradgradcheck``
need no torch.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.ops import _tie_order, sorting

import _order_harness as H

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "sorting.npz")
RECORD_JSON = os.path.join(DATA, "sorting.json")


def op(kind, shape, fn, grad=None, backward=True):
    """A case: ``fn(T, x)`` on an input of ``kind`` and ``shape`` (``backward``: compare the
    gradient for a random cotangent)."""
    def make(T, rng):
        x = H.tensor(T, rng, kind, shape, grad)
        return fn(T, x), {"x": x} if backward else {}
    return make


def uop(kind, shape, fn, grad=None):
    """A case whose outputs PyTorch does not differentiate (``unique``)."""
    return op(kind, shape, fn, grad, backward=False)


CASES = {}
SHAPES = [((7,), 0), ((3, 20), 1), ((3, 20), 0), ((2, 3, 33), -1), ((2, 3, 33), 1), ((40,), 0)]

for kind in ("int", "f32", "t32", "n64", "u8", "bool", "f16", "i32"):
    for shape, dim in SHAPES:
        for desc in (False, True):
            CASES[f"sort-{kind}-{shape}-{dim}-{desc}"] = op(
                kind, shape, lambda T, x, d=dim, s=desc: T.sort(x, d, s))
        CASES[f"sort_stable-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.sort(x, dim=d, descending=d == 0, stable=True))
        CASES[f"argsort-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.argsort(x, d, descending=d != 0))
for kind in ("int", "t64", "n32"):
    CASES[f"argsort_stable-{kind}"] = op(kind, (4, 30), lambda T, x: T.argsort(x, stable=True))
    CASES[f"msort-{kind}"] = op(kind, (25, 3), lambda T, x: T.msort(x))
    CASES[f"sort_method-{kind}"] = op(kind, (300,), lambda T, x: x.sort(descending=True))
CASES["sort_0d"] = op("f32", (), lambda T, x: T.sort(x))
CASES["sort_0d_dim"] = op("int", (), lambda T, x: T.sort(x, 0, True))
CASES["sort_empty"] = op("f32", (0, 3), lambda T, x: T.sort(x, 0))
CASES["argsort_0d"] = op("f32", (), lambda T, x: T.argsort(x))
CASES["msort_0d"] = op("f32", (), lambda T, x: T.msort(x))

for kind in ("int", "f32", "t32", "n64", "u8", "f16"):
    for shape, dim in SHAPES + [((200,), 0), ((2, 130), 1)]:
        n = shape[dim]
        for k in sorted({1, 3, n // 2, n}):
            for largest in (True, False):
                CASES[f"topk-{kind}-{shape}-{dim}-{k}-{largest}"] = op(
                    kind, shape, lambda T, x, d=dim, k=k, lg=largest: T.topk(x, k, d, lg))
            CASES[f"topk_unsorted-{kind}-{shape}-{dim}-{k}"] = op(
                kind, shape, lambda T, x, d=dim, k=k: T.topk(x, k, d, sorted=False))
CASES["topk_0d"] = op("f32", (), lambda T, x: T.topk(x, 1))
CASES["topk_0d_k0"] = op("f32", (), lambda T, x: T.topk(x, 0))
CASES["topk_k0"] = op("f32", (3, 4), lambda T, x: T.topk(x, 0))
CASES["topk_empty"] = op("f32", (0, 4), lambda T, x: T.topk(x, 2))
CASES["topk_method"] = op("t32", (5, 6), lambda T, x: x.topk(2, dim=0, largest=False))

for kind in ("int", "f32", "t32", "n64", "u8", "f16", "i32"):
    for shape, dim in SHAPES:
        n = shape[dim]
        for k in sorted({1, (n + 1) // 2, n}):
            CASES[f"kthvalue-{kind}-{shape}-{dim}-{k}"] = op(
                kind, shape, lambda T, x, d=dim, k=k: T.kthvalue(x, k, d))
        CASES[f"kthvalue_keepdim-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.kthvalue(x, 2, d, True))
CASES["kthvalue_0d"] = op("f32", (), lambda T, x: T.kthvalue(x, 1))
CASES["kthvalue_empty"] = op("f32", (0, 4), lambda T, x: T.kthvalue(x, 2))
CASES["kthvalue_method"] = op("t64", (6, 5), lambda T, x: x.kthvalue(3, dim=0, keepdim=True))

for kind in ("int", "f32", "t32", "n64", "n32", "u8", "f16"):
    for shape in ((7,), (4, 6), (2, 3, 33), (6, 25)):
        CASES[f"median_all-{kind}-{shape}"] = op(kind, shape, lambda T, x: T.median(x))
        CASES[f"nanmedian_all-{kind}-{shape}"] = op(kind, shape, lambda T, x: T.nanmedian(x))
    for shape, dim in SHAPES:
        for keep in (False, True):
            CASES[f"median-{kind}-{shape}-{dim}-{keep}"] = op(
                kind, shape, lambda T, x, d=dim, kd=keep: T.median(x, d, kd))
            CASES[f"nanmedian-{kind}-{shape}-{dim}-{keep}"] = op(
                kind, shape, lambda T, x, d=dim, kd=keep: T.nanmedian(x, d, kd))
CASES["median_all_nan"] = op("f64", (3, 4), lambda T, x: T.nanmedian(x * float("nan"), 1))
for n in (1, 2, 3, 5, 8, 17, 40):
    CASES[f"nanmedian_nan_row-{n}"] = op("f64", (2, n), lambda T, x: T.nanmedian(
        T.where(T.arange(2).reshape(2, 1) == 0, x * float("nan"), x), 1))
CASES["nanmedian_all_nan"] = op("f64", (5,), lambda T, x: T.nanmedian(x * float("nan")))
CASES["median_empty_all"] = op("f32", (0, 3), lambda T, x: T.median(x))
CASES["nanmedian_empty_all"] = op("f32", (0,), lambda T, x: T.nanmedian(x))
CASES["median_empty_dim"] = op("f32", (0, 3), lambda T, x: T.median(x, 1))
CASES["median_0d"] = op("f32", (), lambda T, x: T.median(x))
CASES["median_0d_dim"] = op("f32", (), lambda T, x: T.median(x, 0, True))
CASES["nanmedian_0d_dim"] = op("f64", (), lambda T, x: T.nanmedian(x, -1))
CASES["median_method"] = op("t32", (4, 5), lambda T, x: x.median(dim=0))

for kind in ("int", "t32", "n64", "n32", "bool", "u8", "f16", "f64"):
    for shape, dim in SHAPES + [((4, 60), 1)]:
        CASES[f"mode-{kind}-{shape}-{dim}"] = op(kind, shape, lambda T, x, d=dim: T.mode(x, d))
    CASES[f"mode_keepdim-{kind}"] = op(kind, (5, 18), lambda T, x: T.mode(x, 0, True))
CASES["mode_0d"] = op("f32", (), lambda T, x: T.mode(x))
CASES["mode_empty"] = op("f32", (0, 3), lambda T, x: T.mode(x))
CASES["mode_empty_rows"] = op("f32", (3, 0), lambda T, x: T.mode(x, 0))
CASES["mode_method"] = op("int", (4, 30), lambda T, x: x.mode())

for kind in ("int", "t32", "n64", "bool", "u8", "f16", "f64"):
    for shape in ((7,), (4, 6), (3, 40)):
        CASES[f"unique-{kind}-{shape}"] = uop(
            kind, shape, lambda T, x: T.unique(x, return_inverse=True, return_counts=True))
        CASES[f"unique_plain-{kind}-{shape}"] = uop(kind, shape, lambda T, x: T.unique(x))
        CASES[f"unique_unsorted-{kind}-{shape}"] = uop(
            kind, shape, lambda T, x: T.unique(x, sorted=False, return_inverse=True))
        CASES[f"unique_consecutive-{kind}-{shape}"] = uop(
            kind, shape, lambda T, x: T.unique_consecutive(x, True, True))
    for shape, dim in (((6, 2), 0), ((3, 8), 1), ((4, 2, 3), 0), ((2, 9, 2), 1), ((5,), 0)):
        CASES[f"unique_dim-{kind}-{shape}-{dim}"] = uop(
            kind, shape, lambda T, x, d=dim: T.unique(x, return_inverse=True, return_counts=True,
                                                      dim=d))
        CASES[f"unique_consecutive_dim-{kind}-{shape}-{dim}"] = uop(
            kind, shape, lambda T, x, d=dim: T.unique_consecutive(x, return_inverse=True,
                                                                  return_counts=True, dim=d))
CASES["unique_counts_only"] = uop("int", (9,), lambda T, x: T.unique(x, return_counts=True))
CASES["unique_0d"] = uop("f32", (), lambda T, x: T.unique(x, return_inverse=True,
                                                         return_counts=True))
CASES["unique_empty"] = uop("f32", (0, 3), lambda T, x: T.unique(x, return_inverse=True,
                                                                return_counts=True))
CASES["unique_empty_dim"] = uop("f32", (0, 3), lambda T, x: T.unique(x, dim=0, return_inverse=True,
                                                                    return_counts=True))
CASES["unique_empty_selected"] = uop("f32", (2, 0), lambda T, x: T.unique(x, dim=1,
                                                                         return_counts=True))
CASES["unique_method"] = uop("int", (3, 4), lambda T, x: x.unique(True, True, True, 1))
CASES["unique_nan_rows"] = uop("n64", (12, 2), lambda T, x: T.unique(x, dim=0, return_inverse=True,
                                                                    return_counts=True))
CASES["unique_nan_many"] = uop("n32", (300,), lambda T, x: T.unique(x, return_inverse=True))
CASES["unique_consecutive_0d"] = uop("int", (), lambda T, x: T.unique_consecutive(
    x, return_inverse=True, return_counts=True))
CASES["unique_consecutive_method"] = uop("int", (12,), lambda T, x: x.unique_consecutive())
CASES["unique_grad"] = uop("t32", (8,), lambda T, x: T.unique(x, return_counts=True))
CASES["unique_dim_grad"] = uop("t32", (4, 2), lambda T, x: T.unique(x, dim=0))
CASES["unique_consecutive_grad"] = uop("t32", (8,), lambda T, x: T.unique_consecutive(x))


def _t(T, *a, **k):
    return T.tensor(*a, **k)


ERRORS = {
    "sort_dim": lambda T: T.sort(_t(T, [[1., 2.]]), 2),
    "sort_dim_neg": lambda T: T.sort(_t(T, [[1., 2.]]), -3),
    "sort_0d_dim": lambda T: T.sort(_t(T, 1.), 1),
    "sort_not_tensor": lambda T: T.sort([1, 2]),
    "sort_float_dim": lambda T: T.sort(_t(T, [1., 2.]), 1.5),
    "argsort_dim": lambda T: T.argsort(_t(T, [1., 2.]), 1),
    "argsort_not_tensor": lambda T: T.argsort((1, 2)),
    "msort_not_tensor": lambda T: T.msort(3),
    "topk_k_large": lambda T: T.topk(_t(T, [[3., 1., 2.]]), 4),
    "topk_k_negative": lambda T: T.topk(_t(T, [3., 1., 2.]), -1),
    "topk_k_dim0": lambda T: T.topk(_t(T, [[3., 1., 2.]]), 2, 0),
    "topk_k_0d": lambda T: T.topk(_t(T, 3.), 2),
    "topk_empty": lambda T: T.topk(T.zeros(0, 3), 1, 0),
    "topk_dim": lambda T: T.topk(_t(T, [3., 1.]), 1, 5),
    "topk_float_k": lambda T: T.topk(_t(T, [3., 1.]), 1.0),
    "topk_bool": lambda T: T.topk(_t(T, [True, False]), 1),
    "topk_not_tensor": lambda T: T.topk([1, 2], 1),
    "kthvalue_k_large": lambda T: T.kthvalue(_t(T, [[3., 1., 2.]]), 4),
    "kthvalue_k_zero": lambda T: T.kthvalue(_t(T, [[3., 1., 2.]]), 0),
    "kthvalue_k_dim0": lambda T: T.kthvalue(_t(T, [[3., 1., 2.]]), 2, 0),
    "kthvalue_0d": lambda T: T.kthvalue(_t(T, 2.), 2),
    "kthvalue_empty": lambda T: T.kthvalue(T.zeros(0, 3), 1, 0),
    "kthvalue_dim": lambda T: T.kthvalue(_t(T, [3., 1.]), 1, -2),
    "kthvalue_bool": lambda T: T.kthvalue(_t(T, [True, False]), 1),
    "kthvalue_float_k": lambda T: T.kthvalue(_t(T, [3., 1.]), 1.5),
    "median_dim": lambda T: T.median(_t(T, [[3., 1.]]), 2),
    "median_empty": lambda T: T.median(T.zeros(0, 3), 0),
    "median_bool": lambda T: T.median(_t(T, [True, False])),
    "median_bool_dim": lambda T: T.median(_t(T, [True, False]), 0),
    "median_not_tensor": lambda T: T.median([1., 2.]),
    "nanmedian_empty": lambda T: T.nanmedian(T.zeros(2, 0), 1),
    "nanmedian_dim": lambda T: T.nanmedian(_t(T, [1.]), 1),
    "nanmedian_bool": lambda T: T.nanmedian(_t(T, [True])),
    "mode_dim": lambda T: T.mode(_t(T, [[3., 1.]]), 5),
    "mode_empty": lambda T: T.mode(T.zeros(3, 0), 1),
    "mode_not_tensor": lambda T: T.mode(5),
    "unique_dim": lambda T: T.unique(_t(T, [[1, 2]]), dim=2),
    "unique_0d_dim": lambda T: T.unique(_t(T, 5), dim=0),
    "unique_zero_sized": lambda T: T.unique(T.zeros(2, 0), dim=0),
    "unique_consecutive_dim": lambda T: T.unique_consecutive(_t(T, [[1, 2]]), dim=-3),
    "unique_backward": lambda T: T.unique(_t(T, [2., 1., 2.], requires_grad=True)).sum()
    .backward(),
    "unique_dim_backward": lambda T: T.unique(_t(T, [[2., 1.]], requires_grad=True), dim=0).sum()
    .backward(),
    "unique_consecutive_backward": lambda T: T.unique_consecutive(
        _t(T, [2., 2., 1.], requires_grad=True)).sum().backward(),
    "sort_out_not_tuple": lambda T: T.topk(_t(T, [1., 2.]), 1, out=T.zeros(1)),
}

REPRS = {
    "sort": lambda T: T.sort(_t(T, [[3., 1., 2.], [0., 5., 5.]]), 1),
    "sort_grad": lambda T: T.sort(_t(T, [3., 1., 2.], requires_grad=True), descending=True),
    "topk": lambda T: T.topk(_t(T, [3, 1, 2, 7]), 2),
    "kthvalue": lambda T: T.kthvalue(_t(T, [[3., 1.], [2., 2.]]), 1, 0, True),
    "median": lambda T: T.median(_t(T, [[3., 1., 2., 1.]], requires_grad=True), 1),
    "nanmedian": lambda T: T.nanmedian(_t(T, [[3., float("nan"), 2.]]), 1),
    "median_all": lambda T: T.median(_t(T, [[3., 1., 2., 1.]], requires_grad=True)),
    "mode": lambda T: T.mode(_t(T, [1, 2, 2, 1, 3])),
    "unique": lambda T: T.unique(_t(T, [3., 1., 3.], requires_grad=True), return_counts=True),
    "unique_dim": lambda T: T.unique(_t(T, [[3., 1.], [3., 1.]], requires_grad=True), dim=0),
    "unique_consecutive": lambda T: T.unique_consecutive(_t(T, [1., 1., 2.], requires_grad=True)),
    "return_type": lambda T: type(T.sort(_t(T, [1., 2.]))).__module__,
    "return_fields": lambda T: (type(T.mode(_t(T, [1., 2.]))).__name__,
                                len(T.mode(_t(T, [1., 2.]))), T.mode(_t(T, [1., 2.]))[1]),
}

HIGHER = {
    "sort": (lambda T, x: T.sort(x * x, 1, True).values, (3, 5)),
    "topk": (lambda T, x: T.topk(x.exp(), 2, 0).values, (4, 3)),
    "kthvalue": (lambda T, x: T.kthvalue(x * x, 2, 1).values, (3, 4)),
    "median": (lambda T, x: T.median(x * x, 0).values, (5, 2)),
    "median_all": (lambda T, x: T.median(x.sin()), (3, 3)),
    "nanmedian_all": (lambda T, x: T.nanmedian(x * x * x), (2, 3)),
    "mode": (lambda T, x: T.mode(x.exp(), 1).values, (2, 3)),
    "msort": (lambda T, x: T.msort(x * x), (4, 2)),
}


MOD = sys.modules[__name__]


@pytest.fixture(scope="module")
def record():
    return H.load(MOD)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    H.check_case(numtorch, MOD, case_id, record)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    H.check_error(numtorch, MOD, case_id, record)


@pytest.mark.parametrize("case_id", list(REPRS))
def test_reprs(case_id, record):
    H.check_repr(numtorch, MOD, case_id, record)


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    H.check_higher(numtorch, MOD, case_id, record)


# -- numeric gradient checks (float64, no torch) ------------------------------------------------

CHECKS = {
    "sort": (lambda x: numtorch.sort(x, 1).values, (3, 5)),
    "sort_descending_stable": (lambda x: numtorch.sort(x, dim=0, descending=True,
                                                       stable=True).values, (4, 3)),
    "argsort_gather": (lambda x: x.gather(1, numtorch.argsort(x, 1)), (2, 5)),
    "msort": (lambda x: numtorch.msort(x), (5, 2)),
    "topk": (lambda x: numtorch.topk(x, 3).values, (2, 6)),
    "topk_smallest_unsorted": (lambda x: numtorch.topk(x, 2, 0, False, False).values, (5, 3)),
    "kthvalue": (lambda x: numtorch.kthvalue(x, 2, 0).values, (4, 3)),
    "kthvalue_keepdim": (lambda x: numtorch.kthvalue(x, 3, 1, True).values, (2, 5)),
    "median": (lambda x: numtorch.median(x), (3, 4)),
    "median_dim": (lambda x: numtorch.median(x, 1).values, (3, 4)),
    "nanmedian": (lambda x: numtorch.nanmedian(x), (5,)),
    "nanmedian_dim": (lambda x: numtorch.nanmedian(x, 0, True).values, (4, 2)),
    "mode": (lambda x: numtorch.mode(x, 0).values, (3, 4)),
    "sort_0d": (lambda x: numtorch.sort(x).values, ()),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn, shape = CHECKS[case_id]
    rng = H.rng_for("check-" + case_id)
    x = numtorch.tensor(rng.standard_normal(shape), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert numtorch.autograd.gradcheck(fn, (x,))
        assert numtorch.autograd.gradgradcheck(fn, (x,))


def test_median_ties_share_the_gradient():
    """``median()`` over all elements: tied medians share the gradient evenly (PyTorch)."""
    x = numtorch.tensor([1., 2., 1., 2.], requires_grad=True)
    numtorch.median(x).backward()
    assert x.grad.tolist() == [0.5, 0., 0.5, 0.]


# -- the tie orders, against the algorithms' defining properties ---------------------------------

def test_tie_order_algorithms_sort_and_select():
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 16, 17, 40, 300):
        keys = rng.integers(0, 6, n).tolist()
        p = list(range(n))
        _tie_order.std_sort(p, keys)
        assert [keys[i] for i in p] == sorted(keys) and sorted(p) == list(range(n))
        for nth in {0, n // 2, n - 1}:
            p = list(range(n))
            _tie_order.nth_element(p, keys, nth)
            assert keys[p[nth]] == sorted(keys)[nth]
            assert all(keys[i] <= keys[p[nth]] for i in p[:nth])
            assert all(keys[i] >= keys[p[nth]] for i in p[nth + 1:])
            p = list(range(n))
            _tie_order.select(p, keys, nth)
            assert keys[p[nth]] == sorted(keys)[nth]
        m = max(1, n // 3)
        p = list(range(n))
        _tie_order.partial_sort(p, keys, m)
        assert [keys[i] for i in p[:m]] == sorted(keys)[:m] and sorted(p) == list(range(n))


def test_insertion_sort_is_stable_up_to_16():
    keys = [1, 0] * 8
    p = list(range(16))
    _tie_order.std_sort(p, keys)
    assert p == [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 14]


def test_replay_limit_falls_back_to_stable(monkeypatch):
    monkeypatch.setattr(sorting, "_REPLAY_LIMIT", 10)
    x = numtorch.tensor([1, 0] * 20)
    assert numtorch.sort(x).indices.tolist() == list(range(1, 40, 2)) + list(range(0, 40, 2))


def test_long_integer_vectors_sort_stably():
    """PyTorch radix-sorts 1-D integer tensors of 32768 elements or more (ascending): their
    ties keep their order, unlike the introsort of shorter or descending ones."""
    rng = np.random.default_rng(11)
    a = rng.integers(0, 9, 40000)
    got = numtorch.sort(numtorch.tensor(a)).indices.numpy()
    np.testing.assert_array_equal(got, np.argsort(a, kind="stable"))
    short = numtorch.sort(numtorch.tensor(a[:20000])).indices.numpy()
    assert not np.array_equal(short, np.argsort(a[:20000], kind="stable"))
    torch = H.torch_or_none()
    if torch is not None:
        for b, desc in ((a, False), (a, True), (a[:20000], False)):
            np.testing.assert_array_equal(
                numtorch.sort(numtorch.tensor(b), descending=desc).indices.numpy(),
                torch.sort(torch.tensor(b), descending=desc).indices.numpy())


def test_out_arguments():
    x = numtorch.tensor([[3., 1., 2.]])
    v, i = numtorch.zeros(0), numtorch.zeros(0, dtype=numtorch.int64)
    r = numtorch.sort(x, out=(v, i))
    assert r.values is v and r.indices is i and i.tolist() == [[1, 2, 0]]
    m = numtorch.zeros(0)
    assert numtorch.msort(x.t(), out=m) is m and m.tolist() == [[1.], [2.], [3.]]
    v, i = numtorch.zeros(0), numtorch.zeros(0, dtype=numtorch.int64)
    assert numtorch.topk(x, 2, out=(v, i)).values is v and v.tolist() == [[3., 2.]]
    for fn, args, want in ((numtorch.median, (1,), ([2.], [2])), (numtorch.mode, (1,), ([1.], [1])),
                           (numtorch.kthvalue, (3, 1), ([3.], [0])),
                           (numtorch.nanmedian, (1,), ([2.], [2]))):
        v, i = numtorch.zeros(0), numtorch.zeros(0, dtype=numtorch.int64)
        r = fn(x, *args, out=(v, i))
        assert r.values is v and (v.tolist(), i.tolist()) == want


def test_exports_and_methods():
    for name in ("sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode",
                 "unique", "unique_consecutive"):
        assert getattr(numtorch, name) is getattr(sorting, name)
        assert getattr(numtorch.Tensor, name) is getattr(sorting, name)
    assert numtorch.return_types.nanmedian._fields == ("values", "indices")
