"""One handler for every error: a Chinese page, an htmx fragment, or JSON for the API."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from wurao.core.errors import DomainError, NotAuthenticated, RuleViolation
from wurao.core.ids import IdentifierError
from wurao.web import form_state
from wurao.web.forms import route_titles
from wurao.web.labels import label_of
from wurao.web.templating import render

log = logging.getLogger("wurao.web")

_HTTP_MESSAGES = {
    400: "请求有误。",
    401: "请先登录。",
    403: "您无权访问此页面。",
    404: "页面不存在，或不在您的辖区内。",
    405: "不支持此操作。",
    422: "提交的内容有误。",
    500: "系统出现错误，请稍后再试；问题已记录。",
}


class ViolationBody(BaseModel):
    rule_id: str
    title: str
    source: str
    detail: str
    severity: str


class ErrorDetail(BaseModel):
    loc: list[str]
    msg: str


class ErrorOut(BaseModel):
    """The JSON body of every API error: a code, a Chinese message and what failed."""

    error: str
    message: str
    field: str | None = None
    violations: list[ViolationBody] | None = None
    details: list[ErrorDetail] | None = None


def _api(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


def _page(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


# What any route may answer besides its success: routers declare these (``responses=``) so the
# OpenAPI documents them. 400 comes from a body that cannot be parsed, 401 from a missing,
# expired or revoked sign-in or token, 403 from a permission or the CSRF check, 404 from an
# id outside the caller's scope, 409 from a state change, 422 from validation and rules, 429
# from the rate limits.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _api("The request body could not be parsed (not UTF-8, not JSON, not a form)"),
    401: _api("Not signed in, or the API token is invalid, expired or revoked"),
    403: _api("Not permitted (role, scope or CSRF)"),
    404: _api("Not found, or outside the caller's scope"),
    409: _api("The object's state does not allow this change"),
    422: _api("Invalid input or failed rules; `field` names the field"),
    429: _api("Too many requests"),
}
PAGE_ERRORS: dict[int | str, dict[str, Any]] = {
    303: {"description": "Redirect: after a form post, or to the sign-in page"},
    400: _page("The request body could not be parsed"),
    401: _page("Not signed in (forms and htmx requests)"),
    403: _page("Not permitted (role, scope or CSRF)"),
    404: _page("Not found, or outside the caller's scope"),
    409: _page("The object's state does not allow this change"),
    422: _page("Invalid input or failed rules"),
    429: _page("Too many requests"),
}


# The statuses of a refused form (invalid input, failed rules, a state that does not allow the
# step): the form comes back in place. 403 and 404 keep their own pages.
_FORM_STATUSES = frozenset({409, 422})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/.well-known/")


def respond(
    request: Request, status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> Response:
    """An error as JSON (API), an htmx fragment or a Chinese page."""
    if _wants_json(request):
        body: dict[str, Any] = {"error": code, "message": message}
        body.update(extra or {})
        return JSONResponse(body, status_code=status)
    if status == 401 and request.method == "GET" and request.headers.get("hx-request") != "true":
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    context = {"status": status, "code": code, "message": message, **(extra or {})}
    if request.headers.get("hx-request") == "true":
        return render(request, "error.html", context, status_code=status, block="error_body")
    return render(request, "error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on the application."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        extra: dict[str, Any] = {}
        if isinstance(exc, RuleViolation):
            extra["violations"] = [
                {
                    "rule_id": v.rule_id,
                    "title": v.title,
                    "source": v.source,
                    "detail": v.detail,
                    "severity": v.severity,
                }
                for v in exc.violations
            ]
        if getattr(exc, "field", None):
            extra["field"] = exc.field  # type: ignore[attr-defined]
        if isinstance(exc, NotAuthenticated) and not _wants_json(request):
            request.session.pop("sid", None)
        if exc.status_code in _FORM_STATUSES:  # a refused form: back in place, input kept
            name = getattr(exc, "field", None) or form_state.FORM_ERROR
            page = await form_state.rerender(
                request,
                status=exc.status_code,
                errors={name: exc.message},
                message=exc.message,
                violations=tuple(extra.get("violations", ())),
            )
            if page is not None:
                return page
        return respond(request, exc.status_code, exc.code, exc.message, extra)

    @app.exception_handler(IdentifierError)
    async def identifier_error(request: Request, exc: IdentifierError) -> Response:
        # A code typed by the user (region, USCC, RIC) that reached a lookup unchecked: its
        # reason is already a Chinese sentence meant for the user.
        page = await form_state.rerender(
            request,
            status=422,
            errors={exc.field or form_state.FORM_ERROR: str(exc)},
            message=str(exc),
        )
        if page is not None:
            return page
        return respond(request, 422, "invalid_input", str(exc), {"field": exc.field})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code, "请求未能完成。")
        return respond(request, exc.status_code, f"http_{exc.status_code}", message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        titles = route_titles(request.scope.get("route"))  # a page form's own labels first
        errors = [_detail(e, titles) for e in exc.errors()]
        message = "；".join(dict.fromkeys(e["msg"] for e in errors[:5])) or "提交的内容有误。"
        extra: dict[str, Any] = {"details": errors}
        names = [_field_name(e.get("loc", ())) for e in exc.errors()]
        if any(names):
            extra["field"] = next(n for n in names if n)
        by_field: dict[str, str] = {}
        for name, error in zip(names, errors, strict=True):
            by_field.setdefault(name or form_state.FORM_ERROR, error["msg"])
        page = await form_state.rerender(request, status=422, errors=by_field, message=message)
        if page is not None:
            return page
        return respond(request, 422, "invalid_input", message, extra)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal_error", _HTTP_MESSAGES[500])


def _field_name(loc: Sequence[Any]) -> str:
    """The innermost named part of a location (``body.checklist.0.text`` -> ``text``)."""
    for part in reversed(loc[1:]):
        if isinstance(part, str):
            return part
    return ""


def _detail(error: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """One validation error as ``{loc, msg}`` with a Chinese message naming the field."""
    loc = [str(p) for p in error.get("loc", ())]
    name = _field_name(list(error.get("loc", ())))
    label = (titles.get(name) or label_of(name)) if name else "请求内容"
    return {"loc": loc, "msg": validation_message(error, label)}


def validation_message(error: Mapping[str, Any], label: str) -> str:
    """Pydantic's error ``error`` as Chinese, naming the field ``label``."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "text_invalid":
        return str(error.get("msg", ""))
    if kind == "missing":
        return f"「{label}」必须填写。"
    if kind.startswith("int_"):
        return f"「{label}」应为整数。"
    if kind.startswith(("float_", "decimal_")):
        return f"「{label}」应为数字。"
    if kind == "less_than_equal":
        return f"「{label}」不能大于{ctx.get('le')}。"
    if kind == "less_than":
        return f"「{label}」应小于{ctx.get('lt')}。"
    if kind == "greater_than_equal":
        return f"「{label}」不能小于{ctx.get('ge')}。"
    if kind == "greater_than":
        return f"「{label}」应大于{ctx.get('gt')}。"
    if kind == "string_too_long":
        return f"「{label}」最多{ctx.get('max_length')}个字。"
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return f"「{label}」必须填写。"
        return f"「{label}」至少{ctx.get('min_length')}个字。"
    if kind == "too_short":
        return f"「{label}」至少{ctx.get('min_length')}项。"
    if kind == "too_long":
        return f"「{label}」最多{ctx.get('max_length')}项。"
    if kind.startswith(("date_", "datetime_")):
        return f"「{label}」应为日期（YYYY-MM-DD）。"
    if kind.startswith("bool_"):
        return f"「{label}」应为是或否（true / false）。"
    if kind in ("literal_error", "enum"):
        return f"「{label}」的取值无效。"
    if kind == "json_invalid":
        return "提交的内容不是有效的 JSON。"
    if kind.startswith("string_"):
        return f"「{label}」应为文字。"
    return f"「{label}」格式有误。"
