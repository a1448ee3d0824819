"""Calendar and audit commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from wurao.admin import service
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit, workdays
from wurao.core.db import session_scope
from wurao.core.errors import DomainError
from wurao.core.holidays import load_calendar, parse_schedule, schedule_due, year_ranges
from wurao.core.policy import NATIONAL, get_policy
from wurao.core.time import format_local, local_today

calendar_app = typer.Typer(
    help="Working-day calendar (official holiday schedules).", no_args_is_help=True
)
audit_app = typer.Typer(help="Audit log.", no_args_is_help=True)


@calendar_app.command("import")
def calendar_import(
    file: Path = typer.Argument(..., exists=True, readable=True, help="Notice text or CSV."),
    year: int | None = typer.Option(None, help="Year, if the notice's title does not say."),
) -> None:
    """Import a year's State Council holiday schedule (notice text or date,kind,name CSV)."""
    text = file.read_text(encoding="utf-8-sig")
    try:
        parsed_year, days = parse_schedule(text, filename=file.name, year=year)
        with session_scope() as session:
            service.import_schedule(
                session, actor=SYSTEM_ACTOR, year=parsed_year, days=days, source=f"文件 {file.name}"
            )
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(1) from None
    holidays = [d for d in days if not d.is_working]
    working = [d for d in days if d.is_working]
    typer.echo(f"已导入{parsed_year}年安排：放假{len(holidays)}天，调休上班{len(working)}天")
    for d in days:
        typer.echo(f"  {d.day}  {'班' if d.is_working else '休'}  {d.name}")


@calendar_app.command("show")
def calendar_show(
    start: str = typer.Argument("", help="Date YYYY-MM-DD (optional)."),
    n: int = typer.Option(0, help="Add N working days."),
) -> None:
    """List the years whose holiday schedule is known; for a date, whether it is a working day."""
    try:
        day = dt.date.fromisoformat(start) if start else None
    except ValueError:
        typer.echo("错误：日期格式应为 YYYY-MM-DD。", err=True)
        raise typer.Exit(1) from None
    with session_scope(write=False) as session:
        cal = load_calendar(session)
        imported = service.list_years(session)
    typer.echo(f"日历程序包（chinese-calendar）已知年份：{year_ranges(workdays.package_years())}")
    if imported:
        for y in sorted(imported, key=lambda r: r.year):
            typer.echo(
                f"已导入 {y.year} 年：{y.source}（{format_local(y.imported_at)} {y.imported_by}）"
            )
    else:
        typer.echo("已导入年份：无")
    today = local_today()
    due = schedule_due(cal, today, get_policy().value(service.WARN_FROM, NATIONAL, today))
    if due is not None:
        typer.echo(
            f"提醒：尚未导入{due}年法定节假日安排，请在国务院办公厅通知发布后用 "
            f"wurao calendar import 导入。"
        )
    if day is None:
        return
    try:
        typer.echo(f"{day}：{'工作日' if cal.is_working_day(day) else '休息日'}")
        if n:
            typer.echo(f"{n}个工作日后：{cal.add_working_days(day, n)}")
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(1) from None


@audit_app.command("verify")
def audit_verify(
    rows: bool = typer.Option(
        False,
        "--rows",
        help="Also compare every audited row with the state its last audit entry vouches for.",
    ),
) -> None:
    """Recompute the hash chain (and with --rows the business rows); exit 1 on any finding."""
    with session_scope(write=False) as session:
        result = audit.verify_chain(session)
        checked = audit.verify_rows(session) if rows and result.ok else None
    if not result.ok:
        typer.echo(
            f"审计链在第 {result.broken_seq} 条记录处断开：{result.reason}"
            f"（此前 {result.checked} 条完整）。",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"审计链完整：已校验 {result.checked} 条记录。")
    if checked is None:
        return
    typer.echo(
        f"业务数据：已比对 {checked.checked} 行；另有 {checked.unvouched} 行为批量导入或随其他"
        f"对象写入，审计记录不含其逐行状态，未比对。"
    )
    if checked.ok:
        typer.echo("业务数据与审计记录一致。")
        return
    for finding in checked.findings:
        typer.echo(finding.message, err=True)
    typer.echo(f"发现 {len(checked.findings)} 行在平台之外被改动或删除。", err=True)
    raise typer.Exit(1)
