"""``wurao import KIND FILE.xlsx`` and ``wurao import template KIND FILE.xlsx``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core.db import session_scope
from wurao.core.errors import DomainError
from wurao.registry.imports import service
from wurao.registry.imports.sheets import SPECS

console = Console(stderr=True)


def import_command(
    kind: str = typer.Argument(
        ..., help="regions | subjects | officers | enterprises | items, or 'template'"
    ),
    first: Path = typer.Argument(..., help="FILE.xlsx (or, after 'template', the KIND)"),
    second: Path | None = typer.Argument(None, help="with 'template': the file to write"),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the valid rows even when some rows are rejected."
    ),
) -> None:
    """Import a registry from .xlsx (validated row by row), or write its template.

    Without --skip-invalid nothing is imported when any row is rejected. The exit status is 1
    whenever rows were rejected, 0 otherwise.
    """
    if kind == "template":
        target = second
        if target is None:
            raise typer.BadParameter("用法：wurao import template KIND FILE.xlsx")
        try:
            data = service.template(str(first))
        except DomainError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(2) from None
        target.write_bytes(data)
        typer.echo(f"已写出{SPECS[str(first)].title}导入模板：{target}")
        return
    path = first
    if not path.exists():
        typer.echo(f"错误：文件不存在：{path}", err=True)
        raise typer.Exit(2)
    data = path.read_bytes()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with session_scope() as session, Progress(*columns, console=console) as progress:
            check = progress.add_task("校验", total=None)
            report = service.validate(
                session,
                actor=SYSTEM_ACTOR,
                kind=kind,
                data=data,
                progress=lambda n: progress.update(check, completed=n),
            )
            progress.update(check, total=report.total, completed=report.total)
            write = progress.add_task("写入", total=len(report.valid))
            service.apply(
                session,
                actor=SYSTEM_ACTOR,
                report=report,
                accept_valid=skip_invalid,
                progress=lambda n: progress.update(write, completed=n),
            )
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(2) from None
    if report.problems:
        table = Table(title=f"被拒绝的行（{report.rejected_rows}行）")
        for header in ("行", "列", "填写值", "原因"):
            table.add_column(header)
        for p in report.problems[:200]:
            table.add_row(str(p.row), p.column, p.value, p.reason)
        console.print(table)
        if len(report.problems) > 200:
            console.print(f"……另有 {len(report.problems) - 200} 条问题未显示")
    if report.applied:
        typer.echo(
            f"{SPECS[kind].title}：共{report.total}行，新增{report.created}，更新{report.updated}，"
            f"未变{report.unchanged}，拒绝{report.rejected_rows}"
        )
    else:
        typer.echo(
            f"{SPECS[kind].title}：共{report.total}行，其中{report.rejected_rows}行有问题，"
            "未导入任何数据（如需只导入通过校验的行，请加 --skip-invalid）"
        )
    if report.rejected_rows:
        raise typer.Exit(1)
