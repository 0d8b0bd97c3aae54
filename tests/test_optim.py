"""torch.optim: parity with PyTorch over many steps, state_dict format and interchange, reprs, errors.

PyTorch's answers are recorded (``tests/data/oracle/optim.*``, see ``tests/_oracle.py``), so these
tests run without torch; with torch installed the record is also checked against live PyTorch.
Regenerate with ``python tests/data/regen_oracle.py tests/test_optim.py``.

Float32 SGD is compared bit for bit. Adam/AdamW/RMSprop/Adagrad share PyTorch's arithmetic too,
but PyTorch's float32 ``sqrt`` on some CPUs (MKL/Sleef) is not correctly rounded, so against
PyTorch's own trajectories they agree to a few ulps, and against PyTorch's trajectories with a
correctly rounded ``sqrt`` (also recorded) bit for bit. Float64 agrees to ~1e-13 (PyTorch's
kernels fuse multiply-adds in double).
"""
from __future__ import annotations

import copy
import io
import warnings

import numpy as np
import pytest

import numtorch
from numtorch import nn, optim
from _oracle import Oracle, error
from _optim_oracle import SQRT, check_fingerprints, exact_sqrt, fingerprints

ORACLE = Oracle("optim")

SHAPES = [(5, 7), (7,), (3, 4, 2), (), (61, 83)]   # (61, 83): large enough for BLAS saxpy

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True, weight_decay=0.02)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.02, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.001, momentum=0.9)),
    ("RMSprop", dict(lr=0.001, centered=True)),
    ("RMSprop", dict(lr=0.001, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, alpha=0.4, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True, eps=1e-6)),
]


def _run(lib, name, kw, dtype, steps=20, seed=0):
    """``steps`` steps on five parameters; gradients sin(3p) + fixed noise; p[1] skipped every 3rd."""
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    noise = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]
    ps = [lib.tensor(a.copy(), requires_grad=True) for a in inits]
    opt = getattr(lib.optim, name)(ps, **kw)
    for k in range(steps):
        for i, p in enumerate(ps):
            if i == 1 and k % 3 == 2:
                p.grad = None
            else:
                p.grad = lib.tensor((np.sin(3 * p.detach().numpy()) + noise[k][i]).astype(dtype))
        opt.step()
    return [p.detach().numpy().copy() for p in ps], opt


def _ids(c):
    return c[0] + "-" + ",".join(f"{k}={v}" for k, v in c[1].items())


def _record(ps, opt, exact: bool) -> dict:
    """Parameters and optimizer state as the record keeps them: the state's parameter indices
    and keys in order ([[index, [key, ...]], ...]), the param_groups, and the fingerprints of
    the parameters followed by the state's tensors."""
    sd = opt.state_dict()
    keys = [[i, list(st)] for i, st in sd["state"].items()]
    tensors = [v for st in sd["state"].values() for v in st.values()]
    return dict(fingerprints(list(ps) + tensors, exact), keys=keys, groups=sd["param_groups"])


def _bitwise(name: str, dtype: str) -> bool:
    """Whether numtorch must equal PyTorch's own trajectory bit for bit (no ``sqrt`` involved)."""
    return dtype == "float32" and name not in SQRT


def _tol(dtype: str) -> dict:
    """Against PyTorch's own numbers: its MKL float32 ``sqrt``, its float64 fused multiply-adds."""
    return dict(rtol=1e-12, atol=1e-14) if dtype == "float64" else dict(rtol=2e-5, atol=1e-7)


def _torch_run(torch, name, kw, dtype) -> dict:
    """PyTorch's side of the parity test: parameters, state and param_groups after 20 steps (and,
    for float32 with a ``sqrt``, the same with a correctly rounded one)."""
    out = {"torch": _record(*_run(torch, name, kw, dtype), _bitwise(name, dtype))}
    if dtype == "float32" and name in SQRT:
        with exact_sqrt(torch):
            out["exact"] = _record(*_run(torch, name, kw, dtype), True)
    return out


