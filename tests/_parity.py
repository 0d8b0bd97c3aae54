"""The table-driven parity harness: run one lambda on numtorch and on PyTorch and compare.

A case is ``Case(id, fn, *specs)``: ``fn(T, *inputs)`` where ``T`` is the module (``torch`` or
``numtorch``) and the inputs are made from ``specs`` (the same NumPy data on both sides).
Compared: values, dtype names, shapes, ``grad_fn`` names, Python results (``tolist``,
``size()``, ...) and the gradients of every input that requires grad.
"""
from __future__ import annotations

import warnings

import numpy as np

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck


class Spec:
    """How to make one input: shape, kind and range; ``grad`` makes it require grad."""

    def __init__(self, shape, kind="f", lo=-2.0, hi=2.0, dtype=None, grad=None):
        self.shape, self.kind, self.lo, self.hi = tuple(shape), kind, lo, hi
        self.dtype = dtype or {"f": "float32", "i": "int64", "b": "bool"}[kind]
        self.grad = (kind == "f") if grad is None else grad

    def array(self, rng):
        if self.kind == "f":
            return rng.uniform(self.lo, self.hi, self.shape).astype(self.dtype)
        if self.kind == "i":
            return rng.integers(self.lo, self.hi, self.shape).astype(self.dtype)
        return rng.random(self.shape) < 0.5


def F(*shape, lo=-2.0, hi=2.0, dtype="float32", grad=True):
    """A float input (requires grad by default)."""
    return Spec(shape, "f", lo, hi, dtype, grad)


def D(*shape, lo=-2.0, hi=2.0, grad=True):
    """A float64 input."""
    return Spec(shape, "f", lo, hi, "float64", grad)


def P(*shape, grad=True, dtype="float32"):
    """A positive float input in [0.5, 2)."""
    return Spec(shape, "f", 0.5, 2.0, dtype, grad)


def N(*shape, dtype="float32"):
    """A float input that does not require grad."""
    return Spec(shape, "f", -2.0, 2.0, dtype, False)


def I(*shape, lo=0, hi=5, dtype="int64"):  # noqa: E743 - a short name for an int input
    return Spec(shape, "i", lo, hi, dtype, False)


def B(*shape):
    return Spec(shape, "b")


class Case:
    def __init__(self, id, fn, *specs, rtol=1e-5, atol=1e-6, values=True, names=True,
                 grads=True, seed=0):
        self.id, self.fn, self.specs = id, fn, specs
        self.rtol, self.atol, self.values, self.names, self.grads = rtol, atol, values, names, grads
        self.seed = seed

    def __repr__(self):
        return self.id


def _inputs(T, case, arrays):
    out = []
    for spec, a in zip(case.specs, arrays):
        out.append(T.tensor(a.copy(), requires_grad=spec.grad))
    return out


def _flat(result):
    """The tensors and plain values of a result, in order (tuples, lists, namedtuples)."""
    if isinstance(result, (tuple, list)) and not type(result).__name__ == "Size":
        items = []
        for r in result:
            items.extend(_flat(r))
        return items
    return [result]


def _is_tensor(x):
    return hasattr(x, "requires_grad") and hasattr(x, "grad_fn") and hasattr(x, "dtype")


def _compare_values(case, got, want, where):
    assert _is_tensor(got) == _is_tensor(want), f"{where}: {type(got)} vs {type(want)}"
    if _is_tensor(want):
        assert str(got.dtype) == str(want.dtype), f"{where}: dtype {got.dtype} vs {want.dtype}"
        assert tuple(got.shape) == tuple(want.shape), f"{where}: shape {tuple(got.shape)} vs " \
                                                      f"{tuple(want.shape)}"
        assert got.requires_grad == want.requires_grad, f"{where}: requires_grad"
        if case.names and want.grad_fn is not None:
            assert got.grad_fn is not None, f"{where}: no grad_fn, want {want.grad_fn.name()}"
            assert got.grad_fn.name() == want.grad_fn.name(), \
                f"{where}: grad_fn {got.grad_fn.name()} vs {want.grad_fn.name()}"
        if case.values:
            g, w = got.detach().numpy(), want.detach().numpy()
            if w.dtype.kind == "f":
                np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64),
                                           rtol=case.rtol, atol=case.atol, err_msg=where)
            else:
                np.testing.assert_array_equal(g, w, err_msg=where)
        return
    if type(want).__name__ in ("Size", "dtype", "device", "RecordedValue"):
        assert str(got) == str(want), where
        return
    if case.values:
        if isinstance(want, float):
            assert isinstance(got, float), where
            np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=where)
        else:
            assert type(got) is type(want), f"{where}: {type(got)} vs {type(want)}"
            assert got == want, f"{where}: {got!r} vs {want!r}"


