"""Attention: ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``.

``scaled_dot_product_attention`` takes the path PyTorch 2.13's CPU build takes, and shows the
same nodes:

* 4-D query/key/value, no dropout, a 2-D or 4-D mask that needs no gradient (or none), equal
  head dims: PyTorch's fused CPU kernel, one node ``ScaledDotProductFlashAttentionForCpuBackward0``
  (here: one NumPy forward over all heads, the probabilities kept for an analytic backward).
  ``is_causal`` and a mask may be combined on this path. Unlike PyTorch's kernel, this node also
  differentiates twice: under ``create_graph=True`` its backward records itself and the
  probabilities are recomputed on the graph.
* otherwise PyTorch's "math" composition: ``q * sqrt(scale) @ (k^T * sqrt(scale))``, the mask
  added, ``SafeSoftmaxBackward0`` (rows that are all ``-inf`` give 0, not NaN), dropout with
  PyTorch's draws (``MulBackward0``), ``@ v``.

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
from .._errors import cpp_number
from .._tensor import Tensor
from ..autograd.function import Function
from ._apply import apply, apply1, broadcast_error, _make
from . import elementwise as E
from .linalg import matmul
from .nn_ops import Softmax, dropout as _dropout, linear as _linear, softmax as _softmax

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_BY_NP = _dtype._BY_NP


# -- the two nodes --------------------------------------------------------------------------------

def _softmax_rows(s: np.ndarray) -> np.ndarray:
    """Softmax over the last axis of a fresh float array, in place; rows that are all ``-inf``
    give zeros (PyTorch's ``_safe_softmax``)."""
    m = s.max(axis=-1, keepdims=True)
    if not np.isfinite(m).all():
        m[np.isneginf(m)] = 0                      # exp(-inf - 0) = 0 for fully masked rows
    s -= m
    np.exp(s, out=s)
    z = s.sum(axis=-1, keepdims=True)
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
        out = _softmax_rows(np.array(x, copy=True))
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


class ScaledDotProductFlashAttentionForCpu(Function):
    """``softmax(q @ k^T * scale + bias) @ v`` over (B, H, L, E) arrays in one node; ``bias`` is
    the additive mask (``-inf`` where masked, causal part included), a constant."""
    _raw = True
    _name = "ScaledDotProductFlashAttentionForCpuBackward0"
    saves = (0, 1, 2)
    saved_inputs = ("q", "k", "v")
    constants = ("bias", "scale")
    traced = {"p": _traced_probs}

    @staticmethod
    def forward(ctx, q, k, v, bias, scale, groups):
        qs, ks = _split_heads(q, groups), _kv_heads(k, groups)
        s = np.matmul(qs, np.swapaxes(ks, -1, -2))
        s *= scale
        if bias is not None:
            s += bias
        p = _softmax_rows(s)
        out = np.matmul(p, _kv_heads(v, groups))
        ctx.q, ctx.k, ctx.v, ctx.p = q, k, v, p
        ctx.bias, ctx.scale, ctx.groups = bias, scale, groups
        return out.reshape(q.shape[:-1] + v.shape[-1:]) if groups > 1 else out

    @staticmethod
    def backward(ctx, g):
        groups, p = ctx.groups, ctx.p
        need = ctx.needs_input_grad
        gs = _split_heads(g, groups)
        gq = gk = gv = None
        if need[2]:
            gv = np.matmul(np.swapaxes(p, -1, -2), gs)
            if groups > 1:
                gv = gv.sum(axis=-3)
        if need[0] or need[1]:
            gp = np.matmul(gs, np.swapaxes(_kv_heads(ctx.v, groups), -1, -2))
            gp -= (gp * p).sum(axis=-1, keepdims=True)     # softmax's backward
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
    if mask is not None and mask.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[-{max(mask.ndim, 1)}, {max(mask.ndim, 1) - 1}], but got -2)")


def _unit_stride(x: np.ndarray) -> bool:
    return x.shape[-1] <= 1 or x.strides[-1] == x.itemsize


