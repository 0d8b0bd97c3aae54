"""3-d pooling, 3-d unpooling and LP pooling against PyTorch 2.13.

Every case runs in numtorch and is compared with PyTorch's answers recorded in
tests/data/oracle/pooling3d.json / .npz (values, indices, dtype, shape, ``grad_fn`` name and the
input's gradient for a seeded upstream gradient); errors, module reprs and double backward
likewise. With torch installed each test also checks its record against live PyTorch.
Regenerate with ``python tests/data/regen_oracle.py tests/test_pooling3d.py``.

float32 forward values are compared bit for bit (numtorch sums windows in PyTorch's order),
except adaptive average pooling to size 1 (a mean, summed in another order) and LP pooling
(NumPy's ``power`` is not PyTorch's, within an ulp); indices exactly (ties and NaNs included);
gradients to a tight tolerance. float64 gradcheck and gradgradcheck run on every op (no torch).
"""
from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nnt
import numtorch.nn.functional as Fn
from _oracle import Oracle, error
from _pool_cases import Case, case_seed as _seed, run_case as _run_case, run_double

ORACLE = Oracle("pooling3d")
INF = float("inf")


def make_input(shape, dtype, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-50, 50, shape).astype(dtype)
    if kind == "ties":
        return rng.integers(-2, 3, shape).astype(dtype)
    a = rng.standard_normal(shape).astype(dtype)
    if kind == "neginf":
        a[..., 0, :, :] = -np.inf
        a[..., :, 0] = -np.inf
    elif kind == "nan":
        a.reshape(-1)[rng.choice(a.size, max(1, a.size // 6), replace=False)] = np.nan
    elif kind == "abs":
        a = np.abs(a) + 0.1
    return a


CASES: list = []


def add(id, call, shape, **kw):
    CASES.append(Case(id, call, shape, **kw))


# max_pool3d: kernel, stride, padding, dilation, ceil_mode
_MP = [(2, None, 0, 1, False), (2, None, 0, 1, True), (3, 2, 1, 1, False), (3, 2, 1, 1, True),
       (3, 1, 1, 1, False), ((2, 3, 1), (1, 2, 1), (1, 1, 0), 1, True), (2, 2, 1, 2, False),
       (3, 2, 1, 2, True), ((3, 2, 2), (2, 1, 1), 0, (2, 1, 1), False), (1, 1, 0, 1, False),
       (2, 3, 1, 1, True), (4, 3, 2, 1, True), ([2, 2, 3], [2, 1, 2], [1, 0, 1], [1, 2, 1], True)]
for n, (k, s, p, d, c) in enumerate(_MP):
    def mp(F, x, k=k, s=s, p=p, d=d, c=c):
        return F.max_pool3d(x, k, s, p, d, c, True)
    add(f"max_pool3d-{n}", mp, (2, 2, 5, 6, 7))
    add(f"max_pool3d-{n}-ties", mp, (1, 2, 5, 6, 6), kind="ties")
    add(f"max_pool3d-{n}-neginf", mp, (2, 1, 5, 5, 6), kind="neginf")
    add(f"max_pool3d-{n}-nan", mp, (1, 2, 5, 5, 6), kind="nan")
    add(f"max_pool3d-{n}-unbatched", lambda F, x, k=k, s=s, p=p, d=d, c=c: F.max_pool3d(x, k, s, p, d, c),
        (2, 5, 6, 7))
for kind, dtype in (("normal", "float64"), ("int", "int64"), ("int", "uint8"), ("ties", "int32")):
    add(f"max_pool3d-{kind}-{dtype}", lambda F, x: F.max_pool3d(x, 3, 2, 1, return_indices=True),
        (2, 2, 5, 6, 7), dtype=dtype, kind=kind)
add("max_pool3d-float16", lambda F, x: F.max_pool3d(x, 2, 1, return_indices=True), (1, 2, 3, 4, 4),
    dtype="float16", grad=False)
# a dilated window of padding only: PyTorch reports an index past the volume (and its backward
# writes out of bounds, so no gradient is compared here; see test_window_of_padding_only below)
add("max_pool3d-padding-only-w", lambda F, x: F.max_pool3d(x, 2, 1, 1, 2, False, True), (1, 1, 2, 3, 1),
    grad=False)
add("max_pool3d-padding-only-h", lambda F, x: F.max_pool3d(x, 2, 1, 1, 2, False, True), (1, 1, 3, 1, 4),
    grad=False)
add("max_pool3d_with_indices", lambda F, x: F.max_pool3d_with_indices(x, 3, 2), (1, 2, 7, 7, 5))
add("max_pool3d-empty-batch", lambda F, x: F.max_pool3d(x, 2, return_indices=True), (0, 2, 4, 4, 4))
add("max_pool3d-nan-values-only", lambda F, x: F.max_pool3d(x, 3, 2, 1), (2, 2, 5, 6, 5), kind="nan")
add("avg_pool3d-nan", lambda F, x: F.avg_pool3d(x, 2, 1), (1, 2, 3, 4, 5), kind="nan")
add("adaptive_pools-nan", lambda F, x: F.adaptive_avg_pool3d(x, 2) + F.adaptive_max_pool3d(x, 2),
    (1, 2, 3, 4, 5), kind="nan")
add("max_pool3d-values-only", lambda F, x: F.max_pool3d(x, (2, 1, 3), (1, 2, 2), (1, 0, 1)),
    (3, 2, 6, 5, 7))

# avg_pool3d: kernel, stride, padding, ceil_mode x count_include_pad x divisor_override
_AP = [(2, None, 0, False), (3, 2, 1, False), (3, 2, 1, True), ((2, 3, 1), (1, 2, 1), (1, 1, 0), True),
       (3, 3, 1, True), (4, 3, 2, True)]
for n, (k, s, p, c) in enumerate(_AP):
    for cip in (True, False):
        for dov in (None, 3):
            add(f"avg_pool3d-{n}-{cip}-{dov}",
                lambda F, x, k=k, s=s, p=p, c=c, cip=cip, dov=dov: F.avg_pool3d(x, k, s, p, c, cip, dov),
                (2, 2, 5, 6, 7))
add("avg_pool3d-float64", lambda F, x: F.avg_pool3d(x, 3, 2, 1), (2, 2, 5, 6, 7), dtype="float64")
add("avg_pool3d-int64", lambda F, x: F.avg_pool3d(x, 3, 1, 1), (1, 2, 5, 5, 5), dtype="int64", kind="int")
add("avg_pool3d-int64-divisor", lambda F, x: F.avg_pool3d(x, 2, 1, 1, True, False, 3), (1, 2, 3, 3, 3),
    dtype="int64", kind="int")
add("avg_pool3d-unbatched", lambda F, x: F.avg_pool3d(x, 2, 1, 1, True, False), (3, 4, 5, 6))
add("avg_pool3d-empty-batch", lambda F, x: F.avg_pool3d(x, 2), (0, 2, 4, 4, 4))

# adaptive pooling: even and uneven bins, growing and shrinking, None keeping a size
for shape in [(5, 7, 4), (6, 6, 6), (3, 2, 5), (2, 3, 3)]:
    for o in [2, 3, (4, 5, 2), (None, 2, 3), 7, (1, 3, 1), 1, [2, None, None]]:
        tag = f"{'x'.join(map(str, shape))}-{o}"
        add(f"adaptive_avg_pool3d-{tag}", lambda F, x, o=o: F.adaptive_avg_pool3d(x, o), (2, 2) + shape,
            exact=o != 1)
        add(f"adaptive_max_pool3d-{tag}", lambda F, x, o=o: F.adaptive_max_pool3d(x, o, True),
            (2, 2) + shape, kind="ties" if shape[0] == 6 else "normal")
add("adaptive_max_pool3d-nan", lambda F, x: F.adaptive_max_pool3d(x, (2, 3, 2), True), (2, 2, 5, 7, 4),
    kind="nan")
add("adaptive_max_pool3d-unbatched", lambda F, x: F.adaptive_max_pool3d(x, 3, True), (2, 5, 4, 3))
add("adaptive_max_pool3d_with_indices", lambda F, x: F.adaptive_max_pool3d_with_indices(x, (2, 1, 3)),
    (1, 2, 5, 4, 7))
add("adaptive_avg_pool3d-unbatched", lambda F, x: F.adaptive_avg_pool3d(x, (2, 3, 2)), (2, 5, 4, 3))
add("adaptive_avg_pool3d-float64", lambda F, x: F.adaptive_avg_pool3d(x, (3, 4, 2)), (1, 2, 5, 7, 3),
    dtype="float64")
# (PyTorch's backward refuses an empty output)
add("adaptive_avg_pool3d-zero", lambda F, x: F.adaptive_avg_pool3d(x, (0, 2, 2)), (1, 2, 5, 4, 3),
    grad=False)
add("adaptive_max_pool3d-zero", lambda F, x: F.adaptive_max_pool3d(x, (2, 0, 2), True), (1, 2, 5, 4, 3),
    grad=False)
add("adaptive_avg_pool3d-empty-batch", lambda F, x: F.adaptive_avg_pool3d(x, 2), (0, 2, 5, 4, 3))
add("adaptive_max_pool3d-empty-batch", lambda F, x: F.adaptive_max_pool3d(x, 2, True), (0, 2, 5, 4, 3))

# max_unpool3d: through the pooling that made the indices
add("max_unpool3d", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2),
    (2, 2, 4, 4, 6))
add("max_unpool3d-size", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 3, 2, 1, return_indices=True),
                                                      3, 2, 1, output_size=x.shape[-3:]), (1, 2, 5, 6, 7))
