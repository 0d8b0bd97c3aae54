"""``ExponentialFamily``: distributions with density ``exp(<t(x), theta> - F(theta) + k(x))``.

Subclasses give ``_natural_params`` (theta), ``_log_normalizer`` (F) and
``_mean_carrier_measure`` (E[k(x)]); ``entropy`` then follows from the Bregman divergence of F
(computed with autograd).

>>> import numtorch as torch
>>> from numtorch.distributions import Exponential
>>> ExponentialFamily.entropy(Exponential(torch.tensor([2.0])))
tensor([0.3069], grad_fn=<SubBackward0>)
"""
from __future__ import annotations

from .._tensor import Tensor
from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class of the exponential-family distributions."""

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """``-E[k(x)] + F(theta) - <theta, grad F(theta)>``."""
        from ..autograd import grad
        from ..autograd.grad_mode import enable_grad
        result = -self._mean_carrier_measure
        with enable_grad():
            nparams = [p.detach().requires_grad_() for p in self._natural_params]
            lg_normal = self._log_normalizer(*nparams)
            gradients = grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for p, g in zip(nparams, gradients):
            result = result - (p * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
