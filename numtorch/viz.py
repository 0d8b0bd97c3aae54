"""Seeing the graph: draw the backward graph of a tensor, and trace a backward pass.

``draw_graph`` walks ``tensor.grad_fn`` through ``next_functions`` and draws every node
(``MulBackward0``, ...), the leaves with their parameter names and shapes, and the shapes of
the tensors each node saved for backward. It writes SVG in pure Python (no graphviz, no
system binary) and PNG through matplotlib (an optional extra). ``trace_backward`` runs
``backward()`` and prints each node as the engine reaches it, with the shapes and norms of
the gradients flowing in and out.

>>> import numtorch as torch
>>> w = torch.ones(3, requires_grad=True)
>>> loss = (w * 2).sum()
>>> svg = torch.viz.draw_graph(loss, {"w": w})        # or path="graph.svg" / "graph.png"
>>> "MulBackward0" in svg and "SumBackward0" in svg
True
>>> steps = torch.viz.trace_backward(loss, {"w": w})   # doctest: +NORMALIZE_WHITESPACE
  1 SumBackward0  grad_out: () |1|  grad_in: (3,) |1.732|
  2 MulBackward0  grad_out: (3,) |1.732|  grad_in: w (3,) |3.464|, -
"""
from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple, Union

import numpy as np

from ._tensor import Tensor
from .autograd.engine import unbroadcast

__all__ = ["draw_graph", "trace_backward", "BackwardTrace", "TraceStep"]

Params = Union[Dict[str, Tensor], Iterable[Tuple[str, Tensor]], None]

# -- looks ---------------------------------------------------------------------------------------
FONT = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace"
CHAR = 0.6                     # a monospace character's advance, in em
TITLE, SMALL = 13.0, 11.0      # font sizes (px)
PAD_X, PAD_Y, LINE = 10.0, 7.0, 1.35
CHIP_H, CHIP_PAD, CHIP_GAP, CHIP_ROW = 17.0, 5.0, 5.0, 210.0
H_GAP, V_GAP, MARGIN, DUMMY_W = 22.0, 44.0, 16.0, 4.0
STYLE = {  # kind: (fill, stroke, title colour)  -- torchviz's palette
    "op": ("#f2f2f2", "#8c8c8c", "#222222"),
    "leaf": ("#add8e6", "#4f8db3", "#0b2a3d"),
    "root": ("#caff70", "#6b8e23", "#203000"),
}
SAVED = ("#ffd8a8", "#e69500", "#6b3f00")      # saved-tensor chips: orange
EDGE, SUBTEXT = "#555555", "#333333"


# -- reading the graph ---------------------------------------------------------------------------
def _param_names(params: Params) -> Dict[int, str]:
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    return {id(t): name for name, t in items}


def _shape(v: Any) -> str:
    shape = tuple(int(n) for n in v.shape)
    return f"({shape[0]},)" if len(shape) == 1 else str(shape)


def _is_array(v: Any) -> bool:
    """A NumPy/CuPy array or a Tensor (not a NumPy scalar, a number or a string)."""
    return isinstance(v, (np.ndarray, Tensor)) or type(v).__name__ == "ndarray"


def _saved(fn: Any) -> List[str]:
    """``name shape`` of what a node saved for backward: a built-in op's arrays in its
    ``__dict__``, a user Function's ``save_for_backward`` tensors (``to_save``). Only arrays
    and tensors are read; everything else (numbers, hooks, freed values) is skipped."""
    out = []
    for key, v in list(getattr(fn, "__dict__", {}).items()):
        if key.startswith("_"):
            continue
        name = "saved" if key == "to_save" else key
        if _is_array(v):
            out.append(f"{name} {_shape(v)}")
        elif type(v) in (tuple, list):
            out.extend(f"{name}[{i}] {_shape(e)}" for i, e in enumerate(v) if _is_array(e))
    return out


