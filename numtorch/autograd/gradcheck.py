"""``gradcheck``: compare analytic gradients with float64 central differences.

>>> import numtorch as torch
>>> x = torch.randn(3, dtype=torch.float64, requires_grad=True)
>>> torch.autograd.gradcheck(torch.sin, (x,))
True
"""
from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _numeric_jacobian(fn, inputs, i, eps):
    from .grad_mode import no_grad
    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    with no_grad():
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
    from . import grad as autograd_grad
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
              raise_exception: bool = True, **kwargs) -> bool:
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
        numeric = _numeric_jacobian(func, inputs, i, eps)
        analytic = _analytic_jacobian(func, inputs, i)
        if numeric.shape != analytic.shape or not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(f"Jacobian mismatch for output 0 with respect to input {i},\n"
                                     f"numerical:{numeric}\nanalytical:{analytic}\n")
            return False
    return True


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError("numtorch does not implement higher-order gradients yet")
