"""Helpers of the data loader, laid out like ``torch.utils.data._utils``."""
from . import collate, fetch, worker  # noqa: F401  (shm: imported by the loaders that use it)
