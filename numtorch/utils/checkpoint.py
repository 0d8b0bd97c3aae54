"""``torch.utils.checkpoint``: trade compute for memory by recomputing a forward in backward.

``checkpoint(fn, *args, use_reentrant=...)`` runs ``fn`` keeping none of its intermediate
results; backward runs ``fn`` again to get them. Gradients are those of ``fn(*args)``, and with
``preserve_rng_state=True`` (the default) the recomputation draws the same random numbers
(dropout masks match), then the global generator is put back where it was.

* ``use_reentrant=False`` (what PyTorch recommends): the output has the usual graph
  (``grad_fn=<AddmmBackward0>``), but the nodes made inside ``fn`` keep no saved arrays; the
  first of them that backward reaches recomputes ``fn`` and hands each node its arrays again.
  Works with ``torch.autograd.grad``, keyword arguments and any output structure; parameters
  used inside get gradients even when no input requires grad.
* ``use_reentrant=True``: one ``CheckpointFunctionBackward`` node; its backward recomputes and
  runs a backward of its own. As in PyTorch: only when an input requires grad does anything get
  a gradient, ``torch.autograd.grad`` is refused, and keyword arguments are not accepted.
* ``use_reentrant`` not given: PyTorch 2.13's warning, then the reentrant variant.

>>> import numtorch as torch
>>> from numtorch.utils.checkpoint import checkpoint
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> y = checkpoint(lambda t: (t.exp() * t).sum(), x, use_reentrant=False)
>>> y.backward(); x.grad
tensor([ 5.4366, 22.1672])
"""
from __future__ import annotations

import contextlib
import sys
import warnings
from typing import Any, Callable, ContextManager, Iterable, List, Tuple

from .._generator import default_generator
from .._tensor import Tensor
from ..amp import autocast_mode as _autocast
from ..autograd import _grad, grad_mode
from ..autograd import function as _function
from ..autograd.engine import _STRUCTURE, _is_saved
from ..autograd.function import Function

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "get_device_states",
           "set_device_states", "noop_context_fn", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled", "DefaultDeviceType"]

_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
    "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")
_SEQUENTIAL_WARNING = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
    "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")
_NO_GRAD_API = (
    "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an "
    "`inputs` parameter to .backward(). To resolve this error, you can either set "
    "use_reentrant=False, or call .backward() without passing the `inputs` argument.")


class CheckpointError(RuntimeError):
    """The recomputation did not match the original forward."""


class DefaultDeviceType:
    """The device type whose RNG state checkpointing preserves besides the CPU's (numtorch has
    only the CPU's generator)."""

    _default_device_type = "cuda"

    @staticmethod
    def set_device_type(device: str = "cuda") -> None:
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type() -> str:
        return DefaultDeviceType._default_device_type


def noop_context_fn() -> Tuple[ContextManager, ContextManager]:
    """The default ``context_fn``: nothing entered around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """Accepted; numtorch always recomputes the whole function once."""
    yield


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: Any):
    """Accepted; there is no debug trace."""
    yield


def check_backward_validity(inputs: Iterable[Any], _stacklevel: int = 2) -> None:
    """Warn when no input requires grad (a reentrant checkpoint then gives no gradients)."""
    if not any(isinstance(inp, Tensor) and inp.requires_grad for inp in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=_stacklevel)


def detach_variable(inputs: Tuple[Any, ...]) -> Tuple[Any, ...]:
    """The tensors of ``inputs`` detached, keeping their ``requires_grad``."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def get_device_states(*args: Any) -> Tuple[List[Any], List[Any]]:
    """The accelerator RNG states to preserve: none (numtorch runs on the CPU)."""
    return [], []


def set_device_states(devices: List[Any], states: List[Any], *, device_type: Any = None) -> None:
    """Nothing to restore (see ``get_device_states``)."""


# -- what a recomputation must reproduce: RNG and autocast state ----------------------------------