class _Node:
    __slots__ = ("kind", "title", "sub", "chips", "w", "h", "layer", "x", "y", "rows")

    def __init__(self, kind: str, title: str, sub: str = "", chips: Tuple[str, ...] = ()):
        self.kind, self.title, self.sub, self.chips = kind, title, sub, chips
        self.x = self.y = 0.0
        self.layer = 0
        self.rows: List[List[str]] = []
        self._measure()

    def _measure(self) -> None:
        if self.kind == "dummy":
            self.w, self.h = DUMMY_W, 0.0
            return
        width = len(self.title) * CHAR * TITLE
        height = TITLE * LINE
        if self.sub:
            width = max(width, len(self.sub) * CHAR * SMALL)
            height += SMALL * LINE
        row: List[str] = []
        for chip in self.chips:                 # saved tensors: chips, wrapped into rows
            if row and _row_width(row + [chip]) > max(width, CHIP_ROW):
                self.rows.append(row)
                row = []
            row.append(chip)
        if row:
            self.rows.append(row)
        for r in self.rows:
            width = max(width, _row_width(r))
            height += CHIP_H + CHIP_GAP
        self.w, self.h = width + 2 * PAD_X, height + 2 * PAD_Y


def _chip_width(text: str) -> float:
    return len(text) * CHAR * SMALL + 2 * CHIP_PAD


def _row_width(row: List[str]) -> float:
    return sum(_chip_width(c) for c in row) + CHIP_GAP * (len(row) - 1)


def _walk(roots: List[Tensor], names: Dict[int, str], label: str):
    """Nodes (key -> _Node) and edges (producer key, consumer key), in discovery order."""
    nodes: Dict[Any, _Node] = {}
    edges: List[Tuple[Any, Any]] = []

    def leaf(t: Tensor) -> Any:
        key = ("leaf", id(t))
        if key not in nodes:
            name = names.get(id(t))
            nodes[key] = _Node("leaf", name or _shape(t), _shape(t) if name else "")
        return key

    stack = []
    for i, t in enumerate(roots):
        root = ("root", i)
        nodes[root] = _Node("root", label if len(roots) == 1 else f"{label}[{i}]", _shape(t))
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
            edges.append((id(t.grad_fn), root))
        elif t.requires_grad:
            edges.append((leaf(t), root))
    seen = set()
    while stack:                                 # iterative: deep graphs are fine
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        if id(fn) not in nodes:
            nodes[id(fn)] = _Node("op", fn.name(), "", tuple(_saved(fn)))
        for nxt, _ in fn.next_functions:
            if nxt is None:
                continue
            if hasattr(nxt, "variable"):         # AccumulateGrad: a leaf
                edges.append((leaf(nxt.variable), id(fn)))
                continue
            if id(nxt) not in nodes:             # number it now: inputs keep their order
                nodes[id(nxt)] = _Node("op", nxt.name(), "", tuple(_saved(nxt)))
            edges.append((id(nxt), id(fn)))
            stack.append(nxt)
    return nodes, edges


# -- layout: layers, order, coordinates ----------------------------------------------------------
def _layer(nodes, edges) -> None:
    """Longest-path layering from the roots (layer 0); producers sit above consumers."""
    producers: Dict[Any, List[Any]] = {k: [] for k in nodes}
    waiting = dict.fromkeys(nodes, 0)
    for s, d in edges:
        producers[d].append(s)
        waiting[s] += 1
    ready = [k for k, n in waiting.items() if n == 0]
    while ready:
        d = ready.pop()
        for s in producers[d]:
            nodes[s].layer = max(nodes[s].layer, nodes[d].layer + 1)
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)


def _split_long_edges(nodes, edges):
    """Put a thin dummy node on each layer a long edge crosses; return each edge's path."""
    paths = []
    for e, (s, d) in enumerate(edges):
        path = [s]
        for layer in range(nodes[s].layer - 1, nodes[d].layer, -1):
            key = ("dummy", e, layer)
            nodes[key] = _Node("dummy", "")
            nodes[key].layer = layer
            path.append(key)
        path.append(d)
        paths.append(path)
    up: Dict[Any, List[Any]] = {k: [] for k in nodes}
    down: Dict[Any, List[Any]] = {k: [] for k in nodes}
    for path in paths:
        for a, b in zip(path, path[1:]):
            down[a].append(b)
            up[b].append(a)
    return paths, up, down


def _crossings(layers, down, pos) -> int:
    total = 0
    for layer in layers[1:]:
        segs = [(pos[a], pos[b]) for a in layer for b in down[a]]
        total += sum(1 for i, (a1, b1) in enumerate(segs) for a2, b2 in segs[i + 1:]
                     if (a1 - a2) * (b1 - b2) < 0)
    return total


