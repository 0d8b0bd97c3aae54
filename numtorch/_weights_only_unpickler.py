"""The unpickler ``torch.load(weights_only=True)`` uses: it rebuilds only allowed globals.

It accepts what PyTorch 2.13's weights-only unpickler accepts, and refuses the rest with the same
messages (``tests/test_weights_only.py`` compares both on many files):

* the pickle opcodes of protocol 2 that ``torch.save`` writes (others: ``Unsupported operand N``);
* globals from the allow-list (tensors, parameters, storages, dtypes, ``torch.Size``,
  ``torch.device``, ``OrderedDict``, ``Counter``, ``set``, ``complex``, ``bytearray`` and
  ``_codecs.encode``, which protocol 2 uses for ``bytes``) and from
  ``torch.serialization.add_safe_globals``; globals from ``sys``/``os``/``posix``/``nt`` never;
* calls (``REDUCE``) only of allowed globals; ``BUILD`` only on tensors, parameters,
  ``OrderedDict`` and allowed types; items only into lists and dicts.

No code from the file runs: a global is looked up in the tables, never imported.

>>> import io, pickle
>>> data = b"\\x80\\x02ccollections\\nOrderedDict\\n)R."
>>> import collections
>>> Unpickler(io.BytesIO(data), {("collections", "OrderedDict"): collections.OrderedDict}).load()
OrderedDict()
"""
from __future__ import annotations

import _compat_pickle
import collections
import pickle
from typing import Any, Callable, Dict, Optional, Tuple

__all__ = ["Unpickler", "wo_message", "BLOCKED_MODULES"]

BLOCKED_MODULES = ("sys", "os", "posix", "nt")

_UNSAFE = ("In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
           "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set "
           "to `False` will likely succeed, but it can result in arbitrary code execution. Do it "
           "only if you got the file from a trusted source.")
_DOCS = ("Check the documentation of torch.load to learn more about types accepted by default with "
         "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


def wo_message(error: str) -> str:
    """The message ``torch.load`` raises when the weights-only unpickler refused something."""
    if error.startswith("Unsupported global"):
        return ("Weights only load failed. This file can still be loaded, to do so you have two "
                "options, \x1b[1mdo those steps only if you trust the source of the "
                "checkpoint\x1b[0m. \n\t(1) " + _UNSAFE + "\n\t(2) Alternatively, to load with "
                "`weights_only=True` please check the recommended steps in the following error "
                "message.\n\tWeightsUnpickler error: " + error + "\n\n" + _DOCS)
    issue = "" if error.startswith("Trying to load unsupported GLOBAL") else (
        "Please file an issue with the following so that we can make `weights_only=True` "
        "compatible with your use case: WeightsUnpickler error: ")
    return "Weights only load failed. " + _UNSAFE + "\n" + issue + "\n\n" + error + "\n\n" + _DOCS


def _shown_name(module: str, name: str) -> str:
    return name if module == "builtins" else f"{module}.{name}"


class Unpickler(pickle._Unpickler):
    """``pickle``'s unpickler with only the opcodes and globals PyTorch's weights-only
    unpickler allows.

    ``allowed`` maps ``(module, name)`` to the object a global stands for; ``user`` (consulted
    second) does the same for ``add_safe_globals``; ``build_types`` are the types ``BUILD`` may
    set state on besides the types of allowed globals; ``make`` maps a class to a function
    making an empty instance (``NEWOBJ``), for classes whose ``__new__`` alone is not enough.
    """

    dispatch: Dict[int, Callable] = {}

    def __init__(self, file, allowed: Dict[Tuple[str, str], Any],
                 user: Optional[Dict[Tuple[str, str], Any]] = None, *,
                 persistent_load: Optional[Callable[[Any], Any]] = None,
                 build_types: tuple = (collections.OrderedDict,),
                 make: Optional[Dict[type, Callable[[], Any]]] = None,
                 encoding: str = "utf-8", errors: str = "strict") -> None:
        super().__init__(file, encoding=encoding, errors=errors)
        self._allowed = allowed
        self._user = user or {}
        self._persistent = persistent_load
        self._make = make or {}
        values = list(allowed.values()) + list(self._user.values())
        self._callable_ids = {id(v) for v in values}
        self._build_types = set(build_types) | {v for v in values if isinstance(v, type)}

    def load(self):
        """Read one pickle. (The opcode loop of ``pickle._Unpickler.load`` without its framing
        layer, which only protocol 4's FRAME needs, and that opcode is refused.)"""
        self.metastack = []
        self.stack = []
        self.append = self.stack.append
        self.proto = 0
        read = self.read = self._file_read
        self.readline = self._file_readline
        dispatch = self.dispatch
        try:
            while True:
                key = read(1)
                if not key:
                    raise EOFError
                dispatch[key[0]](self)
        except pickle._Stop as stop:
            return stop.value

    # -- globals -------------------------------------------------------------------------------
    def find_class(self, module: str, name: str):
        if (module, name) in _compat_pickle.NAME_MAPPING:        # Python 2 names (protocol 2)
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if module in BLOCKED_MODULES:
            raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {module}.{name} whose "
                                         f"module {module} is blocked.")
        obj = self._allowed.get((module, name), _MISSING)
        if obj is _MISSING:
            obj = self._user.get((module, name), _MISSING)
        if obj is _MISSING:
            shown = _shown_name(module, name)
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please "
                f"use `torch.serialization.add_safe_globals([{shown}])` or the "
                f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this "
                "global if you trust this class/function.")
        return obj

    # -- the opcodes that call, build or fill ------------------------------------------------------
    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        if id(func) not in self._callable_ids:
            raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
        stack[-1] = func(*args)

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        make = self._make.get(cls) if isinstance(cls, type) else None
        self.append(make() if make is not None and not args else cls.__new__(cls, *args))

    def load_build(self) -> None:
        inst = self.stack[-2]
        if type(inst) not in self._build_types:
            raise pickle.UnpicklingError(
                "Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                f"`add_safe_globals`, but got {type(inst)}")
        super().load_build()

    def load_append(self) -> None:
        value = self.stack.pop()
        target = self.stack[-1]
        if type(target) is not list:
            raise pickle.UnpicklingError(f"Can only append to lists, but got {type(target)}")
        target.append(value)

    def load_appends(self) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) is not list:
            raise pickle.UnpicklingError(f"Can only extend lists, but got {type(target)}")
        target.extend(items)

    def load_setitem(self) -> None:
        stack = self.stack
        value = stack.pop()
        key = stack.pop()
        target = stack[-1]
        if type(target) not in _DICTS:
            raise pickle.UnpicklingError("Can only SETITEM for dict, collections.OrderedDict, "
                                         f"collections.Counter, but got {type(target)}")
        target[key] = value

    def load_setitems(self) -> None:
        items = self.pop_mark()
        target = self.stack[-1]
        if type(target) not in _DICTS:
            raise pickle.UnpicklingError("Can only SETITEMS for dict, collections.OrderedDict, "
                                         f"collections.Counter, but got {type(target)}")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def load_binpersid(self) -> None:
        pid = self.stack.pop()
        if isinstance(pid, tuple):
            if not pid or pid[0] != "storage":
                raise pickle.UnpicklingError("Only persistent_load of storage is allowed, but got "
                                             f"{type(pid[0]) if pid else tuple}")
        elif not isinstance(pid, int):
            raise pickle.UnpicklingError(f"persistent_load id must be tuple or int, but got "
                                         f"{type(pid)}")
        if self._persistent is None:
            raise pickle.UnpicklingError("A load persistent id instruction was encountered, but no "
                                         "persistent_load function was specified.")
        self.append(self._persistent(pid))


