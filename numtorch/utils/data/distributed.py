"""``DistributedSampler``: each rank's share of a dataset, PyTorch's indices bit for bit.

The epoch's order is ``torch.randperm(len(dataset))`` on a generator seeded ``seed + epoch``
(the same on every rank), padded by repeating its start so every rank gets as many indices
(or cut, with ``drop_last``), then rank ``r`` takes every ``num_replicas``-th index from ``r``.

>>> s = DistributedSampler(range(10), num_replicas=3, rank=1)
>>> list(s), len(s)
([1, 3, 8, 4], 4)
>>> s.set_epoch(1); list(s)
[6, 0, 3, 5]
"""
from __future__ import annotations

import math
from typing import Optional, Sized

import numpy as np

from .sampler import Sampler, _iter_chunks, _seeded_randperm

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` visits each epoch
    (both default to the default process group's). Call ``set_epoch(epoch)`` before each
    epoch to get a new order (with ``shuffle=True``, the default)."""

    def __init__(self, dataset: Sized, num_replicas: Optional[int] = None,
                 rank: Optional[int] = None, shuffle: bool = True, seed: int = 0,
                 drop_last: bool = False) -> None:
        from ... import distributed as dist     # loaded on use, not with utils.data
        if num_replicas is None:
            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = dist.get_world_size()
        if rank is None:
            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available")
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _epoch_indices(self) -> np.ndarray:
        """This rank's indices for the current epoch (int64)."""
        n = len(self.dataset)
        if self.shuffle:
            order = _seeded_randperm(self.seed + self.epoch, n).astype(np.int64, copy=False)
        else:
            order = np.arange(n, dtype=np.int64)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0:
                order = np.concatenate([order, np.resize(order, pad)]) if n else order
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def _chunks(self):
        yield self._epoch_indices()

    def _fast(self) -> bool:
        return True

    __iter__ = _iter_chunks

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of epoch ``epoch`` (``seed + epoch`` seeds the shuffle)."""
        self.epoch = epoch
