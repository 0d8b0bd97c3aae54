"""``torchvision.transforms``: image transforms for tensors, PIL images and NumPy images.

>>> from numtorch.vision import transforms
>>> transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
Compose(
    ToTensor()
    Normalize(mean=(0.1307,), std=(0.3081,))
)
"""
from . import functional
from .functional import InterpolationMode
from .transforms import (CenterCrop, Compose, ConvertImageDtype, Grayscale, Lambda, Normalize,
                         Pad, PILToTensor, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip,
                         Resize, ToPILImage, ToTensor)

__all__ = ["functional", "InterpolationMode", "CenterCrop", "Compose", "ConvertImageDtype",
           "Grayscale", "Lambda", "Normalize", "Pad", "PILToTensor", "RandomCrop",
           "RandomHorizontalFlip", "RandomVerticalFlip", "Resize", "ToPILImage", "ToTensor"]


def __getattr__(name: str):
    """Name what is missing (``RandomResizedCrop``, ``ColorJitter``, ``v2``, ... are not here)."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torchvision.transforms.{name} yet")
