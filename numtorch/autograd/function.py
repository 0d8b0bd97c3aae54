"""``Function``: one differentiable operation, and the graph node it leaves behind.

Every op is a ``Function`` subclass with ``forward(ctx, ...)`` and ``backward(ctx, grad)`` side by
side.  ``ctx`` *is* the graph node (as in PyTorch, where ``y.grad_fn`` is the ctx of the op that
made ``y``).  Built-in ops (``_raw = True``) see NumPy arrays in both directions, which keeps the
per-op cost low; user subclasses of ``torch.autograd.Function`` see Tensors, as in PyTorch.

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
"""
from __future__ import annotations

import itertools

from . import grad_mode

# Every recorded node gets the next number: a node is always numbered after the nodes of its
# inputs, so running nodes from the highest number down is a topological order (the engine's).
next_sequence_nr = itertools.count().__next__


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
    _hooked = False       # set when a hook or retain_grad is registered on the node
    # create_graph=True (see engine._graph_ctx): the attribute names under which a built-in's
    # forward saves its inputs (in order), and the names of saved float arrays that are
    # constants of the graph (not functions of the inputs); ``out`` is the output when
    # ``saves_output``. Any other saved float array makes double backward refuse loudly.
    saved_inputs = ("x", "y", "w")
    constants = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._tracks_versions = bool(cls.saves or cls.saves_output)
        if "_name" not in cls.__dict__:
            cls._name = cls.__name__ + ("Backward0" if cls._raw else "Backward")

    # -- what users see -------------------------------------------------------------------------
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    @property
    def next_functions(self) -> tuple:
        out = []
        for entry in getattr(self, "_next", ()):
            if entry is None:
                out.append((None, 0))
            elif type(entry) is tuple:
                out.append((entry[0], 0))
            else:
                out.append((AccumulateGrad(entry), 0))
        return tuple(out)

    def register_hook(self, hook):
        """Hook called as ``hook(grad_inputs, grad_outputs)`` after this node's backward."""
        hooks = self.__dict__.setdefault("_node_hooks", [])
        self._hooked = True
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    # -- the user-Function API ------------------------------------------------------------------
    def save_for_backward(self, *tensors):
        self.to_save = tensors
        self._saved_versions = [(t._vc, t._vc[0]) for t in tensors if t is not None]

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        _check_versions(self)
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
        ctx = cls.__new__(cls)
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
        non_diff = getattr(ctx, "_non_diff", ())
        ctx._n_out = len(outs)
        results = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and id(o) not in non_diff:
                if any(o is a for a in tensors):   # returned an input unchanged: a new view of it
                    o = Tensor._make(o._data)
                o.grad_fn = ctx
                o._out_index = i
                o.requires_grad = True
            results.append(o)
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


def _zeros_like_output(node, i):
    import numpy as np
    shape, dtype = node._out_meta[i] if hasattr(node, "_out_meta") else ((), np.float32)
    return np.zeros(shape, dtype)


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


class AccumulateGrad:
    """The node PyTorch shows for a leaf in ``next_functions``; ``.variable`` is the leaf."""

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self) -> tuple:
        return ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    def __init__(self, hooks: list, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class FunctionCtx:
    """Alias kept for code that annotates ``ctx: FunctionCtx``."""


BackwardCFunction = Function
