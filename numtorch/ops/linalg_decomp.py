"""Matrix factorizations and inverses of ``torch.linalg``: inv, det, slogdet, solve, cholesky,
qr, eigh, svd (batched over leading dimensions, as PyTorch), with their gradients.

Each op is one node whose gradient formula sits under its forward. The formulas are written on
NumPy arrays and run unchanged on ``TensorArray``s under ``create_graph=True`` (see
``notes/double_backward``): where a formula needs a factorization itself (``inv``, ``solve``,
``svd``) it calls the helpers below, which run NumPy on arrays and this module's ops on traced
values. Ops with several differentiable outputs (``slogdet``, ``qr``, ``eigh``, ``svd``) are one
node with several outputs (``Multi``), as in PyTorch.

>>> import numtorch as torch
>>> A = torch.tensor([[2.0, 1.0], [1.0, 3.0]])
>>> torch.linalg.det(A)
tensor(5.)
>>> torch.linalg.solve(A, torch.tensor([3.0, 5.0]))
tensor([0.8000, 1.4000])
"""
from __future__ import annotations

import warnings
from operator import itemgetter

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.engine import _input_tensor, _untraceable
from ..autograd.function import (Function, _SECOND_BACKWARD, _check_versions,
                                 record_hooks as _record_hooks)
from ._apply import apply, _wire, _NO_CTX, broadcast_error, write_out
from ._tensor_array import TensorArray
from . import shape as S
from .math import where

_make = Tensor._make


# -- errors and result types --------------------------------------------------------------------

class _LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a linear-algebra routine failed on its input (a singular
    matrix, a matrix that is not positive-definite); a ``RuntimeError``."""


_LinAlgError.__module__ = "torch._C"
LinAlgError = _LinAlgError


def return_type(name: str, fields: str, module: str = __name__, qualname: str | None = None):
    """A tuple type with named fields, shown as ``torch.return_types.<name>(...)``
    like PyTorch's (made without ``namedtuple``, whose code generation costs import time)."""
    names = tuple(fields.split())

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(names, self))
        return f"torch.return_types.{name}(\n{body})"

    ns = {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "_fields": names,
          "__getnewargs__": lambda self: tuple(self), "__module__": module,
          "__qualname__": qualname or name}     # (where pickle finds it)
    for i, f in enumerate(names):
        ns[f] = property(itemgetter(i))
    return type(name, (tuple,), ns)


linalg_inv_ex = return_type("linalg_inv_ex", "inverse info")
linalg_slogdet = return_type("linalg_slogdet", "sign logabsdet")
slogdet_type = return_type("slogdet", "sign logabsdet", qualname="slogdet_type")
linalg_solve_ex = return_type("linalg_solve_ex", "result info")
linalg_cholesky_ex = return_type("linalg_cholesky_ex", "L info")
linalg_qr = return_type("linalg_qr", "Q R")
qr_type = return_type("qr", "Q R", qualname="qr_type")
linalg_eigh = return_type("linalg_eigh", "eigenvalues eigenvectors")
linalg_svd = return_type("linalg_svd", "U S Vh")
svd_type = return_type("svd", "U S V", qualname="svd_type")


def check_square(name: str, t: Tensor, arg: str = "A") -> None:
    """PyTorch's checks of a batch of square matrices: at least 2-D, then square."""
    shape = t._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{shape[-2]} by {shape[-1]} matrices")


def check_matrix(name: str, t: Tensor, arg: str = "A") -> None:
    if t._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def check_float(name: str, t: Tensor, half: str | None = None) -> None:
    """Floating or complex input; float16 refused with ``half`` (the kernel's name: PyTorch's
    NotImplementedError) or PyTorch's 'Low precision' message."""
    d = t._data.dtype
    if d.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype.legacy_name_np(d)}")
    if d == np.float16:
        if half is not None:
            raise NotImplementedError(f'"{half}" not implemented for \'Half\'')
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")


def real_grad_only(name: str, *tensors) -> None:
    """Refuse to record a gradient this module computes only for real matrices (complex
    inputs work without gradients)."""
    if grad_mode.state[0]:
        for t in tensors:
            if t is not None and t.requires_grad and t._data.dtype.kind == "c":
                raise NotImplementedError(f"numtorch: the gradient of {name} for complex inputs "
                                          "is not implemented yet (real inputs have one)")


