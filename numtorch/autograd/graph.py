"""``torch.autograd.graph``: the graph's nodes as users see them, and hooks on saved tensors.

* ``Node``: what every ``grad_fn`` (and ``AccumulateGrad``) is an instance of.
* ``saved_tensors_hooks(pack_hook, unpack_hook)``: ``pack_hook(tensor)`` is called once for each
  tensor an op saves for backward, as the op runs; what it returns is kept instead, and
  ``unpack_hook(packed)`` must give the tensor back when backward (or ``grad_fn._saved_*``)
  reads it. ``save_on_cpu()`` is such a pair (numtorch tensors live on the CPU already).
* ``disable_saved_tensors_hooks(message)``, ``register_multi_grad_hook(tensors, fn)``.
* ``node._saved_<name>`` (PyTorch's names, see ``_saved_names.py``) are answered here.

>>> import numtorch as torch
>>> x = torch.ones(3, requires_grad=True)
>>> seen = []
>>> with torch.autograd.graph.saved_tensors_hooks(lambda t: seen.append(t) or t, lambda p: p):
...     y = x.exp()
>>> seen[0] is y, isinstance(y.grad_fn, torch.autograd.graph.Node)
(True, True)
"""
from __future__ import annotations

import abc
from typing import Any, Callable, Sequence

import numpy as np

from . import engine as _engine
from . import function as _function
from ._saved_names import SAVED, Input, Output, Value, Array, Derived, Const
from .function import Function, AccumulateGrad, _SECOND_BACKWARD

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "register_multi_grad_hook", "Node"]


class Node(abc.ABC):
    """The type of every node of the backward graph (``y.grad_fn``, ``AccumulateGrad``).

    >>> import numtorch as torch
    >>> isinstance((torch.ones(1, requires_grad=True) * 2).grad_fn, torch.autograd.graph.Node)
    True
    """

    @abc.abstractmethod
    def name(self) -> str:
        """The node's name, e.g. ``MulBackward0``."""

    @property
    @abc.abstractmethod
    def next_functions(self) -> tuple:
        """``((node, output_index), ...)``: where the gradient flows next."""

    @property
    @abc.abstractmethod
    def metadata(self) -> dict:
        """A dict the user may keep with the node."""

    @abc.abstractmethod
    def register_hook(self, fn: Callable):
        """``fn(grad_inputs, grad_outputs)`` after the node has run."""

    @abc.abstractmethod
    def register_prehook(self, fn: Callable):
        """``fn(grad_outputs)`` before the node runs."""


Node.register(Function)
Node.register(AccumulateGrad)


# -- saved tensor hooks --------------------------------------------------------------------------

_stack: list = []            # (pack_hook, unpack_hook) pairs, innermost last
_disabled: list = []         # messages of active disable_saved_tensors_hooks


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor)`` for every tensor saved for backward while it is
    active; ``unpack_hook(packed)`` when backward reads it back (the innermost pair wins).

    >>> import numtorch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> calls = []
    >>> with torch.autograd.graph.saved_tensors_hooks(lambda t: calls.append("pack") or t,
    ...                                               lambda p: calls.append("unpack") or p):
    ...     y = x * x
    >>> y.sum().backward(); calls
    ['pack', 'pack', 'unpack', 'unpack']
    """

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        _stack.append((self.pack_hook, self.unpack_hook))
        _function.set_recorder("saved_tensors_hooks", _pack)
        return self

    def __exit__(self, *args) -> None:
        _stack.pop()
        if not _stack:
            _function.set_recorder("saved_tensors_hooks", None)


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in CPU memory until backward needs them. numtorch's tensors are in
    CPU memory already, so this keeps them as they are (the hooks still run)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(_identity, _identity)


def _identity(t):
    return t


class disable_saved_tensors_hooks:
    """Context manager under which registering ``saved_tensors_hooks`` raises
    ``RuntimeError(error_message)``."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self):
        _disabled.append(self.error_message)
        return self

    def __exit__(self, *args) -> None:
        _disabled.pop()


