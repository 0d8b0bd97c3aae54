"""Shared helpers of the nn tests: run one call in numtorch and compare with PyTorch's answer.

Values, dtypes, shapes, ``grad_fn`` names and the gradients of every input that requires grad
are compared. PyTorch's side comes from the file's recorded oracle (``tests/_oracle.py``), so
the tests run without torch; with torch installed the record is also checked against live
PyTorch.
"""
from __future__ import annotations

import zlib

import numpy as np

import numtorch


def rng_for(key: str) -> np.random.Generator:
    """The test's own generator, seeded from its key: the same inputs whichever tests ran."""
    return np.random.default_rng(zlib.crc32(key.encode()))


def nt(a, requires_grad=False):
    if a is None:
        return None
    return numtorch.tensor(a, requires_grad=requires_grad)


def th(torch, a, requires_grad=False):
    if a is None:
        return None
    return torch.tensor(a, requires_grad=requires_grad)


def _torch_side(torch, fn_th, arrays, grads, seed):
    """PyTorch's output and the gradients of its inputs (``None`` where none is wanted)."""
    a_th = [th(torch, a, g) for a, g in zip(arrays, grads)]
    out = fn_th(torch, *a_th)
    answer = {"out": out, "grads": None}
    if out.requires_grad:
        gout = np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(
            out.detach().numpy().dtype)
        (out * th(torch, gout)).sum().backward()
        answer["grads"] = [None if x is None or not x.requires_grad else x.grad for x in a_th]
    return answer


def compare(fn_nt, fn_th, arrays, grads, *, oracle, key, rtol=1e-6, atol=1e-7, seed=0,
            names=True):
    """``fn_nt(*tensors)`` against PyTorch's ``fn_th(torch, *tensors)`` (recorded in ``oracle``
    under ``key``); ``grads[i]`` says whether array i requires grad. Returns numtorch's output.

    Example::

        compare(lambda a: F.relu(a), lambda torch, a: torch.relu(a), [x], [True],
                oracle=ORACLE, key="relu")
    """
    want = oracle.answer(key, lambda torch: _torch_side(torch, fn_th, arrays, grads, seed))
    w_out = want["out"]
    a_nt = [nt(a, g) for a, g in zip(arrays, grads)]
    out_nt = fn_nt(*a_nt)
    assert tuple(out_nt.shape) == tuple(w_out.shape)
    assert str(out_nt.dtype) == str(w_out.dtype)
    np.testing.assert_allclose(out_nt.detach().numpy(), w_out.numpy(), rtol=rtol, atol=atol)
    assert out_nt.requires_grad == w_out.requires_grad
    if w_out.requires_grad:
        assert out_nt.grad_fn is not None
        if names:
            assert out_nt.grad_fn.name() == w_out.grad_fn.name()
        gout = np.random.default_rng(seed).standard_normal(tuple(w_out.shape)).astype(
            out_nt.detach().numpy().dtype)
        (out_nt * nt(gout)).sum().backward()
        for i, (x_nt, g_th) in enumerate(zip(a_nt, want["grads"])):
            if g_th is None:
                continue
            assert x_nt.grad is not None, f"input {i}: no grad"
            assert str(x_nt.grad.dtype) == str(g_th.dtype)
            np.testing.assert_allclose(x_nt.grad.numpy(), g_th.numpy(), rtol=rtol * 10,
                                       atol=atol * 10, err_msg=f"grad of input {i}")
    return out_nt


def gradcheck(fn, arrays, grads):
    """float64 numeric gradient check of ``fn`` over the arrays that require grad."""
    inputs = [None if a is None else numtorch.tensor(np.asarray(a, np.float64)
                                                     if np.asarray(a).dtype.kind == "f" else a,
                                                     requires_grad=g)
              for a, g in zip(arrays, grads)]
    assert numtorch.autograd.gradcheck(fn, tuple(inputs))


def error_of(fn):
    """``[type name, message]`` of the exception ``fn()`` raises, or None (the oracle's form)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return [type(e).__name__, str(e)]
    return None


def warning_texts(fn) -> list:
    """The messages of the warnings ``fn()`` shows, in order."""
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]
