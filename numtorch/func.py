"""``torch.func``: function transforms — grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian,
vmap — built on :func:`numtorch.autograd.grad`.

The differentiated arguments are made fresh leaves inside the transform, so the caller's tensors
need not require grad. An argument that already requires grad (an outer transform's leaf, or the
caller's own parameter) is differentiated through a view of it with ``create_graph=True``, so the
result stays differentiable: transforms nest (``hessian`` is ``jacfwd(jacrev(f))``).

Forward mode is computed in reverse mode (``jvp`` by the double-backward trick, ``jacfwd`` row by
row), and ``vmap`` calls the function once per batch entry and stacks the results; the values are
PyTorch's, only the speed differs.

>>> import numtorch as torch
>>> from numtorch.func import grad, jacrev, vmap
>>> grad(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
tensor([ 3., 12.])
>>> vmap(lambda row: row.sum())(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
tensor([3., 7.])
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np

from ._tensor import Tensor
from .autograd import functional as _F
from .autograd.grad_mode import enable_grad, is_grad_enabled
from .ops.shape import stack as _stack

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]

argnums_t = Union[int, Tuple[int, ...]]


# -- pytrees: tuples, lists, dicts (and namedtuples) of leaves -----------------------------------

class _Spec:
    """The structure of a pytree: ``kind`` is None for a leaf, else the container type."""

    __slots__ = ("kind", "keys", "children", "n")

    def __init__(self, kind=None, keys=None, children=()):
        self.kind, self.keys, self.children = kind, keys, tuple(children)
        self.n = 1 if kind is None else sum(c.n for c in self.children)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Spec) and (self.kind, self.keys, self.children) == \
            (other.kind, other.keys, other.children)

    def __repr__(self, depth: int = 0) -> str:   # PyTorch's TreeSpec repr
        if self.kind is None:
            return "*"
        sep = ",\n" + "  " * (depth + 1)
        inner = sep.join(c.__repr__(depth + 1) for c in self.children)
        keys = None if self.keys is None else list(self.keys)
        return f"TreeSpec({self.kind.__name__}, {keys}, [{inner}])"

    def pprint(self) -> str:   # PyTorch's treespec_pprint
        if self.kind is None:
            return "*"
        parts = [c.pprint() for c in self.children]
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.keys, parts)) + "}"
        if self.kind is list:
            return "[" + ", ".join(parts) + "]"
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _flatten(tree) -> tuple:
    """``(leaves, spec)``."""
    leaves = []
    return leaves, _flatten_into(tree, leaves)


def _flatten_into(tree, leaves) -> _Spec:
    if isinstance(tree, (tuple, list)):
        kind = type(tree) if type(tree) in (tuple, list) or hasattr(tree, "_fields") else \
            (tuple if isinstance(tree, tuple) else list)
        return _Spec(kind, None, [_flatten_into(t, leaves) for t in tree])
    if isinstance(tree, dict):
        keys = tuple(tree)
        return _Spec(dict, keys, [_flatten_into(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return _Spec()


def _unflatten(leaves, spec: _Spec):
    it = iter(leaves)
    return _build(it, spec)


def _build(it, spec: _Spec):
    if spec.kind is None:
        return next(it)
    items = [_build(it, c) for c in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.keys, items))
    if hasattr(spec.kind, "_fields"):
        return spec.kind(*items)
    return spec.kind(items)


# -- shared pieces -------------------------------------------------------------------------------

def _check_argnums(argnums, n_args: int) -> tuple:
    """Normalised argnums as a tuple; PyTorch's errors for bad ones."""
    if isinstance(argnums, int) and not isinstance(argnums, bool):
        nums = (argnums,)
    elif isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        for a in argnums:
            if not isinstance(a, int) or isinstance(a, bool):
                raise RuntimeError(f"argnum must be int, got: {type(a)}")
        nums = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    out = []
    for a in nums:
        if not -n_args <= a < n_args:
            raise RuntimeError(f"Got argnum={a}, but only {n_args} positional inputs")
        out.append(a % n_args)
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(out)


