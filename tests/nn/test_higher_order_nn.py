"""Higher-order gradients through ``torch.nn``, against PyTorch 2.13's answers.

* WGAN-GP gradient penalties through MLPs (ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softplus, ...,
  with and without bias): ``gp = ((grad(D(x), x, create_graph=True)[0].norm(2, dim=1) - 1) ** 2)
  .mean()``, then ``gp.backward()``; every parameter's ``.grad`` is compared.
* Hessian-vector products of losses (cross entropy and others) w.r.t. an MLP's parameters.
* Second (and for the smooth ones third) derivatives of every loss and activation, w.r.t. the
  input, the target and the first-order ``grad_output``.

PyTorch's answers (and its initial weights, copied into numtorch by ``load_state_dict``) are
recorded in ``tests/data/higher_order_nn.npz``, so the tests run without torch; with torch
installed each case also checks that the record still equals live PyTorch. Regenerate with
``python tests/data/regen_higher_order_nn.py`` (needs torch).
"""
from __future__ import annotations

import os
import zlib

import numpy as np
import pytest

import numtorch

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "higher_order_nn.npz")


# -- the cases: each runs on either framework (T is torch or numtorch) ----------------------------

def _rng(case_id):
    return np.random.default_rng(zlib.crc32(case_id.encode()))


def _numpy(g, shape):
    """A gradient's values; None (unused input) and PyTorch's ZeroTensor as zeros."""
    if g is None:
        return np.zeros(tuple(shape))
    try:
        return g.detach().numpy()
    except RuntimeError:                 # torch's ZeroTensor: "Cannot convert a ZeroTensor"
        return np.zeros(tuple(g.shape))


def _materialize(grads, like):
    return [_numpy(g, x.shape) for g, x in zip(grads, like)]


ACTS = {   # name -> module factory (T.nn)
    "relu": lambda nn: nn.ReLU(), "tanh": lambda nn: nn.Tanh(), "sigmoid": lambda nn: nn.Sigmoid(),
    "leaky_relu": lambda nn: nn.LeakyReLU(0.2), "gelu": lambda nn: nn.GELU(),
    "gelu_tanh": lambda nn: nn.GELU(approximate="tanh"), "softplus": lambda nn: nn.Softplus(),
    "softplus_beta2": lambda nn: nn.Softplus(beta=2.0, threshold=5.0), "elu": lambda nn: nn.ELU(0.7),
    "silu": lambda nn: nn.SiLU(), "celu": lambda nn: nn.CELU(1.5), "selu": lambda nn: nn.SELU(),
    "softsign": lambda nn: nn.Softsign(), "logsigmoid": lambda nn: nn.LogSigmoid(),
    "tanhshrink": lambda nn: nn.Tanhshrink(), "hardtanh": lambda nn: nn.Hardtanh(-2.0, 2.0),
}


def _mlp(T, sizes, act, bias):
    nn = T.nn
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b, bias=bias))
        if i < len(sizes) - 2:
            layers.append(ACTS[act](nn))
    return nn.Sequential(*layers)


class Case:
    """``run(T, arrays) -> {name: ndarray}``; ``make(rng) -> {name: ndarray}`` draws the inputs
    (torch's initial weights are added by ``init`` when the case has a model)."""

    def __init__(self, id, run, make, init=None, rtol=1e-9, atol=1e-11):
        self.id, self.run, self.make, self.init, self.rtol, self.atol = id, run, make, init, rtol, atol


def _model_init(sizes, act, bias, dtype="float64"):
    def init(torch, case_id):
        torch.manual_seed(zlib.crc32(case_id.encode()) % 10000)
        m = _mlp(torch, sizes, act, bias)
        return {"param/" + k: v.detach().numpy().astype(dtype) for k, v in m.state_dict().items()}
    return init


def _load_model(T, arrays, sizes, act, bias, dtype):
    m = _mlp(T, sizes, act, bias)
    if dtype == "float64":
        m = m.double()
    m.load_state_dict({k[6:]: T.tensor(v) for k, v in arrays.items() if k.startswith("param/")})
    return m


# WGAN-GP ---------------------------------------------------------------------------------------

