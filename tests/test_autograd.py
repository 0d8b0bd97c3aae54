"""Autograd API and engine: backward/grad, grad modes, hooks, Function, graph objects, engine rules.

Expected values come from calculus (d/dx x**2 = 2x, ...) or from PyTorch where noted (recorded
in ``tests/data/oracle/autograd.json`` by ``tests/_oracle.py``; regenerate with
``python tests/data/regen_oracle.py tests/test_autograd.py``; checked live when torch is installed).
"""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import numtorch as torch
from _oracle import Oracle

ORACLE = Oracle("autograd")


def test_backward_accumulates_on_leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (3 * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_backward_with_gradient_argument():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.backward(torch.tensor([1.0, 0.5, 0.0]))
    assert x.grad.tolist() == [2.0, 1.0, 0.0]


def test_retain_graph_allows_second_backward():
    x = torch.tensor([2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy())


def test_graph_is_freed_after_backward():
    x = torch.tensor([2.0], requires_grad=True)
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_non_leaf_grad_is_none_unless_retained():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    k = x * 4
    k.retain_grad()
    (h * k).sum().backward()
    assert h.grad is None
    assert k.grad.tolist() == [3.0, 6.0]
    assert k.retains_grad and not h.retains_grad


def test_autograd_grad_does_not_touch_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    g, = torch.autograd.grad(y, x)
    assert g.tolist() == [3.0, 12.0]
    assert x.grad is None


def test_autograd_grad_allow_unused_and_outputs_list():
    x = torch.tensor([1.0], requires_grad=True)
    z = torch.tensor([1.0], requires_grad=True)
    gx, gz = torch.autograd.grad([(x * 2).sum()], [x, z], allow_unused=True)
    assert gx.tolist() == [2.0] and gz is None


def test_grad_modes_as_context_and_decorator():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        assert not (x * 2).requires_grad
        with torch.enable_grad():
            assert (x * 2).requires_grad
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    with torch.inference_mode():
        assert not (x * 2).requires_grad
        assert torch.is_inference_mode_enabled()

    @torch.no_grad()
    def f(t):
        return t * 2

    @torch.inference_mode()
    def g(t):
        return t * 2

    @torch.enable_grad()
    def h(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    with torch.no_grad():
        assert h(x).requires_grad
    torch.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)


def test_requires_grad_():
    x = torch.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad


def test_register_hook_on_leaf_and_intermediate():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    h = x * 2
    h.register_hook(lambda g: g * 10)       # a hook may replace the gradient
    h.sum().backward()
    assert seen == [[20.0, 20.0]]
    assert x.grad.tolist() == [20.0, 20.0]


def test_hook_handle_remove():
    x = torch.tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0]


def test_custom_function():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * 3 * x ** 2 * ctx.k, None

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "CubeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    x64 = torch.tensor([0.5, -1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: Cube.apply(t, 2.0), (x64,))


def test_custom_function_mark_non_differentiable():
    class SortWithIndex(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = torch.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, _gi):
            idx, = ctx.saved_tensors
            out = torch.zeros(g.shape, dtype=g.dtype)
            out[idx] = g
            return out

    x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    vals, idx = SortWithIndex.apply(x)
    assert not idx.requires_grad and vals.requires_grad
    (vals * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 2.0]


def test_variable_is_tensor():
    v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    assert isinstance(v, torch.Tensor) and v.requires_grad


def test_grad_fn_names_and_next_functions():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    c = a * b + a
    assert c.grad_fn.name() == "AddBackward0"
    names = [f[0].name() for f in c.grad_fn.next_functions]
    assert names == ["MulBackward0", "torch::autograd::AccumulateGrad"]
    assert c.grad_fn.next_functions[1][0].variable is a
    assert "AddBackward0" in repr(c.grad_fn)


def test_deep_chain_is_iterative():
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-3)


def test_unbroadcast_to_each_input():
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(4, requires_grad=True)
    c = torch.ones((), requires_grad=True)
    (a * b * c).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.tolist() == [3.0] * 4
    assert c.grad.item() == 12.0


def test_version_counter():
    x = torch.ones(2)
    v = x._version
    x.add_(1)
    assert x._version == v + 1
    view = x[0:1]
    view.mul_(2)
    assert x._version == v + 2        # views share the counter
    assert x.tolist() == [4.0, 2.0]


def test_inplace_on_non_leaf_keeps_gradient_right():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.mul_(3)
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_setitem_with_autograd():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor(5.0, requires_grad=True)
    y = x * 1
    y[1] = v * 2
    (y * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 100.0]
    assert v.grad.item() == 20.0


def test_setitem_augmented_on_slice():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1:] += 1
    y[0] *= 5
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 1.0, 1.0]


def test_detach_shares_memory_and_version():
    x = torch.ones(2, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    with torch.no_grad():
        x.mul_(2)
    assert d.tolist() == [2.0, 2.0]


def test_graph_released_after_backward():
    x = torch.ones(1000, requires_grad=True)
    y = (x * 2).exp()
    ref = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    gc.collect()
    assert ref() is None


def test_no_graph_when_nothing_requires_grad():
    y = torch.ones(2) * 2
    assert y.grad_fn is None and not y.requires_grad


def test_gradcheck_api():
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,))


