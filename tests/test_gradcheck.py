"""float64 numeric gradient checks (central differences) for every differentiable op.

Every row of the parity table (``test_ops_parity.TABLE``) whose inputs require grad is
re-run here in float64 and checked with ``numtorch.autograd.gradcheck``: no torch needed.
``EXTRA`` adds points the parity table does not reach (zeros in prod/cumprod, p-norms, ...).
"""
from __future__ import annotations

import numpy as np
import pytest

import numtorch
from _parity import Case, D, B, _flat, _is_tensor
from test_ops_parity import TABLE, AUTOGRAD

C = Case

# Rows that are not a gradient of a function of their inputs, or not smooth where sampled.
SKIP = {
    "ones_like_rg", "tensor_requires_grad", "ones_rg",       # leaves made inside
    "inplace_no_grad", "grad_none", "is_leaf", "requires_grad",
    "half",                                                   # float16 result
    "maximum_tie",                                            # a tie: not differentiable
    "floordiv", "rmod",                                       # PyTorch defines no derivative
}
SKIP |= {c.id for c in AUTOGRAD}

# Rows with no float64 output that requires grad (sizes, dtypes, devices, ints and bools,
# comparisons, argmax, casts to other dtypes, detached results, creation from data): nothing for
# gradcheck to check. Left out here, at collection, rather than skipped at run time;
# ``test_rows_without_a_float64_gradient`` checks each still has none (the parity table checks
# their ``requires_grad`` against PyTorch).
NO_FLOAT64_GRAD = {
    "zeros_like", "full_like", "empty_like", "shape", "size", "size_dim", "dim", "numel",
    "device", "data", "is_floating_point", "element_size", "stride", "is_contiguous", "item",
    "float_grad", "long", "int", "to_same", "type_str", "type_cast_str", "type_as", "detach",
    "new_tensor", "new_zeros", "new_full", "len", "bool_proto", "lt", "le", "gt", "gt_fn",
    "reverse_compare", "allclose", "isclose", "logical_not", "argmax", "argmax_dim", "argmin",
    "all_float", "contiguous_same", "setitem_autograd_leaf_value",
}

EXTRA = [
    C("prod_with_zero", lambda T, a: (a * T.tensor([0.0, 1.0, 1.0, 1.0], dtype=T.float64)).prod(),
      D(4)),
    C("prod_two_zeros", lambda T, a: (a * T.tensor([0.0, 1.0, 0.0], dtype=T.float64)).prod(), D(3)),
    C("prod_dim_zero", lambda T, a: (a * T.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=T.float64))
      .prod(1), D(2, 2)),
    C("cumprod_zero", lambda T, a: (a * T.tensor([1.0, 0.0, 1.0, 1.0], dtype=T.float64))
      .cumprod(0), D(4)),
    C("cumprod_2d", lambda T, a: a.cumprod(1), D(2, 3)),
    C("norm_p3", lambda T, a: a.norm(p=3), D(3, 2)),
    C("norm_p1_dim", lambda T, a: a.norm(p=1, dim=0), D(3, 2)),
    C("norm_inf_dim", lambda T, a: a.norm(p=float("inf"), dim=1), D(3, 2)),
    C("pow_neg_base", lambda T, a: (a - 3) ** 3, D(3)),
    C("pow_tensor_tensor", lambda T, a, b: (a + 3) ** b, D(3), D(3)),
    C("rpow_float", lambda T, a: 1.5 ** a, D(3)),
    C("div_both", lambda T, a, b: a / (b + 3), D(2, 3), D(3)),
    C("atan2_both", lambda T, a, b: T.atan2(a, b + 3), D(3), D(3)),
    C("where_bcast", lambda T, c, a, b: T.where(c, a, b), B(2, 3), D(2, 1), D(3)),
    C("var_correction2", lambda T, a: a.var(correction=2), D(5)),
    C("std_keep", lambda T, a: a.std((0, 1), keepdim=True), D(2, 3)),
    C("logsumexp_all", lambda T, a: a.logsumexp((0, 1)), D(2, 3)),
    C("softplus_like", lambda T, a: (a.exp() + 1).log().sum(), D(4)),
    C("matmul_4d", lambda T, a, b: a @ b, D(2, 1, 2, 3), D(3, 3, 2)),
    C("matmul_1d_4d", lambda T, a, b: a @ b, D(3), D(2, 2, 3, 2)),
    C("einsum_three", lambda T, a, b, c: T.einsum("ij,jk,kl->il", a, b, c), D(2, 3), D(3, 2),
      D(2, 2)),
    C("einsum_bcast", lambda T, a, b: T.einsum("...ij,...jk->...ik", a, b), D(1, 2, 3),
      D(2, 3, 2)),
    C("einsum_repeat_out", lambda T, a: T.einsum("iij->ij", a), D(2, 2, 3)),
    C("index_repeat", lambda T, a: a[T.tensor([0, 0, 1, 0])], D(3, 2)),
    C("setitem_value_bcast", lambda T, a, v: _set(a * 1, slice(None), v), D(3, 2), D(2)),
    C("gather_repeat", lambda T, a: a.gather(0, T.tensor([[0, 0], [0, 1]])), D(2, 2)),
    C("scatter_add_repeat", lambda T, a, s: a.scatter_add(0, T.tensor([[0, 0], [0, 1]]), s),
      D(2, 2), D(2, 2)),
    C("index_select_repeat", lambda T, a: a.index_select(1, T.tensor([2, 2, 0])), D(2, 3)),
    C("clamp_tensor_bounds", lambda T, a, lo, hi: T.clamp(a, lo - 0.5, hi + 0.5), D(4), D(4), D(4)),
    C("lerp_weight", lambda T, a, b, w: T.lerp(a, b, w), D(3), D(3), D(3)),
    C("masked_fill_value", lambda T, a, m, v: a.masked_fill(m, v), D(3, 2), B(3, 2), D()),
    C("fill_value", lambda T, a, v: (a * 1).fill_(v), D(3), D()),
    C("copy_src", lambda T, a, s: (a * 1).copy_(s), D(2, 3), D(3)),
    C("sigmoid_big", lambda T, a: (a * 20).sigmoid(), D(4)),
    C("index_add_alpha", lambda T, a, s: a.index_add(0, T.tensor([1, 1]), s, alpha=2), D(2, 2),
      D(2, 2)),
    C("take_repeat", lambda T, a: a.take(T.tensor([[0, 3], [3, 3]])), D(2, 2)),
    C("chain_long", lambda T, a: _long_chain(a), D(3)),
]


