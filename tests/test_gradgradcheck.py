"""float64 second-derivative checks (``gradgradcheck``) for every differentiable op.

Every case of ``test_gradcheck.CASES`` (the differentiable rows of the parity table plus the
extra points) is re-run here: its gradients are taken with ``create_graph=True`` and checked
against central differences of the first derivatives. No torch needed.
"""
from __future__ import annotations

import pytest

import numtorch
from test_gradcheck import CASES, _inputs, _fn

# Cases whose first derivative is not differentiable where sampled (kinks, ties, steps).
NOT_SMOOTH = set()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_gradgradcheck(case):
    if case.id in NOT_SMOOTH:
        pytest.skip("first derivative not differentiable at the sampled point")
    inputs = _inputs(case)
    fn = _fn(case)
    if not any(o.requires_grad for o in fn(*inputs)):
        pytest.skip("no float64 differentiable output")
    assert numtorch.autograd.gradgradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
