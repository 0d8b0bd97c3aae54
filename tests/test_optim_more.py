"""torch.optim against PyTorch 2.13: every optimizer over 20 steps, state dicts, LBFGS, errors.

PyTorch's answers are recorded in ``tests/data/optim_more.npz`` / ``optim_more.json`` (and
``optim_more_state.pt``, state dicts PyTorch saved), so these tests run without torch; with torch
installed every record is also checked against live PyTorch. Regenerate with
``python tests/data/regen_optim_more.py``.

Float32: numtorch follows PyTorch's single-tensor arithmetic operation by operation (the fused
multiply-adds of ``add_(alpha=)``, ``addcmul_`` and ``lerp_``, the plain roundings of ``addcdiv_``
and of scalars). The one difference left is ``sqrt``: PyTorch's CPU float32 ``sqrt`` (MKL's vector
math) is not correctly rounded, NumPy's is. So the record also holds PyTorch's trajectories with
``Tensor.sqrt`` replaced by a correctly rounded one, and numtorch must equal those bit for bit;
against PyTorch's own trajectories it agrees to a few ulps. Optimizers without a ``sqrt`` (SGD,
Adamax, ASGD, Rprop) equal PyTorch's own trajectories bit for bit. Float64: PyTorch's kernels fuse
multiply-adds in double too, which NumPy cannot do cheaply, so float64 agrees to ~1e-13.
"""
from __future__ import annotations

import copy
import json
import os
import warnings
import zlib

import numpy as np
import pytest

import numtorch
from _optim_oracle import SQRT, exact_sqrt
from _oracle import live_torch as _torch_or_none  # the installed torch, or None

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
RECORD_NPZ = os.path.join(DATA, "optim_more.npz")
RECORD_JSON = os.path.join(DATA, "optim_more.json")
RECORD_PT = os.path.join(DATA, "optim_more_state.pt")

SMALL = [(5, 7), (7,), (3, 4, 2), ()]
BIG = [(64, 65), (9,)]          # 4160 elements: the BLAS saxpy path of add_(alpha=)
STEPS = 20

# id -> (optimizer, options, shapes)
CONFIGS = {}


def _add(name, shapes=SMALL, **kw):
    cid = name + "(" + ",".join(f"{k}={v}" for k, v in kw.items()) + ")"
    if shapes is BIG:
        cid += "-big"
    CONFIGS[cid] = (name, kw, shapes)


