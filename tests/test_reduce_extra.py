"""``torch.nanmean``, ``cov``, ``corrcoef``, ``vander``, ``renorm`` (and the Tensor methods)
against PyTorch 2.13.

Random shapes, dims, ``keepdim``, NaNs, weights, corrections, norms: values, shapes, dtypes,
grad_fn names and the input's gradient, through the recorded oracle
(tests/data/oracle/reduce_extra.*; ``python tests/data/regen_oracle.py
tests/test_reduce_extra.py`` rewrites it). Plus PyTorch's errors and warnings, float64 gradcheck
and gradgradcheck.

Values are compared to the bit where numtorch's parts are (``vander``); elsewhere within a few
ulps, because numtorch's ``sum`` and ``mm`` do not yet always add in PyTorch's order.
``vander``'s gradient is checked against mathematics: PyTorch 2.13's own backward raises there.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

from _oracle import Oracle, error

ORACLE = Oracle("reduce_extra")
TOL = {"float32": dict(rtol=2e-6, atol=2e-6), "float64": dict(rtol=1e-13, atol=1e-13)}


def _close(got, want, **tol) -> None:
    """Same shape and dtype, values within ``tol`` (the dtype's default)."""
    g, w = got.detach().numpy(), want.detach().numpy()
    assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(g, w, **(tol or TOL.get(str(g.dtype).replace("complex64", "float32")
                                                   .replace("complex128", "float64"), {})))


def _weights(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def _backward(T, x, y, w):
    """``(y * w).sum().backward()``; x's gradient (None when nothing flows)."""
    if not y.requires_grad:
        return None
    (y * T.tensor(w.reshape(tuple(y.shape)))).sum().backward()
    return x.grad


# -- nanmean ---------------------------------------------------------------------------------

def _nanmean_case(k: int) -> dict:
    rng = np.random.default_rng(2000 + k)
    shape = tuple(int(s) for s in rng.integers(1, 7, int(rng.integers(0, 4))))
    dtype = ("float32", "float64")[k % 2]
    a = rng.standard_normal(shape).astype(dtype)
    a[rng.random(shape) < 0.25] = np.nan
    if k % 9 == 4 and a.ndim:
        a[..., 0] = np.nan                        # whole NaN rows/slices: nan
    nd = max(a.ndim, 1)
    dims = (None, int(rng.integers(-nd, nd)), tuple(range(a.ndim)) or None, [0, -1][:a.ndim])
    return {"a": a, "dim": dims[k % 4], "keepdim": k % 3 == 1,
            "dtype": "float64" if k % 10 == 7 else None,
            "w": _weights(rng, a.size or 1, "float64" if k % 10 == 7 else dtype)}


def _nanmean_run(T, k: int, method: bool = False):
    c = _nanmean_case(k)
    x = T.tensor(c["a"], requires_grad=True)
    dtype = None if c["dtype"] is None else getattr(T, c["dtype"])
    f = x.nanmean if method else (lambda *a, **kw: T.nanmean(x, *a, **kw))
    y = f(c["dim"], c["keepdim"], dtype=dtype) if c["dim"] is not None else f(dtype=dtype)
    return y.detach(), y.grad_fn.name(), _backward(T, x, y, c["w"][:y.numel()])


@pytest.mark.parametrize("k", range(30))
def test_nanmean_as_pytorch(k):
    want = ORACLE.answer(f"nanmean/{k}", lambda T: _nanmean_run(T, k))
    got = _nanmean_run(numtorch, k, method=k % 2 == 1)
    _close(got[0], want[0])
    assert got[1] == want[1]
    _close(got[2], want[2])


def test_nanmean_by_hand_and_out():
    nan = float("nan")
    x = numtorch.tensor([[1.0, nan, 3.0], [nan, nan, nan]])
    assert numtorch.nanmean(x).item() == 2.0
    r = numtorch.nanmean(x, 1)
    assert r[0].item() == 2.0 and np.isnan(r[1].item())
    out = numtorch.empty(2, dtype=numtorch.float64)
    assert numtorch.nanmean(x, 1, out=out) is out and out.dtype == numtorch.float64
    assert out[0].item() == 2.0
    assert np.isnan(numtorch.nanmean(numtorch.ones(0)).item())    # 0 / 0, silently


# -- cov / corrcoef --------------------------------------------------------------------------

def _cov_case(k: int) -> dict:
    rng = np.random.default_rng(3000 + k)
    v, n = int(rng.integers(1, 5)), int(rng.integers(2, 9))
    dtype = ("float32", "float64")[k % 2]
    shape = ((v, n), (n,), (v, n), ())[k % 7 % 4] if k % 7 < 4 else (v, n)
    if shape == ():
        n = 1
    c = {"a": rng.standard_normal(shape).astype(dtype), "kw": {}}
    if k % 3 == 1:
        c["kw"]["fweights"] = rng.integers(0, 4, n) + (np.arange(n) == 0)
    if k % 4 == 2 or k % 12 == 1:
        c["kw"]["aweights"] = rng.random(n).astype(dtype) + 0.1
    if k % 5 == 3:
        c["kw"]["correction"] = int(rng.integers(-1, 3))
    c["w"] = _weights(rng, v * v, dtype)
    return c


def _kwargs(T, kw: dict) -> dict:
    return {k: T.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


def _cov_run(T, k: int, fn: str, method: bool = False):
    c = _cov_case(k)
    x = T.tensor(c["a"], requires_grad=True)
    kw = _kwargs(T, c["kw"]) if fn == "cov" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                   # the dof warning: tested below
        y = getattr(x, fn)(**kw) if method else getattr(T, fn)(x, **kw)
    return y.detach(), y.grad_fn.name(), _backward(T, x, y, c["w"][:y.numel()])


@pytest.mark.parametrize("fn", ["cov", "corrcoef"])
@pytest.mark.parametrize("k", range(30))
def test_cov_corrcoef_as_pytorch(fn, k):
    want = ORACLE.answer(f"{fn}/{k}", lambda T: _cov_run(T, k, fn))
    got = _cov_run(numtorch, k, fn, method=k % 2 == 1)
    tol = {} if k % 2 else dict(rtol=2e-5, atol=2e-5)       # float32: a few ulps of the sums
    _close(got[0], want[0], **tol)
    assert got[1] == want[1]
    _close(got[2], want[2], **(tol or dict(rtol=1e-10, atol=1e-10)))


def test_cov_by_hand():
    x = numtorch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])
    assert numtorch.cov(x).tolist() == [[1.0, -1.0], [-1.0, 1.0]]
    assert numtorch.cov(x, correction=0)[0, 0].item() == pytest.approx(2 / 3)
    # frequency weights repeat observations: (0, 1, 1, 2, 2, 2) has mean 4/3, var 0.5667
    fw = numtorch.tensor([1, 2, 3])
    assert numtorch.cov(x[0], fweights=fw).item() == pytest.approx(np.cov([0, 1, 1, 2, 2, 2]))
    aw = numtorch.tensor([0.5, 1.0, 2.0])
    want = np.cov([0.0, 1.0, 2.0], aweights=[0.5, 1.0, 2.0])
    assert numtorch.cov(x[0], aweights=aw).item() == pytest.approx(float(want), rel=1e-6)
    r = numtorch.corrcoef(numtorch.tensor([[0.0, 1.0, 2.0], [0.0, 2.0, 4.5]]))
    assert r[0, 0].item() == 1.0 and 0.99 < r[0, 1].item() < 1.0


@pytest.mark.parametrize("fn", ["cov", "corrcoef"])
def test_integer_and_complex_inputs(fn):
    rng = np.random.default_rng(5)
    ints = rng.integers(-5, 5, (3, 6))
    cplx = (rng.standard_normal((3, 6)) + 1j * rng.standard_normal((3, 6))).astype("complex64")

    def run(T):
        y = getattr(T, fn)(T.tensor(ints))
        z = T.tensor(cplx, requires_grad=True)
        c = getattr(T, fn)(z)
        (c.abs() ** 2).sum().backward()
        return y, c.detach(), c.grad_fn.name(), z.grad
    want = ORACLE.answer(f"{fn}/int_complex", run)
    got = run(numtorch)
    _close(got[0], want[0], rtol=1e-6, atol=1e-6)
    _close(got[1], want[1], rtol=1e-5, atol=1e-6)
    assert got[2] == want[2]
    _close(got[3], want[3], rtol=1e-4, atol=1e-5)


DOF = {
    "one_observation": lambda T: T.cov(T.ones(3, 1)),
    "correction_2": lambda T: T.cov(T.tensor([[1.0, 2.0], [0.0, 5.0]]), correction=2),
    "correction_5": lambda T: T.cov(T.tensor([[1.0, 2.0], [0.0, 5.0]]), correction=5),
    "zero_dim": lambda T: T.cov(T.tensor(2.0)),
    "no_observations": lambda T: T.cov(T.ones(2, 0)),
    "no_variables": lambda T: T.cov(T.ones(0, 3)),
    "fweights_correction": lambda T: T.cov(T.tensor([[1.0, 2.0]]), fweights=T.tensor([1, 1]),
                                           correction=3),
    "corrcoef_one_observation": lambda T: T.corrcoef(T.ones(2, 1)),
    "corrcoef_constant": lambda T: T.corrcoef(T.ones(2, 3)),
    "corrcoef_1d": lambda T: T.corrcoef(T.tensor([3.0, 1.0, 2.0])),
}


@pytest.mark.parametrize("name", list(DOF))
def test_degrees_of_freedom(name):
    def run(T):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            # as numtorch's own filter (its NumPy 0/0 warnings stay quiet, as PyTorch's do)
            warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numtorch\.")
            y = DOF[name](T)
        # PyTorch appends " (Triggered internally at <its C++ file>)": compared up to there
        return y, [str(w.message).split(" (Triggered internally")[0] for w in seen]
    want = ORACLE.answer(f"dof/{name}", run)
    got = run(numtorch)
    assert tuple(got[0].shape) == tuple(want[0].shape) and str(got[0].dtype) == str(want[0].dtype)
    np.testing.assert_array_equal(got[0].numpy(), want[0].detach().numpy())
    assert got[1] == list(want[1])


# -- vander ----------------------------------------------------------------------------------

def _vander_case(k: int) -> dict:
    rng = np.random.default_rng(4000 + k)
    n = int(rng.integers(0, 7))
    dtype = ("float32", "float64", "int64", "int32", "bool", "float32")[k % 6]
    a = rng.standard_normal(n) * 2 if dtype.startswith("float") else rng.integers(-4, 5, n)
    return {"a": a.astype(dtype), "N": None if k % 3 == 0 else int(rng.integers(0, 8)),
            "increasing": k % 4 == 1}


def _vander_run(T, k: int):
    c = _vander_case(k)
    x = T.tensor(c["a"])
    y = T.vander(x, N=c["N"], increasing=c["increasing"]) if k % 2 else \
        T.vander(x, c["N"], c["increasing"])
    x.requires_grad_(x.is_floating_point())
    yg = T.vander(x, N=c["N"], increasing=c["increasing"])
    return y, None if yg.grad_fn is None else yg.grad_fn.name()


@pytest.mark.parametrize("k", range(36))
def test_vander_as_pytorch(k):
    want = ORACLE.answer(f"vander/{k}", lambda T: _vander_run(T, k))
    got = _vander_run(numtorch, k)
    assert tuple(got[0].shape) == tuple(want[0].shape) and str(got[0].dtype) == str(want[0].dtype)
    np.testing.assert_array_equal(got[0].numpy(), want[0].detach().numpy())     # to the bit
    assert got[1] == want[1]


@pytest.mark.parametrize("increasing", [False, True])
def test_vander_gradient(increasing):
    # d/dx_i of x_i ** p is p * x_i ** (p - 1)
    rng = np.random.default_rng(7)
    a = rng.standard_normal(5)
    x = numtorch.tensor(a, requires_grad=True)
    y = numtorch.vander(x, N=4, increasing=increasing)
    w = rng.standard_normal((5, 4))
    (y * numtorch.tensor(w)).sum().backward()
    p = np.arange(4) if increasing else np.arange(3, -1, -1)
    want = (w * p * a[:, None] ** np.maximum(p - 1, 0)).sum(1)
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-12)
    assert gradcheck(lambda t: numtorch.vander(t, 4, increasing), (x,))
    assert gradgradcheck(lambda t: numtorch.vander(t, 4, increasing), (x,))


