"""Corners of the API that had no test (issue 14): ``Sequential`` ``+``/``*``/``insert``/``pop``,
``ModuleDict.update`` (and ``ParameterDict.popitem``; ``ModuleDict`` has no ``popitem`` in
PyTorch), the state_dict hooks, ``set_submodule`` and the forms of ``torch.device(...)``.
(``meshgrid`` is covered by tests/test_special_math.py: values, gradients, errors and warning.)

Each test runs the same calls on numtorch and on PyTorch and compares what a user sees: reprs,
names, identities, logs of hook calls, values, exception types and messages. PyTorch's side is
recorded in ``tests/data/oracle/coverage_gaps.json``/``.npz`` (``tests/_oracle.py``; regenerate
with ``python tests/data/regen_oracle.py tests/test_coverage_gaps.py``) and checked against live
PyTorch when torch is installed. Class paths in messages read ``torch.`` on both sides.
"""
from __future__ import annotations

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from _oracle import Oracle

ORACLE = Oracle("coverage_gaps")


def _text(value) -> str:
    """``value``'s text with numtorch's module paths read as PyTorch's."""
    return str(value).replace("numtorch.", "torch.")


def attempt(fn):
    """``fn()``'s result, or ``"TypeName: message"`` of what it raised."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - whatever is raised is compared
        return f"{type(e).__name__}: {_text(e)}"


def same_facts(key, facts):
    """``facts(T)`` on numtorch equals PyTorch's (recorded) answer, item by item."""
    want = ORACLE.answer(key, facts)
    got = facts(numtorch)
    assert len(got) == len(want), key
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"{key}[{i}]: numtorch {g!r} vs PyTorch {w!r}"
    return got


def kinds(seq) -> list:
    return [type(m).__name__ for m in seq]


# -- Sequential -----------------------------------------------------------------------------------

def test_sequential_add_and_mul():
    def facts(T):
        nn = T.nn
        a, b = nn.Linear(1, 2), nn.ReLU()
        s = nn.Sequential(a, b)
        out = []
        s2 = s + nn.Sequential(nn.Tanh())
        out += [repr(s2), kinds(s2), s2[0] is a, len(s), s2 is not s]
        out.append(attempt(lambda: s + [nn.Tanh()]))
        s3 = s * 2
        out += [repr(s3), s3[0] is s3[2], s3[1] is b, len(s)]
        out.append(repr(2 * s))
        out += [attempt(lambda: repr(s * 0)), attempt(lambda: repr(s * -1)),
                attempt(lambda: repr(s * 1.5)), attempt(lambda: repr(s * True))]
        s4 = nn.Sequential(a, b)
        before = s4
        s4 += nn.Sequential(nn.Tanh(), nn.Sigmoid())
        out += [s4 is before, kinds(s4), [n for n, _ in s4.named_children()]]
        s5 = nn.Sequential(a, b)
        before = s5
        s5 *= 3
        out += [s5 is before, kinds(s5), [n for n, _ in s5.named_children()]]
        out.append(attempt(lambda: s5.__imul__(0)))
        out.append(len(list((s * 2).parameters())))       # shared modules: parameters once
        return out

    same_facts("sequential_add_mul", facts)


def test_sequential_insert_pop_append_extend():
    def facts(T):
        nn = T.nn
        a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Tanh()
        s = nn.Sequential(a, b)
        out = []
        out.append(s.insert(0, c) is s)
        out += [kinds(s), [n for n, _ in s.named_children()]]
        s.insert(len(s), nn.Sigmoid())
        s.insert(-1, nn.Identity())
        out.append(kinds(s))
        out += [attempt(lambda: s.insert(9, nn.ReLU())), attempt(lambda: s.insert(-9, nn.ReLU())),
                attempt(lambda: s.insert(0, 3)), kinds(s)]
        out.append(s.pop(0) is c)
        out.append(kinds(s))
        out.append(type(s.pop(-1)).__name__)
        out += [kinds(s), [n for n, _ in s.named_children()]]
        out.append(attempt(lambda: s.pop(7)))
        popped = s.pop(slice(0, 2))
        out += [type(popped).__name__, kinds(popped), kinds(s)]
        out.append(s.append(nn.ReLU()) is s)
        out.append(s.extend([nn.Tanh(), nn.ReLU()]) is s)
        out += [kinds(s), [n for n, _ in s.named_children()]]
        out.append(attempt(lambda: s.extend(nn.Sequential(nn.ReLU())) is s))
        out.append(attempt(lambda: s.append(3)))
        return out

    same_facts("sequential_insert_pop", facts)


