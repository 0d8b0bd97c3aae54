"""Process groups and collectives (PyTorch's ``torch.distributed.distributed_c10d``) on MPI.

Every rank is an MPI process; the default group is a copy of ``MPI.COMM_WORLD`` and
``new_group`` makes sub-communicators. Collectives work in place on the tensor's own array
whenever it is contiguous (strided tensors go through a contiguous copy that is written back).
``async_op=True`` starts MPI's non-blocking operation and returns a :class:`Work`.

Start the ranks with ``numtorch run --nproc 2 prog.py`` or ``mpiexec -n 2 python prog.py``::

    import numtorch as torch
    import numtorch.distributed as dist
    dist.init_process_group("gloo")            # "mpi" too; both run on MPI
    t = torch.tensor([float(dist.get_rank())])
    dist.all_reduce(t)                         # tensor([1.]) on both ranks
"""
from __future__ import annotations

import enum
import os
import sys
import warnings
from typing import Any, Callable, List, Optional, Sequence

import numpy as np

from .._tensor import Tensor
from . import _mpi
from ._mpi import host_buffer, readable

__all__ = [
    "Backend", "ReduceOp", "ProcessGroup", "Work", "group", "GroupMember", "P2POp",
    "is_available", "is_mpi_available", "is_gloo_available", "is_nccl_available",
    "is_ucc_available", "is_xccl_available", "is_torchelastic_launched", "is_initialized",
    "init_process_group", "destroy_process_group", "get_backend", "get_rank", "get_world_size",
    "get_node_local_rank", "new_group", "new_subgroups", "new_subgroups_by_enumeration",
    "get_process_group_ranks", "get_group_rank", "get_global_rank", "barrier",
    "monitored_barrier", "all_reduce", "reduce", "broadcast", "all_gather",
    "all_gather_into_tensor", "gather", "scatter", "reduce_scatter", "reduce_scatter_tensor",
    "all_to_all", "all_to_all_single", "send", "recv", "isend", "irecv", "batch_isend_irecv",
]

_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


# -- names ----------------------------------------------------------------------------------------

