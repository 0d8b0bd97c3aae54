"""Gradients of complex tensors against PyTorch 2.13: its conjugate convention (for a real loss
``L`` of a complex ``z`` the gradient is ``dL/dRe(z) + i dL/dIm(z)``; a holomorphic op passes
back ``g * conj(f'(z))``, matmul ``g @ b^H`` and ``a^H @ g``), and a clear RuntimeError from
every op that has not declared complex support, instead of a silently wrong gradient.

Each case runs an op on random complex (and real) inputs and takes the inputs' gradients twice:
(A) with a random complex ``grad_outputs`` (complex gradients start at the root) and (B) from a
real loss ``sum(imag(out * w)) + sum(|out|)`` (they start at ``imag`` and ``abs``). A few cases
also take a second derivative. PyTorch's values, dtypes and node names are recorded in
``tests/data/complex_grad.npz`` / ``.json``, so the tests run without torch; with torch
installed each record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_complex_grad.py``.
"""
from __future__ import annotations

import inspect
import json
import os
import warnings
import zlib

import numpy as np
import pytest

import numtorch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "complex_grad.npz")
RECORD_JSON = os.path.join(DATA, "complex_grad.json")

C64, C128, F32, F64 = "complex64", "complex128", "float32", "float64"


def _rng(name: str):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _array(rng, shape, dtype):
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def case(fn, *specs, grad=None):
    """``fn(T, *inputs)``; ``specs``: ``(shape, dtype)`` per input; ``grad``: which inputs
    require grad (all by default)."""
    return fn, specs, grad


def _pos(T, x):          # away from the branch cuts and zeros of log / sqrt / pow
    return x * 0.5 + 2.0


