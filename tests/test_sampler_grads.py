"""Gradients through the random samplers, as PyTorch 2.13 records them.

An in-place sampler on a tensor that requires grad (``y = x * 2; y.uniform_()``) replaces its
history with PyTorch's node (``UniformBackward0``, ``RandomBackward1``, ``BernoulliBackward2``,
...) whose gradient is zero; ``torch.bernoulli(p)`` gives ``p`` a zero gradient
(``BernoulliBackward0``), ``torch.bernoulli(p, 0.3)`` PyTorch's ``NotImplemented`` node. Also:
the version bump, the refusals (a leaf that requires grad, a view of one; before any argument
check), views of non-leaves (``CopySlices``), ``no_grad``, ``out=``, and the draws themselves,
which must be PyTorch's bit for bit on the recording path too (digests of the bytes).

Each case is a function of the torch module (PyTorch or numtorch) returning plain facts;
PyTorch's facts are recorded in ``tests/data/sampler_grads.json`` (regenerate with
``python tests/data/regen_sampler_grads.py`` where torch 2.13 is installed); with torch
installed the record is also checked against it.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import numtorch
from _facts import capture, load, same, values
from _oracle import digest

RECORD_JSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                           "sampler_grads.json")
RECORD = load(RECORD_JSON)
VERSION_ERROR = ("one of the variables needed for gradient computation has been modified by an "
                 "inplace operation")


# -- helpers (work on either module) ----------------------------------------------------------

def _x(T, seed: int, shape=(2, 3), dtype=None):
    rng = np.random.default_rng(seed)
    return T.tensor(rng.standard_normal(shape).tolist(), dtype=dtype or T.float32,
                    requires_grad=True)


def _w(T, seed: int, shape=(2, 3)):
    return T.tensor(np.random.default_rng(seed).uniform(0.5, 2.0, shape).tolist())


def _fn(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def _next(t):
    return [None if f is None else f.name() for f, _ in t.grad_fn.next_functions]


def _drawn(t) -> dict:
    return {"dtype": str(t.dtype), "shape": list(t.shape), "digest": digest(t)}


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error is the fact
        return [type(e).__name__, str(e)]
    return None


# -- the in-place samplers: (call, a call with arguments PyTorch refuses) ---------------------

def _p(T, y, value=0.4):
    return T.full(tuple(y.shape), value)


SAMPLERS = {
    "uniform_": (lambda T, y: y.uniform_(-1.0, 2.0), lambda T, y: y.uniform_(2.0, 1.0)),
    "normal_": (lambda T, y: y.normal_(0.5, 2.0), lambda T, y: y.normal_(0.0, -1.0)),
    "exponential_": (lambda T, y: y.exponential_(1.5), lambda T, y: y.exponential_(-1.0)),
    "random_from_to": (lambda T, y: y.random_(0, 7), lambda T, y: y.random_(5, 2)),
    "random_from_none": (lambda T, y: y.random_(3, None), None),
    "random_to": (lambda T, y: y.random_(7), lambda T, y: y.random_(0)),
    "random_bits": (lambda T, y: y.random_(), None),
    "bernoulli_float": (lambda T, y: y.bernoulli_(0.3), lambda T, y: y.bernoulli_(2.0)),
    "bernoulli_default": (lambda T, y: y.bernoulli_(), None),
    "bernoulli_tensor": (lambda T, y: y.bernoulli_(_p(T, y)),
                         lambda T, y: y.bernoulli_(_p(T, y, 2.0))),
    "cauchy_": (lambda T, y: y.cauchy_(0.5, 2.0), lambda T, y: y.cauchy_(0.0, -1.0)),
    "geometric_": (lambda T, y: y.geometric_(0.3), lambda T, y: y.geometric_(2.0)),
    "log_normal_": (lambda T, y: y.log_normal_(0.0, 0.5), lambda T, y: y.log_normal_(0.0, -1.0)),
}


def _nonleaf(sample, transposed=False):
    """``y = x * 2`` (or ``x.t() * 2``: not contiguous, not a view), sampled in place."""
    def case(T):
        x = _x(T, 1, (3, 2) if transposed else (2, 3))
        y = (x.t() if transposed else x) * 2
        v0 = y._version
        T.manual_seed(0)
        r = sample(T, y)
        facts = {"returns_self": r is y, "fn": _fn(y), "next": _next(y), "dv": y._version - v0,
                 "rg": y.requires_grad, "is_leaf": y.is_leaf, "drawn": _drawn(y)}
        (y * _w(T, 2)).sum().backward()
        facts["grad"] = values(x.grad)
        return facts
    return case


def _view(sample):
    """A view of a non-leaf sampled in place: the base's history becomes CopySlices."""
    def case(T):
        x = _x(T, 3)
        y = x * 2
        v = y[:, 1:]
        T.manual_seed(0)
        sample(T, v)
        facts = {"view_fn": _fn(v), "base_fn": _fn(y), "versions": [y._version, v._version],
                 "drawn": _drawn(y)}
        (y * _w(T, 4)).sum().backward()
        facts["grad"] = values(x.grad)
        return facts
    return case


