"""``wurao opendata export [--out DIR] [--resource NAME …]``: the open data's bulk files."""

from __future__ import annotations

from pathlib import Path

import typer

from wurao.core.db import session_scope
from wurao.reports.open_data.export import bulk_dir, export_all
from wurao.reports.open_data.resources import RESOURCES

opendata_app = typer.Typer(help="开放数据 / open data.", no_args_is_help=True)


@opendata_app.command("export")
def export(
    out: Path | None = typer.Option(None, "--out", help="Directory (default: <var>/opendata)."),
    resource: list[str] = typer.Option([], "--resource", help="Only these resources."),
) -> None:
    """Write every resource as CSV and JSON Lines (run nightly; the API serves the files)."""
    unknown = [r for r in resource if r not in RESOURCES]
    if unknown:
        typer.echo(
            f"错误：没有这些资源：{'、'.join(unknown)}（可选：{'、'.join(RESOURCES)}）", err=True
        )
        raise typer.Exit(2)
    with session_scope(write=False) as session:
        written = export_all(session, out=out, names=resource or None)
    for w in written:
        typer.echo(f"{w.path.name}\t{w.rows}行\t{w.sha256[:16]}")
    typer.echo(f"已写出开放数据批量文件：{bulk_dir(out)}")
