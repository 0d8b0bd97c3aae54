"""MNIST MLP: ``nn.Sequential`` 784-128-10 with ReLU, ``DataLoader``, ``CrossEntropyLoss``, Adam."""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._mnist import load


def run(ctx):
    torch.manual_seed(0)
    d = load(ctx)
    data_name = "MNIST" if d.is_mnist else "8x8 digits"
    train = torch.utils.data.TensorDataset(torch.from_numpy(d.x_train),
                                           torch.from_numpy(d.y_train))
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True)
    x_valid, y_valid = torch.from_numpy(d.x_valid), torch.from_numpy(d.y_valid)
    pixels = d.x_train.shape[1]

    model = nn.Sequential(nn.Linear(pixels, 128), nn.ReLU(), nn.Linear(128, 10))
    ctx.print(model)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    epochs = ctx.epochs(6, quick=1)
    losses = []
    for epoch in range(epochs):
        model.train()
        bar = ctx.progress(loader, desc=f"epoch {epoch + 1}/{epochs}")
        for xb, yb in bar:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(x_valid)
        acc = (out.argmax(1) == y_valid).float().mean().item()
        ctx.print(f"epoch {epoch + 1}: last batch loss {losses[-1]:.4f}, "
                  f"validation accuracy {100 * acc:.2f}%")

    valid_loss = loss_fn(out, y_valid).item()
    predicted = out.argmax(1).numpy()
    ctx.plots.loss_curve(losses, f"{data_name} MLP (Adam)", xlabel="step",
                         ylabel="batch cross-entropy")
    ctx.plots.digits(d.x_valid[:32], d.image_shape, predicted[:32], d.y_valid[:32],
                     f"{data_name} validation images, predicted labels "
                     f"(accuracy {100 * acc:.1f}%)")
    return ctx.finish(valid_loss, accuracy=acc, data=d.source)
