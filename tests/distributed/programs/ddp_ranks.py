"""DDP checks, run on 2 ranks as a PyTorch program: ``numtorch run --nproc 2 ddp_ranks.py CKPT``.

Every failed check raises, which stops both ranks with a non-zero exit code. Each rank ends by
printing ``rank R: N ddp checks passed``; rank 0 saves the SGD-trained DDP's state_dict to CKPT.
"""
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ddp_case  # noqa: E402

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == ddp_case.RANKS, world
assert os.environ["RANK"] == str(rank) and os.environ["WORLD_SIZE"] == str(world)
record = np.load(ddp_case.RECORD)
x, y, init = ddp_case.data()
assert np.array_equal(x, record["x"]) and np.array_equal(y, record["y"])
mine = slice(rank * ddp_case.BATCH, (rank + 1) * ddp_case.BATCH)
checks = 0


def check(cond, what):
    global checks
    if not cond:
        raise AssertionError(f"rank {rank}: {what}")
    checks += 1


def close(a, b, what, atol=1e-5, rtol=1e-5):
    a, b = np.asarray(a), np.asarray(b)
    check(a.shape == b.shape and np.allclose(a, b, atol=atol, rtol=rtol),
          f"{what}: max difference {np.abs(a - b).max() if a.shape == b.shape else 'shape'}")


def same_on_all_ranks(model, what):
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    every = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(every, flat)
    check(all(torch.equal(every[0], e) for e in every), f"{what}: replicas differ")


# 1. training at 2 ranks == PyTorch on one process and the concatenated batch
for name in ddp_case.OPTIMIZERS:
    torch.manual_seed(100 + rank)                          # rank 1 starts elsewhere: DDP fixes it
    model = ddp_case.build(torch)
    if rank == 0:
        ddp_case.load_init(torch, model, init)
    ddp = DDP(model)
    for k, p in model.named_parameters():                  # the construction broadcast
        check(np.array_equal(p.detach().numpy(), init[k]), f"{name}: {k} not rank 0's at start")
    ddp_case.train(torch, ddp, ddp_case.optimizer(torch, name, ddp.parameters()), x, y, mine)
    for k, v in model.state_dict().items():
        close(v.numpy(), record[f"{name}/{k}"], f"{name}: {k} vs PyTorch on the whole batch")
    same_on_all_ranks(model, name)
    keys = list(ddp.state_dict())
    check(keys[0] == "module.l1.weight" and len(keys) == 6, f"state_dict keys {keys}")
    if name == "sgd" and rank == 0:
        torch.save(ddp.state_dict(), sys.argv[1])

# 1b. several buckets (the first 1 MiB, then bucket_cap_mb), all-reduced as they fill: the
# gradients are the mean over the ranks of each rank's own
torch.manual_seed(0)
big = nn.Sequential(nn.Linear(6, 4096), nn.Tanh(), nn.Linear(4096, 32), nn.Tanh(),
                    nn.Linear(32, 4096), nn.Tanh(), nn.Linear(4096, 4))
ddp = DDP(big, bucket_cap_mb=0.0005)
check(len(ddp._buckets) == 3, f"expected 3 buckets, got {len(ddp._buckets)}")
inputs, labels = torch.from_numpy(x[0][mine]), torch.from_numpy(y[0][mine])
nn.functional.cross_entropy(big(inputs), labels).backward()          # the plain module: local
every = [None] * world
dist.all_gather_object(every, [p.grad.numpy().copy() for p in big.parameters()])
big.zero_grad()
nn.functional.cross_entropy(ddp(inputs), labels).backward()
for i, p in enumerate(big.parameters()):
    close(p.grad.numpy(), sum(e[i] for e in every) / world, f"3 buckets: parameter {i}",
          atol=1e-7, rtol=1e-6)

# 2. no_sync: local accumulation, then one averaged backward
model = ddp_case.build(torch)
ddp_case.load_init(torch, model, init)
ddp = DDP(model)
with ddp.no_sync():
    nn.functional.cross_entropy(ddp(torch.from_numpy(x[0][mine])),
                                torch.from_numpy(y[0][mine])).backward()
