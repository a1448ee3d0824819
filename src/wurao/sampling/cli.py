"""``wurao draw``: recompute a published 双随机 draw from its artefacts and pool file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from wurao.sampling import algorithm

draw_app = typer.Typer(help="双随机抽查：核验公开的抽取结果。", no_args_is_help=True)


@draw_app.command("verify")
def verify(
    artefacts: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="抽查材料 artefacts.json（公开页面下载）。"
    ),
    pool: Path | None = typer.Option(
        None, "--pool", help="名录库文件 pool.csv；缺省时取与 artefacts.json 同目录的 pool.csv。"
    ),
) -> None:
    """Recompute the selection and officer teams; exit 1 unless everything matches."""
    pool_path = pool or artefacts.with_name("pool.csv")
    if not pool_path.is_file():
        typer.echo(f"找不到名录库文件：{pool_path}", err=True)
        raise typer.Exit(2)
    data = json.loads(artefacts.read_text(encoding="utf-8"))
    verdict = algorithm.verify(data, pool_path.read_bytes())
    for ok, text in verdict.checks:
        typer.echo(f"{'✓' if ok else '✗'} {text}")
    if verdict.ok:
        typer.echo("结论：一致。公布的抽取结果可由种子和名录库重新算出。")
        return
    typer.echo("结论：不一致。公布的抽取结果不能由所给材料重新算出。")
    raise typer.Exit(1)
