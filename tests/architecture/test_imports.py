"""The import graph of ``corsprobe/``: no cycle, and imports point one way.

The graph counts every import, at module level and inside functions (a lazy import is still a
dependency), except those under ``if TYPE_CHECKING:``. An import of ``a.b.c`` is an edge to
``a.b.c`` only: the parent packages Python runs first are not counted as edges.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "corsprobe"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.AST) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = name.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                targets = []
                for alias in node.names:
                    sub = f"{prefix}.{alias.name}"
                    targets.append(sub if sub in modules else prefix)
            for target in targets:
                if target in modules and target != name:
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_lazy_imports():
    edges = graph()
    # corsprobe/core.py imports the probes inside a function: it must still be an edge
    assert "corsprobe.probe" in edges["corsprobe.core"]
    assert "corsprobe.replay" in edges["corsprobe.core"]


def test_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles in corsprobe/:\n" + "\n".join(
        " <-> ".join(c) for c in found)


# Layers, lowest first: a module may import its own layer and the layers below, never above.
LAYERS = [
    ("model", ["corsprobe.version", "corsprobe.errors", "corsprobe.model", "corsprobe.redact"]),
    ("browser", ["corsprobe.fetch"]),
    ("inputs", ["corsprobe.apps", "corsprobe.inputs", "corsprobe.paste"]),
    ("wire", ["corsprobe.net"]),
    ("steps", ["corsprobe.replay", "corsprobe.probe", "corsprobe.frameworks", "corsprobe.stack",
               "corsprobe.scan.origins", "corsprobe.scan.steps", "corsprobe.har.reader",
               "corsprobe.har.recorded"]),
    ("rules", ["corsprobe.rules", "corsprobe.engine"]),
    ("report", ["corsprobe.report", "corsprobe.policy"]),
    ("render", ["corsprobe.render"]),
    ("core", ["corsprobe.core"]),
]


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for number, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), number)
    return None if best is None else best[1]


def test_imports_point_down():
    """commands -> core -> render -> report/policy -> rules -> steps -> net -> inputs
    (paste's parsers among them) -> fetch -> model; the commands (everything not in LAYERS: cli, api, runner, config, demo,
    har/scan runs, pytest_plugin) may import anything but are imported by no lower layer."""
    wrong = []
    for module, targets in graph().items():
        own = layer_of(module)
        if own is None:
            continue
        for target in targets:
            theirs = layer_of(target)
            if theirs is None or theirs > own:
                wrong.append(f"{module} ({LAYERS[own][0]}) imports {target} "
                             f"({'a command' if theirs is None else LAYERS[theirs][0]})")
    assert not wrong, "imports pointing up:\n" + "\n".join(sorted(wrong))


def test_no_private_name_crosses_a_module():
    """A name with one leading underscore is its module's own: no other module imports it."""
    crossing = []
    for path in PACKAGE.rglob("*.py"):
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                crossing += [f"{module_name(path)}: from {'.' * node.level}{node.module or ''} "
                             f"import {a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert not crossing, "\n".join(sorted(crossing))
