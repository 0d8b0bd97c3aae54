"""nn.Module, Parameter, containers, Linear, Flatten: behaviour and parity with PyTorch.

PyTorch's answers (reprs, names, messages, hook logs, initial weights as digests, values) are
recorded in ``tests/data/oracle/nn_module.json``/``.npz`` (``tests/_oracle.py``; regenerate with
``python tests/data/regen_oracle.py tests/nn/test_module.py``) and checked against live PyTorch
when torch is installed.
"""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from numtorch import nn
from numtorch.autograd import gradcheck
from _oracle import Oracle, digest, error

ORACLE = Oracle("nn_module")


# -- models built the same way on both sides (T is numtorch or torch) -------------------------------

def simple_classifier(T):
    class SimpleClassifier(T.nn.Module):
        def __init__(self, num_inputs, num_hidden, num_outputs):
            super().__init__()
            self.layer1 = T.nn.Linear(num_inputs, num_hidden)
            self.act_fn = T.nn.Tanh()
            self.layer2 = T.nn.Linear(num_hidden, num_outputs)

        def forward(self, x):
            return self.layer2(self.act_fn(self.layer1(x)))

    return SimpleClassifier(2, 4, 1)


def nested(T):
    class Block(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = T.nn.Linear(3, 3, bias=False)
            self.register_buffer("running", T.zeros(3))
            self.register_buffer("tmp", T.ones(1), persistent=False)
            self.scale = T.nn.Parameter(T.ones(1))

        def forward(self, x):
            return self.fc(x) * self.scale + self.running

    class Net(T.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = T.nn.Sequential(OrderedDict([("lin", T.nn.Linear(4, 3)), ("act", T.nn.ReLU())]))
            self.blocks = T.nn.ModuleList([Block(), Block()])
            self.heads = T.nn.ModuleDict({"a": T.nn.Linear(3, 1), "b": T.nn.Identity()})
            self.flat = T.nn.Flatten()
            self.unflat = T.nn.Unflatten(1, (1, 3))
            self.plist = T.nn.ParameterList([T.nn.Parameter(T.ones(2))])
            self.pdict = T.nn.ParameterDict(OrderedDict(w=T.nn.Parameter(T.zeros(2, 2))))

        def forward(self, x):
            x = self.stem(x)
            for b in self.blocks:
                x = b(x)
            return self.heads["a"](x)

    return Net()


def shared(T):
    lin = T.nn.Linear(2, 2)
    return T.nn.Sequential(lin, T.nn.ReLU(), lin, T.nn.Sequential(lin))


def bigger(T):
    return T.nn.Sequential(
        T.nn.Flatten(), T.nn.Linear(784, 128), T.nn.ReLU(), T.nn.Dropout(0.2),
        T.nn.Sequential(T.nn.Linear(128, 64), T.nn.Sigmoid()),
        T.nn.ModuleList([T.nn.Linear(64, 64) for _ in range(3)]), T.nn.Linear(64, 10, bias=False),
        T.nn.LogSoftmax(dim=1))


MODELS = [simple_classifier, nested, shared, bigger]


def _structure(m):
    """What a user sees of a model's structure: repr, names, shapes, state_dict keys."""
    sd = m.state_dict()
    return {
        "repr": repr(m),
        "parameters": [n for n, _ in m.named_parameters()],
        "buffers": [n for n, _ in m.named_buffers()],
        "modules": [n for n, _ in m.named_modules()],
        "children": [n for n, _ in m.named_children()],
        "n_modules": len(list(m.modules())),
        "shapes": [list(p.shape) for p in m.parameters()],
        "state_dict": list(sd),
        "state_shapes": [list(v.shape) for v in sd.values()],
        "metadata": list(sd._metadata),
        "own_parameters": [n for n, _ in m.named_parameters(prefix="m", recurse=False)],
        "all_parameters": [n for n, _ in m.named_parameters(remove_duplicate=False)],
    }


@pytest.mark.parametrize("build", MODELS)
def test_repr_and_names_match_torch(build):
    want = ORACLE.answer(f"structure/{build.__name__}", lambda torch: _structure(build(torch)))
    a = build(numtorch)
    assert isinstance(a.state_dict(), OrderedDict)
    got = _structure(a)
    assert set(got) == set(want)
    for k in want:
        assert got[k] == want[k], k


def test_reprs_of_leaf_modules_match_torch():
    cases = [lambda T: T.nn.Linear(3, 5, bias=False), lambda T: T.nn.Identity(7, k=1),
             lambda T: T.nn.Flatten(0, 2), lambda T: T.nn.Unflatten(-1, [2, 3]),
             lambda T: T.nn.Bilinear(2, 3, 4), lambda T: T.nn.Sequential(),
             lambda T: T.nn.ModuleList(), lambda T: T.nn.ModuleDict(),
             lambda T: T.nn.ParameterList([T.nn.Parameter(T.ones(2, 3)), T.zeros((), dtype=T.float64)]),
             lambda T: T.nn.ParameterDict({"b": T.ones(2), "a": T.nn.Parameter(T.zeros(1))}),
             lambda T: T.nn.Sequential(T.nn.Linear(1, 1), T.nn.Linear(1, 1))[1:],
             lambda T: T.nn.ModuleList([T.nn.ReLU(), T.nn.ReLU(), T.nn.Tanh(), T.nn.ReLU()]),
             lambda T: T.nn.ParameterList([T.nn.Parameter(T.ones(2))])]
    want = ORACLE.answer("leaf_reprs", lambda torch: [repr(make(torch)) for make in cases])
    assert [repr(make(numtorch)) for make in cases] == want


def test_simple_classifier_repr_text():
    assert repr(simple_classifier(numtorch)) == (
        "SimpleClassifier(\n"
        "  (layer1): Linear(in_features=2, out_features=4, bias=True)\n"
        "  (act_fn): Tanh()\n"
        "  (layer2): Linear(in_features=4, out_features=1, bias=True)\n"
        ")")


def test_extra_repr_multiline_and_children():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.child = nn.Linear(1, 2)

        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(M()) == ("M(\n  a=1\n  b=2\n  (child): Linear(in_features=1, out_features=2, "
                         "bias=True)\n)")


# -- registration ---------------------------------------------------------------------------------

def test_setattr_registers_in_insertion_order():
    m = nn.Module()
    m.b = nn.Parameter(numtorch.zeros(1))
    m.a = nn.Parameter(numtorch.zeros(2))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", numtorch.ones(1))
    m.plain = 3
    assert list(m._parameters) == ["b", "a"]
    assert list(m._modules) == ["sub"]
    assert list(m.state_dict()) == ["b", "a", "buf", "sub.weight", "sub.bias"]
    assert m.plain == 3 and "plain" in m.__dict__
    # reassigning a buffer keeps it a buffer; a parameter slot takes None
    m.buf = numtorch.zeros(2)
    assert m._buffers["buf"].shape == (2,)
    m.a = None
    assert m.a is None and list(m.named_parameters())[0][0] == "b"
    del m.sub
    assert "sub" not in m._modules
    # a module replaces a same-named plain attribute
    m.plain = nn.ReLU()
    assert "plain" not in m.__dict__ and m._modules["plain"] is m.plain


def test_errors_before_init_and_bad_assignments():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(numtorch.zeros(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
        Early()

    class EarlyMod(nn.Module):
        def __init__(self):
            self.l = nn.ReLU()

    with pytest.raises(AttributeError, match=r"cannot assign module before Module.__init__\(\) call"):
        EarlyMod()
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'weight' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        m.weight = numtorch.zeros(2, 2)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'foo'"):
        m.foo
    with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
        m.register_buffer("in_features", numtorch.zeros(1))
    with pytest.raises(KeyError, match="buffer name can"):
        m.register_buffer("a.b", numtorch.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'x'"):
        m.register_buffer("x", 3)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter 'p'"):
        m.register_parameter("p", numtorch.zeros(1))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'q'"):
        x = nn.Parameter(numtorch.ones(1))
        p = (x * 2)
        p.__class__ = nn.Parameter
        m.register_parameter("q", p)
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward"'):
        nn.Module()(1)


def test_error_texts_match_torch():
    def msgs(T):
        out = []
        m = T.nn.Linear(2, 2)
        for fn in (lambda: setattr(m, "weight", T.zeros(2, 2)), lambda: m.nope,
                   lambda: m.register_buffer("a.b", T.zeros(1)),
                   lambda: m.register_parameter("", None), lambda: m.add_module("x", 3),
                   lambda: m.add_module("a.b", T.nn.ReLU()),
                   lambda: m.get_submodule("weight"), lambda: m.get_submodule("zz"),
                   lambda: m.to(T.int64), lambda: m.train("yes"),
                   lambda: T.nn.Sequential()[0], lambda: T.nn.ModuleList([T.nn.ReLU()])[3],
                   lambda: m.load_state_dict([1])):
            with pytest.raises(Exception) as e:
                fn()
            out.append([type(e.value).__name__, str(e.value)])
        return out

    assert msgs(numtorch) == ORACLE.answer("error_texts", msgs)


def test_get_submodule_parameter_buffer():
    net = nested(numtorch)
    assert net.get_submodule("blocks.1.fc") is net.blocks[1].fc
    assert net.get_submodule("") is net
    assert net.get_parameter("blocks.0.scale") is net.blocks[0].scale
    assert net.get_buffer("blocks.0.running") is net.blocks[0].running
    with pytest.raises(AttributeError, match="`scale` is not an nn.Module"):
        net.get_submodule("blocks.0.scale")
    with pytest.raises(AttributeError, match="ModuleList has no attribute `7`"):
        net.get_submodule("blocks.7")


def test_shared_parameters_once_and_children_once():
    m = shared(numtorch)
    assert len(list(m.parameters())) == 2
    assert len(list(m.parameters(recurse=False))) == 0
    assert len(list(m.children())) == 3
    assert len(list(m.modules())) == 4
    assert len(list(m.named_parameters(remove_duplicate=False))) == 6


def test_apply_train_eval_requires_grad_zero_grad():
    net = nested(numtorch)
    seen = []
    net.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"
    assert net.training
    assert net.eval() is net
    assert not any(mod.training for mod in net.modules())
    net.train()
    assert all(mod.training for mod in net.modules())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    out = net(numtorch.ones(2, 4)).sum()
    out.backward()
    grads = [p.grad for p in net.parameters() if p.grad is not None]
    assert grads
    net.zero_grad(set_to_none=False)
    assert all(float(g.abs().sum()) == 0 for g in grads)
    assert all(p.grad is grads[i] for i, p in enumerate(p for p in net.parameters()
                                                        if p.grad is not None))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_float_double_and_cuda():
    m = nested(numtorch)
    w = m.stem.lin.weight
    assert m.double() is m
    assert m.stem.lin.weight is w and w.dtype == numtorch.float64
    assert m.blocks[0].running.dtype == numtorch.float64
    m.to(numtorch.float32)
    assert w.dtype == numtorch.float32
    m.to("cpu")
    m.to(numtorch.device("cpu"), dtype=numtorch.float64)
    assert w.dtype == numtorch.float64
    m.float()
    assert m.cpu() is m
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        m.to("cuda")
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        m.cuda()
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes, "
                                        "but got desired dtype=torch.int64"):
        m.to(numtorch.long)


# -- state dict -----------------------------------------------------------------------------------

def test_state_dict_values_and_keep_vars():
    m = nested(numtorch)
    sd = m.state_dict()
    assert "blocks.0.tmp" not in sd
    assert not sd["stem.lin.weight"].requires_grad
    assert type(sd["stem.lin.weight"]) is numtorch.Tensor
    sd["stem.lin.weight"][0, 0] = 123.0      # shares memory with the parameter
    assert float(m.stem.lin.weight[0, 0]) == 123.0
    kv = m.state_dict(keep_vars=True)
    assert kv["stem.lin.weight"] is m.stem.lin.weight
    assert list(m.state_dict(prefix="model.")) == ["model." + k for k in sd]


def test_load_state_dict_roundtrip_and_result():
    numtorch.manual_seed(0)
    a, b = nested(numtorch), nested(numtorch)
    b.blocks[1].running.fill_(7.0)
    res = a.load_state_dict(b.state_dict())
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    for (n1, t1), (n2, t2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert n1 == n2 and np.array_equal(t1.numpy(), t2.numpy())
    w = a.stem.lin.weight
    a.load_state_dict(b.state_dict())
    assert a.stem.lin.weight is w           # copied in place, same Parameter object


def test_load_state_dict_errors_match_torch():
    def run(T, strict):
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Sequential(T.nn.Linear(2, 3)))
        sd = OrderedDict([("0.weight", T.zeros(3, 2)), ("0.extra", T.zeros(1)), ("y.z", T.zeros(1)),
                          ("1.0.bias", T.zeros(3)), ("1.0.weight", T.zeros(3, 2, dtype=T.float64))])
        try:
            return repr(m.load_state_dict(sd, strict=strict))
        except RuntimeError as e:
            return "RuntimeError: " + str(e)

    for strict in (True, False):
        assert run(numtorch, strict) == ORACLE.answer(f"load_errors/{strict}",
                                                      lambda torch: run(torch, strict))
    text = run(numtorch, True)
    assert 'Missing key(s) in state_dict: "0.bias".' in text
    assert 'Unexpected key(s) in state_dict: "y.z", "0.extra".' in text
    assert "size mismatch for 0.weight: copying a param with shape torch.Size([3, 2]) from " \
           "checkpoint, the shape in current model is torch.Size([2, 2])." in text

    def clean(T):
        m = T.nn.Linear(2, 2)
        return [repr(m.load_state_dict(T.nn.Linear(2, 2).state_dict(), strict=False)),
                repr(m.load_state_dict({"weight": T.zeros(2, 2)}, strict=False))]

    assert clean(numtorch) == ORACLE.answer("load_clean", clean)


def test_load_torch_state_dict_values():
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)

    def th(torch):
        torch.manual_seed(0)
        ref = nested(torch)
        return [[[k, v] for k, v in ref.state_dict().items()], ref(torch.tensor(x))]

    state, out = ORACLE.answer("load_torch_state_dict", th)
    m = nested(numtorch)
    m.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in state})
    np.testing.assert_allclose(m(numtorch.tensor(x)).detach().numpy(), out.numpy(),
                               rtol=1e-6, atol=1e-6)


def test_load_state_dict_assign():
    m = nn.Linear(2, 2)
    src = {"weight": numtorch.ones(2, 2), "bias": numtorch.zeros(2)}
    m.load_state_dict(src, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    src["weight"][0, 0] = 5.0
    assert float(m.weight[0, 0]) == 5.0


def test_extra_state():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.value = 1

        def get_extra_state(self):
            return {"value": self.value}

        def set_extra_state(self, state):
            self.value = state["value"]

    a, b = WithExtra(), WithExtra()
    a.value = 5
    assert list(a.state_dict()) == ["_extra_state"]
    b.load_state_dict(a.state_dict())
    assert b.value == 5


# -- hooks ----------------------------------------------------------------------------------------

def test_forward_hooks_order_and_results_match_torch():
    def run(T):
        log = []
        T.manual_seed(0)
        m = T.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: log.append("pre1"))
        m.register_forward_pre_hook(lambda mod, args: (log.append("pre0"), (args[0] * 2,))[1],
                                    prepend=True)
        m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("prekw", sorted(kwargs))),
                                    with_kwargs=True)
        m.register_forward_hook(lambda mod, args, out: (log.append("post1"), out + 1)[1])
        m.register_forward_hook(lambda mod, args, out: log.append("post0"), prepend=True)
        h2 = m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("postkw", tuple(out.shape))),
                                     with_kwargs=True)
        out = m(T.ones(1, 2))
        log.append(round(float(out.detach().sum()), 4))
        h1.remove()
        h2.remove()
        m(T.ones(1, 2))
        return log

    assert run(numtorch) == ORACLE.answer("forward_hooks", run)


