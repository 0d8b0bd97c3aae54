"""Recurrent layers: fused kernels for ``RNN`` (tanh/relu), ``LSTM`` (with projections) and ``GRU``,
and the cells (``rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell``, ``gru_cell``).

One layer and direction is ONE graph node, not a node per time step and gate:

    forward   one matrix product for the input projections of every step
              (``X (N, I) @ W_ih.T``), then a tight loop for the recurrence
              (``h_{t-1} @ W_hh.T`` and the gates, written into preallocated buffers);
    backward  a hand-written backward through time: a loop computes each step's gate
              gradients ``dG_t`` (into one ``(N, G)`` buffer) and ``dh_{t-1} = dG_t @ W_hh``;
              then ``dW_ih = dG.T @ X``, ``dX = dG @ W_ih`` and the recurrent weight gradient
              ``dW_hh = dG.T @ H_prev`` are each one product over all steps.

Layout. A sequence is handled in the *packed* layout: ``(N, F)`` rows, step ``t``'s rows
``offs[t] : offs[t] + bs[t]`` (``bs`` the per-step batch sizes, non-increasing, as in
``PackedSequence``). A padded ``(T, B, F)`` batch is the case ``bs = [B] * T`` (its time-major
memory is exactly that), so one kernel serves padded and packed input: a packed batch costs no
padding. Rows of a step are the first ``bs[t]`` sequences; a sequence that has ended keeps its
final state, so the state arrays hold every sequence's final state at the end.

The node has two outputs, as PyTorch's: the layer's output sequence, and its final state
(``h`` for RNN/GRU, ``[h, c]`` side by side for LSTM). The engine runs a built-in node with
one output through ``backward(ctx, g)``, so this one uses the multi-output protocol instead
(``_raw = False`` with its own ``_run_backward``, which hands both gradients, as arrays, to the
kernels); ``saved_tensors_hooks`` therefore do not see what it saves. Its name is what
PyTorch 2.13 shows on the CPU for the layer's output: ``MkldnnRnnLayerBackward0`` for a
float32 LSTM without projections (oneDNN's fused layer), ``StackBackward0`` otherwise (PyTorch
stacks per-step outputs there), ``CatBackward0`` for packed input (PyTorch concatenates the
steps).

Gate order is PyTorch's: LSTM ``i, f, g, o`` (the kernel keeps ``i, f, o, g`` internally, so one
sigmoid covers three gates), GRU ``r, z, n`` with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

Memory. The big per-sequence buffers (gates, cell states, outputs, gate gradients) come from a
small pool (``_empty``) and go back to it once nothing refers to them: reusing warm memory
instead of fresh pages is a third of a layer's time at the sizes of a character model.

Double backward (``create_graph=True``): the node's backward then differentiates the same layer
written with the cells (each step a few differentiable ops) from the traced inputs, so gradients
of any order come out of the ops' own formulas.

>>> import numtorch as torch
>>> _ = torch.manual_seed(0)
>>> lstm = torch.nn.LSTM(3, 4)
>>> out, (h, c) = lstm(torch.ones(5, 2, 3))
>>> out.grad_fn.name(), h.grad_fn.name(), tuple(out.shape)
('MkldnnRnnLayerBackward0', 'StackBackward0', (5, 2, 4))
"""
from __future__ import annotations

from sys import getrefcount as _refcount

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd._grad import grad as _grad
from ..autograd.engine import _input_tensor
from ..autograd.function import Function, _check_versions, _SECOND_BACKWARD
from ._apply import apply, _NO_CTX
from . import elementwise as E
from . import shape as S
from .creation import zeros
from .dropout import dropout as _dropout
from .linear import linear

__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "rnn_layer", "rnn",
           "uses_mkldnn"]

# -- cells: differentiable ops (the modules' cells, and the layers' double backward) -------------

def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None,
                  b_hh=None) -> Tensor:
    """``tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)`` (``torch.rnn_tanh_cell``)."""
    return E.tanh(linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh))


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None,
                  b_hh=None) -> Tensor:
    """``relu(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)`` (``torch.rnn_relu_cell``)."""
    return E.relu(linear(input, w_ih, b_ih) + linear(hx, w_hh, b_hh))


def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> tuple:
    """One LSTM step (``torch.lstm_cell``): ``hx = (h, c)``; returns ``(h', c')`` with gates
    ``i, f, g, o`` = chunks of ``x @ w_ih.T + b_ih + h @ w_hh.T + b_hh``."""
    h, c = hx
    gates = linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i, f, g, o = S.chunk(gates, 4, 1)
    i, f, g, o = E.sigmoid(i), E.sigmoid(f), E.tanh(g), E.sigmoid(o)
    cy = f * c + i * g
    return o * E.tanh(cy), cy


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None,
             b_hh=None) -> Tensor:
    """One GRU step (``torch.gru_cell``): ``r, z = sigmoid(...)``,
    ``n = tanh(x W_in + b_in + r * (h W_hn + b_hn))``, ``h' = n + z * (h - n)``."""
    ir, iz, in_ = S.chunk(linear(input, w_ih, b_ih), 3, 1)
    hr, hz, hn = S.chunk(linear(hx, w_hh, b_hh), 3, 1)
    r = E.sigmoid(ir + hr)
    z = E.sigmoid(iz + hz)
    n = E.tanh(in_ + r * hn)
    return (hx - n) * z + n


