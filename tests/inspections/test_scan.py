"""The enterprise's scan (public): genuine? valid now? used or revoked? who, what, until when."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import issue, key_dir, new_task, world
from wurao.core.time import local_today
from wurao.inspections import codes, service

__all__ = ["key_dir"]


def _live_code(db: Session, personas: Personas) -> tuple[service.Issued, object]:
    w = world(db)
    today = local_today()
    task = new_task(db, personas.agency_admin, w, window_start=today, window_end=today)
    issued = issue(db, personas.agency_admin, task, today=today, now=None)
    db.commit()
    return issued, w


def test_scan_page_shows_who_what_until_when(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, w = _live_code(db, personas)
    resp = client.get(f"/v/{issued.code.token}")  # anonymous
    assert resp.status_code == 200
    text = resp.text
    assert 'data-status="valid"' in text and "真实有效" in text
    for officer in w.officers:  # type: ignore[attr-defined]
        assert officer.name in text and officer.cert_no in text
    assert w.item.name in text and "查验产品质量检验合格证明" in text  # type: ignore[attr-defined]
    assert "产品质量法" in text and issued.code.valid_to.isoformat() in text
    # The enterprise rates from its own inspections list (the link carries a one-time token).
    assert "/enterprise/inspections" in text
    assert f"/evaluate/{issued.code.task_id}" not in text


def test_scan_page_of_a_tampered_token_says_invalid(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, w = _live_code(db, personas)
    token = issued.code.token
    bad = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    resp = client.get(f"/v/{bad}")
    assert resp.status_code == 200 and 'data-status="invalid"' in resp.text
    assert w.officers[0].name not in resp.text  # type: ignore[attr-defined]


def test_scan_page_of_a_revoked_code(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, _ = _live_code(db, personas)
    service.revoke_code(db, actor=personas.agency_admin, code=issued.code, reason="取消")
    db.commit()
    resp = client.get(f"/v/{issued.code.token}")
    assert 'data-status="revoked"' in resp.text and "已被撤销" in resp.text


def test_verify_api_is_public_and_needs_no_csrf(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, _ = _live_code(db, personas)
    resp = client.post("/api/v1/codes/verify", json={"token": issued.code.token})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "valid" and body["may_enter"] and body["number"] == issued.code.number
    bad = client.post("/api/v1/codes/verify", json={"token": "x.y.z"}).json()
    assert bad["status"] == "invalid" and not bad["genuine"]


def test_jwks_is_public(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, _ = _live_code(db, personas)
    doc = client.get("/.well-known/jwks.json").json()
    assert issued.code.kid in {k["kid"] for k in doc["keys"]}
    keys = codes.keys_from_jwks(doc)
    assert codes.verify(issued.code.token, keys, at=issued.code.issued_at).genuine