add("max_unpool3d-size5", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2,
                                                       output_size=list(x.shape)), (1, 2, 5, 4, 5))
add("max_unpool3d-overlap", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, 1, return_indices=True),
                                                        2, 1), (1, 2, 4, 4, 3))
add("max_unpool3d-unbatched", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2),
    (2, 4, 4, 4))
add("max_unpool3d-tuple-args", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, (1, 2, 3), (1, 2, 2),
                                                                         return_indices=True),
                                                           (1, 2, 3), (1, 2, 2)), (1, 2, 3, 4, 7))

# LP pooling: finite, infinite and negative-infinite norms
for p in (1, 2, 3.5, INF, -INF):
    kind = "abs" if p == 3.5 else "normal"
    add(f"lp_pool1d-{p}", lambda F, x, p=p: F.lp_pool1d(x, p, 3, 2), (2, 3, 8), kind=kind, exact=False)
    add(f"lp_pool2d-{p}", lambda F, x, p=p: F.lp_pool2d(x, p, (2, 3), 1, True), (2, 3, 5, 7), kind=kind,
        exact=False)
    add(f"lp_pool3d-{p}", lambda F, x, p=p: F.lp_pool3d(x, p, 2), (2, 3, 4, 5, 6), kind=kind, exact=False)
add("lp_pool3d-ceil", lambda F, x: F.lp_pool3d(x, 2, (2, 3, 2), (2, 2, 1), True), (1, 2, 5, 5, 5),
    exact=False)
