"""The ``wurao`` command."""

from __future__ import annotations

import os

import typer

from wurao.admin.cli import audit_app, calendar_app
from wurao.auth.cli import user_app
from wurao.core.cli import backup_command, db_app, policy_app, restore_command
from wurao.core.docx_cli import documents_app
from wurao.demo.cli import demo
from wurao.inspections.cli import code_app
from wurao.oversight.cli import indicators_app, rules_app
from wurao.registry.imports.cli import import_command
from wurao.reports.cli import plan_app, report_app
from wurao.reports.open_data.cli import opendata_app
from wurao.sampling.cli import draw_app
from wurao.wiring import register_handlers

app = typer.Typer(
    help="无扰 wurao — 涉企行政执法监督平台 / enterprise-inspection supervision platform.",
    no_args_is_help=True,
    add_completion=False,
)
# Every command runs with oversight subscribed to the inspections' events (wurao.core.events).
register_handlers()
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(calendar_app, name="calendar")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(plan_app, name="plan")
app.add_typer(opendata_app, name="opendata")
app.add_typer(report_app, name="report")
app.add_typer(code_app, name="code")
app.add_typer(draw_app, name="draw")
app.add_typer(rules_app, name="rules")
app.add_typer(indicators_app, name="indicators")
app.add_typer(documents_app, name="documents")
app.command("demo")(demo)
app.command("import")(import_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
    reload: bool = typer.Option(False, help="Reload on code changes (development)."),
    workers: int = typer.Option(
        0,
        min=0,
        help="Worker processes (default 0: one per CPU core; see docs/operations.md).",
    ),
    access_log: bool = typer.Option(
        False, help="Log every request (off: behind nginx, nginx keeps the access log)."
    ),
) -> None:
    """Start the web server (API and pages): uvicorn with uvloop and httptools, one process per
    core by default (each request runs Python: one process uses one core at most)."""
    import uvicorn

    count = 1 if reload else (workers or os.cpu_count() or 1)
    uvicorn.run(
        "wurao.web.main:app",
        host=host,
        port=port,
        reload=reload,
        workers=count,
        proxy_headers=True,
        access_log=access_log,
        # A worker imports the whole application before it answers the supervisor; on a busy
        # machine that takes longer than uvicorn's 5 s, and the worker would be restarted forever.
        timeout_worker_healthcheck=60,
    )


if __name__ == "__main__":
    app()