class _Packed:
    """What ``pack_hook`` returned for each tensor a node saved, and the ``unpack_hook``."""

    __slots__ = ("unpack", "entries")

    def __init__(self, unpack, entries):
        self.unpack = unpack
        self.entries = entries        # [(attribute name or position, spec or None, packed)]

    def get(self, attr: str):
        for name, _, packed in self.entries:
            if name == attr:
                return self.unpack(packed)
        raise KeyError(attr)

    def unpack_into(self, node) -> None:
        """Run ``unpack_hook`` for each saved tensor and let backward read what it returns."""
        d = node.__dict__
        for _, spec, packed in self.entries:
            if spec is None:                  # a user Function unpacks in ``saved_tensors``
                continue
            t = self.unpack(packed)
            key = "out" if type(spec) is Output else _input_key(node, d, spec)
            if key is None or key not in d or not hasattr(t, "_data"):
                continue
            old, new = d[key], t._data
            if getattr(spec, "t", False):
                new = new.T
            if new is not old and type(old) is np.ndarray:
                d[key] = new if new.dtype == old.dtype else new.astype(old.dtype)

    def unpack_all(self, node) -> tuple:
        """A user Function's ``saved_tensors`` (unpacked each time, as in PyTorch)."""
        out = list(node.to_save)
        for i, _, packed in self.entries:
            out[i] = self.unpack(packed)
        return tuple(out)


def _pack(node, tensors, out) -> None:
    """The recorder installed while saved-tensor hooks are active: pack what ``node`` saves."""
    pack, unpack = _stack[-1]
    if not node._raw:                                   # a user Function: its saved tensors
        saved = node.__dict__.get("to_save") or ()
        entries = [(i, None, pack(t)) for i, t in enumerate(saved) if t is not None]
    else:
        entries = []
        needs = node.needs_input_grad
        for attr, spec in _tensor_specs(type(node)):
            if type(spec) is Output:
                t = out
            else:
                i = spec.index
                if i >= len(tensors) or tensors[i] is None:
                    continue                            # a Python number: nothing to pack
                if spec.when is not None and not any(needs[j] for j in spec.when):
                    continue
                t = tensors[i].t() if spec.t else tensors[i]
            entries.append((attr, spec, pack(t)))
    if entries:
        node.__dict__["_packed"] = _Packed(unpack, entries)
        node._hooked = True


_SPECS: dict = {}


def _tensor_specs(cls) -> list:
    """``[(attribute, spec)]`` of the tensors a node class saves, in PyTorch's order."""
    specs = _SPECS.get(cls)
    if specs is None:
        table = SAVED.get(cls._op_name)
        if table is not None:
            specs = [(a, s) for a, s in table.items() if type(s) in (Input, Output)]
        else:
            specs = [(f"input{i}", Input(i)) for i in cls.saves]
            if cls.saves_output:
                specs.append(("result", Output()))
        _SPECS[cls] = specs
    return specs


# -- node._saved_<name> ----------------------------------------------------------------------------

class SavedTensor:
    """What ``node._raw_saved_<name>`` returns: the saved tensor, unpacked on ``.data``."""

    __slots__ = ("_node", "_attr")

    def __init__(self, node, attr: str):
        self._node, self._attr = node, attr

    @property
    def data(self):
        return saved_value(self._node, "_saved_" + self._attr)

    def unpack(self):
        return self.data


def saved_value(node, name: str):
    """``node._saved_<attr>`` as PyTorch shows it (``_raw_saved_<attr>``: a ``SavedTensor``)."""
    raw = name.startswith("_raw_saved_")
    attr = name[11:] if raw else name[7:]
    table = SAVED.get(type(node)._op_name) if node._raw else None
    spec = table.get(attr) if table else None
    if spec is None or (raw and type(spec) not in (Input, Output)):
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
    if raw:
        return SavedTensor(node, attr)
    d = node.__dict__
    kind = type(spec)
    if kind is Const:
        return spec.value
    if kind in (Input, Derived) and spec.when is not None:
        needs = getattr(node, "needs_input_grad", ())
        if not any(j < len(needs) and needs[j] for j in spec.when):
            # PyTorch saved nothing: it shows None (a tensor) or a default (sizes, strides)
            return None if kind is Input else spec.otherwise
    if kind in (Input, Output) and node._freed:
        raise RuntimeError(_SECOND_BACKWARD)
    packed = d.get("_packed")
    if packed is not None and kind in (Input, Output):
        try:
            return packed.get(attr)
        except KeyError:
            pass

    def get(key):
        if key in d:
            return d[key]
        if node._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        if hasattr(type(node), key):          # a class default (e.g. ``alpha = 1``)
            return getattr(type(node), key)
        if kind is Value and spec.default is not None:
            return spec.default
        raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}' "
                             f"(numtorch's {type(node)._op_name} does not keep it)")

    if kind is Output:
        out = _engine.Tensor._make(get("out"), True)
        out.grad_fn = node
        return out
    if kind is Input:
        key = _input_key(node, d, spec)
        if key is None:
            get(spec.key or type(node).saved_inputs[spec.index])   # raises the right error
        v = d[key]
        if type(v) is not np.ndarray:
            return _wrapped_number(v)
        nxt = node._next
        t = _engine._input_tensor(nxt[spec.index] if spec.index < len(nxt) else None, v, node)
        return t.t() if spec.t else t
    if kind is Value:
        v = get(spec.key)
        v = v if spec.conv is None or v is None else spec.conv(v)
    elif kind is Array:
        v = get(spec.key)
        v = None if v is None else np.asarray(v if spec.conv is None else spec.conv(v))
    else:                                     # Derived
        v = spec.fn(get)
    return _as_shown(v)


