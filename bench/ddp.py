"""DistributedDataParallel speed: the MLP at 1 and 2 ranks, all-reduce cost, several machines.

    python bench/ddp.py                      # 1 and 2 ranks, 200 timed steps each
    python bench/ddp.py --steps 400 --rounds 3 --ranks 1 2
    python bench/ddp.py --json               # one JSON line of results

The workload is bench/run.py's mlp (784-256-10 ReLU, CrossEntropyLoss, SGD lr 0.01 momentum
0.9) at batch 128 PER RANK, wrapped in ``DistributedDataParallel``, each rank with ONE BLAS
thread, started by ``mpiexec`` (the mpich wheel's; ``pip install "numtorch[distributed]"``).
Each rank trains on its own synthetic batches; a timed run is ``--steps`` steps between two
barriers, after ``--warmup`` steps. Rounds alternate 1, 2, 1, 2, ... and the best round of each
counts (a shared machine's noise only ever adds).

Reported per rank count: samples/s (all ranks together), step time, the time a step spends in
DDP's end-of-backward (waiting for the all-reduce and putting the averages into ``.grad``),
and the bytes of gradient each rank all-reduces per step. The 1-rank job also trains the
plain model without DDP: the "1 (no DDP)" row, which the speed-ups are relative to. Then, from
a plain ``Allreduce`` of that many bytes at a few sizes (its fastest of 60 each; latency +
bytes x per-byte cost, fitted), the estimate for several machines: a step there costs the
plain step's CPU time + a ring all-reduce over the network,
``2 (n-1)/n x bytes / bandwidth + 2 (n-1) x latency``.

The 2-rank figure needs a quiet machine: two ranks on two cores synchronise every step, and
other programs' time slices then land on the critical path (the header line says the load).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BATCH = 128
SIZES = (784, 256, 10)


# -- in each rank ---------------------------------------------------------------------------------

def _rank_main(steps: int, warmup: int) -> None:
    sys.path.insert(0, ROOT)
    import numpy as np
    import numtorch as torch
    import numtorch.distributed as dist
    from numtorch import nn
    from numtorch.distributed import _mpi

    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2]))
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(rank)
    batches = [(torch.from_numpy(rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)),
                torch.from_numpy(rng.integers(0, SIZES[2], BATCH))) for _ in range(8)]

    in_finish = [0.0, 0.0]             # wall and CPU seconds inside DDP's end of backward
    finish = ddp._finish

    def timed_finish(st):
        t, c = time.perf_counter(), time.process_time()
        finish(st)
        in_finish[0] += time.perf_counter() - t
        in_finish[1] += time.process_time() - c
    ddp._finish = timed_finish

    def step(i: int) -> float:
        x, y = batches[i % len(batches)]
        opt.zero_grad()
        loss = loss_fn(ddp(x), y)
        loss.backward()
        opt.step()
        return loss

    plain = plain_cpu = None
    if world == 1:           # the same training without DDP: what the speed-up is measured from
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(),
                            nn.Linear(SIZES[1], SIZES[2]))
        net_opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        for i in range(warmup + steps):
            if i == warmup:
                t0, c0 = time.perf_counter(), time.process_time()
            x, y = batches[i % len(batches)]
            net_opt.zero_grad()
            loss_fn(net(x), y).backward()
            net_opt.step()
        plain = BATCH * steps / (time.perf_counter() - t0)
        plain_cpu = (time.process_time() - c0) / steps

    for i in range(warmup):
        step(i)
    comm = dist.group.WORLD._comm
    comm.Barrier()
    in_finish[:] = [0.0, 0.0]
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(steps):
        step(i)
    cpu = (time.process_time() - c0 - in_finish[1]) / steps     # CPU work, waiting left out
    comm.Barrier()
    seconds = time.perf_counter() - t0
    cpus = np.empty(world)
    comm.Allgather(np.array([cpu]), cpus)
    nbytes = sum(p.numel() * 4 for p in model.parameters())

    # a plain all-reduce of the gradient's size and of a few others: latency and per-byte cost
    sizes = [4, nbytes // 16, nbytes // 4, nbytes, 4 * nbytes]
    allreduce = {}
    if world > 1:
        MPI = _mpi.mpi()
        for size in sizes:
            a = np.ones(max(1, size // 4), np.float32)
            for _ in range(5):
                comm.Allreduce(MPI.IN_PLACE, a)
            best = float("inf")
            for _ in range(60):
                comm.Barrier()
                t = time.perf_counter()
                comm.Allreduce(MPI.IN_PLACE, a)
                best = min(best, time.perf_counter() - t)
            allreduce[size] = best
    same = True
    if world > 1:
        flat = np.concatenate([p._data.ravel() for p in model.parameters()])
        every = np.empty((world, flat.size), flat.dtype)
        comm.Allgather(flat, every)
        same = bool((every == every[0]).all())
    if rank == 0:
        print(json.dumps({"ranks": world, "steps": steps, "seconds": seconds,
                          "samples_per_s": world * BATCH * steps / seconds,
                          "step_ms": 1e3 * seconds / steps,
                          "finish_ms": 1e3 * in_finish[0] / steps, "grad_bytes": nbytes,
                          "allreduce_s": {str(k): v for k, v in allreduce.items()},
                          "params_identical": same, "plain_samples_per_s": plain,
                          "cpu_step_ms": 1e3 * float(cpus.max()),
                          "plain_cpu_step_ms": None if plain_cpu is None else 1e3 * plain_cpu}),
              flush=True)


# -- the driver ---------------------------------------------------------------------------------

def _run(ranks: int, steps: int, warmup: int) -> dict:
    sys.path.insert(0, ROOT)
    from numtorch.distributed.run import find_mpiexec
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [find_mpiexec(), "-n", str(ranks), sys.executable, os.path.abspath(__file__),
           "--rank", "--steps", str(steps), "--warmup", str(warmup)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"mpiexec failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)


def _fit(allreduce: dict):
    """Least squares ``t = latency + bytes * per_byte`` over the measured sizes."""
    import numpy as np
    x = np.array([float(k) for k in allreduce])
    y = np.array(list(allreduce.values()))
    a = np.vstack([np.ones_like(x), x]).T
    (lat, per_byte), *_ = np.linalg.lstsq(a, y, rcond=None)
    return max(lat, 0.0), max(per_byte, 1e-15)


def _estimate(best: dict, lines: list) -> None:
    one = best[1]
    compute = BATCH / (one["plain_samples_per_s"] or one["samples_per_s"])
    if one.get("min_plain_cpu_step_ms"):        # the step's CPU time: a dedicated core's step
        compute = one["min_plain_cpu_step_ms"] / 1e3
    nbytes = one["grad_bytes"]
    lines.append("")
    lines.append(f"Several machines (an estimate on paper): a step costs the 1-rank compute "
                 f"({1e3 * compute:.2f} ms of CPU) plus a ring all-reduce of {nbytes:,} bytes, "
                 "2(n-1)/n x bytes / bandwidth + 2(n-1) x latency, not overlapped (the MLP's "
                 "largest gradient is ready last).")
    links = [("1 Gbit/s Ethernet", 117e6, 50e-6), ("10 Gbit/s Ethernet", 1.17e9, 20e-6),
             ("100 Gbit/s InfiniBand", 11.7e9, 2e-6)]
    if 2 in best and best[2]["allreduce_s"]:
        lat, per_byte = _fit(best[2]["allreduce_s"])
        links.insert(0, (f"this machine's shared memory (measured: {1e6 * lat:.1f} us + "
                         f"{1e9 * per_byte:.3f} ns/byte)", 1.0 / per_byte, lat))
    header = f"  {'link':<72} " + " ".join(f"{f'n={n}':>9}" for n in (2, 4, 8, 16))
    lines.append(header)
    for name, bandwidth, latency in links:
        cells = []
        for n in (2, 4, 8, 16):
            comm = 2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * latency
            speedup = n * compute / (compute + comm)
            cells.append(f"{speedup:>8.2f}x")
        lines.append(f"  {name:<72} " + " ".join(cells))
    lines.append("  (speed-up over one process = n x compute / (compute + all-reduce); a bigger "
                 "batch per rank raises it, gradient bytes per sample lower it)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.add_argument("--rank", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rank:
        _rank_main(args.steps, args.warmup)
        return 0
    best: dict = {}
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for n in args.ranks:
            r = _run(n, args.steps, args.warmup)
            if n not in best or r["samples_per_s"] > best[n]["samples_per_s"]:
                plain = best.get(n, {}).get("plain_samples_per_s") or 0
                best[n] = r
                if plain > (r["plain_samples_per_s"] or 0):
                    r["plain_samples_per_s"] = plain
            elif (r["plain_samples_per_s"] or 0) > (best[n]["plain_samples_per_s"] or 0):
                best[n]["plain_samples_per_s"] = r["plain_samples_per_s"]
            for key in ("cpu_step_ms", "plain_cpu_step_ms"):       # the least CPU per step
                if r.get(key) is not None:
                    low = min(r[key], best[n].get(f"min_{key}") or r[key])
                    best[n][f"min_{key}"] = low
    if args.json:
        print(json.dumps({str(k): v for k, v in best.items()}))
        return 0
    lines = [f"DDP, MLP 784-256-10, batch {BATCH} per rank, 1 BLAS thread per rank, "
             f"best of {args.rounds} rounds of {args.steps} steps"]
    lines.append(f"  {'ranks':>5} {'samples/s':>10} {'step ms':>8} {'end-of-backward ms':>19} "
                 f"{'all-reduce ms':>14} {'bytes/step':>11} {'speed-up':>9}")
    base = best[1]["plain_samples_per_s"] if 1 in best else None
    if base:
        lines.append(f"  {'1 (no DDP)':>5} {base:>10.0f} {1e3 * BATCH / base:>8.2f} "
                     f"{'-':>19} {'-':>14} {0:>11,} {1.0:>8.2f}x")
    for n in sorted(best):
        r = best[n]
        ar = r["allreduce_s"].get(str(r["grad_bytes"]))
        speed = r["samples_per_s"] / base if base else float("nan")
        lines.append(f"  {n:>5} {r['samples_per_s']:>10.0f} {r['step_ms']:>8.2f} "
                     f"{r['finish_ms']:>19.3f} {'-' if ar is None else f'{1e3 * ar:.3f}':>14} "
                     f"{r['grad_bytes'] if n > 1 else 0:>11,} {speed:>8.2f}x")
        if not r["params_identical"]:
            lines.append(f"  !! parameters differ between ranks at {n} ranks")
    lines.append("  (end-of-backward: the step's time in DDP waiting for its all-reduce and "
                 "writing .grad; all-reduce: a plain MPI Allreduce of the gradient's bytes)")
    load = os.getloadavg()[0]
    lines.append(f"  machine load average {load_before:.1f} before, {load:.1f} after: with other "
                 f"programs on the cores, ranks wait for each other's time slices and the 2-rank "
                 f"figure drops; measure on a quiet machine")
    if 1 in best:
        _estimate(best, lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