# -- step plans ---------------------------------------------------------------------------------

_PLANS: dict = {}


def _plan(bs: tuple, reverse: bool) -> tuple:
    """``(steps, offs)``: ``steps`` in processing order, each ``(r0, n, pr0, pn)``: the step's
    first row and row count, and the previous processed step's (``pr0`` None at the first)."""
    key = (bs, reverse)
    p = _PLANS.get(key)
    if p is not None:
        return p
    offs = [0] * len(bs)
    for t in range(1, len(bs)):
        offs[t] = offs[t - 1] + bs[t - 1]
    order = range(len(bs) - 1, -1, -1) if reverse else range(len(bs))
    steps, prev = [], (None, 0)
    for t in order:
        steps.append((offs[t], bs[t], prev[0], prev[1]))
        prev = (offs[t], bs[t])
    if len(_PLANS) > 64:
        _PLANS.clear()
    p = _PLANS[key] = (tuple(steps), tuple(offs))
    return p


def _last_rows(bs: tuple, offs: tuple, reverse: bool) -> np.ndarray:
    """Row of each sequence's final state: its last step (first step when ``reverse``)."""
    b = np.arange(bs[0])
    if reverse:
        return b
    lengths = (np.asarray(bs)[:, None] > b).sum(0)
    return np.asarray(offs)[lengths - 1] + b


def _prev_rows(bs: tuple, offs: tuple, reverse: bool) -> np.ndarray:
    """For each row, the row of the same sequence at the previous processed step, or
    ``N + b`` where that is the initial state ``h0[b]`` (rows of ``concat([Y, h0])``)."""
    n_rows = sum(bs)
    t = np.repeat(np.arange(len(bs)), bs)
    b = np.arange(n_rows) - np.repeat(np.asarray(offs), bs)
    o = np.asarray(offs + (n_rows,))
    s = np.asarray(bs + (0,))
    if reverse:
        ok = s[t + 1] > b
        return np.where(ok, o[t + 1] + b, n_rows + b)
    return np.where(t > 0, o[t - 1] + b, n_rows + b)


def _prev(buf, init, pr0, pn, n):
    """The previous state of a step's ``n`` rows: the previous step's rows of ``buf``, topped up
    from ``init`` by rows that start at this step (a reverse pass over packed sequences)."""
    if pr0 is None:
        return init[:n]
    if n <= pn:
        return buf[pr0:pr0 + n]
    return np.concatenate((buf[pr0:pr0 + pn], init[pn:n]))


def _sigmoid_(a):
    """``a = 1 / (1 + exp(-a))`` in place (exp overflows to inf for large ``-a``: the result
    is then 0, as it should be)."""
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)


_PERMS: dict = {}


def _perm(hidden: int) -> np.ndarray:
    """LSTM rows ``i, f, g, o`` -> ``i, f, o, g`` (the three sigmoid gates side by side)."""
    p = _PERMS.get(hidden)
    if p is None:
        h = hidden
        p = _PERMS[hidden] = np.r_[0:2 * h, 3 * h:4 * h, 2 * h:3 * h]
    return p


def _unperm(a, perm):
    out = np.empty_like(a)
    out[perm] = a
    return out


# Reused memory for the big per-sequence buffers. A fresh multi-megabyte array each step costs
# the kernel's page zeroing (a third of an LSTM layer's forward, measured); these are handed out
# again once nothing refers to them: a buffer's views (what a node saved, an output tensor's
# data) hold its base, so its reference count says whether it is free.
_POOL: dict = {}
_POOL_MIN = 1 << 16            # bytes: smaller arrays come from malloc's free lists anyway
_POOL_CAP = 32 << 20           # bytes kept at most, all buffers together
_pooled = [0]


def _empty(shape: tuple, dtype) -> np.ndarray:
    """``np.empty(shape, dtype)``, from the pool when a free buffer of that size is there."""
    dtype = np.dtype(dtype)
    n = 1
    for d in shape:
        n *= d
    nbytes = n * dtype.itemsize
    if nbytes < _POOL_MIN:
        return np.empty(shape, dtype)
    bases = _POOL.get((n, dtype))
    if bases is None:
        bases = _POOL[n, dtype] = []
    for base in bases:
        if _refcount(base) == 3:            # the list, this loop, the call: nobody else
            return base.reshape(shape)
    base = np.empty(n, dtype)
    if _pooled[0] + nbytes > _POOL_CAP:
        _evict()
        bases = _POOL.setdefault((n, dtype), [])
    if _pooled[0] + nbytes <= _POOL_CAP:
        bases.append(base)
        _pooled[0] += nbytes
    return base.reshape(shape)


