"""The request edge refuses control characters and oversized text in every field.

A pure ASGI middleware, so no route can forget it: every query parameter, every decoded form
field (urlencoded or multipart, upload file names included) and every JSON string (keys and
values, recursively) is checked before routing. A control character (``wurao.core.text``)
or a field longer than ``MAX_TEXT`` answers 422 naming the field; a control character in the
path answers 404 (no such object can exist). Each field's own, usually smaller, maximum is
checked by its schema or form (``wurao.web.params.Text``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wurao.core.text import MAX_TEXT, control_message, has_control, too_long_message
from wurao.web.errors import respond
from wurao.web.labels import label_of

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SPOOL_IN_MEMORY = 1024 * 1024
CHUNK = 64 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _problem(name: str, value: str) -> str | None:
    if has_control(value):
        return control_message(label_of(name))
    if len(value) > MAX_TEXT:
        return too_long_message(label_of(name), MAX_TEXT)
    return None


def _json_strings(value: Any, name: str) -> Iterator[tuple[str, str]]:
    """Every string in a decoded JSON document with the name of the field holding it."""
    stack: list[tuple[Any, str]] = [(value, name)]
    while stack:
        item, field = stack.pop()
        if isinstance(item, str):
            yield field, item
        elif isinstance(item, dict):
            for key, sub in item.items():
                yield field, key
                stack.append((sub, key))
        elif isinstance(item, list):
            stack.extend((sub, field) for sub in item)


class TextGuard:
    """ASGI middleware: 422 for a control character or an oversized text in any field."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if has_control(scope.get("path", "")):
            await self._refuse(scope, receive, send, 404, "页面不存在，或不在您的辖区内。", None)
            return
        found = self._query(scope)
        if found is None and scope["method"] in BODY_METHODS and _checked(scope):
            # Spooled (memory up to 1 MiB, then disk): an evidence upload may be 200 MB.
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                await _spool(receive, spool)
                found = await self._body(scope, spool)
                if found is None:
                    await self.app(scope, _replay(spool, receive), send)
                    return
        if found is None:
            await self.app(scope, receive, send)
            return
        field, message = found
        await self._refuse(scope, receive, send, 422, message, field)

    @staticmethod
    def _query(scope: Scope) -> tuple[str, str] | None:
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            problem = _problem(name, name) or _problem(name, value)
            if problem:
                return name, problem
        return None

    @staticmethod
    async def _body(scope: Scope, spool: IO[bytes]) -> tuple[str, str] | None:
        ctype = _content_type(scope)
        if not ctype.startswith(FORM_TYPES):
            spool.seek(0)
            try:
                document = json.loads(spool.read())
            except (ValueError, RecursionError):
                return None  # the route answers 400 or 422 for malformed JSON
            for name, value in _json_strings(document, "body"):
                problem = _problem(name, value)
                if problem:
                    return name, problem
            return None
        request = Request(scope, _replay(spool, None))
        try:
            form = await request.form()
        except Exception:  # a malformed form: the route's own parsing answers 400
            return None
        try:
            for field, item in form.multi_items():
                text = (item.filename or "") if isinstance(item, UploadFile) else item
                problem = _problem(field, field) or _problem(field, text)
                if problem:
                    return field, problem
        finally:
            await form.close()
        return None

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, status: int, message: str, field: str | None
    ) -> None:
        request = Request(scope, receive)
        code = "invalid_input" if status == 422 else f"http_{status}"
        extra = {"field": field} if field else None
        response = respond(request, status, code, message, extra)
        await response(scope, receive, send)


def _content_type(scope: Scope) -> str:
    return Headers(scope=scope).get("content-type", "").lower()


def _checked(scope: Scope) -> bool:
    """Whether the body is one the guard reads: JSON or a form."""
    ctype = _content_type(scope)
    media = ctype.split(";")[0].strip()
    return media == "application/json" or media.endswith("+json") or ctype.startswith(FORM_TYPES)


async def _spool(receive: Receive, spool: IO[bytes]) -> None:
    """Copy the request body into ``spool``."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        spool.write(message.get("body", b""))
        if not message.get("more_body", False):
            break


def _replay(spool: IO[bytes], receive: Receive | None) -> Receive:
    """A ``receive`` that hands the spooled body to the app again, in chunks."""
    offset = 0
    done = False

    async def replay() -> Message:
        nonlocal offset, done
        if not done:
            spool.seek(offset)
            chunk = spool.read(CHUNK)
            offset += len(chunk)
            done = len(chunk) < CHUNK
            return {"type": "http.request", "body": chunk, "more_body": not done}
        if receive is not None:
            return await receive()  # e.g. http.disconnect
        return {"type": "http.disconnect"}

    return replay
