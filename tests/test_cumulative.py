"""Running and sequence ops against PyTorch 2.13: cummax, cummin, logcumsumexp, diff,
repeat_interleave; and count_nonzero / aminmax.

Values, indices (ties and NaNs: PyTorch moves the index to the later of equal elements and along
the NaNs), dtypes, shapes, ``grad_fn`` names, gradients, reprs, error types and messages, second
derivatives. PyTorch's answers are recorded in ``tests/data/cumulative.npz`` / ``cumulative.json``
(regenerate with ``python tests/data/regen_sorting.py cumulative``); with torch installed each
record is also checked against live PyTorch. ``gradcheck`` / ``gradgradcheck`` need no torch.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.ops import cumulative

import _order_harness as H

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "cumulative.npz")
RECORD_JSON = os.path.join(DATA, "cumulative.json")
MOD = sys.modules[__name__]


def op(kind, shape, fn, grad=None):
    def make(T, rng):
        x = H.tensor(T, rng, kind, shape, grad)
        return fn(T, x), {"x": x}
    return make


def two(kind, shape, other_shape, fn, other_kind=None):
    """A case with a second input (``prepend`` / ``append`` / ``repeats`` ...)."""
    def make(T, rng):
        x = H.tensor(T, rng, kind, shape)
        y = H.tensor(T, rng, other_kind or kind, other_shape)
        return fn(T, x, y), {"x": x, "y": y}
    return make


CASES = {}
SHAPES = [((9,), 0), ((3, 20), 1), ((3, 20), 0), ((2, 3, 5), -1), ((2, 3, 5), 1)]
for kind in ("int", "f32", "t32", "n64", "n32", "u8", "bool", "f16", "i32"):
    for shape, dim in SHAPES:
        CASES[f"cummax-{kind}-{shape}-{dim}"] = op(kind, shape,
                                                   lambda T, x, d=dim: T.cummax(x, d))
        CASES[f"cummin-{kind}-{shape}-{dim}"] = op(kind, shape,
                                                   lambda T, x, d=dim: T.cummin(x, d))
CASES["cummax_0d"] = op("f32", (), lambda T, x: T.cummax(x, 0))
CASES["cummin_0d"] = op("int", (), lambda T, x: T.cummin(x, -1))
CASES["cummax_empty"] = op("f32", (0, 3), lambda T, x: T.cummax(x, 0))
CASES["cummin_empty"] = op("f32", (3, 0), lambda T, x: T.cummin(x, 0))
CASES["cummax_method"] = op("t64", (4, 6), lambda T, x: x.cummax(dim=1))
CASES["cummin_method"] = op("t64", (4, 6), lambda T, x: x.cummin(0))

for kind in ("f32", "f64", "t32", "n64", "f16"):
    for shape, dim in SHAPES:
        CASES[f"logcumsumexp-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.logcumsumexp(x, d))
CASES["logcumsumexp_wide"] = op("f64", (4, 7), lambda T, x: T.logcumsumexp(x * 300, 1))
CASES["logcumsumexp_inf"] = op("f64", (6,), lambda T, x: T.logcumsumexp(
    T.cat([x[:2], T.tensor([float("-inf"), float("-inf")], dtype=T.float64), x[2:4]]), 0))
CASES["logcumsumexp_0d"] = op("f32", (), lambda T, x: T.logcumsumexp(x, 0))
CASES["logcumsumexp_empty"] = op("f32", (0, 3), lambda T, x: T.logcumsumexp(x, 1))
CASES["logcumsumexp_method"] = op("f64", (3, 4), lambda T, x: x.logcumsumexp(-2))

for kind in ("int", "f32", "f64", "bool", "u8", "i32", "f16"):
    for shape, dim in SHAPES:
        for n in (1, 2):
            CASES[f"diff-{kind}-{shape}-{dim}-{n}"] = op(kind, shape,
                                                         lambda T, x, d=dim, n=n: T.diff(x, n, d))
for kind in ("f32", "int"):
    CASES[f"diff_prepend-{kind}"] = two(kind, (3, 4), (3, 2),
                                        lambda T, x, y: T.diff(x, prepend=y))
    CASES[f"diff_append-{kind}"] = two(kind, (3, 4), (1, 4),
                                       lambda T, x, y: T.diff(x, dim=0, append=y))
    CASES[f"diff_both-{kind}"] = two(kind, (3, 4), (3, 1),
                                     lambda T, x, y: T.diff(x, 3, prepend=y, append=y))
CASES["diff_mixed_dtypes"] = two("int", (2, 4), (2, 1), lambda T, x, y: T.diff(
    x, prepend=y, append=y.double()))
CASES["diff_bool_prepend"] = two("bool", (5,), (2,), lambda T, x, y: T.diff(x, 2, prepend=y))
CASES["diff_long_prepend_bool"] = two("int", (5,), (1,), lambda T, x, y: T.diff(x, prepend=y),
                                      "bool")
CASES["diff_n0"] = op("f32", (2, 3), lambda T, x: T.diff(x, 0))
CASES["diff_n0_prepend"] = two("f32", (2, 3), (2, 1), lambda T, x, y: T.diff(x, 0, prepend=y))
CASES["diff_too_many"] = op("f32", (2, 3), lambda T, x: T.diff(x, 5))
CASES["diff_empty"] = op("f32", (0, 3), lambda T, x: T.diff(x, dim=0))
CASES["diff_method"] = op("f64", (3, 4), lambda T, x: x.diff(dim=0))

for kind in ("f32", "int", "bool", "f64"):
    for shape, dim in SHAPES + [((2, 3), None)]:
        CASES[f"repeat_interleave-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.repeat_interleave(x, 3, d))
        CASES[f"repeat_interleave_tensor-{kind}-{shape}-{dim}"] = op(
            kind, shape, lambda T, x, d=dim: T.repeat_interleave(
                x, T.arange(x.numel() if d is None else x.shape[d]) % 3, d))
CASES["repeat_interleave_zero"] = op("f32", (2, 3), lambda T, x: T.repeat_interleave(x, 0, 0))
CASES["repeat_interleave_one"] = op("f32", (2, 3), lambda T, x: T.repeat_interleave(
    x, T.tensor([2]), 1))
CASES["repeat_interleave_0d_repeats"] = op("f32", (2, 3), lambda T, x: T.repeat_interleave(
    x, T.tensor(2)))
CASES["repeat_interleave_0d"] = op("f32", (), lambda T, x: T.repeat_interleave(x, 2))
CASES["repeat_interleave_0d_tensor"] = op("f32", (), lambda T, x: T.repeat_interleave(
    x, T.tensor([3])))
CASES["repeat_interleave_int32"] = op("f32", (3,), lambda T, x: T.repeat_interleave(
    x, T.tensor([1, 2, 0], dtype=T.int32), 0))
CASES["repeat_interleave_output_size"] = op("f32", (2, 3), lambda T, x: T.repeat_interleave(
    x, 2, dim=1, output_size=6))
CASES["repeat_interleave_output_size_t"] = op("f32", (2, 3), lambda T, x: T.repeat_interleave(
    x, T.tensor([1, 3]), dim=0, output_size=4))
CASES["repeat_interleave_counts"] = lambda T, rng: (T.repeat_interleave(T.tensor([2, 0, 3])), {})
CASES["repeat_interleave_counts_i32"] = lambda T, rng: (
    T.repeat_interleave(T.tensor([1, 2], dtype=T.int32), output_size=3), {})
CASES["repeat_interleave_counts_empty"] = lambda T, rng: (
    T.repeat_interleave(T.tensor([], dtype=T.int64)), {})
CASES["repeat_interleave_method"] = op("f32", (2, 3), lambda T, x: x.repeat_interleave(2, dim=-1))

for kind in ("int", "f32", "n64", "bool"):
    for dim in (None, 0, 1, (0, 1), [], (-1,)):
        CASES[f"count_nonzero-{kind}-{dim}"] = op(
            kind, (4, 5), lambda T, x, d=dim: T.count_nonzero(x, d) if d is not None
            else T.count_nonzero(x))
    CASES[f"aminmax-{kind}"] = op(kind, (4, 5), lambda T, x: T.aminmax(x))
    CASES[f"aminmax_dim-{kind}"] = op(kind, (4, 5), lambda T, x: T.aminmax(x, dim=1))
    CASES[f"aminmax_keepdim-{kind}"] = op(kind, (4, 5), lambda T, x: T.aminmax(x, dim=0,
                                                                              keepdim=True))
CASES["count_nonzero_0d"] = op("f32", (), lambda T, x: T.count_nonzero(x, 0))
CASES["count_nonzero_method"] = op("int", (3, 4), lambda T, x: x.count_nonzero(dim=1))
CASES["aminmax_0d"] = op("f32", (), lambda T, x: T.aminmax(x, dim=0))
CASES["aminmax_ties"] = op("t64", (3, 6), lambda T, x: T.aminmax(x))
CASES["aminmax_ties_dim"] = op("t64", (3, 6), lambda T, x: T.aminmax(x, dim=1))
CASES["aminmax_empty_dim"] = op("f32", (0, 3), lambda T, x: T.aminmax(x, dim=1))
CASES["aminmax_method"] = op("f32", (3, 4), lambda T, x: x.aminmax(dim=-1))


def _t(T, *a, **k):
    return T.tensor(*a, **k)


X = [[1., 2.], [3., 4.]]
ERRORS = {
    "cummax_dim": lambda T: T.cummax(_t(T, X), 2),
    "cummin_dim": lambda T: T.cummin(_t(T, X), -3),
    "cummax_not_tensor": lambda T: T.cummax([1, 2], 0),
    "cummax_out": lambda T: T.cummax(_t(T, X), 0, out=T.zeros(1)),
    "logcumsumexp_dim": lambda T: T.logcumsumexp(_t(T, X), 2),
    "logcumsumexp_long": lambda T: T.logcumsumexp(_t(T, [1, 2]), 0),
    "logcumsumexp_bool": lambda T: T.logcumsumexp(_t(T, [True]), 0),
    "diff_0d": lambda T: T.diff(_t(T, 1.)),
    "diff_negative": lambda T: T.diff(_t(T, X), n=-1),
    "diff_dim": lambda T: T.diff(_t(T, X), dim=2),
    "diff_prepend_ndim": lambda T: T.diff(_t(T, X), prepend=_t(T, [9.])),
    "diff_append_shape": lambda T: T.diff(_t(T, X), prepend=_t(T, [[1, 2, 3]]), dim=0),
    "diff_float_n": lambda T: T.diff(_t(T, X), 1.5),
    "diff_prepend_int": lambda T: T.diff(_t(T, X), prepend=5),
    "diff_not_tensor": lambda T: T.diff([1, 2]),
    "repeat_counts_negative": lambda T: T.repeat_interleave(_t(T, [2, -1])),
    "repeat_counts_2d": lambda T: T.repeat_interleave(_t(T, [[2, 1]])),
    "repeat_counts_0d": lambda T: T.repeat_interleave(_t(T, 2)),
    "repeat_counts_float": lambda T: T.repeat_interleave(_t(T, [2., 1.])),
    "repeat_counts_output_size": lambda T: T.repeat_interleave(_t(T, [2, 1]), output_size=5),
    "repeat_size": lambda T: T.repeat_interleave(_t(T, X), _t(T, [1, 2, 3]), 0),
    "repeat_size_flat": lambda T: T.repeat_interleave(_t(T, X), _t(T, [1, 2])),
    "repeat_2d": lambda T: T.repeat_interleave(_t(T, X), _t(T, [[1, 2]]), 0),
    "repeat_negative": lambda T: T.repeat_interleave(_t(T, X), -1),
    "repeat_negative_tensor": lambda T: T.repeat_interleave(_t(T, X), _t(T, [-1, 2]), 0),
    "repeat_float_tensor": lambda T: T.repeat_interleave(_t(T, X), _t(T, [1., 2.]), 0),
    "repeat_bool_tensor": lambda T: T.repeat_interleave(_t(T, X), _t(T, [True, False]), 0),
    "repeat_dim": lambda T: T.repeat_interleave(_t(T, X), 2, 2),
    "repeat_output_size": lambda T: T.repeat_interleave(_t(T, X), 2, dim=0, output_size=5),
    "repeat_output_size_t": lambda T: T.repeat_interleave(_t(T, X), _t(T, [1, 2]), dim=0,
                                                          output_size=4),
    "repeat_float": lambda T: T.repeat_interleave(_t(T, X), 2.5),
    "repeat_0d_dim": lambda T: T.repeat_interleave(_t(T, 3.), 2, 0),
    "repeat_not_tensor": lambda T: T.repeat_interleave([1, 2], 2),
    "count_nonzero_repeated": lambda T: T.count_nonzero(_t(T, X), dim=(0, 0)),
    "count_nonzero_dim": lambda T: T.count_nonzero(_t(T, X), dim=2),
    "count_nonzero_not_tensor": lambda T: T.count_nonzero([1]),
    "aminmax_dim": lambda T: T.aminmax(_t(T, X), dim=2),
    "aminmax_empty": lambda T: T.aminmax(T.zeros(0)),
    "aminmax_empty_dim": lambda T: T.aminmax(T.zeros(0, 3), dim=0),
    "aminmax_tuple_dim": lambda T: T.aminmax(_t(T, X), dim=(0, 1)),
    "aminmax_float_dim": lambda T: T.aminmax(_t(T, X), dim=1.5),
    "aminmax_positional": lambda T: T.aminmax(_t(T, X), 0),
    "aminmax_not_tensor": lambda T: T.aminmax([1.]),
}

REPRS = {
    "cummax": lambda T: T.cummax(_t(T, [[1., 3., 2., 3.]], requires_grad=True), 1),
    "cummin": lambda T: T.cummin(_t(T, [3, 1, 1, 0]), 0),
    "logcumsumexp": lambda T: T.logcumsumexp(_t(T, [0., 0., 0.], requires_grad=True), 0),
    "diff": lambda T: T.diff(_t(T, [1., 4., 9.], requires_grad=True)),
    "diff_n0": lambda T: T.diff(_t(T, [1., 4.], requires_grad=True), 0),
    "repeat_interleave": lambda T: T.repeat_interleave(_t(T, [1., 2.], requires_grad=True), 2),
    "repeat_interleave_t": lambda T: T.repeat_interleave(_t(T, [1., 2.], requires_grad=True),
                                                         _t(T, [1, 2])),
    "aminmax": lambda T: T.aminmax(_t(T, [[1., 5.], [3., 2.]], requires_grad=True), dim=1),
    "aminmax_type": lambda T: (type(T.aminmax(_t(T, [1.]))).__module__,
                               type(T.aminmax(_t(T, [1.]))).__name__),
}

HIGHER = {
    "cummax": (lambda T, x: T.cummax(x * x, 1).values, (3, 5)),
    "cummin": (lambda T, x: T.cummin(x.exp(), 0).values, (4, 3)),
    "logcumsumexp": (lambda T, x: T.logcumsumexp(x, 1), (3, 6)),
    "logcumsumexp_dim0": (lambda T, x: T.logcumsumexp(x * 2, 0), (5, 2)),
    "diff": (lambda T, x: T.diff(x * x, 2, 0, prepend=x), (4, 3)),
    "repeat_interleave": (lambda T, x: T.repeat_interleave(x * x, 2, 1), (2, 3)),
    "repeat_interleave_t": (lambda T, x: T.repeat_interleave(x.sin(), T.tensor([2, 0, 1]), 0),
                            (3, 2)),
    "aminmax": (lambda T, x: T.stack(T.aminmax(x * x, dim=1)), (3, 4)),
}


@pytest.fixture(scope="module")
def record():
    return H.load(MOD)


CLOSE = {k: 1e-6 for k in CASES if k.startswith("logcumsumexp")}
CLOSE.update({k: 2e-3 for k in CASES if k.startswith("logcumsumexp-f16")})


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    H.check_case(numtorch, MOD, case_id, record, tol=CLOSE.get(case_id),
                 grad_tol=5e-3 if "f16" in case_id else 1e-5)


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
    "cummax": (lambda x: numtorch.cummax(x, 1).values, (3, 5)),
    "cummin": (lambda x: numtorch.cummin(x, 0).values, (4, 3)),
    "cummax_0d": (lambda x: numtorch.cummax(x, 0).values, ()),
    "logcumsumexp": (lambda x: numtorch.logcumsumexp(x, 1), (3, 5)),
    "logcumsumexp_dim0": (lambda x: numtorch.logcumsumexp(x * 3, 0), (6, 2)),
    "diff": (lambda x: numtorch.diff(x), (3, 5)),
    "diff_n2_prepend": (lambda x: numtorch.diff(x, 2, 0, prepend=x[:1], append=x * 2), (3, 2)),
    "repeat_interleave": (lambda x: numtorch.repeat_interleave(x, 3, 0), (2, 3)),
    "repeat_interleave_flat": (lambda x: numtorch.repeat_interleave(x, 2), (2, 2)),
    "repeat_interleave_tensor": (lambda x: numtorch.repeat_interleave(
        x, numtorch.tensor([0, 2, 1]), 1), (2, 3)),
    "aminmax": (lambda x: numtorch.stack(numtorch.aminmax(x, dim=0)), (3, 4)),
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


def test_logcumsumexp_is_stable():
    x = numtorch.tensor([1000., 1000., -1000.], dtype=numtorch.float64)
    got = numtorch.logcumsumexp(x, 0).numpy()
    np.testing.assert_allclose(got, [1000., 1000. + np.log(2.), 1000. + np.log(2.)], rtol=1e-15)


def test_cummax_indices_move_to_later_ties():
    r = numtorch.cummax(numtorch.tensor([2, 2, 1, 2]), 0)
    assert r.values.tolist() == [2, 2, 2, 2] and r.indices.tolist() == [0, 1, 1, 3]


def test_out_arguments():
    x = numtorch.tensor([[1., 3., 2.]])
    v, i = numtorch.zeros(0), numtorch.zeros(0, dtype=numtorch.int64)
    r = numtorch.cummax(x, 1, out=(v, i))
    assert r.values is v and i.tolist() == [[0, 1, 1]]
    o = numtorch.zeros(0)
    assert numtorch.logcumsumexp(x, 1, out=o) is o and o.shape == (1, 3)
    o = numtorch.zeros(0)
    assert numtorch.diff(x, out=o) is o and o.tolist() == [[2., -1.]]


def test_exports_and_methods():
    for name in ("cummax", "cummin", "logcumsumexp", "diff", "repeat_interleave"):
        assert getattr(numtorch, name) is getattr(cumulative, name)
        assert getattr(numtorch.Tensor, name) is getattr(cumulative, name)
