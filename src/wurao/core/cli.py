"""Commands for the database and the policy file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NoReturn

import typer

from wurao.core import migrate
from wurao.core.config import get_settings

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
policy_app = typer.Typer(help="Policy parameters.", no_args_is_help=True)


def _url() -> str:
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url()


@db_app.command("upgrade")
def db_upgrade(rev: str = typer.Argument("head")) -> None:
    """Apply migrations to WURAO_DATABASE_URL (default: var/wurao.sqlite3)."""
    migrate.upgrade(_url(), rev=rev)
    typer.echo(f"数据库已升级到 {rev}：{_url()}")


@db_app.command("downgrade")
def db_downgrade(rev: str = typer.Argument(..., help="Target revision, or 'base'.")) -> None:
    """Revert migrations down to REV."""
    migrate.downgrade(_url(), rev=rev)
    typer.echo(f"数据库已回退到 {rev}")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", help="What the migration does.")) -> None:
    """(Developers) autogenerate a migration from the models against the current database."""
    from alembic import command

    command.revision(migrate.alembic_config(_url()), message=message, autogenerate=True)


@policy_app.command("show")
def policy_show(
    name: str = typer.Argument("", help="Parameter name; all when omitted."),
    region: str = typer.Option(
        "",
        help=(
            "Region code (000000 = national default). Omitted: every region that sets its "
            "own value, national default first, each with the value in force there."
        ),
    ),
    on: str = typer.Option("", help="Date YYYY-MM-DD (default: today)."),
) -> None:
    """Print the parameters in force for a date (one region, or every region), with sources."""
    from wurao.core.ids import IdentifierError
    from wurao.core.policy import NATIONAL, PolicyError, get_policy
    from wurao.core.time import local_today

    policy = get_policy()
    try:
        day = dt.date.fromisoformat(on) if on else local_today()
    except ValueError:
        _fail("日期格式应为 YYYY-MM-DD。")
    if name and name not in policy.parameters:
        _fail(f"没有名为 {name} 的政策参数；不带参数运行可列出全部参数。")
    params = (
        [policy.parameters[name]]
        if name
        else sorted(policy.parameters.values(), key=lambda p: p.name)
    )
    for param in params:
        if region:
            regions = [region.strip()]
        else:
            regions = sorted({v.region for v in param.values}, key=lambda r: (r != NATIONAL, r))
        for code in regions:
            try:
                value = policy.lookup(param.name, code, day)
            except IdentifierError as exc:
                _fail(f"区划代码“{code}”无效：{exc.reason}")
            except PolicyError:
                typer.echo(f"{param.name}\t(无取值)\t{param.title}\t区划{code}")
                continue
            if not region and value.region != code:
                continue  # that region's own values take effect later than ``day``
            flag = " [待核实]" if value.unconfirmed else ""
            typer.echo(
                f"{param.name}\t{value.value}{flag}\t{param.title}\t"
                f"区划{value.region} 自{value.effective}\t{value.source}"
            )


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


def backup_command(
    file: Path = typer.Argument(..., help="Backup file to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Write a consistent online backup of the database (SQLite backup API, or pg_dump -Fc)."""
    from wurao.core import backup

    try:
        written = backup.backup(_url(), file, overwrite=force)
    except backup.BackupError as exc:
        _fail(exc.message)
    size = written.stat().st_size
    typer.echo(f"已备份到 {written}（{size / 1024 / 1024:.1f} MB）。恢复：wurao restore {written}")


def restore_command(
    file: Path = typer.Argument(..., help="Backup file written by `wurao backup`."),
    force: bool = typer.Option(
        False, "--force", help="Overwrite a database that already holds data."
    ),
) -> None:
    """Restore the database from a backup, then verify the restored audit chain."""
    from wurao.core import backup

    try:
        result = backup.restore(_url(), file, force=force)
    except backup.BackupError as exc:
        _fail(exc.message)
    typer.echo(f"已从 {file} 恢复：{result.tables} 张表，共 {result.rows} 行。")
    typer.echo(f"审计链末条：第 {result.audit_seq} 条，哈希 {result.audit_hash}")
    chain = result.chain
    if chain.ok:
        typer.echo(f"审计链完整：已校验 {chain.checked} 条记录。")
        return
    _fail(
        f"审计链在第 {chain.broken_seq} 条记录处断开：{chain.reason}"
        f"（此前 {chain.checked} 条完整）。恢复的数据不可信，请换用其他备份。"
    )