class _Args:
    """The arguments of one call, and the tensor leaves of those being differentiated
    (``argnums``; None: all of them)."""

    def __init__(self, args: tuple, argnums=None):
        self.nums = tuple(range(len(args))) if argnums is None else \
            _check_argnums(argnums, len(args))
        self.single = isinstance(argnums, int)
        self.args = args
        self.leaves, self.specs = [], []
        for a in self.nums:
            leaves, spec = _flatten(args[a])
            for t in leaves:
                if not isinstance(t, Tensor):
                    raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
            self.leaves.extend(leaves)
            self.specs.append(spec)
        # an argument that requires grad (an outer transform's leaf, or the caller's parameter)
        # keeps its tie to the caller's graph: the result is then differentiable again
        self.graph = is_grad_enabled() and any(t.requires_grad for t in self.leaves)

    def with_leaves(self, leaves) -> list:
        """The arguments with the differentiated leaves replaced by ``leaves``."""
        args, i = list(self.args), 0
        for a, spec in zip(self.nums, self.specs):
            args[a] = _unflatten(leaves[i:i + spec.n], spec)
            i += spec.n
        return args

    def rebuild(self, flat):
        """Per-leaf values (one per differentiated leaf) in the arguments' structure."""
        out, i = [], 0
        for spec in self.specs:
            out.append(_unflatten(flat[i:i + spec.n], spec))
            i += spec.n
        return out[0] if self.single else tuple(out)


def _zeros(shape, like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(tuple(shape), like._data.dtype))


def _detached(tree, keep_graph: bool):
    leaves, spec = _flatten(tree)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
    if keep_graph:
        return tree
    return _unflatten([t.detach() for t in leaves], spec)


def _split_aux(output, has_aux: bool, where: str):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{where}: output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return output


def _tensor_outputs(func, args, has_aux: bool, where: str, box: dict) -> tuple:
    """Call ``func``; its output's tensor leaves as a tuple (structure and aux go in ``box``)."""
    output, box["aux"] = _split_aux(func(*args), has_aux, where)
    outs, box["spec"] = _flatten(output)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{where}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")
    return tuple(outs)


# -- grad ----------------------------------------------------------------------------------------

def grad_and_value(func: Callable, argnums: argnums_t = 0, has_aux: bool = False) -> Callable:
    """``f -> (x -> (df/dx, f(x)))`` for a scalar function ``f``.

    >>> import numtorch as torch
    >>> grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """
    where = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        a = _Args(args, argnums)
        box = {}

        def scalar(*leaves):
            output, box["aux"] = _split_aux(func(*a.with_leaves(leaves), **kwargs), has_aux, where)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{where}: Expected f(*args) to return a Tensor, got "
                                   f"{type(output)}")
            if output.ndim != 0:
                raise RuntimeError(f"{where}: Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {output.ndim} dims. Maybe you wanted to use the "
                                   "vjp or jacrev APIs instead?")
            return output

        value, grads = _F.vjp(scalar, tuple(a.leaves), create_graph=a.graph)
        if has_aux:
            value = (value, _detached(box["aux"], a.graph))
        return a.rebuild(grads), value
    return wrapper


def grad(func: Callable, argnums: argnums_t = 0, has_aux: bool = False) -> Callable:
    """``f -> (x -> df/dx)`` for a scalar function ``f``; ``argnums`` picks the arguments.

    >>> import numtorch as torch
    >>> grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(torch.tensor([1.0]), torch.tensor([3.0]))
    (tensor([3.]), tensor([1.]))
    """
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = inner(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


# -- vjp and jvp ---------------------------------------------------------------------------------

def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn[, aux])``: ``vjp_fn(cotangents)`` gives one gradient per primal.

    >>> import numtorch as torch
    >>> out, vjp_fn = vjp(torch.sin, torch.tensor([0.0, 1.0]))
    >>> vjp_fn(torch.ones(2))
    (tensor([1.0000, 0.5403]),)
    """
    a = _Args(primals)
    box = {}
    with enable_grad():
        inputs = _F._prepare(tuple(a.leaves), a.graph, True)
        outs = _tensor_outputs(func, a.with_leaves(inputs), has_aux, "vjp(f, *primals)", box)
    out_spec = box["spec"]

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph: Optional[bool] = None):
        cots, spec = _flatten(cotangents)
        if spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree "
                               f"structure of outputs to the function. cotangents: "
                               f"{spec.pprint()}, primal output: {out_spec.pprint()}")
        cg = a.graph if create_graph is None else create_graph
        with enable_grad():
            grads = _F._grad(outs, inputs, cots, create_graph=cg, retain_graph=retain_graph)
            grads = _F._zeros_for_missing(grads, inputs, False, cg, "back")
        return tuple(a.rebuild(grads)) if a.specs else ()

    result = (_detached(_unflatten(outs, out_spec), a.graph), vjp_fn)
    return result + (_detached(box["aux"], a.graph),) if has_aux else result


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False):
    """``(func(*primals), J @ tangents[, aux])``, by the double-backward trick.

    >>> import numtorch as torch
    >>> jvp(lambda x: x ** 2, (torch.tensor([1.0, 2.0]),), (torch.tensor([1.0, 1.0]),))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    where = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{where}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{where}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, tangents "
                           f"also must be. Got primals with structure {p_spec!r} and tangents with "
                           f"structure {t_spec!r}")
    if not p_leaves:
        raise RuntimeError(f"{where}: Expected primals to contain at least one Tensor.")
    for name, leaves in (("primals", p_leaves), ("tangents", t_leaves)):
        for t in leaves:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{where}: Expected {name} to only contain Tensors, got "
                                   f"{type(t)}")
    for p, t in zip(p_leaves, t_leaves):
        if p.shape != t.shape:
            raise RuntimeError("Trying to set a forward gradient that has a different size than "
                               "that of the original Tensor, this is not supported. Tensor is of "
                               f"size {list(p.shape)} while the given forward gradient is of size "
                               f"{list(t.shape)}.")
    a = _Args(primals)
    box = {}

    def flat(*leaves):
        outs = _tensor_outputs(func, a.with_leaves(leaves), has_aux, where, box)
        if strict and not all(_depends_on(o, leaves) for o in outs):
            raise RuntimeError(f"jvp(f, primals, tangents, strict=True): The output of f is "
                               "independent of the inputs. This is not allowed with strict=True.")
        return outs

    outs, tangents_out = _F.jvp(flat, tuple(p_leaves), tuple(t_leaves), create_graph=a.graph)
    result = (_unflatten(outs, box["spec"]), _unflatten(tangents_out, box["spec"]))
    return result + (_detached(box["aux"], a.graph),) if has_aux else result


