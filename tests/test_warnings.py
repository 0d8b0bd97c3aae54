"""Warnings as PyTorch gives them: no NumPy RuntimeWarning reaches a user from numtorch's ops,
and PyTorch's UserWarnings where PyTorch gives them (recorded from torch 2.13)."""
import re
import subprocess
import sys
import warnings

import pytest

import numtorch
from _oracle import Oracle, live_torch

ORACLE = Oracle("warnings")

CASES = {
    "mean_empty": lambda T: T.tensor([]).mean(),
    "mean_empty_dim": lambda T: T.zeros(0, 3).mean(0),
    "log_neg_zero": lambda T: T.log(T.tensor([-1.0, 0.0])),
    "div_by_zero": lambda T: T.tensor([1.0, 0.0]) / 0,
    "sqrt_neg": lambda T: T.tensor([-1.0]).sqrt(),
    "std_one": lambda T: T.tensor([1.0]).std(),
    "var_empty": lambda T: T.tensor([]).var(),
    "var_mean_one": lambda T: T.var_mean(T.tensor([1.0])),
    "std_mean_one": lambda T: T.std_mean(T.tensor([1.0])),
    "var_dim_one": lambda T: T.tensor([[1.0, 2.0]]).var(0),
    "grad_of_non_leaf": lambda T: (T.ones(1, requires_grad=True) * 2).grad,
    "range": lambda T: T.range(0, 3),
    "item_requires_grad": lambda T: T.ones(1, requires_grad=True).item(),
    "int_requires_grad": lambda T: int(T.ones(1, requires_grad=True)),
    "tensor_of_tensor": lambda T: T.tensor(T.ones(2)),
    "softplus_big": lambda T: T.nn.functional.softplus(T.tensor([1000.0, -1000.0])),
    "bce_edges": lambda T: T.nn.functional.binary_cross_entropy(T.tensor([0.0, 1.0]),
                                                               T.tensor([0.0, 1.0])),
}


def _caught(T, fn):
    """(category name, message without PyTorch's "(Triggered internally ...)" suffix) of each
    warning ``fn`` gives, in order. Every warning is shown, except that numtorch's own filter
    (set on import: NumPy's floating-point RuntimeWarnings raised in numtorch's modules) stays,
    as it does for a user who does not reset the filters after importing numtorch."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"numtorch\.")
        fn(T)
    return [[w.category.__name__, re.sub(r" \(Triggered internally at .*\)$", "",
                                         str(w.message), flags=re.S)] for w in seen]


@pytest.mark.parametrize("name", sorted(CASES))
def test_warnings_as_pytorch(name):
    want = ORACLE.answer(name, lambda torch: _caught(torch, CASES[name]))
    assert _caught(numtorch, CASES[name]) == want


def test_float_of_requires_grad_warns_once_per_process():
    code = ("import warnings, numtorch as torch\n"
            "x = torch.ones(1, requires_grad=True)\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    with torch.no_grad():\n"
            "        float(x)          # no warning with grad mode off, and none used up\n"
            "    float(x); float(x * 2); float(x.detach())\n"
            "print(len(w)); print(str(w[0].message))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    want = ["1", "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                 "behavior.", "Consider using tensor.detach() first."]
    torch = live_torch()
    if torch is not None:                          # the live check of this behaviour
        live = subprocess.run([sys.executable, "-c", code.replace("numtorch as torch", "torch")],
                              capture_output=True, text=True, check=True).stdout.splitlines()
        live[2] = re.sub(r" \(Triggered internally at .*\)$", "", live[2])
        assert live == want
    assert out == want


def test_no_runtime_warning_reaches_users_in_a_plain_run():
    """Outside pytest (which resets warning filters), a user's script sees nothing."""
    code = ("import numtorch as t, numtorch.nn.functional as F\n"
            "x = t.tensor([1000., -1000., 0.], requires_grad=True)\n"
            "F.softplus(x).sum().backward()\n"
            "t.log(t.tensor([-1.0, 0.0])); t.tensor([1.0, 0.0]) / 0; t.tensor([]).mean()\n"
            "F.cross_entropy(t.randn(2, 3), t.tensor([-100, -100]))\n"
            "y = t.zeros(3, requires_grad=True); F.normalize(y, dim=0).sum().backward()\n"
            "t.tensor([]).var(); t.zeros(0, 2).mean(0); t.tensor([]).std(0)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and "RuntimeWarning" not in run.stderr, run.stderr


def test_device_equals_string_as_pytorch():
    want = ORACLE.answer("device_eq_str", lambda torch: [torch.device("cpu") == "cpu",
                                                         torch.device("cpu") == torch.device("cpu")])
    assert [numtorch.device("cpu") == "cpu",
            numtorch.device("cpu") == numtorch.device("cpu")] == want
