"""``gradcheck``: compare analytic gradients with float64 central differences.

>>> import numtorch as torch
>>> x = torch.randn(3, dtype=torch.float64, requires_grad=True)
>>> torch.autograd.gradcheck(torch.sin, (x,))
True
"""
from __future__ import annotations

import numpy as np

from ._grad import grad as autograd_grad


class GradcheckError(RuntimeError):
    pass


def _numeric_jacobian(fn, inputs, i, eps, record=False):
    from .grad_mode import no_grad, enable_grad
    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    with (enable_grad() if record else no_grad()):
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = _outputs(fn, inputs)
            flat[k] = orig - eps
            minus = _outputs(fn, inputs)
            flat[k] = orig
            cols.append(np.concatenate([(p - m).reshape(-1) / (2 * eps) for p, m in zip(plus, minus)]))
    return np.stack(cols, 1) if cols else np.zeros((0, 0))


def _outputs(fn, inputs):
    from .._tensor import Tensor
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o._data.astype(np.float64).copy() for o in outs if isinstance(o, Tensor)]


def _analytic_jacobian(fn, inputs, i):
    from .._tensor import Tensor
    out = fn(*inputs)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]
    rows = []
    for o in outs:
        for k in range(o._data.size):
            seed = np.zeros(o._data.size, o._data.dtype)
            seed[k] = 1
            if not o.requires_grad:
                rows.append(np.zeros(inputs[i]._data.size))
                continue
            g, = autograd_grad(o, inputs[i], Tensor._make(seed.reshape(o._data.shape)),
                               retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[i]._data.size) if g is None else g._data.reshape(-1))
    return np.stack(rows, 0) if rows else np.zeros((0, 0))


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, _record: bool = False, **kwargs) -> bool:
    """True when analytic and numeric gradients agree for every input that requires grad."""
    from .._tensor import Tensor
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        if x._data.dtype != np.float64:
            import warnings
            warnings.warn("Input #%d requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point. " % i)
        numeric = _numeric_jacobian(func, inputs, i, eps, _record)
        analytic = _analytic_jacobian(func, inputs, i)
        if numeric.shape != analytic.shape or not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {i},\n"
                                     f"numerical:{numeric}\nanalytical:{analytic}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, **kwargs) -> bool:
    """True when second derivatives agree with central differences of the first ones.

    The gradients of ``func`` (taken with ``create_graph=True`` against ``grad_outputs``, random
    float64 ones when not given) are gradchecked as a function of the inputs and the
    grad_outputs, as PyTorch's ``gradgradcheck`` does.

    >>> import numtorch as torch
    >>> x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradgradcheck(lambda a: (a * a).exp(), (x,))
    True
    """
    from .._tensor import Tensor
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    n = len(inputs)

    def differentiable_outputs(out):
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [o for o in outs if isinstance(o, Tensor) and o.requires_grad]

    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o._data.shape), True)
                             for o in differentiable_outputs(func(*inputs)))
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)

    def first_derivatives(*args):
        ins, seeds = args[:n], args[n:]
        outs = differentiable_outputs(func(*ins))
        wrt = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
        if not outs or not wrt:
            return ()
        grads = autograd_grad(outs, wrt, list(seeds), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, _record=True)