def test_sequential_built_by_operators_computes_as_in_pytorch():
    x = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)

    def build(T):
        T.manual_seed(0)
        s = T.nn.Sequential(T.nn.Linear(3, 3), T.nn.Tanh())
        s = s * 2 + T.nn.Sequential(T.nn.Linear(3, 1))
        s.insert(1, T.nn.ReLU())
        s.pop(2)
        return s

    want = ORACLE.answer("sequential_forward", lambda torch: build(torch)(torch.tensor(x)))
    got = build(numtorch)(numtorch.tensor(x))
    assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == want.shape
    assert got.grad_fn.name() == want.grad_fn.name()
    np.testing.assert_allclose(got.detach().numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


# -- ModuleDict / ParameterDict -------------------------------------------------------------------

def test_moduledict_update_and_dict_methods():
    def facts(T):
        nn = T.nn
        out = []
        md = nn.ModuleDict({"a": nn.ReLU()})
        md.update({"c": nn.Tanh(), "b": nn.Identity()})
        out.append(list(md.keys()))
        md.update(nn.ModuleDict({"z": nn.ReLU(), "a": nn.Sigmoid()}))   # "a" replaced in place
        out += [list(md.keys()), type(md["a"]).__name__]
        md.update(OrderedDict([("y", nn.ReLU()), ("x", nn.ReLU())]))
        md.update([["w", nn.ReLU()]])
        out.append(list(md.keys()))
        out += [attempt(lambda: md.update(3)), attempt(lambda: md.update([1])),
                attempt(lambda: md.update([("a",)])), attempt(lambda: md.update([("a", 1)]))]
        out.append(attempt(lambda: md.popitem()))          # PyTorch's ModuleDict has none
        out += [type(md.pop("z")).__name__, attempt(lambda: md.pop("nope")), list(md)]
        out += [len(md.values()), [k for k, _ in md.items()], "b" in md, "z" in md]
        md.clear()
        out.append(len(md))
        out += [attempt(lambda: nn.ModuleDict({"a": 1})),
                attempt(lambda: nn.ModuleDict({"a.b": nn.ReLU()}))]
        return out

    same_facts("moduledict", facts)


def test_parameterdict_popitem_update_and_dict_methods():
    def facts(T):
        nn = T.nn
        out = []
        pd = nn.ParameterDict({"b": nn.Parameter(T.ones(1)), "a": T.zeros(2)})
        k, v = pd.popitem()
        out.append([k, type(v).__name__, list(v.shape), list(pd.keys())])
        pd.update({"c": T.ones(3)})
        pd.update([("d", T.ones(1))])
        out += [list(pd.keys()), [type(p).__name__ for p in pd.values()]]
        out.append(attempt(lambda: nn.ParameterDict().popitem()))
        out += [type(pd.setdefault("e", T.ones(2))).__name__, list(pd.keys())]
        out.append(attempt(lambda: list(nn.ParameterDict.fromkeys(["x", "y"], T.ones(1)).keys())))
        out += [pd.get("zz", 5), list(pd.copy().keys()), pd.copy()["c"] is pd["c"]]
        out.append([n for n, _ in pd.named_parameters()])
        return out

    same_facts("parameterdict", facts)


# -- state_dict hooks -----------------------------------------------------------------------------

def _hooked_model(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(2, 2), T.nn.Sequential(T.nn.Linear(2, 1)))


def test_state_dict_pre_and_post_hooks():
    def facts(T):
        m = _hooked_model(T)
        log, out = [], []

        def post(module, sd, prefix, local_metadata):
            log.append(["post", type(module).__name__, prefix, sorted(sd), dict(local_metadata)])
            sd[prefix + "extra"] = T.tensor(1.0)

        def root_post(module, sd, prefix, local_metadata):
            log.append(["root_post", prefix])

        def pre(module, prefix, keep_vars):
            log.append(["pre", type(module).__name__, prefix, keep_vars])

        handles = [m[1]._register_state_dict_hook(post), m._register_state_dict_hook(root_post),
                   m[0].register_state_dict_pre_hook(pre)]
        out += [list(m.state_dict()), log[:]]
        log.clear()
        out += [list(m.state_dict(prefix="net.", keep_vars=True)), log[:]]
        log.clear()
        for h in handles:
            h.remove()
        out += [list(m.state_dict()), log[:]]
        # the private hook may return a new state dict
        h = m._register_state_dict_hook(
            lambda mod, sd, prefix, meta: OrderedDict((k + "_x", v) for k, v in sd.items()))
        out.append(list(m.state_dict()))
        h.remove()
        # the public post hook changes it in place and must return None
        h1 = m[0].register_state_dict_post_hook(
            lambda mod, sd, prefix, meta: log.append(["public", prefix]))
        out += [list(m.state_dict()), log[:]]
        log.clear()
        h2 = m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: {})
        out += [attempt(lambda: m.state_dict()), log[:]]
        h1.remove()
        h2.remove()
        out.append(list(m.state_dict()))
        return out

    same_facts("state_dict_hooks", facts)


