"""The bundled examples: a short (quick) run of each, full runs of the fast ones, fallbacks."""
from __future__ import annotations

import importlib
import math
import os
import sys

import pytest

from numtorch.examples import EXAMPLES, Result, load, run_example
from numtorch.examples._plot import have_matplotlib
from numtorch.examples._progress import PlainBar, progress

PNG = b"\x89PNG\r\n\x1a\n"

# The plots each example saves (``<name>_<plot>.png``, name with underscores).
PLOTS = {
    "xor-mse": {"loss", "surface"},
    "xor-classifier": {"loss", "decision"},
    "iris-linear": {"loss", "yy"},
    "iris-logistic": {"loss"},
    "iris-mlp-regression": {"loss", "yy"},
    "iris-mlp-classification": {"loss"},
    "iris-autoencoder": {"loss", "latent"},
    "mnist-scratch": {"loss", "digits"},
    "mnist-mlp": {"loss", "digits"},
    "mnist-cnn": {"loss", "filters", "features", "digits"},
    "mnist-ddp": {"loss"},
    "char-lstm": {"loss"},
    "transformer-reverse": {"loss", "attention"},
    "sqrt2": {"x", "loss"},
}



def test_registry_is_complete():
    assert set(EXAMPLES) == set(PLOTS)
    for name in EXAMPLES:
        assert callable(load(name).run)
    with pytest.raises(KeyError, match="no example named 'nope'"):
        load("nope")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_quick_run(name, tmp_path, capsys):
    res = run_example(name, out_dir=str(tmp_path), quick=True, show_progress=False)
    out = capsys.readouterr().out
    assert isinstance(res, Result) and res.name == name
    assert math.isfinite(res.final_loss) and res.seconds > 0
    assert f"[{name}] final loss" in out
    if res.accuracy is not None:
        assert 0.0 <= res.accuracy <= 1.0
    if have_matplotlib():
        prefix = name.replace("-", "_")
        assert {os.path.basename(p) for p in res.plots} == {f"{prefix}_{p}.png"
                                                            for p in PLOTS[name]}
        for p in res.plots:
            with open(p, "rb") as f:
                assert f.read(8) == PNG
            assert f"saved {p}" in out
    else:
        assert res.plots == [] and res.plots_skipped
        assert "plots skipped" in out


def test_sqrt2_converges(tmp_path):
    # Gradient descent on (x**2 - 2)**2 from x = 1 converges to sqrt(2).
    res = run_example("sqrt2", out_dir=str(tmp_path), show_progress=False, plots=False,
                      verbose=False)
    assert abs(res.metrics["error"]) < 1e-5
    assert abs(float(res.metrics["x"]) - math.sqrt(2)) < 1e-5
    assert res.final_loss < 1e-9


def test_xor_mse_fits_the_four_targets(tmp_path, capsys):
    res = run_example("xor-mse", out_dir=str(tmp_path), show_progress=False, plots=False)
    assert res.accuracy == 1.0
    assert res.final_loss < 1e-3  # summed squared error of the four outputs
    out = capsys.readouterr().out
    assert "x = [0.0, 1.0] -> y = 1.00" in out and "x = [1.0, 1.0] -> y = 0.00" in out


def test_xor_classifier_restores_its_state_dict(tmp_path):
    res = run_example("xor-classifier", out_dir=str(tmp_path), quick=True,
                      show_progress=False, plots=False, verbose=False)
    assert res.metrics["restored_accuracy"] == res.accuracy
    assert (tmp_path / "xor_classifier.pt").is_file()


def test_mnist_falls_back_to_digits(tmp_path, monkeypatch, capsys):
    mnist = importlib.import_module("numtorch.datasets.mnist")
    monkeypatch.setattr(mnist, "_candidate_raw_folders", lambda root: [])
    res = run_example("mnist-mlp", out_dir=str(tmp_path), quick=True, show_progress=False,
                      plots=False)
    assert res.metrics["data"] == "digits"
    assert "embedded 8x8 digits" in capsys.readouterr().out


