"""Fine revenue (罚没收入) pages: the finance side's .xlsx import (a report per row, bad rows
refused, re-import idempotent, another region's subject refused), the monthly table and its
drill-down, the JSON series, the export writing user text as text, and the dashboard's section
with a query count that does not grow with the data (both databases)."""

from __future__ import annotations

import datetime as dt
import io

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import KC_SCJG, KC_YJJ, QJ_SCJG, subject
from tests.oversight.test_fines import add_case, add_month
from tests.web.test_query_counts import queries_for
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.time import local_today
from wurao.oversight.fines import imports
from wurao.oversight.fines.models import FineRevenueMonth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = dt.date(2026, 12, 5)


def _xlsx(*rows: tuple[object, ...]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(imports.HEADERS))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(FineRevenueMonth)) or 0)


def test_import_reports_bad_rows_and_reimport_is_idempotent(
    db: Session, personas: Personas
) -> None:
    kc = subject(db, KC_SCJG)
    qj = subject(db, QJ_SCJG)
    data = _xlsx(
        (KC_SCJG, kc.name, "2025-01", "12000.50", "一月"),
        (KC_SCJG, "", "2025年2月", 8000, ""),
        (KC_SCJG, "", "2025-02", 100, ""),  # the same month again
        ("91330802MA0000000X", "", "2025-03", 100, ""),  # no such subject
        (QJ_SCJG, qj.name, "2025-03", 100, ""),  # another county's subject
        (KC_SCJG, "别的名称", "2025-04", 100, ""),
        (KC_SCJG, "", "2025-13", 100, ""),
        (KC_SCJG, "", "2025-05", "-5", ""),
        (KC_SCJG, "", "2025-06", "1.234", ""),
        (KC_SCJG, "", "2027-01", 100, ""),  # after this month
    )
    actor = personas.supervisor
    report = imports.validate(db, actor=actor, data=data, today=TODAY)
    reasons = {o.line: "；".join(o.reasons) for o in report.outcomes}
    assert [o.line for o in report.outcomes if o.accepted] == [2, 3]
    assert "与第3行重复" in reasons[4]
    assert "未找到统一社会信用代码" in reasons[5]
    assert "不在您的管辖范围内" in reasons[6]
    assert "与登记的“衢州市柯城区市场监督管理局”不一致" in reasons[7]
    assert "应写作如 2025-03" in reasons[8]
    assert "不能为负数" in reasons[9] and "最多保留两位小数" in reasons[10]
    assert "晚于本月" in reasons[11]
    imports.apply(db, actor=actor, report=report, accept_valid=False)
    assert report.written == 0 and _count(db) == 0  # nothing without accept_valid
    imports.apply(db, actor=actor, report=report, accept_valid=True)
    assert (report.added, report.changed, report.unchanged) == (2, 0, 0)
    row = db.scalar(select(FineRevenueMonth).where(FineRevenueMonth.month == dt.date(2025, 1, 1)))
    assert row is not None and row.amount_fen == 1_200_050 and row.note == "一月"
    again = imports.validate(db, actor=actor, data=data, today=TODAY)
    imports.apply(db, actor=actor, report=again, accept_valid=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2) and _count(db) == 2
    fixed = _xlsx((KC_SCJG, "", "2025-02", 9000, "更正"))
    changed = imports.validate(db, actor=actor, data=fixed, today=TODAY)
    imports.apply(db, actor=actor, report=changed, accept_valid=False)
    assert (changed.added, changed.changed) == (0, 1) and _count(db) == 2


def test_import_page_and_permissions(client: TestClient, db: Session) -> None:
    token = sign_in(client, "kc_sfj")
    assert client.get("/oversight/fines/template.xlsx").status_code == 200
    assert "上传并校验" in client.get("/oversight/fines/import").text
    files = {
        "file": (
            "罚没收入.xlsx",
            _xlsx((KC_SCJG, "", "2025-01", 100, ""), ("", "", "", "", "x")),
            XLSX,
        )
    }
    unreadable = client.post(
        "/oversight/fines/import",
        data={"csrf_token": token, "_back": "/oversight/fines/import", "accept_valid": "1"},
        files={"file": ("罚没收入.xlsx", b"not a workbook", XLSX)},
    )
    assert unreadable.status_code == 422 and "error-page" not in unreadable.text
    assert 'id="err-file">' in unreadable.text
    assert 'name="accept_valid" value="1" checked' in unreadable.text  # the choice kept
    refused = client.post("/oversight/fines/import", data={"csrf_token": token}, files=files)
    assert refused.status_code == 422 and "本次未写入任何数据" in refused.text
    assert "执法主体统一社会信用代码未填写" in refused.text
    accepted = client.post(
        "/oversight/fines/import", data={"csrf_token": token, "accept_valid": "1"}, files=files
    )
    assert accepted.status_code == 200 and "新增 1 条" in accepted.text
    client.cookies.clear()
    sign_in(client, "kc_scjg_admin")  # an agency neither imports nor reads the region's money
    assert client.get("/oversight/fines/import").status_code == 403
    assert client.get("/oversight/fines").status_code == 403
    assert client.get("/api/v1/fines/monthly").status_code == 403