def _batch_prefix(ndim: int, index: int) -> str:
    return f"(Batch element {index}): " if ndim > 2 else ""


def zero_pivot(m: np.ndarray) -> int:
    """The 1-based position of the first zero pivot of ``m``'s LU factorization with partial
    pivoting (LAPACK's getrf ``info``), 0 when there is none."""
    a = np.array(m, dtype=m.dtype if m.dtype.kind == "f" else np.float64)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        if p != k:
            a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return 0


def singular_info(a: np.ndarray) -> np.ndarray:
    """getrf's ``info`` for each matrix of the batch ``a`` (int32, the batch's shape)."""
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    return np.array([zero_pivot(m) for m in flat], np.int32).reshape(a.shape[:-2])


def _first_failure(info: np.ndarray):
    flat = info.reshape(-1)
    i = int(np.flatnonzero(flat)[0])
    return i, int(flat[i])


def _singular_error(name: str, a: np.ndarray) -> _LinAlgError:
    """PyTorch's error for a singular matrix in ``name`` (linalg.inv[_ex] or a solver)."""
    info = singular_info(a)
    if not info.any():                     # NumPy saw a zero pivot LU rounding here did not
        info = np.full(info.shape, a.shape[-1], np.int32)
    i, k = _first_failure(info)
    pre = _batch_prefix(a.ndim, i)
    if name.startswith("linalg.inv"):
        return _LinAlgError(f"{name}: {pre}The diagonal element {k} is zero, the inversion "
                            "could not be completed because the input matrix is singular.")
    return _LinAlgError(f"torch.linalg.solve: {pre}The solver failed because the input matrix "
                        "is singular.")


def np_inv(a: np.ndarray, name: str = "linalg.inv") -> np.ndarray:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular_error(name, a) from None


def np_solve(a: np.ndarray, b: np.ndarray, name: str = "linalg.solve") -> np.ndarray:
    """``a⁻¹ b`` for (batches of) matrices ``b``."""
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise _singular_error(name, np.broadcast_to(a, np.broadcast_shapes(
            a.shape[:-2], b.shape[:-2]) + a.shape[-2:])) from None


# -- helpers that run on arrays and on traced values alike ----------------------------------------

def mT(x):
    """The last two axes swapped."""
    return np.swapaxes(x, -1, -2)


def diag_embed(v):
    """A batch of diagonal matrices with ``v`` on the diagonal."""
    n = v.shape[-1]
    return v[..., None] * np.eye(n, dtype=v.dtype)


def diagonal(m):
    return np.diagonal(m, 0, -2, -1)


def _tensor_of(v) -> Tensor:
    return v.t if type(v) is TensorArray else _make(np.asarray(v))


def _traced(*values) -> bool:
    return any(type(v) is TensorArray for v in values)


def inv_(a):
    """``a⁻¹``: NumPy on arrays, ``linalg.inv`` (recorded) on traced values."""
    if type(a) is np.ndarray:
        return np_inv(a)
    return TensorArray(inv(a.t))


def solve_(a, b):
    """``a⁻¹ b`` for matrices ``b``: NumPy on arrays, ``linalg.solve`` on traced values."""
    if not _traced(a, b):
        return np_solve(a, b)
    return TensorArray(solve(_tensor_of(a), _tensor_of(b)))


def svd_(a):
    """``(U, S, Vh)`` (reduced): NumPy on arrays, ``linalg.svd`` on traced values."""
    if type(a) is np.ndarray:
        return np.linalg.svd(a, full_matrices=False)
    return tuple(TensorArray(t) for t in svd(a.t, full_matrices=False))


def det_(a):
    if type(a) is np.ndarray:
        return np.linalg.det(a)
    return TensorArray(det(a.t))


def _reciprocal_gaps(w):
    """``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal, 0 on it."""
    n = w.shape[-1]
    eye = np.eye(n, dtype=w.dtype)
    gaps = w[..., None, :] - w[..., :, None] + eye        # (1 on the diagonal: no inf/NaN)
    return np.where(eye.astype(bool), 0, 1 / gaps)


# -- nodes with several outputs -------------------------------------------------------------------