_add("SGD", lr=0.1)
_add("SGD", lr=0.05, momentum=0.9)
_add("SGD", lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)
_add("SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
_add("SGD", lr=0.05, momentum=0.5, nesterov=True, maximize=True)
_add("SGD", lr=0.05, weight_decay=0.1, maximize=True)
_add("SGD", BIG, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
_add("Adam")
_add("Adam", lr=0.01, amsgrad=True)
_add("Adam", lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)
_add("Adam", lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, decoupled_weight_decay=True)
_add("AdamW", lr=0.01)
_add("AdamW", lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)
_add("RMSprop", lr=0.001)
_add("RMSprop", lr=0.001, momentum=0.9, centered=True, weight_decay=0.1)
_add("RMSprop", lr=0.001, alpha=0.4, maximize=True)
_add("Adagrad", lr=0.1)
_add("Adagrad", lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)
_add("Adagrad", lr=0.1, maximize=True, eps=1e-6)
_add("Adadelta")
_add("Adadelta", lr=0.5, rho=0.8, weight_decay=0.1)
_add("Adadelta", eps=1e-4, maximize=True)
_add("Adadelta", BIG, lr=0.5)
_add("Adamax")
_add("Adamax", lr=0.01, betas=(0.8, 0.9), weight_decay=0.1)
_add("Adamax", lr=0.02, eps=1e-3, maximize=True)
_add("NAdam")
_add("NAdam", lr=0.01, weight_decay=0.1)
_add("NAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)
_add("NAdam", betas=(0.8, 0.95), maximize=True)
_add("RAdam")
_add("RAdam", lr=0.01, weight_decay=0.1)
_add("RAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
_add("RAdam", betas=(0.5, 0.6), maximize=True)
_add("ASGD")
_add("ASGD", lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)
_add("ASGD", lr=0.02, t0=3, maximize=True)
_add("ASGD", BIG, lr=0.05, t0=4)
_add("Rprop")
_add("Rprop", lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))
_add("Rprop", lr=0.02, maximize=True)
# large steps: each update moves the parameters by about their size, so a one-ulp difference in
# the update shows in the parameters (with small rates it is mostly rounded away)
_large = len(CONFIGS)
for _name in ["Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"]:
    _add(_name, lr=0.3)
_add("RAdam", lr=0.3, betas=(0.5, 0.9))
_add("Adadelta", lr=30.0)
_add("ASGD", lr=0.3, t0=2)
_add("SGD", lr=0.3, momentum=0.5, dampening=0.5)
# with such steps a one-ulp difference of PyTorch's MKL sqrt grows over the 20 steps: those are
# compared bit for bit with the correctly rounded sqrt record only
LARGE = set(list(CONFIGS)[_large:])

DTYPES = ["float32", "float64"]
# (config, dtype) pairs: the BLAS configs only in float32 (the path they are there for)
RUNS = [(cid, dtype) for cid in CONFIGS for dtype in DTYPES
        if dtype == "float32" or CONFIGS[cid][2] is not BIG]


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def trajectory(T, cid: str, dtype: str, steps: int = STEPS, start=None, opt_state=None):
    """``steps`` steps of config ``cid``: gradients sin(3p) + fixed noise, parameter 1 without a
    gradient every third step. ``start``/``opt_state``: resume from saved parameters and state
    (the noise of the skipped steps is drawn all the same). Returns (params, optimizer)."""
    name, kw, shapes = CONFIGS[cid]
    rng = _rng(cid + dtype)
    inits = [rng.standard_normal(s).astype(dtype) for s in shapes]
    noise = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]
    if start is not None:
        inits = start
    ps = [T.tensor(np.array(a, copy=True), requires_grad=True) for a in inits]
    opt = getattr(T.optim, name)(ps, **kw)
    first = 0
    if opt_state is not None:
        opt.load_state_dict(opt_state)
        first = STEPS - steps
    for k in range(first, first + steps):
        for i, p in enumerate(ps):
            if i == 1 and k % 3 == 2:
                p.grad = None
            else:
                p.grad = T.tensor((np.sin(3 * p.detach().numpy()) + noise[k][i]).astype(dtype))
        opt.step()
    return [p.detach().numpy().copy() for p in ps], opt


def _state_arrays(sd) -> dict:
    return {f"{i}/{k}": np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)
            for i, st in sd["state"].items() for k, v in st.items()}


def _state_facts(sd) -> dict:
    return {str(i): [[k, str(v.dtype), list(v.shape)] for k, v in st.items()]
            for i, st in sd["state"].items()}


def _groups(sd) -> str:
    """The param_groups as JSON text (tuples become lists, as in the record)."""
    return json.dumps(sd["param_groups"], sort_keys=True)


# -- LBFGS -----------------------------------------------------------------------------------------

LBFGS_CASES = {
    "default": dict(),
    "wolfe": dict(line_search_fn="strong_wolfe"),
    "short-history": dict(history_size=3, max_iter=7, lr=0.5),
    "short-history-wolfe": dict(history_size=3, max_iter=7, lr=0.5,
                                line_search_fn="strong_wolfe"),
    "one-iter": dict(max_iter=1, lr=0.1),
}


def rosenbrock(T, kw, dtype="float64", steps=6, x0=(-1.5, 2.0, 0.5, -0.7)):
    """``steps`` LBFGS steps on the 4-d Rosenbrock function with an autograd closure."""
    x = T.tensor(np.array(x0, dtype=dtype), requires_grad=True)
    opt = T.optim.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    path, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        path.append(x.detach().numpy().copy())
    return np.array(path), losses, opt


def _lbfgs_facts(opt) -> dict:
    st = opt.state_dict()["state"][0]

    def kind(v):
        if hasattr(v, "dtype"):
            return "tensor"
        if isinstance(v, list):
            return "list"
        return type(v).__name__
    return {"keys": list(st), "kinds": {k: kind(v) for k, v in st.items()},
            "func_evals": st["func_evals"], "n_iter": st["n_iter"]}


# -- errors and reprs ------------------------------------------------------------------------------

def _step_once(opt_fn):
    def run(T):
        w = T.ones(3, requires_grad=True)
        opt = opt_fn(T, w)
        w.grad = T.ones(3)
        opt.step()
    return run


def _lbfgs_bad_search(T):
    w = T.ones(2, requires_grad=True)
    opt = T.optim.LBFGS([w], line_search_fn="foo")

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    opt.step(closure)


ERRORS = {
    "Adadelta-lr": lambda T: T.optim.Adadelta([T.ones(1)], lr=-0.5),
    "Adadelta-rho": lambda T: T.optim.Adadelta([T.ones(1)], rho=1.5),
    "Adadelta-eps": lambda T: T.optim.Adadelta([T.ones(1)], eps=-1e-3),
    "Adadelta-wd": lambda T: T.optim.Adadelta([T.ones(1)], weight_decay=-1),
    "Adadelta-fused": lambda T: T.optim.Adadelta([T.ones(1)], fused=True),
    "Adamax-beta0": lambda T: T.optim.Adamax([T.ones(1)], betas=(1.0, 0.9)),
    "Adamax-beta1": lambda T: T.optim.Adamax([T.ones(1)], betas=(0.9, -0.1)),
    "Adamax-eps": lambda T: T.optim.Adamax([T.ones(1)], eps=-1.0),
    "Adamax-wd": lambda T: T.optim.Adamax([T.ones(1)], weight_decay=-0.1),
    "NAdam-momentum_decay": lambda T: T.optim.NAdam([T.ones(1)], momentum_decay=-0.1),
    "NAdam-lr": lambda T: T.optim.NAdam([T.ones(1)], lr=-0.1),
    "RAdam-beta1": lambda T: T.optim.RAdam([T.ones(1)], betas=(0.9, 1.0)),
    "RAdam-wd": lambda T: T.optim.RAdam([T.ones(1)], weight_decay=-2),
    "ASGD-lr": lambda T: T.optim.ASGD([T.ones(1)], lr=-0.1),
    "ASGD-wd": lambda T: T.optim.ASGD([T.ones(1)], weight_decay=-0.1),
    "Rprop-etas": lambda T: T.optim.Rprop([T.ones(1)], etas=(1.5, 1.2)),
    "Rprop-etas2": lambda T: T.optim.Rprop([T.ones(1)], etas=(0.5, 0.9)),
    "Rprop-lr": lambda T: T.optim.Rprop([T.ones(1)], lr=-1.0),
    "Rprop-fused": lambda T: T.optim.Rprop([T.ones(1)], fused=True),
    "LBFGS-lr": lambda T: T.optim.LBFGS([T.ones(1)], lr=-1.0),
    "LBFGS-groups": lambda T: T.optim.LBFGS([{"params": [T.ones(1)]}, {"params": [T.ones(1)]}]),
    "LBFGS-search": _lbfgs_bad_search,
    "SGD-nesterov-dampening": lambda T: T.optim.SGD([T.ones(1)], momentum=0.9, dampening=0.1,
                                                    nesterov=True),
    "SGD-fused-foreach": lambda T: T.optim.SGD([T.ones(1)], fused=True, foreach=True),
    "Adam-fused-differentiable": lambda T: T.optim.Adam([T.ones(1)], fused=True,
                                                        differentiable=True),
    "Adagrad-fused-foreach": lambda T: T.optim.Adagrad([T.ones(1)], fused=True, foreach=True),
    "RMSprop-fused": lambda T: T.optim.RMSprop([T.ones(1)], fused=True),
    "SGD-capturable": lambda T: T.optim.SGD([T.ones(1)], capturable=True),
    "Adam-capturable-step": _step_once(lambda T, w: T.optim.Adam([w], capturable=True)),
    "Adadelta-capturable-step": _step_once(lambda T, w: T.optim.Adadelta([w], capturable=True)),
    "NAdam-capturable-step": _step_once(lambda T, w: T.optim.NAdam([w], capturable=True)),
    "ASGD-capturable-step": _step_once(lambda T, w: T.optim.ASGD([w], capturable=True)),
    "Rprop-capturable-step": _step_once(lambda T, w: T.optim.Rprop([w], capturable=True)),
    "SGD-differentiable-step": _step_once(lambda T, w: T.optim.SGD([w], differentiable=True)),
    "RAdam-differentiable-step": _step_once(lambda T, w: T.optim.RAdam([w], differentiable=True)),
}

# what runs (no error) on the CPU: fused kernels of SGD/Adam/AdamW/Adagrad, foreach everywhere
ACCEPTED = {
    "SGD-fused": lambda T, w: T.optim.SGD([w], lr=0.1, momentum=0.9, fused=True),
    "Adam-fused": lambda T, w: T.optim.Adam([w], fused=True),
    "AdamW-fused": lambda T, w: T.optim.AdamW([w], fused=True),
    "Adagrad-fused": lambda T, w: T.optim.Adagrad([w], fused=True),
    "NAdam-foreach": lambda T, w: T.optim.NAdam([w], foreach=True),
    "Rprop-foreach": lambda T, w: T.optim.Rprop([w], foreach=True),
    "ASGD-foreach": lambda T, w: T.optim.ASGD([w], foreach=True),
    "SGD-differentiable-no-grad": lambda T, w: T.optim.SGD([w.detach()], lr=0.1,
                                                           differentiable=True),
}

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam",
              "ASGD", "Rprop", "LBFGS"]


