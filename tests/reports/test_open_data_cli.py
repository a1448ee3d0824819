"""``wurao opendata export`` on a fresh database: every resource's bulk files and the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import wurao
from wurao.reports.open_data.resources import RESOURCES

pytestmark = pytest.mark.xdist_group("cli")


def test_export_writes_every_resource_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    assert wurao(tmp_path, "db", "upgrade").returncode == 0
    done = wurao(tmp_path, "opendata", "export")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "opendata"
    for name in RESOURCES:
        assert (out / f"{name}.jsonl").exists() and (out / f"{name}.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    rules = next(f for f in manifest["files"] if f["file"] == "rules.jsonl")
    assert rules["rows"] > 50  # the catalogue needs no data
    assert len((out / "rules.jsonl").read_text().splitlines()) == rules["rows"]
    other = tmp_path / "elsewhere"
    only = wurao(tmp_path, "opendata", "export", "--out", str(other), "--resource", "rules")
    assert only.returncode == 0 and sorted(p.name for p in other.iterdir()) == [
        "manifest.json", "rules.csv", "rules.jsonl"
    ]  # fmt: skip
    bad = wurao(tmp_path, "opendata", "export", "--resource", "people")
    assert bad.returncode == 2 and "people" in bad.stderr