class Multi(Function):
    """A built-in node with several outputs (``_n_out``). ``forward(ctx, *arrays, *params)``
    returns a tuple of arrays; ``vjp(ctx, *grads)`` (None for an output that got no gradient)
    returns one gradient per tensor input. Inputs are saved under ``saved_inputs``, outputs
    under ``saved_outputs`` (by position, None to skip), so that under ``create_graph`` the
    same ``vjp`` runs on traced values."""

    _materialize = False
    saved_outputs: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__name__ = cls.__qualname__ = cls._name     # type(y.grad_fn).__name__, as PyTorch

    def _run_backward(self, grads: list):
        if not hasattr(self, "_next") or self._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        _check_versions(self)
        return self.vjp(self, *grads)

    @staticmethod
    def backward(ctx, *grads):
        """create_graph: ``vjp`` on the node's saved values tied to the graph."""
        res = type(ctx).vjp(_traced_ctx(ctx), *[None if g is None else TensorArray(g)
                                                  for g in grads])
        return tuple(None if r is None else r.t if type(r) is TensorArray else _make(r)
                     for r in res)


class _Traced:
    """What ``vjp`` reads under create_graph: saved inputs and outputs as TensorArrays tied to
    the graph, everything else as the node keeps it."""

    def __init__(self, node):
        self.needs_input_grad = node.needs_input_grad


def _traced_ctx(node) -> _Traced:
    if node._freed or not hasattr(node, "_next"):
        raise RuntimeError(_SECOND_BACKWARD)
    cls = type(node)
    ctx = _Traced(node)
    ins, outs, nxt = cls.saved_inputs, cls.saved_outputs, node._next
    for key, v in node.__dict__.items():
        if type(v) is np.ndarray or isinstance(v, np.generic):
            if key in ins and ins.index(key) < len(nxt):
                v = TensorArray(_input_tensor(nxt[ins.index(key)], np.asarray(v), node))
            elif key in outs:
                t = _make(np.asarray(v), True)
                t.grad_fn = node
                t._out_index = outs.index(key)
                v = TensorArray(t)
            elif v.dtype.kind in "fc" and key not in cls.constants:
                raise _untraceable(node, key)
        setattr(ctx, key, v)
    return ctx


def apply_multi(cls, tensors: tuple, arrays: tuple, *params) -> list:
    """Run a ``Multi`` op: its outputs as tensors, all made by one node when a graph is
    recorded (the outputs' ``_out_index`` says which each is)."""
    if grad_mode.state[0] and any(t is not None and t.requires_grad for t in tensors):
        ctx = object.__new__(cls)
        outs = cls.forward(ctx, *arrays, *params)
        _wire(ctx, tensors)
        ctx._arg_is_tensor = (True,) * len(tensors)
        results = []
        for i, o in enumerate(outs):
            t = _make(o, True)
            t.grad_fn = ctx
            if i:
                t._out_index = i
            results.append(t)
        versions = [(tensors[i]._vc, tensors[i]._vc[0]) for i in cls.saves
                    if tensors[i] is not None]
        versions += [(results[i]._vc, 0) for i, name in enumerate(cls.saved_outputs) if name]
        ctx._saved_versions = versions
        if _record_hooks[0] is not None:
            _record_hooks[0](ctx, tensors, results[0])
        return results
    return [_make(o) for o in cls.forward(_NO_CTX, *arrays, *params)]


# -- inv ------------------------------------------------------------------------------------------

class Inv(Function):
    _raw = True
    _name = "LinalgInvExBackward0"
    saves_output = True
    saved_inputs = ("a",)

    @staticmethod
    def forward(ctx, a):
        out = np_inv(a)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        y = mT(ctx.out)
        return (-(y @ g @ y),)


