"""Embeddings against PyTorch 2.13: ``F.embedding``, ``F.embedding_bag``, ``F.one_hot`` and the
``Embedding`` / ``EmbeddingBag`` modules.

PyTorch's answers (outputs, dtypes, shapes, ``grad_fn`` names, gradients of the weight and of
``per_sample_weights``, the weight after ``max_norm`` renormalised it in place, initial weights
after ``manual_seed``, reprs, ``state_dict`` keys, errors, second and third derivatives) are
recorded in ``tests/data/embedding.npz`` / ``embedding.json``, so these tests run without torch;
with torch installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_embedding.py``.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import numtorch
from recorded_parity import (DATA, check_arrays, error_of, load_record, rng_for, torch_or_none)

RECORD_NPZ = os.path.join(DATA, "embedding.npz")
RECORD_JSON = os.path.join(DATA, "embedding.json")


def _w(T, rng, rows, dim, dtype="float32", grad=True):
    return T.tensor(rng.standard_normal((rows, dim)).astype(dtype), requires_grad=grad)


def _idx(T, rng, shape, rows, dtype="int64"):
    return T.tensor(rng.integers(0, rows, shape).astype(dtype))


# -- parity cases: make(T, rng) -> (output, leaves whose grads are compared, weight after) ------

def emb(idx_shape, rows=7, dim=3, dtype="float32", idx_dtype="int64", **kw):
    def make(T, rng):
        w = _w(T, rng, rows, dim, dtype)
        idx = _idx(T, rng, idx_shape, rows, idx_dtype)
        if "max_norm" in kw:                     # the weight is renormalised in place: a leaf
            w = T.tensor(w.detach().numpy() * 2, requires_grad=True)
        out = T.nn.functional.embedding(idx, w, **kw)
        return out, {"w": w}, ({"weight": w.detach()} if "max_norm" in kw else {})
    return make


def emb_fixed(indices, rows=6, dim=2, **kw):
    def make(T, rng):
        w = _w(T, rng, rows, dim)
        return T.nn.functional.embedding(T.tensor(indices), w, **kw), {"w": w}, {}
    return make


def bag(indices, offsets=None, rows=6, dim=3, dtype="float32", psw=False, **kw):
    def make(T, rng):
        w = _w(T, rng, rows, dim, dtype)
        if "max_norm" in kw:
            w = T.tensor(w.detach().numpy() * 2, requires_grad=True)
        idx = T.tensor(indices)
        p = T.tensor(rng.uniform(0.5, 2, np.shape(indices)).astype(dtype), requires_grad=True) \
            if psw else None
        offs = None if offsets is None else T.tensor(offsets)
        out = T.nn.functional.embedding_bag(idx, w, offs, per_sample_weights=p, **kw)
        return out, {"w": w, "psw": p}, ({"weight": w.detach()} if "max_norm" in kw else {})
    return make


def module(ctor, indices, *call):
    def make(T, rng):
        T.manual_seed(0)
        m = eval("T.nn." + ctor)
        out = m(T.tensor(indices), *[T.tensor(c) if c is not None else None for c in call])
        return out, dict(m.named_parameters()), {}
    return make


def pretrained(kind, indices, **kw):
    def make(T, rng):
        table = T.tensor(rng.standard_normal((5, 3)).astype("float32"))
        m = getattr(T.nn, kind).from_pretrained(table, **kw)
        if kind == "EmbeddingBag":
            out = m(T.tensor(indices), T.tensor([0, 2]))
        else:
            out = m(T.tensor(indices))
        return out, dict(m.named_parameters()), {}
    return make


IDX = [1, 2, 4, 4, 3, 2, 0, 5]
CASES = {
    # embedding
    "embedding_1d": emb((5,)),
    "embedding_2d": emb((3, 4)),
    "embedding_3d": emb((2, 2, 3), rows=4, dim=5),
    "embedding_scalar": emb(()),
    "embedding_int32": emb((4,), idx_dtype="int32"),
    "embedding_float64": emb((3, 2), dtype="float64"),
    "embedding_repeats": emb_fixed([[1, 1, 2], [1, 3, 1]]),
    "embedding_padding": emb_fixed([[1, 2, 0], [2, 2, 5]], padding_idx=2),
    "embedding_padding_negative": emb_fixed([[5, 2, 0], [1, 5, 5]], padding_idx=-1),
    "embedding_freq": emb_fixed([[1, 1, 2], [1, 3, 2]], scale_grad_by_freq=True),
    "embedding_freq_padding": emb_fixed([[1, 1, 2], [0, 0, 2]], padding_idx=0,
                                        scale_grad_by_freq=True),
    "embedding_max_norm": emb((3, 4), max_norm=1.0),
    "embedding_max_norm_l1": emb((6,), max_norm=1.5, norm_type=1.0),
    "embedding_max_norm_inf": emb((6,), max_norm=0.7, norm_type=float("inf")),
    "embedding_max_norm_p3": emb((6,), max_norm=1.0, norm_type=3.0),
    # embedding_bag
    "bag_mean": bag(IDX, [0, 3, 5]),
    "bag_sum": bag(IDX, [0, 3, 5], mode="sum"),
    "bag_max": bag(IDX, [0, 3, 5], mode="max"),
    "bag_2d_mean": bag([[1, 2, 4], [4, 3, 2]]),
    "bag_2d_max": bag([[1, 2, 4], [4, 3, 2]], mode="max"),
    "bag_empty_bags": bag(IDX, [0, 0, 3, 3, 8], mode="sum"),
    "bag_empty_bags_mean": bag(IDX, [0, 3, 3, 8]),
    "bag_empty_bags_max": bag(IDX, [0, 3, 3, 8], mode="max"),
    "bag_include_last": bag(IDX, [0, 3, 3, 8], include_last_offset=True, mode="sum"),
    "bag_include_last_all": bag(IDX, [0, 3, 5, 8], include_last_offset=True),
    "bag_include_last_2d": bag([[1, 2], [3, 0]], include_last_offset=True, mode="sum"),
    "bag_psw": bag(IDX, [0, 3, 5], mode="sum", psw=True),
    "bag_psw_2d": bag([[1, 2, 4], [4, 3, 2]], mode="sum", psw=True),
    "bag_psw_padding": bag(IDX, [0, 3, 5], mode="sum", psw=True, padding_idx=4),
    "bag_padding_mean": bag(IDX, [0, 3, 5], padding_idx=2),
    "bag_padding_max": bag(IDX, [0, 3, 5], padding_idx=4, mode="max"),
    "bag_padding_negative": bag(IDX, [0, 3, 5], padding_idx=-2, mode="sum"),
    "bag_all_padding": bag([2, 2, 1], [0, 2], padding_idx=2),
    "bag_freq_sum": bag([1, 1, 2, 2, 2, 3, 0, 0], [0, 3], mode="sum", scale_grad_by_freq=True),
    "bag_freq_mean": bag([0, 3, 3, 1, 1, 1, 4], [0, 2], scale_grad_by_freq=True, padding_idx=1),
    "bag_max_norm": bag(IDX, [0, 3, 5], max_norm=1.0, mode="sum"),
    "bag_float64": bag(IDX, [0, 3, 5], dtype="float64", mode="sum", psw=True),
    "bag_int32": bag(np.array(IDX, np.int32), np.array([0, 3], np.int32), mode="max"),
    "bag_max_ties": bag([1, 1, 2], [0], mode="max"),
    # modules (weights from manual_seed(0): PyTorch's normal_ draws)
    "Embedding": module("Embedding(10, 3)", [[1, 2, 4], [4, 3, 9]]),
    "Embedding_padding": module("Embedding(6, 4, padding_idx=1)", [1, 2, 1, 0]),
    "Embedding_max_norm": module("Embedding(6, 4, max_norm=1.0)", [1, 2, 1, 0]),
    "EmbeddingBag": module("EmbeddingBag(10, 3)", [1, 2, 4, 4, 3, 9], [0, 2]),
    "EmbeddingBag_sum_psw": module("EmbeddingBag(10, 3, mode='sum')", [[1, 2], [4, 3]], None,
                                   [[0.5, 1.0], [2.0, 1.5]]),
    "EmbeddingBag_max_padding": module("EmbeddingBag(6, 2, mode='max', padding_idx=0)",
                                       [1, 0, 4, 0], [0, 2]),
    "from_pretrained": pretrained("Embedding", [0, 4, 4]),
    "from_pretrained_trainable": pretrained("Embedding", [[0, 4], [2, 2]], freeze=False,
                                            padding_idx=2),
    "bag_from_pretrained": pretrained("EmbeddingBag", [0, 4, 4, 1], freeze=False, mode="sum"),
}


def run_case(T, case_id: str) -> dict:
    rng = rng_for(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, leaves, after = CASES[case_id](T, rng)
    res = {"out": out.detach().numpy().copy(), "dtype": str(out.dtype), "shape": list(out.shape),
           "name": None if out.grad_fn is None else out.grad_fn.name(),
           "requires_grad": [k for k, t in leaves.items() if t is not None and t.requires_grad]}
    for k, t in after.items():
        res["after_" + k] = t.numpy().copy()
    for k, t in leaves.items():
        if t is not None and k not in ("w", "psw"):            # module parameters: their init
            res["init_" + k] = t.detach().numpy().copy()
    if out.requires_grad:
        g = rng.standard_normal(tuple(out.shape)).astype(res["out"].dtype)
        out.backward(T.tensor(g))
        for k, t in leaves.items():
            if t is not None and t.requires_grad:
                res["grad_" + k] = t.grad.numpy().copy()
    return res


_FACTS = ("dtype", "shape", "name", "requires_grad")


# -- errors --------------------------------------------------------------------------------------

def _f(T):
    return T.nn.functional


def _w3(T):
    return T.ones(5, 3)


def _i(T, v, dtype=None):
    return T.tensor(v, dtype=dtype) if dtype is not None else T.tensor(v)


ERRORS = {
    "float_indices": lambda T: _f(T).embedding(_i(T, [1.0]), _w3(T)),
    "double_indices": lambda T: _f(T).embedding(_i(T, [1.0], T.float64), _w3(T)),
    "bool_indices": lambda T: _f(T).embedding(_i(T, [True]), _w3(T)),
    "byte_indices": lambda T: _f(T).embedding(_i(T, [1], T.uint8), _w3(T)),
    "module_float_indices": lambda T: T.nn.Embedding(5, 3)(_i(T, [[1.0, 2.0]])),
    "out_of_range": lambda T: _f(T).embedding(_i(T, [5]), _w3(T)),
    "negative_index": lambda T: _f(T).embedding(_i(T, [-1]), _w3(T)),
    "module_out_of_range": lambda T: T.nn.Embedding(5, 3)(_i(T, [[0, 7]])),
    "padding_out_of_range": lambda T: _f(T).embedding(_i(T, [1]), _w3(T), padding_idx=5),
    "padding_negative_out_of_range": lambda T: _f(T).embedding(_i(T, [1]), _w3(T), padding_idx=-6),
    "module_padding": lambda T: T.nn.Embedding(3, 2, padding_idx=3),
    "module_padding_negative": lambda T: T.nn.Embedding(3, 2, padding_idx=-4),
    "weight_1d": lambda T: _f(T).embedding(_i(T, [1]), T.ones(3)),
    "weight_shape": lambda T: T.nn.Embedding(3, 2, _weight=T.ones(2, 2)),
    "pretrained_1d": lambda T: T.nn.Embedding.from_pretrained(T.ones(3)),
    "bag_pretrained_1d": lambda T: T.nn.EmbeddingBag.from_pretrained(T.ones(3)),
    "bag_no_offsets": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T)),
    "bag_2d_offsets": lambda T: _f(T).embedding_bag(_i(T, [[0, 1]]), _w3(T), _i(T, [0])),
    "bag_offsets_2d": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [[0]])),
    "bag_offsets_start": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [1])),
    "bag_offsets_float": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0.0])),
    "bag_float_indices": lambda T: _f(T).embedding_bag(_i(T, [0.0, 1.0]), _w3(T), _i(T, [0])),
    "bag_out_of_range": lambda T: _f(T).embedding_bag(_i(T, [0, 5]), _w3(T), _i(T, [0])),
    "bag_mode": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0]), mode="foo"),
    "bag_module_mode": lambda T: T.nn.EmbeddingBag(5, 3, mode="foo")(_i(T, [0, 1]), _i(T, [0])),
    "bag_psw_mean": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0]),
                                                  per_sample_weights=T.ones(2)),
    "bag_psw_max": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0]), mode="max",
                                                 per_sample_weights=T.ones(2)),
    "bag_psw_shape": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0]), mode="sum",
                                                   per_sample_weights=T.ones(3)),
    "bag_offsets_past_end": lambda T: _f(T).embedding_bag(_i(T, [0, 1]), _w3(T), _i(T, [0, 3])),
    "bag_offsets_decreasing": lambda T: _f(T).embedding_bag(_i(T, [0, 1, 2]), _w3(T),
                                                            _i(T, [0, 2, 1])),
    "bag_3d": lambda T: _f(T).embedding_bag(T.zeros(2, 2, 2, dtype=T.int64), _w3(T)),
    "bag_weight_1d": lambda T: _f(T).embedding_bag(_i(T, [0]), T.ones(3), _i(T, [0])),
    "bag_padding_range": lambda T: _f(T).embedding_bag(_i(T, [0]), _w3(T), _i(T, [0]),
                                                       padding_idx=5),
    "bag_module_padding": lambda T: T.nn.EmbeddingBag(3, 2, padding_idx=3),
    "bag_max_sparse": lambda T: _f(T).embedding_bag(_i(T, [0]), _w3(T), _i(T, [0]), mode="max",
                                                    sparse=True),
    "bag_max_freq": lambda T: _f(T).embedding_bag(_i(T, [0]), _w3(T), _i(T, [0]), mode="max",
                                                  scale_grad_by_freq=True),
    "one_hot_float": lambda T: _f(T).one_hot(_i(T, [1.0])),
    "one_hot_int32": lambda T: _f(T).one_hot(_i(T, [1], T.int32)),
    "one_hot_negative": lambda T: _f(T).one_hot(_i(T, [-1])),
    "one_hot_too_large": lambda T: _f(T).one_hot(_i(T, [3]), 3),
    "one_hot_empty": lambda T: _f(T).one_hot(T.zeros(0, dtype=T.int64)),
}

REPRS = [
    "Embedding(10, 3)",
    "Embedding(10, 3, padding_idx=0)",
    "Embedding(5, 3, padding_idx=-1, max_norm=1.0, norm_type=3.0, scale_grad_by_freq=True, "
    "sparse=True)",
    "EmbeddingBag(10, 3)",
    "EmbeddingBag(5, 3, max_norm=1.0, norm_type=3.0, scale_grad_by_freq=True, mode='max', "
    "include_last_offset=True, padding_idx=1)",
    "EmbeddingBag(5, 3, mode='sum', padding_idx=-2)",
]

# second and third derivatives (float64), compared with PyTorch's create_graph results. PyTorch
# 2.13 cannot differentiate embedding_bag's backward ("the derivative for '_embedding_bag_backward'
# is not implemented"); numtorch can: gradgradcheck below covers it.
HIGHER = {
    "embedding": lambda F, w, p: F.embedding(IDX_T(F), w) ** 3 * p[0],
    "embedding_padding": lambda F, w, p: (F.embedding(IDX_T(F), w * p[1], padding_idx=4).sin()),
}


def IDX_T(F):           # noqa: N802 - the module of F gives the tensor type
    return _module_of(F).tensor(IDX)


def OFFS_T(F):          # noqa: N802
    return _module_of(F).tensor([0, 3, 5])


def _module_of(F):
    return numtorch if F is numtorch.nn.functional else __import__("torch")


def run_higher(T, case_id: str) -> dict:
    rng = rng_for("higher-" + case_id)
    w = T.tensor(rng.standard_normal((6, 3)), requires_grad=True)
    p = T.tensor(rng.uniform(0.5, 2, len(IDX)), requires_grad=True)
    y = HIGHER[case_id](T.nn.functional, w, p)
    g = T.tensor(rng.standard_normal(tuple(y.shape)))
    gw, gp = T.autograd.grad((y * g).sum(), (w, p), create_graph=True)
    ggw, ggp = T.autograd.grad((gw * gw).sum() + (gp * gp * gp).sum(), (w, p), create_graph=True,
                               allow_unused=True)
    res = {"gw": gw.detach().numpy(), "gp": gp.detach().numpy(), "ggw": ggw.detach().numpy()}
    if ggp is not None:
        res["ggp"] = ggp.detach().numpy()
    third = (ggw * ggw).sum() + (0 if ggp is None else (ggp * ggp).sum())
    res["g3w"] = T.autograd.grad(third, (w,))[0].numpy()
    return res


def _module_facts(T, ctor: str) -> tuple:
    T.manual_seed(0)
    m = eval("T.nn." + ctor)
    state = m.state_dict()
    return repr(m), list(state.keys()), {k: v.numpy().copy() for k, v in state.items()}


# -- the record --------------------------------------------------------------------------------

def regenerate() -> tuple:
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in _FACTS}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
    for ctor in REPRS:
        r, keys, state = _module_facts(torch, ctor)
        facts["reprs"][ctor] = {"repr": r, "keys": keys}
        arrays.update({f"init/{ctor}/{k}": v for k, v in state.items()})
    for cid in HIGHER:
        arrays.update({f"higher/{cid}/{k}": v for k, v in run_higher(torch, cid).items()})
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    return load_record(RECORD_NPZ, RECORD_JSON)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    assert [got.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
    keys = check_arrays(got, arrays, case_id, want["dtype"])
    torch = torch_or_none()
    if torch is not None:
        live = run_case(torch, case_id)
        assert [live.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
        for k in keys:
            np.testing.assert_allclose(live[k], arrays[f"{case_id}/{k}"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want, (got, want)
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


@pytest.mark.parametrize("ctor", REPRS)
def test_repr_state_dict_and_init(ctor, record):
    arrays, facts = record
    r, keys, state = _module_facts(numtorch, ctor)
    assert r == facts["reprs"][ctor]["repr"]
    assert keys == facts["reprs"][ctor]["keys"]
    for k, v in state.items():                     # normal_ after manual_seed(0): bit for bit
        np.testing.assert_array_equal(v, arrays[f"init/{ctor}/{k}"])
    torch = torch_or_none()
    if torch is not None:
        assert _module_facts(torch, ctor)[:2] == (r, keys)


@pytest.mark.parametrize("case_id", list(HIGHER))
def test_higher_order(case_id, record):
    arrays = record[0]
    got = run_higher(numtorch, case_id)
    keys = sorted(k[len(case_id) + 8:] for k in arrays if k.startswith(f"higher/{case_id}/"))
    assert sorted(got) == keys
    for k in keys:
        np.testing.assert_allclose(got[k], arrays[f"higher/{case_id}/{k}"], rtol=1e-9, atol=1e-9,
                                   err_msg=k)


# -- numeric gradient checks (float64, no torch) ------------------------------------------------

F = numtorch.nn.functional
_IDX = numtorch.tensor([[1, 2, 4], [4, 3, 0]])
_FLAT = numtorch.tensor(IDX)
_OFFS = numtorch.tensor([0, 3, 3, 5])

CHECKS = {
    "embedding": (lambda w: F.embedding(_IDX, w), (6, 3)),
    "embedding_nonlinear": (lambda w: F.embedding(_IDX, w).sin(), (6, 3)),
    "bag_sum": (lambda w: F.embedding_bag(_FLAT, w, _OFFS, mode="sum"), (6, 3)),
    "bag_mean": (lambda w: F.embedding_bag(_FLAT, w.exp(), _OFFS), (6, 3)),
    "bag_max": (lambda w: F.embedding_bag(_FLAT, w, _OFFS, mode="max"), (6, 3)),
    "bag_psw": (lambda w, p: F.embedding_bag(_FLAT, w, _OFFS, mode="sum", per_sample_weights=p),
                (6, 3), (8,)),
    "bag_2d_psw": (lambda w, p: F.embedding_bag(_IDX, w, mode="sum", per_sample_weights=p),
                   (6, 3), (2, 3)),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn_, *shapes = CHECKS[case_id]
    rng = rng_for("check-" + case_id)
    inputs = tuple(numtorch.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    assert numtorch.autograd.gradcheck(fn_, inputs)
    assert numtorch.autograd.gradgradcheck(fn_, inputs)


# -- behaviour that needs no record -------------------------------------------------------------

def test_padding_row_gets_no_gradient_and_starts_at_zero():
    numtorch.manual_seed(0)
    m = numtorch.nn.Embedding(4, 2, padding_idx=1)
    assert m.weight[1].tolist() == [0.0, 0.0] and m.weight[0].abs().sum().item() > 0
    m(numtorch.tensor([1, 1, 3])).sum().backward()
    assert m.weight.grad[1].tolist() == [0.0, 0.0] and m.weight.grad[3].tolist() == [1.0, 1.0]


def test_max_norm_renormalises_in_place():
    """Looked-up rows are scaled to norm max_norm (within 1e-7), others are left alone, and the
    weight's version moves (mathematics, not a record)."""
    w = numtorch.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], requires_grad=True)
    v = w._version
    out = F.embedding(numtorch.tensor([0, 1]), w, max_norm=1.0)
    assert w._version > v
    np.testing.assert_allclose(w.detach().numpy(), [[0.6, 0.8], [0.3, 0.4], [6.0, 8.0]],
                               rtol=1e-6)
    np.testing.assert_allclose(out.detach().numpy(), w.detach().numpy()[:2])


