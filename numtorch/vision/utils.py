"""``torchvision.utils``: ``make_grid`` (tile a batch of images into one) and ``save_image``.

>>> import numtorch as torch
>>> from numtorch.vision.utils import make_grid
>>> make_grid(torch.zeros(16, 1, 28, 28), nrow=4).shape
torch.Size([3, 122, 122])
"""
from __future__ import annotations

import math
import os
from typing import Any, BinaryIO, List, Optional, Tuple, Union

import numpy as np

from .._tensor import Tensor

__all__ = ["make_grid", "save_image"]

_make = Tensor._make


def _normalize_(arr: np.ndarray, low: float, high: float) -> None:
    """Clamp to ``[low, high]`` and map it to ``[0, 1]``, in place, in ``arr``'s dtype."""
    t = arr.dtype.type
    np.clip(arr, t(low), t(high), out=arr)
    arr -= t(low)
    arr /= t(max(high - low, 1e-5))


def _normalize_range_(arr: np.ndarray, value_range: Optional[Tuple[float, float]]) -> None:
    if value_range is not None:
        _normalize_(arr, value_range[0], value_range[1])
    else:
        _normalize_(arr, float(arr.min()), float(arr.max()))


def make_grid(tensor: Union[Tensor, List[Tensor]], nrow: int = 8, padding: int = 2,
              normalize: bool = False, value_range: Optional[Tuple[float, float]] = None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Tile a batch ``B x C x H x W`` (or a list of ``C x H x W`` images) into one image, ``nrow``
    images per row, ``padding`` pixels of ``pad_value`` around each. One-channel images become
    three-channel; ``normalize`` maps ``value_range`` (default: the min and max, per image with
    ``scale_each``) to [0, 1]. A batch of one image is returned without padding.

    >>> import numtorch as torch
    >>> make_grid(torch.ones(3, 3, 2, 2), nrow=2, padding=1)[0]
    tensor([[0., 0., 0., 0., 0., 0., 0.],
            [0., 1., 1., 0., 1., 1., 0.],
            [0., 1., 1., 0., 1., 1., 0.],
            [0., 0., 0., 0., 0., 0., 0.],
            [0., 1., 1., 0., 0., 0., 0.],
            [0., 1., 1., 0., 0., 0., 0.],
            [0., 0., 0., 0., 0., 0., 0.]])
    """
    if isinstance(tensor, Tensor):
        arr = tensor._data
    elif isinstance(tensor, list):
        for t in tensor:
            if not isinstance(t, Tensor):
                raise TypeError(f"tensor or list of tensors expected, got a list containing "
                                f"{type(t)}")
        if not tensor:
            raise RuntimeError("stack expects a non-empty TensorList")
        arr = np.stack([t._data for t in tensor])
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if arr.ndim == 2:                      # a single image H x W
        arr = arr[None]
    if arr.ndim == 3:                      # a single image C x H x W
        if arr.shape[0] == 1:
            arr = np.concatenate([arr, arr, arr], axis=0)
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"make_grid expects a 2-, 3- or 4-d tensor, got {arr.ndim} dimensions")
    if arr.shape[1] == 1:                  # one channel -> three
        arr = np.concatenate([arr, arr, arr], axis=1)
    if normalize:
        arr = arr.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        if scale_each:
            for img in arr:
                _normalize_range_(img, value_range)
        else:
            _normalize_range_(arr, value_range)
    if arr.shape[0] == 1:
        return _make(np.ascontiguousarray(arr[0]))
    nmaps, channels, h, w = arr.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(h + padding), int(w + padding)
    grid = np.full((channels, height * ymaps + padding, width * xmaps + padding),
                   arr.dtype.type(pad_value), dtype=arr.dtype)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            top, left = y * height + padding, x * width + padding
            grid[:, top:top + height - padding, left:left + width - padding] = arr[k]
            k += 1
    return _make(grid)


def save_image(tensor: Union[Tensor, List[Tensor]], fp: Union[str, "os.PathLike[str]", BinaryIO],
               format: Optional[str] = None, **kwargs: Any) -> None:
    """Save a tensor image (or a batch, tiled by :func:`make_grid` with ``**kwargs``) as an
    image file (PNG unless ``format`` or the file name says otherwise). Values are taken as
    [0, 1]: pixel = ``clamp(x * 255 + 0.5, 0, 255)`` truncated to uint8. Needs Pillow, which
    ``pip install 'numtorch[examples]'`` brings with matplotlib.

    >>> import numtorch as torch
    >>> save_image(torch.rand(4, 1, 8, 8), "grid.png", nrow=2)   # doctest: +SKIP
    """
    grid = make_grid(tensor, **kwargs)._data
    t = grid.dtype.type if grid.dtype.kind == "f" else np.float32
    scaled = grid.astype(t) * t(255) + t(0.5)
    ndarr = np.clip(scaled, t(0), t(255)).transpose(1, 2, 0).astype(np.uint8)
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        if ndarr.shape[2] == 1:
            ndarr = ndarr[:, :, 0]
        Image.fromarray(np.ascontiguousarray(ndarr)).save(fp, format=format)
        return
    try:
        import matplotlib.image as mpimg
    except ImportError:
        raise ImportError("save_image needs Pillow or matplotlib to write image files: "
                          "pip install 'numtorch[examples]'") from None
    mpimg.imsave(fp, ndarr if ndarr.shape[2] != 1 else ndarr[:, :, 0], format=format or "png")
