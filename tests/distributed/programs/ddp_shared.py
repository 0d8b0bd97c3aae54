"""DDP's two ways to average, at any number of ranks: ``mpiexec -n N python ddp_shared.py MODE``.

MODE ``shared``: ranks on one machine sum through an MPI shared-memory window (2 ranks: one
barrier, double-buffered; 3 or more: reduce-scatter and all-gather). MODE ``mpi``:
``NUMTORCH_DDP_SHARED_MEMORY=0`` is set by the caller, and MPI's Iallreduce per bucket is used.
Either way, over several passes, with float32 and float64 buckets: each ``.grad`` is the mean
of every rank's own gradient, the same bits on every rank, and a ``.grad`` from an earlier
pass keeps its values. Ends with ``rank R: N checks passed``.
"""
import sys

import numpy as np

import numtorch as torch
import numtorch.distributed as dist
from numtorch import nn

mode = sys.argv[1]
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(f"rank {rank}: {what}")
    checks += 1


torch.manual_seed(0)
net = nn.Sequential(nn.Linear(5, 300), nn.Tanh(), nn.Linear(300, 7), nn.Tanh(),
                    nn.Linear(7, 3).double())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net[4](self.net[:4](x).double())


model = Net()
ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=0.002)
check((ddp._node is not None) == (mode == "shared"), f"shared memory used: {ddp._node}")
check(len(ddp._buckets) >= 2, f"buckets: {len(ddp._buckets)}")
check({b.dtype.name for b in ddp._buckets} == {"float32", "float64"}, "two dtypes")

rng = np.random.default_rng(rank)
earlier = []
for step in range(5):                          # odd and even passes (the window's two halves)
    x = torch.from_numpy(rng.standard_normal((4, 5)).astype(np.float32))
    model.zero_grad()
    model(x).pow(2).sum().backward()           # the plain module: this rank's own gradient
    own = [p.grad.numpy().copy() for p in model.parameters()]
    every = [None] * world
    dist.all_gather_object(every, own)
    model.zero_grad()
    ddp(x).pow(2).sum().backward()
    got = [p.grad.numpy().copy() for p in model.parameters()]
    for i, g in enumerate(got):
        mean = sum(e[i] for e in every) / world
        check(np.allclose(g, mean, rtol=1e-5, atol=1e-6), f"step {step} parameter {i}: mean")
    flat = np.concatenate([g.ravel().astype(np.float64) for g in got])
    gathered = [None] * world
    dist.all_gather_object(gathered, flat)
    check(all(np.array_equal(gathered[0], f) for f in gathered), f"step {step}: ranks differ")
    earlier.append(([p.grad for p in model.parameters()], got))
for grads, values in earlier:                  # later passes did not write into old .grad
    for g, v in zip(grads, values):
        check(np.array_equal(g.numpy(), v), "an earlier pass's .grad changed")

# .grad that exists (not set to None) is overwritten in place with the average
model.zero_grad(set_to_none=False)
kept = [p.grad for p in model.parameters()]
ddp(torch.ones(2, 5)).sum().backward()
check(all(p.grad is k for p, k in zip(model.parameters(), kept)), ".grad replaced")

dist.destroy_process_group()                   # frees the windows (collective)
dist.init_process_group("gloo")
ddp = nn.parallel.DistributedDataParallel(nn.Linear(3, 2))
ddp(torch.ones(1, 3)).sum().backward()
check(np.array_equal(ddp.module.weight.grad.numpy(), np.ones((2, 3), np.float32)),
      "after a new process group")
dist.barrier()
print(f"rank {rank}: {checks} checks passed", flush=True)
dist.destroy_process_group()