def error_of(fn, T):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn(T)
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return [type(e).__name__, str(e)]
    return None


def accepted_run(T, cid):
    """Two steps on ``[1, 1, 1]`` with gradient ones; the parameter afterwards."""
    w = T.ones(3, requires_grad=True)
    opt = ACCEPTED[cid](T, w)
    p = opt.param_groups[0]["params"][0]
    for _ in range(2):
        p.grad = T.ones(3)
        opt.step()
    return p.detach().numpy().tolist()


def repr_of(T, name):
    groups = [{"params": [T.ones(1, requires_grad=True)]},
              {"params": [T.ones(1, requires_grad=True)], "lr": 0.5}]
    if name == "LBFGS":
        groups = groups[:1]
    return repr(getattr(T.optim, name)(groups))


# -- the record ------------------------------------------------------------------------------------

SAVED = ["SGD(lr=0.05,momentum=0.9)", "Adam(lr=0.01,amsgrad=True)", "Adadelta()", "Adamax()",
         "NAdam()", "RAdam()", "ASGD()", "Rprop()", "RMSprop(lr=0.001,momentum=0.9,centered=True,"
         "weight_decay=0.1)", "Adagrad(lr=0.1)"]
HALF = STEPS // 2


def regenerate() -> tuple:
    """PyTorch's answers: (arrays for the .npz, facts for the .json); writes the .pt record."""
    import torch
    arrays, facts = {}, {"state": {}, "groups": {}, "errors": {}, "accepted": {}, "reprs": {},
                         "lbfgs": {}}
    for cid, dtype in RUNS:
        name = CONFIGS[cid][0]
        ps, opt = trajectory(torch, cid, dtype)
        sd = opt.state_dict()
        arrays.update({f"{cid}/{dtype}/p{i}": p for i, p in enumerate(ps)})
        arrays.update({f"{cid}/{dtype}/state/{k}": v for k, v in _state_arrays(sd).items()})
        facts["state"][f"{cid}/{dtype}"] = _state_facts(sd)
        facts["groups"][f"{cid}/{dtype}"] = _groups(sd)
        if name in SQRT and dtype == "float32":
            with exact_sqrt(torch):
                ps, _ = trajectory(torch, cid, "float32")
            arrays.update({f"{cid}/exact/p{i}": p for i, p in enumerate(ps)})
    saved = {}
    for cid in SAVED:
        ps, opt = trajectory(torch, cid, "float32", steps=HALF)
        saved[cid] = {"params": [torch.from_numpy(p) for p in ps], "state": opt.state_dict()}
    for case, kw in LBFGS_CASES.items():
        for dtype in DTYPES:
            path, losses, opt = rosenbrock(torch, kw, dtype)
            arrays[f"lbfgs/{case}/{dtype}/path"] = path
            facts["lbfgs"][f"{case}/{dtype}"] = dict(_lbfgs_facts(opt), losses=losses)
        saved["lbfgs/" + case] = {"params": list(opt.param_groups[0]["params"]),
                                  "state": opt.state_dict()}
    torch.save(saved, RECORD_PT)
    facts["errors"] = {cid: error_of(fn, torch) for cid, fn in ERRORS.items()}
    facts["accepted"] = {cid: accepted_run(torch, cid) for cid in ACCEPTED}
    facts["reprs"] = {name: repr_of(torch, name) for name in OPTIMIZERS}
    return arrays, facts


