"""``torch.get_num_threads`` / ``set_num_threads``: the BLAS thread count NumPy's matmul uses.

numtorch runs its own Python code on one thread; the only parallel work is inside BLAS
(OpenBLAS for NumPy's wheels). Small matrix products are often faster on one thread, as the
threads' start-up cost dominates. The library is found among those already loaded, and its own
setter is called through ctypes (no extra dependency); where none is found the calls do nothing.

>>> import numtorch as torch
>>> torch.set_num_threads(1)
>>> torch.get_num_threads()
1
"""
from __future__ import annotations

import ctypes
import glob
import os

_blas = None          # (get, set) ctypes functions, or () when no BLAS could be controlled
_fallback = [os.cpu_count() or 1]


def _loaded_libraries() -> list:
    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if "blas" in line.lower() and "/" in line:
                    paths.append(line.split()[-1])
    except OSError:
        pass
    import numpy
    base = os.path.dirname(os.path.dirname(numpy.__file__))
    for folder in ("numpy.libs", os.path.join("numpy", ".dylibs")):
        paths += glob.glob(os.path.join(base, folder, "*blas*"))
    return list(dict.fromkeys(paths))


def _find_blas():
    global _blas
    if _blas is not None:
        return _blas
    _blas = ()
    for path in _loaded_libraries():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype = ctypes.c_int
                    put.argtypes = [ctypes.c_int]
                    _blas = (get, put)
                    return _blas
    return _blas


def get_num_threads() -> int:
    """Threads BLAS uses for matrix products."""
    blas = _find_blas()
    return int(blas[0]()) if blas else _fallback[0]


def set_num_threads(n: int) -> None:
    """Set the number of BLAS threads (as ``torch.set_num_threads``)."""
    n = int(n)
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    blas = _find_blas()
    if blas:
        blas[1](n)
    _fallback[0] = n


def get_num_interop_threads() -> int:
    return 1


def set_num_interop_threads(n: int) -> None:
    if int(n) <= 0:
        raise RuntimeError("Number of inter-op threads must be positive")
