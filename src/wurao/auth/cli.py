"""Account commands."""

from __future__ import annotations

import typer

from wurao.auth import service
from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core.db import session_scope
from wurao.core.errors import DomainError

user_app = typer.Typer(help="Accounts.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: Role = typer.Option(..., help="Role."),
    region: str = typer.Option(..., help="Region code (GB/T 2260, or 9-digit town code)."),
    name: str = typer.Option("", help="Display name (default: the username)."),
    subject: int | None = typer.Option(None, help="Enforcement subject id (agency roles)."),
    uscc: str | None = typer.Option(None, help="USCC of the enterprise (enterprise role)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Password."
    ),
) -> None:
    """Create an account with a role and a region."""
    try:
        with session_scope() as session:
            user = service.create_user(
                session,
                actor=SYSTEM_ACTOR,
                data=service.NewUser(
                    username=username,
                    display_name=name or username,
                    password=password,
                    role=role,
                    region_code=region,
                    subject_id=subject,
                    enterprise_uscc=uscc,
                ),
            )
            typer.echo(f"已创建账号 {user.username}（{role.label}，区划 {user.region_code}）")
    except DomainError as exc:
        typer.echo(f"错误：{exc.message}", err=True)
        raise typer.Exit(1) from None
