"""``wurao code``: verify a 行政行为码 (with the platform's record, or offline), rotate the key."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wurao.core.config import get_settings
from wurao.core.db import get_engine, session_scope
from wurao.core.time import utcnow
from wurao.inspections import codes, verification

code_app = typer.Typer(help="行政行为码：核验（联网或离线）、签名密钥轮换。", no_args_is_help=True)

OFFLINE_NOTICE = (
    "注意：离线校验无法得知该码是否已撤销或已使用；请在能访问平台数据库时不带 --offline/--jwks "
    "重新核验，或联网查询平台（POST /api/v1/codes/verify）。"
)


def open_database() -> AbstractContextManager[Session] | None:
    """A read-only session on the configured database, or None when there is no database file.

    A missing SQLite file is not created by looking at it.
    """
    url = get_settings().resolved_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).exists():
            return None
    return session_scope(get_engine(url), write=False)


def _no_database(why: str) -> typer.Exit:
    typer.echo(f"{why}；离线核验请用 --jwks 指定公钥集文件（/.well-known/jwks.json）。", err=True)
    return typer.Exit(2)


@code_app.command("verify")
def verify(
    token: str = typer.Argument(..., help="行政行为码（JWS 紧凑序列化），或扫码得到的网址。"),
    jwks: Path | None = typer.Option(
        None, "--jwks", help="公钥集文件（/.well-known/jwks.json）：只做离线校验，不读数据库。"
    ),
    offline: bool = typer.Option(
        False, "--offline", help="只做离线校验（签名与检查时间窗口），公钥取自数据库。"
    ),
) -> None:
    """Verify a token; with the database also its revocation and use. Exit 1 unless valid."""
    token = token.strip().rsplit("/v/", 1)[-1]
    now = utcnow()
    if jwks is not None:
        try:
            doc = json.loads(jwks.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise _no_database(f"无法读取公钥集文件 {jwks}（{err}）") from err
        keys = codes.keys_from_jwks(doc if isinstance(doc, dict) else {})
        _report_offline(codes.verify(token, keys, at=now))
        return
    database = open_database()
    if database is None:
        url = get_settings().resolved_database_url()
        raise _no_database(f"平台数据库不存在（{make_url(url).render_as_string()}）")
    try:
        with database as session:
            keys = codes.keys_from_db(session)
            result = (
                None
                if offline
                else verification.verify_token(session, token, now=now, details=False)
            )
    except SQLAlchemyError as err:
        raise _no_database(f"无法读取平台数据库（{type(err).__name__}）") from err
    if result is None:
        _report_offline(codes.verify(token, keys, at=now))
        return
    _report(result.status, result.detail, result.verified)
    if not result.may_enter:
        raise typer.Exit(1)


def _report(state: codes.CodeState, detail: str, verdict: codes.Verified) -> None:
    typer.echo(f"结论：{state.label}")
    typer.echo(f"说明：{detail}")
    typer.echo(state.advice)
    if verdict.kid:
        typer.echo(f"签名密钥：{verdict.kid}")
    for label, value in codes.describe(verdict.claims):
        typer.echo(f"{label}：{value}")


def _report_offline(verdict: codes.Verified) -> None:
    _report(verdict.state, verdict.reason, verdict)
    if verdict.genuine:
        typer.echo(OFFLINE_NOTICE)
    if not verdict.state.may_enter:
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
