"""Running a built-in op: promote the operands, call ``forward``, record a node only if needed.

Kept small and flat: this is the hot path of every operation.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import next_sequence_nr as _next_seq, record_hooks as _record_hooks
from . import _views

_make = Tensor._make
_new = object.__new__
_state = grad_mode.state
_BY_NP = _dtype._BY_NP


class _Discard:
    """The ctx given to ``forward`` when no graph is recorded: what it saves is simply dropped
    at the next op (one shared object, so the no-grad path allocates no node)."""


_NO_CTX = _Discard()


def apply(cls, tensors: tuple, arrays: tuple, *params) -> Tensor:
    """Run ``cls.forward(ctx, *arrays, *params)``; ``tensors`` are the inputs (None for scalars)."""
    if _state[0]:
        for t in tensors:
            if t is not None and t.requires_grad:
                ctx = object.__new__(cls)
                return _record(ctx, cls.forward(ctx, *arrays, *params), tensors)
    return _make(cls.forward(_NO_CTX, *arrays, *params))


def apply1(cls, t, x, *params) -> Tensor:
    """``apply`` for one tensor input (the unary ops), without building argument tuples."""
    if t.requires_grad and _state[0]:
        ctx = _new(cls)
        return _record(ctx, cls.forward(ctx, x, *params), (t,))
    r = _new(Tensor)
    r._data = cls.forward(_NO_CTX, x, *params)
    r.requires_grad = False
    r.grad_fn = None
    r._vc = [0]
    return r


def apply2(cls, ta, tb, x, y, *params) -> Tensor:
    """``apply`` for the binary ops (the most frequent), without building argument tuples."""
    if _state[0] and ((ta is not None and ta.requires_grad) or (tb is not None and tb.requires_grad)):
        ctx = _new(cls)
        return _record(ctx, cls.forward(ctx, x, y, *params), (ta, tb))
    r = _new(Tensor)                 # Tensor._make, inlined: this is the hottest line
    r._data = cls.forward(_NO_CTX, x, y, *params)
    r.requires_grad = False
    r.grad_fn = None
    r._vc = [0]
    return r


def apply3(cls, ta, tb, tc, x, y, z) -> Tensor:
    """``apply`` for three operands and no parameters (``linear``: input, weight, bias)."""
    if _state[0] and (tb.requires_grad or ta.requires_grad or (tc is not None and tc.requires_grad)):
        ctx = _new(cls)
        return _record(ctx, cls.forward(ctx, x, y, z), (ta, tb, tc))
    return _make(cls.forward(_NO_CTX, x, y, z))


def _wire(ctx, tensors) -> None:
    """Give node ``ctx`` its edges (one per input; None where no gradient flows), its flags and
    its sequence number."""
    nxt = []
    needs = []
    for t in tensors:
        if t is not None and t.requires_grad:
            fn = t.grad_fn
            if fn is None:
                nxt.append(t)                   # a leaf: the tensor itself
            else:
                d = t._data
                nxt.append((fn, d.shape, d.dtype, t._out_index))
            needs.append(True)
        else:
            nxt.append(None)
            needs.append(False)
    ctx._next = nxt
    ctx._seq_nr = _next_seq()
    ctx.needs_input_grad = needs
    ctx._saved_versions = None


def _record(ctx, out, tensors) -> Tensor:
    """Make ``ctx`` the node of the output ``out``."""
    _wire(ctx, tensors)
    r = _new(Tensor)
    r._data = out
    r.requires_grad = True
    r.grad_fn = ctx
    r._vc = [0]
    if ctx._tracks_versions:
        versions = []
        saved_for = ctx.saved_for
        for i in ctx.saves:
            t = tensors[i]
            if t is not None and (saved_for is None or ctx.needs_input_grad[saved_for[i]]):
                vc = t._vc
                versions.append((vc, vc[0]))
        if ctx.saves_output:
            versions.append((r._vc, 0))
        ctx._saved_versions = versions
        if _record_hooks[0] is not None:     # saved_tensors_hooks / anomaly mode (autograd.graph)
            _record_hooks[0](ctx, tensors, r)
    return r


def apply_inplace(cls, target: Tensor, tensors: tuple, arrays: tuple, *params) -> Tensor:
    """In-place form of ``apply``: ``target`` (== tensors[0]) takes the result."""
    needs_graph = _state[0] and any(t is not None and t.requires_grad for t in tensors)
    if needs_graph:
        check_inplace(target)
        if 0 in cls.saves:
            arrays = (arrays[0].copy(),) + tuple(arrays[1:])
    ctx = object.__new__(cls) if needs_graph else _NO_CTX
    out = cls.forward(ctx, *arrays, *params)
    write_into(target, out)
    if needs_graph:
        saves = cls.saves
        cls_saves_self = 0 in saves
        _wire(ctx, tensors)
        if saves and not (cls_saves_self and len(saves) == 1):
            ctx._saved_versions = [(tensors[i]._vc, tensors[i]._vc[0]) for i in saves
                                   if i != 0 and tensors[i] is not None]
        if cls.saves_output:
            ctx._saved_versions = (ctx._saved_versions or []) + [(target._vc, target._vc[0])]
        if target._view_of is not None:
            _views.rebase(target, ctx)          # the base's history takes the write (CopySlices)
        else:
            old = target.grad_fn
            if old is not None and old._hooked:
                _views.keep_retained(target, old, ctx)
            target.grad_fn = ctx
            target.requires_grad = True
            if target._out_index:
                target._out_index = 0
            if target._views is not None:
                _views.regenerate(target)       # its views now read from the new history
    return target


def _same_dtype_c_names(src, dst) -> str:
    return (f"Expected out tensor to have dtype {_dtype.cpp_name(src)}, but got "
            f"{_dtype.cpp_name(dst)} instead")


def _cat_cast(src, dst) -> str:
    return f"torch.cat(): input types can't be cast to the desired output type {_dtype.legacy_name(dst)}"


# ops whose out= dtype rule is not PyTorch's usual "castable" one (checked against torch 2.13)
_OUT_DTYPE_RULES = {
    "clamp": lambda src, dst: f"Found dtype {_dtype.legacy_name(dst)} but expected {_dtype.legacy_name(src)}",
    "where": lambda src, dst: f"Expected out type to be {_dtype.legacy_name(src)} but got "
                              f"{_dtype.legacy_name(dst)}",
    "matmul": _same_dtype_c_names,
    "max.dim": _same_dtype_c_names,
    "min.dim": _same_dtype_c_names,
    "cat": _cat_cast,
    "stack": _cat_cast,
}


def write_out(name: str, result: Tensor, out: Tensor) -> Tensor:
    """Store an op's ``result`` in its ``out=`` tensor and return ``out``, as PyTorch does: no
    autograd through ``out=``, the dtype cast checked, and the shape resized to the result's
    (with PyTorch's warning when ``out`` had elements).

    >>> import numtorch as torch
    >>> c = torch.zeros(2, dtype=torch.float64)
    >>> torch.add(torch.ones(2), 1, out=c) is c, c
    (True, tensor([2., 2.], dtype=torch.float64))
    """
    op = name.split(".")[0]
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if _state[0] and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    data = result._data
    rule = _OUT_DTYPE_RULES.get(name)
    if rule is not None and out._data.dtype != data.dtype:
        src, dst = _BY_NP[data.dtype], _BY_NP[out._data.dtype]
        if rule is not _cat_cast:                   # these ops want out's dtype exactly
            raise RuntimeError(rule(src, dst))
        if not _dtype.can_cast(src, dst):
            raise TypeError(rule(src, dst))
    shape = data.shape
    if out._data.shape != shape:
        if out._data.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(out._data.shape)}, which does not match the required output shape "
                          f"{list(shape)}. This behavior is deprecated, and in a future PyTorch "
                          "release outputs will not be resized unless they have zero elements. You "
                          "can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = np.empty(shape, out._data.dtype)
    write_into(out, data)
    return out


def write_into(target: Tensor, out) -> None:
    """Store ``out`` in ``target``'s memory under PyTorch's casting rule, and bump its version."""
    data = target._data
    out_dtype = out.dtype if isinstance(out, np.ndarray) else np.asarray(out).dtype
    if out_dtype != data.dtype and not _dtype.can_cast(_BY_NP[out_dtype], _BY_NP[data.dtype]):
        raise RuntimeError(f"result type {_dtype.legacy_name(_BY_NP[out_dtype])} can't be cast to the "
                           f"desired output type {_dtype.legacy_name(_BY_NP[data.dtype])}")
    if data.ndim == 0 and not isinstance(data, np.ndarray):
        target._data = np.asarray(out, data.dtype)
    else:
        try:
            np.copyto(data, out, casting="unsafe")
        except ValueError:
            if _overlaps(data):
                raise RuntimeError(_OVERLAP) from None
            raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast "
                               f"shape {list(np.broadcast_shapes(data.shape, np.shape(out)))}") from None
    target._vc[0] += 1


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation.")


def _overlaps(data) -> bool:
    """Whether several elements of ``data`` share one memory location (an expanded tensor)."""
    return any(s == 0 and n > 1 for s, n in zip(data.strides, data.shape))


def check_inplace(target: Tensor, sub=None) -> None:
    """PyTorch's refusals of an in-place op on ``target`` with grad mode on: leaves that require
    grad, views of them, views made under no_grad, outputs of multi-view functions (``sub``: the
    view op that ``target[index] = v`` writes through)."""
    if not _state[0]:
        return
    info = target._view_of
    if info is not None:
        _views.check(info, sub)
    elif target.grad_fn is None and target.requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


# -- operands -----------------------------------------------------------------------------------

def tensor_dtype_pair(a: Tensor, b: Tensor) -> _dtype.dtype:
    """PyTorch's result dtype of two tensors: 0-d tensors count only if of a higher kind."""
    da, db = _BY_NP[a._data.dtype], _BY_NP[b._data.dtype]
    a0, b0 = a._data.ndim == 0, b._data.ndim == 0
    if a0 == b0:
        return _dtype.promote_types(da, db)
    if a0:
        da, db = db, da          # now da is the dimensioned one, db the 0-d one
    if db._kind > da._kind:
        return db if db._kind != 2 or da._kind == 2 else db
    return da


def operands(a, b):
    """Tensors (None for scalars) and NumPy operands of a binary op, promoted as PyTorch does."""
    if isinstance(a, Tensor):
        x = a._data
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype is not y.dtype and x.dtype != y.dtype:
                d = tensor_dtype_pair(a, b).np
                x = x.astype(d, copy=False)
                y = y.astype(d, copy=False)
            return a, b, x, y
        if isinstance(b, (float, int, bool)):
            if type(b) is np.float64:      # a NumPy float is a Python scalar to PyTorch
                b = float(b)
            kind = x.dtype.kind
            if kind == "f" or (kind in "iu" and not isinstance(b, float)) or (kind == "b" and isinstance(b, bool)):
                return a, None, x, b
            d = _dtype.result_dtype(_BY_NP[x.dtype], b).np
            return a, None, x.astype(d), b
        return operands(a, as_operand(b, a))
    if isinstance(b, Tensor):
        tb, ta, y, x = operands(b, a)
        return ta, tb, x, y
    raise TypeError(f"unsupported operand types: {type(a).__name__} and {type(b).__name__}")


def as_operand(v, like: Tensor):
    """Turn a non-tensor operand (NumPy scalar/array, list) into something ``operands`` accepts."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):                  # a copy, of the array's own (torch) dtype
        return _make(np.array(v, _dtype.from_numpy_dtype(v.dtype).np))
    if isinstance(v, complex):                     # a complex scalar: a 0-d complex tensor
        return _make(np.array(v, _dtype.result_dtype(like.dtype, v).np))
    raise TypeError(f"unsupported operand type(s) for Tensor: '{type(v).__name__}'")


def expand_error(src_shape, sizes) -> RuntimeError:
    """PyTorch's message for expanding a tensor of ``src_shape`` to ``sizes`` (which fails)."""
    lead = len(sizes) - len(src_shape)
    for i in range(len(src_shape) - 1, -1, -1):
        n = sizes[i + lead]
        if src_shape[i] != 1 and n != -1 and src_shape[i] != n:
            return RuntimeError(f"The expanded size of the tensor ({n}) must match the existing size "
                                f"({src_shape[i]}) at non-singleton dimension {i + lead}.  Target "
                                f"sizes: {list(sizes)}.  Tensor sizes: {list(src_shape)}")
    return RuntimeError(f"expand: cannot expand {list(src_shape)} to {list(sizes)}")


def broadcast_error(x, y):
    """PyTorch's message for shapes that do not broadcast."""
    sx, sy = np.shape(x), np.shape(y)
    n = max(len(sx), len(sy))
    px, py = (1,) * (n - len(sx)) + sx, (1,) * (n - len(sy)) + sy
    for i in range(n - 1, -1, -1):
        if px[i] != py[i] and px[i] != 1 and py[i] != 1:
            return RuntimeError(f"The size of tensor a ({px[i]}) must match the size of tensor b "
                                f"({py[i]}) at non-singleton dimension {i}")
    return RuntimeError("shapes cannot be broadcast")