def _evict() -> None:
    """Let go of the pooled buffers nobody uses (other sizes: a new sequence length)."""
    for key in list(_POOL):
        kept = []
        for base in _POOL[key]:
            if _refcount(base) > 3:         # the list, this loop, the call, and a user
                kept.append(base)
            else:
                _pooled[0] -= base.nbytes
        if kept:
            _POOL[key] = kept
        else:
            del _POOL[key]


def _rows2(x: np.ndarray) -> np.ndarray:
    """A layer input as contiguous ``(N, I)`` rows (a copy only for a strided view)."""
    x2 = x.reshape(-1, x.shape[-1])
    return x2 if x2.flags.c_contiguous else np.ascontiguousarray(x2)


class _StepRows:
    """A ``(T, B, F)`` gradient read as ``(N, F)`` rows one step at a time (``g[r0:r1]`` is
    step ``r0 // B``), for a layout that has no ``(N, F)`` view (the transpose of a batch-first
    output's gradient), instead of copying it."""

    __slots__ = ("g", "batch")

    def __init__(self, g, batch):
        self.g, self.batch = g, batch

    def __getitem__(self, rows: slice):
        return self.g[rows.start // self.batch]


def _grad_rows(g, n_rows: int):
    """The output gradient ``g`` as rows ``g[r0:r1]`` of the packed layout (None stays None)."""
    if g is None or g.ndim == 2:
        return g
    if g.strides[0] == g.shape[1] * g.strides[1]:
        return g.reshape(n_rows, g.shape[-1])
    return _StepRows(g, g.shape[1])


# -- the layer node -------------------------------------------------------------------------------

class _Layer(Function):
    """One recurrent layer and direction over a whole sequence (see the module docstring).

    Inputs ``(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)`` (None where absent); outputs the
    sequence ``y`` and the final state. Two outputs, so it is run by the engine as a
    multi-output node (``_run_backward`` on arrays; ``backward`` on tensors for
    ``create_graph``)."""

    _n_out = 2
    _materialize = False
    saves = (0, 1, 2, 3, 4, 7)
    saves_output = True
    saved_inputs = ("x", "h0", "c0", "w_ih", "w_hh", "b_ih", "b_hh", "w_hr")
    _arg_is_tensor = (True,) * 8
    kind = ""

    def _run_backward(self, grads: list):
        if not hasattr(self, "_next") or self._freed:
            raise RuntimeError(_SECOND_BACKWARD)
        _check_versions(self)
        return _BACKWARD[self.kind](self, grads[0], grads[1])

    @staticmethod
    def backward(ctx, gy, glast):
        """create_graph=True: differentiate the layer written with the cells."""
        return _composite_vjp(ctx, gy, glast)


def _named(base, name: str, shown: str):
    cls = type(base.__name__ + shown, (base,), {"_name": name, "__module__": __name__})
    cls.__name__ = cls.__qualname__ = name
    return cls


def _forward_lstm(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, bs, reverse, sink):
    keep = ctx is not _NO_CTX
    x2 = _rows2(x)
    n_rows, batch = x2.shape[0], bs[0]
    hidden, proj = w_hh.shape[0] // 4, w_hh.shape[1]
    h3 = 3 * hidden
    dt = x2.dtype
    perm = _perm(hidden)
    wih, whh = w_ih[perm], w_hh[perm]
    xw = np.matmul(x2, wih.T, out=_empty((n_rows, 4 * hidden), dt))
    if b_ih is not None:
        xw += (b_ih + b_hh)[perm]
    whh_t = whh.T
    hz = np.zeros((batch, proj), dt) if h0 is None else h0
    cz = np.zeros((batch, hidden), dt) if c0 is None else c0
    steps, offs = _plan(bs, reverse)
    A = _empty((n_rows if keep else batch, 4 * hidden), dt)
    C = _empty((n_rows, hidden), dt)
    TC = _empty((n_rows if keep else batch, hidden), dt)
    has_proj = w_hr is not None
    HP = _empty((n_rows if keep else batch, hidden), dt) if has_proj else None
    w_hr_t = w_hr.T if has_proj else None
    Y = _empty((n_rows, proj), dt)
    for r0, n, pr0, pn in steps:
        r1 = r0 + n
        hp = _prev(Y, hz, pr0, pn, n)
        cp = _prev(C, cz, pr0, pn, n)
        a = A[r0:r1] if keep else A[:n]
        np.matmul(hp, whh_t, out=a)
        a += xw[r0:r1]
        _sigmoid_(a[:, :h3])
        g = a[:, h3:]
        np.tanh(g, out=g)
        c = C[r0:r1]
        np.multiply(a[:, hidden:2 * hidden], cp, out=c)
        c += a[:, :hidden] * g
        tc = TC[r0:r1] if keep else TC[:n]
        np.tanh(c, out=tc)
        if has_proj:
            hq = HP[r0:r1] if keep else HP[:n]
            np.multiply(a[:, 2 * hidden:h3], tc, out=hq)
            np.matmul(hq, w_hr_t, out=Y[r0:r1])
        else:
            np.multiply(a[:, 2 * hidden:h3], tc, out=Y[r0:r1])
    rows = _last_rows(bs, offs, reverse)
    sink.append(np.concatenate((Y[rows], C[rows]), axis=1))
    if keep:
        ctx.x, ctx.h0, ctx.c0, ctx.w_ih, ctx.w_hh = x, h0, c0, w_ih, w_hh
        ctx.b_ih, ctx.b_hh, ctx.w_hr = b_ih, b_hh, w_hr
        ctx.bs, ctx.reverse, ctx.xshape = bs, reverse, x.shape
        ctx.saved = (x2, wih, whh, A, C, TC, HP, Y)
        ctx.out = Y
    return Y.reshape(x.shape[:-1] + (proj,))


def _backward_lstm(ctx, gy, glast):
    x2, wih, whh, A, C, TC, HP, Y = ctx.saved
    need = ctx.needs_input_grad
    bs, reverse = ctx.bs, ctx.reverse
    n_rows, batch = Y.shape[0], bs[0]
    hidden, proj = whh.shape[0] // 4, whh.shape[1]
    h2, h3 = 2 * hidden, 3 * hidden
    dt = Y.dtype
    steps, offs = _plan(bs, reverse)
    h0, c0, w_hr = ctx.h0, ctx.c0, ctx.w_hr
    hz = np.zeros((batch, proj), dt) if h0 is None else h0
    cz = np.zeros((batch, hidden), dt) if c0 is None else c0
    if glast is None:
        dh = np.zeros((batch, proj), dt)
        dc = np.zeros((batch, hidden), dt)
    else:
        dh = np.array(glast[:, :proj], dt)
        dc = np.array(glast[:, proj:], dt)
    gy = _grad_rows(gy, n_rows)
    has_proj = w_hr is not None
    DH = _empty((n_rows, proj), dt) if has_proj else None
    DG = _empty((n_rows, 4 * hidden), dt)
    for r0, n, pr0, pn in reversed(steps):
        r1 = r0 + n
        dhn = dh[:n] + gy[r0:r1] if gy is not None else dh[:n]     # (read before dh[:n] is set)
        if has_proj:
            DH[r0:r1] = dhn
            dhn = dhn @ w_hr
        a = A[r0:r1]
        tc = TC[r0:r1]
        cp = _prev(C, cz, pr0, pn, n)
        d = DG[r0:r1]
        dcn = tc * tc
        np.subtract(1, dcn, out=dcn)
        dcn *= a[:, 2 * hidden:h3]
        dcn *= dhn
        dcn += dc[:n]
        g = a[:, h3:]
        np.multiply(dcn, g, out=d[:, :hidden])
        np.multiply(dcn, cp, out=d[:, hidden:h2])
        np.multiply(dhn, tc, out=d[:, h2:h3])
        s = a[:, :h3]
        sd = 1 - s
        sd *= s
        d[:, :h3] *= sd
        gd = g * g
        np.subtract(1, gd, out=gd)
        gd *= a[:, :hidden]
        np.multiply(gd, dcn, out=d[:, h3:])
        np.multiply(dcn, a[:, hidden:h2], out=dc[:n])
        np.matmul(d, whh, out=dh[:n])
    perm = _perm(hidden)
    gx = (DG @ wih).reshape(ctx.xshape) if need[0] else None
    gwih = _unperm(DG.T @ x2, perm) if need[3] else None
    gwhh = _unperm(_recurrent_weight_grad(DG, Y, h0, bs, offs, reverse), perm) if need[4] else None
    gb = _unperm(DG.sum(0), perm) if (need[5] or need[6]) else None
    gwhr = DH.T @ HP if has_proj and need[7] else None
    return (gx, dh if need[1] else None, dc if need[2] else None, gwih, gwhh,
            gb if need[5] else None, (gb.copy() if need[5] else gb) if need[6] else None, gwhr)


def _recurrent_weight_grad(DG, Y, h0, bs, offs, reverse):
    """``sum_t dG_t.T @ h_{t-1}``: one product over all steps (two for a padded batch, which
    reads ``Y`` shifted by one step, with ``h0`` apart)."""
    batch = bs[0]
    if all(b == batch for b in bs):
        if reverse:
            out = DG[:-batch].T @ Y[batch:]
            last = DG[-batch:]
        else:
            out = DG[batch:].T @ Y[:-batch]
            last = DG[:batch]
        if h0 is not None:
            out += last.T @ h0
        return out
    prev = np.concatenate((Y, h0 if h0 is not None else np.zeros((batch, Y.shape[1]), Y.dtype)))
    return DG.T @ prev[_prev_rows(bs, offs, reverse)]


def _forward_gru(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, bs, reverse, sink):
    keep = ctx is not _NO_CTX
    x2 = _rows2(x)
    n_rows, batch = x2.shape[0], bs[0]
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    dt = x2.dtype
    xw = np.matmul(x2, w_ih.T, out=_empty((n_rows, 3 * hidden), dt))
    if b_ih is not None:
        xw += b_ih
        xw[:, :h2] += b_hh[:h2]
        bhn = b_hh[h2:]
    else:
        bhn = None
    whh_t = w_hh.T
    hz = np.zeros((batch, hidden), dt) if h0 is None else h0
    steps, offs = _plan(bs, reverse)
    A = _empty((n_rows if keep else batch, 3 * hidden), dt)      # r, z, n
    HW = _empty((n_rows if keep else batch, 3 * hidden), dt)     # h @ W_hh.T (+ b_hn)
    Y = _empty((n_rows, hidden), dt)
    for r0, n, pr0, pn in steps:
        r1 = r0 + n
        hp = _prev(Y, hz, pr0, pn, n)
        hw = HW[r0:r1] if keep else HW[:n]
        np.matmul(hp, whh_t, out=hw)
        hn = hw[:, h2:]
        if bhn is not None:
            hn += bhn
        a = A[r0:r1] if keep else A[:n]
        rz = a[:, :h2]
        np.add(xw[r0:r1, :h2], hw[:, :h2], out=rz)
        _sigmoid_(rz)
        nn = a[:, h2:]
        np.multiply(rz[:, :hidden], hn, out=nn)
        nn += xw[r0:r1, h2:]
        np.tanh(nn, out=nn)
        y = Y[r0:r1]
        np.subtract(hp, nn, out=y)
        y *= rz[:, hidden:]
        y += nn
    sink.append(Y[_last_rows(bs, offs, reverse)])
    if keep:
        ctx.x, ctx.h0, ctx.c0, ctx.w_ih, ctx.w_hh = x, h0, c0, w_ih, w_hh
        ctx.b_ih, ctx.b_hh, ctx.w_hr = b_ih, b_hh, w_hr
        ctx.bs, ctx.reverse, ctx.xshape = bs, reverse, x.shape
        ctx.saved = (x2, A, HW, Y)
        ctx.out = Y
    return Y.reshape(x.shape[:-1] + (hidden,))


def _backward_gru(ctx, gy, glast):
    x2, A, HW, Y = ctx.saved
    need = ctx.needs_input_grad
    bs, reverse = ctx.bs, ctx.reverse
    w_ih, w_hh, h0 = ctx.w_ih, ctx.w_hh, ctx.h0
    n_rows, batch = Y.shape[0], bs[0]
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    dt = Y.dtype
    steps, offs = _plan(bs, reverse)
    hz = np.zeros((batch, hidden), dt) if h0 is None else h0
    dh = np.zeros((batch, hidden), dt) if glast is None else np.array(glast, dt)
    gy = _grad_rows(gy, n_rows)
    DX = _empty((n_rows, 3 * hidden), dt)      # gate gradients, input side (dn)
    DH = _empty((n_rows, 3 * hidden), dt)      # recurrent side (r * dn)
    for r0, n, pr0, pn in reversed(steps):
        r1 = r0 + n
        dhn = dh[:n] + gy[r0:r1] if gy is not None else dh[:n].copy()
        a = A[r0:r1]
        r, z, nn = a[:, :hidden], a[:, hidden:h2], a[:, h2:]
        hp = _prev(Y, hz, pr0, pn, n)
        dx, dhh = DX[r0:r1], DH[r0:r1]
        zc = 1 - z                                   # dn = dhn * (1 - z) * (1 - n^2)
        dnp = dx[:, h2:]
        np.multiply(nn, nn, out=dnp)
        np.subtract(1, dnp, out=dnp)
        dnp *= zc
        dnp *= dhn
        dz = dx[:, hidden:h2]                        # dz = dhn * (h - n) * z * (1 - z)
        np.subtract(hp, nn, out=dz)
        dz *= dhn
        zc *= z
        dz *= zc
        np.multiply(dnp, r, out=dhh[:, h2:])         # d(W_hn h + b_hn) = dn * r
        dr = dx[:, :hidden]                          # dr = dn * (W_hn h + b_hn) * r * (1 - r)
        np.multiply(dnp, HW[r0:r1, h2:], out=dr)
        rc = 1 - r
        rc *= r
        dr *= rc
        dhh[:, :h2] = dx[:, :h2]
        dhn *= z
        np.matmul(dhh, w_hh, out=dh[:n])
        dh[:n] += dhn
    gx = (DX @ w_ih).reshape(ctx.xshape) if need[0] else None
    gwih = DX.T @ x2 if need[3] else None
    gwhh = _recurrent_weight_grad(DH, Y, h0, bs, offs, reverse) if need[4] else None
    return (gx, dh if need[1] else None, None, gwih, gwhh,
            DX.sum(0) if need[5] else None, DH.sum(0) if need[6] else None, None)


def _forward_rnn(relu: bool):
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, bs, reverse, sink):
        keep = ctx is not _NO_CTX
        x2 = _rows2(x)
        batch = bs[0]
        hidden = w_hh.shape[1]
        dt = x2.dtype
        xw = np.matmul(x2, w_ih.T, out=_empty((x2.shape[0], hidden), dt))
        if b_ih is not None:
            xw += b_ih + b_hh
        whh_t = w_hh.T
        hz = np.zeros((batch, hidden), dt) if h0 is None else h0
        steps, offs = _plan(bs, reverse)
        Y = _empty((x2.shape[0], hidden), dt)
        for r0, n, pr0, pn in steps:
            r1 = r0 + n
            y = Y[r0:r1]
            np.matmul(_prev(Y, hz, pr0, pn, n), whh_t, out=y)
            y += xw[r0:r1]
            if relu:
                np.maximum(y, 0, out=y)
            else:
                np.tanh(y, out=y)
        sink.append(Y[_last_rows(bs, offs, reverse)])
        if keep:
            ctx.x, ctx.h0, ctx.c0, ctx.w_ih, ctx.w_hh = x, h0, c0, w_ih, w_hh
            ctx.b_ih, ctx.b_hh, ctx.w_hr = b_ih, b_hh, w_hr
            ctx.bs, ctx.reverse, ctx.xshape = bs, reverse, x.shape
            ctx.saved = (x2, Y)
            ctx.out = Y
        return Y.reshape(x.shape[:-1] + (hidden,))
    return forward