class _Replay:
    """The global RNG and autocast state of a forward, to run its recomputation under."""

    __slots__ = ("rng", "autocast")

    def __init__(self, preserve_rng_state: bool) -> None:
        self.rng = default_generator.get_state() if preserve_rng_state else None
        self.autocast = (dict(_autocast._enabled), dict(_autocast._dtypes))

    @contextlib.contextmanager
    def replay(self):
        current = default_generator.get_state() if self.rng is not None else None
        autocast_now = (dict(_autocast._enabled), dict(_autocast._dtypes))
        if self.rng is not None:
            default_generator.set_state(self.rng)
        _set_autocast(self.autocast)
        try:
            with grad_mode.enable_grad():
                yield
        finally:
            _set_autocast(autocast_now)
            if current is not None:
                default_generator.set_state(current)


def _set_autocast(state) -> None:
    for table, saved in zip((_autocast._enabled, _autocast._dtypes), state):
        table.clear()
        table.update(saved)


# -- use_reentrant=True: one node whose backward recomputes and runs a backward of its own ---------

def _in_partial_backward() -> bool:
    """Whether this backward runs for ``autograd.grad`` or ``backward(inputs=...)``."""
    code = _grad._run_capturing.__code__
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False


class CheckpointFunction(Function):
    """The reentrant checkpoint: ``forward`` runs the function without a graph; ``backward``
    recomputes it with one and backpropagates through it."""

    @staticmethod
    def forward(ctx, run_function: Callable, preserve_rng_state: bool, *args: Any):
        check_backward_validity(args, _stacklevel=5)    # at the checkpoint() call
        ctx.set_materialize_grads(False)      # an output nobody used contributes nothing
        ctx.run_function = run_function
        ctx.replay = _Replay(preserve_rng_state)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads: Tensor):
        if _in_partial_backward():
            raise RuntimeError(_NO_GRAD_API)
        tensors = iter(ctx.saved_tensors)
        inputs = detach_variable(tuple(next(tensors) if a is None else a for a in ctx.inputs))
        with ctx.replay.replay():
            outputs = ctx.run_function(*inputs)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs, seeds = [], []
        for out, g in zip(outputs, grads):
            if isinstance(out, Tensor) and out.requires_grad and g is not None:
                outs.append(out)
                seeds.append(g)
        if not outs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                               "necessary")
        _grad.backward(outs, seeds)
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in inputs)


# -- use_reentrant=False: the usual graph, its saved arrays dropped and recomputed on demand ------

_KEEP = frozenset(_STRUCTURE) | {"_hooked", "_freed", "_packed"}


