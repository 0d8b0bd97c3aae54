"""Collectives against NumPy arithmetic, on any number of ranks: ``mpiexec -n N python
collectives.py``. Rank r's inputs are ``inputs(r)``, so every rank can compute with NumPy what
each collective must give. A failed check raises (stopping all ranks); each rank ends by
printing ``rank R of N: K collective checks passed``.
"""
import sys
import warnings

import numpy as np

import numtorch as torch
import numtorch.distributed as dist
from numtorch.distributed import ReduceOp

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(f"rank {rank}: {what}")
    checks += 1


def equal(t, expected, what, exact=True):
    got = t.numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    expected = np.asarray(expected)
    ok = got.shape == expected.shape and got.dtype == expected.dtype and (
        np.array_equal(got, expected) if exact else np.allclose(got, expected, rtol=1e-6))
    check(ok, f"{what}: got {got!r}, expected {expected!r}")


def inputs(r, dtype="float32", shape=(2, 3)):
    rng = np.random.default_rng(100 + r)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 9, shape).astype(dtype)
    return rng.uniform(0.5, 2.0, shape).astype(dtype)


every = {dt: [inputs(r, dt) for r in range(n)] for dt in ("float32", "float64", "int64", "bool")}
check(dist.is_initialized() and dist.get_backend() == "mpi", "backend")
try:
    dist.init_process_group("gloo")
    check(False, "a second init_process_group did not raise")
except ValueError as e:
    check(str(e) == "trying to initialize the default process group twice!", str(e))

# all_reduce: every op against NumPy's reduction over the ranks' inputs, in place
cases = [("float32", ReduceOp.SUM, np.sum), ("float64", ReduceOp.SUM, np.sum),
         ("float32", ReduceOp.PRODUCT, np.prod), ("float32", ReduceOp.MIN, np.min),
         ("float32", ReduceOp.MAX, np.max), ("float64", ReduceOp.AVG, np.mean),
         ("int64", ReduceOp.SUM, np.sum), ("int64", ReduceOp.MAX, np.max),
         ("int64", ReduceOp.BAND, np.bitwise_and.reduce), ("int64", ReduceOp.BOR,
                                                          np.bitwise_or.reduce),
         ("int64", ReduceOp.BXOR, np.bitwise_xor.reduce), ("bool", ReduceOp.SUM, np.any),
         ("bool", ReduceOp.PRODUCT, np.all)]
for dt, op, fn in cases:
    t = torch.from_numpy(inputs(rank, dt))
    base = t._data
    expected = fn(np.stack(every[dt]), axis=0).astype(dt)
    check(dist.all_reduce(t, op=op) is None, "all_reduce returns None")
    equal(t, expected, f"all_reduce {op} {dt}", exact=op is not ReduceOp.AVG and
          not (dt == "float32" and op in (ReduceOp.SUM, ReduceOp.PRODUCT)))
    check(t._data is base, "all_reduce must work in place")
# a float32 sum is exactly NumPy's for two ranks (one addition)
if n == 2:
    t = torch.from_numpy(inputs(rank))
    dist.all_reduce(t)
    equal(t, every["float32"][0] + every["float32"][1], "float32 sum, 2 ranks, bit for bit")
# async, on a strided view (the result is written through to the base tensor)
base = torch.from_numpy(inputs(rank, "float64", (3, 4)))
view = base.t()
work = dist.all_reduce(view, async_op=True)
check(work is not None and work.wait() is True and work.is_completed(), "async work")
expected = np.sum([inputs(r, "float64", (3, 4)) for r in range(n)], axis=0)
equal(base, expected, "async all_reduce through a transposed view", exact=False)
check(work.result()[0] is view, "Work.result")
try:
    dist.all_reduce(torch.arange(3), op=ReduceOp.AVG)
    check(False, "integer AVG did not raise")
except RuntimeError as e:
    check("can't be cast to the desired output type Long" in str(e), str(e))

