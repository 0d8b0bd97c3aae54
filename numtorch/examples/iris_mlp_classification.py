"""Iris MLP classifier: 4-16-3 with ReLU, ``CrossEntropyLoss``, Adam on mini-batches."""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._iris import iris_split, standardizer


class MLP(nn.Module):
    def __init__(self, n_in: int = 4, n_hidden: int = 16, n_out: int = 3) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def run(ctx):
    torch.manual_seed(0)
    x_tr, y_tr, x_te, y_te = iris_split()
    scale = standardizer(x_tr)
    X_train, Y_train = torch.from_numpy(scale(x_tr)), torch.from_numpy(y_tr)
    X_test, Y_test = torch.from_numpy(scale(x_te)), torch.from_numpy(y_te)

    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_train, Y_train),
                                         batch_size=16, shuffle=True)
    model = MLP()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)

    losses, test_acc = [], []
    bar = ctx.progress(range(ctx.epochs(100)))
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
        model.eval()
        with torch.no_grad():
            test_acc.append((model(X_test).argmax(1) == Y_test).float().mean().item())
        bar.set_postfix(loss=losses[-1], acc=test_acc[-1], refresh=False)

    ctx.print(f"test accuracy {100 * test_acc[-1]:.2f}%")
    if ctx.plots.enabled:
        fig = ctx.plots.figure((5.0, 3.6))
        ax = fig.add_subplot(111)
        ax.plot(range(1, len(losses) + 1), losses, color="C0", label="train loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cross-entropy")
        ax2 = ax.twinx()
        ax2.plot(range(1, len(losses) + 1), test_acc, color="C1", label="test accuracy")
        ax2.set_ylabel("test accuracy")
        ax2.set_ylim(0, 1.02)
        ax.set_title("Iris MLP classifier")
        fig.legend(loc="center right", bbox_to_anchor=(0.85, 0.5))
        ax.grid(True, alpha=0.3)
        ctx.plots.save(fig, "loss")
    return ctx.finish(losses[-1], accuracy=test_acc[-1])
