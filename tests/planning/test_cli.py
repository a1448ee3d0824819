"""``wurao plan export``, run as a user would run it, on a fresh SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.xdist_group("cli")


def _wurao(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WURAO_VAR_DIR": str(var), "WURAO_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "wurao.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plan_export_writes_the_filing_package(tmp_path: Path) -> None:
    assert _wurao(tmp_path, "db", "upgrade").returncode == 0
    out = tmp_path / "备案.xlsx"
    done = _wurao(tmp_path, "plan", "export", "--year", "2026", "--region", "330802", str(out))
    assert done.returncode == 0, done.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["计划", "检查内容"]
    assert wb["计划"]["B1"].value == "执法主体"
    bad = _wurao(tmp_path, "plan", "export", "--year", "2026", "--region", "12", str(out))
    assert bad.returncode == 2 and "错误" in bad.stderr
