"""numtorch.vision.transforms: torchvision's transforms on tensors, PIL images and NumPy images.

Expected values come from the transforms' arithmetic (written out here in NumPy), from PyTorch
2.13 (``interpolate(antialias=True)`` and the random draws torchvision makes, recorded in
tests/data/vision.json by tests/data/regen_vision.py and checked live when torch is installed)
and from Pillow (recorded too, checked live when Pillow is installed).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os

import numpy as np
import pytest

import numtorch
from numtorch.vision import get_image_backend, set_image_backend, transforms as T
from numtorch.vision.transforms import functional as F
from _oracle import live_torch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
with open(os.path.join(DATA, "vision.json"), encoding="utf-8") as _f:
    RECORD = json.load(_f)


def _regen():
    spec = importlib.util.spec_from_file_location("regen_vision",
                                                  os.path.join(DATA, "regen_vision.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


REGEN = _regen()


@functools.lru_cache(maxsize=None)
def _live(kind):
    """Live PyTorch's answers for a part of the record (None without torch)."""
    torch = live_torch()
    if torch is None:
        return None
    return {"resize": REGEN.resizes, "draws": REGEN.draws}[kind](torch)


def _check_record(kind, case):
    """With torch installed: this case's record still equals live PyTorch."""
    live = _live(kind)
    if live is not None:
        assert len(live) == len(RECORD[kind])
        assert live[RECORD[kind].index(case)] == case, "record is stale"


def _pil():
    return pytest.importorskip("PIL.Image")


# -- conversions ------------------------------------------------------------------------------

def test_to_tensor_numpy_uint8_scales_in_float32():
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, (5, 7)).astype(np.uint8)
    rgb = rng.integers(0, 256, (5, 7, 3)).astype(np.uint8)
    t = T.ToTensor()(gray)
    assert t.shape == (1, 5, 7) and t.dtype == numtorch.float32
    np.testing.assert_array_equal(t.numpy()[0], gray.astype(np.float32) / np.float32(255))
    t = T.ToTensor()(rgb)
    assert t.shape == (3, 5, 7)
    np.testing.assert_array_equal(t.numpy(), rgb.transpose(2, 0, 1).astype(np.float32) / 255)
    assert t.numpy().flags.c_contiguous


def test_to_tensor_keeps_other_dtypes_and_rejects_bad_input():
    x = np.linspace(0, 3, 6).reshape(2, 3)
    t = F.to_tensor(x)
    assert t.dtype == numtorch.float64
    np.testing.assert_array_equal(t.numpy()[0], x)      # not scaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        F.to_tensor([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        F.to_tensor(np.zeros((1, 2, 2, 1), np.uint8))


def test_to_tensor_and_pil_to_tensor_of_pil_images():
    Image = _pil()
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (4, 6, 3)).astype(np.uint8)
    img = Image.fromarray(rgb)
    np.testing.assert_array_equal(T.ToTensor()(img).numpy(),
                                  rgb.transpose(2, 0, 1).astype(np.float32) / 255)
    u = T.PILToTensor()(img)
    assert u.dtype == numtorch.uint8
    np.testing.assert_array_equal(u.numpy(), rgb.transpose(2, 0, 1))
    gray = Image.fromarray(rgb[..., 0])
    assert T.ToTensor()(gray).shape == (1, 4, 6)
    binary = Image.fromarray(rgb[..., 0] > 127)          # mode "1": 0 or 255 before scaling
    np.testing.assert_array_equal(T.ToTensor()(binary).numpy()[0], (rgb[..., 0] > 127) * 1.0)


def test_pil_to_tensor_of_numpy_images():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    t = F.pil_to_tensor(a)
    assert t.shape == (1, 3, 4) and t.dtype == numtorch.uint8
    np.testing.assert_array_equal(t.numpy()[0], a)


