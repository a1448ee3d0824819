"""The import layers of ``src/wurao``: no cycle between domains, no import from a lower domain
into a higher one (docs/architecture.md, "Layers of the code").

Every ``import`` in every module counts — at the top, inside a function (where a cycle used to
hide) and under ``if TYPE_CHECKING:`` (a type-only import still makes the lower domain know the
higher one's definitions; a lower domain that needs a higher type is wired the wrong way). Only
names built at run time (``importlib.import_module`` of a string, as ``core.models_registry``
does to register every table) are not seen.

A domain package is split into three units, because its parts sit at different heights:
``models`` (its tables; they import core and other models only), its services (every other
module) and its ``routes`` (``pages``, ``api``, ``schemas``, ``cli`` and
``*_pages``/``*_api``/``*_forms``, the parsing of a page's forms), which sit on top of the
shared web kit (``wurao.web`` minus the app assembly) while the web kit sits on top of the
services it calls (``auth`` for the session, ``admin`` for the calendar
warning). The layer order holds for all three: a domain uses the tables of its own layer and
the ones below, never a higher domain's. Two layers hold two domains whose tables refer to
each other's — a user belongs to an organ of the registry and the registry's services check
the user's scope; a task refers to its draw and executing a draw creates tasks — which is why
the cycle check works on these units, not on whole packages: the services of such a pair
must still not import each other in a circle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. A domain may import its own layer and the ones below; domains in one layer
# must not form a cycle either.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    frozenset({"auth", "registry", "admin"}),
    frozenset({"planning"}),
    frozenset({"sampling", "inspections"}),
    frozenset({"joint"}),
    frozenset({"discretion"}),  # benchmarks and leniency lists: the decision asks them
    frozenset({"cases"}),
    frozenset({"oversight", "rules_doc"}),
    frozenset({"reports"}),
)
RANK = {domain: rank for rank, layer in enumerate(LAYERS) for domain in layer}
# The composition root: may import anything, imported by nothing below it.
ENTRY = frozenset({"cli", "wiring", "demo", "web.app", "web.main", "web.pages"})
# Alembic's revisions are frozen history: they may read core, never a domain's code.
MIGRATIONS = "migrations"
WEB_KIT = "web"
ROUTE_MODULES = frozenset({"pages", "api", "schemas", "cli"})


@dataclass(frozen=True)
class Unit:
    """Where a module sits: a domain's ``models``/``services``/``routes``, the web kit, the
    migrations, core or the entry layer."""

    domain: str
    part: str = ""

    def __str__(self) -> str:
        return f"{self.domain}.{self.part}" if self.part else self.domain


@dataclass(frozen=True)
class Edge:
    module: str
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.module} line {self.line} imports {self.target}"


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> Unit:
    """Classify a ``wurao.…`` module name."""
    parts = module.split(".")[1:]
    if not parts or parts[0] == "core":
        return Unit("core")
    top = parts[0]
    if top == MIGRATIONS:
        return Unit(MIGRATIONS)
    if top == "web":
        sub = ".".join(parts[:2])
        return Unit("entry", sub) if sub in ENTRY else Unit(WEB_KIT)
    if top in ENTRY:
        return Unit("entry", top)
    last = parts[-1]
    if last == "models":
        return Unit(top, "models")
    if last in ROUTE_MODULES or last.endswith(("_pages", "_api", "_forms")):
        return Unit(top, "routes")
    return Unit(top, "services")


def imports_of(path: Path, root: Path = SRC) -> list[tuple[int, str]]:
    """Every ``wurao`` module a file imports, with the line, wherever the statement is."""
    module = module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            # ``from wurao.inspections import models`` imports the module ``models``
            out += [(node.lineno, _submodule(root, target, a.name)) for a in node.names]
    found = [(line, name) for line, name in out if name == "wurao" or name.startswith("wurao.")]
    return list(dict.fromkeys(found))  # ``from x import a, b`` is one import of x


def _submodule(root: Path, package: str, name: str) -> str:
    """``package.name`` when that is a module of its own, else ``package``."""
    path = root.joinpath(*package.split("."), name)
    if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
        return f"{package}.{name}"
    return package


def edges(root: Path = SRC) -> dict[tuple[Unit, Unit], list[Edge]]:
    """The unit graph with, for each arc, the import statements that make it."""
    graph: dict[tuple[Unit, Unit], list[Edge]] = defaultdict(list)
    for path in sorted((root / "wurao").rglob("*.py")):
        module = module_name(path, root)
        src = unit_of(module)
        for line, target in imports_of(path, root):
            dst = unit_of(target)
            if dst != src:
                graph[(src, dst)].append(Edge(module, line, target))
    return graph


def problem(src: Unit, dst: Unit) -> str | None:
    """Why ``src`` must not import ``dst`` (None when it may)."""
    if dst.domain == "core" or src.domain == "entry":
        return None
    if src.domain == "core":
        return "core imports nothing of the domains"
    if dst.domain == "entry":
        return f"{dst} is the composition root; only the entry layer imports it"
    if src.domain == MIGRATIONS or dst.domain == MIGRATIONS:
        return "migrations are frozen history: they read core only and nobody imports them"
    if dst.domain == WEB_KIT:
        return None if src.part == "routes" else "only routes use the web kit"
    if src.domain == WEB_KIT:
        return None if dst.part != "routes" else "the web kit does not import routes"
    for unit in (src, dst):
        if unit.domain not in RANK:
            return f"package {unit.domain} has no layer: add it to LAYERS"
    if src.part == "models" and dst.part != "models":
        return "models import core and other models only"
    if dst.part == "routes" and src.part != "routes":
        return "a service never imports routes"
    if RANK[dst.domain] > RANK[src.domain]:
        return (
            f"{src.domain} (layer {RANK[src.domain]}) is below {dst.domain} "
            f"(layer {RANK[dst.domain]}); to let a higher domain react, emit an event "
            "(wurao.core.events)"
        )
    return None


def cycles(graph: dict[tuple[Unit, Unit], list[Edge]]) -> list[list[Unit]]:
    """The strongly connected components of more than one unit (Tarjan)."""
    succ: dict[Unit, list[Unit]] = defaultdict(list)
    for src, dst in graph:
        succ[src].append(dst)
    index: dict[Unit, int] = {}
    low: dict[Unit, int] = {}
    stack: list[Unit] = []
    on_stack: set[Unit] = set()
    found: list[list[Unit]] = []

    def visit(v: Unit) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
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
                found.append(sorted(component, key=str))

    for v in sorted(set(succ), key=str):
        if v not in index:
            visit(v)
    return found


def test_no_import_from_a_lower_layer_into_a_higher_one() -> None:
    wrong = [
        f"{edge}: {why}"
        for (src, dst), found in sorted(edges().items(), key=str)
        if (why := problem(src, dst)) is not None
        for edge in found
    ]
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycle_between_domains() -> None:
    graph = edges()
    report = []
    for component in cycles(graph):
        members = set(component)
        arcs = [
            str(edge)
            for (src, dst), found in sorted(graph.items(), key=str)
            if src in members and dst in members
            for edge in found
        ]
        report.append(" ↔ ".join(map(str, component)) + ":\n  " + "\n  ".join(arcs))
    assert not report, "import cycles:\n" + "\n".join(report)


def test_every_package_has_a_layer() -> None:
    known = {*RANK, MIGRATIONS, WEB_KIT, *ENTRY}
    packages = {
        p.name
        for p in (SRC / "wurao").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    } - {"__init__.py"}
    names = {p.removesuffix(".py") for p in packages}
    assert names <= known, f"packages without a layer: {sorted(names - known)}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from wurao.oversight import triggers\n", "wurao.oversight.triggers"),
        ("def f():\n    from wurao.oversight import triggers\n", "wurao.oversight.triggers"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from wurao.oversight.models import Alert\n",
            "wurao.oversight.models",
        ),
        ("from ..oversight import engine\n", "wurao.oversight.engine"),
    ],
)
def test_the_scan_sees_hidden_imports(tmp_path: Path, source: str, expected: str) -> None:
    """Imports inside functions, under TYPE_CHECKING and relative ones are all found."""
    for package in ("inspections", "oversight"):
        (tmp_path / "wurao" / package).mkdir(parents=True)
        (tmp_path / "wurao" / package / "__init__.py").write_text("", encoding="utf-8")
    for name in ("triggers", "models", "engine"):
        (tmp_path / "wurao" / "oversight" / f"{name}.py").write_text("", encoding="utf-8")
    path = tmp_path / "wurao" / "inspections" / "service.py"
    path.write_text(source, encoding="utf-8")
    assert expected in [name for _, name in imports_of(path, tmp_path)]
    assert problem(unit_of("wurao.inspections.service"), unit_of(expected)) is not None