def test_global_forward_hooks():
    from numtorch.nn.modules.module import register_module_forward_hook, \
        register_module_forward_pre_hook
    seen = []
    h1 = register_module_forward_pre_hook(lambda m, a: seen.append(("pre", type(m).__name__)))
    h2 = register_module_forward_hook(lambda m, a, o: seen.append(("post", type(m).__name__)))
    try:
        nn.Sequential(nn.ReLU())(numtorch.ones(1))
    finally:
        h1.remove()
        h2.remove()
    assert seen == [("pre", "Sequential"), ("pre", "ReLU"), ("post", "ReLU"), ("post", "Sequential")]
    nn.ReLU()(numtorch.ones(1))
    assert len(seen) == 4


def test_always_call_forward_hook():
    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    seen = []
    m = Boom()
    m.register_forward_hook(lambda mod, a, o: seen.append(o), always_call=True)
    m.register_forward_hook(lambda mod, a, o: seen.append("never"))
    with pytest.raises(ValueError):
        m(1)
    assert seen == [None]


def test_full_backward_hooks_match_torch():
    def run(T):
        log = []
        T.manual_seed(0)
        m = T.nn.Linear(3, 2)
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", [tuple(g.shape) for g in go])))

        def post(mod, gi, go):
            log.append(("post", [None if g is None else g.numpy().round(5).tolist() for g in gi]))
            return (gi[0] * 10,)

        m.register_full_backward_hook(post)
        x = T.ones(2, 3, requires_grad=True)
        y = m(x)
        log.append(y.grad_fn.name())
        (y * 2).sum().backward()
        log.append(x.grad.numpy().round(4).tolist())
        return log

    assert run(numtorch) == ORACLE.answer("full_backward_hooks", run)


