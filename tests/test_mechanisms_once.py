"""What issue #20 defined once stays defined once: the page size and the paging idiom
(``core/paging.py``), the inspection methods and their labels (``registry/items/methods.py``,
书面核查 the only spelling of the third), the agency roles (``auth/permissions.py``), and no
page recomputes a permission from the actor's role (docs/architecture.md "Paging and
permissions")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "wurao"
TEMPLATES = SRC / "web" / "templates"
PAGING = SRC / "core" / "paging.py"
METHODS = SRC / "registry" / "items" / "methods.py"
PERMISSIONS = SRC / "auth" / "permissions.py"
METHOD_VALUES = {"onsite", "offsite", "written"}
METHOD_LABELS = {"现场检查", "非现场检查", "书面核查"}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"


def _assigned_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def test_the_page_size_and_the_paging_idiom_live_in_core_paging() -> None:
    offenders = []
    for path, tree in _modules():
        if path == PAGING:
            continue
        for node in ast.walk(tree):
            if any(n.endswith("PER_PAGE") for n in _assigned_names(node)):
                offenders.append(f"{_where(path, node)}: a page size of its own")
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr == "offset":  # type: ignore[attr-defined]
                offenders.append(f"{_where(path, node)}: .offset() paging by hand")
    assert not offenders, "use core.paging (paginate, PER_PAGE):\n" + "\n".join(offenders)


def test_methods_and_their_labels_are_defined_once() -> None:
    offenders = []
    for path, tree in _modules():
        if path == METHODS:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                labels = {v.value for v in node.values if isinstance(v, ast.Constant)}
                if len(keys & METHOD_VALUES) >= 2 and labels & METHOD_LABELS:
                    offenders.append(f"{_where(path, node)}: a second table of method labels")
            if "METHODS" in _assigned_names(node):
                value = node.value  # type: ignore[attr-defined]
                if not isinstance(value, ast.Name):  # an alias of the one table is fine
                    offenders.append(f"{_where(path, node)}: METHODS defined again")
    assert not offenders, "read registry/items/methods.py:\n" + "\n".join(offenders)


def test_the_third_method_has_one_spelling() -> None:
    """书面核查 everywhere: "书面检查" was a second spelling of the same method in the draws."""
    found = [
        str(path.relative_to(SRC))
        for path in [*SRC.rglob("*.py"), *TEMPLATES.rglob("*.html")]
        if path != METHODS and "书面检查" in path.read_text(encoding="utf-8")
    ]
    assert not found, found


def test_agency_roles_are_defined_once() -> None:
    offenders = [
        _where(path, node)
        for path, tree in _modules()
        if path != PERMISSIONS
        for node in ast.walk(tree)
        if any(n.lstrip("_") == "AGENCY_ROLES" for n in _assigned_names(node))
    ]
    assert not offenders, "use auth.permissions.AGENCY_ROLES:\n" + "\n".join(offenders)


# A role or a subject id compared in a template is a permission recomputed beside the
# service's predicate; the role shown as a label is not.
ROLE_TEST = re.compile(
    r"actor\.role\.value|actor\.role\s*(==|!=|\bin\b|\bis\b)|actor\.subject_id\s*[=!]="
)


# Role tests that choose what to show, not what is allowed: (file, the line's text).
NOT_PERMISSIONS = {
    # a new table's default owner: the supervisor's region, an agency's subject
    ("discretion/pages.py", "if actor.role is Role.SUPERVISOR:"),
    # the party reads its own case in the enterprise's words (cases/ decides what it shows)
    ("web/templates/cases/detail.html", '{% set party_view = actor.role.value == "enterprise" %}'),
}


def test_no_page_recomputes_a_permission_from_the_role() -> None:
    offenders = []
    pages = [p for p in SRC.rglob("*.py") if p.stem == "pages" or p.stem.endswith("_pages")]
    for path in sorted([*pages, *TEMPLATES.rglob("*.html")]):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = str(path.relative_to(SRC))
            if ROLE_TEST.search(line) and (where, line.strip()) not in NOT_PERMISSIONS:
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()[:100]}")
    assert not offenders, "call the service's may_… predicate instead:\n" + "\n".join(offenders)
