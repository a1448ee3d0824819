"""The verification fast path (cached keys, cached verified claims, one state query) gives the
verdicts the full check gives, and sees revocation, use and key rotation at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import issue, key_dir, new_task, world
from wurao.core.time import LOCAL_TZ, local_today
from wurao.inspections import code_changes, codes, service, verification
from wurao.inspections.models import ActionCode, SigningKey

__all__ = ["key_dir"]
DURING = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LOCAL_TZ)  # inside the window 3–6 March
BEFORE = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
AFTER = dt.datetime(2026, 3, 7, 0, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    codes.forget_keys()
    yield
    codes.forget_keys()


def _code(db: Session, personas: Personas) -> ActionCode:
    w = world(db)
    return issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w)).code


def _tampered(token: str) -> str:
    at = len(token) - 20
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def _reference(db: Session, token: str, at: dt.datetime) -> codes.CodeState:
    """The verdict computed the slow way: keys read from the table, the ORM row."""
    verified = codes._check(token.strip(), codes.keys_from_db(db))
    if isinstance(verified, codes.Verified):
        return codes.CodeState.INVALID
    row = db.scalar(select(ActionCode).where(ActionCode.jti == verified[1]["jti"]))
    if row is None:
        return codes.CodeState.UNKNOWN
    if row.status in ("revoked", "used"):
        return codes.CodeState(row.status)
    return codes._window(verified[0], verified[1], at).state


def _twice(db: Session, token: str, at: dt.datetime) -> codes.CodeState:
    """Verify twice (the second from the caches); both must agree."""
    first = verification.verify_token(db, token, now=at, details=False)
    second = verification.verify_token(db, token, now=at, details=False)
    assert first.status == second.status and first.detail == second.detail
    return second.status


def test_fast_path_gives_the_same_verdicts_as_the_full_check(
    db: Session, personas: Personas, key_dir: object
) -> None:
    code = _code(db, personas)
    token = code.token
    stranger = codes.sign(
        {**codes.verify(token, codes.keys_from_db(db), at=DURING).claims, "jti": "nope"},
        kid=code.kid,
        private=codes.load_private(code.kid),
    )
    cases = [
        (token, DURING, "valid"),
        (token, BEFORE, "not_yet"),
        (token, AFTER, "expired"),
        (_tampered(token), DURING, "invalid"),
        (token[:-1], DURING, "invalid"),
        ("not a token", DURING, "invalid"),
        (stranger, DURING, "unknown"),
    ]
    for tok, at, expected in cases:
        assert _twice(db, tok, at) == expected == _reference(db, tok, at)
    task = db.get(service.InspectionTask, code.task_id)
    assert task is not None
    code_changes.mark_code_used(db, task=task, actor=personas.officer)
    assert _twice(db, token, DURING) == "used" == _reference(db, token, DURING)


def test_revoked_code_is_refused_right_after_revocation(
    db: Session, personas: Personas, key_dir: object
) -> None:
    code = _code(db, personas)
    assert _twice(db, code.token, DURING) == "valid"  # caches warm
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="检查取消")
    scan = verification.verify_token(db, code.token, now=DURING, details=False)
    assert scan.status == "revoked" and not scan.may_enter
    assert scan.verified.genuine  # the signature is still the platform's


def test_revocation_is_seen_by_the_next_api_request(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    today = local_today()
    task = new_task(db, personas.agency_admin, w, window_start=today, window_end=today)
    issued = issue(db, personas.agency_admin, task, today=today, now=None)
    db.commit()
    token = issued.code.token
    for _ in range(2):
        assert client.post("/api/v1/codes/verify", json={"token": token}).json()["status"] == (
            "valid"
        )
    code, _task = service.get_code(db, actor=personas.agency_admin, number=issued.code.number)
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="取消")
    db.commit()
    body = client.post("/api/v1/codes/verify", json={"token": token}).json()
    assert body["status"] == "revoked" and not body["may_enter"]
    assert 'data-status="revoked"' in client.get(f"/v/{token}").text


def test_key_rotation_is_picked_up_without_waiting(
    db: Session, personas: Personas, key_dir: object
) -> None:
    old = _code(db, personas)
    assert _twice(db, old.token, DURING) == "valid"  # the set without the new key is cached
    codes.rotate_key(db, actor=personas.admin)
    newer = _code(db, personas)
    assert newer.kid != old.kid
    assert _twice(db, newer.token, DURING) == "valid"
    assert _twice(db, old.token, DURING) == "valid"  # retired keys still verify


def test_a_cached_token_is_checked_again_when_its_key_changes(
    db: Session, personas: Personas, key_dir: object
) -> None:
    code = _code(db, personas)
    keys = dict(codes.keys_from_db(db))
    assert codes.verify(code.token, keys, at=DURING).state == "valid"
    other = codes.public_key_of(codes.public_x(Ed25519PrivateKey.generate()))
    assert codes.verify(code.token, {code.kid: other}, at=DURING).state == "invalid"
    assert codes.verify(code.token, {}, at=DURING).state == "invalid"
    assert codes.verify(code.token, keys, at=DURING).state == "valid"


def test_the_key_set_is_read_once_and_the_state_every_time(
    db: Session, personas: Personas, key_dir: object
) -> None:
    code = _code(db, personas)
    db.flush()
    verification.verify_token(db, code.token, now=DURING, details=False)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            verification.verify_token(db, code.token, now=DURING, details=False)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(statements) == 3
    assert all("action_code" in s and "signing_key" not in s for s in statements)


def test_a_malformed_key_row_does_not_break_verification(
    db: Session, personas: Personas, key_dir: object
) -> None:
    code = _code(db, personas)
    db.add(SigningKey(kid="test-kid", public_x="x", created_at=code.issued_at))
    db.flush()
    assert _twice(db, code.token, DURING) == "valid"
