"""Draw pages, API and public portal over HTTP; `wurao draw verify` on downloaded artefacts."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Personas, csrf_of, sign_in
from tests.sampling import (
    DRAW_DATE,
    END,
    START,
    add_enterprises,
    add_item,
    add_officers,
    new_draw,
    subject,
)
from wurao.cli import app as cli_app


def _setup(db: Session) -> int:
    s = subject(db)
    add_officers(db, s, 4)
    item = add_item(db)
    add_enterprises(db, "A" * 30 + "C" * 2)
    db.commit()
    return item.id


def _define(client: TestClient, token: str, item_id: int, sid: int) -> str:
    resp = client.post("/draws", data={
        "csrf_token": token, "title": "页面测试抽查", "subject_ids": str(sid),
        "item_ids": str(item_id), "region_code": "330802", "industry_codes": "C13",
        "class_A": "1", "class_B": "1", "class_C": "1", "class_D": "1", "exclude_months": "0",
        "draw_date": DRAW_DATE.isoformat(), "method": "onsite",
        "window_start": START.isoformat(), "window_end": END.isoformat(),
        "officers_per_subject": "2", "officer_cap": "10",
    }, follow_redirects=False)  # fmt: skip
    assert resp.status_code == 303, resp.text
    return str(resp.headers["location"])


def test_define_freeze_draw_publish_and_verify_over_http(
    db: Session, client: TestClient, tmp_path: Path
) -> None:
    item_id = _setup(db)
    token = sign_in(client, "kc_scjg_admin")
    url = _define(client, token, item_id, subject(db).id)
    page = client.get(url)
    assert page.status_code == 200 and "名录库预览" in page.text and "32" in page.text
    draw_id = int(url.rsplit("/", 1)[1])
    assert client.post(f"{url}/freeze", data={"csrf_token": csrf_of(page.text)}).status_code == 200
    public = client.get(f"/public/draws/{draw_id}")
    assert "种子在抽取时公开" in public.text
    # the API agrees, and never shows the seed before the draw
    api = client.get(f"/api/v1/draws/{draw_id}/artefacts").json()
    assert api["seed"] is None and api["frozen"]["pool"]["size"] == 32
    page = client.get(url)
    asked = client.post(f"{url}/draw", data={"csrf_token": csrf_of(page.text)})
    assert asked.status_code == 200 and "确认抽取" in asked.text  # nothing created yet
    confirmed = {"csrf_token": csrf_of(asked.text), "confirm": "1"}
    assert client.post(f"{url}/draw", data=confirmed).status_code == 200
    page = client.get(url)
    assert "抽取结果与人员分配" in page.text and "检查任务与结果公示" in page.text
    assert client.get("/draws").status_code == 200
    # anyone downloads the artefacts and the pool and verifies them
    anon = TestClient(client.app)
    art = anon.get(f"/public/draws/{draw_id}/artefacts.json")
    pool = anon.get(f"/public/draws/{draw_id}/pool.csv")
    assert art.status_code == 200 and pool.status_code == 200
    assert anon.get(f"/public/draws/{draw_id}/results").status_code == 200
    assert anon.get("/public/draws").status_code == 200
    (tmp_path / "artefacts.json").write_bytes(art.content)
    (tmp_path / "pool.csv").write_bytes(pool.content)
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["draw", "verify", str(tmp_path / "artefacts.json")])
    assert ok.exit_code == 0, ok.output
    assert "结论：一致" in ok.output
    data = json.loads(art.content)
    data["selection"][0]["rank"] += 1
    (tmp_path / "tampered.json").write_text(json.dumps(data), encoding="utf-8")
    bad = runner.invoke(cli_app, ["draw", "verify", str(tmp_path / "tampered.json"),
                                  "--pool", str(tmp_path / "pool.csv")])  # fmt: skip
    assert bad.exit_code == 1 and "✗ 抽中企业与公布结果一致" in bad.output
    (tmp_path / "pool2.csv").write_bytes(pool.content.replace(b",A\n", b",B\n", 1))
    bad = runner.invoke(cli_app, ["draw", "verify", str(tmp_path / "artefacts.json"),
                                  "--pool", str(tmp_path / "pool2.csv")])  # fmt: skip
    assert bad.exit_code == 1 and "✗ 名录库文件的 SHA-256" in bad.output


def test_api_create_and_roles(db: Session, client: TestClient) -> None:
    item_id = _setup(db)
    sign_in(client, "kc_scjg_admin")
    body = {"title": "API 抽查", "subject_ids": [subject(db).id], "item_ids": [item_id],
            "region_code": "330802", "draw_date": DRAW_DATE.isoformat(),
            "window_start": START.isoformat(), "window_end": END.isoformat(),
            "industry_codes": "C13"}  # fmt: skip
    token = csrf_of(client.get("/draws/new").text)
    created = client.post("/api/v1/draws", json=body, headers={"x-csrf-token": token})
    assert created.status_code == 201, created.text
    draw_id = created.json()["id"]
    frozen = client.post(f"/api/v1/draws/{draw_id}/freeze", headers={"x-csrf-token": token})
    assert frozen.status_code == 200 and frozen.json()["seed"] is None
    drawn = client.post(f"/api/v1/draws/{draw_id}/draw", headers={"x-csrf-token": token})
    assert drawn.status_code == 200 and drawn.json()["seed"]
    assert client.get("/api/v1/draws").json()["total"] >= 1
    # an officer sees the draw list but may not define draws
    client.cookies.clear()
    sign_in(client, "kc_scjg_zhang")
    assert client.get("/draws").status_code == 200
    assert client.get("/draws/new").status_code == 403
    client.cookies.clear()
    sign_in(client, "kc_sfj")
    assert client.get("/draws/late").status_code == 200
    assert client.get(f"/draws/{draw_id}").status_code == 200


def test_conflict_declaration_page(db: Session, client: TestClient) -> None:
    s = subject(db)
    officer = add_officers(db, s, 1)[0]
    ent = add_enterprises(db, "B")[0]
    db.commit()
    sign_in(client, "kc_scjg_admin")
    page = client.get("/draws/conflicts")
    resp = client.post("/draws/conflicts", data={
        "csrf_token": csrf_of(page.text), "cert_no": officer.cert_no, "uscc": ent.uscc,
        "reason": "近亲属任该企业高管"}, follow_redirects=True)  # fmt: skip
    assert resp.status_code == 200 and "近亲属任该企业高管" in resp.text


def test_public_value_late_results_and_cancelled_draw_pages(
    db: Session, client: TestClient, personas: Personas
) -> None:
    import datetime as dt

    from sqlalchemy import select

    from wurao.auth.scope import SYSTEM_ACTOR
    from wurao.core import audit
    from wurao.core.time import LOCAL_TZ
    from wurao.inspections.models import InspectionRecord, InspectionTask
    from wurao.sampling import freeze, run, service

    s = subject(db)
    add_officers(db, s, 4)
    item = add_item(db)
    add_enterprises(db, "D" * 2)
    draw = new_draw(db, personas.agency_admin, [s], [item], public_value_note="福彩3D开奖号码")
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    other = new_draw(db, personas.agency_admin, [s], [item], title="取消的抽查")
    freeze.freeze_draw(db, draw=other, actor=personas.agency_admin)
    service.cancel_draw(db, draw=other, reason="事项选错", actor=personas.agency_admin)
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get(f"/draws/{draw.id}")
    assert "录入公开随机数" in page.text
    resp = client.post(f"/draws/{draw.id}/public-value",
                       data={"csrf_token": csrf_of(page.text), "public_value": "381"})  # fmt: skip
    assert resp.status_code == 200 and "381" in resp.text
    draw = service.get_draw(db, actor=personas.agency_admin, draw_id=draw.id)
    assert draw.public_value == "381"
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    finished = dt.datetime(2025, 9, 30, 15, tzinfo=LOCAL_TZ)
    for task in db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)):
        rec = InspectionRecord(task_id=task.id, finished_at=finished, outcome="none")
        db.add(rec)
        audit.record(db, actor=SYSTEM_ACTOR, action="record.test", obj=rec)
    db.commit()
    late = client.get("/draws/late")
    assert late.status_code == 200 and "个工作日" in late.text and "没有逾期" not in late.text
    anon = TestClient(client.app)
    cancelled = anon.get(f"/public/draws/{other.id}")
    assert "事项选错" in cancelled.text and other.seed_hex in cancelled.text


def test_public_page_and_artefacts_show_times_and_commitments_but_never_the_salt(
    db: Session, client: TestClient, personas: Personas, tmp_path: Path
) -> None:
    import io
    import re
    import zipfile

    import rfc8785

    from wurao.sampling import conflicts, freeze, run

    s = subject(db)
    staff = add_officers(db, s, 4)
    item = add_item(db)
    ents = add_enterprises(db, "D" * 3)
    conflicts.declare_conflict(db, officer=staff[0], enterprise=ents[0], reason="近亲属任高管",
                             actor=personas.agency_admin)  # fmt: skip
    draw = new_draw(db, personas.agency_admin, [s], [item], public_value_note="福彩3D开奖号码")
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    freeze.set_public_value(db, draw=draw, value="３８１", actor=personas.supervisor)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    db.commit()
    salt = draw.conflict_salt_hex
    assert salt
    anon = TestClient(client.app)
    page = anon.get(f"/public/draws/{draw.id}")
    assert page.status_code == 200 and salt not in page.text
    stamps = re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", page.text)
    assert len(stamps) >= 3 and "名录库冻结" in page.text and "公开随机数录入" in page.text
    art = anon.get(f"/public/draws/{draw.id}/artefacts.json")
    assert salt not in art.text
    data = json.loads(art.content)
    assert art.content == rfc8785.dumps(data)  # served in its canonical (JCS) form
    assert data["frozen"]["conflict_salt_commitment"] in page.text
    assert set(stamps) <= {v for v in data["times"].values() if v}
    pool = anon.get(f"/public/draws/{draw.id}/pool.csv").content
    (tmp_path / "artefacts.json").write_bytes(art.content)
    (tmp_path / "pool.csv").write_bytes(pool)
    (tmp_path / "salt.txt").write_text(salt + "\n", encoding="utf-8")
    runner = CliRunner()
    target = str(tmp_path / "artefacts.json")
    without = runner.invoke(cli_app, ["draw", "verify", target])
    assert without.exit_code == 0 and "未核验" in without.output and "--salt" in without.output
    full = runner.invoke(cli_app, ["draw", "verify", target, "--salt", salt])
    assert full.exit_code == 0 and "未核验" not in full.output, full.output
    assert "✓ 回避盐值" in full.output
    by_file = runner.invoke(cli_app, ["draw", "verify", target, "--salt-file",
                                      str(tmp_path / "salt.txt")])  # fmt: skip
    assert by_file.exit_code == 0 and "未核验" not in by_file.output
    wrong = runner.invoke(cli_app, ["draw", "verify", target, "--salt", "00" * 32])
    assert wrong.exit_code == 1 and "✗ 回避盐值" in wrong.output
    junk = runner.invoke(cli_app, ["draw", "verify", target, "--salt", "not hex"])
    assert junk.exit_code == 2 and "盐值" in junk.output
    # the supervisor downloads the full verification package; an officer may not
    unsigned = anon.get(f"/draws/{draw.id}/verification.zip", follow_redirects=False)
    assert unsigned.status_code in (303, 401)
    sign_in(client, "kc_sfj")
    detail = client.get(f"/draws/{draw.id}")
    assert f"/draws/{draw.id}/verification.zip" in detail.text
    assert "名录库冻结" in detail.text
    package = client.get(f"/draws/{draw.id}/verification.zip")
    assert package.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(package.content)).read("conflict-salt.txt").strip() == (
        salt.encode()
    )
    client.cookies.clear()
    sign_in(client, "kc_scjg_zhang")
    assert f"/draws/{draw.id}/verification.zip" not in client.get(f"/draws/{draw.id}").text
    assert client.get(f"/draws/{draw.id}/verification.zip").status_code == 403
