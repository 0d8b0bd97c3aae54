"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag lives in one module-level list so the hot path reads it with one lookup.

>>> import numtorch as torch
>>> with torch.no_grad():
...     y = torch.ones(2, requires_grad=True) * 2
>>> y.requires_grad
False
"""
from __future__ import annotations

import functools

# state[0] is True when operations record a graph.
state = [True]


def is_grad_enabled() -> bool:
    """Whether operations currently record a graph."""
    return state[0]


class _GradMode:
    """Base of the grad-mode context managers; also usable as decorators."""

    mode = True

    def __enter__(self):
        self._prev = state[0]
        state[0] = self.mode
        return self

    def __exit__(self, *exc):
        state[0] = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Context manager / decorator that disables graph recording."""

    mode = False

    def __init__(self, orig_func=None):
        self._func = orig_func  # set when used bare: ``@no_grad``

    def __call__(self, *args, **kwargs):
        if self._func is None:
            return _GradMode.__call__(self, args[0])
        with no_grad():
            return self._func(*args, **kwargs)


class enable_grad(_GradMode):
    """Context manager / decorator that enables graph recording."""

    mode = True


class set_grad_enabled(_GradMode):
    """Enable or disable grad: ``set_grad_enabled(False)`` works as a call or a context manager."""

    def __init__(self, mode: bool):
        self._prev = state[0]
        self.mode = bool(mode)
        state[0] = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state[0] = self._prev
        return False

    def __call__(self, func):
        mode = self.mode
        state[0] = self._prev

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = state[0]
            state[0] = mode
            try:
                return func(*args, **kwargs)
            finally:
                state[0] = prev
        return wrapper


_inference = [False]


class inference_mode(_GradMode):
    """Like ``no_grad`` (numtorch has no separate inference tensors)."""

    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __enter__(self):
        self._prev_inference = _inference[0]
        _inference[0] = not self.mode
        return _GradMode.__enter__(self)

    def __exit__(self, *exc):
        _inference[0] = self._prev_inference
        return _GradMode.__exit__(self, *exc)

    def __call__(self, func):
        if not callable(func):  # @inference_mode(False)-style misuse
            return self
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev, prev_inference = state[0], _inference[0]
            state[0], _inference[0] = mode, not mode
            try:
                return func(*args, **kwargs)
            finally:
                state[0], _inference[0] = prev, prev_inference
        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _inference[0]
