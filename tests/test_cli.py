"""The ``wurao`` command, run as a user would run it, on a fresh SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_holidays import NOTICE_2026

pytestmark = pytest.mark.xdist_group("cli")


def wurao(var: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WURAO_VAR_DIR": str(var), "WURAO_DATABASE_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "wurao.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-var")
    done = wurao(path, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    assert "kc_sfj" in done.stdout and "Wurao@2026" in done.stdout
    return path


def test_help_lists_the_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "wurao.cli", "--help"], capture_output=True, text=True
    )
    for command in ("db", "serve", "user", "calendar", "audit", "demo"):
        assert command in out.stdout


def test_db_upgrade_on_an_empty_database(tmp_path: Path) -> None:
    done = wurao(tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "wurao.sqlite3").exists()


def test_user_add_with_role_and_region(var: Path) -> None:
    done = wurao(
        var,
        "user",
        "add",
        "cli_supervisor",
        "--role",
        "supervisor",
        "--region",
        "330803",
        "--name",
        "命令行用户",
        input="Passw0rd!x\nPassw0rd!x\n",
    )
    assert done.returncode == 0, done.stderr
    assert "已创建账号 cli_supervisor" in done.stdout
    again = wurao(
        var,
        "user",
        "add",
        "cli_supervisor",
        "--role",
        "supervisor",
        "--region",
        "330803",
        input="Passw0rd!x\nPassw0rd!x\n",
    )
    assert again.returncode == 1 and "已存在" in again.stderr


def test_calendar_import_then_show(var: Path, tmp_path: Path) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2026.replace("2026年", "2027年"), encoding="utf-8")
    before = wurao(var, "calendar", "show", "2027-03-01", "--n", "1")
    assert before.returncode == 1 and "2027年" in before.stderr
    done = wurao(var, "calendar", "import", str(notice))
    assert done.returncode == 0, done.stderr
    assert "已导入2027年安排" in done.stdout
    after = wurao(var, "calendar", "show", "2027-10-01")
    assert after.returncode == 0 and "休息日" in after.stdout


def test_audit_verify_counts_entries(var: Path) -> None:
    done = wurao(var, "audit", "verify")
    assert done.returncode == 0 and "审计链完整" in done.stdout


def test_policy_show_prints_source(var: Path) -> None:
    done = wurao(var, "policy", "show", "inspection.onsite_cap_per_year", "--region", "330802")
    assert done.returncode == 0
    assert "衢政办发〔2025〕16号" in done.stdout


def test_indicators_check_finds_a_tampered_figure_and_rebuild_mends_it(var: Path) -> None:
    import sqlite3

    assert wurao(var, "indicators", "check").returncode == 0
    with sqlite3.connect(var / "wurao.sqlite3") as conn:
        # the demo's history fills the table; one figure a little off is what check must find
        changed = conn.execute(
            "UPDATE indicator_day SET inspections = inspections + 1"
            " WHERE rowid = (SELECT min(rowid) FROM indicator_day)"
        ).rowcount
        assert changed == 1
    bad = wurao(var, "indicators", "check")
    assert bad.returncode == 1 and "indicator_day" in bad.stdout, bad.stdout
    assert wurao(var, "indicators", "rebuild").returncode == 0
    assert wurao(var, "indicators", "check").returncode == 0


def test_policy_show_without_region_lists_every_regions_value(var: Path) -> None:
    done = wurao(var, "policy", "show", "inspection.onsite_cap_per_year")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any("区划000000" in line and "国办发〔2024〕54号" in line for line in lines)
    assert any("区划330800" in line and "衢政办发〔2025〕16号" in line for line in lines)
    everything = wurao(var, "policy", "show")
    assert everything.returncode == 0, everything.stderr
    assert "calendar.warn_from" in everything.stdout


def test_policy_show_for_the_national_default_and_a_bad_region(var: Path) -> None:
    national = wurao(var, "policy", "show", "inspection.onsite_cap_per_year", "--region", "000000")
    assert national.returncode == 0, national.stderr
    assert "区划000000" in national.stdout and "区划330800" not in national.stdout
    bad = wurao(var, "policy", "show", "--region", "990000")
    assert bad.returncode == 1 and "行政区划代码" in bad.stderr and "Traceback" not in bad.stderr
    unknown = wurao(var, "policy", "show", "no.such_parameter")
    assert unknown.returncode == 1 and "没有名为" in unknown.stderr


def test_backup_and_restore_commands(var: Path, tmp_path: Path) -> None:
    file = tmp_path / "wurao.backup"
    done = wurao(var, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert "已备份到" in done.stdout and file.exists()
    fresh = tmp_path / "fresh-var"
    restored = wurao(fresh, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "审计链完整" in restored.stdout and "审计链末条" in restored.stdout
    refused = wurao(fresh, "restore", str(file))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert wurao(fresh, "restore", str(file), "--force").returncode == 0
    assert wurao(fresh, "audit", "verify").returncode == 0


def test_calendar_show_lists_the_known_years(var: Path, tmp_path: Path) -> None:
    from wurao.core import workdays

    years = workdays.package_years()
    shown = wurao(var, "calendar", "show")
    assert shown.returncode == 0, shown.stderr
    assert f"{years[0]}–{years[-1]}" in shown.stdout
    later = max(years) + 2
    notice = tmp_path / f"{later}.txt"
    notice.write_text(NOTICE_2026.replace("2026年", f"{later}年"), encoding="utf-8")
    assert wurao(var, "calendar", "import", str(notice)).returncode == 0
    shown = wurao(var, "calendar", "show")
    assert f"已导入 {later} 年" in shown.stdout
