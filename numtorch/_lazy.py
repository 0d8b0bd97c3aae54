"""Load an op family on first use: lazy module attributes (PEP 562) and lazy ``Tensor`` methods.

``import numtorch`` (and ``numtorch.nn``) loads the core a plain MLP program needs; the other
families (sorting, decompositions, convolution, recurrent layers, ...) load when one of their
names is first read: ``torch.sort``, ``x.topk(2)``, ``nn.Conv2d``, ``F.conv2d``. The first read
puts the real object where the name lives (the module's globals, or the class), so every later
read is an ordinary attribute read: nothing here runs on a hot path.

A lazy module attribute is written ``{"numtorch.ops.sorting": "sort topk", ...}``; ``name=attr``
binds ``name`` to another attribute (``slogdet=torch_slogdet``, dotted: ``det=tensor_methods.det``).

>>> import numtorch as torch
>>> torch.sort(torch.tensor([3, 1, 2])).values
tensor([1, 2, 3])
"""
from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, Iterable, Optional, Tuple


def _parse(names: Dict[str, str]) -> Dict[str, Tuple[str, str]]:
    """``{module: "a b=c"}`` -> ``{"a": (module, "a"), "b": (module, "c")}``."""
    table = {}
    for module, text in names.items():
        for item in text.split():
            name, _, attr = item.partition("=")
            table[name] = (module, attr or name)
    return table


def _load(module: str, attr: str) -> Any:
    value = importlib.import_module(module)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def lazy_module(globs: Dict[str, Any], names: Dict[str, str], submodules: Iterable[str] = (),
                missing: Optional[Callable[[str], Any]] = None):
    """``(__getattr__, __dir__)`` for the module whose globals are ``globs``: the ``names``
    (see the module docstring) and the ``submodules`` load on first read; ``missing(name)``
    answers any other name (default: AttributeError). ``dir()`` lists the lazy names too."""
    table = _parse(names)
    package = globs["__name__"]
    subs = frozenset(submodules)

    def __getattr__(name: str):
        where = table.get(name)
        if where is not None:
            value = _load(*where)
        elif name in subs:
            value = importlib.import_module(f"{package}.{name}")
        elif missing is not None:
            return missing(name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        globs[name] = value
        return value

    def __dir__():
        return sorted(set(globs) | set(table) | subs)

    __getattr__.lazy_names = table.keys()     # (read by nn/__init__.py and the tests)
    return __getattr__, __dir__


class LazyImport:
    """A module global standing in for a module (``_X = LazyImport(globals(), "_X", path)``):
    the first attribute read imports the module and puts it in the global's place, so the
    functions reading ``_X.name`` find the module itself from then on."""

    __slots__ = ("_globs", "_name", "_module")

    def __init__(self, globs: Dict[str, Any], name: str, module: str) -> None:
        self._globs, self._name, self._module = globs, name, module

    def __getattr__(self, attr: str):
        module = importlib.import_module(self._module)
        self._globs[self._name] = module
        return getattr(module, attr)


class LazyAttribute:
    """A class attribute that imports its module on first use and replaces itself there with
    the real object (a function, a property, ...); it answers that first read (or write)
    as the real object would, dunders included (type slots call ``__get__``)."""

    __slots__ = ("owner", "name", "module", "attr")

    def __init__(self, owner: type, name: str, module: str, attr: str) -> None:
        self.owner, self.name, self.module, self.attr = owner, name, module, attr

    def resolve(self) -> Any:
        value = _load(self.module, self.attr)
        if self.owner.__dict__.get(self.name) is self:
            setattr(self.owner, self.name, value)
        return value

    def __get__(self, obj, objtype=None):
        value = self.resolve()
        get = getattr(type(value), "__get__", None)
        return value if get is None else get(value, obj, self.owner if objtype is None else objtype)

    def __set__(self, obj, value) -> None:
        self.resolve()
        setattr(obj, self.name, value)

    def __delete__(self, obj) -> None:
        self.resolve()
        delattr(obj, self.name)


def lazy_methods(cls: type, names: Dict[str, str]) -> None:
    """Put ``names`` (see the module docstring) on ``cls`` as ``LazyAttribute``s."""
    for name, (module, attr) in _parse(names).items():
        setattr(cls, name, LazyAttribute(cls, name, module, attr))