@pytest.fixture(scope="module")
def record():
    with np.load(RECORD_NPZ) as z:
        arrays = {k: z[k] for k in z.files}
    with open(RECORD_JSON, encoding="utf-8") as f:
        facts = json.load(f)
    return arrays, facts


# -- trajectories ----------------------------------------------------------------------------------

def _close(dtype: str, name: str) -> dict:
    if dtype == "float64":
        return dict(rtol=1e-11, atol=1e-13)
    return dict(rtol=1e-4 if name == "Adadelta" else 2e-5, atol=1e-7)


def _check(got, want, dtype, cid):
    """PyTorch's bits where its arithmetic allows, else the tolerance of its MKL sqrt / FMAs."""
    name = CONFIGS[cid][0]
    if dtype == "float32" and name not in SQRT:
        np.testing.assert_array_equal(got, want)
    elif dtype == "float64" or cid not in LARGE:
        np.testing.assert_allclose(got, want, **_close(dtype, name))


@pytest.mark.parametrize("cid,dtype", RUNS, ids=[f"{c}-{d}" for c, d in RUNS])
def test_trajectory_matches_torch(cid, dtype, record):
    arrays, facts = record
    name = CONFIGS[cid][0]
    got, opt = trajectory(numtorch, cid, dtype)
    for i, p in enumerate(got):
        want = arrays[f"{cid}/{dtype}/p{i}"]
        assert p.dtype == want.dtype and p.shape == want.shape
        _check(p, want, dtype, cid)
        if dtype == "float32" and name in SQRT:              # PyTorch's bits, sqrt aside
            np.testing.assert_array_equal(p, arrays[f"{cid}/exact/p{i}"])
    # the state: PyTorch's keys, dtypes, shapes and values; the same param_groups
    sd = opt.state_dict()
    assert _state_facts(sd) == facts["state"][f"{cid}/{dtype}"]
    assert _groups(sd) == facts["groups"][f"{cid}/{dtype}"]
    for k, v in _state_arrays(sd).items():
        _check(v, arrays[f"{cid}/{dtype}/state/{k}"], dtype, cid)
    torch = _torch_or_none()
    if torch is not None:                                     # the record is still PyTorch's
        live, _ = trajectory(torch, cid, dtype)
        for i, p in enumerate(live):    # MKL's sqrt and FMA code paths depend on the CPU
            _check(p, arrays[f"{cid}/{dtype}/p{i}"], dtype, cid)


