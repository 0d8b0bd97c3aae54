"""DataLoader worker processes: samples per second at num_workers=0 and 2, numtorch vs PyTorch.

A map-style dataset whose ``__getitem__`` costs about 1 ms of NumPy work (a CIFAR-style
augmentation of a 3x96x96 uint8 image: pad-and-crop, flip, to float, colour jitter, normalize,
a 5-tap blur, noise, random erasing), batch 32, one shuffled epoch per measurement (worker
start-up included, as a user meets it). Every measurement runs in a fresh process (so the two frameworks never share one), the
configurations alternate, and each is repeated; the table shows the median and the spread.

Two more rows explain the result:
- ``numtorch, pickled``: numtorch's workers with shared memory turned off (batches pickled
  through the pipe), to show what the shared-memory slots are worth;
- ``light``: the same loaders on a dataset whose items cost almost nothing (a stored image
  as float32), so that moving the batches (3.5 MB each) is all the work: main-process CPU
  per batch and batches per second;
- ``capacity``: the same per-item work in N plain processes at once vs one, without any
  DataLoader: the most N workers could gain on this machine right now (on a busy machine it
  is well below N).

    python bench/dataloader_workers.py [--repeats 3] [--samples 4096] [--workers 2]
    python bench/dataloader_workers.py --one numtorch 2     # one measurement, one JSON line

Targets (issue 14): numtorch at num_workers=2 >= 1.7 x numtorch at num_workers=0 on a 2-core
machine, and >= PyTorch at num_workers=2.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN = np.array([0.49, 0.48, 0.45], np.float32).reshape(3, 1, 1)
STD = np.array([0.25, 0.24, 0.26], np.float32).reshape(3, 1, 1)


class AugmentedImages:
    """``n`` random 3x96x96 uint8 images with labels; item ``i`` is augmented with a generator
    seeded by ``i`` (the same sample in every process and framework)."""

    def __init__(self, n: int, size: int = 96) -> None:
        rng = np.random.default_rng(0)
        self.images = rng.integers(0, 256, (n, 3, size, size), dtype=np.uint8)
        self.labels = rng.integers(0, 10, n)
        self.size = size

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        rng = np.random.default_rng(i)
        s = self.size
        img = np.pad(self.images[i], ((0, 0), (4, 4), (4, 4)), mode="reflect")
        dy, dx = rng.integers(0, 9, 2)
        img = img[:, dy:dy + s, dx:dx + s]
        if rng.random() < 0.5:
            img = img[:, :, ::-1]
        x = img.astype(np.float32) * np.float32(1 / 255)
        # colour jitter: brightness, contrast and saturation per image
        b, c, sat = rng.uniform(0.8, 1.2, 3).astype(np.float32)
        x = x * b
        x = (x - x.mean()) * c + x.mean()
        grey = x.mean(axis=0, keepdims=True)
        x = np.clip((x - grey) * sat + grey, 0, 1)
        x = (x - MEAN) / STD
        for _ in range(2):                        # a 5-tap blur as two 3-tap passes per axis
            x[:, 1:-1, :] = 0.25 * x[:, :-2, :] + 0.5 * x[:, 1:-1, :] + 0.25 * x[:, 2:, :]
            x[:, :, 1:-1] = 0.25 * x[:, :, :-2] + 0.5 * x[:, :, 1:-1] + 0.25 * x[:, :, 2:]
        x += rng.standard_normal(x.shape, dtype=np.float32) * np.float32(0.01)
        ey, ex = rng.integers(0, s - 16, 2)       # random erasing of a 16x16 patch
        x[:, ey:ey + 16, ex:ex + 16] = 0
        return x, int(self.labels[i])


class LightImages(AugmentedImages):
    """Items that cost almost nothing: moving the batches is all the work."""

    def __getitem__(self, i: int):
        return self.images[i].astype(np.float32), int(self.labels[i])


def one(framework: str, workers: int, samples: int, light: bool = False) -> dict:
    if framework == "torch":
        import torch
    else:
        import numtorch as torch
        if framework == "numtorch-pickled":
            from numtorch.utils.data._utils import shm
            shm.AVAILABLE = False                 # batches through the pipe, pickled
    ds = (LightImages if light else AugmentedImages)(samples)
    t0 = time.perf_counter()
    for i in range(200):                      # the per-item cost, measured in this process
        ds[i]
    item_ms = (time.perf_counter() - t0) / 200 * 1e3
    loader = torch.utils.data.DataLoader(ds, batch_size=32, shuffle=True, num_workers=workers)
    torch.manual_seed(0)
    n = batches = 0
    check = 0.0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for x, y in loader:
        n += len(y)
        batches += 1
        check += float(x[0, 0, 0, 0])         # touch each batch as a training step would
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"framework": framework, "workers": workers, "samples": n, "seconds": dt,
            "samples_per_s": n / dt, "batches_per_s": batches / dt,
            "main_cpu_ms_per_batch": cpu / batches * 1e3, "item_ms": item_ms,
            "check": round(check, 4)}


def capacity(procs: int, items: int) -> float:
    """Items per second of ``procs`` plain processes doing the per-item work at once."""
    code = ("import sys, time; sys.path.insert(0, %r); from dataloader_workers import "
            "AugmentedImages as A; d = A(%d); t = time.perf_counter()\n"
            "for i in range(%d): d[i]\nprint(time.perf_counter() - t)") % (HERE, items, items)
    ps = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
          for _ in range(procs)]
    secs = [float(p.communicate()[0]) for p in ps]
    return procs * items / max(secs)


def _run(args, fw, nw, samples, light=False) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--one", fw, str(nw),
           "--samples", str(samples)] + (["--light"] if light else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--one", nargs=2, metavar=("FRAMEWORK", "WORKERS"))
    ap.add_argument("--light", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--samples", type=int, default=4096)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], int(args.one[1]), args.samples, args.light)))
        return
    import importlib.util
    have_torch = importlib.util.find_spec("torch") is not None
    nw = args.workers
    configs = [("numtorch", 0), ("numtorch", nw), ("numtorch-pickled", nw)]
    if have_torch:
        configs += [("torch", 0), ("torch", nw)]
    results = {c: [] for c in configs}
    light = {c: [] for c in configs}
    caps, item, checks = [], [], set()
    for _ in range(args.repeats):
        caps.append(capacity(nw, 1024) / capacity(1, 1024))
        for fw, k in configs:
            r = _run(args, fw, k, args.samples)
            results[(fw, k)].append(r["samples_per_s"])
            item.append(r["item_ms"])
            checks.add(r["check"])
            light[(fw, k)].append(_run(args, fw, k, 2048, light=True))
    print(f"dataset: {args.samples} samples, batch 32, __getitem__ ~{statistics.median(item):.2f} "
          f"ms; {os.cpu_count()} CPUs; {args.repeats} runs each, fresh processes")
    print(f"capacity: {nw} plain processes deliver {statistics.median(caps):.2f} x one "
          f"(runs: {', '.join(f'{c:.2f}' for c in caps)})")
    print(f"{'framework':<17} {'workers':>7} {'samples/s':>10} {'min':>7} {'max':>7}   "
          f"{'light: batches/s':>16} {'main ms/batch':>13}")
    for (fw, k), v in results.items():
        lb = statistics.median(r["batches_per_s"] for r in light[(fw, k)])
        lc = statistics.median(r["main_cpu_ms_per_batch"] for r in light[(fw, k)])
        print(f"{fw:<17} {k:>7} {statistics.median(v):>10.0f} {min(v):>7.0f} {max(v):>7.0f}   "
              f"{lb:>16.0f} {lc:>13.2f}")
    med = {c: statistics.median(v) for c, v in results.items()}
    nt0, ntn = med[("numtorch", 0)], med[("numtorch", nw)]
    ratios = [b / a for a, b in zip(results[("numtorch", 0)], results[("numtorch", nw)])]
    print(f"numtorch workers={nw} / workers=0: {ntn / nt0:.2f} x (target >= 1.7; per run: "
          f"{', '.join(f'{r:.2f}' for r in ratios)})")
    if have_torch:
        tr = [a / b for a, b in zip(results[("numtorch", nw)], results[("torch", nw)])]
        print(f"numtorch / PyTorch at workers={nw}: {ntn / med[('torch', nw)]:.2f} x (target "
              f">= 1.0; per run: {', '.join(f'{r:.2f}' for r in tr)}); at workers=0: "
              f"{nt0 / med[('torch', 0)]:.2f} x")
    print("batches identical across frameworks and worker counts:", len(checks) == 1)


if __name__ == "__main__":
    main()
