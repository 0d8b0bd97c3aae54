"""Shared helpers of the nn tests: run one call in numtorch and in PyTorch and compare.

Values, dtypes, shapes and the gradients of every input that requires grad are compared.
"""
from __future__ import annotations

import numpy as np
import pytest

import numtorch


def nt(a, requires_grad=False):
    if a is None:
        return None
    return numtorch.tensor(a, requires_grad=requires_grad)


def th(torch, a, requires_grad=False):
    if a is None:
        return None
    return torch.tensor(a, requires_grad=requires_grad)


def compare(fn_nt, fn_th, arrays, grads, rtol=1e-6, atol=1e-7, seed=0, names=True):
    """``fn_*(*tensors)`` on both sides; ``grads[i]`` says whether array i requires grad."""
    torch = pytest.importorskip("torch")
    a_nt = [nt(a, g) for a, g in zip(arrays, grads)]
    a_th = [th(torch, a, g) for a, g in zip(arrays, grads)]
    out_nt = fn_nt(*a_nt)
    out_th = fn_th(*a_th)
    assert tuple(out_nt.shape) == tuple(out_th.shape)
    assert str(out_nt.dtype) == str(out_th.dtype)
    np.testing.assert_allclose(out_nt.detach().numpy(), out_th.detach().numpy(), rtol=rtol, atol=atol)
    if out_th.requires_grad:
        assert out_nt.grad_fn is not None
        if names:
            assert out_nt.grad_fn.name() == out_th.grad_fn.name()
        gout = np.random.default_rng(seed).standard_normal(tuple(out_th.shape)).astype(
            out_nt.detach().numpy().dtype)
        (out_nt * nt(gout)).sum().backward()
        (out_th * th(torch, gout)).sum().backward()
        for x_nt, x_th in zip(a_nt, a_th):
            if x_th is not None and x_th.requires_grad:
                assert x_nt.grad is not None
                assert str(x_nt.grad.dtype) == str(x_th.grad.dtype)
                np.testing.assert_allclose(x_nt.grad.numpy(), x_th.grad.numpy(), rtol=rtol * 10,
                                           atol=atol * 10)
    return out_nt


def gradcheck(fn, arrays, grads):
    """float64 numeric gradient check of ``fn`` over the arrays that require grad."""
    inputs = [None if a is None else numtorch.tensor(np.asarray(a, np.float64)
                                                     if np.asarray(a).dtype.kind == "f" else a,
                                                     requires_grad=g)
              for a, g in zip(arrays, grads)]
    assert numtorch.autograd.gradcheck(fn, tuple(inputs))


def error_of(fn):
    """(type, message) of the exception ``fn()`` raises."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return type(e).__name__, str(e)
    return None
