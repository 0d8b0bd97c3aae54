"""A noisy-XOR classifier with the full training kit.

A custom ``Dataset`` of noisy XOR points, ``DataLoader`` with shuffling, a 2-4-1 tanh
network, ``BCEWithLogitsLoss`` and SGD; then the ``state_dict`` is saved with
``torch.save``, loaded into a fresh model with ``torch.load``, and both models are
evaluated on a new test set (they agree exactly).
"""
from __future__ import annotations

import os

import numpy as np

import numtorch as torch
from numtorch import nn


class NoisyXor(torch.utils.data.Dataset):
    """``size`` points near the corners of the unit square, labelled 1 when XOR is true."""

    def __init__(self, size: int, std: float = 0.1) -> None:
        super().__init__()
        corners = torch.randint(0, 2, (size, 2)).float()
        self.label = (corners.sum(dim=1) == 1).long()
        self.data = corners + std * torch.randn(size, 2)

    def __len__(self) -> int:
        return len(self.label)

    def __getitem__(self, idx):
        return self.data[idx], self.label[idx]


class Classifier(nn.Module):
    def __init__(self, num_in: int = 2, num_hidden: int = 4, num_out: int = 1) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(num_in, num_hidden), nn.Tanh(), nn.Linear(num_hidden, num_out))

    def forward(self, x):
        return self.layers(x)


def accuracy(model, loader) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in loader:
            predicted = (torch.sigmoid(model(inputs).squeeze(1)) >= 0.5).long()
            correct += (predicted == labels).sum().item()
            total += labels.shape[0]
    return correct / total


def run(ctx):
    torch.manual_seed(42)
    train_set = NoisyXor(2500)
    loader = torch.utils.data.DataLoader(train_set, batch_size=128, shuffle=True, drop_last=True)
    model = Classifier()
    ctx.print(model)
    loss_fn = nn.BCEWithLogitsLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    ctx.print(f"device: {device}, {len(train_set)} training points, {len(loader)} batches/epoch")

    epochs = ctx.epochs(30, quick=2)
    losses = []
    bar = ctx.progress(range(epochs))
    model.train()
    for epoch in bar:
        total = 0.0
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            loss = loss_fn(model(inputs).squeeze(1), labels.float())
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / len(loader))
        if epoch % 5 == 0:
            bar.set_postfix(loss=losses[-1], refresh=False)

    # Save the weights, load them into a fresh model.
    os.makedirs(ctx.out_dir, exist_ok=True)
    path = os.path.join(ctx.out_dir, "xor_classifier.pt")
    torch.save(model.state_dict(), path)
    restored = Classifier()
    ctx.print(f"saved the state_dict to {path}; load_state_dict: "
              f"{restored.load_state_dict(torch.load(path))}")

    test_loader = torch.utils.data.DataLoader(NoisyXor(500), batch_size=128)
    acc = accuracy(model, test_loader)
    acc_restored = accuracy(restored, test_loader)
    ctx.print(f"test accuracy: trained model {100 * acc:.2f}%, "
              f"restored model {100 * acc_restored:.2f}%")

    if ctx.plots.enabled:
        ctx.plots.loss_curve(losses, "noisy XOR, BCEWithLogitsLoss")
        _decision_map(ctx, restored, test_loader.dataset)
    return ctx.finish(losses[-1], accuracy=acc, restored_accuracy=acc_restored)


def _decision_map(ctx, model, dataset):
    """The restored model's P(XOR) over the plane, with the test points."""
    n = 120
    grid = np.linspace(-0.5, 1.5, n)
    ga, gb = np.meshgrid(grid, grid)
    pts = torch.from_numpy(np.stack([ga.ravel(), gb.ravel()], 1).astype(np.float32))
    with torch.no_grad():
        p = torch.sigmoid(model(pts)).numpy().reshape(n, n)
    x, y = dataset.data.numpy(), dataset.label.numpy()
    fig = ctx.plots.figure((4.8, 4.2))
    ax = fig.add_subplot(111)
    cs = ax.contourf(ga, gb, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    fig.colorbar(cs, ax=ax, label="P(class 1)")
    ax.scatter(x[y == 0, 0], x[y == 0, 1], s=6, color="C0", label="class 0")
    ax.scatter(x[y == 1, 0], x[y == 1, 1], s=6, color="C3", label="class 1")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("restored model on the test set")
    ax.legend(loc="upper right", fontsize=8)
    ctx.plots.save(fig, "decision")