def test_freq_scaled_gradient_differentiates_as_its_exact_adjoint():
    """With scale_grad_by_freq the weight gradient is ``B(g)`` (rows summed, divided by their
    count, nothing for padding); differentiating it in ``g`` gives B's exact adjoint:
    <B(g), v> == <g, B^T v>. (PyTorch 2.13's EmbeddingDenseBackwardBackward0 leaves the count
    out, so there the two sides differ.)"""
    rng = rng_for("freq-adjoint")
    idx = numtorch.tensor([1, 1, 2, 3, 1])
    w = numtorch.ones(4, 2, dtype=numtorch.float64, requires_grad=True)
    g = numtorch.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    v = numtorch.tensor(rng.standard_normal((4, 2)))
    y = F.embedding(idx, w, padding_idx=3, scale_grad_by_freq=True)
    gw, = numtorch.autograd.grad(y, w, g, create_graph=True)
    bt_v, = numtorch.autograd.grad(gw, g, v)
    np.testing.assert_allclose((gw * v).sum().item(), (g * bt_v).sum().item(), rtol=1e-12)
    np.testing.assert_allclose(bt_v.numpy()[:2], v.numpy()[[1, 1]] / 3, rtol=1e-12)
    assert bt_v.numpy()[3].tolist() == [0.0, 0.0]                 # the padding entry


