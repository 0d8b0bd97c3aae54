"""``torchvision.transforms.functional``: the image operations behind the transform classes.

An image is a tensor ``(..., C, H, W)``, a PIL image (when Pillow is installed) or, standing in
for a PIL image, a NumPy array ``H x W`` or ``H x W x C`` (what numtorch's datasets return
without Pillow). A function returns the kind of image it was given.

Resizing a tensor follows torchvision's tensor path: integer images are resampled in float32 and
rounded back; ``antialias=True`` (the default) resamples bilinear/bicubic with the support of the
filter widened by the downscaling factor (the triangle or Keys cubic filter, weights normalised
per output pixel), which is what ``torch.nn.functional.interpolate(..., antialias=True)`` computes
(checked against it; numtorch sums in float64, so float32 results agree to rounding). PIL images
are resized by Pillow itself, as torchvision does; uint8 NumPy stand-ins are resized with
Pillow's arithmetic (the same weights in 22-bit fixed point, horizontal pass first, uint8 in
between), which gives Pillow's pixels.
Resizing does not record a graph (images are data, not parameters).

>>> import numtorch as torch
>>> from numtorch.vision.transforms import functional as F
>>> F.hflip(torch.tensor([[[1, 2, 3]]]))
tensor([[[3, 2, 1]]])
"""
from __future__ import annotations

import numbers
from enum import Enum
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops.resample import _aa_matrix, _resample_aa, interpolate
from .._image import array_to_pil, is_array_image, is_pil, pil_module, pil_to_array

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
    "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "resize",
    "pad", "crop", "center_crop", "hflip", "vflip", "rgb_to_grayscale", "to_grayscale",
]

_make = Tensor._make