def _set(a, index, value):
    a[index] = value
    return a


def _long_chain(a):
    for _ in range(50):
        a = (a * 1.01).tanh() + 0.01
    return a


def _float64(spec):
    if spec.kind == "f" and spec.grad:
        return D(*spec.shape, lo=spec.lo, hi=spec.hi)
    return spec


def _differentiable(case):
    return any(s.kind == "f" and s.grad for s in case.specs)


DIFFERENTIABLE = [c for c in TABLE if _differentiable(c) and c.id not in SKIP]
CASES = [c for c in DIFFERENTIABLE if c.id not in NO_FLOAT64_GRAD] + EXTRA


def _inputs(case):
    rng = np.random.default_rng(case.seed)
    specs = [_float64(s) for s in case.specs]
    return [numtorch.tensor(s.array(rng), requires_grad=s.grad) for s in specs]


def _fn(case):
    def fn(*xs):
        out = [r for r in _flat(case.fn(numtorch, *xs))
               if _is_tensor(r) and r.dtype == numtorch.float64]
        return tuple(out)
    return fn


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gradcheck(case):
    inputs = _inputs(case)
    fn = _fn(case)
    assert any(o.requires_grad for o in fn(*inputs)), "no float64 output requires grad"
    assert numtorch.autograd.gradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)


def test_gradcheck_detects_a_wrong_gradient():
    class Bad(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = numtorch.randn(3, dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        numtorch.autograd.gradcheck(Bad.apply, (x,))
    assert numtorch.autograd.gradcheck(Bad.apply, (x,), raise_exception=False) is False


def test_int_inputs_are_not_checked():
    i = numtorch.tensor([0, 2])
    x = numtorch.randn(3, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda a, b: a[b], (x, i))


def test_rows_without_a_float64_gradient():
    for case in DIFFERENTIABLE:
        if case.id in NO_FLOAT64_GRAD:
            assert not any(o.requires_grad for o in _fn(case)(*_inputs(case))), case.id


def test_counts():
    # every differentiable row of the parity table is gradchecked unless listed in SKIP
    assert len(CASES) > 300
    assert NO_FLOAT64_GRAD <= {c.id for c in DIFFERENTIABLE}
    assert all(c.id in {t.id for t in TABLE} for c in CASES if c not in EXTRA)