def test_mnist_cnn_runs_on_the_8x8_digits(tmp_path, monkeypatch, capsys):
    # Without MNIST the CNN trains on the 8x8 digits: its second convolution pads so that the
    # shapes fit (8 -> 4 -> 2 pixels a side, 16*2*2 features), and it learns them (a full run:
    # 1,500 small images train in about a second).
    mnist = importlib.import_module("numtorch.datasets.mnist")
    monkeypatch.setattr(mnist, "_candidate_raw_folders", lambda root: [])
    res = run_example("mnist-cnn", out_dir=str(tmp_path), show_progress=False, plots=False)
    assert res.metrics["data"] == "digits"
    out = capsys.readouterr().out
    assert "embedded 8x8 digits" in out
    assert "Linear(in_features=64, out_features=120, bias=True)" in out
    assert res.accuracy > 0.9


def test_mnist_cnn_layers():
    from numtorch.examples.mnist_cnn import LeNet, feature_maps
    import numtorch as torch
    torch.manual_seed(0)
    net = LeNet(28)
    assert [type(m).__name__ for m in net.features] == ["Conv2d", "BatchNorm2d", "ReLU",
                                                        "MaxPool2d"] * 2
    assert net.classifier[1].in_features == 400
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    maps = feature_maps(net, torch.rand(1, 28, 28))
    assert [m.shape for m in maps] == [(6, 28, 28), (16, 10, 10)]
    assert all((m >= 0).all() for m in maps)          # ReLU outputs
    assert not net.training                            # feature maps are drawn in eval mode


def test_mnist_cnn_reaches_95_percent_on_mnist(tmp_path):
    # The bar: at least 95% on the 1,000 real validation images, in the full run.
    from numtorch.datasets import mnist_or_digits
    if not mnist_or_digits().is_mnist:
        pytest.skip("real MNIST files not found")
    res = run_example("mnist-cnn", out_dir=str(tmp_path), show_progress=False, plots=False,
                      verbose=False)
    assert res.metrics["data"] == "mnist"
    assert res.accuracy >= 0.95


def test_without_matplotlib_plots_are_skipped(tmp_path, monkeypatch, capsys):
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert not have_matplotlib()
    res = run_example("sqrt2", out_dir=str(tmp_path), quick=True, show_progress=False)
    assert res.plots == [] and res.plots_skipped
    assert "plots skipped: matplotlib is not installed" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.png"))


def test_progress_falls_back_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    bar = progress(range(5), desc="work")
    assert isinstance(bar, PlainBar)
    seen = []
    for i in bar:
        seen.append(i)
        bar.set_postfix(loss=0.5, refresh=False)
    assert seen == [0, 1, 2, 3, 4]
    err = capsys.readouterr().err
    assert "work: 100%|" in err and "5/5" in err and "loss=0.5" in err


def test_progress_can_be_silent(capsys):
    bar = progress(range(3), desc="quiet", enabled=False)
    bar.set_postfix(loss=1.0)
    assert list(bar) == [0, 1, 2]
    assert capsys.readouterr().err == ""


def test_char_lstm_corpus_is_generated_and_correct():
    from numtorch.examples.char_lstm import Vocab, make_corpus, spell
    assert [spell(n) for n in (0, 13, 20, 42, 99)] == ["zero", "thirteen", "twenty",
                                                        "forty two", "ninety nine"]
    text = make_corpus(300, seed=3)
    assert text == make_corpus(300, seed=3) and text != make_corpus(300, seed=4)
    lines = text.splitlines()
    assert len(lines) == 300 and all(line.endswith(".") for line in lines)
    words = {spell(n): n for n in range(19)}
    sums = [line[:-1] for line in lines if " plus " in line]
    assert len(sums) > 50
    for line in sums:                       # every spelled-out sum is right
        a, rest = line.split(" plus ")
        b, c = rest.split(" is ")
        assert words[a] + words[b] == words[c]
    vocab = Vocab(text)
    assert vocab.decode(vocab.encode(text)) == text and len(vocab) == len(set(text))


