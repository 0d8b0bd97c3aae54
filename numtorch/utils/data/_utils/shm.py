"""Batches through shared memory, so that their arrays cross processes without pickling.

A worker writes a batch's arrays into one of its *slots* (a POSIX shared-memory segment it
created) and sends the main process only a small pickle saying where each array lies. The main
process maps a slot once (and unlinks its name at once, so nothing outlives the processes) and
wraps the arrays in place, without copying. A slot goes back to its worker when every array of
its batch is gone: the arrays are views of one buffer per batch, and a finalizer on that buffer
queues the slot id, which the next task sent to the worker carries. A worker has a few slots
(enough for its prefetched batches and the one in use); when all are held, or shared memory
cannot be had, the batch travels as a plain pickle.

>>> w = SlotWriter("/ntdoc%d_" % os.getpid(), cap=2) if AVAILABLE else None
>>> if w is not None:
...     slot, seg, payload = w.dumps([np.arange(2048.)])
...     r = SlotReader(); r.attach(slot, seg)
...     print(r.load(slot, payload)[0][:3]); w.close()
... else:
...     print([0., 1., 2.])
[0. 1. 2.]
"""
from __future__ import annotations

import collections
import io
import mmap
import os
import pickle
import weakref
from typing import Any, List, Optional, Tuple

import numpy as np

try:
    import _posixshmem
except ImportError:                                  # Windows: batches go as pickles
    _posixshmem = None

__all__ = ["AVAILABLE", "SlotWriter", "SlotReader"]

AVAILABLE = _posixshmem is not None
_MIN_BYTES = 4096         # smaller arrays travel inside the pickle
_ALIGN = 64
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_KINDS = frozenset("biufc")


def _create(name: str, size: int) -> mmap.mmap:
    """A new shared-memory segment of ``size`` bytes, mapped; its pages reserved now (so a full
    /dev/shm raises OSError here rather than SIGBUS on a later write)."""
    fd = _posixshmem.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
    try:
        if hasattr(os, "posix_fallocate"):
            os.posix_fallocate(fd, 0, size)
        else:
            os.ftruncate(fd, size)
        return mmap.mmap(fd, size)
    except BaseException:
        _unlink(name)
        raise
    finally:
        os.close(fd)


def _attach(name: str, size: int) -> mmap.mmap:
    """Map a worker's segment and remove its name (the mappings keep the memory)."""
    fd = _posixshmem.shm_open(name, os.O_RDWR, 0o600)
    try:
        return mmap.mmap(fd, size)
    finally:
        os.close(fd)
        _unlink(name)


def _unlink(name: str) -> None:
    try:
        _posixshmem.shm_unlink(name)
    except OSError:
        pass


def sweep(prefix: str) -> None:
    """Remove segments left by a worker that died between creating one and the main process
    mapping it (Linux lists them under /dev/shm)."""
    base = prefix.lstrip("/")
    try:
        names = os.listdir("/dev/shm")
    except OSError:
        return
    for n in names:
        if n.startswith(base):
            _unlink("/" + n)


class _LeafPickler(pickle.Pickler):
    """Pickles a batch, leaving out arrays of at least ``_MIN_BYTES``: each becomes a persistent
    id ``(offset, dtype, shape)``, and the array is listed to be copied into a slot."""

    def __init__(self, file) -> None:
        super().__init__(file, _PROTOCOL)
        self.leaves: List[Tuple[int, np.ndarray]] = []
        self.nbytes = 0
        self.seen = {}

    def persistent_id(self, obj: Any):
        if type(obj) is not np.ndarray:
            return None
        n = obj.nbytes
        dt = obj.dtype
        if n < _MIN_BYTES or dt.kind not in _KINDS or not dt.isnative:
            return None
        pid = self.seen.get(id(obj))
        if pid is None:
            off = self.nbytes
            self.nbytes = off + (n + _ALIGN - 1) // _ALIGN * _ALIGN
            self.leaves.append((off, obj))
            pid = self.seen[id(obj)] = (off, dt.str, obj.shape)
        return pid


class SlotWriter:
    """A worker's slots; ``dumps(batch)`` -> ``(slot, new_segment, payload)``."""

    def __init__(self, prefix: str, cap: int) -> None:
        self.prefix = prefix
        self.cap = cap
        self.slots: list = []          # slot id -> (name, size, uint8 view of the mapping)
        self.free: list = []
        self.names: list = []
        self.count = 0
        self.enabled = AVAILABLE

    def release(self, ids) -> None:
        self.free.extend(ids)

    def dumps(self, data: Any) -> Tuple[Optional[int], Optional[tuple], bytes]:
        if self.enabled:
            f = io.BytesIO()
            p = _LeafPickler(f)
            p.dump(data)
            if not p.leaves:
                return None, None, f.getvalue()
            slot, seg = self._take(p.nbytes)
            if slot is not None:
                u8 = self.slots[slot][2]
                for off, arr in p.leaves:
                    dst = u8[off:off + arr.nbytes].view(arr.dtype).reshape(arr.shape)
                    np.copyto(dst, arr, casting="no")
                return slot, seg, f.getvalue()
        return None, None, pickle.dumps(data, _PROTOCOL)

    def _take(self, need: int):
        free = self.free
        for k, i in enumerate(free):
            if self.slots[i][1] >= need:
                del free[k]
                return i, None
        if free:
            i = free[-1]                               # too small: replaced by a bigger one
        elif len(self.slots) < self.cap:
            i = len(self.slots)
        else:
            return None, None                          # all held by the main process
        size = -(-(need + need // 4) // mmap.PAGESIZE) * mmap.PAGESIZE
        name = f"{self.prefix}{self.count}"
        self.count += 1
        try:
            mm = _create(name, size)
        except OSError:
            self.enabled = False                       # no shared memory: pickles from now on
            return None, None
        self.names.append(name)
        entry = (name, size, np.frombuffer(mm, np.uint8))
        if i == len(self.slots):
            self.slots.append(entry)
        else:
            free.pop()
            self.slots[i] = entry
        return i, (name, size)

    def close(self) -> None:
        for name in self.names:
            _unlink(name)
        self.names = []
        self.slots = []


class _LeafUnpickler(pickle.Unpickler):
    token: np.ndarray = None

    def persistent_load(self, pid):
        off, dt, shape = pid
        dtype = _DTYPES.get(dt)
        if dtype is None:
            dtype = _DTYPES[dt] = np.dtype(dt)
        n = dtype.itemsize
        for s in shape:
            n *= s
        return self.token[off:off + n].view(dtype).reshape(shape)


_DTYPES: dict = {}


class SlotReader:
    """The main process's side of one worker's slots."""

    def __init__(self) -> None:
        self.maps: dict = {}
        self.released: collections.deque = collections.deque()

    def attach(self, slot: int, seg: tuple) -> None:
        self.maps[slot] = _attach(*seg)

    def load(self, slot: int, payload: bytes) -> Any:
        token = np.frombuffer(self.maps[slot], np.uint8)
        weakref.finalize(token, self.released.append, slot).atexit = False
        up = _LeafUnpickler(io.BytesIO(payload))
        up.token = token
        return up.load()

    def take_released(self):
        """The slot ids freed since the last call (a tuple), or None."""
        rel = self.released
        if not rel:
            return None
        out = []
        try:
            while True:
                out.append(rel.popleft())
        except IndexError:
            pass
        return tuple(out)
