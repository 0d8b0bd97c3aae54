"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``.

``scaled_dot_product_attention`` takes the path PyTorch 2.13's CPU build takes, and shows the
same ``grad_fn``:

* 4-D query/key/value, no dropout, a 2-D or 4-D mask that needs no gradient (or none), equal
  head dims: PyTorch's fused CPU kernel, one node ``ScaledDotProductFlashAttentionForCpuBackward0``
  (here: one NumPy forward over all heads, the probabilities kept for an analytic backward).
  ``is_causal`` and a mask may be combined on this path. Unlike PyTorch's kernel, this node also
  differentiates twice: under ``create_graph=True`` its backward records itself and the
  probabilities are recomputed on the graph.
* otherwise PyTorch's "math" path: ``softmax(q k^T * scale + mask)`` (rows that are all
  ``-inf`` give 0, not NaN), dropout with PyTorch's draws, ``@ v``. With the same batch dims
  and a mask that needs no gradient it is one node of the same kind, named as PyTorch's last
  node (``UnsafeViewBackward0``, ``MmBackward0`` for 2-D); otherwise (broadcast batch dims, a
  mask that wants its gradient) PyTorch's composition op for op (``SafeSoftmaxBackward0``,
  ``MulBackward0`` for dropout, ...).

``multi_head_attention_forward`` follows PyTorch's function step for step (values, dropout draws,
masks, errors); for packed self-attention without weights the q, k, v heads are views of the
one projection inside a single attention node, so their gradients come back as one array.

A boolean ``attn_mask`` means "may attend" (True kept); ``MultiheadAttention``'s boolean masks
mean the opposite ("masked out"), as in PyTorch.

>>> import numtorch as torch
>>> import numtorch.nn.functional as F
>>> q = torch.ones(1, 1, 2, 4, requires_grad=True)
>>> F.scaled_dot_product_attention(q, q, torch.eye(2, 4).reshape(1, 1, 2, 4), is_causal=True)
tensor([[[[1.0000, 0.0000, 0.0000, 0.0000],
          [0.5000, 0.5000, 0.0000, 0.0000]]]],
       grad_fn=<ScaledDotProductFlashAttentionForCpuBackward0>)
