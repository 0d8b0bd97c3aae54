"""Hand-written NumPy references (forward and backward derived by hand, no framework).

Same interface as ``workloads.py`` minus the framework argument: ``NAME(**size)`` builds and
returns ``loop``. They do the same work per step as the framework version, data loading
included (a fresh permutation per epoch and a fancy-indexed batch where the framework uses a
shuffling DataLoader), so the ratio numtorch/NumPy is the cost of the framework layer.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

import _data


def _linear_init(rng, n_out: int, n_in: int):
    """PyTorch's nn.Linear default init distribution: U(-1/sqrt(in), 1/sqrt(in)) (other numbers)."""
    b = 1.0 / math.sqrt(n_in)
    return (rng.uniform(-b, b, (n_out, n_in)).astype(np.float32),
            rng.uniform(-b, b, n_out).astype(np.float32))


def xor(epochs: int = 2001):
    """2-2-1 sigmoid, MSELoss(sum), SGD lr 0.1, batch of 4 shuffled each epoch."""
    rng = np.random.default_rng(123)
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], np.float32)
    T = np.array([[0], [1], [1], [0]], np.float32)
    W1, b1 = _linear_init(rng, 2, 2)
    W2, b2 = _linear_init(rng, 1, 2)
    lr = np.float32(0.1)

    def loop():
        nonlocal W1, b1, W2, b2
        for epoch in range(epochs):
            p = rng.permutation(4)
            x, t = X[p], T[p]
            h = x @ W1.T + b1                       # forward
            s = 1.0 / (1.0 + np.exp(-h))
            y = s @ W2.T + b2
            d = y - t
            loss = (d * d).sum()
            gy = 2.0 * d                             # backward
            gW2 = gy.T @ s
            gb2 = gy.sum(0)
            gh = (gy @ W2) * s * (1.0 - s)
            gW1 = gh.T @ x
            gb1 = gh.sum(0)
            W1 -= lr * gW1                           # SGD step, in place
            b1 -= lr * gb1
            W2 -= lr * gW2
            b2 -= lr * gb2
        return float(loss)
    return loop


def mnist_scratch(n: int = 50_000, epochs: int = 2):
    """Logistic regression with the seed's log_softmax (x - log(sum(exp(x)))) and nll, SGD lr 0.5."""
    rng = np.random.default_rng(0)
    x_train, y_train = _data.mnist_like(n)
    W = (rng.standard_normal((784, 10)) / math.sqrt(784)).astype(np.float32)
    b = np.zeros(10, np.float32)
    bs, lr = 64, np.float32(0.5)

    def loop():
        nonlocal W, b
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                xb = x_train[i * bs:i * bs + bs]
                yb = y_train[i * bs:i * bs + bs]
                m = len(yb)
                z = xb @ W + b                                   # forward
                e = np.exp(z)
                s = e.sum(-1, keepdims=True)
                lp = z - np.log(s)
                r = np.arange(m)
                loss = -lp[r, yb].mean()
                g = np.zeros_like(lp)                            # backward: d(-mean lp[r, y])/d lp
                g[r, yb] = -1.0 / m
                gz = g - (e / s) * g.sum(-1, keepdims=True)      # through z - log(sum(exp(z)))
                W -= (xb.T @ gz) * lr
                b -= gz.sum(0) * lr
        return float(loss)
    return loop


def mlp(n: int = 50_000, epochs: int = 2):
    """784-256-10 ReLU, softmax cross-entropy, SGD lr 0.01 momentum 0.9 (PyTorch's form), bs 128 shuffled."""
    rng = np.random.default_rng(0)
    x_train, y_train = _data.mnist_like(n)
    W1, b1 = _linear_init(rng, 256, 784)
    W2, b2 = _linear_init(rng, 10, 256)
    params = [W1, b1, W2, b2]
    bufs = [None] * 4
    bs, lr, mom = 128, np.float32(0.01), np.float32(0.9)

    def loop():
        for epoch in range(epochs):
            perm = rng.permutation(n)
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                x, y = x_train[idx], y_train[idx]
                m = len(y)
                h = x @ W1.T + b1                                # forward
                a = np.maximum(h, 0)
                z = a @ W2.T + b2
                z = z - z.max(1, keepdims=True)
                e = np.exp(z)
                s = e.sum(1, keepdims=True)
                r = np.arange(m)
                loss = (np.log(s[:, 0]) - z[r, y]).mean()
                g = e / s                                         # backward: (softmax - onehot) / m
                g[r, y] -= 1.0
                g /= m
                gW2 = g.T @ a
                gb2 = g.sum(0)
                ga = g @ W2
                ga *= h > 0
                gW1 = ga.T @ x
                gb1 = ga.sum(0)
                for k, gk in enumerate((gW1, gb1, gW2, gb2)):    # momentum SGD, in place
                    if bufs[k] is None:
                        bufs[k] = gk.copy()
                    else:
                        bufs[k] *= mom
                        bufs[k] += gk
                    params[k] -= lr * bufs[k]
        return float(loss)
    return loop