CASES = {
    # holomorphic pointwise functions
    "exp": case(lambda T, a: a.exp(), ((2, 3), C128)),
    "exp_c64": case(lambda T, a: T.exp(a), ((4,), C64)),
    "expm1": case(lambda T, a: T.expm1(a), ((5,), C128)),
    "exp2": case(lambda T, a: T.exp2(a), ((5,), C128)),
    "log": case(lambda T, a: T.log(a), ((5,), C128)),
    "log2": case(lambda T, a: T.log2(a), ((5,), C128)),
    "log10": case(lambda T, a: T.log10(a), ((5,), C128)),
    "log1p": case(lambda T, a: T.log1p(a), ((5,), C128)),
    "sqrt": case(lambda T, a: a.sqrt(), ((2, 3), C128)),
    "sqrt_c64": case(lambda T, a: a.sqrt(), ((6,), C64)),
    "rsqrt": case(lambda T, a: T.rsqrt(a), ((5,), C128)),
    "square": case(lambda T, a: T.square(a), ((5,), C128)),
    "reciprocal": case(lambda T, a: a.reciprocal(), ((5,), C128)),
    "sin": case(lambda T, a: T.sin(a), ((5,), C128)),
    "cos": case(lambda T, a: T.cos(a), ((5,), C128)),
    "tan": case(lambda T, a: T.tan(a), ((5,), C128)),
    "sinh": case(lambda T, a: T.sinh(a), ((5,), C128)),
    "cosh": case(lambda T, a: T.cosh(a), ((5,), C128)),
    "tanh": case(lambda T, a: T.tanh(a), ((5,), C128)),
    "sigmoid": case(lambda T, a: T.sigmoid(a), ((5,), C128)),
    "asin": case(lambda T, a: T.asin(a), ((5,), C128)),
    "acos": case(lambda T, a: T.acos(a), ((5,), C128)),
    "atan": case(lambda T, a: T.atan(a), ((5,), C128)),
    "sinc": case(lambda T, a: T.sinc(a), ((5,), C128)),
    "pow_int": case(lambda T, a: a ** 3, ((5,), C128)),
    "pow_float": case(lambda T, a: _pos(T, a) ** 1.5, ((5,), C128)),
    "pow_complex_scalar": case(lambda T, a: _pos(T, a) ** (0.5 - 1j), ((5,), C128)),
    "pow_tensor": case(lambda T, a, b: _pos(T, a) ** b, ((2, 3), C128), ((2, 3), C128)),
    "pow_scalar_base": case(lambda T, a: 2.5 ** a, ((5,), C128)),
    "addcmul": case(lambda T, a, b, c: T.addcmul(a, b, c, value=0.5), ((3,), C128), ((3,), C128),
                    ((3,), C128)),
    "addcdiv": case(lambda T, a, b, c: T.addcdiv(a, b, c + 3, value=2), ((3,), C128),
                    ((3,), C128), ((3,), C128)),
    # products
    "matmul": case(lambda T, a, b: a @ b, ((3, 4), C128), ((4, 2), C128)),
    "matmul_c64": case(lambda T, a, b: T.matmul(a, b), ((2, 3), C64), ((3, 3), C64)),
    "matmul_batched": case(lambda T, a, b: a @ b, ((2, 3, 4), C128), ((4, 2), C128)),
    "matmul_vec_mat": case(lambda T, a, b: a @ b, ((3,), C128), ((2, 3, 4), C128)),
    "matmul_mat_vec": case(lambda T, a, b: a @ b, ((2, 3, 4), C128), ((4,), C128)),
    "mm": case(lambda T, a, b: T.mm(a, b), ((3, 4), C128), ((4, 2), C128)),
    "bmm": case(lambda T, a, b: T.bmm(a, b), ((2, 3, 4), C128), ((2, 4, 2), C128)),
    "mv": case(lambda T, a, b: T.mv(a, b), ((3, 4), C128), ((4,), C128)),
    "dot": case(lambda T, a, b: T.dot(a, b), ((4,), C128), ((4,), C128)),
    "outer": case(lambda T, a, b: T.outer(a, b), ((3,), C128), ((4,), C128)),
    "addmm": case(lambda T, c, a, b: T.addmm(c, a, b), ((3, 2), C128), ((3, 4), C128),
                  ((4, 2), C128)),
    "addmm_alpha_beta": case(lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=-2.0),
                             ((2,), C128), ((3, 4), C128), ((4, 2), C128)),
    "linear": case(lambda T, x, w, b: T.nn.functional.linear(x, w, b), ((3, 4), C128),
                   ((2, 4), C128), ((2,), C128)),
    "linear_nobias": case(lambda T, x, w: T.nn.functional.linear(x, w), ((3, 4), C128),
                          ((2, 4), C128)),
    "linear_nd": case(lambda T, x, w, b: T.nn.functional.linear(x, w, b), ((2, 3, 4), C64),
                      ((2, 4), C64), ((2,), C64)),
    "einsum_mm": case(lambda T, a, b: T.einsum("ij,jk->ik", a, b), ((3, 4), C128),
                      ((4, 2), C128)),
    "einsum_three": case(lambda T, a, b, c: T.einsum("ij,jk,k->i", a, b, c), ((2, 3), C128),
                         ((3, 4), C128), ((4,), C128)),
    "einsum_diag_sum": case(lambda T, a: T.einsum("ii->", a), ((3, 3), C128)),
    "trace": case(lambda T, a: T.trace(a), ((3, 3), C128)),
    "vecdot": case(lambda T, a, b: T.linalg.vecdot(a, b), ((2, 3), C128), ((2, 3), C128)),
    # reductions
    "sum": case(lambda T, a: a.sum(), ((2, 3), C128)),
    "sum_dim": case(lambda T, a: a.sum(1, keepdim=True), ((2, 3), C128)),
    "mean": case(lambda T, a: a.mean(), ((2, 3), C128)),
    "mean_dim": case(lambda T, a: a.mean(0), ((2, 3), C64)),
    "prod": case(lambda T, a: a.prod(), ((4,), C128)),
    "prod_dim": case(lambda T, a: a.prod(1), ((2, 3), C128)),
    "cumsum": case(lambda T, a: a.cumsum(0), ((4,), C128)),
    "cumprod": case(lambda T, a: a.cumprod(1), ((2, 3), C128)),
    "logsumexp": case(lambda T, a: T.logsumexp(a, 1), ((2, 3), C128)),
    "var": case(lambda T, a: a.var(), ((2, 3), C128)),
    "std_dim": case(lambda T, a: a.std(1), ((2, 3), C128)),
    "var_mean": case(lambda T, a: T.var_mean(a, 0), ((3, 2), C128)),
    # arithmetic, also with real operands that require grad
    "add_sub_neg": case(lambda T, a, b: -(a + b) - 2 * a, ((3,), C128), ((3,), C128)),
    "mul_div": case(lambda T, a, b: a * b / (b + 3), ((3,), C128), ((3,), C128)),
    "real_times_complex": case(lambda T, x, b: x * b, ((3,), F64), ((3,), C128)),
    "real_plus_complex": case(lambda T, x, b: (x + b).exp(), ((3,), F64), ((3,), C128)),
    "real_times_complex_const": case(lambda T, x, b: (x * b).exp(), ((3,), F64), ((3,), C128),
                                     grad=(True, False)),
    "real_to_complex": case(lambda T, x: (x.to(T.complex128) * (1 + 2j)).exp(), ((3,), F64)),
    "complex_to_real": case(lambda T, a: a.exp().to(T.float64) * 2, ((3,), C128)),
    "abs_chain": case(lambda T, a: (a @ a).abs() ** 2, ((2, 2), C128)),
    "where": case(lambda T, a, b: T.where(a.real > 0, a.exp(), b), ((5,), C128), ((5,), C128)),
    # complex construction and parts
    "complex_polar": case(lambda T, r, t: T.complex(r, t).exp() + T.polar(r.abs() + 1, t),
                          ((3,), F64), ((3,), F64)),
    "view_as_real_complex": case(lambda T, a: T.view_as_complex(T.view_as_real(a.sqrt()) * 2),
                                 ((3,), C128)),
    "real_imag_angle": case(lambda T, a: a.real * a.imag + a.angle() + (a * a).conj().real,
                            ((4,), C128)),
    # shapes and indexing
    "views": case(lambda T, a: (a.reshape(3, 2).t().unsqueeze(0) * 2).squeeze(0).flatten(),
                  ((2, 3), C128)),
    "permute_expand": case(lambda T, a: a.permute(1, 0).expand(2, 3, 2).exp(), ((2, 3), C128)),
    "index_slice": case(lambda T, a: a[1:, ::2].exp() + a[0, 0], ((3, 4), C128)),
    "index_advanced": case(lambda T, a: a[[0, 2, 0]] ** 2, ((3, 2), C128)),
    "cat_stack": case(lambda T, a, b: T.stack([T.cat([a, b]), T.cat([b, a])]).exp(),
                      ((2,), C128), ((2,), C128)),
    "split_unbind": case(lambda T, a: a.split(1)[1].exp() + a.unbind(0)[0], ((2, 3), C128)),
    "gather_index_select": case(lambda T, a: a.gather(1, T.tensor([[0, 0], [2, 1]])) +
                                a.index_select(1, T.tensor([2, 0])), ((2, 3), C128)),
    "masked_fill_take": case(lambda T, a: a.masked_fill(a.real > 0, 0.5).exp() +
                             T.take(a, T.tensor([0, 4, 4, 1])).sum(), ((2, 3), C128)),
    "flip_roll_tril": case(lambda T, a: a.flip(0).roll(1, 1).tril() ** 2, ((3, 3), C128)),
    "repeat_diag": case(lambda T, a: a.repeat(2, 1).diagonal().exp() + T.diag(a[0]).sum(),
                        ((2, 2), C128)),
    "clone_contiguous": case(lambda T, a: a.t().contiguous().clone() ** 2, ((2, 3), C128)),
    "rot90_block_diag": case(lambda T, a, b: T.block_diag(T.rot90(a), b) ** 2, ((2, 2), C128),
                             ((1, 2), C128)),
    "inplace_ops": case(lambda T, a: (a + 1).mul_(2).add_(a.exp()).sqrt_(), ((3,), C128)),
    "setitem": case(lambda T, a, b: _setitem(T, a, b), ((3,), C128), ((2,), C128)),
    "index_put": case(lambda T, a, b: _index_put(T, a, b), ((2, 3), C128), ((2,), C128)),
    "scatter_index_add": case(lambda T, a, b: a.scatter(1, T.tensor([[2, 0]]), b) ** 2 +
                              a.index_add(1, T.tensor([1, 1]), b.expand(2, 2), alpha=2),
                              ((2, 3), C128), ((1, 2), C128)),
    "scatter_add_masked_select": case(lambda T, a, b: a.scatter_add(0, T.tensor([[1, 0, 1]]), b)
                                      + a.masked_select(a.real > 0).sum(),
                                      ((2, 3), C128), ((1, 3), C128)),
    "fill_tensor": case(lambda T, a, b: a.exp() + (a * 1).fill_(b.sum()), ((2, 2), C128),
                        ((2,), C128)),
    # fft in a chain
    "fft_chain": case(lambda T, a: T.fft.ifft(T.fft.fft(a).exp()), ((4,), C128)),
    "irfft_chain": case(lambda T, a: T.fft.irfft(a.exp(), n=6), ((4,), C128)),
}