add("lp_pool3d-unbatched", lambda F, x: F.lp_pool3d(x, 2, (1, 2, 2)), (2, 3, 4, 4), exact=False)
add("lp_pool3d-int64", lambda F, x: F.lp_pool3d(x, 2, 2), (1, 2, 4, 4, 4), dtype="int64", kind="int",
    exact=False)
add("lp_pool2d-unbatched", lambda F, x: F.lp_pool2d(x, 1.5, 2), (2, 4, 4), kind="abs", exact=False)


def run_case(case: Case, T, F, grad: bool = True) -> dict:
    """The case on this file's ``make_input`` (see ``_pool_cases.run_case``)."""
    return _run_case(case, make_input, T, F, grad)


def _check_case(case, got, want):
    assert got["dtype"] == want["dtype"] and got["shape"] == want["shape"], case.id
    if case.exact or want["out"].dtype.kind not in "fc":
        np.testing.assert_array_equal(got["out"], want["out"], err_msg=case.id)
    else:
        np.testing.assert_allclose(got["out"], want["out"], rtol=1e-6, atol=1e-7, err_msg=case.id)
    assert ("idx" in got) == ("idx" in want), case.id
    if "idx" in want:
        assert got["idx_dtype"] == want["idx_dtype"], case.id
        np.testing.assert_array_equal(got["idx"], want["idx"], err_msg=case.id)
    if "gname" in got:
        assert got["gname"] == want["gname"], case.id
        np.testing.assert_allclose(got["grad"], want["grad"], rtol=1e-5, atol=1e-5, err_msg=case.id)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_matches_pytorch(case):
    want = ORACLE.answer(f"case/{case.id}", lambda torch: run_case(case, torch, torch.nn.functional))
    _check_case(case, run_case(case, numtorch, Fn), want)
    with numtorch.no_grad():                   # the no-graph path gives the same values
        _check_case(case, run_case(case, numtorch, Fn, grad=False), want)