def test_monthly_page_drill_down_api_and_export(
    client: TestClient, db: Session, personas: Personas
) -> None:
    year = local_today().year
    kc, yjj = subject(db, KC_SCJG), subject(db, KC_YJJ)
    case = add_case(
        db, kc, fine_yuan=3000, decided_on=dt.date(year, 1, 5), paid_on=dt.date(year, 1, 9)
    )
    add_month(db, kc, dt.date(year - 1, 1, 1), 1500)
    add_month(db, yjj, dt.date(year - 1, 2, 1), 700)
    before = audit.snapshot(kc)
    kc.name = '=HYPERLINK("http://x","y")'  # user text must stay text in the export
    audit.record(db, actor=SYSTEM_ACTOR, action="subject.test", obj=kc, before=before)
    db.flush()
    sign_in(client, "kc_sfj")
    page = client.get(f"/oversight/fines?year={year}")
    assert page.status_code == 200 and "3,000.00" in page.text and "1,500.00" in page.text
    link = f"/oversight/fines/cases?year={year}&month=1&amp;subject={kc.id}"
    assert link in page.text
    drill = client.get(f"/oversight/fines/cases?year={year}&month=1&subject={kc.id}")
    assert drill.status_code == 200 and case.number in drill.text
    assert "财政部门导入" not in drill.text
    booked = client.get(f"/oversight/fines/cases?year={year - 1}&month=1&subject={kc.id}")
    assert "另有财政部门导入的罚没收入 1,500.00 元" in booked.text
    regions = client.get(f"/oversight/fines?year={year}&by=region")
    assert regions.status_code == 200 and "region=330802" in regions.text
    api = client.get("/api/v1/fines/monthly", params={"year": year}).json()
    series = {s["key"]: s for s in api["series"]}
    assert series[str(kc.id)]["months_fen"][0] == 300_000
    assert series[str(kc.id)]["last_months_fen"][0] == 150_000
    assert series[str(kc.id)]["last_sources"][0] == "import"
    assert series[str(yjj.id)]["last_months_fen"][1] == 70_000
    assert api["total"]["months_fen"][0] == 300_000
    export = client.get(f"/oversight/fines.xlsx?year={year}")
    ws = load_workbook(io.BytesIO(export.content)).active
    assert ws is not None
    names = [c for c in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    assert (kc.name,) in names
    cell = next(c for c in ws["A"] if c.value == kc.name)
    assert cell.data_type == "s"
    client.cookies.clear()
    sign_in(client, "qj_sfj")  # the neighbouring county's supervisor
    assert client.get(f"/oversight/fines/cases?year={year}&subject={kc.id}").status_code == 404
    assert client.get(f"/oversight/fines/cases?year={year}&region=330802").status_code == 404
    other = client.get("/api/v1/fines/monthly", params={"year": year}).json()
    assert str(kc.id) not in {s["key"] for s in other["series"]}


def test_dashboard_fines_section_with_a_fixed_query_count(client: TestClient, db: Session) -> None:
    year = local_today().year
    kc = subject(db, KC_SCJG)
    add_case(db, kc, fine_yuan=1000, decided_on=dt.date(year, 1, 5), paid_on=dt.date(year, 1, 9))
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/dashboard")
    assert page.status_code == 200 and 'id="fines"' in page.text
    assert f"/oversight/fines/cases?year={year}&month=1" in page.text
    few = queries_for(client, db, "/oversight/dashboard")
    yjj = subject(db, KC_YJJ)
    for month in range(1, 13):
        add_month(db, yjj, dt.date(year - 1, month, 1), 100 * month)
        add_case(
            db,
            yjj,
            fine_yuan=100 + month,
            decided_on=dt.date(year, 1, month),
            paid_on=dt.date(year, 1, month + 1),
        )
    db.commit()
    assert queries_for(client, db, "/oversight/dashboard") == few
    subject_page = client.get(f"/oversight/dashboard?subject={kc.id}")
    assert subject_page.status_code == 200 and 'id="fines"' in subject_page.text
