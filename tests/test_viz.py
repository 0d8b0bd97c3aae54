"""numtorch.viz: drawing the backward graph (SVG, PNG) and tracing a backward pass.

The node names, leaf shapes and backward order of two small graphs were recorded from
PyTorch 2.13 into ``tests/data/viz_graphs.json``; regenerate them with
``python tests/test_viz.py --regen`` where torch is installed (the test
``test_record_matches_pytorch`` checks the record against live PyTorch when it can).
"""
from __future__ import annotations

import importlib
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import numpy as np
import pytest

import numtorch
from _oracle import live_torch

RECORD = os.path.join(os.path.dirname(__file__), "data", "viz_graphs.json")
SVG_NS = "{http://www.w3.org/2000/svg}"
ACC = "torch::autograd::AccumulateGrad"
# numtorch's nn.Linear is one AddmmBackward0 node that reads the weight directly; PyTorch puts
# a TBackward0 (weight.t()) between the weight and AddmmBackward0. Nothing else differs.
FOLDED_IN_NUMTORCH = {"TBackward0"}


# -- the graphs, built the same way on torch and on numtorch -------------------------------------
def mlp_graph(lib, seed=0):
    """A 2-3-1 tanh MLP and an MSE loss on 4 points; returns (loss, named parameters)."""
    lib.manual_seed(seed)
    model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1))
    rng = np.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal((4, 2)).astype(np.float32))
    t = lib.tensor(rng.standard_normal((4, 1)).astype(np.float32))
    return lib.nn.MSELoss()(model(x), t), dict(model.named_parameters())


def scratch_graph(lib, seed=1):
    """Logistic regression from scratch (mnist_scratch's graph) on 5 points, 4 features."""
    rng = np.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal((5, 4)).astype(np.float32))
    y = lib.tensor([1, 0, 2, 1, 0])
    w = lib.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    z = x @ w + b
    log_probs = z - z.exp().sum(-1).log().unsqueeze(-1)
    return -log_probs[range(5), y].mean(), {"weights": w, "bias": b}


GRAPHS = {"mlp": mlp_graph, "scratch": scratch_graph}


