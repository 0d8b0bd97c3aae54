"""More learning-rate schedulers against PyTorch 2.13: OneCycleLR, CyclicLR,
CosineAnnealingWarmRestarts, PolynomialLR, SequentialLR, ChainedScheduler, MultiplicativeLR.

PyTorch computes the rates in Python floats, so they are compared exactly: the rates and the
cycled momenta over 40+ steps, ``step(epoch)`` (fractional epochs for the warm restarts), the
state dicts (keys and values), resuming from a state dict PyTorch wrote, the warnings and the
errors. The answers are recorded in ``tests/data/lr_scheduler_more.json`` so the tests run
without torch; with torch installed they are also checked against live PyTorch. Regenerate with
``python tests/data/regen_lr_scheduler_more.py``.
"""
from __future__ import annotations

import json
import math
import os
import warnings

import pytest

import numtorch
from _oracle import live_torch as _torch_or_none  # the installed torch, or None

RECORD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                      "lr_scheduler_more.json")

# name -> (optimizer kind, make(lr_scheduler module, optimizer))
CASES = {
    "OneCycleLR-cos": ("sgd", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=45)),
    "OneCycleLR-linear-three-phase": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=[1.0, 0.3], epochs=5, steps_per_epoch=9, anneal_strategy="linear",
        three_phase=True, div_factor=10.0, final_div_factor=100.0, pct_start=0.25)),
    "OneCycleLR-adam-betas": ("adam", lambda m, o: m.OneCycleLR(
        o, max_lr=0.01, total_steps=45, base_momentum=[0.8, 0.7], max_momentum=0.9)),
    "OneCycleLR-no-momentum": ("sgd", lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, total_steps=47, cycle_momentum=False, pct_start=0.5)),
    "CyclicLR-triangular": ("sgd", lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=4)),
    "CyclicLR-triangular2": ("sgd", lambda m, o: m.CyclicLR(
        o, [0.01, 0.02], [0.1, 0.3], step_size_up=3, step_size_down=5, mode="triangular2")),
    "CyclicLR-exp-range": ("sgd", lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9, base_momentum=0.7,
        max_momentum=0.95)),
    "CyclicLR-scale-fn": ("sgd", lambda m, o: m.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, scale_mode="iterations",
        cycle_momentum=False)),
    "CyclicLR-adam-betas": ("adam", lambda m, o: m.CyclicLR(o, 0.001, 0.01, step_size_up=5)),
    "CosineAnnealingWarmRestarts-Tmult2": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4)),
    "PolynomialLR": ("sgd", lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0)),
    "PolynomialLR-default": ("sgd", lambda m, o: m.PolynomialLR(o)),
    "MultiplicativeLR": ("sgd", lambda m, o: m.MultiplicativeLR(o, lambda e: 0.95)),
    "SequentialLR": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.ExponentialLR(o, 0.9),
            m.StepLR(o, 3, 0.5)], milestones=[5, 12])),
    "SequentialLR-cosine": ("sgd", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=3), m.CosineAnnealingLR(o, T_max=10)],
        milestones=[4])),
    "ChainedScheduler": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, 0.9)])),
    "ChainedScheduler-optimizer": ("sgd", lambda m, o: m.ChainedScheduler(
        [m.CosineAnnealingLR(o, 10), m.MultiplicativeLR(o, lambda e: 0.95)], optimizer=o)),
}
STEPS = 45

# epoch-driven stepping: name -> (case, epochs passed to step)
EPOCH_CASES = {
    "warm-restarts-fractional": ("CosineAnnealingWarmRestarts-Tmult2",
                                 [e + i / 4 for e in range(12) for i in range(4)]),
    "warm-restarts-jumps": ("CosineAnnealingWarmRestarts-Tmult2", [0, 5, 2.5, 21, 9, 45.5, 3]),
    "warm-restarts-Tmult1": ("CosineAnnealingWarmRestarts", [0.5, 7, 12.25, 3, 40]),
    "polynomial-closed-form": ("PolynomialLR", [3, 7, 1, 15, 12, 0]),
}