# reduce to the last rank (others keep their input), broadcast from rank 1 % n
t = torch.from_numpy(inputs(rank))
dist.reduce(t, dst=n - 1, op=ReduceOp.MAX)
equal(t, np.max(every["float32"], axis=0) if rank == n - 1 else every["float32"][rank], "reduce")
src = 1 % n
t = torch.from_numpy(inputs(rank, "int64"))
dist.broadcast(t, src=src)
equal(t, every["int64"][src], "broadcast")
try:
    dist.broadcast(t, src=n)
    check(False, "broadcast from a rank out of range did not raise")
except RuntimeError as e:
    check("invalid root rank" in str(e), str(e))

# all_gather (equal and uneven sizes), all_gather_into_tensor (concatenated and stacked)
out = [torch.zeros(2, 3) for _ in range(n)]
dist.all_gather(out, torch.from_numpy(inputs(rank)))
for r in range(n):
    equal(out[r], every["float32"][r], f"all_gather [{r}]")
out = [torch.zeros(r + 1, dtype=torch.int64) for r in range(n)]
dist.all_gather(out, torch.arange(rank + 1) * (rank + 10))
for r in range(n):
    equal(out[r], np.arange(r + 1) * (r + 10), f"all_gather uneven [{r}]")
flat = torch.zeros(2 * n, 3)
dist.all_gather_into_tensor(flat, torch.from_numpy(inputs(rank)))
equal(flat, np.concatenate(every["float32"]), "all_gather_into_tensor")
stacked = torch.zeros(n, 2, 3)
w = dist.all_gather_into_tensor(stacked, torch.from_numpy(inputs(rank)), async_op=True)
w.wait()
equal(stacked, np.stack(every["float32"]), "all_gather_into_tensor stacked, async")

# gather to rank 0, scatter from rank 0
t = torch.from_numpy(inputs(rank))
if rank == 0:
    got = [torch.zeros(2, 3) for _ in range(n)]
    dist.gather(t, got, dst=0)
    for r in range(n):
        equal(got[r], every["float32"][r], f"gather [{r}]")
else:
    dist.gather(t, dst=0)
mine = torch.zeros(2, 3)
pieces = [torch.full((2, 3), float(r * r)) for r in range(n)] if rank == 0 else None
dist.scatter(mine, pieces, src=0)
equal(mine, np.full((2, 3), float(rank * rank), np.float32), "scatter")

# reduce_scatter (list and tensor forms)
parts = [torch.from_numpy(inputs(rank, "float64")) * (i + 1) for i in range(n)]
out = torch.zeros(2, 3, dtype=torch.float64)
dist.reduce_scatter(out, parts)
equal(out, np.sum(every["float64"], axis=0) * (rank + 1), "reduce_scatter", exact=False)
big = torch.from_numpy(np.concatenate([inputs(rank, "float64") * (i + 1) for i in range(n)]))
out = torch.zeros(2, 3, dtype=torch.float64)
dist.reduce_scatter_tensor(out, big, op=ReduceOp.AVG)
equal(out, np.mean(every["float64"], axis=0) * (rank + 1), "reduce_scatter_tensor AVG",
      exact=False)

# all_to_all_single (even, and with split sizes), all_to_all
send = torch.arange(n * 2) + 100 * rank
recv = torch.zeros(n * 2, dtype=torch.int64)
dist.all_to_all_single(recv, send)
equal(recv, np.concatenate([np.arange(2 * rank, 2 * rank + 2) + 100 * r for r in range(n)]),
      "all_to_all_single")
# rank r sends r + 1 rows to every rank (rows of 2 values)
send = torch.full((n * (rank + 1), 2), float(rank))
recv = torch.zeros(sum(r + 1 for r in range(n)), 2)
dist.all_to_all_single(recv, send, output_split_sizes=[r + 1 for r in range(n)],
                       input_split_sizes=[rank + 1] * n)
equal(recv, np.concatenate([np.full((r + 1, 2), float(r), np.float32) for r in range(n)]),
      "all_to_all_single with splits")
outs = [torch.zeros(1) for _ in range(n)]
dist.all_to_all(outs, [torch.tensor([float(10 * rank + i)]) for i in range(n)])
for r in range(n):
    equal(outs[r], np.array([10.0 * r + rank], np.float32), f"all_to_all [{r}]")

