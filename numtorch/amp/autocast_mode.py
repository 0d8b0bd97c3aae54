"""``torch.autocast`` / ``torch.amp.autocast``: mixed-precision regions, kept as state only.

numtorch computes in the dtypes of the tensors, always: inside ``autocast`` nothing is cast.

* ``torch.autocast("cpu")`` defaults to ``torch.bfloat16``, as PyTorch does. NumPy has no
  bfloat16, so numtorch has no bfloat16 tensors: the region runs in float32 (no error), and the
  results are float32 tensors where PyTorch's matmuls, linears and convolutions give bfloat16.
* ``dtype=torch.float16`` on the CPU: PyTorch runs those ops in float16; numtorch runs them in
  float32 too (the results are more precise than PyTorch's, and their dtype is float32).
* ``torch.autocast("cuda")`` warns and disables itself, as PyTorch without CUDA does.

What PyTorch reports is reported the same: ``torch.is_autocast_enabled("cpu")`` is True inside
the region, ``torch.get_autocast_dtype("cpu")`` is the region's dtype, and the context-manager
and decorator forms, ``enabled=False``, nesting and the warnings behave as PyTorch's.

>>> import numtorch as torch
>>> with torch.autocast("cpu"):
...     torch.is_autocast_enabled("cpu"), torch.get_autocast_dtype("cpu")
(True, torch.bfloat16)
>>> torch.is_autocast_enabled("cpu")
False
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Dict, List, Optional

from .. import _dtype
from .._foreign_dtype import bfloat16

__all__ = ["autocast", "custom_fwd", "custom_bwd", "is_autocast_available",
           "is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled",
           "get_autocast_cpu_dtype", "set_autocast_cpu_dtype", "get_autocast_gpu_dtype",
           "set_autocast_gpu_dtype", "autocast_increment_nesting", "autocast_decrement_nesting"]

# the device types PyTorch's device strings may start with, in the order its message lists them
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
# each autocast device type's default dtype (what ``get_autocast_dtype`` answers at first)
_DEFAULT_DTYPE = {"cpu": bfloat16, "cuda": _dtype.float16, "mps": _dtype.float16,
                  "xpu": _dtype.float16, "hpu": bfloat16, "xla": bfloat16, "mtia": _dtype.float16,
                  "ipu": _dtype.float16, "privateuseone": _dtype.float16}

_enabled: Dict[str, bool] = {}
_dtypes: Dict[str, Any] = dict(_DEFAULT_DTYPE)
_cache: List[bool] = [True]
_nesting: List[int] = [0]


def _device_type(device_type: str) -> str:
    kind = device_type.split(":", 1)[0]
    if kind not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {device_type}")
    return kind


def _autocast_device(device_type: str) -> str:
    kind = _device_type(device_type)
    if kind not in _DEFAULT_DTYPE:
        raise RuntimeError("unknown device type for autocast in "
                           "get_autocast_dispatch_key_from_device_type")
    return kind


def _check_str(fn: str, arg: str, value: Any, pos: int = 1) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be str, not "
                        f"{type(value).__name__}")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` (``"cpu"``: True; ``"cuda"``: True, as in
    PyTorch, though ``autocast("cuda")`` disables itself without CUDA)."""
    _check_str("_is_autocast_available", "device_type", device_type)
    return device_type.split(":", 1)[0] in _DEFAULT_DTYPE


def is_autocast_enabled(device_type: Optional[str] = None) -> bool:
    """Whether an autocast region is active on ``device_type`` (no argument: CUDA's).

    >>> import numtorch as torch
    >>> torch.is_autocast_enabled(), torch.is_autocast_enabled("cpu")
    (False, False)
    """
    if device_type is None:
        return _enabled.get("cuda", False)
    _check_str("is_autocast_enabled", "device_type", device_type)
    return _enabled.get(_autocast_device(device_type), False)


def set_autocast_enabled(device_type, enabled=None) -> None:
    """Turn autocast on or off for ``device_type`` (``set_autocast_enabled(flag)``: CUDA's)."""
    position = 2
    if enabled is None:                      # the old one-argument form is CUDA's
        device_type, enabled, position = "cuda", device_type, 1
    _check_str("set_autocast_enabled", "device_type", device_type)
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position {position}) must "
                        f"be bool, not {type(enabled).__name__}")
    _enabled[_autocast_device(device_type)] = enabled