def test_to_pil_image():
    Image = _pil()
    x = numtorch.tensor([[[0.0, 0.5], [0.999, 1.0]]])
    img = T.ToPILImage()(x)
    assert img.mode == "L" and img.size == (2, 2)
    np.testing.assert_array_equal(np.asarray(img), [[0, 127], [254, 255]])   # truncates
    img = F.to_pil_image(numtorch.zeros(3, 2, 5, dtype=numtorch.uint8))
    assert img.mode == "RGB" and img.size == (5, 2)
    assert repr(T.ToPILImage()) == "ToPILImage()"
    assert isinstance(img, Image.Image)


def test_convert_image_dtype_arithmetic():
    u = numtorch.tensor([0, 1, 128, 255], dtype=numtorch.uint8)
    f = T.ConvertImageDtype(numtorch.float32)(u)
    np.testing.assert_array_equal(f.numpy(), np.array([0, 1, 128, 255], np.float32) / 255)
    x = numtorch.tensor([0.0, 0.5, 0.999, 1.0])
    back = F.convert_image_dtype(x, numtorch.uint8)
    want = (np.array([0.0, 0.5, 0.999, 1.0], np.float32) * np.float32(255.999)).astype(np.uint8)
    np.testing.assert_array_equal(back.numpy(), want)
    assert back.numpy().tolist() == [0, 127, 255, 255]
    i16 = numtorch.tensor([0, 255, 32767], dtype=numtorch.int16)
    assert F.convert_image_dtype(i16, numtorch.uint8).numpy().tolist() == [0, 1, 255]
    assert F.convert_image_dtype(u, numtorch.int16).numpy().tolist() == [0, 128, 16384, 32640]
    assert F.convert_image_dtype(u, numtorch.uint8) is u
    with pytest.raises(RuntimeError,
                       match="The cast from torch.float32 to torch.int32 cannot be performed "
                             "safely."):
        F.convert_image_dtype(x, numtorch.int32)


def test_normalize_values_inplace_and_errors():
    rng = np.random.default_rng(2)
    a = rng.random((3, 4, 5), dtype=np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    x = numtorch.from_numpy(a.copy())
    y = T.Normalize(mean, std)(x)
    m = np.array(mean, np.float32)[:, None, None]
    want = (a - m) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_array_equal(y.numpy(), want)
    np.testing.assert_array_equal(x.numpy(), a)           # not in place by default
    z = T.Normalize(mean, std, inplace=True)(x)
    np.testing.assert_array_equal(x.numpy(), want)
    assert z is x
    assert repr(T.Normalize((0.1307,), (0.3081,))) == "Normalize(mean=(0.1307,), std=(0.3081,))"
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.int64."):
        F.normalize(numtorch.zeros(1, 2, 2, dtype=numtorch.int64), [0.0], [1.0])
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size "
                                         r"\(\.\.\., C, H, W\)\. Got tensor.size\(\) = "
                                         r"torch.Size\(\[2, 2\]\)"):
        F.normalize(numtorch.zeros(2, 2), [0.0], [1.0])
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to "
                                         "torch.float32, leading to division by zero."):
        F.normalize(numtorch.zeros(1, 2, 2), [0.0], [0.0])


def test_normalize_is_differentiable():
    x = numtorch.ones(1, 2, 2, requires_grad=True)
    F.normalize(x, [0.5], [0.25]).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 2, 2), 4.0, np.float32))


def test_compose_and_lambda():
    t = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2)])
    assert repr(t) == "Compose(\n    ToTensor()\n    Lambda()\n)"
    out = t(np.full((2, 2), 255, np.uint8))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 2, 2), 2.0, np.float32))
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


# -- resize ------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", RECORD["resize"], ids=lambda c: f"{c['shape']}->{c['size']}"
                                                            f"-{c['mode']}")