# point to point: a ring with isend/irecv, send/recv, batch_isend_irecv
nxt, prv = (rank + 1) % n, (rank - 1) % n
if n > 1:
    got = torch.zeros(3)
    works = [dist.isend(torch.full((3,), float(rank)), nxt), dist.irecv(got, prv)]
    for w in works:
        w.wait()
    equal(got, np.full(3, float(prv), np.float32), "isend/irecv ring")
    if rank == 0:
        dist.send(torch.tensor([7, 8]), dst=n - 1, tag=5)
    if rank == n - 1:
        t = torch.zeros(2, dtype=torch.int64)
        check(dist.recv(t, tag=5) == 0, "recv from any source returns the sender")
        equal(t, np.array([7, 8]), "send/recv")
    got = torch.zeros(2)
    ops = [dist.P2POp(dist.isend, torch.full((2,), rank + 0.5), nxt),
           dist.P2POp(dist.irecv, got, prv)]
    for w in dist.batch_isend_irecv(ops):
        w.wait()
    equal(got, np.full(2, prv + 0.5, np.float32), "batch_isend_irecv")
    try:
        dist.send(torch.ones(1), dst=rank)
        check(False, "send to self did not raise")
    except ValueError as e:
        check("destination rank should not be the same" in str(e), str(e))

# Python objects
objs = [None] * n
dist.all_gather_object(objs, {"rank": rank, "name": f"r{rank}"})
check(objs == [{"rank": r, "name": f"r{r}"} for r in range(n)], f"all_gather_object {objs}")
lst = [rank, "x", (1, 2)] if rank == src else [None, None, None]
dist.broadcast_object_list(lst, src=src)
check(lst == [src, "x", (1, 2)], f"broadcast_object_list {lst}")
gathered = [None] * n if rank == 0 else None
dist.gather_object(rank * 3, gathered, dst=0)
check(rank != 0 or gathered == [3 * r for r in range(n)], f"gather_object {gathered}")
out = [None]
dist.scatter_object_list(out, [f"for {r}" for r in range(n)] if rank == 0 else None, src=0)
check(out == [f"for {rank}"], f"scatter_object_list {out}")
if n > 1:
    if rank == 0:
        dist.send_object_list([torch.tensor([1.5]), "hi"], dst=1)
    elif rank == 1:
        got = [None, None]
        check(dist.recv_object_list(got, src=0) == 0, "recv_object_list sender")
        check(torch.equal(got[0], torch.tensor([1.5])) and got[1] == "hi", "send_object_list")

# a group of the first and the last rank
g = dist.new_group(sorted({n - 1, 0}, reverse=True))   # unsorted: PyTorch sorts
members = sorted({0, n - 1})
check(dist.get_process_group_ranks(g) == members if rank in members else
      g == dist.GroupMember.NON_GROUP_MEMBER, "new_group membership")
t = torch.tensor([float(rank + 1)])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    check(dist.all_reduce(t, group=g) is None, "group all_reduce")
if rank in members:
    equal(t, np.array([float(sum(r + 1 for r in members))], np.float32), "group all_reduce")
    check(dist.get_rank(g) == members.index(rank) and dist.get_world_size(g) == len(members),
          "group rank and size")
    check(dist.get_global_rank(g, len(members) - 1) == n - 1, "get_global_rank")
    if n > 1:
        t = torch.tensor([float(rank)])
        dist.broadcast(t, src=n - 1, group=g)         # a global rank, translated
        equal(t, np.array([n - 1.0], np.float32), "group broadcast from a global rank")
else:
    equal(t, np.array([rank + 1.0], np.float32), "non-member keeps its tensor")
    check(dist.get_rank(g) == -1 and any("does not belong to the given group" in str(w.message)
                                         for w in caught), "non-member warning")
try:
    dist.new_group([0, n])
    check(False, "new_group with a rank out of range did not raise")
except ValueError as e:
    check(str(e) == f"Rank {n} is out of range. Valid ranks are 0 to {n - 1} (world_size={n})",
          str(e))

check(dist.barrier() is None, "barrier")
dist.barrier(async_op=True).wait()
dist.destroy_process_group()
check(not dist.is_initialized(), "destroy_process_group")
# one write per line: the ranks' output goes through one pipe (print writes in pieces)
sys.stdout.write(f"rank {rank} of {n}: {checks} collective checks passed\n")
sys.stdout.flush()