def _check(ps, opt, want, exact, where, **tol):
    """numtorch's parameters and optimizer state against a ``_record``: the same param_groups,
    state keys in the same order, tensors of the same dtype, shape and values."""
    sd = opt.state_dict()
    assert sd["param_groups"] == want["groups"], where
    assert [[i, list(st)] for i, st in sd["state"].items()] == want["keys"], f"{where}: keys"
    tensors = [v for st in sd["state"].values() for v in st.values()]
    assert all(isinstance(v, numtorch.Tensor) for v in tensors), where
    labels = [f"{where}: param {i}" for i in range(len(ps))] + \
        [f"{where}: state {i}/{k}" for i, st in sd["state"].items() for k in st]
    check_fingerprints(list(ps) + tensors, want, exact, labels, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("config", CONFIGS, ids=[_ids(c) for c in CONFIGS])
def test_parity_with_torch(config, dtype):
    name, kw = config
    want = ORACLE.answer(f"parity/{_ids(config)}/{dtype}",
                         lambda torch: _torch_run(torch, name, kw, dtype))
    got, opt = _run(numtorch, name, kw, dtype)
    # parameters and state: the same keys, dtypes and values; the same param_groups
    _check(got, opt, want["torch"], _bitwise(name, dtype), "torch", **_tol(dtype))
    if "exact" in want:                 # PyTorch's bits, its MKL sqrt aside
        _check(got, opt, want["exact"], True, "exact sqrt")


def test_sgd_matches_hand_computation():
    w = numtorch.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()      # grad = 2w
        opt.step()
    # step 1: buf = 2w0 = [2, -4], w1 = w0 - 0.1 buf = [0.8, -1.6]
    # step 2: buf = 0.9 [2, -4] + [1.6, -3.2] = [3.4, -6.8], w2 = [0.46, -0.92]
    np.testing.assert_allclose(w.detach().numpy(), [0.46, -0.92], rtol=1e-6)


def test_adam_first_step_is_lr_times_sign():
    w = numtorch.tensor([1.0, -3.0, 0.5], requires_grad=True)
    opt = optim.Adam([w], lr=0.01)
    w.grad = numtorch.tensor([4.0, -0.5, 2.0])
    opt.step()
    # m_hat = g, v_hat = g^2 -> update = lr * g / (|g| + eps)
    np.testing.assert_allclose(w.detach().numpy(), [0.99, -2.99, 0.49], rtol=1e-6)


def test_updates_in_place_and_bumps_version():
    for cls in (optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad):
        w = numtorch.tensor([1.0, 2.0], requires_grad=True)
        data, version = w._data, w._version
        opt = cls([w], lr=0.1)
        w.grad = numtorch.tensor([1.0, 1.0])
        opt.step()
        assert w._data is data and w._version == version + 1
        assert w.requires_grad and w.grad_fn is None


def test_params_without_grad_are_skipped():
    a = numtorch.tensor([1.0], requires_grad=True)
    b = numtorch.tensor([1.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = numtorch.tensor([1.0])
    opt.step()
    assert b.item() == 1.0 and a.item() != 1.0
    assert list(opt.state_dict()["state"]) == [0]


def test_zero_grad():
    w = numtorch.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None
    opt.zero_grad()                       # no grad: nothing to do
    assert w.grad is None


def test_step_with_closure():
    w = numtorch.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        calls.append(1)
        return loss

    with numtorch.no_grad():              # the closure still records a graph
        loss = opt.step(closure)
    assert calls == [1] and loss.item() == 4.0 and w.item() == 1.0
    assert opt.step() is None


def test_param_groups_and_add_param_group():
    a = numtorch.tensor([1.0], requires_grad=True)
    b = numtorch.tensor([1.0], requires_grad=True)
    c = numtorch.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [c], "momentum": 0})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5, 0.1]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9, 0]
    for p in (a, b, c):
        p.grad = numtorch.tensor([1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item(), c.item()], [0.9, 0.5, 0.9], rtol=1e-6)
    assert [g["params"] for g in opt.state_dict()["param_groups"]] == [[0], [1], [2]]
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_named_parameters_are_accepted():
    a = numtorch.tensor([1.0], requires_grad=True)
    opt = optim.Adam([("w", a)])
    assert opt.param_groups[0]["param_names"] == ["w"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w"]


REPRS = [("SGD", dict(lr=0.1)), ("Adam", dict(lr=0.1)), ("AdamW", dict(lr=0.1)),
         ("RMSprop", dict(lr=0.1)), ("Adagrad", dict(lr=0.1)),
         ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True))]


def _repr_and_defaults(lib, name, kw) -> tuple:
    opt = getattr(lib.optim, name)([{"params": [lib.ones(1, requires_grad=True)]},
                                    {"params": [lib.ones(1, requires_grad=True)], "lr": 0.5}],
                                   **kw)
    return repr(opt), opt.defaults


@pytest.mark.parametrize("name,kw", REPRS, ids=[_ids(c) for c in REPRS])
def test_repr_matches_torch(name, kw):
    want = ORACLE.answer(f"repr/{_ids((name, kw))}",
                         lambda torch: _repr_and_defaults(torch, name, kw))
    mine, defaults = _repr_and_defaults(numtorch, name, kw)
    assert mine == want[0]
    assert defaults == want[1]


