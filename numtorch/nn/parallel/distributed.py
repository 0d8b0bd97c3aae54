"""``DistributedDataParallel``: one model replica per rank, gradients averaged during backward.

At construction the replicas are made equal (rank 0's parameters and buffers are broadcast).
Each forward (with grad mode on) walks the graph it built and hooks the nodes that feed the
parameters, counting each parameter's edges; during ``backward()``, when the last of them has
run, the parameter's gradient (``.grad`` plus that node's contribution) is scaled by
``1/world_size`` into its bucket (about ``bucket_cap_mb`` megabytes of gradients, the first
bucket 1 MiB, parameters in reverse order as PyTorch assigns them). How the buckets are summed
over the ranks depends on where they run:

- **All ranks on one machine** (the usual case): the buckets are the rank's part of an MPI
  shared-memory window (``distributed/_shared.py``), and at the end of backward every rank
  adds up the parts itself, in rank order. With one core per rank there is nothing for an
  all-reduce to overlap with, and this skips MPI's copies: 0.07 ms instead of 0.2 ms for the
  benchmark MLP's 814 KB.
- **Several machines** (or ``NUMTORCH_DDP_SHARED_MEMORY=0``): a full bucket is all-reduced
  with MPI's non-blocking ``Iallreduce`` while backward goes on (buckets start in order, so
  every rank issues the same sequence).

At the end of backward (an engine callback) the averages become ``param.grad``: every rank
holds the same gradients, and the same optimizer step keeps the replicas equal. Numtorch's
engine has no per-leaf dependency count, so the walk over the graph stands in for it; it costs
about 10 µs for a small MLP.

>>> # dist.init_process_group("gloo"); model = DistributedDataParallel(net)
>>> # loss_fn(model(x), y).backward(); opt.step()
"""
from __future__ import annotations

import contextlib
import zlib
from typing import Any, Dict, Iterator, List, Optional

import numpy as np

from ... import distributed as dist
from ..._device import device as _device
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.engine import capturing, queue_callback, unbroadcast
from ...distributed import _mpi
from ...distributed._shared import NodeReducer, wait_barrier
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024          # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES
_BROADCAST_BUCKET_BYTES = 250 * 1024 * 1024

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by \n"
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "If you already have done the above, then the distributed data parallel module wasn't "
    "able to locate the output tensors in the return value of your module's `forward` "
    "function. Please include the loss function and the structure of the return value of "
    "`forward` of your module when reporting this issue (e.g. list, dict, iterable).\n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}")


class _Bucket:
    """Some parameters of one dtype whose gradients are all-reduced as one flat buffer:
    ``params`` (indices), ``size`` (elements)."""

    __slots__ = ("dtype", "params", "size")

    def __init__(self, dtype, params: List[int], size: int) -> None:
        self.dtype, self.params, self.size = dtype, params, size


class _Pass:
    """What one forward's backward still waits for."""

    __slots__ = ("left", "bucket_left", "got", "next", "requests", "queued", "done", "deferred",
                 "bufs")

    def __init__(self, counts: List[int], bucket_sizes: List[int]) -> None:
        self.left = counts                      # per parameter: graph edges not yet run
        self.bucket_left = list(bucket_sizes)   # per bucket: parameters not yet ready
        self.got = [False] * len(counts)        # per parameter: its bucket slot is written
        self.next = 0                           # the next bucket to all-reduce (in order)
        self.requests: list = []
        self.queued = False
        self.done = False
        self.deferred: List[int] = []           # parameters with tensor hooks: read at the end
        # per bucket: this pass's buffer (new memory each pass: the averaged gradients become
        # the parameters' .grad without a copy when .grad was None)
        self.bufs: list = [None] * len(bucket_sizes)


