"""How published rows are written: JSON, CSV (one column per model field, in order) and JSON
Lines; and the HTTP caching of a body (a strong ETag of its bytes, 304 on If-None-Match).

A CSV cell is the JSON value as text: a date in ISO form, true/false, an empty cell for null,
a list joined by " | ". The CSV starts with a UTF-8 byte-order mark so that spreadsheet
programs read the Chinese text; ``csv.DictReader`` over ``utf-8-sig`` reads it back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from email.utils import format_datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from wurao.core.time import LOCAL_TZ
from wurao.core.xlsx import csv_text as csv_cell

LIST_SEPARATOR = " | "
MAX_AGE = 300  # seconds a client or proxy may reuse a published list without asking


def cell(value: Any) -> str:
    """One CSV cell from a JSON value; a text a spreadsheet would run as a formula gets a
    leading apostrophe (core/xlsx.py ``csv_text``), the only way the CSV differs from the JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell(v) for v in value)
    return csv_cell(value)


def columns(model: type[BaseModel]) -> list[str]:
    """The CSV header of a model: its fields in declaration order."""
    return list(model.model_fields)


def csv_text(model: type[BaseModel], rows: Iterable[BaseModel], *, header: bool = True) -> str:
    """Rows as CSV text (no byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = columns(model)
    if header:
        writer.writerow(names)
    for row in rows:
        data = row.model_dump(mode="json")
        writer.writerow([cell(data[n]) for n in names])
    return out.getvalue()


def csv_bytes(model: type[BaseModel], rows: Iterable[BaseModel]) -> bytes:
    """Rows as a CSV file (UTF-8 with a byte-order mark)."""
    return csv_text(model, rows).encode("utf-8-sig")


def json_line(row: BaseModel) -> str:
    """One JSON Lines record (UTF-8 text, keys in model order)."""
    return json.dumps(row.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def json_bytes(data: Any) -> bytes:
    """A JSON body, compact and in a stable key order (the ETag hashes it)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def etag_of(body: bytes) -> str:
    """A strong ETag of a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def last_modified(rows: Sequence[BaseModel], date_field: str) -> str | None:
    """The HTTP date of the newest ``date_field`` among ``rows`` (None without one)."""
    days = [getattr(r, date_field) for r in rows] if date_field else []
    newest = max((d for d in days if isinstance(d, dt.date)), default=None)
    if newest is None:
        return None
    return format_datetime(dt.datetime.combine(newest, dt.time(), LOCAL_TZ).astimezone(dt.UTC),
                           usegmt=True)  # fmt: skip


def cached(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    modified: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The body with its ETag and Last-Modified, or 304 when the client holds it already."""
    etag = etag_of(body)
    out = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Accept-Encoding",
        **(headers or {}),
    }
    if modified:
        out["Last-Modified"] = modified
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=out)
    return Response(body, media_type=media_type, headers=out)