def _gp_case(act, bias, dtype="float64"):
    sizes = (4, 8, 8, 1)
    case_id = f"gp_{act}_{'bias' if bias else 'nobias'}_{dtype}"

    def make(rng):
        return {"x": rng.standard_normal((6, 4)).astype(dtype)}

    def run(T, arrays):
        m = _load_model(T, arrays, sizes, act, bias, dtype)
        x = T.tensor(arrays["x"], requires_grad=True)
        out = m(x)
        g, = T.autograd.grad(out, x, grad_outputs=T.ones_like(out), create_graph=True)
        gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
        gp.backward()
        # x.grad: through a piecewise-linear net PyTorch gives zeros, numtorch None (no path
        # from the masks back to x): compared as values
        res = {"gp": gp.detach().numpy(), "x_grad": _numpy(x.grad, x.shape)}
        for name, p in m.named_parameters():
            # None where only the ReLU masks depend on the parameter: zeros in PyTorch (its
            # threshold_backward has a zero derivative w.r.t. the input), compared as values
            res["grad/" + name] = _numpy(p.grad, p.shape)
        return res

    tol = {"rtol": 1e-9, "atol": 1e-11} if dtype == "float64" else {"rtol": 2e-4, "atol": 1e-5}
    return Case(case_id, run, make, _model_init(sizes, act, bias, dtype), **tol)


GP_CASES = [_gp_case(a, b) for a in ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "softplus")
            for b in (True, False)]
GP_CASES += [_gp_case(a, True) for a in ("gelu_tanh", "softplus_beta2", "elu", "silu", "celu", "selu",
                                         "softsign", "logsigmoid", "tanhshrink")]
GP_CASES += [_gp_case("relu", True, "float32"), _gp_case("tanh", False, "float32"),
             _gp_case("gelu", True, "float32")]


# Hessian-vector products w.r.t. parameters ------------------------------------------------------

def _hvp_case(name, act, loss, target, bias=True, sizes=(4, 6, 3)):
    case_id = f"hvp_{name}"

    def make(rng):
        arrays = {"x": rng.standard_normal((5, sizes[0])), "t": target(rng)}
        for k, shape in _param_shapes(sizes, bias):
            arrays["v/" + k] = rng.standard_normal(shape)
        return arrays

    def run(T, arrays):
        m = _load_model(T, arrays, sizes, act, bias, "float64")
        x = T.tensor(arrays["x"])
        t = T.tensor(arrays["t"])
        params = list(m.parameters())
        names = [n for n, _ in m.named_parameters()]
        value = loss(T, m(x), t)
        grads = T.autograd.grad(value, params, create_graph=True)
        dot = sum((g * T.tensor(arrays["v/" + n])).sum() for g, n in zip(grads, names))
        hv = T.autograd.grad(dot, params, allow_unused=True)
        res = {"loss": value.detach().numpy()}
        for n, g, h in zip(names, grads, _materialize(hv, params)):
            res["grad/" + n] = g.detach().numpy()
            res["hv/" + n] = h
        return res

    return Case(case_id, run, make, _model_init(sizes, act, bias))


def _param_shapes(sizes, bias):
    out = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        out.append((f"{2 * i}.weight", (b, a)))
        if bias:
            out.append((f"{2 * i}.bias", (b,)))
    return out


def _classes(n=5, c=3):
    return lambda rng: rng.integers(0, c, n)


def _probs(n=5, c=3):
    def make(rng):
        p = rng.uniform(0.1, 1.0, (n, c))
        return p / p.sum(1, keepdims=True)
    return make


HVP_CASES = [
    _hvp_case("ce_tanh", "tanh", lambda T, o, t: T.nn.functional.cross_entropy(o, t), _classes()),
    _hvp_case("ce_relu", "relu", lambda T, o, t: T.nn.functional.cross_entropy(o, t), _classes()),
    _hvp_case("ce_gelu_nobias", "gelu", lambda T, o, t: T.nn.functional.cross_entropy(o, t),
              _classes(), bias=False),
    _hvp_case("ce_softplus_sum", "softplus",
              lambda T, o, t: T.nn.functional.cross_entropy(o, t, reduction="sum"), _classes()),
    _hvp_case("ce_smoothing_weight", "sigmoid", lambda T, o, t: T.nn.functional.cross_entropy(
        o, t, weight=T.tensor([0.5, 2.0, 1.0], dtype=T.float64), label_smoothing=0.15), _classes()),
    _hvp_case("ce_ignore_index", "tanh", lambda T, o, t: T.nn.functional.cross_entropy(
        o, t, ignore_index=1), _classes()),
    _hvp_case("ce_probs", "silu", lambda T, o, t: T.nn.functional.cross_entropy(o, t), _probs()),
    _hvp_case("nll_log_softmax", "elu", lambda T, o, t: T.nn.functional.nll_loss(
        T.nn.functional.log_softmax(o, 1), t), _classes()),
    _hvp_case("mse_tanh", "tanh", lambda T, o, t: T.nn.functional.mse_loss(o, t),
              lambda rng: rng.standard_normal((5, 3))),
    _hvp_case("bce_logits_leaky", "leaky_relu", lambda T, o, t: T.nn.functional
              .binary_cross_entropy_with_logits(o, t), lambda rng: rng.uniform(0, 1, (5, 3))),
]


