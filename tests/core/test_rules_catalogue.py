"""One rule catalogue: an id is defined once, in ``wurao.core.rules``, and every place that
names a rule — a pre-check, a planning or registry check, a trigger, the sweep, a clock, a
template — names one the catalogue defines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from wurao.core import clock
from wurao.core import rules as catalogue
from wurao.core.policy import get_policy
from wurao.inspections import rules as prechecks
from wurao.oversight import rules as supervision
from wurao.oversight import triggers

SRC = Path(__file__).resolve().parents[2] / "src" / "wurao"
CATALOGUE = SRC / "core" / "rules.py"
# "A5 INSP-FREQ-CAP", "A INSP-TARGET-STATUS", "F2 DEREGISTERED" … (docs/rules.md sections A–L)
RULE_ID = re.compile(r"^[A-L][0-9]{0,2} [A-Z]+(?:-[A-Z0-9]+)*$")
QUOTED = re.compile(r"[\"']([^\"'\n]{3,60})[\"']")
IDS = {r.id for r in catalogue.catalogue()}


def _names_a_rule(text: str) -> bool:
    return bool(RULE_ID.match(text)) or text in IDS


def test_an_id_defined_twice_is_refused() -> None:
    before = catalogue.catalogue()
    with pytest.raises(ValueError, match="defined twice"):
        catalogue.define("A5 INSP-FREQ-CAP", "另一个标题", "另一个依据", "WARN")
    assert catalogue.catalogue() == before
    assert catalogue.rule("A5 INSP-FREQ-CAP").title == "同一主体对同一企业现场检查年度频次上限"


def test_an_unknown_id_is_refused() -> None:
    with pytest.raises(catalogue.UnknownRule):
        catalogue.rule("A99 NO-SUCH-RULE")
    with pytest.raises(ValueError, match="severity"):
        catalogue.define("Z1 NEW", "标题", "依据", "MAYBE")


def test_every_entry_is_complete() -> None:
    params = get_policy().parameters
    for r in catalogue.catalogue():
        assert r.title and r.source and r.severity in catalogue.SEVERITIES, r.id
        assert all(name in params for name in r.params), r.id


def test_no_rule_id_is_written_outside_the_catalogue() -> None:
    """A literal id elsewhere in the code would be a second definition (or a typo): the
    domains bind the catalogue's entries instead."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == CATALOGUE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _names_a_rule(node.value)
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value}")
    assert not offenders, "\n".join(offenders)


def test_templates_name_only_catalogue_rules() -> None:
    unknown = []
    for path in sorted((SRC / "web" / "templates").rglob("*.html")):
        for text in QUOTED.findall(path.read_text(encoding="utf-8")):
            if RULE_ID.match(text) and text not in IDS:
                unknown.append(f"{path.relative_to(SRC)}: {text}")
    assert not unknown, "\n".join(unknown)


def test_prechecks_apply_catalogue_entries() -> None:
    keys = [check.key for check, _ in prechecks.RULES]
    assert len(keys) == len(set(keys))
    for check, _ in prechecks.RULES:
        assert catalogue.rule(check.rule_id) is check.rule


def test_the_sweep_has_one_rule_per_catalogue_id() -> None:
    ids = [r.id for r in supervision.RULES]
    assert len(ids) == len(set(ids))
    for r in supervision.RULES:
        assert catalogue.rule(r.id) is r.rule
        assert r.severity in catalogue.SEVERITIES


def test_triggers_name_swept_catalogue_rules() -> None:
    for _label, ids in triggers.EVENTS:
        for rule_id in ids:
            assert catalogue.rule(rule_id).id in supervision.BY_ID


def test_clocks_belong_to_catalogue_rules() -> None:
    clocks = [c for c in vars(clock).values() if isinstance(c, clock.Clock)]
    assert clocks
    for c in clocks:
        assert catalogue.rule(c.rule.id) is c.rule and c.param in c.rule.params