def _backward_rnn(ctx, gy, glast):
    x2, Y = ctx.saved
    need = ctx.needs_input_grad
    bs, reverse, relu = ctx.bs, ctx.reverse, ctx.kind == "rnn_relu"
    w_ih, w_hh, h0 = ctx.w_ih, ctx.w_hh, ctx.h0
    n_rows, batch = Y.shape[0], bs[0]
    hidden = w_hh.shape[1]
    dt = Y.dtype
    steps, offs = _plan(bs, reverse)
    dh = np.zeros((batch, hidden), dt) if glast is None else np.array(glast, dt)
    gy = _grad_rows(gy, n_rows)
    DG = _empty((n_rows, hidden), dt)
    for r0, n, pr0, pn in reversed(steps):
        r1 = r0 + n
        d = DG[r0:r1]
        y = Y[r0:r1]
        dhn = dh[:n] + gy[r0:r1] if gy is not None else dh[:n]     # (read before dh[:n] is set)
        if relu:
            np.greater(y, 0, out=d)                   # (as the dtype: 1.0 / 0.0)
        else:
            np.multiply(y, y, out=d)
            np.subtract(1, d, out=d)
        d *= dhn
        np.matmul(d, w_hh, out=dh[:n])
    gx = (DG @ w_ih).reshape(ctx.xshape) if need[0] else None
    gwih = DG.T @ x2 if need[3] else None
    gwhh = _recurrent_weight_grad(DG, Y, h0, bs, offs, reverse) if need[4] else None
    gb = DG.sum(0) if (need[5] or need[6]) else None
    return (gx, dh if need[1] else None, None, gwih, gwhh, gb if need[5] else None,
            (gb.copy() if need[5] else gb) if need[6] else None, None)


