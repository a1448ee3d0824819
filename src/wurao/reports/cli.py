"""``wurao plan export --year Y [--region CODE] FILE.xlsx``: the filing package (备案材料);
``wurao report annual --year Y --subject ID``: recompute a subject's annual statistics and
exit 1 when they differ from what is stored; ``wurao report draft``: generate the drafts."""

from __future__ import annotations

from pathlib import Path

import typer

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core.db import session_scope
from wurao.core.errors import DomainError
from wurao.core.time import LOCAL_TZ
from wurao.reports.annual import service as annual_service
from wurao.reports.filing import filing_package

plan_app = typer.Typer(help="年度检查计划 / annual inspection plans.", no_args_is_help=True)


@plan_app.command("export")
def export(
    file: Path = typer.Argument(..., help="FILE.xlsx to write"),
    year: int = typer.Option(..., "--year", help="Plan year."),
    region: str = typer.Option("", "--region", help="Region code (this region and below)."),
) -> None:
    """Write every published plan version of a year (and region) as .xlsx: plans and entries."""
    try:
        with session_scope(write=False) as session:
            data = filing_package(session, actor=SYSTEM_ACTOR, year=year, region=region)
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(2) from None
    file.write_bytes(data)
    typer.echo(f"已写出{year}年度检查计划备案材料：{file}")


report_app = typer.Typer(
    help="年度行政执法数据 / annual enforcement statistics.", no_args_is_help=True
)


@report_app.command("annual")
def annual(
    year: int = typer.Option(..., "--year", help="Statistics year."),
    subject: int = typer.Option(..., "--subject", help="Enforcement subject id."),
) -> None:
    """Recompute a subject's stored annual figures from the records; exit 1 if they differ."""
    with session_scope(write=False) as session:
        report = annual_service.find_report(session, subject_id=subject, year=year)
        if report is None:
            typer.echo(f"错误：执法主体 {subject} 没有{year}年度行政执法数据。", err=True)
            raise typer.Exit(2)
        differences = annual_service.recompute(session, report)
        computed_at = report.computed_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    if differences:
        typer.echo(f"{year}年度数据与平台记录不一致（数据查询时间 {computed_at}）：")
        for d in differences:
            typer.echo(f"  {d.key}（{d.label}）：公布 {d.stored}，重新计算 {d.now}")
        raise typer.Exit(1)
    typer.echo(f"{year}年度数据与平台记录一致（数据查询时间 {computed_at}）。")


@report_app.command("draft")
def draft(
    year: int = typer.Option(..., "--year", help="Statistics year (a finished one)."),
    subject: int = typer.Option(0, "--subject", help="One subject id (default: every one)."),
) -> None:
    """Generate the drafts of a year from the records (every announced subject without a
    report, or refresh one subject's draft)."""
    try:
        with session_scope() as session:
            written = annual_service.generate_drafts(
                session, actor=SYSTEM_ACTOR, year=year, subject_id=subject or None
            )
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"已生成{year}年度行政执法数据草稿{written}份。")
