"""``torch.compiler``: numtorch has no compiler, so these answer as eager PyTorch does: nothing
is ever being compiled, the decorators return what they are given, ``reset`` does nothing.

>>> import numtorch as torch
>>> torch.compiler.is_compiling()
False
>>> f = torch.compiler.disable(lambda x: x + 1)
>>> f(1)
2
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Optional

from ._compile import compile, list_backends

__all__ = ["compile", "list_backends", "reset", "disable", "allow_in_graph",
           "assume_constant_result", "substitute_in_graph", "is_compiling", "is_dynamo_compiling",
           "is_exporting", "cudagraph_mark_step_begin", "set_stance", "nested_compile_region",
           "wrap_numpy", "get_default_backend", "set_default_backend"]

_default_backend = ["inductor"]


def reset() -> None:
    """Clear compiled code: there is none."""


def disable(fn: Optional[Callable] = None, recursive: bool = True, *, reason: Optional[str] = None):
    """Keep ``fn`` out of compilation: it always is; returns ``fn`` (with no ``fn``, a context
    manager and decorator that does nothing)."""
    if fn is None:
        return _NoCompile()
    return fn


class _NoCompile(contextlib.ContextDecorator):
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


def allow_in_graph(fn: Callable) -> Callable:
    return fn


def assume_constant_result(fn: Callable) -> Callable:
    return fn


def substitute_in_graph(original_fn: Callable, *, can_constant_fold_through: bool = False,
                        skip_signature_check: bool = False) -> Callable:
    """A decorator registering a polyfill for ``original_fn``; returns the polyfill unchanged."""
    return lambda fn: fn


def nested_compile_region(fn: Optional[Callable] = None, options: Any = None):
    return (lambda f: f) if fn is None else fn


def wrap_numpy(fn: Callable) -> Callable:
    """PyTorch's adapter for NumPy functions under compile: calls ``fn`` as it is."""
    return fn


def is_compiling() -> bool:
    """False: numtorch never traces a program for compilation."""
    return False


def is_dynamo_compiling() -> bool:
    return False


def is_exporting() -> bool:
    return False


def cudagraph_mark_step_begin() -> None:
    """No CUDA graphs: a no-op."""


def set_stance(stance: str = "default", *, skip_guard_eval_unsafe: bool = False,
               force_backend: Any = None):
    """A context manager and decorator that changes nothing (there is no compiler)."""
    return _NoCompile()


def get_default_backend() -> str:
    return _default_backend[0]


def set_default_backend(backend: str) -> None:
    _default_backend[0] = backend
