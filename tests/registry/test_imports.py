"""Registry import and export: every rejected row reported, valid rows or none, idempotent."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from tests.conftest import Personas, sign_in
from tests.registry.refused import SUMMARY, error_beside, refused
from wurao.registry.imports import service
from wurao.registry.imports.sheets import SPECS
from wurao.registry.models import Enterprise, Officer


def uscc(n: int, region: str = "330802") -> str:
    body = f"91{region}MA2B{n:05d}"
    return body + stdnum_uscc.calc_check_digit(body)


def ric(body: str = "33080219850315001") -> str:
    # stdnum reads the first 17 characters of an 18-character number.
    return body + stdnum_ric.calc_check_digit(body + "0")


def wrong_ric() -> str:
    good = ric()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def workbook(kind: str, rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(SPECS[kind].headers))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def enterprise_row(code: str, name: str, region: str = "330802", status: str = "存续") -> list[str]:
    return [
        code,
        name,
        region,
        "柯城区某路1号",
        "C3311",
        status,
        "B",
        "特种设备",
        "王",
        "0570-1",
        "",
    ]


GOOD = [enterprise_row(uscc(i), f"导入测试企业{i}有限公司") for i in range(1, 8)]
BAD_CHECK = uscc(50)[:-1] + ("0" if uscc(50)[-1] != "0" else "1")
BAD = [
    enterprise_row(BAD_CHECK, "校验位错误公司"),  # row 9
    enterprise_row(uscc(51), "外县企业", region="330803"),  # row 10: outside the county
    enterprise_row(uscc(52), "状态错误公司", status="休眠"),  # row 11
]


def count(db: Session) -> int:
    return int(
        db.scalar(
            select(func.count()).select_from(Enterprise).where(Enterprise.name.like("导入测试%"))
        )
        or 0
    )


def test_three_bad_rows_among_good_ones_are_reported_exactly(
    db: Session, personas: Personas
) -> None:
    data = workbook("enterprises", [*GOOD, *BAD])
    report = service.validate(db, actor=personas.supervisor, kind="enterprises", data=data)
    assert report.total == 10
    assert len(report.valid) == 7
    assert report.rejected_rows == 3
    assert sorted({p.row for p in report.problems}) == [9, 10, 11]
    by_row = {p.row: p for p in report.problems}
    assert by_row[9].column == "统一社会信用代码" and "校验" in by_row[9].reason
    assert by_row[10].column == "行政区划代码" and by_row[10].reason == "不在您的辖区内"
    assert by_row[11].column == "登记状态" and by_row[11].value == "休眠"
    # Not accepting the valid rows writes nothing.
    service.apply(db, actor=personas.supervisor, report=report, accept_valid=False)
    assert count(db) == 0
    # Accepting them writes exactly the seven.
    service.apply(db, actor=personas.supervisor, report=report, accept_valid=True)
    assert (report.created, report.updated) == (7, 0)
    assert count(db) == 7


def test_reimporting_the_same_file_changes_nothing(db: Session, personas: Personas) -> None:
    data = workbook("enterprises", GOOD)
    first = service.apply(
        db,
        actor=personas.supervisor,
        report=service.validate(db, actor=personas.supervisor, kind="enterprises", data=data),
        accept_valid=False,
    )
    assert first.created == 7
    again = service.apply(
        db,
        actor=personas.supervisor,
        report=service.validate(db, actor=personas.supervisor, kind="enterprises", data=data),
        accept_valid=False,
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert count(db) == 7


def test_changed_row_updates_by_natural_key(db: Session, personas: Personas) -> None:
    service.apply(
        db,
        actor=personas.supervisor,
        report=service.validate(
            db,
            actor=personas.supervisor,
            kind="enterprises",
            data=workbook("enterprises", GOOD[:2]),
        ),
        accept_valid=False,
    )
    changed = [enterprise_row(uscc(1), "导入测试企业1有限公司", status="注销"), GOOD[1]]
    report = service.apply(
        db,
        actor=personas.supervisor,
        report=service.validate(
            db, actor=personas.supervisor, kind="enterprises", data=workbook("enterprises", changed)
        ),
        accept_valid=False,
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert db.scalar(select(Enterprise.status).where(Enterprise.uscc == uscc(1))) == "deregistered"


def test_duplicate_key_within_file_is_rejected(db: Session, personas: Personas) -> None:
    report = service.validate(
        db,
        actor=personas.supervisor,
        kind="enterprises",
        data=workbook("enterprises", [GOOD[0], GOOD[0]]),
    )
    assert report.rejected_rows == 1
    assert report.problems[0].row == 3 and "与第2行重复" in report.problems[0].reason


def test_missing_header_is_refused_before_any_row(db: Session, personas: Personas) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["名称"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(Exception, match="统一社会信用代码"):
        service.validate(db, actor=personas.supervisor, kind="enterprises", data=buf.getvalue())


def test_officer_import_masks_id_numbers_in_the_report(db: Session, personas: Personas) -> None:
    bad_ric = wrong_ric()
    row = [
        "赵六",
        bad_ric,
        "11330802MB1A00001T",
        "执法人员",
        "",
        "浙TEST001",
        "2024-01-01",
        "2028-12-31",
        "2025",
        "通过",
        "否",
        "",
    ]
    report = service.validate(
        db, actor=personas.agency_admin, kind="officers", data=workbook("officers", [row])
    )
    assert report.rejected_rows == 1
    assert all(bad_ric not in p.value for p in report.problems)
    assert any(p.column == "居民身份证号" for p in report.problems)


def test_agency_admin_cannot_import_another_subjects_officers(
    db: Session, personas: Personas
) -> None:
    row = [
        "钱七",
        ric("33080219850316002"),
        "11330802MB1A00002X",
        "执法人员",
        "",
        "浙TEST002",
        "2024-01-01",
        "2028-12-31",
        "2025",
        "通过",
        "否",
        "",
    ]
    report = service.validate(
        db, actor=personas.agency_admin, kind="officers", data=workbook("officers", [row])
    )
    assert [p.reason for p in report.problems] == ["只能导入本主体的人员"]


def test_template_has_chinese_headers_and_instructions() -> None:
    wb = load_workbook(io.BytesIO(service.template("enterprises")))
    assert [c.value for c in wb.worksheets[0][1]] == list(SPECS["enterprises"].headers)
    assert wb.sheetnames[1] == "填写说明"


def test_export_masks_id_numbers_and_stays_in_scope(db: Session, personas: Personas) -> None:
    service.apply(
        db,
        actor=personas.supervisor,
        report=service.validate(
            db,
            actor=personas.supervisor,
            kind="enterprises",
            data=workbook("enterprises", GOOD[:2]),
        ),
        accept_valid=False,
    )
    data = service.export(db, actor=personas.neighbour_supervisor, kind="enterprises")
    names = [
        r[1]
        for r in load_workbook(io.BytesIO(data))
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    ]
    assert not any(str(n).startswith("导入测试") for n in names)
    officers = db.scalars(select(Officer)).all()
    exported = service.export(db, actor=personas.admin, kind="officers")
    text = str(list(load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows(values_only=True)))
    assert all(o.ric not in text for o in officers)


def test_upload_report_then_import_valid_rows_on_the_page(client: TestClient, db: Session) -> None:
    csrf = sign_in(client, "kc_sfj")
    data = workbook("enterprises", GOOD[:3] + BAD)
    resp = client.post(
        "/registry/imports",
        data={"kind": "enterprises", "csrf_token": csrf},
        files={"file": ("企业.xlsx", data, "application/octet-stream")},
    )
    assert resp.status_code == 200
    assert "有问题" in resp.text and "不在您的辖区内" in resp.text
    assert count(db) == 0  # validation writes nothing
    digest_value = re.search(r'name="digest" value="([0-9a-f]{64})"', resp.text)
    assert digest_value
    done = client.post(
        "/registry/imports/confirm",
        data={
            "kind": "enterprises",
            "digest": digest_value.group(1),
            "choice": "valid",
            "csrf_token": csrf,
        },
        follow_redirects=True,
    )
    assert done.status_code == 200 and "新增3" in done.text
    assert count(db) == 3


def _with_cell_xml(data: bytes, placeholder: str, xml: str) -> bytes:
    """The workbook with ``placeholder`` replaced by raw XML: spreadsheet programs write
    character references such as &#x7f; that openpyxl refuses to write but reads back."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename).replace(placeholder.encode(), xml.encode()))
    return out.getvalue()


