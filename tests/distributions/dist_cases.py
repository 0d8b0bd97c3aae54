"""The distribution cases shared by the tests and ``tests/data/regen_distributions.py``.

``run_case(lib, case)`` builds the case's distribution with ``lib`` (numtorch or torch: the same
code runs on both) and returns what PyTorch's record holds: arrays (samples after
``manual_seed``, log_prob/cdf/icdf/mean/variance/... values, gradients) and facts (repr,
shapes, supports).  Inputs come from a generator seeded by the case's name.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

SEEDS = (0, 7, 2024)
SHAPES = ((), (3,), (2, 5), (17,))


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


@dataclass
class Case:
    name: str
    build: Callable                      # build(D, P) -> distribution; P: name -> lib tensor
    params: Callable                     # params(rng) -> {name: ndarray | number}
    values: Callable                     # values(rng, batch_shape, event_shape) -> [ndarray]
    dtype: str = "float32"
    grad: Tuple[str, ...] = ()           # params that require grad
    cdf: bool = False
    icdf: bool = False
    exact: bool = True                   # samples bit-identical to PyTorch's
    rsample_grad_rtol: Optional[float] = None   # looser: implicit-reparameterization gradients
    props: Tuple[str, ...] = ("mean", "variance", "stddev", "mode", "entropy")
    shapes: Tuple = SHAPES
    seeds: Tuple = SEEDS


def _pos(rng, *shape, lo=0.3, hi=3.0):
    return rng.uniform(lo, hi, shape)


def _real(rng, *shape):
    return rng.normal(size=shape)


def _normal_vals(rng, bs, es):
    shape = tuple(bs) + tuple(es)
    return [rng.normal(size=shape) * 2, rng.normal(size=(4,) + shape)]


def _unit_vals(rng, bs, es):
    return [rng.uniform(0.02, 0.98, tuple(bs) + tuple(es)), rng.uniform(0.02, 0.98, (3,) + tuple(bs))]


def _pos_vals(rng, bs, es):
    return [rng.uniform(0.05, 4.0, tuple(bs) + tuple(es)), rng.uniform(0.05, 4.0, (3,) + tuple(bs))]


def _binary_vals(rng, bs, es):
    return [rng.integers(0, 2, tuple(bs)).astype(float),
            rng.integers(0, 2, (3,) + tuple(bs)).astype(float)]


def _count_vals(hi):
    def f(rng, bs, es):
        return [rng.integers(0, hi + 1, tuple(bs)).astype(float),
                rng.integers(0, hi + 1, (2,) + tuple(bs)).astype(float)]
    return f


def _cat_vals(k):
    def f(rng, bs, es):
        return [rng.integers(0, k, tuple(bs)), rng.integers(0, k, (3,) + tuple(bs))]
    return f


def _onehot_vals(k):
    def f(rng, bs, es):
        idx = rng.integers(0, k, (3,) + tuple(bs))
        return [np.eye(k)[idx]]
    return f


def _simplex_vals(rng, bs, es):
    x = rng.uniform(0.1, 1.0, (3,) + tuple(bs) + tuple(es))
    return [x / x.sum(-1, keepdims=True)]


def _spd(rng, n, batch=()):
    m = rng.normal(size=tuple(batch) + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _tril(rng, n):
    m = np.tril(rng.normal(size=(n, n)) * 0.5)
    m[np.diag_indices(n)] = rng.uniform(0.5, 2.0, n)
    return m


def _cases() -> List[Case]:
    C = []
    for dt in ("float32", "float64"):
        g = ("loc", "scale")
        C += [
            Case(f"normal_{dt}", lambda D, P: D.Normal(P["loc"], P["scale"]),
                 lambda r: {"loc": _real(r, 3), "scale": _pos(r, 3)}, _normal_vals, dt, g,
                 cdf=True, icdf=True),
            Case(f"normal_scalar_{dt}", lambda D, P: D.Normal(P["loc"], P["scale"]),
                 lambda r: {"loc": np.array(0.5), "scale": np.array(2.0)}, _normal_vals, dt, g,
                 cdf=True, icdf=True),
            Case(f"normal_bcast_{dt}", lambda D, P: D.Normal(P["loc"], P["scale"]),
                 lambda r: {"loc": _real(r, 2, 1), "scale": _pos(r, 3)}, _normal_vals, dt, g),
            Case(f"uniform_{dt}", lambda D, P: D.Uniform(P["low"], P["high"]),
                 lambda r: {"low": np.array([0.0, -1.0, 2.0]), "high": np.array([1.0, 3.0, 2.5])},
                 lambda r, bs, es: [np.array([0.5, 0.0, 2.2]), np.array([[0.1, 2.9, 2.4]])],
                 dt, ("low", "high"), cdf=True, icdf=True),
            Case(f"bernoulli_{dt}", lambda D, P: D.Bernoulli(P["probs"]),
                 lambda r: {"probs": np.array([0.1, 0.5, 0.77, 0.0, 1.0])}, _binary_vals, dt,
                 ("probs",)),
            Case(f"bernoulli_logits_{dt}", lambda D, P: D.Bernoulli(logits=P["logits"]),
                 lambda r: {"logits": _real(r, 4) * 2}, _binary_vals, dt, ("logits",)),
            Case(f"categorical_{dt}", lambda D, P: D.Categorical(P["probs"]),
                 lambda r: {"probs": _pos(r, 2, 4)}, _cat_vals(4), dt, ("probs",),
                 props=("mode", "entropy")),
            Case(f"categorical_logits_{dt}", lambda D, P: D.Categorical(logits=P["logits"]),
                 lambda r: {"logits": _real(r, 3, 5)}, _cat_vals(5), dt, ("logits",),
                 props=("mode", "entropy")),
            Case(f"categorical_1d_{dt}", lambda D, P: D.Categorical(logits=P["logits"]),
                 lambda r: {"logits": _real(r, 6)}, _cat_vals(6), dt, ("logits",),
                 props=("mode", "entropy")),
            Case(f"onehot_{dt}", lambda D, P: D.OneHotCategorical(P["probs"]),
                 lambda r: {"probs": _pos(r, 2, 3)}, _onehot_vals(3), dt, ("probs",),
                 props=("mean", "variance", "mode", "entropy")),
            Case(f"exponential_{dt}", lambda D, P: D.Exponential(P["rate"]),
                 lambda r: {"rate": _pos(r, 3)}, _pos_vals, dt, ("rate",), cdf=True, icdf=True),
            Case(f"laplace_{dt}", lambda D, P: D.Laplace(P["loc"], P["scale"]),
                 lambda r: {"loc": _real(r, 3), "scale": _pos(r, 3)}, _normal_vals, dt, g,
                 cdf=True, icdf=True, exact=False),
            Case(f"gamma_{dt}", lambda D, P: D.Gamma(P["concentration"], P["rate"]),
                 lambda r: {"concentration": np.array([0.4, 1.0, 2.5, 7.0]),
                            "rate": _pos(r, 4)}, _pos_vals, dt, ("concentration", "rate"),
                 cdf=True, rsample_grad_rtol=2e-3),
            Case(f"chi2_{dt}", lambda D, P: D.Chi2(P["df"]),
                 lambda r: {"df": np.array([1.0, 3.0, 10.0])}, _pos_vals, dt, ("df",),
                 rsample_grad_rtol=2e-3),
            Case(f"beta_{dt}", lambda D, P: D.Beta(P["c1"], P["c0"]),
                 lambda r: {"c1": np.array([0.5, 2.0, 5.0]), "c0": np.array([1.5, 0.7, 4.0])},
                 _unit_vals, dt, ("c1", "c0"), rsample_grad_rtol=2e-3),
            Case(f"dirichlet_{dt}", lambda D, P: D.Dirichlet(P["c"]),
                 lambda r: {"c": np.array([[0.5, 2.0, 1.0], [3.0, 3.0, 0.8]])}, _simplex_vals,
                 dt, ("c",), props=("mean", "variance", "mode", "entropy"),
                 rsample_grad_rtol=2e-3),
            Case(f"poisson_{dt}", lambda D, P: D.Poisson(P["rate"]),
                 lambda r: {"rate": np.array([0.5, 4.0, 12.0, 30.0])}, _count_vals(20), dt,
                 ("rate",), props=("mean", "variance", "mode")),
            Case(f"binomial_{dt}", lambda D, P: D.Binomial(P["n"], P["probs"]),
                 lambda r: {"n": np.array([5.0, 5.0, 5.0]), "probs": np.array([0.2, 0.5, 0.9])},
                 _count_vals(5), dt, ("probs",)),
            Case(f"binomial_big_{dt}", lambda D, P: D.Binomial(P["n"], logits=P["logits"]),
                 lambda r: {"n": np.array([40.0, 100.0]), "logits": np.array([0.3, -1.2])},
                 _count_vals(40), dt, ("logits",), props=("mean", "variance", "mode")),
            Case(f"mvn_cov_{dt}", lambda D, P: D.MultivariateNormal(P["loc"], P["cov"]),
                 lambda r: {"loc": _real(r, 3), "cov": _spd(r, 3)}, _normal_vals, dt,
                 ("loc", "cov"), exact=dt == "float64",
                 props=("mean", "variance", "mode", "entropy")),
            Case(f"mvn_tril_{dt}",
                 lambda D, P: D.MultivariateNormal(P["loc"], scale_tril=P["L"]),
                 lambda r: {"loc": _real(r, 2, 3), "L": _tril(r, 3)}, _normal_vals, dt,
                 ("loc", "L"), props=("mean", "variance", "mode", "entropy")),
            Case(f"mvn_prec_{dt}",
                 lambda D, P: D.MultivariateNormal(P["loc"], precision_matrix=P["P"]),
                 lambda r: {"loc": _real(r, 2), "P": _spd(r, 2, (2,))}, _normal_vals, dt,
                 ("loc", "P"), exact=False, props=("mean", "variance", "mode", "entropy")),
            Case(f"lognormal_{dt}", lambda D, P: D.LogNormal(P["loc"], P["scale"]),
                 lambda r: {"loc": _real(r, 3) * 0.5, "scale": _pos(r, 3, hi=1.0)}, _pos_vals,
                 dt, g, cdf=True, icdf=True, exact=False),
            Case(f"independent_{dt}",
                 lambda D, P: D.Independent(D.Normal(P["loc"], P["scale"]), 1),
                 lambda r: {"loc": _real(r, 2, 3), "scale": _pos(r, 2, 3)}, _normal_vals, dt, g),
            Case(f"tanh_affine_{dt}",
                 lambda D, P: D.TransformedDistribution(
                     D.Normal(P["loc"], P["scale"]),
                     [D.TanhTransform(), D.AffineTransform(1.0, 2.0)]),
                 lambda r: {"loc": _real(r, 3) * 0.5, "scale": _pos(r, 3, hi=1.0)},
                 lambda r, bs, es: [r.uniform(-0.9, 2.9, tuple(bs))], dt, g, cdf=True,
                 icdf=True, exact=False, props=()),
            Case(f"sigmoid_{dt}",
                 lambda D, P: D.TransformedDistribution(D.Normal(P["loc"], P["scale"]),
                                                        D.SigmoidTransform()),
                 lambda r: {"loc": _real(r, 3), "scale": _pos(r, 3, hi=1.0)}, _unit_vals, dt,
                 g, cdf=True, icdf=True, exact=False, props=()),
            Case(f"exp_power_{dt}",
                 lambda D, P: D.TransformedDistribution(
                     D.Normal(P["loc"], P["scale"]),
                     [D.ExpTransform().inv.inv, D.PowerTransform(P["k"])]),
                 lambda r: {"loc": _real(r, 3) * 0.3, "scale": _pos(r, 3, hi=0.5),
                            "k": np.array(2.0)},
                 _pos_vals, dt, ("loc", "scale", "k"), exact=False, props=()),
        ]
    return C


CASES = _cases()
CASE_BY_NAME = {c.name: c for c in CASES}

# (name, build(D, P) -> (p, q))
_KL_BASE = [
    ("normal", lambda D, P: (D.Normal(P["a"], P["b"]), D.Normal(P["c"], P["d"]))),
    ("bernoulli", lambda D, P: (D.Bernoulli(P["pa"]), D.Bernoulli(P["pb"]))),
    ("categorical", lambda D, P: (D.Categorical(P["sa"]), D.Categorical(logits=P["a3"]))),
    ("onehot", lambda D, P: (D.OneHotCategorical(P["sa"]), D.OneHotCategorical(P["sb"]))),
    ("uniform", lambda D, P: (D.Uniform(P["a"] - 1, P["a"] + 1),
                              D.Uniform(P["c"] - 6, P["c"] + 6))),
    ("uniform_inf", lambda D, P: (D.Uniform(P["a"] - 1, P["a"] + 1), D.Uniform(P["c"], P["c"] + 3))),
    ("exponential", lambda D, P: (D.Exponential(P["b"]), D.Exponential(P["d"]))),
    ("beta", lambda D, P: (D.Beta(P["b"], P["d"]), D.Beta(P["d"], P["b"] + 1))),
    ("gamma", lambda D, P: (D.Gamma(P["b"], P["d"]), D.Gamma(P["d"], P["b"] + 1))),
    ("laplace", lambda D, P: (D.Laplace(P["a"], P["b"]), D.Laplace(P["c"], P["d"]))),
    ("poisson", lambda D, P: (D.Poisson(P["b"]), D.Poisson(P["d"]))),
    ("dirichlet", lambda D, P: (D.Dirichlet(P["sa"] * 3), D.Dirichlet(P["sb"] * 2))),
    ("binomial", lambda D, P: (D.Binomial(10, P["pa"]), D.Binomial(10, P["pb"]))),
    ("mvn", lambda D, P: (D.MultivariateNormal(P["a3"], P["cov"]),
                          D.MultivariateNormal(P["c3"], scale_tril=P["L"]))),
    ("independent", lambda D, P: (D.Independent(D.Normal(P["a23"], P["b23"]), 1),
                                  D.Independent(D.Normal(P["c23"], P["d23"]), 1))),
    ("lognormal", lambda D, P: (D.LogNormal(P["a"], P["b"]), D.LogNormal(P["c"], P["d"]))),
]
KL_CASES = [(f"kl_{n}_{dt}", f, dt) for dt in ("float32", "float64") for n, f in _KL_BASE]


def kl_params(name: str) -> Dict[str, np.ndarray]:
    r = rng_for(name)
    sa = r.uniform(0.1, 1, (2, 3))
    sb = r.uniform(0.1, 1, (2, 3))
    return {"a": r.normal(size=3), "b": r.uniform(0.5, 2, 3), "c": r.normal(size=3),
            "d": r.uniform(0.5, 2, 3), "pa": r.uniform(0.05, 0.95, 3),
            "pb": r.uniform(0.05, 0.95, 3), "sa": sa / sa.sum(-1, keepdims=True),
            "sb": sb / sb.sum(-1, keepdims=True), "a3": r.normal(size=(2, 3)),
            "c3": r.normal(size=(2, 3)), "cov": _spd(r, 3), "L": _tril(r, 3),
            "a23": r.normal(size=(2, 3)), "b23": r.uniform(0.5, 2, (2, 3)),
            "c23": r.normal(size=(2, 3)), "d23": r.uniform(0.5, 2, (2, 3))}


# --------------------------------------------------------------------------------------------
def _t(lib, x, dtype, requires_grad=False):
    a = np.asarray(x)
    dt = getattr(lib, dtype) if a.dtype.kind == "f" else getattr(lib, "int64")
    return lib.tensor(a, dtype=dt, requires_grad=requires_grad and a.dtype.kind == "f")


def _np(t) -> np.ndarray:
    return t.detach().numpy().copy() if hasattr(t, "detach") else np.asarray(t)


def _err(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


def make(lib, case: Case, requires_grad=()):
    D = lib.distributions
    raw = case.params(rng_for(case.name))
    P = {k: _t(lib, v, case.dtype, k in requires_grad) for k, v in raw.items()}
    return case.build(D, P), P


def run_case(lib, case: Case) -> Tuple[Dict[str, np.ndarray], Dict[str, object]]:
    """Everything recorded for one case: (arrays, facts)."""
    arrays: Dict[str, np.ndarray] = {}
    facts: Dict[str, object] = {}
    d, P = make(lib, case)
    facts["repr"] = repr(d)
    facts["batch_shape"] = list(d.batch_shape)
    facts["event_shape"] = list(d.event_shape)
    facts["support"] = repr(d.support)
    facts["has_rsample"] = bool(d.has_rsample)
    for prop in case.props:
        try:
            v = getattr(d, prop)
            v = v() if callable(v) else v
            arrays[prop] = _np(v)
        except Exception as e:  # noqa: BLE001 - the exception is part of the record
            facts[f"{prop}_error"] = _err(e)
    vals = case.values(rng_for(case.name + "/values"), d.batch_shape, d.event_shape)
    for i, v in enumerate(vals):
        vt = _t(lib, v, case.dtype)
        arrays[f"value{i}"] = np.asarray(v)
        arrays[f"log_prob{i}"] = _np(d.log_prob(vt))
        if case.cdf:
            arrays[f"cdf{i}"] = _np(d.cdf(vt))
    if case.icdf:
        q = rng_for(case.name + "/q").uniform(0.01, 0.99, tuple(d.batch_shape))
        arrays["q"] = q
        arrays["icdf"] = _np(d.icdf(_t(lib, q, case.dtype)))
    # samples, bit for bit, and the generator afterwards
    for seed in case.seeds:
        for shape in case.shapes:
            key = f"s{seed}_{'x'.join(map(str, shape)) or 'scalar'}"
            lib.manual_seed(seed)
            arrays["sample_" + key] = _np(d.sample(shape))
            arrays["after_" + key] = _np(lib.rand(2, dtype=lib.float64))
            if d.has_rsample:
                lib.manual_seed(seed)
                arrays["rsample_" + key] = _np(d.rsample(shape))
    # gradients of log_prob and rsample w.r.t. the parameters
    if case.grad:
        d, P = make(lib, case, case.grad)
        v0 = _t(lib, vals[0], case.dtype)
        lp = d.log_prob(v0)
        w = rng_for(case.name + "/w").uniform(0.5, 1.5, tuple(lp.shape))
        grads = lib.autograd.grad((lp * _t(lib, w, case.dtype)).sum(), [P[k] for k in case.grad],
                                  allow_unused=True)
        for k, gr in zip(case.grad, grads):
            if gr is not None:
                arrays[f"grad_log_prob_{k}"] = _np(gr)
        if d.has_rsample:
            d, P = make(lib, case, case.grad)
            lib.manual_seed(3)
            x = d.rsample((4,))
            w = rng_for(case.name + "/rw").uniform(0.5, 1.5, tuple(x.shape))
            grads = lib.autograd.grad((x * _t(lib, w, case.dtype)).sum(),
                                      [P[k] for k in case.grad], allow_unused=True)
            for k, gr in zip(case.grad, grads):
                if gr is not None:
                    arrays[f"grad_rsample_{k}"] = _np(gr)
    return arrays, facts


def run_kl(lib, name: str, build, dtype: str):
    raw = kl_params(name)
    P = {k: _t(lib, v, dtype, True) for k, v in raw.items()}
    p, q = build(lib.distributions, P)
    kl = lib.distributions.kl_divergence(p, q)
    arrays = {"kl": _np(kl)}
    used = [k for k in P]
    grads = lib.autograd.grad(kl.sum(), [P[k] for k in used], allow_unused=True)
    for k, gr in zip(used, grads):
        if gr is not None:
            arrays[f"grad_{k}"] = _np(gr)
    return arrays


# errors: (name, fn(lib) -> raises)
def _errors():
    E = []

    def add(name):
        def deco(f):
            E.append((name, f))
            return f
        return deco

    @add("normal_negative_scale")
    def _(lib):
        lib.distributions.Normal(lib.zeros(2), lib.tensor([1.0, -1.0]))

    @add("normal_nan_scale")
    def _(lib):
        lib.distributions.Normal(lib.zeros(2), lib.tensor([1.0, float("nan")]))

    @add("normal_negative_scale_long")
    def _(lib):
        lib.distributions.Normal(lib.zeros(20), -lib.ones(20))

    @add("normal_scalar_scale")
    def _(lib):
        lib.distributions.Normal(0.0, -2.0)

    @add("uniform_low_high")
    def _(lib):
        lib.distributions.Uniform(lib.zeros(2), lib.zeros(2))

    @add("bernoulli_both")
    def _(lib):
        lib.distributions.Bernoulli(lib.tensor([0.3, 0.5]), logits=lib.zeros(2))

    @add("bernoulli_none")
    def _(lib):
        lib.distributions.Bernoulli()

    @add("bernoulli_probs_range")
    def _(lib):
        lib.distributions.Bernoulli(lib.tensor([0.3, 1.5]))

    @add("bernoulli_support")
    def _(lib):
        lib.distributions.Bernoulli(lib.tensor([0.3, 0.5])).log_prob(lib.tensor([0.5, 1.0]))

    @add("categorical_0d")
    def _(lib):
        lib.distributions.Categorical(lib.tensor(0.5))

    @add("categorical_logits_0d")
    def _(lib):
        lib.distributions.Categorical(logits=lib.tensor(0.5))

    @add("categorical_support")
    def _(lib):
        lib.distributions.Categorical(lib.ones(3)).log_prob(lib.tensor([3]))

    @add("categorical_simplex")
    def _(lib):
        lib.distributions.Categorical(lib.tensor([0.5, -0.1, 0.6]))

    @add("log_prob_not_tensor")
    def _(lib):
        lib.distributions.Normal(0.0, 1.0).log_prob(0.5)

    @add("log_prob_event_shape")
    def _(lib):
        lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(lib.zeros(3))

    @add("log_prob_broadcast")
    def _(lib):
        lib.distributions.Normal(lib.zeros(2), lib.ones(2)).log_prob(lib.zeros(3))

    @add("gamma_support")
    def _(lib):
        lib.distributions.Gamma(lib.ones(2), lib.ones(2)).log_prob(lib.tensor([-1.0, 1.0]))

    @add("poisson_support")
    def _(lib):
        lib.distributions.Poisson(lib.ones(2)).log_prob(lib.tensor([1.5, 1.0]))

    @add("mvn_two_params")
    def _(lib):
        lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2))

    @add("mvn_loc_0d")
    def _(lib):
        lib.distributions.MultivariateNormal(lib.tensor(0.0), lib.eye(2))

    @add("mvn_not_pd")
    def _(lib):
        lib.distributions.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]]))

    @add("mvn_scale_tril_1d")
    def _(lib):
        lib.distributions.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2))

    @add("independent_ndims")
    def _(lib):
        lib.distributions.Independent(lib.distributions.Normal(lib.zeros(2), lib.ones(2)), 2)

    @add("kl_missing")
    def _(lib):
        D = lib.distributions
        D.kl_divergence(D.Normal(0.0, 1.0), D.Poisson(lib.tensor(1.0)))

    @add("kl_not_registered")
    def _(lib):
        D = lib.distributions
        D.kl_divergence(D.MultivariateNormal(lib.zeros(2), lib.eye(2)), D.Normal(0.0, 1.0))

    @add("dirichlet_0d")
    def _(lib):
        lib.distributions.Dirichlet(lib.tensor(1.0))

    @add("transformed_bad")
    def _(lib):
        D = lib.distributions
        D.TransformedDistribution(D.Normal(0.0, 1.0), "exp")

    @add("beta_support")
    def _(lib):
        lib.distributions.Beta(lib.ones(2), lib.ones(2)).log_prob(lib.tensor([1.5, 0.5]))

    @add("binomial_entropy_inhomogeneous")
    def _(lib):
        lib.distributions.Binomial(lib.tensor([3.0, 4.0]), lib.tensor([0.5, 0.5])).entropy()

    @add("poisson_entropy")
    def _(lib):
        lib.distributions.Poisson(lib.ones(2)).entropy()

    @add("uniform_support")
    def _(lib):
        lib.distributions.Uniform(0.0, 1.0).log_prob(lib.tensor(1.5))

    @add("transform_cache")
    def _(lib):
        lib.distributions.ExpTransform(cache_size=2)

    return E


ERRORS = _errors()


def run_error(lib, fn) -> str:
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001
        return _err(e)
    return "no error"


REPRS = [
    ("normal", lambda lib, D: D.Normal(lib.zeros(2), lib.ones(2))),
    ("normal_scalar", lambda lib, D: D.Normal(0.0, 1.0)),
    ("bernoulli", lambda lib, D: D.Bernoulli(probs=lib.tensor([0.3, 0.4]))),
    ("bernoulli_logits", lambda lib, D: D.Bernoulli(logits=lib.zeros(3))),
    ("categorical", lambda lib, D: D.Categorical(logits=lib.zeros(2, 3))),
    ("mvn", lambda lib, D: D.MultivariateNormal(lib.zeros(2), lib.eye(2))),
    ("mvn_tril", lambda lib, D: D.MultivariateNormal(lib.zeros(2), scale_tril=lib.eye(2))),
    ("independent", lambda lib, D: D.Independent(D.Normal(lib.zeros(3, 2), lib.ones(3, 2)), 1)),
    ("transformed", lambda lib, D: D.TransformedDistribution(D.Normal(0.0, 1.0),
                                                             [D.ExpTransform()])),
    ("lognormal", lambda lib, D: D.LogNormal(0.0, 1.0)),
    ("uniform", lambda lib, D: D.Uniform(0.0, 1.0)),
    ("gamma", lambda lib, D: D.Gamma(1.0, 2.0)),
    ("beta", lambda lib, D: D.Beta(1.0, 2.0)),
    ("poisson", lambda lib, D: D.Poisson(2.0)),
    ("binomial", lambda lib, D: D.Binomial(3, lib.tensor(0.3))),
    ("exponential", lambda lib, D: D.Exponential(1.0)),
    ("laplace", lambda lib, D: D.Laplace(0.0, 1.0)),
    ("onehot", lambda lib, D: D.OneHotCategorical(lib.ones(3))),
    ("dirichlet", lambda lib, D: D.Dirichlet(lib.ones(3))),
    ("chi2", lambda lib, D: D.Chi2(lib.tensor([2.0]))),
    ("compose", lambda lib, D: D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.0, 2.0)])),
    ("inverse", lambda lib, D: D.ExpTransform().inv),
    ("sigmoid_t", lambda lib, D: D.SigmoidTransform()),
    ("constraints", lambda lib, D: [D.constraints.real, D.constraints.positive,
                                     D.constraints.simplex, D.constraints.interval(0.0, 1.0),
                                     D.constraints.integer_interval(0, 3),
                                     D.constraints.real_vector, D.constraints.lower_cholesky,
                                     D.constraints.positive_definite, D.constraints.boolean,
                                     D.constraints.nonnegative_integer,
                                     D.constraints.greater_than(lib.tensor(2.0)),
                                     D.constraints.half_open_interval(0.0, 1.0),
                                     D.constraints.unit_interval, D.constraints.one_hot]),
]


def run_repr(lib, build) -> str:
    return repr(build(lib, lib.distributions))
