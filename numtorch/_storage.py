"""Where a tensor's array lives: its storage (the memory block it views) and its offset there.

>>> import numpy as np
>>> a = np.arange(6.)
>>> flat, offset = storage_of(a[2:])
>>> flat is a or flat.base is a, offset
(True, 2)
"""
from __future__ import annotations

import numpy as np


def storage_of(a: np.ndarray):
    """``(storage, offset)``: the 1-D array of ``a``'s dtype over the memory ``a`` lives in,
    and ``a``'s first element's index in it. An array whose memory cannot be read as one block
    (a non-contiguous owner) gets a contiguous copy as its storage, at offset 0."""
    root = a
    while True:
        b = root.base
        if isinstance(b, np.ndarray):
            root = b
            continue
        inner = getattr(b, "base", None)          # NumPy's as_strided wraps its input
        if b is not None and isinstance(inner, np.ndarray):
            root = inner
            continue
        break
    item = a.dtype.itemsize
    if root.flags.c_contiguous or root.flags.f_contiguous:
        start = root.__array_interface__["data"][0]
        off = a.__array_interface__["data"][0] - start
        if off >= 0 and off % item == 0 and root.nbytes % item == 0:
            flat = root.reshape(-1, order="A")
            if flat.dtype != a.dtype:
                flat = flat.view(np.uint8).view(a.dtype)
            return flat, off // item
    return np.ascontiguousarray(a).reshape(-1), 0


__all__ = ["storage_of"]