# second derivatives of losses and activations ----------------------------------------------------

def _deriv_case(case_id, fn, specs, third=False):
    """``fn(T, *inputs)``: first derivatives (with a grad_output ``u`` that requires grad), the
    second derivative of ``<g1, v>`` w.r.t. inputs and ``u``, and optionally the third."""

    def make(rng):
        arrays = {}
        for i, spec in enumerate(specs):
            arrays[f"in{i}"] = spec(rng)
        return arrays

    def run(T, arrays):
        ins = [T.tensor(arrays[f"in{i}"], requires_grad=spec_requires_grad(specs[i]))
               for i in range(len(specs))]
        wrt = [a for a in ins if a.requires_grad]
        out = fn(T, *ins)
        rng = _rng(case_id + "/seeds")
        u = T.tensor(_normal(rng, out.shape), requires_grad=True)
        g1 = T.autograd.grad(out, wrt, u, create_graph=True)
        vs = [T.tensor(_normal(rng, a.shape)) for a in wrt]
        dot = sum((g * v).sum() for g, v in zip(g1, vs))
        g2 = T.autograd.grad(dot, wrt + [u], create_graph=third, allow_unused=True)
        res = {"out": out.detach().numpy()}
        for i, g in enumerate(g1):
            res[f"g1_{i}"] = g.detach().numpy()
        for i, g in enumerate(_materialize(g2, wrt + [u])):
            res[f"g2_{i}"] = g
        if third:
            ws = [T.tensor(_normal(rng, a.shape)) for a in wrt + [u]]
            dot2 = sum((g * w).sum() for g, w in zip(g2, ws) if g is not None)
            if getattr(dot2, "requires_grad", False):
                g3 = T.autograd.grad(dot2, wrt + [u], allow_unused=True)
            else:                            # the second derivatives are constants
                g3 = [None] * len(ws)
            for i, g in enumerate(_materialize(g3, wrt + [u])):
                res[f"g3_{i}"] = g
        return res

    return Case(case_id, run, make)


def _normal(rng, shape):
    """float64 normal draws as an array (0-d too: a Python float would make a float32 tensor)."""
    return np.asarray(rng.standard_normal(tuple(shape)), np.float64)


class _Spec:
    def __init__(self, make, grad=True):
        self.make, self.grad = make, grad

    def __call__(self, rng):
        return self.make(rng)


def spec_requires_grad(spec):
    return getattr(spec, "grad", True)


def _away(a, kinks, margin=0.05):
    for k in kinks:
        near = np.abs(a - k) < margin
        a[near] = k + np.where(a[near] >= k, 2 * margin, -2 * margin)
    return a


def D(*shape, scale=1.0, kinks=(0.0,)):
    return _Spec(lambda rng: _away(rng.standard_normal(shape) * scale, kinks))


def Uni(lo, hi, *shape, grad=True):
    return _Spec(lambda rng: rng.uniform(lo, hi, shape), grad)