def _index_put(T, a, b):
    c = a * 2
    c[[0, 1], [2, 0]] = b.exp()
    return c.sin()


def _setitem(T, a, b):
    c = a * 1
    c[1:] = b.exp()
    return c * c


# second derivatives: the gradient recorded with create_graph, then differentiated again
DOUBLE = {
    "exp": case(lambda T, a: a.exp(), ((3,), C128)),
    "matmul": case(lambda T, a, b: a @ b, ((2, 3), C128), ((3, 2), C128)),
    "sigmoid_pow": case(lambda T, a: T.sigmoid(a) ** 2, ((3,), C128)),
    "log_mul": case(lambda T, a, b: (a * b + 4).log(), ((3,), C128), ((3,), C128)),
}


def _inputs(T, name, specs, grad):
    rng = _rng(name)
    arrays = [_array(rng, shape, dt) for shape, dt in specs]
    need = grad or (True,) * len(specs)
    return [T.tensor(a, requires_grad=g) for a, g in zip(arrays, need)]


def _weights(T, rng, outs):
    """Per output: a random gradient (complex for complex outputs) and a complex weight."""
    G, W = [], []
    for o in outs:
        shape = tuple(o.shape)
        G.append(T.tensor(_array(rng, shape, C128 if o.is_complex() else F64)).to(o.dtype))
        W.append(T.tensor(_array(rng, shape, C128)).to(
            o.dtype if o.is_complex() else (T.complex64 if o.dtype == T.float32 else T.complex128)))
    return G, W


