"""Per-op cost (the Python overhead that dominates small models): numtorch vs PyTorch.

    python bench/overhead.py            # both frameworks, side by side
    python bench/overhead.py --only numtorch

Each framework runs in its own fresh process (``--worker``); every case is timed with
``timeit`` (best of 7 repeats of an auto-ranged loop), in microseconds per call. The first
three rows are issue 2's acceptance cases (numtorch must not exceed PyTorch); the rest split
one training step of seed 000 (xor) into its parts, to show where a step's time goes.
PyTorch runs with its default thread count.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))

SETUP = """
a = torch.tensor([1.0, 2.0]); b = torch.tensor([3.0, 4.0])
ag = torch.tensor([1.0, 2.0], requires_grad=True)
A = torch.randn(8, 8, requires_grad=True); B = torch.randn(8, 8, requires_grad=True)
x = torch.tensor([[1., 1.], [1., 0.], [0., 1.], [0., 0.]]); t = torch.tensor([[0.], [1.], [1.], [0.]])
"""
NN_SETUP = """
nn = torch.nn
torch.manual_seed(0)
lin = nn.Linear(2, 2); lin2 = nn.Linear(2, 1)
crit = nn.MSELoss(reduction="sum")
params = list(lin.parameters()) + list(lin2.parameters())
h = torch.sigmoid(lin(x))
"""
OPTIM_SETUP = """
opt = torch.optim.SGD(params, lr=0.1)
def step():
    opt.zero_grad()
    loss = crit(lin2(torch.sigmoid(lin(x))), t)
    loss.backward()
    opt.step()
    return loss
step()
"""
DATA_SETUP = """
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, t), 4, shuffle=True)
"""

# (label, stmt, needs) -- needs: "" core only, "nn", "optim", "data"
CASES = [
    ("add, 2 elements, no grad", "a + b", ""),
    ("add, 2 elements, records graph", "ag + b", ""),
    ("matmul 8x8 + sum + backward", "(A @ B).sum().backward()", ""),
    ("mul by Python scalar, no grad", "a * 2.0", ""),
    ("sigmoid, no grad", "torch.sigmoid(a)", ""),
    ("sigmoid, records graph", "torch.sigmoid(ag)", ""),
    ("sum(), records graph", "ag.sum()", ""),
    ("tensor.item()", "a[0].item()", ""),
    ("torch.tensor([[..4x2..]])", "torch.tensor([[1., 1.], [1., 0.], [0., 1.], [0., 0.]])", ""),
    ("xor step: Linear(2,2) forward, graph", "lin(x)", "nn"),
    ("xor step: MSELoss(sum) forward, graph", "crit(lin2(h), t)", "nn"),
    ("xor step: forward (2 Linear, sigmoid, loss)", "crit(lin2(torch.sigmoid(lin(x))), t)", "nn"),
    ("xor step: forward + backward", "crit(lin2(torch.sigmoid(lin(x))), t).backward()", "nn"),
    ("xor step: optimizer.step() (SGD, 4 params)", "opt.step()", "optim"),
    ("xor step: optimizer.zero_grad() (grads None)", "opt.zero_grad()", "optim"),
    ("xor step: zero_grad+forward+backward+step", "step()", "optim"),
    ("xor step: one DataLoader epoch (bs 4, shuffle)", "for xb, tb in loader: pass", "data"),
]


def run_worker(framework: str) -> dict:
    if framework == "torch":
        import torch
    else:
        import numtorch as torch
    g = {"torch": torch}
    exec(SETUP, g)
    have = {""}
    for need, setup in (("nn", NN_SETUP), ("optim", OPTIM_SETUP), ("data", DATA_SETUP)):
        try:
            exec(setup, g)
            have.add(need)
        except Exception as e:          # a piece not landed yet: its rows say so
            print(f"{framework}: no {need}: {type(e).__name__}: {e}", file=sys.stderr)
    out = {}
    for label, stmt, need in CASES:
        if need not in have:
            continue
        try:
            tm = timeit.Timer(stmt, globals=g)
            n, _ = tm.autorange()
            n = max(n, 1)
            out[label] = min(tm.repeat(7, n)) / n * 1e6
        except Exception as e:
            print(f"{framework}: {label}: {type(e).__name__}: {e}", file=sys.stderr)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=("numtorch", "torch"))
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args.worker)))
        return 0
    fws = ["numtorch", "torch"]
    if args.only:
        fws = [args.only]
    elif importlib.util.find_spec("torch") is None:
        fws = ["numtorch"]
    res = {}
    for fw in fws:
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", fw],
                           capture_output=True, text=True)
        sys.stderr.write(p.stderr)
        res[fw] = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else {}
    w = max(len(c[0]) for c in CASES)
    print(f"{'per call (µs)':<{w}} | {'numtorch':>9} | {'PyTorch':>9} | {'ratio':>6}")
    print("-" * (w + 34))
    fails = 0
    for i, (label, _, _) in enumerate(CASES):
        a, b = res.get("numtorch", {}).get(label), res.get("torch", {}).get(label)
        sa = f"{a:9.2f}" if a is not None else f"{'-':>9}"
        sb = f"{b:9.2f}" if b is not None else f"{'-':>9}"
        r = f"{a / b:6.2f}" if a is not None and b else f"{'-':>6}"
        mark = ""
        if i < 3 and a is not None and b is not None:
            ok = a <= b
            fails += not ok
            mark = "  ok" if ok else "  SLOWER than PyTorch"
        print(f"{label:<{w}} | {sa} | {sb} | {r}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
