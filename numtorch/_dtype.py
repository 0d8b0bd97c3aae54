"""dtype objects and PyTorch's type-promotion rules (which differ from NumPy's).

>>> import numtorch as torch
>>> torch.promote_types(torch.int64, torch.float32)
torch.float32
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, printed as PyTorch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_kind", "_rank")

    def __init__(self, name: str, np_dtype, kind: int, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_floating_point = kind == 2
        self.is_signed = name not in ("uint8", "bool")
        self._kind = kind      # 0 bool, 1 integer, 2 floating, 3 complex
        self._rank = rank      # order inside its kind, for promotion

    @property
    def is_complex(self) -> bool:
        return self._kind == 3

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0, 0)
uint8 = dtype("uint8", np.uint8, 1, 0)
int8 = dtype("int8", np.int8, 1, 1)
int16 = dtype("int16", np.int16, 1, 2)
int32 = dtype("int32", np.int32, 1, 3)
int64 = dtype("int64", np.int64, 1, 4)
float16 = dtype("float16", np.float16, 2, 0)
float32 = dtype("float32", np.float32, 2, 2)
float64 = dtype("float64", np.float64, 2, 3)
complex64 = dtype("complex64", np.complex64, 3, 2)
complex128 = dtype("complex128", np.complex128, 3, 3)
from ._foreign_dtype import bfloat16  # noqa: E402  (a name only: NumPy has no bfloat16 arrays)

_LEGACY = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
           "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
           "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def legacy_name(d: dtype) -> str:
    """PyTorch's C++ scalar-type name used in error messages: Float, Long, ..."""
    return _LEGACY[d.name]


def legacy_name_np(npd) -> str:
    """``legacy_name`` of a NumPy dtype (or what ``np.dtype`` accepts): ``float32`` -> Float;
    NumPy's own name for a dtype PyTorch has no tensors of."""
    name = np.dtype(npd).name
    return _LEGACY.get(name, name)


_CPP = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
        "int32": "int", "int64": "long int", "float16": "c10::Half", "float32": "float",
        "float64": "double", "complex64": "c10::complex<float>",
        "complex128": "c10::complex<double>"}


def cpp_name(d: dtype) -> str:
    """The C++ type name some PyTorch messages use: float, double, long int, c10::Half, ..."""
    return _CPP[d.name]


def can_cast(src: dtype, dst: dtype) -> bool:
    """PyTorch's rule for in-place results: never to a lower kind (float -> int, int -> bool)."""
    return src._kind <= dst._kind


ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _default_float


def default_complex() -> dtype:
    """The dtype of tensors made from Python complex numbers: complex64, or complex128 when
    the default floating dtype is float64."""
    return complex128 if _default_float is float64 else complex64


def to_complex(d: dtype) -> dtype:
    """The complex dtype holding values of ``d`` (float64 -> complex128, others complex64)."""
    if d._kind == 3:
        return d
    return complex128 if d is float64 else (complex64 if d._kind == 2 else default_complex())


def to_real(d: dtype) -> dtype:
    """The real dtype of a complex dtype's parts (complex128 -> float64); others unchanged."""
    return {complex64: float32, complex128: float64}.get(d, d)


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float32 or float64, as PyTorch allows)."""
    global _default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def from_numpy_dtype(npd) -> dtype:
    """The numtorch dtype of a NumPy dtype (TypeError for types PyTorch lacks)."""
    try:
        return _BY_NP[np.dtype(npd)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(npd).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool.") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, by PyTorch's table."""
    if a is b:
        return a
    if a._kind != b._kind:
        hi, lo = (a, b) if a._kind > b._kind else (b, a)
        if hi._kind == 3 and lo is float64:
            return complex128
        return hi
    if a._kind == 1 and {a.name, b.name} == {"uint8", "int8"}:
        return int16
    return a if a._rank >= b._rank else b


def scalar_dtype(value) -> dtype:
    """The dtype PyTorch gives a Python scalar on its own."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (complex, np.complexfloating)):
        return default_complex()
    return _default_float


def result_dtype(d: dtype, scalar) -> dtype:
    """dtype of ``tensor(d) op scalar``: a scalar only matters when its kind is higher."""
    if isinstance(scalar, (bool, np.bool_)):
        return d
    if isinstance(scalar, (int, np.integer)):
        return int64 if d._kind == 0 else d
    if isinstance(scalar, (complex, np.complexfloating)) and not isinstance(scalar, float):
        return to_complex(d)
    return d if d._kind >= 2 else _default_float