# -- errors: ``call(T, F)`` with T the tensor library (numtorch or torch) ------------------------

def _x(T, *shape, dtype=None):
    return T.ones(*shape) if dtype is None else T.ones(*shape, dtype=getattr(T, dtype))


def _i(T, *shape):
    return T.zeros(*shape, dtype=T.long)


ERRORS = {
    "max-3d-input": lambda T, F: F.max_pool3d(_x(T, 5, 5, 5), 2),
    "max-6d-input": lambda T, F: F.max_pool3d(_x(T, 1, 1, 1, 5, 5, 5), 2),
    "max-kernel-4": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 2, 2, 2)),
    "max-kernel-2": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 2)),
    "max-stride-2": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, (1, 1)),
    "max-padding-2": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, (1, 1)),
    "max-dilation-2": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, 0, (1, 1)),
    "max-kernel-negative": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), -1),
    "max-kernel-zero": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 0, 2)),
    "max-stride-zero": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 0),
    "max-stride-negative": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, -1),
    "max-padding-negative": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, -1),
    "max-padding-large": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, 2),
    "max-padding-dilated": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 3, 2, 2, 2),
    "max-dilation-zero": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, 0, 0),
    "max-too-small": lambda T, F: F.max_pool3d(_x(T, 1, 1, 2, 5, 5), 3),
    "max-too-small-idx": lambda T, F: F.max_pool3d(_x(T, 1, 1, 2, 5, 5), 3, return_indices=True),
    "max-empty-channels": lambda T, F: F.max_pool3d(_x(T, 1, 0, 5, 5, 5), 2),
    "max-empty-depth": lambda T, F: F.max_pool3d(_x(T, 1, 1, 0, 5, 5), 1),
    "max-empty-unbatched": lambda T, F: F.max_pool3d(_x(T, 0, 5, 5, 5), 2),
    "max-empty-width": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 0), 1),
    "max-kernel-float": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2.0),
    "max-not-tensor": lambda T, F: F.max_pool3d([1.0], 2),
    "max-bool": lambda T, F: F.max_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="bool"), 2),
    "max-with-indices-3d": lambda T, F: F.max_pool3d_with_indices(_x(T, 5, 5, 5), 2),
    "top-max-3d": lambda T, F: T.max_pool3d(_x(T, 5, 5, 5), 2),
    "avg-3d-input": lambda T, F: F.avg_pool3d(_x(T, 5, 5, 5), 2),
    "avg-6d-input": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 1, 5, 5, 5), 2),
    "avg-kernel-2": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 2)),
    "avg-stride-2": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, (2, 2)),
    "avg-padding-2": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, (1, 1)),
    "avg-kernel-zero": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 0),
    "avg-kernel-negative": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), -1),
    "avg-stride-zero": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 0),
    "avg-stride-negative": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 3, -1),
    "avg-padding-negative": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, -1),
    "avg-padding-large": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, 2, 2),
    "avg-smaller-than-kernel": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 5, 5), 3),
    "avg-smaller-than-kernel-padded": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 5, 5), 3, padding=1),
    "avg-divisor-zero": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 4, 4, 4), 2, divisor_override=0),
    "avg-divisor-float": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 4, 4, 4), 2, divisor_override=0.5),
    "avg-empty-channels": lambda T, F: F.avg_pool3d(_x(T, 1, 0, 5, 5, 5), 2),
    "avg-empty-unbatched": lambda T, F: F.avg_pool3d(_x(T, 2, 0, 5, 5), 2),
    "avg-kernel-float": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2.0),
    "avg-float16": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="float16"), 2),
    "avg-int32": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="int32"), 2),
    "avg-uint8": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="uint8"), 2),
    "avg-bool": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="bool"), 2),
    "aavg-3d-input": lambda T, F: F.adaptive_avg_pool3d(_x(T, 5, 5, 5), 2),
    "aavg-6d-input": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 1, 5, 5, 5), 2),
    "aavg-pair": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 2)),
    "aavg-negative": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 5, 5, 5), -1),
    "aavg-negative-one": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 5, 5, 5), (1, -1, 1)),
    "aavg-negative-3d-input": lambda T, F: F.adaptive_avg_pool3d(_x(T, 5, 5, 5), -1),
    "aavg-empty-depth": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 0, 5, 5), 2),
    "aavg-empty-channels": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 0, 5, 5, 5), 2),
    "aavg-float": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 5, 4, 3), 2.0),
    "aavg-none": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 5, 4, 3), None),
    "aavg-short-input": lambda T, F: F.adaptive_avg_pool3d(_x(T, 5, 5), (2, 2, 2)),
    "aavg-long": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="long"), 2),
    "aavg-long-mean": lambda T, F: F.adaptive_avg_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="long"), 1),
    "amax-3d-input": lambda T, F: F.adaptive_max_pool3d(_x(T, 5, 5, 5), 2),
    "amax-6d-input": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 1, 5, 5, 5), 2),
    "amax-pair": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 5, 5, 5), (2, 2)),
    "amax-pair-3d-input": lambda T, F: F.adaptive_max_pool3d(_x(T, 5, 5, 5), (1, 1)),
    "amax-negative": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 5, 5, 5), -1),
    "amax-negative-one": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 5, 5, 5), (1, -1, 1)),
    "amax-empty-depth": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 0, 5, 5), 2),
    "amax-empty-channels": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 0, 5, 5, 5), 2),
    "amax-none": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 5, 4, 3), None),
    "amax-long": lambda T, F: F.adaptive_max_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="long"), 2),
    "unpool-index-range": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), T.tensor([[[[[0, 99]]]]]), 2),
    "unpool-index-negative": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), T.tensor([[[[[0, -1]]]]]),
                                                         2),
    "unpool-index-dtype": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _x(T, 1, 1, 1, 1, 2), 2),
    "unpool-index-shape": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 2), 2),
    "unpool-3d-input": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 2), _i(T, 1, 1, 2), 2),
    "unpool-6d-input": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 1, 2), 2),
    "unpool-output-size": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2,
                                                      output_size=(6, 6, 6)),
    "unpool-output-size-len": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2,
                                                          output_size=(2, 4)),
    "unpool-kernel-pair": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), (2, 2)),
    "unpool-stride-zero": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2, 0),
    "unpool-stride-pair": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2,
                                                      (1, 1)),
    "unpool-empty-channels": lambda T, F: F.max_unpool3d(_x(T, 1, 0, 1, 1, 2), _i(T, 1, 0, 1, 1, 2), 2),
    "unpool-long": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2, dtype="long"), _i(T, 1, 1, 1, 1, 2), 2),
    "lp3-kernel-pair": lambda T, F: F.lp_pool3d(_x(T, 1, 1, 4, 4, 4), 2, (2, 2)),
    "lp2-kernel-triple": lambda T, F: F.lp_pool2d(_x(T, 1, 1, 4, 4), 2, (2, 2, 2)),
    "lp1-kernel-pair": lambda T, F: F.lp_pool1d(_x(T, 1, 1, 4), 2, (2, 2)),
    "lp1-stride-pair": lambda T, F: F.lp_pool1d(_x(T, 1, 1, 4), 2, 2, (2, 2)),
    "lp3-too-small": lambda T, F: F.lp_pool3d(_x(T, 1, 1, 1, 4, 4), 2, 2),
    "lp2-norm-zero": lambda T, F: F.lp_pool2d(_x(T, 1, 1, 4, 4), 0, 2),
    "lp2-2d-input": lambda T, F: F.lp_pool2d(_x(T, 4, 4), 2, 2),
    "lp2-kernel-float": lambda T, F: F.lp_pool2d(_x(T, 1, 1, 4, 4), 2, 2.0),
    "lp3-float16": lambda T, F: F.lp_pool3d(_x(T, 1, 1, 2, 2, 2, dtype="float16"), 2, 2),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_matches_pytorch(name):
    want = ORACLE.answer(f"error/{name}", lambda torch: error(lambda: ERRORS[name](torch,
                                                                                torch.nn.functional)))
    assert want is not None, f"PyTorch raised nothing for {name}"
    assert error(lambda: ERRORS[name](numtorch, Fn)) == want


