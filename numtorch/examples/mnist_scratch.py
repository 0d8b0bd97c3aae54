"""MNIST logistic regression from scratch: tensors and autograd only.

No ``nn``, no optimizer: a weight matrix and a bias with ``requires_grad``, a
hand-written log-softmax and negative log-likelihood, and plain SGD updates done
in place under ``torch.no_grad()``, as in "What is torch.nn really?".
"""
from __future__ import annotations

import math
import os

import numtorch as torch

from ._mnist import load


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def nll(log_probs, target):
    return -log_probs[range(target.shape[0]), target].mean()


def accuracy(out, target):
    return (torch.argmax(out, dim=1) == target).float().mean().item()


def run(ctx):
    torch.manual_seed(0)
    d = load(ctx)
    data_name = "MNIST" if d.is_mnist else "8x8 digits"
    x_train, y_train, x_valid, y_valid = map(torch.tensor, (d.x_train, d.y_train,
                                                            d.x_valid, d.y_valid))
    n, pixels = x_train.shape
    weights = torch.randn(pixels, 10) / math.sqrt(pixels)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    lr, bs = 0.5, 64
    epochs = ctx.epochs(5, quick=1)
    steps = (n + bs - 1) // bs
    losses = []
    bar = ctx.progress(range(epochs * steps), desc="steps")
    for step in bar:
        start = (step % steps) * bs
        xb, yb = x_train[start:start + bs], y_train[start:start + bs]
        loss = nll(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
        losses.append(loss.item())
        if step % steps == steps - 1:
            with torch.no_grad():
                acc = accuracy(model(x_valid), y_valid)
            ctx.print(f"epoch {step // steps + 1}: last batch loss {losses[-1]:.4f}, "
                      f"validation accuracy {100 * acc:.2f}%")
            bar.set_postfix(loss=losses[-1], acc=acc, refresh=False)

    with torch.no_grad():
        out = model(x_valid)
        valid_loss = nll(out, y_valid).item()
        acc = accuracy(out, y_valid)
        predicted = out.argmax(dim=1).numpy()
    ctx.plots.loss_curve(losses, f"{data_name} logistic regression from scratch",
                         xlabel="step", ylabel="batch NLL")
    ctx.plots.digits(d.x_valid[:32], d.image_shape, predicted[:32], d.y_valid[:32],
                     f"{data_name} validation images, predicted labels "
                     f"(accuracy {100 * acc:.1f}%)")
    res = ctx.finish(valid_loss, accuracy=acc, data=d.source)
    if ctx.plots_wanted:        # the backward graph of one batch's loss (SVG, pure Python)
        os.makedirs(ctx.out_dir, exist_ok=True)
        graph = torch.viz.draw_graph(nll(model(x_train[:bs]), y_train[:bs]),
                                     {"weights": weights, "bias": bias},
                                     os.path.join(ctx.out_dir, "mnist_scratch_graph.svg"),
                                     label="loss")
        ctx.print(f"[{ctx.name}] saved {graph}")
    return res