def test_entries_past_the_last_offset_are_ignored():
    """include_last_offset with offsets[-1] < len(input): the trailing entries belong to no bag,
    so they add nothing and get no gradient. (PyTorch 2.13's CPU backward gives those rows
    uninitialised memory, so this is checked against mathematics, not a record.)"""
    w = numtorch.tensor(rng_for("past-end").standard_normal((6, 2)), requires_grad=True)
    out = F.embedding_bag(numtorch.tensor([1, 2, 3, 4, 5]), w, numtorch.tensor([0, 2, 3]),
                          mode="sum", include_last_offset=True)
    wn = w.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), [wn[1] + wn[2], wn[3]])
    out.sum().backward()
    assert w.grad.numpy().tolist() == [[0, 0], [1, 1], [1, 1], [1, 1], [0, 0], [0, 0]]


def test_from_pretrained_freezes():
    table = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    e = numtorch.nn.Embedding.from_pretrained(table)
    assert not e.weight.requires_grad and e(numtorch.tensor([1])).grad_fn is None
    assert numtorch.nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert numtorch.nn.EmbeddingBag.from_pretrained(table).mode == "mean"


def test_sparse_gradients_are_refused_clearly():
    m = numtorch.nn.Embedding(5, 2, sparse=True)
    with pytest.raises(NotImplementedError, match="sparse=True"):
        m(numtorch.tensor([1]))
    with numtorch.no_grad():                       # no gradient wanted: a plain lookup
        assert tuple(m(numtorch.tensor([1])).shape) == (1, 2)


def test_exports():
    assert callable(F.embedding) and callable(F.embedding_bag)
    assert "embedding" in F.__all__ and "embedding_bag" in F.__all__
    for name in ("Embedding", "EmbeddingBag"):
        assert name in numtorch.nn.modules.__all__ and hasattr(numtorch.nn, name)
    w = numtorch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert numtorch.embedding(w, numtorch.tensor([1])).tolist() == [[2.0, 3.0]]   # weight first


def test_embedding_language_model_step_lowers_the_loss():
    numtorch.manual_seed(0)
    rng = rng_for("train")
    tokens = numtorch.tensor(rng.integers(0, 20, (8, 5)))
    target = numtorch.tensor(rng.integers(0, 20, (8,)))
    emb_ = numtorch.nn.EmbeddingBag(20, 8)
    head = numtorch.nn.Linear(8, 20)
    opt = numtorch.optim.SGD(list(emb_.parameters()) + list(head.parameters()), lr=0.5)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(head(emb_(tokens)), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
