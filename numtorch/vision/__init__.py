"""``torchvision`` for numtorch: ``datasets``, ``transforms`` and ``utils``.

``python -m numtorch.run`` maps ``import torchvision`` to this package, so image programs run
unchanged. Without Pillow, datasets return uint8 NumPy images instead of PIL images (see
:func:`get_image_backend`); the transforms accept either.

>>> from numtorch.vision import datasets, transforms, utils
>>> transforms.ToTensor()
ToTensor()
"""
from . import datasets, transforms, utils
from ._image import get_image_backend, set_image_backend

__all__ = ["datasets", "transforms", "utils", "get_image_backend", "set_image_backend"]


def __getattr__(name: str):
    """Name what is missing (``torchvision.models`` and the rest are not implemented)."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torchvision.{name} yet")
