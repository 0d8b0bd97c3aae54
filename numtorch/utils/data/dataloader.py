"""``DataLoader``: iterate over a dataset in (shuffled) batches.

Everything runs in the main process. ``num_workers > 0`` is accepted and emulated: the
workers take turns fetching batches inside this process, each with its own random state
seeded as PyTorch seeds its worker processes, ``worker_init_fn(worker_id)`` is called for
each, and ``get_worker_info()`` answers while they fetch. ``pin_memory`` is accepted (there
is no GPU memory to pin).

Shuffling draws from the global generator exactly as PyTorch does (2 words for the base
seed when an epoch's iterator is made, 2 for the sampler's seed when the first batch is
asked for), so ``manual_seed`` gives PyTorch's batches.

>>> import numtorch as torch
>>> _ = torch.manual_seed(0)
>>> loader = DataLoader(TensorDataset(torch.arange(10)), batch_size=4, shuffle=True)
>>> [b[0].tolist() for b in loader]
[[6, 7, 1, 4], [2, 0, 9, 8], [3, 5]]
"""
from __future__ import annotations

import warnings
from collections import deque
from typing import Any, Callable, Iterable, List, Optional, Sequence

import numpy as np

from ..._generator import Generator
from ..._generator import sampler_seed
from ..._tensor import Tensor
from ._utils import worker as _worker
from ._utils.collate import default_collate, default_convert
from ._utils.worker import get_worker_info
from .dataset import Dataset, IterableDataset, TensorDataset, _batch_fn, _take_rows
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: ``None`` forever."""

    def __iter__(self):
        while True:
            yield None


class _DatasetKind:
    Map = 0
    Iterable = 1


class DataLoader:
    """Batches from ``dataset``; see PyTorch's ``torch.utils.data.DataLoader`` (same arguments).

    >>> import numtorch as torch
    >>> loader = DataLoader(TensorDataset(torch.arange(5.)), batch_size=2)
    >>> len(loader), [b[0].tolist() for b in loader]
    (3, [[0.0, 1.0], [2.0, 3.0], [4.0]])
    """

    __initialized = False

    def __init__(self, dataset: Dataset, batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None, sampler: Optional[Sampler | Iterable] = None,
                 batch_sampler: Optional[Sampler | Iterable] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable[[int], None]] = None,
                 multiprocessing_context=None, generator: Optional[Generator] = None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self.__initialized = True
        self._IterableDataset_len_called = None

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                           "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self) -> "_BaseDataLoaderIter":
        if self.num_workers == 0:
            if self._plain_batches():
                return _PlainBatchesIter(self)
            return _SingleProcessDataLoaderIter(self)
        return _MultiProcessingDataLoaderIter(self)

    def _plain_batches(self) -> bool:
        """Whether an epoch is slices of one index order (a SequentialSampler, or a
        RandomSampler drawing one permutation from the global generator) in a BatchSampler,
        fetched as rows of a TensorDataset's tensors: the common case, made lean."""
        bs = self.batch_sampler
        if type(bs) is not BatchSampler or type(self.dataset) is not TensorDataset \
                or self.collate_fn is not default_collate or self.pin_memory:
            return False
        sampler = bs.sampler
        kind = type(sampler)
        return (kind is RandomSampler or kind is SequentialSampler) and sampler._single_chunk()

    def __iter__(self) -> "_BaseDataLoaderIter":
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        pass


# -- fetching ---------------------------------------------------------------------------------------

class _MapFetcher:
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


def _make_fetcher(loader: DataLoader):
    if loader._dataset_kind == _DatasetKind.Map:
        # a map fetcher keeps no state between batches: one per loader and collate_fn
        cached = loader.__dict__.get("_map_fetcher")
        if cached is not None and cached.collate_fn is loader.collate_fn:
            return cached
        f = _MapFetcher(loader.dataset, loader._auto_collation, loader.collate_fn,
                        loader.drop_last)
        loader.__dict__["_map_fetcher"] = f
        return f
    return _IterableFetcher(loader.dataset, loader._auto_collation, loader.collate_fn,
                            loader.drop_last)


def _index_iter(sampler):
    """Iterate a (batch) sampler; known samplers yield int64 arrays without per-index work."""
    if isinstance(sampler, BatchSampler) and sampler._fast():
        return sampler._batches()
    return iter(sampler)


_PIN_WARNED = False


