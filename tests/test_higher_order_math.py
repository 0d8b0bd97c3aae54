"""Second and third derivatives of math, reduction and matrix ops, compared with PyTorch 2.13.

Two parts, both recorded from PyTorch so that the test runs without torch:

1. ``CASES``: scalar functions of float64 inputs (polynomials, exp/log/tanh/sin chains,
   ``x @ W @ x``, matmul/mm/bmm/einsum/addmm, logsumexp, prod, cumsum, cumprod, pow with a
   tensor exponent, ...). For each, with ``create_graph=True``:

   - ``g = dL/dx`` (the first derivative; its ``grad_fn`` names are compared too),
   - ``h = d(sum(g * v))/dx`` (a Hessian-vector product, ``v`` fixed random directions),
   - ``k = d(sum(h * u))/dx`` (a third derivative along ``v`` and ``u``).

   Recorded in ``tests/data/higher_order_math.npz``.
2. ``SCENARIOS``: what ``autograd.grad``/``backward`` do around ``create_graph``:
   ``allow_unused``, ``grad_outputs`` (shape errors; seeds that require grad),
   ``retain_graph`` defaulting to ``create_graph``, a gradient that does not require grad,
   Hessian-vector products with ``grad(g @ v, x)``. Each returns a small dict of what a user
   sees (values, flags, exception type and message), recorded in
   ``tests/data/higher_order_math.json``.

Regenerate both with ``python tests/data/regen_higher_order_math.py`` where torch is
installed; with torch installed each case also checks its record still equals live PyTorch.
Tests that need no record check mathematics directly (the Hessian of ``x @ W @ x`` is
``W + W^T``; polynomials' derivatives are known in closed form).
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

import numtorch
from _oracle import live_torch

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "data", "higher_order_math.npz")
SCENARIO_RECORD = os.path.join(HERE, "data", "higher_order_math.json")


def _pos(x):
    """A positive function of ``x`` (for log, sqrt, pow bases)."""
    return x * x + 0.5


def _zero_at(T, x, where):
    """``x`` with the value 0 where ``where`` is 1, its derivative still 1 there (so a product
    is taken at a point with zeros, and its derivatives through them are not trivially 0)."""
    return x - x.detach() * T.tensor(where, dtype=x.dtype)


# (id, function of the torch-like module and the inputs -> scalar, input shapes)
CASES = [
    # polynomials
    ("poly_1d", lambda T, x: (x ** 3 - 2 * x ** 2 + 4 * x - 1).sum(), [(4,)]),
    ("poly_2var", lambda T, x, y: (x * x * y + y ** 3 * x - x * y).sum(), [(3,), (3,)]),
    ("poly_square_rsub", lambda T, x, y: (x.square() * (1 - y) + 3 * x.pow(4) - y / 2).sum(),
     [(3,), (3,)]),
    ("poly_ratio", lambda T, x, y: ((x ** 2 + 1) / (y ** 2 + 2)).sum(), [(3,), (3,)]),
    ("poly_inplace", lambda T, x: (x * 1).mul_(x).add_(x, alpha=2).pow_(2).sum(), [(3,)]),
    # 0-d tensors all along (a 0-d result is a NumPy scalar inside numtorch)
    ("scalar_0d", lambda T, x, y: x.exp() * y.tanh() + (x * y).sigmoid() / (y * y + 1).sqrt(),
     [(), ()]),
    # exp / log / trig chains
    ("exp_log", lambda T, x: (_pos(x).log() * x.exp()).sum(), [(4,)]),
    ("tanh_sin", lambda T, x: (x.sin().tanh() * x.cos()).sum(), [(4,)]),
    ("sigmoid_sqrt", lambda T, x: (x.sigmoid() * _pos(x).sqrt() + _pos(x).rsqrt()).sum(),
     [(4,)]),
    ("expm1_log1p", lambda T, x: (x.expm1() * (x * x).log1p() + x.sinh() * x.cosh()).sum(),
     [(4,)]),
    ("atan_asin_acos", lambda T, x: (x.atan() * (x * 0.5).asin() + (x * 0.4).acos() ** 2)
     .sum(), [(4,)]),
    ("tan_reciprocal", lambda T, x: ((x * 0.5).tan() * _pos(x).reciprocal() +
                                     _pos(x).log2() * _pos(x).log10()).sum(), [(4,)]),
    ("exp_chain_deep", lambda T, x: (((x.tanh().exp() * 0.3).sin().exp() + 1).log()).sum(),
     [(3,)]),
    # quadratic forms and matrix products
    ("quad_form", lambda T, x, w: x @ w @ x, [(3,), (3, 3)]),
    ("quad_form_mv", lambda T, x, w: T.dot(x, T.mv(w, x)) * x.sum(), [(3,), (3, 3)]),
    ("dot_0d_chain", lambda T, x, y: (T.dot(x, y).exp() * T.inner(x, x).tanh()) ** 2,
     [(3,), (3,)]),
    ("mm_cube", lambda T, a, b: (T.mm(a, b) ** 3).sum(), [(2, 3), (3, 2)]),
    ("matmul_tanh", lambda T, a, b: ((a @ b).tanh() @ b.sum(1)).sum(), [(2, 3), (3, 3)]),
    ("bmm_sin", lambda T, a, b: T.bmm(a, b).sin().sum(), [(2, 2, 3), (2, 3, 2)]),
    ("matmul_batched", lambda T, a, b: ((a @ b) ** 2).sum(), [(2, 2, 3), (3, 2)]),
    ("matmul_vec_batched", lambda T, x, b: ((x @ b) ** 3).sum(), [(3,), (2, 3, 2)]),
    ("outer", lambda T, x, y: (T.outer(x, y) ** 3).sum(), [(3,), (2,)]),
    ("addmm", lambda T, c, a, b: (T.addmm(c, a, b, beta=0.5, alpha=2.0) ** 2).sum(),
     [(2,), (3, 4), (4, 2)]),
    ("addmm_exp", lambda T, c, a, b: T.addmm(c, a, b).exp().sum(), [(3, 2), (3, 4), (4, 2)]),
    ("einsum_chain", lambda T, a, b, x: T.einsum("ij,jk,k->i", a, b, x).pow(2).sum(),
     [(2, 3), (3, 2), (2,)]),
    ("einsum_diag_trace", lambda T, a: T.einsum("ii->i", a).pow(3).sum() * T.trace(a * a),
     [(3, 3)]),
    # reductions
    ("logsumexp", lambda T, x: (x.logsumexp(1) ** 2).sum(), [(2, 3)]),
    ("logsumexp_all", lambda T, x: x.logsumexp((0, 1)) * x.sum(), [(2, 3)]),
    ("prod", lambda T, x: x.prod(), [(4,)]),
    ("prod_dim", lambda T, x: (x.prod(1) ** 2).sum(), [(2, 3)]),
    ("prod_with_zero", lambda T, x: _zero_at(T, x, [0, 1, 0, 0]).prod() * x.sum(), [(4,)]),
    ("prod_two_zeros", lambda T, x: _zero_at(T, x, [1, 0, 1]).prod() + x.prod(), [(3,)]),
    ("prod_dim_zero", lambda T, x: (_zero_at(T, x, [[0, 1], [0, 0]]).prod(1) ** 2).sum(),
     [(2, 2)]),
    ("cumsum", lambda T, x: (x.cumsum(0) ** 3).sum(), [(4,)]),
    ("cumsum_2d", lambda T, x: (x.cumsum(1).exp() * x).sum(), [(2, 3)]),
    ("cumprod", lambda T, x: (x.cumprod(0) * T.tensor([1.0, -2.0, 0.5, 3.0])).sum(), [(4,)]),
    ("cumprod_zero", lambda T, x: (_zero_at(T, x, [0, 1, 0]).cumprod(0) ** 2).sum(), [(3,)]),
    ("mean_var_std", lambda T, x: x.var(1).sum() * x.std(0).sum() + x.mean() ** 3, [(2, 3)]),
    ("norm", lambda T, x: x.norm() ** 3 + x.norm(p=3, dim=1).sum(), [(2, 3)]),
    ("max_min_dim", lambda T, x: (x.max(1)[0] ** 3).sum() + (x.amin(0) ** 2).sum() +
     x.min() * x.max(), [(3, 4)]),
    ("sum_mean_dim", lambda T, x: ((x * x).sum(1) * (x ** 3).mean(0, keepdim=True).sum())
     .sum(), [(2, 3)]),
    # pow with tensor exponents, scalar bases
    ("pow_tensor", lambda T, x, y: (_pos(x) ** y).sum(), [(3,), (3,)]),
    ("rpow", lambda T, x: (2.0 ** x * x + T.pow(1.5, x * x)).sum(), [(3,)]),
    ("pow_float_exp", lambda T, x: (_pos(x) ** 2.5 + _pos(x) ** -1.5).sum(), [(3,)]),
    # other elementwise ops
    ("div_atan2", lambda T, x, y: (T.atan2(x, y * y + 1) * (x / (y * y + 1))).sum(),
     [(3,), (3,)]),
    ("maximum_where", lambda T, x, y: (T.maximum(x, y) ** 3 +
                                       T.where(x > 0, x ** 2, y ** 3)).sum(), [(4,), (4,)]),
    ("clamp_tensor", lambda T, x, lo, hi: (T.clamp(x, lo - 0.3, hi + 0.3) ** 3).sum(),
     [(5,), (5,), (5,)]),
    ("clamp_scalar", lambda T, x: (T.clamp(x, -0.4, 0.5) ** 3 * x).sum(), [(5,)]),
    ("addcmul_addcdiv", lambda T, x, y, z: (T.addcmul(x, y, z, value=0.5) ** 2 +
                                            T.addcdiv(x, y, _pos(z), value=2.0) ** 3).sum(),
     [(3,), (3,), (3,)]),
    ("lerp", lambda T, x, y, w: (T.lerp(x, y, w) ** 3 + T.lerp(x, y * y, 0.25) ** 2).sum(),
     [(3,), (3,), (3,)]),
    # dtype conversions and in-place copies
    ("convert_roundtrip", lambda T, x, y: ((x.float() * y.float()).double() * x.type_as(y) +
                                           x.to(T.float32).to(T.float64) ** 2).sum(),
     [(3,), (3,)]),
    ("copy_fill", lambda T, x, y: ((x * 1).copy_(y * y) * x).sum() +
     ((x * 1).fill_((y * y).sum()) * x).sum(), [(3,), (3,)]),
    ("remainder_fmod", lambda T, x, y: (T.remainder(x * 3, _pos(y)) * x +
                                        T.fmod(x * 3, _pos(y)) * y).sum(), [(3,), (3,)]),
]

# Cases whose first-order gradient tensors come from a different last op than PyTorch's (the
# values agree): PyTorch's backward formulas are composed of other ATen ops than numtorch's.
NAMES_DIFFER = {
    # PyTorch's tanh/sigmoid backward is one fused op (TanhBackwardBackward0, ...); numtorch's
    # is the formula g * (1 - out * out)
    "exp_chain_deep",
    # batched products: PyTorch's bmm backward calls bmm (numtorch: matmul, whose batched node
    # is UnsafeViewBackward0), and PyTorch folds (b, n, k) @ (k, m) into one mm behind a view
    # (numtorch: a batched matmul whose weight gradient the engine sums: SumBackward1)
    "bmm_sin", "matmul_batched", "matmul_vec_batched",
    # PyTorch's outer is a broadcast multiply whose gradients are sums reshaped by views;
    # numtorch's are products (MvBackward0)
    "outer",
    # addmm with alpha/beta: PyTorch multiplies by a Scalar (MulBackward1) and its broadcast
    # bias gradient ends in a view; numtorch multiplies by a number (MulBackward0) and sums
    "addmm",
    # einsum: PyTorch's gradients end in squeezes of its internal bmm, numtorch's in the
    # broadcast back over the summed letters (ExpandBackward0)
    "einsum_chain",
    # cumprod through a zero: PyTorch writes the gradient into slices (CopySlices); numtorch
    # builds it along the last axis and moves the axis back (PermuteBackward0)
    "cumprod_zero",
}


def _arrays(i: int, shapes):
    """The inputs and the two directions of case number ``i`` (its own seeded generator)."""
    rng = np.random.default_rng(2000 + i)
    xs = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    vs = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    us = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    return xs, vs, us


def _grads(T, out, xs):
    """``d out / d xs`` with create_graph (zeros where ``out`` does not depend on an input)."""
    if not out.requires_grad:
        return [T.zeros_like(x) for x in xs]
    got = T.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    return [T.zeros_like(x) if g is None else g for x, g in zip(xs, got)]


def derivatives(T, i: int):
    """``[g, h, k]`` of case ``i`` (lists of NumPy arrays) and the grad_fn names of ``g``."""
    _, fn, shapes = CASES[i]
    xs, vs, us = _arrays(i, shapes)
    ts = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in xs]
    g = _grads(T, fn(T, *ts), ts)
    h = _grads(T, sum((gi * T.tensor(v)).sum() for gi, v in zip(g, vs)), ts)
    k = _grads(T, sum((hi * T.tensor(u)).sum() for hi, u in zip(h, us)), ts)
    values = [[t.detach().numpy().copy() for t in level] for level in (g, h, k)]
    names = [t.grad_fn.name() if t.grad_fn is not None else "" for t in g]
    return values, names


def regenerate() -> dict:
    """PyTorch's derivatives of every case, as the arrays stored in the record."""
    import torch
    torch.set_default_dtype(torch.float64)
    try:
        out = {}
        for i, (cid, _, _) in enumerate(CASES):
            values, names = derivatives(torch, i)
            for order, level in zip("ghk", values):
                for j, a in enumerate(level):
                    out[f"{cid}/{order}{j}"] = a
            out[f"{cid}/names"] = np.array(names)
        return out
    finally:
        torch.set_default_dtype(torch.float32)


