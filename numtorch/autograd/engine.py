"""The backward engine: iterative, ordered by creation, one un-broadcast for all ops.

1. Run nodes from the most recently created down (a heap on their sequence numbers): a node's
   consumers were all created after it, so its gradients are complete when it runs. No
   recursion, so a chain of 10,000 ops is fine.
2. A node that no gradient reaches is never run.
3. A gradient flowing into an input is summed down to the input's shape and cast to its dtype
   here, so no op has to un-broadcast for itself.
4. Leaves receive ``.grad`` (accumulated); intermediate gradients live only in a local table.
5. Saved arrays are freed as each node finishes unless ``retain_graph=True``; a node that saved
   none (a sum, a view, an add) can run again, as in PyTorch.
"""
from __future__ import annotations

from heapq import heappop, heappush
from math import prod as _prod

import numpy as np

from . import anomaly_mode, grad_mode
from .._dtype import _BY_NP
from .._tensor import Tensor
from .function import (_SECOND_BACKWARD, _check_versions, AccumulateGrad, LeafHooks, Function,
                       HOLOMORPHIC)

_ndarray = np.ndarray
_add_reduce = np.add.reduce
_CONTAINERS = (tuple, list)

# Attributes of a node that describe the graph, not values saved for backward.
_STRUCTURE = frozenset(("_n_out", "_arg_is_tensor", "_node_hooks", "_retained", "_tensor_hooks",
                        "_node_prehooks", "_metadata", "_anomaly_trace"))
