"""What an "image" is in numtorch.vision, with or without Pillow.

torchvision's datasets return PIL images and its transforms take PIL images or tensors. numtorch
does not need Pillow: with it installed (matplotlib brings it), datasets return PIL images as
torchvision does; without it (or after ``set_image_backend("numpy")``) they return uint8 NumPy
arrays of shape ``H x W`` or ``H x W x C`` (the array ``np.asarray(pil_image)`` would give), and
every transform that takes a PIL image takes such an array the same way.
"""
from __future__ import annotations

import sys
from typing import Any, Optional, Tuple

import numpy as np

__all__ = ["get_image_backend", "set_image_backend"]

_backend: Optional[str] = None   # None: "PIL" when Pillow imports, else "numpy"
_pil_checked = False
_pil: Any = None


def pil_module() -> Any:
    """``PIL.Image`` when Pillow is installed, else None (imported on first use)."""
    global _pil_checked, _pil
    if not _pil_checked:
        _pil_checked = True
        try:
            from PIL import Image
            _pil = Image
        except ImportError:
            _pil = None
    return _pil


def get_image_backend() -> str:
    """``"PIL"`` (datasets return PIL images) or ``"numpy"`` (uint8 arrays ``H x W [x C]``).

    >>> from numtorch import vision
    >>> vision.get_image_backend() in ("PIL", "numpy")
    True
    """
    if _backend is not None:
        return _backend
    return "PIL" if pil_module() is not None else "numpy"


def set_image_backend(backend: str) -> None:
    """Choose what datasets return: ``"PIL"`` (needs Pillow) or ``"numpy"``.

    >>> from numtorch import vision
    >>> vision.set_image_backend("numpy")
    >>> vision.get_image_backend()
    'numpy'
    """
    global _backend
    if backend not in ("PIL", "numpy"):
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'numpy'")
    if backend == "PIL" and pil_module() is None:
        raise ImportError("the 'PIL' image backend needs Pillow: pip install pillow "
                          "(or pip install 'numtorch[examples]', whose matplotlib brings it)")
    _backend = backend


def is_pil(img: Any) -> bool:
    """Whether ``img`` is a PIL image (without importing Pillow when it was not imported)."""
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(img, mod.Image)


def is_array_image(img: Any) -> bool:
    """A NumPy array standing in for a PIL image: ``H x W`` or ``H x W x C``."""
    return isinstance(img, np.ndarray) and img.ndim in (2, 3)


def to_output_image(arr: np.ndarray) -> Any:
    """A dataset item's image: a PIL image under the PIL backend, else the uint8 array."""
    if get_image_backend() == "PIL":
        return pil_module().fromarray(arr)
    return arr


def pil_to_array(img: Any) -> Tuple[np.ndarray, str]:
    """A PIL image's pixels as an ``H x W [x C]`` array, and its mode."""
    return np.asarray(img), img.mode


def array_to_pil(arr: np.ndarray, mode: str) -> Any:
    """Back to a PIL image of ``mode`` (after a NumPy-side edit such as padding)."""
    Image = pil_module()
    if mode == "1":
        return Image.fromarray(arr.astype(np.uint8) * 255).convert("1")
    out = Image.fromarray(np.ascontiguousarray(arr))
    return out if out.mode == mode else out.convert(mode)
