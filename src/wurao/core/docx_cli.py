"""Commands for the regions' document templates (docs/documents.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from wurao.core.docx_layout import example_template
from wurao.core.docx_templates import KINDS, templates_dir

documents_app = typer.Typer(
    help="Generated documents and the regions' templates.", no_args_is_help=True
)


@documents_app.command("kinds")
def kinds() -> None:
    """List the kinds of document a region may supply a template for."""
    for kind, title in KINDS.items():
        typer.echo(f"{kind}\t{title}")


@documents_app.command("template-example")
def template_example(
    kind: str = typer.Argument(..., help="A kind from `wurao documents kinds`."),
    out: Path | None = typer.Option(None, "--out", help="Where to write (default: ./<kind>.docx)."),
) -> None:
    """Write a docxtpl template with the built-in layout, to edit in Word and install."""
    if kind not in KINDS:
        typer.echo(f"没有这种文书：{kind}。可用的有：{'、'.join(KINDS)}", err=True)
        raise typer.Exit(2)
    path = out or Path(f"{kind}.docx")
    letter = kind.startswith(("supervision-", "risk-"))  # 执法文书 and records head in black
    path.write_bytes(example_template(kind, KINDS[kind], letterhead=letter))
    typer.echo(
        f"已写出模板 {path}；修改后放到 {templates_dir()}/<行政区划代码>/{kind}.docx 即生效。"
    )
