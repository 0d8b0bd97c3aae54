"""torch.stft / torch.istft against PyTorch 2.13's answers recorded in tests/data/stft.npz and
tests/data/stft_errors.json (regenerate with ``python tests/data/regen_stft.py``, torch needed).
With torch installed the tests also check the record still equals live PyTorch."""
from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck

HERE = os.path.dirname(os.path.abspath(__file__))
NPZ = os.path.join(HERE, "data", "stft.npz")
ERRORS = os.path.join(HERE, "data", "stft_errors.json")

try:
    import torch
except ImportError:
    torch = None

# name: (seed, input shape, dtype, window length or None, stft kwargs, istft kwargs or None)
CASES = {
    "hann_default": (1, (30,), "float32", 8, dict(n_fft=8), dict(n_fft=8, length=40)),
    "norm_hop3": (2, (2, 30), "float64", 8, dict(n_fft=8, hop_length=3, normalized=True),
                  dict(n_fft=8, hop_length=3, normalized=True, length=30)),
    "winlen_constant": (3, (30,), "float64", 7,
                        dict(n_fft=10, win_length=7, hop_length=2, pad_mode="constant"),
                        dict(n_fft=10, win_length=7, hop_length=2)),
    "rect_replicate": (4, (2, 30), "float32", None,
                       dict(n_fft=10, win_length=6, hop_length=2, pad_mode="replicate"),
                       dict(n_fft=10, win_length=6, hop_length=2)),
    "circular_twosided": (5, (2, 25), "float64", 9,
                          dict(n_fft=9, hop_length=2, pad_mode="circular", onesided=False),
                          dict(n_fft=9, hop_length=2, onesided=False)),
    "twosided_complex_out": (6, (25,), "float32", 9, dict(n_fft=9, hop_length=2, onesided=False),
                             dict(n_fft=9, hop_length=2, onesided=False, return_complex=True)),
    "no_center": (7, (2, 30), "float64", 8, dict(n_fft=8, hop_length=2, center=False),
                  dict(n_fft=8, hop_length=2, center=False, length=26)),
    "complex_input": (8, (24,), "complex128", 8, dict(n_fft=8, hop_length=2),
                      dict(n_fft=8, hop_length=2, onesided=False, return_complex=True)),
    "complex_window": (9, (24,), "float64", "c8", dict(n_fft=8, hop_length=2),
                       dict(n_fft=8, hop_length=2, onesided=False, return_complex=True)),
    "mixed_dtypes": (10, (20,), "float32", "d8", dict(n_fft=8, hop_length=4), None),
    "align_to_window": (12, (2, 13), "float32", 4, dict(n_fft=8, hop_length=1, win_length=4,
                                                        center=False, align_to_window=True), None),
    "unaligned_false": (13, (13,), "float64", 4, dict(n_fft=9, hop_length=2, win_length=4,
                                                      center=False, align_to_window=False), None),
}
GRAD_CASE = (11, (2, 30), 7, dict(n_fft=10, hop_length=2, win_length=7, normalized=True),
             dict(n_fft=10, hop_length=2, win_length=7, normalized=True, length=30))


