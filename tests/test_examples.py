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