# -- scenarios: the API around create_graph ---------------------------------------------------

def _err(fn):
    """Run ``fn``; the exception it raises as ``[type name, message]`` (None if none)."""
    try:
        fn()
    except Exception as e:          # noqa: BLE001 - the type is what is recorded
        return [type(e).__name__, str(e)]
    return None


def _val(t):
    return None if t is None else np.asarray(t.detach().numpy(), np.float64).tolist()


def _x(T, values=(1.0, 2.0, 3.0)):
    return T.tensor(list(values), dtype=T.float64, requires_grad=True)


def sc_backward_create_graph(T):
    """``backward(create_graph=True)``: ``.grad`` has a graph; the graph is retained by
    default, so a second ``backward()`` works and accumulates."""
    x = _x(T)
    y = (x ** 3).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # PyTorch's note on reference cycles
        y.backward(create_graph=True)
    r = {"grad": _val(x.grad), "grad_requires_grad": x.grad.requires_grad}
    y.backward()
    r["grad_after_second"] = _val(x.grad)
    r["third"] = _err(lambda: y.backward())
    return r


def sc_backward_plain_twice(T):
    """A plain ``backward()`` frees the graph: a second one raises."""
    x = _x(T)
    y = (x ** 3).sum()
    y.backward()
    return {"grad": _val(x.grad), "second": _err(lambda: y.backward())}