def inv(A: Tensor, *, out=None) -> Tensor:
    """The inverse of a square matrix (or of each in a batch).

    >>> import numtorch as torch
    >>> torch.linalg.inv(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    check_square("linalg.inv", A)
    check_float("linalg.inv", A)
    real_grad_only("linalg.inv", A)
    return _out(apply(Inv, (A,), (A._data,)), out)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """``(inverse, info)``: ``info`` is 0 where the matrix was inverted, else the position of
    the zero pivot (the inverse is then NaN there; PyTorch leaves LAPACK's partial values)."""
    check_square("linalg.inv", A)
    check_float("linalg.inv", A)
    a = A._data
    try:
        np.linalg.inv(a)
        info = np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        info = singular_info(a)
        if check_errors:
            raise _singular_error("linalg.inv_ex", a) from None
    real_grad_only("linalg.inv_ex", A)
    if info.any():
        good = np.where((info != 0)[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a)
        res = apply(_InvMasked, (A,), (good, info))
    else:
        res = apply(Inv, (A,), (a,))
    return _out_tuple(linalg_inv_ex(res, _make(info)), out)


class _InvMasked(Inv):
    """inv_ex where some matrices are singular: NaN there (no gradient flows)."""
    _raw = True
    _name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a, info):
        out = np.linalg.inv(a)
        out[info != 0] = np.nan
        ctx.out = out
        return out


def inverse(input: Tensor, *, out=None) -> Tensor:
    """``torch.inverse``: ``torch.linalg.inv``."""
    return inv(input, out=out)


# -- det / slogdet / logdet ---------------------------------------------------------------------

class Det(Function):
    _raw = True
    _name = "LinalgDetBackward0"
    saves = (0,)
    saves_output = True
    saved_inputs = ("a",)

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.linalg.det(a), a.dtype)
        ctx.a, ctx.out = a, out
        return out

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.a, ctx.out
        if not np.any(d == 0):
            cof = d[..., None, None] * mT(inv_(a))          # det(A) A⁻ᵀ: the cofactors
        else:                                               # singular: cofactors from the SVD
            cof = _cofactors_svd(a)
        return (g[..., None, None] * cof,)


def _cofactors_svd(a):
    """The cofactor matrix of (possibly singular) ``a``: with ``A = U diag(s) Vh``, it is
    ``det(U) det(Vh) U diag(prod_{j != i} s_j) Vh``."""
    u, s, vh = svd_(a)
    n = s.shape[-1]
    ones = np.ones_like(s[..., :1])
    before = np.cumprod(np.concatenate([ones, s[..., :n - 1]], -1), -1)
    after = np.flip(np.cumprod(np.concatenate([ones, np.flip(s[..., 1:], -1)], -1), -1), -1)
    others = before * after
    sign = det_(u) * det_(vh)
    return sign[..., None, None] * ((u * others[..., None, :]) @ vh)


