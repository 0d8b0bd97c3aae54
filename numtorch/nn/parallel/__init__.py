"""``torch.nn.parallel``: ``DistributedDataParallel`` (several processes, on MPI) and
``DataParallel`` / ``data_parallel`` (one CPU device: a pass-through with PyTorch's shape).

>>> from numtorch.nn.parallel import DataParallel, DistributedDataParallel
"""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]
