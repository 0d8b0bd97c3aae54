"""The MPI backend of ``numtorch.distributed``: mpi4py, imported on first use.

Everything that touches ``mpi4py`` lives here: importing it (with the error that names the
``numtorch[distributed]`` extra when it is missing), reduction operations, the contiguous host
buffers MPI reads and writes in place, and stopping every rank when one fails.

>>> from numtorch.distributed import _mpi
>>> isinstance(_mpi.available(), bool)
True
"""
from __future__ import annotations

import importlib.util
import os
import sys
import time
from typing import Callable, Optional, Tuple

import numpy as np

__all__ = ["INSTALL_HINT", "available", "mpi", "world_comm", "host_buffer", "readable",
           "abort_on_error", "abort", "multi_rank"]

INSTALL_HINT = 'pip install "numtorch[distributed]"'

_MPI = None


def available() -> bool:
    """Whether mpi4py is installed (MPI is not started by asking)."""
    if _MPI is not None:
        return True
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):       # a broken or blocked mpi4py
        return False


def mpi():
    """The ``mpi4py.MPI`` module; the first call starts MPI in this process.

    Raises RuntimeError naming ``pip install "numtorch[distributed]"`` when mpi4py (or the MPI
    library it loads) is missing.
    """
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(
                "numtorch.distributed runs on MPI through mpi4py, which is not installed. "
                f"Install it with: {INSTALL_HINT} (mpi4py and the MPICH library from the "
                "package index, no compiler needed)") from e
        except RuntimeError as e:           # mpi4py without a loadable MPI library
            raise RuntimeError(
                f"mpi4py could not start an MPI library ({e}). Install one with: "
                f"{INSTALL_HINT}") from e
        _MPI = MPI
    return _MPI


def world_comm():
    """``MPI.COMM_WORLD`` (starting MPI)."""
    return mpi().COMM_WORLD


def host_buffer(t) -> Tuple[np.ndarray, Optional[Callable[[], None]]]:
    """A C-contiguous NumPy array MPI can read and write for tensor ``t``, and ``writeback``:
    None when the array is the tensor's own memory, else a function that copies the array back
    into the tensor (for strided views and GPU tensors)."""
    a = t._data
    if type(a) is np.ndarray:
        if a.flags.c_contiguous and a.flags.writeable:
            return a, None
        host = np.ascontiguousarray(a)
        if host is a:                       # read-only but contiguous: reading is all we may do
            host = a.copy()

        def writeback() -> None:
            a[...] = host
        return host, writeback
    host = np.ascontiguousarray(a.get())    # a CuPy array: stage through host memory

    def writeback_device() -> None:
        a[...] = sys.modules["cupy"].asarray(host)
    return host, writeback_device


def readable(t) -> np.ndarray:
    """A C-contiguous NumPy array with ``t``'s values (its own memory where possible)."""
    a = t._data
    if type(a) is not np.ndarray:
        a = a.get()
    return np.ascontiguousarray(a)


_hook_installed = False


def abort_on_error() -> None:
    """Make an uncaught exception in this rank stop every rank (``MPI_Abort``) after printing
    its traceback, so the others do not wait forever in a collective."""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        try:
            previous(kind, value, tb)
        finally:
            if multi_rank():
                abort(1)

    sys.excepthook = hook


def multi_rank() -> bool:
    """Whether MPI is running with more than one rank in this job."""
    return _MPI is not None and _MPI.Is_initialized() and not _MPI.Is_finalized() \
        and _MPI.COMM_WORLD.Get_size() > 1


def abort(code: int = 1) -> None:
    """Flush this rank's output and stop every rank of the job with exit code ``code``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:   # pragma: no cover - a closed stream
            pass
    if multi_rank():
        time.sleep(0.2)          # let mpiexec forward what this rank printed before it stops
        _MPI.COMM_WORLD.Abort(code)
    os._exit(code)
