"""Activation, dropout and loss modules: reprs and attributes as PyTorch's, forward/backward parity,
train/eval, legacy size_average/reduce, buffers.

PyTorch's answers are recorded in ``tests/data/oracle/nn_activations.{json,npz}`` (see
``tests/_oracle.py``); regenerate with ``python tests/data/regen_oracle.py
tests/nn/test_activations.py`` where torch 2.13 is installed.
"""
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.nn.modules import activation as A, dropout as D, loss as L
from nn_parity_helpers import compare, error_of, rng_for
from _oracle import Oracle

ORACLE = Oracle("nn_activations")


def randn(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


ACTIVATION_MODULES = [
    ("ReLU", (), {}), ("ReLU", (True,), {}), ("ReLU6", (), {}), ("ReLU6", (), {"inplace": True}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("ELU", (), {}), ("ELU", (0.5,), {"inplace": True}),
    ("SELU", (), {}), ("SELU", (True,), {}), ("CELU", (), {}), ("GELU", (), {}), ("GELU", ("tanh",), {}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Sigmoid", (), {}), ("Tanh", (), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softsign", (), {}), ("Hardtanh", (), {}),
    ("Hardtanh", (-2, 2, True), {}), ("Softmax", (), {"dim": 1}), ("Softmax", (-1,), {}),
    ("LogSoftmax", (), {"dim": 1}), ("Softmin", (), {"dim": 0}), ("LogSigmoid", (), {}),
    ("Tanhshrink", (), {}),
]
IDS = [f"{n}{a}{k}" for n, a, k in ACTIVATION_MODULES]
ATTRS = ("inplace", "negative_slope", "alpha", "approximate", "beta", "threshold", "min_val",
         "max_val", "dim")


@pytest.mark.parametrize("name,args,kw", ACTIVATION_MODULES, ids=IDS)
def test_activation_module_repr_and_attributes(name, args, kw):
    def torch_side(torch):
        mt = getattr(torch.nn, name)(*args, **kw)
        return {"repr": repr(mt), "attrs": {a: getattr(mt, a) for a in ATTRS if hasattr(mt, a)}}
    want = ORACLE.answer(f"repr/{name}{args}{kw}", torch_side)
    m = getattr(A, name)(*args, **kw)
    assert repr(m) == want["repr"]
    for attr, value in want["attrs"].items():
        assert getattr(m, attr) == value, attr
    assert list(m.state_dict()) == []


@pytest.mark.parametrize("name,args,kw", ACTIVATION_MODULES, ids=IDS)
def test_activation_module_forward_backward(name, args, kw):
    key = f"forward/{name}{args}{kw}"
    x = randn(rng_for(key), 3, 4) * 3
    m = getattr(A, name)(*args, **kw)
    # an in-place module needs a non-leaf input: feed x * 1
    compare(lambda a: m(a * 1), lambda torch, a: getattr(torch.nn, name)(*args, **kw)(a * 1), [x],
            [True], rtol=2e-6, atol=2e-6, oracle=ORACLE, key=key)


def test_softmax_module_without_dim_warns():
    want = ORACLE.answer("softmax_no_dim_repr", lambda torch: repr(torch.nn.Softmax()))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        A.Softmax()(numtorch.randn(2, 3))
    assert repr(A.Softmax()) == want == "Softmax(dim=None)"


def test_reprs_spelled_out():
    assert repr(A.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(A.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(D.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(A.ReLU()) == "ReLU()"
    assert repr(A.GELU()) == "GELU(approximate='none')"


# -- dropout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p,inplace", [(0.5, False), (0.2, True), (0.0, False), (1.0, False)])
def test_dropout_module(p, inplace):
    key = f"dropout_module/{p}/{inplace}"
    x = randn(rng_for(key), 6, 7)

    def torch_side(torch):
        mt = torch.nn.Dropout(p, inplace)
        torch.manual_seed(11)
        return {"repr": repr(mt), "out": mt(torch.tensor(x) * 1)}
    want = ORACLE.answer(key, torch_side)
    m = D.Dropout(p, inplace)
    assert repr(m) == want["repr"]
    numtorch.manual_seed(11)
    a = m(numtorch.tensor(x) * 1)
    np.testing.assert_array_equal(a.numpy(), want["out"].numpy())
    m.eval()
    assert not m.training
    xt = numtorch.tensor(x)
    assert m(xt) is xt
    m.train()
    assert m.training


def test_dropout_module_grad_and_errors():
    key = "dropout_module_grad"
    x = randn(rng_for(key), 4, 5)

    def dropout_nt(a):
        numtorch.manual_seed(5)
        return D.Dropout(0.3)(a)

    def dropout_th(torch, a):
        torch.manual_seed(5)
        return torch.nn.Dropout(0.3)(a)
    compare(dropout_nt, dropout_th, [x], [True], rtol=0, atol=0, oracle=ORACLE, key=key)
    want = ORACLE.answer("dropout_module_error", lambda torch: error_of(lambda: torch.nn.Dropout(1.5)))
    assert want is not None
    assert error_of(lambda: D.Dropout(1.5)) == want
    assert error_of(lambda: D.Dropout(-0.1)) == ["ValueError",
                                                 "dropout probability has to be between 0 and 1, but got -0.1"]


# -- loss modules -------------------------------------------------------------------------------

def _loss_cases(rng):
    x, y = randn(rng, 4, 5), randn(rng, 4, 5)
    p = 1 / (1 + np.exp(-x))
    q = rng.uniform(0, 1, (4, 5)).astype(np.float32)
    t = np.array([0, 3, 1, 4])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    w5 = rng.uniform(0.2, 1, 5).astype(np.float32)
    return [
        ("MSELoss", {}, x, y, True), ("L1Loss", {"reduction": "sum"}, x, y, True),
        ("SmoothL1Loss", {"beta": 0.5}, x, y, True), ("HuberLoss", {"delta": 0.7, "reduction": "none"}, x, y, True),
        ("BCELoss", {}, p, q, True), ("BCELoss", {"weight": w5}, p, q, True),
        ("BCEWithLogitsLoss", {}, x * 30, q, True),
        ("BCEWithLogitsLoss", {"weight": w5, "pos_weight": w5 * 3}, x, q, True),
        ("CrossEntropyLoss", {}, x, t, False), ("CrossEntropyLoss", {"weight": w5, "ignore_index": 3}, x, t, False),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "reduction": "sum"}, x, t, False),
        ("CrossEntropyLoss", {}, x, q / q.sum(1, keepdims=True), True),
        ("NLLLoss", {}, logp, t, False), ("NLLLoss", {"weight": w5, "reduction": "none"}, logp, t, False),
        ("KLDivLoss", {"reduction": "batchmean"}, logp, q, True),
        ("KLDivLoss", {"reduction": "sum", "log_target": True}, logp, np.log(q), True),
    ]


LOSS_ATTRS = ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target")


@pytest.mark.parametrize("case", range(16))
def test_loss_modules(case):
    key = f"loss_module/{case}"
    name, kw, x, y, y_grad = _loss_cases(rng_for(key))[case]

    def module(T):
        return getattr(T.nn, name)(**{k: T.tensor(v) if isinstance(v, np.ndarray) else v
                                      for k, v in kw.items()})

    def torch_side(torch):
        mt = module(torch)
        return {"repr": repr(mt), "attrs": {a: getattr(mt, a) for a in LOSS_ATTRS if hasattr(mt, a)},
                "state": sorted(mt.state_dict())}
    want = ORACLE.answer(key, torch_side)
    m = module(numtorch)
    assert isinstance(m, getattr(L, name))
    assert repr(m) == want["repr"]
    for attr, value in want["attrs"].items():
        assert getattr(m, attr) == value, attr
    assert sorted(m.state_dict()) == want["state"]
    compare(lambda a, b: m(a, b), lambda torch, a, b: module(torch)(a, b), [x, y], [True, y_grad],
            rtol=2e-6, atol=1e-6, oracle=ORACLE, key=key + "/call")


@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, None), (False, True)])
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "KLDivLoss"])
def test_loss_legacy_args(name, size_average, reduce):
    def torch_side(torch):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            mt = getattr(torch.nn, name)(size_average=size_average, reduce=reduce)
        return {"reduction": mt.reduction, "warnings": [str(w.message) for w in rec]}
    want = ORACLE.answer(f"legacy/{name}/{size_average}/{reduce}", torch_side)
    assert want["warnings"]
    with pytest.warns(UserWarning) as rec:
        m = getattr(L, name)(size_average=size_average, reduce=reduce)
    assert m.reduction == want["reduction"]
    assert str(rec[0].message) == want["warnings"][0]


def _defaults(m) -> dict:
    return {"repr": repr(m), "attrs": {a: getattr(m, a) for a in LOSS_ATTRS if hasattr(m, a)}}


def test_loss_defaults():
    """Every loss module built with no argument: reduction and every other default as PyTorch's."""
    want = ORACLE.answer("loss_defaults",
                         lambda torch: {n: _defaults(getattr(torch.nn, n)()) for n in L.__all__})
    assert sorted(want) == sorted(L.__all__), "new loss modules: regenerate the record"
    for name in L.__all__:
        m = getattr(L, name)()
        assert m.reduction == want[name]["attrs"]["reduction"] == "mean"
        assert _defaults(m) == want[name], name


def test_nn_namespace_exports():
    nn = numtorch.nn
    for name in A.__all__ + D.__all__ + L.__all__:
        assert getattr(nn, name) is getattr(A, name, None) or getattr(nn, name) is getattr(D, name, None) \
            or getattr(nn, name) is getattr(L, name, None)
