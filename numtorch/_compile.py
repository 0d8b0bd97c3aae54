"""``torch.compile``: numtorch compiles nothing; the model runs as written, eagerly.

``torch.compile(model)`` returns what PyTorch's returns, working the same way minus the
compiler: for an ``nn.Module``, an ``OptimizedModule`` wrapping it (``._orig_mod``; its
``state_dict()`` keys start with ``_orig_mod.``, it prints as PyTorch's, and attributes read and
set go to the wrapped module); for a function, a function calling it. The keyword arguments
are PyTorch's (``fullgraph``, ``dynamic``, ``backend``, ``mode``, ``options``, ``disable``, ...),
checked as PyTorch checks them and otherwise ignored; ``disable=True`` returns the model
itself; with no model it is a decorator (``@torch.compile`` or ``@torch.compile(mode=...)``).

>>> import numtorch as torch
>>> model = torch.compile(torch.nn.Linear(2, 1))
>>> list(model.state_dict())
['_orig_mod.weight', '_orig_mod.bias']
>>> @torch.compile(mode="reduce-overhead")
... def f(x):
...     return x * 2
>>> f(torch.ones(2))
tensor([2., 2.])
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional, Union

from .nn.modules.module import Module

__all__ = ["compile", "OptimizedModule", "list_backends", "InvalidBackend"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
# what torch._dynamo.list_backends(exclude_tags=()) names in PyTorch 2.13, and without the debug
# and experimental ones
_BACKENDS = ("aot_eager", "aot_eager_decomp_partition", "aot_eager_decomp_partition_crossref",
             "aot_eager_decomp_partition_with_mode", "aot_eager_default_partitioner", "aot_ts",
             "cudagraphs", "dynamo_accuracy_minifier_backend", "dynamo_minifier_backend", "eager",
             "eager_debug", "eager_noexcept", "inductor", "invoke_subgraph",
             "non_leaf_compile_error_TESTING_ONLY", "openxla", "openxla_eval",
             "pre_dispatch_eager", "relu_accuracy_error_TESTING_ONLY",
             "relu_compile_error_TESTING_ONLY", "relu_runtime_error_TESTING_ONLY", "ts", "tvm")
_STABLE_BACKENDS = ("cudagraphs", "inductor", "openxla", "tvm")


class InvalidBackend(RuntimeError):
    """``torch._dynamo.exc.InvalidBackend``: an unknown ``backend=`` name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for "
                         "available backends.")


def list_backends(exclude_tags=("debug", "experimental")) -> list:
    """The backend names ``torch.compile`` accepts (all run the model eagerly here)."""
    return list(_STABLE_BACKENDS if exclude_tags else _BACKENDS)


class OptimizedModule(Module):
    """What ``torch.compile(module)`` returns: the module, wrapped (nothing is compiled).

    ``forward`` calls the wrapped module (its hooks run); reading or setting an attribute the
    wrapper does not have reaches the wrapped module; ``training`` is the wrapped module's.
    """

    _opt_mod_attributes = frozenset(("_orig_mod", "dynamo_ctx", "_torchdynamo_orig_callable",
                                     "forward", "_forward", "__dict__", "training"))

    def __init__(self, mod: Module, dynamo_ctx: Optional[Dict[str, Any]] = None) -> None:
        super().__init__()
        self._orig_mod = mod
        self.dynamo_ctx = dynamo_ctx or {}

    @property
    def training(self) -> bool:              # type: ignore[override]
        return self._orig_mod.training

    @training.setter
    def training(self, mode: bool) -> None:
        self._orig_mod.training = mode

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name: str):
        if name == "_orig_mod":
            return self.__dict__["_modules"]["_orig_mod"]
        return getattr(self._orig_mod, name)

    def __setattr__(self, name: str, value) -> None:
        if name in OptimizedModule._opt_mod_attributes or "_modules" not in self.__dict__ or \
                "_orig_mod" not in self.__dict__["_modules"]:
            return super().__setattr__(name, value)
        setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if name in OptimizedModule._opt_mod_attributes:
            return super().__delattr__(name)
        delattr(self._orig_mod, name)


def _check(fullgraph, dynamic, backend, mode, options) -> None:
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified "
                           "at the same time.")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise InvalidBackend(backend)
    if mode is not None and backend in (None, "inductor") and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")


def compile(model: Optional[Callable] = None, *, fullgraph: bool = False,
            dynamic: Optional[bool] = None, backend: Union[str, Callable, None] = "inductor",
            mode: Optional[str] = None, options: Optional[Dict[str, Any]] = None,
            name: Optional[str] = None, disable: bool = False,
            recompile_limit: Optional[int] = None, isolate_recompiles: bool = False,
            shapes_spec: Any = None) -> Callable:
    """Return ``model`` ready to run; numtorch compiles nothing, so it runs eagerly (see the
    module's notes). An ``nn.Module`` comes back as an ``OptimizedModule`` wrapping it, a function
    as a function calling it; with no ``model``, a decorator.

    >>> import numtorch as torch
    >>> torch.compile(torch.nn.ReLU())
    OptimizedModule(
      (_orig_mod): ReLU()
    )
    """
    if model is None:
        def decorator(fn: Callable) -> Callable:
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return decorator
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    _check(fullgraph, dynamic, backend, mode, options)
    if disable:
        return model
    ctx = {"fullgraph": fullgraph, "dynamic": dynamic, "backend": backend, "mode": mode,
           "options": options}
    if isinstance(model, Module):
        return OptimizedModule(model, ctx)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    compiled._torchdynamo_orig_callable = model
    return compiled