def test_resize_tensor_matches_pytorch_interpolate_antialias(case):
    _check_record("resize", case)
    x = REGEN.resize_inputs(case["seed"], tuple(case["shape"]))
    mode = F.InterpolationMode(case["mode"])
    got = T.Resize(case["size"], interpolation=mode)(numtorch.from_numpy(x["float"]))
    want = np.array(case["float"], np.float32).reshape(got.shape)
    assert got.dtype == numtorch.float32 and got.shape[-2:] == tuple(case["size"])
    # numtorch sums in float64: float32 results agree to a few ulps
    np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=2e-6)
    got_u8 = F.resize(numtorch.from_numpy(x["uint8"]), case["size"], mode)
    want_u8 = np.array(case["uint8"], np.uint8).reshape(got_u8.shape)
    assert got_u8.dtype == numtorch.uint8
    diff = np.abs(got_u8.numpy().astype(int) - want_u8)
    assert diff.max() <= 1 and (diff > 0).mean() < 0.01   # a rounding tie may fall either way


def test_resize_sizes_and_options():
    x = numtorch.zeros(2, 3, 10, 20)
    assert F.resize(x, 5).shape == (2, 3, 5, 10)               # shorter edge, ratio kept
    assert F.resize(numtorch.zeros(1, 20, 7), 3).shape == (1, 8, 3)   # int(3 * 20 / 7) = 8
    assert F.resize(x, [4, 6]).shape == (2, 3, 4, 6)
    assert F.resize(x, [5]).shape == (2, 3, 5, 10)
    assert F.resize(x, 5, max_size=8).shape == (2, 3, 4, 8)
    assert F.resize(x, 10) is x                                 # already that size
    with pytest.raises(ValueError, match="max_size = 5 must be strictly greater than the "
                                         "requested size for the smaller edge size = 5"):
        F.resize(x, 5, max_size=5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize([1, 2, 3])
    with pytest.raises(TypeError, match="Size should be int or sequence. Got <class 'float'>"):
        T.Resize(2.5)
    with pytest.raises(TypeError, match="Argument interpolation should be a InterpolationMode"):
        T.Resize(3, interpolation="bilinear")
    assert T.Resize(3, interpolation=0).interpolation is F.InterpolationMode.NEAREST
    assert repr(T.Resize(32)) == ("Resize(size=32, interpolation=bilinear, max_size=None, "
                                  "antialias=True)")


def test_resize_nearest_and_no_antialias_use_interpolate():
    rng = np.random.default_rng(3)
    a = rng.random((1, 6, 9), dtype=np.float32)
    got = F.resize(numtorch.from_numpy(a), [4, 5], F.InterpolationMode.NEAREST).numpy()
    rows = np.floor(np.arange(4) * np.float32(6 / 4)).astype(int)
    cols = np.floor(np.arange(5) * np.float32(9 / 5)).astype(int)
    np.testing.assert_array_equal(got, a[:, rows][:, :, cols])
    # upsampling bilinear without antialias: PyTorch's half-pixel formula, checked at one pixel
    up = F.resize(numtorch.from_numpy(a), [12, 18], antialias=False).numpy()
    src = (1 + 0.5) * 0.5 - 0.5     # output row/col 1 -> source 0.25
    want = ((1 - src) * ((1 - src) * a[0, 0, 0] + src * a[0, 0, 1])
            + src * ((1 - src) * a[0, 1, 0] + src * a[0, 1, 1]))
    assert abs(up[0, 1, 1] - want) < 1e-6


@pytest.mark.parametrize("case", RECORD["pil_resize"], ids=lambda c: f"{c['shape']}->"
                                                                f"{c['size']}-{c['mode']}")
def test_resize_numpy_image_matches_pillow(case):
    a = REGEN.pil_input(case["seed"], tuple(case["shape"]))
    got = F.resize(a, case["size"], F.InterpolationMode(case["mode"]))
    assert isinstance(got, np.ndarray) and got.dtype == np.uint8
    np.testing.assert_array_equal(got.ravel(), np.array(case["pixels"], np.uint8))


def test_pil_record_matches_live_pillow():
    _pil()
    assert REGEN.pil_resizes() == RECORD["pil_resize"]


def test_resize_pil_image_goes_through_pillow():
    Image = _pil()
    a = REGEN.pil_input(20, (12, 16, 3))
    out = T.Resize(6)(Image.fromarray(a))
    assert isinstance(out, Image.Image) and out.size == (8, 6)
    np.testing.assert_array_equal(np.asarray(out),
                                  np.asarray(Image.fromarray(a).resize((8, 6), Image.BILINEAR)))


# -- crops, flips, padding ------------------------------------------------------------------------

def test_center_crop_and_crop():
    a = np.arange(7 * 8).reshape(1, 7, 8)
    x = numtorch.from_numpy(a)
    top, left = int(round((7 - 4) / 2.0)), int(round((8 - 3) / 2.0))   # 2, 2 (half to even)
    np.testing.assert_array_equal(T.CenterCrop((4, 3))(x).numpy(), a[:, top:top + 4, left:left + 3])
    np.testing.assert_array_equal(T.CenterCrop(5)(a[0]), a[0, 1:6, 2:7])      # NumPy image
    big = F.center_crop(x, [9, 11]).numpy()         # larger: zero padding, image centred
    assert big.shape == (1, 9, 11)
    np.testing.assert_array_equal(big[:, 1:8, 1:9], a)
    assert big.sum() == a.sum()
    assert repr(T.CenterCrop(24)) == "CenterCrop(size=(24, 24))"
    out = F.crop(x, -1, 6, 3, 4).numpy()            # partly outside: zeros there
    np.testing.assert_array_equal(out[:, 1:, :2], a[:, 0:2, 6:8])
    assert (out[:, 0] == 0).all() and (out[:, :, 2:] == 0).all()


def test_center_crop_pil():
    Image = _pil()
    a = np.arange(7 * 8, dtype=np.uint8).reshape(7, 8)
    out = T.CenterCrop(4)(Image.fromarray(a))
    np.testing.assert_array_equal(np.asarray(out), a[2:6, 2:6])


def _expected_crop(img, padding, i, j, th, tw, flip):
    a = np.pad(img, [(0, 0), (padding, padding), (padding, padding)])
    out = a[:, i:i + th, j:j + tw]
    return out[:, :, ::-1] if flip else out


@pytest.mark.parametrize("case", RECORD["draws"], ids=lambda c: f"seed{c['seed']}")
@pytest.mark.parametrize("kind", ["tensor", "numpy", "pil"])
def test_random_crop_and_flip_draw_as_torchvision(case, kind):
    _check_record("draws", case)
    h, w = case["image"]
    th, tw = case["crop"]
    img = (np.arange(h * w) % 251).astype(np.uint8).reshape(1, h, w)
    t = T.Compose([T.RandomCrop((th, tw), padding=case["padding"] or None),
                   T.RandomHorizontalFlip(case["p"])])
    if kind == "tensor":
        inp, back = numtorch.from_numpy(img), lambda o: o.numpy()
    elif kind == "numpy":
        inp, back = img[0], lambda o: o[None]
    else:
        Image = _pil()
        inp, back = Image.fromarray(img[0]), lambda o: np.asarray(o)[None]
    numtorch.manual_seed(case["seed"])
    for i, j, flip in case["steps"]:
        np.testing.assert_array_equal(back(t(inp)),
                                      _expected_crop(img, case["padding"], i, j, th, tw, flip))


def test_random_crop_options_and_errors():
    x = numtorch.arange(15).reshape(1, 3, 5)
    numtorch.manual_seed(0)
    out = T.RandomCrop((7, 5), pad_if_needed=True, fill=-1)(x).numpy()
    # the height is padded by 7 - 3 = 4 rows on both sides (11 rows), then 7 rows are cropped
    assert out.shape == (1, 7, 5)
    assert (out == -1).sum() == 20 and sorted(out[out >= 0].tolist()) == list(range(15))
    with pytest.raises(ValueError, match=r"Required crop size \(10, 10\) is larger than input "
                                         r"image size \(3, 5\)"):
        T.RandomCrop(10)(x)
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"


def test_flip_probability_extremes():
    x = numtorch.arange(6).reshape(1, 2, 3)
    assert T.RandomHorizontalFlip(1.0)(x).numpy().tolist() == [[[2, 1, 0], [5, 4, 3]]]
    assert T.RandomHorizontalFlip(0.0)(x) is x
    assert T.RandomVerticalFlip(1.0)(x).numpy().tolist() == [[[3, 4, 5], [0, 1, 2]]]


@pytest.mark.parametrize("mode,np_mode", [("constant", "constant"), ("edge", "edge"),
                                          ("reflect", "reflect"), ("symmetric", "symmetric")])
def test_pad_modes_match_numpy_pad(mode, np_mode):
    a = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    got = F.pad(numtorch.from_numpy(a), [1, 2, 3, 1], fill=0, padding_mode=mode).numpy()
    np.testing.assert_array_equal(got, np.pad(a, [(0, 0), (2, 1), (1, 3)], mode=np_mode))
    got = T.Pad(2, padding_mode=mode)(a[0].astype(np.uint8))
    np.testing.assert_array_equal(got, np.pad(a[0].astype(np.uint8), 2, mode=np_mode))


def test_pad_fill_negative_and_errors():
    a = np.arange(12).reshape(1, 3, 4)
    out = F.pad(numtorch.from_numpy(a), [1, 0], fill=9).numpy()
    assert out[0, 0].tolist() == [9, 0, 1, 2, 3, 9]
    np.testing.assert_array_equal(F.pad(numtorch.from_numpy(a), -1).numpy(), a[:, 1:2, 1:3])
    rgb = np.zeros((2, 2, 3), np.uint8)
    assert F.pad(rgb, 1, fill=(1, 2, 3))[0, 0].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect "
                                         "or symmetric"):
        F.pad(numtorch.from_numpy(a), 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, "
                                         "not a 3 element tuple"):
        F.pad(numtorch.from_numpy(a), [1, 2, 3])