def _order(layers, up, down) -> List[List[Any]]:
    """Barycentre sweeps (down, then up), keeping the order with the fewest crossings."""
    pos: Dict[Any, float] = {}

    def update(layer):
        pos.update((k, (i + 0.5) / len(layer)) for i, k in enumerate(layer))

    def sweep(rng, nbrs):
        for li in rng:
            layers[li].sort(key=lambda k: (sum(pos[n] for n in nbrs[k]) / len(nbrs[k])
                                           if nbrs[k] else pos[k]))
            update(layers[li])

    for layer in layers:
        update(layer)

    n_edges = sum(len(v) for v in down.values())
    rounds = 4 if n_edges <= 1500 else 1
    best, best_c = [list(layer) for layer in layers], None
    for _ in range(rounds):
        sweep(range(1, len(layers)), down)
        sweep(range(len(layers) - 2, -1, -1), up)
        if rounds > 1:
            c = _crossings(layers, down, pos)
            if best_c is None or c < best_c:
                best, best_c = [list(layer) for layer in layers], c
    return best if rounds > 1 else layers


def _place(layer: List[Any], nodes, desired: List[float]) -> None:
    """x centres closest (least squares) to ``desired`` keeping order and spacing (PAV)."""
    offsets = [0.0]
    for a, b in zip(layer, layer[1:]):
        gap = H_GAP if nodes[a].kind != "dummy" and nodes[b].kind != "dummy" else H_GAP / 2
        offsets.append(offsets[-1] + (nodes[a].w + nodes[b].w) / 2 + gap)
    blocks: List[List[float]] = []               # [sum, count] of merged targets
    for d, o in zip(desired, offsets):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    i = 0
    for s, c in blocks:
        for _ in range(int(c)):
            nodes[layer[i]].x = s / c + offsets[i]
            i += 1


def _layout(nodes, edges):
    _layer(nodes, edges)
    paths, up, down = _split_long_edges(nodes, edges)
    layers: List[List[Any]] = [[] for _ in range(1 + max(n.layer for n in nodes.values()))]
    for k, n in nodes.items():
        layers[n.layer].append(k)
    layers = _order(layers, up, down)
    for layer in layers:
        _place(layer, nodes, [0.0] * len(layer))
    for _ in range(3):                           # pull nodes over their neighbours
        for nbrs, rng in ((down, range(1, len(layers))), (up, range(len(layers) - 2, -1, -1)),
                          (down, range(1, len(layers)))):
            for li in rng:
                _place(layers[li], nodes, [sum(nodes[n].x for n in nbrs[k]) / len(nbrs[k])
                                           if nbrs[k] else nodes[k].x for k in layers[li]])
    left = min(n.x - n.w / 2 for n in nodes.values())
    right = max(n.x + n.w / 2 for n in nodes.values())
    bands, y = {}, MARGIN
    for li in range(len(layers) - 1, -1, -1):    # the deepest layer at the top, roots at the bottom
        height = max(nodes[k].h for k in layers[li])
        bands[li] = (y, y + height)
        for k in layers[li]:
            nodes[k].x += MARGIN - left
            nodes[k].y = y + (height - nodes[k].h) / 2
        y += height + V_GAP
    return paths, bands, right - left + 2 * MARGIN, y - V_GAP + MARGIN


# -- the scene: boxes, text, edges; drawn as SVG or with matplotlib ------------------------------
def _ports(paths, nodes):
    """Where each edge leaves its producer and enters its consumer: spread along the box."""
    outs: Dict[Any, List[Tuple[float, int]]] = {}
    ins: Dict[Any, List[Tuple[float, int]]] = {}
    for e, path in enumerate(paths):
        outs.setdefault(path[0], []).append((nodes[path[1]].x, e))
        ins.setdefault(path[-1], []).append((nodes[path[-2]].x, e))
    port_out, port_in = {}, {}
    for table, ports in ((outs, port_out), (ins, port_in)):
        for k, lst in table.items():
            lst.sort()
            n = len(lst)
            step = min(14.0, 0.6 * nodes[k].w / max(n - 1, 1))
            for i, (_, e) in enumerate(lst):
                ports[e] = nodes[k].x + (i - (n - 1) / 2) * step
    return port_out, port_in


