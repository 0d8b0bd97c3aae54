"""``torch.jit``: TorchScript's names, with nothing compiled: the Python code runs as written.

* ``torch.jit.script(module)`` returns a ``RecursiveScriptModule`` that prints as PyTorch's
  (``RecursiveScriptModule(original_name=Linear)``) and works as the module does: it shares the
  module's parameters and buffers (an optimizer over either updates both; ``state_dict()`` keys
  are the module's), has its own ``training`` flag and a copy of the other attributes, and its
  ``forward`` is the module's Python ``forward``. ``.code`` shows that Python source.
* ``torch.jit.script(fn)`` returns ``fn``; ``torch.jit.trace(fn, example_inputs)`` runs ``fn``
  once on the example (under ``is_tracing()``) and returns it; ``torch.jit.trace(module, ...)``
  returns a ``TopLevelTracedModule`` (printed as PyTorch's: ``Linear(original_name=Linear)``).
  PyTorch's trace runs the function three times (trace, then check): with random ops inside,
  the global generator advances differently.
* ``ScriptModule.save`` / ``torch.jit.save`` / ``torch.jit.load`` raise ``NotImplementedError``:
  there is no TorchScript to write or run. Save the weights with ``torch.save(model.state_dict(),
  path)``; PyTorch loads that file.
* ``ignore``, ``unused``, ``export``, ``script_method``, ``interface``, ``annotate``,
  ``Attribute``, ``Final``, ``fork``/``wait``, ``freeze``, ``is_scripting()`` (False), ... are
  accepted and change nothing. ``script`` and ``trace`` emit PyTorch 2.13's DeprecationWarning.

>>> import numtorch as torch
>>> m = torch.jit.script(torch.nn.Linear(2, 1))
>>> m
RecursiveScriptModule(original_name=Linear)
>>> list(m.state_dict())
['weight', 'bias']
>>> torch.jit.is_scripting()
False
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import textwrap
import typing
import warnings
import weakref
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from .nn.modules.module import Module

__all__ = ["script", "trace", "trace_module", "ignore", "unused", "export", "script_method",
           "interface", "is_scripting", "is_tracing", "annotate", "Attribute", "Final",
           "ScriptModule", "RecursiveScriptModule", "TracedModule", "TopLevelTracedModule",
           "ScriptFunction", "Error", "TracerWarning", "ScriptWarning", "save", "load", "freeze",
           "optimize_for_inference", "fork", "wait", "Future", "isinstance", "script_if_tracing",
           "optimized_execution", "fuser", "strict_fusion", "enable_onednn_fusion",
           "onednn_fusion_enabled", "set_fusion_strategy", "export_opnames"]

_builtin_isinstance = isinstance
Final = typing.Final
_tracing = [False]

_NO_TORCHSCRIPT = ("numtorch compiles nothing, so there is no TorchScript archive to {what}. "
                   "Save the weights with torch.save(model.state_dict(), path) instead (PyTorch "
                   "loads that file into the same model class), or script the model in PyTorch.")


_INSTEAD = {"fork": "use `torch.compile` instead", "wait": "use `torch.compile` instead",
            "freeze": "use `torch.compile` instead",
            "optimize_for_inference": "use `torch.compile` instead",
            "set_fusion_strategy": "use `torch.compile` instead",
            "interface": "use `torch.compile` instead", "save": "switch to `torch.export`",
            "load": "switch to `torch.export`"}


def _deprecated(name: str) -> None:
    """PyTorch 2.13's DeprecationWarning for ``torch.jit.<name>``."""
    instead = _INSTEAD.get(name, "switch to `torch.compile` or `torch.export`")
    # attributed to this module, as PyTorch's are to torch/jit: hidden by Python's default filters
    warnings.warn(f"`torch.jit.{name}` is deprecated. Please {instead}.", DeprecationWarning)


class Error(Exception):
    """``torch.jit.Error``: TorchScript's runtime error (never raised: nothing is compiled)."""


class TracerWarning(Warning):
    """``torch.jit.TracerWarning``."""


class ScriptWarning(Warning):
    """``torch.jit.ScriptWarning``."""


class Attribute(NamedTuple):
    """``torch.jit.Attribute(value, type)``: a value with its TorchScript type."""
    value: Any
    type: Any