def test_load_state_dict_post_hooks():
    def facts(T):
        m = _hooked_model(T)
        log, out = [], []

        def post(module, incompatible):
            log.append(["post", type(module).__name__, list(incompatible.missing_keys),
                        list(incompatible.unexpected_keys)])

        handles = [m.register_load_state_dict_post_hook(post),
                   m[1].register_load_state_dict_post_hook(post)]
        sd = {k: v.clone() for k, v in m.state_dict().items()}
        out += [repr(m.load_state_dict(sd)), log[:]]
        log.clear()
        del sd["0.bias"]
        sd["zz"] = T.ones(1)
        out += [repr(m.load_state_dict(sd, strict=False)), log[:]]
        log.clear()
        out += [attempt(lambda: m.load_state_dict(sd)), log[:]]
        for h in handles:
            h.remove()

        def forgive(module, incompatible):     # a hook may clear the keys in place
            incompatible.missing_keys.clear()
            incompatible.unexpected_keys.clear()

        h = m.register_load_state_dict_post_hook(forgive)
        out.append(attempt(lambda: repr(m.load_state_dict(sd))))
        h.remove()
        h = m.register_load_state_dict_post_hook(lambda module, incompatible: 1)
        out.append(attempt(lambda: repr(m.load_state_dict(m.state_dict()))))
        h.remove()
        out.append(repr(m.load_state_dict(m.state_dict())))
        return out

    same_facts("load_state_dict_post_hooks", facts)


def test_load_state_dict_pre_hooks():
    def facts(T):
        m = _hooked_model(T)
        log, out = [], []

        def pre(module, state_dict, prefix, local_metadata, strict, missing_keys,
                unexpected_keys, error_msgs):
            log.append(["public", type(module).__name__, prefix, strict, sorted(state_dict)])
            if prefix + "weight" in state_dict:
                state_dict[prefix + "weight"] = state_dict[prefix + "weight"] * 0

        def private(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                    error_msgs):
            log.append(["private", prefix, strict])

        def private_with_module(module, state_dict, prefix, *rest):
            log.append(["private_with_module", type(module).__name__, prefix])

        handles = [m[0].register_load_state_dict_pre_hook(pre),
                   m[1][0]._register_load_state_dict_pre_hook(private),
                   m._register_load_state_dict_pre_hook(private_with_module, with_module=True)]
        out.append(repr(m.load_state_dict(m.state_dict(), strict=False)))
        out += [log[:], m[0].weight.detach().numpy().tolist(),
                float(m[1][0].weight.detach().abs().sum()) > 0]
        for h in handles:
            h.remove()
        log.clear()
        m.load_state_dict(m.state_dict())
        out.append(log)
        return out

    same_facts("load_state_dict_pre_hooks", facts)


def test_state_dict_hooks_survive_deepcopy():
    m = _hooked_model(numtorch)
    seen = []
    m.register_load_state_dict_pre_hook(lambda module, *rest: seen.append(module))
    c = copy.deepcopy(m)
    c.load_state_dict(m.state_dict())
    assert seen == [c]                     # the copy's hook gets the copy, not the original


# -- set_submodule --------------------------------------------------------------------------------

def test_set_submodule():
    def facts(T):
        nn = T.nn
        m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 1), nn.ReLU()))
        out = [m.set_submodule("1.1", nn.Tanh()), repr(m)]
        m.set_submodule("0", nn.Identity())
        out.append(repr(m))
        for args, kw in [(("1.5", nn.ReLU()), {}), (("1.0.weight", nn.ReLU()), {}),
                         (("", nn.ReLU()), {}), (("1.1", 3), {}), (("", 3), {}),
                         (("0", None), {}), (("2.x", nn.ReLU()), {}),
                         (("1.7", nn.ReLU()), {"strict": True}),
                         (("1.0.bias", nn.ReLU()), {"strict": False}),
                         (("1.8", nn.ReLU()), {"strict": False})]:
            out.append(attempt(lambda: m.set_submodule(*args, **kw)))
        out += [repr(m), [n for n, _ in m.named_modules()]]
        out.append(attempt(lambda: m.get_submodule("1.8") is getattr(m[1], "8")))
        return out

    same_facts("set_submodule", facts)


# -- torch.device ---------------------------------------------------------------------------------