def _loss_cases():
    out = []

    def add(id, fn, specs, third=False):
        for r in ("none", "mean", "sum"):
            out.append(_deriv_case(f"loss_{id}_{r}", (lambda f, red: lambda T, *a: f(T, *a, red))(fn, r),
                                   specs, third))

    F = lambda T: T.nn.functional  # noqa: E731
    f64 = lambda T, a: T.tensor(np.asarray(a, np.float64))  # noqa: E731
    add("mse", lambda T, a, b, r: F(T).mse_loss(a, b, reduction=r), [D(3, 4), D(3, 4)], third=True)
    add("l1", lambda T, a, b, r: F(T).l1_loss(a + 3, b, reduction=r), [Uni(-1, 1, 3, 4), Uni(-1, 1, 3, 4)])
    for beta in (1.0, 0.5):
        add(f"smooth_l1_beta{beta}", (lambda bt: lambda T, a, b, r: F(T).smooth_l1_loss(
            a, b * 0.01, reduction=r, beta=bt))(beta),
            [D(3, 4, scale=1.5, kinks=(-beta, 0.0, beta)), Uni(-1, 1, 3, 4)])
        add(f"huber_delta{beta}", (lambda dl: lambda T, a, b, r: F(T).huber_loss(
            a, b * 0.01, reduction=r, delta=dl))(beta),
            [D(3, 4, scale=1.5, kinks=(-beta, 0.0, beta)), Uni(-1, 1, 3, 4)])
    add("bce", lambda T, a, b, r: F(T).binary_cross_entropy(a, b, reduction=r),
        [Uni(0.05, 0.95, 3, 4), Uni(0, 1, 3, 4)], third=True)
    add("bce_weight", lambda T, a, b, r: F(T).binary_cross_entropy(
        a, b, weight=f64(T, [0.5, 1.0, 2.0, 1.5]), reduction=r), [Uni(0.05, 0.95, 3, 4), Uni(0, 1, 3, 4)])
    add("bce_logits", lambda T, a, b, r: F(T).binary_cross_entropy_with_logits(a, b, reduction=r),
        [D(3, 4, scale=2), Uni(0, 1, 3, 4)], third=True)
    add("bce_logits_weights", lambda T, a, b, r: F(T).binary_cross_entropy_with_logits(
        a, b, weight=f64(T, [0.5, 1.0, 2.0, 1.5]), pos_weight=f64(T, [2.0, 0.5, 1.0, 3.0]),
        reduction=r), [D(3, 4, scale=2), Uni(0, 1, 3, 4)], third=True)
    t = lambda T: T.tensor([0, 3, 1])  # noqa: E731
    w4 = [0.5, 1.0, 2.0, 1.5]
    add("cross_entropy", lambda T, a, r: F(T).cross_entropy(a, t(T), reduction=r), [D(3, 4, scale=2)],
        third=True)
    add("cross_entropy_weight_ignore", lambda T, a, r: F(T).cross_entropy(
        a, t(T), weight=f64(T, w4), ignore_index=1, reduction=r), [D(3, 4, scale=2)])
    add("cross_entropy_smoothing", lambda T, a, r: F(T).cross_entropy(
        a, t(T), label_smoothing=0.2, reduction=r), [D(3, 4, scale=2)], third=True)
    add("cross_entropy_smoothing_weight", lambda T, a, r: F(T).cross_entropy(
        a, t(T), weight=f64(T, w4), label_smoothing=0.1, reduction=r), [D(3, 4, scale=2)])
    add("cross_entropy_4d", lambda T, a, r: F(T).cross_entropy(
        a, T.tensor([[[0, 3], [2, 1]], [[1, 1], [3, 0]]]), reduction=r), [D(2, 4, 2, 2, scale=2)])
    add("cross_entropy_1d", lambda T, a, r: F(T).cross_entropy(a, T.tensor(2), reduction=r),
        [D(4, scale=2)])
    add("cross_entropy_probs", lambda T, a, b, r: F(T).cross_entropy(a, b, reduction=r),
        [D(3, 4, scale=2), Uni(0.1, 1, 3, 4)], third=True)
    add("cross_entropy_probs_smoothing_weight", lambda T, a, b, r: F(T).cross_entropy(
        a, b, weight=f64(T, w4), label_smoothing=0.2, reduction=r), [D(3, 4, scale=2), Uni(0.1, 1, 3, 4)])
    add("nll_loss", lambda T, a, r: F(T).nll_loss(a, t(T), reduction=r), [D(3, 4)])
    add("nll_loss_log_softmax_weight", lambda T, a, r: F(T).nll_loss(
        F(T).log_softmax(a, 1), t(T), weight=f64(T, w4), reduction=r), [D(3, 4)], third=True)
    for r in ("none", "mean", "sum", "batchmean"):
        out.append(_deriv_case(f"loss_kl_div_{r}", (lambda red: lambda T, a, b: F(T).kl_div(
            a, b, reduction=red))(r), [D(3, 4), Uni(0.1, 1, 3, 4)], third=True))
        out.append(_deriv_case(f"loss_kl_div_log_target_{r}", (lambda red: lambda T, a, b: F(T).kl_div(
            a, b, reduction=red, log_target=True))(r), [D(3, 4), D(3, 4)], third=True))
    return out