def _scene(nodes, paths, bands):
    items: List[tuple] = []
    port_out, port_in = _ports(paths, nodes)
    for e, path in enumerate(paths):
        s, d = nodes[path[0]], nodes[path[-1]]
        pts = [(port_out[e], s.y + s.h)]
        for k in path[1:-1]:
            top, bottom = bands[nodes[k].layer]
            pts += [(nodes[k].x, top), (nodes[k].x, bottom)]
        pts.append((port_in[e], d.y - 7.0))     # the arrowhead fills the last 7 px
        ex, ey = port_in[e], d.y
        items += [("open", "edge"), ("path", pts),
                  ("arrow", [(ex, ey), (ex - 4.0, ey - 8.0), (ex + 4.0, ey - 8.0)]), ("close",)]
    for n in nodes.values():
        if n.kind == "dummy":
            continue
        fill, stroke, ink = STYLE[n.kind]
        left, y = n.x - n.w / 2, n.y + PAD_Y
        items += [("open", f"node {n.kind}"), ("rect", left, n.y, n.w, n.h, fill, stroke, 6.0)]
        items.append(("text", n.x, y + TITLE * LINE / 2, n.title, TITLE, True, ink))
        y += TITLE * LINE
        if n.sub:
            items.append(("text", n.x, y + SMALL * LINE / 2, n.sub, SMALL, False, SUBTEXT))
            y += SMALL * LINE
        for row in n.rows:
            y += CHIP_GAP
            cx = n.x - _row_width(row) / 2
            for chip in row:
                w = _chip_width(chip)
                items.append(("rect", cx, y, w, CHIP_H, SAVED[0], SAVED[1], 4.0))
                items.append(("text", cx + w / 2, y + CHIP_H / 2, chip, SMALL, False, SAVED[2]))
                cx += w + CHIP_GAP
            y += CHIP_H
        items.append(("close",))
    return items


def _path_d(pts) -> List[Tuple[str, List[Tuple[float, float]]]]:
    """Segments of an edge: S-curves between layers, straight lines through dummy bands."""
    segs = []
    for i, (p, q) in enumerate(zip(pts, pts[1:])):
        if i % 2 == 1:                           # inside a dummy's band
            segs.append(("L", [q]))
        else:
            dy = (q[1] - p[1]) / 2
            segs.append(("C", [(p[0], p[1] + dy), (q[0], q[1] - dy), q]))
    return segs


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _svg(items, width: float, height: float) -> str:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="{FONT}">',
           f'<rect width="100%" height="100%" fill="#ffffff"/>']
    for it in items:
        if it[0] == "open":
            out.append(f'<g class="{it[1]}">')
        elif it[0] == "close":
            out.append("</g>")
        elif it[0] == "path":
            d = f"M{it[1][0][0]:.1f},{it[1][0][1]:.1f}"
            for op, ps in _path_d(it[1]):
                d += " " + op + " ".join(f"{x:.1f},{y:.1f}" for x, y in ps)
            out.append(f'<path d="{d}" fill="none" stroke="{EDGE}" stroke-width="1.3"/>')
        elif it[0] == "arrow":
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in it[1])
            out.append(f'<polygon points="{pts}" fill="{EDGE}"/>')
        elif it[0] == "rect":
            _, x, y, w, h, fill, stroke, r = it
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                       f'rx="{r}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>')
        else:
            _, x, y, text, size, bold, ink = it
            weight = ' font-weight="bold"' if bold else ""
            out.append(f'<text x="{x:.1f}" y="{y + 0.35 * size:.1f}" font-size="{size:g}" '
                       f'text-anchor="middle" fill="{ink}"{weight}>{_esc(text)}</text>')
    out.append("</svg>\n")
    return "\n".join(out)


