"""``torch.quantile`` / ``torch.nanquantile`` (and the Tensor methods) against PyTorch 2.13.

Random shapes, dims, ``keepdim``, scalar and tensor ``q``, all five interpolation modes, NaN rows
and ties: values bit for bit, shapes, dtypes, grad_fn names and the input's gradient, through the
recorded oracle (tests/data/oracle/quantile.*; ``python tests/data/regen_oracle.py
tests/test_quantile.py`` rewrites it). Plus PyTorch's errors, float64 gradcheck and gradgradcheck.
"""
from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

from _oracle import Oracle, error

ORACLE = Oracle("quantile")
MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _case(k: int) -> dict:
    """Case ``k``: its data, drawn from a generator seeded by ``k``."""
    rng = np.random.default_rng(1000 + k)
    shape = tuple(int(s) for s in rng.integers(1, 6, int(rng.integers(1, 4))))
    dtype = ("float32", "float64")[k % 2]
    a = rng.standard_normal(shape).astype(dtype)
    if k % 5 == 0:
        a.flat[int(rng.integers(0, a.size))] = np.nan
    if k % 7 == 0:
        a = np.round(a)                                        # ties
    dim = None if k % 3 == 0 else int(rng.integers(-len(shape), len(shape)))
    q = rng.random(3).astype(dtype) if k % 2 else float(np.round(rng.random(), 3))
    return {"a": a, "dim": dim, "keepdim": k % 4 == 1, "mode": MODES[k % 5], "q": q,
            "w": rng.standard_normal(64).astype(dtype)}


def _run(T, k: int, fn: str, method: bool = False):
    c = _case(k)
    x = T.tensor(c["a"], requires_grad=True)
    q = c["q"] if isinstance(c["q"], float) else T.tensor(c["q"])
    f = getattr(x, fn) if method else (lambda *a, **kw: getattr(T, fn)(x, *a, **kw))
    y = f(q, dim=c["dim"], keepdim=c["keepdim"], interpolation=c["mode"])
    w = T.tensor(c["w"][:y.numel()].reshape(tuple(y.shape)))
    (y * w).nansum().backward()
    return y.detach(), y.grad_fn.name(), x.grad


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
@pytest.mark.parametrize("k", range(40))
def test_as_pytorch(fn, k):
    want = ORACLE.answer(f"{fn}/{k}", lambda T: _run(T, k, fn))
    got = _run(numtorch, k, fn, method=k % 4 == 3)
    assert tuple(got[0].shape) == tuple(want[0].shape) and str(got[0].dtype) == str(want[0].dtype)
    np.testing.assert_array_equal(got[0].numpy(), want[0].detach().numpy())    # to the bit
    assert got[1] == want[1]
    np.testing.assert_allclose(got[2].numpy(), want[2].detach().numpy(), rtol=1e-6, atol=1e-6)


def test_by_hand():
    x = numtorch.tensor([[3.0, 1.0, 2.0, 5.0], [0.0, 4.0, 4.0, 1.0]])
    # row 0 sorted 1 2 3 5: q=0.3 -> position 0.9 -> 1 + 0.9 * (2 - 1) = 1.9
    assert numtorch.quantile(x, 0.3, dim=1)[0].item() == pytest.approx(1.9)
    assert numtorch.quantile(x, 0.3, dim=1, interpolation="lower")[0].item() == 1.0
    assert numtorch.quantile(x, 0.3, dim=1, interpolation="higher")[0].item() == 2.0
    assert numtorch.quantile(x, 0.3, dim=1, interpolation="midpoint")[0].item() == 1.5
    assert numtorch.quantile(x, 0.3, dim=1, interpolation="nearest")[0].item() == 2.0
    nan = numtorch.tensor([1.0, float("nan"), 3.0])
    assert np.isnan(numtorch.quantile(nan, 0.5).item())
    assert numtorch.nanquantile(nan, 0.5).item() == 2.0


ERRORS = {
    "q_range": lambda T: T.quantile(T.ones(3), 1.5),
    "q_tensor_range": lambda T: T.quantile(T.ones(3), T.tensor([0.5, -0.1])),
    "int_input": lambda T: T.quantile(T.ones(3, dtype=T.int64), 0.5),
    "mode": lambda T: T.quantile(T.ones(3), 0.5, interpolation="foo"),
    "q_2d": lambda T: T.quantile(T.ones(3), T.tensor([[0.5]])),
    "empty": lambda T: T.quantile(T.tensor([]), 0.5),
    "q_dtype": lambda T: T.quantile(T.ones(3), T.tensor([0.5], dtype=T.float64)),
    "nan_q_range": lambda T: T.nanquantile(T.ones(3), -0.5),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    want = ORACLE.answer(f"error/{name}", lambda T: error(lambda: ERRORS[name](T)))
    assert error(lambda: ERRORS[name](numtorch)) == list(want)


@pytest.mark.parametrize("mode", MODES)
def test_gradcheck_and_gradgradcheck(mode):
    rng = np.random.default_rng(3)
    x = numtorch.tensor(rng.standard_normal((3, 5)), requires_grad=True)
    q = numtorch.tensor([0.1, 0.45, 0.8], dtype=numtorch.float64)

    def f(x):
        return numtorch.quantile(x, q, dim=1, interpolation=mode)
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))
