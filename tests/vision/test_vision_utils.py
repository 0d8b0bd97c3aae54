"""numtorch.vision.utils: make_grid (layout, padding, normalisation) and save_image.

Expected grids are built in the test from torchvision's documented layout: ``nrow`` images per
row, ``padding`` pixels of ``pad_value`` before each image and after the last, one-channel
images repeated to three channels, a batch of one returned as is.
"""
from __future__ import annotations

import builtins

import numpy as np
import pytest

import numtorch
from numtorch.vision.utils import make_grid, save_image


def _layout(batch: np.ndarray, nrow: int, padding: int, pad_value: float) -> np.ndarray:
    n, c, h, w = batch.shape
    if c == 1:
        batch = np.repeat(batch, 3, axis=1)
        c = 3
    cols = min(nrow, n)
    rows = -(-n // cols)
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding),
                   pad_value, dtype=batch.dtype)
    for k in range(n):
        y, x = divmod(k, cols)
        top, left = padding + y * (h + padding), padding + x * (w + padding)
        grid[:, top:top + h, left:left + w] = batch[k]
    return grid


@pytest.mark.parametrize("n,c,nrow,padding,pad_value", [(16, 1, 4, 2, 0.0), (5, 3, 2, 1, 0.5),
                                                        (3, 1, 8, 0, 1.0), (7, 3, 3, 3, -1.0)])
def test_make_grid_layout(n, c, nrow, padding, pad_value):
    rng = np.random.default_rng(n * 100 + c)
    batch = rng.random((n, c, 5, 6), dtype=np.float32)
    got = make_grid(numtorch.from_numpy(batch), nrow=nrow, padding=padding, pad_value=pad_value)
    assert got.dtype == numtorch.float32
    np.testing.assert_array_equal(got.numpy(), _layout(batch, nrow, padding, pad_value))


def test_make_grid_shapes_and_inputs():
    assert tuple(make_grid(numtorch.zeros(16, 1, 28, 28), nrow=4).shape) == (3, 122, 122)
    assert tuple(make_grid(numtorch.zeros(64, 1, 28, 28)).shape) == (3, 242, 242)
    one = numtorch.rand(1, 3, 4, 4)
    assert make_grid(one).numpy().tolist() == one.numpy()[0].tolist()     # no padding
    assert tuple(make_grid(numtorch.zeros(4, 5)).shape) == (3, 4, 5)           # H x W
    assert tuple(make_grid(numtorch.zeros(1, 4, 5)).shape) == (3, 4, 5)        # 1 x H x W
    imgs = [numtorch.full((3, 2, 2), float(i)) for i in range(3)]
    row = np.repeat(np.array([[0, 1, 2]], np.float32), 2, axis=1).repeat(2, axis=0)
    np.testing.assert_array_equal(make_grid(imgs, nrow=3, padding=0).numpy()[0], row)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'str'>"):
        make_grid("x")
    with pytest.raises(TypeError, match="got a list containing <class 'int'>"):
        make_grid([numtorch.zeros(1, 2, 2), 3])


def test_make_grid_normalize():
    rng = np.random.default_rng(11)
    batch = (rng.random((2, 3, 4, 4), dtype=np.float32) * 4 - 1)
    x = numtorch.from_numpy(batch.copy())
    got = make_grid(x, normalize=True, padding=0, nrow=2).numpy()
    lo, hi = batch.min(), batch.max()
    want = (batch - lo) / np.float32(float(hi) - float(lo))
    np.testing.assert_array_equal(got, np.concatenate([want[0], want[1]], axis=2))
    np.testing.assert_array_equal(x.numpy(), batch)           # the input is not changed
    got = make_grid(x, normalize=True, value_range=(0.0, 1.0), padding=0, nrow=2).numpy()
    np.testing.assert_array_equal(got, np.concatenate(list(np.clip(batch, 0, 1)), axis=2))
    got = make_grid(x, normalize=True, scale_each=True, padding=0, nrow=2).numpy()
    for k in range(2):
        b = batch[k]
        part = got[:, :, 4 * k:4 * k + 4]
        span = np.float32(float(b.max()) - float(b.min()))
        np.testing.assert_array_equal(part, (b - b.min()) / span)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])


def test_save_image_png(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(12)
    batch = rng.random((4, 1, 6, 5), dtype=np.float32) * 1.2 - 0.1
    path = tmp_path / "grid.png"
    save_image(numtorch.from_numpy(batch), str(path), nrow=2, padding=1)
    with Image.open(path) as im:
        assert im.format == "PNG"
        pixels = np.asarray(im.convert("RGB"))
    grid = _layout(batch, 2, 1, 0.0)
    want = np.clip(grid * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels, want.transpose(1, 2, 0))


def test_save_image_needs_an_image_writer(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_writers(name, *args, **kwargs):
        if name.split(".")[0] in ("PIL", "matplotlib"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_writers)
    with pytest.raises(ImportError, match=r"pip install 'numtorch\[examples\]'"):
        save_image(numtorch.zeros(1, 2, 2), str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()
