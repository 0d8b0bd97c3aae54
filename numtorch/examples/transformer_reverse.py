"""A small transformer encoder that learns to reverse sequences of digits.

Each input is a sequence of 8 random digits; the target is the same digits in reverse order.
An encoder-only model labels every position with a digit::

    digits -> Embedding(10, 32) + learned position embedding
           -> TransformerEncoder(2 x TransformerEncoderLayer(d_model=32, nhead=4,
                                                             dim_feedforward=64))
           -> Linear(32, 10): a digit for each position

trained with Adam and ``CrossEntropyLoss`` on fresh random batches. To reverse, output
position ``i`` must read input position ``L - 1 - i``: self-attention learns to look there,
and the attention map (the first layer's ``nn.MultiheadAttention`` called with
``need_weights=True`` on one sample) shows it as the anti-diagonal. Sequence accuracy counts
a sequence as right only when all of its digits are.
"""
from __future__ import annotations

import numpy as np

import numtorch as torch
from numtorch import nn

__all__ = ["ReverseTransformer", "make_batch", "attention_map", "sequence_accuracy", "run"]

LENGTH = 8
DIGITS = 10


class ReverseTransformer(nn.Module):
    """Token and position embeddings, a transformer encoder, a per-position classifier.

    >>> m = ReverseTransformer()
    >>> m(torch.zeros(3, 8, dtype=torch.long)).shape
    torch.Size([3, 8, 10])
    """

    def __init__(self, length: int = LENGTH, digits: int = DIGITS, d_model: int = 32,
                 nhead: int = 4, layers: int = 2, dim_feedforward: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(digits, d_model)
        self.pos = nn.Parameter(torch.randn(length, d_model) * 0.5)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, digits)

    def inputs(self, x):
        """What the first encoder layer reads: token plus position embeddings."""
        return self.embed(x) + self.pos

    def forward(self, x):
        return self.head(self.encoder(self.inputs(x)))


def make_batch(rng: np.random.Generator, batch: int, length: int = LENGTH):
    """``batch`` random digit sequences and their reversals, as int64 tensors.

    >>> x, y = make_batch(np.random.default_rng(0), 2)
    >>> bool((x.flip(1) == y).all())
    True
    """
    x = rng.integers(0, DIGITS, size=(batch, length))
    return torch.from_numpy(x), torch.from_numpy(np.ascontiguousarray(x[:, ::-1]))


def sequence_accuracy(logits, target) -> float:
    """The fraction of sequences whose every position is predicted right."""
    return (logits.argmax(-1) == target).all(dim=1).float().mean().item()


def attention_map(model: ReverseTransformer, x) -> np.ndarray:
    """The first layer's attention weights for one sequence ``x`` of shape ``(L,)``, one
    ``(L, L)`` map per head (rows: output positions, columns: the positions they read)."""
    model.eval()
    with torch.no_grad():
        h = model.inputs(x.unsqueeze(0))
        attn = model.encoder.layers[0].self_attn
        _, weights = attn(h, h, h, need_weights=True, average_attn_weights=False)
    return weights[0].numpy()


def run(ctx):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = ReverseTransformer()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()

    steps = ctx.epochs(150, quick=5)
    losses = []
    bar = ctx.progress(range(steps), desc="steps")
    model.train()
    for step in bar:
        x, y = make_batch(rng, 64)
        opt.zero_grad()
        logits = model(x)
        loss = loss_fn(logits.reshape(-1, DIGITS), y.reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 50 == 49 or step == steps - 1:
            acc = sequence_accuracy(logits, y)
            ctx.print(f"step {step + 1:4d}  loss {losses[-1]:.4f}  batch sequence accuracy "
                      f"{100 * acc:.1f}%")
            bar.set_postfix(loss=losses[-1], acc=acc, refresh=False)

    model.eval()
    x_test, y_test = make_batch(np.random.default_rng(1), 1000)
    with torch.no_grad():
        logits = model(x_test)
        test_loss = loss_fn(logits.reshape(-1, DIGITS), y_test.reshape(-1)).item()
    acc = sequence_accuracy(logits, y_test)
    digit_acc = (logits.argmax(-1) == y_test).float().mean().item()
    pred = logits.argmax(-1)
    for i in range(3):
        ctx.print(f"  {''.join(map(str, x_test[i].tolist()))} -> "
                  f"{''.join(map(str, pred[i].tolist()))}")

    if ctx.plots.enabled:
        ctx.plots.loss_curve(losses, "transformer reversing 8 digits", xlabel="step",
                             ylabel="cross-entropy per digit", log=True)
        _attention_plot(ctx, x_test[0], attention_map(model, x_test[0]))
    return ctx.finish(test_loss, accuracy=acc, digit_accuracy=digit_acc)


def _attention_plot(ctx, x, weights):
    """One heat map per head: which input positions each output position attends to."""
    heads, n, _ = weights.shape
    labels = [str(d) for d in x.tolist()]
    fig = ctx.plots.figure((2.3 * heads + 0.4, 3.2))
    for k in range(heads):
        ax = fig.add_subplot(1, heads, k + 1)
        ax.imshow(weights[k], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_title(f"head {k}", fontsize=9)
        ax.set_xticks(range(n))
        ax.set_xticklabels(labels, fontsize=7)
        ax.set_yticks(range(n))
        ax.set_yticklabels(range(n), fontsize=7)
        ax.set_xlabel("key (input digit)", fontsize=8)
        if k == 0:
            ax.set_ylabel("query position", fontsize=8)
    fig.suptitle("layer 1 self-attention on one test sequence (weights: 0 dark, 1 yellow)",
                 fontsize=10)
    ctx.plots.save(fig, "attention")