def test_exact_sqrt_record_is_live_torch(record):
    """The correctly rounded sqrt trajectories are still live PyTorch's (a sample of them: each
    costs a PyTorch run; needs live PyTorch, the record checks of the trajectories do not)."""
    torch = pytest.importorskip("torch")
    for cid in [c for c in CONFIGS if CONFIGS[c][0] in SQRT][:4]:
        with exact_sqrt(torch):
            live, _ = trajectory(torch, cid, "float32")
        for i, p in enumerate(live):
            np.testing.assert_array_equal(p, record[0][f"{cid}/exact/p{i}"], err_msg=cid)


def test_first_steps_by_hand():
    """Closed forms of one step from w = 1 with gradient 2 (d/dw of w**2), float64. PyTorch keeps
    ASGD's ``eta`` and NAdam's ``mu_product`` as float32 tensors: the forms round them so."""
    eta = float(np.float32(0.1))
    mu = 0.9 * (1 - 0.5 * 0.96 ** 0.004)
    mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.008)
    mu_product = float(np.float32(mu))
    denom = 2 + 1e-8
    cases = {
        # Adamax: m = 0.2, u = 2 + eps -> w - lr / (1 - beta1) * m / u
        "Adamax": (dict(lr=0.1), 1 - 0.1 / (1 - 0.9) * 0.2 / (2 + 1e-8)),
        # RAdam: rho_1 < 5, so plain momentum: w - lr * m / (1 - beta1) = w - lr * 2
        "RAdam": (dict(lr=0.1), 1 - 0.2),
        # ASGD: w * (1 - lambd * eta) - eta * g
        "ASGD": (dict(lr=0.1), (1 - 1e-4 * eta) - eta * 2),
        # Rprop: the first step moves by lr against the sign
        "Rprop": (dict(lr=0.1), 0.9),
        # Adadelta: delta = sqrt(eps) / sqrt(0.1 * 4 + eps) * 2
        "Adadelta": (dict(lr=1.0), 1 - np.sqrt(1e-6) / np.sqrt(0.4 + 1e-6) * 2),
        # NAdam: mu_1 = 0.9 (1 - 0.5 * 0.96**0.004); two addcdiv terms over sqrt(v_hat) = 2
        "NAdam": (dict(lr=0.1), 1 - 0.1 * (1 - mu) / (1 - mu_product) * 2 / denom
                  - 0.1 * mu2 / (1 - mu_product * mu2) * 0.2 / denom),
    }
    for name, (kw, want) in cases.items():
        w = numtorch.tensor([1.0], dtype=numtorch.float64, requires_grad=True)
        opt = getattr(numtorch.optim, name)([w], **kw)
        w.grad = numtorch.tensor([2.0], dtype=numtorch.float64)
        opt.step()
        assert w.item() == pytest.approx(want, rel=1e-14, abs=0), name