local = {k: p.grad.clone() for k, p in model.named_parameters()}
every = [None] * world
dist.all_gather_object(every, {k: v.numpy() for k, v in local.items()})
check(not all(np.array_equal(every[0][k], every[1][k]) for k in every[0]),
      "no_sync averaged the gradients")
nn.functional.cross_entropy(ddp(torch.from_numpy(x[1][mine])),
                            torch.from_numpy(y[1][mine])).backward()
for k, p in model.named_parameters():
    close(p.grad.numpy(), record[f"accumulated_grad/{k}"], f"no_sync then sync: {k}.grad")

# 3. find_unused_parameters: a branch used on rank 0 only, a layer never used


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(3, 3)
        self.never = nn.Linear(3, 3)

    def forward(self, x, use_b):
        h = self.a(x)
        return self.b(h) if use_b else h


def branchy_grads(model, use_b):
    model.zero_grad()
    model(torch.from_numpy(x[0][mine, :4]), use_b).pow(2).mean().backward()
    return {k.removeprefix("module."): None if p.grad is None else p.grad.numpy().copy()
            for k, p in model.named_parameters()}


torch.manual_seed(0)
plain = Branchy()
local = branchy_grads(plain, rank == 0)
every = [None] * world
dist.all_gather_object(every, local)
torch.manual_seed(0)
model = Branchy()
ddp = DDP(model, find_unused_parameters=True)
got = branchy_grads(ddp, rank == 0)
for k in got:
    if k.startswith("never"):
        check(got[k] is None, f"{k}: unused everywhere, its grad must stay None")
        continue
    contributions = [e[k] if e[k] is not None else np.zeros_like(got[k]) for e in every]
    close(got[k], sum(contributions) / world, f"find_unused_parameters: {k}.grad")

# without find_unused_parameters the next forward raises PyTorch's error
torch.manual_seed(0)
ddp = DDP(Branchy())
branchy_grads(ddp, True)
try:
    ddp(torch.ones(2, 4), True)
    check(False, "no error for unused parameters")
except RuntimeError as e:
    check("Expected to have finished reduction in the prior iteration" in str(e)
          and f"did not receive grad for rank {rank}: 4 5" in str(e), str(e))

# 4. buffers: rank 0's at construction and before each forward
torch.manual_seed(0)
bn = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
bn[1].running_mean.fill_(float(rank + 1))
ddp = DDP(bn)
check(torch.equal(bn[1].running_mean, torch.ones(3)), "buffers not broadcast at construction")
ddp(torch.from_numpy(x[0][mine, :4]))                  # train mode: each rank updates its own
after = [None] * world
dist.all_gather_object(after, bn[1].running_mean.clone())
check(not torch.equal(after[0], after[1]), "running stats should differ after a local update")
bn.eval()
with torch.no_grad():
    ddp(torch.ones(2, 4))                                # eval: synced from rank 0, not updated
check(torch.equal(bn[1].running_mean, after[0]), "buffers not broadcast before forward")

# 5. autograd.grad through DDP (PyTorch: nothing is averaged, each rank gets its own
#    gradients), and the backward after it averages as usual
torch.manual_seed(0)
lin = nn.Linear(3, 2)
ddp = DDP(lin)
xr = torch.from_numpy(x[0][mine, :3])
own = torch.autograd.grad(ddp(xr).sum(), list(ddp.parameters()))
w_own = xr.sum(0).expand(2, 3).numpy()                  # d(sum(x W^T + b))/dW, by hand
close(own[0].numpy(), w_own, "autograd.grad through DDP: this rank's own weight gradient")
close(own[1].numpy(), np.full(2, float(xr.shape[0]), np.float32), "autograd.grad: bias gradient")
check(lin.weight.grad is None, "autograd.grad must not write .grad")
ddp(xr).sum().backward()
mean_w = [None] * world
dist.all_gather_object(mean_w, w_own)
close(lin.weight.grad.numpy(), sum(mean_w) / world, "backward after autograd.grad: the average")

dist.barrier()
print(f"rank {rank}: {checks} ddp checks passed")
dist.destroy_process_group()
