"""optim.lr_scheduler: learning-rate sequences and state dicts identical to PyTorch's."""
from __future__ import annotations

import math
import warnings

import pytest

import numtorch
from numtorch import optim
from numtorch.optim import lr_scheduler

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
           dict(mode="max", patience=1, factor=0.3, eps=0.02)]


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


@pytest.mark.parametrize("name", list(CASES))
def test_lr_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    got, sd, opt = _sequence(numtorch, CASES[name])
    want, tsd, topt = _sequence(torch, CASES[name])
    assert got == want                    # exact floats
    assert list(sd) == list(tsd)
    for k, v in tsd.items():
        if k != "lr_lambdas":
            assert sd[k] == v, k
    assert [g["initial_lr"] for g in opt.param_groups] == [g["initial_lr"] for g in topt.param_groups]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "ConstantLR", "LinearLR", "LambdaLR"])
def test_step_with_epoch_uses_closed_form_like_torch(name):
    torch = pytest.importorskip("torch")
    got, _, _ = _sequence(numtorch, CASES[name], n=12, epochs=True)
    want, _, _ = _sequence(torch, CASES[name], n=12, epochs=True)
    assert got == want


@pytest.mark.parametrize("kw", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_matches_torch(kw):
    torch = pytest.importorskip("torch")
    make = lambda m, o: m.ReduceLROnPlateau(o, **kw)    # noqa: E731
    got, sd, _ = _sequence(numtorch, make, 40, METRICS)
    want, tsd, _ = _sequence(torch, make, 40, METRICS)
    assert got == want
    assert sd == tsd and list(sd) == list(tsd)


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


def test_resume_with_last_epoch():
    torch = pytest.importorskip("torch")
    res = []
    for lib in (numtorch, torch):
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
        res.append(seq)
    assert res[0] == res[1]