# shapes PyTorch gives where one might expect an error
SHAPES = {
    "max-empty-batch": lambda T, F: F.max_pool3d(_x(T, 0, 2, 5, 5, 5), 2),
    "avg-padded-kernel": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 4, 1, 2),
    "avg-stride-empty": lambda T, F: F.avg_pool3d(_x(T, 1, 1, 5, 5, 5), 2, stride=[]),
    "max-stride-empty": lambda T, F: F.max_pool3d(_x(T, 1, 1, 5, 5, 5), 2, stride=()),
    "aavg-mean-3d-input": lambda T, F: F.adaptive_avg_pool3d(_x(T, 5, 5, 5), 1),
    "unpool-empty-batch": lambda T, F: F.max_unpool3d(_x(T, 0, 1, 1, 1, 2), _i(T, 0, 1, 1, 1, 2), 2),
    "unpool-empty-output": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2,
                                                       padding=1),
    "unpool-negative-padding": lambda T, F: F.max_unpool3d(_x(T, 1, 1, 1, 1, 2), _i(T, 1, 1, 1, 1, 2), 2,
                                                           padding=-1),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_shape_matches_pytorch(name):
    want = ORACLE.answer(f"shape/{name}", lambda torch: list(SHAPES[name](torch, torch.nn.functional).shape))
    assert list(SHAPES[name](numtorch, Fn).shape) == want


