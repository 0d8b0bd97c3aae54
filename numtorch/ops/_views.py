"""In-place operations on views, recorded as PyTorch records them (its ``CopySlices``).

A view of a tensor that requires grad remembers its root base and the steps that made it
(``Tensor._view_of``: each step is a view op's ``Function`` class and its parameters). An
in-place op on such a view writes the base's memory, so the *base's* history is rewritten: its
``grad_fn`` becomes ``CopySlices``, whose backward sends the gradient of the written region
through the in-place op's own backward and passes the rest of the base's gradient through
unchanged. Every live view of the base then gets a regenerated ``grad_fn``
(``AsStridedBackward0``) that reads from the new history, as PyTorch's views do after their base
changed.

Nothing here runs when no tensor requires grad: a view is only tracked when its input requires
grad (``Tensor._view_of`` is a class-level ``None`` otherwise).

>>> import numtorch as torch
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> y = x * 2
>>> v = y[0]
>>> _ = v.mul_(3)
>>> y.grad_fn.name(), v.grad_fn.name()
('torch::autograd::CopySlices', 'AsStridedBackward0')
>>> y.sum().backward(); x.grad
tensor([6., 2.])
"""
from __future__ import annotations

from weakref import ref as _ref

import numpy as np

from ..autograd import engine as _engine, grad_mode as _grad_mode
from ..autograd.function import Function, _edge, next_sequence_nr as _next_seq

_new = object.__new__
_state = _grad_mode.state
_NO_GRAD = "no_grad"          # the meta of a view made while grad mode was off

_MULTI_TAIL = ("This view is the output of a function that returns multiple views. Such functions "
               "do not allow the output views to be modified inplace. You should replace the "
               "inplace operation by an out-of-place one.")


# A tracked view's ``_view_of`` is a tuple ``(base, steps, meta)``: its root ``base``, the
# ``steps`` ((view Function class, params), ...) that make it from the base's array, and ``meta``:
# None, ``_NO_GRAD``, or ``(view Function class, output index)`` for the outputs of multi-view
# functions (unbind, split) and views of them, which PyTorch forbids modifying in place.


def _op_name(cls) -> str:
    """``SplitWithSizesBackward0`` -> ``SplitWithSizes`` (how PyTorch names ops in messages)."""
    return cls._name.split("Backward")[0]


def track(out, input, cls, params: tuple, multi=None) -> None:
    """Record that ``out`` is a view of ``input`` (which requires grad) made by
    ``cls.forward(ctx, input_array, *params)``; ``multi`` is the output's index when the op
    returns several views (unbind, split, chunk)."""
    info = input._view_of
    if info is None:
        base, steps = input, ((cls, params),)
        meta = None if multi is None else (cls, multi)
    else:
        base, steps, meta = info[0], info[1] + ((cls, params),), info[2]
        if meta is not _NO_GRAD and (meta is not None or multi is not None):
            meta = (cls, 0 if multi is None else multi)     # views of multi-view outputs too
    if not _state[0]:
        out.requires_grad = True            # as in PyTorch, a view made under no_grad still
        meta = _NO_GRAD                     # requires grad, and may not be modified with grad on
    elif base.grad_fn is not None:
        # views of a non-leaf base are regenerated when it is modified in place
        views = base._views
        if views is None:
            base._views = [_ref(out)]
        else:
            n = len(views)
            if n >= 16 and not n & (n - 1):               # prune dead views at powers of two
                views[:] = [r for r in views if r() is not None]
            views.append(_ref(out))
    out._view_of = (base, steps, meta)


def check(info, sub=None) -> None:
    """PyTorch's refusals of an in-place op (grad mode on) on a tracked view (``info`` is its
    ``_view_of``); ``sub`` is the view op a ``view[index] = v`` goes through, if any."""
    meta = info[2]
    if meta is _NO_GRAD:
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
            "can clarify your code by moving both the view and the inplace either both inside the "
            "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
            "want the inplace to be tracked).")
    if meta is not None:
        cls, index = (sub, 0) if sub is not None else meta
        raise RuntimeError(f"Output {index} of {_op_name(cls)} is a view and is being modified "
                           "inplace. " + _MULTI_TAIL)
    if info[0].grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")


# -- replaying a view on a gradient ----------------------------------------------------------------

def _replay(a, steps):
    """Apply the view ``steps`` to ``a`` (an array, or a TensorArray under create_graph) with each
    view op's own forward; return the view and the steps' ctxs (what their backward reads, plus
    ``in_shape_``, the shape each step started from)."""
    ctxs = []
    for cls, params in steps:
        ctx = _new(cls)
        ctx.in_shape_ = a.shape
        a = cls.forward(ctx, a, *params)
        ctxs.append(ctx)
    return a, ctxs