def annotate(the_type: Any, the_value: Any) -> Any:
    """TorchScript's type hint for a value: returns the value."""
    return the_value


def is_scripting() -> bool:
    """False: no code is ever running as TorchScript in numtorch."""
    return False


def is_tracing() -> bool:
    """True only while ``torch.jit.trace`` runs the traced function on its example."""
    return _tracing[0]


# -- scripted and traced modules ----------------------------------------------------------------

class ScriptModule(Module):
    """The base of scripted and traced modules (a ``Module``; also a base class for modules
    written the old TorchScript way, with ``@torch.jit.script_method`` forwards)."""

    @property
    def original_name(self) -> str:
        return self.__dict__.get("_original_name") or type(self).__name__

    @property
    def code(self) -> str:
        """The Python source of ``forward`` (there is no TorchScript code)."""
        fwd = getattr(type(self), "_original_forward", None) or type(self).forward
        try:
            return textwrap.dedent(inspect.getsource(fwd))
        except (OSError, TypeError):
            return ""

    @property
    def graph(self):
        raise NotImplementedError("numtorch compiles nothing, so a scripted module has no "
                                  "TorchScript graph; .code shows forward's Python source.")

    inlined_graph = graph

    def save(self, f: Any, **kwargs: Any) -> None:
        """Raises ``NotImplementedError``: there is no TorchScript archive to write; use
        ``torch.save(model.state_dict(), f)``."""
        raise NotImplementedError(_NO_TORCHSCRIPT.format(what="write (ScriptModule.save)"))

    def __repr__(self) -> str:
        return Module.__repr__(self)

    def __getstate__(self):
        raise RuntimeError(f"Tried to serialize object __torch__.{self.original_name} which does "
                           "not have a __getstate__ method defined!")

    def __deepcopy__(self, memo: dict) -> "ScriptModule":
        new = object.__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new


class RecursiveScriptModule(ScriptModule):
    """What ``torch.jit.script(module)`` returns (see the module's notes)."""

    def extra_repr(self) -> str:
        return f"original_name={self.original_name}"


class TracedModule(ScriptModule):
    """A submodule of what ``torch.jit.trace(module, ...)`` returns."""

    def _get_name(self) -> str:
        return self.original_name

    def extra_repr(self) -> str:
        return f"original_name={self.original_name}"


class TopLevelTracedModule(TracedModule):
    """What ``torch.jit.trace(module, ...)`` returns."""


class ScriptFunction:
    """The type PyTorch gives scripted functions (numtorch returns the function itself)."""


_classes: "weakref.WeakKeyDictionary[type, Dict[type, type]]" = weakref.WeakKeyDictionary()


def _class_for(cls: type, base: type) -> type:
    """``base`` mixed with the module's own class (so forward and helpers are the module's), made
    once per pair; named as PyTorch's wrapper class."""
    by_base = _classes.setdefault(cls, {})
    made = by_base.get(base)
    if made is None:
        try:
            made = type(base.__name__, (base, cls), {"__module__": __name__,
                                                      "__qualname__": base.__name__,
                                                      "_original_forward": cls.forward})
        except TypeError:                     # a class that cannot be mixed (layout, metaclass)
            made = base
        by_base[base] = made
    return made


def _wrap(module: Module, base: type, child_base: type) -> Module:
    """A ``base`` module sharing ``module``'s parameters and buffers (the same dicts), with its
    own training flag, copies of the other attributes, and its children wrapped likewise."""
    if _builtin_isinstance(module, ScriptModule):
        return module
    cls = _class_for(type(module), base)
    new = object.__new__(cls)
    d = new.__dict__
    d.update(module.__dict__)
    d["_original_name"] = type(module).__name__
    d["_modules"] = {name: None if child is None else _wrap(child, child_base, child_base)
                     for name, child in module._modules.items()}
    if cls is base:                           # not mixed: forward bound from the module's class
        d["forward"] = type(module).forward.__get__(new)
    return new


# -- script / trace --------------------------------------------------------------------------------