class Backend(str):
    """A backend name: ``Backend("GLOO") == "gloo"``. ``"gloo"`` and ``"mpi"`` both run on MPI."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"

    def __new__(cls, name: str) -> "Backend":
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        return str.__new__(cls, name.lower())


class ReduceOp:
    """How collectives combine values: ``ReduceOp.SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``,
    ``BAND``, ``BOR``, ``BXOR``.

    >>> ReduceOp.SUM
    <RedOpType.SUM: 0>
    """

    class RedOpType(int, enum.Enum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7
        PREMUL_SUM = 8

        def __str__(self) -> str:
            return f"RedOpType.{self.name}"

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


class ProcessGroup:
    """A group of ranks and the MPI communicator that connects them.

    ``rank()`` and ``size()`` are this process's rank in the group and the group's size.
    """

    def __init__(self, comm, ranks: Sequence[int], backend: str) -> None:
        self._comm = comm
        self._ranks = list(ranks)                 # global ranks, in group-rank order
        self._backend = backend
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._windows: list = []                  # (shared-memory window, its communicator)

    def rank(self) -> int:
        return self._rank

    def size(self) -> int:
        return self._size

    def name(self) -> str:
        return self._backend

    def _group_rank(self, global_rank: int) -> int:
        try:
            return self._ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group {self}") from None


class group:
    """``group.WORLD``: the default process group (None before ``init_process_group``)."""

    WORLD: Optional[ProcessGroup] = None


class GroupMember:
    """``GroupMember.WORLD`` (the default group) and ``NON_GROUP_MEMBER``, what ``new_group``
    returns on ranks outside the new group."""

    WORLD: Optional[ProcessGroup] = None
    NON_GROUP_MEMBER = -100


class _State:
    world: Optional[ProcessGroup] = None
    groups: List[ProcessGroup] = []
    created = 0                                   # new_group calls (the MPI tag of the next)


_state = _State()


# -- asynchronous work ---------------------------------------------------------------------------

class Work:
    """A started collective (``async_op=True``): ``wait()`` blocks until it is done,
    ``is_completed()`` asks without blocking.

    >>> # w = dist.all_reduce(t, async_op=True); ...; w.wait()
    """

    def __init__(self, requests=(), finish: Optional[Callable[[], None]] = None,
                 result: Sequence[Tensor] = (), pg: Optional[ProcessGroup] = None) -> None:
        self._requests = list(requests)
        self._finish = finish
        self._result = list(result)
        self._pg = pg
        self._status = None
        self._done = not self._requests and finish is None

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()

    def wait(self, timeout=None) -> bool:
        """Block until the operation has finished (its results are in place); True."""
        if not self._done:
            if self._requests:
                MPI = _mpi.mpi()
                if self._status is not None:
                    MPI.Request.Waitall(self._requests, [self._status])
                else:
                    MPI.Request.Waitall(self._requests)
            self._complete()
        return True

    synchronize = wait

    def is_completed(self) -> bool:
        """Whether the operation has finished (drives MPI's progress; never blocks)."""
        if not self._done and _mpi.mpi().Request.Testall(
                self._requests, None if self._status is None else [self._status]):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def exception(self):
        return None

    def result(self) -> List[Tensor]:
        """The tensors the operation wrote (after ``wait()``)."""
        self.wait()
        return self._result

    def source_rank(self) -> int:
        """For ``irecv`` from any source: the global rank the message came from."""
        if self._status is None:
            raise RuntimeError("source_rank is only available for recv work")
        self.wait()
        return self._pg._ranks[self._status.Get_source()]

    def get_future(self) -> "Future":
        return Future(self)


class Future:
    """A minimal ``torch.futures.Future`` over a :class:`Work`: ``wait()`` returns the result."""

    def __init__(self, work: Optional[Work] = None, value: Any = None) -> None:
        self._work, self._value, self._callbacks = work, value, []

    def done(self) -> bool:
        return self._work is None or self._work.is_completed()

    def wait(self) -> Any:
        if self._work is not None:
            self._value, self._work = self._work.result(), None
        return self._value

    value = wait

    def then(self, callback: Callable[["Future"], Any]) -> "Future":
        return Future(value=callback(self))


def _issue(work: Work, async_op: bool) -> Optional[Work]:
    if async_op:
        return work
    work.wait()
    return None


# -- availability and the default group ----------------------------------------------------------

def is_available() -> bool:
    """Whether ``numtorch.distributed`` can run: mpi4py is installed (see the
    ``numtorch[distributed]`` extra). Starts nothing."""
    return _mpi.available()


def is_mpi_available() -> bool:
    return _mpi.available()


def is_gloo_available() -> bool:
    """True when MPI is (``"gloo"`` runs on MPI in numtorch)."""
    return _mpi.available()


def is_nccl_available() -> bool:
    return False


def is_ucc_available() -> bool:
    return False


def is_xccl_available() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    return os.environ.get("TORCHELASTIC_RUN_ID") is not None


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not destroyed)."""
    return _state.world is not None


def _backend_name(backend) -> str:
    if backend is None:
        return Backend.MPI
    name = str(backend).lower()
    if ":" in name:                                # "cpu:gloo,cuda:nccl": the CPU part
        parts = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        name = parts.get("cpu", name)
    if name in (Backend.MPI, Backend.GLOO):
        return name
    if name in (Backend.NCCL, Backend.UCC, "xccl"):
        raise RuntimeError(
            f"numtorch.distributed runs on MPI with CPU tensors and has no {name!r} backend: "
            "use init_process_group('gloo') or ('mpi')")
    raise AssertionError(f"Unknown backend type {backend}")


def init_process_group(backend: Optional[str] = None, init_method: Optional[str] = None,
                       timeout=None, world_size: int = -1, rank: int = -1, store=None,
                       group_name: str = "", pg_options=None, device_id=None) -> None:
    """Join the job's default process group: every rank started by ``numtorch run --nproc N``
    or ``mpiexec -n N`` calls it. ``backend`` may be ``"mpi"`` or ``"gloo"`` (both MPI);
    ``init_method``/``store``/``timeout`` are accepted and unused (MPI connects the ranks).
    ``world_size`` and ``rank``, when given, must agree with how the job was started.

    A process started on its own is rank 0 of a world of 1.
    """
    if _state.world is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = _backend_name(backend)
    MPI = _mpi.mpi()
    world = MPI.COMM_WORLD
    n, me = world.Get_size(), world.Get_rank()
    if world_size not in (-1, None) and int(world_size) != n:
        raise RuntimeError(
            f"init_process_group(world_size={world_size}) but this job has {n} MPI process"
            f"{'es' if n != 1 else ''}: start the ranks with `numtorch run --nproc "
            f"{world_size} program.py` or `mpiexec -n {world_size} python program.py` "
            "(numtorch.distributed does not connect separately started processes)")
    if rank not in (-1, None) and int(rank) != me:
        raise RuntimeError(f"init_process_group(rank={rank}) but MPI made this process rank "
                           f"{me}; let the launcher choose ranks (or read os.environ['RANK'])")
    pg = ProcessGroup(world.Dup(), range(n), name)
    _state.world = pg
    _state.groups = [pg]
    _state.created = 0
    group.WORLD = GroupMember.WORLD = pg
    if n > 1:
        _mpi.abort_on_error()


def destroy_process_group(group: Optional[ProcessGroup] = None) -> None:
    """Release ``group`` (default: every group, after which ``init_process_group`` may be called
    again). MPI itself stays up until the process exits."""
    world = _world()
    if group is None or group is world:
        for pg in _state.groups:
            _free(pg)
        _state.world = None
        _state.groups = []
        globals()["group"].WORLD = GroupMember.WORLD = None
        return
    if isinstance(group, ProcessGroup) and group in _state.groups:
        _free(group)
        _state.groups.remove(group)


def _free(pg: ProcessGroup) -> None:
    for win, node in pg._windows:          # DDP's shared memory (distributed/_shared.py)
        try:
            win.Unlock_all()
            win.Free()
            node.Free()
        except Exception:      # pragma: no cover - MPI already finalized
            pass
    pg._windows = []
    if pg._comm is not None:
        try:
            pg._comm.Free()
        except Exception:      # pragma: no cover - MPI already finalized
            pass
        pg._comm = None


def _world() -> ProcessGroup:
    world = _state.world
    if world is None:
        raise ValueError(_NOT_INIT)
    return world


def _group(g) -> Optional[ProcessGroup]:
    """The process group ``g`` means, or None when this rank is not in it."""
    world = _world()
    if g is None:
        return world
    if isinstance(g, ProcessGroup):
        if g._comm is None:
            raise ValueError("Invalid process group specified")
        return g
    if isinstance(g, int) and g == GroupMember.NON_GROUP_MEMBER:
        return None
    raise TypeError(f"group must be a ProcessGroup, got {type(g).__name__}")


def _member(g, op: str) -> Optional[ProcessGroup]:
    pg = _group(g)
    if pg is None:
        warnings.warn(f"Running {op} on global rank {_world().rank()} which does not belong to "
                      "the given group.", stacklevel=3)
    return pg


def get_backend(group: Optional[ProcessGroup] = None) -> str:
    """The backend name given to ``init_process_group`` (``"mpi"`` or ``"gloo"``)."""
    pg = _group(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return Backend(pg._backend)


def get_rank(group: Optional[ProcessGroup] = None) -> int:
    """This process's rank in ``group`` (the default group unless given); -1 outside it."""
    pg = _group(group)
    return -1 if pg is None else pg._rank


