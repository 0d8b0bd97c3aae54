"""PyTorch dtypes that NumPy has no arrays of (``torch.bfloat16``, ``torch.float8_e4m3fn``, ...).

numtorch makes no tensors of these dtypes. They exist as names so that what refers to them still
works where no tensor is made: a checkpoint's ``{"dtype": torch.bfloat16}``, and
``torch.autocast("cpu")``'s default dtype (bfloat16), under which numtorch computes in float32.
Each prints as PyTorch's (``torch.bfloat16``).

>>> bfloat16
torch.bfloat16
>>> bfloat16.is_floating_point, bfloat16.itemsize
(True, 2)
"""
from __future__ import annotations

__all__ = ["ForeignDtype", "FOREIGN", "bfloat16", "refuse_foreign"]


class ForeignDtype:
    """A PyTorch dtype with no NumPy counterpart: a name, its size and kind, nothing more."""

    __slots__ = ("name", "itemsize", "is_floating_point", "is_complex")

    def __init__(self, name: str, itemsize: int, kind: str) -> None:
        self.name = name
        self.itemsize = itemsize
        self.is_floating_point = kind == "f"
        self.is_complex = kind == "c"

    def __repr__(self) -> str:
        return "torch." + self.name

    @property
    def np(self):
        """No NumPy dtype: making a tensor of this dtype raises a TypeError that says so."""
        raise TypeError(f"numtorch has no torch.{self.name} tensors: NumPy has no {self.name} "
                        f"dtype. Use torch.float32 (autocast regions compute in float32).")


def refuse_foreign(dtype) -> None:
    """Raise ``dtype.np``'s TypeError when ``dtype`` is one of these (a tensor of it is asked
    for); do nothing otherwise."""
    if isinstance(dtype, ForeignDtype):
        dtype.np

    def __reduce__(self):
        return (_by_name, (self.name,))


FOREIGN = {n: ForeignDtype(n, size, kind) for n, size, kind in (
    ("bfloat16", 2, "f"), ("complex32", 4, "c"),
    ("uint16", 2, "u"), ("uint32", 4, "u"), ("uint64", 8, "u"), ("qint8", 1, "q"),
    ("quint8", 1, "q"), ("qint32", 4, "q"), ("quint4x2", 1, "q"), ("quint2x4", 1, "q"),
    ("float8_e4m3fn", 1, "f"), ("float8_e5m2", 1, "f"), ("float8_e4m3fnuz", 1, "f"),
    ("float8_e5m2fnuz", 1, "f"), ("float8_e8m0fnu", 1, "f"), ("float4_e2m1fn_x2", 1, "f"),
    ("bits8", 1, "b"), ("bits16", 2, "b"), ("bits1x8", 1, "b"), ("bits2x4", 1, "b"),
    ("bits4x2", 1, "b"))}
bfloat16 = FOREIGN["bfloat16"]


def _by_name(name: str) -> ForeignDtype:
    return FOREIGN[name]
