"""The enterprise's scan (public): genuine? valid now? used or revoked? who, what, until when."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import NOW, issue, key_dir, new_task, world
from wurao.core.time import LOCAL_TZ, local_today
from wurao.inspections import code_changes, codes, issuing, service, verification
from wurao.inspections.codes import CodeState

__all__ = ["key_dir"]


def _tampered(token: str) -> str:
    """The token with one character in the middle of its signature changed: never the same token."""
    at = len(token) - 20
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def _live_code(db: Session, personas: Personas) -> tuple[issuing.Issued, object]:
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
    bad = _tampered(token)
    resp = client.get(f"/v/{bad}")
    assert resp.status_code == 200 and 'data-status="invalid"' in resp.text
    assert w.officers[0].name not in resp.text  # type: ignore[attr-defined]


# What only a valid code may say: the entry grant and its wording.
GRANT = ("签名真实，且在检查时间窗口内", "可以进入", "真实有效", "可以检查的事项", "flash-success")


def _no_grant(text: str, w: object) -> None:
    for phrase in GRANT:
        assert phrase not in text, phrase
    for officer in w.officers:  # type: ignore[attr-defined]
        assert officer.name not in text


def _march_code(db: Session, personas: Personas) -> tuple[issuing.Issued, object]:
    """A code for 3–6 March 2026 (tests/inspections), issued on 2 March."""
    w = world(db)
    issued = issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w))
    db.commit()
    return issued, w


def test_scan_page_of_a_revoked_code_shows_one_state_and_no_grant(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, w = _live_code(db, personas)
    code_changes.revoke_code(db, actor=personas.agency_admin, code=issued.code, reason="取消")
    db.commit()
    resp = client.get(f"/v/{issued.code.token}")
    assert resp.status_code == 200
    assert 'data-status="revoked"' in resp.text and "已撤销" in resp.text
    assert 'data-colour="red"' in resp.text and issued.code.number in resp.text
    _no_grant(resp.text, w)


def test_scan_page_of_a_used_code_shows_one_state_and_no_grant(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, w = _live_code(db, personas)
    task = db.get(service.InspectionTask, issued.code.task_id)
    assert task is not None
    code_changes.mark_code_used(db, task=task, actor=personas.officer)
    db.commit()
    text = client.get(f"/v/{issued.code.token}").text
    assert 'data-status="used"' in text and "已使用（检查已完成）" in text
    assert "/enterprise/inspections" in text  # the enterprise may now rate the inspection
    _no_grant(text, w)


@pytest.mark.parametrize(
    ("clock", "state", "label"),
    [
        (dt.datetime(2026, 3, 7, 0, 0, tzinfo=LOCAL_TZ), "expired", "已过期"),
        (NOW, "not_yet", "尚未生效"),
    ],
)
def test_scan_page_outside_the_window_shows_one_state_and_no_grant(
    db: Session,
    personas: Personas,
    client: TestClient,
    key_dir: object,
    monkeypatch: pytest.MonkeyPatch,
    clock: dt.datetime,
    state: str,
    label: str,
) -> None:
    issued, w = _march_code(db, personas)
    monkeypatch.setattr(verification, "utcnow", lambda: clock)
    text = client.get(f"/v/{issued.code.token}").text
    assert f'data-status="{state}"' in text and label in text
    _no_grant(text, w)
    body = client.post("/api/v1/codes/verify", json={"token": issued.code.token}).json()
    assert body["status"] == state and body["label"] == label and not body["may_enter"]


def test_scan_page_of_a_genuine_code_without_a_record(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, w = _live_code(db, personas)
    claims = json.loads(codes.b64u_decode(issued.code.token.split(".")[1]))
    stranger = codes.sign({**claims, "jti": "not-on-record"}, kid=issued.code.kid,
                          private=codes.load_private(issued.code.kid))  # fmt: skip
    text = client.get(f"/v/{stranger}").text
    assert 'data-status="unknown"' in text and "未知的码" in text
    _no_grant(text, w)


def test_verify_api_reports_the_same_state_as_the_page(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    issued, _ = _live_code(db, personas)
    token = issued.code.token
    valid = client.post("/api/v1/codes/verify", json={"token": token}).json()
    assert valid["status"] == "valid" and valid["label"] == "有效" and valid["may_enter"]
    assert valid["colour"] == "green"
    # the request ended the session's transaction: load the code again before revoking it
    code, _task = service.get_code(db, actor=personas.agency_admin, number=issued.code.number)
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="取消")
    db.commit()
    body = client.post("/api/v1/codes/verify", json={"token": token}).json()
    assert body["status"] == "revoked" and body["label"] == "已撤销" and body["colour"] == "red"
    assert body["genuine"] and not body["may_enter"] and body["number"] == issued.code.number
    for text in (body["message"], body["reason"]):
        assert "签名真实，且在检查时间窗口内" not in text and "真实有效" not in text
    assert 'data-status="revoked"' in client.get(f"/v/{token}").text
    bad = client.post("/api/v1/codes/verify", json={"token": _tampered(token)}).json()
    assert bad["status"] == "invalid" and bad["label"] == "签名无效" and not bad["genuine"]


def test_every_state_has_a_label_and_a_colour_and_only_valid_grants_entry() -> None:
    labels = {s: s.label for s in CodeState}
    assert labels == {
        CodeState.VALID: "有效",
        CodeState.REVOKED: "已撤销",
        CodeState.USED: "已使用（检查已完成）",
        CodeState.EXPIRED: "已过期",
        CodeState.NOT_YET: "尚未生效",
        CodeState.INVALID: "签名无效",
        CodeState.UNKNOWN: "未知的码",
    }
    assert {s for s in CodeState if s.may_enter} == {CodeState.VALID}
    assert {s.colour for s in CodeState} == {"green", "amber", "red"}
    assert all(s.advice for s in CodeState)


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


def _unpadded(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def test_a_code_verifies_with_cryptography_alone_against_the_published_jwks(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    """Interop: a second, independent path (stdlib + ``cryptography``, no JOSE library)."""
    issued, _ = _live_code(db, personas)
    header_b64, payload_b64, signature_b64 = issued.code.token.split(".")
    header = json.loads(_unpadded(header_b64))
    assert header["alg"] == "EdDSA"
    doc = json.loads(client.get("/.well-known/jwks.json").content)
    (jwk,) = [k for k in doc["keys"] if k["kid"] == header["kid"]]
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    public = Ed25519PublicKey.from_public_bytes(_unpadded(jwk["x"]))
    public.verify(_unpadded(signature_b64), f"{header_b64}.{payload_b64}".encode("ascii"))
    claims = json.loads(_unpadded(payload_b64))
    assert claims["jti"] == issued.code.jti and claims["no"] == issued.code.number
