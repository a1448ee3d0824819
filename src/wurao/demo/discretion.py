"""The demo's discretion benchmarks (裁量基准) and leniency lists (免罚清单), imported through the
same .xlsx path a clerk uses, so that the demo cases are held to them at the decision (D24) and
their case pages show the lists and the party's history (D17).

衢州市 publishes the city benchmark (entered by the system administrator, the demo having no
city supervisor account); 柯城区's supervisor publishes a county benchmark whose range for 明码标价
goes beyond the city's, so that the conflict flag (衢州 item 14) has something to show, and the
county's 首违不罚 and 从轻 lists.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.discretion import imports, service
from wurao.discretion.models import BenchmarkTable

FIELD = "市场监管"
CITY, COUNTY = "330800", "330802"
QUALITY = "《中华人民共和国产品质量法》第四十九条"
PRICE = "《价格违法行为行政处罚规定》第十三条"
EXPIRED = "《中华人民共和国食品安全法》第一百二十四条第一款第五项"
STORAGE = "《中华人民共和国食品安全法》第一百三十二条"
UNSAFE = "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品"
NO_PRICE = "经营者销售商品不标明价格"
SEIZE = "没收违法销售的产品"
Row = tuple[str, str, str, int, int, str]

# (violation, provision, circumstance, fine from, fine to — yuan, other kinds)
CITY_ROWS: tuple[Row, ...] = (
    (UNSAFE, QUALITY, "一般", 5000, 20000, SEIZE),
    (UNSAFE, QUALITY, "较重", 20000, 60000, SEIZE),
    (NO_PRICE, PRICE, "轻微", 0, 1000, ""),
    (NO_PRICE, PRICE, "一般", 1000, 3000, ""),
    ("经营超过保质期的食品", EXPIRED, "一般", 50000, 80000, "没收违法经营的食品"),
    ("未按要求贮存食品，经责令改正拒不改正", STORAGE, "一般", 10000, 30000, ""),
)
COUNTY_ROWS: tuple[Row, ...] = (
    # 5 000 yuan reaches beyond the city's 一般 range of 1 000–3 000: flagged as a conflict
    (NO_PRICE, PRICE, "一般", 1000, 5000, ""),
)
# (list, violation, provision, conditions)
LISTS = (
    ("可以不予处罚", NO_PRICE, PRICE, "初次违法、危害后果轻微并在责令改正期限内及时改正"),
    ("从轻", UNSAFE, QUALITY, "主动召回已售产品、如实陈述违法事实"),
    ("不予处罚", "未按要求贮存食品", STORAGE, "违法行为轻微并及时改正，没有造成危害后果"),
)


@dataclass
class DiscretionStats:
    """What the demo's benchmarks and lists came to."""

    tables: int = 0
    rows: int = 0
    entries: int = 0
    existed: bool = False

    def summary(self) -> str:
        """One Chinese line for the demo's output."""
        if self.existed:
            return "裁量基准和免罚清单已存在，未重复生成"
        return f"已导入裁量基准 {self.tables} 部（{self.rows} 行）、免罚清单 {self.entries} 条"


def _sheet(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _table(
    session: Session,
    username: str,
    region: str,
    title: str,
    doc: str,
    rows: tuple[Row, ...],
) -> BenchmarkTable:
    user = session.scalars(select(User).where(User.username == username)).one()
    actor = auth_service.actor_for(user)
    data = service.TableData(
        owner_kind="region",
        field=FIELD,
        title=title,
        effective_from=dt.date(2026, 1, 1),
        doc_number=doc,
        region_code=region,
    )
    table = service.create_table(session, actor=actor, data=data)
    sheet = _sheet(
        imports.BENCH_HEADERS,
        [("", v, p, c, str(low), str(high), kinds, FIELD) for v, p, c, low, high, kinds in rows],
    )
    report = imports.validate_benchmark(session, table=table, data=sheet)
    imports.apply_benchmark(session, actor=actor, table=table, report=report, accept_valid=False)
    service.publish_table(session, actor=actor, table=table, on=dt.date(2026, 1, 1))
    return table


def generate_discretion(session: Session) -> DiscretionStats:
    """Import and publish the demo benchmarks and lists (idempotent)."""
    stats = DiscretionStats()
    if session.scalar(select(BenchmarkTable.id).limit(1)) is not None:
        return DiscretionStats(existed=True)
    tables = (
        ("admin", CITY, "衢州市市场监督管理行政处罚裁量基准（2026年版）", "衢市监〔2025〕88号"),
        ("kc_sfj", COUNTY, "柯城区市场监督管理行政处罚裁量基准细化标准", "柯司〔2026〕3号"),
    )
    for (username, region, title, doc), rows in zip(tables, (CITY_ROWS, COUNTY_ROWS), strict=True):
        _table(session, username, region, title, doc, rows)
        stats.tables += 1
        stats.rows += len(rows)
    supervisor = auth_service.actor_for(
        session.scalars(select(User).where(User.username == "kc_sfj")).one()
    )
    sheet = _sheet(
        imports.LIST_HEADERS, [(kind, FIELD, "", v, p, cond) for kind, v, p, cond in LISTS]
    )
    report = imports.validate_list(session, region_code=COUNTY, data=sheet)
    imports.apply_list(
        session, actor=supervisor, region_code=COUNTY, report=report, accept_valid=False
    )
    stats.entries = report.written
    return stats