# -- Parameter ------------------------------------------------------------------------------------

def test_parameter_basics():
    t = numtorch.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, numtorch.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    t[0] = 5.0
    assert float(p[0]) == 5.0                     # shares memory
    assert type(p.data) is numtorch.Tensor and not p.data.requires_grad
    assert type(p * 2) is numtorch.Tensor
    assert type(p.detach()) is numtorch.Tensor
    q = nn.Parameter(t, requires_grad=False)
    assert not q.requires_grad
    assert repr(q) == "Parameter containing:\ntensor([5., 2.])"
    assert nn.Parameter().shape == (0,)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(numtorch.tensor([1, 2]))
    c = copy.deepcopy(p)
    assert type(c) is nn.Parameter and c is not p and np.array_equal(c.detach().numpy(), [5, 2])
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is nn.Parameter and r.requires_grad


def test_parameter_repr_matches_torch():
    def reprs(T):
        out = [repr(T.nn.Parameter(T.tensor(data)))
               for data in ([1.0, 2.0], [[0.5, -1.25], [3.0, 4.0]], 2.5)]
        return out + [repr(T.nn.Parameter(T.tensor([1.0]), requires_grad=False))]

    assert reprs(numtorch) == ORACLE.answer("parameter_reprs", reprs)


def test_buffer_assignment():
    m = nn.Module()
    m.b = nn.Buffer(numtorch.ones(2))
    m.c = nn.Buffer(numtorch.ones(1), persistent=False)
    assert list(m.state_dict()) == ["b"]
    assert [n for n, _ in m.named_buffers()] == ["b", "c"]
    assert type(m.b) is numtorch.Tensor