def _depends_on(t: Tensor, inputs) -> bool:
    """Whether ``t``'s graph reaches one of ``inputs`` (a walk over ``next_functions``)."""
    ids = {id(x) for x in inputs}
    nodes = {id(x.grad_fn) for x in inputs if x.grad_fn is not None}
    if id(t) in ids:
        return True
    todo, seen = [t.grad_fn] if t.grad_fn is not None else [], set()
    while todo:
        node = todo.pop()
        if id(node) in nodes:
            return True
        if id(node) in seen:
            continue
        seen.add(id(node))
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if hasattr(nxt, "variable"):        # a leaf's AccumulateGrad
                if id(nxt.variable) in ids:
                    return True
            else:
                todo.append(nxt)
    return False


# -- Jacobians -----------------------------------------------------------------------------------

def _jacobian_transform(func, argnums, has_aux, where):
    @functools.wraps(func)
    def wrapper(*args):
        a = _Args(args, argnums)
        box = {}
        jac = _F._jacobian(
            lambda *leaves: _tensor_outputs(func, a.with_leaves(leaves), has_aux, where, box),
            tuple(a.leaves), True, a.graph, False, "outputs", where, empty_ok=True)
        result = _unflatten([a.rebuild(row) for row in jac], box["spec"])
        return (result, _detached(box["aux"], a.graph)) if has_aux else result
    return wrapper


def jacrev(func: Callable, argnums: Union[int, Tuple[int, ...]] = 0, *, has_aux: bool = False,
           chunk_size: Optional[int] = None, _preallocate_and_copy: bool = False) -> Callable:
    """``f -> (x -> Jacobian of f at x)`` by reverse mode, one backward pass per output element.

    >>> import numtorch as torch
    >>> jacrev(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    return _jacobian_transform(func, argnums, has_aux, "vjp(f, *primals)")


def jacfwd(func: Callable, argnums: argnums_t = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """``f -> (x -> Jacobian of f at x)``: PyTorch's forward-mode API (computed in reverse mode).

    >>> import numtorch as torch
    >>> jacfwd(lambda x: x.sum())(torch.tensor([1.0, 2.0]))
    tensor([1., 1.])
    """
    return _jacobian_transform(func, argnums, has_aux, "jvp(f, primals, tangents)")


def hessian(func: Callable, argnums: argnums_t = 0) -> Callable:
    """``f -> (x -> Hessian of f at x)``: ``jacfwd(jacrev(f, argnums), argnums)``.

    >>> import numtorch as torch
    >>> hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap ----------------------------------------------------------------------------------------