def _loss_b(T, outs, W):
    total = 0
    for o, w in zip(outs, W):
        total = total + (o * w).imag.sum() + (o.abs().sum() if o.is_complex() else 0)
    return total


def _np(t):
    return None if t is None else t.detach().resolve_conj().resolve_neg().numpy().copy()


def compute(T, name, fn, specs, grad):
    """Outputs, node names and both sets of gradients of one case, with library ``T``."""
    xs = _inputs(T, name, specs, grad)
    out = fn(T, *xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    req = [x for x in xs if x.requires_grad]
    G, W = _weights(T, _rng(name + "/w"), outs)
    ga = T.autograd.grad(outs, req, grad_outputs=G, allow_unused=True, retain_graph=True)
    out2 = fn(T, *xs)
    outs2 = list(out2) if isinstance(out2, (tuple, list)) else [out2]
    gb = T.autograd.grad(_loss_b(T, outs2, W), req, allow_unused=True)
    return {"out": [_np(o) for o in outs], "A": [_np(g) for g in ga], "B": [_np(g) for g in gb],
            "facts": {"out_dtype": [str(o.dtype) for o in outs],
                      "grad_fn": [o.grad_fn.name() for o in outs],
                      "A_dtype": [None if g is None else str(g.dtype) for g in ga],
                      "B_dtype": [None if g is None else str(g.dtype) for g in gb]}}


def compute_double(T, name, fn, specs, grad):
    xs = _inputs(T, "double/" + name, specs, grad)
    rng = _rng("double/" + name + "/w")
    out = fn(T, *xs)
    w = T.tensor(_array(rng, tuple(out.shape), C128))
    gs = T.autograd.grad((out * w).real.sum(), xs, create_graph=True)
    v = [T.tensor(_array(rng, tuple(x.shape), C128)) for x in xs]
    second = T.autograd.grad(sum((g * c).real.sum() for g, c in zip(gs, v)), xs)
    return {"out": [_np(g) for g in gs], "A": [_np(g) for g in second], "B": [],
            "facts": {"A_dtype": [str(g.dtype) for g in second]}}


def _all_cases():
    for name, (fn, specs, grad) in CASES.items():
        yield name, lambda T, fn=fn, specs=specs, grad=grad, name=name: compute(T, name, fn,
                                                                              specs, grad)
    for name, (fn, specs, grad) in DOUBLE.items():
        yield "double/" + name, (lambda T, fn=fn, specs=specs, grad=grad, name=name:
                                 compute_double(T, name, fn, specs, grad))


def _flatten(name, res):
    arrays = {}
    for part in ("out", "A", "B"):
        for i, a in enumerate(res[part]):
            if a is not None:
                arrays[f"{name}/{part}{i}"] = a
    facts = dict(res["facts"])
    facts["present"] = {part: [a is not None for a in res[part]] for part in ("out", "A", "B")}
    return arrays, facts


def regenerate():
    """PyTorch's answers for every case (run by tests/data/regen_complex_grad.py)."""
    import torch
    arrays, facts = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, run in _all_cases():
            a, f = _flatten(name, run(torch))
            arrays.update(a)
            facts[name] = f
    return arrays, facts


_RECORD = None


def _record():
    global _RECORD
    if _RECORD is None:
        with open(RECORD_JSON, encoding="utf-8") as f:
            facts = json.load(f)
        with np.load(RECORD_NPZ) as z:
            arrays = {k: z[k] for k in z.files}
        _RECORD = arrays, facts
    return _RECORD


def _tol(a):
    return (2e-4, 2e-5) if a.dtype in (np.complex64, np.float32) else (1e-9, 1e-10)


# node names numtorch shows differently, for real tensors as well (not a gradient matter):
# einsum's node (PyTorch shows the view after its bmm), flatten's view, and x ** (complex
# number), which numtorch records as a power with a tensor exponent
_NAMES_DIFFER = {"einsum_mm", "einsum_three", "einsum_diag_sum", "views", "pow_complex_scalar"}


def _check_against(name, res, arrays, facts, what):
    got_arrays, got_facts = _flatten(name, res)
    want_facts = dict(facts[name])
    if name in _NAMES_DIFFER and what.startswith("numtorch"):
        assert got_facts.pop("grad_fn") != want_facts.pop("grad_fn")   # still differs: drop me
    assert got_facts == want_facts, f"{what}: {name}"
    assert sorted(got_arrays) == sorted(k for k in arrays if k.startswith(name + "/")), name
    for key, a in got_arrays.items():
        want = arrays[key]
        assert a.dtype == want.dtype, (key, a.dtype, want.dtype)
        rtol, atol = _tol(want)
        np.testing.assert_allclose(a, want, rtol=rtol, atol=atol, err_msg=f"{what}: {key}")


CASE_NAMES = [n for n, _ in _all_cases()]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_matches_pytorch(name):
    arrays, facts = _record()
    run = dict(_all_cases())[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run(numtorch)
    _check_against(name, res, arrays, facts, "numtorch vs recorded PyTorch")


def test_record_is_live_pytorch():
    """One test for every case (needs live torch): the record still equals PyTorch."""
    torch = pytest.importorskip("torch")
    arrays, facts = _record()
    for name, run in _all_cases():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run(torch)
        _check_against(name, res, arrays, facts, "record vs live PyTorch")


def test_holomorphic_rule_by_hand():
    # d/dz exp(z) = exp(z): PyTorch's gradient for the seed g is g * conj(exp(z)) (no torch)
    z0 = np.array([0.3 + 0.7j, -1.2 + 0.1j])
    g0 = np.array([1.0 - 2.0j, 0.5 + 0.25j])
    z = numtorch.tensor(z0, requires_grad=True)
    z.exp().backward(numtorch.tensor(g0))
    np.testing.assert_allclose(z.grad.numpy(), g0 * np.conj(np.exp(z0)), rtol=1e-14)
    # |z|^2 = z conj(z): the gradient of sum |a @ b|^2 w.r.t. a is 2 (a @ b) @ b^H
    rng = _rng("by_hand")
    a0, b0 = _array(rng, (2, 3), C128), _array(rng, (3, 2), C128)
    a, b = numtorch.tensor(a0, requires_grad=True), numtorch.tensor(b0, requires_grad=True)
    (a @ b).abs().pow(2).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * (a0 @ b0) @ b0.conj().T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), 2 * a0.conj().T @ (a0 @ b0), rtol=1e-12)


