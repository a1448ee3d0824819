"""``wurao plan export --year Y [--region CODE] FILE.xlsx``: the filing package (备案材料)."""

from __future__ import annotations

from pathlib import Path

import typer

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core.db import session_scope
from wurao.core.errors import DomainError
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