_BACKWARD = {"lstm": _backward_lstm, "gru": _backward_gru, "rnn_tanh": _backward_rnn,
             "rnn_relu": _backward_rnn}


class LstmLayer(_Layer):
    kind = "lstm"
    forward = staticmethod(_forward_lstm)


class GruLayer(_Layer):
    kind = "gru"
    forward = staticmethod(_forward_gru)


class RnnTanhLayer(_Layer):
    kind = "rnn_tanh"
    forward = staticmethod(_forward_rnn(False))


class RnnReluLayer(_Layer):
    kind = "rnn_relu"
    forward = staticmethod(_forward_rnn(True))


# the node classes, by kind and by the name PyTorch 2.13 shows for the layer's output on the CPU
_NODES = {}
for _base in (LstmLayer, GruLayer, RnnTanhLayer, RnnReluLayer):
    for _shown, _node_name in (("Stack", "StackBackward0"), ("Cat", "CatBackward0"),
                               ("Mkldnn", "MkldnnRnnLayerBackward0")):
        if _shown == "Mkldnn" and _base is not LstmLayer:
            continue
        _NODES[_base.kind, _shown] = _named(_base, _node_name, _shown)
del _base, _shown, _node_name


# -- double backward: the layer written with the cells -------------------------------------------

def _composite_layer(kind, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, bs, reverse, out_shape):
    """The layer as a loop of cells (differentiable ops): ``(y, final state)`` as the node's."""
    steps, offs = _plan(bs, reverse)
    batch = bs[0]
    x2 = S.reshape(x, (-1, x.shape[-1]))
    y_steps = {}
    h, c = h0, c0
    for r0, n, pr0, pn in steps:
        xt = x2[r0:r0 + n]
        hp = h if n == batch else h[:n]
        if kind == "lstm":
            cp = c if n == batch else c[:n]
            hn, cn = lstm_cell(xt, (hp, cp), w_ih, w_hh, b_ih, b_hh)
            if w_hr is not None:
                hn = linear(hn, w_hr)
            c = cn if n == batch else S.cat((cn, c[n:]), 0)
        elif kind == "gru":
            hn = gru_cell(xt, hp, w_ih, w_hh, b_ih, b_hh)
        else:
            cell = rnn_relu_cell if kind == "rnn_relu" else rnn_tanh_cell
            hn = cell(xt, hp, w_ih, w_hh, b_ih, b_hh)
        h = hn if n == batch else S.cat((hn, h[n:]), 0)
        y_steps[r0] = hn
    y = S.reshape(S.cat([y_steps[o] for o in offs], 0), out_shape)
    return y, (S.cat((h, c), 1) if kind == "lstm" else h)


