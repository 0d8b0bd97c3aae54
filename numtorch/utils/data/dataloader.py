"""``DataLoader``: iterate over a dataset in (shuffled) batches.

With ``num_workers=0`` (the default) batches are fetched in the main process. With
``num_workers=N`` they are fetched by N worker processes, as in PyTorch: each holds its own
copy of the dataset, is seeded as PyTorch seeds its workers, calls ``worker_init_fn``, and
answers ``get_worker_info()``; batch ``i`` goes to worker ``i % N`` (among the workers whose
iterable dataset has not run out) and the batches come back in order, identical to
``num_workers=0``. Their arrays cross processes through shared memory (``_utils/shm.py``).
``pin_memory`` is accepted (there is no GPU memory to pin).

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

import itertools
import os
import pickle
import signal
import time
import warnings
import weakref
from typing import Any, Callable, Iterable, List, Optional

from ..._generator import Generator
from ..._generator import sampler_seed
from ..._lazy import LazyImport
from ..._tensor import Tensor
from ._utils import worker as _worker
from ._utils.collate import default_collate, default_convert
from ._utils.fetch import _IterableFetcher, _MapFetcher
from ._utils.worker import get_worker_info
from .dataset import Dataset, IterableDataset, TensorDataset, _take_rows
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

# worker processes only: multiprocessing and the shared-memory slots load when a loader with
# num_workers > 0 starts (a plain loop does not pay for them at import)
_shm = LazyImport(globals(), "_shm", "numtorch.utils.data._utils.shm")

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
        if num_workers > 0:
            self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The ``multiprocessing`` context workers start from (None: the default one)."""
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        if context is not None:
            import multiprocessing
            if self.num_workers <= 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 f"loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(context, str):
                valid = multiprocessing.get_all_start_methods()
                if context not in valid:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {valid!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                f"multiprocessing_context={context!r}")
        self.__multiprocessing_context = context

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
            if self._dataset_kind == _DatasetKind.Iterable:
                return _SingleProcessIterableIter(self)
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
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
            if self._iterator is None or self._iterator._pool.closed:   # none yet, or failed
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
        """Warn, as PyTorch does, when there are more workers than CPUs this process may use."""
        if self.num_workers <= 0:
            return
        try:
            cpus = len(os.sched_getaffinity(0))
            note = ""
        except AttributeError:                       # no affinity on this system
            cpus = os.cpu_count()
            note = " (`cpuset` is not taken into account)"
        if cpus is not None and self.num_workers > cpus:
            warnings.warn(
                f"This DataLoader will create {self.num_workers} worker processes in total. Our "
                f"suggested max number of worker in current system is {cpus}{note}, which is "
                "smaller than what this DataLoader is going to create. Please be aware that "
                "excessive worker creation might get DataLoader running slow or even freeze, "
                "lower the worker number to avoid potential slowness/freeze if necessary.")


# -- fetching ---------------------------------------------------------------------------------------

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
        self._len_called = loader._IterableDataset_len_called

    def __iter__(self) -> "_BaseDataLoaderIter":
        return self

    def _reset(self, loader: DataLoader, first_iter: bool = False) -> None:
        self._sampler_iter = _index_iter(self._index_sampler)
        self._num_yielded = 0
        if loader is not None:
            self._len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        if self._sampler_iter is None:
            self._reset(None)
        data = self._next_data()
        self._num_yielded += 1
        if self._len_called is not None and self._num_yielded > self._len_called \
                and self._dataset_kind == _DatasetKind.Iterable:
            self._warn_length()
        return data

    def _warn_length(self) -> None:
        """PyTorch's warning when an IterableDataset gives more than its ``len()`` said."""
        msg = (f"Length of IterableDataset {self._dataset} was reported to be "
               f"{self._len_called}(when accessing len(dataloader)), but {self._num_yielded} "
               "samples have been fetched. ")
        if self._num_workers > 0:
            msg += ("For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset "
                    "for examples.")
        warnings.warn(msg)

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


class _SingleProcessIterableIter(_SingleProcessDataLoaderIter):
    """An IterableDataset in the main process: warns, as PyTorch does, past its ``len()``."""

    def __next__(self):
        it = self._sampler_iter
        if it is None:
            self._reset(None)
            it = self._sampler_iter
        data = self._fetch(next(it))
        n = self._num_yielded = self._num_yielded + 1
        if self._len_called is not None and n > self._len_called:
            self._warn_length()
        return data


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


