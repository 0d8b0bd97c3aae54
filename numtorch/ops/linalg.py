"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), mm, bmm, mv, dot, outer,
addmm, einsum. Always NumPy's matmul (BLAS), never broadcast-multiply-sum.

>>> import numtorch as torch
>>> torch.ones(2, 3) @ torch.ones(3)
tensor([3., 3.])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._errors import bad_operand, not_tensor
from .._tensor import Tensor
from ..autograd.function import Function, HOLOMORPHIC
from ._apply import apply, write_out, broadcast_error, expand_error
from ._scalars import coefficients
from ._small_gemm import addmm_exact, matmul_exact


def _same_dtype(a: Tensor, b: Tensor, m1="m1", m2="m2"):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected {m1} and {m2} to have the same dtype, but got: "
                           f"{_dtype.cpp_name(a.dtype)} != {_dtype.cpp_name(b.dtype)}")


def _check_tensor(x, name, arg="mat2"):
    if not isinstance(x, Tensor):
        raise not_tensor(name, x, arg, 2)


class MatMul(Function):
    _raw = True
    _name = "MmBackward0"
    complex_grad = HOLOMORPHIC
    saves = (0, 1)
    saved_inputs = ("a", "b")      # create_graph: ``a``, ``b`` are the inputs themselves

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        if a.ndim == 2 == b.ndim:      # PyTorch's bits for small products (_small_gemm)
            return matmul_exact(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:              # dot
            return (g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None)
        if a.ndim == 1:                              # (k) @ (..., k, m) -> (..., m)
            if ctx.needs_input_grad[0]:
                ga = np.matmul(b, g[..., None])[..., 0]
            if ctx.needs_input_grad[1]:                  # an outer product, as PyTorch's mm
                gb = np.matmul(a[:, None], g[..., None, :])
            return ga, gb
        if b.ndim == 1:                              # (..., n, k) @ (k) -> (..., n)
            if ctx.needs_input_grad[0]:
                ga = g[..., None] * b
            if ctx.needs_input_grad[1]:
                gb = np.matmul(np.swapaxes(a, -1, -2), g[..., None])[..., 0]
            return ga, gb
        mm = matmul_exact if g.ndim == 2 else np.matmul
        if ctx.needs_input_grad[0]:
            ga = mm(g, np.swapaxes(b, -1, -2))
        if ctx.needs_input_grad[1]:
            gb = mm(np.swapaxes(a, -1, -2), g)
        return ga, gb


class Mm(MatMul):
    _raw = True
    _name = "MmBackward0"


class Bmm(MatMul):
    _raw = True
    _name = "BmmBackward0"


class Mv(MatMul):
    _raw = True
    _name = "MvBackward0"


class Dot(MatMul):
    _raw = True
    _name = "DotBackward0"


class UnsafeViewMatMul(MatMul):
    _raw = True
    _name = "UnsafeViewBackward0"


class SqueezeMatMul(MatMul):
    """(k) @ (k, m): PyTorch computes it as an unsqueezed mm, then squeezes."""
    _raw = True
    _name = "SqueezeBackward4"


class CloneMatMul(MatMul):
    _raw = True
    _name = "CloneBackward0"


def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched operands.

    >>> import numtorch as torch
    >>> (torch.ones(5, 2, 3) @ torch.ones(3, 4)).shape
    torch.Size([5, 2, 4])
    """
    if out is not None:
        return write_out("matmul", matmul(input, other), out)
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        return bad_operand("matmul", input, other, Tensor)
    a, b = input._data, other._data
    _same_dtype(input, other)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    ka = a.shape[-1]
    kb = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if ka != kb:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                               f"[{b.shape[0]}] to have the same number of elements, but got "
                               f"{a.shape[0]} and {b.shape[0]} elements respectively")
        if b.ndim == 1:                          # (..., n, k) @ (k): one mv on the flattened rows
            n = a.size // ka if ka else int(np.prod(a.shape[:-1]))
            raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{ka}), vec ({b.shape[0]})")
        if a.ndim <= 2 and b.ndim <= 2:
            sa = f"{a.shape[0]}x{a.shape[1]}" if a.ndim == 2 else f"1x{a.shape[0]}"
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and "
                               f"{b.shape[0]}x{b.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b.shape[0] if b.ndim > 2 else a.shape[0]}, {ka}] but got: "
                           f"[{b.shape[0] if b.ndim > 2 else 1}, {kb}].")
    return _matmul(input, other, a, b)


def _matmul(input, other, a, b, cls=None):
    if cls is None:     # the node PyTorch's matmul ends with, by operand ranks
        if a.ndim <= 2 and b.ndim <= 2:
            cls = ((Dot, SqueezeMatMul), (Mv, Mm))[a.ndim - 1][b.ndim - 1]
        else:
            cls = CloneMatMul if a.ndim == 2 and b.ndim > 2 else UnsafeViewMatMul
    try:
        return apply(cls, (input, other), (a, b))
    except ValueError:                      # the batch dimensions do not broadcast
        raise broadcast_error(np.broadcast_to(np.int8(0), a.shape[:-2]),
                              np.broadcast_to(np.int8(0), b.shape[:-2])) from None


def mm(input, mat2) -> Tensor:
    _check_tensor(mat2, "mm")
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    a, b = input._data, mat2._data
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]})")
    _same_dtype(input, mat2)
    return _matmul(input, mat2, a, b, Mm)


def bmm(input, mat2) -> Tensor:
    if input._data.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2._data.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    a, b = input._data, mat2._data
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_dtype.legacy_name(input.dtype)} but found "
                           f"{_dtype.legacy_name(mat2.dtype)}")
    return _matmul(input, mat2, a, b, Bmm)


def mv(input, vec) -> Tensor:
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, "
                           f"{input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)  # (n, k) @ (k): MvBackward0


def dot(input, other) -> Tensor:
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and "
                           f"{other._data.ndim}D tensors")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_dtype.legacy_name(input.dtype)} and {_dtype.legacy_name(other.dtype)}")
    return matmul(input, other)


def inner(input, other) -> Tensor:
    """Sum of products over the last dimension (1-D tensors: the dot product)."""
    a, b = input._data, other._data
    if a.ndim and b.ndim and a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(a.shape)} and {list(b.shape)}")
    return dot(input, other)


vdot = dot


class Outer(Function):
    _raw = True
    _name = "MulBackward0"      # PyTorch computes outer as a broadcast multiply
    complex_grad = HOLOMORPHIC
    saves = (0, 1)
    saved_inputs = ("a", "b")

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.outer(a, b)

    @staticmethod
    def backward(ctx, g):
        return g @ ctx.b, ctx.a @ g


def outer(input, vec2) -> Tensor:
    """Outer product of two 1-D tensors."""
    from ._apply import operands
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    ta, tb, a, b = operands(input, vec2)
    return apply(Outer, (ta, tb), (a, b))


ger = outer


class Addmm(Function):
    """beta * input + alpha * (mat1 @ mat2): the fused node behind nn.Linear."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saves = (1, 2)
    saved_inputs = ("c", "a", "b")

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.a, ctx.b, ctx.beta, ctx.alpha = a, b, beta, alpha
        if alpha == 1 and beta == 1:
            return addmm_exact(c, a, b)
        # as BLAS's gemm: alpha == 0 skips the product, beta == 0 the input (NaN included)
        out = matmul_exact(a, b) if alpha != 0 else np.zeros_like(a, shape=(a.shape[0],
                                                                           b.shape[1]))
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += c if beta == 1 else beta * c
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        gc = (g if ctx.beta == 1 else g * ctx.beta) if need[0] else None
        ga = matmul_exact(g, ctx.b.T) if need[1] else None
        gb = matmul_exact(ctx.a.T, g) if need[2] else None
        if ctx.alpha != 1:
            ga = None if ga is None else ga * ctx.alpha
            gb = None if gb is None else gb * ctx.alpha
        return gc, ga, gb


_BOOL = np.dtype(np.bool_)     # (NumPy's built-in dtypes are singletons: an identity test)


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:
    a, b = mat1._data, mat2._data
    for name, m in (("mat1", a), ("mat2", b)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        sa = "x".join(map(str, a.shape))
        sb = "x".join(map(str, b.shape))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    _same_dtype(mat1, mat2, "mat1", "mat2")
    if not (beta == 1 and alpha == 1) or a.dtype is _BOOL:
        beta, alpha = coefficients("addmm", a.dtype, beta, alpha, "addmm_impl_cpu_")
    try:
        return apply(Addmm, (input, mat1, mat2), (input._data, a, b), beta, alpha)
    except ValueError:
        raise expand_error(input._data.shape, (a.shape[0], b.shape[1])) from None


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# The attribute names Einsum saves its operands under, in order (create_graph maps them back to
# the inputs' tensors): one per operand, as many as einsum has letters for.
_EINSUM_SAVED = tuple(f"a{i}" for i in range(len(_LETTERS)))


class Einsum(Function):
    """One node for the whole contraction; each operand's gradient is another einsum."""
    _raw = True
    complex_grad = HOLOMORPHIC
    saved_inputs = _EINSUM_SAVED

    @staticmethod
    def forward(ctx, *args):
        *arrays, ins, out = args
        ctx.__dict__.update(zip(_EINSUM_SAVED, arrays))
        ctx.ins, ctx.out = ins, out
        eq = ",".join(ins) + "->" + out
        return np.asarray(np.einsum(eq, *arrays, optimize=len(arrays) > 2))

    @staticmethod
    def backward(ctx, g):
        ins, out = ctx.ins, ctx.out
        arrays = [getattr(ctx, name) for name in _EINSUM_SAVED[:len(ins)]]
        sizes = {}
        for sub, a in zip(ins, arrays):
            for c, n in zip(sub, a.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        grads = []
        for i, sub in enumerate(ins):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [a for j, a in enumerate(arrays) if j != i]
            other_subs = [t for j, t in enumerate(ins) if j != i]
            present = set(out).union(*other_subs)
            uniq = "".join(dict.fromkeys(sub))
            kept = "".join(c for c in uniq if c in present)
            r = np.einsum(",".join([out] + other_subs) + "->" + kept, g, *others)
            # letters summed only inside this operand: the gradient is constant along them
            r = np.broadcast_to(np.expand_dims(r, [k for k, c in enumerate(uniq) if c not in present]),
                                [sizes[c] for c in uniq])
            shape = arrays[i].shape
            dims = {c: n for c, n in zip(sub, shape)}
            axes = tuple(k for k, c in enumerate(uniq) if dims[c] == 1 and sizes[c] != 1)
            if axes:                   # this operand was broadcast along these letters
                r = r.sum(axis=axes, keepdims=True)
            if len(uniq) != len(sub):  # repeated letters: the gradient lies on a diagonal
                r = _spread_diagonal(r, uniq, sub, dims, set("".join(ins) + out), g.dtype)
            # a broadcast view becomes an array of its own (mechanics: a TensorArray is one)
            grads.append(np.ascontiguousarray(r) if type(r) is np.ndarray else r)
        return tuple(grads)


def _spread_diagonal(r, uniq, sub, dims, used, dtype):
    """``r`` (subscripts ``uniq``) placed on the diagonal of an array with subscripts ``sub``
    (letters repeated), zero elsewhere: an einsum with one identity matrix per repetition."""
    fresh = iter(c for c in _LETTERS if c not in used)
    target, eyes, eye_subs, seen = [], [], [], set()
    for c in sub:
        if c in seen:
            new = next(fresh)
            target.append(new)
            eyes.append(np.eye(dims[c], dtype=dtype))
            eye_subs.append(c + new)
        else:
            seen.add(c)
            target.append(c)
    return np.einsum(",".join([uniq] + eye_subs) + "->" + "".join(target), r, *eyes)


def _parse_einsum(equation: str, arrays):
    """Subscripts with '...' spelled out as letters, and the output subscript."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(arrays):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(arrays) > len(ins) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(eq)
    pool = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for sub, a in zip(ins, arrays):
        if "..." in sub:
            n_ell = max(n_ell, a.ndim - (len(sub) - 3))
    ell = "".join(pool[:n_ell])
    subs = []
    for k, (sub, a) in enumerate(zip(ins, arrays)):
        if "..." in sub:
            n = a.ndim - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - n:] if n else "")
        if len(sub) != a.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(sub)}) "
                               f"does not match the number of dimensions ({a.ndim}) for operand {k}"
                               + ("" if "..." in ins[k] else " and no ellipsis was given"))
        subs.append(sub)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(subs)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    return subs, out


def einsum(*args) -> Tensor:
    """Einstein summation: 'ij,jk->ik', 'bij,bjk->bik', 'ii->i', 'ii', '...ij,...jk', ...

    >>> import numtorch as torch
    >>> torch.einsum("i,i->", torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))
    tensor(11.)
    """
    if not args:                # (PyTorch's signature: einsum(equation, *operands))
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    arrays = [t._data for t in operands]
    dt = arrays[0].dtype
    if any(a.dtype != dt for a in arrays):
        dt = np.result_type(*arrays)
        arrays = [a.astype(dt) for a in arrays]
    ins, out = _parse_einsum(equation, arrays)
    try:
        return apply(Einsum, tuple(operands), tuple(arrays), tuple(ins), out)
    except ValueError as e:
        raise _einsum_error(equation, ins, out, arrays) or RuntimeError(f"einsum(): {e}") from None


def _einsum_error(equation, ins, out, arrays):
    """PyTorch's message for a bad subscript, subscripts whose sizes disagree, or an output label
    never used (NumPy's einsum found one of them)."""
    for i, c in enumerate(equation):
        if not (c.isascii() and c.isalpha()) and c not in " ,.->":
            return RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                                "string, subscripts must be in [a-zA-Z]")
    seen = {}
    for k, (sub, a) in enumerate(zip(ins, arrays)):
        for c, n in zip(sub, a.shape):
            if c in seen and n != seen[c] and 1 not in (n, seen[c]):
                return RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which "
                                    f"does not broadcast with previously seen size {seen[c]}")
            if n != 1 or c not in seen:
                seen[c] = n
    for c in out:
        if c not in seen:
            return RuntimeError(f"einsum(): output subscript {c} does not appear in the equation "
                                "for any input operand")
    return None


class Trace(Function):
    _raw = True
    complex_grad = True

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        return np.asarray(np.trace(x), dtype=np.int64 if x.dtype.kind in "biu" else x.dtype)

    @staticmethod
    def backward(ctx, g):
        out = np.zeros_like(g, shape=ctx.shape)
        k = min(ctx.shape)
        out[np.arange(k), np.arange(k)] = g
        return (out,)


def trace(input) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor."""
    if input._data.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " +
                           str(input._data.ndim))
    return apply(Trace, (input,), (input._data,))
