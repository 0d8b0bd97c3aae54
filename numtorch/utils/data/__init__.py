"""``torch.utils.data``: datasets, samplers, ``DataLoader`` and ``default_collate``.

>>> import numtorch as torch
>>> from numtorch.utils.data import TensorDataset, DataLoader
>>> x = torch.arange(6.).reshape(3, 2)
>>> for xb, yb in DataLoader(TensorDataset(x, x.sum(1)), batch_size=2):
...     print(xb.shape, yb)
torch.Size([2, 2]) tensor([1., 5.])
torch.Size([1, 2]) tensor([9.])
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, StackDataset, ConcatDataset,
                      ChainDataset, Subset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                      WeightedRandomSampler, BatchSampler)
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .distributed import DistributedSampler
from ._utils.worker import WorkerInfo
from . import _utils, dataloader, dataset, sampler, distributed  # noqa: F401

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo",
           "DistributedSampler"]


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torch.utils.data.{name} yet")
