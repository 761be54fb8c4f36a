"""Imports point one way: the layer order of ``acsi/_layers.py``, checked on every import of ``acsi/``.

Every ``import``/``from ... import`` statement (top level, inside functions, classes and
``if`` blocks), relative imports resolved, and ``importlib.import_module``/``__import__``
calls are read from the source with :mod:`ast`.  The test fails

* on a module that belongs to no entry of ``acsi._layers.ENTRIES``;
* on an import from an entry to a higher one (or of the ``acsi`` facade from inside);
* on any import cycle;
* on a dynamic import of acsi whose target is not a string literal (a computed name of a
  third-party optional dependency is allowed).

Each failure names the importing file, the line and the target.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from acsi import _layers

PACKAGE = Path(__file__).resolve().parents[1] / "acsi"


# --------------------------------------------------------------------------- parsing
def modules_of(root: Path, name: str = "acsi") -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is_package) for every ``.py`` file below ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = [name, *rel.parts]
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def _resolve(module: str, is_pkg: bool, level: int, target: str | None) -> str:
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(module: str, path: Path, is_pkg: bool, known: set[str], root_name: str = "acsi"):
    """``[(line, target module, problem or None)]`` for every import of ``root_name.*`` in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []

    def add(line: int, target: str) -> None:
        if target == root_name or target.startswith(root_name + "."):
            # the most specific module that exists (``from .data import X`` -> acsi.report.data)
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            out.append((line, target, None))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_pkg, node.level, node.module) if node.level else (node.module or "")
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(node.lineno, full if full in known else base)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if name not in ("import_module", "__import__") or not node.args:
                continue
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                # a computed name that can reach acsi (relative, or text naming acsi): the layers cannot be checked
                text = ast.unparse(arg)
                if len(node.args) > 1 or "acsi" in text or text.lstrip("f'\"").startswith("."):
                    out.append((node.lineno, "<dynamic>", "dynamic import of acsi with a computed name; import the "
                                                          "module explicitly"))
                continue
            text = arg.value
            if text.startswith("."):
                pkg = node.args[1] if len(node.args) > 1 else None
                level = len(text) - len(text.lstrip("."))
                if pkg is not None:
                    add(node.lineno, _resolve(module, is_pkg, level, text.lstrip(".") or None))
                    continue
            add(node.lineno, text)
    return out


def violations(root: Path, name: str = "acsi", layers=_layers) -> list[str]:
    """Every layer violation and cycle in the package at ``root``, as messages."""
    mods = modules_of(root, name)
    known = set(mods)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    where: dict[tuple[str, str], tuple[Path, int]] = {}
    problems = []
    for mod, (path, is_pkg) in mods.items():
        rel = path.relative_to(root.parent)
        if mod != layers.FACADE and layers.entry_of(mod) is None:
            problems.append(f"{rel}: module {mod} belongs to no entry of acsi/_layers.py ENTRIES; add it there "
                            "(and to docs/ARCHITECTURE.md)")
        if mod == layers.FACADE:
            continue  # the facade may import anything, lazily too
        for line, target, problem in dict.fromkeys(imports_of(mod, path, is_pkg, known, name)):
            if problem:
                problems.append(f"{rel}:{line}: {problem}")
                continue
            if target == mod:
                continue
            if target == layers.FACADE:
                problems.append(f"{rel}:{line}: {mod} imports the facade {target!r}; import the module that "
                                "defines the name instead (e.g. acsi.provenance for the version)")
                continue
            src, dst = layers.entry_of(mod), layers.entry_of(target)
            if src is not None and dst is not None and dst < src:
                problems.append(
                    f"{rel}:{line}: {mod} ({layers.layer_of(mod)}) imports {target} ({layers.layer_of(target)}), "
                    f"which is above it in acsi/_layers.py; move the code or invert the dependency"
                )
            graph[mod].add(target)
            where.setdefault((mod, target), (rel, line))
    problems += [_cycle_message(c, where) for c in cycles(graph)]
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(_one_cycle(sorted(comp), graph))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _one_cycle(comp: list[str], graph) -> list[str]:
    members = set(comp)
    start = comp[0]
    path, seen = [start], {start}
    while True:
        nxt = next(w for w in sorted(graph[path[-1]]) if w in members)
        if nxt in seen:
            return path[path.index(nxt):] + [nxt]
        path.append(nxt)
        seen.add(nxt)


