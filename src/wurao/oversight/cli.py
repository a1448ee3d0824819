"""``wurao rules sweep`` (the scheduled supervision sweep), ``wurao rules list`` and
``wurao indicators rebuild|check`` (the dashboard's kept figures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from wurao.core import workdays
from wurao.core.db import session_scope
from wurao.core.holidays import load_calendar
from wurao.core.rules import catalogue
from wurao.oversight import engine, indicators

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
    for note in result.notes:
        typer.echo(note)


@rules_app.command("doc")
def doc(
    output: Path = typer.Option(
        Path("docs/rules.md"), "--output", "-o", help="Where to write the page ('-' prints it)."
    ),
) -> None:
    """Write docs/rules.md: every coded rule and policy parameter with its source."""
    from wurao import rules_doc  # the page gathers every domain's rules; only this command needs it

    text = rules_doc.render()
    if str(output) == "-":
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"已写入 {output}")


@rules_app.command("list")
def list_rules() -> None:
    """Print every rule of the catalogue with its severity and source."""
    for r in catalogue():
        typer.echo(f"{r.id}\t{r.severity}\t{r.title}\t{r.source}")


indicators_app = typer.Typer(
    help="监督看板指标 / the dashboard's kept figures.", no_args_is_help=True
)


@indicators_app.command("rebuild")
def rebuild() -> None:
    """Recompute the dashboard's figures from the records (after a bulk import or upgrade)."""
    with session_scope() as session:
        result = indicators.rebuild(session)
    typer.echo(
        f"已重算：按日地区 {result.days} 行，按月主体 {result.subject_months} 行，"
        f"按年企业 {result.enterprise_years} 行，企业检查次数分布 {result.times_years} 行。"
    )


@indicators_app.command("check")
def check() -> None:
    """Compare the kept figures with a fresh computation; exit 1 when they differ."""
    with session_scope() as session:
        kept = indicators.snapshot(session)
        indicators.rebuild(session)
        fresh = indicators.snapshot(session)
        session.rollback()  # a check changes nothing
    differ = [name for name in kept if kept[name] != fresh[name]]
    for name in differ:
        typer.echo(
            f"{name}：仅在现存数据中 {len(kept[name] - fresh[name])} 行，"
            f"仅在重算结果中 {len(fresh[name] - kept[name])} 行"
        )
    if differ:
        typer.echo("看板指标与检查记录不一致，请运行 wurao indicators rebuild。")
        raise typer.Exit(1)
    typer.echo("看板指标与检查记录一致。")