def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of a square matrix (or of each in a batch).

    >>> import numtorch as torch
    >>> torch.det(torch.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    check_square("linalg.det", A)
    check_float("linalg.det", A, "lu_cpu")
    real_grad_only("linalg.det", A)
    return _out(apply(Det, (A,), (A._data,)), out)


class Slogdet(Multi):
    _name = "LinalgSlogdetBackward0"
    _n_out = 2
    saves = (0,)
    saved_inputs = ("a",)
    saved_outputs = ()

    @staticmethod
    def forward(ctx, a):
        sign, logabs = np.linalg.slogdet(a)
        ctx.a = a
        return np.asarray(sign, a.dtype), np.asarray(logabs, a.dtype)

    @staticmethod
    def vjp(ctx, gsign, glogabs):
        if glogabs is None:                        # the sign of a real matrix: no gradient
            return (None,)
        return (glogabs[..., None, None] * mT(inv_(ctx.a)),)


def slogdet(A: Tensor, *, out=None):
    """``(sign, logabsdet)``: the determinant is ``sign * exp(logabsdet)``, computed without
    overflow.

    >>> import numtorch as torch
    >>> torch.linalg.slogdet(torch.tensor([[-2.0, 0.0], [0.0, 3.0]]))
    torch.return_types.linalg_slogdet(
    sign=tensor(-1.),
    logabsdet=tensor(1.7918))
    """
    check_square("linalg.slogdet", A)
    check_float("linalg.slogdet", A)
    real_grad_only("linalg.slogdet", A)
    return _out_tuple(linalg_slogdet(*apply_multi(Slogdet, (A,), (A._data,))), out)


def torch_slogdet(input: Tensor, *, out=None):
    """``torch.slogdet``: ``torch.linalg.slogdet`` (a ``torch.return_types.slogdet``)."""
    return slogdet_type(*slogdet(input, out=out))


def logdet(input: Tensor) -> Tensor:
    """``log(det(A))``: NaN where the determinant is negative, -inf where it is 0."""
    check_square("logdet", input)
    check_float("logdet", input)
    real_grad_only("logdet", input)
    sign, logabs = apply_multi(Slogdet, (input,), (input._data,))
    nan = _make(np.asarray(np.nan, input._data.dtype))
    return where(_make(sign._data < 0), nan, logabs)


# -- solve ---------------------------------------------------------------------------------------

class Solve(Function):
    _raw = True
    _name = "LinalgSolveExBackward0"
    saves = (0,)
    saves_output = True
    saved_inputs = ("a", "b")

    @staticmethod
    def forward(ctx, a, b, vec, left):
        if left:
            x = np_solve(a, b[..., None] if vec else b, "torch.linalg.solve")
            if vec:
                x = x[..., 0]
        else:                                          # X A = B: Aᵀ Xᵀ = Bᵀ
            x = mT(np_solve(mT(a), mT(b), "torch.linalg.solve"))
        ctx.a, ctx.vec, ctx.left, ctx.out = a, vec, left, x
        return x

    @staticmethod
    def backward(ctx, g):
        x, a = ctx.out, ctx.a
        if not ctx.left:
            gb = mT(solve_(a, mT(g)))
            ga = -(mT(x) @ gb) if ctx.needs_input_grad[0] else None
            return ga, gb if ctx.needs_input_grad[1] else None
        if ctx.vec:
            x, g = x[..., None], g[..., None]
        gb = solve_(mT(a), g)
        ga = -(gb @ mT(x)) if ctx.needs_input_grad[0] else None
        if ctx.vec:
            gb = gb[..., 0]
        return ga, gb if ctx.needs_input_grad[1] else None


def _solve_shapes(A: Tensor, B: Tensor, left: bool) -> bool:
    """Whether ``B`` is a (batch of) vector(s) for ``AX = B``, checking the shapes as PyTorch."""
    a, b = A._data, B._data
    check_square("linalg.solve", A)
    if b.ndim < 1:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    vec = left and (b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]))
    if not vec and b.ndim < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    n = a.shape[-1]
    rows = b.shape[-1] if vec else (b.shape[-2] if left else b.shape[-1])
    if rows != n:
        cols = 1 if vec else b.shape[-1]
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {b.shape[-2] if not vec else rows}x{cols})")
    return vec


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``); ``B`` is a
    matrix, a vector, or batches of them.

    >>> import numtorch as torch
    >>> torch.linalg.solve(torch.eye(2) * 2, torch.ones(2))
    tensor([0.5000, 0.5000])
    """
    vec = _solve_shapes(A, B, left)
    check_float("linalg.solve", A)
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_dtype.legacy_name_np(a.dtype)} and B of type "
                           f"{_dtype.legacy_name_np(b.dtype)} instead")
    batch_a, batch_b = a.shape[:-2], b.shape[:-1] if vec else b.shape[:-2]
    try:
        np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise broadcast_error(np.empty(batch_b, np.int8), np.empty(batch_a, np.int8)) from None
    real_grad_only("linalg.solve", A, B)
    return _out(apply(Solve, (A, B), (a, b), vec, bool(left)), out)


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """``(result, info)`` of ``linalg.solve`` (raises on a singular matrix, as with
    ``check_errors=True``; ``info`` is then all zeros)."""
    res = solve(A, B, left=left)
    return _out_tuple(linalg_solve_ex(res, _make(np.zeros(A._data.shape[:-2], np.int32))), out)


# -- cholesky -------------------------------------------------------------------------------------

def _potf2(a: np.ndarray):
    """Unblocked Cholesky of one matrix's lower triangle, stopping where LAPACK's potf2 does:
    ``(partial L, info)`` (``info``: the order of the first leading minor that is not
    positive-definite, 0 on success)."""
    n = a.shape[0]
    L = np.tril(np.array(a, dtype=a.dtype))
    for j in range(n):
        ajj = L[j, j] - L[j, :j] @ L[j, :j]
        if not ajj > 0:
            L[j, j] = ajj
            return L, j + 1
        L[j, j] = np.sqrt(ajj)
        L[j + 1:, j] = (L[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return L, 0


def _cholesky_partial(a: np.ndarray):
    """Cholesky factors of the batch ``a`` (lower), LAPACK's partial factor where it fails;
    and ``info`` per matrix."""
    n = a.shape[-1]
    try:
        return np.linalg.cholesky(a), np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        pass
    flat = a.reshape(-1, n, n)
    Ls, infos = [], []
    for m in flat:
        try:
            Ls.append(np.linalg.cholesky(m))
            infos.append(0)
        except np.linalg.LinAlgError:
            L, k = _potf2(m)
            Ls.append(L)
            infos.append(k if k else n)
    return (np.stack(Ls).reshape(a.shape) if Ls else np.empty_like(a),
            np.array(infos, np.int32).reshape(a.shape[:-2]))


def _not_pd(a: np.ndarray, info: np.ndarray, name: str) -> _LinAlgError:
    i, k = _first_failure(info)
    return _LinAlgError(f"{name}: {_batch_prefix(a.ndim, i)}The factorization could "
                        "not be completed because the input is not positive-definite (the "
                        f"leading minor of order {k} is not positive-definite).")


class Cholesky(Function):
    _raw = True
    _name = "LinalgCholeskyExBackward0"
    saves_output = True
    saved_inputs = ("a",)

    @staticmethod
    def forward(ctx, L, upper):
        """``L``: the factor, computed by the caller (so failures are reported there)."""
        out = mT(L).copy() if upper else L
        ctx.upper, ctx.out = upper, out
        return out

    @staticmethod
    def backward(ctx, g):
        L = ctx.out
        if ctx.upper:
            L, g = mT(L), mT(g)
        p = mT(L) @ g
        phi = np.tril(p) - 0.5 * diag_embed(diagonal(p))   # lower triangle, half the diagonal
        lt = mT(L)
        s = mT(solve_(lt, mT(solve_(lt, phi))))            # L⁻ᵀ phi L⁻¹
        return (0.5 * (s + mT(s)),)


class TorchCholesky(Cholesky):
    """``torch.cholesky``'s node (the older function has a node name of its own)."""
    _raw = True
    _name = "CholeskyBackward0"


