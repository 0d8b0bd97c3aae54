"""``Function``: one differentiable operation, and the graph node it leaves behind.

Every op is a ``Function`` subclass with ``forward(ctx, ...)`` and ``backward(ctx, grad)`` side by
side.  ``ctx`` *is* the graph node (as in PyTorch, where ``y.grad_fn`` is the ctx of the op that
made ``y``).  Built-in ops (``_raw = True``) see NumPy arrays in both directions, which keeps the
per-op cost low; user subclasses of ``torch.autograd.Function`` see Tensors, as in PyTorch.

A node shows itself as PyTorch's does: ``type(y.grad_fn).__name__`` is ``MulBackward0``; a user
Function ``MyFn`` records ``MyFnBackward`` nodes (a ``BackwardCFunction``); ``next_functions``,
``metadata``, ``register_hook``/``register_prehook`` and the ``_saved_*`` attributes work on
both (``_saved_*``: see ``_saved_names.py``).

>>> import numtorch as torch
>>> class Square(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x * x
...     @staticmethod
...     def backward(ctx, g):
...         x, = ctx.saved_tensors
...         return 2 * x * g
>>> x = torch.tensor([3.0], requires_grad=True)
>>> Square.apply(x).backward(); x.grad
tensor([6.])
>>> type(Square.apply(x).grad_fn).__name__, type((x * x).grad_fn).__name__
('SquareBackward', 'MulBackward0')
"""
from __future__ import annotations

import itertools
import weakref

from . import grad_mode

# Every recorded node gets the next number: a node is always numbered after the nodes of its
# inputs, so running nodes from the highest number down is a topological order (the engine's).
next_sequence_nr = itertools.count().__next__

# ``record_hooks[0]``, when set, is called as ``fn(node, tensors, output)`` by ops/_apply.py's
# ``_record`` (for nodes that save tensors) and by ``Function.apply``: saved-tensor hooks
# (``graph.saved_tensors_hooks``) and anomaly mode's forward traces. None, the common case, costs
# one check. ``set_recorder`` keeps it up to date.
record_hooks = [None]
_recorders: dict = {}

# ``node._saved_<name>`` is answered by ``graph.saved_value`` (and ``dir(node)`` lists them by
# ``graph.saved_names``), which graph.py registers here (``set_saved_value``): this module does
# not import graph.py, which imports it.
_saved_value = [None, None]

# ``complex_grad = HOLOMORPHIC`` on an op class: see Function.complex_grad.
HOLOMORPHIC = "holomorphic"

# The first built-in class recorded under each node name (``"TBackward0"`` -> ``T``).
NODE_CLASSES: dict = {}


def set_saved_value(value, names) -> None:
    """Register ``value(node, name)``, the answer to ``node._saved_<name>``, and
    ``names(node)``, the ``_saved_*`` names ``dir(node)`` lists."""
    _saved_value[0], _saved_value[1] = value, names


def set_recorder(name: str, fn) -> None:
    """Install (or, with ``fn=None``, remove) a function run as each node is recorded."""
    if fn is None:
        _recorders.pop(name, None)
    else:
        _recorders[name] = fn
    fns = tuple(_recorders.values())
    if not fns:
        record_hooks[0] = None
    elif len(fns) == 1:
        record_hooks[0] = fns[0]
    else:
        def run_all(node, tensors, out):
            for f in fns:
                f(node, tensors, out)
        record_hooks[0] = run_all