def _tensors_in(value: Any, out: list) -> list:
    if isinstance(value, Tensor):
        out.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _tensors_in(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            _tensors_in(v, out)
    return out


def _region(outputs: Any, start: int) -> list:
    """The nodes recorded after sequence number ``start`` that ``outputs`` depend on, oldest
    first (the order a deterministic recomputation records them in again)."""
    stack = [t.grad_fn for t in _tensors_in(outputs, []) if t.grad_fn is not None]
    seen, nodes = set(), []
    while stack:
        node = stack.pop()
        if id(node) in seen or getattr(node, "_seq_nr", -1) <= start:
            continue
        seen.add(id(node))
        nodes.append(node)
        for edge in getattr(node, "_next", ()):
            if type(edge) is tuple:
                stack.append(edge[0])
    nodes.sort(key=lambda n: n._seq_nr)
    return nodes


def _saved_keys(node) -> list:
    d = node.__dict__
    if "_packed" in d:                     # the user's saved-tensor hooks own these
        return []
    return [k for k, v in d.items() if k not in _KEEP and _is_saved(v)]


def _meta(value: Any):
    if isinstance(value, Tensor):
        value = value._data
    if isinstance(value, (list, tuple)):
        return tuple(_meta(v) for v in value)
    shape = getattr(value, "shape", None)
    return None if shape is None else (tuple(shape), str(getattr(value, "dtype", "")))


class _Recompute:
    """The state of one non-reentrant checkpoint: what to rerun, and the nodes to refill."""

    def __init__(self, function, args, kwargs, replay: _Replay, recompute_ctx,
                 check: bool) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.replay, self.recompute_ctx, self.check = replay, recompute_ctx, check
        self.nodes: list = []               # (node, saved keys, their metadata)
        self.handles: list = []

    def strip(self, nodes: list) -> None:
        """Drop what ``nodes`` saved; the first one backward reaches recomputes it all."""
        for node in nodes:
            keys = _saved_keys(node)
            d = node.__dict__
            self.nodes.append((node, keys, [_meta(d[k]) for k in keys]))
            for k in keys:
                del d[k]
            if keys:
                self.handles.append(node.register_prehook(self.prehook))

    def prehook(self, grad_outputs):
        if self.nodes:
            self.recompute()
        return None

    def recompute(self) -> None:
        nodes, self.nodes = self.nodes, []
        args = detach_variable(tuple(self.args))
        with self.replay.replay(), self.recompute_ctx:
            start = _function.next_sequence_nr()
            outputs = self.function(*args, **self.kwargs)
        fresh = _region(outputs, start)
        self.args = self.kwargs = self.function = None
        if len(fresh) != len(nodes) or any(type(a) is not type(n) for (a, _, _), n in
                                           zip(nodes, fresh)):
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\nNumber of operations recorded during "
                f"forward: {len(nodes)}\nNumber of operations recorded during recomputation: "
                f"{len(fresh)}")
        for (node, keys, metas), new in zip(nodes, fresh):
            d, nd = node.__dict__, new.__dict__
            for k, meta in zip(keys, metas):
                value = nd.get(k)
                if self.check and _meta(value) != meta:
                    raise CheckpointError(
                        "torch.utils.checkpoint: Recomputed values for the following tensors have "
                        "different metadata than during the forward pass.\n"
                        f"tensor {k!r} of {node.name()}:\nsaved metadata: {meta}\n"
                        f"recomputed metadata: {_meta(value)}")
                d[k] = value
            versions = getattr(new, "_saved_versions", None)
            if versions is not None:
                node._saved_versions = versions
        for handle in self.handles:
            handle.remove()
        self.handles = []


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check,
                                  args, kwargs):
    forward_ctx, recompute_ctx = context_fn()
    if not grad_mode.state[0]:
        with forward_ctx:
            return function(*args, **kwargs)
    replay = _Replay(preserve_rng_state)
    start = _function.next_sequence_nr()
    with forward_ctx:
        outputs = function(*args, **kwargs)
    nodes = _region(outputs, start)
    if nodes:
        _Recompute(function, args, kwargs, replay, recompute_ctx,
                   determinism_check == "default").strip(nodes)
    return outputs


# -- the API ---------------------------------------------------------------------------------------

def checkpoint(function: Callable, *args: Any, use_reentrant: Any = None,
               context_fn: Callable[[], Tuple[ContextManager, ContextManager]] = noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` without keeping its intermediate results: backward
    recomputes them (see the module's notes for the two variants).

    ``preserve_rng_state`` (a keyword, default True): replay the random numbers the forward
    drew. ``context_fn``: returns two context managers, entered around the forward and the
    recomputation (non-reentrant only). ``determinism_check="default"`` raises
    ``CheckpointError`` when the recomputation saves arrays of other shapes or dtypes.

    >>> import numtorch as torch
    >>> layer = torch.nn.Linear(3, 3)
    >>> x = torch.ones(2, 3, requires_grad=True)
    >>> out = torch.utils.checkpoint.checkpoint(layer, x, use_reentrant=True)
    >>> out.grad_fn.name()
    'CheckpointFunctionBackward'
    """
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of {['default', 'none']}, but got "
                         f"{determinism_check}")
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, args,
                                         kwargs)


def checkpoint_sequential(functions, segments: int, input: Any, use_reentrant: Any = None,
                          **kwargs: Any) -> Any:
    """Run a ``Sequential`` (or a list of modules/functions) in ``segments`` chunks, each but
    the last checkpointed: the activations inside a chunk are recomputed in backward.

    >>> import numtorch as torch
    >>> from numtorch.utils.checkpoint import checkpoint_sequential
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    >>> checkpoint_sequential(net, 2, torch.ones(1, 2), use_reentrant=False).shape
    torch.Size([1, 1])
    """
    if use_reentrant is None:
        warnings.warn(_SEQUENTIAL_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start: int, end: int, functions):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