# -- renorm ----------------------------------------------------------------------------------

def _renorm_case(k: int) -> dict:
    rng = np.random.default_rng(5000 + k)
    shape = tuple(int(s) for s in rng.integers(1, 6, int(rng.integers(2, 4))))
    dtype = ("float32", "float64")[k % 2]
    return {"a": rng.standard_normal(shape).astype(dtype) * 1.5,
            "p": (2, 1, 3.5, float("inf"), 0.5, 2.0)[k % 6],
            "dim": int(rng.integers(-len(shape), len(shape))),
            "maxnorm": float(np.round(rng.random() * 3, 2)), "w": _weights(rng, shape, dtype)}


def _renorm_run(T, k: int, method: bool = False):
    c = _renorm_case(k)
    x = T.tensor(c["a"], requires_grad=True)
    if method and k % 4 == 3:                   # in place, on a non-leaf
        y = (x * 1).renorm_(c["p"], c["dim"], c["maxnorm"])
    elif method:
        y = x.renorm(c["p"], c["dim"], c["maxnorm"])
    else:
        y = T.renorm(x, c["p"], c["dim"], c["maxnorm"])
    return y.detach(), y.grad_fn.name(), _backward(T, x, y, c["w"])


@pytest.mark.parametrize("k", range(30))
def test_renorm_as_pytorch(k):
    want = ORACLE.answer(f"renorm/{k}", lambda T: _renorm_run(T, k))
    got = _renorm_run(numtorch, k, method=k % 2 == 1)
    _close(got[0], want[0])
    assert got[1] == want[1]
    _close(got[2], want[2], **({} if k % 2 else dict(rtol=1e-5, atol=1e-5)))