"""
from __future__ import annotations

import math
import warnings
from typing import Optional

import numpy as np

from .. import _dtype
from .._errors import cpp_number, not_tensor
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, apply1, broadcast_error, _make
from . import elementwise as E
from .linalg import matmul
from .activation import Softmax, softmax as _softmax
from .dropout import dropout as _dropout
from .linear import linear as _linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_BY_NP = _dtype._BY_NP


# -- the nodes ------------------------------------------------------------------------------------

_ONES: dict = {}


def _row_sums(s: np.ndarray) -> np.ndarray:
    """``s.sum(-1, keepdims=True)`` of a C-contiguous float array, as one BLAS product with a
    ones column (5x faster than NumPy's reduction along short rows)."""
    n = s.shape[-1]
    key = (n, s.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones((n, 1), s.dtype)
    return np.matmul(s.reshape(-1, n), ones).reshape(s.shape[:-1] + (1,))


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of a fresh C-contiguous float array, in place; rows that are
    all ``-inf`` give zeros (PyTorch's ``_safe_softmax``)."""
    m = s.max(axis=-1, keepdims=True)
    if not np.isfinite(m).all():
        m[np.isneginf(m)] = 0                      # exp(-inf - 0) = 0 for fully masked rows
    s -= m
    np.exp(s, out=s)
    z = _row_sums(s) if s.size else s.sum(axis=-1, keepdims=True)
    if not z.all():
        z[z == 0] = 1
    s /= z
    return s


class SafeSoftmax(Softmax):
    """``torch._safe_softmax`` along the last dim: softmax, with zeros for all-``-inf`` rows.
    The backward is softmax's (it reads the output), so it differentiates twice."""
    _raw = True
    _name = "SafeSoftmaxBackward0"
    saves_output = True

    @staticmethod
    def forward(ctx, x, axis):
        out = _softmax_rows(np.array(x, order="C", copy=True))
        ctx.out, ctx.axis = out, -1
        return out


def _split_heads(x, groups: int):
    """(..., H, L, E) -> (..., H / groups, groups, L, E): the query heads sharing a key head."""
    if groups == 1:
        return x
    shape = x.shape
    return x.reshape(shape[:-3] + (shape[-3] // groups, groups) + shape[-2:])


def _kv_heads(x, groups: int):
    """(..., Hk, S, E) -> (..., Hk, 1, S, E) for grouped-query attention."""
    return x if groups == 1 else np.expand_dims(x, -3)


def _traced_probs(ctx):
    """The attention probabilities on the graph, from the node's traced q, k (create_graph)."""
    groups = ctx.groups
    s = np.matmul(_split_heads(ctx.q, groups), np.swapaxes(_kv_heads(ctx.k, groups), -1, -2))
    s = s * ctx.scale
    if ctx.bias is not None:
        s = s + ctx.bias
    t = s.t
    return type(ctx.q)(apply1(SafeSoftmax, t, t._data, -1))


def _traced_dropped(ctx):
    return ctx.p * ctx.keep


class _Attention(Function):
    """``softmax(q @ k^T * scale + bias) [* keep] @ v`` in one node: ``bias`` is the additive
    mask (``-inf`` where masked, causal part included), ``keep`` the scaled dropout mask, both
    constants. The probabilities are kept for the backward; under ``create_graph`` they are
    recomputed on the graph from q and k, so the node differentiates any number of times."""
    _raw = True
    saves = (0, 1, 2)
    saved_inputs = ("q", "k", "v")
    constants = ("bias", "scale", "keep")
    traced = {"p": _traced_probs, "pd": _traced_dropped}

    @staticmethod
    def forward(ctx, q, k, v, bias, scale, keep, groups):
        qs, ks = _split_heads(q, groups), _kv_heads(k, groups)
        s = np.matmul(qs, np.swapaxes(ks, -1, -2))
        s *= scale
        if bias is not None:
            s += bias
        p = _softmax_rows(s)
        pd = p if keep is None else p * keep
        out = np.matmul(pd, _kv_heads(v, groups))
        if groups > 1:
            out = out.reshape(q.shape[:-1] + v.shape[-1:])
        ctx.q, ctx.k, ctx.v, ctx.p = q, k, v, p
        if getattr(ctx, "saves_output", False):
            ctx.out = out
        ctx.bias, ctx.scale, ctx.keep, ctx.groups = bias, scale, keep, groups
        if keep is not None:
            ctx.pd = pd
        return out

    @staticmethod
    def backward(ctx, g):
        return _Attention._grads(ctx, g, ctx.needs_input_grad)

    @staticmethod
    def _grads(ctx, g, need):
        """Gradients of q, k, v (None where ``need`` says no)."""
        groups, p = ctx.groups, ctx.p
        keep = ctx.keep
        pd = p if keep is None else ctx.pd
        gs = _split_heads(g, groups)
        gq = gk = gv = None
        if need[2]:
            gv = np.matmul(np.swapaxes(pd, -1, -2), gs)
            if groups > 1:
                gv = gv.sum(axis=-3)
        if need[0] or need[1]:
            gp = np.matmul(gs, np.swapaxes(_kv_heads(ctx.v, groups), -1, -2))
            if keep is not None:
                gp *= keep
            # softmax's backward: gp - sum_j p_ij gp_ij, that sum being g_i . out_i when the
            # output is kept (out = p @ v)
            if ctx.saves_output:
                gp -= _split_heads((g * ctx.out).sum(axis=-1, keepdims=True), groups)
            else:
                t = gp * p
                gp -= _row_sums(t) if type(t) is np.ndarray else t.sum(axis=-1, keepdims=True)
            gp *= p
            gp *= ctx.scale
            if need[0]:
                gq = np.matmul(gp, _kv_heads(ctx.k, groups))
                if groups > 1:
                    gq = gq.reshape(ctx.q.shape)
            if need[1]:
                gk = np.matmul(np.swapaxes(gp, -1, -2), _split_heads(ctx.q, groups))
                if groups > 1:
                    gk = gk.sum(axis=-3)
        return gq, gk, gv


class ScaledDotProductFlashAttentionForCpu(_Attention):
    """PyTorch's fused CPU kernel (4-D inputs, no dropout). It keeps its output, as PyTorch's
    does: changing the output in place makes backward refuse."""
    _raw = True
    saves_output = True
    _name = "ScaledDotProductFlashAttentionForCpuBackward0"


class _MathAttention(_Attention):
    """PyTorch's math path, whose last node is the batched matmul's ``UnsafeViewBackward0``."""
    _raw = True
    _name = "UnsafeViewBackward0"


class _MathAttention2d(_Attention):
    """The math path on 2-D inputs: the last node is ``MmBackward0``."""
    _raw = True
    _name = "MmBackward0"


# -- scaled_dot_product_attention -----------------------------------------------------------------

def _check_sdpa(q, k, v, mask, dropout_p) -> None:
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(
            f"Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype.cpp_name(_BY_NP[q.dtype])} key.dtype: {_dtype.cpp_name(_BY_NP[k.dtype])} and "
            f"value.dtype: {_dtype.cpp_name(_BY_NP[v.dtype])} instead.")
    if mask is not None and mask.dtype != np.bool_ and mask.dtype != q.dtype:
        raise RuntimeError(
            f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_dtype.cpp_name(_BY_NP[mask.dtype])} and  query.dtype: "
            f"{_dtype.cpp_name(_BY_NP[q.dtype])} instead.")
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if q.dtype.kind != "f":
        raise RuntimeError(f"expected scalar type Float but found "
                           f"{_dtype.legacy_name(_BY_NP[q.dtype])}")


def _unit_stride(x: np.ndarray) -> bool:
    return x.shape[-1] <= 1 or x.strides[-1] == x.itemsize


def _fused_path(q, k, v, mask, mask_t, dropout_p, groups) -> bool:
    """Whether PyTorch 2.13's CPU dispatcher picks its fused kernel for these inputs."""
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4 or dropout_p > 0:
        return False
    if mask is not None and mask_t.requires_grad:
        return False
    if q.shape[0] != k.shape[0] or k.shape[0] != v.shape[0] or k.shape[1] != v.shape[1]:
        return False
    if q.shape[1] != k.shape[1] and groups == 1:
        return False
    if mask is not None:
        if mask.ndim < 2:                            # PyTorch's kernel check reads size(-2)
            if mask.ndim == 0:
                raise IndexError("Dimension specified as -2 but tensor has no dimensions")
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but "
                             "got -2)")
        if mask.ndim not in (2, 4):
            return False
    if q.shape[-1] != k.shape[-1] or k.shape[-1] != v.shape[-1] or k.shape[-2] != v.shape[-2]:
        return False
    if 0 in q.shape or 0 in k.shape:
        return False
    return _unit_stride(q) and _unit_stride(k) and _unit_stride(v)


def _causal_bias(L: int, S: int, dtype) -> np.ndarray:
    """0 on and below the diagonal (top-left aligned), ``-inf`` above."""
    return np.triu(np.full((L, S), -np.inf, dtype), 1)


def _bool_bias(mask: np.ndarray, dtype) -> np.ndarray:
    """A "may attend" boolean mask as an additive float mask."""
    return np.where(mask, dtype.type(0), dtype.type(-np.inf))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Optional[Tensor] = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: Optional[float] = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value`` (``scale`` defaults to
    ``1 / sqrt(E)``), over (..., L, E) queries and (..., S, E) keys.

    ``attn_mask``: boolean (True = may attend) or float (added), broadcast to (..., L, S);
    ``is_causal``: query i sees keys 0..i; ``dropout_p``: dropout on the probabilities (always
    applied when > 0, as in PyTorch); ``enable_gqa``: several query heads (dim -3) share a
    key/value head.

    >>> q = torch.zeros(2, 3, 4)
    >>> F.scaled_dot_product_attention(q, q, torch.ones(2, 3, 4)).shape
    torch.Size([2, 3, 4])
    """
    for i, (name, t) in enumerate((("query", query), ("key", key), ("value", value))):
        if not isinstance(t, Tensor):
            raise not_tensor("scaled_dot_product_attention", t, name, i + 1)
    if attn_mask is not None and not isinstance(attn_mask, Tensor):
        raise not_tensor("scaled_dot_product_attention", attn_mask, "attn_mask", None)
    q, k, v = query._data, key._data, value._data
    mask = None if attn_mask is None else attn_mask._data
    _check_sdpa(q, k, v, mask, dropout_p)
    groups = 1
    if enable_gqa and q.shape[-3] != k.shape[-3]:
        if q.shape[-3] % k.shape[-3] or q.shape[-3] % v.shape[-3]:
            # PyTorch's message, cut short as PyTorch 2.13 prints it
            raise RuntimeError("Number of heads in key and value must divide the number of heads "
                               "in ")
        groups = q.shape[-3] // k.shape[-3]
    dtype = q.dtype
    L, S = q.shape[-2], k.shape[-2]
    if S == 0 or L == 0 or v.shape[-1] == 0 or 0 in q.shape[:-2] or 0 in k.shape[:-2]:
        return _empty_attention(query, key, value)
    s = scale if scale is not None else 1.0 / math.sqrt(q.shape[-1])
    if _fused_path(q, k, v, mask, attn_mask, dropout_p, groups):
        if dropout_p < 0:
            raise RuntimeError("scaled_dot_product_attention_flash_attention: Currently do not "
                               "support dropout > 0")
        bias = _bias(mask, is_causal, q.shape[:-1] + (S,), groups, dtype)
        return apply(ScaledDotProductFlashAttentionForCpu, (query, key, value),
                     (q, k, v, bias, dtype.type(s), None, groups))
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if not _fusable(q, k, v, attn_mask, groups):
        return _math_attention(query, key, value, attn_mask, mask, dropout_p, is_causal, scale,
                               groups, L, S)
    # the math path as one node (same values; its last node's name, UnsafeViewBackward0)
    shape = q.shape[:-1] + (S,)
    bias = _bias(mask, is_causal, shape, groups, dtype)
    keep = None
    if dropout_p > 0.0:
        keep = _dropout_keep(shape, dropout_p, dtype)
        if groups > 1:
            keep = _split_heads(keep, groups)
    cls = _MathAttention2d if q.ndim == 2 else _MathAttention
    return apply(cls, (query, key, value), (q, k, v, bias, dtype.type(s), keep, groups))


def _empty_attention(query: Tensor, key: Tensor, value: Tensor) -> Tensor:
    """Nothing to attend to, or nobody asking: zeros, tied to the inputs as PyTorch ties them
    (``zeros + (q.sum() + k.sum() + v.sum()) * 0``: ``AddBackward0``)."""
    from .reduce import sum as _sum
    from .creation import zeros
    q, v = query._data, value._data
    lead = np.broadcast_shapes(q.shape[:-2], key._data.shape[:-2], v.shape[:-2])
    tie = E.mul(E.add(E.add(_sum(query), _sum(key)), _sum(value)), 0)
    return E.add(zeros(lead + q.shape[-2:-1] + v.shape[-1:], dtype=query.dtype), tie)


def _fusable(q, k, v, attn_mask, groups) -> bool:
    """Whether the math path can run as one node: same batch dims (no broadcasting), no mask
    gradient, nothing empty."""
    if not (q.ndim == k.ndim == v.ndim) or k.shape[:-1] != v.shape[:-1]:
        return False
    lead = q.shape[:-3] if groups > 1 else q.shape[:-2]
    if lead != (k.shape[:-3] if groups > 1 else k.shape[:-2]) or q.shape[-1] != k.shape[-1]:
        return False
    if attn_mask is not None and attn_mask.requires_grad:
        return False
    return 0 not in q.shape and 0 not in k.shape and 0 not in v.shape


def _bias(mask, is_causal: bool, shape: tuple, groups: int, dtype):
    """The additive float mask for scores of ``shape`` (None when nothing is masked), checked
    to broadcast to ``shape`` with PyTorch's message."""
    bias = None
    if mask is not None:
        try:
            full = np.broadcast_shapes(mask.shape, shape)
        except ValueError:
            raise broadcast_error(np.broadcast_to(np.int8(0), shape), mask) from None
        if full != shape:
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast "
                               f"shape {list(full)}")
        bias = _bool_bias(mask, dtype) if mask.dtype == np.bool_ else mask
    if is_causal:
        causal = _causal_bias(shape[-2], shape[-1], dtype)
        bias = causal if bias is None else bias + causal
    if bias is not None and groups > 1:
        bias = _split_heads(np.broadcast_to(bias, shape), groups)
    return bias


def _dropout_keep(shape: tuple, p: float, dtype) -> np.ndarray:
    """The scaled keep-mask of dropout on the probabilities, PyTorch's draws."""
    if p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                           f"{cpp_number(float(p))}")
    from .._random_ops import dropout_mask
    return dropout_mask(shape, p, dtype)


def _math_attention(query, key, value, attn_mask, mask, dropout_p, is_causal, scale, groups,
                    L, S) -> Tensor:
    """PyTorch's composite path (``_scaled_dot_product_attention_math``), op for op."""
    dtype = query._data.dtype
    if is_causal:
        attn_mask = _make(_causal_bias(L, S, dtype))
    elif mask is not None and mask.dtype == np.bool_:
        attn_mask = _make(_bool_bias(mask, dtype))
    s = scale if scale is not None else 1.0 / math.sqrt(query._data.shape[-1])
    root = math.sqrt(abs(s))
    if groups > 1:                               # repeat_interleave of the key/value heads
        key = _repeat_heads(key, groups)
        value = _repeat_heads(value, groups)
    q = E.mul(query, root if s >= 0 else -root)
    kt = E.mul(key.transpose(-2, -1), root)
    attn = matmul(q, kt)
    if attn_mask is not None:
        shape = attn._data.shape
        try:
            full = np.broadcast_shapes(shape, attn_mask._data.shape)
        except ValueError:
            raise broadcast_error(attn._data, attn_mask._data) from None
        if full != shape:
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                               f"{list(full)}")
        attn = E.add(attn, attn_mask)
    attn = apply1(SafeSoftmax, attn, attn._data, -1)
    if dropout_p > 0.0:
        attn = E.mul(attn, _make(_dropout_keep(attn._data.shape, dropout_p, dtype)))
    return matmul(attn, value)


