"""Legacy typed constructors: ``torch.FloatTensor([1, 2])``, ``torch.LongTensor(3)``, ...

They exist for old tutorials; ``isinstance(t, torch.FloatTensor)`` checks the dtype.
"""
from __future__ import annotations

import numpy as np

from . import _dtype
from ._errors import nesting_error
from ._tensor import Tensor


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls._numtorch_dtype.np


def _legacy(name: str, d: _dtype.dtype):
    def __new__(cls, *args):
        if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
            src = args[0]
            try:
                data = src._data.astype(d.np) if isinstance(src, Tensor) else np.array(src, d.np)
            except (ValueError, TypeError):
                raise nesting_error(src) from None
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
            data = np.zeros(tuple(int(s) for s in shape) if args else (0,), d.np)
        return Tensor._make(data)
    return _LegacyMeta(name, (), {"__new__": __new__, "_numtorch_dtype": d,
                                  "__doc__": f"Legacy constructor of {d!r} tensors."})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool_)