REPRS = {
    "MaxPool3d": lambda nn: nn.MaxPool3d(2),
    "MaxPool3d-full": lambda nn: nn.MaxPool3d((1, 2, 3), (2, 1, 1), 1, 2, True, True),
    "AvgPool3d": lambda nn: nn.AvgPool3d(2),
    "AvgPool3d-full": lambda nn: nn.AvgPool3d((1, 2, 3), 1, (0, 1, 1), True, False, 3),
    "AdaptiveAvgPool3d": lambda nn: nn.AdaptiveAvgPool3d((None, 2, 3)),
    "AdaptiveMaxPool3d": lambda nn: nn.AdaptiveMaxPool3d(2, True),
    "MaxUnpool3d": lambda nn: nn.MaxUnpool3d(2),
    "MaxUnpool3d-full": lambda nn: nn.MaxUnpool3d((1, 2, 3), 1, (0, 1, 1)),
    "LPPool1d": lambda nn: nn.LPPool1d(2, 3),
    "LPPool2d": lambda nn: nn.LPPool2d(1.5, (2, 3), 1, True),
    "LPPool3d": lambda nn: nn.LPPool3d(2, 2),
    "Sequential": lambda nn: nn.Sequential(nn.MaxPool3d(2, return_indices=True), nn.LPPool3d(INF, 1)),
}


@pytest.mark.parametrize("name", list(REPRS))
def test_repr_matches_pytorch(name):
    want = ORACLE.answer(f"repr/{name}", lambda torch: repr(REPRS[name](torch.nn)))
    assert repr(REPRS[name](nnt)) == want


# -- second derivatives against PyTorch (float64) ------------------------------------------------

DOUBLE = {
    "max_pool3d": (lambda F, x: F.max_pool3d(x, 2), (1, 2, 4, 4, 4)),
    "max_pool3d-overlap": (lambda F, x: F.max_pool3d(x, 3, 1, 1), (1, 2, 3, 4, 5)),
    "avg_pool3d": (lambda F, x: F.avg_pool3d(x, 3, 2, 1, True, False), (1, 2, 5, 5, 4)),
    "adaptive_avg_pool3d": (lambda F, x: F.adaptive_avg_pool3d(x, (3, 2, 2)), (1, 2, 5, 3, 4)),
    "adaptive_max_pool3d": (lambda F, x: F.adaptive_max_pool3d(x, (3, 2, 2)), (1, 2, 5, 3, 4)),
    "max_unpool3d": (lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2),
                     (1, 2, 4, 4, 2)),
    "lp_pool3d": (lambda F, x: F.lp_pool3d(x, 3, 2), (1, 2, 4, 4, 2)),
    "lp_pool2d": (lambda F, x: F.lp_pool2d(x, 2, (2, 1)), (1, 2, 4, 4)),
}


