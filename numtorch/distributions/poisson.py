"""``Poisson(rate)``: counts with mean ``rate``.

``sample`` is ``torch.poisson(rate.expand(shape))`` with PyTorch's sampler reproduced bit for
bit (see ``_samplers``).

>>> import numtorch as torch
>>> from numtorch.distributions import Poisson
>>> Poisson(torch.tensor([4.0])).log_prob(torch.tensor([2.0]))
tensor([-1.9206])
"""
from __future__ import annotations

from numbers import Number

from .._size import Size
from .._tensor import Tensor
from . import constraints
from ._samplers import poisson
from ..ops.special_math import lgamma, xlogy
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson distribution with ``rate`` (events per interval)."""

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def __init__(self, rate, validate_args=None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Poisson":
        return self._expanded(Poisson, batch_shape, _instance, ("rate",))

    def sample(self, sample_shape=Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return Tensor._make(poisson(None, self.rate.expand(shape)._data))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return xlogy(value, rate) - rate - lgamma(value + 1)

    @property
    def _natural_params(self) -> tuple:
        return (self.rate.log(),)

    def _log_normalizer(self, x) -> Tensor:
        return x.exp()