def test_deepcopy_and_pickle_module():
    numtorch.manual_seed(0)
    m = nested(numtorch)
    c = copy.deepcopy(m)
    assert repr(c) == repr(m)
    for (n1, p1), (n2, p2) in zip(m.named_parameters(), c.named_parameters()):
        assert n1 == n2 and p1 is not p2 and np.array_equal(p1.detach().numpy(), p2.detach().numpy())
        assert type(p2) is nn.Parameter
    s = copy.deepcopy(shared(numtorch))
    assert s[0] is s[2] and len(list(s.parameters())) == 2


# -- containers -----------------------------------------------------------------------------------

def test_sequential_indexing_slicing_append():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    s = nn.Sequential(a, b)
    assert len(s) == 2 and s[0] is a and s[-1] is b
    s.append(c)
    assert len(s) == 3 and s[2] is c and list(s) == [a, b, c]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    s[1] = nn.Tanh()
    assert isinstance(s[1], nn.Tanh)
    del s[0]
    assert list(s._modules) == ["0", "1"] and s[1] is c
    s.insert(0, a)
    assert list(s) == [a, s[1], c]
    assert s.pop(0) is a and len(s) == 2
    s2 = s + nn.Sequential(nn.ReLU())
    assert len(s2) == 3
    od = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert od.fc is a and od[1] is b
    with pytest.raises(IndexError, match="index 5 is out of range"):
        od[5]
    x = numtorch.ones(3, 1)
    assert od(x).shape == (3, 2)
    s3 = nn.Sequential(nn.Linear(2, 2))
    s3.extend([nn.ReLU(), nn.ReLU()])
    assert len(s3) == 3