class InterpolationMode(Enum):
    """Interpolation modes, as ``torchvision.transforms.InterpolationMode``."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer filter codes (what torchvision accepts in place of a mode)
_PIL_CODES = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
              3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING,
              1: InterpolationMode.LANCZOS}
_TO_PIL = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2,
           InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
           InterpolationMode.LANCZOS: 1}


def _interpolation(mode: Any) -> InterpolationMode:
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, int) and not isinstance(mode, bool) and mode in _PIL_CODES:
        return _PIL_CODES[mode]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                    "Pillow integer constant")


# -- what kind of image ----------------------------------------------------------------------

def _check_tensor_image(img: Tensor) -> None:
    if img._data.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _kind(img: Any) -> str:
    if isinstance(img, Tensor):
        _check_tensor_image(img)
        return "tensor"
    if is_pil(img):
        return "pil"
    if is_array_image(img):
        return "array"
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def get_dimensions(img: Any) -> List[int]:
    """``[channels, height, width]`` of a tensor, PIL or NumPy image."""
    kind = _kind(img)
    if kind == "tensor":
        s = img._data.shape
        return [1 if len(s) == 2 else s[-3], s[-2], s[-1]]
    if kind == "pil":
        return [len(img.getbands()), img.height, img.width]
    s = img.shape
    return [1 if len(s) == 2 else s[2], s[0], s[1]]


def get_image_size(img: Any) -> List[int]:
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    return get_dimensions(img)[0]


# -- conversions -----------------------------------------------------------------------------

def to_tensor(pic: Any) -> Tensor:
    """A PIL image or NumPy ``H x W [x C]`` array as a ``C x H x W`` tensor; uint8 pixels are
    scaled to floats in [0, 1] (the default dtype), other dtypes are kept as they are.

    >>> import numpy as np
    >>> to_tensor(np.array([[0, 255]], dtype=np.uint8))
    tensor([[[0., 1.]]])
    """
    if is_pil(pic):
        mode = pic.mode
        npd = {"I": np.int32, "I;16": np.int16, "F": np.float32}.get(mode, np.uint8)
        arr = np.array(pic, npd, copy=True)
        if mode == "1":
            arr = arr * np.uint8(255)
        if arr.ndim == 2:
            arr = arr[:, :, None]
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    out = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if out.dtype == np.uint8:
        npd = _dtype.get_default_dtype().np
        out = out.astype(npd)
        out /= npd.type(255)
    else:
        _dtype.from_numpy_dtype(out.dtype)
    return _make(out)


def pil_to_tensor(pic: Any) -> Tensor:
    """A PIL image (or NumPy ``H x W [x C]`` array) as a ``C x H x W`` tensor, pixels unscaled.

    >>> import numpy as np
    >>> pil_to_tensor(np.array([[0, 255]], dtype=np.uint8))
    tensor([[[  0, 255]]], dtype=torch.uint8)
    """
    if is_pil(pic):
        arr = np.array(pic, copy=True)
        if arr.dtype == np.bool_:
            arr = arr.astype(np.uint8)
    elif is_array_image(pic):
        arr = pic
    else:
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.dtype == np.uint16:
        arr = arr.astype(np.int32)
    return _make(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_pil_image(pic: Any, mode: Optional[str] = None) -> Any:
    """A ``C x H x W`` tensor or ``H x W x C`` array as a PIL image (needs Pillow); float tensors
    are taken as [0, 1] and scaled by 255 (truncating), as torchvision does."""
    Image = pil_module()
    if Image is None:
        raise ImportError("to_pil_image needs Pillow: pip install pillow (or "
                          "pip install 'numtorch[examples]', whose matplotlib brings it)")
    if isinstance(pic, Tensor):
        if pic._data.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic._data.ndim} dimensions.")
        arr = pic._data if pic._data.ndim == 3 else pic._data[None]
        if arr.shape[0] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[0]} channels.")
        if arr.dtype.kind == "f" and mode != "F":
            arr = (arr * arr.dtype.type(255)).astype(np.uint8)
        arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
        if arr.shape[-1] > 4:
            raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    c = arr.shape[2]
    if c == 1:
        arr = arr[:, :, 0]
        natural = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                   np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(arr.dtype)
        if natural is None:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        if natural == "I;16":
            arr = arr.astype(np.int32)
            natural = "I"
    else:
        if arr.dtype != np.uint8:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        natural = {2: "LA", 3: "RGB", 4: "RGBA"}[c]
    img = Image.fromarray(np.ascontiguousarray(arr))
    want = mode or natural
    return img if img.mode == want else img.convert(want)


def _max_value(npd: np.dtype) -> int:
    if npd == np.bool_:
        return 1
    return int(np.iinfo(npd).max)


def convert_image_dtype(image: Tensor, dtype: Any = _dtype.float32) -> Tensor:
    """Convert an image tensor to ``dtype``, rescaling values as torchvision does: integers map
    ``[0, max]`` to floats ``[0, 1]``; floats map back by ``x * (max + 1 - 0.001)`` truncated.

    >>> import numtorch as torch
    >>> convert_image_dtype(torch.tensor([0, 255], dtype=torch.uint8))
    tensor([0., 1.])
    """
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    src = image.dtype
    if src is dtype:
        return image
    if src.is_floating_point:
        if dtype.is_floating_point:
            return image.to(dtype)
        if (src is _dtype.float32 and dtype in (_dtype.int32, _dtype.int64)) or (
                src is _dtype.float64 and dtype is _dtype.int64):
            raise RuntimeError(f"The cast from {src} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype.np))
        return (image * (max_val + 1.0 - eps)).to(dtype)
    in_max = _max_value(src.np)
    if dtype.is_floating_point:
        return image.to(dtype) / in_max
    out_max = _max_value(dtype.np)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return _make(np.floor_divide(image._data, factor).astype(dtype.np))
    factor = (out_max + 1) // (in_max + 1)
    return _make(image._data.astype(dtype.np) * dtype.np.type(factor))


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """``(tensor - mean) / std`` per channel of a float image ``(..., C, H, W)``.

    >>> import numtorch as torch
    >>> normalize(torch.ones(1, 1, 2), [0.5], [0.25])
    tensor([[[2., 2.]]])
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if tensor._data.dtype.kind != "f":
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor._data.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    m, s = _mean_std(mean, std, tensor._data.dtype)
    if not inplace:
        tensor = tensor.clone()
    return tensor.sub_(_make(m)).div_(_make(s))


def _mean_std(mean: Any, std: Any, npd: np.dtype) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and std as arrays of the image's dtype, shaped to broadcast over ``(C, H, W)``."""
    m = np.asarray(mean._data if isinstance(mean, Tensor) else mean, dtype=npd)
    s = np.asarray(std._data if isinstance(std, Tensor) else std, dtype=npd)
    if (s == 0).any():
        name = _dtype.from_numpy_dtype(npd)
        raise ValueError(f"std evaluated to zero after conversion to {name}, leading to "
                         "division by zero.")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    return m, s


