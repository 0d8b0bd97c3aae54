"""Iris linear regression: predict petal width from the other three measurements.

One ``nn.Linear(3, 1)``, MSE loss, SGD on mini-batches from a ``TensorDataset``.
The y-y plot shows predicted against true petal width on the test half.
"""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._iris import iris_split, standardizer


def run(ctx):
    torch.manual_seed(0)
    x_tr, _, x_te, _ = iris_split()
    scale = standardizer(x_tr[:, :3])
    # inputs: sepal length, sepal width, petal length (standardized); target: petal width (cm)
    X_train, Y_train = torch.from_numpy(scale(x_tr[:, :3])), torch.from_numpy(x_tr[:, 3:])
    X_test, Y_test = torch.from_numpy(scale(x_te[:, :3])), torch.from_numpy(x_te[:, 3:])

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_train, Y_train),
                                         batch_size=10, shuffle=True)
    model = nn.Linear(3, 1)
    loss_fn = nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.02)

    losses = []
    bar = ctx.progress(range(ctx.epochs(100)))
    for epoch in bar:
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X_train))
        bar.set_postfix(loss=losses[-1], refresh=False)

    with torch.no_grad():
        pred = model(X_test)
        test_mse = loss_fn(pred, Y_test).item()
        r2 = 1 - ((pred - Y_test) ** 2).sum().item() / ((Y_test - Y_test.mean()) ** 2).sum().item()
    w = ", ".join(f"{v:.3f}" for v in model.weight.squeeze(0).tolist())
    ctx.print(f"petal width = [{w}] . standardized(sepal length, sepal width, petal length)"
              f" + {model.bias.item():.3f}")
    ctx.print(f"test MSE {test_mse:.4f} cm^2, R^2 {r2:.3f}")
    ctx.plots.loss_curve(losses, "Iris linear regression: train MSE")
    ctx.plots.yy(Y_test.numpy(), pred.numpy(), f"linear regression (R^2 = {r2:.2f})",
                 "petal width [cm]")
    return ctx.finish(losses[-1], test_mse=test_mse, r2=r2)