def test_modulelist_moduledict():
    ml = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    ml.append(nn.Tanh())
    ml.extend([nn.Identity()])
    ml += [nn.Identity()]
    assert len(ml) == 5 and isinstance(ml[-3], nn.Tanh)
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    ml.insert(0, nn.Sigmoid())
    assert isinstance(ml[0], nn.Sigmoid) and isinstance(ml[1], nn.Linear)
    del ml[0]
    assert isinstance(ml[0], nn.Linear) and list(ml._modules) == [str(i) for i in range(5)]
    assert len(list(ml.parameters())) == 2
    md = nn.ModuleDict({"x": nn.ReLU()})
    md["y"] = nn.Linear(2, 2)
    md.update([("z", nn.Tanh())])
    assert list(md.keys()) == ["x", "y", "z"] and "y" in md and len(md) == 3
    assert list(md) == ["x", "y", "z"]
    assert isinstance(md.pop("x"), nn.ReLU) and len(md) == 2
    assert [n for n, _ in md.named_parameters()] == ["y.weight", "y.bias"]


def test_parameterlist_parameterdict():
    pl = nn.ParameterList([nn.Parameter(numtorch.ones(1)), numtorch.zeros(2)])
    assert isinstance(pl[1], nn.Parameter) and len(pl) == 2
    pl.append(nn.Parameter(numtorch.ones(3)))
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    assert [tuple(p.shape) for p in pl] == [(1,), (2,), (3,)]
    pd = nn.ParameterDict({"w": numtorch.ones(2)})
    pd["v"] = nn.Parameter(numtorch.zeros(1))
    assert isinstance(pd["w"], nn.Parameter) and list(pd.keys()) == ["w", "v"]
    assert [n for n, _ in pd.named_parameters()] == ["w", "v"]
    assert "v" in pd and len(pd) == 2
    del pd["w"]
    assert list(pd) == ["v"]