def describe(loss):
    """Node names (with multiplicity), leaf shapes and the order backward runs the nodes."""
    names, leaves, order, stack, seen = [], [], [], [loss.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn is None:
            continue
        if hasattr(fn, "variable"):
            if id(fn.variable) not in seen:
                seen.add(id(fn.variable))
                names.append(fn.name())
                leaves.append(list(fn.variable.shape))
            continue
        if fn in seen:
            continue
        seen.add(fn)
        names.append(fn.name())
        fn.register_hook(lambda gi, go, fn=fn: order.append(fn.name()))
        stack.extend(n for n, _ in fn.next_functions)
    loss.backward()
    return {"names": sorted(names), "leaves": sorted(leaves), "order": order}


def regenerate():
    torch = importlib.import_module("torch")
    return {name: describe(build(torch)[0]) for name, build in GRAPHS.items()}


def record():
    with open(RECORD, encoding="utf-8") as f:
        return json.load(f)


def expected_names(name):
    return Counter(n for n in record()[name]["names"] if n not in FOLDED_IN_NUMTORCH)


# -- helpers -------------------------------------------------------------------------------------
def svg_nodes(svg):
    """(kind, [texts]) of each node box in the SVG, and the number of edges."""
    root = ET.fromstring(svg)
    nodes, edges = [], 0
    for g in root.iter(SVG_NS + "g"):
        cls = g.get("class", "").split()
        if cls == ["edge"]:
            edges += 1
            assert g.find(SVG_NS + "path") is not None and g.find(SVG_NS + "polygon") is not None
        elif cls[:1] == ["node"]:
            nodes.append((cls[1], [t.text for t in g.iter(SVG_NS + "text")]))
    return nodes, edges


# -- the record ----------------------------------------------------------------------------------
def test_record_is_what_the_tests_expect():
    rec = record()
    if live_torch() is not None:                 # the record still equals live PyTorch
        assert regenerate() == rec, "record is stale: python tests/test_viz.py --regen"
    assert set(rec) == set(GRAPHS)
    assert Counter(rec["mlp"]["names"]) == Counter({"AddmmBackward0": 2, "TBackward0": 2, ACC: 4,
                                                    "TanhBackward0": 1, "MseLossBackward0": 1})


# -- the graph -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(GRAPHS))
def test_graph_has_pytorchs_nodes_and_backward_order(name):
    loss, _ = GRAPHS[name](numtorch)
    got = describe(loss)
    rec = record()[name]
    assert Counter(got["names"]) == expected_names(name)
    assert got["leaves"] == rec["leaves"]
    assert got["order"] == [n for n in rec["order"]
                            if n != ACC and n not in FOLDED_IN_NUMTORCH]


def test_mlp_drawing_names_every_node_and_leaf():
    loss, params = mlp_graph(numtorch)
    svg = numtorch.viz.draw_graph(loss, params, label="loss")
    nodes, edges = svg_nodes(svg)
    ops = Counter(texts[0] for kind, texts in nodes if kind == "op")
    want = expected_names("mlp")
    want.pop(ACC)
    assert ops == want
    leaves = sorted(tuple(texts) for kind, texts in nodes if kind == "leaf")
    assert leaves == [("0.bias", "(3,)"), ("0.weight", "(3, 2)"),
                      ("2.bias", "(1,)"), ("2.weight", "(1, 3)")]
    assert [texts for kind, texts in nodes if kind == "root"] == [["loss", "()"]]
    # loss <- mse <- addmm <- {tanh, 2.weight, 2.bias}; tanh <- addmm <- {0.weight, 0.bias}
    assert edges == 8
    assert svg.count("<path ") == 8


def test_saved_tensors_are_shown_with_their_shapes():
    loss, params = mlp_graph(numtorch)
    nodes, _ = svg_nodes(numtorch.viz.draw_graph(loss, params))
    chips = {texts[0]: texts[1:] for kind, texts in nodes if kind == "op"
             and texts[0] in ("TanhBackward0", "MseLossBackward0")}
    # tanh' = 1 - tanh(x)^2 reads the (4, 3) activation; the MSE gradient reads a (4, 1) tensor
    assert [c.split()[-2:] for c in chips["TanhBackward0"]] == [["(4,", "3)"]]
    assert any(c.endswith("(4, 1)") for c in chips["MseLossBackward0"])
    # after backward the saved tensors are freed: the boxes show only the names
    loss.backward()
    nodes, _ = svg_nodes(numtorch.viz.draw_graph(loss, params))
    assert all(len(texts) == 1 for kind, texts in nodes if kind == "op")


def test_user_function_saved_tensors():
    class Cube(numtorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.note = "not a tensor"
            ctx.power = 3
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * g

    x = numtorch.ones(2, 5, requires_grad=True)
    nodes, edges = svg_nodes(numtorch.viz.draw_graph(Cube.apply(x).sum(), {"x": x}))
    assert ("op", ["CubeBackward", "saved[0] (2, 5)"]) in nodes
    assert ("leaf", ["x", "(2, 5)"]) in nodes
    assert edges == 3


def test_svg_is_well_formed_and_escaped():
    a = numtorch.ones(2, requires_grad=True)
    b = numtorch.ones(2, requires_grad=True)
    out = (a * b + a).sum()
    svg = numtorch.viz.draw_graph(out, {"a<&>": a})
    root = ET.fromstring(svg)
    assert root.tag == SVG_NS + "svg"
    width, height = float(root.get("width")), float(root.get("height"))
    for rect in root.iter(SVG_NS + "rect"):
        if rect.get("x") is not None:
            assert 0 <= float(rect.get("x")) and float(rect.get("x")) + float(rect.get("width")) \
                <= width + 1
            assert 0 <= float(rect.get("y")) and float(rect.get("y")) + float(rect.get("height")) \
                <= height + 1
    nodes, edges = svg_nodes(svg)
    assert ("leaf", ["a<&>", "(2,)"]) in nodes
    assert ("leaf", ["(2,)"]) in nodes                      # b: no name, just its shape
    assert edges == 6        # a->mul, b->mul, mul->add, a->add, add->sum, sum->output


def test_boxes_do_not_overlap():
    loss, params = scratch_graph(numtorch)
    root = ET.fromstring(numtorch.viz.draw_graph(loss, params))
    boxes = [tuple(float(g[0].get(k)) for k in ("x", "y", "width", "height"))
             for g in root.iter(SVG_NS + "g") if g.get("class", "").startswith("node")]
    assert len(boxes) == 13
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_files_and_formats(tmp_path):
    loss, params = mlp_graph(numtorch)
    path = numtorch.viz.draw_graph(loss, params, str(tmp_path / "g.svg"))
    assert path == str(tmp_path / "g.svg")
    ET.parse(path)
    with pytest.raises(ValueError, match="format must be 'svg' or 'png'"):
        numtorch.viz.draw_graph(loss, params, str(tmp_path / "g.pdf"))
    with pytest.raises(TypeError, match="expected a Tensor"):
        numtorch.viz.draw_graph([1, 2])


def test_png(tmp_path):
    pytest.importorskip("matplotlib")
    loss, params = mlp_graph(numtorch)
    path = numtorch.viz.draw_graph(loss, params, str(tmp_path / "g.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    data = numtorch.viz.draw_graph(loss, params, format="png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    loss, params = mlp_graph(numtorch)
    with pytest.raises(ImportError, match=r"pip install \"numtorch\[examples\]\""):
        numtorch.viz.draw_graph(loss, params, str(tmp_path / "g.png"))
    assert not (tmp_path / "g.png").exists()
    assert numtorch.viz.draw_graph(loss, params).startswith("<svg")   # SVG needs nothing


def test_leaf_and_several_roots():
    x = numtorch.ones(3, requires_grad=True)
    nodes, edges = svg_nodes(numtorch.viz.draw_graph(x, {"x": x}))
    assert sorted(nodes) == [("leaf", ["x", "(3,)"]), ("root", ["output", "(3,)"])]
    assert edges == 1
    y = x * 2
    nodes, edges = svg_nodes(numtorch.viz.draw_graph([y.sum(), y.mean()], {"x": x}))
    assert sorted(t for k, t in nodes if k == "root") == [["output[0]", "()"],
                                                          ["output[1]", "()"]]
    assert sorted(t[0] for k, t in nodes if k == "op") == ["MeanBackward0", "MulBackward0",
                                                           "SumBackward0"]


def test_deep_graph_is_drawn_without_recursion():
    x = numtorch.ones(2, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 1.0
    nodes, edges = svg_nodes(numtorch.viz.draw_graph(y.sum()))
    assert len(nodes) == 3003 and edges == 3002


def test_import_stays_light():
    code = ("import numtorch, sys; "
            "print(sorted(m for m in ('matplotlib', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert callable(numtorch.viz.draw_graph) and callable(numtorch.viz.trace_backward)


# -- tracing -------------------------------------------------------------------------------------
LINE = re.compile(r"^\s*(\d+) (\S+)\s+grad_out: (.*?)  grad_in: (.*)$")
NORM = re.compile(r"\|([0-9.e+-]+)\|")


def _mlp64(seed):
    """A float64 2-3-1 tanh MLP with weights from ``seed``, as numtorch tensors and arrays."""
    rng = np.random.default_rng(seed)
    arrays = {"0.weight": rng.standard_normal((3, 2)), "0.bias": rng.standard_normal(3),
              "2.weight": rng.standard_normal((1, 3)), "2.bias": rng.standard_normal(1)}
    x, t = rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    model = numtorch.nn.Sequential(numtorch.nn.Linear(2, 3), numtorch.nn.Tanh(),
                                   numtorch.nn.Linear(3, 1)).double()
    model.load_state_dict({k: numtorch.tensor(v) for k, v in arrays.items()})
    loss = numtorch.nn.functional.mse_loss(model(numtorch.tensor(x)), numtorch.tensor(t))
    return loss, dict(model.named_parameters()), arrays, x, t


def _loss64(p, x, t):
    h = np.tanh(x @ p["0.weight"].T + p["0.bias"])
    return np.mean((h @ p["2.weight"].T + p["2.bias"] - t) ** 2)


def test_trace_prints_each_node_with_gradient_norms(capsys):
    loss, params, p, x, t = _mlp64(3)
    steps = numtorch.viz.trace_backward(loss, params)
    lines = capsys.readouterr().out.splitlines()
    # the gradients by hand
    h = np.tanh(x @ p["0.weight"].T + p["0.bias"])
    g_pred = 2 * (h @ p["2.weight"].T + p["2.bias"] - t) / t.size
    g_h = g_pred @ p["2.weight"]
    g_pre = g_h * (1 - h ** 2)
    norm = np.linalg.norm
    want = [("MseLossBackward0", [1.0], [norm(g_pred)]),
            ("AddmmBackward0", [norm(g_pred)],
             [norm(g_h), norm(g_pred.T @ h), norm(g_pred.sum(0))]),
            ("TanhBackward0", [norm(g_h)], [norm(g_pre)]),
            ("AddmmBackward0", [norm(g_pre)], [norm(g_pre.T @ x), norm(g_pre.sum(0))])]
    assert len(lines) == len(steps) == 4
    for line, step, (name, outs, ins) in zip(lines, steps, want):
        m = LINE.match(line)
        assert m and m.group(2) == step.name == name
        assert [float(v) for v in NORM.findall(m.group(3))] == pytest.approx(outs, rel=1e-3)
        assert [float(v) for v in NORM.findall(m.group(4))] == pytest.approx(ins, rel=1e-3)
        assert [g[2] for g in step.grad_outputs] == pytest.approx(outs, rel=1e-9)
        assert [g[2] for g in step.grad_inputs if g] == pytest.approx(ins, rel=1e-9)
    # the first layer's input needs no gradient; its parameters are named
    assert steps[3].grad_inputs[0] is None and lines[3].split("grad_in: ")[1].startswith("-, ")
    assert [g[:2] for g in steps[3].grad_inputs[1:]] == [("0.weight", (3, 2)), ("0.bias", (3,))]
    assert "0.weight (3, 2) |" in lines[3]


def test_trace_leaf_norms_match_numeric_gradients():
    loss, params, p, x, t = _mlp64(4)
    steps = numtorch.viz.trace_backward(loss, params, verbose=False)
    traced = {g[0]: g[2] for s in steps for g in s.grad_inputs if g and g[0]}
    assert set(traced) == set(p)
    eps = 1e-6
    for name, value in p.items():
        num = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            for sign in (1, -1):
                q = {k: v.copy() for k, v in p.items()}
                q[name][i] += sign * eps
                num[i] += sign * _loss64(q, x, t) / (2 * eps)
        assert traced[name] == pytest.approx(np.linalg.norm(num), rel=1e-6)
        assert np.allclose(params[name].grad.numpy(), num, atol=1e-8)


def test_trace_shows_gradients_summed_to_the_input_shape():
    loss, params = scratch_graph(numtorch)
    steps = numtorch.viz.trace_backward(loss, params, verbose=False)
    add = next(s for s in steps if s.name == "AddBackward0")
    assert [g[:2] for g in add.grad_inputs] == [("", (5, 3)), ("bias", (3,))]
    bias_norm = float(np.linalg.norm(params["bias"].grad.numpy()))
    assert add.grad_inputs[1][2] == pytest.approx(bias_norm)
    # the mean of 5 picked log-probabilities: d loss / d picked = -1/5 each, norm 1/sqrt(5)
    mean = next(s for s in steps if s.name == "MeanBackward0")
    assert mean.grad_inputs[0][1:] == ((5,), pytest.approx(1 / math.sqrt(5)))


def test_trace_context_manager_removes_its_hooks(capsys):
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 3).sum()
    nodes = [y.grad_fn, y.grad_fn.next_functions[0][0]]
    with numtorch.viz.BackwardTrace(y, {"x": x}) as tr:
        y.backward(retain_graph=True)
    assert [s.name for s in tr.steps] == ["SumBackward0", "MulBackward0", "ExpBackward0"]
    assert len(capsys.readouterr().out.splitlines()) == 3
    for node in nodes:
        assert "_node_hooks" not in node.__dict__ and "_hooked" not in node.__dict__
    y.backward()                                    # the retained graph runs again, silently
    assert capsys.readouterr().out == "" and len(tr.steps) == 3
    assert x.grad.tolist() == pytest.approx([6 * math.e, 6 * math.e ** 2])
    # a node's own hook survives the trace
    z = (x * 2).sum()
    seen = []
    z.grad_fn.register_hook(lambda gi, go: seen.append(len(gi)))
    numtorch.viz.trace_backward(z, verbose=False)
    assert seen == [1] and z.grad_fn.__dict__["_node_hooks"]


if __name__ == "__main__" and "--regen" in sys.argv:
    data = regenerate()
    with open(RECORD, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print(f"recorded {len(data)} graphs into {RECORD}", file=sys.stderr)