def test_optimizers_converge_on_a_quadratic():
    """Every optimizer brings sum((w - 3)**2) down from w = 0 (a property, no oracle needed)."""
    kws = {"SGD": dict(lr=0.1), "Adam": dict(lr=0.1), "AdamW": dict(lr=0.1),
           "RMSprop": dict(lr=0.05), "Adagrad": dict(lr=0.5), "Adadelta": dict(lr=10.0),
           "Adamax": dict(lr=0.2), "NAdam": dict(lr=0.1), "RAdam": dict(lr=0.1),
           "ASGD": dict(lr=0.1), "Rprop": dict(lr=0.1)}
    for name, kw in kws.items():
        w = numtorch.zeros(4, requires_grad=True)
        opt = getattr(numtorch.optim, name)([w], **kw)
        for _ in range(200):
            opt.zero_grad()
            loss = ((w - 3) ** 2).sum()
            loss.backward()
            opt.step()
        assert ((w - 3) ** 2).sum().item() < 0.5, name


# -- state dicts -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_by_torch():
    return numtorch.load(RECORD_PT)


@pytest.mark.parametrize("cid", SAVED)
def test_state_dict_saved_by_torch_resumes(cid, record, saved_by_torch):
    """numtorch loads PyTorch's state dict after 10 steps and its next 10 steps end where
    PyTorch's 20 did."""
    arrays, facts = record
    entry = saved_by_torch[cid]
    sd = entry["state"]
    assert _state_facts(sd) == facts["state"][f"{cid}/float32"]        # keys, dtypes, shapes
    start = [p.numpy() for p in entry["params"]]
    got, opt = trajectory(numtorch, cid, "float32", steps=STEPS - HALF, start=start,
                          opt_state=copy.deepcopy(sd))
    assert _state_facts(opt.state_dict()) == facts["state"][f"{cid}/float32"]
    assert _groups(opt.state_dict()) == facts["groups"][f"{cid}/float32"]
    name = CONFIGS[cid][0]
    for i, p in enumerate(got):
        want = arrays[f"{cid}/float32/p{i}"]
        if name in SQRT:
            np.testing.assert_allclose(p, want, **_close("float32", name))
        else:
            np.testing.assert_array_equal(p, want)


@pytest.mark.parametrize("cid", SAVED)
def test_state_dict_round_trip(cid, tmp_path):
    """numtorch -> file -> numtorch (-> PyTorch -> numtorch with torch installed): the same keys,
    dtypes and values, and training continues exactly as without the interruption."""
    full, _ = trajectory(numtorch, cid, "float32")
    half, opt = trajectory(numtorch, cid, "float32", steps=HALF)
    sd = opt.state_dict()
    f = str(tmp_path / "opt.pt")
    numtorch.save(sd, f)
    back = numtorch.load(f)
    torch = _torch_or_none()
    if torch is not None:
        topt = getattr(torch.optim, CONFIGS[cid][0])(
            [torch.from_numpy(np.array(p)).requires_grad_() for p in half], **CONFIGS[cid][1])
        topt.load_state_dict(torch.load(f))
        torch.save(topt.state_dict(), f)
        back = numtorch.load(f)
    assert back["param_groups"] == sd["param_groups"]
    assert _state_facts(back) == _state_facts(sd)
    for k, v in _state_arrays(back).items():
        np.testing.assert_array_equal(v, _state_arrays(sd)[k])
    resumed, _ = trajectory(numtorch, cid, "float32", steps=STEPS - HALF, start=half,
                            opt_state=back)
    for a, b in zip(resumed, full):
        np.testing.assert_array_equal(a, b)