def _png(items, width: float, height: float, target: Any, dpi: float) -> None:
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
        from matplotlib.path import Path
    except ImportError:
        raise ImportError("draw_graph(..., format='png') needs matplotlib: "
                          "pip install \"numtorch[examples]\" (or pip install matplotlib); "
                          "SVG output needs nothing") from None
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    codes = {"C": [Path.CURVE4] * 3, "L": [Path.LINETO]}
    for it in items:
        if it[0] in ("open", "close"):
            continue
        if it[0] == "path":
            verts, kinds = [it[1][0]], [Path.MOVETO]
            for op, ps in _path_d(it[1]):
                verts += ps
                kinds += codes[op]
            ax.add_patch(PathPatch(Path(verts, kinds), fill=False, edgecolor=EDGE, lw=1.0))
        elif it[0] == "arrow":
            ax.add_patch(Polygon(it[1], closed=True, facecolor=EDGE, edgecolor="none"))
        elif it[0] == "rect":
            _, x, y, w, h, fill, stroke, r = it
            ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={r}",
                                        facecolor=fill, edgecolor=stroke, lw=0.9))
        else:
            _, x, y, text, size, bold, ink = it
            ax.text(x, y + 0.35 * size, text, fontsize=size * 0.72, family="monospace",
                    weight="bold" if bold else "normal", color=ink, ha="center", va="baseline")
    fig.savefig(target, format="png", dpi=dpi, facecolor="white")


def draw_graph(tensor: Union[Tensor, Iterable[Tensor]], params: Params = None,
               path: Optional[str] = None, format: Optional[str] = None, *,
               label: str = "output", dpi: float = 150) -> Union[str, bytes]:
    """Draw the backward graph that ends in ``tensor``; write it to ``path`` or return it.

    Grey boxes are the graph's nodes (``MulBackward0``, ...) with the shapes of the tensors
    each saved for backward in orange; blue boxes are leaves, named from ``params`` (a dict
    or ``model.named_parameters()``, matched by identity) with their shapes; the green box
    is ``tensor`` itself (``label``). Arrows follow the forward computation.

    ``format`` is ``"svg"`` (pure Python) or ``"png"`` (needs matplotlib); by default it comes
    from ``path``'s suffix. Returns the path written, or without a path the SVG text (PNG bytes
    for ``format="png"``).

    >>> import numtorch as torch
    >>> model = torch.nn.Linear(3, 1)
    >>> loss = model(torch.randn(4, 3)).pow(2).mean()
    >>> svg = torch.viz.draw_graph(loss, dict(model.named_parameters()), label="loss")
    >>> "weight" in svg and "AddmmBackward0" in svg
    True
    """
    fmt = (format or (os.path.splitext(path)[1][1:] if path else "svg")).lower()
    if fmt not in ("svg", "png"):
        raise ValueError(f"draw_graph: format must be 'svg' or 'png', got {fmt!r}"
                         + (f" (from the path {path!r})" if format is None else ""))
    roots = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    if not roots or not all(isinstance(t, Tensor) for t in roots):
        raise TypeError("draw_graph: expected a Tensor or a sequence of Tensors")
    nodes, edges = _walk(roots, _param_names(params), label)
    paths, bands, width, height = _layout(nodes, edges)
    items = _scene(nodes, paths, bands)
    if fmt == "svg":
        svg = _svg(items, width, height)
        if path is None:
            return svg
        with open(path, "w", encoding="utf-8") as f:
            f.write(svg)
        return path
    if path is None:
        import io
        buf = io.BytesIO()
        _png(items, width, height, buf, dpi)
        return buf.getvalue()
    _png(items, width, height, path, dpi)
    return path


# -- tracing backward ----------------------------------------------------------------------------
class TraceStep(NamedTuple):
    """One node as backward ran it: gradients as ``(label, shape, norm)``, None where absent.

    ``grad_outputs`` are the gradients of the node's outputs (what reached it);
    ``grad_inputs`` those it computed for its inputs (summed to each input's shape).
    """

    index: int
    name: str
    grad_outputs: Tuple[Optional[Tuple[str, Tuple[int, ...], float]], ...]
    grad_inputs: Tuple[Optional[Tuple[str, Tuple[int, ...], float]], ...]


def _norm(g: Any) -> float:
    g = g.astype(np.float64)
    return float((g * g).sum()) ** 0.5


def _fmt(entry) -> str:
    if entry is None:
        return "-"
    label, shape, norm = entry
    shape_s = f"({shape[0]},)" if len(shape) == 1 else str(shape)
    return f"{label + ' ' if label else ''}{shape_s} |{norm:.4g}|"