def _inputs(name):
    seed, shape, dtype, win, _, _ = CASES[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    if win is None:
        return x, None
    if isinstance(win, str):            # "c8": complex window, "d8": float64 window
        n = int(win[1:])
        w = rng.uniform(0.5, 1.0, n)
        if win[0] == "c":
            w = w + 0.3j * rng.standard_normal(n)
        return x, w
    return x, rng.uniform(0.5, 1.0, win).astype(x.real.dtype)


def _grad_inputs():
    seed, shape, win, kw, _ = GRAD_CASE
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    w = rng.uniform(0.5, 1.0, win)
    n_frames = 1 + shape[-1] // kw["hop_length"]
    g_spec = rng.standard_normal(shape[:-1] + (kw["n_fft"] // 2 + 1, n_frames, 2))
    g_sig = rng.standard_normal(shape)
    return x, w, g_spec, g_sig


def _run(lib, name):
    x, w = _inputs(name)
    kw, ikw = CASES[name][4], CASES[name][5]
    window = None if w is None else lib.tensor(w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = lib.stft(lib.tensor(x), window=window, return_complex=True, **kw)
        out = {name + "/stft": spec.numpy()}
        if ikw is not None:
            out[name + "/istft"] = lib.istft(spec, window=window, **ikw).numpy()
    return out


def _run_grad(lib):
    x, w, g_spec, g_sig = _grad_inputs()
    _, _, _, kw, ikw = GRAD_CASE
    X = lib.tensor(x, requires_grad=True)
    W = lib.tensor(w, requires_grad=True)
    spec = lib.stft(X, window=W, return_complex=True, **kw)
    loss = (lib.view_as_real(spec) * lib.tensor(g_spec)).sum()
    loss = loss + (lib.istft(spec, window=W, **ikw) * lib.tensor(g_sig)).sum()
    loss.backward()
    return {"grad/x": X.grad.numpy(), "grad/window": W.grad.numpy()}


def _t(lib, x):
    return lib.tensor(np.asarray(x, dtype=np.float32))


def _sig(lib, n=20, dtype=None):
    return lib.tensor(np.linspace(-1.0, 1.0, n), dtype=dtype or lib.float32)


# name: function(lib) that must raise; the record keeps PyTorch's type and message
ERROR_CASES = {
    "no_return_complex": lambda lib: lib.stft(_sig(lib), 8, window=lib.ones(8)),
    "onesided_complex": lambda lib: lib.stft(_sig(lib).to(lib.complex64), 8, window=lib.ones(8),
                                             return_complex=True, onesided=True),
    "n_fft_too_big": lambda lib: lib.stft(_sig(lib), 32, return_complex=True, center=False),
    "n_fft_zero": lambda lib: lib.stft(_sig(lib), 0, return_complex=True),
    "hop_zero": lambda lib: lib.stft(_sig(lib), 8, hop_length=0, return_complex=True),
    "win_too_big": lambda lib: lib.stft(_sig(lib), 8, win_length=9, return_complex=True),
    "window_size": lambda lib: lib.stft(_sig(lib), 8, window=lib.ones(5), return_complex=True),
    "window_2d": lambda lib: lib.stft(_sig(lib), 8, window=lib.ones(2, 8), return_complex=True),
    "input_3d": lambda lib: lib.stft(_sig(lib).view(2, 2, 5), 4, return_complex=True),
    "reflect_too_short": lambda lib: lib.stft(_sig(lib, 3), 8, return_complex=True),
    "align_with_center": lambda lib: lib.stft(_sig(lib), 8, window=lib.ones(8),
                                              return_complex=True, align_to_window=False),
    "align_n_fft_msg": lambda lib: lib.stft(_sig(lib, 5), 8, 2, 4, window=lib.ones(4),
                                            center=False, return_complex=True,
                                            align_to_window=True),
    "bad_pad_mode": lambda lib: lib.stft(_sig(lib), 8, return_complex=True, pad_mode="foo"),
    "int_input": lambda lib: lib.stft(lib.arange(20), 8, return_complex=True, center=False),
    "double_msg": lambda lib: lib.stft(_sig(lib, dtype=lib.float64), 40, return_complex=True,
                                       center=False),
    "istft_real": lambda lib: lib.istft(lib.ones(5, 11), 8),
    "istft_1d": lambda lib: lib.istft(lib.ones(11, dtype=lib.complex64), 8),
    "istft_5d": lambda lib: lib.istft(lib.ones(1, 1, 1, 5, 11, dtype=lib.complex64), 8,
                                      window=lib.ones(8)),
    "istft_hop": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8, hop_length=9,
                                       window=lib.ones(8)),
    "istft_win": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8, win_length=9),
    "istft_empty": lambda lib: lib.istft(lib.ones(5, 0, dtype=lib.complex64), 10,
                                         window=lib.ones(3)),
    "istft_freq_onesided": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 10,
                                                 window=lib.ones(10)),
    "istft_freq_twosided": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8,
                                                 window=lib.ones(8), onesided=False),
    "istft_window_shape": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8,
                                                window=lib.ones(7)),
    "istft_onesided_complex": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8,
                                                    window=lib.ones(8), return_complex=True),
    "istft_complex_window": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8,
                                                  window=lib.ones(8, dtype=lib.complex64)),
    "istft_envelope": lambda lib: lib.istft(lib.ones(5, 11, dtype=lib.complex64), 8,
                                            window=lib.hann_window(8), center=False),
}


