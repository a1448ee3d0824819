"""The 行政行为码: JWS/EdDSA signing, tampering, keys and rotation, revocation, late codes."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Personas
from tests.inspections import NOW, TODAY, issue, key_dir, new_task, world
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from wurao.core.time import LOCAL_TZ, local_today
from wurao.inspections import cli, code_changes, codes, issuing, service, verification
from wurao.inspections.cli import code_app
from wurao.inspections.codes import CodeState
from wurao.inspections.models import OnsiteCount
from wurao.inspections.pages import qr_svg

__all__ = ["key_dir"]
DURING = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LOCAL_TZ)  # inside the window 3–6 March
AFTER = dt.datetime(2026, 3, 7, 0, 0, tzinfo=LOCAL_TZ)  # the window ended at 6 March 24:00


def _issued(db: Session, personas: Personas) -> issuing.Issued:
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
    url = verification.scan_url("https://wurao.example.gov.cn", code.token)
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


_B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _lenient(segment: str) -> bytes:
    """What Python's forgiving decoder makes of a segment (it ignores the unused bits)."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _forge(header: dict[str, Any], claims: dict[str, Any], sign: Any) -> str:
    """A compact JWS built by hand (stdlib base64 and JSON), signed by ``sign``."""
    h = _b64(json.dumps(header, separators=(",", ":")).encode())
    p = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{h}.{p}.{_b64(sign(f'{h}.{p}'.encode('ascii')))}"


def _other_padding(segment: str) -> str:
    """The same bytes, spelt with an unused low bit of the last character set."""
    assert len(segment) % 4 in (2, 3), "a segment of 4n characters has no unused bits"
    return segment[:-1] + _B64U[_B64U.index(segment[-1]) | 1]


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(_lenient(token.split(".")[1]))
    return claims


def test_non_canonical_base64url_is_invalid(db: Session, personas: Personas, key_dir: Path) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_db(db)
    private = codes.load_private(code.kid)
    claims = _claims(code.token)
    token = code.token
    for n in range(4):  # make the payload segment end in a character with unused bits
        if len(token.split(".")[1]) % 4:
            break
        token = codes.sign({**claims, "no": claims["no"] + "x" * (n + 1)}, kid=code.kid,
                           private=private)  # fmt: skip
    assert codes.verify(token, keys, at=DURING).state is CodeState.VALID
    parts = token.split(".")
    tested = []
    for index in range(3):
        if len(parts[index]) % 4 == 0:
            continue
        altered = list(parts)
        altered[index] = _other_padding(parts[index])
        assert altered[index] != parts[index] and _lenient(altered[index]) == _lenient(parts[index])
        verdict = codes.verify(".".join(altered), keys, at=DURING)
        assert verdict.state is CodeState.INVALID and not verdict.claims, index
        tested.append(index)
    assert {1, 2} <= set(tested)  # the payload and the signature (86 characters) at least


def test_only_eddsa_is_accepted(db: Session, personas: Personas, key_dir: Path) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_db(db)
    private = codes.load_private(code.kid)
    claims = _claims(code.token)
    x = codes.jwks(db)["keys"][0]["x"]
    # the control: a token built by hand with EdDSA and the platform's key is genuine
    good = _forge({"alg": "EdDSA", "kid": code.kid}, claims, private.sign)
    assert codes.verify(good, keys, at=DURING).state is CodeState.VALID
    assert good == code.token  # Ed25519 is deterministic: the same bytes as the platform's
    refused = {
        # the same key under RFC 9864's fully specified name: not what the platform publishes
        "Ed25519": _forge({"alg": "Ed25519", "kid": code.kid}, claims, private.sign),
        # HMAC keyed with the public key: the classic algorithm-confusion attack
        "HS256": _forge(
            {"alg": "HS256", "kid": code.kid},
            claims,
            lambda m: hmac.new(x.encode(), m, hashlib.sha256).digest(),
        ),
        "none": _forge({"alg": "none", "kid": code.kid}, claims, lambda m: b""),
    }
    for alg, token in refused.items():
        verdict = codes.verify(token, keys, at=DURING)
        assert verdict.state is CodeState.INVALID and "EdDSA" in verdict.reason, alg
        assert not verdict.claims


