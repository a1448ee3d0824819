"""``wurao demo``: set up the database, fill it with demo data and start the server."""

from __future__ import annotations

import typer

from wurao.core import migrate
from wurao.core.config import get_settings
from wurao.core.db import session_scope


def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server afterwards."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Create or upgrade the database, fill it with the demo city and start the web UI."""
    from wurao.demo.generator import generate_city
    from wurao.demo.seed import DEMO_PASSWORD, seed_foundation

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    with session_scope() as session:
        accounts = seed_foundation(session)
        stats = generate_city(session)
    typer.echo(f"演示数据已就绪：{url}")
    typer.echo(stats.summary())
    typer.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for acc in accounts:
        typer.echo(f"  {acc.username:<16} {acc.role.label:<10} {acc.display_name}")
    if serve:
        typer.echo(f"打开 http://{host}:{port}/ 登录")
        import uvicorn

        uvicorn.run("wurao.web.main:app", host=host, port=port)