def _cycle_message(cycle: list[str], where) -> str:
    steps = ", ".join(f"{a} -> {b} ({where[(a, b)][0]}:{where[(a, b)][1]})" for a, b in zip(cycle, cycle[1:]))
    return f"import cycle {' -> '.join(cycle)}: {steps}; break it by moving the shared code down a layer"


# --------------------------------------------------------------------------- the package
def test_the_package_imports_point_one_way():
    problems = violations(PACKAGE)
    assert not problems, "\n".join(problems)


def test_every_entry_is_named_in_the_architecture_document():
    doc = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = doc.split("## 1.", 1)[1].split("## 2.", 1)[0]
    missing = [e[0] for e in _layers.ENTRIES if e[0] not in section and e[0] != "acsi._layers"]
    assert not missing, f"entries of acsi/_layers.py not in docs/ARCHITECTURE.md section 1: {missing}"


# --------------------------------------------------------------------------- the checker itself
def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / "acsi" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root / "acsi"


def test_checker_finds_an_upward_import_inside_a_function(tmp_path):
    pkg = _write(tmp_path, {
        "__init__.py": "", "errors.py": "",
        "spec/__init__.py": "", "spec/model.py": "def f():\n    from ..fitting import fit\n",
        "fitting.py": "from .spec.model import f\n",
    })
    problems = violations(pkg)
    assert len(problems) == 2  # the upward import, and the cycle it closes
    assert problems[0].startswith("acsi/spec/model.py:2: acsi.spec.model (stages) imports acsi.fitting (orchestration)")
    assert "import cycle acsi.fitting -> acsi.spec.model -> acsi.fitting" in problems[1]


def test_checker_finds_a_cycle_within_a_package_and_names_the_lines(tmp_path):
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "report/__init__.py": "from .data import load\n",
        "report/data.py": "import acsi.report.render as r\n\ndef load():\n    pass\n",
        "report/render.py": "\n\nfrom . import data\n",
    })
    (msg,) = violations(pkg)
    assert msg.startswith("import cycle acsi.report.data -> acsi.report.render -> acsi.report.data")
    assert "acsi/report/data.py:1" in msg and "acsi/report/render.py:3" in msg


def test_checker_refuses_unknown_modules_the_facade_and_dynamic_imports(tmp_path):
    pkg = _write(tmp_path, {
        "__init__.py": "import importlib\nx = importlib.import_module(f'.{name}', __name__)\n",
        "fitting.py": "",
        "gadget.py": "",
        "errors.py": "import importlib\nfrom . import __version__\nimportlib.import_module(f'.{name}', __package__)\n"
                     "importlib.import_module(optional)  # a third-party optional dependency\n",
    })
    problems = violations(pkg)
    assert any("acsi/gadget.py: module acsi.gadget belongs to no entry" in p for p in problems)
    assert any(p.startswith("acsi/errors.py:2: acsi.errors imports the facade 'acsi'") for p in problems)
    assert any(p.startswith("acsi/errors.py:3: dynamic import of acsi with a computed name") for p in problems)
    assert len(problems) == 3  # the facade's own lazy import is allowed


@pytest.mark.parametrize("module, layer", [("acsi.cli.fit", "front ends"), ("acsi.plot", "stages"),
                                           ("acsi.estimate.quality", "stages"), ("acsi.options", "infrastructure")])
def test_layer_of(module, layer):
    assert _layers.layer_of(module) == layer