def _dims_per_leaf(dims, spec: _Spec, out: list, bad):
    """Broadcast a (nested) ``dims`` prefix over ``spec``'s leaves into ``out``."""
    if not isinstance(dims, (tuple, list, dict)):
        out.extend([dims] * spec.n)     # an int or None (anything else is refused per leaf)
        return
    if spec.kind is None or (dict if isinstance(dims, dict) else list if isinstance(dims, list)
                             else tuple) is not (spec.kind if spec.kind in (dict, list) else tuple):
        raise bad()
    children = [dims[k] for k in spec.keys] if isinstance(dims, dict) else list(dims)
    if len(children) != len(spec.children):
        raise bad()
    for d, c in zip(children, spec.children):
        _dims_per_leaf(d, c, out, bad)


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size: Optional[int] = None) -> Callable:
    """Map ``func`` over a dimension of its inputs: called once per batch entry, results stacked
    along ``out_dims`` (so any function works; the speed is a Python loop's). Keyword arguments
    are passed unmapped. Unlike PyTorch's, random ops draw fresh numbers per entry whatever
    ``randomness`` says, ``.item()`` works, and an ``out_dims=None`` output is refused only when
    its values differ between entries.

    >>> import numtorch as torch
    >>> vmap(torch.dot)(torch.ones(3, 2), torch.ones(3, 2))
    tensor([2., 2., 2.])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    name = getattr(func, "__name__", repr(func))

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                             "inputs, or you are trying to vmap over a function with no inputs. "
                             "The latter is unsupported.")
        head = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        if not isinstance(in_dims, (int, tuple)):
            raise ValueError(f"{head}: expected `in_dims` to be int or a (potentially nested) "
                             f"tuple matching the structure of inputs, got: {type(in_dims)}.")
        leaves, spec = _flatten(args)
        dims = []
        in_spec = _flatten(in_dims)[1]

        def bad():
            return ValueError(f"{head}: in_dims is not compatible with the structure of `inputs`. "
                              f"in_dims has structure {in_spec!r} but inputs has structure "
                              f"{spec!r}.")
        _dims_per_leaf(tuple(in_dims) if isinstance(in_dims, tuple) else in_dims, spec, dims, bad)
        sizes = []
        for t, d in zip(leaves, dims):
            if d is None:
                continue
            if not isinstance(d, int) or isinstance(d, bool):
                raise ValueError(f"{head}: Got in_dim={d} for an input but in_dim must be either "
                                 "an integer dimension or None.")
            if not isinstance(t, Tensor):
                raise ValueError(f"{head}: Got in_dim={d} for an input but the input is of type "
                                 f"{type(t)}. We cannot vmap over non-Tensor arguments, please use "
                                 "None as the respective in_dim")
            if not -t.ndim <= d < t.ndim:
                raise ValueError(f"{head}: Got in_dim={d} for some input, but that input is a "
                                 f"Tensor of dimensionality {t.ndim} so expected in_dim to satisfy "
                                 f"-{t.ndim} <= in_dim < {t.ndim}.")
            sizes.append(t.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        size = sizes[0]
        slices = [None if d is None else (t.unbind(d) if size else None)
                  for t, d in zip(leaves, dims)]
        results = []
        for b in range(max(size, 1)):
            if size:
                sample = [t if s is None else s[b] for t, s in zip(leaves, slices)]
            else:       # no entries: one call on zeros just to learn the output shapes
                sample = [t if d is None else _zeros(_without(t.shape, d), t)
                          for t, d in zip(leaves, dims)]
            results.append(func(*_unflatten(sample, spec), **kwargs))
        return _stack_results(results, size, out_dims, name)
    return wrapper


def _without(shape, d: int) -> tuple:
    d %= len(shape)
    return tuple(shape[:d]) + tuple(shape[d + 1:])


def _stack_results(results: list, size: int, out_dims, name: str):
    flat = [_flatten(r) for r in results]
    out_leaves, out_spec = flat[0]
    for t in out_leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(t)}. Did you mean to set out_dims= to None for output?")
    dims = []

    def bad():
        return ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                          "compatible with the structure of `outputs`. out_dims has structure "
                          f"{_flatten(out_dims)[1]!r} but outputs has structure {out_spec!r}.")
    _dims_per_leaf(out_dims, out_spec, dims, bad)
    stacked = []
    for i, d in enumerate(dims):
        column = [f[0][i] for f in flat]
        if d is None:
            first = column[0]
            if any(c is not first and not np.array_equal(c._data, first._data) for c in column):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                                 "out_dim is None")
            stacked.append(first)
        elif size == 0:
            shape = list(column[0].shape)
            shape.insert(d % (len(shape) + 1), 0)
            stacked.append(_zeros(shape, column[0]))
        else:
            stacked.append(_stack(column, d))
    return _unflatten(stacked, out_spec)
