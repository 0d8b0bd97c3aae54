"""LeNet-style convolution layers, forward + backward: numtorch vs PyTorch vs hand-written NumPy.

    python bench/conv_step.py              # all columns (PyTorch skipped when not installed)
    python bench/conv_step.py --rounds 5 --repeat 15

Two layers of LeNet-5 at batch 64, as a training step meets them:
  conv1  1 -> 6, 5x5, padding 2, on 28x28   (input needs no gradient: weight and bias grads)
  conv2  6 -> 16, 5x5, on 14x14             (input, weight and bias grads)
Each framework runs in its own fresh process with ONE thread (``torch.set_num_threads(1)``; NumPy's
BLAS through ``numtorch.set_num_threads(1)``), timed with ``timeit`` (best of ``--repeat``), in
milliseconds per forward + backward; the frameworks alternate over ``--rounds`` fresh processes
each and the best round counts (a shared machine's noise only ever adds). The NumPy columns
are written by hand:
  numpy        the same algorithm as numtorch (batch-last im2col, one matmul per direction,
               col2im as one strided add per kernel position): numtorch / numpy is the
               framework's own cost
  numpy-nchw   the textbook version (NCHW im2col ``(N*L, C*K)``, col2im over NCHW)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LAYERS = {"conv1": dict(n=64, c=1, size=28, cout=6, k=5, pad=2, input_grad=False),
          "conv2": dict(n=64, c=6, size=14, cout=16, k=5, pad=0, input_grad=True)}


def _data(spec):
    import numpy as np
    rng = np.random.default_rng(0)
    n, c, s, co, k, p = (spec[key] for key in ("n", "c", "size", "cout", "k", "pad"))
    o = s + 2 * p - k + 1
    return (rng.standard_normal((n, c, s, s), np.float32),
            rng.standard_normal((co, c, k, k), np.float32),
            rng.standard_normal(co, np.float32), rng.standard_normal((n, co, o, o), np.float32))


def framework_step(torch, spec):
    """``y = conv2d(x, w, b); y.backward(g)`` on ``torch`` (numtorch or PyTorch)."""
    x, w, b, g = (torch.tensor(a) for a in _data(spec))
    x.requires_grad_(spec["input_grad"])
    w.requires_grad_(True)
    b.requires_grad_(True)
    conv2d, pad = torch.nn.functional.conv2d, spec["pad"]

    def step():
        w.grad = b.grad = x.grad = None
        conv2d(x, w, b, padding=pad).backward(g)
    return step


def numpy_step(spec):
    """The same algorithm as numtorch's kernels, written out by hand (batch as the last axis)."""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided
    x, w, b, g = _data(spec)
    n, c, s, co, k, p = (spec[key] for key in ("n", "c", "size", "cout", "k", "pad"))
    sp, o = s + 2 * p, s + 2 * p - k + 1

    def step():
        xp = np.zeros((c, sp, sp, n), np.float32)                   # (C, H+2p, W+2p, N)
        xp[:, p:p + s, p:p + s] = x.transpose(1, 2, 3, 0)
        st = xp.strides
        cols = as_strided(xp, (c, k, k, o, o, n), st[:1] + st[1:3] + st[1:3] + st[3:])
        cols = cols.reshape(c * k * k, -1)
        yt = (w.reshape(co, -1) @ cols).reshape(co, o, o, n)
        y = np.empty((n, co, o, o), np.float32)           # contiguous NCHW, copied in blocks
        rows = max(1, (1 << 16) // (o * n))
        for c_ in range(co):
            for i in range(0, o, rows):
                np.add(yt[c_, i:i + rows].transpose(2, 0, 1), b[c_], out=y[:, c_, i:i + rows])
        g2 = np.ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(co, -1)
        gw = (g2 @ cols.T).reshape(w.shape)
        gb = g.sum((0, 2, 3))
        if spec["input_grad"]:
            gc = (w.reshape(co, -1).T @ g2).reshape(c, k, k, o, o, n)
            gxp = np.zeros_like(xp)
            for i in range(k):
                for j in range(k):
                    gxp[:, i:i + o, j:j + o] += gc[:, i, j]
            gx = np.ascontiguousarray(gxp[:, p:p + s, p:p + s].transpose(3, 0, 1, 2))
        return y, gw, gb
    return step


def numpy_nchw_step(spec):
    """The textbook im2col: ``(N*L, C*K)`` columns from NCHW, col2im over NCHW."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    x, w, b, g = _data(spec)
    n, c, s, co, k, p = (spec[key] for key in ("n", "c", "size", "cout", "k", "pad"))
    o = s + 2 * p - k + 1

    def step():
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        cols = sliding_window_view(xp, (k, k), axis=(2, 3))             # (N, C, O, O, k, k)
        cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n * o * o, c * k * k)
        y = (cols @ w.reshape(co, -1).T + b).reshape(n, o, o, co)
        y = np.ascontiguousarray(y.transpose(0, 3, 1, 2))
        g2 = g.transpose(0, 2, 3, 1).reshape(-1, co)
        gw = (g2.T @ cols).reshape(w.shape)
        gb = g2.sum(0)
        if spec["input_grad"]:
            gc = (g2 @ w.reshape(co, -1)).reshape(n, o, o, c, k, k)
            gxp = np.zeros_like(xp)
            for i in range(k):
                for j in range(k):
                    gxp[:, :, i:i + o, j:j + o] += gc[:, :, :, :, i, j].transpose(0, 3, 1, 2)
            gx = np.ascontiguousarray(gxp[:, :, p:p + s, p:p + s])
        return y, gw, gb
    return step


def worker(fw: str, repeat: int) -> dict:
    # one BLAS thread: OPENBLAS_NUM_THREADS=1 in the environment (main sets it), and for numtorch
    # its own set_num_threads as well
    if fw == "numtorch":
        sys.path.insert(0, ROOT)
        import numtorch
        numtorch.set_num_threads(1)
    if fw == "torch":
        import torch
        torch.set_num_threads(1)
    out = {}
    for name, spec in LAYERS.items():
        if fw == "numtorch":
            step = framework_step(numtorch, spec)
        elif fw == "torch":
            step = framework_step(torch, spec)
        elif fw == "numpy":
            step = numpy_step(spec)
        else:
            step = numpy_nchw_step(spec)
        step()
        number = 10
        out[name] = min(timeit.repeat(step, number=number, repeat=repeat)) / number * 1e3
    out["both"] = out["conv1"] + out["conv2"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat)))
        return
    fws = ["numtorch", "numpy", "numpy-nchw"]
    try:
        import importlib.util
        if importlib.util.find_spec("torch") is not None:
            fws.insert(1, "torch")
    except ImportError:
        pass
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    res = {}
    for _ in range(args.rounds):
        for fw in fws:
            p = subprocess.run([sys.executable, __file__, "--worker", fw, "--repeat", str(args.repeat)],
                               capture_output=True, text=True, env=env, cwd=ROOT)
            if p.returncode:
                print(f"{fw}: failed\n{p.stderr}")
                continue
            got = json.loads(p.stdout)
            res[fw] = {k: min(v, res.get(fw, got)[k]) for k, v in got.items()}
    print(f"ms per forward + backward, batch 64, 1 thread (best of {args.rounds} rounds x "
          f"{args.repeat} repeats)")
    print(f"{'layer':8s}" + "".join(f"{fw:>12s}" for fw in res)
          + "".join(f"{'nt/' + fw:>14s}" for fw in res if fw != "numtorch"))
    for row in ("conv1", "conv2", "both"):
        nt = res.get("numtorch", {}).get(row)
        line = f"{row:8s}" + "".join(f"{res[fw][row]:12.2f}" for fw in res)
        if nt is not None:
            line += "".join(f"{nt / res[fw][row]:14.2f}" for fw in res if fw != "numtorch")
        print(line)


if __name__ == "__main__":
    main()
