"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace, eye...

>>> import numtorch as torch
>>> torch.tensor([[1, 2], [3, 4]]).dtype
torch.int64
>>> torch.arange(0, 1, 0.25)
tensor([0.0000, 0.2500, 0.5000, 0.7500])
"""
from __future__ import annotations

import builtins
import math
import warnings

import numpy as np

from .. import _dtype
from .._fma import fma64
from .._errors import arg_error, invalid_combination, nesting_error, not_tensor, size_error
from .._foreign_dtype import refuse_foreign
from .._default_device import default_state, get_default_device
from .._tensor import Tensor
from ._apply import write_out
from ._scalars import NUMBER_TYPES, scalar_for

_make = Tensor._make


def _check_device(device):
    if device is None:
        if default_state[0] is None:               # no default device set: the CPU
            return None
        device = get_default_device()               # raises inside a CUDA block
    from .._device import device as Device
    d = Device(device)
    if d.type != "cpu":
        from ..cuda import _require_cuda
        _require_cuda(d)
    return d


def _infer_dtype(data) -> _dtype.dtype:
    """PyTorch's dtype for nested Python data: bool < int64 < default float."""
    kind = 0
    leaves = False
    stack = [data]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            if v and isinstance(v[0], str):
                raise ValueError(f"too many dimensions '{type(v[0]).__name__}'")
            stack.extend(v)
            continue
        leaves = True
        if isinstance(v, Tensor):
            d = v.dtype
            kind = max(kind, d._kind if d._kind < 2 else 3 if d is not _dtype.get_default_dtype() else 2)
            if d._kind >= 2 and d is not _dtype.get_default_dtype():
                return d
        elif isinstance(v, (bool, np.bool_)):
            kind = max(kind, 0)
        elif isinstance(v, (int, np.integer)):
            kind = max(kind, 1)
        elif isinstance(v, (float, np.floating)):
            kind = max(kind, 2)
        elif isinstance(v, (builtins.complex, np.complexfloating)):
            kind = max(kind, 4)
        elif isinstance(v, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(v).__name__}'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(v).__name__}")
    if not leaves:                   # torch.tensor([]) and [[], []] are float
        return _dtype.get_default_dtype()
    if kind == 4:                    # Python complex numbers
        return _dtype.default_complex()
    return (_dtype.bool_, _dtype.int64, _dtype.get_default_dtype())[min(kind, 2)]


def _to_array(data, dtype: _dtype.dtype | None) -> np.ndarray:
    if isinstance(data, Tensor):
        a = data._data
        return a.copy() if dtype is None else a.astype(dtype.np)
    if isinstance(data, np.ndarray):
        if dtype is None:
            d = _dtype.from_numpy_dtype(data.dtype)
            return np.array(data, d.np)
        return np.array(data, dtype.np)
    if isinstance(data, np.generic):
        d = dtype or _dtype.from_numpy_dtype(data.dtype)
        return np.array(data, d.np)
    if dtype is None:
        dtype = _infer_dtype(data)
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in _flat_first(data)):
        data = _tensors_to_lists(data)
    try:
        arr = np.array(data, dtype=dtype.np)
    except (ValueError, TypeError):
        raise nesting_error(data) from None
    return arr


