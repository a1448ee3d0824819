"""Hotline work-order imports: a saved column mapping per hotline, a row-by-row report, work
orders already held merged (not created twice), and nothing written from an unreadable file."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from wurao.core.errors import InvalidInput
from wurao.oversight.clues import imports
from wurao.oversight.models import Clue, ClueEvent

# A 12345 export names its columns its own way.
HEADER = ["工单号", "来电内容", "涉及部门", "来电人", "来电号码", "登记时间", "分类"]
MAPPING = {
    "work_order_no": "工单号",
    "description": "来电内容",
    "subject_text": "涉及部门",
    "reporter_name": "来电人",
    "reporter_contact": "来电号码",
    "received_at": "登记时间",
    "problem_type": "分类",
}
ROWS = [
    ["GD001", "多次上门检查", "市场监管局", "李某", "13900000001", "2026-03-02 09:30", "逐利执法"],
    ["GD002", "", "柯城区应急管理局", "", "", "2026-03-02", ""],  # no 诉求内容
    ["GD003", "未亮码检查", "", "", "", "2026年3月", ""],  # bad date
    ["GD004", "推诿不办", "", "", "", "", "乱七八糟"],  # unknown type
    ["GD001", "同一工单再次出现", "", "", "", "", ""],  # duplicate of row 2 in the file
    ["GD005", "检查后索要材料费", "", "", "", "2026/03/05", "其他"],
]  # fmt: skip


def _xlsx(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _count(db: Session) -> int:
    return int(
        db.scalar(select(func.count()).select_from(Clue).where(Clue.work_order_no != "")) or 0
    )


def test_mapping_saved_and_bad_rows_reported(db: Session, personas: Personas) -> None:
    actor = personas.supervisor
    data = _xlsx(ROWS)
    header, _ = imports.read_table(data, "工单.xlsx")
    assert imports.saved_mapping(db, actor=actor, source="hotline_12345") == {}
    with pytest.raises(InvalidInput) as missing:
        imports.save_mapping(
            db, actor=actor, source="hotline_12345", mapping={"work_order_no": "工单号"},
            header=header,
        )  # fmt: skip
    assert missing.value.field == "map_description"
    imports.save_mapping(db, actor=actor, source="hotline_12345", mapping=MAPPING, header=header)
    saved = imports.saved_mapping(db, actor=actor, source="hotline_12345")
    assert saved == MAPPING
    assert imports.suggest(header, saved) == MAPPING  # the next import reuses it
    assert imports.saved_mapping(db, actor=actor, source="hotline_12348") == {}
    report = imports.check(
        db, actor=actor, source="hotline_12345", data=data, filename="工单.xlsx", mapping=saved
    )
    assert report.total == 6 and [n for n, _ in report.valid] == [2, 7]
    reasons = {(p.row, p.column): p.reason for p in report.problems}
    assert reasons[(3, "诉求内容")] == "诉求内容不能为空"
    assert "时间格式" in reasons[(4, "受理时间")]
    assert reasons[(5, "问题类型")].startswith("应为：逐利执法")
    assert reasons[(6, "工单编号")] == "与第2行的工单编号重复"
    assert report.rejected == 4
    assert _count(db) == 0  # checking writes nothing


def test_known_work_orders_are_merged_not_recreated(db: Session, personas: Personas) -> None:
    actor = personas.supervisor
    first = imports.check(
        db, actor=actor, source="hotline_12345", data=_xlsx(ROWS), filename="a.xlsx",
        mapping=MAPPING,
    )  # fmt: skip
    imports.apply(db, actor=actor, report=first)
    assert (first.created, first.merged) == (2, 0) and _count(db) == 2
    clue = db.scalar(select(Clue).where(Clue.work_order_no == "GD001"))
    assert clue is not None and clue.problem_type == "profit" and clue.reporter_name == "李某"
    assert clue.received_at is not None and clue.received_at.hour == 1  # 09:30 Beijing in UTC
    again = [
        ["GD001", "来电人再次催办", "", "", "", "", ""],
        ["GD006", "新工单", "", "", "", "", ""],
    ]
    second = imports.check(
        db, actor=actor, source="hotline_12345", data=_xlsx(again), filename="b.xlsx",
        mapping=MAPPING,
    )  # fmt: skip
    imports.apply(db, actor=actor, report=second)
    assert (second.created, second.merged) == (1, 1) and _count(db) == 3
    db.refresh(clue)
    assert "来电人再次催办" in clue.description
    notes = db.scalars(
        select(ClueEvent.note).where(ClueEvent.clue_id == clue.id, ClueEvent.action == "merge")
    ).all()
    assert len(notes) == 1 and "已合并" in notes[0]
    # the same number from the other hotline is another work order
    other = imports.check(
        db, actor=actor, source="hotline_12348", data=_xlsx(again[:1]), filename="c.xlsx",
        mapping=MAPPING,
    )  # fmt: skip
    imports.apply(db, actor=actor, report=other)
    assert other.created == 1 and _count(db) == 4


def test_unreadable_file_writes_nothing(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as bad:
        imports.check(
            db, actor=personas.supervisor, source="hotline_12345", data=b"not a workbook",
            filename="x.xlsx", mapping=MAPPING,
        )  # fmt: skip
    assert bad.value.field == "file" and "无法读取" in bad.value.message
    with pytest.raises(InvalidInput):
        imports.check(
            db, actor=personas.supervisor, source="weibo", data=_xlsx(ROWS), filename="x.xlsx",
            mapping=MAPPING,
        )  # fmt: skip
    assert _count(db) == 0


def test_gbk_csv_export(db: Session, personas: Personas) -> None:
    text = "工单号,来电内容\r\nGD100,反映检查过多\r\n"
    report = imports.check(
        db, actor=personas.supervisor, source="hotline_12348", data=text.encode("gb18030"),
        filename="export.csv", mapping={"work_order_no": "工单号", "description": "来电内容"},
    )  # fmt: skip
    assert [v["description"] for _, v in report.valid] == ["反映检查过多"]


def test_import_pages_map_once_then_reuse(db: Session, client: TestClient) -> None:
    csrf = sign_in(client, "kc_sfj")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    refused = client.post(
        "/oversight/clues/import",
        data={"csrf_token": csrf, "_back": "/oversight/clues/import", "source": "hotline_12348"},
        files={"file": ("工单.xlsx", b"", xlsx)},
    )
    assert refused.status_code == 422 and "error-page" not in refused.text
    assert 'id="err-file">' in refused.text and "上传并校验" in refused.text
    assert '<option value="hotline_12348" selected>' in refused.text  # the hotline kept
    up = client.post(
        "/oversight/clues/import",
        data={"csrf_token": csrf, "source": "hotline_12345"},
        files={"file": ("工单.xlsx", _xlsx(ROWS), xlsx)},
    )
    assert up.status_code == 200 and "对应列名" in up.text and "工单号" in up.text
    digest = up.text.split('name="digest" value="')[1].split('"')[0]
    fields = {f"map_{k}": v for k, v in MAPPING.items()}
    bad = client.post(
        "/oversight/clues/import/map",
        data={"csrf_token": csrf_of(up.text), "source": "hotline_12345", "digest": digest,
              "filename": "工单.xlsx", **{**fields, "map_description": ""}},
    )  # fmt: skip
    assert bad.status_code == 422 and "请为“诉求内容”选择文件中的列" in bad.text
    mapped = client.post(
        "/oversight/clues/import/map",
        data={"csrf_token": csrf_of(bad.text), "source": "hotline_12345", "digest": digest,
              "filename": "工单.xlsx", **fields},
    )  # fmt: skip
    assert (
        mapped.status_code == 200 and "第3行" in mapped.text and "诉求内容不能为空" in mapped.text
    )
    done = client.post(
        "/oversight/clues/import/confirm",
        data={"csrf_token": csrf_of(mapped.text), "source": "hotline_12345", "digest": digest,
              "filename": "工单.xlsx", "choice": "valid"},
    )  # fmt: skip
    assert done.status_code == 200 and "新建线索2条" in done.text
    # the second upload goes straight to the report with the saved mapping
    again = client.post(
        "/oversight/clues/import",
        data={"csrf_token": csrf_of(done.text), "source": "hotline_12345"},
        files={"file": ("工单2.xlsx", _xlsx(ROWS[:1]), xlsx)},
    )
    assert again.status_code == 200 and "校验结果" in again.text and "对应列名" not in again.text
    listing = client.get("/oversight/clues?source=hotline_12345&problem_type=profit")
    assert "GD001" in listing.text and "GD005" not in listing.text