def _error(lib, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ERROR_CASES[name](lib)
        except Exception as e:          # noqa: BLE001 - we record whatever PyTorch raises
            return [type(e).__name__, str(e)]
    return None


def regen() -> None:
    """Write the record from live PyTorch (needs torch)."""
    import torch as T
    out = {}
    for name in CASES:
        out.update(_run(T, name))
    out.update(_run_grad(T))
    np.savez_compressed(NPZ, **out)
    with open(ERRORS, "w") as f:
        json.dump({name: _error(T, name) for name in ERROR_CASES}, f, indent=1)


def _record():
    with np.load(NPZ) as data:
        return {k: data[k] for k in data.files}


def _close(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape,
                                                                  got.dtype, want.dtype)
    tol = 1e-5 if want.dtype in (np.float32, np.complex64) else 1e-12
    scale = max(1.0, float(np.abs(want).max()))
    assert np.abs(got - want).max() <= tol * scale


@pytest.mark.parametrize("name", list(CASES))
def test_stft_istft_values(name):
    rec = _record()
    got = _run(numtorch, name)
    assert got                                   # every case records an stft
    for key, value in got.items():
        _close(value, rec[key])
    if torch is not None:
        for key, value in _run(torch, name).items():
            _close(value, rec[key])


def test_gradients_match_pytorch():
    rec = _record()
    for key, value in _run_grad(numtorch).items():
        _close(value, rec[key])
    if torch is not None:
        for key, value in _run_grad(torch).items():
            _close(value, rec[key])


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_errors(name):
    with open(ERRORS) as f:
        want = json.load(f)[name]
    assert want is not None
    assert _error(numtorch, name) == want
    if torch is not None:
        assert _error(torch, name) == want


def test_gradcheck_stft_float64():
    rng = np.random.default_rng(21)
    x = numtorch.tensor(rng.standard_normal((2, 18)), requires_grad=True)
    w = numtorch.tensor(rng.uniform(0.5, 1.0, 6), requires_grad=True)
    assert gradcheck(lambda a, b: numtorch.view_as_real(numtorch.stft(
        a, 8, hop_length=3, win_length=6, window=b, return_complex=True, normalized=True,
        pad_mode="reflect")), (x, w))


def test_gradcheck_istft_float64():
    rng = np.random.default_rng(22)
    re = numtorch.tensor(rng.standard_normal((5, 11)), requires_grad=True)
    im = numtorch.tensor(rng.standard_normal((5, 11)), requires_grad=True)
    w = numtorch.tensor(rng.uniform(0.5, 1.0, 8), requires_grad=True)
    assert gradcheck(lambda a, b, c: numtorch.istft(numtorch.complex(a, b), 8, hop_length=2,
                                                    window=c, length=22), (re, im, w))
    re8 = numtorch.tensor(rng.standard_normal((8, 11)), requires_grad=True)
    im8 = numtorch.tensor(rng.standard_normal((8, 11)), requires_grad=True)
    assert gradcheck(lambda a, b, c: numtorch.view_as_real(numtorch.istft(
        numtorch.complex(a, b), 8, hop_length=2, window=c, onesided=False,
        return_complex=True)), (re8, im8, w))


def test_roundtrip_and_methods():
    rng = np.random.default_rng(23)
    x = numtorch.tensor(rng.standard_normal((3, 40)))
    w = numtorch.hann_window(16, dtype=numtorch.float64)
    spec = x.stft(16, hop_length=4, window=w, return_complex=True)
    assert tuple(spec.shape) == (3, 9, 11) and spec.dtype == numtorch.complex128
    back = spec.istft(16, hop_length=4, window=w, length=40)
    assert np.abs(back.numpy() - x.numpy()).max() < 1e-12


def test_warnings():
    x = _sig(numtorch)
    with pytest.warns(UserWarning, match="A window was not provided"):
        numtorch.stft(x, 8, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        out = numtorch.stft(x, 8, window=numtorch.ones(8), return_complex=False)
    assert tuple(out.shape) == (5, 11, 2) and out.dtype == numtorch.float32
    spec = numtorch.stft(x, 8, window=numtorch.ones(8), return_complex=True)
    with pytest.warns(UserWarning, match="shorter than the length parameter"):
        y = numtorch.istft(spec, 8, window=numtorch.ones(8), length=30)
    assert tuple(y.shape) == (30,) and np.all(y.numpy()[24:] == 0)


if __name__ == "__main__":
    regen()
