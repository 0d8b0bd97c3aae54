"""Activation, dropout and loss modules: reprs and attributes as PyTorch's, forward/backward parity,
train/eval, legacy size_average/reduce, buffers."""
import numpy as np
import pytest

import numtorch

pytest.importorskip("numtorch.nn.modules.module", reason="nn.Module not in the tree yet")
from numtorch.nn.modules import activation as A, dropout as D, loss as L  # noqa: E402
from nn_parity_helpers import compare, error_of  # noqa: E402

rng = np.random.default_rng(99)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def tnn():
    torch = pytest.importorskip("torch")
    return torch, torch.nn


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


@pytest.mark.parametrize("name,args,kw", ACTIVATION_MODULES, ids=IDS)
def test_activation_module_repr_and_attributes(name, args, kw):
    torch, tn = tnn()
    m, mt = getattr(A, name)(*args, **kw), getattr(tn, name)(*args, **kw)
    assert repr(m) == repr(mt)
    for attr in ("inplace", "negative_slope", "alpha", "approximate", "beta", "threshold", "min_val",
                 "max_val", "dim"):
        if hasattr(mt, attr):
            assert getattr(m, attr) == getattr(mt, attr), attr
    assert list(m.state_dict()) == []


@pytest.mark.parametrize("name,args,kw", ACTIVATION_MODULES, ids=IDS)
def test_activation_module_forward_backward(name, args, kw):
    torch, tn = tnn()
    m, mt = getattr(A, name)(*args, **kw), getattr(tn, name)(*args, **kw)
    x = randn(3, 4) * 3
    # an in-place module needs a non-leaf input: feed x * 1
    compare(lambda a: m(a * 1), lambda a: mt(a * 1), [x], [True], rtol=2e-6, atol=2e-6)


def test_softmax_module_without_dim_warns():
    torch, tn = tnn()
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        A.Softmax()(numtorch.randn(2, 3))
    assert repr(A.Softmax()) == repr(tn.Softmax()) == "Softmax(dim=None)"


def test_reprs_spelled_out():
    assert repr(A.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(A.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(D.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(A.ReLU()) == "ReLU()"
    assert repr(A.GELU()) == "GELU(approximate='none')"


# -- dropout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p,inplace", [(0.5, False), (0.2, True), (0.0, False), (1.0, False)])
def test_dropout_module(p, inplace):
    torch, tn = tnn()
    m, mt = D.Dropout(p, inplace), tn.Dropout(p, inplace)
    assert repr(m) == repr(mt)
    x = randn(6, 7)
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    a = m(numtorch.tensor(x) * 1)
    b = mt(torch.tensor(x) * 1)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    m.eval()
    mt.eval()
    assert not m.training
    xt = numtorch.tensor(x)
    assert m(xt) is xt
    m.train()
    assert m.training


def test_dropout_module_grad_and_errors():
    torch, tn = tnn()
    x = randn(4, 5)
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    compare(lambda a: D.Dropout(0.3)(a), lambda a: tn.Dropout(0.3)(a), [x], [True], rtol=0, atol=0)
    assert error_of(lambda: D.Dropout(1.5)) == error_of(lambda: tn.Dropout(1.5))
    assert error_of(lambda: D.Dropout(-0.1)) == ("ValueError",
                                                 "dropout probability has to be between 0 and 1, but got -0.1")


# -- loss modules -------------------------------------------------------------------------------

def _loss_cases():
    x, y = randn(4, 5), randn(4, 5)
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


@pytest.mark.parametrize("case", range(16))
def test_loss_modules(case):
    torch, tn = tnn()
    name, kw, x, y, y_grad = _loss_cases()[case]
    kw_nt = {k: numtorch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    kw_th = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    m, mt = getattr(L, name)(**kw_nt), getattr(tn, name)(**kw_th)
    assert repr(m) == repr(mt)
    for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target"):
        if hasattr(mt, attr):
            assert getattr(m, attr) == getattr(mt, attr)
    assert sorted(m.state_dict()) == sorted(mt.state_dict())
    compare(lambda a, b: m(a, b), lambda a, b: mt(a, b), [x, y], [True, y_grad], rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, None), (False, True)])
@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "KLDivLoss"])
def test_loss_legacy_args(name, size_average, reduce):
    torch, tn = tnn()
    with pytest.warns(UserWarning) as rec:
        m = getattr(L, name)(size_average=size_average, reduce=reduce)
    with pytest.warns(UserWarning) as rec_t:
        mt = getattr(tn, name)(size_average=size_average, reduce=reduce)
    assert m.reduction == mt.reduction
    assert str(rec[0].message) == str(rec_t[0].message)


def test_loss_default_reductions():
    torch, tn = tnn()
    for name in L.__all__:
        assert getattr(L, name)().reduction == getattr(tn, name)().reduction == "mean"


def test_nn_namespace_exports():
    nn = numtorch.nn
    if not hasattr(nn, "Module"):
        pytest.skip("numtorch.nn is not assembled yet")
    for name in A.__all__ + D.__all__ + L.__all__:
        assert getattr(nn, name) is getattr(A, name, None) or getattr(nn, name) is getattr(D, name, None) \
            or getattr(nn, name) is getattr(L, name, None)
