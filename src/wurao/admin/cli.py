"""Calendar and audit commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from wurao.admin import service
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.db import session_scope
from wurao.core.errors import DomainError
from wurao.core.holidays import load_calendar, parse_schedule

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
    start: str = typer.Argument(..., help="Date YYYY-MM-DD."),
    n: int = typer.Option(0, help="Add N working days."),
) -> None:
    """Say whether a day is a working day, and what date N working days later is."""
    day = dt.date.fromisoformat(start)
    try:
        with session_scope(write=False) as session:
            cal = load_calendar(session)
        typer.echo(f"{day}：{'工作日' if cal.is_working_day(day) else '休息日'}")
        if n:
            typer.echo(f"{n}个工作日后：{cal.add_working_days(day, n)}")
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(1) from None


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; report the first broken entry or the count checked."""
    with session_scope(write=False) as session:
        result = audit.verify_chain(session)
    if result.ok:
        typer.echo(f"审计链完整：已校验 {result.checked} 条记录。")
        return
    typer.echo(
        f"审计链在第 {result.broken_seq} 条记录处断开：{result.reason}"
        f"（此前 {result.checked} 条完整）。",
        err=True,
    )
    raise typer.Exit(1)
