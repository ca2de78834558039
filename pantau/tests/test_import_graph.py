"""The layers point one way: no import circle in pantau/ (imports inside functions included),
and no module imports another app's private name (what two apps share lives in pantau/lib/).

The graph is read from the source with `ast`, so a lazy import counts as much as one at the top
of a module. Tests and migrations are left out."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the pantau package

# Circles that another issue removes; each must still exist (a stale entry fails the test).
KNOWN_CIRCLES: set[frozenset[str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent)
        if "tests" in rel.parts or "migrations" in rel.parts or rel.name == "conftest.py":
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, modules: dict[str, Path]):
    """(imported module, imported names) for every import of a pantau module in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "pantau":
                    yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] != "pantau":
                continue
            plain = []
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    yield sub, []  # `from pantau.web import outbox`: the module itself
                else:
                    plain.append(alias.name)
            if plain:
                yield base, plain


def _graph():
    modules = _modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    private: list[str] = []
    for name, path in modules.items():
        app = name.split(".")[1] if name.count(".") else ""
        for target, names in _imports(path, name, modules):
            while target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target not in modules or target == name:
                continue
            edges[name].add(target)
            target_app = target.split(".")[1] if target.count(".") else ""
            private += [
                f"{name} imports {target}.{n}"
                for n in names
                if n.startswith("_") and not n.startswith("__") and target_app != app
            ]
            if target.rpartition(".")[2].startswith("_") and target_app != app:
                if not target.endswith("__init__"):
                    private.append(f"{name} imports the private module {target}")
    return edges, private


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
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


def test_it_reads_lazy_imports_too():
    edges, _private = _graph()
    # a top-level import and one inside a function (`_queue_generation`'s former kind)
    assert edges["pantau.instruction.loader"] >= {"pantau.instruction.models", "pantau.lib.errors"}
    assert "pantau.figures.read" in edges["pantau.rollups.apps"]  # lazy, in ready()
    assert len(edges) > 50


def test_there_is_no_import_circle():
    edges, _private = _graph()
    circles = {frozenset(c) for c in _circles(edges)}
    assert circles - KNOWN_CIRCLES == set(), sorted(sorted(c) for c in circles - KNOWN_CIRCLES)
    assert KNOWN_CIRCLES - circles == set(), "a known circle is gone: remove it from the list"


def test_no_module_imports_another_apps_private_name():
    _edges, private = _graph()
    assert private == []
