"""The open-data API (/api/open/v1) and the portal's JSON and CSV twins (#16): every response
validates against its own published JSON Schema, ETag 304, stable paging, filters, bulk files,
withdrawal honoured, and no 居民身份证号 anywhere (both databases)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric

from tests.cases import setup
from tests.cases.test_documents import decided
from tests.conftest import Personas
from tests.planning import entry, item, published_plan
from tests.sampling import add_enterprises, add_item, add_officers, new_draw, subject
from tests.web.test_routes import api_routes
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases import publication
from wurao.core import audit
from wurao.core.time import LOCAL_TZ
from wurao.demo.identifiers import make_ric
from wurao.inspections.models import InspectionRecord, InspectionTask
from wurao.registry.models import Officer
from wurao.reports.annual.catalogue import FIGURES
from wurao.reports.annual.models import AnnualReport
from wurao.reports.open_data import export
from wurao.reports.open_data.formats import cell
from wurao.reports.open_data.resources import RESOURCES
from wurao.sampling import freeze, results, run
from wurao.web import ratelimit

API = "/api/open/v1"
# A 居民身份证号 (GB 11643): six-digit address, a birth date, sequence and check character,
# not inside a longer code. Hits are confirmed with the check digit (a USCC is not one).
RIC_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)
PERSON_RIC = make_ric("330802", dt.date(1990, 1, 2), 5)
# every portal list with its twin, and filters that the page and the twin both take
PORTAL_LISTS = [
    ("/public/subjects", {"region": "330802"}),
    ("/public/items", {"region": "330802"}),
    ("/public/plans", {"region": "330802"}),
    ("/public/special", {}),
    ("/public/draws", {"region": "330802"}),
    ("/public/decisions", {"region": "330802", "year": "2026"}),
    ("/public/discretion", {}),
    ("/public/rules", {}),
    ("/public/personnel", {"region": "330802"}),
    ("/public/results", {"region": "330802"}),
    ("/public/guides", {}),
]


def ric_numbers(text: str) -> list[str]:
    """The valid ID numbers in a text."""
    return [m for m in RIC_RE.findall(text) if stdnum_ric.is_valid(m)]


@pytest.fixture
def world(db: Session, personas: Personas) -> dict[str, Any]:
    """A published plan, a draw with a published result and a published decision about a
    person whose ID number is in the case file."""
    it = item(db)
    plan = published_plan(db, personas.agency_admin, [entry(it.id)])
    s = subject(db)
    add_officers(db, s, 4)
    add_enterprises(db, "D" * 3)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    tasks = list(db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)))
    at = dt.datetime.combine(dt.date(2026, 3, 10), dt.time(15), LOCAL_TZ)
    for task in tasks[:2]:
        task.status = "done"
        rec = InspectionRecord(task_id=task.id, started_at=at, finished_at=at, outcome="rectify")
        db.add(rec)
        audit.record(db, actor=SYSTEM_ACTOR, action="record.test", obj=rec, covers=[task])
    db.flush()
    results.publish_result(db, task=tasks[0], actor=personas.agency_admin)
    w = setup(db)
    facts = f"当事人赵六（身份证号{PERSON_RIC}）销售不合格产品。"
    case = decided(
        db, personas, w, party_kind="person", person_name="赵六", person_ric=PERSON_RIC,
        facts=facts,
    )  # fmt: skip
    publication.publish(db, actor=personas.officer, case=case, on=dt.date(2026, 10, 13))
    db.commit()
    return {"plan": plan, "draw": draw, "task": tasks[0], "case": case, "item": it}


def _all(client: TestClient, name: str, **params: Any) -> dict[str, Any]:
    resp = client.get(f"{API}/{name}", params={"per_page": 200, **params})
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_each_resource_matches_its_own_published_schema(
    client: TestClient, world: dict[str, Any]
) -> None:
    index = client.get(f"{API}/").json()
    assert {r["name"] for r in index["resources"]} >= set(RESOURCES)
    for name in RESOURCES:
        schema = client.get(f"{API}/schemas/{name}.json")
        assert schema.status_code == 200 and schema.headers["etag"]
        validator = jsonschema_rs.validator_for(schema.json())
        body = _all(client, name)
        errors = [e.message for e in validator.iter_errors(body)]
        assert not errors, f"{name}: {errors[:3]}"
        if name not in ("discretion", "specials", "statistics"):  # none published here
            assert body["items"], f"{name} is empty"
    assert client.get(f"{API}/schemas/nothing.json").status_code == 404
    assert client.get(f"{API}/schemas/subjects.yaml").status_code == 404
    # a published result and decision are there; the unpublished result is not
    found = _all(client, "results")["items"]
    assert [r["id"] for r in found] == [world["task"].id]
    assert found[0]["outcome_label"] == "责令整改" and found[0]["draw_id"] == world["draw"].id
    decision = _all(client, "decisions")["items"][0]
    assert decision["party"] == "赵某" and "赵六" not in json.dumps(decision, ensure_ascii=False)


def test_etag_gives_304_and_last_modified(client: TestClient, world: dict[str, Any]) -> None:
    first = client.get(f"{API}/plans")
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get(f"{API}/plans", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get(f"{API}/plans", params={"region": "330803"}, headers={"If-None-Match": etag})
    assert other.status_code == 200  # another list, another tag
    twin = client.get("/public/plans.json")
    assert client.get("/public/plans.json", headers={"If-None-Match": twin.headers["etag"]}
                      ).status_code == 304  # fmt: skip


def test_paging_is_stable_and_complete(client: TestClient, world: dict[str, Any]) -> None:
    for name in ("subjects", "personnel", "rules", "items"):
        whole = [r["id"] for r in _all(client, name)["items"]]
        walked: list[Any] = []
        page = 1
        while True:
            resp = client.get(f"{API}/{name}", params={"per_page": 2, "page": page})
            body = resp.json()
            walked += [r["id"] for r in body["items"]]
            if page >= body["pages"]:
                assert "link" not in resp.headers
                break
            assert 'rel="next"' in resp.headers["link"]
            page += 1
        assert walked == whole and len(set(walked)) == len(walked), name
        if name != "rules":
            assert whole == sorted(whole)
    assert client.get(f"{API}/subjects", params={"per_page": 201}).status_code == 422
    assert client.get(f"{API}/subjects", params={"page": 0}).status_code == 422


def test_region_and_date_filters(client: TestClient, world: dict[str, Any]) -> None:
    kc = {s["name"] for s in _all(client, "subjects", region="330802")["items"]}
    qj = {s["name"] for s in _all(client, "subjects", region="330803")["items"]}
    assert "衢州市柯城区市场监督管理局" in kc and "衢州市柯城区市场监督管理局" not in qj
    assert _all(client, "plans", region="330803")["total"] == 0
    plan_day = world["plan"].published_on.isoformat()
    assert _all(client, "plans", since=plan_day, until=plan_day)["total"] >= 1
    assert _all(client, "plans", since="2099-01-01")["total"] == 0
    assert _all(client, "decisions", since="2026-10-13", until="2026-10-13")["total"] == 1
    assert _all(client, "decisions", until="2026-10-12")["total"] == 0
    bad = client.get(f"{API}/subjects", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "since"
    assert client.get(f"{API}/subjects", params={"region": "12"}).status_code == 422
    assert client.get(f"{API}/subjects", params={"since": "yesterday"}).status_code == 422


def test_withdrawn_decision_leaves_the_api_and_the_twins(
    db: Session, personas: Personas, client: TestClient, world: dict[str, Any]
) -> None:
    assert _all(client, "decisions")["total"] == 1
    publication.withdraw_publication(
        db, actor=personas.officer, case=world["case"], reason="复议撤销",
        on=dt.date(2026, 10, 14),
    )  # fmt: skip
    db.commit()
    assert _all(client, "decisions")["total"] == 0
    assert client.get("/public/decisions.json").json()["total"] == 0
    assert client.get("/public/decisions.csv").text.count("\n") == 1  # the header only


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_every_portal_list_has_equal_json_and_csv_twins(
    client: TestClient, world: dict[str, Any]
) -> None:
    for path, params in PORTAL_LISTS:
        page = client.get(path, params=params)
        assert page.status_code == 200, path
        as_json = client.get(f"{path}.json", params=params)
        as_csv = client.get(f"{path}.csv", params=params)
        assert as_json.status_code == as_csv.status_code == 200, path
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_csv.content.startswith(b"\xef\xbb\xbf")
        body = as_json.json()
        expected = [{k: cell(v) for k, v in row.items()} for row in body["items"]]
        assert _csv_rows(as_csv.text) == expected, path
        assert as_csv.headers["x-total-count"] == str(body["total"])
        assert client.get(f"{path}.xml", params=params).status_code == 404
    # same order as the page: newest plan first on the page and in the twin
    plans = client.get("/public/plans.json").json()["items"]
    assert [p["id"] for p in plans][:1] == [world["plan"].id]
    assert client.get("/public/plans.json", params={"region": "99"}).status_code == 422


def test_bulk_files_are_written_and_served(
    db: Session, client: TestClient, world: dict[str, Any], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(export, "bulk_dir", lambda base=None: base or tmp_path)
    assert client.get(f"{API}/bulk/subjects.jsonl").status_code == 404  # not yet written
    written = export.export_all(db)
    assert {w.path.name for w in written} == {
        f"{n}.{f}" for n in RESOURCES for f in export.BULK_FORMATS
    }
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["files"]) == len(written)
    for name in RESOURCES:
        api_rows = _all(client, name)["items"]
        lines = client.get(f"{API}/bulk/{name}.jsonl")
        assert lines.status_code == 200 and lines.headers["etag"]
        assert [json.loads(x) for x in lines.text.splitlines()] == api_rows, name
        table = client.get(f"{API}/bulk/{name}.csv")
        assert _csv_rows(table.text) == [{k: cell(v) for k, v in r.items()} for r in api_rows]
        cached = client.get(
            f"{API}/bulk/{name}.csv", headers={"If-None-Match": table.headers["etag"]}
        )
        assert cached.status_code == 304
    assert client.get(f"{API}/bulk/subjects.xlsx").status_code == 404
    assert client.get(f"{API}/bulk/..%2Fsecret_key.csv").status_code == 404


def test_no_id_number_in_any_payload(
    db: Session, client: TestClient, world: dict[str, Any], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    known = set(db.scalars(select(Officer.ric))) | {PERSON_RIC}
    assert ric_numbers(f"x {PERSON_RIC} y") == [PERSON_RIC]  # the pattern finds one
    texts: list[str] = []
    for name in RESOURCES:
        texts.append(client.get(f"{API}/{name}", params={"per_page": 200}).text)
    for path, params in PORTAL_LISTS:
        for suffix in ("", ".json", ".csv"):
            texts.append(client.get(f"{path}{suffix}", params=params).text)
    texts.append(client.get("/public/personnel", params={"q": "张明"}).text)
    texts.append(client.get(f"{API}/draws/{world['draw'].id}/artefacts").text)
    monkeypatch.setattr(export, "bulk_dir", lambda base=None: base or tmp_path)
    export.export_all(db)
    texts += [p.read_text(encoding="utf-8-sig") for p in tmp_path.iterdir()]
    for text in texts:
        assert not ric_numbers(text)
        assert not [k for k in known if k in text]


def test_personnel_search_by_name_and_certificate(
    client: TestClient, world: dict[str, Any]
) -> None:
    by_name = client.get("/public/personnel", params={"q": "张明"})
    assert by_name.status_code == 200 and "浙33080220001" in by_name.text
    assert "证件有效" in by_name.text and "衢州市柯城区市场监督管理局" in by_name.text
    by_cert = client.get("/public/personnel.json", params={"q": "浙33080230001"}).json()
    assert [p["name"] for p in by_cert["items"]] == ["李华"]
    assert set(by_cert["items"][0]) == set(RESOURCES["personnel"].model.model_fields)
    nobody = client.get("/public/personnel", params={"q": "王不存在"})
    assert "没有找到符合条件的持证执法人员" in nobody.text and "/report" in nobody.text


def test_portal_pages_procedures_guides_and_results(
    client: TestClient, world: dict[str, Any]
) -> None:
    home = client.get("/public/")
    for link in ("/public/personnel", "/public/procedures", "/public/guides", "/public/results"):
        assert link in home.text
    for link in ("/public/draws", "/public/rules"):  # issue 19 item 6
        assert f'href="{link}' in home.text and client.get(link).status_code == 200
    procedures = client.get("/public/procedures")
    assert procedures.status_code == 200 and "涉企行政检查流程" in procedures.text
    assert "行政处罚一般程序" in procedures.text
    guides = client.get("/public/guides.json").json()["items"]
    by_field = {g["field"]: g["id"] for g in guides}
    market = client.get(f"/public/guides/{by_field['市场监管']}")
    assert market.status_code == 200 and "市场监管领域涉企行政检查服务指南" in market.text
    safety = client.get(f"/public/guides/{by_field['应急管理']}")
    assert "应急管理领域涉企行政检查服务指南" in safety.text
    assert client.get("/public/guides/999999").status_code == 404
    shown = client.get("/public/results", params={"region": "330802"})
    assert shown.status_code == 200 and "责令整改" in shown.text
    assert "/public/decisions" in shown.text


def test_statistics_are_the_published_annual_figures(
    db: Session, client: TestClient, world: dict[str, Any]
) -> None:
    assert _all(client, "statistics")["total"] == 0  # none published yet
    s = subject(db)
    now = dt.datetime.combine(dt.date(2026, 1, 20), dt.time(9), LOCAL_TZ)
    draft = AnnualReport(
        subject_id=s.id,
        region_code=s.region_code,
        year=2025,
        status="draft",
        figures='{"cases_filed": 7}',
        computed_at=now,
        created_at=now,
    )
    published = AnnualReport(subject_id=s.id, region_code=s.region_code, year=2024,
                             status="published", figures='{"cases_filed": 3}', computed_at=now,
                             published_on=dt.date(2025, 1, 20), created_at=now)  # fmt: skip
    for report in (draft, published):
        db.add(report)
        audit.record(db, actor=SYSTEM_ACTOR, action="annual.test", obj=report)
    db.commit()
    rows = _all(client, "statistics")["items"]
    assert {r["year"] for r in rows} == {2024} and len(rows) == len(FIGURES)
    filed = next(r for r in rows if r["key"] == "cases_filed")
    assert filed["value"] == 3 and filed["subject_name"] == s.name
    assert _all(client, "statistics", region="330803")["total"] == 0
    assert _all(client, "statistics", since="2025-01-21")["total"] == 0
    schema = client.get(f"{API}/schemas/statistics.json").json()
    assert not list(jsonschema_rs.validator_for(schema).iter_errors(_all(client, "statistics")))


def test_draw_artefacts(client: TestClient, world: dict[str, Any]) -> None:
    art = client.get(f"{API}/draws/{world['draw'].id}/artefacts")
    assert art.status_code == 200 and art.json()["draw_id"] == world["draw"].id
    assert client.get(f"{API}/draws/999999/artefacts").status_code == 404


def test_the_open_api_shares_the_anonymous_rate_limit(app: Any) -> None:
    routes = [path for path, _, _ in api_routes(app) if path.startswith(f"{API}/")]
    assert len(routes) == len(RESOURCES) + 4
    assert set(routes) == set(ratelimit.OPEN_DATA_PATHS)
    paths = [f"{API}/", f"{API}/subjects", f"{API}/schemas/items.json", f"{API}/bulk/plans.csv",
             f"{API}/draws/3/artefacts"]  # fmt: skip
    for path in paths:
        rule = next((r for r in ratelimit.RULES if r.matches("GET", path)), None)
        assert rule is not None and rule.bucket == "open_data", path
        assert rule.setting == "rate_limit_scan"