@pytest.mark.parametrize("name", list(DOUBLE))
def test_double_backward_matches_pytorch(name):
    call, shape = DOUBLE[name]
    want = ORACLE.answer(f"double/{name}", lambda torch: run_double(call, shape, torch,
                                                                    torch.nn.functional, name))
    got = run_double(call, shape, numtorch, Fn, name)
    for key in ("gx", "gg"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12)
    if want["gxx"] is None:         # PyTorch: no dependence on x; numtorch: None or zeros
        assert got["gxx"] is None or not np.any(got["gxx"])
    else:
        np.testing.assert_allclose(0 if got["gxx"] is None else got["gxx"], want["gxx"], rtol=1e-10,
                                   atol=1e-12)


# -- numerical gradient checks (float64, no torch) ----------------------------------------------

_IDX = np.array([[[[[0, 3], [9, 14]]]]])
GRADCHECK = {
    "max_pool3d": (lambda x: Fn.max_pool3d(x, 2), (2, 1, 4, 4, 3)),
    "max_pool3d-overlap": (lambda x: Fn.max_pool3d(x, 3, 1, 1), (1, 2, 3, 4, 3)),
    "max_pool3d-dilated-ceil": (lambda x: Fn.max_pool3d(x, 2, 2, 1, 2, True), (1, 1, 5, 5, 4)),
    "max_pool3d-unbatched": (lambda x: Fn.max_pool3d(x, (1, 2, 2), (1, 1, 2)), (2, 2, 3, 4)),
    "avg_pool3d": (lambda x: Fn.avg_pool3d(x, 3, 2, 1, True, False), (1, 2, 5, 4, 3)),
    "avg_pool3d-divisor": (lambda x: Fn.avg_pool3d(x, 2, 1, 0, False, True, 3), (1, 2, 3, 3, 3)),
    "adaptive_avg_pool3d": (lambda x: Fn.adaptive_avg_pool3d(x, (3, 2, 4)), (1, 2, 5, 3, 7)),
    "adaptive_avg_pool3d-up": (lambda x: Fn.adaptive_avg_pool3d(x, (3, 4, 2)), (1, 1, 2, 3, 2)),
    "adaptive_max_pool3d": (lambda x: Fn.adaptive_max_pool3d(x, (3, 2, 4)), (1, 2, 5, 3, 7)),
    "adaptive_max_pool3d-up": (lambda x: Fn.adaptive_max_pool3d(x, (3, 4, 2)), (1, 1, 2, 3, 2)),
    "max_unpool3d": (lambda x: Fn.max_unpool3d(x, numtorch.tensor(_IDX), 2), (1, 1, 1, 2, 2)),
    "lp_pool1d": (lambda x: Fn.lp_pool1d(x, 2, 3, 2), (2, 2, 7)),
    "lp_pool2d": (lambda x: Fn.lp_pool2d(x, 3, 2), (1, 2, 4, 4)),
    "lp_pool3d": (lambda x: Fn.lp_pool3d(x, 1.5, (2, 1, 2), ceil_mode=True), (1, 2, 3, 3, 5)),
    "lp_pool3d-inf": (lambda x: Fn.lp_pool3d(x, INF, 2), (1, 2, 2, 4, 4)),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name):
    fn, shape = GRADCHECK[name]
    # distinct values, well apart, so no max-pooling tie sits within the finite-difference step
    # (and positive ones, so LP pooling's powers stay smooth)
    rng = np.random.default_rng(_seed(name))
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)
    if name.startswith("lp_pool"):
        x = x + 0.5
    x = numtorch.tensor(x, requires_grad=True)
    assert numtorch.autograd.gradcheck(fn, (x,))
    assert numtorch.autograd.gradgradcheck(fn, (x,))


# -- behaviour beyond the record ----------------------------------------------------------------

def test_window_of_padding_only_gets_no_gradient():
    # dilated taps at -1 and 1 of a one-voxel input: PyTorch reports the index of its first
    # valid tap position (1, 1, 1), past the volume: 3 (its backward writes out of bounds there);
    # numtorch reports the same index and sends no gradient
    x = numtorch.tensor(np.ones((1, 1, 1, 1, 1), np.float32), requires_grad=True)
    y, i = Fn.max_pool3d(x, 2, 1, 1, 2, False, True)
    assert np.isneginf(y.item()) and i.item() == 3
    y.sum().backward()
    assert not np.any(x.grad.numpy())