def _leaf(sample):
    return lambda T: _error(lambda: sample(T, _x(T, 5)))


def _leaf_view(sample):
    return lambda T: _error(lambda: sample(T, _x(T, 6)[1:]))


def _leaf_no_grad(sample):
    def case(T):
        x = _x(T, 7)
        with T.no_grad():
            T.manual_seed(0)
            sample(T, x)
        return {"dv": x._version, "fn": _fn(x), "rg": x.requires_grad, "drawn": _drawn(x)}
    return case


def _nonleaf_no_grad(sample):
    """Under no_grad the history stays (MulBackward0), so x gets mul's gradient."""
    def case(T):
        x = _x(T, 8)
        y = x * 2
        with T.no_grad():
            sample(T, y)
        facts = {"fn": _fn(y), "dv": y._version}
        (y * _w(T, 9)).sum().backward()
        facts["grad"] = values(x.grad)
        return facts
    return case


def _bad_leaf(bad):
    """A leaf is refused before the arguments are looked at."""
    return lambda T: _error(lambda: bad(T, _x(T, 10)))


def _bad_nonleaf(bad):
    def case(T):
        y = _x(T, 11) * 2
        return {"error": _error(lambda: bad(T, y)), "dv": y._version, "fn": _fn(y)}
    return case


CASES = {}
for _name, (_sample, _bad) in SAMPLERS.items():
    CASES[f"{_name}/nonleaf"] = _nonleaf(_sample)
    CASES[f"{_name}/nonleaf_transposed"] = _nonleaf(_sample, transposed=True)
    CASES[f"{_name}/view"] = _view(_sample)
    CASES[f"{_name}/leaf"] = _leaf(_sample)
    CASES[f"{_name}/leaf_view"] = _leaf_view(_sample)
    CASES[f"{_name}/leaf_no_grad"] = _leaf_no_grad(_sample)
    CASES[f"{_name}/nonleaf_no_grad"] = _nonleaf_no_grad(_sample)
    if _bad is not None:
        CASES[f"{_name}/bad_args_leaf"] = _bad_leaf(_bad)
        CASES[f"{_name}/bad_args_nonleaf"] = _bad_nonleaf(_bad)


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


# -- more in-place cases ------------------------------------------------------------------------

@case("inplace/bernoulli_tensor_p_requires_grad")
def _(T):
    x = _x(T, 12)
    y = x * 2
    p = T.full((2, 3), 0.5, requires_grad=True)
    T.manual_seed(0)
    y.bernoulli_(p)
    facts = {"fn": _fn(y), "next": _next(y), "drawn": _drawn(y)}
    (y * _w(T, 13)).sum().backward()
    facts["grads"] = [values(x.grad), values(p.grad), str(p.grad.dtype)]
    return facts


