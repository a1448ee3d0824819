"""The 现场检查笔录 .docx: read back with python-docx (B3)."""

from __future__ import annotations

import io

from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections.test_records import finish, make_task
from wurao.inspections import documents, records


def _text(data: bytes) -> tuple[str, list[list[str]]]:
    doc = Document(io.BytesIO(data))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    return paragraphs, cells


def test_docx_contains_enterprise_checklist_results_and_officers(
    db: Session, personas: Personas
) -> None:
    b = make_task(db)
    finish(db, b, personas.officer, ok=False)
    view = records.record_view(db, actor=personas.officer, task_id=b.task.id)
    paragraphs, cells = _text(documents.record_docx(view))
    flat = " ".join(" ".join(row) for row in cells)
    assert paragraphs.startswith("现场检查笔录")
    assert "衢州示例制造有限公司" in flat
    assert b.code is not None and b.code.number in flat
    for officer in b.officers:
        assert officer.name in flat and str(officer.cert_no) in flat
    rows = {row[2]: (row[3], row[4]) for row in cells if len(row) == 5}
    assert rows["持有有效的食品经营许可证"] == ("符合", "")
    assert rows["从业人员持有健康证明"] == ("不符合", "过期")
    assert "一名从业人员健康证明过期。" in paragraphs
    assert "责令整改，整改期限至" in paragraphs
    assert "☑ 未接受企业宴请" in paragraphs
    assert "企业在场人员签名：" in flat


def test_offsite_document_names_its_data_source(db: Session, personas: Personas) -> None:
    b = make_task(db, method="written")
    finish(db, b, personas.officer)
    view = records.record_view(db, actor=personas.officer, task_id=b.task.id)
    paragraphs, cells = _text(documents.record_docx(view))
    assert paragraphs.startswith("非现场检查记录")
    assert any(row[0] == "数据来源" and "书面材料" in row[1] for row in cells)


def test_download_from_the_record_page(db: Session, client: TestClient, personas: Personas) -> None:
    b = make_task(db)
    records.start_record(db, task=b.task, actor=personas.officer)
    db.commit()
    sign_in(client, "kc_sfj")  # the supervisor reads the record and its document
    page = client.get(f"/tasks/{b.task.id}/record")
    assert page.status_code == 200 and "record.docx" in page.text
    resp = client.get(f"/tasks/{b.task.id}/record.docx")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    paragraphs, cells = _text(resp.content)
    assert paragraphs.startswith("现场检查笔录（草稿）")
    assert any("衢州示例制造有限公司" in cell for row in cells for cell in row)
    sign_in(client, "qj_sfj")  # the neighbouring county sees nothing
    assert client.get(f"/tasks/{b.task.id}/record.docx").status_code == 404