def _cholesky(A: Tensor, upper: bool, check: str | None, cls=Cholesky):
    check_square("linalg.cholesky", A)
    check_float("linalg.cholesky", A, "cholesky_cpu")
    a = A._data
    src = mT(a) if upper else a                 # upper=True reads the upper triangle
    L, info = _cholesky_partial(src)
    if check and info.any():
        raise _not_pd(a, info, check)
    if info.any():                              # cholesky_ex: the partial factors, no gradient
        return _make(mT(L).copy() if upper else L), info
    real_grad_only("linalg.cholesky", A)
    return apply(cls, (A,), (L, upper)), info


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """The Cholesky factor ``L`` of a symmetric positive-definite matrix (``A = L Lᵀ``; with
    ``upper=True``, ``U`` with ``A = Uᵀ U``).

    >>> import numtorch as torch
    >>> torch.linalg.cholesky(torch.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    return _out(_cholesky(A, upper, "linalg.cholesky")[0], out)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """``(L, info)``: ``info`` is 0 where the factorization succeeded, else the order of the
    leading minor that is not positive-definite (``L`` is then LAPACK's partial factor)."""
    L, info = _cholesky(A, upper, "linalg.cholesky_ex" if check_errors else None)
    return _out_tuple(linalg_cholesky_ex(L, _make(info)), out)


def torch_cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """``torch.cholesky`` (deprecated in PyTorch): ``torch.linalg.cholesky``."""
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced "
                  "with\nL = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
                  "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will "
                  "produce equivalent results for all valid (symmetric positive definite) inputs.",
                  UserWarning, stacklevel=2)
    return _out(_cholesky(input, upper, "linalg.cholesky", TorchCholesky)[0], out)


# -- qr -------------------------------------------------------------------------------------------

class Qr(Multi):
    _name = "LinalgQrBackward0"
    _n_out = 2
    saved_outputs = ("Q", "R")

    @staticmethod
    def forward(ctx, a, mode):
        if mode == "r":
            q, r = np.empty((0,), a.dtype), np.linalg.qr(a, mode="r")
        else:
            q, r = np.linalg.qr(a, mode=mode)
        ctx.Q, ctx.R, ctx.mode, ctx.shape = q, r, mode, a.shape
        return q, r

    @staticmethod
    def vjp(ctx, gq, gr):
        m, n = ctx.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are "
                               "going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if gq is None and gr is None:
            return (None,)
        q, r = ctx.Q, ctx.R
        if m >= n:
            return (_qr_square_grad(q, r, gq, gr),)
        # wide A = [X | Y] = Q [U | V]: X is a square QR, Y = Q V
        u, v = r[..., :m], r[..., m:]
        gu = None if gr is None else gr[..., :m]
        gv = None if gr is None else gr[..., m:]
        if gv is not None:
            extra = (q @ v) @ mT(gv)
            gq = extra if gq is None else gq + extra
        gx = _qr_square_grad(q, u, gq, gu)
        gy = q @ gv if gv is not None else np.zeros_like(v)
        return (np.concatenate([gx, gy], -1),)