# -- worker processes -------------------------------------------------------------------------------

_JOIN_S = 2.0        # how long a shutdown waits for the workers before terminating them
_SLOT_EXTRA = 3      # shared-memory slots per worker beyond its prefetched batches
_pool_ids = itertools.count()
_PICKLE_HINT = ("Got pickle error when attempting to start a worker Process. This might be "
                "because the worker Process arguments are not picklable. Python 3.14+ changed "
                "the multiprocessing start method in non-Mac POSIX platforms to 'forkserver', "
                "which requires the worker Process arguments to be picklable. You can also try "
                "multiprocessing.set_start_method('fork').")


def _worker_failure(procs) -> RuntimeError:
    """PyTorch's error for workers that exited while the main process waited for them."""
    pids = ", ".join(str(p.pid) for p in procs)
    err = RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly")
    code = procs[0].exitcode
    if code is not None and code < 0:
        try:
            name = signal.strsignal(-code)
        except (ValueError, AttributeError):
            name = str(-code)
        err.__cause__ = RuntimeError(f"DataLoader worker (pid {procs[0].pid}) is killed by "
                                     f"signal: {name}. ")
    elif code:
        err.__cause__ = RuntimeError(
            f"DataLoader worker (pid {procs[0].pid}) exited unexpectedly with exit code {code}. "
            "Details are lost due to multiprocessing. Rerunning with num_workers=0 may give "
            "better error trace.")
    return err