def _scatter(g, ctxs):
    """The gradient of the base given the gradient ``g`` of the view: the view ops' own backward
    formulas, last step first (an ``expand`` step is summed back by ``unbroadcast``)."""
    for ctx in reversed(ctxs):
        g = type(ctx).backward(ctx, g)[0]
        shape = ctx.in_shape_
        if g.shape != shape:
            g = _engine.unbroadcast(g, shape)
    return g


# -- the nodes ----------------------------------------------------------------------------------

class CopySlices(Function):
    """The base's node after an in-place op ``fn`` on one of its views.

    Its inputs are the base's previous history and ``fn``'s other inputs. Backward: the view's
    region of the base's gradient goes through ``fn.backward`` (one formula per op), which also
    gives the other inputs' gradients; the rest of the base's gradient passes through. It uses
    only the view ops' forward/backward formulas, ``np.zeros_like``, ``np.ones`` and ``np.where``
    on the gradient, so it runs on TensorArrays (create_graph=True) as on arrays.
    """
    _raw = True
    _name = "torch::autograd::CopySlices"
    complex_grad = True

    @staticmethod
    def backward(ctx, g):
        fn = ctx.fn
        gv, ctxs = _replay(g, ctx.steps)
        # under create_graph, fn's saved values must be tied to the graph as the engine ties a
        # node's own (engine._graph_ctx); on arrays fn is its own ctx
        grads = fn.backward(fn if type(g) is np.ndarray else _engine._graph_ctx(fn), gv)
        gself = grads[0]
        if gself is None:
            gself = np.zeros_like(gv)
        elif gself.shape != gv.shape:
            gself = _engine.unbroadcast(gself, gv.shape)
        if gself.dtype != g.dtype:
            gself = gself.astype(g.dtype)
        written = _scatter(np.ones(gv.shape, np.bool_), ctxs)     # the region, as a mask
        return (np.where(written, _scatter(gself, ctxs), g),) + tuple(grads[1:])

    def __repr__(self) -> str:
        return f"<CopySlices object at {hex(id(self))}>"


class AsStrided(Function):
    """The regenerated node of a view whose base's history changed: the base's gradient is the
    view's gradient put back in place (the view ops' own backward formulas)."""
    _raw = True
    _name = "AsStridedBackward0"
    complex_grad = True

    @staticmethod
    def backward(ctx, g):
        return (_scatter(g, ctx.ctxs),)


class _ModifiedMultiView(Function):
    """Stands for the node of an unbind/split output whose base was modified in place: PyTorch
    refuses to differentiate through it."""
    _raw = True

    @staticmethod
    def backward(ctx, g):
        cls, index = ctx.meta
        raise RuntimeError(f"Output {index} of {_op_name(cls)} is a view and its base or another "
                           "view of its base has been modified inplace. " + _MULTI_TAIL)


def keep_retained(t, old, new) -> None:
    """``t``'s node changed from ``old`` to ``new`` (an in-place op): as in PyTorch, its
    ``retain_grad()`` follows it (``.grad`` is the gradient of its current value); hooks stay."""
    if old is not None and old._hooked:
        retained = old.__dict__.get("_retained")
        if retained and any(r is t for r in retained):
            retained[:] = [r for r in retained if r is not t]
            new.__dict__.setdefault("_retained", []).append(t)
            new._hooked = True


def rebase(view, fn) -> None:
    """``fn`` (a recorded in-place op's node) has just written ``view``: the view's base takes
    a ``CopySlices`` node and its views are regenerated."""
    base, steps, _ = view._view_of
    node = _new(CopySlices)
    node.fn = fn
    node.steps = steps
    # an array, so that the engine releases this node (and fn's saved values) after a
    # backward without retain_graph: PyTorch's CopySlices cannot run twice either
    node.base_shape = np.array(base._data.shape, np.int64)
    node._next = [_edge(base)] + list(fn._next[1:])
    node.needs_input_grad = [True] + list(fn.needs_input_grad[1:])
    node._seq_nr = _next_seq()
    node._saved_versions = fn._saved_versions
    keep_retained(base, base.grad_fn, node)
    base.grad_fn = node
    if base._out_index:
        base._out_index = 0
    regenerate(base)


def regenerate(base) -> None:
    """Give every live view of ``base`` a ``grad_fn`` reading from the base's current history."""
    views = base._views
    if not views:
        return
    edge = _edge(base)
    data = base._data
    alive = []
    for ref in views:
        v = ref()
        if v is None:
            continue
        alive.append(ref)
        _, steps, meta = v._view_of
        if meta is not None and meta is not _NO_GRAD:
            node = _new(_ModifiedMultiView)
            node.meta = meta
            node._name = v.grad_fn._name if v.grad_fn is not None else "AsStridedBackward0"
        else:
            node = _new(AsStrided)
            node.ctxs = _replay(data, steps)[1]
        node._next = [edge]
        node.needs_input_grad = [True]
        node._seq_nr = _next_seq()
        node._saved_versions = None
        keep_retained(v, v.grad_fn, node)
        v.grad_fn = node
        if v._out_index:
            v._out_index = 0
    views[:] = alive
