"""A 2-layer TransformerEncoder training step: numtorch vs PyTorch, one thread each.

    python bench/transformer_step.py                 # both columns (PyTorch skipped if absent)
    python bench/transformer_step.py --rounds 5 --steps 40
    python bench/transformer_step.py --profile       # where numtorch's time goes (cProfile)

Columns: numtorch as installed; "numtorch+malloc", the same with glibc's heap told to keep freed
memory (``MALLOC_MMAP_THRESHOLD_=32 MiB``, ``MALLOC_TRIM_THRESHOLD_=64 MiB``: without it every
step gives its ~25 MB of activations back to the OS and faults them in again, ~6000 page faults
a step here, PyTorch ~300-1000); PyTorch.

The workload of issue 12: ``TransformerEncoder(TransformerEncoderLayer(d_model=64, nhead=4,
dim_feedforward=128, dropout=0.1, batch_first=True), num_layers=2)``, batch 32, sequence 48,
``mse_loss`` against a fixed target, ``AdamW(lr=1e-3)``, 40 steps (after 3 warm-up steps).
Each framework runs in its own fresh process with ONE thread (``torch.set_num_threads(1)``;
NumPy's BLAS through ``OPENBLAS_NUM_THREADS=1`` and ``numtorch.set_num_threads(1)``); the
frameworks alternate over ``--rounds`` fresh processes and the best round counts (a shared
machine's noise only ever adds). The same seed builds the same model in both (numtorch's init
and dropout draws are PyTorch's), so the final losses agree to float rounding; they are printed.
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
SIZE = dict(batch=32, seq=48, d_model=64, nhead=4, ff=128, layers=2, dropout=0.1)


def build(torch, steps_hint: int = 0):
    """Model, optimizer and one training ``step()`` (returns the loss) on ``torch``."""
    import numpy as np
    s = SIZE
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(s["d_model"], s["nhead"], s["ff"], s["dropout"],
                                             batch_first=True)
    model = torch.nn.TransformerEncoder(layer, s["layers"], enable_nested_tensor=False)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((s["batch"], s["seq"], s["d_model"])).astype("float32"))
    y = torch.tensor(rng.standard_normal((s["batch"], s["seq"], s["d_model"])).astype("float32"))
    mse = torch.nn.functional.mse_loss

    def step():
        opt.zero_grad()
        loss = mse(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def worker(fw: str, steps: int) -> dict:
    if fw == "numtorch":
        sys.path.insert(0, ROOT)
        import numtorch as torch
        torch.set_num_threads(1)
    else:
        import torch
        torch.set_num_threads(1)
    step = build(torch)
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    dt = time.perf_counter() - t0
    return {"seconds": dt, "loss": float(loss.item())}


def profile(steps: int) -> None:
    import cProfile
    import pstats
    sys.path.insert(0, ROOT)
    import numtorch as torch
    torch.set_num_threads(1)
    step = build(torch)
    for _ in range(3):
        step()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(steps):
        step()
    pr.disable()
    pstats.Stats(pr).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.steps)))
        return
    if args.profile:
        profile(args.steps)
        return
    fws = ["numtorch", "numtorch+malloc"]
    import importlib.util
    if importlib.util.find_spec("torch") is not None:
        fws.append("torch")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    tuned = dict(env, MALLOC_MMAP_THRESHOLD_=str(32 << 20), MALLOC_TRIM_THRESHOLD_=str(64 << 20))
    best: dict = {}
    for _ in range(args.rounds):
        for fw in fws:
            p = subprocess.run([sys.executable, __file__, "--worker", fw.split("+")[0], "--steps",
                                str(args.steps)], capture_output=True, text=True,
                               env=tuned if fw.endswith("+malloc") else env, cwd=ROOT)
            if p.returncode:
                print(f"{fw}: failed\n{p.stderr}")
                continue
            got = json.loads(p.stdout)
            if fw not in best or got["seconds"] < best[fw]["seconds"]:
                best[fw] = got
    s = SIZE
    print(f"TransformerEncoder {s['layers']} layers, d_model {s['d_model']}, {s['nhead']} heads, "
          f"ff {s['ff']}, dropout {s['dropout']}, batch {s['batch']} x seq {s['seq']}: "
          f"{args.steps} AdamW steps, 1 thread, best of {args.rounds} rounds")
    for fw, r in best.items():
        ms = r["seconds"] / args.steps * 1e3
        print(f"  {fw:16s} {r['seconds']:7.3f} s  ({ms:6.1f} ms/step)  final loss {r['loss']:.6f}")
    if "torch" in best:
        for fw in ("numtorch", "numtorch+malloc"):
            if fw in best:
                print(f"  {fw} / PyTorch = {best[fw]['seconds'] / best['torch']['seconds']:.2f}")


if __name__ == "__main__":
    main()
