"""The floor for ``POST /api/v1/codes/verify``: a bare Starlette app doing only the job.

Per request: parse the JSON body, split the JWS compact token, read its protected header
(``alg`` must be EdDSA, ``kid`` one of the published keys), check the Ed25519 signature over
``header.payload`` with ``cryptography``, decode the claims, compare ``nbf``/``exp`` with the
clock, and read the code's state by ``jti`` from the same database with one indexed query.
No middleware, no dependency injection, no ORM, no transaction object: what the platform's
route must cost at least. The public keys are read once, at start-up, from ``signing_key``.

Run by ``bench/verify.py``: ``BENCH_VERIFY_DB=<url> uvicorn bench.verify_floor:app``.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

URL = os.environ.get("BENCH_VERIFY_DB", "sqlite:///bench/data/verify-sqlite.sqlite3")
_local = threading.local()


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _connect() -> Any:
    if URL.startswith("sqlite"):
        return sqlite3.connect(URL.split("///", 1)[1], check_same_thread=False)
    import psycopg  # only for a PostgreSQL run

    return psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _conn() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = _connect()
    return conn


def _query(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not URL.startswith("sqlite"):
        sql = sql.replace("?", "%s")
    cur = _conn().execute(sql, params)
    return list(cur.fetchall())


KEYS = {
    kid: Ed25519PublicKey.from_public_bytes(_b64(x))
    for kid, x in _query("SELECT kid, public_x FROM signing_key")
}


def _state(token: str) -> str:
    try:
        head_b64, body_b64, sig_b64 = token.strip().split(".")
        head = json.loads(_b64(head_b64))
        key = KEYS.get(head.get("kid")) if head.get("alg") == "EdDSA" else None
        if key is None or "crit" in head:
            return "invalid"
        key.verify(_b64(sig_b64), f"{head_b64}.{body_b64}".encode("ascii"))
        claims = json.loads(_b64(body_b64))
    except (ValueError, InvalidSignature, AttributeError):
        return "invalid"
    rows = _query("SELECT status FROM action_code WHERE jti = ?", (claims.get("jti"),))
    if not rows:
        return "unknown"
    if rows[0][0] in ("revoked", "used"):
        return str(rows[0][0])
    now = int(time.time())
    if now < claims["nbf"]:
        return "not_yet"
    return "expired" if now >= claims["exp"] else "valid"


async def verify(request: Request) -> JSONResponse:
    body = await request.json()
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        return JSONResponse({"detail": "token required"}, status_code=422)
    return JSONResponse({"status": _state(token)})


app = Starlette(routes=[Route("/api/v1/codes/verify", verify, methods=["POST"])])
