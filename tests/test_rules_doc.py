"""docs/rules.md is generated from the code, and the repository cites nothing outside itself."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from wurao import rules_doc
from wurao.cli import app

ROOT = Path(__file__).resolve().parents[1]
# Files of the project's steering material that live outside this repository.
OUTSIDE = re.compile(r"\.\./shared|\b(RULES|DESIGN|STYLE)\.md\b|\bDOMAIN-NOTES\b|\bseeds/")


def test_rules_page_matches_the_code() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_doc.render(), "docs/rules.md is stale: run `wurao rules doc`"


def test_rules_page_lists_every_rule_and_parameter() -> None:
    text = rules_doc.render()
    for entry in [
        *rules_doc.precheck_entries(),
        *rules_doc.planning_entries(),
        *rules_doc.supervision_entries(),
    ]:
        assert f"| {entry.rule_id} |" in text
    assert "`inspection.onsite_cap_per_year`" in text
    assert "DAY-XZCF" in text


def test_rules_doc_command_prints_the_page() -> None:
    result = CliRunner().invoke(app, ["rules", "doc", "--output", "-"])
    assert result.exit_code == 0, result.output
    assert result.output == rules_doc.render()


def test_repository_cites_nothing_outside_itself() -> None:
    offenders = []
    files = [ROOT / "README.md", *ROOT.glob("docs/**/*.md")]
    files += [p for p in (ROOT / "src").rglob("*") if p.suffix in {".py", ".toml", ".html", ".md"}]
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
