"""One handler for every error: a Chinese page, an htmx fragment, or JSON for the API."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from wurao.core.errors import DomainError, NotAuthenticated, RuleViolation
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


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/.well-known/")


def _respond(
    request: Request, status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> Response:
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
        return _respond(request, exc.status_code, exc.code, exc.message, extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _HTTP_MESSAGES.get(exc.status_code, "请求未能完成。")
        return _respond(request, exc.status_code, f"http_{exc.status_code}", message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        fields = "、".join(e["loc"][-1] for e in errors if e["loc"])
        return _respond(
            request, 422, "invalid_input", f"提交的内容有误：{fields}", {"details": errors}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, "internal_error", _HTTP_MESSAGES[500])
