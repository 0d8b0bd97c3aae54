"""``Chi2(df)``: the chi-squared distribution, ``Gamma(df / 2, 1 / 2)``.

>>> import numtorch as torch
>>> from numtorch.distributions import Chi2
>>> Chi2(torch.tensor([4.0])).mean
tensor([4.])
"""
from __future__ import annotations

from .._size import Size
from .._tensor import Tensor
from . import constraints
from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """Chi-squared distribution with ``df`` degrees of freedom."""

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None) -> None:
        from .utils import broadcast_all
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Chi2":
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(Size(batch_shape), new)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
