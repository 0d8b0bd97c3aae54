"""``torch.cuda``: numtorch runs on the CPU; CUDA (through CuPy) is not available yet."""
from __future__ import annotations


def is_available() -> bool:
    """False: numtorch has no CUDA backend yet."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    pass


def manual_seed_all(seed: int) -> None:
    pass


def synchronize(device=None) -> None:
    pass


def empty_cache() -> None:
    pass


def current_device() -> int:
    _require_cuda(None)


def get_device_name(device=None) -> str:
    _require_cuda(None)


def _require_cuda(dev) -> None:
    raise AssertionError("Torch not compiled with CUDA enabled")
