"""The benchmark workloads, each written once against the PyTorch API.

Every workload is ``NAME(torch, data, **size)`` where ``torch`` is the framework module
(``torch`` or ``numtorch``): it builds the data, model and optimizer (not timed) and returns
``loop``, a function that runs the training loop (timed) and returns the final loss as a float.
The same source therefore runs on PyTorch and on numtorch; only the module object differs.

``SIZES[name]`` gives the full size and the ``--quick`` size of each workload; ``SMOKE`` a
one-iteration size for the smoke test.
"""
from __future__ import annotations

import math

import numpy as np

import _data


def xor(torch, epochs: int = 2001):
    """Seed 000: 2-2-1 sigmoid net, MSELoss(sum), SGD lr 0.1, DataLoader(bs 4, shuffle)."""
    nn = torch.nn
    from_data = torch.utils.data
    torch.manual_seed(123)
    x = torch.tensor([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=torch.float32)
    t = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    train_loader = from_data.DataLoader(from_data.TensorDataset(x, t), 4, shuffle=True)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 2)
            self.fc2 = nn.Linear(2, 1)

        def forward(self, x):
            x = self.fc1(x)
            x = torch.sigmoid(x)
            x = self.fc2(x)
            return x

    net = Net()
    criterion = nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

    def loop():
        for epoch in range(epochs):
            for batch in train_loader:
                x, t = batch
                optimizer.zero_grad()
                y = net(x)
                loss = criterion(y, t)
                loss.backward()
                optimizer.step()
        return loss.item()
    return loop


def iris_mlp(torch, epochs: int = 500):
    """Seed 001 (classification): 4-3-3 sigmoid MLP, MSELoss, SGD lr 0.01, DataLoader(bs 10, shuffle)."""
    nn = torch.nn
    D = torch.utils.data
    torch.manual_seed(0)
    x_np, y_np = _data.iris_classification()
    train_loader = D.DataLoader(D.TensorDataset(torch.from_numpy(x_np).float(),
                                                torch.from_numpy(y_np).float()),
                                batch_size=10, shuffle=True)

    class MLPC(nn.Module):
        def __init__(self, n_input, n_hidden, n_output):
            super().__init__()
            self.l1 = nn.Linear(n_input, n_hidden)
            self.l2 = nn.Linear(n_hidden, n_output)

        def forward(self, x):
            return torch.sigmoid(self.l2(torch.sigmoid(self.l1(x))))

    model = MLPC(4, 3, 3)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def loop():
        for epoch in range(epochs):
            total_loss = 0
            for xb, yb in train_loader:
                optimizer.zero_grad()
                y_pred = model(xb)
                loss = criterion(y_pred, yb)
                loss.backward()
                optimizer.step()
                total_loss += loss.item()
        return total_loss
    return loop


def mnist_scratch(torch, n: int = 50_000, epochs: int = 2):
    """Seed 002: logistic regression from scratch (hand log_softmax and nll, manual SGD lr 0.5), bs 64."""
    torch.manual_seed(0)
    x_np, y_np = _data.mnist_like(n)
    x_train, y_train = torch.from_numpy(x_np), torch.from_numpy(y_np)
    weights = torch.randn(784, 10) / math.sqrt(784)
    weights.requires_grad_()
    bias = torch.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    bs, lr = 64, 0.5

    def loop():
        nonlocal weights, bias
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                start_i = i * bs
                end_i = start_i + bs
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = nll(pred, yb)
                loss.backward()
                with torch.no_grad():
                    weights -= weights.grad * lr
                    bias -= bias.grad * lr
                    weights.grad.zero_()
                    bias.grad.zero_()
        return loss.item()
    return loop


def mlp(torch, n: int = 50_000, epochs: int = 2):
    """784-256-10 ReLU MLP, CrossEntropyLoss, SGD(lr 0.01, momentum 0.9), DataLoader(bs 128, shuffle)."""
    nn = torch.nn
    D = torch.utils.data
    torch.manual_seed(0)
    x_np, y_np = _data.mnist_like(n)
    loader = D.DataLoader(D.TensorDataset(torch.from_numpy(x_np), torch.from_numpy(y_np)),
                          batch_size=128, shuffle=True)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def loop():
        for epoch in range(epochs):
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = criterion(model(xb), yb)
                loss.backward()
                optimizer.step()
        return loss.item()
    return loop