def get_world_size(group: Optional[ProcessGroup] = None) -> int:
    """How many ranks ``group`` (default: all) has; -1 when this rank is not in it."""
    pg = _group(group)
    return -1 if pg is None else pg._size


def get_node_local_rank(fallback_rank: Optional[int] = None) -> int:
    """This process's rank on its machine (``LOCAL_RANK``, set by the launcher)."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank "
                       "to allow `get_node_local_rank` to work, assuming you are not running "
                       "in a multi-device context and want the code to run locally instead.")


# -- groups -------------------------------------------------------------------------------------

def new_group(ranks: Optional[Sequence[int]] = None, timeout=None, backend=None,
              pg_options=None, use_local_synchronization: bool = False, group_desc=None,
              device_id=None):
    """A process group of some ranks (global ranks; all by default). Every rank calls it, in
    the same order; ranks outside get ``GroupMember.NON_GROUP_MEMBER``."""
    world = _world()
    n = world.size()
    ranks = list(range(n)) if ranks is None else [int(r) for r in ranks]
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"ranks list must not contain duplicate entries, got {ranks}")
    for r in ranks:
        if not 0 <= r < n:
            raise ValueError(f"Rank {r} is out of range. Valid ranks are 0 to {n - 1} "
                             f"(world_size={n})")
    ranks = sorted(ranks)
    _state.created += 1
    if world.rank() not in ranks:
        return GroupMember.NON_GROUP_MEMBER
    mpi_group = world._comm.Get_group()
    sub = mpi_group.Incl(ranks)
    try:
        comm = world._comm.Create_group(sub, _state.created)
    finally:
        sub.Free()
        mpi_group.Free()
    pg = ProcessGroup(comm, ranks, world._backend if backend is None else _backend_name(backend))
    _state.groups.append(pg)
    return pg


def new_subgroups(group_size: Optional[int] = None, group=None, timeout=None, backend=None,
                  pg_options=None, group_desc=None):
    """Split the ranks into consecutive groups of ``group_size``: ``(this rank's, all)``."""
    n = get_world_size()
    if group_size is None:
        group_size = int(os.environ.get("LOCAL_WORLD_SIZE", n))
    if group_size <= 0:
        raise ValueError(f"The arg 'group_size' ({group_size}) must be positive")
    if n % group_size != 0:
        raise ValueError(f"The world size ({n}) must be divisible by 'group_size={group_size}'")
    return new_subgroups_by_enumeration(
        [list(range(i, i + group_size)) for i in range(0, n, group_size)], timeout, backend,
        pg_options)


def new_subgroups_by_enumeration(ranks_per_subgroup_list: Sequence[Sequence[int]], timeout=None,
                                 backend=None, pg_options=None, group_desc=None):
    """One group per list of ranks: ``(this rank's group or None, all groups)``."""
    if not ranks_per_subgroup_list:
        raise ValueError("The arg 'ranks_per_subgroup_list' cannot be empty")
    mine, subgroups = None, []
    for ranks in ranks_per_subgroup_list:
        pg = new_group(ranks, timeout, backend, pg_options)
        subgroups.append(pg)
        if isinstance(pg, ProcessGroup):
            if mine is not None:
                raise ValueError(f"Rank {get_rank()} has appeared in both subgroup "
                                 f"{mine._ranks} and {ranks}")
            mine = pg
    return mine, subgroups


def get_process_group_ranks(group: ProcessGroup) -> List[int]:
    """The global ranks in ``group``, in group-rank order."""
    pg = _group(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """``global_rank``'s rank inside ``group``."""
    pg = _group(group)
    if pg is _state.world:
        return global_rank
    return pg._group_rank(global_rank)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The global rank of ``group``'s rank ``group_rank``."""
    pg = _group(group)
    if pg is _state.world:
        return group_rank
    if not 0 <= group_rank < len(pg._ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
    return pg._ranks[group_rank]


# -- helpers ------------------------------------------------------------------------------------

def _check_tensor(t, name: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor\n             but got {type(t)} instead.")


def _check_list(ts, name: str) -> None:
    if not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"List[torch.Tensor]\n             but got {type(ts)} instead.")


def _root(pg: ProcessGroup, rank: Optional[int], group_rank: Optional[int], op: str) -> int:
    """The group rank of a collective's root, from a global rank or a group rank."""
    if rank is None and group_rank is None:
        raise ValueError("Must specify global_rank or group_rank")
    if rank is not None and group_rank is not None:
        raise ValueError("Can't specify both global_rank and group_rank")
    if group_rank is None:
        r = int(rank)
        if pg is not _state.world:
            r = pg._group_rank(r)
    else:
        r = int(group_rank)
    if not 0 <= r < pg._size:
        raise RuntimeError(f"{op}: invalid root rank: {r}")
    return r


def _call(op: str, fn, *args):
    """Run an mpi4py call; MPI's errors come out as RuntimeError with MPI's text."""
    try:
        return fn(*args)
    except _mpi.mpi().Exception as e:
        raise RuntimeError(f"{op}: {e.Get_error_string()}") from None


def _bump(t: Tensor) -> None:
    t._vc[0] += 1


_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool"}


def _reduction(op, dtype: np.dtype, n: int):
    """``(MPI op, post)``: the MPI operation for ``op`` on ``dtype`` and what to do to the
    result afterwards (``AVG`` divides the sum by ``n``)."""
    MPI = _mpi.mpi()
    try:
        op = ReduceOp.RedOpType(op)
    except ValueError:
        raise TypeError(f"op must be a torch.distributed.ReduceOp, got {op!r}") from None
    kind = dtype.kind
    if kind == "b":
        table = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                 ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND, ReduceOp.BAND: MPI.LAND,
                 ReduceOp.BXOR: MPI.LXOR}
        if op not in table:
            raise RuntimeError(f"Cannot use {op} with bool tensors")
        return table[op], None
    if op is ReduceOp.AVG:
        if kind not in "fc":
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{_TORCH_NAMES.get(dtype.name, dtype.name)}")

        def average(buf: np.ndarray) -> None:
            np.divide(buf, n, out=buf)
        return MPI.SUM, average
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "iu":
        raise RuntimeError(f"Cannot use {op} with floating point tensors")
    if op in (ReduceOp.MIN, ReduceOp.MAX) and kind == "c":
        raise RuntimeError(f"Cannot use {op} with complex inputs")
    if op is ReduceOp.PREMUL_SUM:
        raise RuntimeError("ReduceOp.PREMUL_SUM is not supported by numtorch's MPI backend")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD, ReduceOp.MIN: MPI.MIN,
            ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND, ReduceOp.BOR: MPI.BOR,
            ReduceOp.BXOR: MPI.BXOR}[op], None


def _finisher(*steps) -> Optional[Callable[[], None]]:
    steps = [s for s in steps if s is not None]

    def finish() -> None:
        for s in steps:
            s()
    return finish


# -- collectives on tensors ---------------------------------------------------------------------

def barrier(group: Optional[ProcessGroup] = None, async_op: bool = False, device_ids=None):
    """Wait until every rank of ``group`` has reached the barrier."""
    pg = _member(group, "barrier")
    if pg is None:
        return None
    return _issue(Work([_call("barrier", pg._comm.Ibarrier)]), async_op)


def monitored_barrier(group: Optional[ProcessGroup] = None, timeout=None,
                      wait_all_ranks: bool = False) -> None:
    """``barrier`` (MPI reports a failed rank by stopping the job)."""
    barrier(group)


def all_reduce(tensor: Tensor, op=ReduceOp.SUM, group: Optional[ProcessGroup] = None,
               async_op: bool = False):
    """Combine ``tensor`` across ranks with ``op``; every rank gets the result in place.

    >>> # t = torch.tensor([rank + 1.]); dist.all_reduce(t)   # 3. on both of 2 ranks
    """
    _check_tensor(tensor, "tensor")
    pg = _member(group, "all_reduce")
    if pg is None:
        return None
    MPI = _mpi.mpi()
    buf, writeback = host_buffer(tensor)
    mop, post = _reduction(op, buf.dtype, pg._size)
    req = _call("all_reduce", pg._comm.Iallreduce, MPI.IN_PLACE, buf, mop)
    return _issue(Work([req], _finisher(post and (lambda: post(buf)), writeback,
                                        lambda: _bump(tensor)), [tensor], pg), async_op)


def reduce(tensor: Tensor, dst: Optional[int] = None, op=ReduceOp.SUM,
           group: Optional[ProcessGroup] = None, async_op: bool = False,
           group_dst: Optional[int] = None):
    """Combine ``tensor`` across ranks into rank ``dst``'s tensor (others keep theirs)."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "reduce")
    if pg is None:
        return None
    MPI = _mpi.mpi()
    root = _root(pg, dst, group_dst, "reduce")
    buf, writeback = host_buffer(tensor)
    mop, post = _reduction(op, buf.dtype, pg._size)
    if pg._rank == root:
        req = _call("reduce", pg._comm.Ireduce, MPI.IN_PLACE, buf, mop, root)
        finish = _finisher(post and (lambda: post(buf)), writeback, lambda: _bump(tensor))
    else:
        req = _call("reduce", pg._comm.Ireduce, buf, None, mop, root)
        finish = None
    return _issue(Work([req], finish, [tensor], pg), async_op)


def broadcast(tensor: Tensor, src: Optional[int] = None, group: Optional[ProcessGroup] = None,
              async_op: bool = False, group_src: Optional[int] = None):
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor``."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "broadcast")
    if pg is None:
        return None
    root = _root(pg, src, group_src, "broadcast")
    if pg._rank == root:
        req = _call("broadcast", pg._comm.Ibcast, readable(tensor), root)
        return _issue(Work([req], None, [tensor], pg), async_op)
    buf, writeback = host_buffer(tensor)
    req = _call("broadcast", pg._comm.Ibcast, buf, root)
    return _issue(Work([req], _finisher(writeback, lambda: _bump(tensor)), [tensor], pg),
                  async_op)


def _check_shapes(op: str, tensors: Sequence[Tensor], like: Tensor) -> bool:
    """Whether every tensor has ``like``'s shape and dtype (raises on a dtype mismatch)."""
    same = True
    for i, t in enumerate(tensors):
        if t._data.dtype != like._data.dtype:
            raise RuntimeError(f"{op}: invalid tensor type at index {i} (expected "
                               f"{like.dtype}, got {t.dtype})")
        if t._data.shape != like._data.shape:
            same = False
    return same


def _fill(tensors: Sequence[Tensor], parts: Sequence[np.ndarray]) -> None:
    """Copy received blocks into the tensors (of any layout or device)."""
    for t, p in zip(tensors, parts):
        p = p.reshape(t._data.shape)
        t._data[...] = p if type(t._data) is np.ndarray else sys.modules["cupy"].asarray(p)
        _bump(t)


def _counts(tensors: Sequence[Tensor]):
    counts = [int(t._data.size) for t in tensors]
    displs = [0] * len(counts)
    for i in range(1, len(counts)):
        displs[i] = displs[i - 1] + counts[i - 1]
    return counts, displs


def all_gather(tensor_list: List[Tensor], tensor: Tensor, group: Optional[ProcessGroup] = None,
               async_op: bool = False):
    """Every rank's ``tensor`` into ``tensor_list[rank]`` on every rank (sizes may differ by
    rank when ``tensor_list`` has each rank's size)."""
    _check_list(tensor_list, "tensor_list")
    _check_tensor(tensor, "tensor")
    pg = _member(group, "all_gather")
    if pg is None:
        return None
    op = "all_gather"
    if len(tensor_list) != pg._size:
        raise RuntimeError(f"{op}: invalid output tensor list at index 0 (expected length "
                           f"{pg._size}, got {len(tensor_list)})")
    send = readable(tensor)
    if _check_shapes(op, tensor_list, tensor):
        recv = np.empty((pg._size,) + send.shape, send.dtype)
        req = _call(op, pg._comm.Iallgather, send, recv)
        parts = recv
    else:
        me = tensor_list[pg._rank]
        if me._data.shape != tensor._data.shape:
            raise RuntimeError(f"{op}: invalid tensor size at index {pg._rank} (expected "
                               f"{tuple(tensor.shape)}, got {tuple(me.shape)})")
        counts, displs = _counts(tensor_list)
        recv = np.empty(sum(counts), send.dtype)
        req = _call(op, pg._comm.Iallgatherv, send, [recv, counts, displs, None])
        parts = [recv[d:d + c] for c, d in zip(counts, displs)]
    return _issue(Work([req], lambda: _fill(tensor_list, parts), tensor_list, pg), async_op)


def _flat_out(op: str, output: Tensor, input: Tensor, n: int):
    if output._data.dtype != input._data.dtype:
        raise RuntimeError(f"{op}: invalid tensor type (expected {input.dtype}, got "
                           f"{output.dtype})")
    if output._data.size != n * input._data.size:
        raise RuntimeError(f"{op}: output tensor must have {n} times the input's elements "
                           f"(expected {n * input._data.size}, got {output._data.size})")
    return host_buffer(output)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor,
                           group: Optional[ProcessGroup] = None, async_op: bool = False):
    """Every rank's ``input_tensor``, concatenated (or stacked) in rank order, into
    ``output_tensor`` on every rank."""
    _check_tensor(output_tensor, "output_tensor")
    _check_tensor(input_tensor, "input_tensor")
    pg = _member(group, "all_gather_into_tensor")
    if pg is None:
        return None
    op = "all_gather_into_tensor"
    buf, writeback = _flat_out(op, output_tensor, input_tensor, pg._size)
    req = _call(op, pg._comm.Iallgather, readable(input_tensor), buf)
    return _issue(Work([req], _finisher(writeback, lambda: _bump(output_tensor)),
                       [output_tensor], pg), async_op)