def test_retain_graph_twice_accumulates():
    z0 = np.array([0.5 + 1j, -0.25 + 0.5j])
    z = numtorch.tensor(z0, requires_grad=True)
    loss = (z.exp() @ z.sin()).abs()
    loss.backward(retain_graph=True)
    first = z.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * first, rtol=1e-14)
    # the gradient itself, from the chain rule by hand: |f| with f = sum exp(z) sin(z)
    f = np.sum(np.exp(z0) * np.sin(z0))
    df = np.exp(z0) * np.sin(z0) + np.exp(z0) * np.cos(z0)
    np.testing.assert_allclose(first, f / abs(f) * np.conj(df), rtol=1e-12)


def test_finite_differences():
    # dL/dRe + i dL/dIm by central differences, for a loss through exp, matmul, pow and var
    rng = _rng("finite_differences")
    a0, b0 = _array(rng, (2, 2), C128), _array(rng, (2, 2), C128)

    def loss(T, a, b):
        m = (a.exp() @ b + 2) ** 1.5
        return m.abs().sum() + (m * m).var() + (a.sigmoid() * b).imag.sum()

    a = numtorch.tensor(a0, requires_grad=True)
    loss(numtorch, a, numtorch.tensor(b0)).backward()
    want = np.zeros_like(a0)
    h = 1e-6
    for idx in np.ndindex(a0.shape):
        for unit in (1, 1j):
            d = np.zeros_like(a0)
            d[idx] = h * unit
            up = loss(numtorch, numtorch.tensor(a0 + d), numtorch.tensor(b0)).item()
            down = loss(numtorch, numtorch.tensor(a0 - d), numtorch.tensor(b0)).item()
            want[idx] += unit * (up - down) / (2 * h)
    np.testing.assert_allclose(a.grad.numpy(), want, rtol=1e-6, atol=1e-7)