def test_parameter_dict_order_matches_torch():
    def keys(T):
        return list(T.nn.ParameterDict({"b": T.ones(1), "a": T.ones(1)}).keys())

    assert keys(numtorch) == ORACLE.answer("parameter_dict_order", keys)


def test_identity_flatten_unflatten():
    x = numtorch.arange(24.0).reshape(2, 3, 4)
    assert nn.Identity(1, 2)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(2, (2, 2))(x).shape == (2, 3, 2, 2)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (2, 2.0))


# -- Linear ---------------------------------------------------------------------------------------

SPEC_LINEAR = [  # spec torch-rng.md §11: (seed, in, out, weight[:4] bits, bias[:2] bits or None)
    (0, 2, 2, [0xbbad7922, 0x3ec2369c, 0xbf14fcb1, 0xbf05381d], [0xbe8b70d6, 0x3e422aab]),
    (0, 784, 10, [0xb98c3000, 0x3c9cf2b5, 0xbcf0ccac, 0xbcd75093], None),
    (42, 784, 10, [0x3cdfaea1, 0x3cf2d62c, 0xbc091537, 0x3d066135], None),
]


@pytest.mark.parametrize("seed,fan_in,fan_out,wbits,bbits", SPEC_LINEAR)
def test_linear_init_spec_vectors(seed, fan_in, fan_out, wbits, bbits):
    numtorch.manual_seed(seed)
    lin = nn.Linear(fan_in, fan_out)
    w = lin.weight.detach().numpy().ravel()
    assert w.dtype == np.float32
    assert w[:4].view(np.uint32).tolist() == wbits
    if bbits is not None:
        assert lin.bias.detach().numpy()[:2].view(np.uint32).tolist() == bbits
    assert float(lin.weight[0, 0]) == float(w[0])


def test_linear_first_value_spec():
    numtorch.manual_seed(0)
    assert float(nn.Linear(2, 2).weight[0, 0]) == pytest.approx(-0.005293981, abs=1e-9)


@pytest.mark.parametrize("shape", [(2, 2), (784, 10), (10, 1), (3, 5), (128, 64), (1, 7), (5, 0)])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_linear_init_bitwise_matches_torch(shape, seed):
    def th(torch):
        torch.manual_seed(seed)
        b = torch.nn.Linear(*shape)
        # the stream continues identically
        return [digest(b.weight), digest(b.bias), float(torch.rand(1))]

    w, bias, nxt = ORACLE.answer(f"linear_init/{shape[0]}x{shape[1]}/{seed}", th)
    numtorch.manual_seed(seed)
    a = nn.Linear(*shape)
    assert digest(a.weight) == w and digest(a.bias) == bias
    assert float(numtorch.rand(1)) == nxt


