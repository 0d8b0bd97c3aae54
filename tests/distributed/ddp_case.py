"""The DDP test case, written once against the PyTorch API (``build(torch)``): used by the
rank program (numtorch, 2 ranks) and by tests/data/regen_distributed_ddp.py (PyTorch, one
process on the concatenated batch)."""
from __future__ import annotations

import os

import numpy as np

RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                      "distributed_ddp.npz")
RANKS = 2
BATCH = 6                 # per rank
STEPS = 4
D_IN, HIDDEN, D_OUT = 6, 16, 4
OPTIMIZERS = ("sgd", "adam")


def build(torch):
    """A small net whose middle layer runs twice (two graph edges into its parameters)."""
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = nn.Linear(D_IN, HIDDEN)
            self.l2 = nn.Linear(HIDDEN, HIDDEN)
            self.l3 = nn.Linear(HIDDEN, D_OUT)

        def forward(self, x):
            h = torch.tanh(self.l1(x))
            h = torch.tanh(self.l2(h))
            h = torch.tanh(self.l2(h))
            return self.l3(h)
    return Net()


def optimizer(torch, name: str, params):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.1, momentum=0.9)
    return torch.optim.Adam(params, lr=0.01)


def data():
    """Inputs, labels and initial parameters (float32), from a fixed NumPy seed."""
    rng = np.random.default_rng(2024)
    x = rng.standard_normal((STEPS, RANKS * BATCH, D_IN)).astype(np.float32)
    y = rng.integers(0, D_OUT, (STEPS, RANKS * BATCH)).astype(np.int64)
    shapes = {"l1.weight": (HIDDEN, D_IN), "l1.bias": (HIDDEN,), "l2.weight": (HIDDEN, HIDDEN),
              "l2.bias": (HIDDEN,), "l3.weight": (D_OUT, HIDDEN), "l3.bias": (D_OUT,)}
    init = {k: (0.4 * rng.standard_normal(s)).astype(np.float32) for k, s in shapes.items()}
    return x, y, init


def load_init(torch, model, init) -> None:
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in init.items()})


def train(torch, model, opt, x, y, rows=slice(None)) -> list:
    """``STEPS`` steps of mean cross-entropy on ``x[s][rows]``; the losses."""
    losses = []
    for s in range(STEPS):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x[s][rows])),
                                                 torch.from_numpy(y[s][rows]))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def regenerate() -> dict:
    """PyTorch on one process and the whole batch: final parameters per optimizer, and the
    gradient of the sum of the first two batches' losses at the initial parameters."""
    import torch
    x, y, init = data()
    out = {"x": x, "y": y}
    for k, v in init.items():
        out[f"init/{k}"] = v
    for name in OPTIMIZERS:
        model = build(torch)
        load_init(torch, model, init)
        train(torch, model, optimizer(torch, name, model.parameters()), x, y)
        for k, v in model.state_dict().items():
            out[f"{name}/{k}"] = v.numpy()
    model = build(torch)
    load_init(torch, model, init)
    for s in range(2):
        torch.nn.functional.cross_entropy(model(torch.from_numpy(x[s])),
                                          torch.from_numpy(y[s])).backward()
    for k, p in model.named_parameters():
        out[f"accumulated_grad/{k}"] = p.grad.numpy()
    return out