def script(obj: Any, optimize: Any = None, _frames_up: int = 0, _rcb: Any = None,
           example_inputs: Any = None) -> Any:
    """Return ``obj`` ready to run; nothing is compiled. A module comes back as a
    ``RecursiveScriptModule`` sharing its parameters (see the module's notes); a function, a
    class or a scripted module comes back as it is.

    >>> import numtorch as torch
    >>> f = torch.jit.script(lambda x: x + 1)
    >>> f(torch.ones(1))
    tensor([2.])
    """
    _deprecated("script")
    if _builtin_isinstance(obj, Module):
        return _wrap(obj, RecursiveScriptModule, RecursiveScriptModule)
    return obj


def _as_args(example_inputs: Any) -> tuple:
    return example_inputs if _builtin_isinstance(example_inputs, tuple) else (example_inputs,)


@contextlib.contextmanager
def _running_trace():
    prev = _tracing[0]
    _tracing[0] = True
    try:
        yield
    finally:
        _tracing[0] = prev


def trace(func: Callable, example_inputs: Any = None, optimize: Any = None,
          check_trace: bool = True, check_inputs: Any = None, check_tolerance: float = 1e-05,
          strict: bool = True, _force_outplace: bool = False, _module_class: Any = None,
          _compilation_unit: Any = None, example_kwarg_inputs: Optional[Dict[str, Any]] = None,
          _store_inputs: bool = True) -> Any:
    """Run ``func`` once on ``example_inputs`` (as PyTorch's tracer does, so errors show now)
    and return it: a module as a ``TopLevelTracedModule``, a function as itself. Nothing is
    recorded or compiled: control flow stays dynamic.

    >>> import numtorch as torch
    >>> traced = torch.jit.trace(torch.nn.Linear(2, 1), torch.ones(1, 2))
    >>> traced
    Linear(original_name=Linear)
    """
    _deprecated("trace")
    if not callable(func):
        raise RuntimeError("Could not get name of python class object")
    if example_inputs is None and not _builtin_isinstance(example_kwarg_inputs, dict):
        raise RuntimeError("example_kwarg_inputs should be a dict")
    if _builtin_isinstance(func, ScriptModule):
        return func
    args = () if example_inputs is None else _as_args(example_inputs)
    kwargs = example_kwarg_inputs or {}
    from .autograd.grad_mode import no_grad
    with _running_trace(), no_grad():
        func(*args, **kwargs)
    if _builtin_isinstance(func, Module):
        return _wrap(func, TopLevelTracedModule, TracedModule)
    return func


def trace_module(mod: Module, inputs: Dict[str, Any], optimize: Any = None,
                 check_trace: bool = True, check_inputs: Any = None,
                 check_tolerance: float = 1e-05, strict: bool = True, _force_outplace: bool = False,
                 _module_class: Any = None, _compilation_unit: Any = None,
                 example_inputs_is_kwarg: bool = False, _store_inputs: bool = True) -> Module:
    """``trace`` for several methods: ``inputs`` maps a method name to its example inputs."""
    _deprecated("trace_method")
    if not _builtin_isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not _builtin_isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    from .autograd.grad_mode import no_grad
    with _running_trace(), no_grad():
        for name, example in inputs.items():
            method = getattr(mod, name)
            if example_inputs_is_kwarg:
                method(**example)
            else:
                method(*_as_args(example))
    return _wrap(mod, TopLevelTracedModule, TracedModule)


def script_if_tracing(fn: Callable) -> Callable:
    return fn


# -- decorators and hints that change nothing ------------------------------------------------------

def ignore(drop: Any = False, **kwargs: Any) -> Callable:
    """``@torch.jit.ignore`` / ``@torch.jit.ignore(drop=True)``: leave a function to Python (it
    always is)."""
    if callable(drop):
        return drop
    if not _builtin_isinstance(drop, bool):
        raise RuntimeError("Argument to @torch.jit.ignore must be a bool or a function but got "
                           f"{drop}")
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function "
                      "call on compilation. Use torch.jit.unused now. {}", FutureWarning,
                      stacklevel=2)
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    return fn


def export(fn: Callable) -> Callable:
    return fn


def script_method(fn: Callable) -> Callable:
    """For ``forward`` of an old-style ``torch.jit.ScriptModule`` subclass: returns ``fn``."""
    _deprecated("script_method")
    return fn


def interface(obj: Any) -> Any:
    _deprecated("interface")
    return obj