# -- grayscale --------------------------------------------------------------------------------

def test_grayscale_tensor_formula():
    rng = np.random.default_rng(4)
    a = rng.integers(0, 256, (3, 4, 5)).astype(np.uint8)
    f = a.astype(np.float32)
    want = (np.float32(0.2989) * f[0] + np.float32(0.587) * f[1]
            + np.float32(0.114) * f[2]).astype(np.uint8)
    got = T.Grayscale()(numtorch.from_numpy(a))
    assert got.shape == (1, 4, 5) and got.dtype == numtorch.uint8
    np.testing.assert_array_equal(got.numpy()[0], want)
    assert T.Grayscale(3)(numtorch.from_numpy(a)).shape == (3, 4, 5)
    assert repr(T.Grayscale()) == "Grayscale(num_output_channels=1)"


def test_grayscale_numpy_image_matches_pillow():
    Image = _pil()
    rng = np.random.default_rng(5)
    a = rng.integers(0, 256, (6, 7, 3)).astype(np.uint8)
    np.testing.assert_array_equal(F.rgb_to_grayscale(a),
                                  np.asarray(Image.fromarray(a).convert("L")))
    out = T.Grayscale(3)(Image.fromarray(a))
    assert out.mode == "RGB"


# -- image backend ---------------------------------------------------------------------------

def test_image_backend_switch():
    before = get_image_backend()
    try:
        set_image_backend("numpy")
        assert get_image_backend() == "numpy"
        with pytest.raises(ValueError, match="Invalid backend 'accimage'"):
            set_image_backend("accimage")
    finally:
        set_image_backend(before)
    try:
        import PIL  # noqa: F401
        assert before == "PIL"
    except ImportError:
        assert before == "numpy"
