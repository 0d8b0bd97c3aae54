"""Samplers: which dataset indices an epoch visits, and in what order.

``RandomSampler`` draws exactly as PyTorch's does (a private generator seeded from two
words of the global one, then ``randperm``), so ``manual_seed`` gives PyTorch's order.

>>> import numtorch as torch
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
>>> _ = torch.manual_seed(0)
>>> list(RandomSampler(range(5)))
[1, 3, 4, 2, 0]
"""
from __future__ import annotations

from typing import Generic, Iterable, Iterator, List, Optional, Sequence, Sized, TypeVar, Union

import numpy as np

from ... import _generator
from ..._generator import (Generator, randint, randperm, sampler_seed, _fisher_yates,
                           _seed_bit_generator, _BIT_GENERATORS)
from ..._random_ops import multinomial
from ..._tensor import Tensor

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """Base class: subclasses implement ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Optional[Sized] = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


def _seeded_randperm(seed: int, n: int) -> np.ndarray:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed))``.

    The generator is private and used once, so a spare bit generator is seeded in place of
    making a ``Generator`` (a shuffled epoch over a tiny dataset costs a few microseconds).
    """
    if n < 2 or n >= 1 << 24:
        return randperm(Generator().manual_seed(seed), n)
    bg = _BIT_GENERATORS.pop() if _BIT_GENERATORS else np.random.MT19937()
    try:
        _seed_bit_generator(bg, seed)
        return _fisher_yates(bg.random_raw(n - 1), n)
    finally:
        _BIT_GENERATORS.append(bg)


def _iter_chunks(self) -> Iterator[int]:
    """Indices one by one (Python ints), drawn chunk by chunk as PyTorch draws them."""
    for chunk in self._chunks():
        yield from chunk.tolist()


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``.

    >>> list(SequentialSampler('abc'))
    [0, 1, 2]
    """

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _chunks(self):
        yield np.arange(len(self.data_source), dtype=np.int64)

    def _fast(self) -> bool:
        return True

    def _single_chunk(self) -> bool:
        """Whether an epoch is one chunk, ``_epoch_order()`` (always)."""
        return True

    def _epoch_order(self) -> np.ndarray:
        """The epoch's indices (int64)."""
        return np.arange(len(self.data_source), dtype=np.int64)

    __iter__ = _iter_chunks

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the indices (with ``replacement``: ``num_samples`` random draws).

    Without ``generator``, each epoch seeds a private generator from the global one
    (2 words), as PyTorch does.

    >>> import numtorch as torch
    >>> list(RandomSampler(range(4), generator=torch.Generator().manual_seed(0)))
    [0, 1, 3, 2]
    """

    data_source: Sized
    replacement: bool

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: Optional[int] = None, generator: Optional[Generator] = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement="
                            f"{self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples="
                             f"{self.num_samples}")

    @property
    def num_samples(self) -> int:
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def _single_chunk(self) -> bool:
        """Whether an epoch is one permutation seeded from the global generator: then
        ``_epoch_order()`` draws exactly what PyTorch's sampler draws (PyTorch's second
        ``randperm``, of which it keeps nothing, comes from the private generator, so it can
        be left out)."""
        return self.generator is None and not self.replacement and \
            (self._num_samples is None or self._num_samples == len(self.data_source))

    def _epoch_order(self) -> np.ndarray:
        """The permutation (int64) of a single-chunk epoch, drawn as PyTorch draws it."""
        return _seeded_randperm(sampler_seed(None), len(self.data_source))

    def _chunks(self):
        if self._single_chunk():
            yield self._epoch_order()
            return
        n = len(self.data_source)
        gen = self.generator
        m = self.num_samples
        if gen is None:
            gen = Generator().manual_seed(sampler_seed(None))
        if self.replacement:
            for _ in range(m // 32):
                yield randint(gen, 0, n, (32,))
            yield randint(gen, 0, n, (m % 32,))
        else:
            for _ in range(m // n):
                yield randperm(gen, n)
            if m % n or self.generator is not None:
                yield randperm(gen, n)[:m % n]

    def _fast(self) -> bool:
        return True

    __iter__ = _iter_chunks

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order (``randperm`` on ``generator``, else the global one).

    >>> import numtorch as torch
    >>> _ = torch.manual_seed(0)
    >>> list(SubsetRandomSampler([10, 20, 30]))
    [30, 10, 20]
    """

    indices: Sequence[int]

    def __init__(self, indices: Sequence[int], generator: Optional[Generator] = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in randperm(self.generator, len(self.indices)).tolist():
            yield self.indices[i]

    def _fast(self) -> bool:
        ind = self.indices
        if isinstance(ind, range):
            return True
        if isinstance(ind, np.ndarray):
            return ind.ndim == 1 and ind.dtype.kind in "iu"
        if isinstance(ind, (list, tuple)):
            return all(type(i) is int for i in ind)
        return False

    def _chunks(self):
        perm = randperm(self.generator, len(self.indices))
        yield np.asarray(self.indices, dtype=np.int64)[perm]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with probabilities proportional to ``weights``.

    >>> import numtorch as torch
    >>> s = WeightedRandomSampler([0.0, 1.0, 0.0], 3)
    >>> list(s)
    [1, 1, 1]
    """

    weights: Tensor
    num_samples: int
    replacement: bool

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Optional[Generator] = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = Tensor._make(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _chunks(self):
        # PyTorch draws the whole epoch with one torch.multinomial call
        yield multinomial(self.weights, self.num_samples, self.replacement,
                          generator=self.generator)._data

    def _fast(self) -> bool:
        return True

    __iter__ = _iter_chunks

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[List[int]]):
    """Lists of ``batch_size`` indices from ``sampler`` (the last shorter unless ``drop_last``).

    >>> list(BatchSampler(range(5), batch_size=2, drop_last=True))
    [[0, 1], [2, 3]]
    """

    def __init__(self, sampler: Union[Sampler[int], Iterable[int]], batch_size: int,
                 drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _fast(self) -> bool:
        """Whether ``_batches`` may replace ``__iter__`` (known sampler, not overridden)."""
        s = self.sampler
        it = getattr(type(s), "__iter__", None)
        if type(self).__iter__ is not BatchSampler.__iter__:
            return False
        if it is _iter_chunks:
            return s._fast()
        return type(s) is SubsetRandomSampler and s._fast()

    def _batches(self) -> Iterator[np.ndarray]:
        """Batches as int64 arrays, drawing the sampler's chunks when PyTorch would."""
        bs = self.batch_size
        pending = None
        for chunk in self.sampler._chunks():
            if pending is not None and pending.size:
                chunk = np.concatenate([pending, chunk])
            full = len(chunk) // bs
            for i in range(full):
                yield chunk[i * bs:(i + 1) * bs]
            pending = chunk[full * bs:]
        if pending is not None and pending.size and not self.drop_last:
            yield pending

    def __iter__(self) -> Iterator[List[int]]:
        if self._fast():
            for b in self._batches():
                yield b.tolist()
            return
        if self.drop_last:
            it = iter(self.sampler)
            while True:
                batch = []
                try:
                    for _ in range(self.batch_size):
                        batch.append(next(it))
                except StopIteration:
                    return
                yield batch
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
