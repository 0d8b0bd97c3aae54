"""DataLoader worker processes: ``get_worker_info()`` and the loop each worker runs.

With ``num_workers=N`` the DataLoader starts N processes (fork, spawn or forkserver). Each
holds its own copy of the dataset, is seeded as PyTorch seeds its workers (torch's generator
and Python's ``random`` with ``base_seed + worker_id``, NumPy's global RNG from a SeedSequence
of ``(worker_id, base_seed)``), calls ``worker_init_fn(worker_id)``, then fetches the batches
whose indices the main process sends it, in order, and sends them back (their arrays through
shared memory, see ``shm.py``). Inside a worker ``get_worker_info()`` describes it.

>>> get_worker_info() is None
True
"""
from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from typing import Any, List, Optional

import numpy as np

from ...._generator import default_generator
from .fetch import _new_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info: Optional["WorkerInfo"] = None

# result kinds: a batch whose arrays lie in a slot, a pickled batch, an iterable dataset's
# end, an exception
_SLOT, _PICKLED, _STOP, _ERROR = 0, 1, 2, 3
_STATUS_CHECK_S = 5.0        # how often an idle worker checks that the main process lives


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
    """The current worker's ``WorkerInfo`` inside a DataLoader worker process; None otherwise.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


def _numpy_seed(base_seed: int, worker_id: int) -> List[int]:
    """The four 32-bit words PyTorch seeds a worker's NumPy RNG with (a SeedSequence hash)."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


class _Resume:
    """Sent to persistent workers at a new epoch: an iterable dataset starts over."""

    __slots__ = ()


class _KeyErrorMessage(str):
    """A KeyError shows its message with repr(); this keeps the worker's traceback readable."""

    def __repr__(self) -> str:
        return self


def _wrap_exception(worker_id: int) -> bytes:
    """The exception being handled, as ``(type, PyTorch's "Caught ..." text)``, pickled."""
    exc_type, exc, tb = sys.exc_info()
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    msg = (f"Caught {exc_type.__name__} in DataLoader worker process {worker_id}.\n"
           f"Original {text}")
    try:
        return pickle.dumps((exc_type, msg))
    except Exception:                     # a type that cannot travel: RuntimeError, as torch
        return pickle.dumps((RuntimeError, msg))


def _reraise(payload: bytes):
    """Raise a worker's exception in the main process with its type, as PyTorch does."""
    exc_type, msg = pickle.loads(payload)
    exc = None
    if exc_type is KeyError:
        msg = _KeyErrorMessage(msg)
    elif getattr(exc_type, "message", None):      # types that take the text as ``message=``
        try:
            exc = exc_type(message=msg)
        except Exception:
            pass
    if exc is None:
        try:
            exc = exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
    raise exc


def _seed_worker(base_seed: int, worker_id: int) -> int:
    seed = base_seed + worker_id
    random.seed(seed)
    default_generator.manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


def _worker_loop(iterable: bool, dataset, index_queue, result_conn, done_event,
                 auto_collation: bool, collate_fn, drop_last: bool, base_seed: int, init_fn,
                 worker_id: int, num_workers: int, shm_prefix: Optional[str],
                 slots: int) -> None:
    """The body of worker process ``worker_id`` (see the module docstring)."""
    global _worker_info
    writer = None
    try:
        from ...._threads import set_num_threads
        set_num_threads(1)                          # as PyTorch's workers: no BLAS threads
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _new_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = _wrap_exception(worker_id)
        from .shm import SlotWriter          # (the worker process only)
        writer = SlotWriter(shm_prefix, slots) if shm_prefix else None
        send = result_conn.send_bytes
        parent = os.getppid()
        ended = False
        while True:
            try:
                msg = index_queue.get(timeout=_STATUS_CHECK_S)
            except queue.Empty:
                if os.getppid() != parent:          # the main process is gone
                    break
                continue
            if msg is None:
                break
            if type(msg) is _Resume:
                ended = False
                if iterable and init_error is None:
                    try:
                        fetcher = _new_fetcher(True, dataset, auto_collation, collate_fn,
                                               drop_last)
                    except Exception:
                        init_error = _wrap_exception(worker_id)
                continue
            epoch, idx, index, released = msg
            if released and writer is not None:
                writer.release(released)
            if ended or done_event.is_set():
                continue
            slot = seg = None
            if init_error is not None:
                kind, payload = _ERROR, init_error
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if iterable:
                        kind, payload = _STOP, b""
                        ended = True
                    else:
                        kind, payload = _ERROR, _wrap_exception(worker_id)
                except Exception:
                    kind, payload = _ERROR, _wrap_exception(worker_id)
                else:
                    try:
                        if writer is not None:
                            slot, seg, payload = writer.dumps(data)
                        else:
                            payload = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
                        kind = _PICKLED if slot is None else _SLOT
                    except Exception:
                        kind, payload = _ERROR, _wrap_exception(worker_id)
                    del data
            send(pickle.dumps((epoch, idx, kind, slot, seg, payload), pickle.HIGHEST_PROTOCOL))
    except (KeyboardInterrupt, BrokenPipeError, EOFError):
        pass                                        # the main process stops (or stopped) us
    finally:
        if writer is not None:
            writer.close()
        try:
            result_conn.close()
        except OSError:
            pass
