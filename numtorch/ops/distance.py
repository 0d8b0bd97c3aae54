"""Distances between batches of vectors: ``pairwise_distance`` (used by ``nn.PairwiseDistance``
and the triplet losses).

>>> import numtorch as torch
>>> pairwise_distance(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]))
tensor([5.0000])
"""
from __future__ import annotations

from .._tensor import Tensor
from . import elementwise as _E
from . import reduce as _R
from ._apply import apply


class _NormBackward1(_R.Norm):
    """``pairwise_distance``'s norm node (PyTorch calls ``at::norm``: ``NormBackward1``)."""
    _raw = True
    _name = "NormBackward1"


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dimension (of the broadcast shape).

    >>> pairwise_distance(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """
    diff = _E.add(_E.sub(x1, x2), eps)
    x = diff._data
    return apply(_NormBackward1, (diff,), (x,), float(p), _R._axes(-1, x.ndim), keepdim)


__all__ = ["pairwise_distance"]