class _WorkerPool:
    """The worker processes of one iterator, with their index queues and result pipes.

    It lives apart from the iterator, so that a finalizer can stop the workers when the
    iterator is collected (a loop that breaks early) or at exit, without keeping it alive.
    """

    def __init__(self, loader: DataLoader, base_seed: int) -> None:
        import multiprocessing
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        n = loader.num_workers
        self.owner = os.getpid()
        self.closed = False
        self.queues, self.readers, self.procs, self.slots = [], [], [], []
        self.prefixes: List[Optional[str]] = []
        self.done = ctx.Event()
        tag = f"/ntdl{os.getpid()}_{next(_pool_ids)}_"
        iterable = loader._dataset_kind == _DatasetKind.Iterable
        try:
            for i in range(n):
                q = ctx.Queue()
                r, w = ctx.Pipe(duplex=False)
                prefix = f"{tag}{i}_" if _shm.AVAILABLE else None
                self.queues.append(q)
                self.readers.append(r)
                self.prefixes.append(prefix)
                self.slots.append(_shm.SlotReader())
                p = ctx.Process(
                    target=_worker._worker_loop,
                    args=(iterable, loader.dataset, q, w, self.done, loader._auto_collation,
                          loader.collate_fn, loader.drop_last, base_seed,
                          loader.worker_init_fn, i, n, prefix,
                          loader.prefetch_factor + _SLOT_EXTRA),
                    daemon=True)
                try:
                    p.start()
                except (pickle.PicklingError, AttributeError, TypeError):
                    warnings.warn(_PICKLE_HINT)
                    raise
                finally:
                    w.close()
                self.procs.append(p)
        except BaseException:
            self.shutdown()
            raise
        self.watch(range(n))

    def watch(self, workers) -> None:
        """Wait for results (and watch for the death) of these workers only."""
        self.watched = {}
        for w in workers:
            self.watched[self.readers[w]] = w
            self.watched[self.procs[w].sentinel] = w
        self.wait_list = list(self.watched)

    def retire(self, w: int) -> None:
        """Worker ``w`` has nothing more to give this epoch: let it exit."""
        self.queues[w].put(None)
        self.watch([v for v in set(self.watched.values()) if v != w])

    def shutdown(self) -> None:
        if self.closed or os.getpid() != self.owner:
            return
        self.closed = True
        self.done.set()
        for q in self.queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + _JOIN_S
        for p in self.procs:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in self.procs:
            if p.exitcode is None:
                p.terminate()
                p.join(1.0)
                if p.exitcode is None:
                    p.kill()
                    p.join()
        for q in self.queues:
            q.cancel_join_thread()
            q.close()
        for r in self.readers:
            r.close()
        for p, prefix in zip(self.procs, self.prefixes):
            if prefix is not None and p.exitcode != 0:
                _shm.sweep(prefix)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """``num_workers > 0``: batches fetched by worker processes (see the module docstring).

    Batch ``i`` goes to the next worker in turn whose dataset has not run out; up to
    ``prefetch_factor * num_workers`` batches of indices are taken from the sampler ahead, as
    PyTorch does, so random draws happen at the same points. With ``in_order=False`` a batch
    is returned as soon as it arrives.
    """

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        if not loader.prefetch_factor or loader.prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._epoch = 0
        self._pool = pool = _WorkerPool(loader, self._base_seed)
        self._shutdown = weakref.finalize(self, pool.shutdown)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        n = self._num_workers
        pool = self._pool
        self._epoch += 1
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}          # task -> worker, until its batch is returned
        self._results = {}            # task -> (kind, data) that came ahead of its turn
        self._active = [True] * n
        self._cycle = itertools.cycle(range(n))
        if not first_iter:            # persistent workers start a new epoch
            for q in pool.queues:
                q.put(_worker._Resume())
            pool.watch(range(n))
        for _ in range(self._prefetch_factor * n):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            w = next(self._cycle)
            if self._active[w]:
                break
        else:
            return
        pool = self._pool
        idx = self._send_idx
        pool.queues[w].put((self._epoch, idx, index, pool.slots[w].take_released()))
        self._task_info[idx] = w
        self._send_idx = idx + 1

    def _next_data(self):
        task_info, results, active = self._task_info, self._results, self._active
        while True:
            while self._rcvd_idx < self._send_idx:      # skip tasks of workers that ran out
                i = self._rcvd_idx
                w = task_info.get(i)
                if w is not None and (active[w] or i in results):
                    break
                task_info.pop(i, None)
                self._rcvd_idx = i + 1
            else:
                if not self._persistent_workers:
                    self._shutdown()
                raise StopIteration
            i = self._rcvd_idx
            if i in results:
                del task_info[i]
                self._rcvd_idx = i + 1
                return self._process(*results.pop(i))
            w, idx, kind, data = self._get_data()
            if kind == _worker._STOP:
                task_info.pop(idx, None)
                active[w] = False
                if not self._persistent_workers:
                    self._pool.retire(w)
                self._try_put_index()
                continue
            if idx != i and self._in_order:
                results[idx] = (kind, data)
                continue
            del task_info[idx]
            if idx == i:
                self._rcvd_idx = i + 1
            return self._process(kind, data)

    def _process(self, kind, data):
        self._try_put_index()
        if kind == _worker._ERROR:
            _worker._reraise(data)
        return data

    def _get_data(self):
        """The next result of this epoch from any watched worker: ``(worker, task, kind,
        data)``. Raises PyTorch's errors when it times out or a worker died."""
        pool = self._pool
        timeout = self._timeout
        deadline = time.monotonic() + timeout if timeout > 0 else None
        from multiprocessing.connection import wait
        while True:
            if pool.closed:
                raise StopIteration
            if deadline is None:
                ready = wait(pool.wait_list)
            else:
                ready = wait(pool.wait_list, max(0.0, deadline - time.monotonic()))
                if not ready:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds")
            dead = []
            for obj in ready:
                w = pool.watched[obj]
                r = pool.readers[w]
                if r.poll():
                    try:
                        msg = r.recv_bytes()
                    except (EOFError, OSError):
                        dead.append(w)
                        continue
                    got = self._receive(w, msg)
                    if got is not None:
                        return got
                elif obj is not r:
                    dead.append(w)
            if dead:
                for w in dead:
                    pool.procs[w].join(1.0)            # its pipe may close before it exits
                watched = set(pool.watched.values())
                failed = [p for w, p in enumerate(pool.procs)
                          if w in dead or (w in watched and p.exitcode is not None)]
                self._shutdown()
                raise _worker_failure(failed)

    def _receive(self, w: int, msg: bytes):
        epoch, idx, kind, slot, seg, payload = pickle.loads(msg)
        slots = self._pool.slots[w]
        if seg is not None:
            slots.attach(slot, seg)
        if epoch != self._epoch:                       # left from an epoch that ended early
            if slot is not None:
                slots.released.append(slot)
            return None
        if kind == _worker._SLOT:
            data = slots.load(slot, payload)
        elif kind == _worker._PICKLED:
            data = pickle.loads(payload)
        else:
            data = payload
        return w, idx, kind, data
