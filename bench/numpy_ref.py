"""Hand-written NumPy references (forward and backward derived by hand, no framework).

Same interface as ``workloads.py`` minus the framework argument: ``NAME(**size)`` builds and
returns ``loop``. They do the same work per step as the framework version, data loading
included (a fresh permutation per epoch and a fancy-indexed batch where the framework uses a
shuffling DataLoader), so the ratio numtorch/NumPy is the cost of the framework layer.
"""
from __future__ import annotations

import math

import numpy as np

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


REFERENCES = {"xor": xor, "mnist_scratch": mnist_scratch, "mlp": mlp}
