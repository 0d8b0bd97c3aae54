"""Iris MLP regression: petal width from the other three measurements, a 3-16-1 tanh net, Adam."""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._iris import iris_split, standardizer


def run(ctx):
    torch.manual_seed(0)
    x_tr, _, x_te, _ = iris_split()
    scale = standardizer(x_tr[:, :3])
    X_train, Y_train = torch.from_numpy(scale(x_tr[:, :3])), torch.from_numpy(x_tr[:, 3:])
    X_test, Y_test = torch.from_numpy(scale(x_te[:, :3])), torch.from_numpy(x_te[:, 3:])

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_train, Y_train),
                                         batch_size=15, shuffle=True)
    model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1))
    loss_fn = nn.MSELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    losses = []
    bar = ctx.progress(range(ctx.epochs(150)))
    for epoch in bar:
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(X_train))
        bar.set_postfix(loss=losses[-1], refresh=False)

    model.eval()
    with torch.no_grad():
        pred = model(X_test)
        test_mse = loss_fn(pred, Y_test).item()
        r2 = 1 - ((pred - Y_test) ** 2).sum().item() / ((Y_test - Y_test.mean()) ** 2).sum().item()
    ctx.print(f"test MSE {test_mse:.4f} cm^2, R^2 {r2:.3f}")
    ctx.plots.loss_curve(losses, "Iris MLP regression: train MSE")
    ctx.plots.yy(Y_test.numpy(), pred.numpy(), f"MLP regression (R^2 = {r2:.2f})",
                 "petal width [cm]")
    return ctx.finish(losses[-1], test_mse=test_mse, r2=r2)