_anomaly = anomaly_mode.state
_callbacks = []         # queue_callback: run once the current backward pass has finished


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` down to ``shape`` (the inverse of broadcasting)."""
    gshape = g.shape
    if gshape == shape:
        return g
    extra = len(gshape) - len(shape)
    if extra > 0:                               # leading axes broadcasting added
        g = _add_reduce(g, tuple(range(extra)))
        gshape = g.shape
    if extra >= 0:
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and gshape[i] != 1)
        if axes:                                # size-1 axes that were stretched
            g = _add_reduce(g, axes, None, None, True)
        if g.shape == shape:
            return g
    if g.size < _prod(shape):                   # smaller than the input: spread it out
        return np.broadcast_to(g, shape).copy()
    return g.reshape(shape)


def run_backward(roots, grad_arrays, retain_graph: bool, capture=None, create_graph: bool = False,
                 needed=None):
    """Backpropagate from ``roots`` (Tensors) seeded with ``grad_arrays``.

    Nodes run from the most recently created down (a heap on their sequence numbers): every
    consumer of a node was created after it, so by the time a node runs, all the gradients it
    will receive have arrived. With ``capture`` (a dict id(tensor) -> None) the gradients of
    those tensors are collected and returned instead of being accumulated into leaves
    (``autograd.grad``).

    With ``create_graph`` the same loop runs on ``TensorArray``s (tensors that look like arrays,
    see ``numtorch.ops._tensor_array``) with grad mode on: every node's own ``backward`` formula
    then records the backward pass as a new graph, so gradients can be differentiated again.
    ``needed`` (a set of nodes, see ``nodes_needed``) limits the run to those nodes.
    """
    anomaly = _anomaly[0]
    outer_capture = capturing[0]
    capturing[0] = capture is not None
    try:
        if create_graph:
            prev = grad_mode.state[0]
            grad_mode.state[0] = True
            try:
                seeds = [g if type(g) is Tensor._TensorArray else Tensor._TensorArray(
                    g if isinstance(g, Tensor) else Tensor._make(g)) for g in grad_arrays]
                return _run(roots, seeds, retain_graph, capture, True, anomaly, needed)
            finally:
                grad_mode.state[0] = prev
        return _run(roots, grad_arrays, retain_graph, capture, False, anomaly, needed)
    except Exception as e:
        _callbacks.clear()
        if anomaly:         # show where in the forward the failing node was recorded
            anomaly_mode.report(e, _run.__code__)
        raise
    finally:
        capturing[0] = outer_capture
        if _callbacks:
            _run_callbacks()


# whether the running pass returns gradients (``autograd.grad``) instead of accumulating them
# into ``.grad`` (read by hooks that act only on accumulation, e.g. DDP's gradient averaging)
capturing = [False]


def queue_callback(fn) -> None:
    """Call ``fn()`` once the running backward pass has finished (PyTorch's
    ``Variable._execution_engine.queue_callback``)."""
    _callbacks.append(fn)


def _run_callbacks() -> None:
    while _callbacks:
        _callbacks.pop(0)()


def _run(roots, grad_arrays, retain_graph, capture, graph, anomaly=False, needed=None):
    given = set()           # ids of arrays already handed to a leaf (never share two .grad)
    grads = {}              # node -> list of output gradients received so far
    heap = []               # (-sequence number, node) of the nodes with a gradient waiting
    pending = {}            # id(leaf) -> [leaf, gradient] of leaves with hooks (see below)

    for t, g in zip(roots, grad_arrays):
        node = t.grad_fn
        if node is None:
            _deliver_to_leaf(t, g, given, capture, graph, pending)
            continue
        slot = grads.get(node)
        if slot is None:
            slot = grads[node] = [None] * node._n_out
            heappush(heap, (-node._seq_nr, node))
        i = t._out_index
        slot[i] = g if slot[i] is None else slot[i] + g

    while heap:
        node = heappop(heap)[1]
        out_grads = grads.pop(node)
        if node._hooked:
            out_grads = _output_hooks(node, out_grads, capture, graph)
        if needed is not None and node not in needed:
            continue                    # autograd.grad: nothing wanted lies below this node
        if node._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        if graph:
            in_grads = _graph_backward(node, out_grads)
        elif node._raw:
            versions = node._saved_versions
            if versions:
                for vc, version in versions:      # the check, inlined: raise only on a mismatch
                    if vc[0] != version:
                        _check_versions(node)
            in_grads = node.backward(node, out_grads[0])
        else:
            in_grads = node._run_backward(out_grads)
        nxt = node._next
        d = node.__dict__
        if node._hooked or anomaly:
            in_grads = _node_done(node, in_grads, out_grads, graph, anomaly)
        if not retain_graph and d:
            if node._raw and not node._hooked:
                # a built-in op's __dict__ is what its forward saved (the structure is in slots):
                # if that includes arrays, drop it all; a node that saved none (only shapes or
                # numbers, like PyTorch's sum or view) stays runnable
                for v in d.values():
                    if _is_saved(v):
                        d.clear()
                        node._freed = True
                        break
            else:
                _free(d)
        for entry, g in zip(nxt, in_grads):
            if entry is None or g is None:
                continue
            if type(entry) is not tuple:        # a leaf tensor (its AccumulateGrad)
                data = entry._data
                if g.shape != data.shape:
                    g = unbroadcast(g, data.shape)
                if g.dtype is not data.dtype and g.dtype != data.dtype:
                    if g.dtype.kind == "c" and data.dtype.kind != "c":
                        g = real_part(g)       # a real input takes the real part (PyTorch's rule)
                    g = g.astype(data.dtype)
                _deliver_to_leaf(entry, g, given, capture, graph, pending)
                continue
            target, shape, dtype, index = entry
            if g.shape != shape:
                g = unbroadcast(g, shape)
            if g.dtype is not dtype and g.dtype != dtype:
                if dtype.kind == "c":           # a real gradient for a complex value
                    check_complex((target,))
                elif g.dtype.kind == "c":
                    g = real_part(g)           # a real input takes the real part (PyTorch's rule)
                g = g.astype(dtype)
            slot = grads.get(target)
            if slot is None:
                grads[target] = [g] if target._n_out == 1 else _slot(target, index, g)
                heappush(heap, (-target._seq_nr, target))
            else:
                slot[index] = g if slot[index] is None else slot[index] + g
    for leaf, g in pending.values():     # hooked leaves: their hooks see the whole gradient once
        _deliver_to_leaf(leaf, g, given, None, graph)
    return capture


# -- complex gradients --------------------------------------------------------------------------
# PyTorch's convention: for a real loss L of a complex z, z's gradient is dL/dRe(z) + i dL/dIm(z),
# so a holomorphic op passes back g * conj(f'(z)). A complex gradient enters a graph only at a
# complex seed (_grad._seed_grads), at an edge where the loop above casts a real gradient to a
# complex value, and in the backward of the few ops that make complex gradients out of real ones
# (real, imag, abs, angle, view_as_real, var/std, irfft: check_complex_below). There the nodes
# with complex values below are set up once, before any of them runs: a class that has not
# declared complex support (Function.complex_grad) raises if it runs, a HOLOMORPHIC one has its
# backward conjugated around. Real graphs never reach this code.

_COMPLEX_MODE: dict = {}        # node class -> its complex_grad, as check_complex reads it
_CONJUGATED: dict = {}          # node class -> its backward wrapped in conjugates
_MISSING = object()


def _complex_mode(cls):
    mode = _COMPLEX_MODE.get(cls, _MISSING)
    if mode is _MISSING:
        fwd = getattr(cls, "_forward_cls", cls)       # a user-style Function's node class
        if not fwd.__module__.startswith("numtorch."):
            mode = True            # the user's own Function: its backward is theirs (PyTorch's)
        else:
            # a declaration counts only where it covers the backward in use (a subclass that
            # overrides backward below a declaring class is undeclared)
            mro = fwd.__mro__
            decl = next(k for k in mro if "complex_grad" in k.__dict__)
            impl = next((k for k in mro if "backward" in k.__dict__), Function)
            mode = decl.__dict__["complex_grad"] if issubclass(decl, impl) else None
            if mode == HOLOMORPHIC and not cls._raw:
                mode = None
        _COMPLEX_MODE[cls] = mode
    return mode


def _conjugated(cls):
    """``cls.backward`` for complex values: conj(backward(conj(g))), i.e. g * conj(f'(z))."""
    fn = _CONJUGATED.get(cls)
    if fn is None:
        inner = cls.backward
        conj = np.conjugate             # also a recorded op on TensorArrays (create_graph)

        def backward(ctx, g):
            res = inner(ctx, conj(g))
            if type(res) not in _CONTAINERS:
                res = (res,)
            return tuple(None if r is None else conj(r) for r in res)
        fn = _CONJUGATED[cls] = backward
    return fn


def _no_complex(node) -> RuntimeError:
    return RuntimeError(f"{node._name}: numtorch does not compute gradients through this op for "
                        "complex tensors yet (its backward has not been checked against PyTorch's "
                        "conjugate convention, so it would give wrong gradients). Split the "
                        "complex values with torch.view_as_real / .real / .imag before this op, or "
                        "run it without gradients.")


def _refuse(ctx, *grads):
    raise _no_complex(ctx)


def check_complex(nodes) -> None:
    """Before complex gradients reach ``nodes``: set up them and the nodes with complex values
    below them (once per node) to refuse, if undeclared, when they run (autograd.grad may not run
    them all), or to conjugate around their backward, if HOLOMORPHIC."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        d = node.__dict__
        if "_complex_checked" in d:
            continue
        inner = d.get("fn")             # CopySlices: the in-place op it runs on the view
        for n in (node, inner) if isinstance(inner, Function) else (node,):
            mode = _complex_mode(type(n))
            if mode is None:            # (an instance attribute: found before the class's)
                n.__dict__["backward"] = _refuse
            elif mode == HOLOMORPHIC:
                n.__dict__["backward"] = _conjugated(type(n))
        d["_complex_checked"] = True
        for e in getattr(node, "_next", ()):
            if type(e) is tuple and e[2].kind == "c":
                stack.append(e[0])


def real_part(g):
    """The real part of a complex gradient: of the array, or (create_graph=True) recorded on the
    TensorArray's tensor, so no cast warns that it discards the imaginary part."""
    t = getattr(g, "t", None)
    return g.real if t is None else type(g)(t.real)


def check_complex_below(node) -> None:
    """Called by a backward that turns real gradients into complex ones (``node``: its ctx)."""
    check_complex([e[0] for e in node._next if type(e) is tuple and e[2].kind == "c"])


def nodes_needed(roots, leaves, targets) -> set:
    """The nodes ``autograd.grad`` must run: those with a path down to one of the wanted
    ``leaves`` (ids of leaf tensors) or ``targets`` (nodes whose outputs are wanted). A target
    itself runs only if something wanted lies below it, as in PyTorch."""
    state = {}                         # node -> whether something wanted lies below it
    for root in roots:
        start = root.grad_fn
        if start is None or start in state:
            continue
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                state[node] = any(
                    (id(e) in leaves) if type(e) is not tuple else
                    (e[0] in targets or state.get(e[0], False))
                    for e in getattr(node, "_next", ()) if e is not None)
                continue
            if node in state:
                continue
            state[node] = False        # visiting (the graph has no cycles)
            stack.append((node, True))
            for e in getattr(node, "_next", ()):
                if type(e) is tuple and e[0] not in state:
                    stack.append((e[0], False))
    return {n for n, wanted in state.items() if wanted}


def _is_saved(v) -> bool:
    """Whether a value a node keeps is a saved tensor: an array, or a tuple or list holding
    arrays or tensors (sizes and numbers are not)."""
    if type(v) is _ndarray:
        return True
    return type(v) in _CONTAINERS and any(isinstance(e, (_ndarray, Tensor)) for e in v)


def _free(d: dict) -> None:
    """Drop the saved tensors of a user Function or a hooked node (its hooks stay)."""
    saved = [k for k in d.keys() - _STRUCTURE if _is_saved(d[k])]
    if d.pop("_packed", None) is not None:
        d["_freed"] = True
    if saved:
        for k in saved:
            del d[k]
        d["_freed"] = True


def _slot(target, index, g):
    slot = [None] * target._n_out
    slot[index] = g
    return slot


def _output_hooks(node, out_grads, capture, graph=False):
    d = node.__dict__
    for t in d.get("_tensor_hooks", ()):
        tensor, hooks = t
        i = tensor._out_index
        for hook in hooks:
            if out_grads[i] is None:
                continue
            res = hook(out_grads[i].t if graph else Tensor._make(out_grads[i]))
            if res is not None:
                out_grads[i] = Tensor._TensorArray(res) if graph else res._data
    retained = d.get("_retained")
    if retained is not None:
        for tensor in retained:
            g = out_grads[tensor._out_index]
            if g is None:
                continue
            if capture is not None:
                if id(tensor) in capture:
                    capture[id(tensor)] = g
                continue
            if graph:
                tensor._grad = _graph_grad(g) if tensor._grad is None else tensor._grad + g.t
            elif tensor._grad is None:
                tensor._grad = Tensor._make(g.copy())
            else:
                tensor._grad._data = tensor._grad._data + g
    packed = d.get("_packed")
    if packed is not None:                  # saved_tensors_hooks: backward reads the unpacked
        packed.unpack_into(node)
    prehooks = d.get("_node_prehooks")
    if prehooks:
        go = _shown(out_grads, graph)
        for hook in tuple(prehooks):
            res = hook(go)
            if res is not None:
                go = _replacement(res, go, hook)
        out_grads = _unshown(go, graph)
    return out_grads


def _node_done(node, in_grads, out_grads, graph, anomaly):
    """After a hooked node's backward (or any node's, in anomaly mode): its hooks, which may
    replace the gradients it computed, then anomaly mode's NaN check."""
    hooks = node.__dict__.get("_node_hooks")
    if hooks:
        gi = _shown([None if e is None else g for e, g in zip(node._next, in_grads)], graph)
        go = _shown(out_grads, graph)
        replaced = False
        for hook in tuple(hooks):
            res = hook(gi, go)
            if res is not None:
                gi, replaced = _replacement(res, gi, hook), True
        if replaced:
            in_grads = _unshown(gi, graph)
    if anomaly and _anomaly[1]:
        anomaly_mode.check_nan(node, in_grads)
    return in_grads


def _shown(grads, graph) -> tuple:
    """Gradients as hooks see them: a tuple of Tensors (None where there is none)."""
    if graph:
        return tuple(None if g is None else g.t for g in grads)
    return tuple(None if g is None else Tensor._make(g) for g in grads)


def _unshown(grads, graph) -> list:
    if graph:
        return [None if g is None else Tensor._TensorArray(g) for g in grads]
    return [None if g is None else g._data for g in grads]


def _replacement(res, old: tuple, hook) -> tuple:
    """What a node hook returned, checked as PyTorch does."""
    if not isinstance(res, (tuple, list)):
        raise TypeError(f"expected tuple, but hook returned '{type(res).__name__}'")
    if len(res) != len(old):
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                           f"{len(res)}, but expected {len(old)})")
    return tuple(res)


def _deliver_to_leaf(leaf, g, given, capture, graph=False, pending=None):
    if capture is not None:
        if id(leaf) in capture:
            prev = capture[id(leaf)]
            capture[id(leaf)] = g if prev is None else prev + g
        return
    hooks = leaf._hooks
    if hooks and pending is not None:
        # a leaf with hooks: as PyTorch's AccumulateGrad, which runs once, its hooks see the sum
        # of the gradients from all its uses, after the pass (``_run`` delivers it then)
        entry = pending.get(id(leaf))
        if entry is None:
            pending[id(leaf)] = [leaf, g]
        else:
            entry[1] = entry[1] + g
        return
    if graph:
        for hook in hooks or ():
            res = hook(g.t)
            if res is not None:
                g = Tensor._TensorArray(res)
        if type(hooks) is LeafHooks:
            g = _acc_hooks(leaf, g, True, True)
        if g.shape != leaf._data.shape:
            g = unbroadcast(g, leaf._data.shape)
        # under create_graph, .grad is the gradient tensor itself (with its grad_fn), and a later
        # gradient is added out of place, as in PyTorch
        leaf._grad = _graph_grad(g) if leaf._grad is None else leaf._grad + g.t
        if type(hooks) is LeafHooks:
            _acc_hooks(leaf, g, False, True)
        return
    if hooks:
        for hook in hooks:
            res = hook(leaf._make(g))
            if res is not None:
                g = res._data
        if type(hooks) is LeafHooks:
            g = _acc_hooks(leaf, g, True, False)
    if g.shape != leaf._data.shape:
        g = unbroadcast(g, leaf._data.shape)
    grad = leaf._grad
    if grad is None:
        if g.base is not None or id(g) in given or not g.flags.writeable:
            g = g.copy()
        given.add(id(g))
        leaf._grad = leaf._make(g)       # _make is static: it makes a plain Tensor
    else:
        grad._data += g
        grad._vc[0] += 1
    if hooks and type(hooks) is LeafHooks:
        _acc_hooks(leaf, g, False, False)


def _acc_hooks(leaf, g, pre: bool, graph: bool):
    """The leaf's ``AccumulateGrad`` hooks: ``pre`` ones (``fn(grad_outputs)``, may replace the
    gradient) before accumulation, the others (``fn((), grad_outputs)``) after."""
    acc = leaf.__dict__.get("_grad_accumulator")
    if type(acc) is not AccumulateGrad:
        return g
    go = _shown((g,), graph)
    if pre:
        for hook in tuple(acc._prehooks):
            res = hook(go)
            if res is not None:
                go = _replacement(res, go, hook)
        return _unshown(go, graph)[0]
    for hook in tuple(acc._hooks):
        hook((), go)
    return g


# -- create_graph=True ---------------------------------------------------------------------------

def _graph_grad(g):
    """The tensor a ``.grad`` keeps under create_graph: writable memory of its own."""
    t = g.t
    if not t._data.flags.writeable or t._data.base is not None:
        t = t.clone() if t.requires_grad else Tensor._make(t._data.copy())
    return t


class _GraphCtx:
    """What a built-in op's ``backward`` reads under create_graph: the node's saved arrays as
    TensorArrays tied to the graph (inputs, the output), constants as they are, and everything
    else (class defaults, ``needs_input_grad``) from the node itself."""

    __slots__ = ("__dict__", "_node")

    def __getattr__(self, name):
        return getattr(self._node, name)


def _graph_ctx(node):
    cls = type(node)
    ctx = _GraphCtx()
    ctx._node = node
    names = cls.saved_inputs
    nxt = node._next
    values = ctx.__dict__
    TA = Tensor._TensorArray
    # ``traced = {"name": fn}`` on an op class: a saved intermediate ``name`` is rebuilt as
    # ``fn(ctx)`` from the traced inputs/output (its forward arithmetic, recorded on the graph)
    traced = cls.traced
    for key, v in node.__dict__.items():
        # a 0-d result is often a NumPy scalar (ufuncs return those), not an array: an input or
        # output saved as one is traced all the same
        if type(v) is _ndarray or (isinstance(v, np.generic) and (key in names or key == "out")):
            if key in names and names.index(key) < len(nxt):
                v = TA(_input_tensor(nxt[names.index(key)], v, node))
            elif key == "out" and cls.saves_output:
                out = Tensor._make(v, True)
                out.grad_fn = node
                v = TA(out)
            elif key in traced:
                continue
            elif v.dtype.kind in "fc" and key not in cls.constants:
                raise _untraceable(node, key)
        elif type(v) in _CONTAINERS and key not in cls.constants and key not in traced and any(
                type(e) is _ndarray and e.dtype.kind in "fc" for e in v):
            raise _untraceable(node, key)           # float arrays in a tuple: not constants either
        values[key] = v
    for key, rebuild in traced.items():         # in order: a later one may read an earlier one
        if type(node.__dict__.get(key)) is _ndarray:
            values[key] = rebuild(ctx)
    return ctx


def _untraceable(node, key) -> RuntimeError:
    return RuntimeError(f"numtorch: {node._name} does not support double backward yet (it saved "
                        f"'{key}', an intermediate value that create_graph=True cannot trace)")


def _input_tensor(edge, v, node):
    """A tensor standing for a node's input ``v`` (a saved array) in the recorded backward."""
    if edge is None:
        return Tensor._make(v)                    # an input that needs no gradient: a constant
    if type(edge) is not tuple:                   # a leaf
        if edge._data is v:
            return edge
        if edge._data.shape != v.shape:
            raise RuntimeError(f"numtorch: {node._name} saved an input it changed; double backward "
                               "through it is not supported")
        return edge.to(_BY_NP[v.dtype])
    fn, shape, dtype, index = edge
    if shape != v.shape:
        raise RuntimeError(f"numtorch: {node._name} saved an input it changed; double backward "
                           "through it is not supported")
    t = Tensor._make(v if v.dtype == dtype else v.astype(dtype), True)
    t.grad_fn = fn
    t._out_index = index
    return t if v.dtype == dtype else t.to(_BY_NP[v.dtype])


def _graph_backward(node, out_grads):
    """Run ``node``'s backward on TensorArrays (create_graph=True); returns TensorArrays/None."""
    TA = Tensor._TensorArray
    if not node._raw:
        return _graph_user_backward(node, out_grads)
    _check_versions(node)
    g = out_grads[0]
    if g is None:
        return (None,) * len(node._next)
    res = node.backward(_graph_ctx(node), g)
    if type(res) is not tuple:
        res = tuple(res)
    res = tuple(TA(Tensor._make(r)) if type(r) is _ndarray else r for r in res)
    link = node.linked_backward
    if link is not None and res[0] is not None and node._next[0] is not None:
        res = (res[0].linked(_link_target(node._next[0]), link),) + res[1:]
    return res


def _link_target(edge):
    """A tensor at input ``edge``'s place in the graph (its values are not read)."""
    if type(edge) is not tuple:
        return edge                                   # a leaf
    fn, shape, dtype, index = edge
    t = Tensor._make(np.broadcast_to(np.zeros((), dtype), shape), True)
    t.grad_fn = fn
    t._out_index = index
    return t


def _graph_user_backward(node, out_grads):
    """A user ``autograd.Function``: its backward runs on tensors with grad mode on."""
    from .function import _zeros_like_output
    if not hasattr(node, "_next"):
        raise RuntimeError(_SECOND_BACKWARD)
    _check_versions(node)
    wrapped = []
    for i, g in enumerate(out_grads):
        if g is None and getattr(node, "_materialize", True):
            wrapped.append(Tensor._make(_zeros_like_output(node, i)))
        else:
            wrapped.append(None if g is None else g.t)
    res = node.backward(node, *wrapped)
    if not isinstance(res, tuple):
        res = (res,)
    flags = node._arg_is_tensor
    if len(res) < len(flags):
        raise RuntimeError(f"function {node._name} returned an incorrect number of gradients "
                           f"(expected {len(flags)}, got {len(res)})")
    TA = Tensor._TensorArray
    return tuple(None if r is None else TA(r) for r, f in zip(res, flags) if f)