# -- convolutional nets ---------------------------------------------------------------------------
# The careful NumPy version: every activation is kept batch-last, ``(C, H, W, N)``, so a
# convolution's im2col is a strided view ``(C, kh, kw, Ho, Wo, N)`` that reshapes (one copy) to the
# ``(C*kh*kw, Ho*Wo*N)`` column matrix, its output ``W @ cols`` is already the next layer's
# layout, col2im is one strided add per kernel position over rows of ``Wo*N`` numbers, and
# 2x2 max-pooling is the maximum of four strided quarters. One matmul per conv and direction.

def _conv_init(rng, c_out: int, c_in: int, k: int):
    """PyTorch's nn.Conv2d default init distribution (other numbers)."""
    w, b = _linear_init(rng, c_out, c_in * k * k)
    return w.reshape(c_out, c_in, k, k), b


def _im2col(xp: np.ndarray, k: int) -> np.ndarray:
    """``xp`` (C, H, W, N) -> the columns (C*k*k, Ho*Wo*N) of its k x k windows (stride 1)."""
    c, h, w, n = xp.shape
    ho, wo = h - k + 1, w - k + 1
    s = xp.strides
    view = as_strided(xp, (c, k, k, ho, wo, n), (s[0], s[1], s[2], s[1], s[2], s[3]),
                      writeable=False)
    return view.reshape(c * k * k, ho * wo * n)


def _col2im(gcols: np.ndarray, shape, k: int) -> np.ndarray:
    """The adjoint of ``_im2col``: (C*k*k, Ho*Wo*N) -> (C, H, W, N), one strided add per offset."""
    c, h, w, n = shape
    ho, wo = h - k + 1, w - k + 1
    g6 = gcols.reshape(c, k, k, ho, wo, n)
    out = np.zeros(shape, gcols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, i:i + ho, j:j + wo] += g6[:, i, j]
    return out


def _pool_fwd(a: np.ndarray):
    """2x2 max-pool of (C, H, W, N): the maximum of four strided quarters, and which won
    (the first maximum in scan order, as PyTorch)."""
    q = [a[:, i::2, j::2] for i in (0, 1) for j in (0, 1)]
    m = q[0].copy()
    loc = np.zeros(m.shape, np.uint8)
    for t in (1, 2, 3):
        better = q[t] > m
        np.maximum(m, q[t], out=m)
        loc[better] = t
    return m, loc


def _pool_bwd(g: np.ndarray, loc: np.ndarray, shape) -> np.ndarray:
    out = np.empty(shape, g.dtype)
    for t in range(4):
        i, j = divmod(t, 2)
        np.multiply(g, loc == t, out=out[:, i::2, j::2])
    return out


def _bn_fwd(y: np.ndarray, gamma, beta, running, eps=np.float32(1e-5), mom=np.float32(0.1)):
    """Training-mode BatchNorm2d of (C, M) rows (per-channel statistics over the row), with the
    running estimates updated as PyTorch does (unbiased variance)."""
    m = y.shape[1]
    mean = y.mean(1, keepdims=True)
    d = y - mean
    var = np.einsum("ij,ij->i", d, d)[:, None] / m
    invstd = 1 / np.sqrt(var + eps)
    xhat = d * invstd
    running[0] *= 1 - mom
    running[0] += mom * mean[:, 0]
    running[1] *= 1 - mom
    running[1] += mom * var[:, 0] * (m / (m - 1))
    return xhat * gamma[:, None] + beta[:, None], (xhat, invstd)


def _bn_bwd(g: np.ndarray, gamma, saved):
    xhat, invstd = saved
    m = g.shape[1]
    gbeta = g.sum(1)
    ggamma = np.einsum("ij,ij->i", g, xhat)
    gx = (g - gbeta[:, None] / m - xhat * (ggamma[:, None] / m)) * (gamma[:, None] * invstd)
    return gx, ggamma, gbeta


