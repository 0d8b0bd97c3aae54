"""Samplers and behaviour beyond the recorded parity (no torch needed): moments of the
rejection samplers, the implicit-reparameterization gradients of Gamma/Beta/Dirichlet
(``E[dx/dalpha] = dE[x]/dalpha``), shapes, ``expand``, validation switches, KL registration,
and end-to-end gradient flow (a VAE step and a policy-gradient step)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch as torch
from numtorch import distributions as D
from numtorch.distributions import constraints


def _check_moments(x: np.ndarray, mean: float, var: float, n_sigma: float = 5.0) -> None:
    n = x.size
    assert abs(x.mean() - mean) < n_sigma * math.sqrt(var / n)
    # the variance of the sample variance is about 2 var^2 / n for these light tails
    assert abs(x.var() - var) < n_sigma * math.sqrt(2 * var * var / n) + 1e-12


@pytest.mark.parametrize("alpha", [0.3, 1.0, 4.5, 60.0])
def test_gamma_moments(alpha):
    torch.manual_seed(1)
    x = D.Gamma(torch.tensor(alpha, dtype=torch.float64), 2.0).sample((4000,)).numpy()
    _check_moments(x, alpha / 2, alpha / 4, n_sigma=6)
    assert (x > 0).all()


@pytest.mark.parametrize("rate", [0.7, 9.5, 10.0, 250.0])
def test_poisson_moments(rate):
    torch.manual_seed(2)
    x = D.Poisson(torch.tensor(rate, dtype=torch.float64)).sample((4000,)).numpy()
    assert (x == np.floor(x)).all() and (x >= 0).all()
    _check_moments(x, rate, rate, n_sigma=6)


@pytest.mark.parametrize("n,p", [(7, 0.3), (200, 0.25), (200, 0.9), (30, 0.5)])
def test_binomial_moments(n, p):
    torch.manual_seed(3)
    x = D.Binomial(n, torch.tensor(p, dtype=torch.float64)).sample((4000,)).numpy()
    assert (x == np.floor(x)).all() and (x >= 0).all() and (x <= n).all()
    _check_moments(x, n * p, n * p * (1 - p), n_sigma=6)


def test_beta_dirichlet_moments():
    torch.manual_seed(4)
    x = D.Beta(torch.tensor(2.0, dtype=torch.float64), 5.0).sample((4000,)).numpy()
    _check_moments(x, 2 / 7, 2 * 5 / (49 * 8), n_sigma=6)
    y = D.Dirichlet(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sample((3000,)).numpy()
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-12)
    assert np.all(np.abs(y.mean(0) - np.array([1, 2, 3]) / 6) < 0.02)


@pytest.mark.parametrize("alpha", [0.4, 1.0, 3.0, 25.0])
def test_gamma_reparam_gradient_mean(alpha):
    # E[x] = alpha for Gamma(alpha, 1), so E[dx/dalpha] = 1
    a = torch.full((4000,), alpha, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(5)
    D.Gamma(a, 1.0).rsample().sum().backward()
    g = a.grad.numpy()
    assert abs(g.mean() - 1.0) < 6 * g.std() / math.sqrt(g.size)
    assert g.std() > 0


def test_beta_reparam_gradient_mean():
    a0, b0 = 2.0, 3.0
    a = torch.full((4000,), a0, dtype=torch.float64, requires_grad=True)
    b = torch.full((4000,), b0, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(6)
    D.Beta(a, b).rsample().sum().backward()
    ga, gb = a.grad.numpy(), b.grad.numpy()
    assert abs(ga.mean() - b0 / (a0 + b0) ** 2) < 6 * ga.std() / math.sqrt(ga.size)
    assert abs(gb.mean() + a0 / (a0 + b0) ** 2) < 6 * gb.std() / math.sqrt(gb.size)


def test_dirichlet_reparam_gradient_sums_to_zero():
    c = torch.tensor([[1.0, 2.0, 0.5]] * 50, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(7)
    x = D.Dirichlet(c).rsample()
    # moving a concentration moves the components along the simplex: sum_i dx_i = 0
    gsum, = torch.autograd.grad(x.sum(), c)
    np.testing.assert_allclose(gsum.numpy(), 0.0, atol=1e-10)


def test_gamma_sampler_stream_position():
    # the generator advances exactly as PyTorch's does: only the words used are consumed
    torch.manual_seed(0)
    D.Gamma(torch.tensor([0.5, 2.0]), 1.0).sample((10,))
    a = torch.rand(3)
    torch.manual_seed(0)
    D.Gamma(torch.tensor([0.5, 2.0]), 1.0).sample((10,))
    assert torch.equal(a, torch.rand(3))


def test_shapes_and_expand():
    d = D.Normal(torch.zeros(3), torch.ones(3))
    assert d.sample().shape == (3,)
    assert d.sample((2,)).shape == (2, 3)
    assert d.sample([4, 2]).shape == (4, 2, 3)
    assert d.sample(torch.Size([5])).shape == (5, 3)
    e = d.expand((2, 3))
    assert e.batch_shape == (2, 3) and e.sample().shape == (2, 3)
    assert e._validate_args == d._validate_args
    c = D.Categorical(logits=torch.zeros(4, 5)).expand((2, 4))
    assert c.sample().shape == (2, 4) and c.logits.shape == (2, 4, 5)
    m = D.MultivariateNormal(torch.zeros(2), torch.eye(2)).expand((3,))
    assert m.sample((4,)).shape == (4, 3, 2) and m.covariance_matrix.shape == (3, 2, 2)
    i = D.Independent(D.Normal(torch.zeros(3, 2), torch.ones(3, 2)), 1).expand((4, 3))
    assert i.batch_shape == (4, 3) and i.event_shape == (2,)
    for dist in (D.Gamma(torch.ones(2), 1.0), D.Beta(torch.ones(2), 2.0), D.Poisson(torch.ones(2)),
                 D.Binomial(3, torch.full((2,), 0.5)), D.Bernoulli(torch.full((2,), 0.5)),
                 D.Laplace(0.0, torch.ones(2)), D.Exponential(torch.ones(2)),
                 D.Uniform(torch.zeros(2), 1.0), D.LogNormal(torch.zeros(2), 1.0),
                 D.OneHotCategorical(torch.ones(2, 3)), D.Dirichlet(torch.ones(2, 3)),
                 D.Chi2(torch.ones(2))):
        ex = dist.expand((5, 2))
        assert ex.batch_shape == (5, 2)
        assert ex.sample().shape == (5, 2) + tuple(dist.event_shape)


def test_validate_args_switch():
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)
    assert math.isnan(float(D.Normal(0.0, -1.0, validate_args=False).log_prob(torch.tensor(0.0))))
    D.Distribution.set_default_validate_args(False)
    try:
        D.Normal(0.0, -1.0)
        D.Bernoulli(torch.tensor([0.5])).log_prob(torch.tensor([0.5]))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args("yes")


def test_lazy_params_and_repr():
    d = D.Bernoulli(logits=torch.zeros(2))
    assert repr(d) == "Bernoulli(logits: torch.Size([2]))"
    assert torch.equal(d.probs, torch.full((2,), 0.5))
    assert repr(d) == "Bernoulli(probs: torch.Size([2]), logits: torch.Size([2]))"
    assert "probs" in d.__dict__


def test_enumerate_support():
    b = D.Bernoulli(torch.full((3,), 0.5))
    assert b.enumerate_support().shape == (2, 3)
    assert b.enumerate_support(expand=False).shape == (2, 1)
    c = D.Categorical(torch.ones(2, 4))
    assert c.enumerate_support().tolist() == [[0, 0], [1, 1], [2, 2], [3, 3]]
    o = D.OneHotCategorical(torch.ones(4))
    assert o.enumerate_support().tolist() == np.eye(4).tolist()
    n = D.Binomial(3, torch.full((2,), 0.3))
    assert n.enumerate_support().shape == (4, 2)


def test_register_kl_and_dispatch():
    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    assert torch.allclose(D.kl_divergence(p, q), D.kl_divergence(D.Normal(0.0, 1.0), q))

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return torch.tensor(42.0)

    assert float(D.kl_divergence(p, q)) == 42.0
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)


def test_transforms_roundtrip_and_cache():
    x = torch.tensor([-1.5, 0.2, 3.0], dtype=torch.float64)
    for t in (D.ExpTransform(), D.SigmoidTransform(), D.TanhTransform(), D.SoftplusTransform(),
              D.AffineTransform(1.0, -2.0), D.PowerTransform(2.0).inv.inv,
              D.ComposeTransform([D.ExpTransform(), D.AffineTransform(0.5, 3.0)])):
        xx = x.abs() if isinstance(t, D.PowerTransform) else x
        np.testing.assert_allclose(t.inv(t(xx)).numpy(), xx.numpy(), rtol=1e-9)
        # log|dy/dx| against a central difference
        h = 1e-6
        num = ((t(xx + h) - t(xx - h)) / (2 * h)).abs().log()
        np.testing.assert_allclose(t.log_abs_det_jacobian(xx, t(xx)).numpy(), num.numpy(),
                                   rtol=1e-6, atol=1e-6)
    c = D.ExpTransform(cache_size=1)
    y = c(x)
    assert c.inv(y) is x
    s = D.SoftmaxTransform()(torch.tensor([1.0, 2.0, 3.0]))
    assert constraints.simplex.check(s)
    sb = D.StickBreakingTransform()
    z = torch.tensor([0.3, -1.0, 2.0], dtype=torch.float64)
    np.testing.assert_allclose(sb.inv(sb(z)).numpy(), z.numpy(), rtol=1e-9)
    assert sb(z).shape == (4,) and abs(float(sb(z).sum()) - 1) < 1e-12


def test_vae_step_gradients_flow():
    torch.manual_seed(0)
    enc = torch.nn.Linear(4, 4)
    x = torch.randn(8, 4)
    h = enc(x)
    mu, log_sigma = h[:, :2], h[:, 2:]
    q = D.Normal(mu, log_sigma.exp())
    z = q.rsample()
    prior = D.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    loss = D.kl_divergence(q, prior).sum() + (z ** 2).sum()
    loss.backward()
    assert enc.weight.grad is not None and float(enc.weight.grad.abs().sum()) > 0


def test_policy_gradient_step():
    torch.manual_seed(0)
    policy = torch.nn.Linear(3, 4)
    s = torch.randn(5, 3)
    dist = D.Categorical(logits=policy(s))
    a = dist.sample()
    assert a.dtype == torch.int64 and a.shape == (5,)
    (-(dist.log_prob(a) * torch.ones(5)).sum() - 0.01 * dist.entropy().sum()).backward()
    assert float(policy.bias.grad.abs().sum()) > 0


def test_lazy_import():
    import importlib
    import numtorch
    assert importlib.import_module("numtorch.distributions") is numtorch.distributions
    assert numtorch.distributions.constraints.positive.check(torch.tensor(1.0))


@pytest.mark.parametrize("c", [constraints.real, constraints.positive, constraints.nonnegative,
                               constraints.greater_than(2.0), constraints.less_than(-1.0),
                               constraints.interval(-1.0, 3.0), constraints.unit_interval,
                               constraints.half_open_interval(0.0, 2.0), constraints.simplex,
                               constraints.independent(constraints.positive, 1)],
                         ids=repr)
def test_biject_to_transform_to(c):
    x = torch.tensor(np.random.default_rng(0).normal(size=(5, 4)), dtype=torch.float64)
    for registry in (D.biject_to, D.transform_to):
        t = registry(c)
        y = t(x)
        assert bool(c.check(y).all())
    t = D.biject_to(c)
    y = t(x)
    np.testing.assert_allclose(t(t.inv(y)).numpy(), y.numpy(), rtol=1e-9, atol=1e-12)
    with pytest.raises(NotImplementedError):
        D.biject_to(constraints.boolean)
