"""Fetchers: turn one index (or a list of indices) into a collated batch.

The main process uses them when ``num_workers=0``; each worker process makes its own.

>>> import numtorch as torch
>>> from numtorch.utils.data import TensorDataset, default_collate
>>> f = _MapFetcher(TensorDataset(torch.arange(5)), True, default_collate, False)
>>> f.fetch([3, 1])
[tensor([3, 1])]
"""
from __future__ import annotations

import numpy as np

from ..dataset import _batch_fn
from .collate import default_collate

__all__ = []


class _MapFetcher:
    """Fetch from a map-style dataset: ``dataset[i]`` per index (or one batch call)."""

    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "batch_fn", "ended")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False
        self.batch_fn = _batch_fn(dataset) if auto_collation and collate_fn is default_collate \
            else None

    def fetch(self, index):
        if self.auto_collation:
            if self.batch_fn is not None:
                return self.batch_fn(index)
            if isinstance(index, np.ndarray):
                index = index.tolist()
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems:
                data = getitems(index)
            else:
                ds = self.dataset
                data = [ds[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableFetcher:
    """Fetch from an iterable dataset: the next ``len(index)`` samples of its iterator."""

    __slots__ = ("dataset", "auto_collation", "collate_fn", "drop_last", "dataset_iter", "ended")

    def __init__(self, dataset, auto_collation, collate_fn, drop_last) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _new_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableFetcher if iterable else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