def _softmax_xent(z: np.ndarray, y: np.ndarray):
    """Cross-entropy of logits (10, N) and its gradient."""
    n = z.shape[1]
    z = z - z.max(0, keepdims=True)
    e = np.exp(z)
    s = e.sum(0, keepdims=True)
    r = np.arange(n)
    loss = (np.log(s[0]) - z[y, r]).mean()
    g = e / s
    g[y, r] -= 1.0
    g /= n
    return loss, g


def _sgd_momentum(params, grads, bufs, lr, mom) -> None:
    for k, (p, gk) in enumerate(zip(params, grads)):       # PyTorch's form, in place
        if bufs[k] is None:
            bufs[k] = gk.copy()
        else:
            bufs[k] *= mom
            bufs[k] += gk
        p -= lr * bufs[k]


def _batch_last_images(xb: np.ndarray, pad: int) -> np.ndarray:
    """A batch of flat 28x28 images (N, 784) as a zero-padded (1, 28+2p, 28+2p, N) array."""
    n = xb.shape[0]
    xp = np.zeros((1, 28 + 2 * pad, 28 + 2 * pad, n), np.float32)
    xp[0, pad:pad + 28, pad:pad + 28] = xb.reshape(n, 28, 28).transpose(1, 2, 0)
    return xp


def lenet(steps: int = 100, batch_norm: bool = False):
    """LeNet-5 style (conv 1->6 5x5 pad 2, [BN], ReLU, pool, conv 6->16 5x5, [BN], ReLU, pool,
    400-120-84-10), cross-entropy, SGD lr 0.01 momentum 0.9, batch 64, by hand."""
    rng = np.random.default_rng(0)
    bs = 64
    x_train, y_train = _data.mnist_like(steps * bs)
    W1, b1 = _conv_init(rng, 6, 1, 5)
    W2, b2 = _conv_init(rng, 16, 6, 5)
    W3, b3 = _linear_init(rng, 120, 400)
    W4, b4 = _linear_init(rng, 84, 120)
    W5, b5 = _linear_init(rng, 10, 84)
    params = [W1, b1, W2, b2, W3, b3, W4, b4, W5, b5]
    if batch_norm:
        g1, be1, g2, be2 = (np.ones(6, np.float32), np.zeros(6, np.float32),
                            np.ones(16, np.float32), np.zeros(16, np.float32))
        params += [g1, be1, g2, be2]
        run1 = [np.zeros(6, np.float32), np.ones(6, np.float32)]
        run2 = [np.zeros(16, np.float32), np.ones(16, np.float32)]
    bufs = [None] * len(params)
    lr, mom = np.float32(0.01), np.float32(0.9)
    w1m, w2m = W1.reshape(6, -1), W2.reshape(16, -1)          # views: updated in place

    def loop():
        for i in range(steps):
            xb, yb = x_train[i * bs:(i + 1) * bs], y_train[i * bs:(i + 1) * bs]
            n = len(yb)
            # forward
            cols1 = _im2col(_batch_last_images(xb, 2), 5)            # (25, 28*28*N)
            y1 = w1m @ cols1
            y1 += b1[:, None]
            if batch_norm:
                y1, s1 = _bn_fwd(y1, g1, be1, run1)
            a1 = np.maximum(y1, 0).reshape(6, 28, 28, n)
            p1, loc1 = _pool_fwd(a1)                                  # (6, 14, 14, N)
            cols2 = _im2col(p1, 5)                                    # (150, 10*10*N)
            y2 = w2m @ cols2
            y2 += b2[:, None]
            if batch_norm:
                y2, s2 = _bn_fwd(y2, g2, be2, run2)
            a2 = np.maximum(y2, 0).reshape(16, 10, 10, n)
            p2, loc2 = _pool_fwd(a2)                                  # (16, 5, 5, N)
            f = p2.reshape(400, n)
            h3 = W3 @ f + b3[:, None]
            a3 = np.maximum(h3, 0)
            h4 = W4 @ a3 + b4[:, None]
            a4 = np.maximum(h4, 0)
            z = W5 @ a4 + b5[:, None]
            loss, gz = _softmax_xent(z, yb)
            # backward
            gW5, gb5 = gz @ a4.T, gz.sum(1)
            ga4 = W5.T @ gz
            ga4 *= h4 > 0
            gW4, gb4 = ga4 @ a3.T, ga4.sum(1)
            ga3 = W4.T @ ga4
            ga3 *= h3 > 0
            gW3, gb3 = ga3 @ f.T, ga3.sum(1)
            gf = W3.T @ ga3
            gy2 = _pool_bwd(gf.reshape(16, 5, 5, n), loc2, a2.shape).reshape(16, -1)
            gy2 *= y2 > 0
            if batch_norm:
                gy2, gg2, gbe2 = _bn_bwd(gy2, g2, s2)
            gW2, gb2 = (gy2 @ cols2.T).reshape(W2.shape), gy2.sum(1)
            gp1 = _col2im(w2m.T @ gy2, p1.shape, 5)
            gy1 = _pool_bwd(gp1, loc1, a1.shape).reshape(6, -1)
            gy1 *= y1 > 0
            if batch_norm:
                gy1, gg1, gbe1 = _bn_bwd(gy1, g1, s1)
            gW1, gb1 = (gy1 @ cols1.T).reshape(W1.shape), gy1.sum(1)
            grads = [gW1, gb1, gW2, gb2, gW3, gb3, gW4, gb4, gW5, gb5]
            if batch_norm:
                grads += [gg1, gbe1, gg2, gbe2]
            _sgd_momentum(params, grads, bufs, lr, mom)
        return float(loss)
    return loop