def _act_cases():
    F = lambda T: T.nn.functional  # noqa: E731
    acts = [
        ("relu", lambda T, a: F(T).relu(a), D(3, 4)),
        ("leaky_relu", lambda T, a: F(T).leaky_relu(a, 0.2), D(3, 4)),
        ("elu", lambda T, a: F(T).elu(a, 0.5), D(3, 4, scale=2)),
        ("selu", lambda T, a: F(T).selu(a), D(3, 4, scale=2)),
        ("celu", lambda T, a: F(T).celu(a, 2.0), D(3, 4, scale=2)),
        ("gelu", lambda T, a: F(T).gelu(a), D(3, 4, scale=2)),
        ("gelu_tanh", lambda T, a: F(T).gelu(a, approximate="tanh"), D(3, 4, scale=2)),
        ("silu", lambda T, a: F(T).silu(a), D(3, 4, scale=2)),
        ("softplus", lambda T, a: F(T).softplus(a, beta=0.5, threshold=1.0),
         _Spec(lambda rng: _away(rng.uniform(-4, 6, (3, 4)), (2.0,)))),
        ("hardtanh", lambda T, a: F(T).hardtanh(a), _Spec(lambda rng: _away(rng.uniform(-2, 2, (3, 4)),
                                                                              (-1.0, 1.0)))),
        ("relu6", lambda T, a: F(T).relu6(a), _Spec(lambda rng: _away(rng.uniform(-2, 8, (3, 4)),
                                                                          (0.0, 6.0)))),
        ("softsign", lambda T, a: F(T).softsign(a), D(3, 4, scale=2)),
        ("tanhshrink", lambda T, a: F(T).tanhshrink(a), D(3, 4, scale=2)),
        ("logsigmoid", lambda T, a: F(T).logsigmoid(a), D(3, 4, scale=3)),
        ("sigmoid", lambda T, a: F(T).sigmoid(a), D(3, 4, scale=2)),
        ("softmax", lambda T, a: F(T).softmax(a, dim=1), D(3, 4, scale=2)),
        ("log_softmax", lambda T, a: F(T).log_softmax(a, dim=0), D(3, 4, scale=2)),
        ("softmin", lambda T, a: F(T).softmin(a, dim=-1), D(2, 3, 4)),
        ("linear", lambda T, a, w, b: F(T).linear(a, w, b), D(4, 3), D(2, 3), D(2)),
        ("linear_3d_nobias", lambda T, a, w: F(T).linear(a, w), D(2, 3, 3), D(2, 3)),
        ("dropout_eval", lambda T, a: F(T).dropout(a, 0.5, training=False), D(3, 4)),
        ("pad_reflect", lambda T, a: F(T).pad(a, (2, 1), mode="reflect"), D(1, 2, 4)),
        ("normalize", lambda T, a: F(T).normalize(a, dim=1), D(3, 4)),
    ]
    out = []
    for name, fn, *specs in acts:
        out.append(_deriv_case(f"fn_{name}", fn, specs, third=True))
    return out


DERIV_CASES = _loss_cases() + _act_cases()
CASES = GP_CASES + HVP_CASES + DERIV_CASES


# -- record and compare ---------------------------------------------------------------------------

def _arrays_for(case, torch=None):
    arrays = case.make(_rng(case.id))
    if case.init is not None:
        if torch is None:
            raise RuntimeError("the initial weights come from torch")
        arrays.update(case.init(torch, case.id))
    return arrays