def _tensors(obj, out: List[Tensor]) -> List[Tensor]:
    """The tensors in a forward's output (nested tuples, lists, dicts, dataclass-like)."""
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _tensors(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors(o, out)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            _tensors(getattr(obj, name), out)
    return out


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of a process group (PyTorch's API).

    ``module`` is the wrapped model (``ddp.module``); ``state_dict()`` keys start with
    ``module.``. ``no_sync()`` skips the averaging (gradients accumulate locally until the
    next synchronised backward). ``find_unused_parameters=True`` lets some parameters go
    without a gradient in an iteration. ``device_ids`` must be None (numtorch's ranks are CPU
    processes). ``gradient_as_bucket_view`` and ``static_graph`` are accepted and change
    nothing: each backward fills new bucket memory, and a ``.grad`` that was None becomes a
    view of it (no copy) while an existing ``.grad`` is overwritten in place.

    >>> # model = DistributedDataParallel(nn.Linear(4, 2))
    >>> # list(model.state_dict())
    >>> # ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: Optional[bool] = None, init_sync: bool = True,
                 process_group=None, bucket_cap_mb: Optional[float] = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params: bool = False, bucket_cap_mb_list=None,
                 batched_grad_copy: bool = False,
                 forward_sync_buffers: Optional[bool] = None) -> None:
        super().__init__()
        if device_ids is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{list(device_ids)}, output_device {output_device}, and module parameters "
                "{device(type='cpu')}.")
        self.module = module
        pg = process_group if process_group is not None else dist.group.WORLD
        if pg is None:
            raise ValueError(dist.distributed_c10d._NOT_INIT)
        self.process_group = pg
        ignore = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        self.parameters_to_ignore = ignore
        named = [(n, p) for n, p in module.named_parameters() if n not in ignore]
        self._params: List[Tensor] = [p for _, p in named if p.requires_grad]
        if not self._params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        self._param_index: Dict[int, int] = {id(p): i for i, p in enumerate(self._params)}
        self._buffers_synced = [b for n, b in module.named_buffers()
                                if n not in ignore and b is not None]
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.device = _device("cpu")
        self.device_type = "cpu"
        self.static_graph = static_graph
        if forward_sync_buffers is None:
            forward_sync_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.forward_sync_buffers = self.broadcast_buffers = forward_sync_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.mixed_precision = mixed_precision
        self.broadcast_bucket_size = _BROADCAST_BUCKET_BYTES
        self.bucket_bytes_cap_default = bucket_cap_mb is None
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb)
                                    * 1024 * 1024)
        self._size = pg.size()
        self._rank = pg.rank()
        self._pass: Optional[_Pass] = None
        self._unfinished: Optional[List[int]] = None
        self._check_same_model()
        if init_sync:
            self._broadcast(self._params + self._buffers_synced)
        self._build_buckets()
        self._node = None           # ranks on one machine: sums through shared memory
        if self._size > 1:
            self._node = NodeReducer.create(
                pg, [b.size * b.dtype.itemsize for b in self._buckets])

    # -- construction ---------------------------------------------------------------------------
    def _check_same_model(self) -> None:
        """Every rank must wrap the same architecture (else MPI would mix up buffers)."""
        if self._size == 1:
            return
        shapes = repr([(tuple(p.shape), str(p.dtype)) for p in self._params]).encode()
        mine = np.array([len(self._params), sum(p.numel() for p in self._params),
                         zlib.crc32(shapes)], np.int64)
        every = np.empty((self._size, 3), np.int64)
        self.process_group._comm.Allgather(mine, every)
        for r in range(self._size):
            if every[r, 0] != mine[0]:
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but Rank {self._rank} has "
                    f"{mine[0]} params, while rank {r} has inconsistent {every[r, 0]} params.")
            if (every[r] != mine).any():
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but the parameter shapes or "
                    f"dtypes of rank {self._rank} differ from those of rank {r}.")

    def _broadcast(self, tensors: List[Tensor]) -> None:
        """Rank 0's values of ``tensors`` into every rank's, one message per dtype."""
        if self._size == 1 or not tensors:
            return
        comm = self.process_group._comm
        by_dtype: Dict[Any, List[Tensor]] = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for dtype, group in by_dtype.items():
            if self._rank == 0:
                flat = np.concatenate([_mpi.readable(t).ravel() for t in group])
            else:
                flat = np.empty(sum(t._data.size for t in group), dtype)
            comm.Bcast(flat, root=0)
            if self._rank != 0:
                off = 0
                for t in group:
                    n = t._data.size
                    t._data[...] = flat[off:off + n].reshape(t._data.shape)
                    t._vc[0] += 1
                    off += n

    def _build_buckets(self) -> None:
        """Parameters in reverse order, per dtype, into buckets of ``bucket_bytes_cap`` bytes
        (the first one 1 MiB)."""
        self._buckets: List[_Bucket] = []
        self._where: List[Any] = [None] * len(self._params)   # i -> (bucket, offset, size)
        limits = [_FIRST_BUCKET_BYTES, self.bucket_bytes_cap]
        open_: Dict[Any, list] = {}                           # dtype -> [indices, sizes, bytes]
        done = 0

        def close(dtype) -> None:
            nonlocal done
            idx, sizes, _ = open_.pop(dtype)
            off = 0
            for i, n in zip(idx, sizes):
                self._where[i] = (len(self._buckets), off, n)
                off += n
            self._buckets.append(_Bucket(dtype, idx, off))
            done += 1

        for i in reversed(range(len(self._params))):
            p = self._params[i]
            dtype = p._data.dtype
            entry = open_.setdefault(dtype, [[], [], 0])
            entry[0].append(i)
            entry[1].append(p._data.size)
            entry[2] += p._data.nbytes
            if entry[2] >= limits[min(done, 1)]:
                close(dtype)
        for dtype in list(open_):
            close(dtype)
        self._bucket_sizes = [len(b.params) for b in self._buckets]
        self._scale = {b.dtype: b.dtype.type(1.0 / self._size) for b in self._buckets}

    # -- forward --------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self._unfinished is not None:
            missing, self._unfinished = self._unfinished, None
            raise RuntimeError(_UNFINISHED.format(rank=self._rank,
                                                  indices=" ".join(map(str, missing))) +
                               "\n In addition, you can set the environment variable "
                               "TORCH_DISTRIBUTED_DEBUG to either INFO or DETAIL to print out "
                               "information about which particular parameters did not receive "
                               "gradient on this rank as part of this error")
        if self.require_forward_param_sync and self.forward_sync_buffers and \
                self._buffers_synced and self._size > 1:
            self._broadcast(self._buffers_synced)
        out = self.module(*inputs, **kwargs)
        if grad_mode.state[0] and self.require_backward_grad_sync:
            self._prepare_for_backward(out)
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within this block, backward accumulates gradients locally without averaging them;
        the first synchronised backward after it averages the accumulated gradients.

        >>> # with ddp.no_sync():
        >>> #     ddp(x1).sum().backward()
        >>> # ddp(x2).sum().backward()      # averages the sum of both
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # -- backward -------------------------------------------------------------------------------
    def _prepare_for_backward(self, out) -> None:
        """Hook every graph node that feeds a parameter, counting the edges per parameter."""
        if self._pass is not None:
            self._pass.done = True      # an earlier forward never backpropagated: forget it
        index = self._param_index
        counts = [0] * len(self._params)
        st = _Pass(counts, self._bucket_sizes)
        seen = set()
        stack = [t.grad_fn for t in _tensors(out, []) if t.grad_fn is not None]
        on_node = self._on_node
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            edges = None
            for slot, e in enumerate(getattr(node, "_next", ())):
                if e is None:
                    continue
                if type(e) is tuple:
                    if e[0] not in seen:
                        stack.append(e[0])
                    continue
                i = index.get(id(e))
                if i is not None:
                    if e._hooks:            # its hooks change what reaches .grad: read that
                        if not counts[i]:
                            st.deferred.append(i)
                        counts[i] += 1
                        continue
                    counts[i] += 1
                    if edges is None:
                        edges = []
                    edges.append((slot, i))
            if edges is not None:
                node.register_hook(lambda gi, go, edges=edges: on_node(st, edges, gi))
        self._pass = st

    def _on_node(self, st: _Pass, edges, gi):
        """A node that feeds parameters has run: parameters with no edge left are ready. Their
        gradients go to the buckets, not to ``.grad`` (the node hook drops them from what the
        engine delivers); ``_finish`` puts the averages into ``.grad``."""
        if st.done:
            return None
        if capturing[0]:
            # autograd.grad: as PyTorch's DDP, nothing is averaged and the caller gets this
            # rank's own gradients; the next forward starts a new pass
            st.done = True
            if self._pass is st:
                self._pass = None
            return None
        if not st.queued:
            st.queued = True
            queue_callback(lambda: self._finish(st))
        extra: Dict[int, list] = {}
        for slot, i in edges:
            g = gi[slot]
            contribs = extra.setdefault(i, [])
            if g is not None:
                contribs.append(g._data)
            st.left[i] -= 1
        taken = None
        for i, contribs in extra.items():
            if st.left[i] == 0:
                self._ready(st, i, contribs)
                if self._size > 1:
                    taken = taken or []
                    taken.append(i)
        if st.requests:
            _mpi.mpi().Request.Testall(st.requests)     # let MPI move the data on
        if taken is None:
            return None
        out = list(gi)
        for slot, i in edges:
            if i in taken:
                out[slot] = None
        return tuple(out)

    def _ready(self, st: _Pass, i: int, contribs: list) -> None:
        """Parameter ``i``'s gradient is final: ``(.grad + contributions) / world_size`` into
        its bucket slot; all-reduce the buckets that are complete, in order."""
        b, off, n = self._where[i]
        st.got[i] = True
        st.bucket_left[b] -= 1
        if self._size == 1:             # nothing to average: the engine delivers .grad
            return
        p = self._params[i]
        buf = st.bufs[b]
        if buf is None:
            bucket = self._buckets[b]
            if self._node is not None:      # this rank's part of the shared window
                buf = st.bufs[b] = self._node.buffer(b, bucket.dtype, bucket.size)
            else:
                buf = st.bufs[b] = np.empty(bucket.size, bucket.dtype)
        shape = p._data.shape
        view = buf[off:off + n].reshape(shape)
        total = None if p.grad is None else p.grad._data
        for g in contribs:
            if g.shape != shape:
                g = unbroadcast(g, shape)
            total = g if total is None else total + g
        if total is None:
            view.fill(0)
        else:
            np.multiply(total, self._scale[buf.dtype], out=view, casting="unsafe")
        if st.bucket_left[b] == 0 and b == st.next:
            self._launch(st)

    def _launch(self, st: _Pass) -> None:
        if self._size == 1 or self._node is not None:     # nothing to start: summed at the end
            while st.next < len(self._buckets) and st.bucket_left[st.next] == 0:
                st.next += 1
            return
        MPI = _mpi.mpi()
        comm = self.process_group._comm
        while st.next < len(self._buckets) and st.bucket_left[st.next] == 0:
            st.requests.append(comm.Iallreduce(MPI.IN_PLACE, st.bufs[st.next], MPI.SUM))
            st.next += 1

    def _finish(self, st: _Pass) -> None:
        """End of backward: flush what is left, wait, and write the averages into ``.grad``."""
        for i in st.deferred:
            self._ready(st, i, [])
        st.done = True
        if self._pass is st:
            self._pass = None
        missing = [i for i, got in enumerate(st.got) if not got]
        used = None
        if missing and self.find_unused_parameters:
            used = np.ones(len(self._params), np.int32)
            for i in missing:
                used[i] = 0
                self._ready(st, i, [])
            missing = []
        elif missing:
            self._unfinished = missing
        if self._size == 1:
            return
        if self._node is not None:
            sums = self._node.sum_all([(b, self._buckets[b].dtype, self._buckets[b].size)
                                       for b in range(st.next)])
            st.bufs[:st.next] = sums
        else:
            wait_barrier(self.process_group._comm, st.requests)
        if used is not None:
            MPI = _mpi.mpi()
            self.process_group._comm.Allreduce(MPI.IN_PLACE, used, MPI.MAX)
        for b in range(st.next):
            buf = st.bufs[b]
            for i in self._buckets[b].params:
                if used is not None and not used[i]:
                    continue                    # no rank used it: its .grad stays as it was
                p = self._params[i]
                _, off, n = self._where[i]
                avg = buf[off:off + n].reshape(p._data.shape)
                if p.grad is None:
                    p.grad = Tensor._make(avg)
                else:
                    p.grad._data[...] = avg
                    p.grad._vc[0] += 1
