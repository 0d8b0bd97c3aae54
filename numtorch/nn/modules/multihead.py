"""``MultiheadAttention`` (exposed as ``torch.nn.MultiheadAttention`` and in
``torch.nn.modules.activation``, as in PyTorch), with PyTorch's parameters, init and reprs.

Parameters as PyTorch names them: ``in_proj_weight`` (3E, E) and ``in_proj_bias`` when key and
value have the query's size, otherwise ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``;
``out_proj`` (a ``NonDynamicallyQuantizableLinear``); ``bias_k``/``bias_v`` with
``add_bias_kv``. After ``manual_seed`` the weights are PyTorch's bit for bit (``out_proj`` is
built first, then ``xavier_uniform_`` on the input projections, zero biases).

>>> import numtorch as torch
>>> m = torch.nn.MultiheadAttention(8, 2, batch_first=True)
>>> m
MultiheadAttention(
  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
)
>>> out, weights = m(torch.ones(3, 5, 8), torch.ones(3, 4, 8), torch.ones(3, 4, 8))
>>> out.shape, weights.shape
(torch.Size([3, 5, 8]), torch.Size([3, 5, 4]))
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops import attention as _A
from ...ops.creation import empty
from .. import init
from ..parameter import Parameter
from .linear import Linear, _factory
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under another name (PyTorch's ``out_proj`` class: it only tells PyTorch's
    quantization tools to leave the layer alone)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)


class MultiheadAttention(Module):
    """Attention from ``num_heads`` heads of size ``embed_dim // num_heads`` in parallel,
    ``out_proj(concat(head_1, ..., head_h))`` with ``head_i = softmax(q_i k_i^T / sqrt(d)) v_i``.

    Inputs are (L, N, E) (``batch_first=True``: (N, L, E)) or unbatched (L, E). Boolean masks
    mark positions NOT to attend (True = masked), float masks are added to the scores.
    ``forward`` returns ``(output, weights)``; weights are averaged over heads unless
    ``average_attn_weights=False``, and None with ``need_weights=False``.

    >>> m = torch.nn.MultiheadAttention(4, 2)
    >>> out, w = m(torch.ones(5, 4), torch.ones(3, 4), torch.ones(3, 4))
    >>> out.shape, w.shape
    (torch.Size([5, 4]), torch.Size([5, 3]))
    """

    __constants__ = ["batch_first"]
    bias_k: Optional[Tensor]
    bias_v: Optional[Tensor]

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: Optional[int] = None, vdim: Optional[int] = None,
                 batch_first: bool = False, device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        kw = _factory(device, dtype)
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Optional[Tensor] = None, need_weights: bool = True,
                attn_mask: Optional[Tensor] = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        is_batched = query.dim() == 3
        key_padding_mask = _A._canonical_mask(key_padding_mask, "key_padding_mask",
                                              _A._none_or_dtype(attn_mask), "attn_mask",
                                              query.dtype)
        attn_mask = _A._canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                       check_other=False)
        if self.batch_first and is_batched:
            # keep "key is value" (and "query is key") so the packed projection is shared
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        common = dict(training=self.training, key_padding_mask=key_padding_mask,
                      need_weights=need_weights, attn_mask=attn_mask,
                      average_attn_weights=average_attn_weights, is_causal=is_causal)
        if not self._qkv_same_embed_dim:
            out, weights = _A.multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
                self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
                self.out_proj.weight, self.out_proj.bias, use_separate_proj_weight=True,
                q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
                v_proj_weight=self.v_proj_weight, **common)
        else:
            out, weights = _A.multi_head_attention_forward(
                query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
                self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
                self.out_proj.weight, self.out_proj.bias, **common)
        if not need_weights and self._fast_path(query, key, value):
            _nan_dead_rows(out, key_padding_mask, attn_mask, self.batch_first)
        if self.batch_first and is_batched:
            return out.transpose(1, 0), weights
        return out, weights

    def _fast_path(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Whether PyTorch 2.13 answers this call with its native kernel (evaluation, packed
        self-attention, batch_first, even heads, nothing requiring grad). ``query``, ``key``,
        ``value`` as ``forward`` got them (batch first)."""
        if query.dim() != 3 or query is not key or key is not value or self.training:
            return False
        w, b = self.in_proj_weight, self.in_proj_bias
        if w is None or b is None or query.dtype != w.dtype or query.dtype != b.dtype:
            return False
        if self.num_heads % 2 or not self.batch_first or self.bias_k is not None \
                or self.bias_v is not None or self.add_zero_attn:
            return False
        return not (grad_mode.is_grad_enabled() and any(
            t is not None and t.requires_grad
            for t in (query, w, b, self.out_proj.weight, self.out_proj.bias)))

    def merge_masks(self, attn_mask: Optional[Tensor], key_padding_mask: Optional[Tensor],
                    query: Tensor) -> Tuple[Optional[Tensor], Optional[int]]:
        """One mask from ``attn_mask`` (L, L) or (N*H, L, L) and ``key_padding_mask`` (N, L),
        and its type: 1 for the padding mask alone, 2 for ``attn_mask`` expanded to
        (N, H, L, L) (plus the padding mask when both are given)."""
        mask_type = None
        merged = None
        if key_padding_mask is not None:
            mask_type = 1
            merged = key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.dim() == 3:
                expanded = attn_mask.view(batch_size, -1, seq_len, seq_len)
            else:
                expanded = attn_mask.view(1, 1, seq_len, seq_len).expand(
                    batch_size, self.num_heads, -1, -1)
            merged = expanded
            if key_padding_mask is not None:
                kpm = key_padding_mask.view(batch_size, 1, 1, seq_len).expand(
                    -1, self.num_heads, -1, -1)
                merged = expanded + kpm
        return merged, mask_type


def _nan_dead_rows(out: Tensor, key_padding_mask, attn_mask, batch_first: bool) -> None:
    """PyTorch's native attention gives NaN (not 0) for a query whose keys are all masked:
    write NaN into those rows of ``out`` ((L, N, E); no graph on this path)."""
    dead = None
    if key_padding_mask is not None:                       # (N, S), float, -inf = masked
        dead = np.isneginf(key_padding_mask._data)[:, None, None, :]
    if attn_mask is not None:
        am = np.isneginf(attn_mask._data)
        n = out.shape[1]
        am = am[None, None] if am.ndim == 2 else am.reshape(n, -1, *am.shape[1:])
        dead = am if dead is None else dead | am
    if dead is None:
        return
    rows = dead.all(axis=-1).any(axis=1)                   # (N or 1, L or 1)
    if rows.any():
        rows = np.broadcast_to(rows, (out.shape[1], out.shape[0]))
        out._data[rows.T] = np.nan


# PyTorch defines the class in torch.nn.modules.activation (pickles name it there)
MultiheadAttention.__module__ = "numtorch.nn.modules.activation"
