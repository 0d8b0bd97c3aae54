"""A character-level LSTM language model, trained on text the example writes itself.

The corpus is made by a seeded generator (:func:`make_corpus`): simple sentences from a small
grammar ("the small cat sees a red ball.") and sums with the numbers spelled out
("two plus five is seven."), so nothing third-party is read and every run sees the same text.
The model reads characters and predicts the next one::

    char id -> Embedding(V, 16) -> LSTM(16, 96, batch_first=True) -> Linear(96, V) -> logits

trained with Adam on random 48-character windows, gradients clipped by
``nn.utils.clip_grad_norm_``. The summary gives the validation loss and perplexity
(``exp`` of the mean cross-entropy per character, against the unigram model's perplexity as a
yardstick), and the model then writes a line of its own, one character at a time, drawn with
``torch.multinomial`` from the softmax of the logits divided by a temperature.
"""
from __future__ import annotations

import math
import random
from typing import List, Sequence

import numpy as np

import numtorch as torch
from numtorch import nn

__all__ = ["make_corpus", "Vocab", "CharLSTM", "sample", "unigram_perplexity", "run"]

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

_DETS = ["the", "a"]
_ADJS = ["small", "big", "red", "old", "happy", "green"]
_NOUNS = ["cat", "dog", "bird", "ball", "tree", "fish", "box"]
_VERBS = ["sees", "likes", "finds", "chases", "has"]


def spell(n: int) -> str:
    """``n`` (0 to 99) in words.

    >>> spell(42)
    'forty two'
    """
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else " " + _ONES[ones])


def _noun_phrase(rng: random.Random) -> str:
    words = [rng.choice(_DETS)]
    if rng.random() < 0.5:
        words.append(rng.choice(_ADJS))
    words.append(rng.choice(_NOUNS))
    return " ".join(words)


def make_corpus(sentences: int = 1200, seed: int = 0) -> str:
    """``sentences`` generated sentences, one per line: grammar sentences and spelled-out sums.

    >>> make_corpus(2, seed=1).count("\\n")
    2
    """
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        if rng.random() < 0.6:
            lines.append(f"{_noun_phrase(rng)} {rng.choice(_VERBS)} {_noun_phrase(rng)}.")
        else:
            a, b = rng.randrange(10), rng.randrange(10)
            lines.append(f"{spell(a)} plus {spell(b)} is {spell(a + b)}.")
    return "\n".join(lines) + "\n"


class Vocab:
    """The characters of a text, each with an integer id.

    >>> v = Vocab("abca")
    >>> v.encode("cab"), v.decode([0, 1])
    ([2, 0, 1], 'ab')
    """

    def __init__(self, text: str) -> None:
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> List[int]:
        return [self.index[c] for c in text]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


class CharLSTM(nn.Module):
    """Embedding -> LSTM -> Linear: next-character logits for every position.

    >>> m = CharLSTM(20)
    >>> logits, (h, c) = m(torch.zeros(3, 7, dtype=torch.long))
    >>> logits.shape, h.shape
    (torch.Size([3, 7, 20]), torch.Size([1, 3, 96]))
    """

    def __init__(self, vocab: int, embed: int = 16, hidden: int = 96) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def sample(model: CharLSTM, vocab: Vocab, prime: str, length: int,
           temperature: float = 0.8) -> str:
    """``prime`` followed by ``length`` characters the model draws one at a time: the next
    character is ``torch.multinomial(softmax(logits / temperature), 1)``, fed back in with the
    LSTM's state (lower temperatures pick the likely characters more often)."""
    model.eval()
    with torch.no_grad():
        logits, state = model(torch.tensor([vocab.encode(prime)]))
        ids = []
        for _ in range(length):
            probs = torch.softmax(logits[0, -1] / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1)
            ids.append(int(nxt.item()))
            logits, state = model(nxt.view(1, 1), state)
    return prime + vocab.decode(ids)


def unigram_perplexity(train: np.ndarray, valid: np.ndarray, vocab: int) -> float:
    """The perplexity on ``valid`` of the model that ignores context: each character with its
    frequency in ``train`` (add-one smoothed). The LSTM should do much better."""
    counts = np.bincount(train, minlength=vocab) + 1.0
    logp = np.log(counts / counts.sum())
    return float(np.exp(-logp[valid].mean()))


def _batches(data: np.ndarray, steps: int, batch: int, length: int, seed: int):
    """``steps`` batches of random windows: inputs ``(batch, length)`` and the next characters."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        starts = rng.integers(0, len(data) - length - 1, size=batch)
        idx = starts[:, None] + np.arange(length + 1)
        win = data[idx]
        yield torch.from_numpy(win[:, :-1]), torch.from_numpy(win[:, 1:])


def evaluate(model: CharLSTM, data: np.ndarray, length: int = 200) -> float:
    """Mean cross-entropy per character over ``data`` (cut into rows of ``length``)."""
    rows = (len(data) - 1) // length
    x = torch.from_numpy(data[:rows * length].reshape(rows, length))
    y = torch.from_numpy(data[1:rows * length + 1].reshape(rows, length))
    model.eval()
    with torch.no_grad():
        logits, _ = model(x)
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                           y.reshape(-1)).item()


def run(ctx):
    torch.manual_seed(0)
    text = make_corpus(1200, seed=0)
    vocab = Vocab(text)
    data = np.array(vocab.encode(text), dtype=np.int64)
    split = int(0.9 * len(data))
    train, valid = data[:split], data[split:]
    ctx.print(f"corpus: {len(text)} characters, {text.count(chr(10))} lines, "
              f"{len(vocab)} distinct characters; e.g. {text.splitlines()[0]!r}")

    model = CharLSTM(len(vocab))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    steps = ctx.epochs(200, quick=5)
    losses = []
    bar = ctx.progress(_batches(train, steps, batch=32, length=48, seed=0), desc="steps",
                       total=steps)
    model.train()
    for step, (x, y) in enumerate(bar):
        opt.zero_grad()
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, len(vocab)), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        losses.append(loss.item())
        if step % 50 == 49 or step == steps - 1:
            ctx.print(f"step {step + 1:4d}  loss {losses[-1]:.4f}")
            bar.set_postfix(loss=losses[-1], refresh=False)

    valid_loss = evaluate(model, valid)
    perplexity = math.exp(valid_loss)
    baseline = unigram_perplexity(train, valid, len(vocab))
    ctx.print(f"validation: loss {valid_loss:.4f} per character, perplexity {perplexity:.3f} "
              f"(unigram model: {baseline:.3f})")
    # Primed with a line break, so that "the " starts a sentence; the last line is cut short.
    text = sample(model, vocab, "\nthe ", 120, temperature=0.8)[1:]
    lines = text.splitlines()[:-1] or [text]
    ctx.print("sampled at temperature 0.8:")
    for row in lines:
        ctx.print(f"  {row}")

    ctx.plots.loss_curve(losses, "char-LSTM on the generated corpus", xlabel="step",
                         ylabel="cross-entropy per character")
    return ctx.finish(valid_loss, perplexity=perplexity, unigram_perplexity=baseline,
                      sample=lines[0])