def regen(path=DATA):
    """Record torch's initial weights and torch's answers for every case (needs torch).

    One flat float64 array holds every value; ``index`` (JSON) maps "case|in|name" (the
    weights; the other inputs come from the case's seeded generator) and "case|out|name" to
    (offset, shape)."""
    import json
    import warnings
    import torch
    values, index, offset = [], {}, 0
    for case in CASES:
        arrays = _arrays_for(case, torch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = case.run(torch, arrays)
        items = [(f"{case.id}|in|{k}", v) for k, v in arrays.items() if k.startswith("param/")]
        items += [(f"{case.id}|out|{k}", v) for k, v in res.items()]
        for key, v in items:
            v = np.asarray(v, np.float64)
            index[key] = [offset, list(v.shape)]
            values.append(v.ravel())
            offset += v.size
    np.savez_compressed(path, values=np.concatenate(values), index=np.array(json.dumps(index)),
                        torch_version=np.array(torch.__version__))
    return len(CASES)


_RECORD = None


def _record():
    global _RECORD
    if _RECORD is None:
        import json
        with np.load(DATA) as f:
            values, index = f["values"], json.loads(str(f["index"]))
        _RECORD = {k: values[o:o + int(np.prod(shape))].reshape(shape) for k, (o, shape) in index.items()}
    return _RECORD


def _recorded(case):
    """The case's inputs (its generator's draws and torch's recorded weights) and torch's answers."""
    rec = _record()
    pre_in, pre_out = f"{case.id}|in|", f"{case.id}|out|"
    expected = {k[len(pre_out):]: v for k, v in rec.items() if k.startswith(pre_out)}
    if not expected:
        pytest.fail(f"{case.id} is not in {DATA}: run tests/data/regen_higher_order_nn.py")
    arrays = case.make(_rng(case.id))
    dtype = next((v.dtype for v in arrays.values() if v.dtype.kind == "f"), np.float64)
    arrays.update({k[len(pre_in):]: v.astype(dtype) for k, v in rec.items() if k.startswith(pre_in)})
    return arrays, expected


def _compare(got, expected, rtol, atol, what):
    assert sorted(got) == sorted(expected), what
    for k in expected:
        g = np.asarray(got[k])
        assert g.shape == expected[k].shape, f"{what}: {k}"
        np.testing.assert_allclose(g, expected[k], rtol=rtol, atol=atol, err_msg=f"{what}: {k}")


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_higher_order_parity(case):
    arrays, expected = _recorded(case)
    got = case.run(numtorch, arrays)
    _compare(got, expected, case.rtol, case.atol, "numtorch vs recorded PyTorch")


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
def test_record_matches_live_pytorch():
    """With torch 2.13 installed: every case's record (torch's initial weights and answers) still
    equals live PyTorch. One test for all cases, so that without torch one test skips, not one
    per case."""
    torch = pytest.importorskip("torch")
    if not torch.__version__.startswith("2.13"):
        pytest.skip("the record is PyTorch 2.13's")
    problems = []
    for case in CASES:
        try:
            arrays, expected = _recorded(case)
            fresh = _arrays_for(case, torch)          # same generator, same torch initial weights
            assert sorted(fresh) == sorted(arrays)
            for k in arrays:
                np.testing.assert_array_equal(fresh[k], arrays[k], err_msg=k)
            _compare(case.run(torch, arrays), expected, 1e-12, 1e-14, "live PyTorch vs record")
        except AssertionError as e:
            problems.append(f"{case.id}: {e}")
    assert not problems, "the record differs from live PyTorch (regenerate with " \
                         "python tests/data/regen_higher_order_nn.py):\n" + "\n".join(problems)


def test_record_covers_every_case():
    rec = _record()
    ids = {k.split("|", 1)[0] for k in rec}
    assert ids == {c.id for c in CASES}
    assert len(GP_CASES) >= 12 and len(HVP_CASES) >= 5


def test_gradient_penalty_is_not_first_order_only():
    """The penalty reaches the parameters only through the second derivative (the first-order
    gradient carries a graph), and its gradients are far from zero: the parity is not vacuous."""
    case = next(c for c in GP_CASES if c.id == "gp_tanh_bias_float64")
    arrays, expected = _recorded(case)
    m = _load_model(numtorch, arrays, (4, 8, 8, 1), "tanh", True, "float64")
    x = numtorch.tensor(arrays["x"], requires_grad=True)
    out = m(x)
    g, = numtorch.autograd.grad(out, x, grad_outputs=numtorch.ones_like(out), create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
    gp.backward()
    w = dict(m.named_parameters())["0.weight"].grad.numpy()
    np.testing.assert_allclose(w, expected["grad/0.weight"], rtol=1e-9, atol=1e-11)
    assert np.abs(w).max() > 1e-3
