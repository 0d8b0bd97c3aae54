"""``torch.autograd.functional``: Jacobians, Hessians and vector products of whole functions.

Everything here is built on :func:`numtorch.autograd.grad`:

* ``vjp``      one backward pass seeded with ``v``;
* ``jacobian`` one backward pass per output element (a row of the Jacobian each);
* ``jvp``      the double-backward trick: ``g -> J^T g`` is linear in ``g``, so differentiating
               it with respect to ``g`` along ``v`` gives ``J v`` without forward-mode AD;
* ``hessian``  the Jacobian of the gradient (the gradient recorded with ``create_graph=True``);
* ``vhp``      the gradient of ``<grad f, v>``; ``hvp`` the double-backward trick on the gradient.

Inputs and outputs follow PyTorch: a Tensor or a tuple of Tensors, and a result is a tuple
exactly where PyTorch's is. Without ``create_graph`` the results are detached; with it they
keep their graph, so they can be differentiated again.

>>> import numtorch as torch
>>> from numtorch.autograd.functional import jacobian, hessian
>>> jacobian(lambda x: x ** 2, torch.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
>>> hessian(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]))
tensor([[ 6.,  0.],
        [ 0., 12.]])
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Tuple, Union

import numpy as np

from .. import _tensor    # partly initialised while numtorch loads: Tensor is read at call time
from ._grad import grad as _autograd_grad
from .function import Function
from .grad_mode import enable_grad

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Tensors = Union["Tensor", Tuple["Tensor", ...]]

_STRATEGIES = ("forward-mode", "reverse-mode")


# -- helpers -------------------------------------------------------------------------------------

def _as_tuple(value, arg_name: str, fn_name) -> tuple:
    """``(was_a_tuple, value as a tuple of Tensors)``; PyTorch's TypeError for anything else."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, _tensor.Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple "
                            f"of Tensors but {where} has type {type(el)}.")
    return is_tuple, items


def _unpack(res, was_tuple):
    """Undo ``_as_tuple``: ``was_tuple`` is a bool, or a pair (outer, inner) for nested results."""
    if isinstance(was_tuple, tuple):
        outer, inner = was_tuple
        if not inner:
            res = tuple(r[0] for r in res)
        return res if outer else res[0]
    return res if was_tuple else res[0]


def _zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return _tensor.Tensor._make(np.zeros_like(t._data), requires_grad)


def _prepare(tensors: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """The tensors the user function sees: new leaves (``need_graph``: requiring grad), or with
    ``create_graph`` a view of an input that requires grad, so results stay differentiable with
    respect to the caller's tensor."""
    out = []
    for t in tensors:
        if create_graph and t.requires_grad:
            v = t.view_as(t)
            v.retain_grad()     # lets autograd.grad capture the gradient of this non-leaf
            out.append(v)
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(values, create_graph: bool):
    """Detach the results unless ``create_graph`` (nested tuples too)."""
    if create_graph:
        return values
    if isinstance(values, (tuple, list)):
        return type(values)(_finish(v, False) for v in values)
    return values.detach()


def _check_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.shape} but got {a.shape}.")


_NO_GRAD_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
               "must be computed in a differentiable manner from the input when running in strict "
               "mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
                "function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
                   "user-provided function. This is not allowed in strict mode.",
}


def _check_requires_grad(tensors: tuple, kind: str, strict: bool) -> None:
    """In strict mode every tensor must exist and require grad."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input "
                               f"{i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_NO_GRAD_MESSAGES[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None) -> tuple:
    """``autograd.grad`` over the outputs that require grad; None where there is no path."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    keep = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not keep:
        return (None,) * len(inputs)
    outs, seeds = zip(*keep)
    return _autograd_grad(list(outs), list(inputs), list(seeds), retain_graph=retain_graph,
                          create_graph=create_graph, allow_unused=True)


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
            "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This "
                   "is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
                         "in the grad_jacobian. This is not allowed in strict mode as it prevents "
                         "from using the double backward trick to replace forward mode AD.",
}


def _zeros_for_missing(grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                       stage: str) -> tuple:
    """Zeros where a gradient is None; in strict mode PyTorch's errors instead (and with
    ``create_graph``, also for a gradient that does not depend on the inputs)."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = _zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            raise _constant(i, "hessian" if stage.startswith("double") else "jacobian")
        out.append(g)
    return tuple(out)


def _constant(i: int, what: str) -> RuntimeError:
    return RuntimeError(f"The {what} of the user-provided function is independent of input {i}. "
                        "This is not allowed in strict mode when create_graph=True.")


class _Stack(Function):
    """Stack the rows of a Jacobian along a new first dimension, differentiably (the rows of a
    ``create_graph`` Jacobian carry their graph)."""

    @staticmethod
    def forward(ctx, *rows):
        ctx.n = len(rows)
        return _tensor.Tensor._make(np.stack([r._data for r in rows]))

    @staticmethod
    def backward(ctx, grad):
        return tuple(grad[i] for i in range(ctx.n))


def _stack(rows: list, shape) -> Tensor:
    if not rows:
        raise RuntimeError("stack expects a non-empty TensorList")
    if any(r.requires_grad for r in rows):
        return _Stack.apply(*rows).view(shape)
    return _tensor.Tensor._make(np.stack([r._data for r in rows]).reshape(tuple(shape)))


def _one_hot(out: Tensor, j: int) -> Tensor:
    seed = np.zeros_like(out._data)
    seed.reshape(-1)[j] = 1
    return _tensor.Tensor._make(seed)


# -- vector products -----------------------------------------------------------------------------

def vjp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """``(func(*inputs), v^T J)``: the vector-Jacobian product of ``func`` at ``inputs``.

    >>> import numtorch as torch
    >>> vjp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        if v is not None:
            v = _prepare(_as_tuple(v, "v", "vjp")[1], create_graph, False)
            _check_v(v, outputs, outputs_tuple)
        elif len(outputs) != 1 or outputs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        grads = _grad(outputs, inputs, v, create_graph=create_graph)
        result = _zeros_for_missing(grads, inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))