def _repeat_heads(x: Tensor, groups: int) -> Tensor:
    """``x.repeat_interleave(groups, dim=-3)``."""
    shape = x.shape
    lead, heads = tuple(shape[:-3]), shape[-3]
    expanded = x.unsqueeze(-3).expand(*lead, heads, groups, *shape[-2:])
    return expanded.reshape(*lead, heads * groups, *shape[-2:])


# -- masks ----------------------------------------------------------------------------------------

def _none_or_dtype(input: Optional[Tensor]):
    """``F._none_or_dtype``: the tensor's dtype, or None."""
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask: Optional[Tensor], mask_name: str, other_type, other_name: str,
                    target_type, check_other: bool = True) -> Optional[Tensor]:
    """``F._canonical_mask``: a boolean mask (True = masked out) as a float mask with ``-inf``
    where True and 0 elsewhere; float masks pass unchanged.

    >>> _canonical_mask(torch.tensor([True, False]), "m", None, "", torch.float32)
    tensor([-inf, 0.])
    """
    if mask is None:
        return None
    d = mask._data.dtype
    is_float = d.kind == "f"
    if d != np.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    if not is_float:
        t = target_type.np if hasattr(target_type, "np") else np.dtype(target_type)
        return _make(np.where(mask._data, t.type(-np.inf), t.type(0)))
    return mask