def test_row_with_a_control_character_is_rejected_with_row_and_column(
    db: Session, personas: Personas
) -> None:
    rows = [
        enterprise_row(uscc(60), "控制字符XXCTRLXX公司"),
        enterprise_row(uscc(61), "正常导入测试公司"),
    ]
    data = _with_cell_xml(workbook("enterprises", rows), "XXCTRLXX", "&#x7f;&#x85;")
    report = service.validate(db, actor=personas.admin, kind="enterprises", data=data)
    assert report.rejected_rows == 1 and len(report.valid) == 1
    (problem,) = report.problems
    assert (problem.row, problem.column) == (2, "企业名称")
    assert problem.reason == "含有不可见的控制字符，请删除后重试"
    assert problem.value == "控制字符[U+007F][U+0085]公司"
    service.apply(db, actor=personas.admin, report=report, accept_valid=True)
    stored = select(func.count()).select_from(Enterprise).where(Enterprise.name.like("控制字符%"))
    assert db.scalar(stored) == 0


def test_row_with_nul_is_reported_not_stored(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    cells = enterprise_row(uscc(62), "空字符\x00公司")
    row = dict(zip(SPECS["enterprises"].headers, cells, strict=True))
    monkeypatch.setattr(service, "read_rows", lambda data, spec: iter([(5, row)]))
    report = service.validate(db, actor=personas.admin, kind="enterprises", data=b"x")
    assert report.rejected_rows == 1 and not report.valid
    reported = [(p.row, p.column, p.value) for p in report.problems]
    assert reported == [(5, "企业名称", "空字符[U+0000]公司")]


def test_cell_longer_than_its_column_is_rejected(db: Session, personas: Personas) -> None:
    rows = [enterprise_row(uscc(63), "长" * 201)]
    report = service.validate(
        db, actor=personas.admin, kind="enterprises", data=workbook("enterprises", rows)
    )
    assert report.rejected_rows == 1
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.reason) == (2, "企业名称", "最多200个字")


def test_a_refused_upload_comes_back_with_the_registry_chosen(
    client: TestClient, db: Session
) -> None:
    csrf = sign_in(client, "kc_sfj")
    page = client.post(
        "/registry/imports",
        data={
            "kind": "enterprises",
            "csrf_token": csrf,
            "_back": "/registry/imports?kind=officers",
        },
        files={"file": ("企业.xlsx", b"PK not a workbook", "application/octet-stream")},
    )
    assert page.status_code == 422 and "error-page" not in page.text and SUMMARY in page.text
    assert error_beside(page.text, "file") == "文件不是有效的 .xlsx 表格。"
    assert '<option value="enterprises" selected>' in page.text  # what was chosen, not the URL's
    assert "退回后请重新选择文件。" in page.text
    assert count(db) == 0
    # a report whose file has gone: back on the upload page, asked to upload again
    gone = {"csrf_token": csrf, "kind": "enterprises", "digest": "0" * 64, "choice": "valid"}
    text = refused(client, "/registry/imports/confirm", "/registry/imports", gone)
    assert "上传的文件已失效，请重新上传。" in text and 'href="#field-file"' in text
    assert count(db) == 0