def _optimizer(T, kind):
    p = T.zeros(2, requires_grad=True)
    q = T.zeros(1, requires_grad=True)
    groups = [{"params": [p]}, {"params": [q], "lr": 0.5}]
    if kind == "adam":
        return T.optim.Adam(groups, lr=0.1)
    return T.optim.SGD(groups, lr=0.1, momentum=0.9)


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def run_case(T, name, steps=STEPS, epochs=None, resume=None):
    """Rates and momenta after construction and each step; the state dict halfway and at the
    end. ``resume``: (state dict, step) to load before stepping on from there."""
    kind, make = CASES[name]
    opt = _optimizer(T, kind)
    sched = make(T.optim.lr_scheduler, opt)
    out = {"lrs": [list(sched.get_last_lr())], "momenta": [_momenta(opt)]}
    start = 0
    if resume is not None:
        sd, start = resume
        sched.load_state_dict(json.loads(json.dumps(sd)))
        for group, lr in zip(opt.param_groups, sd["_last_lr"]):
            group["lr"] = lr
        out = {"lrs": [], "momenta": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(start, len(epochs) if epochs is not None else steps):
            opt.step()
            if epochs is not None:
                sched.step(epochs[i])
            else:
                sched.step()
            out["lrs"].append(list(sched.get_last_lr()) + [g["lr"] for g in opt.param_groups])
            out["momenta"].append(_momenta(opt))
            if i + 1 == steps // 2:
                out["half_state"] = _jsonable(sched.state_dict())
    out["state"] = _jsonable(sched.state_dict())
    out["groups"] = _jsonable([{k: v for k, v in g.items() if k != "params"}
                               for g in opt.param_groups])
    return out


def warnings_of(T, name):
    """The warnings of: scheduler.step() before optimizer.step(), get_lr() outside step()."""
    kind, make = CASES[name]
    opt = _optimizer(T, kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = make(T.optim.lr_scheduler, opt)
        sched.step()
        sched.step()
        if hasattr(sched, "get_lr") and not name.startswith(("Sequential", "Chained")):
            sched.get_lr()
    return [[w.category.__name__, str(w.message)] for w in caught]


def _step_past_end(T):
    opt = _optimizer(T, "sgd")
    sched = T.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(4):
        opt.step()
        sched.step()


ERRORS = {
    "onecycle-total-steps": lambda T: T.optim.lr_scheduler.OneCycleLR(_optimizer(T, "sgd"), 1.0,
                                                                      total_steps=0),
    "onecycle-no-steps": lambda T: T.optim.lr_scheduler.OneCycleLR(_optimizer(T, "sgd"), 1.0),
    "onecycle-epochs": lambda T: T.optim.lr_scheduler.OneCycleLR(
        _optimizer(T, "sgd"), 1.0, epochs=-1, steps_per_epoch=3),
    "onecycle-steps-per-epoch": lambda T: T.optim.lr_scheduler.OneCycleLR(
        _optimizer(T, "sgd"), 1.0, epochs=2, steps_per_epoch=1.5),
    "onecycle-pct": lambda T: T.optim.lr_scheduler.OneCycleLR(_optimizer(T, "sgd"), 1.0,
                                                              total_steps=10, pct_start=1.5),
    "onecycle-anneal": lambda T: T.optim.lr_scheduler.OneCycleLR(
        _optimizer(T, "sgd"), 1.0, total_steps=10, anneal_strategy="exp"),
    "onecycle-max-lr-length": lambda T: T.optim.lr_scheduler.OneCycleLR(
        _optimizer(T, "sgd"), [1.0], total_steps=10),
    "onecycle-momentum-length": lambda T: T.optim.lr_scheduler.OneCycleLR(
        _optimizer(T, "sgd"), 1.0, total_steps=10, base_momentum=[0.8], max_momentum=[0.9]),
    "onecycle-no-momentum": lambda T: T.optim.lr_scheduler.OneCycleLR(
        T.optim.Rprop([T.zeros(1, requires_grad=True)]), 1.0, total_steps=10),
    "onecycle-past-end": _step_past_end,
    "onecycle-not-optimizer": lambda T: T.optim.lr_scheduler.OneCycleLR([], 1.0, total_steps=3),
    "cyclic-mode": lambda T: T.optim.lr_scheduler.CyclicLR(_optimizer(T, "sgd"), 0.1, 1.0,
                                                           mode="sine"),
    "cyclic-momentum": lambda T: T.optim.lr_scheduler.CyclicLR(
        T.optim.Adagrad([T.zeros(1, requires_grad=True)]), 0.1, 1.0),
    "cyclic-base-length": lambda T: T.optim.lr_scheduler.CyclicLR(_optimizer(T, "sgd"),
                                                                  [0.1, 0.2, 0.3], 1.0),
    "cyclic-momentum-length": lambda T: T.optim.lr_scheduler.CyclicLR(
        _optimizer(T, "sgd"), 0.1, 1.0, base_momentum=[0.8], max_momentum=[0.9]),
    "warm-T0": lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(_optimizer(T, "sgd"),
                                                                          T_0=0),
    "warm-T0-float": lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        _optimizer(T, "sgd"), T_0=2.5),
    "warm-Tmult": lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        _optimizer(T, "sgd"), T_0=2, T_mult=0),
    "warm-eta-min": lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        _optimizer(T, "sgd"), T_0=2, eta_min="0"),
    "warm-negative-epoch": lambda T: T.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        _optimizer(T, "sgd"), T_0=2).step(-1),
    "sequential-empty": lambda T: T.optim.lr_scheduler.SequentialLR(_optimizer(T, "sgd"), [], []),
    "sequential-milestones": lambda T: _sequential(T, [3, 5]),
    "sequential-other-optimizer": lambda T: _sequential(T, [3], other=True),
    "sequential-plateau": lambda T: _sequential(T, [3], plateau=True),
    "sequential-no-optimizer": lambda T: T.optim.lr_scheduler.SequentialLR(
        _optimizer(T, "sgd"), [object()], []),
    "chained-empty": lambda T: T.optim.lr_scheduler.ChainedScheduler([]),
    "chained-plateau": lambda T: _chained_plateau(T),
    "multiplicative-not-callable": lambda T: T.optim.lr_scheduler.MultiplicativeLR(
        _optimizer(T, "sgd"), 0.9),
}