def test_crit_and_unknown_header_parameters_are_invalid(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_db(db)
    private = codes.load_private(code.kid)
    claims = _claims(code.token)
    base = {"alg": "EdDSA", "kid": code.kid}
    for extra in ({"crit": ["exp"], "exp": 1}, {"crit": ["b64"], "b64": False}, {"crit": []}):
        verdict = codes.verify(_forge({**base, **extra}, claims, private.sign), keys, at=DURING)
        assert verdict.state is CodeState.INVALID and "crit" in verdict.reason, extra
    unknown = codes.verify(_forge({**base, "zip": "DEF"}, claims, private.sign), keys, at=DURING)
    assert unknown.state is CodeState.INVALID
    no_kid = codes.verify(_forge({"alg": "EdDSA"}, claims, private.sign), keys, at=DURING)
    assert no_kid.state is CodeState.INVALID and "未标明" in no_kid.reason


def test_garbage_is_invalid_never_an_error(db: Session, personas: Personas, key_dir: Path) -> None:
    code = _issued(db, personas).code
    keys = codes.keys_from_db(db)
    h, p, s = code.token.split(".")
    list_header, broken_header = _b64(b"[1]"), _b64(b"{")
    number_kid = _b64(json.dumps({"alg": "EdDSA", "kid": 7}).encode())
    for token in ("", "..", "a.b.c", f"{h}.{p}.", f"{h}..{s}", f"{h}.{p}.{s}.{s}",
                  f"{h}.{p}.{s}=", f"{h}.{p}.{s[:-1]}", f"{h}.{p}.{s}ä", "ä.ö.ü",
                  f"{list_header}.{p}.{s}", f"{broken_header}.{p}.{s}",
                  f"{number_kid}.{p}.{s}"):  # fmt: skip
        assert codes.verify(token, keys, at=DURING).state is CodeState.INVALID, token
    assert codes.keys_from_jwks({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "a", "x": "A"},
                                          {"kty": "RSA", "kid": "b"}, "x"]}) == {}  # fmt: skip


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
        code_changes.revoke_code(db, actor=personas.officer, code=code, reason="误发")
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="检查取消")
    scan = verification.verify_token(db, code.token, now=DURING)
    assert scan.verified.state == "valid" and scan.status == "revoked" and not scan.may_enter
    with pytest.raises(Conflict):
        code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="再次")


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
    code_changes.revoke_code(db, actor=personas.supervisor, code=code, reason="任务取消")
    assert row.counted == 0


def test_a_refused_issue_leaves_the_onsite_count_as_it_was(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    """The issue adds its own count in the statement that locks the row; a refusal (the cap
    reached, or a late code without its reason) takes it back, even with no rollback after."""
    from tests.inspections import approval

    w = world(db)
    ok = approval(db, w)
    tasks = [
        new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id)
        for _ in range(3)
    ]
    first = issue(db, personas.agency_admin, tasks[0]).code
    issue(db, personas.agency_admin, tasks[1])  # the county's cap is 2
    key = (w.enterprise.id, w.subject.id, 2026)
    with pytest.raises(RuleViolation) as refused:
        issue(db, personas.agency_admin, tasks[2])
    assert "A5" in str(refused.value)
    db.expire_all()
    row = db.get(OnsiteCount, key)
    assert row is not None and (row.counted, row.exempt) == (2, 0)
    code_changes.revoke_code(db, actor=personas.supervisor, code=first, reason="任务取消")
    late = new_task(
        db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id,
        window_start=TODAY, started_without_code_on=TODAY,
    )  # fmt: skip
    with pytest.raises(InvalidInput):  # every rule passes; the late code lacks its reason
        issue(db, personas.agency_admin, late)
    db.expire_all()
    row = db.get(OnsiteCount, key)
    assert row is not None and (row.counted, row.exempt) == (1, 0)


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
    code_changes.mark_code_used(db, task=task, actor=personas.officer)
    assert code.status == "used" and task.status == "done"
    assert verification.verify_token(db, code.token, now=DURING).status == "used"
    with pytest.raises(Conflict):
        code_changes.mark_code_used(db, task=task, actor=personas.officer)


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
    result = issuing.precheck(
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
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=day)
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == "fail" and "2099" in late.violations[0].detail


# --- the CLI ------------------------------------------------------------------------------


OFFLINE_NOTICE = "离线校验无法得知该码是否已撤销或已使用"


