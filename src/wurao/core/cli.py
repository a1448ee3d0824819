"""Commands for the database and the policy file."""

from __future__ import annotations

import datetime as dt

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
    region: str = typer.Option("000000", help="Region code."),
    on: str = typer.Option("", help="Date YYYY-MM-DD (default: today)."),
) -> None:
    """Print the parameters in force for a region and date, with their sources."""
    from wurao.core.policy import get_policy
    from wurao.core.time import local_today

    day = dt.date.fromisoformat(on) if on else local_today()
    for param, value in get_policy().in_force(region, day):
        if name and param.name != name:
            continue
        if value is None:
            typer.echo(f"{param.name}\t(无取值)\t{param.title}")
        else:
            flag = " [待核实]" if value.unconfirmed else ""
            typer.echo(
                f"{param.name}\t{value.value}{flag}\t{param.title}\t"
                f"区划{value.region} 自{value.effective}\t{value.source}"
            )
