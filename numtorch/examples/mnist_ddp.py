"""MNIST MLP on several processes: ``DistributedDataParallel`` + ``DistributedSampler``.

    numtorch examples run mnist-ddp --nproc 2     # two ranks (MPI), output lines [rank0]: ...

Every rank builds the same 784-128-10 MLP (DDP copies rank 0's parameters to the others),
trains on its own share of each epoch (``DistributedSampler``, reshuffled with
``set_epoch``), and DDP averages the gradients during ``backward()``, so the replicas stay
identical: the example checks that at the end. Rank 0 prints, plots and saves the checkpoint
(``model.state_dict()``, loadable by a plain model). Started as one process it is a world of 1;
without mpi4py (``pip install "numtorch[distributed]"``) it trains without DDP.
"""
from __future__ import annotations

import os

import numtorch as torch
import numtorch.distributed as dist
from numtorch import nn
from numtorch.utils.data import DataLoader, DistributedSampler, TensorDataset

from ._mnist import load

DISTRIBUTED = True   # `numtorch examples run mnist-ddp --nproc N` may start it on N ranks


def run(ctx):
    started = False
    if dist.is_available() and not dist.is_initialized():
        dist.init_process_group("gloo")
        started = True
    on = dist.is_initialized()
    rank, world = (dist.get_rank(), dist.get_world_size()) if on else (0, 1)
    if rank != 0:                      # rank 0 speaks for everyone
        ctx.verbose = ctx.show_progress = False
        ctx.plots.enabled = ctx.plots_wanted = False
    if not on:
        ctx.print("mpi4py is not installed (pip install \"numtorch[distributed]\"): training in "
                  "this process without DistributedDataParallel")
    try:
        return _train(ctx, rank, world, on)
    finally:
        if started:
            dist.destroy_process_group()


def _train(ctx, rank: int, world: int, on: bool):
    d = load(ctx)
    data_name = "MNIST" if d.is_mnist else "8x8 digits"
    train = TensorDataset(torch.from_numpy(d.x_train), torch.from_numpy(d.y_train))
    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=64, sampler=sampler)
    x_valid, y_valid = torch.from_numpy(d.x_valid), torch.from_numpy(d.y_valid)

    torch.manual_seed(rank)            # different on each rank: DDP makes them rank 0's
    model = nn.Sequential(nn.Linear(d.x_train.shape[1], 128), nn.ReLU(), nn.Linear(128, 10))
    ddp = nn.parallel.DistributedDataParallel(model) if on else model
    ctx.print(ddp)
    ctx.print(f"{world} rank(s), {len(sampler)} of {len(train)} images per rank and epoch, "
              f"batch 64 per rank")
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(ddp.parameters(), lr=1e-3)

    epochs = ctx.epochs(6, quick=1)
    losses = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)       # a new shuffle each epoch, the same on every rank
        model.train()
        for xb, yb in ctx.progress(loader, desc=f"epoch {epoch + 1}/{epochs}"):
            opt.zero_grad()
            loss = loss_fn(ddp(xb), yb)
            loss.backward()            # gradients averaged over the ranks here
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            out = model(x_valid)       # the plain module: no collective, any rank may do it
        acc = (out.argmax(1) == y_valid).float().mean().item()
        ctx.print(f"epoch {epoch + 1}: last batch loss {losses[-1]:.4f}, "
                  f"validation accuracy {100 * acc:.2f}%")

    same = True
    if on and world > 1:
        flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
        every = [torch.zeros_like(flat) for _ in range(world)]
        dist.all_gather(every, flat)
        same = all(torch.equal(every[0], e) for e in every)
        ctx.print(f"parameters identical on all {world} ranks: {same}")
    if rank == 0:
        path = os.path.join(ctx.out_dir, "mnist_ddp.pt")
        os.makedirs(ctx.out_dir, exist_ok=True)
        torch.save(model.state_dict(), path)   # the module's: loads into a plain model
        ctx.print(f"checkpoint (rank 0) saved to {path}")
    if on:
        dist.barrier()
    valid_loss = loss_fn(out, y_valid).item()
    ctx.plots.loss_curve(losses, f"{data_name} MLP, DDP on {world} rank(s) (rank 0's batches)",
                         xlabel="step", ylabel="batch cross-entropy")
    if not same:
        raise RuntimeError("DDP replicas diverged")
    return ctx.finish(valid_loss, accuracy=acc, data=d.source, ranks=world)

