"""A refused form comes back in place (issue 19 item 2): the page it was sent from, rendered
again with what was typed and each error beside its field, in Chinese.

How it works, once for every page:

1. Every form carries ``_back``, the page it was rendered on (the ``csrf()`` macro writes it
   next to the CSRF token; an htmx fragment takes the page's address from ``HX-Current-URL``).
2. When a page's form post fails — a field the form model refuses (``RequestValidationError``)
   or a rule the service refuses (``InvalidInput``, ``RuleViolation``, a state conflict) — the
   transaction is rolled back (``deps.TxRoute``), the parsed form is kept on the request, and
   the error handler asks the application for ``_back`` again, as a GET, with a
   :class:`FormState` holding the typed values and the errors by field.
3. Templates read that state with ``form_state(action)`` and render fields with the ``field``
   macro (``_macros.html``), which shows the typed value instead of the stored one and the
   error beside the field. ``base.html`` lists the errors above the page (an error summary
   with links to the fields), so a field a page does not render still has its message shown.

The answer keeps the error status (422, or 409 for a state conflict) and the address of the
post; nothing was written. An API request, an htmx request without a page behind it, a post
without ``_back`` or a page that cannot be rendered again get the error page as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

log = logging.getLogger("wurao.web")

BACK_FIELD = "_back"
STATE_KEY = "wurao.form_state"
FORM_KEY = "wurao.form"
FORM_ERROR = "_form"  # an error that belongs to the whole form, not one field
_HIDDEN = frozenset({BACK_FIELD, "csrf_token"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_MAX_BACK = 2000


@dataclass(frozen=True)
class FormState:
    """What a refused form held: the values as typed and the errors by field name."""

    action: str = ""
    typed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    message: str = ""
    violations: tuple[Mapping[str, str], ...] = ()  # rules refused, with their sources

    @property
    def active(self) -> bool:
        """Whether this form was the one sent (its values replace the stored ones)."""
        return bool(self.action)

    def value(self, name: str, default: Any = "") -> str:
        """The typed value of ``name`` when this form came back, else ``default``."""
        if self.active:
            values = self.typed.get(name, ())
            return values[0] if values else ""
        return "" if default is None else str(default)

    def values(self, name: str, default: Any = ()) -> list[str]:
        """Every typed value of ``name`` (checkboxes, multiple selects), else ``default``."""
        if self.active:
            return list(self.typed.get(name, ()))
        return [str(v) for v in (default or ())]

    def error(self, name: str) -> str:
        return self.errors.get(name, "")


EMPTY = FormState()


def state_of(request: Request, action: str | None = None) -> FormState:
    """The refused form's state on this page, if ``action`` (when given) is where it went."""
    state = request.scope.get(STATE_KEY)
    if not isinstance(state, FormState):
        return EMPTY
    if action is not None and action.split("?", 1)[0] != state.action:
        return EMPTY
    return state


def back_path(request: Request) -> str:
    """The address of the page being rendered, for its forms' ``_back`` field."""
    current = request.headers.get("hx-current-url", "") if _is_htmx(request) else ""
    if current:
        parts = urlsplit(current)
        if parts.netloc == request.url.netloc and parts.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    url = request.url
    return url.path + (f"?{url.query}" if url.query else "")


def safe_back(value: object) -> str | None:
    """``value`` when it is a path on this site (never another host, never the API)."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > _MAX_BACK:
        return None
    if value.startswith("//") or "\\" in value or value.startswith("/api/"):
        return None
    if any(ord(c) < 32 for c in value):
        return None
    return value


async def keep_form(request: Request) -> None:
    """Keep a page post's parsed form for the error handler (its route has failed)."""
    if request.method != "POST" or request.url.path.startswith("/api/"):
        return
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return
    try:
        request.scope[FORM_KEY] = await request.form()  # parsed already: Starlette caches it
    except Exception:  # a body that did not parse has nothing to give back
        return


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _typed(form: FormData) -> dict[str, tuple[str, ...]]:
    typed: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name in _HIDDEN or isinstance(value, UploadFile):
            continue  # a file cannot be put back into a file input: it is chosen again
        typed.setdefault(name, []).append(value)
    return {name: tuple(values) for name, values in typed.items()}


async def rerender(
    request: Request,
    *,
    status: int,
    errors: Mapping[str, str],
    message: str,
    violations: tuple[Mapping[str, str], ...] = (),
) -> Response | None:
    """The page the refused form came from, with the form's state; None when there is none."""
    form = request.scope.get(FORM_KEY)
    if not isinstance(form, FormData) or STATE_KEY in request.scope or _is_htmx(request):
        return None  # an htmx post swaps its own fragment (the error block) as before
    back = safe_back(form.get(BACK_FIELD))
    if back is None:
        return None
    path, _, query = back.partition("?")
    state = FormState(
        action=request.url.path,
        typed=_typed(form),
        errors=dict(errors),
        message=message,
        violations=violations,
    )
    scope = dict(request.scope)
    scope.pop(FORM_KEY, None)
    scope.update(
        {
            "method": "GET",
            "path": path,
            "raw_path": quote(path).encode(),
            "query_string": quote(query, safe="=&%+").encode(),
            "headers": [
                (k, v)
                for k, v in request.scope["headers"]
                if k not in (b"content-type", b"content-length", b"hx-target", b"hx-request")
            ],
            "state": {},
            STATE_KEY: state,
        }
    )
    started: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await request.app.router(scope, receive, send)
    except Exception:  # the page itself fails: logged, and the plain error page instead
        log.exception("the page %s could not be rendered again after a refused form", path)
        return None
    if started.get("status") != 200:
        return None
    return HTMLResponse(b"".join(chunks), status_code=status)
