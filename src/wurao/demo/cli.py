"""``wurao demo``: set up the database, fill it with demo data and start the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from wurao.core import migrate, workdays
from wurao.core.config import get_settings
from wurao.core.db import session_scope
from wurao.core.holidays import load_calendar

if TYPE_CHECKING:
    from wurao.oversight.engine import SweepResult


def _sweep_summary(result: SweepResult) -> str:
    """One line in Chinese: the alerts the supervision rules raised on the demo data."""
    raised = "、".join(f"{rule} {n} 条" for rule, n in result.raised.items() if n)
    took = sum(result.seconds.values())
    if not raised:
        return f"监督规则扫描完成：无新增预警（已有 {result.known} 条），用时 {took:.1f} 秒"
    return f"监督规则扫描完成：新增预警 {result.total} 条（{raised}），用时 {took:.1f} 秒"


def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server afterwards."),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Create or upgrade the database, fill it with the demo city and start the web UI."""
    from wurao.demo.annual import generate as generate_annual
    from wurao.demo.cases import generate_cases
    from wurao.demo.city import generate_city
    from wurao.demo.coercion import generate as generate_coercion
    from wurao.demo.discretion import generate_discretion
    from wurao.demo.filings import generate as generate_filings
    from wurao.demo.fines import generate as generate_fines
    from wurao.demo.history import generate_history
    from wurao.demo.history_today import generate_today
    from wurao.demo.loop import generate_loop
    from wurao.demo.seed import DEMO_PASSWORD, seed_foundation
    from wurao.oversight import indicators
    from wurao.oversight.engine import sweep

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url()
    migrate.upgrade(url)
    with session_scope() as session:
        accounts = seed_foundation(session)
        stats = generate_city(session)
        history = generate_history(session)
        generate_today(session)  # the personas' own work of the real day (their home pages)
        discretion = generate_discretion(session)  # before the cases: their decisions use it
        cases = generate_cases(session)
        coercion = generate_coercion(session)  # before the sweep: its clocks raise alerts
        filings = generate_filings(session)
        fines = generate_fines(session)
        indicators.rebuild(session)  # the history is written in bulk, not through the services
        workdays.configure(lambda: load_calendar(session))
        try:
            swept = sweep(session)
            loop = generate_loop(session)  # after the sweep: its alerts take part
            annual = generate_annual(session)
        finally:
            workdays.configure(None)
    typer.echo(f"演示数据已就绪：{url}")
    typer.echo(stats.summary())
    typer.echo(history.summary())
    typer.echo(discretion.summary())
    typer.echo(cases.summary())
    for line in (coercion, filings, fines):
        if line:
            typer.echo(line)
    typer.echo(_sweep_summary(swept))
    typer.echo(loop.summary())
    if annual:
        typer.echo(annual)
    for note in swept.notes:
        typer.echo(note)
    typer.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for acc in accounts:
        typer.echo(f"  {acc.username:<16} {acc.role.label:<10} {acc.display_name}")
    if serve:
        typer.echo(f"打开 http://{host}:{port}/ 登录")
        import uvicorn

        uvicorn.run("wurao.web.main:app", host=host, port=port)
