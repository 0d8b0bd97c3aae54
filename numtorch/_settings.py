"""Global switches PyTorch programs set: deterministic algorithms, float32 matmul precision,
``set_warn_always``; and ``torch.typename``.

numtorch runs on the CPU with NumPy, whose results do not depend on these switches (its
algorithms are deterministic, float32 products are computed in float32), so each switch is kept
and reported back with PyTorch's defaults, argument checks and messages, and changes nothing
else.

>>> import numtorch as torch
>>> torch.use_deterministic_algorithms(True, warn_only=True)
>>> torch.are_deterministic_algorithms_enabled(), torch.get_deterministic_debug_mode()
(True, 1)
>>> torch.use_deterministic_algorithms(False)
>>> torch.get_float32_matmul_precision()
'highest'
"""
from __future__ import annotations

import warnings
from typing import Any, Union

from ._errors import type_name as _type_name
from ._dtype import legacy_name as _legacy_name
from ._tensor import Tensor

__all__ = ["use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "set_warn_always", "is_warn_always_enabled",
           "typename"]

# [deterministic algorithms on, warn only] (PyTorch's process-wide flags)
_deterministic = [False, False]
_matmul_precision = ["highest"]
# read by code that warns once per process: when True, it warns every time (as PyTorch's
# TORCH_WARN_ONCE does under set_warn_always(True))
warn_always = [False]

_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def _require_bool(fn: str, arg: str, value, position: int | None) -> None:
    if type(value) is not bool:
        where = f" (position {position})" if position else ""
        raise TypeError(f"{fn}(): argument '{arg}'{where} must be bool, not {_type_name(value)}")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms (``warn_only``: warn instead of raising where an op
    has none). numtorch's CPU ops are all deterministic: the flags are only kept.

    >>> import numtorch as torch
    >>> torch.use_deterministic_algorithms(True)
    >>> torch.are_deterministic_algorithms_enabled()
    True
    >>> torch.use_deterministic_algorithms(False)
    """
    _require_bool("_set_deterministic_algorithms", "mode", mode, 1)
    _require_bool("_set_deterministic_algorithms", "warn_only", warn_only, None)
    _deterministic[0], _deterministic[1] = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in effect.

    >>> import numtorch as torch
    >>> torch.are_deterministic_algorithms_enabled()
    False
    """
    return _deterministic[0]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms`` was last called with ``warn_only=True``.

    >>> import numtorch as torch
    >>> torch.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return _deterministic[1]


def set_deterministic_debug_mode(debug_mode: Union[int, str]) -> None:
    """``"default"``/0: off, ``"warn"``/1: deterministic, warn only, ``"error"``/2:
    deterministic.

    >>> import numtorch as torch
    >>> torch.set_deterministic_debug_mode("error")
    >>> torch.get_deterministic_debug_mode()
    2
    >>> torch.set_deterministic_debug_mode(0)
    """
    if not isinstance(debug_mode, (int, str)):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{int(debug_mode)}")
    _deterministic[0], _deterministic[1] = debug_mode != 0, debug_mode == 1


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2, as ``set_deterministic_debug_mode`` takes them.

    >>> import numtorch as torch
    >>> torch.get_deterministic_debug_mode()
    0
    """
    if not _deterministic[0]:
        return 0
    return 1 if _deterministic[1] else 2


def set_float32_matmul_precision(precision: str) -> None:
    """``"highest"``, ``"high"`` or ``"medium"`` (the precision float32 products may use on
    GPUs); numtorch always computes float32 products in float32, whichever is set.

    >>> import numtorch as torch
    >>> torch.set_float32_matmul_precision("high")
    >>> torch.get_float32_matmul_precision()
    'high'
    >>> torch.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got "
                           f"{_type_name(precision)}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    """The value ``set_float32_matmul_precision`` set (``"highest"`` at first).

    >>> import numtorch as torch
    >>> torch.get_float32_matmul_precision()
    'highest'
    """
    return _matmul_precision[0]


def set_warn_always(b: bool, /) -> None:
    """Make warnings PyTorch gives once per process come every time.

    >>> import numtorch as torch
    >>> torch.set_warn_always(True); torch.is_warn_always_enabled()
    True
    >>> torch.set_warn_always(False)
    """
    if type(b) is not bool:
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {_type_name(b)}")
    warn_always[0] = b


def is_warn_always_enabled() -> bool:
    """Whether ``set_warn_always(True)`` is in effect.

    >>> import numtorch as torch
    >>> torch.is_warn_always_enabled()
    False
    """
    return warn_always[0]


def _torch_path(module: str) -> str:
    """``numtorch.nn.modules.linear`` -> ``torch.nn.modules.linear``, the name PyTorch shows;
    numtorch's private core modules (``numtorch._tensor``, ``numtorch._size``) -> ``torch``,
    where PyTorch's Tensor, Size, dtype, finfo live."""
    if module == "numtorch" or module.startswith("numtorch."):
        if module.startswith("numtorch._"):
            return "torch"
        return "torch" + module[len("numtorch"):]
    return module


def typename(obj: Any, /) -> str:
    """The type of ``obj`` as PyTorch names it: a tensor's legacy type (``torch.FloatTensor``),
    otherwise ``module.qualified_name`` of a class or function, or of an object's class.

    >>> import numtorch as torch
    >>> torch.typename(torch.ones(2)), torch.typename(torch.nn.Linear(1, 1))
    ('torch.FloatTensor', 'torch.nn.modules.linear.Linear')
    """
    if isinstance(obj, Tensor):
        return f"torch.{_legacy_name(obj.dtype)}Tensor"
    if hasattr(obj, "__qualname__"):            # a class or a function
        module, name = getattr(obj, "__module__", None), obj.__qualname__
    elif hasattr(obj, "__name__"):              # a module
        module, name = None, _torch_path(obj.__name__)
    else:                                       # an instance: its class
        module, name = type(obj).__module__, type(obj).__qualname__
    prefix = "" if module in ("builtins", "__builtin__", None) else _torch_path(module) + "."
    return prefix + name
