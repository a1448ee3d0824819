"""执法监督员 and 企业联系点 registries: CRUD by the region's supervisor, masked ID numbers,
import with a row-level report, export writing user text as text, the JSON API."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import add_enterprise
from tests.registry.refused import error_beside, refused
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.registry.imports import service as imports
from wurao.registry.imports.sheets import SPECS
from wurao.registry.monitors import service
from wurao.registry.monitors.models import EnforcementMonitor

_serial = itertools.count(1)


def ric() -> str:
    """A valid 居民身份证号 born in 1980, distinct per call."""
    body = f"33080219800101{next(_serial) % 1000:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def monitor_data(**changes: object) -> service.MonitorData:
    values: dict[str, object] = {
        "name": "张三",
        "ric": ric(),
        "region_code": "330802",
        "organ": "衢州市柯城区人大代表联络站",
        "appointed_by": "衢州市柯城区司法局",
        "appointment_no": "柯司〔2026〕12号",
        "valid_from": local_today() - dt.timedelta(days=30),
        "valid_to": local_today() + dt.timedelta(days=700),
        "phone": "13800000000",
    }
    values.update(changes)
    return service.MonitorData(**values)  # type: ignore[arg-type]


def add_monitor(db: Session, personas: Personas, **changes: object) -> EnforcementMonitor:
    return service.create_monitor(db, data=monitor_data(**changes), actor=personas.supervisor)


def test_supervisor_appoints_and_edits_a_monitor(db: Session, personas: Personas) -> None:
    m = add_monitor(db, personas)
    assert service.monitor_state(m, local_today()) == "active"
    found = service.list_monitors(db, actor=personas.supervisor, q="张三")
    assert [x.id for x in found.items] == [m.id]
    data = monitor_data(ric=None, name="张三丰", status="revoked")
    service.update_monitor(db, monitor=m, data=data, actor=personas.supervisor)
    assert m.name == "张三丰" and service.monitor_state(m, local_today()) == "revoked"
    revoked = service.list_monitors(db, actor=personas.supervisor, state="revoked")
    assert m.id in [x.id for x in revoked.items]


def test_monitor_input_is_validated_field_by_field(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as bad_ric:
        add_monitor(db, personas, ric="330802198001010000")
    assert bad_ric.value.field == "ric"
    with pytest.raises(InvalidInput) as bad_term:
        add_monitor(db, personas, valid_to=local_today() - dt.timedelta(days=400))
    assert bad_term.value.field == "valid_to"
    with pytest.raises(InvalidInput) as bad_user:
        add_monitor(db, personas, username="kc_scjg_zhang")  # an officer, not a supervisor
    assert bad_user.value.field == "username"
    same = ric()
    add_monitor(db, personas, ric=same)
    with pytest.raises(Conflict):
        add_monitor(db, personas, ric=same)


def test_only_the_regions_supervisor_manages_others_read_or_nothing(
    db: Session, personas: Personas
) -> None:
    m = add_monitor(db, personas)
    with pytest.raises(Forbidden):
        service.create_monitor(db, data=monitor_data(), actor=personas.agency_admin)
    with pytest.raises(Forbidden):  # the neighbouring county's supervisor
        service.create_monitor(db, data=monitor_data(), actor=personas.neighbour_supervisor)
    with pytest.raises(NotFound):
        service.get_monitor(db, actor=personas.neighbour_supervisor, monitor_id=m.id)
    # an agency of the county reads the county's monitors
    assert service.get_monitor(db, actor=personas.agency_admin, monitor_id=m.id).id == m.id
    with pytest.raises(Forbidden):
        service.list_monitors(db, actor=personas.enterprise)


def test_expired_state_is_read_from_the_term(db: Session, personas: Personas) -> None:
    old = add_monitor(
        db,
        personas,
        valid_from=local_today() - dt.timedelta(days=800),
        valid_to=local_today() - dt.timedelta(days=1),
    )
    assert service.monitor_state(old, local_today()) == "expired"
    expired = service.list_monitors(db, actor=personas.supervisor, state="expired")
    active = service.list_monitors(db, actor=personas.supervisor, state="active")
    assert old.id in [x.id for x in expired.items]
    assert old.id not in [x.id for x in active.items]


def test_contact_point_crud_and_search(db: Session, personas: Personas) -> None:
    ent = add_enterprise(db)
    data = service.ContactPointData(
        enterprise_uscc=ent.uscc, contact_name="王经理", phone="0570-1234567", since=local_today()
    )
    point = service.create_contact_point(db, data=data, actor=personas.supervisor)
    assert point.region_code == ent.region_code
    found = service.list_contact_points(db, actor=personas.supervisor, q=ent.name[:6])
    assert [(p.id, e.id) for p, e in found.items] == [(point.id, ent.id)]
    with pytest.raises(Conflict):
        service.create_contact_point(db, data=data, actor=personas.supervisor)
    with pytest.raises(InvalidInput) as unknown:
        service.create_contact_point(
            db,
            data=service.ContactPointData(
                enterprise_uscc="91330802MA2B99999X", contact_name="x", since=local_today()
            ),
            actor=personas.supervisor,
        )
    assert unknown.value.field == "enterprise_uscc"
    ended = service.ContactPointData(
        enterprise_uscc=ent.uscc, contact_name="李经理", since=local_today(), status="ended"
    )
    service.update_contact_point(db, point=point, data=ended, actor=personas.supervisor)
    assert point.status == "ended" and point.contact_name == "李经理"
    with pytest.raises(NotFound):
        service.get_contact_point(db, actor=personas.neighbour_supervisor, point_id=point.id)


def _sheet(kind: str, rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(SPECS[kind].headers))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _monitor_row(number: str, name: str, region: str = "330802") -> list[str]:
    return [
        name, number, region, "某单位", "衢州市柯城区司法局", "柯司〔2026〕3号",
        "2026-01-01", "2028-12-31", "13900000000", "在聘",
    ]  # fmt: skip


def test_monitor_import_reports_the_bad_row_and_imports_the_good(
    db: Session, personas: Personas
) -> None:
    good, other = ric(), ric()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = _sheet(
        "monitors",
        [
            _monitor_row(good, "李四"),
            _monitor_row(bad, "王五"),  # wrong check digit
            _monitor_row(other, "赵六", region="330803"),  # the neighbouring county
        ],
    )
    report = imports.validate(db, actor=personas.supervisor, kind="monitors", data=data)
    assert report.total == 3 and report.rejected_rows == 2
    rows = {(p.row, p.column) for p in report.problems}
    assert (3, "居民身份证号") in rows and (4, "行政区划代码") in rows
    assert all(bad not in p.value for p in report.problems)  # the report masks the number
    imports.apply(db, actor=personas.supervisor, report=report, accept_valid=True)
    assert report.created == 1
    names = [m.name for m in service.list_monitors(db, actor=personas.supervisor).items]
    assert "李四" in names and "王五" not in names
    with pytest.raises(Forbidden):
        imports.validate(db, actor=personas.agency_admin, kind="monitors", data=data)


def test_contact_point_import_reports_unknown_enterprise(db: Session, personas: Personas) -> None:
    ent = add_enterprise(db)
    data = _sheet(
        "contact_points",
        [
            [ent.uscc, ent.name, "王经理", "0570-1", "2026-01-05", "有效"],
            ["91330802MA2B99999X", "不存在", "某人", "", "2026-01-05", "有效"],
            [ent.uscc, ent.name, "", "", "", "有效"],
        ],
    )
    report = imports.validate(db, actor=personas.supervisor, kind="contact_points", data=data)
    assert report.rejected_rows == 2
    columns = {(p.row, p.column) for p in report.problems}
    assert (3, "企业统一社会信用代码") in columns and (4, "联系人") in columns
    imports.apply(db, actor=personas.supervisor, report=report, accept_valid=True)
    again = imports.validate(db, actor=personas.supervisor, kind="contact_points", data=data)
    imports.apply(db, actor=personas.supervisor, report=again, accept_valid=True)
    assert again.created == 0 and again.unchanged == 1  # upsert by enterprise


def test_export_writes_user_text_as_text_and_masks_the_id(db: Session, personas: Personas) -> None:
    number = ric()
    add_monitor(db, personas, ric=number, name='=HYPERLINK("http://x","y")')
    ent = add_enterprise(db)
    service.create_contact_point(
        db,
        data=service.ContactPointData(
            enterprise_uscc=ent.uscc, contact_name="+cmd|' /C calc'!A0", since=local_today()
        ),
        actor=personas.supervisor,
    )
    sheet = load_workbook(
        io.BytesIO(imports.export(db, actor=personas.supervisor, kind="monitors"))
    ).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    name = next(c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert name.data_type == "s"
    assert all(c.value != number for c in cells)
    points = load_workbook(
        io.BytesIO(imports.export(db, actor=personas.supervisor, kind="contact_points"))
    ).active
    assert points is not None
    values = [[c.value for c in row] for row in points.iter_rows(min_row=2)]
    assert [ent.uscc, ent.name] == values[-1][:2]
    contact = next(
        c for row in points.iter_rows(min_row=2) for c in row if c.value and "calc" in str(c.value)
    )
    assert contact.data_type == "s"
    # the neighbour's export holds none of the county's rows
    other = load_workbook(
        io.BytesIO(imports.export(db, actor=personas.neighbour_supervisor, kind="monitors"))
    ).active
    assert other is not None and other.max_row == 1


def test_pages_form_errors_beside_the_field_and_refill(
    client: TestClient, db: Session, personas: Personas
) -> None:
    sign_in(client, "kc_sfj")
    form = client.get("/registry/monitors/new")
    assert form.status_code == 200
    text = refused(
        client,
        "/registry/monitors",
        "/registry/monitors/new",
        {
            "csrf_token": csrf_of(form.text),
            "name": "孙七",
            "ric": "330802198001",
            "region_code": "330802",
            "appointed_by": "衢州市柯城区司法局",
            "appointment_no": "柯司〔2026〕9号",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
        },
    )
    assert error_beside(text, "ric") != "" and 'value="孙七"' in text
    assert "330802198001" not in text  # the number typed is not written back into the page
    assert 'value="柯司〔2026〕9号"' in text and 'value="2027-12-31"' in text
    assert db.scalar(select(EnforcementMonitor).where(EnforcementMonitor.name == "孙七")) is None
    ok = client.post(
        "/registry/monitors",
        data={
            "csrf_token": csrf_of(form.text),
            "name": "孙七",
            "ric": ric(),
            "region_code": "330802",
            "appointed_by": "衢州市柯城区司法局",
            "appointment_no": "柯司〔2026〕9号",
            "valid_from": "2026-01-01",
            "valid_to": "2030-12-31",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    detail = client.get(ok.headers["location"])
    assert detail.status_code == 200 and "孙七" in detail.text and "****" in detail.text
    listing = client.get("/registry/monitors?q=孙")
    assert "孙七" in listing.text
    assert client.get("/registry/contact-points").status_code == 200
    assert client.get("/registry/contact-points/new").status_code == 200


def test_contact_point_forms_come_back_refused_with_what_was_typed(
    client: TestClient, db: Session, personas: Personas
) -> None:
    ent = add_enterprise(db)
    data = service.ContactPointData(
        enterprise_uscc=ent.uscc, contact_name="王经理", since=local_today()
    )
    point = service.create_contact_point(db, data=data, actor=personas.supervisor)
    db.commit()
    csrf = sign_in(client, "kc_sfj")
    url = f"/registry/contact-points/{point.id}"
    future = (local_today() + dt.timedelta(days=3)).isoformat()
    form = {
        "csrf_token": csrf,
        "enterprise_uscc": ent.uscc,
        "contact_name": "李经理",
        "phone": "0570-7654321",
        "since": future,  # refused by the service: after today
        "status": "ended",
    }
    text = refused(client, url, f"{url}/edit", form)
    assert error_beside(text, "since") == "设立日期不能晚于今天。"
    assert 'value="李经理"' in text and f'value="{future}"' in text
    assert '<option value="ended" selected>' in text
    text = refused(client, url, f"{url}/edit", {**form, "since": "2026-02-30"})
    assert error_beside(text, "since") == "「设立日期」应为日期（YYYY-MM-DD）。"
    # the same enterprise twice: a conflict (409) shown above the form, input kept
    new = {**form, "since": local_today().isoformat(), "contact_name": "赵经理"}
    text = refused(client, "/registry/contact-points", "/registry/contact-points/new", new, 409)
    assert "已是企业联系点" in text and 'value="赵经理"' in text
    db.expire_all()
    stored = db.get(type(point), point.id)
    assert stored is not None and stored.contact_name == "王经理" and stored.status == "active"


def test_agency_reads_but_cannot_open_the_forms(client: TestClient, db: Session) -> None:
    sign_in(client, "kc_scjg_admin")
    assert client.get("/registry/monitors").status_code == 200
    assert client.get("/registry/monitors/new").status_code == 403
    assert client.get("/registry/contact-points/new").status_code == 403


def test_api_lists_and_gets_with_the_id_masked(
    client: TestClient, db: Session, personas: Personas
) -> None:
    number = ric()
    m = add_monitor(db, personas, ric=number, name="周八")
    db.commit()
    sign_in(client, "kc_sfj")
    listing = client.get("/api/v1/monitors", params={"q": "周八"})
    assert listing.status_code == 200
    body = listing.json()
    assert body["total"] == 1 and body["items"][0]["state"] == "active"
    assert number not in listing.text
    one = client.get(f"/api/v1/monitors/{m.id}")
    assert one.status_code == 200 and one.json()["name"] == "周八"
    assert client.get("/api/v1/contact-points").status_code == 200
    sign_in(client, "qj_sfj")
    assert client.get(f"/api/v1/monitors/{m.id}").status_code == 404


def test_csv_import_and_csv_export_keep_formulas_inert(
    db: Session, personas: Personas, client: TestClient
) -> None:
    number = ric()
    header = ",".join(SPECS["monitors"].headers)
    row = ",".join(_monitor_row(number, "-2+3 吴九"))
    data = ("\ufeff" + header + "\n" + row + "\n").encode("utf-8")
    report = imports.validate(db, actor=personas.supervisor, kind="monitors", data=data)
    assert report.total == 1 and report.rejected_rows == 0
    imports.apply(db, actor=personas.supervisor, report=report, accept_valid=True)
    text = imports.export_csv(db, actor=personas.supervisor, kind="monitors").decode("utf-8")
    assert "'-2+3 吴九" in text and number not in text
    db.commit()
    sign_in(client, "kc_sfj")
    resp = client.get("/registry/export/monitors", params={"format": "csv"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert "'-2+3 吴九" in resp.content.decode("utf-8-sig")
