"""XOR with a 2-2-1 network: sigmoid hidden layer, linear output, MSE loss, plain SGD.

The four corners of the unit square are the whole training set. After training,
the network's output over the square is drawn as a 3-D surface with the four
targets as red dots: the surface passes through them.
"""
from __future__ import annotations

import os

import numpy as np

import numtorch as torch
from numtorch import nn


class XorNet(nn.Module):
    """2 inputs -> 2 sigmoid units -> 1 linear output."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(2, 2)
        self.out = nn.Linear(2, 1)

    def forward(self, x):
        return self.out(torch.sigmoid(self.hidden(x)))


def run(ctx):
    torch.manual_seed(123)
    x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    t = torch.tensor([[0.], [1.], [1.], [0.]])

    net = XorNet()
    loss_fn = nn.MSELoss(reduction="sum")
    opt = torch.optim.SGD(net.parameters(), lr=0.1)

    epochs = ctx.epochs(2000, quick=20)
    losses = []
    bar = ctx.progress(range(epochs))
    for epoch in bar:
        opt.zero_grad()
        loss = loss_fn(net(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if epoch % 500 == 0 or epoch == epochs - 1:
            ctx.print(f"epoch {epoch:5d}  loss {losses[-1]:.6g}")
            bar.set_postfix(loss=losses[-1], refresh=False)

    net.eval()
    with torch.no_grad():
        y = net(x)
    for xi, yi in zip(x.tolist(), y.squeeze(1).tolist()):
        ctx.print(f"  x = {xi} -> y = {yi:.4f}")
    correct = ((y > 0.5) == (t > 0.5)).sum().item()

    if ctx.plots.enabled:
        ctx.plots.loss_curve(losses, "XOR 2-2-1, MSE (sum)", log=True)
        _surface(ctx, net)
    res = ctx.finish(losses[-1], accuracy=correct / 4)
    if ctx.plots_wanted:        # the backward graph of the loss (SVG, drawn in pure Python)
        os.makedirs(ctx.out_dir, exist_ok=True)
        graph = torch.viz.draw_graph(loss_fn(net(x), t), dict(net.named_parameters()),
                                     os.path.join(ctx.out_dir, "xor_mse_graph.svg"), label="loss")
        ctx.print(f"[{ctx.name}] saved {graph}")
    return res


def _surface(ctx, net):
    """The output over [0, 1]^2 as a 3-D surface, with the four targets."""
    n = 25
    grid = np.linspace(0.0, 1.0, n)
    xa, xb = np.meshgrid(grid, grid)
    points = torch.from_numpy(np.stack([xa.ravel(), xb.ravel()], 1).astype(np.float32))
    with torch.no_grad():
        z = net(points).numpy().reshape(n, n)

    fig = ctx.plots.figure((5.6, 4.6))
    ax = fig.add_subplot(111, projection="3d")
    ax.plot_surface(xa, xb, z, cmap="viridis", alpha=0.6, linewidth=0)
    ax.contour(xa, xb, z, levels=np.linspace(0, 1, 11), offset=min(0.0, z.min()),
               cmap="viridis", linewidths=0.8)
    for (a, b), target in (((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)):
        ax.scatter([a], [b], [target], color="red", s=40, depthshade=False)
        ax.text(a, b, target + 0.08, f"({a},{b})->{target}", fontsize=8)
    ax.set_xlabel("xa")
    ax.set_ylabel("xb")
    ax.set_zlabel("y")
    ax.set_title("XOR net output and the four targets")
    ax.view_init(elev=25, azim=-135)
    ctx.plots.save(fig, "surface")