# -- geometry ----------------------------------------------------------------------------------

def _as_size(size: Any) -> Tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return int(size[0]), int(size[0])
    return int(size[0]), int(size[1])


def _rewrap(img: Any, kind: str, arr: np.ndarray, mode: Optional[str] = None) -> Any:
    """``arr`` (tensor layout ``(..., C, H, W)`` or image layout ``H x W [x C]``) as ``kind``."""
    if kind == "tensor":
        return _make(arr)
    if kind == "pil":
        return array_to_pil(arr, mode)
    return arr


def _hw_axes(kind: str, ndim: int) -> Tuple[int, int]:
    return (ndim - 2, ndim - 1) if kind == "tensor" else (0, 1)


def hflip(img: Any) -> Any:
    """Flip left to right."""
    kind = _kind(img)
    if kind == "tensor":
        return img.flip(-1)
    if kind == "pil":
        return img.transpose(pil_module().Transpose.FLIP_LEFT_RIGHT)
    return img[:, ::-1].copy()


def vflip(img: Any) -> Any:
    """Flip top to bottom."""
    kind = _kind(img)
    if kind == "tensor":
        return img.flip(-2)
    if kind == "pil":
        return img.transpose(pil_module().Transpose.FLIP_TOP_BOTTOM)
    return img[::-1].copy()


def _parse_padding(padding: Any) -> Tuple[int, int, int, int]:
    """``(left, top, right, bottom)`` from an int or a 1-, 2- or 4-sequence."""
    if isinstance(padding, numbers.Number) and not isinstance(padding, bool):
        padding = [int(padding)]
    if not isinstance(padding, (list, tuple)):
        raise TypeError("Got inappropriate padding arg")
    if len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    p = [int(v) for v in padding]
    if len(p) == 1:
        return p[0], p[0], p[0], p[0]
    if len(p) == 2:
        return p[0], p[1], p[0], p[1]
    return p[0], p[1], p[2], p[3]


_NP_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
             "symmetric": "symmetric"}


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad the borders: ``padding`` is an int (all sides), ``(left/right, top/bottom)`` or
    ``(left, top, right, bottom)``; ``padding_mode`` constant (with ``fill``), edge, reflect or
    symmetric. Negative padding crops.

    >>> import numtorch as torch
    >>> pad(torch.tensor([[[1, 2]]]), [1, 0], fill=9)
    tensor([[[9, 1, 2, 9]]])
    """
    if padding_mode not in _NP_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if fill is not None and not isinstance(fill, (numbers.Number, str, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    left, top, right, bottom = _parse_padding(padding)
    kind = _kind(img)
    mode = None
    if kind == "tensor":
        arr = img._data
    elif kind == "pil":
        arr, mode = pil_to_array(img)
    else:
        arr = img
    ya, xa = _hw_axes(kind, arr.ndim)
    # negative padding crops first
    sl = [slice(None)] * arr.ndim
    sl[ya] = slice(max(-top, 0), arr.shape[ya] - max(-bottom, 0))
    sl[xa] = slice(max(-left, 0), arr.shape[xa] - max(-right, 0))
    arr = arr[tuple(sl)]
    widths = [(0, 0)] * arr.ndim
    widths[ya] = (max(top, 0), max(bottom, 0))
    widths[xa] = (max(left, 0), max(right, 0))
    if padding_mode == "constant":
        fill = 0 if fill is None else fill
        if isinstance(fill, (tuple, list)) and kind != "tensor" and arr.ndim == 3:
            out = np.empty([arr.shape[i] + sum(widths[i]) for i in range(arr.ndim)], arr.dtype)
            out[...] = np.asarray(fill, dtype=arr.dtype)
            out[widths[0][0]:widths[0][0] + arr.shape[0],
                widths[1][0]:widths[1][0] + arr.shape[1]] = arr
        else:
            if isinstance(fill, (tuple, list)):
                if len(fill) != 1:
                    raise TypeError("Got inappropriate fill arg")
                fill = fill[0]
            out = np.pad(arr, widths, mode="constant", constant_values=arr.dtype.type(fill))
    else:
        out = np.pad(arr, widths, mode=_NP_MODES[padding_mode])
    return _rewrap(img, kind, out, mode)


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height x width`` window at ``(top, left)``; outside the image is zero.

    >>> import numtorch as torch
    >>> crop(torch.arange(9).reshape(1, 3, 3), 1, 1, 2, 2)
    tensor([[[4, 5],
             [7, 8]]])
    """
    kind = _kind(img)
    if kind == "pil":
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if kind == "tensor":
        if left < 0 or top < 0 or right > w or bottom > h:
            part = img._data[..., max(top, 0):bottom, max(left, 0):right]
            ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                    max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
            return pad(_make(part), ltrb, fill=0)
        return img[..., top:bottom, left:right]
    if left < 0 or top < 0 or right > w or bottom > h:
        part = img[max(top, 0):bottom, max(left, 0):right]
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(part, ltrb, fill=0)
    return img[top:bottom, left:right].copy()