def _qr_square_grad(q, r, gq, gr):
    """The gradient of ``A = QR`` (``Q`` with orthonormal columns, ``R`` square upper
    triangular): ``(gQ + Q copyltu(M)) R⁻ᵀ`` with ``M = R gRᵀ - gQᵀ Q``."""
    if gr is None:
        m = -(mT(gq) @ q)
    elif gq is None:
        m = r @ mT(gr)
    else:
        m = r @ mT(gr) - mT(gq) @ q
    k = np.tril(m) + mT(np.tril(m, -1))
    b = q @ k if gq is None else gq + q @ k
    return mT(solve_(r, mT(b)))


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """``(Q, R)`` with ``A = QR``, ``Q`` orthonormal columns, ``R`` upper triangular; ``mode``
    'reduced' (default), 'complete' or 'r' (``Q`` empty).

    >>> import numtorch as torch
    >>> Q, R = torch.linalg.qr(torch.tensor([[3.0, 1.0], [4.0, 2.0]]))
    >>> R
    tensor([[-5.0000, -2.2000],
            [ 0.0000,  0.4000]])
    """
    check_matrix("linalg.qr", A)
    check_float("linalg.qr", A, "geqrf_cpu")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    real_grad_only("linalg.qr", A)
    return _out_tuple(linalg_qr(*apply_multi(Qr, (A,), (A._data, mode))), out)


def torch_qr(input: Tensor, some: bool = True, *, out=None):
    """``torch.qr`` (deprecated in PyTorch): ``some=False`` is mode 'complete'."""
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                  "future PyTorch release.\nThe boolean parameter 'some' has been replaced with a "
                  "string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
                  "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')", UserWarning,
                  stacklevel=2)
    return qr_type(*qr(input, "reduced" if some else "complete", out=out))


# -- eigh -----------------------------------------------------------------------------------------

class Eigh(Multi):
    _name = "LinalgEighBackward0"
    _n_out = 2
    saved_outputs = ("L", "Q")

    @staticmethod
    def forward(ctx, a, uplo):
        try:
            w, v = np.linalg.eigh(a, UPLO=uplo)
        except np.linalg.LinAlgError:
            raise _not_converged("linalg.eigh", "eigenvalues") from None
        ctx.L, ctx.Q = w, v
        return w, v

    @staticmethod
    def vjp(ctx, gl, gq):
        w, v = ctx.L, ctx.Q
        if gq is None:
            if gl is None:
                return (None,)
            return ((v * gl[..., None, :]) @ mT(v),)
        x = mT(v) @ gq
        inner = _reciprocal_gaps(w) * (0.5 * (x - mT(x)))
        if gl is not None:
            inner = inner + diag_embed(gl)
        return (v @ inner @ mT(v),)


def _not_converged(name: str, what: str) -> _LinAlgError:
    return _LinAlgError(f"{name}: The algorithm failed to converge because the input matrix is "
                        f"ill-conditioned or has too many repeated {what}.")


def _check_eigh(A: Tensor) -> None:
    check_square("linalg.eigh", A)
    d = A._data.dtype
    if d.kind not in "fc" or d == np.float16:
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{_dtype.legacy_name_np(d)}'")


