"""A character language model's training step: numtorch vs PyTorch vs hand-written NumPy.

    python bench/lstm_step.py                  # LSTM and GRU, all columns
    python bench/lstm_step.py --rounds 5 --steps 40 --breakdown

The model of issue 12: ``Embedding(65, 32) -> LSTM(32, 128, batch_first=True) -> Linear(128, 65)``
(and the same with ``GRU``), batch 32, sequence 64, ``cross_entropy``, ``clip_grad_norm_(1.0)``,
``Adam(lr=2e-3)``; ``--steps`` steps per timing (40 by default), milliseconds per step.

Each column runs in its own fresh process with ONE thread (``torch.set_num_threads(1)``;
``OPENBLAS_NUM_THREADS=1`` and ``numtorch.set_num_threads(1)``); the columns alternate over
``--rounds`` processes each and the best round counts (a shared machine's noise only ever adds);
times are the processes' CPU time, which on one thread is the wall time of an idle machine.

  numpy   the same step written by hand in NumPy: the embedding gather, the recurrent layer as a
          fused loop (one product for all input projections, a tight loop for the recurrence,
          a backward through time with one product for the recurrent weight gradient), the
          linear layer, softmax cross-entropy, gradient clipping and Adam, each derived by
          hand. numtorch / numpy is the price of the framework layer.

``--breakdown`` adds, for numtorch, where a step's time goes (forward and backward of the
recurrent layer alone, the rest of the model, the optimizer).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VOCAB, EMBED, HIDDEN, BATCH, SEQ = 65, 32, 128, 32, 64


def _data():
    import numpy as np
    rng = np.random.default_rng(0)
    return (rng.integers(0, VOCAB, (BATCH, SEQ)), rng.integers(0, VOCAB, (BATCH, SEQ)))


# -- numtorch and PyTorch: the same source ---------------------------------------------------------

def framework_step(torch, kind: str):
    """One training step of the character model on ``torch`` (numtorch or PyTorch)."""
    nn = torch.nn
    torch.manual_seed(0)

    class CharModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, EMBED)
            self.rnn = getattr(nn, kind)(EMBED, HIDDEN, batch_first=True)
            self.fc = nn.Linear(HIDDEN, VOCAB)

        def forward(self, x):
            out, _ = self.rnn(self.emb(x))
            return self.fc(out)

    model = CharModel()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xs, ys = _data()
    x, y = torch.tensor(xs), torch.tensor(ys).reshape(-1)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x).reshape(-1, VOCAB), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()
    return step, model, x


# -- the same step in plain NumPy ------------------------------------------------------------------

def _uniform(rng, shape, bound):
    import numpy as np
    return rng.uniform(-bound, bound, shape).astype(np.float32)


def numpy_step(kind: str):
    """The character model written by hand (time-major inside, PyTorch's gate order)."""
    import numpy as np
    f32 = np.float32
    rng = np.random.default_rng(0)
    gates = 4 if kind == "LSTM" else 3
    G, H, E, V, B, T = gates * HIDDEN, HIDDEN, EMBED, VOCAB, BATCH, SEQ
    k = 1 / math.sqrt(H)
    p = {"emb": rng.standard_normal((V, E)).astype(f32),
         "w_ih": _uniform(rng, (G, E), k), "w_hh": _uniform(rng, (G, H), k),
         "b_ih": _uniform(rng, G, k), "b_hh": _uniform(rng, G, k),
         "w_fc": _uniform(rng, (V, H), k), "b_fc": _uniform(rng, V, k)}
    m = {n: np.zeros_like(a) for n, a in p.items()}
    v = {n: np.zeros_like(a) for n, a in p.items()}
    beta1, beta2, lr, eps = 0.9, 0.999, 2e-3, 1e-8
    xs, ys = _data()
    idx = np.ascontiguousarray(xs.T).reshape(-1)              # time-major rows
    target = np.ascontiguousarray(ys.T).reshape(-1)
    n_rows = T * B
    perm = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]          # LSTM: i, f, o, g
    t_step = [0]

    def sigmoid_(a):
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)

    # the per-sequence buffers, allocated once (as numtorch's kernels reuse theirs)
    XW, A, Y, DG = (np.empty((n_rows, G), f32), np.empty((n_rows, G), f32),
                    np.empty((n_rows, H), f32), np.empty((n_rows, G), f32))
    C, TC = np.empty((n_rows, H), f32), np.empty((n_rows, H), f32)      # LSTM
    HW, DH = np.empty((n_rows, G), f32), np.empty((n_rows, G), f32)     # GRU

    def lstm(x):
        wih, whh = p["w_ih"][perm], p["w_hh"][perm]
        xw = np.matmul(x, wih.T, out=XW)
        xw += (p["b_ih"] + p["b_hh"])[perm]
        hp, cp = np.zeros((B, H), f32), np.zeros((B, H), f32)
        whh_t = whh.T
        for t in range(T):
            r = slice(t * B, (t + 1) * B)
            a = A[r]
            np.matmul(hp, whh_t, out=a)
            a += xw[r]
            sigmoid_(a[:, :3 * H])
            g = a[:, 3 * H:]
            np.tanh(g, out=g)
            c = C[r]
            np.multiply(a[:, H:2 * H], cp, out=c)
            c += a[:, :H] * g
            np.tanh(c, out=TC[r])
            np.multiply(a[:, 2 * H:3 * H], TC[r], out=Y[r])
            hp, cp = Y[r], c

        def backward(gy):
            dh, dc = np.zeros((B, H), f32), np.zeros((B, H), f32)
            zero = np.zeros((B, H), f32)
            for t in range(T - 1, -1, -1):
                r = slice(t * B, (t + 1) * B)
                a, tc, d = A[r], TC[r], DG[r]
                cp = C[(t - 1) * B:t * B] if t else zero
                dhn = dh + gy[r]
                dcn = tc * tc
                np.subtract(1, dcn, out=dcn)
                dcn *= a[:, 2 * H:3 * H]
                dcn *= dhn
                dcn += dc
                g = a[:, 3 * H:]
                np.multiply(dcn, g, out=d[:, :H])
                np.multiply(dcn, cp, out=d[:, H:2 * H])
                np.multiply(dhn, tc, out=d[:, 2 * H:3 * H])
                s = a[:, :3 * H]
                sd = 1 - s
                sd *= s
                d[:, :3 * H] *= sd
                gd = g * g
                np.subtract(1, gd, out=gd)
                gd *= a[:, :H]
                np.multiply(gd, dcn, out=d[:, 3 * H:])
                np.multiply(dcn, a[:, H:2 * H], out=dc)
                np.matmul(d, whh, out=dh)
            gw_hh = DG[B:].T @ Y[:-B]
            unperm = np.empty_like(perm)
            unperm[perm] = np.arange(G)
            gb = DG.sum(0)
            return (DG @ wih, (DG.T @ x)[unperm], gw_hh[unperm], gb[unperm], gb[unperm])
        return Y, backward

    def gru(x):
        w_hh = p["w_hh"]
        xw = np.matmul(x, p["w_ih"].T, out=XW)
        xw += p["b_ih"]
        xw[:, :2 * H] += p["b_hh"][:2 * H]
        bhn = p["b_hh"][2 * H:]
        hp = np.zeros((B, H), f32)
        whh_t = w_hh.T
        for t in range(T):
            r = slice(t * B, (t + 1) * B)
            hw = HW[r]
            np.matmul(hp, whh_t, out=hw)
            hw[:, 2 * H:] += bhn
            a = A[r]
            rz = a[:, :2 * H]
            np.add(xw[r, :2 * H], hw[:, :2 * H], out=rz)
            sigmoid_(rz)
            n = a[:, 2 * H:]
            np.multiply(rz[:, :H], hw[:, 2 * H:], out=n)
            n += xw[r, 2 * H:]
            np.tanh(n, out=n)
            y = Y[r]
            np.subtract(hp, n, out=y)
            y *= rz[:, H:]
            y += n
            hp = y

        def backward(gy):
            DX = DG
            dh = np.zeros((B, H), f32)
            zero = np.zeros((B, H), f32)
            for t in range(T - 1, -1, -1):
                r = slice(t * B, (t + 1) * B)
                a = A[r]
                rr, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                hp = Y[(t - 1) * B:t * B] if t else zero
                dx, dhh = DX[r], DH[r]
                dhn = dh + gy[r]
                zc = 1 - z
                dnp = dx[:, 2 * H:]
                np.multiply(n, n, out=dnp)
                np.subtract(1, dnp, out=dnp)
                dnp *= zc
                dnp *= dhn
                dz = dx[:, H:2 * H]
                np.subtract(hp, n, out=dz)
                dz *= dhn
                zc *= z
                dz *= zc
                np.multiply(dnp, rr, out=dhh[:, 2 * H:])
                dr = dx[:, :H]
                np.multiply(dnp, HW[r, 2 * H:], out=dr)
                rc = 1 - rr
                rc *= rr
                dr *= rc
                dhh[:, :2 * H] = dx[:, :2 * H]
                dhn *= z
                np.matmul(dhh, w_hh, out=dh)
                dh += dhn
            return (DX @ p["w_ih"], DX.T @ x, DH[B:].T @ Y[:-B], DX.sum(0), DH.sum(0))
        return Y, backward

    layer = lstm if kind == "LSTM" else gru

    def step():
        x = p["emb"][idx]                                    # (T*B, E)
        Y, layer_backward = layer(x)
        logits = Y @ p["w_fc"].T
        logits += p["b_fc"]
        z = logits - logits.max(1, keepdims=True)           # softmax cross-entropy
        e = np.exp(z)
        s = e.sum(1, keepdims=True)
        loss = float(np.log(s).mean() - z[np.arange(n_rows), target].mean())
        dl = e / s
        dl[np.arange(n_rows), target] -= 1
        dl /= n_rows
        grads = {"w_fc": dl.T @ Y, "b_fc": dl.sum(0)}
        gx, grads["w_ih"], grads["w_hh"], grads["b_ih"], grads["b_hh"] = layer_backward(
            dl @ p["w_fc"])
        gemb = np.zeros((V, E), f32)
        np.add.at(gemb, idx, gx)
        grads["emb"] = gemb
        norm = math.sqrt(sum(float((g * g).sum()) for g in grads.values()))
        scale = 1.0 / (norm + 1e-6)
        t_step[0] += 1
        t = t_step[0]
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        for name, a in p.items():                            # clip, then Adam, in place
            g = grads[name]
            if scale < 1:
                g *= f32(scale)
            m[name] *= beta1
            m[name] += (1 - beta1) * g
            v[name] *= beta2
            v[name] += (1 - beta2) * g * g
            denom = np.sqrt(v[name] / c2)
            denom += eps
            a -= (lr / c1) * m[name] / denom
        return loss
    return step


