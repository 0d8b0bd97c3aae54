"""Recording optimizer trajectories for the oracle: PyTorch with a correctly rounded ``sqrt``, and
compact fingerprints of many arrays.

PyTorch's CPU float32 ``sqrt`` (MKL's vector math) is not correctly rounded; NumPy's is. Under
``exact_sqrt(torch)`` PyTorch's other arithmetic is unchanged, so numtorch must equal such a
trajectory bit for bit, while it agrees with PyTorch's own to a few ulps.

>>> fp = fingerprints([np.arange(3.0), np.float32(2)], exact=True)
>>> fp["meta"], fp["values"].tolist()
([['float64', [3], None], ['float32', [], None]], [0.0, 1.0, 2.0, 2.0])
"""
from __future__ import annotations

import contextlib

import numpy as np

from _oracle import digest

# the optimizers whose update takes a square root
SQRT = {"Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam"}

_WHOLE = 64          # arrays up to this size are kept whole
_STRIDE = 37         # larger ones: every 37th element and the last 7 (+ a digest of all)


@contextlib.contextmanager
def exact_sqrt(torch):
    """PyTorch with ``Tensor.sqrt``/``sqrt_`` correctly rounded (NumPy's): the rest of its
    arithmetic unchanged, to check numtorch's rounding order bit for bit."""
    T = torch.Tensor
    orig = T.sqrt, T.sqrt_

    def sqrt(self):
        return torch.from_numpy(np.asarray(np.sqrt(self.detach().numpy())))

    def sqrt_(self):
        self.copy_(sqrt(self))
        return self

    T.sqrt, T.sqrt_ = sqrt, sqrt_
    try:
        yield
    finally:
        T.sqrt, T.sqrt_ = orig


def _array(a) -> np.ndarray:
    return np.ascontiguousarray(a.detach().numpy() if hasattr(a, "detach") else np.asarray(a))


def _sample(a: np.ndarray) -> np.ndarray:
    flat = a.ravel()
    if flat.size <= _WHOLE:
        return flat
    return np.concatenate([flat[::_STRIDE], flat[-7:]])


def fingerprints(arrays, exact: bool) -> dict:
    """Arrays (tensors) as a record keeps them: each one's dtype, shape and (when ``exact`` and
    it is large) digest, and one float64 array of their values; large ones sampled (every 37th
    value and the last 7), so the record stays small."""
    arrays = [_array(a) for a in arrays]
    meta = [[str(a.dtype), list(a.shape), digest(a) if exact and a.size > _WHOLE else None]
            for a in arrays]
    values = [_sample(a).astype(np.float64) for a in arrays]
    return {"meta": meta, "values": np.concatenate(values) if values else np.zeros(0)}


def check_fingerprints(got, want: dict, exact: bool, labels, **tol) -> None:
    """Arrays (tensors) ``got`` against recorded ``fingerprints``: the same dtypes and shapes;
    values bit for bit when ``exact`` (all of them, through the digests), else within ``tol``."""
    mine = fingerprints(got, exact)
    assert len(mine["meta"]) == len(want["meta"]), f"{len(mine['meta'])} arrays vs " \
                                                   f"{len(want['meta'])}"
    start = 0
    for label, m, w in zip(labels, mine["meta"], want["meta"]):
        w = [w[0], list(w[1]), w[2]]
        assert m[:2] == w[:2], f"{label}: {m[:2]} vs recorded {w[:2]}"
        n = int(np.prod(m[1], dtype=np.int64))
        n = n if n <= _WHOLE else _sample(np.zeros(n)).size
        g, v = mine["values"][start:start + n], np.asarray(want["values"])[start:start + n]
        start += n
        if exact:
            np.testing.assert_array_equal(g, v, err_msg=label)
            assert m[2] == w[2], f"{label}: not bit for bit (digest {m[2]} vs {w[2]})"
        else:
            np.testing.assert_allclose(g, v, err_msg=label, **tol)
    assert start == len(want["values"])
