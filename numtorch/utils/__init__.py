"""``torch.utils``: data loading (``numtorch.utils.data``).

>>> import numtorch as torch
>>> torch.utils.data.TensorDataset(torch.arange(3))[1]
(tensor(1),)
"""
from . import data

__all__ = ["data"]


_SUBMODULES = ("checkpoint",)


def __getattr__(name: str):
    if name in _SUBMODULES:            # torch.utils.checkpoint without importing it first
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"numtorch does not implement torch.utils.{name} yet")
