"""``torch.finfo`` and ``torch.iinfo``: the numeric limits of floating and integer dtypes.

The values are NumPy's (``np.finfo`` / ``np.iinfo``) for the dtypes NumPy has, and PyTorch's
constants for the names numtorch keeps without tensors (``torch.bfloat16``, the float8 types).
Objects print, compare and refuse as PyTorch's do.

>>> import numtorch as torch
>>> torch.finfo(torch.float32)
finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)
>>> torch.iinfo(torch.int8).max
127
"""
from __future__ import annotations

import math

import numpy as np

from . import _dtype
from ._errors import type_name
from ._foreign_dtype import ForeignDtype

__all__ = ["finfo", "iinfo"]

_MISSING = object()

# PyTorch's floating types NumPy has no arrays of: (bits, eps, max, min, tiny, resolution, the
# dtype name the object reports).
_FOREIGN_FLOAT = {
    "bfloat16": (16, 2.0 ** -7, 3.3895313892515355e+38, -3.3895313892515355e+38,
                 2.0 ** -126, 0.01, "bfloat16"),
    "complex32": (16, 2.0 ** -10, 65504.0, -65504.0, 2.0 ** -14, 0.001, "float16"),
    "float8_e4m3fn": (8, 0.125, 448.0, -448.0, 2.0 ** -6, 1.0, "float8_e4m3fn"),
    "float8_e5m2": (8, 0.25, 57344.0, -57344.0, 2.0 ** -14, 1.0, "float8_e5m2"),
    "float8_e4m3fnuz": (8, 0.125, 240.0, -240.0, 2.0 ** -7, 1.0, "float8_e4m3fnuz"),
    "float8_e5m2fnuz": (8, 0.125, 57344.0, -57344.0, 2.0 ** -15, 1.0, "float8_e5m2fnuz"),
    "float8_e8m0fnu": (8, 1.0, 2.0 ** 127, 2.0 ** -127, 2.0 ** -127, 1.0, "float8_e8m0fnu"),
}
_FOREIGN_INT = {"uint16": 16, "uint32": 32, "uint64": 64}


def _dtype_arg(cls_name: str, args: tuple, kwargs: dict):
    """The dtype ``finfo(...)`` / ``iinfo(...)`` was given, with PyTorch's argument errors
    (``finfo()`` alone: the default dtype)."""
    value = _MISSING
    if kwargs:
        if set(kwargs) != {"type"} or args:
            raise TypeError(f'{cls_name}() missing 1 required positional arguments: "type"')
        value = kwargs["type"]
    elif len(args) == 1:
        value = args[0]
    elif len(args) > 1:
        if cls_name == "iinfo":
            raise TypeError(f"iinfo() takes 1 positional argument but {len(args)} were given")
        got = ", ".join("torch.dtype" if isinstance(a, (_dtype.dtype, ForeignDtype))
                        else type_name(a) for a in args)
        raise TypeError(f"{cls_name}() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n * (torch.dtype type)\n * ()\n")
    if value is _MISSING:
        if cls_name == "iinfo":
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        return _dtype.get_default_dtype()
    if not isinstance(value, (_dtype.dtype, ForeignDtype)):
        raise TypeError(f"{cls_name}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type_name(value)}")
    return value


class _Info:
    """What finfo and iinfo share: read-only fields, equality by value, no hash, no pickle."""

    __slots__ = ()
    _fields: tuple = ()

    def __setattr__(self, name, value):
        if name in self._fields:
            raise AttributeError(f"attribute '{name}' of 'torch.{type(self).__name__}' objects "
                                 "is not writable")
        raise AttributeError(f"'torch.{type(self).__name__}' object has no attribute '{name}'")

    __delattr__ = __setattr__

    def __eq__(self, other):
        if type(other) is not type(self):
            return False
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        raise TypeError(f"unhashable type: 'torch.{type(self).__name__}'")

    def _unordered(self, other, op: str):
        other_name = f"torch.{type(other).__name__}" if isinstance(other, _Info) \
            else type(other).__name__
        raise TypeError(f"'{op}' not supported between instances of "
                        f"'torch.{type(self).__name__}' and '{other_name}'")

    def __lt__(self, other):
        self._unordered(other, "<")

    def __le__(self, other):
        self._unordered(other, "<=")

    def __gt__(self, other):
        self._unordered(other, ">")

    def __ge__(self, other):
        self._unordered(other, ">=")

    def __reduce_ex__(self, protocol):
        raise TypeError(f"cannot pickle 'torch.{type(self).__name__}' object")

    def __str__(self) -> str:
        return self.__repr__()


class finfo(_Info):
    """The limits of a floating dtype (a complex dtype: of its real part); ``finfo()``: of the
    default dtype.

    >>> import numtorch as torch
    >>> torch.finfo(torch.float64).eps
    2.220446049250313e-16
    >>> torch.finfo(torch.complex64).dtype
    'float32'
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")
    _fields = __slots__

    def __init__(self, *args, **kwargs) -> None:
        d = _dtype_arg("finfo", args, kwargs)
        if isinstance(d, ForeignDtype):
            if d.name not in _FOREIGN_FLOAT:
                raise TypeError("torch.finfo() requires a floating point input type. Use "
                                "torch.iinfo to handle 'torch.finfo'")
            bits, eps, hi, lo, tiny, resolution, name = _FOREIGN_FLOAT[d.name]
        else:
            if d._kind < 2:
                raise TypeError("torch.finfo() requires a floating point input type. Use "
                                "torch.iinfo to handle 'torch.finfo'")
            info = np.finfo(_dtype.to_real(d).np)
            bits, eps, hi, lo = info.bits, float(info.eps), float(info.max), float(info.min)
            tiny, name = float(info.tiny), _dtype.to_real(d).name
            resolution = 10.0 ** -math.floor(-math.log10(eps))
        set_ = object.__setattr__
        for field, value in (("bits", int(bits)), ("eps", eps), ("max", hi), ("min", lo),
                             ("tiny", tiny), ("smallest_normal", tiny),
                             ("resolution", resolution), ("dtype", name)):
            set_(self, field, value)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo(_Info):
    """The limits of an integer dtype.

    >>> import numtorch as torch
    >>> torch.iinfo(torch.uint8)
    iinfo(min=0, max=255, dtype=uint8)
    >>> torch.iinfo(torch.int64).bits
    64
    """

    __slots__ = ("bits", "max", "min", "dtype")
    _fields = __slots__

    def __init__(self, *args, **kwargs) -> None:
        d = _dtype_arg("iinfo", args, kwargs)
        if d is _dtype.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if isinstance(d, ForeignDtype):
            if d.name not in _FOREIGN_INT:
                raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                                "to handle 'torch.iinfo'")
            bits = _FOREIGN_INT[d.name]
            lo, hi = 0, 2 ** bits - 1
        else:
            if d._kind != 1:
                raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                                "to handle 'torch.iinfo'")
            info = np.iinfo(d.np)
            bits, lo, hi = info.bits, int(info.min), int(info.max)
        set_ = object.__setattr__
        for field, value in (("bits", int(bits)), ("max", hi), ("min", lo), ("dtype", d.name)):
            set_(self, field, value)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
