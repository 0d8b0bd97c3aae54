"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``StackDataset``,
``ConcatDataset``, ``ChainDataset``, ``Subset`` and ``random_split``.

>>> import numtorch as torch
>>> ds = TensorDataset(torch.arange(4), torch.arange(4) * 10)
>>> len(ds), ds[2]
(4, (tensor(2), tensor(20)))
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import (Generic, Iterable, List, Sequence, Tuple, TypeVar,
                    Union)

import numpy as np

from ..._tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses implement ``__getitem__`` (and usually ``__len__``).

    >>> class Squares(Dataset):
    ...     def __len__(self): return 3
    ...     def __getitem__(self, i): return i * i
    >>> Squares()[2]
    4
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A dataset that is a stream: subclasses implement ``__iter__``.

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(3))
    >>> list(Count())
    [0, 1, 2]
    """

    def __add__(self, other: Dataset[T_co]):
        return ChainDataset([self, other])


def _index_array(indices) -> np.ndarray:
    if isinstance(indices, Tensor):
        return indices._data
    if isinstance(indices, np.ndarray):
        return indices
    return np.fromiter(indices, dtype=np.int64, count=len(indices)) \
        if isinstance(indices, (list, tuple)) else np.asarray(indices)


class TensorDataset(Dataset[Tuple[Tensor, ...]]):
    """Samples are rows of the given tensors (all of the same first dimension).

    A DataLoader over it fetches a whole batch with one fancy index per tensor.

    >>> import numtorch as torch
    >>> TensorDataset(torch.tensor([[1, 2], [3, 4]]))[1]
    (tensor([3, 4]),)
    """

    tensors: Tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        if not all(tensors[0].size(0) == t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0]._data.shape[0]

    def __getitems__(self, indices: Sequence[int]) -> List[Tuple[Tensor, ...]]:
        """The samples at ``indices`` as a list of tuples (one fancy index per tensor)."""
        cols = self._getbatch(indices)
        return list(zip(*(c.unbind(0) for c in cols))) if cols else [() for _ in indices]

    def _getbatch(self, indices) -> List[Tensor]:
        """The batch at ``indices``, already collated (what default_collate would return)."""
        idx = _index_array(indices)
        if idx.dtype.kind not in "iu":      # a mask, or not indices at all: tensor indexing
            make = Tensor._make
            return [t[make(idx)] for t in self.tensors]
        return _take_rows(self.tensors, idx)


def _take_rows(tensors: Sequence[Tensor], idx) -> List[Tensor]:
    """Rows ``idx`` (an integer array or a list of ints) of each tensor, as new tensors.

    ``ndarray.take`` costs a fraction of fancy indexing on small batches; a tensor that
    requires grad is indexed as a tensor, so the batch keeps its graph.
    """
    make = Tensor._make
    batch = []
    try:
        for t in tensors:
            batch.append(make(t._data.take(idx, 0)) if not t.requires_grad
                         else t[make(np.asarray(idx))])
    except IndexError:
        idx = np.asarray(idx)
        for t in tensors:
            n = t._data.shape[0]
            bad = idx[(idx < -n) | (idx >= n)]
            if bad.size:
                raise IndexError(f"index {int(bad[0])} is out of bounds for dimension 0 with "
                                 f"size {n}") from None
        raise
    return batch


class StackDataset(Dataset[T_co]):
    """Samples are tuples (or dicts) of the samples of several datasets of equal length.

    >>> import numtorch as torch
    >>> StackDataset(a=[1, 2], b=['x', 'y'])[1]
    {'a': 2, 'b': 'y'}
    """

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                                 "``kwargs``) like input/output, but both types are given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(d) for d in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset[T_co]):
    """The datasets one after another.

    >>> ConcatDataset([[1, 2], [3]])[2]
    3
    """

    datasets: List[Dataset[T_co]]
    cumulative_sizes: List[int]

    @staticmethod
    def cumsum(sequence) -> List[int]:
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another.

    >>> class Count(IterableDataset):
    ...     def __init__(self, n): self.n = n
    ...     def __iter__(self): return iter(range(self.n))
    >>> list(ChainDataset([Count(2), Count(3)]))
    [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``.

    >>> Subset(['a', 'b', 'c'], [2, 0])[0]
    'c'
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: List[int]) -> List[T_co]:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)



def _batch_fn(dataset):
    """A function ``indices -> collated batch`` when ``dataset`` can fetch a batch at once
    (a TensorDataset, or Subsets of one, not overriding how items are fetched); else None."""
    t = type(dataset)
    if isinstance(dataset, TensorDataset):
        if t.__getitem__ is TensorDataset.__getitem__ and t.__getitems__ is TensorDataset.__getitems__ \
                and t._getbatch is TensorDataset._getbatch:
            return dataset._getbatch
        return None
    if isinstance(dataset, Subset) and t.__getitem__ is Subset.__getitem__ \
            and t.__getitems__ is Subset.__getitems__:
        inner = _batch_fn(dataset.dataset)
        if inner is None:
            return None
        own = _index_array(dataset.indices)
        return lambda indices: inner(own[_index_array(indices)])
    return None


def random_split(dataset: Dataset[T], lengths: Sequence[Union[int, float]],
                 generator=None) -> List[Subset[T]]:
    """Split ``dataset`` into random non-overlapping subsets of the given lengths (or fractions).

    The permutation is ``randperm(len(dataset), generator=generator)``, as in PyTorch, so
    ``manual_seed`` gives PyTorch's split.

    >>> import numtorch as torch
    >>> _ = torch.manual_seed(0)
    >>> [list(s) for s in random_split(range(5), [3, 2])]
    [[4, 0, 1], [3, 2]]
    """
    from ..._generator import randperm, default_generator
    if generator is None:
        generator = default_generator
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * frac)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. "
                              f"This might result in an empty dataset.")
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = randperm(generator, sum(lengths)).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
