"""``torch.cuda``: answers as PyTorch built without CUDA (numtorch runs on the CPU).

What PyTorch answers quietly, numtorch answers the same (``is_available()`` False,
``device_count()`` 0, ``manual_seed`` does nothing, ``memory_allocated()`` 0, ...); what needs a
GPU raises PyTorch's ``AssertionError: Torch not compiled with CUDA enabled``.

>>> import numtorch as torch
>>> device = "cuda" if torch.cuda.is_available() else "cpu"
>>> device, torch.cuda.device_count()
('cpu', 0)
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, List

__all__ = [
    "is_available", "is_initialized", "init", "device_count", "current_device", "set_device",
    "get_device_name", "get_device_capability", "get_device_properties", "get_arch_list",
    "is_bf16_supported", "is_tf32_supported", "synchronize", "empty_cache", "ipc_collect",
    "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state",
    "get_rng_state_all", "set_rng_state", "set_rng_state_all", "memory_allocated",
    "max_memory_allocated", "memory_reserved", "max_memory_reserved", "memory_cached",
    "max_memory_cached", "memory_stats", "reset_peak_memory_stats", "reset_max_memory_allocated",
    "mem_get_info", "current_stream", "default_stream", "Stream", "Event", "device", "device_of",
    "default_generators", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
    "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",
]

_NO_CUDA = "Torch not compiled with CUDA enabled"


def _require_cuda(dev: Any = None) -> None:
    """Raise what PyTorch without that backend raises for a tensor on device ``dev``.

    ``cuda`` (or ``None``): ``AssertionError: Torch not compiled with CUDA enabled``;
    ``xpu``: the same for XPU; any other non-CPU type (``mps``, ``hip``, ...):
    ``RuntimeError: PyTorch is not linked with support for <type> devices``.
    """
    kind = getattr(dev, "type", None) if dev is not None and not isinstance(dev, str) else dev
    if isinstance(kind, str):
        kind = kind.partition(":")[0]
    if kind in (None, "cuda"):
        raise AssertionError(_NO_CUDA)
    if kind == "xpu":
        raise AssertionError("Torch not compiled with XPU enabled")
    if kind == "meta":
        raise NotImplementedError("numtorch does not support the meta device yet")
    raise RuntimeError(f"PyTorch is not linked with support for {kind} devices")


def is_available() -> bool:
    """False: numtorch has no CUDA backend yet."""
    return False


def is_initialized() -> bool:
    return False


def init() -> None:
    _require_cuda()


def device_count() -> int:
    return 0


def current_device() -> int:
    _require_cuda()


def set_device(device: Any) -> None:
    _require_cuda()


def get_device_name(device: Any = None) -> str:
    _require_cuda()


def get_device_capability(device: Any = None):
    _require_cuda()


def get_device_properties(device: Any = None):
    _require_cuda()


def get_arch_list() -> List[str]:
    return []


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def is_tf32_supported() -> bool:
    return False


def synchronize(device: Any = None) -> None:
    """Raises, as PyTorch does without CUDA."""
    _require_cuda()


def empty_cache() -> None:
    """Nothing to free."""


def ipc_collect() -> None:
    _require_cuda()


# -- random numbers: PyTorch ignores CUDA seeds without CUDA ----------------------------------

def manual_seed(seed: int) -> None:
    """Does nothing without CUDA (``torch.manual_seed`` seeds the CPU generator)."""


def manual_seed_all(seed: int) -> None:
    """Does nothing without CUDA."""


def seed() -> None:
    """Does nothing without CUDA."""


def seed_all() -> None:
    """Does nothing without CUDA."""


def initial_seed() -> int:
    _require_cuda()


def get_rng_state(device: Any = "cuda"):
    _require_cuda()


def get_rng_state_all() -> list:
    return []


def set_rng_state(new_state: Any, device: Any = "cuda") -> None:
    """Does nothing without CUDA."""


def set_rng_state_all(new_states: Any) -> None:
    """Does nothing without CUDA."""


default_generators: tuple = ()


# -- memory: nothing allocated on a GPU -----------------------------------------------------

def memory_allocated(device: Any = None) -> int:
    return 0


def max_memory_allocated(device: Any = None) -> int:
    return 0


def memory_reserved(device: Any = None) -> int:
    return 0


def max_memory_reserved(device: Any = None) -> int:
    return 0


memory_cached = memory_reserved
max_memory_cached = max_memory_reserved


def memory_stats(device: Any = None) -> "OrderedDict[str, Any]":
    return OrderedDict()


def reset_peak_memory_stats(device: Any = None) -> None:
    _require_cuda()


def reset_max_memory_allocated(device: Any = None) -> None:
    _require_cuda()


def mem_get_info(device: Any = None):
    _require_cuda()


# -- streams, events, device contexts --------------------------------------------------------

def current_stream(device: Any = None):
    _require_cuda()


def default_stream(device: Any = None):
    _require_cuda()


class Stream:
    """No CUDA streams: creating one raises PyTorch's ``RuntimeError``."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class Event:
    """No CUDA events: creating one raises PyTorch's ``RuntimeError``."""

    def __new__(cls, *args, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event")


class device:
    """``with torch.cuda.device(i):`` raises on entry for a CUDA index, as PyTorch without CUDA
    does; index ``-1`` (what ``device_of`` a CPU tensor selects) is accepted."""

    def __init__(self, device: Any) -> None:
        if device is None:
            self.idx = -1
        elif isinstance(device, int):
            self.idx = device
        else:
            from ._device import device as Device
            d = Device(device)
            self.idx = 0 if d.index is None else d.index
        self.prev_idx = -1

    def __enter__(self) -> "device":
        if self.idx >= 0:
            raise RuntimeError("PyTorch was compiled without CUDA support")
        return self

    def __exit__(self, *exc) -> bool:
        return False


class device_of(device):
    """``with torch.cuda.device_of(tensor):``: a CPU tensor selects nothing."""

    def __init__(self, obj: Any) -> None:
        super().__init__(None)


# -- legacy typed constructors ---------------------------------------------------------------

class _CudaTensorType(type):
    def __call__(cls, *args, **kwargs):
        raise TypeError(f"type torch.cuda.{cls.__name__} not available. {_NO_CUDA}.")

    def __repr__(cls) -> str:
        return f"<class 'torch.cuda.{cls.__name__}'>"


def _typed(name: str) -> type:
    return _CudaTensorType(name, (), {"__module__": __name__})


FloatTensor = _typed("FloatTensor")
DoubleTensor = _typed("DoubleTensor")
HalfTensor = _typed("HalfTensor")
LongTensor = _typed("LongTensor")
IntTensor = _typed("IntTensor")
ShortTensor = _typed("ShortTensor")
CharTensor = _typed("CharTensor")
ByteTensor = _typed("ByteTensor")
BoolTensor = _typed("BoolTensor")


# -- submodules: torch.cuda is a package (torch.cuda.amp); numtorch's live in numtorch/_cuda/ ---

__path__ = [__import__("os").path.join(__import__("os").path.dirname(__file__), "_cuda")]


def __getattr__(name: str):
    if name == "amp":                      # ``torch.cuda.amp`` without importing it first
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
