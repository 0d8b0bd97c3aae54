"""``torch.distributed`` on MPI: process groups, collectives, and what DDP builds on.

numtorch connects its ranks with MPI (mpi4py and MPICH, from ``pip install
"numtorch[distributed]"``) instead of PyTorch's gloo/NCCL. A PyTorch program runs unchanged:
``init_process_group("gloo")`` and ``init_process_group("mpi")`` both join the MPI job.
Start the ranks with ``numtorch run --nproc 2 program.py`` (each output line prefixed
``[rank0]:``, ``[rank1]:``; a failing rank stops the others) or with ``mpiexec -n 2 python
program.py``; on several machines, ``numtorch run --nproc 8 --hostfile hosts program.py``.

>>> import numtorch.distributed as dist
>>> dist.is_initialized()
False
>>> dist.ReduceOp.SUM
<RedOpType.SUM: 0>
"""
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _c10d_all, Future  # noqa: F401
from ._objects import *  # noqa: F401,F403
from ._objects import __all__ as _objects_all
from . import distributed_c10d  # noqa: F401

__all__ = list(_c10d_all) + list(_objects_all)
