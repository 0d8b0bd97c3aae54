"""Second and third derivatives through shape and indexing ops, compared with PyTorch 2.13.

Each case is a scalar function of float64 inputs built from shape/indexing ops (``x[idx]``,
``cat``, ``gather``, ``split``, ``diagonal``, ``x[i] = v``, ...). For every case the test takes,
with ``create_graph=True``:

- ``g = dL/dx`` (the first derivative),
- ``h = d(sum(g * v))/dx`` (a Hessian-vector product, ``v`` fixed random directions),
- ``k = d(sum(h * u))/dx`` (a third derivative along ``v`` and ``u``),

and compares them with PyTorch's answers recorded in ``tests/data/higher_order_shape.npz``
(regenerate with ``python tests/data/regen_higher_order_shape.py`` where torch is installed).
With torch installed the test also checks the record still equals live PyTorch.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import numtorch
from _oracle import live_torch

RECORD = os.path.join(os.path.dirname(__file__), "data", "higher_order_shape.npz")


def _set(z, index, value):
    z[index] = value
    return z


def _split_mix(T, x):
    a, b = x.split([1, 2], dim=1)
    return (a * a * b.sum(1, keepdim=True) * b[:, :1]).sum()


def _chunks(T, x):
    p, q = x.chunk(2, 0)
    return (p * q.flip(0) * p).sum()


def _unbind(T, x):
    rows = x.unbind(0)
    return sum((r * rows[0] * r).sum() for r in rows)


# (id, function of the torch-like module and the inputs -> scalar, input shapes)
CASES = [
    ("index_dup", lambda T, x: (x[T.tensor([0, 2, 2, 1])] ** 3).sum(), [(3, 2)]),
    ("index_mask", lambda T, x: (x[x > 0] * x[x > 0] * x[x > 0]).sum(), [(3, 4)]),
    ("index_2d", lambda T, x: (x[T.tensor([[0, 1], [1, 1]]), T.tensor([2, 0])].exp()).sum(),
     [(2, 3)]),
    ("slice_step", lambda T, x: (x[1:, ::2].sin() * x[:-1, ::2]).sum(), [(3, 4)]),
    ("select_none", lambda T, x: (x[1, None] * x[..., 0:1].t() * x[0]).sum(), [(3, 3)]),
    ("cat", lambda T, x: (T.cat([x * x, x.exp()]) * T.arange(12.0, dtype=T.float64)
                          .reshape(4, 3)).sum(), [(2, 3)]),
    ("cat_two", lambda T, x, y: (T.cat([x * y, y.exp(), x], 1) ** 2).sum(), [(2, 2), (2, 2)]),
    ("stack", lambda T, x, y: (T.stack([x * y, x.sin()], 1) ** 2).sum(), [(3,), (3,)]),
    ("gather", lambda T, x: (x.gather(1, T.tensor([[0, 0], [2, 1]])) ** 2 *
                             x.gather(1, T.tensor([[1, 2], [0, 0]]))).sum(), [(2, 3)]),
    ("index_select", lambda T, x: (x.index_select(0, T.tensor([2, 0, 2])).exp() *
                                   x.index_select(1, T.tensor([1, 1])).sum(1, keepdim=True))
     .sum(), [(3, 3)]),
    ("take", lambda T, x: (x.take(T.tensor([[0, 3], [3, 5]])) ** 3).sum(), [(2, 3)]),
    ("masked_select", lambda T, x: (x.masked_select(T.tensor([True, False, True])) ** 3).sum(),
     [(2, 3)]),
    ("split", _split_mix, [(2, 3)]),
    ("chunk_flip", _chunks, [(4, 2)]),
    ("unbind", _unbind, [(3, 2)]),
    ("transpose_view", lambda T, x: (x.transpose(0, 1).reshape(-1) * x.view(-1).exp()).sum(),
     [(2, 3)]),
    ("permute", lambda T, x: (x.permute(2, 0, 1) ** 2 * x.movedim(0, -1).sin()).sum(),
     [(2, 2, 2)]),
    ("narrow_expand", lambda T, x: (x.narrow(1, 1, 2).unsqueeze(0).expand(3, -1, -1) ** 2 *
                                    x.repeat(3, 1, 1)[..., :2]).sum(), [(2, 3)]),
    ("diag", lambda T, x: (x.diagonal()[:2] ** 2 * T.diag(x.diagonal(1)).sum(0)[1:]).sum() +
     (T.diag(x, -1) ** 3).sum(), [(3, 3)]),
    ("diagonal_3d", lambda T, x: (x.diagonal(1, 2, 0) ** 3 * x[:2, :, 1].t()).sum(),
     [(3, 2, 3)]),
    ("index_add", lambda T, x, y: (y.index_add(0, T.tensor([1, 1, 0]), x * x, alpha=2) ** 2)
     .sum(), [(3, 2), (2, 2)]),
    ("scatter_add", lambda T, x, y: (y.scatter_add(0, T.tensor([[0, 1], [0, 0]]), x * x) ** 2)
     .sum(), [(2, 2), (2, 2)]),
    ("scatter", lambda T, x, y: (y.scatter(1, T.tensor([[1], [0]]), x * y[:, :1]) ** 2).sum(),
     [(2, 1), (2, 2)]),
    ("masked_fill", lambda T, x: ((x.masked_fill(T.tensor([[True, False], [False, True]]), 0.5)
                                   * x).exp()).sum(), [(2, 2)]),
    ("setitem", lambda T, x, y: (_set(x * 1, 1, y * y) * x * x).sum(), [(2, 3), (3,)]),
    ("setitem_adv", lambda T, x, y: (_set(x * x, T.tensor([0, 2]), y.exp()) ** 2).sum(),
     [(3, 2), (2,)]),
    ("setitem_mask_0d", lambda T, x, v: (_set(x * x, x > 0, v.exp()) ** 2).sum(), [(3, 2), ()]),
    ("setitem_view", lambda T, x, v: (_set((x * x).t(), 0, v) ** 2 * x.t()).sum(),
     [(3, 2), (3,)]),
    ("roll_flip_tril", lambda T, x: (x.roll((1, -1), (0, 1)) ** 2 * x.flip(1)).sum() +
     (x.tril(-1) ** 2 * x.triu(1)).sum(), [(3, 3)]),
    ("repeat_expand", lambda T, x: (x.repeat(2, 1, 2) ** 3).sum() + (x[:, :1].expand(2, 3, 3) ** 3)
     .sum(), [(3, 2)]),
    ("chunk_uneven", lambda T, x: sum((p ** 3).sum() * p.sum() for p in x.chunk(3, 1)), [(2, 5)]),
    ("iter_rows", lambda T, x: sum((r ** 3).sum() * r[0] for r in x), [(3, 2)]),
    ("index_neg_none", lambda T, x: (x[None, T.tensor([-1, 0, -1]), 1:] ** 3).sum(), [(3, 2)]),
    ("index_range", lambda T, x: (x[range(3), T.tensor([1, 0, 1])] ** 3).sum(), [(3, 2)]),
    ("take_gather_neg", lambda T, x: (x.take(T.tensor([-1, 0, -1])) ** 3).sum() +
     (x.gather(0, T.tensor([[2, 1]])) ** 3).sum(), [(3, 2)]),
    ("diagonal_neg", lambda T, x: (x.diagonal(-1, 1, 2) ** 3).sum(), [(2, 3, 3)]),
    ("diag_1d", lambda T, x: (T.diag(x * x, 1) ** 2 * T.diag(x, 1)).sum(), [(3,)]),
    ("masked_fill_tensor", lambda T, x, v: (x.masked_fill(x > 0, v * v) ** 2 * x).sum(),
     [(3, 2), ()]),
    ("scatter_value", lambda T, x: (x.scatter(0, T.tensor([[1, 0]]), 2.0) ** 3).sum(), [(2, 2)]),
]


# Cases whose first-order gradient tensor is made by a different last op than PyTorch's (the
# values agree; the names are not comparable): PyTorch scatters an index gradient with
# index_put_/put/masked_scatter where numtorch adds into a flat view (ViewBackward0) or writes
# (IndexPutBackward0), and PyTorch's split/chunk/unbind is one multi-output node whose backward
# is a cat/stack, where numtorch's pieces are separate nodes whose gradients add up.
NAMES_DIFFER = {"index_dup", "index_2d", "take", "masked_select", "split", "chunk_flip", "unbind",
                "chunk_uneven", "iter_rows", "index_neg_none", "index_range", "take_gather_neg",
                "diagonal_neg", "scatter_value", "setitem_view"}


def _arrays(i: int, shapes):
    """The inputs and the two directions of case number ``i`` (its own seeded generator)."""
    rng = np.random.default_rng(1000 + i)
    xs = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    vs = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    us = [rng.uniform(-1.0, 1.0, s) for s in shapes]
    return xs, vs, us


def _grads(T, out, xs):
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
    out = {}
    for i, (cid, _, _) in enumerate(CASES):
        values, names = derivatives(torch, i)
        for order, level in zip("ghk", values):
            for j, a in enumerate(level):
                out[f"{cid}/{order}{j}"] = a
        out[f"{cid}/names"] = np.array(names)
    return out


@pytest.fixture(scope="module")
def record():
    with np.load(RECORD) as f:
        return dict(f)


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0] for c in CASES])
def test_higher_order_matches_pytorch(i, record):
    cid = CASES[i][0]
    torch = live_torch()
    if torch is not None:                        # the record still equals live PyTorch
        live, live_names = derivatives(torch, i)
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


def test_second_derivative_is_not_trivial(record):
    """The record is not all zeros: each case has a non-zero second derivative somewhere."""
    for cid, _, shapes in CASES:
        assert any(np.abs(record[f"{cid}/h{j}"]).max() > 1e-3 for j in range(len(shapes))), cid


def test_record_covers_every_case(record):
    keys = {f"{cid}/{order}{j}" for cid, _, shapes in CASES for order in "ghk"
            for j in range(len(shapes))}
    assert set(record) == keys | {f"{cid}/names" for cid, _, _ in CASES}


def test_first_order_path_stays_on_arrays():
    """Without create_graph the shape/indexing backward formulas build no graph."""
    x = numtorch.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    idx = numtorch.tensor([1, 1, 0])
    g, = numtorch.autograd.grad((x[idx] * x[idx]).sum() + x.t()[0].sum(), x)
    assert g.grad_fn is None and not g.requires_grad
    np.testing.assert_array_equal(g.numpy(), [[2 * 0 + 1, 2 * 1, 2 * 2],
                                              [4 * 3 + 1, 4 * 4, 4 * 5]])


@pytest.mark.parametrize("name, call", [
    ("split_int", lambda a: np.split(a, 2, axis=1)),
    ("split_idx", lambda a: np.split(a, [1, 5], axis=0)),
    ("array_split", lambda a: np.array_split(a, 3, axis=1)),
    ("array_split_idx", lambda a: np.array_split(a, [2, 1], axis=-1)),
    ("take_axis", lambda a: [np.take(a, np.array([[2, -1], [0, 0]]), axis=1)]),
    ("take_flat", lambda a: [np.take(a, np.array([5, -2, 5]))]),
    ("diag", lambda a: [np.diag(a, -1)]),
    ("diag_1d", lambda a: [np.diag(a[0], 1)]),
    ("pad", lambda a: [np.pad(a, ((1, 0), (2, 1)))]),
    ("pad_int", lambda a: [np.pad(a, 1)]),
])
def test_tensor_array_numpy_functions(name, call):
    """The NumPy functions a gradient formula may call on a TensorArray (np.split, np.take,
    np.pad, ...) give NumPy's values, and are differentiable (numeric gradient check)."""
    from numtorch.ops._tensor_array import TensorArray
    a = np.random.default_rng(7).uniform(-1.0, 1.0, (3, 4))
    want = call(a)
    x = numtorch.tensor(a, requires_grad=True)
    got = call(TensorArray(x))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is TensorArray
        np.testing.assert_array_equal(g.t.detach().numpy(), w)
    assert numtorch.autograd.gradcheck(lambda t: tuple(p.t for p in call(TensorArray(t))), (x,))