def test_backward_inputs_argument():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad is not None and b.grad is None


def test_inplace_method_on_view_of_non_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y[0].mul_(3)                     # writes y's memory: y's history becomes CopySlices
    assert y.tolist() == [3.0, 2.0] and y.grad_fn.name() == "torch::autograd::CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 1.0]


# What PyTorch 2.13 does on a second backward() without retain_graph: nodes that saved no
# tensor (sums, views, adds, cat, basic indexing) can run again; nodes that saved one raise.
SECOND_BACKWARD = [
    ("add_scalar", lambda T, x: (x + 1).sum(), True), ("add_self", lambda T, x: (x + x).sum(), True),
    ("sub", lambda T, x: (x - 1).sum(), True), ("sum", lambda T, x: x.sum(), True),
    ("sum_dim", lambda T, x: x.sum(0).sum(), True), ("mean", lambda T, x: x.mean(), True),
    ("neg", lambda T, x: (-x).sum(), True), ("reshape", lambda T, x: x.reshape(4).sum(), True),
    ("view", lambda T, x: x.view(4).sum(), True), ("t", lambda T, x: x.t().sum(), True),
    ("expand", lambda T, x: x[:1].expand(3, 2).sum(), True),
    ("index", lambda T, x: x[0].sum(), True), ("cat", lambda T, x: T.cat([x, x]).sum(), True),
    ("unsqueeze", lambda T, x: x.unsqueeze(0).sum(), True),
    ("mul_scalar", lambda T, x: (x * 2).sum(), False), ("div_scalar", lambda T, x: (x / 2).sum(), False),
    ("pow", lambda T, x: (x ** 2).sum(), False), ("exp", lambda T, x: x.exp().sum(), False),
    ("relu", lambda T, x: T.relu(x).sum(), False), ("mul_self", lambda T, x: (x * x).sum(), False),
]


def _second_backward(T, fn):
    x = T.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    y = fn(T, x)
    y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        assert "second time" in str(e)
        return False, x.grad.tolist()
    return True, x.grad.tolist()


@pytest.mark.parametrize("name,fn,runs_again", SECOND_BACKWARD, ids=[c[0] for c in SECOND_BACKWARD])
def test_second_backward_without_retain_graph(name, fn, runs_again):
    ok, grad = _second_backward(torch, fn)
    assert ok == runs_again
    if ok:          # the gradient accumulated twice
        once = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
        fn(torch, once).backward()
        assert grad == (once.grad * 2).tolist()


@pytest.mark.parametrize("name,fn,runs_again", SECOND_BACKWARD, ids=[c[0] for c in SECOND_BACKWARD])
def test_second_backward_parity_with_torch(name, fn, runs_again):
    their_ok, theirs = ORACLE.answer(f"second_backward/{name}",
                                     lambda real_torch: list(_second_backward(real_torch, fn)))
    assert their_ok == runs_again
    mine_ok, mine = _second_backward(torch, fn)
    assert mine_ok == their_ok
    np.testing.assert_allclose(mine, theirs, rtol=1e-6)     # exp may differ by an ulp


def test_a_value_saved_only_for_an_unneeded_gradient_is_not_version_checked():
    # PyTorch's MulBackward0 saves self only when other requires grad, and PowBackward0
    # (tensor ** number) saves the base, not the result: changing those in place is fine.
    # Expected values are the derivatives: d(5y)/dx = 5, d(x^2 - 1)/dx = 2x.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * 5
    y.exp_()
    z.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    y = x * 1
    z = torch.tensor([5.0, 5.0]) * y
    y.add_(1)
    z.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    y = x * 1
    y.pow_(2)
    y.sub_(1)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    # but a value that is needed still is checked
    y = x * 1
    w = torch.tensor([1.0, 1.0], requires_grad=True)
    z = y * w
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("fn, name", [
    (lambda F, a: F.relu(a), "ThresholdBackwardBackward0"),
    (lambda F, a: F.leaky_relu(a), "LeakyReluBackwardBackward0"),
    (lambda F, a: F.hardtanh(a), "HardtanhBackwardBackward0"),
    (lambda F, a: F.relu6(a), "HardtanhBackwardBackward0"),
])
def test_piecewise_linear_gradients_stay_tied_to_their_input(fn, name):
    # as in PyTorch 2.13 (names recorded from it): the recorded gradient of relu & co. depends
    # on the input with a zero derivative, so differentiating it again gives zeros, not an error
    F = torch.nn.functional
    x = torch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    g, = torch.autograd.grad(fn(F, x).sum(), x, create_graph=True)
    assert g.requires_grad and type(g.grad_fn).__name__ == name
    gg, = torch.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, 0.0, 0.0]


def test_gradient_penalty_through_relu_reaches_the_first_bias_with_zeros():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    x = torch.randn(5, 3, requires_grad=True)
    g, = torch.autograd.grad(net(x).sum(), x, create_graph=True)
    (g ** 2).sum().backward()
    assert net[0].bias.grad is not None and net[0].bias.grad.abs().sum().item() == 0.0
    assert net[0].weight.grad.abs().sum().item() > 0