DEVICE_FORMS = [
    (("cpu",), {}), (("cpu:0",), {}), (("cpu", 0), {}), (("cpu",), {"index": 0}),
    ((), {"type": "cpu"}), ((), {"type": "cpu", "index": 1}), (("cpu", None), {}),
    (("cpu",), {"index": None}), ((b"cpu",), {}), (("cpu", np.int64(2)), {}),
    (("cuda",), {}), (("cuda:1",), {}), (("cuda", 2), {}), (("cuda:10",), {}), (("mps",), {}),
    (("meta",), {}), (("xpu",), {}), (("privateuseone",), {}),
    ((0,), {}), ((5,), {}), ((-1,), {}), ((True,), {}), ((1.5,), {}), ((None,), {}), ((), {}),
    (("cpu", -1), {}), (("cpu", 1.5), {}), (("cpu", True), {}), (("cpu", 2 ** 70), {}),
    (("cpu:-1",), {}), (("cpu:x",), {}), (("cpu:0:1",), {}), (("cpu:00",), {}), (("cpu:",), {}),
    ((":0",), {}), (("cuda0",), {}), (("cpu ",), {}), (("",), {}),
    (("gpu",), {}), (("CPU",), {}), (("CPU:0",), {}), (("cpu_x",), {}),
    (("cuda:0", 1), {}), (("cuda:1",), {"index": None}), ((None, 0), {}), (("cpu", 0, 1), {}),
    (("cpu",), {"type": "cpu"}), (("cpu",), {"foo": 1}), ((), {"index": 0}),
]


def _describe_device(d) -> list:
    return [repr(d), str(d), d.type, d.index, hash(d) == hash(type(d)(str(d))),
            d == type(d)(str(d))]


@pytest.mark.parametrize("i", range(len(DEVICE_FORMS)),
                         ids=[repr(a) + (repr(k) if k else "") for a, k in DEVICE_FORMS])
def test_device_forms(i):
    args, kw = DEVICE_FORMS[i]

    def facts(T):
        return [attempt(lambda: _describe_device(T.device(*args, **kw)))]

    same_facts(f"device/{i}", facts)


def test_device_of_a_device_and_of_tensors():
    def facts(T):
        d = T.device("cpu")
        out = [repr(T.device(d)), T.device(d) == d]
        out.append(attempt(lambda: T.device(d, 0)))
        out.append(attempt(lambda: T.device(d, index=1)))
        out += [str(T.zeros(1, device=d).device), str(T.zeros(1, device="cpu:0").device),
                attempt(lambda: str(T.zeros(1, device=0).device)),
                attempt(lambda: str(T.zeros(1, device="cuda").device)),
                str(T.zeros(1).to(T.device("cpu", 0)).device), T.zeros(1).device.type,
                T.zeros(1).device.index, isinstance(T.zeros(1).device, T.device),
                type(d).__name__]
        return out

    same_facts("device_and_tensors", facts)


def test_device_equality_hash_and_pickle():
    def facts(T):
        D = T.device
        d = D("cpu")
        out = [d == "cpu", "cpu" == d, d != "cpu", d == "cpu:0", d == D("cpu", 0), d == D("cpu"),
               d == 1, d == None, D("cpu:0") == "cpu:0", D("cpu", 0) == D("cpu:0"),  # noqa: E711
               d == "gpu", d == "cpu:x", T.zeros(1).device == "cpu", T.zeros(1).device == d]
        out.append(len({D("cpu"), D("cpu"), D("cpu", 0), D("cpu:0")}))
        out += [attempt(lambda: d < D("cpu")), attempt(lambda: d >= D("cpu"))]
        out += [repr(pickle.loads(pickle.dumps(D("cpu", 0)))),
                repr(pickle.loads(pickle.dumps(d))), list(d.__reduce__()[1]),
                list(D("cuda", 1).__reduce__()[1]), repr(copy.deepcopy(d)), repr(copy.copy(d))]
        return out

    same_facts("device_equality", facts)


def test_device_as_context_manager():
    def facts(T):
        out = []
        with T.device("cpu", 0) as d:
            out += [repr(d), str(T.get_default_device()), str(T.zeros(1).device)]
            with T.device("cpu"):                                 # nested blocks
                out.append(str(T.get_default_device()))
            out.append(str(T.get_default_device()))
        out.append(str(T.get_default_device()))
        T.set_default_device("cpu")
        with T.device("cpu", 0):
            pass
        out.append(str(T.get_default_device()))                   # the set default again
        T.set_default_device(None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cuda = T.device("cuda")
            out.append(attempt(lambda: repr(cuda.__enter__())))    # entered, fails at first use
            out.append(attempt(lambda: T.get_default_device()))
            out.append(attempt(lambda: T.zeros(2)))
            out.append(attempt(lambda: T.tensor([1.0])))
            if hasattr(cuda, "__exit__"):          # leave no default device behind for
                attempt(lambda: cuda.__exit__(None, None, None))   # later tests
            out.append(str(T.get_default_device()))
            T.set_default_device(None)
        return out

    same_facts("device_context_manager", facts)
