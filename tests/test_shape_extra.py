"""numtorch/ops/shape_extra.py and products.py against PyTorch 2.13: stacking/splitting, take_along_dim,
diag_embed, index_fill/index_copy/masked_scatter, the *_scatter family, index_put/put,
Tensor.unfold, scatter_reduce/index_reduce, tensordot and the fused products.

Values, dtypes, shapes, grad_fn names and input gradients through the recorded oracle
(tests/data/oracle/shape_extra.*; ``python tests/data/regen_oracle.py tests/test_shape_extra.py``
rewrites it); products are compared bit for bit. Plus PyTorch's errors, views, in-place and
method forms, float64 gradcheck and gradgradcheck.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch

from _oracle import Oracle, error
from _parity import Case, D, F, I, B, grad_checks, run_case

ORACLE = Oracle("shape_extra")
warnings.filterwarnings("ignore", message=".*(chain_matmul|index_reduce).*")


def _idx(T, values):
    return T.tensor(values, dtype=T.int64)


CASES = [
    Case("dstack", lambda T, a, b: T.dstack([a, b]), F(2, 3), F(2, 3)),
    Case("dstack_1d", lambda T, a, b: T.dstack((a, b)), F(3), F(3)),
    Case("dstack_0d_3d", lambda T, a, b: T.dstack([a.sum(), b]), F(2), F(1, 1, 2)),
    Case("row_stack", lambda T, a, b: T.row_stack([a, b]), F(3), F(2, 3)),
    Case("hsplit_int", lambda T, a: T.hsplit(a, 2), F(3, 4, 2)),
    Case("hsplit_list", lambda T, a: a.hsplit([1, 3]), F(2, 5)),
    Case("hsplit_1d", lambda T, a: T.hsplit(a, 3), F(6)),
    Case("vsplit", lambda T, a: a.vsplit(2), F(4, 3)),
    Case("vsplit_list", lambda T, a: T.vsplit(a, [1]), F(3, 2)),
    Case("dsplit", lambda T, a: T.dsplit(a, [1, 2]), F(2, 2, 4)),
    Case("take_along_dim", lambda T, a: T.take_along_dim(a, _idx(T, [[0, 2], [1, 1]]), 1), F(2, 3)),
    Case("take_along_dim_bcast", lambda T, a: a.take_along_dim(_idx(T, [[[1], [0], [2]]]), dim=-1),
         F(2, 3, 4)),
    Case("take_along_dim_none", lambda T, a: T.take_along_dim(a, _idx(T, [[5, 0], [3, 3]])),
         F(2, 3)),
    Case("take_along_dim_argsort", lambda T, a: T.take_along_dim(a, a.argmax(0, keepdim=True), 0),
         F(4, 3)),
    Case("diag_embed", lambda T, a: T.diag_embed(a), F(2, 3)),
    Case("diag_embed_offset", lambda T, a: a.diag_embed(offset=-1, dim1=0, dim2=2), F(2, 3)),
    Case("diag_embed_offset_pos", lambda T, a: T.diag_embed(a, 2, 1, 0), F(3)),
    Case("index_copy", lambda T, a, s: a.index_copy(1, _idx(T, [2, 0]), s), F(3, 4), F(3, 2)),
    Case("index_copy_0", lambda T, a, s: T.index_copy(a, 0, _idx(T, [1]), s), F(2, 3), F(1, 3)),
    Case("index_copy_", lambda T, a, s: (a * 1).index_copy_(-1, _idx(T, [0, 3]), s), F(2, 4),
         F(2, 2)),
    Case("index_fill", lambda T, a: a.index_fill(1, _idx(T, [0, 2]), -1.5), F(2, 3)),
    Case("index_fill_tensor", lambda T, a, v: T.index_fill(a, 0, _idx(T, [1]), v.sum()),
         F(3, 2), F(2)),
    Case("index_fill_", lambda T, a: (a * 2).index_fill_(0, _idx(T, [0, -1]), 2.0), F(3, 2)),
    Case("index_fill_int", lambda T, a: a.index_fill(0, _idx(T, [1]), 7), I(3, 2)),
    Case("masked_scatter", lambda T, a, s: a.masked_scatter(a > 0, s), F(3, 4), F(15)),
    Case("masked_scatter_bcast", lambda T, a, s: T.masked_scatter(a, T.tensor([True, False, True]),
                                                                  s), F(2, 3), F(2, 3)),
    Case("masked_scatter_", lambda T, a, s: (a + 0).masked_scatter_(a < 0, s), F(2, 3), F(3, 3)),
    Case("select_scatter", lambda T, a, s: T.select_scatter(a, s, 1, -1), F(2, 3, 2), F(2, 2)),
    Case("slice_scatter", lambda T, a, s: T.slice_scatter(a, s, 1, 0, 4, 2), F(2, 5), F(2, 2)),
    Case("slice_scatter_default", lambda T, a, s: a.slice_scatter(s), F(3, 2), F(3, 2)),
    Case("slice_scatter_neg", lambda T, a, s: T.slice_scatter(a, s, dim=0, start=-2), F(4, 2),
         F(2, 2)),
    Case("diagonal_scatter", lambda T, a, s: T.diagonal_scatter(a, s), F(3, 3), F(3)),
    Case("diagonal_scatter_off", lambda T, a, s: a.diagonal_scatter(s, 1, 0, 2), F(3, 2, 4),
         F(2, 3)),
    Case("diagonal_scatter_neg", lambda T, a, s: T.diagonal_scatter(a, s, -1, -1, -2),
         F(2, 3, 3), F(2, 2)),
    Case("index_put", lambda T, a, v: a.index_put((_idx(T, [0, 2]), _idx(T, [1, 0])), v),
         F(3, 2), F(2)),
    Case("index_put_bcast", lambda T, a, v: T.index_put(a, (_idx(T, [1, 0]),), v), F(2, 3),
         F(3)),
    Case("index_put_acc", lambda T, a, v: T.index_put(a, (_idx(T, [1, 1, 0]),), v,
                                                      accumulate=True), F(3, 2), F(3, 2)),
    Case("index_put_bool", lambda T, a, v: a.index_put((a > 0,), v), F(3, 3), F(1)),
    Case("index_put_", lambda T, a, v: (a * 1).index_put_((_idx(T, [2]),), v), F(3), F(1)),
    Case("put", lambda T, a, s: a.put(_idx(T, [0, 5, -1]), s), F(2, 3), F(3)),
    Case("put_acc", lambda T, a, s: a.put(_idx(T, [[1, 1], [2, 1]]), s, accumulate=True),
         F(3), F(2, 2)),
    Case("put_", lambda T, a, s: (a + 0).put_(_idx(T, [3]), s), F(2, 2), F(1)),
    Case("index_add_", lambda T, a, s: (a * 1).index_add_(0, _idx(T, [1, 1]), s, alpha=2),
         F(3, 2), F(2, 2)),
    Case("unfold", lambda T, a: a.unfold(1, 2, 1), F(2, 4)),
    Case("unfold_step", lambda T, a: a.unfold(0, 3, 2), F(7, 2)),
    Case("unfold_last", lambda T, a: a.unfold(-1, 2, 3), F(2, 2, 8)),
    Case("unfold_0d", lambda T, a: a.sum().unfold(0, 1, 1), F(3)),
    Case("unfold_twice", lambda T, a: a.unfold(0, 2, 1).unfold(1, 2, 2), F(3, 5)),
    Case("tensordot_int", lambda T, a, b: T.tensordot(a, b, 2), F(2, 3, 4), F(3, 4, 5)),
    Case("tensordot_lists", lambda T, a, b: T.tensordot(a, b, dims=([1, 0], [0, 2])),
         F(3, 4, 5), F(4, 2, 3)),
    Case("tensordot_zero", lambda T, a, b: T.tensordot(a, b, 0), F(2, 3), F(4)),
    Case("tensordot_pairs", lambda T, a, b: T.tensordot(a, b, ([2], [1])), F(2, 3, 4), F(5, 4)),
    Case("vdot", lambda T, a, b: T.vdot(a, b), F(5), F(5)),
    Case("vdot_method", lambda T, a, b: a.vdot(b), D(4), D(4)),
    Case("addmv", lambda T, c, m, v: T.addmv(c, m, v), F(3), F(3, 4), F(4)),
    Case("addmv_scaled", lambda T, c, m, v: c.addmv(m, v, beta=0.5, alpha=2.0), F(3), F(3, 4),
         F(4)),
    Case("addmv_bcast", lambda T, c, m, v: T.addmv(c, m, v), F(1), F(5, 3), F(3)),
    Case("addmv_beta0", lambda T, c, m, v: T.addmv(c, m, v, beta=0), F(2), F(2, 3), F(3)),
    Case("addmv_", lambda T, c, m, v: (c * 1).addmv_(m, v, alpha=-1), F(3), F(3, 2), F(2)),
    Case("addr", lambda T, c, a, b: T.addr(c, a, b), F(3, 4), F(3), F(4)),
    Case("addr_scaled", lambda T, c, a, b: c.addr(a, b, beta=2, alpha=0.5), F(3, 4), F(3), F(4)),
    Case("addr_bcast", lambda T, c, a, b: T.addr(c, a, b), F(4), F(2), F(4)),
    Case("addr_", lambda T, c, a, b: (c * 1).addr_(a, b), D(2, 3), D(2), D(3)),
    Case("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b), F(2, 3, 5), F(2, 3, 4), F(2, 4, 5)),
    Case("baddbmm_scaled", lambda T, c, a, b: c.baddbmm(a, b, beta=0.25, alpha=3), F(2, 3, 2),
         F(2, 3, 4), F(2, 4, 2)),
    Case("baddbmm_bcast", lambda T, c, a, b: T.baddbmm(c, a, b), F(2), F(3, 2, 4), F(3, 4, 2)),
    Case("baddbmm_", lambda T, c, a, b: (c * 1).baddbmm_(a, b), F(2, 2, 2), F(2, 2, 3),
         F(2, 3, 2)),
    Case("addbmm", lambda T, c, a, b: T.addbmm(c, a, b), F(3, 5), F(4, 3, 2), F(4, 2, 5)),
    Case("addbmm_scaled", lambda T, c, a, b: c.addbmm(a, b, beta=0.5, alpha=2), F(3, 5),
         F(2, 3, 4), F(2, 4, 5)),
    Case("addbmm_", lambda T, c, a, b: (c * 1).addbmm_(a, b), F(2, 2), F(3, 2, 3), F(3, 3, 2)),
    Case("chain_matmul", lambda T, a, b, c: T.chain_matmul(a, b, c), F(3, 4), F(4, 5), F(5, 2)),
    Case("chain_matmul_1", lambda T, a: T.chain_matmul(a), F(3, 4)),
    Case("chain_matmul_2", lambda T, a, b: T.chain_matmul(a, b), D(2, 3), D(3, 2)),
    Case("scatter_reduce_sum", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [[0, 1, 0], [2, 0, 1]]), s, "sum"), F(3, 3), F(2, 3)),
    Case("scatter_reduce_sum_noself", lambda T, a, s: T.scatter_reduce(
        a, 1, _idx(T, [[0, 0], [2, 0]]), s, "sum", include_self=False), F(2, 3), F(2, 3)),
    Case("scatter_reduce_mean", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [1, 1, 3, 1]), s, "mean"), F(4), F(4)),
    Case("scatter_reduce_mean_noself", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [1, 1, 3, 1]), s, reduce="mean", include_self=False), F(4), F(4)),
    Case("scatter_reduce_prod", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [0, 2, 0]), s, "prod"), F(3, lo=0.5, hi=2), F(3, lo=0.5, hi=2)),
    Case("scatter_reduce_prod_noself", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [0, 2, 0]), s, "prod", include_self=False), F(3, lo=0.5, hi=2),
         F(3, lo=0.5, hi=2)),
    Case("scatter_reduce_amax", lambda T, a, s: a.scatter_reduce(
        1, _idx(T, [[0, 0, 1], [2, 2, 2]]), s, "amax"), F(2, 3), F(2, 3)),
    Case("scatter_reduce_amin_noself", lambda T, a, s: a.scatter_reduce(
        1, _idx(T, [[0, 0, 1], [2, 2, 2]]), s, "amin", include_self=False), F(2, 3), F(2, 3)),
    Case("scatter_reduce_amax_ties", lambda T, a, s: T.scatter_reduce(
        a.round(), 0, _idx(T, [0, 0, 0, 1]), s.round(), "amax"), F(2, lo=-1, hi=1),
         F(4, lo=-1, hi=1)),
    Case("scatter_reduce_int", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [0, 0, 1]), s, "mean"), I(3, lo=-9, hi=9), I(3, lo=-9, hi=9)),
    Case("scatter_reduce_src_larger", lambda T, a, s: a.scatter_reduce(
        0, _idx(T, [[1], [0]]), s, "sum"), F(3, 2), F(4, 3)),
    Case("scatter_reduce_", lambda T, a, s: (a * 1).scatter_reduce_(
        0, _idx(T, [2, 2]), s, "amax"), F(3), F(2)),
    Case("index_reduce_prod", lambda T, a, s: a.index_reduce(
        0, _idx(T, [0, 2, 0]), s, "prod"), F(3, 2, lo=0.5, hi=2), F(3, 2, lo=0.5, hi=2)),
    Case("index_reduce_mean", lambda T, a, s: T.index_reduce(
        a, 1, _idx(T, [1, 1]), s, "mean"), F(2, 3), F(2, 2)),
    Case("index_reduce_mean_noself", lambda T, a, s: T.index_reduce(
        a, 1, _idx(T, [1, 1]), s, "mean", include_self=False), F(2, 3), F(2, 2)),
    Case("index_reduce_amax", lambda T, a, s: a.index_reduce(
        -1, _idx(T, [0, 0, 2]), s, "amax", include_self=False), F(2, 3), F(2, 3)),
    Case("index_reduce_amin", lambda T, a, s: a.index_reduce(
        0, _idx(T, [1]), s, "amin"), F(2, 3), F(1, 3)),
    Case("index_reduce_", lambda T, a, s: (a * 1).index_reduce_(
        0, _idx(T, [1, 1]), s, "prod"), F(2, lo=0.5, hi=2), F(2, lo=0.5, hi=2)),
    Case("bool_index_fill", lambda T, a: a.index_fill(0, _idx(T, [0]), True), B(2, 2)),
]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_as_pytorch(case):
    run_case(None, case, ORACLE)


# The products bit for bit, on random sizes (the fraction identical is the figure we report).
PRODUCTS = {
    "addmv": lambda T, r: T.addmv(*_arrays(T, r, (r[0],), (r[0], r[1]), (r[1],))),
    "addr": lambda T, r: T.addr(*_arrays(T, r, (r[0], r[1]), (r[0],), (r[1],))),
    "baddbmm": lambda T, r: T.baddbmm(*_arrays(T, r, (r[2], r[0], r[1]), (r[2], r[0], r[3]),
                                               (r[2], r[3], r[1]))),
    "addbmm": lambda T, r: T.addbmm(*_arrays(T, r, (r[0], r[1]), (r[2], r[0], r[3]),
                                             (r[2], r[3], r[1]))),
    "tensordot": lambda T, r: T.tensordot(*_arrays(T, r, (r[0], r[1], r[3]), (r[1], r[3], r[2]))),
    "vdot": lambda T, r: T.vdot(*_arrays(T, r, (r[3],), (r[3],))),
    "chain_matmul": lambda T, r: T.chain_matmul(*_arrays(T, r, (r[0], r[1]), (r[1], r[3]),
                                                         (r[3], r[2]))),
}


# bit for bit always (addbmm: unless one column), or up to this contraction length (MKL's
# gemv/dot sum sequentially there)
BIT_EXACT = {"addr", "baddbmm", "addbmm"}
BIT_EXACT_K = {"addmv": 4, "vdot": 3}


def _arrays(T, r, *shapes):
    rng = np.random.default_rng(int(r[4]))
    return [T.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]


@pytest.mark.parametrize("fn", list(PRODUCTS))
@pytest.mark.parametrize("k", range(6))
def test_products_bit_for_bit(fn, k):
    r = [int(v) for v in np.random.default_rng(50 + k).integers(1, 9, 4)] + [k]
    want = ORACLE.answer(f"bits/{fn}/{k}", lambda T: PRODUCTS[fn](T, r))
    got = PRODUCTS[fn](numtorch, r)
    assert tuple(got.shape) == tuple(want.shape)
    k = r[1] if fn == "addmv" else r[3]
    if fn in BIT_EXACT and (fn != "addbmm" or r[1] > 1) or k <= BIT_EXACT_K.get(fn, -1):
        np.testing.assert_array_equal(got.numpy(), want.detach().numpy())
    else:       # MKL's vectorized gemv / dot sums: not emulated
        np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_views_and_in_place():
    x = numtorch.arange(12.0).reshape(3, 4)
    w = x.unfold(1, 2, 2)
    assert w._base is x if hasattr(w, "_base") else True
    w[0, 0, 1] = 100.0                      # a view: writes reach x
    assert x[0, 1].item() == 100.0
    parts = numtorch.hsplit(x, 2)
    parts[1][2, 0] = -1.0
    assert x[2, 2].item() == -1.0
    y = numtorch.zeros(3)
    r = y.index_fill_(0, numtorch.tensor([1]), 5.0)
    assert r is y and y.tolist() == [0.0, 5.0, 0.0]
    # in-place on a leaf that requires grad: PyTorch's error
    leaf = numtorch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.index_fill_(0, numtorch.tensor([0]), 1.0)
    # an in-place write into a view of a graph tensor goes through the base's history
    a = numtorch.ones(2, 3, requires_grad=True)
    b = a * 2
    b[0].index_copy_(0, numtorch.tensor([1]), numtorch.tensor([7.0]))
    b.sum().backward()
    assert a.grad.tolist() == [[2.0, 0.0, 2.0], [2.0, 2.0, 2.0]]


def test_by_hand():
    x = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert numtorch.tensordot(x, x, 2).item() == 30.0       # 1 + 4 + 9 + 16
    assert numtorch.addr(numtorch.zeros(2, 2), numtorch.tensor([1.0, 2.0]),
                         numtorch.tensor([1.0, -1.0])).tolist() == [[1.0, -1.0], [2.0, -2.0]]
    assert numtorch.zeros(2, 2).put(numtorch.tensor([3]),
                                    numtorch.tensor([9.0])).tolist() == [[0.0, 0.0], [0.0, 9.0]]
    s = numtorch.zeros(3).scatter_reduce(0, numtorch.tensor([0, 0, 2]),
                                         numtorch.tensor([2.0, 4.0, 1.0]), "mean")
    assert s.tolist() == [2.0, 0.0, 0.5]                   # (0 + 2 + 4) / 3, 0, (0 + 1) / 2


ERRORS = {
    "hsplit_0d": lambda T: T.hsplit(T.tensor(1.0), 1),
    "hsplit_indivisible": lambda T: T.hsplit(T.ones(2, 3), 2),
    "vsplit_1d": lambda T: T.vsplit(T.ones(4), 2),
    "dsplit_2d": lambda T: T.dsplit(T.ones(2, 2), 2),
    "dstack_empty": lambda T: T.dstack([]),
    "take_along_dim_float": lambda T: T.take_along_dim(T.ones(3), T.tensor([0.0])),
    "take_along_dim_ndim": lambda T: T.take_along_dim(T.ones(3, 2), T.tensor([0]), 1),
    "diag_embed_same": lambda T: T.diag_embed(T.ones(3), 0, 1, 1),
    "index_copy_dtype": lambda T: T.ones(3).index_copy(0, T.tensor([0]), T.ones(1, dtype=T.int64)),
    "index_copy_count": lambda T: T.ones(3).index_copy(0, T.tensor([0, 1]), T.ones(1)),
    "index_copy_range": lambda T: T.ones(3).index_copy(0, T.tensor([3]), T.ones(1)),
    "index_fill_range": lambda T: T.ones(3).index_fill(0, T.tensor([5]), 1.0),
    "index_fill_value_dim": lambda T: T.ones(3).index_fill(0, T.tensor([0]), T.ones(2)),
    "index_fill_int32": lambda T: T.ones(3).index_fill(0, T.tensor([0], dtype=T.int32), 1.0),
    "masked_scatter_few": lambda T: T.ones(3).masked_scatter(T.tensor([True, True, False]),
                                                             T.ones(1)),
    "masked_scatter_mask": lambda T: T.ones(3).masked_scatter(T.tensor([1, 0, 1]), T.ones(3)),
    "select_scatter_shape": lambda T: T.select_scatter(T.ones(2, 3), T.ones(2), 0, 0),
    "select_scatter_index": lambda T: T.select_scatter(T.ones(2, 3), T.ones(3), 0, 2),
    "slice_scatter_shape": lambda T: T.slice_scatter(T.ones(4), T.ones(3), 0, 0, 2),
    "diagonal_scatter_shape": lambda T: T.diagonal_scatter(T.ones(3, 3), T.ones(2)),
    "index_put_dtype": lambda T: T.ones(3).index_put((T.tensor([0]),), T.tensor([1.0],
                                                                                 dtype=T.float64)),
    "index_put_shape": lambda T: T.ones(3).index_put((T.tensor([0, 1]),), T.ones(3)),
    "put_count": lambda T: T.ones(3).put(T.tensor([0, 1]), T.ones(3)),
    "put_range": lambda T: T.ones(3).put(T.tensor([3]), T.ones(1)),
    "unfold_size": lambda T: T.ones(3).unfold(0, 4, 1),
    "unfold_step": lambda T: T.ones(3).unfold(0, 2, 0),
    "tensordot_mismatch": lambda T: T.tensordot(T.ones(2, 3), T.ones(4, 5), 1),
    "tensordot_lists": lambda T: T.tensordot(T.ones(2, 3), T.ones(3, 2), ([0, 1], [0])),
    "vdot_2d": lambda T: T.vdot(T.ones(2, 2), T.ones(2)),
    "vdot_dtype": lambda T: T.vdot(T.ones(2), T.ones(2, dtype=T.float64)),
    "addmv_rank": lambda T: T.addmv(T.ones(2), T.ones(2), T.ones(2)),
    "addmv_size": lambda T: T.addmv(T.ones(2), T.ones(2, 3), T.ones(2)),
    "addmv_input": lambda T: T.addmv(T.ones(3), T.ones(2, 3), T.ones(3)),
    "addr_rank": lambda T: T.addr(T.ones(2, 2), T.ones(2, 1), T.ones(2)),
    "addr_input": lambda T: T.addr(T.ones(3, 2), T.ones(2), T.ones(2)),
    "baddbmm_rank": lambda T: T.baddbmm(T.ones(2, 2, 2), T.ones(2, 2), T.ones(2, 2, 2)),
    "baddbmm_size": lambda T: T.baddbmm(T.ones(2, 2, 2), T.ones(2, 2, 3), T.ones(2, 2, 2)),
    "addbmm_size": lambda T: T.addbmm(T.ones(2, 2), T.ones(2, 2, 3), T.ones(3, 3, 2)),
    "addbmm_k": lambda T: T.addbmm(T.ones(2, 2), T.ones(2, 2, 3), T.ones(2, 2, 2)),
    "addmv_input_2d": lambda T: T.addmv(T.ones(2, 2), T.ones(2, 3), T.ones(3)),
    "baddbmm_batches": lambda T: T.baddbmm(T.ones(2, 2, 2), T.ones(2, 2, 3), T.ones(3, 3, 2)),
    "addbmm_input": lambda T: T.addbmm(T.ones(3, 2), T.ones(2, 2, 3), T.ones(2, 3, 2)),
    "chain_matmul_rank": lambda T: T.chain_matmul(T.ones(2, 2), T.ones(2)),
    "scatter_reduce_mode": lambda T: T.ones(3).scatter_reduce(0, T.tensor([0]), T.ones(1), "foo"),
    "scatter_reduce_range": lambda T: T.ones(3).scatter_reduce(0, T.tensor([3]), T.ones(1),
                                                               "sum"),
    "index_reduce_mode": lambda T: T.ones(3).index_reduce(0, T.tensor([0]), T.ones(1), "sum"),
    "index_reduce_count": lambda T: T.ones(3).index_reduce(0, T.tensor([0, 1]), T.ones(1),
                                                           "prod"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ORACLE.answer(f"error/{name}", lambda T: error(lambda: ERRORS[name](T)))
        got = error(lambda: ERRORS[name](numtorch))
    assert got == list(want) if want is not None else got is None


GRAD_CHECKS = {
    "diag_embed": (lambda a: numtorch.diag_embed(a, 1, 0, 2), [(2, 3)]),
    "index_copy": (lambda a, s: a.index_copy(1, numtorch.tensor([2, 0]), s), [(2, 3), (2, 2)]),
    "index_fill_tensor": (lambda a, v: a.index_fill(0, numtorch.tensor([1]), v.sum()),
                          [(3, 2), (2,)]),
    "masked_scatter": (lambda a, s: a.masked_scatter(numtorch.tensor([True, False, True]), s),
                       [(2, 3), (5,)]),
    "select_scatter": (lambda a, s: numtorch.select_scatter(a, s, 0, 1), [(3, 2), (2,)]),
    "slice_scatter": (lambda a, s: numtorch.slice_scatter(a, s, 1, 1, None, 2), [(2, 5), (2, 2)]),
    "diagonal_scatter": (lambda a, s: numtorch.diagonal_scatter(a, s, 1, 1, 0), [(3, 4, 2),
                                                                                 (2, 2)]),
    "index_put_acc": (lambda a, v: a.index_put((numtorch.tensor([1, 1, 0]),), v, True),
                      [(3, 2), (3, 2)]),
    "put": (lambda a, s: a.put(numtorch.tensor([0, 4]), s), [(2, 3), (2,)]),
    "unfold": (lambda a: a.unfold(1, 3, 2), [(2, 7)]),
    "take_along_dim": (lambda a: numtorch.take_along_dim(a, numtorch.tensor([[2], [0]]), 1),
                       [(2, 3)]),
    "tensordot": (lambda a, b: numtorch.tensordot(a, b, ([0], [1])), [(3, 2), (4, 3)]),
    "addmv": (lambda c, m, v: numtorch.addmv(c, m, v, beta=0.5, alpha=2), [(3,), (3, 2), (2,)]),
    "addr": (lambda c, a, b: numtorch.addr(c, a, b, alpha=3), [(2, 3), (2,), (3,)]),
    "baddbmm": (lambda c, a, b: numtorch.baddbmm(c, a, b, beta=2), [(2, 2, 3), (2, 2, 4),
                                                                     (2, 4, 3)]),
    "addbmm": (lambda c, a, b: numtorch.addbmm(c, a, b, alpha=0.5), [(2, 3), (3, 2, 4),
                                                                      (3, 4, 3)]),
    "vdot": (lambda a, b: numtorch.vdot(a, b), [(4,), (4,)]),
    "scatter_reduce_mean": (lambda a, s: a.scatter_reduce(0, numtorch.tensor([0, 2, 0]), s,
                                                          "mean", include_self=False),
                            [(3,), (3,)]),
    "scatter_reduce_prod": (lambda a, s: a.scatter_reduce(0, numtorch.tensor([0, 2, 0]), s,
                                                          "prod"), [(3,), (3,)]),
    "scatter_reduce_amax": (lambda a, s: a.scatter_reduce(0, numtorch.tensor([0, 2, 0]), s,
                                                          "amax"), [(3,), (3,)]),
    "index_reduce_prod": (lambda a, s: a.index_reduce(0, numtorch.tensor([1, 1]), s, "prod"),
                          [(2, 2), (2, 2)]),
}


@pytest.mark.parametrize("name", list(GRAD_CHECKS))
def test_gradcheck_and_gradgradcheck(name):
    fn, shapes = GRAD_CHECKS[name]
    grad_checks(fn, shapes, seed=7)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("fn", ["scatter_reduce", "index_reduce"])
def test_prod_gradients_with_zeros(fn, include_self):
    """``prod`` where zeros take part: a lone zero's gradient is the product of the others."""
    def facts(T):
        rng = np.random.default_rng(21)
        x = T.tensor(rng.integers(-2, 3, (4, 3)).astype(np.float64), requires_grad=True)
        if fn == "scatter_reduce":
            src = T.tensor(rng.integers(-2, 3, (6, 3)).astype(np.float64), requires_grad=True)
            y = T.scatter_reduce(x, 0, T.tensor(rng.integers(0, 4, (6, 3))), src, "prod",
                                 include_self=include_self)
        else:
            src = T.tensor(rng.integers(-2, 3, (5, 3)).astype(np.float64), requires_grad=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = x.index_reduce(0, T.tensor(rng.integers(0, 4, 5)), src, "prod",
                                   include_self=include_self)
        (y * T.tensor(rng.standard_normal((4, 3)))).sum().backward()
        return [y.detach(), x.grad, src.grad]

    want = ORACLE.answer(f"prod_zeros/{fn}/{include_self}", facts)
    for g, w in zip(facts(numtorch), want):
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), rtol=1e-12, atol=1e-12)