@case("inplace/bernoulli_tensor_p_float64_broadcast")
def _(T):
    x = _x(T, 14)
    y = x * 2
    p = T.full((1,), 0.5, dtype=T.float64, requires_grad=True)
    T.manual_seed(0)
    y.bernoulli_(p)
    y.sum().backward()
    return {"fn": _fn(y), "drawn": _drawn(y), "p_grad": values(p.grad),
            "p_grad_dtype": str(p.grad.dtype), "p_grad_shape": list(p.grad.shape),
            "x_grad": values(x.grad)}


@case("inplace/bernoulli_tensor_p_requires_grad_plain_target")
def _(T):
    """A target that needs no grad gets the node when ``p`` requires grad."""
    z = T.zeros(3)
    p = T.full((3,), 0.5, requires_grad=True)
    T.manual_seed(0)
    z.bernoulli_(p)
    facts = {"fn": _fn(z), "rg": z.requires_grad, "is_leaf": z.is_leaf, "drawn": _drawn(z)}
    z.sum().backward()
    facts["p_grad"] = values(p.grad)
    return facts


@case("inplace/complex_uniform_")
def _(T):
    z = T.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    w = z * 2
    T.manual_seed(0)
    w.uniform_()
    facts = {"fn": _fn(w), "drawn": _drawn(w)}
    w.real.sum().backward()
    facts["grad"] = np.asarray(z.grad.detach().numpy()).view(np.float32).tolist()
    return facts


@case("inplace/complex_normal_")
def _(T):
    z = T.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    w = z * 2
    T.manual_seed(0)
    w.normal_()
    facts = {"fn": _fn(w), "drawn": _drawn(w)}
    (w * T.tensor([1j, 2.0])).abs().sum().backward()
    facts["grad"] = np.asarray(z.grad.detach().numpy()).view(np.float32).tolist()
    return facts


@case("inplace/saved_output_then_sampled")
def _(T):
    """exp saved its output; sampling over it makes backward refuse (the wording's first part)."""
    y = _x(T, 15).exp()
    y.uniform_()
    e = _error(lambda: y.sum().backward())
    return [e[0], e[1].startswith(VERSION_ERROR)]


@case("inplace/refusals_of_views")
def _(T):
    """Views made under no_grad, and outputs of multi-view functions, are refused."""
    x = _x(T, 23, (3,))
    with T.no_grad():
        w = x[1:]
        u = (x * 2)[1:]
    a, _b = (x * 2).split(2)
    return [_error(lambda: w.uniform_()), _error(lambda: u.exponential_()),
            _error(lambda: a.normal_()), _error(lambda: a.cauchy_())]


@case("inplace/twice")
def _(T):
    x = _x(T, 16)
    y = x * 2
    T.manual_seed(0)
    y.uniform_()
    y.normal_()
    facts = {"fn": _fn(y), "next": _next(y), "dv": y._version, "drawn": _drawn(y)}
    y.sum().backward()
    facts["grad"] = values(x.grad)
    return facts


@case("inplace/retain_grad")
def _(T):
    x = _x(T, 17)
    y = x * 2
    y.retain_grad()
    y.exponential_()
    (y * _w(T, 18)).sum().backward()
    return {"y_grad": values(y.grad), "x_grad": values(x.grad)}


@case("inplace/detached_alias")
def _(T):
    y = _x(T, 19) * 2
    y.detach().uniform_()
    return {"dv": y._version, "fn": _fn(y)}


@case("inplace/base_sampled_view_used")
def _(T):
    x = _x(T, 20, (4,))
    y = x * 2
    v = y[1:]
    y.normal_()
    facts = {"view_fn": _fn(v), "versions": [y._version, v._version]}
    (v * 3).sum().backward()
    facts["grad"] = values(x.grad)
    return facts


@case("inplace/create_graph")
def _(T):
    x = _x(T, 21)
    y = x * 2
    T.manual_seed(0)
    y.uniform_()
    (g,) = T.autograd.grad((y * x).sum(), x, create_graph=True)
    (h,) = T.autograd.grad(y.sum(), x, create_graph=True)
    return {"g": values(g), "g_fn": _fn(g), "h": values(h), "h_rg": h.requires_grad,
            "h_fn": _fn(h)}