_MISSING = object()
_DICTS = (dict, collections.OrderedDict, collections.Counter)


def _unsupported(code: int) -> Callable:
    def refuse(self) -> None:
        raise pickle.UnpicklingError(f"Unsupported operand {code}")
    return refuse


class _Dispatch(dict):
    """Opcode -> handler; an opcode not in the table is refused (not a KeyError)."""

    def __missing__(self, code: int) -> Callable:
        return _unsupported(code)


# The opcodes PyTorch's weights-only unpickler reads (what protocol 2 writes for tensors,
# containers and numbers, plus EMPTY_SET); every other opcode is refused.
_OPS = {
    pickle.PROTO: pickle._Unpickler.load_proto, pickle.STOP: pickle._Unpickler.load_stop,
    pickle.MARK: pickle._Unpickler.load_mark, pickle.GLOBAL: pickle._Unpickler.load_global,
    pickle.REDUCE: Unpickler.load_reduce, pickle.BUILD: Unpickler.load_build,
    pickle.NEWOBJ: Unpickler.load_newobj,
    pickle.EMPTY_TUPLE: pickle._Unpickler.load_empty_tuple,
    pickle.TUPLE: pickle._Unpickler.load_tuple,
    pickle.TUPLE1: pickle._Unpickler.load_tuple1, pickle.TUPLE2: pickle._Unpickler.load_tuple2,
    pickle.TUPLE3: pickle._Unpickler.load_tuple3,
    pickle.EMPTY_LIST: pickle._Unpickler.load_empty_list, pickle.APPEND: Unpickler.load_append,
    pickle.APPENDS: Unpickler.load_appends,
    pickle.EMPTY_DICT: pickle._Unpickler.load_empty_dictionary,
    pickle.SETITEM: Unpickler.load_setitem, pickle.SETITEMS: Unpickler.load_setitems,
    pickle.EMPTY_SET: pickle._Unpickler.load_empty_set,
    pickle.BININT: pickle._Unpickler.load_binint, pickle.BININT1: pickle._Unpickler.load_binint1,
    pickle.BININT2: pickle._Unpickler.load_binint2, pickle.LONG1: pickle._Unpickler.load_long1,
    pickle.BINFLOAT: pickle._Unpickler.load_binfloat,
    pickle.BINUNICODE: pickle._Unpickler.load_binunicode,
    pickle.SHORT_BINSTRING: pickle._Unpickler.load_short_binstring,
    pickle.NONE: pickle._Unpickler.load_none, pickle.NEWTRUE: pickle._Unpickler.load_true,
    pickle.NEWFALSE: pickle._Unpickler.load_false,
    pickle.BINPUT: pickle._Unpickler.load_binput,
    pickle.LONG_BINPUT: pickle._Unpickler.load_long_binput,
    pickle.BINGET: pickle._Unpickler.load_binget,
    pickle.LONG_BINGET: pickle._Unpickler.load_long_binget,
    pickle.BINPERSID: Unpickler.load_binpersid,
}
Unpickler.dispatch = _Dispatch({op[0]: fn for op, fn in _OPS.items()})