def _fused_path(q, k, v, mask, mask_t, dropout_p, groups) -> bool:
    """Whether PyTorch 2.13's CPU dispatcher picks its fused kernel for these inputs."""
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4 or dropout_p > 0:
        return False
    if mask is not None and (mask.ndim not in (2, 4) or mask_t.requires_grad):
        return False
    if q.shape[0] != k.shape[0] or k.shape[0] != v.shape[0] or k.shape[1] != v.shape[1]:
        return False
    if q.shape[1] != k.shape[1] and groups == 1:
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
    if _fused_path(q, k, v, mask, attn_mask, dropout_p, groups):
        if dropout_p < 0:
            raise RuntimeError("scaled_dot_product_attention_flash_attention: Currently do not "
                               "support dropout > 0")
        bias = None
        if mask is not None:
            target = (q.shape[0], q.shape[1], L, S)
            try:
                if np.broadcast_shapes(mask.shape, target) != target:
                    raise ValueError
            except ValueError:
                raise broadcast_error(np.broadcast_to(np.int8(0), target), mask) from None
            bias = _bool_bias(mask, dtype) if mask.dtype == np.bool_ else mask
        if is_causal:
            causal = _causal_bias(L, S, dtype)
            bias = causal if bias is None else bias + causal
        if bias is not None and groups > 1:
            full = np.broadcast_to(bias, (q.shape[0], q.shape[1], L, S))
            bias = _split_heads(full, groups)
        s = scale if scale is not None else 1.0 / math.sqrt(q.shape[-1])
        return apply(ScaledDotProductFlashAttentionForCpu, (query, key, value),
                     (q, k, v, bias, dtype.type(s), groups))
    return _math_attention(query, key, value, attn_mask, mask, dropout_p, is_causal, scale,
                           groups, L, S)


def _math_attention(query, key, value, attn_mask, mask, dropout_p, is_causal, scale, groups,
                    L, S) -> Tensor:
    """PyTorch's composite path (``_scaled_dot_product_attention_math``), op for op."""
    dtype = query._data.dtype
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                               "when is_causal=True")
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
        if dropout_p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                               f"{cpp_number(float(dropout_p))}")
        attn = _dropout(attn, dropout_p, True)
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
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same "
                      "type for both instead.", stacklevel=3)
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
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D "
                                 f"or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if qd == 2:
        if kd != 2 or vd != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D "
                                 f"but found {kd}-D and {vd}-D tensors respectively")
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

    # input projections
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
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

    # attn_mask: 3-D (1 or N*H, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            correct = (tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                                   f"be {correct}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            correct = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                                   f"be {correct}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError

    # heads: (N*H, L, hd)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_k.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting static_k.size(0) of {bsz * num_heads}, but got "
                                 f"{static_k.size(0)}")
        if static_k.size(2) != head_dim:
            raise AssertionError(f"expecting static_k.size(2) of {head_dim}, but got "
                                 f"{static_k.size(2)}")
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_v.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting static_v.size(0) of {bsz * num_heads}, but got "
                                 f"{static_v.size(0)}")
        if static_v.size(2) != head_dim:
            raise AssertionError(f"expecting static_v.size(2) of {head_dim}, but got "
                                 f"{static_v.size(2)}")
        v = static_v

    if add_zero_attn:
        zeros = _make(np.zeros((bsz * num_heads, 1, head_dim), q._data.dtype))
        k = cat([k, zeros], 1)
        v = cat([v, zeros], 1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else E.add(attn_mask, kpm)

    if not training:
        dropout_p = 0.0

    if need_weights:
        scale = math.sqrt(1.0 / float(q.shape[-1]))
        q_scaled = E.mul(q, scale)
        weights = matmul(q_scaled, k.transpose(-2, -1))
        if attn_mask is not None:
            weights = E.add(attn_mask, weights)
        weights = _softmax(weights, -1)
        if dropout_p > 0.0:
            weights = _dropout(weights, dropout_p)
        out = matmul(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out = out.squeeze(1)
            weights = weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None
