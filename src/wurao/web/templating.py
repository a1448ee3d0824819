"""Jinja2 rendering: one template per page with named blocks; an htmx request that targets a
block gets only that block (docs/architecture.md 9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from wurao.admin.service import schedule_warning
from wurao.auth.scope import Actor
from wurao.core.time import format_local
from wurao.web import form_state
from wurao.web.deps import csrf_token
from wurao.web.nav import nav_for

TEMPLATE_DIR = Path(__file__).parent / "templates"
FLASH_KEY = "flash"

env = Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return format_local(value, fmt)


def _date(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


def _pairs(items: Any, value: str = "id", label: str = "{name}") -> list[tuple[Any, str]]:
    """Objects as (value, label) choices for the ``field`` macro: ``label`` formats attributes,
    e.g. ``choices|pairs("id", "{code} {name}")``; a mapping gives its items."""
    if isinstance(items, dict):
        return list(items.items())

    class _Attrs(dict[str, Any]):
        def __init__(self, obj: Any) -> None:
            super().__init__()
            self.obj = obj

        def __missing__(self, key: str) -> Any:
            return getattr(self.obj, key)

    return [(getattr(i, value), label.format_map(_Attrs(i))) for i in items]


env.filters["pairs"] = _pairs
env.filters["local"] = _local
env.filters["date"] = _date
# a rule's severity as users read it (the catalogue's BLOCK / WARN never reach a page)
SEVERITY_LABELS = {"BLOCK": "阻断", "WARN": "提示"}
env.filters["severity"] = lambda value: SEVERITY_LABELS.get(str(value), str(value))


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Queue a message for the next rendered page."""
    request.session.setdefault(FLASH_KEY, []).append({"kind": kind, "message": message})


def _pop_flashes(request: Request) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = request.session.pop(FLASH_KEY, [])
    return messages


def page_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (pagination, filters)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    """Render a page, or only ``block`` (or the htmx-targeted block) for an htmx request."""
    actor: Actor | None = getattr(request.state, "actor", None)
    ctx: dict[str, Any] = {
        "request": request,
        "actor": actor,
        "nav": nav_for(actor),
        "csrf_token": csrf_token(request),
        "back_path": form_state.back_path(request),  # every form's _back (csrf() macro)
        "refused": form_state.state_of(request),  # a refused form's errors (base.html)
        "form_state": lambda action=None: form_state.state_of(request, action),
        "flashes": _pop_flashes(request),
        "page_url": lambda **kw: page_url(request, **kw),
        "schedule_year": schedule_warning(actor),  # next year's holidays not imported yet
    }
    ctx.update(context or {})
    tmpl = env.get_template(template)
    target = block
    if target is None and request.headers.get("hx-request") == "true":
        wanted = request.headers.get("hx-target", "")
        if wanted in tmpl.blocks:
            target = wanted
    if target is not None:
        html = "".join(tmpl.blocks[target](tmpl.new_context(ctx)))
    else:
        html = tmpl.render(ctx)
    return HTMLResponse(html, status_code=status_code)
