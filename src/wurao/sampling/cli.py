"""``wurao draw``: recompute a published 双随机 draw from its artefacts and pool file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from wurao.sampling import algorithm

draw_app = typer.Typer(help="双随机抽查：核验公开的抽取结果。", no_args_is_help=True)


def _salt(salt: str | None, salt_file: Path | None) -> bytes | None:
    text = salt if salt is not None else None
    if salt_file is not None:
        text = salt_file.read_text(encoding="utf-8")
    if text is None:
        return None
    try:
        value = bytes.fromhex(text.strip())
    except ValueError:
        value = b""
    if len(value) != 32:
        typer.echo("回避盐值应为 64 位十六进制数（32 字节）。", err=True)
        raise typer.Exit(2)
    return value


@draw_app.command("verify")
def verify(
    artefacts: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="抽查材料 artefacts.json（公开页面下载）。"
    ),
    pool: Path | None = typer.Option(
        None, "--pool", help="名录库文件 pool.csv；缺省时取与 artefacts.json 同目录的 pool.csv。"
    ),
    salt: str | None = typer.Option(
        None, "--salt", help="回避盐值（十六进制，不公开，由执法监督机构或牵头执法主体提供）。"
    ),
    salt_file: Path | None = typer.Option(
        None,
        "--salt-file",
        exists=True,
        dir_okay=False,
        help="从文件读取回避盐值（核验包中的 conflict-salt.txt）。",
    ),
) -> None:
    """Recompute the selection and officer teams; exit 1 unless everything checked matches."""
    pool_path = pool or artefacts.with_name("pool.csv")
    if not pool_path.is_file():
        typer.echo(f"找不到名录库文件：{pool_path}", err=True)
        raise typer.Exit(2)
    key = _salt(salt, salt_file)
    try:
        data = json.loads(artefacts.read_text(encoding="utf-8"))
        verdict = algorithm.verify(data, pool_path.read_bytes(), salt=key)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        typer.echo(f"抽查材料格式不正确：{exc}", err=True)
        raise typer.Exit(2) from None
    for ok, text in verdict.checks:
        typer.echo(f"{'✓' if ok else '✗'} {text}")
    for text in verdict.unchecked:
        typer.echo(f"– {text}")
    if verdict.ok and verdict.unchecked:
        typer.echo("结论：已核验部分一致；未核验的部分见上（提供 --salt 可完整核验）。")
        return
    if verdict.ok:
        typer.echo("结论：一致。公布的抽取结果可由种子和名录库重新算出。")
        return
    typer.echo("结论：不一致。公布的抽取结果不能由所给材料重新算出。")
    raise typer.Exit(1)
