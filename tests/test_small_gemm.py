"""Small matrix products bit-identical to PyTorch's CPU (MKL) results: numtorch/ops/_small_gemm.py.

PyTorch's products are recorded as digests (dtype, shape, MD5 of the bytes: bit for bit) in
``tests/data/oracle/small_gemm.json`` (``tests/_oracle.py``; regenerate with
``python tests/data/regen_oracle.py tests/test_small_gemm.py``) and checked live when torch is
installed.
"""
import numpy as np
import pytest

import numtorch
from numtorch.ops._small_gemm import _CAP, addmm_exact, matmul_exact, torch_uses_sequential
from _oracle import Oracle, digest

ORACLE = Oracle("small_gemm")

DTYPES = (np.float32, np.float64)
LAYOUTS = ("nn", "nt", "tn", "tt")


def ref_addmm(c, a, b, starts_at_c):
    """Plain Python: ``c + p0 + p1 + ...`` if the sum starts at c, else ``(p0 + p1 + ...) + c``."""
    t = a.dtype.type
    m, k = a.shape
    n = b.shape[1]
    out = np.empty((m, n), a.dtype)
    for i in range(m):
        for j in range(n):
            acc = t(c[j]) + t(a[i, 0] * b[0, j]) if starts_at_c else t(a[i, 0] * b[0, j])
            for l in range(1, k):
                acc = t(acc + t(a[i, l] * b[l, j]))
            out[i, j] = acc if starts_at_c else t(acc + c[j])
    return out


def ref_seq(a, b):
    """Plain Python: acc = a0*b0; acc = round(acc + round(a_l*b_l)) in k order, then + 0.0."""
    return ref_addmm(np.zeros(b.shape[1], a.dtype), a, b, starts_at_c=False)


def operands(rng, m, k, n, layout, dt):
    a = rng.standard_normal((m, k)).astype(dt)
    b = rng.standard_normal((k, n)).astype(dt)
    if layout[0] == "t":
        a = np.ascontiguousarray(a.T).T
    if layout[1] == "t":
        b = np.ascontiguousarray(b.T).T
    return a, b