# -- ops that have not declared complex support refuse to differentiate ----------------------

def _undeclared_graph():
    z = numtorch.tensor(np.array([1 + 2j, -1 + 0.5j, 0.3 - 1j]), requires_grad=True)
    return z, z.nan_to_num()     # numtorch computes it on complex tensors, with no gradient


@pytest.mark.parametrize("start", ["seed", "real", "imag", "abs", "angle", "view_as_real",
                                   "to_real", "var", "irfft", "through_declared_ops"])
def test_undeclared_op_raises(start):
    z, r = _undeclared_graph()
    below = r.exp() * 2                  # declared ops above the undeclared one
    run = {
        "seed": lambda: below.backward(numtorch.ones(3, dtype=numtorch.complex128)),
        "real": lambda: below.real.sum().backward(),
        "imag": lambda: below.imag.sum().backward(),
        "abs": lambda: below.abs().sum().backward(),
        "angle": lambda: below.angle().sum().backward(),
        "view_as_real": lambda: numtorch.view_as_real(below).sum().backward(),
        "to_real": lambda: below.to(numtorch.float64).sum().backward(),
        "var": lambda: below.var().backward(),
        "irfft": lambda: numtorch.fft.irfft(below).sum().backward(),
        "through_declared_ops": lambda: (below @ below).abs().backward(),
    }[start]
    with pytest.raises(RuntimeError, match=r"^NanToNumBackward0: numtorch does not compute "
                                           r"gradients through this op for complex tensors yet"), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")          # to_real: "Casting complex values to real ..."
        run()
    assert z.grad is None                # raised before any gradient reached the leaf


class _RealOut(numtorch.autograd.Function):
    """Real output, real gradient for its complex input: the engine casts that gradient."""

    @staticmethod
    def forward(ctx, z):
        return z.real * 1

    @staticmethod
    def backward(ctx, g):
        return g


def test_undeclared_op_below_a_cast_raises():
    z, r = _undeclared_graph()
    with pytest.raises(RuntimeError, match="NanToNumBackward0"):
        _RealOut.apply(r.exp()).sum().backward()
    x = numtorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = numtorch.zeros(3, dtype=numtorch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w.copy_(r)                              # a complex source copied into a real tensor
    with pytest.raises(RuntimeError, match="NanToNumBackward0"):
        (w * x).sum().backward()
    assert z.grad is None


def test_undeclared_op_that_does_not_run_is_fine():
    # autograd.grad stops at the tensor asked for: the undeclared node below it never runs
    z, r = _undeclared_graph()
    y = r.exp()
    g, = numtorch.autograd.grad(y.abs().sum(), y)
    want = y.detach().numpy() / np.abs(y.detach().numpy())
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-12)
    with pytest.raises(RuntimeError, match="NanToNumBackward0"):
        numtorch.autograd.grad(y.abs().sum(), z)


def test_real_graphs_and_declared_ops_unaffected():
    x = numtorch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x.relu().exp().sum().backward()        # relu is undeclared: real gradients never check it
    np.testing.assert_allclose(x.grad.numpy(), [np.exp(0.5), 0.0, np.exp(2.0)], rtol=1e-6)
    z = numtorch.tensor(np.array([1 + 1j]), requires_grad=True)
    with numtorch.no_grad():
        z.nan_to_num()                     # forward without a graph is fine
    y = z.exp()
    y.nan_to_num()                         # recording an undeclared node is fine too
    y.abs().sum().backward()               # ... as long as no complex gradient reaches it
    np.testing.assert_allclose(z.grad.numpy(), [np.e], rtol=1e-12)     # |exp(z)| = exp(Re z)