def _sequential(T, milestones, other=False, plateau=False):
    S = T.optim.lr_scheduler
    opt = _optimizer(T, "sgd")
    first = S.ConstantLR(opt, factor=0.5, total_iters=2)
    second = S.ExponentialLR(_optimizer(T, "sgd") if other else opt, 0.9)
    if plateau:
        second = S.ReduceLROnPlateau(opt)
    return S.SequentialLR(opt, [first, second], milestones=milestones)


def _chained_plateau(T):
    S = T.optim.lr_scheduler
    opt = _optimizer(T, "sgd")
    return S.ChainedScheduler([S.ExponentialLR(opt, 0.9), S.ReduceLROnPlateau(opt)])


def error_of(T, cid):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ERRORS[cid](T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


def regenerate() -> dict:
    import torch
    return {
        "cases": {name: run_case(torch, name) for name in CASES},
        "epochs": {cid: run_case(torch, case, epochs=epochs)
                   for cid, (case, epochs) in EPOCH_CASES.items()},
        "warnings": {name: warnings_of(torch, name) for name in CASES},
        "errors": {cid: error_of(torch, cid) for cid in ERRORS},
    }


@pytest.fixture(scope="module")
def record():
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


def _libs():
    """numtorch, and live PyTorch (to check the record is still its answer) when installed."""
    torch = _torch_or_none()
    return [numtorch] + ([torch] if torch is not None else [])


@pytest.mark.parametrize("name", list(CASES))
def test_rates_momenta_and_state_match_torch(name, record):
    want = record["cases"][name]
    for T in _libs():
        got = json.loads(json.dumps(run_case(T, name)))
        assert got["lrs"] == want["lrs"]              # the same floats, every step
        assert got["momenta"] == want["momenta"]
        assert got["groups"] == want["groups"]
        assert list(got["state"]) == list(want["state"])
        assert got["state"] == want["state"]
        assert got["half_state"] == want["half_state"]


@pytest.mark.parametrize("cid", list(EPOCH_CASES))
def test_step_with_epoch_matches_torch(cid, record):
    case, epochs = EPOCH_CASES[cid]
    for T in _libs():
        got = json.loads(json.dumps(run_case(T, case, epochs=epochs)))
        assert got["lrs"] == record["epochs"][cid]["lrs"]
        assert got["state"] == record["epochs"][cid]["state"]


@pytest.mark.parametrize("name", [n for n in CASES if not n.startswith(("Sequential", "Chained"))]
                         + ["SequentialLR", "ChainedScheduler"])
def test_resume_from_torch_state_dict(name, record):
    """Load PyTorch's state dict from halfway (as JSON: plain values) and step on: the same
    rates as PyTorch's uninterrupted run."""
    want = record["cases"][name]
    sd = want["half_state"]
    if name.startswith("MultiplicativeLR"):
        sd = dict(sd, lr_lambdas=[None, None])
    got = run_case(numtorch, name, resume=(sd, STEPS // 2))
    assert got["lrs"] == want["lrs"][STEPS // 2 + 1:]
    assert json.loads(json.dumps(got["state"])) == want["state"]


def test_state_dict_to_torch():
    """PyTorch's schedulers load numtorch's state dicts and step on identically."""
    torch = pytest.importorskip("torch")
    for name in CASES:
        half = run_case(numtorch, name)["half_state"]
        if name.startswith("MultiplicativeLR"):
            half = dict(half, lr_lambdas=[None, None])
        got = run_case(torch, name, resume=(half, STEPS // 2))
        assert got["lrs"] == run_case(numtorch, name)["lrs"][STEPS // 2 + 1:], name


@pytest.mark.parametrize("name", list(CASES))
def test_warnings_match_torch(name, record):
    for T in _libs():
        assert warnings_of(T, name) == record["warnings"][name]


@pytest.mark.parametrize("cid", list(ERRORS))
def test_errors_match_torch(cid, record):
    want = record["errors"][cid]
    assert want is not None
    for T in _libs():
        assert error_of(T, cid) == want


def test_onecycle_by_hand():
    """The documented shape: max_lr / div_factor at the start, max_lr at pct_start, and
    initial_lr / final_div_factor at the end (mathematics, no oracle needed)."""
    opt = numtorch.optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = numtorch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2.0, total_steps=10,
                                                   pct_start=0.3)
    lrs = [sched.get_last_lr()[0]]
    moms = [opt.param_groups[0]["momentum"]]
    for _ in range(9):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        moms.append(opt.param_groups[0]["momentum"])
    assert lrs[0] == pytest.approx(2.0 / 25) and moms[0] == pytest.approx(0.95)
    assert lrs[2] == pytest.approx(2.0) and moms[2] == pytest.approx(0.85)   # step 0.3 * 10 - 1
    assert max(lrs) == lrs[2] and lrs == sorted(lrs[:3]) + sorted(lrs[3:], reverse=True)
    assert lrs[-1] == pytest.approx(2.0 / 25 / 1e4)
    assert moms[-1] == pytest.approx(0.95)


def test_warm_restarts_by_hand():
    """T_0 = 2, T_mult = 2: periods 2, 4, 8; each restart returns to the initial rate."""
    opt = numtorch.optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    sched = numtorch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    lrs = []
    for _ in range(8):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    want = [(1 + math.cos(math.pi * t / T)) / 2
            for t, T in [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8), (1, 8)]]
    assert lrs == pytest.approx(want, abs=1e-15)


def test_cyclic_triangular_by_hand():
    opt = numtorch.optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0, momentum=0.9)
    sched = numtorch.optim.lr_scheduler.CyclicLR(opt, 0.0, 1.0, step_size_up=2)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(6):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0])