def get_autocast_dtype(device_type: str):
    """The dtype autocast regions use on ``device_type`` (CPU: ``torch.bfloat16`` by default).

    >>> import numtorch as torch
    >>> torch.get_autocast_dtype("cpu"), torch.get_autocast_dtype("cuda")
    (torch.bfloat16, torch.float16)
    """
    _check_str("get_autocast_dtype", "device_type", device_type)
    return _dtypes[_autocast_device(device_type)]


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Set the dtype autocast regions use on ``device_type``."""
    _check_str("set_autocast_dtype", "device_type", device_type)
    if not isinstance(dtype, (_dtype.dtype, type(bfloat16))):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be "
                        f"torch.dtype, not {type(dtype).__name__}")
    _dtypes[_autocast_device(device_type)] = dtype


def is_autocast_cache_enabled() -> bool:
    """Whether autocast caches casted weights (there are no casts to cache in numtorch)."""
    return _cache[0]


def set_autocast_cache_enabled(enabled: bool) -> None:
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    _cache[0] = enabled


def clear_autocast_cache() -> None:
    """Nothing is cached: a no-op."""


def autocast_increment_nesting() -> int:
    _nesting[0] += 1
    return _nesting[0]


def autocast_decrement_nesting() -> int:
    _nesting[0] -= 1
    return _nesting[0]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype) -> None:
    if not isinstance(dtype, (_dtype.dtype, type(bfloat16))):
        raise TypeError(f"dtype must be a torch.dtype (got {type(dtype).__name__})")
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype) -> None:
    if not isinstance(dtype, (_dtype.dtype, type(bfloat16))):
        raise TypeError(f"dtype must be a torch.dtype (got {type(dtype).__name__})")
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def _warn_device_amp(what: str, device: str) -> None:
    """The FutureWarning of ``torch.cpu.amp`` / ``torch.cuda.amp``'s deprecated names."""
    if what in ("custom_fwd", "custom_bwd"):
        instead = f"`torch.amp.{what}(args..., device_type='{device}')`"
    else:
        instead = f"`torch.amp.{what}('{device}', args...)`"
    warnings.warn(f"`torch.{device}.amp.{what}(args...)` is deprecated. Please use {instead} "
                  "instead.", FutureWarning, stacklevel=3)


def _name(dtype) -> str:
    return getattr(dtype, "name", str(dtype))


class autocast:
    """A region where PyTorch would run some ops in lower precision; numtorch runs them in the
    tensors' own dtypes (see the module's notes: bfloat16 is not a NumPy dtype, so CPU autocast
    computes in float32, without error). A context manager and a decorator.

    >>> import numtorch as torch
    >>> @torch.autocast("cpu", dtype=torch.float16)
    ... def f():
    ...     return torch.get_autocast_dtype("cpu")
    >>> f()
    torch.float16
    >>> with torch.autocast("cpu", enabled=False):
    ...     torch.is_autocast_enabled("cpu")
    False
    """

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: Optional[bool] = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _autocast_device(device_type)
        self.custom_backend_name = None
        self.fast_dtype = get_autocast_dtype(self.device) if dtype is None else dtype
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else \
            cache_enabled
        if enabled and self.device == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          UserWarning, stacklevel=2)
            enabled = False
        if enabled and self.device == "cpu" and _name(self.fast_dtype) not in ("bfloat16",
                                                                                "float16"):
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            enabled = False
        self._enabled = enabled

    def __enter__(self) -> "autocast":
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        autocast_decrement_nesting()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def _cast(value, dtype):
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    return value


def custom_fwd(fwd: Optional[Callable] = None, *, device_type: str, cast_inputs=None):
    """Decorator for a custom ``autograd.Function``'s ``forward``: it remembers the autocast
    state for ``custom_bwd``; with ``cast_inputs`` (a dtype) inside an autocast region, the
    floating-point tensor arguments are cast to it and autocast is off in ``forward``."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        inside = is_autocast_enabled(device_type)
        ctx._fwd_used_autocast = False
        if inside and isinstance(cast_inputs, _dtype.dtype):
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd: Optional[Callable] = None, *, device_type: str):
    """Decorator for a custom ``autograd.Function``'s ``backward``: it runs with the autocast
    state its ``forward`` (decorated with ``custom_fwd``) ran with."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=getattr(ctx, "_fwd_used_autocast", False),
                      dtype=getattr(ctx, "_dtype", None)):
            return bwd(*args, **kwargs)
    return decorate_bwd
