"""``Gamma(concentration, rate)``.

Samples are PyTorch's: ``torch._standard_gamma(concentration.expand(shape)) / rate`` with the
Marsaglia-Tsang sampler reproduced bit for bit (see ``_samplers``).  ``rsample`` is
differentiable in both parameters (implicit reparameterization; see ``_reparam``).

>>> import numtorch as torch
>>> from numtorch.distributions import Gamma
>>> _ = torch.manual_seed(0)
>>> Gamma(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 4.0])).sample()
tensor([2.8824, 0.3290])
"""
from __future__ import annotations

from numbers import Number

import numpy as np

from .._size import Size
from .._tensor import Tensor
from . import constraints
from ._reparam import gammainc, standard_gamma
from ..ops.special_math import digamma, lgamma, xlogy
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    """Gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, Number) and isinstance(rate, Number):
            batch_shape = Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Gamma":
        return self._expanded(Gamma, batch_shape, _instance, ("concentration", "rate"))

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        d = value._data
        np.maximum(d, np.finfo(d.dtype).tiny, out=d)   # the clamp PyTorch does off the graph
        return value

    def log_prob(self, value) -> Tensor:
        from ..ops.creation import as_tensor
        value = as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value)
                - self.rate * value - lgamma(self.concentration))

    def entropy(self) -> Tensor:
        return (self.concentration - self.rate.log() + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    @property
    def _natural_params(self) -> tuple:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y) -> Tensor:
        return lgamma(x + 1) + (x + 1) * (-y.reciprocal()).log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)