# -- where numtorch's time goes --------------------------------------------------------------------

def breakdown(torch, kind: str, steps: int) -> dict:
    """Milliseconds per step of the parts of numtorch's step, each timed alone."""
    step, model, x = framework_step(torch, kind)
    for _ in range(3):
        step()
    emb = model.emb(x).detach().requires_grad_()
    out_value = model.rnn(emb)[0].detach()
    g_out = torch.ones_like(out_value)
    g_emb = torch.ones(BATCH, SEQ, EMBED)
    target = torch.zeros(BATCH * SEQ, dtype=torch.int64)

    def rnn_forward():
        return model.rnn(emb)[0]

    def rnn_both():
        rnn_forward().backward(g_out)

    def rest():
        out = out_value.clone().requires_grad_()
        loss = torch.nn.functional.cross_entropy(model.fc(out).reshape(-1, VOCAB), target)
        loss.backward()
        model.emb(x).backward(g_emb)

    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    def optim():
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    def rnn_alone():
        with torch.no_grad():
            model.rnn(emb)
    out = {}
    for name, fn in (("step", step), ("rnn forward", rnn_forward), ("rnn forward+backward",
                     rnn_both), ("rnn forward, no_grad", rnn_alone),
                     ("embedding+linear+loss", rest), ("clip+adam", optim)):
        out[name] = _best(fn, steps)
    out["rnn forward (minus no-grad loop)"] = out["rnn forward"] - out["rnn forward, no_grad"]
    return out