def _flat_first(data):
    while isinstance(data, (list, tuple)) and data:
        yield from (v for v in data if isinstance(v, Tensor))
        data = data[0]


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(v) for v in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, NumPy arrays, tensors).

    >>> import numtorch as torch
    >>> torch.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    """
    dev = _check_device(device)
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        refuse_foreign(dtype)                                # torch.bfloat16: says why not
        raise arg_error("tensor", "dtype", None, "torch.dtype", dtype)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).", UserWarning,
                      stacklevel=2)
    t = _make(_to_array(data, dtype))
    if requires_grad:
        if t._data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    if dev is not None and dev.type != "cpu":
        return t.to(dev)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a tensor or NumPy array of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.np):
        _dtype.from_numpy_dtype(data.dtype)
        return _make(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    if not ndarray.flags.writeable:
        warnings.warn("The given NumPy array is not writable, and PyTorch does not support "
                      "non-writable tensors. This means writing to this tensor will result in "
                      "undefined behavior. You may want to copy the array to protect its data or "
                      "make it writable before converting it to a tensor. This type of warning will "
                      "be suppressed for the rest of this program.", UserWarning, stacklevel=2)
    return _make(ndarray)


def _size_args(size, fn="zeros", position=1):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s._data.ndim == 0):
            err = size_error(fn, size if len(size) != 1 else (size[0],), position)
            if err is not None:
                raise err
    size = tuple(int(s) for s in size)
    for s in size:
        if s < 0:
            if fn == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return size


def _finish(arr, requires_grad, device=None):
    _check_device(device)
    t = _make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _np_dtype(dtype, fn="zeros"):
    try:
        return (dtype or _dtype.get_default_dtype()).np
    except AttributeError:
        raise arg_error(fn, "dtype", None, "torch.dtype", dtype) from None


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    if out is not None:
        return write_out("zeros", zeros(*size, dtype=dtype or out.dtype, device=device), out)
    return _finish(np.zeros(_size_args(size), _np_dtype(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None) -> Tensor:
    if out is not None:
        return write_out("ones", ones(*size, dtype=dtype or out.dtype, device=device), out)
    return _finish(np.ones(_size_args(size, "ones"), _np_dtype(dtype, "ones")), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False) -> Tensor:
    if out is not None:
        return write_out("empty", empty(*size, dtype=dtype or out.dtype, device=device), out)
    return _finish(np.zeros(_size_args(size, "empty"), _np_dtype(dtype, "empty")), requires_grad,
                   device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    if out is not None:
        return write_out("full", full(size, fill_value, dtype=dtype or out.dtype, device=device), out)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    if not isinstance(size, (tuple, list)):
        raise arg_error("full", "size", 1, "tuple of ints", size)
    shape = _size_args((size,), "full")
    if isinstance(fill_value, NUMBER_TYPES):        # PyTorch's range check (300 into uint8)
        fill_value = scalar_for(dtype.np, fill_value, math.prod(shape))
    return _finish(np.full(shape, fill_value, dtype.np), requires_grad, device)


def _like(input, dtype, fn="zeros_like"):
    try:
        return (dtype or input.dtype).np
    except AttributeError:
        if not isinstance(input, Tensor):
            raise not_tensor(fn, input) from None
        raise arg_error(fn, "dtype", None, "torch.dtype", dtype) from None


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    npd = _like(input, dtype)
    return _finish(np.zeros(input._data.shape, npd), requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    npd = _like(input, dtype, "ones_like")
    return _finish(np.ones(input._data.shape, npd), requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    npd = _like(input, dtype, "empty_like")
    return _finish(np.zeros(input._data.shape, npd), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    npd = _like(input, dtype, "full_like")
    if isinstance(fill_value, NUMBER_TYPES):        # PyTorch's range check (300 into uint8)
        fill_value = scalar_for(npd, fill_value, input._data.size)
    try:
        return _finish(np.full(input._data.shape, fill_value, npd), requires_grad, device)
    except (TypeError, ValueError):
        raise arg_error("full_like", "fill_value", 2, "Number", fill_value) from None


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; ints give int64."""
    if out is not None:
        return write_out("arange", arange(start, end, step, dtype=dtype or out.dtype, device=device), out)
    single = end is None
    if single:
        start, end = 0, start
    # a 0-d tensor is a Number to PyTorch's argument parser; other tensors are not
    vals = [v.item() if isinstance(v, Tensor) and v._data.ndim == 0 else v
            for v in (start, end, step)]
    for i, v in enumerate(vals):
        if isinstance(v, builtins.complex):     # taken as a double: only without imaginary part
            if v.imag:
                raise RuntimeError("value cannot be converted to type double without overflow")
            vals[i] = v.real
    start, end, step = vals
    for v in vals:
        if not isinstance(v, (int, float, np.integer, np.floating)):
            if single and v is end and not isinstance(step, Tensor) and step == 1:
                raise arg_error("arange", "end", 1, "Number", v)
            given = vals[:2] if type(step) is int and step == 1 else vals   # (step not given)
            raise invalid_combination("arange", given, "(Number end), (Number start, Number end), "
                                      "(Number start, Number end, Number step)")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        dtype = _dtype.int64 if all(isinstance(v, (int, np.integer)) for v in vals) \
            else _dtype.get_default_dtype()
    n = max(0, math.ceil((end - start) / step))
    if dtype.is_floating_point:
        # PyTorch computes start + i * step in double, then casts
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dtype.np)
    else:
        arr = (start + np.arange(n, dtype=np.int64) * int(step) if isinstance(step, int)
               else np.floor(start + np.arange(n) * step)).astype(dtype.np)
    return _finish(arr, requires_grad, device)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated ``torch.range``: includes ``end``."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = int(math.floor((end - start) / step)) + 1
    arr = (start + np.arange(n, dtype=np.float64) * step).astype(_np_dtype(dtype))
    return _finish(arr, requires_grad, device)


