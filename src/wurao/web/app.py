"""The FastAPI application: JSON API under /api/v1 and the Chinese web pages, one service
layer beneath both."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp

from wurao import __version__
from wurao.core import workdays
from wurao.core.config import get_settings
from wurao.core.db import get_engine, session_factory
from wurao.core.errors import DomainError
from wurao.core.holidays import load_calendar
from wurao.web import errors, ratelimit, security
from wurao.web.textguard import TextGuard

STATIC_DIR = Path(__file__).parent / "static"


class WuraoApp(FastAPI):
    """FastAPI with the security layers outside its whole middleware stack, so that even
    the 500 page of the outermost error handler carries the security headers, and HEAD is
    answered on every GET route."""

    def build_middleware_stack(self) -> ASGIApp:
        return security.wrap(
            super().build_middleware_stack(), cookie_secure=get_settings().cookie_secure
        )


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the application bound to ``engine`` (default: the configured database)."""
    from wurao.admin import api as admin_api
    from wurao.admin import pages as admin_pages
    from wurao.auth import api as auth_api
    from wurao.auth import pages as auth_pages
    from wurao.cases import api as cases_api
    from wurao.cases import discretion_pages as case_discretion_pages
    from wurao.cases import document_pages as case_document_pages
    from wurao.cases import pages as cases_pages
    from wurao.cases import public_pages as case_public_pages
    from wurao.cases import stage_pages as case_stage_pages
    from wurao.cases.coercion import api as coercion_api
    from wurao.cases.coercion import pages as coercion_pages
    from wurao.discretion import api as discretion_api
    from wurao.discretion import pages as discretion_pages
    from wurao.inspections import api as inspections_api
    from wurao.inspections import (
        door_api,
        enterprise_agency_pages,
        enterprise_pages,
        field_api,
        field_pages,
        record_api,
        record_pages,
        task_change_pages,
    )
    from wurao.inspections import pages as inspections_pages
    from wurao.joint import api as joint_api
    from wurao.joint import pages as joint_pages
    from wurao.oversight import alert_api, alert_pages
    from wurao.oversight import api as oversight_api
    from wurao.oversight import pages as oversight_pages
    from wurao.oversight.clues import api as clue_api
    from wurao.oversight.clues import pages as clue_pages
    from wurao.oversight.documents import api as supervision_docs_api
    from wurao.oversight.documents import pages as supervision_docs_pages
    from wurao.oversight.filings import api as filings_api
    from wurao.oversight.filings import pages as filings_pages
    from wurao.oversight.fines import api as fines_api
    from wurao.oversight.fines import pages as fines_pages
    from wurao.oversight.rectification import api as rectification_api
    from wurao.oversight.rectification import pages as rectification_pages
    from wurao.oversight.reviews import api as reviews_api
    from wurao.oversight.reviews import pages as reviews_pages
    from wurao.planning import api as planning_api
    from wurao.planning import pages as planning_pages
    from wurao.registry.enterprises import api as enterprises_api
    from wurao.registry.enterprises import pages as enterprises_pages
    from wurao.registry.imports import api as imports_api
    from wurao.registry.imports import pages as imports_pages
    from wurao.registry.items import api as items_api
    from wurao.registry.items import pages as items_pages
    from wurao.registry.monitors import api as monitors_api
    from wurao.registry.monitors import pages as monitors_pages
    from wurao.registry.officers import api as officers_api
    from wurao.registry.officers import pages as officers_pages
    from wurao.registry.subjects import api as subjects_api
    from wurao.registry.subjects import pages as subjects_pages
    from wurao.reports import pages as reports_pages
    from wurao.reports.annual import api as annual_api
    from wurao.reports.annual import pages as annual_pages
    from wurao.reports.open_data import api as open_data_api
    from wurao.reports.open_data import pages as open_data_pages
    from wurao.sampling import api as sampling_api
    from wurao.sampling import pages as sampling_pages
    from wurao.web import pages as shell_pages
    from wurao.wiring import register_handlers

    register_handlers()  # oversight reacts to the inspections' writes (wurao.core.events)
    settings = get_settings()
    engine = engine or get_engine()
    app = WuraoApp(
        title="无扰 wurao API",
        version=__version__,
        docs_url=None,  # served below, with its own content security policy
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.engine = engine
    app.state.session_factories = {
        False: session_factory(engine, write=False),
        True: session_factory(engine, write=True),
    }

    def _load() -> workdays.WorkCalendar:
        with app.state.session_factories[False]() as s:
            return load_calendar(s)

    workdays.configure(_load)

    app.add_middleware(TextGuard)  # inside the session: its error page needs it
    # The code checked at the enterprise's door, answered ahead of routing (door_api.py)
    app.add_middleware(door_api.Door, engine=engine, factories=app.state.session_factories)
    errors.install(app)
    if settings.rate_limits:
        # Inside the session (a 429 page is rendered like any other error page).
        app.state.limiter = ratelimit.Limiter(settings)
        app.add_middleware(
            ratelimit.RateLimitMiddleware,
            limiter=app.state.limiter,
            render=app.exception_handlers[DomainError],
        )
    app.add_middleware(
        security.SessionCookies,
        secure=settings.cookie_secure,
        secret_key=settings.resolved_secret_key(),
        session_cookie="wurao_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def api_docs(_: Request) -> Response:
        page = get_swagger_ui_html(openapi_url=app.openapi_url or "", title=f"{app.title} 文档")
        html = bytes(page.body).decode()
        page.headers["content-security-policy"] = security.swagger_policy(html)
        return page

    app.add_route("/api/docs", api_docs, include_in_schema=False)
    modules = (
        shell_pages,
        auth_pages,
        admin_pages,
        subjects_pages,
        officers_pages,
        enterprises_pages,
        items_pages,
        imports_pages,
        joint_pages,  # before planning: /plans/joint is not a plan id
        planning_pages,
        reports_pages,
        annual_pages,
        open_data_pages,
        cases_pages,
        case_stage_pages,
        case_document_pages,
        case_discretion_pages,
        case_public_pages,
        coercion_pages,
        discretion_pages,
        discretion_api,
        inspections_pages,
        task_change_pages,
        record_pages,
        field_pages,
        enterprise_pages,
        enterprise_agency_pages,
        clue_api,  # before the clue pages: /public/clues/{reference}.json is not a reference
        clue_pages,  # before oversight_pages, whose older clue routes it replaces
        rectification_pages,
        filings_pages,
        fines_pages,
        reviews_pages,
        supervision_docs_pages,
        oversight_pages,
        monitors_pages,
        sampling_pages,
        auth_api,
        admin_api,
        subjects_api,
        officers_api,
        enterprises_api,
        items_api,
        imports_api,
        joint_api,  # before planning: /plans/joint-candidates is not a plan id
        planning_api,
        inspections_api,
        record_api,
        field_api,
        cases_api,
        coercion_api,
        oversight_api,
        sampling_api,
        alert_pages,
        alert_api,
        rectification_api,
        filings_api,
        fines_api,
        annual_api,
        open_data_api,
        reviews_api,
        supervision_docs_api,
        monitors_api,
    )
    # The hot public routes first (a code checked at the enterprise's door): FastAPI tries the
    # routes in order, and passing the ~300 others cost each scan ~0.45 ms (bench/verify.py).
    app.include_router(inspections_api.door)
    app.include_router(inspections_pages.door)
    for module in modules:
        app.include_router(module.router)
    return app