def _as_shown(v):
    """Arrays (also inside tuples) become tensors, NumPy scalars Python numbers (PyTorch shows
    saved numbers as Python numbers); everything else stays."""
    if type(v) is np.ndarray:
        return _engine.Tensor._make(v)
    if isinstance(v, np.generic):
        return v.item()
    if type(v) is tuple:
        return tuple(_as_shown(e) for e in v)
    return v


def _wrapped_number(v):
    """A Python number an op took, as the 0-d tensor PyTorch saves for it."""
    if isinstance(v, bool):
        dt = np.bool_
    elif isinstance(v, int):
        dt = np.int64
    elif isinstance(v, float):
        dt = np.float64
    else:
        return _as_shown(v)
    return _engine.Tensor._make(np.array(v, dt))


def _input_key(node, d: dict, spec) -> str | None:
    """The name under which ``node`` saved input ``spec.index`` (None if it did not)."""
    cls = type(node)
    i = spec.index
    names = cls.saved_inputs
    candidates = []
    if "saved_inputs" in _own_attrs(cls) and i < len(names):
        candidates.append(names[i])
    if spec.key is not None:
        candidates.append(spec.key)
    if i < len(names):
        candidates.append(names[i])
    for key in candidates:
        if key in d:
            return key
    return None


def _own_attrs(cls) -> set:
    """Attributes set by the op's own classes (not inherited from ``Function``)."""
    out = set()
    for c in cls.__mro__:
        if c is Function:
            break
        out.update(c.__dict__)
    return out


def saved_names(node) -> list:
    """The ``_saved_*`` (and ``_raw_saved_*``, for tensors) names a node shows."""
    table = SAVED.get(type(node)._op_name) if node._raw else None
    if not table:
        return []
    return ([f"_saved_{a}" for a in table]
            + [f"_raw_saved_{a}" for a, s in table.items() if type(s) in (Input, Output)])


_function.set_saved_value(saved_value, saved_names)


# -- register_multi_grad_hook ----------------------------------------------------------------------

class _MultiHandle:
    def __init__(self, handles: list) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *args) -> None:
        self.remove()


def register_multi_grad_hook(tensors: Sequence, fn: Callable, *, mode: str = "all"):
    """Call ``fn`` once per backward pass that computes gradients for ``tensors``:
    ``mode="all"``: ``fn(grads)`` at the end of the pass, ``None`` for the tensors that got no
    gradient; ``mode="any"``: ``fn(grad)`` with the first gradient computed.

    >>> import numtorch as torch
    >>> a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    >>> got = []
    >>> h = torch.autograd.graph.register_multi_grad_hook((a, b), lambda gs: got.append(gs))
    >>> (a * 3).sum().backward(); got
    [(tensor([3., 3.]), None)]
    """
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    state = {"grads": None, "fired": False}

    def finish() -> None:
        grads, state["grads"], state["fired"] = state["grads"], None, False
        if mode == "all" and grads is not None:
            fn(tuple(grads))

    def hook_for(i: int):
        def hook(grad):
            if mode == "any":
                if not state["fired"]:
                    state["fired"] = True
                    _engine.queue_callback(finish)
                    fn(grad)
                return None
            if state["grads"] is None:
                state["grads"] = [None] * len(tensors)
                _engine.queue_callback(finish)
            state["grads"][i] = grad
            return None
        return hook

    return _MultiHandle([t.register_hook(hook_for(i)) for i, t in enumerate(tensors)
                         if t.requires_grad])

