"""Solve x**2 = 2 by gradient descent: x is the only parameter, the loss is (x**2 - 2)**2."""
from __future__ import annotations

import math

import numtorch as torch
from numtorch import nn


def run(ctx):
    x = torch.tensor([1.0], requires_grad=True)
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD([x], lr=0.01)
    zero = torch.zeros(1)

    steps = ctx.epochs(100, quick=10)
    xs, losses = [], []
    for step in ctx.progress(range(steps), desc="steps"):
        opt.zero_grad()
        loss = loss_fn(x ** 2 - 2, zero)
        loss.backward()
        if step % 10 == 0:
            ctx.print(f"step {step:3d}: x = {x.item():.7f}  loss = {loss.item():.3e}  "
                      f"dL/dx = {x.grad.item():+.7f}")
        opt.step()
        xs.append(x.item())
        losses.append(loss.item())

    ctx.print(f"x = {x.item():.7f}   (sqrt(2) = {math.sqrt(2):.7f})")
    if ctx.plots.enabled:
        fig = ctx.plots.figure()
        ax = fig.add_subplot(111)
        ax.plot(range(1, steps + 1), xs, label="x")
        ax.axhline(math.sqrt(2), color="0.5", ls="--", lw=1, label="sqrt(2)")
        ax.set_xlabel("step")
        ax.set_ylabel("x")
        ax.set_title("x**2 = 2 by gradient descent")
        ax.legend()
        ax.grid(True, alpha=0.3)
        ctx.plots.save(fig, "x")
        ctx.plots.loss_curve(losses, "(x**2 - 2)**2", xlabel="step", log=True)
    return ctx.finish(losses[-1], x=f"{x.item():.7f}", error=abs(x.item() - math.sqrt(2)))
