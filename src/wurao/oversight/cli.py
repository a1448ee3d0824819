"""``wurao rules sweep`` (the scheduled supervision sweep) and ``wurao rules list``."""

from __future__ import annotations

import datetime as dt

import typer

from wurao.core import workdays
from wurao.core.db import session_scope
from wurao.core.holidays import load_calendar
from wurao.oversight import engine, rules

rules_app = typer.Typer(help="监督规则 / supervision rules and alerts.", no_args_is_help=True)


@rules_app.command("sweep")
def sweep(
    today: str = typer.Option("", "--today", help="Evaluate as of YYYY-MM-DD (default today)."),
    only: list[str] = typer.Option([], "--only", help="Only this rule id (repeatable)."),
) -> None:
    """Evaluate every rule and raise an alert per new finding (idempotent)."""
    day = dt.date.fromisoformat(today) if today else None
    with session_scope() as session:
        workdays.configure(lambda: load_calendar(session))
        try:
            result = engine.sweep(session, today=day, only=only)
        finally:
            workdays.configure(None)
    for rule_id, n in result.raised.items():
        typer.echo(f"{rule_id}\t新增 {n}")
    typer.echo(f"共新增预警 {result.total} 条；已有 {result.known} 条未重复提出。")


@rules_app.command("list")
def list_rules() -> None:
    """Print every rule with its severity and source."""
    for r in rules.RULES:
        typer.echo(f"{r.id}\t{r.severity}\t{r.title}\t{r.source}")
