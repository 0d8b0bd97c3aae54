"""Imports flow one way (design.md): no circle among numtorch's modules, counting imports made
inside functions too, and no module sets another module's globals."""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1] / "numtorch"


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _target(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` statement reads from."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_pkg:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom, files) -> list[str]:
    target = _target(module, is_pkg, node)
    # `from . import x` needs the submodule x (the package itself is only being initialised)
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in files]
    return subs if len(subs) == len(node.names) else [target] + subs


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py") if "examples" not in p.parts}
    graph = {m: set() for m in files}
    for mod, path in files.items():
        tree = ast.parse(path.read_text())
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = _resolve(mod, is_pkg, node, files)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for t in targets:
                if t in files and t != mod:
                    graph[mod].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]; counter[0] += 1
                    stack.append(w); on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop(); on.discard(w); comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_checker_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    found = cycles(import_graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def module_global_writes() -> list[str]:
    """Assignments ``mod.NAME = ...`` where ``mod`` is an imported numtorch module."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py") if "examples" not in p.parts}
    found = []
    for mod, path in files.items():
        tree = ast.parse(path.read_text())
        is_pkg = path.name == "__init__.py"
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = _target(mod, is_pkg, node)
                for a in node.names:
                    if f"{base}.{a.name}" in files:
                        aliases.add(a.asname or a.name)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in files:
                        aliases.add(a.asname or a.name.split(".")[0])
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                        and t.value.id in aliases:
                    found.append(f"{mod}:{node.lineno} {t.value.id}.{t.attr}")
    return found


def test_no_module_patches_another_modules_globals():
    assert module_global_writes() == []


def test_the_patch_finder_finds_a_patch(tmp_path):
    pkg = tmp_path / "numtorch"
    (pkg / "autograd").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "autograd" / "__init__.py").write_text("")
    (pkg / "autograd" / "engine.py").write_text("Tensor = None\n")
    (pkg / "_tensor.py").write_text("from .autograd import engine as _engine\n"
                                    "class Tensor: pass\n_engine.Tensor = Tensor\n")
    global ROOT
    saved, ROOT = ROOT, pkg
    try:
        assert module_global_writes() == ["numtorch._tensor:3 _engine.Tensor"]
    finally:
        ROOT = saved