def center_crop(img: Any, output_size: Any) -> Any:
    """The centred ``output_size`` window (an int for a square); a larger size pads with zeros.

    >>> import numtorch as torch
    >>> center_crop(torch.arange(16).reshape(1, 4, 4), 2)
    tensor([[[ 5,  6],
             [ 9, 10]]])
    """
    crop_h, crop_w = _as_size(output_size)
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:
        ltrb = [(crop_w - w) // 2 if crop_w > w else 0, (crop_h - h) // 2 if crop_h > h else 0,
                (crop_w - w + 1) // 2 if crop_w > w else 0,
                (crop_h - h + 1) // 2 if crop_h > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if crop_w == w and crop_h == h:
            return img
    top = int(round((h - crop_h) / 2.0))
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


# -- resizing -----------------------------------------------------------------------------------

def _output_size(h: int, w: int, size: Any, max_size: Optional[int]) -> List[int]:
    """torchvision's rule: an int (or 1-sequence) sets the shorter edge, keeping the aspect
    ratio (the longer edge truncated), capped by ``max_size``; a pair is ``(h, w)``."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return [int(size[0]), int(size[1])]
    requested = int(size if isinstance(size, numbers.Number) else size[0])
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                             f"size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _nearest_index(n_in: int, n_out: int) -> np.ndarray:
    """Pillow's nearest neighbour: the input pixel under each output pixel's centre, the
    centres stepped by repeated addition of the scale (as Pillow does, so an exact tie such as
    ``7.5 * 0.8`` falls where Pillow's lands)."""
    scale = n_in / n_out
    steps = np.full(n_out, scale)
    steps[0] = 0.5 * scale
    return np.minimum(np.floor(np.cumsum(steps)).astype(np.int64), n_in - 1)


_PIL_BITS = 22   # Pillow's fixed-point precision for 8-bit resampling


def _pil_resample(arr: np.ndarray, out_h: int, out_w: int, cubic: bool) -> np.ndarray:
    """Pillow's 8-bit resampling of an ``H x W [x C]`` uint8 array: the antialiased weights in
    fixed point (22 fraction bits, rounded half away from zero), the horizontal pass first,
    rounded and clipped to uint8 between the passes."""
    x = arr.astype(np.int64)
    half = np.int64(1 << (_PIL_BITS - 1))

    def fixed(w: np.ndarray) -> np.ndarray:
        return np.trunc(w * (1 << _PIL_BITS) + np.where(w < 0, -0.5, 0.5)).astype(np.int64)

    def clip8(acc: np.ndarray) -> np.ndarray:
        return np.clip((acc + half) >> _PIL_BITS, 0, 255)

    if x.shape[1] != out_w:
        k = fixed(_aa_matrix(x.shape[1], out_w, cubic))
        x = clip8(np.moveaxis(np.tensordot(x, k, axes=([1], [1])), -1, 1))
    if x.shape[0] != out_h:
        k = fixed(_aa_matrix(x.shape[0], out_h, cubic))
        x = clip8(np.tensordot(k, x, axes=([1], [0])))
    return x.astype(np.uint8)


def _back_to(out: np.ndarray, npd: np.dtype) -> np.ndarray:
    """Float results back to an integer image dtype: rounded (half to even) and clamped."""
    if npd.kind == "f":
        return out.astype(npd)
    info = np.iinfo(npd)
    return np.clip(np.round(out), info.min, info.max).astype(npd)


def resize(img: Any, size: Any, interpolation: Any = InterpolationMode.BILINEAR,
           max_size: Optional[int] = None, antialias: Optional[bool] = True) -> Any:
    """Resize to ``size``: an int sets the shorter edge (keeping the aspect ratio), ``(h, w)``
    sets both.

    >>> import numtorch as torch
    >>> resize(torch.ones(1, 4, 6), 2).shape
    torch.Size([1, 2, 3])
    """
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1 "
                             "in torchscript mode.")
    elif not isinstance(size, numbers.Number):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    kind = _kind(img)
    _, h, w = get_dimensions(img)
    out_h, out_w = _output_size(h, w, size, max_size)
    if (h, w) == (out_h, out_w):
        return img
    if kind == "pil":
        if interpolation not in _TO_PIL:
            raise ValueError(f"Interpolation mode {interpolation} is unsupported with PIL images")
        return img.resize((out_w, out_h), _TO_PIL[interpolation])
    arr = img._data if kind == "tensor" else img
    mode = interpolation
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT,
                    InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        raise NotImplementedError(f"numtorch: resize with {mode} is not supported on "
                                  f"{'tensors' if kind == 'tensor' else 'NumPy images'}; use "
                                  "NEAREST, NEAREST_EXACT, BILINEAR or BICUBIC")
    nearest = mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT)
    if kind == "array":   # a stand-in for a PIL image: Pillow's arithmetic
        if nearest:
            return arr[_nearest_index(h, out_h)][:, _nearest_index(w, out_w)]
        cubic = mode is InterpolationMode.BICUBIC
        if arr.dtype == np.uint8:
            return _pil_resample(arr, out_h, out_w, cubic)
        return _resample_aa(arr, out_h, out_w, cubic, (0, 1)).astype(arr.dtype)
    if antialias and not nearest:
        out = _resample_aa(arr, out_h, out_w, mode is InterpolationMode.BICUBIC,
                           (arr.ndim - 2, arr.ndim - 1))
        if arr.dtype.kind == "f":
            return _make(out.astype(arr.dtype))
        # torchvision resamples integer tensors in float32, then rounds back
        return _make(_back_to(out.astype(np.float32), arr.dtype))
    # PyTorch's interpolate (align_corners=False for the interpolating modes)
    npd = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float32)
    flat = arr.astype(npd, copy=False).reshape((1, -1) + arr.shape[-2:])
    res = interpolate(_make(flat), size=[out_h, out_w], mode=mode.value,
                      align_corners=None if nearest else False)
    out = res._data.reshape(arr.shape[:-2] + (out_h, out_w))
    return _make(out if arr.dtype.kind == "f" else _back_to(out, arr.dtype))


