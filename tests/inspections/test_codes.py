"""The 行政行为码: JWS/EdDSA signing, tampering, keys and rotation, revocation, late codes."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Personas
from tests.inspections import NOW, TODAY, issue, key_dir, new_task, world
from wurao.core.errors import Conflict, Forbidden, RuleViolation
from wurao.core.time import LOCAL_TZ
from wurao.inspections import codes, service
from wurao.inspections.cli import code_app
from wurao.inspections.models import OnsiteCount
from wurao.inspections.pages import qr_svg

__all__ = ["key_dir"]
DURING = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LOCAL_TZ)  # inside the window 3–6 March
AFTER = dt.datetime(2026, 3, 7, 0, 0, tzinfo=LOCAL_TZ)  # the window ended at 6 March 24:00


def _issued(db: Session, personas: Personas) -> service.Issued:
    w = world(db)
    return issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w))


def _flip(token: str, index: int) -> str:
    ch = token[index]
    return token[:index] + ("A" if ch != "A" else "B") + token[index + 1 :]


def test_token_is_standard_jws_with_short_claims(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    issued = _issued(db, personas)
    code = issued.code
    header_b64, payload_b64, _sig = code.token.split(".")
    header = json.loads(codes.b64u_decode(header_b64))
    claims = json.loads(codes.b64u_decode(payload_b64))
    assert header == {"alg": "EdDSA", "kid": code.kid}
    assert claims["jti"] == code.jti and claims["no"] == code.number
    assert claims["m"] == "onsite" and claims["e"] and len(claims["o"]) == 2
    assert claims["nbf"] == int(dt.datetime(2026, 3, 3, tzinfo=LOCAL_TZ).timestamp())
    assert claims["exp"] == int(dt.datetime(2026, 3, 7, tzinfo=LOCAL_TZ).timestamp())
    assert "late" not in claims
    assert code.number.startswith("330802-2026-")
    # measured, not asserted as performance: the token and the QR version it needs
    url = service.scan_url("https://wurao.example.gov.cn", code.token)
    qr = segno.make(url, error="m", micro=False)
    print(f"token {len(code.token)} chars, URL {len(url)} chars, QR version {qr.version} (M)")
    assert len(code.token) < 700
    assert qr.version <= 20  # readable from a phone screen and a printed sheet


def test_signature_verifies_with_the_published_jwks(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_jwks(codes.jwks(db))
    assert codes.verify(code.token, keys, at=DURING).state == "valid"
    assert codes.verify(code.token, keys, at=NOW).state == "not_yet"
    assert codes.verify(code.token, keys, at=AFTER).state == "expired"


def test_one_changed_byte_in_any_part_is_invalid(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_db(db)
    h, p, _ = code.token.split(".")
    for index in (len(h) + 10, len(h) + len(p) // 2, len(code.token) - 5):
        verdict = codes.verify(_flip(code.token, index), keys, at=DURING)
        assert verdict.state == "invalid", index
        assert not verdict.claims
    assert codes.verify(code.token + "x", keys, at=DURING).state == "invalid"
    assert codes.verify("abc.def", keys, at=DURING).state == "invalid"


def test_token_signed_by_another_key_is_invalid(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _issued(db, personas).code
    claims = json.loads(codes.b64u_decode(code.token.split(".")[1]))
    forged_same_kid = codes.sign(claims, kid=code.kid, private=Ed25519PrivateKey.generate())
    unknown_kid = codes.sign(claims, kid="k-stranger", private=Ed25519PrivateKey.generate())
    keys = codes.keys_from_db(db)
    assert codes.verify(forged_same_kid, keys, at=DURING).state == "invalid"
    verdict = codes.verify(unknown_kid, keys, at=DURING)
    assert verdict.state == "invalid" and "k-stranger" in verdict.reason


def test_private_key_file_is_0600_and_not_in_the_database(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _issued(db, personas).code
    pem = key_dir / f"{code.kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    jwk = codes.jwks(db)["keys"][0]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk


def test_revoked_code_is_genuine_but_revoked_online(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    issued = _issued(db, personas)
    code = issued.code
    with pytest.raises(Forbidden):
        service.revoke_code(db, actor=personas.officer, code=code, reason="误发")
    service.revoke_code(db, actor=personas.agency_admin, code=code, reason="检查取消")
    scan = service.verify_token(db, code.token, now=DURING)
    assert scan.verified.state == "valid" and scan.status == "revoked" and not scan.may_enter
    with pytest.raises(Conflict):
        service.revoke_code(db, actor=personas.agency_admin, code=code, reason="再次")


def test_revocation_gives_the_onsite_slot_back(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    w = world(db)
    from tests.inspections import approval

    ok = approval(db, w)
    task = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id)
    code = issue(db, personas.agency_admin, task).code
    row = db.get(OnsiteCount, (w.enterprise.id, w.subject.id, 2026))
    assert row is not None and row.counted == 1
    service.revoke_code(db, actor=personas.supervisor, code=code, reason="任务取消")
    assert row.counted == 0


def test_rotation_keeps_old_codes_verifiable(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    old = _issued(db, personas).code
    retired, new_key = codes.rotate_key(db, actor=personas.admin)
    assert retired is not None and retired.kid == old.kid and retired.retired_at is not None
    newer = _issued(db, personas).code
    assert newer.kid == new_key.kid != old.kid
    doc = codes.jwks(db)
    assert {k["kid"] for k in doc["keys"]} == {old.kid, new_key.kid}
    keys = codes.keys_from_jwks(doc)
    assert codes.verify(old.token, keys, at=DURING).state == "valid"
    assert codes.verify(newer.token, keys, at=DURING).state == "valid"


def test_mark_code_used_closes_the_code(db: Session, personas: Personas, key_dir: Path) -> None:
    code = _issued(db, personas).code
    task = db.get(service.InspectionTask, code.task_id)
    assert task is not None
    service.mark_code_used(db, task=task, actor=personas.officer)
    assert code.status == "used" and task.status == "done"
    assert service.verify_token(db, code.token, now=DURING).status == "used"
    with pytest.raises(Conflict):
        service.mark_code_used(db, task=task, actor=personas.officer)


def test_one_code_per_task(db: Session, personas: Personas, key_dir: Path) -> None:
    code = _issued(db, personas).code
    task = db.get(service.InspectionTask, code.task_id)
    assert task is not None
    with pytest.raises(Conflict):
        issue(db, personas.agency_admin, task)


# --- A4 补码 window -------------------------------------------------------------------------


def test_A4_late_code_window_spans_the_national_day_holiday(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    w = world(db)
    started = dt.date(2026, 9, 30)  # the working day before 1 October
    kw = {
        "window_start": started,
        "window_end": dt.date(2026, 10, 9),
        "started_without_code_on": started,
    }
    task = new_task(db, personas.agency_admin, w, **kw)
    result = service.precheck(
        db, actor=personas.agency_admin, task=task, today=dt.date(2026, 10, 8)
    )
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == "pass" and "补码截止 2026-10-08" in late.note
    with pytest.raises(RuleViolation) as err:
        issue(db, personas.agency_admin, task, today=dt.date(2026, 10, 9), late_reason="夜间突发")
    assert [v.rule_id for v in err.value.violations] == ["A4 INSP-APPROVAL"]
    assert "2026-10-08" in err.value.violations[0].detail
    issued = issue(
        db,
        personas.agency_admin,
        task,
        today=dt.date(2026, 10, 8),
        late_reason="夜间突发险情，无法事前报批",
    )
    assert issued.code.late
    claims = json.loads(codes.b64u_decode(issued.code.token.split(".")[1]))
    assert claims["late"] is True


def test_A4_late_code_unknown_calendar_year_is_a_refusal(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    w = world(db)
    day = dt.date(2099, 12, 30)
    task = new_task(
        db, personas.agency_admin, w, window_start=day, window_end=day, started_without_code_on=day
    )
    result = service.precheck(db, actor=personas.agency_admin, task=task, today=day)
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == "fail" and "2099" in late.violations[0].detail


# --- the CLI ------------------------------------------------------------------------------


def test_cli_verify_offline_with_a_jwks_file(
    db: Session, personas: Personas, key_dir: Path, tmp_path: Path
) -> None:
    code = _issued(db, personas).code
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(codes.jwks(db)), encoding="utf-8")
    runner = CliRunner()
    # the window (March 2026) is over by the time this runs: genuine but expired → exit 1
    out = runner.invoke(code_app, ["verify", code.token, "--jwks", str(jwks_file)])
    assert out.exit_code == 1
    assert "已过有效期" in out.output and code.number in out.output
    bad = runner.invoke(code_app, ["verify", _flip(code.token, 60), "--jwks", str(jwks_file)])
    assert bad.exit_code == 1 and "无效" in bad.output


def test_cli_verify_valid_code_exits_zero(
    db: Session, personas: Personas, key_dir: Path, tmp_path: Path
) -> None:
    from wurao.core.time import local_today

    w = world(db)
    today = local_today()
    task = new_task(db, personas.agency_admin, w, window_start=today, window_end=today)
    code = issue(db, personas.agency_admin, task, today=today, now=None).code
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(codes.jwks(db)), encoding="utf-8")
    out = CliRunner().invoke(
        code_app, ["verify", f"https://x/v/{code.token}", "--jwks", str(jwks_file)]
    )
    assert out.exit_code == 0, out.output
    assert "结论：有效" in out.output and "执法证号" in out.output


def test_qr_of_the_scan_url_is_deterministic() -> None:
    url = "https://wurao.example.gov.cn/v/abc.def.ghi"
    assert qr_svg(url) == qr_svg(url)
    assert qr_svg(url) != qr_svg(url + "x")


def test_today_constant_is_a_working_day() -> None:
    from wurao.core.workdays import is_working_day

    assert is_working_day(TODAY)