# -- multi_head_attention_forward -----------------------------------------------------------------

def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the inputs are batched (3-D) or unbatched (2-D); PyTorch's assertions otherwise."""
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    if qd == 3:
        if kd != 3 or vd != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D "
                                 f"but found {kd}-D and {vd}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if qd == 2:
        if kd != 2 or vd != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {kd}-D and {vd}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {qd}-D "
                         "query tensor")


def _in_projection_packed(q, k, v, w, b):
    """q, k, v projected by the rows of the packed ``(3E, E)`` weight (one product when
    ``q is k is v``)."""
    E_ = q.shape[-1]
    if k is v:
        if q is k:
            proj = _linear(q, w, b)
            return _chunk3(proj, E_)
        w_q, w_kv = w[:E_], w[E_:]
        b_q, b_kv = (None, None) if b is None else (b[:E_], b[E_:])
        q_proj = _linear(q, w_q, b_q)
        kv = _linear(k, w_kv, b_kv)
        return (q_proj,) + _chunk3(kv, E_, 2)
    w_q, w_k, w_v = w[:E_], w[E_:2 * E_], w[2 * E_:]
    b_q = b_k = b_v = None
    if b is not None:
        b_q, b_k, b_v = b[:E_], b[E_:2 * E_], b[2 * E_:]
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def _chunk3(proj: Tensor, E_: int, n: int = 3) -> tuple:
    """Split the last dim of a packed projection into ``n`` contiguous parts of size ``E_``."""
    parts = proj.unflatten(-1, (n, E_)).movedim(-2, 0)
    return tuple(parts[i] for i in range(n))


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    Eq, Ek, Ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)),
                           ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b_ in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b_ is not None and tuple(b_.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b_.shape}")
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def _pad_last(x: Optional[Tensor]) -> Optional[Tensor]:
    """One zero column appended on the last dim (``F.pad(x, (0, 1))``)."""
    if x is None:
        return None
    from .shape import cat
    zeros = _make(np.zeros(x.shape[:-1] + (1,), x._data.dtype))
    return cat([x, zeros], -1)


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor,
                                 embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
                                 bias_k: Optional[Tensor], bias_v: Optional[Tensor],
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
                                 out_proj_bias: Optional[Tensor], training: bool = True,
                                 key_padding_mask: Optional[Tensor] = None,
                                 need_weights: bool = True, attn_mask: Optional[Tensor] = None,
                                 use_separate_proj_weight: bool = False,
                                 q_proj_weight: Optional[Tensor] = None,
                                 k_proj_weight: Optional[Tensor] = None,
                                 v_proj_weight: Optional[Tensor] = None,
                                 static_k: Optional[Tensor] = None,
                                 static_v: Optional[Tensor] = None,
                                 average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E),
    (S, E)); returns ``(output, weights)``, weights None unless ``need_weights`` (then averaged
    over heads unless ``average_attn_weights`` is False). Boolean masks: True = masked out.

    >>> x = torch.zeros(3, 2, 4); w = torch.zeros(12, 4); wo = torch.eye(4)
    >>> out, attn = F.multi_head_attention_forward(x, x, x, 4, 2, w, None, None, None, False,
    ...                                            0.0, wo, None)
    >>> out.shape, attn.shape
    (torch.Size([3, 2, 4]), torch.Size([2, 3, 3]))
    """
    from .shape import cat
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to create "
                           "this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None            # sdpa's is_causal stands for the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got "
                             f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # input projections, (L, N, E) each; self-attention with the packed weight is one product
    proj = None
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:
            proj = _linear(query, in_proj_weight, in_proj_bias)
        else:
            q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is "
                                     "None")
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 b_q, b_k, b_v)

    # attn_mask: (1 or N*H, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            correct = (tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {correct}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            correct = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {correct}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
    elif bias_k is not None or bias_v is not None:
        raise AssertionError
    if not training:
        dropout_p = 0.0

    # masks as (N or 1, H or 1, L or 1, S) float masks, the key padding added in
    def heads_mask(attn_mask, key_padding_mask, src_len):
        if attn_mask is not None:
            attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 \
                else attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
        if key_padding_mask is not None:
            if key_padding_mask.shape[0] != bsz:
                raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                     f"{key_padding_mask.shape[0]}")
            if key_padding_mask.shape[1] != src_len:
                raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                     f"{key_padding_mask.shape[1]}")
            kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
            attn_mask = kpm if attn_mask is None else E.add(attn_mask, kpm)
        return attn_mask

    if proj is not None and bias_k is None and static_k is None and static_v is None \
            and not add_zero_attn and not need_weights:
        mask4 = heads_mask(attn_mask, key_padding_mask, src_len)
        out = _packed_attention(proj, num_heads, mask4, dropout_p, is_causal)
        if out is not None:
            return _mha_output(out, tgt_len, bsz, embed_dim, out_proj_weight, out_proj_bias,
                               is_batched), None
    if proj is not None:
        q, k, v = _chunk3(proj, embed_dim)

    if bias_k is not None:
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)

    # heads: (N, H, L, hd) views
    q = q.reshape(tgt_len, bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    k = _heads(k, static_k, "k", bsz, num_heads, head_dim)
    v = _heads(v, static_v, "v", bsz, num_heads, head_dim)
    if add_zero_attn:
        zeros = _make(np.zeros((bsz, num_heads, 1, head_dim), q._data.dtype))
        k = cat([k, zeros], 2)
        v = cat([v, zeros], 2)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[2]
    attn_mask = heads_mask(attn_mask, key_padding_mask, src_len)

    if need_weights:
        q_scaled = E.mul(q, math.sqrt(1.0 / float(head_dim)))
        weights = matmul(q_scaled, k.transpose(-2, -1))
        if attn_mask is not None:
            weights = E.add(attn_mask, weights)
        weights = _softmax(weights, -1)
        if dropout_p > 0.0:
            weights = _dropout(weights, dropout_p)
        out = _mha_output(matmul(weights, v), tgt_len, bsz, embed_dim, out_proj_weight,
                          out_proj_bias, is_batched)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            weights = weights.squeeze(0)
        return out, weights
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    return _mha_output(out, tgt_len, bsz, embed_dim, out_proj_weight, out_proj_bias,
                       is_batched), None


def _heads(x: Tensor, static: Optional[Tensor], name: str, bsz: int, num_heads: int,
           head_dim: int) -> Tensor:
    """Keys or values (S, N, E) as (N, H, S, hd); ``static``: given as (N*H, S, hd)."""
    if static is None:
        return x.reshape(x.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got "
                             f"{static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got "
                             f"{static.size(2)}")
    return static.reshape(bsz, num_heads, static.shape[1], head_dim)


def _mha_output(out: Tensor, tgt_len: int, bsz: int, embed_dim: int, w: Tensor,
                b: Optional[Tensor], is_batched: bool) -> Tensor:
    """(N, H, L, hd) attention -> heads concatenated, ``out_proj``, (L, N, E) (or (L, E))."""
    out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
    out = _linear(out, w, b)
    out = out.view(tgt_len, bsz, out.shape[1])
    return out if is_batched else out.squeeze(1)


# -- packed self-attention: the projection split into heads inside the attention node ------------

def _packed_heads(proj, num_heads: int):
    """(L, N, 3E) -> (3, N, H, L, hd): q, k, v heads as views of the packed projection."""
    L, N, E3 = proj.shape
    return proj.reshape(L, N, 3, num_heads, E3 // (3 * num_heads)).transpose(2, 1, 3, 0, 4)


def _traced_q(ctx):
    return _packed_heads(ctx.proj, ctx.heads)[0]


def _traced_k(ctx):
    return _packed_heads(ctx.proj, ctx.heads)[1]


def _traced_v(ctx):
    return _packed_heads(ctx.proj, ctx.heads)[2]


class _PackedAttention(_Attention):
    """Attention over the q, k, v heads of one packed (L, N, 3E) projection, as (N, H, L, hd):
    the gradients of the three come back as one array (no select nodes to sum)."""
    _raw = True
    saves = (0,)
    saved_inputs = ("proj",)
    traced = {"q": _traced_q, "k": _traced_k, "v": _traced_v, "p": _traced_probs,
              "pd": _traced_dropped}

    @staticmethod
    def forward(ctx, proj, bias, scale, keep, heads):
        q, k, v = _packed_heads(proj, heads)
        out = _Attention.forward(ctx, q, k, v, bias, scale, keep, 1)
        ctx.proj, ctx.heads = proj, heads
        return out

    @staticmethod
    def backward(ctx, g):
        gq, gk, gv = _Attention._grads(ctx, g, (True, True, True))
        shape = ctx.proj.shape
        if type(g) is np.ndarray:
            out = np.empty(shape, g.dtype)
            parts = _packed_heads(out, ctx.heads)
            parts[0], parts[1], parts[2] = gq, gk, gv
            return (out,)
        return (np.stack((gq, gk, gv)).transpose(3, 1, 0, 2, 4).reshape(shape),)


class _PackedFlash(_PackedAttention):
    _raw = True
    _name = "ScaledDotProductFlashAttentionForCpuBackward0"
    saves_output = True


class _PackedMath(_PackedAttention):
    _raw = True
    _name = "UnsafeViewBackward0"


def _packed_attention(proj: Tensor, num_heads: int, mask4: Optional[Tensor], dropout_p: float,
                      is_causal: bool) -> Optional[Tensor]:
    """``scaled_dot_product_attention`` of the packed projection's heads, or None where the
    general path must run (an empty sequence, a mask that needs its gradient)."""
    x = proj._data
    L, N = x.shape[0], x.shape[1]
    if L == 0 or N == 0 or (mask4 is not None and mask4.requires_grad):
        return None
    hd = x.shape[2] // (3 * num_heads)
    shape = (N, num_heads, L, L)
    bias = _bias(None if mask4 is None else mask4._data, is_causal, shape, 1, x.dtype)
    scale = x.dtype.type(1.0 / math.sqrt(hd))
    if dropout_p > 0.0:
        return apply(_PackedMath, (proj,), (x, bias, scale, _dropout_keep(shape, dropout_p,
                                                                          x.dtype), num_heads))
    return apply(_PackedFlash, (proj,), (x, bias, scale, None, num_heads))