def test_state_dict_to_torch_resumes(tmp_path):
    """PyTorch loads numtorch's state dicts (every optimizer) and continues exactly as numtorch
    does."""
    torch = pytest.importorskip("torch")
    for cid in SAVED:
        half, opt = trajectory(numtorch, cid, "float32", steps=HALF)
        f = str(tmp_path / "opt.pt")
        numtorch.save(opt.state_dict(), f)
        with exact_sqrt(torch):     # PyTorch's arithmetic, a correctly rounded sqrt: its bits
            got, _ = trajectory(torch, cid, "float32", steps=STEPS - HALF, start=half,
                                opt_state=torch.load(f))
        want, _ = trajectory(numtorch, cid, "float32")
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b, err_msg=cid)


def test_old_state_dicts_with_float_steps_load():
    """State dicts from older PyTorch keep ``step`` (and ASGD's eta/mu, NAdam's mu_product) as
    floats; loading turns them into 0-d tensors, as PyTorch does."""
    for name, extra in (("ASGD", ("eta", "mu")), ("NAdam", ("mu_product",)), ("Adamax", ())):
        w = numtorch.ones(2, requires_grad=True)
        opt = getattr(numtorch.optim, name)([w])
        w.grad = numtorch.ones(2)
        opt.step()
        sd = copy.deepcopy(opt.state_dict())
        for k in ("step",) + extra:
            sd["state"][0][k] = float(sd["state"][0][k])
        opt2 = getattr(numtorch.optim, name)([numtorch.ones(2, requires_grad=True)])
        opt2.load_state_dict(sd)
        for k in ("step",) + extra:
            v = opt2.state[opt2.param_groups[0]["params"][0]][k]
            assert isinstance(v, numtorch.Tensor) and v.dtype == numtorch.float32, (name, k)