def test_repr_literal():
    opt = optim.SGD([numtorch.ones(1, requires_grad=True)], lr=0.01)
    assert repr(opt) == ("SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
                         "    foreach: None\n    fused: None\n    lr: 0.01\n    maximize: False\n"
                         "    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)")


# (make(optim module, parameter), exception type, the start of PyTorch's message)
ERRORS = [
    (lambda O, w: O.SGD([], lr=0.1), ValueError, "optimizer got an empty parameter list"),
    (lambda O, w: O.SGD([w], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda O, w: O.SGD([w], momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda O, w: O.SGD([w], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda O, w: O.SGD([w], nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda O, w: O.SGD(w, lr=0.1), TypeError, "params argument given to the optimizer should be "
     "an iterable of Tensors or dicts, but got torch.FloatTensor"),
    (lambda O, w: O.SGD([1.0], lr=0.1), TypeError,
     "optimizer can only optimize Tensors, but one of the params is float"),
    (lambda O, w: O.SGD([w * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda O, w: O.SGD([{"params": {w}}], lr=0.1), TypeError, "optimizer parameters need to be "
     "organized in ordered collections"),
    (lambda O, w: O.Adam([w], lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    (lambda O, w: O.Adam([w], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda O, w: O.Adam([w], betas=(1.0, 0.9)), ValueError,
     "Invalid beta parameter at index 0: 1.0"),
    (lambda O, w: O.Adam([w], betas=(0.9, 1.5)), ValueError,
     "Invalid beta parameter at index 1: 1.5"),
    (lambda O, w: O.Adam([w], betas=(0, 0.9)), ValueError,
     "betas must be either both floats or both Tensors"),
    (lambda O, w: O.AdamW([w], weight_decay=-0.5), ValueError, "Invalid weight_decay value: -0.5"),
    (lambda O, w: O.RMSprop([w], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda O, w: O.RMSprop([w], momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda O, w: O.Adagrad([w], lr_decay=-0.5), ValueError, "Invalid lr_decay value: -0.5"),
    (lambda O, w: O.Adagrad([w], initial_accumulator_value=-1), ValueError,
     "Invalid initial_accumulator_value value: -1"),
    (lambda O, w: O.SGD([w]).add_param_group([w]), TypeError,
     "param_group must be a dict, but got <class 'list'>"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    make, exc, msg = ERRORS[i]
    want = ORACLE.answer(f"errors/{i}",
                         lambda torch: error(lambda: make(torch.optim,
                                                          torch.ones(2, requires_grad=True))))
    with pytest.raises(exc) as info:
        make(optim, numtorch.ones(2, requires_grad=True))
    assert str(info.value).startswith(msg)
    assert want == [exc.__name__, str(info.value)]


def _setup(lib, name, kw):
    ps = [lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 7, requires_grad=True),
          lib.tensor([0.5, -0.25], requires_grad=True)]
    opt = getattr(lib.optim, name)([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.01}], **kw)
    return ps, opt


def _steps(lib, ps, opt, n):
    for k in range(n):
        for p in ps:
            p.grad = lib.tensor(np.cos(p.detach().numpy() * (k + 1)).astype(np.float32))
        opt.step()


SD_CONFIGS = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1, amsgrad=True)),
              ("AdamW", dict(lr=0.1)), ("RMSprop", dict(lr=0.1, centered=True, momentum=0.3)),
              ("Adagrad", dict(lr=0.1))]


@pytest.mark.parametrize("name,kw", SD_CONFIGS)
def test_state_dict_round_trip(name, kw):
    ps, opt = _setup(numtorch, name, kw)
    _steps(numtorch, ps, opt, 3)
    sd = copy.deepcopy(opt.state_dict())
    ps2, opt2 = _setup(numtorch, name, kw)
    for a, b in zip(ps2, ps):
        a._data[...] = b._data
    opt2.load_state_dict(sd)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    _steps(numtorch, ps, opt, 2)
    _steps(numtorch, ps2, opt2, 2)
    for a, b in zip(ps, ps2):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_errors():
    ps, opt = _setup(numtorch, "SGD", dict(lr=0.1))
    other = optim.SGD([numtorch.ones(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(opt.state_dict())
    other.add_param_group({"params": [numtorch.ones(1, requires_grad=True),
                                      numtorch.ones(1, requires_grad=True)]})
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        other.load_state_dict(opt.state_dict())


def _torch_interchange(torch, name, kw) -> dict:
    """PyTorch's side of the state-dict tests, after 3 steps: parameters, state and param_groups
    (``_record``) and the bytes ``torch.save`` writes of the state dict; after 2 more steps: the
    parameters. With a ``sqrt`` also the same with a correctly rounded one ("exact"), whose file
    is the one kept (the same bytes on every CPU)."""
    def run(exact):
        ps, opt = _setup(torch, name, kw)
        _steps(torch, ps, opt, 3)
        out = {"at3": _record(ps, opt, exact)}
        if exact:
            buf = io.BytesIO()
            torch.save(opt.state_dict(), buf)
            out["file"] = np.frombuffer(buf.getvalue(), np.uint8).copy()
        _steps(torch, ps, opt, 2)
        out["at5"] = fingerprints(ps, exact)
        return out

    if name not in SQRT:
        return {"torch": run(True)}
    answer = {"torch": run(False)}
    with exact_sqrt(torch):
        answer["exact"] = run(True)
    return answer


@pytest.mark.parametrize("name,kw", SD_CONFIGS)
def test_state_dict_matches_torch_and_loads_its_file(name, kw):
    """numtorch's state after 3 steps is PyTorch's; numtorch loads the file ``torch.save`` wrote
    of PyTorch's state dict and continues exactly as PyTorch did."""
    want = ORACLE.answer(f"interchange/{name}", lambda torch: _torch_interchange(torch, name, kw))
    tol = dict(rtol=2e-5, atol=1e-7)            # PyTorch's MKL float32 sqrt
    ps, opt = _setup(numtorch, name, kw)
    _steps(numtorch, ps, opt, 3)
    at3 = [p.detach().numpy().copy() for p in ps]
    for label, rec in want.items():
        exact = label == "exact" or name not in SQRT
        _check(ps, opt, rec["at3"], exact, label, **tol)
    _steps(numtorch, ps, opt, 2)
    for label, rec in want.items():
        exact = label == "exact" or name not in SQRT
        check_fingerprints(ps, rec["at5"], exact, [f"{label}: param {i}" for i in range(2)], **tol)
    # torch -> numtorch: numtorch loads PyTorch's file and continues exactly as PyTorch did
    rec = want["exact" if name in SQRT else "torch"]
    sd = numtorch.load(io.BytesIO(rec["file"].tobytes()))
    ps3, opt3 = _setup(numtorch, name, kw)
    for a, b in zip(ps3, at3):      # = PyTorch's parameters after 3 steps (checked above)
        a._data[...] = b
    opt3.load_state_dict(sd)
    _check(ps3, opt3, rec["at3"], True, "loaded from PyTorch's file")
    _steps(numtorch, ps3, opt3, 2)
    check_fingerprints(ps3, rec["at5"], True, ["resumed param 0", "resumed param 1"])


def test_state_dict_loads_in_torch(tmp_path):
    """numtorch -> torch: ``torch.load`` reads numtorch's files (needs live PyTorch) and PyTorch's
    training continues as numtorch's does."""
    torch = pytest.importorskip("torch")
    for name, kw in SD_CONFIGS:
        _loads_in_torch(torch, name, kw, str(tmp_path / f"{name}.pt"))


def _loads_in_torch(torch, name, kw, f):
    ps, opt = _setup(numtorch, name, kw)
    _steps(numtorch, ps, opt, 3)
    numtorch.save(opt.state_dict(), f)
    loaded = torch.load(f)
    sd = opt.state_dict()
    assert loaded["param_groups"] == sd["param_groups"]
    assert [list(st) for st in loaded["state"].values()] == \
        [list(st) for st in sd["state"].values()]
    for i, st in sd["state"].items():
        for k, v in st.items():
            assert str(loaded["state"][i][k].dtype) == str(v.dtype)
            np.testing.assert_array_equal(loaded["state"][i][k].numpy(), v.numpy())
    tps, topt = _setup(torch, name, kw)
    with torch.no_grad():
        for a, b in zip(tps, ps):
            a.copy_(torch.from_numpy(b.detach().numpy()))
    topt.load_state_dict(loaded)
    with exact_sqrt(torch):         # PyTorch's arithmetic with a correctly rounded sqrt
        _steps(torch, tps, topt, 2)
    _steps(numtorch, ps, opt, 2)
    for a, b in zip(tps, ps):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)


def test_step_hooks():
    w = numtorch.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    seen = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    w.grad = numtorch.tensor([1.0])
    opt.step()
    h1.remove()
    opt.step()
    assert seen == ["pre", "post", "post"]


def test_duplicate_parameters_warn():
    w = numtorch.tensor([1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([w, w], lr=0.1)


def test_optimizer_deepcopy_and_module_parameters():
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters(), lr=0.01)
    x = numtorch.ones(4, 3)
    model(x).sum().backward()
    opt.step()
    opt2 = copy.deepcopy(opt)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())