@case("inplace/retain_graph_twice")
def _(T):
    x = _x(T, 22)
    y = x * 2
    T.manual_seed(0)
    y.cauchy_()
    loss = (y * x).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    return values(x.grad)


# -- torch.bernoulli / Tensor.bernoulli ---------------------------------------------------------

def _probs(T, seed, dtype=None, shape=(2, 3)):
    rng = np.random.default_rng(seed)
    return T.tensor(rng.uniform(0.0, 1.0, shape).tolist(), dtype=dtype or T.float32,
                    requires_grad=True)


@case("bernoulli/function")
def _(T):
    p = _probs(T, 30)
    T.manual_seed(0)
    r = T.bernoulli(p)
    facts = {"fn": _fn(r), "next": _next(r), "rg": r.requires_grad, "version": r._version,
             "drawn": _drawn(r)}
    (r * _w(T, 31)).sum().backward()
    facts["grad"] = values(p.grad)
    return facts


@case("bernoulli/function_float64")
def _(T):
    p = _probs(T, 32, T.float64)
    T.manual_seed(0)
    r = T.bernoulli(p)
    facts = {"fn": _fn(r), "drawn": _drawn(r)}
    r.sum().backward()
    facts["grad"] = [values(p.grad), str(p.grad.dtype)]
    return facts


@case("bernoulli/function_nonleaf")
def _(T):
    p = _probs(T, 33)
    q = p * 0.5
    T.manual_seed(0)
    r = T.bernoulli(q)
    facts = {"fn": _fn(r), "next": _next(r), "drawn": _drawn(r)}
    r.sum().backward()
    facts["grad"] = values(p.grad)
    return facts


@case("bernoulli/function_float_p")
def _(T):
    p = _probs(T, 34)
    T.manual_seed(0)
    r = T.bernoulli(p, 0.3)
    return {"fn": _fn(r), "rg": r.requires_grad, "drawn": _drawn(r),
            "backward": _error(lambda: r.sum().backward())}


@case("bernoulli/function_float_p_keyword")
def _(T):
    p = _probs(T, 35)
    T.manual_seed(0)
    r = T.bernoulli(p, p=0.7)
    return {"fn": _fn(r), "drawn": _drawn(r)}


@case("bernoulli/function_0d_tensor_p")
def _(T):
    x = T.full((2, 3), 0.5)
    T.manual_seed(0)
    return _drawn(T.bernoulli(x, T.tensor(0.3)))


@case("bernoulli/method")
def _(T):
    p = _probs(T, 36)
    T.manual_seed(0)
    r = p.bernoulli()
    facts = {"fn": _fn(r), "drawn": _drawn(r)}
    r.sum().backward()
    facts["grad"] = values(p.grad)
    return facts


@case("bernoulli/method_float_p")
def _(T):
    p = _probs(T, 37)
    T.manual_seed(0)
    r = p.bernoulli(0.3)
    return {"fn": _fn(r), "drawn": _drawn(r), "backward": _error(lambda: r.sum().backward())}


@case("bernoulli/method_0d_tensor_p")
def _(T):
    x = T.full((2, 3), 0.5)
    T.manual_seed(0)
    return _drawn(x.bernoulli(T.tensor(0.3)))


@case("bernoulli/no_grad")
def _(T):
    p = _probs(T, 38)
    with T.no_grad():
        r = T.bernoulli(p)
        s = T.bernoulli(p, 0.5)
    return [r.requires_grad, _fn(r), s.requires_grad]


@case("bernoulli/out_dtypes")
def _(T):
    facts = []
    for dt in (T.float32, T.float64, T.int64, T.bool):
        T.manual_seed(0)
        o = T.empty(5, dtype=dt)
        r = T.bernoulli(T.full((2, 3), 0.5), out=o)
        facts.append({"is_out": r is o, "shape": list(o.shape), "version": o._version,
                      "drawn": _drawn(o)})
    return facts