class _Alias(Function):
    _raw = True
    _name = "AliasBackward0"

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return (g,)


def _composite_vjp(node, gy, glast):
    """The node's backward under create_graph: re-run the layer with cells from the inputs
    (tensors tied to the graph) and differentiate it, recording the backward."""
    if node._freed or "saved" not in node.__dict__:
        raise RuntimeError(_SECOND_BACKWARD)
    d = node.__dict__
    ins = [None if d[name] is None else _input_tensor(edge, d[name], node)    # tied to the graph
           for name, edge in zip(node.saved_inputs, node._next)]
    need = node.needs_input_grad
    # fresh aliases stand for the inputs, so the inner pass stops there
    stand = [None if t is None else (apply(_Alias, (t,), (t._data,)) if need[i] else t)
             for i, t in enumerate(ins)]
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = stand
    dt = node.__dict__["out"].dtype
    batch = node.bs[0]
    tdt = _dtype._BY_NP[dt]
    if h0 is None:
        h0 = zeros(batch, w_hh.shape[1], dtype=tdt)
    if c0 is None and node.kind == "lstm":
        c0 = zeros(batch, w_hh.shape[0] // 4, dtype=tdt)
    y, last = _composite_layer(node.kind, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, node.bs,
                               node.reverse, tuple(node.xshape[:-1]) + (node.out.shape[1],))
    outs, seeds = [], []
    if gy is not None:
        outs.append(y)
        seeds.append(gy)
    if glast is not None:
        outs.append(last)
        seeds.append(glast)
    wanted = [i for i in range(8) if need[i] and stand[i] is not None]
    got = _grad(outs, [stand[i] for i in wanted], seeds, create_graph=True, allow_unused=True)
    res = [None] * 8
    for i, g in zip(wanted, got):
        res[i] = g
    return tuple(res)


# -- one layer, whole sequence ------------------------------------------------------------------

def rnn_layer(kind: str, input: Tensor, hx=None, cx=None, w_ih=None, w_hh=None, b_ih=None,
              b_hh=None, w_hr=None, reverse: bool = False, batch_sizes=None, shown: str = "Stack"):
    """One layer and direction over a sequence, fused: ``(output, h_last, c_last)``.

    ``input`` is ``(T, B, I)`` (time-major) or packed ``(N, I)`` rows with ``batch_sizes``
    (a sequence of ints); ``hx``/``cx`` are ``(B, P)``/``(B, H)`` or None (zeros); ``kind`` is
    ``"lstm"``, ``"gru"``, ``"rnn_tanh"`` or ``"rnn_relu"``. ``c_last`` is None except for LSTM.
    """
    x = input._data
    if batch_sizes is None:
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        bs = (x.shape[1],) * x.shape[0]
    else:
        bs = tuple(batch_sizes)
    cls = _NODES[kind, shown]
    sink = []
    tensors = (input, hx, cx, w_ih, w_hh, b_ih, b_hh, w_hr)
    arrays = tuple(None if t is None else t._data for t in tensors)
    y = apply(cls, tensors, arrays, bs, bool(reverse), sink)
    last = sink[0]
    if y.grad_fn is not None:
        final = Tensor._make(last, True)
        final.grad_fn = y.grad_fn
        final._out_index = 1
    else:
        final = Tensor._make(last)
    if kind != "lstm":
        return y, final, None
    p = w_hh._data.shape[1]
    return y, final[:, :p], final[:, p:]


def uses_mkldnn(kind: str, dtype, proj: bool, packed: bool) -> bool:
    """Whether PyTorch 2.13 on the CPU runs this layer as oneDNN's fused LSTM (its node names
    and error messages follow): float32 LSTM without projections, padded input."""
    return kind == "lstm" and not proj and not packed and dtype == np.float32


def rnn(kind: str, input: Tensor, hx, weights, has_biases: bool, num_layers: int, dropout: float,
        train: bool, bidirectional: bool, batch_sizes=None, proj: bool = False) -> tuple:
    """The layers of ``nn.RNN``/``LSTM``/``GRU`` (PyTorch's ``_VF.rnn_tanh``/``lstm``/``gru``):
    ``(output, h_n)`` or, for LSTM, ``(output, h_n, c_n)``.

    ``input`` is ``(T, B, I)`` or packed rows ``(N, I)`` with ``batch_sizes``; ``hx`` is
    ``h0`` (``(L*D, B, P)``), ``(h0, c0)`` for LSTM, or None; ``weights`` lists each layer's and
    direction's ``w_ih, w_hh[, b_ih, b_hh][, w_hr]`` in PyTorch's order; ``dropout`` is applied
    to each layer's output but the last while ``train`` (PyTorch's draws, same order).
    """
    dirs = 2 if bidirectional else 1
    per = 2 + (2 if has_biases else 0) + (1 if proj else 0)
    lstm = kind == "lstm"
    h0 = c0 = None
    if hx is not None:
        if lstm:
            h0, c0 = hx
        else:
            h0 = hx
    if batch_sizes is not None:
        shown = "Cat"
    elif uses_mkldnn(kind, input._data.dtype, proj, False):
        shown = "Mkldnn"
    else:
        shown = "Stack"
    layer_input = input
    hs, cs = [], []
    h_parts = S.unbind(h0, 0) if h0 is not None else None
    c_parts = S.unbind(c0, 0) if c0 is not None else None
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w = weights[k * per:(k + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            w_hr = w[-1] if proj else None
            y, h, c = rnn_layer(kind, layer_input, None if h_parts is None else h_parts[k],
                                None if c_parts is None else c_parts[k], w_ih, w_hh, b_ih, b_hh,
                                w_hr, d == 1, batch_sizes, shown)
            outs.append(y)
            hs.append(h)
            cs.append(c)
        out = outs[0] if dirs == 1 else S.cat(outs, -1)
        if dropout and train and layer < num_layers - 1:
            out = _dropout(out, dropout, True)
        layer_input = out
    h_n = S.stack(hs, 0)
    if lstm:
        return layer_input, h_n, S.stack(cs, 0)
    return layer_input, h_n


# -- layouts of nn.utils.rnn: packed rows <-> padded batches --------------------------------------

def packed_rows(batch_sizes, batch: int) -> np.ndarray:
    """Rows of a time-major padded ``(T, B)`` batch that a packed sequence keeps, in order."""
    bs = np.asarray(batch_sizes, np.int64)
    t = np.repeat(np.arange(bs.size), bs)
    b = np.arange(t.size) - np.repeat(np.cumsum(bs) - bs, bs)
    return t * batch + b


class PackPaddedSequence(Function):
    """``(T, B, *)`` padded -> ``(N, *)`` packed rows (``_pack_padded_sequence``)."""
    _raw = True
    _name = "PackPaddedSequenceBackward0"

    @staticmethod
    def forward(ctx, x, rows):
        ctx.shape, ctx.rows = x.shape, rows
        return x.reshape((-1,) + x.shape[2:])[rows]

    @staticmethod
    def backward(ctx, g):
        shape = ctx.shape
        out = np.zeros_like(g, shape=(shape[0] * shape[1],) + shape[2:])
        out[ctx.rows] = g
        return (out.reshape(shape),)


class PadPackedSequence(Function):
    """``(N, *)`` packed rows -> ``(T, B, *)`` padded with ``value`` (PyTorch writes the rows
    into a filled tensor: ``CopySlices``)."""
    _raw = True
    _name = "torch::autograd::CopySlices"

    @staticmethod
    def forward(ctx, x, rows, steps, batch, value):
        ctx.rows = rows
        out = np.full((steps * batch,) + x.shape[1:], value, x.dtype)
        out[rows] = x
        return out.reshape((steps, batch) + x.shape[1:])

    @staticmethod
    def backward(ctx, g):
        return (g.reshape((-1,) + g.shape[2:])[ctx.rows],)


class PadSequence(Function):
    """Sequences ``(L_i, *)`` -> one padded ``(T, B, *)`` or ``(B, T, *)`` tensor."""
    _raw = True
    _name = "torch::autograd::CopySlices"

    @staticmethod
    def forward(ctx, *args):
        *arrays, steps, batch_first, value, left, dtype = args
        trail = arrays[0].shape[1:]
        shape = (len(arrays), steps) + trail if batch_first else (steps, len(arrays)) + trail
        out = np.full(shape, value, dtype)
        where = []
        for i, a in enumerate(arrays):
            n = a.shape[0]
            t = slice(steps - n, steps) if left else slice(0, n)
            idx = (i, t) if batch_first else (t, i)
            try:
                out[idx] = a
            except ValueError:
                bad = next(d for d in range(len(trail))
                           if a.shape[1 + d] != trail[d] and a.shape[1 + d] != 1)
                raise RuntimeError(f"The size of tensor a ({trail[bad]}) must match the size of "
                                   f"tensor b ({a.shape[1 + bad]}) at non-singleton dimension "
                                   f"{bad + 1}") from None
            where.append(idx)
        ctx.where = where
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[idx] for idx in ctx.where)


class TransposeSwap(S.Transpose):
    """``transpose_(0, 1)`` of an RNN's batch-first output (PyTorch's ``TransposeBackward1``)."""
    _raw = True
    _name = "TransposeBackward1"


def batch_first_output(output: Tensor, lstm: bool) -> Tensor:
    """A time-major layer output as batch-first (a view), with PyTorch's node name (its LSTM
    transposes out of place, its RNN and GRU in place)."""
    if lstm:
        return S.transpose(output, 0, 1)
    x = output._data
    axes = (1, 0) + tuple(range(2, x.ndim))
    return S._view(TransposeSwap, output, x, axes)