def sqrt2(torch, steps: int = 100):
    """Seed 004: x**2 = 2 by gradient descent (MSELoss, SGD lr 0.01); the seed's per-step line is
    formatted (same calls) but collected in a list instead of printed."""
    nn, optim = torch.nn, torch.optim
    x = torch.tensor([1.], requires_grad=True)
    loss_func = nn.MSELoss()
    optimizer = optim.SGD([x], lr=0.01)
    target = torch.tensor([0.])
    lines = []

    def loop():
        for iter_num in range(steps):
            optimizer.zero_grad()
            y = x ** 2 - 2
            loss = loss_func(y, target)
            loss.backward()
            lines.append("{0}: x={1:.7f}, y={2:.7f}, dL/dx={3:.7f}".format(
                iter_num, x.data.numpy()[0], y.data.numpy()[0], x.grad.data.numpy()[0]))
            optimizer.step()
        return loss.item()
    return loop


def _mnist_images(torch, n: int):
    """``n`` MNIST images as an (n, 1, 28, 28) float32 tensor and their int64 labels."""
    x_np, y_np = _data.mnist_like(n)
    return torch.from_numpy(x_np.reshape(n, 1, 28, 28)), torch.from_numpy(y_np)


def _conv_loop(torch, model, x_train, y_train, steps: int, bs: int, lr: float):
    """``steps`` SGD-momentum steps of ``model`` on consecutive batches of ``bs`` images."""
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def loop():
        model.train()
        for i in range(steps):
            xb = x_train[i * bs:(i + 1) * bs]
            yb = y_train[i * bs:(i + 1) * bs]
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        return loss.item()
    return loop


def lenet(torch, steps: int = 100, batch_norm: bool = False):
    """LeNet-5 style on 28x28: conv 1->6 5x5 pad 2, ReLU, max-pool 2, conv 6->16 5x5, ReLU,
    max-pool 2, Linear 400-120-84-10 (``batch_norm``: BatchNorm2d after each conv);
    CrossEntropyLoss, SGD(lr 0.01, momentum 0.9), batch 64, ``steps`` steps."""
    nn = torch.nn
    torch.manual_seed(0)
    bs = 64
    x_train, y_train = _mnist_images(torch, steps * bs)

    def block(c_in, c_out, padding):
        norm = [nn.BatchNorm2d(c_out)] if batch_norm else []
        return [nn.Conv2d(c_in, c_out, 5, padding=padding), *norm, nn.ReLU(), nn.MaxPool2d(2)]

    model = nn.Sequential(*block(1, 6, 2), *block(6, 16, 0), nn.Flatten(),
                          nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
                          nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    return _conv_loop(torch, model, x_train, y_train, steps, bs, lr=0.01)


def lenet_bn(torch, steps: int = 100):
    """``lenet`` with BatchNorm2d after each convolution."""
    return lenet(torch, steps, batch_norm=True)


def mnist_net(torch, steps: int = 30):
    """The net of PyTorch's official MNIST example (conv 1->32 3x3, conv 32->64 3x3, max-pool 2,
    dropout 0.25, Linear 9216-128, dropout 0.5, Linear 128-10, log_softmax + nll_loss), batch 64,
    SGD(lr 0.01, momentum 0.9), as the other convolution rows (the example itself uses Adadelta)."""
    nn = torch.nn
    F = torch.nn.functional
    torch.manual_seed(0)
    bs = 64
    x_train, y_train = _mnist_images(torch, steps * bs)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def loop():
        model.train()
        for i in range(steps):
            data = x_train[i * bs:(i + 1) * bs]
            target = y_train[i * bs:(i + 1) * bs]
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
        return loss.item()
    return loop


WORKLOADS = {"xor": xor, "iris_mlp": iris_mlp, "mnist_scratch": mnist_scratch, "mlp": mlp,
             "sqrt2": sqrt2, "lenet": lenet, "lenet_bn": lenet_bn, "mnist_net": mnist_net}

# name -> (full size, --quick size)
SIZES = {
    "xor": ({"epochs": 2001}, {"epochs": 501}),
    "iris_mlp": ({"epochs": 500}, {"epochs": 100}),
    "mnist_scratch": ({"n": 50_000, "epochs": 2}, {"n": 12_800, "epochs": 1}),
    "mlp": ({"n": 50_000, "epochs": 2}, {"n": 12_800, "epochs": 1}),
    "sqrt2": ({"steps": 100}, {"steps": 100}),
    "lenet": ({"steps": 100}, {"steps": 30}),
    "lenet_bn": ({"steps": 100}, {"steps": 30}),
    "mnist_net": ({"steps": 30}, {"steps": 10}),
}
SMOKE = {"xor": {"epochs": 1}, "iris_mlp": {"epochs": 1}, "mnist_scratch": {"n": 64, "epochs": 1},
         "mlp": {"n": 128, "epochs": 1}, "sqrt2": {"steps": 1}, "lenet": {"steps": 1},
         "lenet_bn": {"steps": 1}, "mnist_net": {"steps": 1}}