def _fused_multiply_add(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a*b + c`` rounded once, as a C ``fma`` gives it (NumPy has none): float32 through
    float64, where the product is exact; float64 by ``fma64``."""
    if a.dtype != np.float64:
        return a.astype(np.float64) * b + c.astype(np.float64)
    return fma64(a, b, c.astype(np.float64))


def linspace_array(start, end, steps: int, npd) -> np.ndarray:
    """``torch.linspace``'s values as a NumPy array of dtype ``npd``, bit for bit."""
    if steps == 1:
        arr = np.array([start], npd)
    elif np.dtype(npd).kind == "f":
        # PyTorch: step = (end - start) / (steps - 1) in the output dtype; the first half counts
        # up from start, the second half down from end.
        # float32/64: each point is one fused multiply-add (start + step*i, or end - step*(steps-1-i)).
        ft = np.dtype(npd).type
        s, e = ft(start), ft(end)
        step = (e - s) / ft(steps - 1)
        i = np.arange(steps)
        half = steps // 2
        if ft is np.float16:                 # half: each step rounded, as PyTorch's half ops
            arr = np.where(i < half, s + step * i.astype(npd),
                           e - step * (steps - 1 - i).astype(npd)).astype(npd)
        else:
            base = np.where(i < half, s, e)
            count = np.where(i < half, i, i - (steps - 1)).astype(np.float64)
            arr = _fused_multiply_add(np.full(steps, step), count, base).astype(npd)
    else:
        arr = np.linspace(start, end, steps).astype(npd)
    return arr


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    """``steps`` evenly spaced values from start to end, computed as PyTorch does (symmetric halves)."""
    if out is not None:
        return write_out("linspace", linspace(start, end, steps, dtype=dtype or out.dtype, device=device), out)
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    arr = linspace_array(start, end, steps, _np_dtype(dtype))
    return _finish(arr, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    arr = np.power(base, np.linspace(start, end, int(steps))).astype(_np_dtype(dtype))
    return _finish(arr, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    if out is not None:
        return write_out("eye", eye(n, m, dtype=dtype or out.dtype, device=device), out)
    for name, v in (("n", n), ("m", m)):
        if v is not None and not isinstance(v, (int, np.integer)):
            raise arg_error("eye", name, 1, "int", v) if name == "n" else \
                invalid_combination("eye", (n, m), "(int n), (int n, int m)")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype, "eye")), requires_grad, device)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    if isinstance(s, Tensor) and s._data.ndim == 0:       # a 0-d tensor is a Number
        s = s.item()
    npd = _np_dtype(dtype)
    if not isinstance(s, (int, float, builtins.complex, np.number)):
        raise arg_error("scalar_tensor", "s", 1, "Number", s)
    if isinstance(s, (builtins.complex, np.complexfloating)) and npd.kind in "iuf":
        if s.imag:
            name = {"int64": "int64_t", "int32": "int", "float32": "float", "float64": "double",
                    "float16": "c10::Half"}.get(npd.name, npd.name)
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        s = s.real
    return _finish(np.array(s, npd), requires_grad, device)


def complex(*args, **kwargs):
    raise NotImplementedError("numtorch does not implement torch.complex yet")


_MESHGRID_WARNED = [False]


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 0-D/1-D tensors: ``indexing='ij'`` (matrix, the default) or
    ``'xy'`` (Cartesian: the first two dimensions swapped). Without ``indexing``, PyTorch's
    one-time warning that it will be required.

    >>> import numtorch as torch
    >>> gx, gy = torch.meshgrid(torch.tensor([1, 2]), torch.tensor([3, 4, 5]), indexing="ij")
    >>> gx.shape, gy[0]
    (torch.Size([2, 3]), tensor([3, 4, 5]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    if indexing is None:
        if not _MESHGRID_WARNED[0]:
            _MESHGRID_WARNED[0] = True
            warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                          "the indexing argument.", UserWarning, stacklevel=2)
    elif indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    from .shape import expand, reshape
    n = len(tensors)
    sizes = [t._data.size for t in tensors]
    ij = indexing in (None, "ij")
    out = []
    for i, t in enumerate(tensors):
        shape = [1] * n
        pos = i
        if not ij and n >= 2 and i < 2:
            pos = 1 - i
        shape[pos] = sizes[i]
        full_shape = list(sizes)
        if not ij and n >= 2:
            full_shape[0], full_shape[1] = sizes[1], sizes[0]
        out.append(expand(reshape(t, shape), full_shape))
    return tuple(out)