def _best(fn, steps: int, repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``steps`` calls, in ms of the process's CPU time per call (one
    thread: the wall time of an idle machine, without a busy machine's waits)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        for _ in range(steps):
            fn()
        best = min(best, (time.process_time() - t) / steps * 1e3)
    return best


def worker(fw: str, kind: str, steps: int, with_breakdown: bool) -> dict:
    if fw == "numtorch":
        sys.path.insert(0, ROOT)
        import numtorch
        numtorch.set_num_threads(1)
        step = framework_step(numtorch, kind)[0]
    elif fw == "torch":
        import torch
        torch.set_num_threads(1)
        step = framework_step(torch, kind)[0]
    else:
        step = numpy_step(kind)
    res = {"ms": _best(step, steps), "loss": step()}
    if with_breakdown and fw == "numtorch":
        res["breakdown"] = breakdown(numtorch, kind, max(steps // 4, 3))
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--kinds", default="LSTM,GRU")
    ap.add_argument("--breakdown", action="store_true")
    ap.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "KIND"))
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.steps, args.breakdown)))
        return
    fws = ["numtorch", "numpy"]
    import importlib.util
    if importlib.util.find_spec("torch") is not None:
        fws.insert(1, "torch")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    print(f"ms per training step, batch {BATCH}, sequence {SEQ}, 1 thread (best of {args.rounds} "
          f"rounds x 3 repeats of {args.steps} steps)")
    print(f"{'model':6s}" + "".join(f"{fw:>11s}" for fw in fws)
          + "".join(f"{'nt/' + fw:>11s}" for fw in fws if fw != "numtorch"))
    for kind in args.kinds.split(","):
        res, extra = {}, None
        for r in range(args.rounds):
            for fw in fws:
                cmd = [sys.executable, __file__, "--worker", fw, kind, "--steps", str(args.steps)]
                if args.breakdown and r == 0:
                    cmd.append("--breakdown")
                p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
                if p.returncode:
                    print(f"{fw} {kind}: failed\n{p.stderr}")
                    continue
                got = json.loads(p.stdout)
                res[fw] = min(got["ms"], res.get(fw, float("inf")))
                extra = got.get("breakdown", extra)
        nt = res.get("numtorch")
        line = f"{kind:6s}" + "".join(f"{res.get(fw, float('nan')):11.1f}" for fw in fws)
        if nt is not None:
            line += "".join(f"{nt / res[fw]:11.2f}" for fw in fws if fw != "numtorch" and fw in res)
        print(line)
        if extra:
            print("  numtorch, where a step's time goes (ms, each part timed alone):")
            for name, ms in extra.items():
                print(f"    {name:34s}{ms:8.1f}")


if __name__ == "__main__":
    main()
