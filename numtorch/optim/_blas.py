"""A fused ``y += a * x`` for large float32 arrays: BLAS ``saxpy``, when it rounds once.

PyTorch's CPU ``add_(x, alpha=a)`` uses a fused multiply-add. NumPy has none, so the optimizers
emulate it in float64 (four passes and a float64 temporary). OpenBLAS's ``saxpy`` (NumPy's
bundled BLAS, reached through ctypes as ``numtorch._threads`` does) runs FMA instructions on
CPUs that have them, about 6x faster than the emulation on a 784x256 weight. Whether it really
rounds once is checked on first use against exactly computed results (every tail length, an
unaligned start); where the check fails or no BLAS is found, ``saxpy_`` is None and callers
keep the emulation.

>>> fn = saxpy()          # None without a suitable BLAS
>>> fn is None or callable(fn)
True
"""
from __future__ import annotations

import ctypes
from typing import Callable, Optional

import numpy as np

__all__ = ["saxpy", "MIN_SIZE"]

MIN_SIZE = 4096         # below this the ctypes call costs more than the float64 emulation

_state: list = []       # [] until probed, then [function or None]


def _load() -> Optional[Callable]:
    try:
        from .._threads import _loaded_libraries
        paths = _loaded_libraries()
    except Exception:   # pragma: no cover - platform without /proc or numpy.libs
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        # only the ILP64 names: their integer arguments are certainly 64-bit
        for name in ("scipy_cblas_saxpy64_", "cblas_saxpy64_"):
            f = getattr(lib, name, None)
            if f is not None:
                f.restype = None
                f.argtypes = [ctypes.c_int64, ctypes.c_float, ctypes.c_void_p, ctypes.c_int64,
                              ctypes.c_void_p, ctypes.c_int64]
                return f
    return None


def _make(f) -> Callable:
    def saxpy_(y: np.ndarray, a, x: np.ndarray) -> None:
        """``y += a * x`` (float32, C-contiguous, same size), rounded once."""
        f(y.size, a, x.ctypes.data, 1, y.ctypes.data, 1)
    return saxpy_


def _rounds_once(fn: Callable) -> bool:
    """Compare with exact results on data where fused and unfused rounding differ."""
    rng = np.random.default_rng(12345)
    n = 4100
    # |y| in [1, 2), |a * x| in [1/4, 4): y + a * x is exact in float64 (at most 52 bits)
    y = (rng.uniform(1, 2, n) * rng.choice([-1, 1], n)).astype(np.float32)
    x = (rng.uniform(0.5, 4, n) * rng.choice([-1, 1], n)).astype(np.float32)
    differs = False
    for a in (np.float32(0.7310586), np.float32(-0.5123457)):
        a64 = np.float64(a)
        for size, start in [(k, 0) for k in range(1, 70)] + [(4099, 1), (n, 0)]:
            xs, ys = x[start:start + size], y[start:start + size]
            want = (ys.astype(np.float64) + xs.astype(np.float64) * a64).astype(np.float32)
            got = y.copy()[start:start + size]          # unaligned when start > 0
            fn(got, float(a), xs)
            if got.tobytes() != want.tobytes():
                return False
            differs = differs or (ys + a * xs).tobytes() != want.tobytes()
    return differs


def saxpy() -> Optional[Callable]:
    """The checked fused ``saxpy_(y, a, x)``, or None where there is none."""
    if not _state:
        fn = None
        try:
            f = _load()
            if f is not None:
                fn = _make(f)
                if not _rounds_once(fn):
                    fn = None
        except Exception:   # pragma: no cover - any surprise: keep the emulation
            fn = None
        _state.append(fn)
    return _state[0]
