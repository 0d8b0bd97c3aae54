"""Iris logistic regression: ``nn.Linear(4, 3)`` and ``CrossEntropyLoss`` (softmax regression)."""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._iris import iris_split, standardizer


def run(ctx):
    torch.manual_seed(0)
    x_tr, y_tr, x_te, y_te = iris_split()
    scale = standardizer(x_tr)
    X_train, Y_train = torch.from_numpy(scale(x_tr)), torch.from_numpy(y_tr)
    X_test, Y_test = torch.from_numpy(scale(x_te)), torch.from_numpy(y_te)

    model = nn.Linear(4, 3)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)

    losses = []
    bar = ctx.progress(range(ctx.epochs(300, quick=5)))
    for epoch in bar:  # full batch: 75 flowers
        opt.zero_grad()
        loss = loss_fn(model(X_train), Y_train)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if epoch % 25 == 0:
            bar.set_postfix(loss=losses[-1], refresh=False)

    with torch.no_grad():
        probs = torch.softmax(model(X_test), dim=1)
    predicted = probs.argmax(dim=1)
    acc = (predicted == Y_test).float().mean().item()
    ctx.print("first test flowers (setosa, versicolor, virginica probabilities):")
    for i in (0, 25, 50):
        ctx.print(f"  species {Y_test[i].item()}: {[round(p, 3) for p in probs[i].tolist()]}")
    ctx.print(f"test accuracy {100 * acc:.2f}% ({int(round(acc * len(Y_test)))}/{len(Y_test)})")
    ctx.plots.loss_curve(losses, "Iris logistic regression: cross-entropy")
    return ctx.finish(losses[-1], accuracy=acc)
