"""PyTorch's wording for argument errors, in one place (used only on error paths).

PyTorch's argument parser names the function, the argument, its position and the type it got;
users search these texts, so numtorch words them the same way.

>>> from numtorch._errors import not_tensor
>>> str(not_tensor("exp", [1.0]))
"exp(): argument 'input' (position 1) must be Tensor, not list"
"""
from __future__ import annotations

import dis
import operator
import sys


def type_name(value) -> str:
    """The name PyTorch gives ``value``'s type: ``list``, ``Tensor``, ``numpy.ndarray``."""
    cls = type(value)
    module = cls.__module__
    if module == "builtins" or module.startswith("numtorch"):
        return cls.__name__
    return f"{module}.{cls.__qualname__}"


def arg_error(fn: str, arg: str, position: int | None, expected: str, value) -> TypeError:
    """``fn(): argument 'arg' (position n) must be <expected>, not <type>``."""
    where = f" (position {position})" if position else ""
    return TypeError(f"{fn}(): argument '{arg}'{where} must be {expected}, not {type_name(value)}")


def not_tensor(fn: str, value, arg: str = "input", position: int | None = 1) -> TypeError:
    """The error for a non-tensor passed where a tensor is required."""
    return arg_error(fn, arg, position, "Tensor", value)


def invalid_combination(fn: str, got, expected: str) -> TypeError:
    """PyTorch's overload-mismatch error, ``fn() received an invalid combination of arguments -
    got (list, float), but expected one of: <expected>``. ``got``: the argument values, or a dict
    of keyword arguments, or the description itself."""
    if isinstance(got, dict):
        got = ", ".join(f"{k}={type_name(v)}" for k, v in got.items()) + ", "
    elif not isinstance(got, str):
        got = ", ".join(type_name(v) for v in got)
    return TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), but "
                     f"expected one of: {expected}")


def _is_int(s) -> bool:
    try:
        operator.index(s)
        return True
    except TypeError:
        return False


def size_error(fn: str, size: tuple, position: int = 1) -> TypeError | None:
    """The error for a ``size`` argument that is not ints, or None when it is fine.

    ``size`` is what the function got: its positional arguments, or a single tuple/list."""
    if len(size) == 1 and not isinstance(size[0], (tuple, list)):
        if _is_int(size[0]):
            return None
        return arg_error(fn, "size", position, "tuple of ints", size[0])
    if len(size) > 1 and not _is_int(size[0]):
        return TypeError(f"{fn}() takes {position} positional argument but "
                         f"{len(size) + position - 1} were given")
    return int_items_error(fn, "size", position, size[0] if len(size) == 1 else size)


def int_items_error(fn: str, arg: str, position: int, items, is_int=_is_int) -> TypeError | None:
    """PyTorch's parser error for the first of ``items`` (a tuple-of-ints argument) that is not
    an int by ``is_int``, or None when all are."""
    for i, s in enumerate(items):
        if not is_int(s):
            if i == 0:
                return TypeError(f"{fn}(): argument '{arg}' (position {position}) must be tuple of "
                                 f"ints, but found element of type {type_name(s)} at pos 0")
            return TypeError(f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} "
                             f"with error \"type must be tuple of ints,but got {type_name(s)}\"")
    return None


def cpp_number(x) -> str:
    """A number as PyTorch's C++ messages print it: ``-1``, ``0.25``, ``1e-07``."""
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    return "%g" % x


_BINARY_NAMES = {"BINARY_ADD": "+", "BINARY_SUBTRACT": "-", "BINARY_MULTIPLY": "*",
                 "BINARY_TRUE_DIVIDE": "/", "BINARY_FLOOR_DIVIDE": "//", "BINARY_MODULO": "%",
                 "BINARY_POWER": "**", "BINARY_MATRIX_MULTIPLY": "@", "BINARY_AND": "&",
                 "BINARY_OR": "|", "BINARY_XOR": "^"}
_SKIP = ("numtorch.ops", "numtorch._tensor", "numtorch._errors")


def call_site():
    """How the nearest frame outside numtorch's ops reached the failing op: the operator it is
    executing (``'+'``, ``'<='``, ``'+='``), the number of arguments of the call it is making
    (an int), or None when unknown. Read from that frame's bytecode; for error messages only."""
    try:
        f = sys._getframe(1)
        while f is not None and f.f_globals.get("__name__", "").startswith(_SKIP):
            f = f.f_back
        if f is None:
            return None
        kw = ins = None
        for nxt in dis.get_instructions(f.f_code):     # f_lasti may point into the caches
            if nxt.offset > f.f_lasti:
                break
            if ins is not None and ins.opname == "KW_NAMES":
                kw = ins
            elif ins is not None and ins.opname.startswith("CALL"):
                kw = None
            ins = nxt
        if ins is None:
            return None
        name = ins.opname
        if name in ("BINARY_OP", "COMPARE_OP"):
            return ins.argrepr.replace("bool(", "").rstrip(")")
        if name.startswith("INPLACE_"):
            return _BINARY_NAMES.get("BINARY_" + name[8:], "?") + "="
        if name in _BINARY_NAMES:
            return _BINARY_NAMES[name]
        if name.startswith("CALL") and name not in ("CALL_FUNCTION_EX", "CALL_INTRINSIC_1"):
            n = ins.arg or 0
            if kw is not None:
                names = kw.argval if isinstance(kw.argval, tuple) else f.f_code.co_consts[kw.arg]
                n -= len(names)
            return n
    except Exception:       # noqa: BLE001  (wording only: never fail while reporting a failure)
        return None
    return None