def gather(tensor: Tensor, gather_list: Optional[List[Tensor]] = None, dst: Optional[int] = None,
           group: Optional[ProcessGroup] = None, async_op: bool = False,
           group_dst: Optional[int] = None):
    """Every rank's ``tensor`` into ``gather_list`` on rank ``dst`` (default 0)."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "gather")
    if pg is None:
        return None
    if dst is None and group_dst is None:
        group_dst = 0
    root = _root(pg, dst, group_dst, "gather")
    send = readable(tensor)
    if pg._rank != root:
        if gather_list:
            raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination "
                             "ranks.")
        req = _call("gather", pg._comm.Igather, send, None, root)
        return _issue(Work([req], None, [], pg), async_op)
    if not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _check_list(gather_list, "gather_list")
    if len(gather_list) != pg._size or not _check_shapes("gather", gather_list, tensor):
        raise RuntimeError(f"gather: gather_list must hold {pg._size} tensors of size "
                           f"{tuple(tensor.shape)}")
    recv = np.empty((pg._size,) + send.shape, send.dtype)
    req = _call("gather", pg._comm.Igather, send, recv, root)
    return _issue(Work([req], lambda: _fill(gather_list, recv), gather_list, pg), async_op)


def scatter(tensor: Tensor, scatter_list: Optional[List[Tensor]] = None,
            src: Optional[int] = None, group: Optional[ProcessGroup] = None,
            async_op: bool = False, group_src: Optional[int] = None):
    """``scatter_list[i]`` of rank ``src`` (default 0) into rank i's ``tensor``."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "scatter")
    if pg is None:
        return None
    if src is None and group_src is None:
        group_src = 0
    root = _root(pg, src, group_src, "scatter")
    buf, writeback = host_buffer(tensor)
    send = None
    if pg._rank == root:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list(scatter_list, "scatter_list")
        if len(scatter_list) != pg._size or not _check_shapes("scatter", scatter_list, tensor):
            raise RuntimeError(f"scatter: scatter_list must hold {pg._size} tensors of size "
                               f"{tuple(tensor.shape)}")
        send = np.stack([readable(t) for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    req = _call("scatter", pg._comm.Iscatter, send, buf, root)
    return _issue(Work([req], _finisher(writeback, lambda: _bump(tensor)), [tensor], pg),
                  async_op)


def reduce_scatter(output: Tensor, input_list: List[Tensor], op=ReduceOp.SUM,
                   group: Optional[ProcessGroup] = None, async_op: bool = False):
    """Reduce ``input_list[i]`` across ranks into rank i's ``output``."""
    _check_tensor(output, "output")
    _check_list(input_list, "input_list")
    pg = _member(group, "reduce_scatter")
    if pg is None:
        return None
    if len(input_list) != pg._size or not _check_shapes("reduce_scatter", input_list, output):
        raise RuntimeError(f"reduce_scatter: input_list must hold {pg._size} tensors of size "
                           f"{tuple(output.shape)}")
    send = np.stack([readable(t) for t in input_list])
    return _reduce_scatter(output, send, op, pg, async_op)


def reduce_scatter_tensor(output: Tensor, input: Tensor, op=ReduceOp.SUM,
                          group: Optional[ProcessGroup] = None, async_op: bool = False):
    """Reduce ``input`` (``world_size`` blocks of ``output``'s size) across ranks; rank i gets
    block i in ``output``."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _member(group, "reduce_scatter_tensor")
    if pg is None:
        return None
    _flat_out("reduce_scatter_tensor", input, output, pg._size)
    return _reduce_scatter(output, readable(input), op, pg, async_op)


def _reduce_scatter(output: Tensor, send: np.ndarray, op, pg: ProcessGroup, async_op: bool):
    buf, writeback = host_buffer(output)
    mop, post = _reduction(op, buf.dtype, pg._size)
    req = _call("reduce_scatter", pg._comm.Ireduce_scatter_block, send, buf, mop)
    return _issue(Work([req], _finisher(post and (lambda: post(buf)), writeback,
                                        lambda: _bump(output)), [output], pg), async_op)


def all_to_all_single(output: Tensor, input: Tensor,
                      output_split_sizes: Optional[List[int]] = None,
                      input_split_sizes: Optional[List[int]] = None,
                      group: Optional[ProcessGroup] = None, async_op: bool = False):
    """Split ``input`` along dim 0, send piece i to rank i; receive into ``output`` in rank
    order (even pieces unless split sizes are given)."""
    _check_tensor(output, "output")
    _check_tensor(input, "input")
    pg = _member(group, "all_to_all_single")
    if pg is None:
        return None
    n = pg._size
    send = readable(input)
    buf, writeback = host_buffer(output)
    if output_split_sizes is None and input_split_sizes is None:
        if send.size != buf.size or (send.shape and send.shape[0] % n):
            raise RuntimeError("all_to_all_single: input and output must have the same size, "
                               "divisible by the world size along dim 0")
        req = _call("all_to_all_single", pg._comm.Ialltoall, send, buf)
    else:
        def layout(arr, sizes):
            row = int(np.prod(arr.shape[1:], dtype=np.int64)) if arr.ndim else 1
            if sizes is None:
                sizes = [arr.shape[0] // n] * n
            counts = [int(s) * row for s in sizes]
            displs = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(int).tolist()
            return [arr, counts, displs, None]
        req = _call("all_to_all_single", pg._comm.Ialltoallv,
                    layout(send, input_split_sizes), layout(buf, output_split_sizes))
    return _issue(Work([req], _finisher(writeback, lambda: _bump(output)), [output], pg),
                  async_op)


def all_to_all(output_tensor_list: List[Tensor], input_tensor_list: List[Tensor],
               group: Optional[ProcessGroup] = None, async_op: bool = False):
    """Send ``input_tensor_list[i]`` to rank i; receive rank i's into ``output_tensor_list[i]``."""
    _check_list(output_tensor_list, "output_tensor_list")
    _check_list(input_tensor_list, "input_tensor_list")
    pg = _member(group, "all_to_all")
    if pg is None:
        return None
    if len(output_tensor_list) != pg._size or len(input_tensor_list) != pg._size:
        raise RuntimeError(f"all_to_all: both lists must hold {pg._size} tensors")
    send = np.concatenate([readable(t).ravel() for t in input_tensor_list])
    scounts, sdispls = _counts(input_tensor_list)
    rcounts, rdispls = _counts(output_tensor_list)
    recv = np.empty(sum(rcounts), send.dtype)
    req = _call("all_to_all", pg._comm.Ialltoallv, [send, scounts, sdispls, None],
                [recv, rcounts, rdispls, None])
    parts = [recv[d:d + c] for c, d in zip(rcounts, rdispls)]
    return _issue(Work([req], lambda: _fill(output_tensor_list, parts), output_tensor_list, pg),
                  async_op)


# -- point to point ------------------------------------------------------------------------------

def _peer(pg: ProcessGroup, rank, group_rank, what: str) -> int:
    r = _root(pg, rank, group_rank, "send" if what == "destination" else "recv")
    if r == pg._rank:
        raise ValueError(f"Invalid {what} rank: {what} rank should not be the same as the rank "
                         "of the current process.")
    return r


def isend(tensor: Tensor, dst: Optional[int] = None, group: Optional[ProcessGroup] = None,
          tag: int = 0, group_dst: Optional[int] = None) -> Optional[Work]:
    """Start sending ``tensor`` to rank ``dst``; returns a :class:`Work`."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "isend")
    if pg is None:
        return None
    peer = _peer(pg, dst, group_dst, "destination")
    data = readable(tensor)
    return Work([_call("isend", pg._comm.Isend, data, peer, tag)], None, [tensor], pg)


def irecv(tensor: Tensor, src: Optional[int] = None, group: Optional[ProcessGroup] = None,
          tag: int = 0, group_src: Optional[int] = None) -> Optional[Work]:
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None)."""
    _check_tensor(tensor, "tensor")
    pg = _member(group, "irecv")
    if pg is None:
        return None
    MPI = _mpi.mpi()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else \
        _peer(pg, src, group_src, "source")
    buf, writeback = host_buffer(tensor)
    work = Work([_call("irecv", pg._comm.Irecv, buf, peer, tag)],
                _finisher(writeback, lambda: _bump(tensor)), [tensor], pg)
    work._status = MPI.Status()
    return work


def send(tensor: Tensor, dst: Optional[int] = None, group: Optional[ProcessGroup] = None,
         tag: int = 0, group_dst: Optional[int] = None) -> None:
    """Send ``tensor`` to rank ``dst`` (blocks until it may be reused)."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor: Tensor, src: Optional[int] = None, group: Optional[ProcessGroup] = None,
         tag: int = 0, group_src: Optional[int] = None) -> int:
    """Receive into ``tensor`` from rank ``src`` (any when None); returns the sender's rank."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    return work.source_rank()


class P2POp:
    """One send or receive for :func:`batch_isend_irecv`: ``P2POp(dist.isend, t, peer)``."""

    def __init__(self, op: Callable, tensor: Tensor, peer: Optional[int] = None,
                 group: Optional[ProcessGroup] = None, tag: int = 0,
                 group_peer: Optional[int] = None) -> None:
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list: List[P2POp]) -> List[Work]:
    """Start every send and receive of the list; returns their :class:`Work` objects."""
    if not isinstance(p2p_op_list, list) or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError("Invalid ``p2p_op_list``. Each op is expected to to be of type "
                         "``torch.distributed.P2POp``.")
    works = [p.op(p.tensor, p.peer, p.group, p.tag, p.group_peer) for p in p2p_op_list]
    return [w for w in works if w is not None]