def sc_grad_of_grad_via_backward(T):
    """The gradient made by ``backward(create_graph=True)`` differentiated again."""
    x = _x(T)
    (x ** 3).sum().backward(create_graph=True)
    gx = x.grad
    x.grad = None
    gx.sum().backward()
    return {"first": _val(gx), "second": _val(x.grad)}


def sc_grad_retain_default(T):
    """``grad(create_graph=True)`` retains the graph; a plain ``grad`` then frees it."""
    x = _x(T)
    y = (x.exp() * x).sum()
    g, = T.autograd.grad(y, x, create_graph=True)
    g2, = T.autograd.grad(y, x)
    return {"g": _val(g), "g2": _val(g2), "g2_requires_grad": g2.requires_grad,
            "third": _err(lambda: T.autograd.grad(y, x))}


def sc_grad_create_graph_no_retain(T):
    """``create_graph=True, retain_graph=False``: the graph is freed after the call, and the
    new graph, which reaches back into the old one's saved values, can no longer be walked
    through them (the one through ``x ** 2``, which reads only the leaf, still can)."""
    x = _x(T)
    y = (x.sin() * x).sum()
    g, = T.autograd.grad(y, x, create_graph=True, retain_graph=False)
    z = (x ** 2).sum()
    gz, = T.autograd.grad(z, x, create_graph=True, retain_graph=False)
    return {"g": _val(g), "h": _err(lambda: T.autograd.grad(g.sum(), x)),
            "again": _err(lambda: T.autograd.grad(y, x)),
            "hz": _val(T.autograd.grad(gz.sum(), x)[0])}