class BackwardTrace:
    """Context manager: hooks every node of ``tensor``'s graph and records (and prints) each
    as backward runs it; the hooks are removed on exit. ``steps`` holds :class:`TraceStep`\\ s.

    >>> import numtorch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> y = (x * 3).sum()
    >>> with torch.viz.BackwardTrace(y, {"x": x}, verbose=False) as tr:
    ...     y.backward()
    >>> [s.name for s in tr.steps]
    ['SumBackward0', 'MulBackward0']
    """

    def __init__(self, tensor: Union[Tensor, Iterable[Tensor]], params: Params = None,
                 verbose: bool = True, file: Any = None) -> None:
        self.roots = [tensor] if isinstance(tensor, Tensor) else list(tensor)
        self.names = _param_names(params)
        self.verbose, self.file = verbose, file
        self.steps: List[TraceStep] = []
        self._hooked: List[Any] = []            # the handles of the hooks it registered
        self._width = 0

    def _nodes(self) -> List[Any]:
        stack = [t.grad_fn for t in self.roots if t.grad_fn is not None]
        seen, out = set(), []
        while stack:
            fn = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            out.append(fn)
            stack.extend(n for n, _ in fn.next_functions
                         if n is not None and not hasattr(n, "variable"))
        return out

    def _record(self, node: Any, grad_inputs, grad_outputs) -> None:
        # node hooks get Tensors (as in PyTorch): read their arrays
        grad_inputs = [None if g is None else g._data for g in grad_inputs]
        grad_outputs = [None if g is None else g._data for g in grad_outputs]
        ins = []
        for entry, g in zip(getattr(node, "_next", ()), grad_inputs):
            if entry is None or g is None:
                ins.append(None)
                continue
            if type(entry) is tuple:             # (node, shape, dtype, index)
                label, shape = "", tuple(entry[1])
            else:                                # a leaf tensor
                label, shape = self.names.get(id(entry), ""), tuple(entry._data.shape)
            if tuple(g.shape) != shape:
                g = unbroadcast(g, shape)        # what the engine hands on
            ins.append((label, shape, _norm(g)))
        outs = tuple(None if g is None else ("", tuple(g.shape), _norm(g)) for g in grad_outputs)
        step = TraceStep(len(self.steps) + 1, node.name(), outs, tuple(ins))
        self.steps.append(step)
        if self.verbose:
            print(f"{step.index:3d} {step.name:<{self._width}}  "
                  f"grad_out: {', '.join(map(_fmt, outs))}  grad_in: {', '.join(map(_fmt, ins))}",
                  file=self.file or sys.stdout)

    def __enter__(self) -> "BackwardTrace":
        nodes = self._nodes()
        self._width = max((len(n.name()) for n in nodes), default=0)
        for node in nodes:
            self._hooked.append(node.register_hook(
                lambda gi, go, node=node: self._record(node, gi, go)))
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._hooked:
            handle.remove()                  # which leaves the node as it was
        self._hooked = []


def trace_backward(tensor: Tensor, params: Params = None, gradient: Optional[Tensor] = None,
                   retain_graph: Optional[bool] = None, verbose: bool = True,
                   file: Any = None) -> List[TraceStep]:
    """Run ``tensor.backward(gradient, retain_graph)``, printing one line per node in the
    engine's order: the node's name, then the shape and norm ``|g|`` of each gradient that
    reached it (``grad_out``) and that it computed for its inputs (``grad_in``; leaves named
    from ``params``, ``-`` for inputs that need no gradient) to ``file`` (stdout) unless
    ``verbose=False``. Returns the steps.

    >>> import numtorch as torch
    >>> w = torch.tensor([3.0, 4.0], requires_grad=True)
    >>> steps = torch.viz.trace_backward((w * w).sum(), {"w": w}, verbose=False)
    >>> [(s.name, round(s.grad_inputs[0][2], 3)) for s in steps]
    [('SumBackward0', 1.414), ('MulBackward0', 5.0)]
    """
    with BackwardTrace(tensor, params, verbose, file) as tr:
        tensor.backward(gradient, retain_graph=retain_graph)
    return tr.steps
