"""Case machinery shared by tests/nn/test_pooling.py and tests/test_pooling3d.py: a seed from a
case's name, the ``Case`` record, and the runs of a case (and of a double backward) in numtorch
or PyTorch whose results the tests compare with PyTorch's recorded answers.
"""
from __future__ import annotations

import numpy as np


def case_seed(name: str) -> int:
    """A stable seed made from a case's name."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(name)) % (2 ** 31)


class Case:
    """``call(F, x)`` on an input made by a test module's ``make_input(shape, dtype, kind, seed)``."""

    def __init__(self, id, call, shape, dtype="float32", kind="normal", exact=True, grad=True, atol=0):
        self.id, self.call, self.shape, self.dtype, self.kind = id, call, shape, dtype, kind
        self.exact = exact and dtype == "float32"
        self.atol = atol                # integer outputs: allowed difference (uint8 resampling)
        self.grad = grad and dtype.startswith("float")


def run_case(case: Case, make_input, T, F, grad: bool = True) -> dict:
    """The case in library ``T`` (``F`` its functional module) on ``make_input``'s input:
    outputs as NumPy, the input's gradient for a seeded upstream gradient, the output's
    ``grad_fn`` name."""
    seed = case_seed(case.id)
    x_np = make_input(case.shape, case.dtype, case.kind, seed)
    x = T.tensor(x_np, requires_grad=case.grad and grad)
    out = case.call(F, x)
    outs = out if isinstance(out, tuple) else (out,)
    res = {"out": outs[0].detach().numpy().copy(), "dtype": str(outs[0].dtype),
           "shape": list(outs[0].shape)}
    if len(outs) > 1:
        res["idx"] = outs[1].numpy().copy()
        res["idx_dtype"] = str(outs[1].dtype)
    if case.grad and grad:
        res["gname"] = type(outs[0].grad_fn).__name__
        g = np.random.default_rng(seed + 1).standard_normal(outs[0].shape).astype(case.dtype)
        outs[0].backward(T.tensor(g))
        res["grad"] = x.grad.numpy().copy()
    return res


def run_double(call, shape, T, F, name):
    """``call``'s gradient, and the gradients of ``(gradient * w).sum()`` (create_graph), on a
    seeded float64 input of ``shape`` (positive, away from 0, for the ``lp_pool`` cases)."""
    rng = np.random.default_rng(case_seed(name))
    x_np = rng.standard_normal(shape)
    if name.startswith("lp_pool"):
        x_np = np.abs(x_np) + 0.5
    x = T.tensor(x_np, requires_grad=True)
    y = call(F, x)
    g = T.tensor(rng.standard_normal(tuple(y.shape)), requires_grad=True)
    gx, = T.autograd.grad(y, x, g, create_graph=True)
    w = T.tensor(rng.standard_normal(shape))
    gg, gxx = T.autograd.grad((gx * w).sum(), (g, x), allow_unused=True)
    return {"gx": gx.detach().numpy().copy(), "gg": gg.detach().numpy().copy(),
            "gxx": None if gxx is None else gxx.detach().numpy().copy()}