def shapes(rng, count):
    """Random shapes, biased to the small region, plus a few big ones near the size cap."""
    out = []
    for i in range(count):
        m = int(rng.choice([rng.integers(1, 12), rng.integers(1, 300)]))
        k = int(rng.choice([rng.integers(1, 8), rng.integers(1, 150)]))
        n = int(rng.choice([rng.integers(1, 12), rng.integers(1, 40)]))
        out.append((m, k, n))
    out += [(_CAP // 16, 2, 8), (_CAP // 32, 4, 8), (4, _CAP // 32, 8), (_CAP // 8, 4, 2),
            (_CAP // 16, 16, 1), (2, _CAP // 8, 4), (3, 2, _CAP // 8)]
    return [s for s in out if s[0] * s[1] * s[2] <= _CAP]


def test_rule_examples():
    assert torch_uses_sequential(4, 2, 2, trans_b=True)       # XOR hidden layer forward
    assert torch_uses_sequential(2, 4, 2, trans_a=True)       # its weight gradient
    assert torch_uses_sequential(7, 1, 300)                   # k == 1: a single product
    assert not torch_uses_sequential(64, 64, 64)
    assert not torch_uses_sequential(10, 4, 4, trans_b=True)  # vectorized dot products


@pytest.mark.parametrize("dt", DTYPES)
def test_sequential_vs_python_reference(dt):
    """No torch needed: the exact path is the sequential float sum, for every layout."""
    rng = np.random.default_rng(3)
    n_exact = 0
    for layout in LAYOUTS:
        for _ in range(60):
            m, k, n = (int(v) for v in rng.integers(1, 10, 3))
            a, b = operands(rng, m, k, n, layout, dt)
            got = matmul_exact(a, b)
            assert got.dtype == dt and got.shape == (m, n) and got.flags.c_contiguous
            if torch_uses_sequential(m, k, n, layout[0] == "t", layout[1] == "t", dt == np.float64):
                n_exact += 1
                np.testing.assert_array_equal(got, ref_seq(a, b))
            else:
                np.testing.assert_allclose(got, a @ b, rtol=1e-5, atol=1e-5)
    assert n_exact > 100


@pytest.mark.parametrize("dt", DTYPES)
def test_sequential_for_every_k_and_result_shape(dt):
    """Every k from 2 to 40 in k order, for 1x1 results (the k products lie contiguous, where
    NumPy's reduce would sum pairwise) and for wider ones; magnitudes spread so that any other
    order rounds differently."""
    rng = np.random.default_rng(11)
    checked = 0
    for k in range(2, 41):
        for m, n in [(1, 1), (1, 2), (3, 1), (2, 3)]:
            if not torch_uses_sequential(m, k, n, double=dt == np.float64):
                continue
            a = (rng.standard_normal((m, k)) * 10.0 ** rng.integers(-4, 5, (m, k))).astype(dt)
            b = (rng.standard_normal((k, n)) * 10.0 ** rng.integers(-4, 5, (k, n))).astype(dt)
            c = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(dt)
            np.testing.assert_array_equal(matmul_exact(a, b), ref_seq(a, b), err_msg=f"{m}x{k}x{n}")
            # both operands row-major: BLAS op(A) = 'N', so the sum starts at c, except for a
            # one-column result of several rows (module docstring)
            starts_at_c = m == 1 if n == 1 else True
            np.testing.assert_array_equal(addmm_exact(c, a, b), ref_addmm(c, a, b, starts_at_c),
                                          err_msg=f"addmm {m}x{k}x{n}")
            checked += 1
    assert checked > 40


def test_signed_zero_and_bias_order():
    a = np.array([[-0.0, -0.0], [1e8, 1.0]], np.float32)
    b = np.array([[1.0], [1.0]], np.float32)
    out = matmul_exact(a, b)
    assert not np.signbit(out[0, 0]) and out[1, 0] == np.float32(1e8)
    out = addmm_exact(np.float32([-0.0]), a, b)
    assert np.signbit(out[0, 0])
    big = np.array([[1e8, 1.0], [1e8, 1.0]], np.float32)
    c = np.float32([-1e8, -1e8])
    # b a transposed view (F.linear): c added after the products: (1e8 + 1) - 1e8 = 0
    bt = np.ascontiguousarray(np.ones((2, 2), np.float32)).T
    assert np.array_equal(addmm_exact(c, big, bt), np.zeros((2, 2), np.float32))
    # b row-major: the sum starts at c: (-1e8 + 1e8) + 1 = 1
    assert np.array_equal(addmm_exact(c, big, np.ones((2, 2), np.float32)),
                          np.ones((2, 2), np.float32))
    # one-column result: starts at c only if a is a transposed view or it is 1x1
    assert addmm_exact(c[:1], big, b)[0, 0] == 0.0
    assert addmm_exact(c[:1], np.ascontiguousarray(big.T).T, b)[0, 0] == 1.0
    assert addmm_exact(c[:1], big[:1], b)[0, 0] == 1.0


def test_fallback_outside_region():
    rng = np.random.default_rng(0)
    a, b = operands(rng, 64, 64, 64, "nn", np.float32)
    np.testing.assert_array_equal(matmul_exact(a, b), np.matmul(a, b))
    i = np.ones((3, 2), np.int64)
    np.testing.assert_array_equal(matmul_exact(i, i.T), i @ i.T)


def _mm_cases(dt):
    """The exact-path products compared with PyTorch: (label, a, b, c), all layouts."""
    rng = np.random.default_rng(12345 if dt == np.float32 else 54321)
    for layout in LAYOUTS:
        for m, k, n in shapes(rng, 150):
            if not torch_uses_sequential(m, k, n, layout[0] == "t", layout[1] == "t",
                                         dt == np.float64):
                continue
            for rep in range(2):
                a, b = operands(rng, m, k, n, layout, dt)
                c = (rng.standard_normal(n) * 4).astype(dt)
                yield f"{layout} {m}x{k}x{n} #{rep}", layout, a, b, c


@pytest.mark.parametrize("dt", DTYPES)
def test_torch_parity_mm(dt):
    def th(torch):
        out = []
        for label, layout, a, b, c in _mm_cases(dt):
            ta = torch.from_numpy(a) if layout[0] == "n" else torch.from_numpy(a.T).t()
            tb = torch.from_numpy(b) if layout[1] == "n" else torch.from_numpy(b.T).t()
            out.append([label, digest((ta @ tb).numpy()),
                        digest(torch.addmm(torch.from_numpy(c), ta, tb).numpy())])
        return out

    want = ORACLE.answer(f"mm/{np.dtype(dt).name}", th)
    cases = list(_mm_cases(dt))
    assert len(cases) == len(want) and len(cases) > 200
    for (label, _, a, b, c), (wlabel, wmm, waddmm) in zip(cases, want):
        assert label == wlabel
        assert digest(matmul_exact(a, b)) == wmm, label
        assert digest(addmm_exact(c, a, b)) == waddmm, f"addmm {label}"


def _linear_cases(dt):
    rng = np.random.default_rng(7)
    for m, k, n in [(4, 2, 2), (4, 2, 1), (100, 2, 2), (1, 2, 2), (10, 3, 3), (3, 4, 3),
                    (128, 2, 4), (10, 1, 8), (2, 5, 3), (150, 3, 10)]:
        yield (m, k, n), [rng.standard_normal(s).astype(dt) for s in ((m, k), (n, k), n, (m, n))]


@pytest.mark.parametrize("dt", DTYPES)
def test_torch_parity_linear_forward_backward(dt):
    """numtorch's F.linear (addmm) and its gradients vs PyTorch, bit for bit."""
    def th(torch):
        out = []
        for _, (x, w, b, g) in _linear_cases(dt):
            tx, tw, tb = (torch.tensor(v, requires_grad=True) for v in (x, w, b))
            ty = torch.nn.functional.linear(tx, tw, tb)
            ty.backward(torch.from_numpy(g))
            out.append([ty.grad_fn.name(), digest(ty.detach().numpy()), digest(tx.grad.numpy()),
                        digest(tw.grad.numpy()), tb.grad])
        return out

    want = ORACLE.answer(f"linear/{np.dtype(dt).name}", th)
    checked = 0
    for ((m, k, n), (x, w, b, g)), (name, wy, wx, ww, wb) in zip(_linear_cases(dt), want):
        nx, nw, nb = (numtorch.tensor(v, requires_grad=True) for v in (x, w, b))
        ny = numtorch.nn.functional.linear(nx, nw, nb)
        ny.backward(numtorch.tensor(g))
        assert ny.grad_fn.name() == name
        if torch_uses_sequential(m, k, n, False, True, dt == np.float64):
            assert digest(ny.detach().numpy()) == wy, (m, k, n)
            checked += 1
        if torch_uses_sequential(m, n, k, False, False, dt == np.float64):
            assert digest(nx.grad.numpy()) == wx, (m, k, n)
        if torch_uses_sequential(n, m, k, True, False, dt == np.float64):
            assert digest(nw.grad.numpy()) == ww, (m, k, n)
        np.testing.assert_allclose(nb.grad.numpy(), wb.numpy(), rtol=1e-5, atol=1e-5)
    assert checked >= 8


_OPS = ("matmul", "mm", "addmm")


def _ops_cases():
    rng = np.random.default_rng(9)
    for m, k, n in [(4, 3, 2), (7, 2, 3), (5, 6, 4), (8, 20, 8), (1, 3, 1)]:
        yield (m, k, n), [rng.standard_normal(s).astype(np.float32)
                          for s in ((m, k), (k, n), n, (m, n))]


def _op(T, name, c):
    if name == "addmm":
        return lambda x, y: T.addmm(T.tensor(c), x, y)
    return getattr(T, name)


def test_torch_parity_matmul_and_addmm_ops():
    def th(torch):
        out = []
        for _, (a, b, c, g) in _ops_cases():
            for name in _OPS:
                ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
                ty = _op(torch, name, c)(ta, tb)
                ty.backward(torch.from_numpy(g))
                out.append([digest(ty.detach().numpy()), digest(ta.grad.numpy()),
                            digest(tb.grad.numpy())])
        return out

    want = iter(ORACLE.answer("matmul_addmm_ops", th))
    for (m, k, n), (a, b, c, g) in _ops_cases():
        for name in _OPS:
            wy, wa, wb = next(want)
            na, nb = numtorch.tensor(a, requires_grad=True), numtorch.tensor(b, requires_grad=True)
            ny = _op(numtorch, name, c)(na, nb)
            ny.backward(numtorch.tensor(g))
            assert torch_uses_sequential(m, k, n)
            assert digest(ny.detach().numpy()) == wy, (name, m, k, n)
            if torch_uses_sequential(m, n, k, False, True):
                assert digest(na.grad.numpy()) == wa, (name, m, k, n)
            if torch_uses_sequential(k, m, n, True, False):
                assert digest(nb.grad.numpy()) == wb, (name, m, k, n)
