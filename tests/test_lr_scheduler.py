"""optim.lr_scheduler: learning-rate sequences and state dicts identical to PyTorch's.

PyTorch computes the rates in Python floats, so they are compared exactly. Its answers are
recorded (``tests/data/oracle/lr_scheduler.*``, see ``tests/_oracle.py``), so these tests run
without torch; with torch installed the record is also checked against live PyTorch. Regenerate
with ``python tests/data/regen_oracle.py tests/test_lr_scheduler.py``.
"""
from __future__ import annotations

import math
import warnings

import pytest

import numtorch
from numtorch import optim
from numtorch.optim import lr_scheduler
from _oracle import Oracle

ORACLE = Oracle("lr_scheduler")

CASES = {
    "StepLR": lambda m, o: m.StepLR(o, 7, gamma=0.3),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, [3, 10, 10, 20], gamma=0.5),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, 0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=8, eta_min=0.001),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, total_iters=9),
}

METRICS = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.71,
           0.72, 0.73, 0.74, 0.75, 0.76] * 2

PLATEAU = [dict(), dict(patience=2), dict(patience=1, cooldown=2, factor=0.5, min_lr=0.01),
           dict(mode="max", patience=0, threshold_mode="abs", threshold=0.01, min_lr=[0.0, 0.2]),
           dict(mode="max", patience=1, factor=0.3, eps=0.02),
           dict(patience=1, threshold_mode="abs", threshold=0.02)]
# "max" mode on a metric that rises (the negated METRICS): small and large improvements
RISING = [-m for m in METRICS]
PLATEAU_RISING = [dict(mode="max", patience=1, threshold_mode="abs", threshold=0.02),
                  dict(mode="max", patience=1, threshold=0.03, cooldown=1)]


def _sequence(lib, make, n=30, metrics=None, epochs=False):
    p = lib.zeros(2, requires_grad=True)
    q = lib.zeros(1, requires_grad=True)
    opt = lib.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1, momentum=0.9)
    sched = make(lib.optim.lr_scheduler, opt)
    out = [list(sched.get_last_lr())]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n):
            opt.step()
            if metrics is not None:
                sched.step(metrics[i])
            elif epochs:
                sched.step((i * 7) % 23)
            else:
                sched.step()
            out.append(list(sched.get_last_lr()) + [g["lr"] for g in opt.param_groups])
    return out, sched.state_dict(), opt


def _plain(v):
    """A state-dict value as the record keeps it: dict keys as text (MultiStepLR's milestones
    are a ``Counter`` of ints), tuples as lists."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _answer(lib, make, **kw) -> dict:
    """The rates of ``_sequence``, the state dict (its keys in order and its values) and the
    groups' ``initial_lr``."""
    out, sd, opt = _sequence(lib, make, **kw)
    return {"lrs": out, "keys": list(sd), "state": _plain(sd),
            "initial_lr": [g["initial_lr"] for g in opt.param_groups if "initial_lr" in g]}


def _check(make, want, **kw):
    got = _answer(numtorch, make, **kw)
    assert got["lrs"] == want["lrs"]                      # exact floats
    assert got["keys"] == want["keys"]
    for k, v in want["state"].items():
        if k != "lr_lambdas":
            assert got["state"][k] == v, k
    assert got["initial_lr"] == want["initial_lr"]
    return got


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name):
    want = ORACLE.answer(f"sequence/{name}", lambda torch: _answer(torch, CASES[name]))
    _check(CASES[name], want)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "ConstantLR", "LinearLR", "LambdaLR"])
def test_step_with_epoch_uses_closed_form_like_torch(name):
    want = ORACLE.answer(f"epochs/{name}",
                         lambda torch: _answer(torch, CASES[name], n=12, epochs=True))
    _check(CASES[name], want, n=12, epochs=True)


PLATEAU_RUNS = [(kw, "falling") for kw in PLATEAU] + [(kw, "rising") for kw in PLATEAU_RISING]


@pytest.mark.parametrize("kw,metric", PLATEAU_RUNS, ids=[f"{k}-{m}" for k, m in PLATEAU_RUNS])
def test_reduce_lr_on_plateau_matches_torch(kw, metric):
    make = lambda m, o: m.ReduceLROnPlateau(o, **kw)    # noqa: E731
    metrics = METRICS if metric == "falling" else RISING
    key = f"plateau/{kw}" if metric == "falling" else f"plateau/{kw}/{metric}"
    want = ORACLE.answer(key, lambda torch: _answer(torch, make, n=40, metrics=metrics))
    got = _check(make, want, n=40, metrics=metrics)
    assert got["state"] == want["state"]


def test_steplr_by_hand():
    w = numtorch.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert sched.last_epoch == 6 and sched.get_last_lr() == [0.125]


def test_cosine_by_hand():
    w = numtorch.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    lrs = []
    for _ in range(5):
        lrs.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    expected = [(1 + math.cos(math.pi * e / 4)) / 2 for e in range(5)]
    assert lrs == pytest.approx(expected, abs=1e-12)


def test_state_dict_round_trip():
    w = numtorch.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = lr_scheduler.MultiStepLR(opt, [2, 4], gamma=0.1)
    for _ in range(3):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 3
    opt2 = optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = lr_scheduler.MultiStepLR(opt2, [7], gamma=0.5)
    sched2.load_state_dict(sd)
    assert sched2.last_epoch == 3 and sched2.milestones == sched.milestones
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_plateau_state_dict_and_errors():
    opt = optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode foo is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="foo")
    with pytest.raises(ValueError, match="threshold mode bar is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="bar")
    with pytest.raises(ValueError, match="expected 1 min_lrs, got 2"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
    s = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    s.step(numtorch.tensor(1.0))        # tensors work as metrics
    s.step(2.0)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    s2 = lr_scheduler.ReduceLROnPlateau(opt, mode="max")
    s2.load_state_dict(s.state_dict())
    assert s2.mode == "min" and s2.best == 1.0


def test_errors():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], 3)
    opt = optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        lr_scheduler.StepLR(opt, 3, last_epoch=5)
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2])


def test_warns_when_scheduler_steps_before_optimizer():
    opt = optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        sched.step()
    opt2 = optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = lr_scheduler.StepLR(opt2, 3)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched2.step()


def _resume(lib) -> list:
    opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
    opt.param_groups[0]["initial_lr"] = 2.0
    s = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=3)
    seq = [s.get_last_lr()[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            opt.step()
            s.step()
            seq.append(s.get_last_lr()[0])
    return seq


def test_resume_with_last_epoch():
    want = ORACLE.answer("resume-last-epoch", _resume)
    assert _resume(numtorch) == want