def _check_uplo(UPLO):
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix, read from its
    lower (``UPLO='L'``) or upper triangle. Each eigenvector is unique only up to its sign.

    >>> import numtorch as torch
    >>> torch.linalg.eigh(torch.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    _check_eigh(A)
    uplo = _check_uplo(UPLO)
    real_grad_only("linalg.eigh", A)
    return _out_tuple(linalg_eigh(*apply_multi(Eigh, (A,), (A._data, uplo))), out)


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending."""
    _check_eigh(A)
    uplo = _check_uplo(UPLO)
    if A.requires_grad and grad_mode.state[0]:
        real_grad_only("linalg.eigvalsh", A)
        return _out(apply_multi(Eigh, (A,), (A._data, uplo))[0], out)
    try:
        w = np.linalg.eigvalsh(A._data, UPLO=uplo)
    except np.linalg.LinAlgError:
        raise _not_converged("linalg.eigh", "eigenvalues") from None
    return _out(_make(w), out)


# -- svd ------------------------------------------------------------------------------------------

class Svd(Multi):
    _name = "LinalgSvdBackward0"
    _n_out = 3
    saved_outputs = ("U", "S", "Vh")

    @staticmethod
    def forward(ctx, a, full):
        try:
            u, s, vh = np.linalg.svd(a, full_matrices=full)
        except np.linalg.LinAlgError:
            raise _not_converged("linalg.svd", "singular values") from None
        ctx.U, ctx.S, ctx.Vh, ctx.full = u, s, vh, full
        return u, s, vh

    @staticmethod
    def vjp(ctx, gu, gs, gvh):
        u, s, vh = ctx.U, ctx.S, ctx.Vh
        k = s.shape[-1]
        m, n = u.shape[-2], vh.shape[-1]
        if ctx.full:                  # the extra columns are not determined by A: ignored
            u, vh = u[..., :k], vh[..., :k, :]
            gu = None if gu is None else gu[..., :k]
            gvh = None if gvh is None else gvh[..., :k, :]
        if gu is None and gvh is None:
            if gs is None:
                return (None,)
            return ((u * gs[..., None, :]) @ vh,)
        inner = diag_embed(gs) if gs is not None else None
        f = _reciprocal_gaps(s * s)                   # 1 / (s_j² - s_i²)
        if gu is not None:
            x = mT(u) @ gu
            term = (f * (x - mT(x))) * s[..., None, :]
            inner = term if inner is None else inner + term
        if gvh is not None:
            gv = mT(gvh)
            v = mT(vh)
            y = mT(v) @ gv
            term = s[..., :, None] * (f * (y - mT(y)))
            inner = term if inner is None else inner + term
        ga = u @ inner @ vh
        if gu is not None and m > k:                  # (I - U Uᵀ) gU S⁻¹ Vh
            ga = ga + ((gu - u @ (mT(u) @ gu)) / s[..., None, :]) @ vh
        if gvh is not None and n > k:                 # U S⁻¹ gVᵀ (I - V Vᵀ)
            ga = ga + u @ mT((gv - v @ (vh @ gv)) / s[..., None, :])
        return (ga,)


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, ``S`` descending. Singular vectors are unique
    only up to sign (pairs of columns of ``U`` and rows of ``Vh`` flip together).

    >>> import numtorch as torch
    >>> torch.linalg.svd(torch.tensor([[3.0, 0.0], [0.0, -2.0]])).S
    tensor([3., 2.])
    """
    check_matrix("linalg.svd", A)
    check_float("linalg.svd", A, "linalg_svd_cpu")
    real_grad_only("linalg.svd", A)
    return _out_tuple(linalg_svd(*apply_multi(Svd, (A,), (A._data, bool(full_matrices)))), out)


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values of ``A``, descending."""
    check_matrix("linalg.svd", A)
    check_float("linalg.svd", A, "linalg_svd_cpu")
    if A.requires_grad and grad_mode.state[0]:
        real_grad_only("linalg.svdvals", A)
        return _out(apply_multi(Svd, (A,), (A._data, False))[1], out)
    try:
        s = np.linalg.svd(A._data, compute_uv=False)
    except np.linalg.LinAlgError:
        raise _not_converged("linalg.svd", "singular values") from None
    return _out(_make(s), out)


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """``torch.svd`` (PyTorch's older form): ``(U, S, V)`` with ``A = U diag(S) Vᵀ`` (``V``,
    not ``Vh``); ``some=False`` gives full square ``U`` and ``V``; ``compute_uv=False`` gives
    zero-filled ``U`` (m×m) and ``V`` (n×n)."""
    check_matrix("linalg.svd", input)
    check_float("linalg.svd", input, "linalg_svd_cpu")
    if not compute_uv:
        a = input._data
        m, n = a.shape[-2:]
        s = svdvals(input)
        return _out_tuple(svd_type(_make(np.zeros(a.shape[:-2] + (m, m), a.dtype)), s,
                                   _make(np.zeros(a.shape[:-2] + (n, n), a.dtype))), out)
    u, s, vh = svd(input, full_matrices=not some)
    return _out_tuple(svd_type(u, s, S.transpose(vh, -2, -1)), out)


# -- out= -----------------------------------------------------------------------------------------

def _out(result: Tensor, out) -> Tensor:
    if out is None:
        return result
    return write_out("linalg", result, out)


def _out_tuple(result, out):
    if out is None:
        return result
    for r, o in zip(result, out):
        _out(r, o)
    return type(result)(*out)
