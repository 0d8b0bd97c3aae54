"""Iris autoencoder: 4 -> 16 -> 2 -> 16 -> 4 with tanh; the 2-D codes separate the species.

The labels are never used for training, only to colour the latent scatter.
"""
from __future__ import annotations

import numpy as np

import numtorch as torch
from numtorch import nn
from numtorch.datasets import load_iris

from ._plot import SPECIES


class AutoEncoder(nn.Module):
    def __init__(self, n_in: int = 4, n_hidden: int = 16, n_code: int = 2) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n_in, n_hidden), nn.Tanh(),
                                     nn.Linear(n_hidden, n_code))
        self.decoder = nn.Sequential(nn.Linear(n_code, n_hidden), nn.Tanh(),
                                     nn.Linear(n_hidden, n_in))

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def encode(self, x):
        return self.encoder(x)


def run(ctx):
    torch.manual_seed(1)
    iris = load_iris()
    x = iris.data.astype(np.float32)
    X = torch.from_numpy((x - x.mean(0)) / x.std(0))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X), batch_size=16,
                                         shuffle=True)
    model = AutoEncoder()
    loss_fn = nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    losses = []
    bar = ctx.progress(range(ctx.epochs(200)))
    for epoch in bar:
        total = 0.0
        for (xb,) in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X))
        bar.set_postfix(loss=losses[-1], refresh=False)

    with torch.no_grad():
        z = model.encode(X).numpy()
    centres = np.stack([z[iris.target == k].mean(0) for k in range(3)])
    for k, name in enumerate(SPECIES):
        ctx.print(f"  {name:<10} mean code ({centres[k][0]:+.3f}, {centres[k][1]:+.3f})")
    ctx.plots.loss_curve(losses, "Iris autoencoder: reconstruction MSE")
    ctx.plots.scatter_classes(z, iris.target, "Iris autoencoder: 2-D codes by species")
    return ctx.finish(losses[-1])