def test_ties_take_the_first_maximum_in_scan_order():
    x = numtorch.zeros(1, 1, 2, 2, 2, requires_grad=True)
    y, i = Fn.max_pool3d(x, 2, return_indices=True)
    assert i.item() == 0
    y.sum().backward()
    assert x.grad.numpy().ravel().tolist() == [1.0] + [0.0] * 7
    z, j = Fn.adaptive_max_pool3d(numtorch.ones(1, 3, 3, 3), 1, return_indices=True)
    assert j.item() == 0


def test_modules_call_the_functionals():
    rng = np.random.default_rng(3)
    x = numtorch.tensor(rng.standard_normal((2, 3, 4, 6, 6)).astype(np.float32))
    y, i = nnt.MaxPool3d(2, return_indices=True)(x)
    np.testing.assert_array_equal(nnt.MaxUnpool3d(2)(y, i).numpy(), Fn.max_unpool3d(y, i, 2).numpy())
    np.testing.assert_array_equal(nnt.AvgPool3d(3, 1, 1, count_include_pad=False)(x).numpy(),
                                  Fn.avg_pool3d(x, 3, 1, 1, False, False).numpy())
    np.testing.assert_array_equal(nnt.AvgPool3d(2, divisor_override=5)(x).numpy(),
                                  Fn.avg_pool3d(x, 2, divisor_override=5).numpy())
    np.testing.assert_array_equal(nnt.AdaptiveAvgPool3d((None, 2, 3))(x).numpy(),
                                  Fn.adaptive_avg_pool3d(x, (4, 2, 3)).numpy())
    v, j = nnt.AdaptiveMaxPool3d(2, return_indices=True)(x)
    assert j.dtype == numtorch.int64 and v.shape == (2, 3, 2, 2, 2)
    np.testing.assert_array_equal(nnt.LPPool3d(2, 2, ceil_mode=True)(x.abs()).numpy(),
                                  Fn.lp_pool3d(x.abs(), 2, 2, ceil_mode=True).numpy())
    np.testing.assert_array_equal(nnt.LPPool2d(1, 2, 1)(x[0]).numpy(), Fn.lp_pool2d(x[0], 1, 2, 1).numpy())
    np.testing.assert_array_equal(nnt.LPPool1d(3, 2)(x[0, 0].abs()).numpy(),
                                  Fn.lp_pool1d(x[0, 0].abs(), 3, 2).numpy())
    m = nnt.Sequential(nnt.MaxPool3d(2), nnt.AvgPool3d(1), nnt.LPPool3d(2, 1))
    assert m.state_dict() == {} and list(m.parameters()) == []


def test_lp_pool_by_hand():
    # norm 2 over a window: sqrt of the sum of squares; norm inf: the largest magnitude
    x = numtorch.tensor(np.array([[[[[3.0, 4.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, -12.0]]]]]))
    assert Fn.lp_pool3d(x, 2, 2).item() == 13.0
    assert Fn.lp_pool3d(x, INF, 2).item() == 12.0
    assert Fn.lp_pool3d(x, -INF, 2).item() == 0.0
    assert Fn.lp_pool3d(x, 1, 2).item() == -5.0          # p = 1: the plain (signed) sum


def test_top_level_and_lazy_names():
    x = numtorch.tensor(np.arange(16.0, dtype=np.float32).reshape(1, 2, 2, 4))
    assert numtorch.max_pool3d(x, 2).tolist() == [[[[13.0, 15.0]]]]
    assert numtorch.max_pool3d is Fn.max_pool3d
    for name in ("MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "MaxUnpool3d",
                 "LPPool1d", "LPPool2d", "LPPool3d"):
        assert name in dir(nnt) and getattr(nnt, name).__module__ == "numtorch.nn.modules.pooling"
    for name in ("max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_avg_pool3d",
                 "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "max_unpool3d",
                 "lp_pool1d", "lp_pool2d", "lp_pool3d"):
        assert name in Fn.__all__ and callable(getattr(Fn, name))