# -- LBFGS -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(LBFGS_CASES))
def test_lbfgs_rosenbrock_matches_torch(case, dtype, record):
    arrays, facts = record
    want = arrays[f"lbfgs/{case}/{dtype}/path"]
    info = facts["lbfgs"][f"{case}/{dtype}"]
    libs = [numtorch] + [t for t in [_torch_or_none()] if t is not None]   # + live PyTorch
    for T in libs:
        path, losses, opt = rosenbrock(T, LBFGS_CASES[case], dtype)
        got = _lbfgs_facts(opt)
        assert got["keys"] == info["keys"] and got["kinds"] == info["kinds"]
        if dtype == "float64":
            # the same iterations, evaluations and points (dot products differ in the last bits)
            assert (got["func_evals"], got["n_iter"]) == (info["func_evals"], info["n_iter"])
            np.testing.assert_allclose(path, want, rtol=1e-9, atol=1e-11)
            np.testing.assert_allclose(losses, info["losses"], rtol=1e-9, atol=1e-12)
        else:
            # float32: MKL's dot products add in another order, and the iterations amplify it
            np.testing.assert_allclose(path[0], want[0], rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(path[-1], want[-1], atol=2e-2)


def test_lbfgs_finds_the_minimum():
    """2-d Rosenbrock from (-1.5, 2): the minimum (1, 1) (mathematics, no oracle needed)."""
    for kw in (dict(line_search_fn="strong_wolfe"), dict(lr=0.5, history_size=10)):
        kw = dict(kw, max_iter=50, tolerance_change=1e-15, tolerance_grad=1e-12)
        path, losses, _ = rosenbrock(numtorch, kw, "float64", steps=8, x0=(-1.5, 2.0))
        np.testing.assert_allclose(path[-1], [1.0, 1.0], atol=1e-5)


def test_lbfgs_state_dict_from_torch_resumes(saved_by_torch):
    """PyTorch's LBFGS state (lists of tensors, ``al`` with None, float ``t``) loads and runs."""
    for case, kw in LBFGS_CASES.items():
        entry = saved_by_torch["lbfgs/" + case]
        x = numtorch.tensor(entry["params"][0].detach().numpy().copy(), requires_grad=True)
        opt = numtorch.optim.LBFGS([x], **kw)
        opt.load_state_dict(copy.deepcopy(entry["state"]))
        assert opt.state_dict()["param_groups"] == entry["state"]["param_groups"]

        def closure():
            opt.zero_grad()
            loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
            loss.backward()
            return loss
        before = closure().item()
        opt.step(closure)
        assert closure().item() <= before
        assert list(opt.state_dict()["state"][0]) == list(entry["state"]["state"][0])


def test_lbfgs_state_dict_to_torch(tmp_path):
    """PyTorch's LBFGS loads numtorch's state (history lists, 0-d tensors) and steps on."""
    torch = pytest.importorskip("torch")
    for case, kw in LBFGS_CASES.items():
        _, _, opt = rosenbrock(numtorch, kw, "float64", steps=2)
        f = str(tmp_path / "lbfgs.pt")
        numtorch.save(opt.state_dict(), f)
        x = torch.tensor(opt.param_groups[0]["params"][0].detach().numpy().copy(),
                         requires_grad=True)
        topt = torch.optim.LBFGS([x], **kw)
        topt.load_state_dict(torch.load(f))

        def closure():
            topt.zero_grad()
            loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
            loss.backward()
            return loss
        before = closure().item()
        topt.step(closure)
        assert closure().item() <= before, case


def test_lbfgs_returns_first_loss_and_stops_at_optimum():
    x = numtorch.tensor([1.0, 1.0], dtype=numtorch.float64, requires_grad=True)
    opt = numtorch.optim.LBFGS([x])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss
    assert opt.step(closure).item() == 0.0
    assert calls == [1] and opt.state[x]["func_evals"] == 1 and "d" not in opt.state[x]


# -- constructors, errors, reprs -------------------------------------------------------------------

@pytest.mark.parametrize("cid", list(ERRORS))
def test_errors_match_torch(cid, record):
    want = record[1]["errors"][cid]
    got = error_of(ERRORS[cid], numtorch)
    assert want is not None and got == want
    torch = _torch_or_none()
    if torch is not None:
        assert error_of(ERRORS[cid], torch) == want


@pytest.mark.parametrize("cid", list(ACCEPTED))
def test_cpu_flags_accepted_like_torch(cid, record):
    want = record[1]["accepted"][cid]
    np.testing.assert_allclose(accepted_run(numtorch, cid), want, rtol=1e-6)
    torch = _torch_or_none()
    if torch is not None:
        np.testing.assert_allclose(accepted_run(torch, cid), want, rtol=1e-6)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_repr_and_defaults_match_torch(name, record):
    assert repr_of(numtorch, name) == record[1]["reprs"][name]
    torch = _torch_or_none()
    if torch is not None:
        assert repr_of(torch, name) == record[1]["reprs"][name]
        w = numtorch.ones(1, requires_grad=True)
        assert getattr(numtorch.optim, name)([w]).defaults == \
            getattr(torch.optim, name)([torch.ones(1, requires_grad=True)]).defaults


def test_param_groups_with_their_own_options():
    """Each group runs with its own options (one of them maximizing, one decoupled)."""
    a = numtorch.tensor([1.0], dtype=numtorch.float64, requires_grad=True)
    b = numtorch.tensor([1.0], dtype=numtorch.float64, requires_grad=True)
    opt = numtorch.optim.NAdam([{"params": [a]},
                                {"params": [b], "maximize": True, "weight_decay": 0.5,
                                 "decoupled_weight_decay": True}], lr=0.1)
    a.grad = numtorch.tensor([2.0], dtype=numtorch.float64)
    b.grad = numtorch.tensor([-2.0], dtype=numtorch.float64)
    opt.step()
    # b: decay 1 - 0.1 * 0.5, then the same step as a (its negated gradient is a's)
    assert b.item() == pytest.approx(a.item() - 0.05, rel=1e-12)
    assert opt.state_dict()["param_groups"][1]["maximize"] is True


def test_updates_in_place_and_bump_versions():
    for name in ["Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"]:
        w = numtorch.tensor([1.0, 2.0], requires_grad=True)
        data, version = w._data, w._version
        opt = getattr(numtorch.optim, name)([w])
        w.grad = numtorch.tensor([1.0, -1.0])
        opt.step()
        assert w._data is data and w._version == version + 1, name
        assert not np.array_equal(w._data, [1.0, 2.0]), name