@case("bernoulli/out_transposed")
def _(T):
    """``out`` is filled in its own memory order."""
    T.manual_seed(0)
    o = T.empty(3, 2).t()
    T.bernoulli(T.full((2, 3), 0.5), out=o)
    return {"drawn": _drawn(o), "values": values(o)}


@case("bernoulli/out_input_requires_grad")
def _(T):
    p = _probs(T, 39)
    T.manual_seed(0)
    e = _error(lambda: T.bernoulli(p, out=T.empty(2, 3)))
    return {"error": e, "next_draw": values(T.rand(2))}      # nothing was drawn


@case("bernoulli/out_requires_grad")
def _(T):
    return _error(lambda: T.bernoulli(T.full((3,), 0.5), out=T.empty(3, requires_grad=True)))


@case("bernoulli/out_no_grad")
def _(T):
    p = _probs(T, 40)
    o = T.empty(2, 3)
    with T.no_grad():
        T.manual_seed(0)
        T.bernoulli(p, out=o)
    return {"rg": o.requires_grad, "drawn": _drawn(o)}


@case("bernoulli/argument_errors")
def _(T):
    x = T.full((3,), 0.5)
    return [
        _error(lambda: T.bernoulli(x, 0.3, out=T.empty(3))),
        _error(lambda: T.bernoulli(x, out=3)),
        _error(lambda: T.bernoulli(x, "a")),
        _error(lambda: T.bernoulli(x, [0.3])),
        _error(lambda: T.bernoulli(x, T.full((3,), 0.5))),
        _error(lambda: T.bernoulli([0.5])),
        _error(lambda: T.bernoulli(x, 2.0)),
        _error(lambda: T.bernoulli(T.full((3,), 2.0))),
        _error(lambda: T.bernoulli(T.full((3,), 2.0), out=T.empty(3))),
        _error(lambda: T.bernoulli(T.ones(3, dtype=T.int64))),
    ]


# -- the tests ------------------------------------------------------------------------------------

NAMES = sorted(CASES)


def regenerate() -> dict:
    """PyTorch's facts for every case (run by tests/data/regen_sampler_grads.py)."""
    import torch
    return {name: capture(CASES[name], torch) for name in NAMES}


def test_every_case_is_recorded():
    assert sorted(RECORD) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_numtorch_matches_pytorch(name):
    if name not in RECORD:
        pytest.fail(f"no recorded PyTorch answer for {name}: run tests/data/regen_sampler_grads.py")
    same(capture(CASES[name], numtorch), RECORD[name], name)


@pytest.mark.parametrize("name", NAMES)
def test_record_is_live_pytorch(name):
    torch = pytest.importorskip("torch")
    same(capture(CASES[name], torch), RECORD[name], name)


def test_node_names_cover_every_sampler():
    """The record holds PyTorch's node for each sampler (a gap in CASES would show here)."""
    names = {RECORD[f"{s}/nonleaf"]["result"]["fn"] for s in SAMPLERS}
    assert names == {"UniformBackward0", "NormalBackward0", "ExponentialBackward0",
                     "RandomBackward0", "RandomBackward1", "RandomBackward2",
                     "BernoulliBackward1", "BernoulliBackward2", "CauchyBackward0",
                     "GeometricBackward0", "LogNormalBackward0"}


def test_no_grad_path_records_nothing():
    """With grad mode off, or nothing requiring grad, no node is made (the fast path)."""
    t = numtorch.empty(4)
    for call in (t.uniform_, t.normal_, t.exponential_, t.random_, t.bernoulli_, t.cauchy_):
        assert call() is t and t.grad_fn is None and not t.requires_grad
    x = numtorch.ones(3, requires_grad=True)
    with numtorch.no_grad():
        assert numtorch.bernoulli(x * 0.5).grad_fn is None
