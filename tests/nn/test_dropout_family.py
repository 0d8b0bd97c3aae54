"""The dropout family against PyTorch 2.13: ``dropout1d/2d/3d``, ``alpha_dropout``,
``feature_alpha_dropout`` (functional, in-place, ``torch.*`` forms) and their modules.

After ``manual_seed`` the masks are PyTorch's bit for bit, and the generator ends where
PyTorch's does (the next ``rand`` agrees). PyTorch's answers (outputs, gradients, ``grad_fn``
names, the next random number, warnings, errors, reprs) are recorded in
``tests/data/dropout_family.npz`` / ``.json``, so these tests run without torch; with torch
installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_dropout_family.py``.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import numtorch
from recorded_parity import (DATA, check_arrays, error_of, load_record, rng_for, torch_or_none)

RECORD_NPZ = os.path.join(DATA, "dropout_family.npz")
RECORD_JSON = os.path.join(DATA, "dropout_family.json")


def functional(name, shape, p, training=True, dtype="float32", seed=0, inplace=False):
    def make(T, rng):
        x = T.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        T.manual_seed(seed)
        if inplace:
            h = x * 1
            return getattr(T.nn.functional, name)(h, p, training, inplace=True), x
        return getattr(T.nn.functional, name)(x, p, training), x
    return make


def torch_level(name, shape, p, seed=0):
    """``torch.<name>(input, p, train)`` (PyTorch's positional forms; ``name_`` in place)."""
    def make(T, rng):
        x = T.tensor(rng.standard_normal(shape).astype("float32"), requires_grad=True)
        T.manual_seed(seed)
        h = x * 1 if name.endswith("_") else x
        return getattr(T, name)(h, p, True), x
    return make


def module(ctor, shape, train=True, seed=0):
    def make(T, rng):
        x = T.tensor(rng.standard_normal(shape).astype("float32"), requires_grad=True)
        m = eval("T.nn." + ctor)
        if not train:
            m.eval()
        T.manual_seed(seed)
        return m(x), x
    return make


CASES = {}
for _name, _shapes in {
        "dropout1d": [(2, 3, 4), (3, 5), (4, 6, 2)],
        "dropout2d": [(2, 3, 4, 4), (3, 5, 2), (4, 6), (2, 3, 2, 2, 2)],
        "dropout3d": [(2, 3, 2, 2, 2), (3, 2, 2, 2), (3, 4, 4), (2, 3, 2, 2, 2, 2)],
        "alpha_dropout": [(2, 3, 4), (7,), (4, 6), (3, 2, 2, 2)],
        "feature_alpha_dropout": [(2, 3, 4), (4, 6), (2, 3, 2, 2)]}.items():
    for _i, _shape in enumerate(_shapes):
        for _p in (0.2, 0.5, 0.75):
            CASES[f"{_name}_{_i}_p{_p}"] = functional(_name, _shape, _p, seed=_i)
for _name in ("dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
    _shape = (2, 3, 2, 2, 2) if _name == "dropout3d" else (2, 3, 4) if _name == "dropout1d" \
        else (2, 3, 2, 2)
    CASES[f"{_name}_p0"] = functional(_name, _shape, 0.0)
    CASES[f"{_name}_p1"] = functional(_name, _shape, 1.0)
    CASES[f"{_name}_eval"] = functional(_name, _shape, 0.5, training=False)
    CASES[f"{_name}_inplace"] = functional(_name, _shape, 0.4, inplace=True, seed=3)
    CASES[f"{_name}_float64"] = functional(_name, _shape, 0.3, dtype="float64", seed=4)
CASES.update({
    "dropout3d_unbatched_p1": functional("dropout3d", (3, 2, 2, 2), 1.0),
    "alpha_dropout_big": functional("alpha_dropout", (40, 50), 0.1, seed=7),
    "dropout2d_big": functional("dropout2d", (16, 64, 3, 3), 0.25, seed=8),
    "torch_feature_dropout": torch_level("feature_dropout", (2, 3, 4), 0.5),
    "torch_alpha_dropout": torch_level("alpha_dropout", (2, 3, 4), 0.5),
    "torch_feature_alpha_dropout": torch_level("feature_alpha_dropout", (2, 3, 4), 0.5),
    "torch_feature_dropout_": torch_level("feature_dropout_", (2, 3, 4), 0.5),
    "torch_alpha_dropout_": torch_level("alpha_dropout_", (2, 3, 4), 0.5),
    "torch_feature_alpha_dropout_": torch_level("feature_alpha_dropout_", (2, 3, 4), 0.5),
    "Dropout1d": module("Dropout1d(0.3)", (2, 4, 5)),
    "Dropout2d": module("Dropout2d()", (2, 4, 3, 3)),
    "Dropout3d": module("Dropout3d(0.6)", (2, 4, 2, 2, 2)),
    "AlphaDropout": module("AlphaDropout(0.2)", (3, 5)),
    "FeatureAlphaDropout": module("FeatureAlphaDropout(0.4)", (2, 4, 3)),
    "Dropout2d_eval": module("Dropout2d()", (2, 4, 3, 3), train=False),
    "AlphaDropout_eval": module("AlphaDropout(0.2)", (3, 5), train=False),
})


def run_case(T, case_id: str) -> dict:
    rng = rng_for(case_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, x = CASES[case_id](T, rng)
    res = {"out": out.detach().numpy().copy(), "dtype": str(out.dtype), "shape": list(out.shape),
           "name": None if out.grad_fn is None else out.grad_fn.name(), "same": out is x,
           "next_rand": T.rand(3).numpy()}
    if out.requires_grad:
        g = rng.standard_normal(tuple(out.shape)).astype(res["out"].dtype)
        out.backward(T.tensor(g))
        res["grad_x"] = x.grad.numpy().copy()
    return res


_FACTS = ("dtype", "shape", "name", "same")


# -- warnings and errors ------------------------------------------------------------------------

def warnings_of(fn, T) -> list:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(T)
    return [[w.category.__name__, str(w.message)] for w in caught]


def _f(T):
    return T.nn.functional


WARNINGS = {
    "dropout2d_3d": lambda T: _f(T).dropout2d(T.ones(2, 3, 4)),
    "dropout2d_2d": lambda T: _f(T).dropout2d(T.ones(2, 3)),
    "dropout2d_5d": lambda T: _f(T).dropout2d(T.ones(2, 3, 2, 2, 2)),
    "dropout2d_4d": lambda T: _f(T).dropout2d(T.ones(2, 3, 2, 2)),
    "dropout3d_3d": lambda T: _f(T).dropout3d(T.ones(2, 3, 4)),
    "dropout3d_6d": lambda T: _f(T).dropout3d(T.ones(1, 2, 1, 1, 1, 2)),
    "dropout3d_4d": lambda T: _f(T).dropout3d(T.ones(2, 3, 2, 2)),
    "Dropout2d_3d": lambda T: T.nn.Dropout2d()(T.ones(2, 3, 4)),
    "dropout2d_3d_eval": lambda T: _f(T).dropout2d(T.ones(2, 3, 4), training=False),
}

ERRORS = {
    "dropout1d_4d": lambda T: _f(T).dropout1d(T.ones(2, 3, 4, 4)),
    "dropout1d_1d": lambda T: _f(T).dropout1d(T.ones(2)),
    "dropout2d_p": lambda T: _f(T).dropout2d(T.ones(2, 3, 4, 4), 1.5),
    "dropout3d_p": lambda T: _f(T).dropout3d(T.ones(2, 3, 4, 4), -0.1),
    "dropout1d_p": lambda T: _f(T).dropout1d(T.ones(2, 3, 4), 2),
    "alpha_p": lambda T: _f(T).alpha_dropout(T.ones(2, 3), 1.5),
    "feature_alpha_p": lambda T: _f(T).feature_alpha_dropout(T.ones(2, 3), -1.0),
    "feature_alpha_1d": lambda T: _f(T).feature_alpha_dropout(T.ones(2), 0.5, True),
    "module_p": lambda T: T.nn.Dropout2d(1.5),
    "alpha_module_p": lambda T: T.nn.AlphaDropout(-0.5),
    "dropout2d_long": lambda T: _f(T).dropout2d(T.ones(2, 3, 4, 4, dtype=T.int64)),
    "alpha_long": lambda T: _f(T).alpha_dropout(T.ones(2, 3, dtype=T.int64), 0.5, True),
    "torch_feature_dropout_1d": lambda T: T.feature_dropout(T.ones(3), 0.5, True),
}

# the backward graph PyTorch records (unbatched inputs go through a batch of one)
CHAINS = {
    "dropout1d_unbatched": lambda T, x: T.nn.functional.dropout1d(x[0], 0.5),
    "dropout3d_unbatched": lambda T, x: T.nn.functional.dropout3d(x.unsqueeze(-1), 0.5),
    "alpha_dropout": lambda T, x: T.nn.functional.alpha_dropout(x, 0.5, True),
    "feature_alpha_dropout": lambda T, x: T.nn.functional.feature_alpha_dropout(x, 0.5, True),
    "dropout2d_p1": lambda T, x: T.nn.functional.dropout2d(x.unsqueeze(0), 1.0),
}


def graph_of(T, case_id: str) -> list:
    T.manual_seed(0)
    x = T.ones(2, 3, 4, requires_grad=True)
    out = []

    def walk(fn, depth):
        out.append("  " * depth + fn.name())
        for f, _ in fn.next_functions:
            if f is not None:
                walk(f, depth + 1)
    walk(CHAINS[case_id](T, x).grad_fn, 0)
    return out


REPRS = ["Dropout1d()", "Dropout2d(p=0.3)", "Dropout3d(0.1, inplace=True)", "AlphaDropout(0.3)",
         "FeatureAlphaDropout(p=0.2, inplace=True)"]


# -- the record --------------------------------------------------------------------------------

def regenerate() -> tuple:
    import torch
    arrays, facts = {}, {"cases": {}, "errors": {}, "reprs": {}, "warnings": {}}
    for cid in CASES:
        res = run_case(torch, cid)
        facts["cases"][cid] = {k: res.pop(k) for k in _FACTS}
        arrays.update({f"{cid}/{k}": v for k, v in res.items()})
    for cid in ERRORS:
        facts["errors"][cid] = error_of(ERRORS[cid], torch)
    for cid in WARNINGS:
        facts["warnings"][cid] = warnings_of(WARNINGS[cid], torch)
    for ctor in REPRS:
        facts["reprs"][ctor] = repr(eval("torch.nn." + ctor))
    facts["chains"] = {cid: graph_of(torch, cid) for cid in CHAINS}
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    return load_record(RECORD_NPZ, RECORD_JSON)


@pytest.mark.parametrize("case_id", list(CASES))
def test_parity(case_id, record):
    """Masks bit for bit: outputs of ``ones``-scaled inputs, gradients and the generator's next
    numbers equal PyTorch's exactly (alpha dropout's affine step in the input's dtype, too)."""
    arrays, facts = record
    want = facts["cases"][case_id]
    got = run_case(numtorch, case_id)
    assert [got.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
    keys = check_arrays(got, arrays, case_id, want["dtype"], exact=("next_rand", "out", "grad_"))
    torch = torch_or_none()
    if torch is not None:
        live = run_case(torch, case_id)
        assert [live.pop(k) for k in _FACTS] == [want[k] for k in _FACTS]
        for k in keys:
            np.testing.assert_array_equal(live[k], arrays[f"{case_id}/{k}"])


@pytest.mark.parametrize("case_id", list(WARNINGS))
def test_warnings(case_id, record):
    want = record[1]["warnings"][case_id]
    assert warnings_of(WARNINGS[case_id], numtorch) == want
    torch = torch_or_none()
    if torch is not None:
        assert warnings_of(WARNINGS[case_id], torch) == want


@pytest.mark.parametrize("case_id", list(ERRORS))
def test_errors(case_id, record):
    want = record[1]["errors"][case_id]
    got = error_of(ERRORS[case_id], numtorch)
    assert want is not None and got == want, (got, want)
    torch = torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[case_id], torch) == want


@pytest.mark.parametrize("case_id", list(CHAINS))
def test_backward_graph(case_id, record):
    want = record[1]["chains"][case_id]
    assert graph_of(numtorch, case_id) == want
    torch = torch_or_none()
    if torch is not None:
        assert graph_of(torch, case_id) == want


@pytest.mark.parametrize("ctor", REPRS)
def test_repr(ctor, record):
    assert repr(eval("numtorch.nn." + ctor)) == record[1]["reprs"][ctor]


# -- numeric gradient checks (float64, no torch): the mask is redrawn from the same seed ---------

F = numtorch.nn.functional


def _seeded(fn):
    def run(x):
        numtorch.manual_seed(11)
        return fn(x)
    return run


CHECKS = {
    "dropout1d": (_seeded(lambda x: F.dropout1d(x, 0.4)), (2, 3, 4)),
    "dropout2d": (_seeded(lambda x: F.dropout2d(x, 0.4)), (2, 3, 2, 2)),
    "dropout3d_unbatched": (_seeded(lambda x: F.dropout3d(x, 0.4)), (3, 2, 2, 1)),
    "alpha_dropout": (_seeded(lambda x: F.alpha_dropout(x, 0.3, True)), (3, 4)),
    "feature_alpha_dropout": (_seeded(lambda x: F.feature_alpha_dropout(x, 0.3, True).tanh()),
                              (2, 3, 2)),
}


@pytest.mark.parametrize("case_id", list(CHECKS))
def test_gradcheck_and_gradgradcheck(case_id):
    fn_, shape = CHECKS[case_id]
    x = numtorch.tensor(rng_for("check-" + case_id).standard_normal(shape), requires_grad=True)
    assert numtorch.autograd.gradcheck(fn_, (x,))
    assert numtorch.autograd.gradgradcheck(fn_, (x,))


# -- behaviour that needs no record -------------------------------------------------------------

def test_whole_channels_are_zeroed_and_the_rest_scaled():
    numtorch.manual_seed(0)
    y = F.dropout2d(numtorch.ones(8, 16, 3, 3), 0.25).numpy()
    per_channel = y.reshape(8, 16, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))    # constant per channel
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.1 < (y == 0).mean() < 0.4


def test_alpha_dropout_keeps_mean_and_variance():
    """The point of alpha dropout: standard-normal inputs stay about mean 0, variance 1; each
    value is either ``a * x + alpha * a * p`` (kept) or ``alpha * a * (p - 1)`` (dropped)."""
    numtorch.manual_seed(0)
    p, alpha = 0.2, 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    x = numtorch.randn(200, 500)
    y = F.alpha_dropout(x, p, True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.var() - 1) < 0.03
    kept = np.isclose(y, a * x.numpy() + alpha * a * p, rtol=1e-5, atol=1e-6)
    dropped = np.isclose(y, alpha * a * (p - 1), rtol=1e-6)
    assert np.all(kept | dropped) and 0.15 < dropped.mean() < 0.25


def test_modules_in_eval_mode_return_their_input():
    nn = numtorch.nn
    for m, shape in ((nn.Dropout1d(), (2, 3, 4)), (nn.Dropout2d(), (2, 3, 4, 4)),
                     (nn.Dropout3d(), (2, 3, 2, 2, 2)), (nn.AlphaDropout(), (2, 3)),
                     (nn.FeatureAlphaDropout(), (2, 3, 4))):
        x = numtorch.randn(*shape)
        assert m.eval()(x) is x


def test_exports():
    for name in ("dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
        assert callable(getattr(F, name)) and name in F.__all__
    for name in ("feature_dropout", "alpha_dropout", "feature_alpha_dropout", "feature_dropout_",
                 "alpha_dropout_", "feature_alpha_dropout_"):
        assert callable(getattr(numtorch, name))
    for name in ("Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"):
        assert name in numtorch.nn.modules.__all__ and hasattr(numtorch.nn, name)
