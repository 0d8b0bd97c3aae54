"""``torch.autograd.backward`` and ``torch.autograd.grad``: run the engine from some outputs.

``backward`` accumulates into the leaves' ``.grad``; ``grad`` returns the gradients of the
tensors asked for (leaves or not), running only the part of the graph that leads to them.

>>> import numtorch as torch
>>> x = torch.tensor([2.0], requires_grad=True)
>>> torch.autograd.grad(x * x, x)
(tensor([4.]),)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .engine import run_backward, _deliver_to_leaf, nodes_needed, check_complex
from .function import refresh_hooked


def _seed_grads(tensors, grads, create_graph=False):
    out = []
    for t, g in zip(tensors, grads):
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind != "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{t.dtype}")
            out.append(np.ones(t._data.shape, t._data.dtype))
        else:
            ga = g._data if isinstance(g, Tensor) else np.asarray(g, t._data.dtype)
            if ga.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{Tensor._make(ga).shape} and output[0] has a shape of {t.shape}.")
            if t._data.dtype.kind == "c" and t.grad_fn is not None:
                check_complex((t.grad_fn,))      # complex gradients flow from here down
            if create_graph and isinstance(g, Tensor) and g.requires_grad:
                # a seed that requires grad stays part of the new graph, cast as PyTorch does
                out.append(g if ga.dtype == t._data.dtype else g.to(t.dtype))
            else:
                out.append(np.array(ga, t._data.dtype))
    return out


def _as_list(x):
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def _run_capturing(roots, seeds, retain, inputs, create_graph):
    """Run the engine collecting the gradients of ``inputs`` (leaves or not) instead of
    accumulating them: a non-leaf input is retained for the run, so the engine hands over the
    gradient that reaches it."""
    temporary = [t for t in inputs if t.grad_fn is not None and not t.retains_grad]
    for t in temporary:
        t.retain_grad()
    try:
        needed = nodes_needed(roots, {id(t) for t in inputs if t.grad_fn is None},
                              {t.grad_fn for t in inputs if t.grad_fn is not None})
        return run_backward(roots, seeds, retain, {id(t): None for t in inputs}, create_graph,
                            needed)
    finally:
        for t in temporary:
            retained = t.grad_fn.__dict__.get("_retained", [])
            retained[:] = [r for r in retained if r is not t]
            refresh_hooked(t.grad_fn)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves they depend on."""
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(tensors)
    seeds = _seed_grads(tensors, grads, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:
        inputs = _as_list(inputs)
        got = _run_capturing(tensors, seeds, retain, inputs, create_graph)
        given = set()
        for t in inputs:                 # accumulate into .grad as the engine does for leaves
            if got[id(t)] is not None:
                _deliver_to_leaf(t, got[id(t)], given, None, create_graph)
        return
    run_backward(tensors, seeds, retain, None, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not stored in ``.grad``)."""
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_list(grad_outputs) or [None] * len(outputs)
    seeds = _seed_grads(outputs, grads, create_graph)
    retain = create_graph if retain_graph is None else retain_graph
    got = _run_capturing(outputs, seeds, retain, inputs, create_graph)
    result = []
    for i, t in enumerate(inputs):
        g = got[id(t)]
        if g is None:
            if materialize_grads:
                g = np.zeros(t._data.shape, t._data.dtype)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the desired "
                                   "behavior.")
        if g is None:
            result.append(None)
        elif create_graph:
            result.append(g.t if type(g) is not np.ndarray else Tensor._make(g.copy()))
        else:
            result.append(Tensor._make(np.array(g)))
    return tuple(result)
