"""``torch.nn.parallel``: ``DistributedDataParallel`` (several processes, on MPI) and
``DataParallel`` / ``data_parallel`` (one CPU device: a pass-through with PyTorch's shape).

>>> from numtorch.nn.parallel import DataParallel, DistributedDataParallel
"""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


def __getattr__(name: str):
    """``DistributedDataParallel`` loads ``numtorch.distributed`` on first use, not with numtorch."""
    if name == "DistributedDataParallel":
        from .distributed import DistributedDataParallel
        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