class Function:
    """Base class of differentiable operations; an instance is a node of the graph.

    Node fields (set when the node is recorded):
      _seq_nr   creation order (see ``next_sequence_nr``)
      _next     one entry per tensor input: ``None`` when it needs no gradient, the tensor
                itself for a leaf (its ``AccumulateGrad``), otherwise ``(node, shape,
                np_dtype, index)``: the input's ``grad_fn``, the input's shape and dtype, and
                which of the node's outputs it is.
      _saved_versions  ``[(version_counter, version), ...]`` of tensors the backward reads
                (or None).
      needs_input_grad tuple of bools, one per tensor input.
    These are slots, so a built-in op's ``__dict__`` holds exactly what its ``forward`` saved:
    the engine frees a node by clearing it.
    """

    __slots__ = ("__dict__", "__weakref__", "_next", "_seq_nr", "needs_input_grad",
                 "_saved_versions")

    _raw = False          # built-in ops: True (forward/backward on arrays)
    _name = "Function"    # what name() and repr show, e.g. "MulBackward0"
    saves = ()            # built-ins: indices of inputs whose values backward reads
    saves_output = False  # built-ins: backward reads the output (exp, sigmoid, tanh, ...)
    _n_out = 1            # outputs of the node (user Functions may return several)
    _freed = False        # set once backward has released the saved values
    # set when the node has per-node extras the engine must look at: tensor hooks, retain_grad,
    # node hooks and prehooks, metadata, packed saved tensors
    _hooked = False
    # create_graph=True (see engine._graph_ctx): the attribute names under which a built-in's
    # forward saves its inputs (in order), and the names of saved float arrays that are
    # constants of the graph (not functions of the inputs); ``out`` is the output when
    # ``saves_output``. Any other saved float array makes double backward refuse loudly.
    saved_inputs = ("x", "y", "w")
    constants = ()
    # built-ins: ``saved_for[i]`` is the input whose gradient reads saved input i (mul saves x
    # only for y's gradient); an input saved for a gradient nobody needs is not version-checked,
    # as PyTorch does not save it
    saved_for = None
    # built-ins whose gradient is piecewise constant in the input (relu, leaky_relu, hardtanh):
    # PyTorch's double-backward node, which ties the recorded gradient to the input with a zero
    # derivative (so a gradient penalty through relu reaches its bias with zeros, not None)
    linked_backward = None
    # ``{"name": fn}``: a saved intermediate ``name`` is rebuilt under create_graph as ``fn(ctx)``
    # from the traced inputs and output (its forward arithmetic, never a gradient); read-only
    traced: dict = {}
    # complex gradients (checked by engine.check_complex, only where one flows): None, a built-in
    # whose backward has not been checked against PyTorch's conjugate convention (a complex
    # gradient reaching it raises); True, its backward follows the convention itself (linear ops
    # with real coefficients do); HOLOMORPHIC, its backward is the complex derivative written as
    # for real numbers, which the engine conjugates around (g * conj(f'(z)))
    complex_grad = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._tracks_versions = bool(cls.saves or cls.saves_output)
        d = cls.__dict__
        if "_name" not in d:
            cls._name = cls.__name__ + ("Backward0" if cls._raw else "Backward")
        cls._op_name = cls.__name__            # the Python class name (the _saved_names key)
        if cls._raw:
            NODE_CLASSES.setdefault(cls._name, cls)
            # the type shows PyTorch's node name: type(y.grad_fn).__name__ == "MulBackward0";
            # "torch::autograd::CopySlices" shows as CopySlices, as in PyTorch
            shown = cls._name.rsplit("::", 1)[-1]
            if shown.isidentifier():
                cls.__name__ = cls.__qualname__ = shown
        elif "_forward_cls" not in d:
            # a user Function: its nodes are instances of MyFnBackward, as in PyTorch
            cls._backward_cls = type(cls._name, (BackwardCFunction,),
                                     {"_forward_cls": cls, "_name": cls._name,
                                      "__module__": __name__, "__qualname__": cls._name})

    # -- what users see -------------------------------------------------------------------------
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    def __getattr__(self, name):
        # only reached for attributes that are not there: PyTorch's ``_saved_<name>`` views
        if name.startswith(("_saved_", "_raw_saved_")) and _saved_value[0] is not None:
            return _saved_value[0](self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        # PyTorch's saved values, not the version bookkeeping (which shares their prefix)
        names = [n for n in super().__dir__() if n != "_saved_versions"]
        return names + _saved_value[1](self) if _saved_value[1] is not None else names

    @property
    def next_functions(self) -> tuple:
        """``((node, output_index), ...)``, one per tensor input: ``(None, 0)`` for an input
        that needs no gradient, the leaf's ``AccumulateGrad`` (the same object each time)."""
        out = []
        for entry in getattr(self, "_next", ()):
            if entry is None:
                out.append((None, 0))
            elif type(entry) is tuple:
                out.append((entry[0], entry[3]))
            else:
                out.append((accumulate_grad(entry), 0))
        return tuple(out)

    @property
    def metadata(self) -> dict:
        """A dict kept with the node for the user (empty at first)."""
        d = self.__dict__
        m = d.get("_metadata")
        if m is None:
            m = d["_metadata"] = {}
            self._hooked = True          # so freeing the saved values keeps it
        return m

    def _sequence_nr(self) -> int:
        return getattr(self, "_seq_nr", 0)

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward; a tuple it
        returns replaces ``grad_inputs``.

        >>> import numtorch as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> y = x * 3
        >>> h = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, None))   # x, the 3
        >>> y.sum().backward(); x.grad
        tensor([0., 0.])
        """
        hooks = self.__dict__.setdefault("_node_hooks", [])
        self._hooked = True
        hooks.append(hook)
        return _RemovableHandle(hooks, hook, self)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node's backward; a tuple it returns replaces
        ``grad_outputs``."""
        hooks = self.__dict__.setdefault("_node_prehooks", [])
        self._hooked = True
        hooks.append(hook)
        return _RemovableHandle(hooks, hook, self)

    # -- the user-Function API ------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        self.to_save = tensors
        self._saved_versions = [(t._vc, t._vc[0]) for t in tensors if t is not None]

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        _check_versions(self)
        packed = self.__dict__.get("_packed")
        if packed is not None:
            return packed.unpack_all(self)
        return self.to_save

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value: bool):
        self._materialize = bool(value)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` without recording, then record one node for the whole call."""
        from .._tensor import Tensor
        node_cls = cls.__dict__.get("_backward_cls", cls)
        ctx = object.__new__(node_cls)
        tensors = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with grad_mode.no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if not (grad_mode.state[0] and any(t.requires_grad for t in tensors)):
            return out
        ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx._next = tuple(_edge(t) for t in tensors)
        ctx._seq_nr = next_sequence_nr()
        outs = out if isinstance(out, tuple) else (out,)
        non_diff = ctx.__dict__.get("_non_diff", ())
        ctx._n_out = len(outs)
        if len(outs) > 1:            # unused outputs get zeros of their own shape in backward
            ctx._out_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor)
                                  else ((), None) for o in outs)
        results = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) not in non_diff:
                if any(o is a for a in tensors):   # returned an input unchanged: a new view of it
                    o = Tensor._make(o._data)
                o.grad_fn = ctx
                o._out_index = i
                o.requires_grad = True
            results.append(o)
        if record_hooks[0] is not None:
            record_hooks[0](ctx, (), None)
        return tuple(results) if isinstance(out, tuple) else results[0]

    # -- the engine's entry point ---------------------------------------------------------------
    def _run_backward(self, grads: list):
        """Gradients (arrays or None) for the tensor inputs, given those of the outputs."""
        from .._tensor import Tensor
        if not hasattr(self, "_next"):
            raise RuntimeError(_SECOND_BACKWARD)
        if self._raw:
            _check_versions(self)
            return self.backward(self, grads[0])
        _check_versions(self)
        wrapped = []
        for i, g in enumerate(grads):
            if g is None and getattr(self, "_materialize", True):
                g = _zeros_like_output(self, i)
            wrapped.append(None if g is None else Tensor._make(g))
        with grad_mode.no_grad():
            res = self.backward(self, *wrapped)
        if not isinstance(res, tuple):
            res = (res,)
        # user backward returns one gradient per forward argument; keep the tensors' ones
        flags = self._arg_is_tensor
        if len(res) < len(flags):
            raise RuntimeError(f"function {self._name} returned an incorrect number of gradients "
                               f"(expected {len(flags)}, got {len(res)})")
        return tuple(None if g is None else g._data for g, f in zip(res, flags) if f)


class FunctionCtx:
    """What a user Function's ``ctx`` is an instance of (code annotates ``ctx: FunctionCtx``)."""


class BackwardCFunction(Function, FunctionCtx):
    """The class of a user Function's nodes: ``MyFn.apply`` records a ``MyFnBackward`` (made
    once per Function class), whose ``backward`` is ``MyFn.backward``.

    >>> import numtorch as torch
    >>> class MyFn(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * 2
    >>> y = MyFn.apply(torch.ones(1, requires_grad=True))
    >>> type(y.grad_fn).__name__, isinstance(y.grad_fn, torch.autograd.function.BackwardCFunction)
    ('MyFnBackward', True)
    """

    _forward_cls = None

    @staticmethod
    def backward(ctx, *grads):
        return ctx._forward_cls.backward(ctx, *grads)

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{self._name} object at {hex(id(self))}>"


def _zeros_like_output(node, i):
    import numpy as np
    shape, dtype = node._out_meta[i] if hasattr(node, "_out_meta") else ((), np.float32)
    return None if dtype is None else np.zeros(shape, dtype)     # None for a non-tensor output


def _edge(t):
    """The graph edge to input tensor ``t``: None if it needs no gradient."""
    if not t.requires_grad:
        return None
    fn = t.grad_fn
    if fn is None:
        return t                                            # a leaf: the tensor itself
    return (fn, t._data.shape, t._data.dtype, t._out_index)


def _check_versions(node):
    for vc, version in getattr(node, "_saved_versions", None) or ():
        if vc[0] != version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: a tensor saved by {node._name} is at version {vc[0]}; expected "
                f"version {version} instead. Hint: the backtrace further above can point to the "
                "operation that failed to compute its gradient. The variable in question was changed "
                "in there or anywhere later. Good luck!")


def accumulate_grad(leaf) -> "AccumulateGrad":
    """The leaf's ``AccumulateGrad``: the same object for as long as someone holds it (the leaf
    keeps a weak reference, the node a strong one to the leaf, as in PyTorch)."""
    ref = leaf.__dict__.get("_grad_accumulator")
    acc = ref() if type(ref) is weakref.ref else ref
    if acc is None or acc.variable is not leaf:          # (a deepcopy carries the original's)
        acc = AccumulateGrad(leaf)
        leaf._grad_accumulator = weakref.ref(acc)
    return acc


class AccumulateGrad:
    """The node PyTorch shows for a leaf in ``next_functions``; ``.variable`` is the leaf.

    >>> import numtorch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> acc = (x * 2).grad_fn.next_functions[0][0]
    >>> acc.variable is x, acc is (x + 1).grad_fn.next_functions[0][0]
    (True, True)
    """

    __slots__ = ("variable", "metadata", "_prehooks", "_hooks", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        self.metadata = {}
        self._prehooks = []
        self._hooks = []

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    @property
    def requires_grad(self) -> bool:
        return True

    def _sequence_nr(self) -> int:
        return (1 << 64) - 1

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` before the gradient is accumulated into ``.grad`` (after the
        tensor's own hooks); a tuple it returns replaces the gradient."""
        return self._add(self._prehooks, hook)

    def register_hook(self, hook):
        """``hook((), grad_outputs)`` after the gradient has been accumulated into ``.grad``."""
        return self._add(self._hooks, hook)

    def _add(self, hooks: list, hook):
        leaf = self.variable
        leaf._grad_accumulator = self        # now held by the leaf: its hooks must live on
        if type(leaf._hooks) is not LeafHooks:
            leaf._hooks = LeafHooks(leaf._hooks or ())
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def __deepcopy__(self, memo):
        return None                          # a copied leaf gets its own when asked


class LeafHooks(list):
    """A leaf's tensor hooks once its ``AccumulateGrad`` has hooks too: always true, so the
    engine's ``if leaf._hooks:`` takes the hooked path, which runs them."""

    def __bool__(self) -> bool:
        return True


# What makes a node "hooked" (the engine's slower path that runs hooks and keeps these on free).
_HOOK_KEYS = ("_node_hooks", "_node_prehooks", "_retained", "_metadata", "_packed")


def refresh_hooked(node) -> None:
    """Recompute ``node._hooked`` from what the node still holds (after a hook or a retained
    tensor is removed), so a node with nothing left goes back to the engine's fast path."""
    d = node.__dict__
    if any(d.get(k) for k in _HOOK_KEYS) or any(h for _, h in d.get("_tensor_hooks", ())):
        node._hooked = True
        return
    for k in _HOOK_KEYS + ("_tensor_hooks", "_hooked"):
        d.pop(k, None)


class _RemovableHandle:
    """What ``register_hook`` returns; ``node`` (when given) is re-checked once the hook is gone."""

    def __init__(self, hooks: list, hook, node=None):
        self._hooks, self._hook, self._node = hooks, hook, node

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
            if self._node is not None:
                refresh_hooked(self._node)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")