def lenet_bn(steps: int = 100):
    """``lenet`` with BatchNorm2d after each convolution."""
    return lenet(steps, batch_norm=True)


def mnist_net(steps: int = 30):
    """PyTorch's MNIST example net (conv 1->32 3x3, ReLU, conv 32->64 3x3, ReLU, max-pool 2,
    dropout 0.25, 9216-128, ReLU, dropout 0.5, 128-10, log_softmax + nll), SGD lr 0.01
    momentum 0.9, batch 64, by hand."""
    rng = np.random.default_rng(0)
    bs = 64
    x_train, y_train = _data.mnist_like(steps * bs)
    W1, b1 = _conv_init(rng, 32, 1, 3)
    W2, b2 = _conv_init(rng, 64, 32, 3)
    W3, b3 = _linear_init(rng, 128, 9216)
    W4, b4 = _linear_init(rng, 10, 128)
    params = [W1, b1, W2, b2, W3, b3, W4, b4]
    bufs = [None] * len(params)
    lr, mom = np.float32(0.01), np.float32(0.9)
    w1m, w2m = W1.reshape(32, -1), W2.reshape(64, -1)
    keep1, keep2 = np.float32(1 / 0.75), np.float32(1 / 0.5)

    def loop():
        for i in range(steps):
            xb, yb = x_train[i * bs:(i + 1) * bs], y_train[i * bs:(i + 1) * bs]
            n = len(yb)
            cols1 = _im2col(_batch_last_images(xb, 0), 3)            # (9, 26*26*N)
            y1 = w1m @ cols1
            y1 += b1[:, None]
            a1 = np.maximum(y1, 0).reshape(32, 26, 26, n)
            cols2 = _im2col(a1, 3)                                    # (288, 24*24*N)
            y2 = w2m @ cols2
            y2 += b2[:, None]
            a2 = np.maximum(y2, 0).reshape(64, 24, 24, n)
            p2, loc2 = _pool_fwd(a2)                                  # (64, 12, 12, N)
            m1 = (rng.random(p2.shape, np.float32) >= 0.25) * keep1   # dropout 0.25
            f = (p2 * m1).reshape(9216, n)
            h3 = W3 @ f + b3[:, None]
            a3 = np.maximum(h3, 0)
            m2 = (rng.random(a3.shape, np.float32) >= 0.5) * keep2    # dropout 0.5
            d3 = a3 * m2
            z = W4 @ d3 + b4[:, None]
            loss, gz = _softmax_xent(z, yb)
            gW4, gb4 = gz @ d3.T, gz.sum(1)
            ga3 = (W4.T @ gz) * m2
            ga3 *= h3 > 0
            gW3, gb3 = ga3 @ f.T, ga3.sum(1)
            gp2 = (W3.T @ ga3).reshape(p2.shape) * m1
            gy2 = _pool_bwd(gp2, loc2, a2.shape).reshape(64, -1)
            gy2 *= y2 > 0
            gW2, gb2 = (gy2 @ cols2.T).reshape(W2.shape), gy2.sum(1)
            gy1 = _col2im(w2m.T @ gy2, a1.shape, 3).reshape(32, -1)
            gy1 *= y1 > 0
            gW1, gb1 = (gy1 @ cols1.T).reshape(W1.shape), gy1.sum(1)
            _sgd_momentum(params, [gW1, gb1, gW2, gb2, gW3, gb3, gW4, gb4], bufs, lr, mom)
        return float(loss)
    return loop


REFERENCES = {"xor": xor, "mnist_scratch": mnist_scratch, "mlp": mlp, "lenet": lenet,
              "lenet_bn": lenet_bn, "mnist_net": mnist_net}
