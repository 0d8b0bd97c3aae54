"""``numtorch.distributions`` against PyTorch 2.13's recorded answers.

For every case of ``dist_cases.py`` (each distribution in float32 and float64): samples after
``manual_seed`` (bit for bit where PyTorch's sampler is reproduced), the generator state after
sampling, log_prob / cdf / icdf / mean / variance / stddev / mode / entropy, gradients of
log_prob and of rsample, reprs, shapes and supports; KL divergences and their gradients; error
types and messages.  PyTorch's answers are in ``tests/data/distributions.npz`` / ``.json``
(regenerate with ``python tests/data/regen_distributions.py``); with torch installed the record
is also checked against live PyTorch.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import numtorch
import numtorch.distributions  # noqa: F401
import dist_cases as dc

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
NPZ = os.path.join(DATA, "distributions.npz")
JSON = os.path.join(DATA, "distributions.json")

with np.load(NPZ) as _z:
    REC = {k: _z[k] for k in _z.files}
with open(JSON, encoding="utf-8") as _f:
    FACTS = json.load(_f)


def _tol(dtype: str, what: str):
    if dtype == "float64":
        return dict(rtol=1e-7, atol=1e-10)
    return dict(rtol=2e-5, atol=2e-6)


@pytest.fixture(scope="module")
def ours():
    out = {}
    for case in dc.CASES:
        out[case.name] = dc.run_case(numtorch, case)
    return out


@pytest.mark.parametrize("case", dc.CASES, ids=lambda c: c.name)
def test_facts(case, ours):
    _, facts = ours[case.name]
    assert facts == FACTS["cases"][case.name]


@pytest.mark.parametrize("case", dc.CASES, ids=lambda c: c.name)
def test_samples_bit_exact(case, ours):
    arrays, _ = ours[case.name]
    keys = [k for k in REC if k.startswith(case.name + "/") and
            k.split("/", 1)[1].split("_", 1)[0] in ("sample", "rsample", "after")]
    assert keys
    for key in keys:
        k = key.split("/", 1)[1]
        got, want = arrays[k], REC[key]
        assert got.dtype == want.dtype and got.shape == want.shape, key
        if case.exact or k.startswith("after"):
            assert np.array_equal(got, want, equal_nan=True), key
        else:
            # the draws are PyTorch's; exp/log1p/tanh/sigmoid (or, for float32
            # MultivariateNormal, the Cholesky factor) may round 1-2 ulps differently
            scale = np.spacing(np.abs(want).max().astype(want.dtype)) if want.size else 0
            diff = np.abs(got.astype(np.float64) - want)
            ulps = diff / np.maximum(np.spacing(np.abs(want)), scale)
            assert np.nanmax(ulps, initial=0) <= 4, key
            assert np.isnan(got).sum() == np.isnan(want).sum(), key


@pytest.mark.parametrize("case", dc.CASES, ids=lambda c: c.name)
def test_values(case, ours):
    arrays, _ = ours[case.name]
    keys = [k for k in REC if k.startswith(case.name + "/") and
            k.split("/", 1)[1].split("_", 1)[0] not in ("sample", "rsample", "after", "grad")]
    assert any("log_prob" in k for k in keys)
    for key in keys:
        k = key.split("/", 1)[1]
        got, want = arrays[k], REC[key]
        assert got.dtype == want.dtype and got.shape == want.shape, key
        np.testing.assert_allclose(got, want, err_msg=key, equal_nan=True,
                                   **_tol(case.dtype, k))


@pytest.mark.parametrize("case", [c for c in dc.CASES if c.grad], ids=lambda c: c.name)
def test_gradients(case, ours):
    arrays, _ = ours[case.name]
    keys = [k for k in REC if k.startswith(case.name + "/grad_")]
    assert any("log_prob" in k for k in keys)
    assert set(k.split("/", 1)[1] for k in keys) == set(k for k in arrays if k.startswith("grad_"))
    for key in keys:
        k = key.split("/", 1)[1]
        got, want = arrays[k], REC[key]
        tol = _tol(case.dtype, k)
        if case.dtype == "float32":
            tol = dict(rtol=2e-4, atol=2e-5)
        if k.startswith("grad_rsample") and case.rsample_grad_rtol:
            # implicit reparameterization: PyTorch approximates dx/dalpha, we compute it
            tol = dict(rtol=case.rsample_grad_rtol, atol=case.rsample_grad_rtol)
        np.testing.assert_allclose(got, want, err_msg=key, **tol)


@pytest.mark.parametrize("kl", dc.KL_CASES, ids=lambda k: k[0])
def test_kl(kl):
    name, build, dt = kl
    got = dc.run_kl(numtorch, name, build, dt)
    want = {k.split("/", 1)[1]: v for k, v in REC.items() if k.startswith(name + "/")}
    assert set(got) == set(want)
    for k in want:
        tol = _tol(dt, k) if dt == "float64" else dict(rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got[k], want[k], err_msg=k, **tol)


@pytest.mark.parametrize("err", dc.ERRORS, ids=lambda e: e[0])
def test_errors(err):
    name, fn = err
    assert dc.run_error(numtorch, fn) == FACTS["errors"][name]


@pytest.mark.parametrize("rep", dc.REPRS, ids=lambda r: r[0])
def test_reprs(rep):
    name, build = rep
    assert dc.run_repr(numtorch, build) == FACTS["reprs"][name]


def test_record_matches_live_torch():
    torch = pytest.importorskip("torch")
    import sys
    sys.path.insert(0, DATA)
    from regen_distributions import regenerate
    arrays, facts = regenerate(torch)
    assert set(arrays) == set(REC)
    for k in REC:
        assert np.array_equal(arrays[k], REC[k], equal_nan=True), k
    facts.pop("torch")
    rec = dict(FACTS)
    rec.pop("torch")
    assert facts == rec
