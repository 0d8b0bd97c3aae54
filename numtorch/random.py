"""``torch.random``: the global generator's seed and state.

>>> import numtorch as torch
>>> g = torch.random.manual_seed(0)
>>> torch.random.initial_seed()
0
>>> state = torch.random.get_rng_state()
>>> a = torch.rand(2); torch.random.set_rng_state(state); bool((torch.rand(2) == a).all())
True
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from ._generator import Generator, default_generator

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "fork_rng", "default_generator", "Generator"]


def manual_seed(seed) -> Generator:
    """Seed the global generator (only the low 32 bits reach MT19937); returns it
    (``torch.default_generator``, printed as PyTorch prints it).

    >>> import numtorch as torch
    >>> torch.manual_seed(42).initial_seed()
    42
    >>> torch.manual_seed(0) is torch.default_generator
    True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator nondeterministically; returns the 64-bit seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The global generator's seed, as an unsigned 64-bit int."""
    return default_generator.initial_seed()


def get_rng_state():
    """The global generator's state: a uint8 tensor of 5056 bytes in PyTorch's layout."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the global generator's state (ours, or bytes from ``torch.get_rng_state()``)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """Context manager: the global RNG state is restored on exit.

    >>> import numtorch as torch
    >>> with torch.random.fork_rng():
    ...     _ = torch.rand(3)
    """
    if not enabled:
        yield
        return
    state = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator._set_state_bytes(state)
