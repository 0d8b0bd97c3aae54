"""What the flag modules of ``torch.backends`` share: ``set_flags`` keeping each flag given as
None, ``flags`` restoring the previous values when its ``with`` block ends, and the ``verbose``
context managers (accepted; numtorch has no native library to make verbose).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, Tuple


def swap(namespace: dict, names: Sequence[str], values: Sequence) -> Tuple:
    """Set ``namespace[name]`` to each value that is not None; return all the previous values
    (in ``names``' order), as ``set_flags`` does."""
    previous = tuple(namespace[name] for name in names)
    for name, value in zip(names, values):
        if value is not None:
            namespace[name] = value
    return previous


@contextmanager
def restoring(set_flags: Callable[..., Tuple], *values) -> Iterator[None]:
    """``set_flags(*values)`` for the ``with`` block; the previous flags are set back after."""
    previous = set_flags(*values)
    try:
        yield
    finally:
        set_flags(*previous)


class Verbose:
    """A verbosity context manager that changes nothing (subclasses keep PyTorch's argument)."""

    def __enter__(self) -> "Verbose":
        return self

    def __exit__(self, *exc) -> bool:
        return False
