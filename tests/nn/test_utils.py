"""nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters.

PyTorch's answers are recorded in ``tests/data/oracle/nn_utils.json``/``.npz`` (``tests/_oracle.py``;
regenerate with ``python tests/data/regen_oracle.py tests/nn/test_utils.py``) and checked live
when torch is installed.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
from numtorch import nn
from numtorch.nn.utils import (clip_grad_norm_, clip_grad_value_, get_total_norm,
                               parameters_to_vector, vector_to_parameters)
from _oracle import Oracle

ORACLE = Oracle("nn_utils")


def _grads(seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * scale).astype(np.float32) for s in [(4, 3), (4,), (2, 4)]]


def _params(T, grads):
    ps = []
    for g in grads:
        p = T.nn.Parameter(T.zeros(*g.shape))
        p.grad = T.tensor(g)
        ps.append(p)
    return ps


def test_clip_grad_norm_math():
    grads = _grads()
    ps = _params(numtorch, grads)
    expected = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads))
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert total.dtype == numtorch.float32 and total.shape == ()
    assert float(total) == pytest.approx(expected, rel=1e-6)
    coef = 1.0 / (expected + 1e-6)
    for p, g in zip(ps, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-5)
    # under the limit: unchanged values
    ps = _params(numtorch, grads)
    clip_grad_norm_(ps, max_norm=1e6)
    for p, g in zip(ps, grads):
        np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-6)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 5.0, 1000.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = _grads(1)
    nt = float(norm_type)

    def th(torch):
        b = _params(torch, grads)
        tb = torch.nn.utils.clip_grad_norm_(b, max_norm, norm_type=nt)
        return [tb, [p.grad for p in b]]

    tb, gb = ORACLE.answer(f"clip_grad_norm/{norm_type!r}/{max_norm!r}", th)
    a = _params(numtorch, grads)
    ta = clip_grad_norm_(a, max_norm, norm_type=nt)
    assert str(ta.dtype) == str(tb.dtype) and tuple(ta.shape) == tb.shape
    np.testing.assert_allclose(ta.numpy(), tb.numpy(), rtol=1e-6)
    for pa, pb in zip(a, gb):
        np.testing.assert_allclose(pa.grad.numpy(), pb.numpy(), rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_edge_cases():
    # a single tensor, parameters without grads, and no grads at all
    p = nn.Parameter(numtorch.ones(3))
    q = nn.Parameter(numtorch.ones(2))
    p.grad = numtorch.tensor([3.0, 4.0, 0.0])
    assert float(clip_grad_norm_(p, 1.0)) == 5.0
    assert float(clip_grad_norm_([p, q], 1.0)) == pytest.approx(1.0, rel=1e-5)
    r = clip_grad_norm_([q], 1.0)
    rt = ORACLE.answer("clip_grad_norm/no_grads", lambda torch: torch.nn.utils.clip_grad_norm_(
        [torch.nn.Parameter(torch.ones(2))], 1.0))
    assert float(r) == float(rt.numpy()) == 0.0 and str(r.dtype) == str(rt.dtype)
    assert tuple(r.shape) == rt.shape
    # gradients keep their identity (clipped in place)
    g = p.grad
    clip_grad_norm_([p], 0.1)
    assert p.grad is g
    # float64 gradients give a float64 norm
    d = nn.Parameter(numtorch.zeros(2, dtype=numtorch.float64))
    d.grad = numtorch.tensor([3.0, 4.0], dtype=numtorch.float64)
    assert clip_grad_norm_([d], 1.0).dtype == numtorch.float64


def test_clip_grad_norm_nonfinite():
    def run(T):
        p = T.nn.Parameter(T.zeros(2))
        p.grad = T.tensor([float("inf"), 1.0])
        with pytest.raises(RuntimeError) as e:
            T.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        return str(e.value)

    assert run(numtorch) == ORACLE.answer("clip_grad_norm/nonfinite", run)
    assert "non-finite" in run(numtorch)
    p = nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.tensor([float("nan"), 1.0])
    assert math.isnan(float(clip_grad_norm_([p], 1.0)))


def test_clip_grad_value():
    grads = _grads(2)

    def th(torch):
        b = _params(torch, grads)
        torch.nn.utils.clip_grad_value_(b, 0.7)
        return [p.grad for p in b]

    gb = ORACLE.answer("clip_grad_value", th)
    a = _params(numtorch, grads)
    assert clip_grad_value_(a, 0.7) is None
    for pa, pb in zip(a, gb):
        assert str(pa.grad.dtype) == str(pb.dtype)
        assert np.array_equal(pa.grad.numpy(), pb.numpy())
    assert max(float(p.grad.abs().max()) for p in a) <= 0.7


def test_get_total_norm():
    t = [numtorch.tensor([3.0]), numtorch.tensor([4.0])]
    assert float(get_total_norm(t)) == 5.0
    assert float(get_total_norm(t, norm_type=1)) == 7.0
    assert float(get_total_norm(t, norm_type=math.inf)) == 4.0


def test_parameters_to_vector_and_back():
    numtorch.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = parameters_to_vector(m.parameters())
    assert vec.shape == (6 + 2 + 2 + 1,)
    expected = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.array_equal(vec.detach().numpy(), expected)
    assert vec.grad_fn.name() == "CatBackward0"
    (vec * numtorch.arange(11.0)).sum().backward()
    assert m[0].weight.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    new = numtorch.arange(11.0)
    vector_to_parameters(new, m.parameters())
    assert m[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.tolist() == [10.0]
    assert isinstance(m[0].weight, nn.Parameter) and m[0].weight.requires_grad
    assert m(numtorch.ones(1, 3)).shape == (1, 1)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_matches_torch():
    def th(torch):
        torch.manual_seed(0)
        return torch.nn.utils.parameters_to_vector(torch.nn.Linear(4, 3).parameters())

    b = ORACLE.answer("parameters_to_vector", th)
    numtorch.manual_seed(0)
    a = parameters_to_vector(nn.Linear(4, 3).parameters())
    assert str(a.dtype) == str(b.dtype) and a.requires_grad == b.requires_grad
    assert np.array_equal(a.detach().numpy(), b.numpy())
    assert a.grad_fn.name() == b.grad_fn.name()
