"""``wurao code``: verify a 行政行为码 offline, rotate the signing key."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from wurao.core.db import session_scope
from wurao.core.time import utcnow
from wurao.inspections import codes

code_app = typer.Typer(help="行政行为码：离线核验、签名密钥轮换。", no_args_is_help=True)


@code_app.command("verify")
def verify(
    token: str = typer.Argument(..., help="行政行为码（JWS 紧凑序列化），或扫码得到的网址。"),
    jwks: Path | None = typer.Option(
        None, "--jwks", help="公钥集文件（/.well-known/jwks.json）；缺省时从数据库读取。"
    ),
) -> None:
    """Check a token's signature and validity window offline; exit 1 when it is not valid."""
    token = token.strip().rsplit("/v/", 1)[-1]
    if jwks is not None:
        keys = codes.keys_from_jwks(json.loads(jwks.read_text(encoding="utf-8")))
    else:
        with session_scope(write=False) as session:
            keys = codes.keys_from_db(session)
    result = codes.verify(token, keys, at=utcnow())
    typer.echo(f"结论：{codes.STATE_LABELS[result.state]}")
    typer.echo(f"说明：{result.reason}")
    if result.kid:
        typer.echo(f"签名密钥：{result.kid}")
    for label, value in codes.describe(result.claims):
        typer.echo(f"{label}：{value}")
    if result.genuine:
        typer.echo("（是否已使用或被撤销须联网查询平台：POST /api/v1/codes/verify）")
    if result.state != "valid":
        raise typer.Exit(1)


@code_app.command("rotate-key")
def rotate_key() -> None:
    """Retire the current signing key for new codes and create a new one."""
    from wurao.core.audit import SYSTEM

    with session_scope() as session:
        old, new = codes.rotate_key(session, actor=SYSTEM)
    if old is not None:
        typer.echo(f"已停用签名密钥 {old.kid}（其签发的码仍可验证）")
    typer.echo(f"新的签名密钥：{new.kid}（私钥：{codes.key_dir() / (new.kid + '.pem')}）")
