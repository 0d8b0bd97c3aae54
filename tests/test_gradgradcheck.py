"""float64 second-derivative checks (``gradgradcheck``) for every differentiable op.

Every case of ``test_gradcheck.CASES`` (the differentiable rows of the parity table plus the
extra points) is re-run here: its gradients are taken with ``create_graph=True`` and checked
against central differences of the first derivatives. No torch needed.
"""
from __future__ import annotations

import pytest

import numtorch
from test_gradcheck import CASES, _inputs, _fn

# Cases whose first derivative is not differentiable where sampled (kinks, ties, steps): left
# out at collection. (test_gradcheck.CASES already leaves out rows with no float64 gradient.)
NOT_SMOOTH = set()
# PyTorch's own second derivative of 0 ** a is NaN (its gradient formula multiplies log(0) by a
# masked-out zero); numtorch gives PyTorch's values (tests/test_pow_bits.py records them)
PYTORCH_NAN = {"pow_zero_base"}
GG_CASES = [c for c in CASES if c.id not in NOT_SMOOTH | PYTORCH_NAN]


@pytest.mark.parametrize("case", GG_CASES, ids=[c.id for c in GG_CASES])
def test_gradgradcheck(case):
    inputs = _inputs(case)
    fn = _fn(case)
    assert any(o.requires_grad for o in fn(*inputs)), "no float64 output requires grad"
    assert numtorch.autograd.gradgradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5, rtol=1e-3)
