"""Annual statistics workflow (#16): who may do each step, the pages and files, the public page
and the F5 STATS-PUBLICATION alerts raised by the sweep."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ
from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.oversight.engine import sweep
from wurao.oversight.models import Alert
from wurao.reports.annual import exports, queries, service
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.service import ManualValue

TODAY = dt.date(2026, 1, 10)
SOURCE = "政务服务网办件统计"


def licensing(n: int = 100) -> list[ManualValue]:
    return [
        ManualValue("licensing_applications", n, SOURCE),
        ManualValue("licensing_granted", n - 5, SOURCE),
    ]


def draft(db: Session, p: Personas) -> AnnualReport:
    return service.generate(
        db, actor=p.agency_admin, subject=subject(db, KC_SCJG), year=2025, today=TODAY
    )


def as_role(actor: Actor, role: Role, subject_id: int) -> Actor:
    return dataclasses.replace(actor, role=role, subject_id=subject_id)


def test_the_subject_drafts_the_reviewer_checks_the_head_publishes(
    db: Session, personas: Personas
) -> None:
    p = personas
    report = draft(db, p)
    service.set_manual(db, actor=p.agency_admin, report=report, values=licensing())
    service.submit(db, actor=p.agency_admin, report=report)
    with pytest.raises(InvalidInput):  # a return needs the reviewer's opinion
        service.review(db, actor=p.legal_reviewer, report=report, passed=False, opinion=" ")
    service.review(
        db, actor=p.legal_reviewer, report=report, passed=False, opinion="许可数据需核对"
    )
    assert report.status == "draft" and report.review_opinion == "许可数据需核对"
    service.set_manual(db, actor=p.agency_admin, report=report, values=licensing(120))
    service.submit(db, actor=p.agency_admin, report=report)
    service.review(db, actor=p.legal_reviewer, report=report, passed=True, opinion="")
    with pytest.raises(Conflict):  # no manual figures once reviewed
        service.set_manual(db, actor=p.agency_admin, report=report, values=licensing())
    service.approve(db, actor=p.agency_admin, report=report, today=dt.date(2026, 1, 20))
    assert report.status == "published" and report.published_on == dt.date(2026, 1, 20)
    assert report.figures_sha256 == service.seal(report)
    assert service.all_values(report)["licensing_granted"] == 115
    assert not service.is_late(report, report.region_code, 2025, dt.date(2026, 3, 1))
    with pytest.raises(Conflict):  # a published report is not generated again
        draft(db, p)


def test_each_manual_figure_needs_a_reason_and_consistent_values(
    db: Session, personas: Personas
) -> None:
    report = draft(db, personas)
    admin = personas.agency_admin
    with pytest.raises(InvalidInput) as no_reason:
        service.set_manual(
            db, actor=admin, report=report, values=[ManualValue("expropriation", 3, "")]
        )
    assert no_reason.value.field == "expropriation"
    with pytest.raises(InvalidInput):
        service.set_manual(
            db,
            actor=admin,
            report=report,
            values=[
                ManualValue("litigation_total", 1, SOURCE),
                ManualValue("litigation_lost", 2, SOURCE),
            ],
        )
    with pytest.raises(InvalidInput):  # a computed figure is not entered by hand
        service.set_manual(db, actor=admin, report=report, values=[ManualValue("fine_fen", 1, "x")])


def test_only_the_subjects_reviewer_reviews_and_only_its_head_approves(
    db: Session, personas: Personas
) -> None:
    p = personas
    report = draft(db, p)
    yjj = subject(db, KC_YJJ).id
    other_reviewer = as_role(p.legal_reviewer, Role.LEGAL_REVIEWER, yjj)
    other_head = as_role(p.agency_admin, Role.AGENCY_ADMIN, yjj)
    for actor in (p.supervisor, p.officer, p.legal_reviewer, other_head):
        with pytest.raises(Forbidden):
            service.submit(db, actor=actor, report=report)
    service.submit(db, actor=p.agency_admin, report=report)
    for actor in (p.agency_admin, p.supervisor, other_reviewer, p.officer):
        with pytest.raises(Forbidden):
            service.review(db, actor=actor, report=report, passed=True, opinion="")
    service.review(db, actor=p.legal_reviewer, report=report, passed=True, opinion="")
    for actor in (p.legal_reviewer, p.supervisor, other_head, p.officer):
        with pytest.raises(Forbidden):
            service.approve(db, actor=actor, report=report)
    assert service.allowed_actions(p.agency_admin, report) == {"approve"}
    assert service.allowed_actions(p.supervisor, report) == set()
    assert service.allowed_actions(p.legal_reviewer, report) == set()
    service.approve(db, actor=p.agency_admin, report=report)
    assert report.status == "published"


def test_the_supervisor_sees_every_subjects_state_and_changes_nothing(
    db: Session, personas: Personas
) -> None:
    p = personas
    report = draft(db, p)
    lines = queries.overview(db, actor=p.supervisor, year=2025, today=TODAY)
    by_subject = {ln.subject.id: ln for ln in lines}
    assert by_subject[report.subject_id].status_label == "草稿"
    assert by_subject[subject(db, KC_YJJ).id].report is None
    assert not any(ln.late for ln in lines)  # 10 January: before the deadline
    late = queries.overview(db, actor=p.supervisor, year=2025, today=dt.date(2026, 2, 1))
    assert all(ln.late for ln in late)
    assert service.get_report(db, actor=p.supervisor, report_id=report.id) is report
    with pytest.raises(Forbidden):
        service.generate(db, actor=p.supervisor, subject=subject(db, KC_SCJG), year=2025)
    with pytest.raises(NotFound):  # another county
        service.get_report(db, actor=p.neighbour_supervisor, report_id=report.id)
    with pytest.raises(NotFound):  # another subject's officer
        service.get_report(db, actor=p.other_officer, report_id=report.id)
    own = queries.overview(db, actor=p.agency_admin, year=2025, today=TODAY)
    assert [ln.subject.id for ln in own] == [report.subject_id]


def test_f5_stats_reminds_then_alerts_late_until_published(db: Session, personas: Personas) -> None:
    rule = catalogue.F5_STATS.id
    scjg = subject(db, KC_SCJG)

    def keys() -> set[str]:
        rows = db.scalars(select(Alert.dedup_key).where(Alert.subject_id == scjg.id))
        return {k for k in rows if k.startswith(rule)}

    sweep(db, today=TODAY, only=[rule])
    assert keys() >= {f"{rule}:2025:{scjg.id}:due"}
    assert f"{rule}:2025:{scjg.id}:late" not in keys()
    sweep(db, today=dt.date(2026, 2, 1), only=[rule])
    assert f"{rule}:2025:{scjg.id}:late" in keys()
    report = draft(db, personas)
    service.submit(db, actor=personas.agency_admin, report=report)
    service.review(db, actor=personas.legal_reviewer, report=report, passed=True, opinion="")
    service.approve(db, actor=personas.agency_admin, report=report, today=dt.date(2026, 2, 3))
    found = [f for f in service_findings(db, dt.date(2026, 2, 4)) if f.subject_id == scjg.id]
    assert found == []
    assert service.is_late(report, report.region_code, 2025, dt.date(2026, 2, 4))
    statuses = dict(
        db.execute(
            select(Alert.dedup_key, Alert.status).where(Alert.dedup_key.startswith(rule))
        ).all()
    )
    # the reminder is answered by the publication; the late publication's alert stays
    assert statuses[f"{rule}:2025:{scjg.id}:due"] == "dismissed"
    assert statuses[f"{rule}:2025:{scjg.id}:late"] == "new"


def service_findings(db: Session, today: dt.date) -> list[object]:
    from wurao.reports.annual import reminders

    return list(reminders.due_findings(db, today=today))


def test_manual_figures_import_from_xlsx(db: Session, personas: Personas) -> None:
    report = draft(db, personas)
    wb = load_workbook(io.BytesIO(exports.manual_template(report)))
    ws = wb.active
    assert ws is not None
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "expropriation":
            row[2].value, row[3].value = 4, "征收台账"
        if row[1].value == "其他行政执法行为":
            row[2].value, row[3].value = 7, "行政确认台账"
    buf = io.BytesIO()
    wb.save(buf)
    values = exports.parse_manual(buf.getvalue())
    service.set_manual(db, actor=personas.agency_admin, report=report, values=values)
    assert service.manual_values(report) == {"expropriation": 4, "other_acts": 7}
    bad = Workbook()
    sheet = bad.active
    assert sheet is not None
    sheet.append(["指标代码", "指标", "数值", "理由"])
    sheet.append(["no_such", "", 3, "x"])
    out = io.BytesIO()
    bad.save(out)
    with pytest.raises(InvalidInput):
        exports.parse_manual(out.getvalue())


def _publish(db: Session, p: Personas) -> AnnualReport:
    report = draft(db, p)
    service.set_manual(db, actor=p.agency_admin, report=report, values=licensing())
    service.submit(db, actor=p.agency_admin, report=report)
    service.review(db, actor=p.legal_reviewer, report=report, passed=True, opinion="")
    service.approve(db, actor=p.agency_admin, report=report, today=dt.date(2026, 1, 20))
    return report


def test_pages_walk_the_workflow(client: TestClient, db: Session, personas: Personas) -> None:
    scjg = subject(db, KC_SCJG)
    token = sign_in(client, "kc_scjg_admin")
    page = client.get("/reports/annual?year=2025")
    assert page.status_code == 200 and "生成草稿" in page.text
    resp = client.post(
        "/reports/annual/generate",
        data={"subject": str(scjg.id), "year": "2025", "csrf_token": token},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    url = resp.headers["location"]
    detail = client.get(url)
    assert "补充平台无法统计的数据" in detail.text and "提交法制审核" in detail.text
    refused = client.post(
        f"{url}/manual",
        data={"value_expropriation": "3", "reason_expropriation": "", "csrf_token": token,
              "_back": url},
    )  # fmt: skip
    assert refused.status_code == 422 and "error-page" not in refused.text
    assert 'id="err-expropriation">' in refused.text and "请写明数据来源或理由" in refused.text
    assert 'name="value_expropriation" inputmode="numeric" size="8" value="3"' in refused.text
    refused = client.post(
        f"{url}/manual", data={"value_expropriation": "３", "csrf_token": token, "_back": url}
    )
    assert refused.status_code == 422 and 'id="err-expropriation">' in refused.text
    assert 'value="３"' in refused.text
    refused = client.post(
        f"{url}/review/return", data={"opinion": "x", "csrf_token": token, "_back": url}
    )
    assert refused.status_code == 403  # not the subject's reviewer: no form comes back
    saved = client.post(
        f"{url}/manual",
        data={"value_expropriation": "3", "reason_expropriation": "台账", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert client.post(f"{url}/submit", data={"csrf_token": token}).status_code == 200
    assert client.post(f"{url}/review/pass", data={"csrf_token": token}).status_code == 403
    assert client.get(f"{url}/figures.xlsx").status_code == 200
    client.post("/logout", data={"csrf_token": token})

    token = sign_in(client, "kc_scjg_fzsh")
    assert "法制审核通过" in client.get(url).text
    assert client.post(f"{url}/review/pass", data={"csrf_token": token}).status_code == 200
    client.post("/logout", data={"csrf_token": token})

    token = sign_in(client, "kc_sfj")
    overview = client.get("/reports/annual?year=2025")
    assert "待负责人批准" in overview.text and "本辖区合计" in overview.text
    assert client.post(f"{url}/approve", data={"csrf_token": token}).status_code == 403
    assert "负责人批准并公布" not in client.get(url).text
    client.post("/logout", data={"csrf_token": token})

    token = sign_in(client, "kc_scjg_admin")
    assert client.post(f"{url}/approve", data={"csrf_token": token}).status_code == 200
    report = db.get(AnnualReport, int(url.rsplit("/", 1)[1]))
    assert report is not None and report.status == "published"
    package = client.get(f"{url}/package.zip")
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert any(n.endswith(".docx") for n in names) and "说明.txt" in names


def test_the_public_page_shows_only_published_data(
    client: TestClient, db: Session, personas: Personas
) -> None:
    hidden = service.generate(
        db, actor=SYSTEM_ACTOR, subject=subject(db, KC_YJJ), year=2025, today=TODAY
    )
    report = _publish(db, personas)
    page = client.get("/public/statistics/2025?region=330802")
    assert page.status_code == 200
    assert "柯城区市场监管局" in page.text or str(report.id) in page.text
    assert f"/public/statistics/2025/{hidden.id}" not in page.text
    one = client.get(f"/public/statistics/2025/{report.id}")
    assert one.status_code == 200 and report.figures_sha256 in one.text
    assert "政务服务网办件统计" in one.text
    assert client.get(f"/public/statistics/2025/{hidden.id}").status_code == 404
    assert client.get(f"/public/statistics/2024/{report.id}").status_code == 404
    xlsx = client.get(f"/public/statistics/2025/{report.id}/figures.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    labels = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "行政检查次数" in labels and "受理行政许可申请" in labels
    docx = client.get(f"/public/statistics/2025/{report.id}/figures.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get(f"/public/statistics/2025/{hidden.id}/figures.xlsx").status_code == 404


def test_a_publication_in_time_answers_the_late_alert_too(db: Session, personas: Personas) -> None:
    """A sweep that ran before a back-dated publication (the demo's order) leaves nothing."""
    rule = catalogue.F5_STATS.id
    scjg = subject(db, KC_SCJG)
    sweep(db, today=dt.date(2026, 2, 1), only=[rule])
    _publish(db, personas)
    open_keys = set(
        db.scalars(
            select(Alert.dedup_key).where(
                Alert.dedup_key.startswith(f"{rule}:2025:{scjg.id}:"), Alert.status == "new"
            )
        )
    )
    assert open_keys == set()