def isinstance(obj: Any, target_type: Any) -> bool:
    """``isinstance`` that also understands ``List[int]``, ``Dict[str, Tensor]``,
    ``Optional[...]``, ``Tuple[...]``, as TorchScript's does."""
    origin = typing.get_origin(target_type)
    bare = target_type if target_type in (list, dict, tuple) else \
        origin if origin in (list, dict, tuple) and not typing.get_args(target_type) else None
    if bare is dict:
        raise RuntimeError("Attempted to use dict without contained types. Please add contained "
                           "type, e.g. dict[int, int]")
    if bare is not None:
        raise RuntimeError(f"Attempted to use {bare.__name__} without a contained type. Please "
                           f"add a contained type, e.g. {bare.__name__}[int]")
    if origin is None:
        return target_type is Any or _builtin_isinstance(obj, target_type)
    args = typing.get_args(target_type)
    if origin is typing.Union:
        return any(isinstance(obj, a) for a in args)
    if not _builtin_isinstance(obj, origin):
        return False
    if origin in (list, List) and args:
        return all(isinstance(v, args[0]) for v in obj)
    if origin in (dict, Dict) and args:
        return all(isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items())
    if origin is tuple and args:
        return len(args) == len(obj) and all(isinstance(v, a) for v, a in zip(obj, args))
    return True


# -- saving, loading, freezing ---------------------------------------------------------------------

def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    """Raises ``NotImplementedError``: use ``torch.save(model.state_dict(), f)``."""
    _deprecated("save")
    raise NotImplementedError(_NO_TORCHSCRIPT.format(what="write (torch.jit.save)"))


def load(f: Any, map_location: Any = None, _extra_files: Any = None, _restore_shapes: bool = False,
         **kwargs: Any) -> Any:
    """Raises ``NotImplementedError``: numtorch cannot run TorchScript archives."""
    _deprecated("load")
    raise NotImplementedError(
        "numtorch cannot load TorchScript archives (torch.jit.save files): they hold compiled "
        "TorchScript code, and numtorch runs Python. Save the model's state_dict() with "
        "torch.save in PyTorch and load it into the same model class here.")


def freeze(mod: Any, preserved_attrs: Optional[List[str]] = None,
           optimize_numerics: bool = True) -> Any:
    """PyTorch inlines a scripted module's parameters; numtorch returns the module as it is
    (after PyTorch's checks)."""
    _deprecated("freeze")
    if not _builtin_isinstance(mod, ScriptModule):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use torch.jit.script "
                           "or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    return mod


def optimize_for_inference(mod: Any, other_methods: Optional[List[str]] = None) -> Any:
    """The module in eval mode (scripted first if it is not), as PyTorch's; nothing is fused."""
    _deprecated("optimize_for_inference")
    if not _builtin_isinstance(mod, ScriptModule):
        mod = script(mod.eval())
    return freeze(mod.eval())


class Future:
    """``torch.jit.fork``'s result: already done (the call ran at once)."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def done(self) -> bool:
        return True

    def then(self, callback: Callable[["Future"], Any]) -> "Future":
        return Future(callback(self))


def fork(func: Callable, *args: Any, **kwargs: Any) -> Future:
    """Run ``func(*args, **kwargs)`` now (TorchScript may run it in parallel); a done Future."""
    _deprecated("fork")
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    _deprecated("wait")
    return future.wait()


@contextlib.contextmanager
def optimized_execution(should_optimize: bool):
    yield


@contextlib.contextmanager
def fuser(name: str):
    yield


@contextlib.contextmanager
def strict_fusion():
    yield


_onednn = [False]


def enable_onednn_fusion(enabled: bool) -> None:
    _onednn[0] = bool(enabled)


def onednn_fusion_enabled() -> bool:
    return _onednn[0]


_fusion_strategy: List[Any] = [[("STATIC", 2), ("DYNAMIC", 10)]]


def set_fusion_strategy(strategy: List[Any]) -> List[Any]:
    """Set the fusion strategy (unused); returns the previous one, as PyTorch does."""
    _deprecated("set_fusion_strategy")
    prev = _fusion_strategy[0]
    _fusion_strategy[0] = strategy
    return prev


def export_opnames(m: Any) -> List[str]:
    return []