def torch_answer(torch, case: Case) -> dict:
    """PyTorch's side of a case: its results and, through random output weights, input grads."""
    rng = np.random.default_rng(case.seed)
    arrays = [s.array(rng) for s in case.specs]
    x_th = _inputs(torch, case, arrays)
    f_th = _flat(case.fn(torch, *x_th))
    answer = {"results": f_th, "backward": None}
    if not case.grads:
        return answer
    wrng = np.random.default_rng(case.seed + 1)
    loss = None
    for w in f_th:
        if _is_tensor(w) and w.requires_grad and w.dtype.is_floating_point:
            weights = wrng.standard_normal(tuple(w.shape)).astype(str(w.dtype).split(".")[1])
            term = (w * torch.tensor(weights)).sum()
            loss = term if loss is None else loss + term
    if loss is None:
        return answer
    try:
        loss.backward()
    except RuntimeError as e:        # no derivative in PyTorch (floor_divide, ...): same error
        answer["backward"] = ["RuntimeError", str(e)]
        return answer
    answer["backward"] = "ok"
    answer["grads"] = [x.grad for x in x_th]
    return answer


def run_case(torch, case: Case, oracle=None):
    """Compare numtorch with PyTorch on ``case``: live (``oracle`` None) or through the record
    (``tests/_oracle.py``; then ``torch`` may be None)."""
    if oracle is not None:
        want = oracle.answer(case.id, lambda T: torch_answer(T, case), values=case.values)
    else:
        want = torch_answer(torch, case)
    rng = np.random.default_rng(case.seed)
    arrays = [s.array(rng) for s in case.specs]
    x_nt = _inputs(numtorch, case, arrays)
    f_nt, f_th = _flat(case.fn(numtorch, *x_nt)), list(want["results"])
    assert len(f_nt) == len(f_th), f"{len(f_nt)} results vs {len(f_th)}"
    for k, (g, w) in enumerate(zip(f_nt, f_th)):
        _compare_values(case, g, w, f"{case.id} result {k}")
    if not case.grads:
        return
    wrng = np.random.default_rng(case.seed + 1)
    loss_nt = None
    for g, w in zip(f_nt, f_th):
        if _is_tensor(w) and w.requires_grad and w.dtype.is_floating_point:
            weights = wrng.standard_normal(tuple(w.shape)).astype(str(w.dtype).split(".")[1])
            ln = (g * numtorch.tensor(weights)).sum()
            loss_nt = ln if loss_nt is None else loss_nt + ln
    if want["backward"] is None:
        assert loss_nt is None, f"{case.id}: PyTorch has no differentiable result here"
        return
    if want["backward"] != "ok":
        try:
            loss_nt.backward()
        except RuntimeError as e2:
            assert str(e2) == want["backward"][1], f"{case.id}: {e2} vs {want['backward'][1]}"
            return
        raise AssertionError(f"{case.id}: backward should raise {want['backward'][1]}")
    loss_nt.backward()
    for k, (a, b) in enumerate(zip(x_nt, want["grads"])):
        where = f"{case.id} grad of input {k}"
        if b is None:
            assert a.grad is None or not np.any(a.grad.numpy()), f"{where}: unexpected grad"
            continue
        assert a.grad is not None, f"{where}: missing"
        assert str(a.grad.dtype) == str(b.dtype), where
        assert tuple(a.grad.shape) == tuple(b.shape), where
        np.testing.assert_allclose(a.grad.numpy().astype(np.float64),
                                   b.numpy().astype(np.float64),
                                   rtol=case.rtol * 10, atol=case.atol * 10, err_msg=where)


def grad_checks(fn, shapes, seed: int) -> None:
    """``gradcheck`` and ``gradgradcheck`` of ``fn`` on float64 inputs of ``shapes`` (magnitudes
    0.5 to 2, random signs, drawn from ``seed``), warnings silenced."""
    rng = np.random.default_rng(seed)
    xs = tuple(numtorch.tensor(rng.uniform(0.5, 2.0, s) * rng.choice([-1, 1], s), requires_grad=True)
               for s in shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(fn, xs)
        assert gradgradcheck(fn, xs)