def test_renorm_by_hand():
    x = numtorch.tensor([[3.0, 4.0], [0.3, 0.4]])
    r = numtorch.renorm(x, 2, 0, 1.0)
    assert r[1].tolist() == x[1].tolist()                  # under maxnorm: unchanged
    assert r[0, 0].item() == pytest.approx(3 / (5 + 1e-7))
    y = x.clone()
    assert y.renorm_(2, 0, 1.0) is y and y.tolist() == r.tolist()


def test_renorm_complex():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((3, 4, 2)) + 1j * rng.standard_normal((3, 4, 2))

    def run(T):
        out = []
        for p, dim in ((2, 0), (1, 2), (3.5, 1), (float("inf"), -1)):
            x = T.tensor(a, requires_grad=True)
            y = T.renorm(x, p, dim, 1.2)
            (y * T.tensor(np.arange(24.0).reshape(3, 4, 2) * (1 - 0.5j))).real.sum().backward()
            out.append((y.detach(), x.grad))
        return out
    want = ORACLE.answer("renorm/complex", run)
    for got, w in zip(run(numtorch), want):
        _close(got[0], w[0])
        _close(got[1], w[1], rtol=1e-12, atol=1e-13)


# -- errors ----------------------------------------------------------------------------------

ERRORS = {
    "nanmean_int": lambda T: T.nanmean(T.arange(4)),
    "nanmean_bool": lambda T: T.nanmean(T.ones(4, dtype=T.bool)),
    "nanmean_dtype_int": lambda T: T.nanmean(T.ones(4), dtype=T.int64),
    "nanmean_dtype_complex": lambda T: T.nanmean(T.ones(4), dtype=T.complex64),
    "nanmean_complex": lambda T: T.nanmean(T.ones(3, dtype=T.complex64)),
    "nanmean_dim": lambda T: T.nanmean(T.ones(3, 4), 2),
    "nanmean_dim_twice": lambda T: T.nanmean(T.ones(3, 4), (0, 0)),
    "nanmean_list": lambda T: T.nanmean([1.0, 2.0]),
    "nanmean_keepdim": lambda T: T.nanmean(T.ones(3), 0, [1]),
    "nanmean_out_grad": lambda T: T.nanmean(T.ones(3, requires_grad=True), out=T.empty(())),
    "cov_3d": lambda T: T.cov(T.ones(2, 2, 2)),
    "cov_bool": lambda T: T.cov(T.ones(2, 3, dtype=T.bool)),
    "cov_list": lambda T: T.cov([[1.0, 2.0]]),
    "cov_correction_float": lambda T: T.cov(T.ones(2, 3), correction=1.5),
    "cov_fweights_float": lambda T: T.cov(T.ones(2, 4), fweights=T.ones(4)),
    "cov_fweights_bool": lambda T: T.cov(T.ones(2, 4), fweights=T.ones(4, dtype=T.bool)),
    "cov_fweights_2d": lambda T: T.cov(T.ones(2, 4), fweights=T.ones(1, 4, dtype=T.int64)),
    "cov_fweights_numel": lambda T: T.cov(T.ones(2, 4), fweights=T.ones(3, dtype=T.int64)),
    "cov_fweights_negative": lambda T: T.cov(T.ones(2, 4), fweights=T.tensor([1, -1, 1, 1])),
    "cov_fweights_list": lambda T: T.cov(T.ones(2, 4), fweights=[1, 1, 1, 1]),
    "cov_aweights_int": lambda T: T.cov(T.ones(2, 4), aweights=T.ones(4, dtype=T.int64)),
    "cov_aweights_2d": lambda T: T.cov(T.ones(2, 4), aweights=T.ones(1, 4)),
    "cov_aweights_numel": lambda T: T.cov(T.ones(2, 4), aweights=T.ones(5)),
    "cov_aweights_negative": lambda T: T.cov(T.ones(2, 4), aweights=T.tensor([1.0, -1, 1, 1])),
    "cov_fweights_zero": lambda T: T.cov(T.ones(2, 4), fweights=T.zeros(4, dtype=T.int64)),
    "cov_aweights_zero": lambda T: T.cov(T.ones(2, 4), aweights=T.zeros(4)),
    "corrcoef_3d": lambda T: T.corrcoef(T.ones(2, 2, 2)),
    "corrcoef_bool": lambda T: T.corrcoef(T.ones(2, 3, dtype=T.bool)),
    "vander_2d": lambda T: T.vander(T.ones(2, 2)),
    "vander_0d": lambda T: T.vander(T.tensor(1.0)),
    "vander_negative_N": lambda T: T.vander(T.ones(3), N=-1),
    "vander_float_N": lambda T: T.vander(T.ones(3), N=2.0),
    "vander_list": lambda T: T.vander([1, 2]),
    "renorm_dim": lambda T: T.renorm(T.ones(2, 3), 2, 2, 1.0),
    "renorm_float_dim": lambda T: T.renorm(T.ones(2, 3), 2, 0.5, 1.0),
    "renorm_p_negative": lambda T: T.renorm(T.ones(2, 3), -1, 0, 1.0),
    "renorm_p_zero": lambda T: T.renorm(T.ones(2, 3), 0, 0, 1.0),
    "renorm_p_complex": lambda T: T.renorm(T.ones(2, 3), 2 + 1j, 0, 1.0),
    "renorm_p_str": lambda T: T.renorm(T.ones(2, 3), "fro", 0, 1.0),
    "renorm_maxnorm": lambda T: T.renorm(T.ones(2, 3), 2, 0, -1.0),
    "renorm_maxnorm_1d_tensor": lambda T: T.renorm(T.ones(2, 3), 2, 0, T.ones(1)),
    "renorm_0d": lambda T: T.renorm(T.tensor(1.0), 2, 0, 1.0),
    "renorm_1d": lambda T: T.renorm(T.ones(3), 2, 0, 1.0),
    "renorm_int": lambda T: T.renorm(T.ones(2, 3, dtype=T.int64), 2, 0, 1.0),
    "renorm_list": lambda T: T.renorm([[1.0]], 2, 0, 1.0),
    "renorm_leaf_inplace": lambda T: T.ones(2, 3, requires_grad=True).renorm_(2, 0, 1.0),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    want = ORACLE.answer(f"error/{name}", lambda T: error(lambda: ERRORS[name](T)))
    assert want is not None
    assert error(lambda: ERRORS[name](numtorch)) == list(want)


# -- gradcheck / gradgradcheck (float64) -----------------------------------------------------

GRADCHECK = {
    "nanmean": lambda x: numtorch.nanmean(x, 1),
    "nanmean_all": lambda x: x.nanmean(),
    "cov": lambda x: numtorch.cov(x),
    "cov_weights": lambda x: numtorch.cov(x, fweights=numtorch.tensor([1, 2, 1, 3, 1]),
                                         aweights=numtorch.tensor([0.5, 1.0, 2.0, 0.3, 1.5],
                                                                  dtype=numtorch.float64)),
    "corrcoef": lambda x: x.corrcoef(),
    "renorm_2": lambda x: numtorch.renorm(x, 2, 0, 1.0),
    "renorm_1": lambda x: numtorch.renorm(x, 1, 1, 0.7),
    "renorm_3": lambda x: x.renorm(3.0, 0, 0.9),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name):
    rng = np.random.default_rng(13)
    a = rng.standard_normal((3, 5))
    if name.startswith("nanmean"):
        a[0, 1] = a[2, 4] = np.nan
    x = numtorch.tensor(a, requires_grad=True)
    f = GRADCHECK[name]
    if name.startswith("nanmean"):                 # NaN slots: the gradient there is 0
        mask = numtorch.tensor(~np.isnan(a))

        def f(x, g=GRADCHECK[name]):
            return g(numtorch.where(mask, x, numtorch.tensor(float("nan"), dtype=x.dtype)))
    assert gradcheck(f, (x,)) and gradgradcheck(f, (x,))


def test_double_backward_as_pytorch():
    rng = np.random.default_rng(17)
    a = rng.standard_normal((3, 4))

    def run(T):
        out = []
        for fn in (lambda x: T.cov(x), lambda x: T.corrcoef(x), lambda x: T.renorm(x, 2, 1, 1.0),
                   lambda x: T.nanmean(x, 0)):
            x = T.tensor(a, requires_grad=True)
            y = (fn(x) ** 2).sum()
            (g,) = T.autograd.grad(y, x, create_graph=True)
            (gg,) = T.autograd.grad((g * g).sum(), x)
            out.append((g.detach(), gg))
        return out
    want = ORACLE.answer("double_backward", run)
    for got, w in zip(run(numtorch), want):
        _close(got[0], w[0], rtol=1e-12, atol=1e-12)
        _close(got[1], w[1], rtol=1e-10, atol=1e-10)