def jvp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """``(func(*inputs), J v)``: the Jacobian-vector product, by the double-backward trick.

    >>> import numtorch as torch
    >>> jvp(lambda x: x ** 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            v = _prepare(_as_tuple(v, "v", "jvp")[1], create_graph, False)
            _check_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # J^T u is linear in u: its derivative with respect to u, along v, is J v
        dummies = tuple(_zeros_like(o, True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
        grads = _grad(grad_inputs, dummies, v, create_graph=create_graph)
        result = _zeros_for_missing(grads, outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), outputs_tuple))


# -- Jacobian and Hessian ------------------------------------------------------------------------

def jacobian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j`` a tensor of shape
    ``outputs[i].shape + inputs[j].shape``, nested in tuples as PyTorch nests them.

    ``vectorize`` is accepted; the rows are computed one backward pass each either way.
    ``strategy="forward-mode"`` (with ``vectorize=True``) gives the same values by reverse mode.

    >>> import numtorch as torch
    >>> jacobian(lambda x, y: x * y, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))
    (tensor([[3., 0.],
            [0., 4.]]), tensor([[1., 0.],
            [0., 2.]]))
    """
    if strategy not in _STRATEGIES:
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                'are not supported together (yet). Please either set `strict=False` or '
                '`strategy="reverse-mode"`.')
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse "
                                      "Hessian isonly implemented for `vectorize=True`.")
        return _jacobian(func, inputs, inputs_tuple, False, False, "outputs", None, forward=True,
                         empty_ok=True)

    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    return _jacobian(func, inputs, inputs_tuple, create_graph, strict,
                     "outputs of the user-provided function", "jacobian",
                     refuse=vectorize and strict)


def _jacobian(func, inputs, inputs_tuple, create_graph, strict, out_name, fn_name, refuse=False,
              forward=False, empty_ok=False):
    """The Jacobian, one backward pass per output element. ``refuse``: PyTorch checks the
    outputs, then refuses strict with vectorize. ``forward``: PyTorch's forward-mode result,
    which nests lists, not tuples. ``empty_ok``: zeros for an output with no elements (the
    reverse mode refuses it, as PyTorch's does)."""
    with enable_grad():
        inputs = _prepare(inputs, create_graph, True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, out_name, fn_name)
        _check_requires_grad(outputs, "outputs", strict)
        if refuse:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                               "`vectorized=True` are not supported together. Please either set "
                               "`strict=False` or `vectorize=False`.")
        jac = []
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)
            for j in range(out._data.size):
                seed = _one_hot(out, j)
                grads = _grad((out,), inputs, (seed,), create_graph=create_graph,
                              retain_graph=True)
                for k, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not allowed in "
                                               "strict mode.")
                        g = _zeros_like(inp)
                    elif strict and create_graph and not g.requires_grad:
                        raise _constant(i, "jacobian")     # PyTorch names the output's index
                    rows[k].append(g)
            row = [_stack(r, out.shape + inp.shape) if r or not empty_ok else
                   _tensor.Tensor._make(np.zeros(out.shape + inp.shape, inp._data.dtype))
                   for r, inp in zip(rows, inputs)]
            jac.append(row if forward else tuple(row))
    jac = jac if forward else tuple(jac)
    return _unpack(_finish(jac, create_graph), (outputs_tuple, inputs_tuple))


def hessian(func: Callable, inputs: Tensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of the scalar function ``func`` at ``inputs``: the Jacobian of its gradient.

    One input gives a tensor of shape ``input.shape * 2``; a tuple of inputs gives a tuple of
    tuples (``H[i][j]`` of shape ``inputs[i].shape + inputs[j].shape``).

    >>> import numtorch as torch
    >>> A = torch.tensor([[1.0, 2.0], [0.0, 3.0]])
    >>> hessian(lambda x: x @ A @ x, torch.tensor([1.0, 1.0]))
    tensor([[2., 2.],
            [2., 6.]])
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_output(*inp):
        out = func(*inp)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if out_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out._data.size != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.reshape(())

    def gradient(*inp):
        jac = jacobian(scalar_output, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, (inputs_tuple, inputs_tuple))


def vhp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """``(func(*inputs), v^T H)``: the vector-Hessian product of a scalar function.

    >>> import numtorch as torch
    >>> vhp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs: Tensors, v: Optional[Tensors] = None, create_graph: bool = False,
        strict: bool = False):
    """``(func(*inputs), H v)``: the Hessian-vector product of a scalar function (by the
    double-backward trick on its gradient).

    >>> import numtorch as torch
    >>> hvp(lambda x: (x ** 3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0]))
    (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, name):
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            v = _prepare(_as_tuple(v, "v", name)[1], create_graph, False)
            _check_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0]._data.size != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
        _check_requires_grad(outputs, "outputs", strict)
        if outputs_tuple:
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0]._data.size != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should "
                               "contain a single element")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        if name == "vhp":       # v^T H = d<grad f, v>/dx
            grads = _grad(jac, inputs, v, create_graph=create_graph)
            result = _zeros_for_missing(grads, inputs, strict, create_graph, "double_back")
        else:                   # H v: the double-backward trick on the gradient
            dummies = tuple(_zeros_like(t, True) for t in inputs)
            back = _grad(jac, inputs, dummies, create_graph=True)
            grads = _grad(back, dummies, v, create_graph=create_graph)
            result = _zeros_for_missing(grads, inputs, strict, create_graph, "double_back_trick")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))
