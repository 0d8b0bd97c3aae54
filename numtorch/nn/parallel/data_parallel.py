"""``nn.DataParallel`` and ``nn.parallel.data_parallel`` on numtorch's one CPU device.

PyTorch's ``DataParallel`` splits a batch across GPUs in one process. numtorch runs on one
device, so the wrapper passes the batch straight to its module; it keeps PyTorch's shape
(``.module``, ``module.``-prefixed ``state_dict`` keys, the same printout), so programs and
checkpoints written for it work. For several processes use ``DistributedDataParallel``.

>>> from numtorch import nn
>>> m = nn.DataParallel(nn.Linear(2, 3))
>>> list(m.state_dict())
['module.weight', 'module.bias']
"""
from __future__ import annotations

from typing import Any, Optional, Sequence

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Runs ``module`` on the batch (one CPU device: no split); ``.module`` is the model.

    >>> import numtorch as torch
    >>> m = torch.nn.DataParallel(torch.nn.Linear(2, 3))
    >>> m(torch.ones(4, 2)).shape
    torch.Size([4, 3])
    """

    def __init__(self, module: Module, device_ids: Optional[Sequence[Any]] = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = []          # what PyTorch keeps when no GPU is available

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Optional[Sequence[Any]] = None,
                  output_device: Any = None, dim: int = 0, module_kwargs: Any = None) -> Any:
    """``module(*inputs, **module_kwargs)`` (one CPU device: nothing to split or gather).

    >>> import numtorch as torch
    >>> torch.nn.parallel.data_parallel(torch.nn.Linear(2, 3), torch.ones(4, 2)).shape
    torch.Size([4, 3])
    """
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
