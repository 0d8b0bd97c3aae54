"""MNIST CNN: a LeNet-style convolutional network with batch normalisation.

Two convolution blocks (``Conv2d`` -> ``BatchNorm2d`` -> ``ReLU`` -> ``MaxPool2d``) extract
features; three ``Linear`` layers classify them::

    1x28x28 -conv 5x5 pad 2-> 6x28x28 -pool-> 6x14x14 -conv 5x5-> 16x10x10 -pool-> 16x5x5
            -> 400 -> 120 -> 84 -> 10

trained with ``DataLoader``, ``CrossEntropyLoss`` and Adam, the learning rate decaying by
``StepLR`` after every epoch. ``model.train()`` and ``model.eval()`` switch batch norm between
the batch's statistics and its running estimates (so the few steps of ``--quick`` leave the
running estimates, and the validation accuracy, far from trained).
The plots show what the first layer learned: its six 5x5 filters, and the feature maps of
both blocks for one validation digit. On the embedded 8x8 digits (when MNIST is absent) the
second convolution pads its input so that the shapes still fit.
"""
from __future__ import annotations

import numtorch as torch
from numtorch import nn

from ._mnist import load

EPOCHS = 6


class LeNet(nn.Module):
    """LeNet-5 style: two conv / batch-norm / ReLU / max-pool blocks, then a 3-layer MLP.

    >>> LeNet(28)(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(self, side: int = 28, classes: int = 10) -> None:
        super().__init__()
        pad2 = 0 if side >= 16 else 2              # 8x8 digits: keep the 4x4 maps 4x4
        out = (side // 2 + 2 * pad2 - 4) // 2      # the side of the second block's maps
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5, padding=pad2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * out * out, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def predict(model, x, chunk: int = 500):
    """The logits of ``x`` in eval mode, ``chunk`` images at a time (bounded memory)."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(xb) for xb in x.split(chunk)])


def feature_maps(model, image):
    """The ReLU outputs of both blocks for one image ``(1, H, W)``, as NumPy arrays."""
    model.eval()
    maps = []
    with torch.no_grad():
        x = image.unsqueeze(0)
        for layer in model.features:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                maps.append(x[0].numpy())
    return maps


def _dims(maps) -> str:
    return "x".join(str(n) for n in maps.shape)


def run(ctx):
    torch.manual_seed(0)
    d = load(ctx)
    data_name = "MNIST" if d.is_mnist else "8x8 digits"
    side = d.image_shape[0]
    x_train = torch.from_numpy(d.x_train).reshape(-1, 1, side, side)
    x_valid = torch.from_numpy(d.x_valid).reshape(-1, 1, side, side)
    y_train, y_valid = torch.from_numpy(d.y_train), torch.from_numpy(d.y_valid)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_train, y_train),
                                         batch_size=64, shuffle=True)

    model = LeNet(side)
    ctx.print(model)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)

    epochs = ctx.epochs(EPOCHS, quick=1)
    losses = []
    for epoch in range(epochs):
        model.train()                      # batch norm: this batch's mean and variance
        bar = ctx.progress(loader, desc=f"epoch {epoch + 1}/{epochs}")
        for xb, yb in bar:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        scheduler.step()
        out = predict(model, x_valid)      # eval mode: the running estimates
        acc = (out.argmax(1) == y_valid).float().mean().item()
        ctx.print(f"epoch {epoch + 1}: last batch loss {losses[-1]:.4f}, "
                  f"validation accuracy {100 * acc:.2f}%")

    valid_loss = loss_fn(out, y_valid).item()
    predicted = out.argmax(1).numpy()
    ctx.plots.loss_curve(losses, f"{data_name} LeNet-style CNN with BatchNorm (Adam)",
                         xlabel="step", ylabel="batch cross-entropy")
    filters = model.features[0].weight.detach().numpy()[:, 0]          # (6, 5, 5)
    ctx.plots.image_grid([list(filters)], "conv1: the six learned 5x5 filters "
                         "(red +, blue -)", name="filters", cmap="RdBu_r", symmetric=True,
                         captions=[[f"filter {i}" for i in range(len(filters))]], size=1.2)
    maps1, maps2 = feature_maps(model, x_valid[0])
    ctx.plots.image_grid([[x_valid[0, 0].numpy()], list(maps1), list(maps2[:8]), list(maps2[8:])],
                         f"feature maps of a validation digit (label {int(d.y_valid[0])})",
                         name="features", cmap="viridis",
                         row_labels=["input", f"block 1\n{_dims(maps1)}",
                                     f"block 2\n{_dims(maps2)}", "block 2"])
    ctx.plots.digits(d.x_valid[:32], d.image_shape, predicted[:32], d.y_valid[:32],
                     f"{data_name} validation images, predicted labels "
                     f"(accuracy {100 * acc:.1f}%)")
    return ctx.finish(valid_loss, accuracy=acc, data=d.source)