@pytest.fixture
def cli_db(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    """``wurao code verify`` reads the test's own (uncommitted) session as its database."""
    monkeypatch.setattr(cli, "open_database", lambda: contextlib.nullcontext(db))
    return db


def _live(db: Session, personas: Personas) -> issuing.Issued:
    """A code whose window is today, so that it is valid while the test runs."""
    w = world(db)
    today = local_today()
    task = new_task(db, personas.agency_admin, w, window_start=today, window_end=today)
    return issue(db, personas.agency_admin, task, today=today, now=None)


def _jwks_file(db: Session, tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(codes.jwks(db)), encoding="utf-8")
    return path


def test_cli_verify_offline_with_a_jwks_file(
    db: Session, personas: Personas, key_dir: Path, tmp_path: Path
) -> None:
    code = _issued(db, personas).code
    jwks_file = _jwks_file(db, tmp_path)
    runner = CliRunner()
    # the window (March 2026) is over by the time this runs: genuine but expired → exit 1
    out = runner.invoke(code_app, ["verify", code.token, "--jwks", str(jwks_file)])
    assert out.exit_code == 1
    assert "结论：已过期" in out.output and code.number in out.output
    assert OFFLINE_NOTICE in out.output
    bad = runner.invoke(code_app, ["verify", _flip(code.token, 60), "--jwks", str(jwks_file)])
    assert bad.exit_code == 1 and "结论：签名无效" in bad.output


def test_cli_verify_valid_code_exits_zero(
    db: Session, personas: Personas, key_dir: Path, tmp_path: Path
) -> None:
    code = _live(db, personas).code
    out = CliRunner().invoke(
        code_app, ["verify", f"https://x/v/{code.token}", "--jwks", str(_jwks_file(db, tmp_path))]
    )
    assert out.exit_code == 0, out.output
    assert "结论：有效" in out.output and "执法证号" in out.output
    assert OFFLINE_NOTICE in out.output


def test_cli_verify_with_the_database_reports_revocation(
    cli_db: Session, personas: Personas, key_dir: Path, tmp_path: Path
) -> None:
    code = _live(cli_db, personas).code
    runner = CliRunner()
    online = runner.invoke(code_app, ["verify", code.token])
    assert online.exit_code == 0, online.output
    assert "结论：有效" in online.output and OFFLINE_NOTICE not in online.output
    code_changes.revoke_code(cli_db, actor=personas.agency_admin, code=code, reason="检查取消")
    revoked = runner.invoke(code_app, ["verify", code.token])
    assert revoked.exit_code == 1, revoked.output
    assert "结论：已撤销" in revoked.output and "结论：有效" not in revoked.output
    assert "签名真实，且在检查时间窗口内" not in revoked.output
    # offline, with the database's keys or a JWK set file, it cannot know and says so
    for args in (["--offline"], ["--jwks", str(_jwks_file(cli_db, tmp_path))]):
        offline = runner.invoke(code_app, ["verify", code.token, *args])
        assert offline.exit_code == 0, (args, offline.output)
        assert "结论：有效" in offline.output and OFFLINE_NOTICE in offline.output


def test_cli_verify_with_the_database_reports_use_and_unknown_codes(
    cli_db: Session, personas: Personas, key_dir: Path
) -> None:
    code = _live(cli_db, personas).code
    task = cli_db.get(service.InspectionTask, code.task_id)
    assert task is not None
    code_changes.mark_code_used(cli_db, task=task, actor=personas.officer)
    runner = CliRunner()
    used = runner.invoke(code_app, ["verify", code.token])
    assert used.exit_code == 1 and "结论：已使用（检查已完成）" in used.output
    stranger = codes.sign({**_claims(code.token), "jti": "not-on-record"}, kid=code.kid,
                          private=codes.load_private(code.kid))  # fmt: skip
    unknown = runner.invoke(code_app, ["verify", stranger])
    assert unknown.exit_code == 1 and "结论：未知的码" in unknown.output
    bad = runner.invoke(code_app, ["verify", _flip(code.token, 60)])
    assert bad.exit_code == 1 and "结论：签名无效" in bad.output


def test_cli_verify_without_a_database_asks_for_the_jwks(
    key_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.sqlite3"
    monkeypatch.setenv("WURAO_DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    out = CliRunner().invoke(code_app, ["verify", "a.b.c"])
    assert out.exit_code == 2 and "--jwks" in out.output
    assert not missing.exists()  # looking did not create an empty database
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    monkeypatch.setenv("WURAO_DATABASE_URL", f"sqlite:///{empty}")
    get_settings.cache_clear()
    out = CliRunner().invoke(code_app, ["verify", "a.b.c"])
    assert out.exit_code == 2 and "无法读取" in out.output and "--jwks" in out.output


def test_qr_of_the_scan_url_is_deterministic() -> None:
    url = "https://wurao.example.gov.cn/v/abc.def.ghi"
    assert qr_svg(url) == qr_svg(url)
    assert qr_svg(url) != qr_svg(url + "x")


def test_today_constant_is_a_working_day() -> None:
    from wurao.core.workdays import is_working_day

    assert is_working_day(TODAY)
