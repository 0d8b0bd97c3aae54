"""Embedding lookups: ``embedding`` and ``embedding_bag``, forward and backward side by side.

``embedding`` gathers rows of a weight matrix (``EmbeddingBackward0``); its gradient adds the
output gradient's rows back into a zero matrix (nothing for ``padding_idx``, divided by each
index's frequency with ``scale_grad_by_freq``). ``embedding_bag`` sums, averages or takes the
maximum of the rows of each bag in one node (``EmbeddingBagBackward0``). ``max_norm`` renormalises
the looked-up rows of the weight in place first, as PyTorch does.

>>> import numtorch as torch
>>> w = torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], requires_grad=True)
>>> embedding(torch.tensor([2, 0]), w)
tensor([[4., 5.],
        [0., 1.]], grad_fn=<EmbeddingBackward0>)
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ._apply import apply
from .shape import _zeros

__all__ = ["embedding", "embedding_bag", "embedding_renorm_", "torch_embedding", "padding_index"]

_BY_NP = _dtype._BY_NP
_MODES = {"sum": 0, "mean": 1, "max": 2}


def _index_type_name(a: np.ndarray) -> str:
    if a.dtype == np.bool_:
        return "CPUBoolType"
    return f"torch.{_dtype.legacy_name(_BY_NP[a.dtype])}Tensor"


def _indices(t, fn: str) -> np.ndarray:
    """The index array of ``t`` (int64/int32 only, as PyTorch checks it), as int64."""
    a = t._data
    if a.dtype != np.int64 and a.dtype != np.int32:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {_index_type_name(a)} instead (while "
                           f"checking arguments for {fn})")
    return a.astype(np.int64, copy=False)


def _at(ufunc, n: int, idx: np.ndarray, rows, fill=0):
    """An ``(n, D)`` array filled with ``fill`` into which ``ufunc.at`` folds ``rows`` (k, D) at
    row ``idx`` (k,), repeats in order. On arrays this runs as one 1-D ``ufunc.at`` over flat
    positions (NumPy's fast path, 5x the 2-D one); under create_graph ``rows`` is a TensorArray
    and ``np.add.at`` records itself."""
    d = rows.shape[1]
    if type(rows) is np.ndarray:
        out = np.full(n * d, fill, rows.dtype)
        ufunc.at(out, (idx[:, None] * d + np.arange(d)).reshape(-1), rows.reshape(-1))
        return out.reshape(n, d)
    out = _zeros(rows, (n, d))
    ufunc.at(out, idx, rows)
    return out


# -- embedding ---------------------------------------------------------------------------------

class Embedding(Function):
    """``out = w[idx]``; the gradient adds rows back (``padding_idx`` rows get none)."""
    _raw = True
    _name = "EmbeddingBackward0"
    saved_inputs = ("w",)

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.rows, ctx.padding_idx = idx, w.shape[0], padding_idx
        ctx.freq = scale_grad_by_freq
        return w[idx]

    @staticmethod
    def backward(ctx, g):
        idx = ctx.idx.reshape(-1)
        rows = g.reshape((idx.size,) + g.shape[ctx.idx.ndim:])
        if ctx.padding_idx >= 0:
            keep = idx != ctx.padding_idx
            if not keep.all():
                idx, rows = idx[keep], rows[keep]
        if ctx.freq:
            counts = np.bincount(idx, minlength=ctx.rows)
            rows = rows / counts[idx].astype(g.dtype).reshape(-1, 1)
        return (_at(np.add, ctx.rows, idx, rows),)


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Scale the rows of ``weight`` that ``input`` names so their ``norm_type``-norm is at most
    ``max_norm`` (in place: ``row *= max_norm / (norm + 1e-7)``), as ``torch.embedding_renorm_``.

    >>> w = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> embedding_renorm_(w, torch.tensor([0, 1]), 1.0, 2.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    w = weight._data
    idx = np.unique(_indices(input, "embedding_renorm_"))
    if idx.size:
        if idx[0] < 0 or idx[-1] >= w.shape[0]:
            raise IndexError("index out of range in self")
        rows = w[idx]
        p = float(norm_type)
        a = np.abs(rows)
        if p == np.inf:
            norms = a.max(axis=1)
        elif p == 1:
            norms = a.sum(axis=1)
        elif p == 2:
            norms = np.sqrt((a * a).sum(axis=1))
        elif p == 0:
            norms = (a != 0).sum(axis=1).astype(w.dtype)
        else:
            norms = (a ** p).sum(axis=1) ** (1 / p)
        norms = norms.astype(np.float64)
        big = norms > max_norm
        if big.any():
            scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
            w[idx[big]] = rows[big] * scale[:, None]
            weight._bump_version()
    return weight


def torch_embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
                    scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """``torch.embedding`` (weight first): ``weight[indices]``, ``padding_idx = -1`` for none."""
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = _indices(indices, "embedding")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError("index out of range in self")
    if sparse and weight.requires_grad and grad_mode.state[0]:
        raise NotImplementedError("numtorch: sparse gradients (sparse=True) are not supported; "
                                  "use sparse=False (the gradient is then a dense tensor)")
    return apply(Embedding, (weight,), (w, idx, int(padding_idx), bool(scale_grad_by_freq)))


def padding_index(padding_idx, rows: int,
                  message: str = "Padding_idx must be within num_embeddings"):
    """PyTorch's check and wrap of a (possibly negative) ``padding_idx``; None stays None."""
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= rows:
            raise AssertionError(message)
    elif padding_idx < 0:
        if padding_idx < -rows:
            raise AssertionError(message)
        padding_idx = rows + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` by the integer ``input`` (``F.embedding``).

    ``padding_idx``: that row receives no gradient. ``max_norm``: rows looked up are first scaled
    in place to a ``norm_type``-norm of at most ``max_norm``. ``scale_grad_by_freq``: gradients
    are divided by how often each index occurs in ``input``.

    >>> embedding(torch.tensor([[0, 1]]), torch.eye(2))
    tensor([[[1., 0.],
             [0., 1.]]])
    """
    padding_idx = padding_index(padding_idx, weight.shape[0] if weight.dim() else 0)
    if max_norm is not None:
        with grad_mode.no_grad():
            embedding_renorm_(weight, input, max_norm, norm_type)
    return torch_embedding(weight, input, -1 if padding_idx is None else padding_idx,
                           scale_grad_by_freq, sparse)


# -- embedding_bag -----------------------------------------------------------------------------

class EmbeddingBag(Function):
    """Bags of rows reduced by sum (optionally weighted per sample), mean or max.

    ``bag[i]`` is the bag of entry ``i`` of the flat indices (entries that are padding or past
    the last bag are left out beforehand); ``coef`` the factor each entry's row carries in its
    bag's sum (``1/count`` for the mean), or None."""
    _raw = True
    _name = "EmbeddingBagBackward0"
    saved_inputs = ("w", "psw")
    constants = ("coef",)               # 1 / bag size (mean mode): not a function of the inputs

    @staticmethod
    def forward(ctx, w, psw, idx, bag, nbags, mode, coef, freq_div, n_all, keep):
        d = w.shape[1]
        ctx.idx, ctx.bag, ctx.mode, ctx.rows, ctx.n_all = idx, bag, mode, w.shape[0], n_all
        ctx.keep, ctx.w, ctx.psw, ctx.coef, ctx.freq_div = keep, w, psw, coef, freq_div
        rows = w[idx]
        if mode == 2:
            out = _at(np.maximum, nbags, bag, rows, -np.inf)
            empty = np.bincount(bag, minlength=nbags) == 0
            out[empty] = 0
            # the first entry of each bag that holds the maximum, per column: the row it came from
            hit = rows == out[bag]
            pos = np.where(hit, np.arange(idx.size)[:, None], idx.size)
            first = _at(np.minimum, nbags, bag, pos, idx.size)
            ctx.arg = np.where(empty[:, None], -1, np.append(idx, -1)[first])
            return out
        if psw is not None:
            rows = rows * psw.reshape(-1)[keep].reshape(-1, 1)
        out = _at(np.add, nbags, bag, rows)
        if mode == 1:                   # the mean: the sum over the bag's size (empty bags: 0)
            out /= np.maximum(np.bincount(bag, minlength=nbags), 1).astype(w.dtype)[:, None]
        return out

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        w, psw, idx, bag = ctx.w, ctx.psw, ctx.idx, ctx.bag
        gw = gpsw = None
        if need[0]:
            if ctx.mode == 2:               # each (bag, column) maximum came from one row
                gw = _zeros(g, (ctx.rows, g.shape[1]))
                arg = ctx.arg
                found = arg >= 0
                cols = np.broadcast_to(np.arange(g.shape[1]), arg.shape)
                np.add.at(gw, (arg[found], cols[found]), g[found])
            else:
                rows = g[bag]
                if psw is not None:
                    rows = rows * psw.reshape(-1)[ctx.keep].reshape(-1, 1)
                elif ctx.coef is not None:
                    rows = rows * ctx.coef.reshape(-1, 1)
                if ctx.freq_div is not None:
                    rows = rows / ctx.freq_div.astype(g.dtype).reshape(-1, 1)
                gw = _at(np.add, ctx.rows, idx, rows)
        if psw is not None and need[1]:
            gpsw = _zeros(g, (ctx.n_all,))
            gpsw[ctx.keep] = (g[bag] * w[idx]).sum(axis=1)
            gpsw = gpsw.reshape(psw.shape)
        return gw, gpsw


def _freq_divisors(idx_all: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Per kept entry, what PyTorch 2.13's CPU ``embedding_bag`` divides its gradient by under
    ``scale_grad_by_freq``: for the k-th distinct index (in sorted order) the count of the k-th
    entry of the sorted indices (not of the index itself; measured against PyTorch)."""
    s = np.sort(idx_all, kind="stable")
    uniq = np.unique(idx_all)
    counts = np.bincount(idx_all)
    div = np.zeros(counts.size, np.int64)
    div[uniq] = counts[s[:uniq.size]]
    return div[idx]


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of bags of embedding rows (``F.embedding_bag``), without building the
    intermediate embeddings. A 2-D ``input`` is a batch of equal-length bags; a 1-D one is cut
    into bags at ``offsets``.

    >>> w = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> embedding_bag(torch.tensor([0, 1, 2]), w, torch.tensor([0, 2]), mode="sum")
    tensor([[4., 6.],
            [5., 6.]])
    """
    x = input._data
    w = weight._data
    if weight.dim() != 2:
        raise ValueError("weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input ({input.shape})")
    if x.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             f"type {_type_repr(offsets)}")
        offs = np.arange(0, x.size, x.shape[1], dtype=np.int64) if x.shape[1] else \
            np.zeros(x.shape[0], np.int64)
        if include_last_offset:
            offs = np.append(offs, x.size)
        flat = x.reshape(-1)
    elif x.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = None
        flat = x
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {x.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        with grad_mode.no_grad():
            embedding_renorm_(weight, Tensor._make(flat), max_norm, norm_type)
    if scale_grad_by_freq and mode == "max":
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse and mode == "max":
        raise ValueError("max mode does not support sparse weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                  "per_sample_weights is only supported for mode='sum' "
                                  f"(got mode='{mode}'). Please open a feature request on GitHub.")
    idx = _indices(Tensor._make(flat), "embedding_bag")
    if offs is None:
        offs = _indices(offsets, "embedding_bag")
    n = idx.size
    if offs.size and offs[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has "
                           f"to start from position 0. However, got {offs[0]}\n"
                           "[ torch.LongTensor{} ]")
    if offs.size and offs[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {offs[-1]}")
    if offs.size > 1 and np.any(np.diff(offs) < 0):
        raise RuntimeError("Expected i < index_size to be true, but got false.  (Could this error "
                           "message be improved?  If so, please report an enhancement request to "
                           "PyTorch.)")
    rows = w.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise RuntimeError("padding_idx must be within the number of embeddings, "
                               f"-{rows} through {rows - 1}, but got {padding_idx}")
        padding_idx %= rows
    bad = (idx < 0) | (idx >= rows)
    if bad.any():
        i = int(np.argmax(bad))
        raise RuntimeError(f"Index {i} of input takes value {idx[i]} which is not in the valid "
                           f"range [0, {rows})")
    if sparse and weight.requires_grad and grad_mode.state[0]:
        raise NotImplementedError("numtorch: sparse gradients (sparse=True) are not supported; "
                                  "use sparse=False (the gradient is then a dense tensor)")
    nbags = offs.size - 1 if include_last_offset else offs.size
    end = int(offs[-1]) if include_last_offset and offs.size else n
    bag = np.searchsorted(offs[:nbags], np.arange(n), side="right") - 1
    keep = np.arange(n) < end
    if padding_idx is not None:
        keep &= idx != padding_idx
    kidx, kbag = idx[keep], bag[keep]
    m = _MODES[mode]
    coef = None
    if m == 1:
        counts = np.bincount(kbag, minlength=nbags)
        coef = (1 / counts[kbag]).astype(w.dtype) if kbag.size else np.zeros(0, w.dtype)
    freq = _freq_divisors(idx, kidx) if scale_grad_by_freq and n else None
    p = per_sample_weights._data if per_sample_weights is not None else None
    return apply(EmbeddingBag, (weight, per_sample_weights), (w, p, kidx, kbag, max(nbags, 0), m,
                                                               coef, freq, n, keep))


def _type_repr(v) -> str:
    return "<class 'torch.Tensor'>" if isinstance(v, Tensor) else repr(type(v))
