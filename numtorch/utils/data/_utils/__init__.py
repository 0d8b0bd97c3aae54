"""Helpers of the data loader, laid out like ``torch.utils.data._utils``."""
from . import collate, fetch, shm, worker  # noqa: F401