def sc_linear_grad_has_no_graph(T):
    """The gradient of a linear function is a constant: it does not require grad, and
    differentiating it raises."""
    x = _x(T)
    g, = T.autograd.grad((3 * x).sum(), x, create_graph=True)
    return {"g": _val(g), "requires_grad": g.requires_grad, "has_grad_fn": g.grad_fn is not None,
            "again": _err(lambda: T.autograd.grad(g.sum(), x))}


def sc_allow_unused(T):
    """A second derivative that does not reach an input: raises, None with allow_unused,
    zeros with materialize_grads."""
    def parts():
        x, y = _x(T), T.tensor(2.0, dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad((x * x * y).sum() + y, x, create_graph=True)
        return x, y, g
    x, y, g = parts()
    r = {"unused": _err(lambda: T.autograd.grad((g * g).sum(), [x, y, _x(T)]))}
    x, y, g = parts()
    got = T.autograd.grad((g * g).sum(), [x, y, _x(T)], allow_unused=True)
    r["allow_unused"] = [_val(t) for t in got]
    x, y, g = parts()
    got = T.autograd.grad((g * g).sum(), [_x(T), x], allow_unused=True, materialize_grads=True)
    r["materialize"] = [_val(t) for t in got]
    return r


def sc_grad_outputs(T):
    """``grad_outputs``: a seed that requires grad is differentiated too; shape mismatch and
    a missing seed for a non-scalar output raise."""
    x = _x(T)
    y = x * x.sin()
    v = T.tensor([0.5, -1.0, 2.0], dtype=T.float64, requires_grad=True)
    g, = T.autograd.grad(y, x, grad_outputs=v, create_graph=True)
    gx, gv = T.autograd.grad((g * g).sum(), [x, v])
    r = {"g": _val(g), "gx": _val(gx), "gv": _val(gv)}
    x = _x(T)
    y = x * x
    r["shape"] = _err(lambda: T.autograd.grad(y, x, grad_outputs=T.ones(2, dtype=T.float64),
                                              create_graph=True))
    r["implicit"] = _err(lambda: T.autograd.grad(y, x, create_graph=True))
    w = T.tensor([1.0, 0.0, -1.0], dtype=T.float64)
    g, = T.autograd.grad(y, x, grad_outputs=w, create_graph=True)
    r["const_seed"] = _val(g)
    r["const_seed_second"] = _val(T.autograd.grad(g.sum(), x)[0])
    return r


def sc_hvp(T):
    """Hessian-vector product ``grad(grad(f, x, create_graph=True)[0] @ v, x)``."""
    x = _x(T, (0.5, -1.0, 2.0))
    w = T.tensor([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [0.0, 1.0, 2.0]], dtype=T.float64)
    v = T.tensor([1.0, -2.0, 0.5], dtype=T.float64)
    f = x @ w @ x + (x ** 3).sum() + x.exp().prod()
    g, = T.autograd.grad(f, x, create_graph=True)
    hv, = T.autograd.grad(g @ v, x, create_graph=True)
    third, = T.autograd.grad(hv @ v, x)
    return {"g": _val(g), "hv": _val(hv), "third": _val(third)}


def sc_no_grad_create_graph(T):
    """``create_graph=True`` inside ``no_grad``: the backward pass is still recorded."""
    x = _x(T)
    y = (x ** 3).sum()
    with T.no_grad():
        g, = T.autograd.grad(y, x, create_graph=True)
    return {"g": _val(g), "requires_grad": g.requires_grad,
            "h": _val(T.autograd.grad(g.sum(), x)[0])}


def sc_multiple_outputs(T):
    """Several outputs with seeds, and several inputs, at second order."""
    x, y = _x(T), _x(T, (-1.0, 0.5, 2.0))
    a, b = x * y, (x * x).sum() * y
    ga, gb = T.autograd.grad([a, b], [x, y], grad_outputs=[T.ones(3, dtype=T.float64),
                                                           T.tensor([1.0, 2.0, 3.0],
                                                                    dtype=T.float64)],
                             create_graph=True)
    hx, hy = T.autograd.grad(ga.sum() + (gb * gb).sum(), [x, y])
    return {"ga": _val(ga), "gb": _val(gb), "hx": _val(hx), "hy": _val(hy)}


SCENARIOS = [sc_backward_create_graph, sc_backward_plain_twice, sc_grad_of_grad_via_backward,
             sc_grad_retain_default, sc_grad_create_graph_no_retain, sc_linear_grad_has_no_graph,
             sc_allow_unused, sc_grad_outputs, sc_hvp, sc_no_grad_create_graph,
             sc_multiple_outputs]


def regenerate_scenarios() -> dict:
    import torch
    return {fn.__name__: fn(torch) for fn in SCENARIOS}


# -- tests ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def record():
    with np.load(RECORD) as f:
        return dict(f)


@pytest.fixture(scope="module")
def scenario_record():
    with open(SCENARIO_RECORD, encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_higher_order_matches_pytorch(i, record):
    cid = CASES[i][0]
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        torch.set_default_dtype(torch.float64)
        try:
            live, live_names = derivatives(torch, i)
        finally:
            torch.set_default_dtype(torch.float32)
        assert list(record[f"{cid}/names"]) == live_names, "record is stale"
        for order, level in zip("ghk", live):
            for j, a in enumerate(level):
                np.testing.assert_allclose(record[f"{cid}/{order}{j}"], a, rtol=1e-12, atol=1e-14,
                                           err_msg=f"record is stale: {cid}/{order}{j}")
    got, names = derivatives(numtorch, i)
    if cid not in NAMES_DIFFER:
        assert names == list(record[f"{cid}/names"])
    for order, level in zip("ghk", got):
        for j, a in enumerate(level):
            want = record[f"{cid}/{order}{j}"]
            assert a.shape == want.shape, (order, j)
            np.testing.assert_allclose(a, want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{cid}: {order} of input {j}")


def test_record_is_not_trivial(record):
    """Each case has a non-zero second derivative, and most a non-zero third one."""
    nonzero_k = 0
    for cid, _, shapes in CASES:
        assert any(np.abs(record[f"{cid}/h{j}"]).max() > 1e-3 for j in range(len(shapes))), cid
        nonzero_k += any(np.abs(record[f"{cid}/k{j}"]).max() > 1e-3 for j in range(len(shapes)))
    assert nonzero_k >= len(CASES) - 3


@pytest.mark.parametrize("fn", SCENARIOS, ids=[f.__name__ for f in SCENARIOS])
def test_scenario_matches_pytorch(fn, scenario_record):
    want = scenario_record[fn.__name__]
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        live = json.loads(json.dumps(fn(torch)))
        assert sorted(live) == sorted(want), "record is stale"
        for key in want:
            _assert_same(live[key], want[key], f"record is stale: {fn.__name__}.{key}")
    got = json.loads(json.dumps(fn(numtorch)))       # the same JSON types as the record
    assert sorted(got) == sorted(want)
    for key in want:
        _assert_same(got[key], want[key], f"{fn.__name__}.{key}")


def _assert_same(got, want, where):
    if isinstance(want, list) and want and isinstance(want[0], str):   # [type, message]
        assert got == want, where
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for a, b in zip(got, want):
            _assert_same(a, b, where)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), where
    else:
        assert got == want, where


def test_records_cover_every_case(record, scenario_record):
    keys = {f"{cid}/{order}{j}" for cid, _, shapes in CASES for order in "ghk"
            for j in range(len(shapes))}
    assert set(record) == keys | {f"{cid}/names" for cid, _, _ in CASES}
    assert sorted(scenario_record) == sorted(fn.__name__ for fn in SCENARIOS)


# -- mathematics, no record needed ------------------------------------------------------------

def test_quadratic_form_hessian_is_w_plus_wt():
    """Row by row, ``d/dx grad(x @ W @ x)`` is ``W + W^T``; the third derivative is zero."""
    rng = np.random.default_rng(7)
    w = numtorch.tensor(rng.standard_normal((4, 4)))
    x = numtorch.tensor(rng.standard_normal(4), requires_grad=True)
    g, = numtorch.autograd.grad(x @ w @ x, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), (w.numpy() + w.numpy().T) @ x.detach().numpy(),
                               rtol=1e-12)
    rows = [numtorch.autograd.grad(g[i], x, retain_graph=True, create_graph=True)[0]
            for i in range(4)]
    hess = np.stack([r.detach().numpy() for r in rows])
    np.testing.assert_allclose(hess, w.numpy() + w.numpy().T, rtol=1e-12, atol=1e-12)
    # the Hessian does not depend on x (nor on w, which needs no grad): no graph, as in PyTorch
    assert not any(r.requires_grad for r in rows)


def test_hvp_of_quadratic_form():
    """``grad(grad(f, x, create_graph=True)[0] @ v, x)`` is ``(W + W^T) v`` for the quadratic
    form, and its ``W`` gradient is the outer products ``v x^T + x v^T``."""
    rng = np.random.default_rng(11)
    w = numtorch.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    x = numtorch.tensor(rng.standard_normal(3), requires_grad=True)
    v = rng.standard_normal(3)
    g, = numtorch.autograd.grad(x @ w @ x, x, create_graph=True)
    hv, gw = numtorch.autograd.grad(g @ numtorch.tensor(v), [x, w])
    wn, xn = w.detach().numpy(), x.detach().numpy()
    np.testing.assert_allclose(hv.numpy(), (wn + wn.T) @ v, rtol=1e-12)
    np.testing.assert_allclose(gw.numpy(), np.outer(v, xn) + np.outer(xn, v), rtol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_polynomial_derivatives_in_closed_form(n):
    """d^k/dx^k of x^n, k = 1, 2, 3, against n!/(n-k)! x^(n-k) (0 once k > n)."""
    rng = np.random.default_rng(n)
    xv = rng.uniform(0.5, 1.5, 4)
    x = numtorch.tensor(xv, requires_grad=True)
    y = x ** n
    coef = 1.0
    for k in range(1, 4):
        y, = numtorch.autograd.grad(y.sum(), x, create_graph=True)
        coef *= n - k + 1
        np.testing.assert_allclose(y.detach().numpy(), coef * xv ** max(n - k, 0), rtol=1e-12)


def test_first_order_matmul_path_stays_exact():
    """Without create_graph the matmul family's gradients are arrays from the exact kernels:
    no graph, and the same bits as the small-gemm products."""
    from numtorch.ops._small_gemm import matmul_exact
    rng = np.random.default_rng(3)
    a = numtorch.tensor(rng.standard_normal((4, 2)).astype(np.float32), requires_grad=True)
    b = numtorch.tensor(rng.standard_normal((2, 2)).astype(np.float32), requires_grad=True)
    seed = rng.standard_normal((4, 2)).astype(np.float32)
    ga, gb = numtorch.autograd.grad(a @ b, [a, b], numtorch.tensor(seed))
    assert not ga.requires_grad and ga.grad_fn is None and not gb.requires_grad
    a2, b2 = a.detach().numpy(), b.detach().numpy()
    np.testing.assert_array_equal(ga.numpy(), matmul_exact(seed, b2.T))
    np.testing.assert_array_equal(gb.numpy(), matmul_exact(a2.T, seed))