def test_user_function_keeps_its_own_backward():
    class Twice(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            return z * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    z = numtorch.tensor(np.array([1 + 1j, 2 - 1j]), requires_grad=True)
    Twice.apply(z).exp().abs().sum().backward()
    want = 2 * np.exp(2 * z.detach().numpy()) / np.abs(np.exp(2 * z.detach().numpy())) \
        * np.conj(np.exp(2 * z.detach().numpy()))
    np.testing.assert_allclose(z.grad.numpy(), want, rtol=1e-12)


def test_declaration_must_cover_the_backward_in_use():
    from numtorch.autograd.engine import _complex_mode
    from numtorch.autograd.function import Function, HOLOMORPHIC
    from numtorch.ops.math import Exp, Abs

    class Declared(Function):            # (a module of numtorch's: a built-in, not a user's)
        __module__ = "numtorch.ops.example"
        _raw = True
        complex_grad = True

        @staticmethod
        def backward(ctx, g):
            return (g,)

    class Overrides(Declared):         # a new backward below the declaration: undeclared
        __module__ = "numtorch.ops.example"
        _raw = True

        @staticmethod
        def backward(ctx, g):
            return (2 * g,)

    class Inherits(Declared):
        __module__ = "numtorch.ops.example"
        _raw = True

    assert _complex_mode(Exp) == HOLOMORPHIC and _complex_mode(Abs) is True
    assert _complex_mode(Declared) is True and _complex_mode(Inherits) is True
    assert _complex_mode(Overrides) is None


# -- every op on complex inputs: gradients through declared nodes only, or a RuntimeError --------

_SKIP = {"manual_seed", "seed", "save", "load", "set_default_dtype", "set_printoptions", "compile",
         "set_grad_enabled", "use_deterministic_algorithms", "set_num_threads",
         "set_default_tensor_type", "set_default_device", "set_rng_state", "set_flush_denormal",
         "set_num_interop_threads", "set_warn_always", "set_deterministic_debug_mode",
         "set_float32_matmul_precision", "set_anomaly_enabled", "set_printoptions"}


def _complex_nodes(outs):
    """The nodes of the graph of ``outs`` with a complex input or output."""
    from numtorch.autograd.engine import _complex_mode
    found = []
    stack = [(o.grad_fn, o._data.dtype) for o in outs]
    seen = set()
    while stack:
        node, dt = stack.pop()
        if node is None or node in seen or not hasattr(node, "_next"):
            continue
        seen.add(node)
        dts = [dt] + [e[2] if type(e) is tuple else e._data.dtype for e in node._next
                      if e is not None]
        if any(d.kind == "c" for d in dts):
            found.append((node._name, _complex_mode(type(node))))
        stack.extend((e[0], e[2]) for e in node._next if type(e) is tuple)
    return found


def test_every_op_declares_or_refuses():
    rng = _rng("every_op")
    silent, checked = [], 0
    for name in sorted(n for n in dir(numtorch) if not n.startswith("_")):
        fn = getattr(numtorch, name)
        if name in _SKIP or not callable(fn) or inspect.isclass(fn) or inspect.ismodule(fn):
            continue
        for nargs in (1, 2):
            args = [numtorch.tensor(_array(rng, (3, 3), C128), requires_grad=True)
                    for _ in range(nargs)]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    out = fn(*args)
            except Exception:  # noqa: BLE001 - ops that refuse complex inputs are fine
                continue
            outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
                    if isinstance(o, numtorch.Tensor) and o.grad_fn is not None
                    and (o.is_complex() or o.is_floating_point())]
            if not outs:
                break
            loss = sum(o.abs().sum() if o.is_complex() else o.sum() for o in outs)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    loss.backward()
            except RuntimeError as e:
                assert "for complex tensors yet" in str(e), (name, str(e))
                checked += 1
                break
            undeclared = [n for n, mode in _complex_nodes(outs) if mode is None]
            if undeclared:
                silent.append((name, undeclared))
            checked += 1
            break
    assert checked > 60
    assert not silent, f"undeclared nodes gave complex gradients: {silent}"