def test_linear_float64_and_no_bias_init_matches_torch():
    def build(T, i):
        T.manual_seed(3)
        return T.nn.Linear(6, 4, **[{"dtype": T.float64}, {"bias": False}][i])

    for i in range(2):
        b = ORACLE.answer(f"linear_init_kwargs/{i}", lambda torch: [build(torch, i).weight,
                                                                   build(torch, i).bias])
        a = build(numtorch, i)
        assert np.array_equal(a.weight.detach().numpy(), b[0].numpy())
        assert str(a.weight.dtype) == str(b[0].dtype)
        assert (a.bias is None) == (b[1] is None)


def test_sequential_model_init_matches_torch():
    def params(T):
        T.manual_seed(0)
        return [[n, digest(p)] for n, p in bigger(T).named_parameters()]

    assert params(numtorch) == ORACLE.answer("bigger_init", params)


@pytest.mark.parametrize("in_shape", [(5, 3), (3,), (2, 4, 3), (1, 2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward_matches_torch(in_shape, bias):
    x = np.random.default_rng(1).standard_normal(in_shape).astype(np.float32)
    g = np.random.default_rng(2).standard_normal(in_shape[:-1] + (4,)).astype(np.float32)

    def th(torch):
        torch.manual_seed(0)
        b = torch.nn.Linear(3, 4, bias=bias)
        xb = torch.tensor(x, requires_grad=True)
        yb = b(xb)
        yb.backward(torch.tensor(g))
        return {"y": yb, "x_grad": xb.grad, "w_grad": b.weight.grad,
                "b_grad": b.bias.grad if bias else None}

    want = ORACLE.answer(f"linear_fwd_bwd/{list(in_shape)}/{bias}", th)
    numtorch.manual_seed(0)
    a = nn.Linear(3, 4, bias=bias)
    xa = numtorch.tensor(x, requires_grad=True)
    ya = a(xa)
    yb = want["y"]
    assert tuple(ya.shape) == yb.shape
    assert ya.grad_fn.name() == yb.grad_fn.name()
    np.testing.assert_allclose(ya.detach().numpy(), yb.numpy(), rtol=1e-6, atol=1e-6)
    ya.backward(numtorch.tensor(g))
    np.testing.assert_allclose(xa.grad.numpy(), want["x_grad"].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.weight.grad.numpy(), want["w_grad"].numpy(), rtol=1e-5,
                               atol=1e-6)
    if bias:
        np.testing.assert_allclose(a.bias.grad.numpy(), want["b_grad"].numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_linear_gradcheck_float64():
    lin = nn.Linear(3, 2, dtype=numtorch.float64)
    x = numtorch.randn(4, 3, dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, lin.weight, lin.bias))
    assert gradcheck(lambda x: lin(x), (numtorch.randn(2, 2, 3, dtype=numtorch.float64,
                                                          requires_grad=True),))
    bil = nn.Bilinear(2, 3, 2, dtype=numtorch.float64)
    assert gradcheck(lambda a, b: bil(a, b), (numtorch.randn(4, 2, dtype=numtorch.float64, requires_grad=True),
                                              numtorch.randn(4, 3, dtype=numtorch.float64, requires_grad=True)))


def test_bilinear_matches_torch():
    x1 = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    x2 = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)

    def th(torch):
        torch.manual_seed(0)
        b = torch.nn.Bilinear(2, 3, 4)
        return [b.weight, b(torch.tensor(x1), torch.tensor(x2))]

    w, out = ORACLE.answer("bilinear", th)
    numtorch.manual_seed(0)
    a = nn.Bilinear(2, 3, 4)
    assert np.array_equal(a.weight.detach().numpy(), w.numpy())
    np.testing.assert_allclose(a(numtorch.tensor(x1), numtorch.tensor(x2)).detach().numpy(),
                               out.numpy(), rtol=1e-5, atol=1e-6)


def test_linear_wrong_width_message():
    lin = nn.Linear(10, 10)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 10x10\)"):
        lin(numtorch.zeros(64, 784))


def test_linear_wrong_width_message_matches_torch():
    for shape in [(64, 784), (2, 3, 5)]:
        want = ORACLE.answer(f"linear_width_error/{list(shape)}", lambda torch: error(
            lambda: torch.nn.Linear(10, 10)(torch.zeros(*shape))))
        assert want[0] == "RuntimeError"
        with pytest.raises(RuntimeError) as ea:
            nn.Linear(10, 10)(numtorch.zeros(*shape))
        assert str(ea.value) == want[1]


def test_linear_device_cuda_raises():
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        nn.Linear(2, 2, device="cuda")
    nn.Linear(2, 2, device="cpu")