def bad_operand(fn: str, a, b, tensor_type, overloads: str | None = None):
    """What a binary op does with an operand of the wrong type: as an operator (``t + None``) it
    returns NotImplemented, so Python raises its own message, as with PyTorch; as a function
    (``torch.add(t, None)``, ``t.add(None)``) it raises the argument parser's TypeError (for ops
    with Tensor and Number ``overloads``, the overload mismatch)."""
    site = call_site()
    if isinstance(site, str):
        return NotImplemented
    method = site == 1 and isinstance(a, tensor_type)
    if overloads is not None:
        raise invalid_combination(fn, (b,) if method else (a, b), overloads)
    if not isinstance(a, tensor_type):
        raise not_tensor(fn, a)
    raise not_tensor(fn, b, "other", 1 if method else 2)


# ops whose ``dim`` may be a tuple of ints: PyTorch reports a bad one as an overload mismatch
_DIM_LIST_OPS = {"sum", "mean", "std", "var", "squeeze", "max", "min", "narrow", "amax", "amin",
                 "norm", "logsumexp", "prod", "nansum", "var_mean", "std_mean", "count_nonzero",
                 "aminmax", "all", "any"}


def _public_frame():
    """The outermost numtorch frame below the user's code: the public op the user called."""
    f = sys._getframe(1)
    public = None
    while f is not None:
        if f.f_globals.get("__name__", "").startswith("numtorch"):
            public = f
        elif public is not None:
            break
        f = f.f_back
    return public


def dim_type_error(dim) -> TypeError:
    """The error for a ``dim`` that is not an int, worded for the public op being called."""
    f = _public_frame()
    fn = f.f_code.co_name if f is not None else "dim"
    if fn in _DIM_LIST_OPS:
        return invalid_combination(fn, (dim,), "(int dim), (tuple of ints dim)")
    arg, position = "dim", 1
    if f is not None:
        names = f.f_code.co_varnames[:f.f_code.co_argcount]
        for i, name in enumerate(names):
            if f.f_locals.get(name) is dim and i:
                arg, position = name, i
                break
    return arg_error(fn, arg, position, "int", dim)


def nesting_error(data) -> Exception:
    """PyTorch's error for nested data that is not a rectangular array of numbers."""
    if isinstance(data, (str, bytes)):
        return TypeError(f"new(): invalid data type '{type(data).__name__}'")
    def walk(v, dim):
        if not isinstance(v, (list, tuple)):
            return None
        if isinstance(v, (list, tuple)) and v and isinstance(v[0], str):
            return ValueError(f"too many dimensions '{type(v[0]).__name__}'")
        n = None
        for x in v:
            if isinstance(x, (list, tuple)):
                if n is None:
                    n = len(x)
                elif len(x) != n:
                    return ValueError(f"expected sequence of length {n} at dim {dim + 1} "
                                      f"(got {len(x)})")
            elif n is not None:
                return TypeError("not a sequence")
            elif any(isinstance(y, (list, tuple)) for y in v):
                return TypeError(f"'{type(v[-1]).__name__}' object cannot be interpreted as an "
                                 "integer")
        for x in v:
            e = walk(x, dim + 1)
            if e is not None:
                return e
        return None
    return walk(data, 0) or ValueError("expected a rectangular sequence of numbers")


def repeated_dim_error(axes) -> RuntimeError:
    """PyTorch's error for a dim listed twice (``axes`` already wrapped)."""
    d = next(a for i, a in enumerate(axes) if a in axes[:i])
    return RuntimeError(f"dim {d} appears multiple times in the list of dims")


def missing_arguments(fn: str, names) -> TypeError:
    """PyTorch's error for required arguments left out (its wording, number agreement included:
    ``missing 1 required positional arguments``, ``missing 2 required positional argument``)."""
    plural = "s" if len(names) == 1 else ""
    return TypeError(f"{fn}() missing {len(names)} required positional argument{plural}: "
                     + ", ".join(f'"{n}"' for n in names))


def no_kernel(kernel: str, dtype) -> NotImplementedError:
    """PyTorch's error for a dtype its kernel lacks: ``"kernel" not implemented for 'Long'``
    (``dtype``: a NumPy dtype or what ``np.dtype`` accepts)."""
    from ._dtype import legacy_name_np
    return NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name_np(dtype)}\'')