def test_char_lstm_unigram_perplexity_and_greedy_sampling():
    import numpy as np
    import numtorch as torch
    from numtorch.examples.char_lstm import CharLSTM, Vocab, sample, unigram_perplexity
    # Equal counts: every character has probability 1/4, so the perplexity is 4.
    train = np.tile(np.arange(4), 10)
    valid = np.random.default_rng(0).integers(0, 4, size=50)
    assert unigram_perplexity(train, valid, 4) == pytest.approx(4.0)

    vocab = Vocab("abcde .\n")
    torch.manual_seed(1)
    model = CharLSTM(len(vocab), embed=4, hidden=8)
    text = sample(model, vocab, "ab", 12, temperature=1.0)
    assert text.startswith("ab") and len(text) == 14 and set(text) <= set(vocab.chars)
    # A tiny temperature makes multinomial pick the most likely character: greedy decoding.
    with torch.no_grad():
        ids = vocab.encode("ab")
        for _ in range(12):
            logits, _ = model(torch.tensor([ids]))
            ids.append(int(logits[0, -1].argmax()))
    assert sample(model, vocab, "ab", 12, temperature=1e-4) == vocab.decode(ids)


def test_char_lstm_learns_the_corpus(tmp_path, capsys):
    from numtorch.examples.char_lstm import make_corpus
    res = run_example("char-lstm", out_dir=str(tmp_path), show_progress=False, plots=False)
    # The unigram model's perplexity is about 18; the LSTM, reading context, gets below 2.
    assert res.metrics["unigram_perplexity"] > 10
    assert res.metrics["perplexity"] < 2.0
    assert res.metrics["perplexity"] == pytest.approx(math.exp(res.final_loss))
    out = capsys.readouterr().out
    sampled = out.split("sampled at temperature 0.8:\n")[1].split("[char-lstm]")[0]
    words = sampled.replace(".", " ").split()
    known = set(make_corpus(1200, seed=0).replace(".", " ").split())
    assert len(words) >= 10 and sum(w in known for w in words) >= 0.9 * len(words)
    assert res.metrics["sample"] in sampled


def test_transformer_reverse_parts():
    import numpy as np
    import numtorch as torch
    from numtorch.examples.transformer_reverse import (ReverseTransformer, attention_map,
                                                        make_batch, sequence_accuracy)
    x, y = make_batch(np.random.default_rng(5), 4)
    assert x.shape == y.shape == (4, 8) and x.dtype == torch.int64
    assert (y.numpy() == x.numpy()[:, ::-1]).all()
    # Logits that get sequence 0 entirely right and sequence 1 wrong in one digit.
    target = torch.tensor([[1, 2, 3], [4, 5, 6]])
    logits = torch.nn.functional.one_hot(target, 10).float()
    logits[1, 2] = torch.nn.functional.one_hot(torch.tensor(0), 10).float()
    assert sequence_accuracy(logits, target) == 0.5
    torch.manual_seed(0)
    model = ReverseTransformer()
    assert model(x).shape == (4, 8, 10)
    w = attention_map(model, x[0])
    assert w.shape == (4, 8, 8) and (w >= 0).all()
    assert np.allclose(w.sum(-1), 1.0, atol=1e-5)      # each query's weights sum to one


def test_transformer_reverse_reaches_95_percent(tmp_path, capsys):
    # The bar: at least 95% of 1,000 new sequences reversed without a wrong digit.
    res = run_example("transformer-reverse", out_dir=str(tmp_path), show_progress=False,
                      plots=False)
    assert res.accuracy >= 0.95 and res.metrics["digit_accuracy"] >= res.accuracy
    assert res.final_loss < 0.1
    lines = [ln.split() for ln in capsys.readouterr().out.splitlines() if " -> " in ln]
    assert len(lines) == 3 and all(a[::-1] == b for a, _, b in lines)
