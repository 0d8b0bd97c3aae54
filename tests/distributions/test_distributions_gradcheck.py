"""float64 ``gradcheck`` / ``gradgradcheck`` of log_prob, rsample, entropy and KL (no torch).

rsample is checked for the samplers whose draws are an explicit function of the parameters
(the generator is re-seeded inside the function, so each evaluation uses the same noise);
gamma, Beta and Dirichlet use implicit reparameterization instead, checked in
``test_samplers.py`` through ``E[dx/dalpha] = dE[x]/dalpha``.
"""
from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
import dist_cases as dc

F64 = [c for c in dc.CASES if c.dtype == "float64" and c.grad]
EXPLICIT = {"normal", "normal_scalar", "normal_bcast", "uniform", "exponential", "laplace",
            "mvn_cov", "mvn_tril", "mvn_prec", "lognormal", "independent", "tanh_affine",
            "sigmoid", "exp_power"}
# parameters whose gradient is not smooth at the case's point or not defined
NOT_SMOOTH = {
    ("bernoulli_float64", "probs"),   # probs 0 and 1 are clamped
    ("binomial_float64", "probs"),    # p = 0.5: logit 0 sits on the kink of |logit| (PyTorch's
}                                     # gradient there is the same, see test_parity)


def _fn(case, what):
    raw = case.params(dc.rng_for(case.name))
    names = [k for k in case.grad if (case.name, k) not in NOT_SMOOTH]
    vals = case.values(dc.rng_for(case.name + "/values"), (), ())

    def build(*tensors):
        P = {k: dc._t(numtorch, v, "float64") for k, v in raw.items()}
        P.update(dict(zip(names, tensors)))
        if "cov" in P:
            P["cov"] = 0.5 * (P["cov"] + P["cov"].transpose(-2, -1))
        if "P" in P:
            P["P"] = 0.5 * (P["P"] + P["P"].transpose(-2, -1))
        if "L" in P:
            P["L"] = P["L"].tril()
        return case.build(numtorch.distributions, P)

    inputs = tuple(numtorch.tensor(np.asarray(raw[k], np.float64), requires_grad=True)
                   for k in names)
    if what == "log_prob":
        d0 = build(*inputs)
        v = dc._t(numtorch, case.values(dc.rng_for(case.name + "/values"), d0.batch_shape,
                                        d0.event_shape)[0], "float64")
        return (lambda *t: build(*t).log_prob(v)), inputs
    if what == "rsample":
        def f(*t):
            numtorch.manual_seed(11)
            return build(*t).rsample((3,))
        return f, inputs
    return (lambda *t: build(*t).entropy()), inputs


@pytest.mark.parametrize("case", F64, ids=lambda c: c.name)
def test_log_prob_gradcheck(case):
    f, inputs = _fn(case, "log_prob")
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("case", [c for c in F64 if c.name[:-len("_float64")] in EXPLICIT],
                         ids=lambda c: c.name)
def test_rsample_gradcheck(case):
    f, inputs = _fn(case, "rsample")
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("case", [c for c in F64 if "entropy" in c.props
                                  and c.name[:-len("_float64")] not in ("categorical_1d",)],
                         ids=lambda c: c.name)
def test_entropy_gradcheck(case):
    f, inputs = _fn(case, "entropy")
    assert gradcheck(f, inputs)


@pytest.mark.parametrize("kl", [k for k in dc.KL_CASES if k[2] == "float64" and "_inf" not in k[0]],
                         ids=lambda k: k[0])
def test_kl_gradcheck(kl):
    name, build, _ = kl
    raw = dc.kl_params(name)
    keys = sorted(raw)

    def f(*tensors):
        P = dict(zip(keys, tensors))
        P["cov"] = 0.5 * (P["cov"] + P["cov"].transpose(-2, -1))
        P["L"] = P["L"].tril()
        p, q = build(numtorch.distributions, P)
        return numtorch.distributions.kl_divergence(p, q)

    inputs = tuple(numtorch.tensor(raw[k], dtype=numtorch.float64, requires_grad=True)
                   for k in keys)
    assert gradcheck(f, inputs)
