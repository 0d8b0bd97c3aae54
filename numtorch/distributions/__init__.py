"""``torch.distributions``: probability distributions with sampling, ``log_prob`` and
gradients, PyTorch's API and numbers.

Samples are PyTorch's CPU numbers after the same ``manual_seed`` (Normal, Uniform, Bernoulli,
Categorical, OneHotCategorical, Exponential, Laplace, MultivariateNormal, LogNormal, and also
Gamma, Beta, Dirichlet, Chi2, Poisson and Binomial, whose rejection samplers are reproduced; see
``_samplers``).  ``rsample`` is differentiable (the reparameterization trick) and so is
``log_prob`` (score-function / policy-gradient estimators).

>>> import numtorch as torch
>>> from numtorch.distributions import Normal, Categorical
>>> mu = torch.tensor([0.0, 1.0], requires_grad=True)
>>> z = Normal(mu, torch.ones(2)).rsample()
>>> z.sum().backward(); mu.grad
tensor([1., 1.])
>>> logits = torch.zeros(3, requires_grad=True)
>>> Categorical(logits=logits).log_prob(torch.tensor(2)).backward(); logits.grad
tensor([-0.3333, -0.3333,  0.6667])
"""
from . import constraints, transforms  # noqa: F401
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .chi2 import Chi2
from .constraint_registry import biject_to, transform_to
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Chi2", "Dirichlet", "Distribution",
    "ExponentialFamily", "Exponential", "Gamma", "Independent", "Laplace", "LogNormal",
    "MultivariateNormal", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough",
    "Poisson", "TransformedDistribution", "Uniform", "biject_to", "kl_divergence",
    "register_kl", "transform_to",
]
__all__.extend(transforms.__all__)
