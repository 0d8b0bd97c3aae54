"""MNIST (or the embedded 8x8 digits when MNIST is absent) for the examples."""
from __future__ import annotations

from numtorch.datasets import mnist_or_digits

MAX_TRAIN = 10000  # the examples stay quick even with the full 60,000-image MNIST


def load(ctx):
    """The data (see :func:`numtorch.datasets.mnist_or_digits`), announced on stdout."""
    d = mnist_or_digits()
    ctx.print(d.message)
    if len(d.x_train) > MAX_TRAIN:
        ctx.print(f"(training on the first {MAX_TRAIN} images to stay quick)")
        d.x_train, d.y_train = d.x_train[:MAX_TRAIN], d.y_train[:MAX_TRAIN]
    if ctx.quick:
        d.x_train, d.y_train = d.x_train[:512], d.y_train[:512]
    return d
