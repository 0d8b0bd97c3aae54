"""Workers of the data loader, run inside the main process.

numtorch does not fork processes: ``DataLoader(num_workers=N)`` runs each of its N workers
in the main process, one batch at a time, in the order PyTorch's workers deliver them. A
worker still has its own random state, as a PyTorch worker process has: while it fetches,
the global torch generator, Python's ``random`` and NumPy's global RNG are swapped for the
worker's own, seeded as PyTorch seeds them (``base_seed + worker_id``; NumPy from a
SeedSequence of ``(worker_id, base_seed)``). ``get_worker_info()`` answers inside a worker.

>>> get_worker_info() is None
True
"""
from __future__ import annotations

import random
from typing import Any, List, Optional

import numpy as np

from ...._generator import Generator, default_generator

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info: Optional["WorkerInfo"] = None


class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    __initialized = False

    def __init__(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key: str, val: Any) -> None:
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self) -> str:
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info() -> Optional[WorkerInfo]:
    """The current worker's ``WorkerInfo`` while a DataLoader worker runs; None otherwise.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


def _numpy_seed(base_seed: int, worker_id: int) -> List[int]:
    """The four 32-bit words PyTorch seeds a worker's NumPy RNG with (a SeedSequence hash)."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


_GEN_SLOTS = ("_bg", "_seed", "_fresh", "_normal_cache", "_float_cache")


class _Worker:
    """One emulated worker: its id and random states (torch, ``random``, NumPy)."""

    __slots__ = ("id", "info", "gen", "py_state", "np_state", "fetcher", "active")

    def __init__(self, worker_id: int, num_workers: int, base_seed: int, dataset) -> None:
        seed = base_seed + worker_id
        self.id = worker_id
        self.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        self.gen = Generator().manual_seed(seed)
        rs = random.Random(seed)
        self.py_state = rs.getstate()
        rn = np.random.RandomState()
        rn.seed(_numpy_seed(base_seed, worker_id))
        self.np_state = rn.get_state()
        self.fetcher = None
        self.active = True

    def enter(self):
        global _worker_info
        saved = (_worker_info, random.getstate(), np.random.get_state())
        _swap_generators(default_generator, self.gen)
        random.setstate(self.py_state)
        np.random.set_state(self.np_state)
        _worker_info = self.info
        return saved

    def exit(self, saved) -> None:
        global _worker_info
        self.py_state = random.getstate()
        self.np_state = np.random.get_state()
        _swap_generators(default_generator, self.gen)
        _worker_info, py, npst = saved
        random.setstate(py)
        np.random.set_state(npst)

    def run(self, fn, *args):
        """Call ``fn(*args)`` as this worker (its random states, ``get_worker_info()``)."""
        saved = self.enter()
        try:
            return fn(*args)
        finally:
            self.exit(saved)


def _swap_generators(a: Generator, b: Generator) -> None:
    """Exchange the states of two generators (cheap: swaps the engine objects)."""
    for name in _GEN_SLOTS:
        va, vb = getattr(a, name), getattr(b, name)
        setattr(a, name, vb)
        setattr(b, name, va)
