"""dtype and device conversion: ``to``, ``type``, ``float()``/``long()``/..., ``cpu``, ``new_*``.

>>> import numtorch as torch
>>> torch.tensor([1.7, -1.7]).long()
tensor([ 1, -1])
"""
from __future__ import annotations

import numpy as np

import builtins
import warnings

from .. import _dtype, _errors
from .._device import device as Device
from .._foreign_dtype import refuse_foreign
from .._tensor import Tensor
from ..autograd.engine import real_part, check_complex_below
from ..autograd.function import Function
from ..autograd.grad_mode import state as _grad_state
from ._apply import apply, _make
from ._scalars import NUMBER_TYPES, scalar_for
from .shape import clone, view_dtype  # noqa: F401  (x.view(dtype) lives with the views)


class ToCopy(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x, npd):
        ctx.src = x.dtype
        return x.astype(npd)

    @staticmethod
    def backward(ctx, g):
        return (_real_grad(g, ctx.src).astype(ctx.src),)


def _real_grad(g, dtype):
    """A real input's gradient from a complex ``g``: its real part (PyTorch's rule), without
    NumPy's ComplexWarning or a cast's warning."""
    return real_part(g) if g.dtype.kind == "c" and dtype.kind != "c" else g


_DISCARDS_IMAG = "Casting complex values to real discards the imaginary part"


def _real_value(a, dtype):
    """``a`` as written into a ``dtype`` array: a complex value into a real (not bool) array
    loses its imaginary part with PyTorch's warning, not NumPy's ComplexWarning."""
    if a.dtype.kind == "c" and dtype.kind in "fiu":
        warnings.warn(_DISCARDS_IMAG, UserWarning, stacklevel=2)
        return a.real
    return a


class _ToCopyReal(ToCopy):
    """``to`` from a complex dtype to a real one: the gradient is complex from here down."""
    _raw = True
    _name = "ToCopyBackward0"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, npd):
        ctx.src = x.dtype
        return x.real.astype(npd)

    @staticmethod
    def backward(ctx, g):
        check_complex_below(ctx)
        return (g.astype(ctx.src),)


def _cast(input: Tensor, d: _dtype.dtype, copy: bool = False) -> Tensor:
    x = input._data
    if x.dtype == d.np and not copy:
        return input
    if input.requires_grad and d._kind < 2:         # to an integer or bool: no gradient
        return _make(x.astype(d.np))
    if x.dtype.kind == "c" and d._kind != 3:
        warnings.warn(_DISCARDS_IMAG, UserWarning, stacklevel=3)
        return apply(_ToCopyReal, (input,), (x,), d.np)
    return apply(ToCopy, (input,), (x,), d.np)


def _parse_to(args, kwargs):
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    refuse_foreign(dtype)                            # torch.bfloat16: says why not
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        got = ", ".join([_errors.type_name(a) for a in args]
                        + [f"{k}={_errors.type_name(v)}" for k, v in kwargs.items()]) + ", "
        raise _errors.invalid_combination("to", got, "(torch.device device = None, torch.dtype "
                                          "dtype = None, ...), (torch.dtype dtype, ...), (Tensor "
                                          "tensor, ...)")
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, (str, Device)):
            dev = Device(a)
        elif isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, builtins.int):
            dev = Device("cuda", a)
        else:
            refuse_foreign(a)                        # torch.bfloat16: says why not
    return dtype, dev


def to(input: Tensor, *args, **kwargs) -> Tensor:
    """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; a no-op when nothing changes."""
    dtype, dev = _parse_to(args, kwargs)
    copy = kwargs.get("copy", False)
    out = input
    if dev is not None and dev.type != "cpu":
        from ..cuda import _require_cuda
        _require_cuda(dev)
    if dtype is not None:
        out = _cast(out, dtype, copy)
    elif copy:
        out = clone(out)
    return out


def type(input: Tensor, dtype=None, non_blocking=False):
    if dtype is None:
        return _TYPE_NAMES[input.dtype.name]
    if isinstance(dtype, str):
        for name, legacy in _TYPE_NAMES.items():
            if legacy == dtype or legacy.replace("torch.", "torch.cuda.") == dtype:
                return _cast(input, _dtype._BY_NAME[name])
        raise ValueError(f"invalid type: '{dtype}'")
    if isinstance(dtype, _dtype.dtype):
        return _cast(input, dtype)
    refuse_foreign(dtype)
    name = getattr(dtype, "_numtorch_dtype", None)
    if name is not None:
        return _cast(input, name)
    raise ValueError(f"invalid type: '{dtype}'")


_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
               "float16": "torch.HalfTensor", "int64": "torch.LongTensor", "int32": "torch.IntTensor",
               "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "torch.BoolTensor", "complex64": "torch.ComplexFloatTensor",
               "complex128": "torch.ComplexDoubleTensor"}


def type_as(input, other) -> Tensor:
    if not isinstance(other, Tensor):
        raise _errors.not_tensor("type_as", other, "other")
    return _cast(input, other.dtype)