def _warn_pin_memory() -> None:
    warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device "
                  "pinned memory won't be used.")


# -- iterators --------------------------------------------------------------------------------------

class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._collate_fn = loader.collate_fn
        self._pin_memory = loader.pin_memory
        if self._pin_memory:
            _warn_pin_memory()
        self._sampler_iter = _index_iter(self._index_sampler)
        self._base_seed = sampler_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self) -> "_BaseDataLoaderIter":
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = _index_iter(self._index_sampler)
        self._num_yielded = 0

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        if self._sampler_iter is None:
            self._reset(None)
        data = self._next_data()
        self._num_yielded += 1
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = f = _make_fetcher(loader)
        self._fetch = getattr(f, "batch_fn", None) or f.fetch

    def __next__(self):
        it = self._sampler_iter
        if it is None:
            self._reset(None)
            it = self._sampler_iter
        data = self._fetch(next(it))
        self._num_yielded += 1
        return data

    def _next_data(self):
        return self._fetch(next(self._sampler_iter))


class _PlainBatchesIter(_SingleProcessDataLoaderIter):
    """The iterator of ``DataLoader._plain_batches()`` loaders: the batches are slices of
    the epoch's index order, fetched with one ``take`` per tensor.

    It draws as PyTorch does: the base seed now, the sampler's order at the first batch.
    """

    _order = None              # the epoch's indices, drawn at the first batch
    _pos = 0                   # where the next batch starts in _order
    _stop = 0                  # where the batches end (a shorter last one dropped or not)
    _num_yielded = 0

    def __init__(self, loader: DataLoader) -> None:
        self._index_sampler = loader.batch_sampler
        self._dataset = loader.dataset
        self._base_seed = sampler_seed(loader.generator)

    def __next__(self) -> List[Tensor]:
        order = self._order
        if order is None:
            batch_sampler = self._index_sampler
            order = self._order = batch_sampler.sampler._epoch_order()
            n = len(order)
            self._size = size = batch_sampler.batch_size
            self._stop = n - n % size if batch_sampler.drop_last else n
            self._tensors = self._dataset.tensors
        start = self._pos
        if start >= self._stop:
            raise StopIteration
        end = self._pos = start + self._size
        self._num_yielded += 1
        return _take_rows(self._tensors, order[start:end])

    _next_data = __next__

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._order = None
        self._pos = 0
        self._num_yielded = 0


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """``num_workers > 0``, emulated in this process (see the module docstring).

    Batch ``i`` is fetched by worker ``i % num_workers`` (skipping workers whose iterable
    dataset ran out), and up to ``prefetch_factor * num_workers`` batches of indices are
    taken from the sampler ahead, as PyTorch does, so random draws happen at the same time.
    """

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch = loader.prefetch_factor * loader.num_workers
        self._worker_init_fn = loader.worker_init_fn
        self._loader = loader
        self._start_workers(loader)
        self._reset(loader, first_iter=True)

    def _start_workers(self, loader: DataLoader) -> None:
        n = self._num_workers
        self._workers = [_worker._Worker(i, n, self._base_seed, self._dataset) for i in range(n)]
        for w in self._workers:
            w.run(self._init_worker, w, loader)

    def _init_worker(self, w, loader) -> None:
        if self._worker_init_fn is not None:
            self._worker_init_fn(w.id)
        w.fetcher = _make_fetcher(loader)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        if not first_iter:
            for w in self._workers:        # persistent workers start a new epoch
                w.active = True
                if self._dataset_kind == _DatasetKind.Iterable:
                    w.run(self._new_fetcher, w)
        self._tasks = deque()
        self._next_worker = 0
        self._exhausted = False
        for _ in range(self._prefetch):
            self._put_index()

    def _new_fetcher(self, w) -> None:
        w.fetcher = _make_fetcher(self._loader)

    def _put_index(self) -> None:
        if self._exhausted:
            return
        n = self._num_workers
        for _ in range(n):
            w = self._workers[self._next_worker]
            self._next_worker = (self._next_worker + 1) % n
            if w.active:
                break
        else:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            self._exhausted = True
            return
        self._tasks.append((w, index))

    def _next_data(self):
        while True:
            if not self._tasks:
                raise StopIteration
            w, index = self._tasks.popleft()
            if not w.active:
                continue
            try:
                data = w.run(w.fetcher.fetch, index)
            except StopIteration:
                w.active = False
                self._put_index()
                continue
            self._put_index()
            return data