# -- colour ---------------------------------------------------------------------------------------

def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (tensors, as torchvision; integer tensors truncate);
    PIL images convert to ``"L"`` with Pillow; NumPy images use Pillow's integer formula."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    kind = _kind(img)
    if kind == "pil":
        Image = pil_module()
        gray = img.convert("L")
        if num_output_channels == 3:
            return Image.merge("RGB", [gray, gray, gray])
        return gray
    c = get_dimensions(img)[0]
    if kind == "tensor":
        if c not in (1, 3):
            raise TypeError("Input image tensor permitted channel values are [1, 3], but found "
                            f"{c}")
        if img._data.ndim < 3:
            raise TypeError(f"Input image tensor should have at least 3 dimensions, but found "
                            f"{img._data.ndim}")
        if c == 3:
            r, g, b = img.unbind(-3)
            gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(-3)
        else:
            gray = img.clone()
        if num_output_channels == 3:
            return gray.expand(img.shape)
        return gray
    arr = img
    if arr.ndim == 2 or c == 1:
        gray = arr.reshape(arr.shape[:2])
    else:
        if arr.dtype != np.uint8:
            raise TypeError(f"NumPy images must be uint8, got {arr.dtype}")
        rgb = arr[..., :3].astype(np.uint32)
        gray = ((rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 + 0x8000)
                >> 16).astype(np.uint8)
    if num_output_channels == 3:
        return np.repeat(gray[:, :, None], 3, axis=2)
    return gray.copy()


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Same as :func:`rgb_to_grayscale` (torchvision's name for PIL images)."""
    return rgb_to_grayscale(img, num_output_channels)