def float(input, memory_format=None) -> Tensor: return _cast(input, _dtype.float32)
def double(input, memory_format=None) -> Tensor: return _cast(input, _dtype.float64)
def half(input, memory_format=None) -> Tensor: return _cast(input, _dtype.float16)
def long(input, memory_format=None) -> Tensor: return _cast(input, _dtype.int64)
def int(input, memory_format=None) -> Tensor: return _cast(input, _dtype.int32)
def short(input, memory_format=None) -> Tensor: return _cast(input, _dtype.int16)
def char(input, memory_format=None) -> Tensor: return _cast(input, _dtype.int8)
def byte(input, memory_format=None) -> Tensor: return _cast(input, _dtype.uint8)
def bool(input, memory_format=None) -> Tensor: return _cast(input, _dtype.bool_)


def cpu(input, memory_format=None) -> Tensor:
    return input


def cuda(input, device=None, non_blocking=False) -> Tensor:
    from ..cuda import _require_cuda
    _require_cuda(Device("cuda" if device is None else device))
    return input




def new_tensor(input, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    from .creation import tensor
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor."
                      "detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
                      "rather than tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
        data = data._data
    return tensor(data, dtype=dtype or input.dtype, requires_grad=requires_grad)


def new_zeros(input, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    from .creation import _size_args, _finish
    return _finish(np.zeros(_size_args(size, "new_zeros"), (dtype or input.dtype).np), requires_grad)


def new_ones(input, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    from .creation import ones
    return ones(*size, dtype=dtype or input.dtype, requires_grad=requires_grad)


def new_empty(input, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    from .creation import _size_args, _finish
    return _finish(np.zeros(_size_args(size, "new_empty"), (dtype or input.dtype).np), requires_grad)


def new_full(input, size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    from .creation import full
    return full(size, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


# -- in-place value setters --------------------------------------------------------------------

class Fill(Function):
    """``fill_(number)``: the old values get no gradient."""
    _raw = True
    _name = "FillBackward2"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, value):
        return np.full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class Zero(Fill):
    _raw = True
    _name = "ZeroBackward0"


class FillTensor(Function):
    """``fill_(0-d tensor)``: the value's gradient is the sum of the output's."""
    _raw = True
    _name = "FillBackward3"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, v):
        return np.full(x.shape, _real_value(v, x.dtype), x.dtype)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), np.sum(g) if ctx.needs_input_grad[1] else None


def zero_(input) -> Tensor:
    """Fill with zeros in place."""
    from ._apply import apply_inplace
    data = input._data
    # no graph to record (e.g. ``w.grad.zero_()``): fill the memory directly, no temporary
    if isinstance(data, np.ndarray) and data.flags.writeable and not (input.requires_grad and _grad_state[0]):
        data.fill(0)
        input._vc[0] += 1
        return input
    return apply_inplace(Zero, input, (input,), (data,), 0)


def fill_(input, value) -> Tensor:
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    from ._apply import apply_inplace
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return apply_inplace(FillTensor, input, (input, value), (input._data, value._data))
    if not isinstance(value, NUMBER_TYPES):
        raise _errors.invalid_combination("fill_", (value,), "(Tensor value), (Number value)")
    x = input._data
    # PyTorch's range check: 300 into uint8, NaN into int64, 1e40 into float32 raise
    return apply_inplace(Fill, input, (input,), (x,), scalar_for(x.dtype, value, x.size))


class CopyFrom(Function):
    _raw = True
    _name = "torch::autograd::CopyBackwards"
    complex_grad = True

    @staticmethod
    def forward(ctx, x, src):
        ctx.src_dtype = src.dtype
        return np.broadcast_to(_real_value(src, x.dtype), x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.src_dtype.kind == "c":
            check_complex_below(ctx)          # a complex source copied into a real tensor
        return np.zeros_like(g), _real_grad(g, ctx.src_dtype).astype(ctx.src_dtype)


def copy_(input, src, non_blocking=False) -> Tensor:
    """Copy ``src`` into ``input`` (broadcasting, casting); differentiable w.r.t. ``src``."""
    from ._apply import apply_inplace, broadcast_error
    if not isinstance(src, (Tensor, np.ndarray)):
        raise _errors.not_tensor("copy_", src, "other")
    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        if np.broadcast_shapes(s.shape, input._data.shape) != input._data.shape:
            raise ValueError
    except ValueError:
        raise broadcast_error(input._data, s) from None
    ts = src if isinstance(src, Tensor) else None
    from ..autograd import grad_mode
    if grad_mode.state[0] and (input.requires_grad or (ts is not None and ts.requires_grad)):
        return apply_inplace(CopyFrom, input, (input, ts), (input._data, s))
    if s.dtype.kind == "c":
        s = _real_value(s, input._data.dtype)
    np.copyto(input._data, np.broadcast_to(s, input._data.shape), casting="unsafe")
    input._vc[0] += 1
    return input


def set_(input, source) -> Tensor:
    input._data = source._data
    input._vc[0] += 1
    return input
