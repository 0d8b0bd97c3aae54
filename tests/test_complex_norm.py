"""``norm`` of a complex tensor: the norm of the moduli (real-valued), and PyTorch's gradient
``g * sgn(z) ...`` (recorded from torch 2.13)."""
import numpy as np
import pytest

import numtorch
from _oracle import Oracle

ORACLE = Oracle("complex_norm")
Z = np.array([[1 + 2j, 3 - 1j], [0.5 - 2j, -1 + 0.2j]])


@pytest.mark.parametrize("p", [2, 1, float("inf"), -float("inf"), 3, 0])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_norm_values_and_grads(p, dtype):
    z = Z.astype(dtype)

    def run(T):
        x = T.tensor(z, requires_grad=True)
        out = x.norm(p=p)
        if p != 0:
            (out * 1.7).backward()
        return [out, x.grad]

    want = ORACLE.answer(f"{dtype}/p={p}", run)
    got = run(numtorch)
    assert str(got[0].dtype) == str(want[0].dtype)
    tol = 1e-5 if dtype == "complex64" else 1e-12
    np.testing.assert_allclose(got[0].detach().numpy(), want[0].numpy(), rtol=tol)
    if want[1] is None:
        assert got[1] is None
    else:
        np.testing.assert_allclose(got[1].numpy(), want[1].numpy(), rtol=tol, atol=tol)
