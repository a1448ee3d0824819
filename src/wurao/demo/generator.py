"""Deterministic synthetic registries: the demo city 衢州市 and a whole province for benchmarks.

Every value comes from ``random.Random(seed)``, so one seed always gives the same rows. The
row builders (`enterprise_rows`, `officer_rows`) are pure generators; `generate_city` and
`generate_province` only write what they yield. Bulk rows go in through Core inserts (or
PostgreSQL COPY), which the ORM audit guard cannot see, so each loaded table gets ONE audit
entry (object_id ``*``) carrying the counts and the seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from wurao.core import audit
from wurao.core.db import make_engine, session_factory
from wurao.core.time import local_today
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
    Region,
)

CITY = "330800"  # 衢州市
PROVINCE = "330000"  # 浙江省
GENERATOR = audit.SystemActor(display_name="演示数据生成器")
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DEMO_YEAR = 2026  # the year the registries were drawn for


def years_on() -> int:
    """Whole years since DEMO_YEAR: certificate and annual-review dates move on by as much,
    so that the demo's officers may still inspect when it is set up in a later year."""
    return max(0, local_today().year - DEMO_YEAR)


def later(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` on (28 February for 29 February)."""
    if not years:
        return day
    if (day.month, day.day) == (2, 29):
        day = day.replace(day=28)
    return day.replace(year=day.year + years)


# --- identifiers --------------------------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 code symbols
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _org_check(body: str) -> str:
    total = sum(
        (int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
        for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_uscc(kind: str, region: str, serial: int, *, letters: str = "MA") -> str:
    """A valid 统一社会信用代码: kind (e.g. 91), region (chars 3–8), a serial in the body."""
    body = letters + _base31(serial, 6)
    first17 = kind + region + body + _org_check(body)
    return first17 + str(stdnum_uscc.calc_check_digit(first17))


_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # GB 32100 §5


class UsccMaker:
    """`make_uscc` for millions of rows: the same codes, with the sums precomputed.

    stdnum (used by `make_uscc` and by `wurao.core.ids.validate_uscc`) is the reference;
    the tests compare the two over every generated row.
    """

    def __init__(self, letters: str = "MA") -> None:
        self.letters = letters
        self._org_head = sum(
            (ord(c) - 55 if c.isalpha() else int(c)) * w
            for c, w in zip(letters, _ORG_WEIGHTS, strict=False)
        )
        # per body position (3rd–8th body character): value → (USCC term, org term)
        self._terms = [
            [
                (v * _USCC_WEIGHTS[10 + pos], (ord(c) - 55 if c.isalpha() else v) * ow)
                for v, c in enumerate(_ALPHABET)
            ]
            for pos, ow in enumerate(_ORG_WEIGHTS[2:])
        ]
        self._heads: dict[tuple[str, str], int] = {}

    def __call__(self, kind: str, region: str, serial: int) -> str:
        head = self._heads.get((kind, region))
        if head is None:
            head = sum(
                _ALPHABET.index(c) * w
                for c, w in zip(kind + region + self.letters, _USCC_WEIGHTS, strict=False)
            )
            self._heads[(kind, region)] = head
        digits = [0] * 6
        for k in range(5, -1, -1):
            serial, digits[k] = divmod(serial, 31)
        total, org = head, self._org_head
        for pos, d in enumerate(digits):
            t = self._terms[pos][d]
            total += t[0]
            org += t[1]
        r = 11 - org % 11
        org_check = "X" if r == 10 else "0" if r == 11 else str(r)
        total += _ALPHABET.index(org_check) * _USCC_WEIGHTS[16]
        body = "".join([_ALPHABET[d] for d in digits])
        return f"{kind}{region}{self.letters}{body}{org_check}{_ALPHABET[(31 - total % 31) % 31]}"


def make_ric(region: str, birth: dt.date, seq: int) -> str:
    """A valid 居民身份证号 for an address code, birth date and 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    # stdnum computes the check over all but the last character of what it is given
    return first17 + str(stdnum_ric.calc_check_digit(first17 + "0"))


# --- vocabulary ---------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜"
    "叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶"
    "贺毛郝顾龚邵万覃武钱严莫孔汤向常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
    "欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志鹏飞晨宇浩然子涵"
    "欣怡思远雨轩俊杰文博一鸣嘉怡佳琪晓东海燕丹丹晶晶立新卫东建华春燕秋菊雪梅海波永强"
)
BRANDS = (
    "恒达", "华信", "东方", "新华", "金源", "鑫盛", "宏远", "天成", "瑞丰", "永兴", "安泰",
    "国泰", "利民", "中诚", "三和", "博远", "汇通", "锦程", "宏图", "兴业", "龙腾", "瑞祥",
    "信达", "昌盛", "嘉禾", "鼎新", "百川", "聚力", "创新", "立信", "正阳", "凯达", "明辉",
    "衢丰", "钱江", "烂柯", "信安", "江南", "浙西", "南孔", "柯山", "乌溪", "仙霞", "江郎",
    "龙游", "开元", "常青", "华东", "伟业", "金鹰", "同心", "宏升", "合力", "万通", "精工",
    "振兴", "盈科", "华泰", "家和", "润泽",
)  # fmt: skip
# (GB/T 4754-2017 class, 行业表述, tags it may carry)
INDUSTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("C3389", "五金制品", ("特种设备",)),
    ("C3311", "金属结构", ("特种设备",)),
    ("C2614", "化工", ("危化品", "重点排污")),
    ("C2662", "精细化工", ("危化品", "重点排污")),
    ("C2927", "塑料制品", ()),
    ("C3021", "水泥制品", ("重点排污",)),
    ("C2221", "纸业", ("重点排污",)),
    ("C1761", "纺织", ()),
    ("C1391", "食品", ("食品生产",)),
    ("C1431", "食品加工", ("食品生产",)),
    ("C1512", "酒业", ("食品生产",)),
    ("C1530", "茶业", ("食品生产",)),
    ("C2710", "制药", ("危化品",)),
    ("C3484", "机械", ("特种设备",)),
    ("C3670", "汽车零部件", ("特种设备",)),
    ("C3825", "电器", ()),
    ("C3985", "电子科技", ()),
    ("C2110", "木业", ()),
    ("E4790", "建设工程", ("特种设备",)),
    ("F5124", "农副产品", ()),
    ("F5191", "商贸", ()),
    ("F5265", "加油站", ("危化品",)),
    ("G5430", "物流", ("特种设备",)),
    ("G5421", "运输", ()),
    ("H6110", "酒店管理", ("食品经营",)),
    ("H6210", "餐饮管理", ("食品经营",)),
    ("L7211", "企业管理", ()),
    ("Q8411", "医院", ("医疗机构",)),
    ("A0141", "农业开发", ()),
    ("D4420", "燃气", ("危化品", "特种设备")),
)
# 组织形式 and the USCC registering-department/kind prefix that goes with it
FORMS = (("有限公司", "91"), ("有限公司", "91"), ("有限责任公司", "91"), ("股份有限公司", "91"),
         ("厂", "91"), ("商行", "92"))  # fmt: skip
ROADS = ("人民路", "新桥街", "花园大道", "荷花路", "劳动路", "衢化路", "白云大道", "世纪大道",
         "工业大道", "东港路", "柯城大道", "南山路", "府山路", "兴华路", "江滨路", "环城西路",
         "通港路", "百灵路", "芹江路", "盈川路")  # fmt: skip
_STATUS_CUTS = ((0.90, "active"), (0.95, "deregistered"), (0.98, "revoked"), (1.0, "moved"))
_CREDIT_CUTS = ((0.30, "A"), (0.85, "B"), (0.97, "C"), (1.0, "D"))
ENTERPRISE_COLUMNS = (
    "uscc", "name", "region_code", "address", "industry_code", "status", "credit_class",
    "tags", "contact_name", "contact_phone", "uscc_override", "updated_at",
)  # fmt: skip
OFFICER_COLUMNS = (
    "name", "ric", "subject_id", "kind", "aux_kind", "cert_no", "cert_valid_from",
    "cert_valid_to", "review_year", "review_result", "legal_qualified", "supervision_cert_no",
    "active", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A county where enterprises are generated: code, name prefix and its towns' names."""

    code: str
    prefix: str  # in enterprise names: 衢州市柯城区, 江山市
    city: str  # 衢州市
    county: str  # e.g. 柯城区
    towns: tuple[str, ...]
    weight: float = 1.0


def person_name(rng: random.Random) -> str:
    """A Chinese personal name (one-character surname, one or two given characters)."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def enterprise_rows(
    seed: int, places: Sequence[Place], count: int, *, province: str = "浙江省"
) -> Iterator[tuple[Any, ...]]:
    """Yield ``count`` enterprise rows (ENTERPRISE_COLUMNS order); pure and deterministic."""
    rng = random.Random(f"enterprise:{seed}")
    rnd = rng.random
    offset = rng.randrange(31**5, 31**6 // 2)  # keeps serials clear of hand-made codes
    uscc = UsccMaker()
    cum: list[float] = []
    total = 0.0
    for p in places:
        total += p.weight
        cum.append(total)
    stamps = [_EPOCH - dt.timedelta(days=d, seconds=37 * d) for d in range(730)]
    short = {p.code: p.city[:2] or p.prefix[:2] for p in places}
    for i in range(count):
        r = rnd() * total
        k = 0
        while cum[k] < r:
            k += 1
        place = places[k]
        code, phrase, tags_of = INDUSTRIES[int(rnd() * len(INDUSTRIES))]
        form, kind = FORMS[int(rnd() * len(FORMS))]
        brand = BRANDS[int(rnd() * len(BRANDS))]
        x = rnd()
        head = place.prefix if x < 0.6 else short[place.code] if x < 0.9 else province[:2]
        name = f"{head}{brand}{phrase}{form}"
        town = place.towns[int(rnd() * len(place.towns))] if place.towns else ""
        address = (
            f"{province}{place.city}{place.county}{town}{ROADS[int(rnd() * len(ROADS))]}"
            f"{1 + int(rnd() * 399)}号"
        )
        s = rnd()
        status = next(v for cut, v in _STATUS_CUTS if s < cut)
        c = rnd()
        credit = next(v for cut, v in _CREDIT_CUTS if c < cut)
        tags = [t for t in tags_of if rnd() < 0.6]
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        phone = f"1{(3, 5, 7, 8, 9)[int(rnd() * 5)]}{int(rnd() * 1e9):09d}"
        yield (
            uscc(kind, place.code, offset + i),
            name,
            place.code,
            address,
            code,
            status,
            credit,
            f"|{'|'.join(tags)}|" if tags else "",
            contact,
            phone,
            "",
            stamps[int(rnd() * 730)],
        )


@dataclass(frozen=True)
class SubjectRef:
    """What officer generation needs to know of a subject."""

    id: int
    region_code: str
    field: str


_AUX_KINDS = ("网格员", "临时工", "协管员")


def officer_rows(
    seed: int, subjects: Sequence[SubjectRef], per_subject: int, *, birth_regions: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """Yield officer rows (OFFICER_COLUMNS order): certified staff, auxiliaries, reviewers.

    About 10 % of certificates have expired, 5 % failed this year's review, 18 % are
    auxiliaries without a certificate and 6 % legal reviewers with 法律职业资格.
    """
    rng = random.Random(f"officer:{seed}")
    rnd = rng.random
    shift = years_on()
    seen: set[str] = set()
    created = _EPOCH - dt.timedelta(days=300)
    serial = 0
    for subject in subjects:
        n = max(3, int(per_subject * (0.6 + 0.8 * rnd())))
        for _ in range(n):
            serial += 1
            while True:
                birth = dt.date(1965, 1, 1) + dt.timedelta(days=int(rnd() * 13_500))
                ric = make_ric(rng.choice(birth_regions), birth, int(rnd() * 1000))
                if ric not in seen:
                    seen.add(ric)
                    break
            x = rnd()
            if x < 0.18:
                aux = _AUX_KINDS[int(rnd() * 3)]
                row: tuple[Any, ...] = (
                    "auxiliary", aux, None, None, None, None, "", False, None,
                )  # fmt: skip
            else:
                if rnd() < 0.10:  # expired before the demo year
                    end = dt.date(2023, 6, 30) + dt.timedelta(days=int(rnd() * 800))
                    start = end - dt.timedelta(days=365 * 5)
                else:
                    start = dt.date(2019, 1, 1) + dt.timedelta(days=int(rnd() * 2000))
                    end = max(
                        start + dt.timedelta(days=365 * 5),
                        dt.date(2027, 6, 30) + dt.timedelta(days=int(rnd() * 900)),
                    )
                result = "failed" if rnd() < 0.05 else "passed"
                legal = x > 0.94
                reviewed = (DEMO_YEAR - 1 if rnd() < 0.85 else DEMO_YEAR - 2) + shift
                row = (
                    "officer", "", f"ZF{subject.region_code}{serial:07d}", later(start, shift),
                    later(end, shift), reviewed, result, legal,
                    f"JD{subject.region_code}{serial:07d}" if legal and rnd() < 0.3 else None,
                )  # fmt: skip
            active = rnd() > 0.03
            yield (person_name(rng), ric, subject.id, *row, active, created)


# --- the inspection-item catalogue -------------------------------------------------------

ITEMS_FILE = Path(__file__).with_name("data") / "items.csv"


@dataclass(frozen=True)
class CatalogueItem:
    """One row of the demo's item catalogue (``demo/data/items.csv``)."""

    field: str
    code_prefix: str
    name: str
    basis_level: str
    basis_law: str
    basis_article: str
    checklist: str  # the checklist lines, separated by "；"


def load_items(path: Path = ITEMS_FILE) -> list[CatalogueItem]:
    """The demo's inspection items and their checklist lines, in catalogue order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [CatalogueItem(**row) for row in csv.DictReader(f)]


_GENERIC_LINES = (
    "营业执照等主体资格证明文件齐全有效",
    "相关许可证照在有效期内且与实际经营一致",
    "建立并执行相关管理制度，台账记录完整",
    "主要负责人和管理人员履行法定职责",
    "上次检查发现问题已整改到位",
    "现场情况与申报、公示信息一致",
    "按规定配合检查，如实提供有关资料",
)
_METHODS = ("onsite", "onsite,document", "document", "onsite,sampling", "remote,document")


def _item_rows(rng: random.Random, region: str) -> list[dict[str, Any]]:
    rows = []
    for n, item in enumerate(load_items(), start=1):
        draft = rng.random() < 0.08
        law, article = item.basis_law, item.basis_article
        rows.append(
            {
                "code": f"QZ-{item.code_prefix}-{n:03d}",
                "name": item.name,
                "field": item.field,
                "region_code": region,
                "basis_level": item.basis_level,
                "basis_law": law,
                "basis_article": article,
                "standard": f"依据{law}{article}：{item.checklist}。",
                "methods": rng.choice(_METHODS),
                "on_dss_list": rng.random() < 0.7,
                "status": "draft" if draft else "published",
                "published_on": None
                if draft
                else dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600)),
                "lines": item.checklist.split("；"),
            }
        )
    return rows


def _line_rows(rng: random.Random, item: InspectionItem, own: list[str]) -> list[dict[str, Any]]:
    extra = rng.sample(_GENERIC_LINES, rng.randint(0, 5))
    texts = [*own, *extra][:8]
    basis = f"{item.basis_law}{item.basis_article}"
    return [
        {"item_id": item.id, "seq": k, "text": t, "basis": basis if k <= len(own) else ""}
        for k, t in enumerate(texts, start=1)
    ]


# --- the demo city -----------------------------------------------------------------------

# name, region, field, level, kind, vertical, confirmed, announced
_CITY_SUBJECTS = (
    ("衢州市市场监督管理局", "330800", "市场监管", "市级", "organ", False, True, True),
    ("衢州市生态环境局", "330800", "生态环境", "市级", "organ", False, True, True),
    ("衢州市应急管理局", "330800", "应急管理", "市级", "organ", False, True, True),
    ("衢州市交通运输局", "330800", "交通运输", "市级", "organ", False, True, True),
    ("衢州市综合行政执法局", "330800", "综合行政执法", "市级", "organ", False, True, True),
    ("衢州市消防救援支队", "330800", "消防", "市级", "authorised", True, True, True),
    ("衢州市卫生健康委员会", "330800", "卫生健康", "市级", "organ", False, True, True),
    ("衢州市农业农村局", "330800", "农业农村", "市级", "organ", False, True, True),
    ("衢州市生态环境局柯城分局", "330802", "生态环境", "县级", "organ", True, True, True),
    ("衢州市柯城区综合行政执法局", "330802", "综合行政执法", "县级", "organ", False, True, True),
    ("衢州市衢江区应急管理局", "330803", "应急管理", "县级", "organ", False, True, True),
    ("常山县市场监督管理局", "330822", "市场监管", "县级", "organ", False, True, True),
    ("江山市交通运输局", "330881", "交通运输", "县级", "organ", False, True, True),
    ("龙游县卫生健康局", "330825", "卫生健康", "县级", "organ", False, True, True),
    ("衢州市衢江区农业农村局", "330803", "农业农村", "县级", "organ", False, False, False),
    ("开化县城市管理行政执法队", "330824", "综合行政执法", "县级", "entrusted", False, True,
     False),
)  # fmt: skip


def city_marker_uscc() -> str:
    """USCC of the subject whose presence means the demo city is already generated."""
    return make_uscc("11", CITY, 1, letters="MB")


@dataclass(frozen=True)
class CityStats:
    """What `generate_city` wrote (all zero when the city already existed)."""

    subjects: int = 0
    officers: int = 0
    enterprises: int = 0
    items: int = 0
    lines: int = 0
    skipped: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        """One line in Chinese for the CLI."""
        if self.skipped:
            return "演示城市（衢州市）数据已存在，跳过生成"
        return (
            f"已生成衢州市演示数据：执法主体 {self.subjects} 个、执法人员 {self.officers} 名、"
            f"企业 {self.enterprises} 家、检查事项 {self.items} 项（表单 {self.lines} 行），"
            f"用时 {self.seconds:.1f} 秒"
        )


def places_for(
    session: Session, parent: str, weights: dict[str, float] | None = None
) -> list[Place]:
    """The counties under ``parent`` (a city or a province) with their towns, from `region`."""
    regions = {r.code: r for r in session.scalars(select(Region))}
    out = []
    for r in sorted(regions.values(), key=lambda r: r.code):
        if r.level != "county" or not r.code.startswith(
            parent[: 2 if parent.endswith("0000") else 4]
        ):
            continue
        parent_region = regions.get(r.parent_code or "")
        city = parent_region.name if parent_region else ""
        # districts are named after their city (衢州市柯城区), counties and county-level
        # cities stand alone (常山县, 江山市)
        prefix = city + r.name if r.name.endswith("区") else r.name
        towns = tuple(t.name for t in regions.values() if t.parent_code == r.code)
        weight = (weights or {}).get(r.code, 1.0)
        out.append(Place(r.code, prefix, city, r.name, towns, weight))
    return out


def _city_subjects(session: Session, rng: random.Random) -> list[EnforcementSubject]:
    made = []
    for n, (name, region, field, level, kind, vertical, conf, ann) in enumerate(
        _CITY_SUBJECTS, start=1
    ):
        confirmed = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(300)) if conf else None
        announced = confirmed + dt.timedelta(days=7) if confirmed and ann else None
        made.append(
            EnforcementSubject(
                name=name,
                uscc=make_uscc("11", CITY if n == 1 else region, n, letters="MB"),
                region_code=region,
                field=field,
                level=level,
                kind=kind,
                vertical=vertical,
                legal_basis=f"《浙江省行政执法主体确认办法》；{field}领域法律法规授权",
                confirmed_on=confirmed,
                confirmed_by="衢州市人民政府" if confirmed else "",
                announced_on=announced,
                announcement_ref=f"衢政公告〔{announced.year}〕{n}号" if announced else "",
                created_at=_EPOCH,
            )
        )
    session.add_all(made)
    return made


def generate_city(session: Session, *, seed: int = 2026, enterprises: int = 10_000) -> CityStats:
    """Fill the demo city 衢州市 with subjects, officers, enterprises and items (idempotent)."""
    started = time.perf_counter()
    marker = city_marker_uscc()
    if session.scalar(select(EnforcementSubject.id).where(EnforcementSubject.uscc == marker)):
        return CityStats(skipped=True)
    rng = random.Random(f"city:{seed}")
    made = _city_subjects(session, rng)
    audit.record(
        session, actor=GENERATOR, action="subject.generate", object_type="enforcement_subject",
        object_id="*", covers=made, region_code=CITY,
        summary=f"生成衢州市演示执法主体 {len(made)} 个（种子 {seed}）",
    )  # fmt: skip
    subjects = [
        SubjectRef(s.id, s.region_code, s.field)
        for s in session.scalars(
            select(EnforcementSubject)
            .where(EnforcementSubject.region_code.like("3308%"))
            .order_by(EnforcementSubject.id)
        )
    ]
    places = places_for(session, CITY, {"330802": 3.0, "330803": 2.0, "330881": 1.5})
    births = [p.code for p in places]
    officers = [dict(zip(OFFICER_COLUMNS, r, strict=True)) for r in officer_rows(
        seed, subjects, 20, birth_regions=births)]  # fmt: skip
    session.execute(insert(Officer), officers)
    audit.record(
        session, actor=GENERATOR, action="officer.generate", object_type="officer",
        object_id="*", region_code=CITY,
        summary=f"批量生成衢州市演示执法人员 {len(officers)} 名（种子 {seed}）",
    )  # fmt: skip
    n_ent = 0
    rows = enterprise_rows(seed, places, enterprises)
    while chunk := [dict(zip(ENTERPRISE_COLUMNS, r, strict=True)) for r in islice(rows, 5000)]:
        session.execute(insert(Enterprise), chunk)
        n_ent += len(chunk)
    audit.record(
        session, actor=GENERATOR, action="enterprise.generate", object_type="enterprise",
        object_id="*", region_code=CITY,
        summary=f"批量生成衢州市演示企业 {n_ent} 家（种子 {seed}）",
    )  # fmt: skip
    item_data = _item_rows(rng, CITY)
    items = [InspectionItem(**{k: v for k, v in d.items() if k != "lines"}, created_at=_EPOCH)
             for d in item_data]  # fmt: skip
    session.add_all(items)
    audit.record(
        session, actor=GENERATOR, action="item.generate", object_type="inspection_item",
        object_id="*", covers=items, region_code=CITY,
        summary=f"生成衢州市演示检查事项 {len(items)} 项（种子 {seed}）",
    )  # fmt: skip
    lines = [ln for it, d in zip(items, item_data, strict=True)
             for ln in _line_rows(rng, it, d["lines"])]  # fmt: skip
    session.execute(insert(ChecklistLine), lines)
    audit.record(
        session, actor=GENERATOR, action="checklist.generate", object_type="checklist_line",
        object_id="*", region_code=CITY,
        summary=f"批量生成检查表单 {len(lines)} 行，覆盖 {len(items)} 项检查事项（种子 {seed}）",
    )  # fmt: skip
    return CityStats(
        len(made), len(officers), n_ent, len(items), len(lines), False,
        time.perf_counter() - started,
    )  # fmt: skip


# --- a province, for benchmarks ----------------------------------------------------------

Progress = Callable[[str, int, int], None]
_DEPARTMENTS = (
    ("市场监督管理局", "市场监管"), ("生态环境分局", "生态环境"), ("应急管理局", "应急管理"),
    ("交通运输局", "交通运输"), ("综合行政执法局", "综合行政执法"), ("消防救援大队", "消防"),
    ("卫生健康局", "卫生健康"), ("农业农村局", "农业农村"),
)  # fmt: skip


@dataclass(frozen=True)
class ProvinceStats:
    """Counts written by `generate_province` and the seconds each phase took."""

    subjects: int
    officers: int
    enterprises: int
    seconds: dict[str, float]


def _province_subjects(places: Sequence[Place], total: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    per = max(len(_DEPARTMENTS), -(-total // len(places)))
    for p in places:
        for k in range(per):
            if len(rows) >= max(total, len(places) * len(_DEPARTMENTS)):
                break
            if k < len(_DEPARTMENTS):
                dept, field, level, kind = *_DEPARTMENTS[k], "县级", "organ"
            else:
                town = p.towns[k % len(p.towns)] if p.towns else f"第{k}乡镇"
                dept, field, level, kind = f"{town}综合行政执法队{k}", "综合行政执法", "乡级", (
                    "entrusted")  # fmt: skip
            serial = 1000 + len(rows)
            rows.append({
                "name": p.prefix + dept, "uscc": make_uscc("11", p.code, serial, letters="MB"),
                "region_code": p.code, "field": field, "level": level, "kind": kind,
                "entrusted_by_id": None, "vertical": False, "legal_basis": "",
                "confirmed_on": None if serial % 97 == 0 else dt.date(2024, 3, 1),
                "confirmed_by": "", "announced_on": None if serial % 97 == 0 else dt.date(
                    2024, 3, 8), "announcement_ref": "", "created_at": _EPOCH,
            })  # fmt: skip
    return rows


def _secondary_indexes(cur: Any, dialect: str) -> list[str]:
    """Drop the enterprise table's secondary indexes; return the DDL that rebuilds them."""
    if dialect == "sqlite":
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'enterprise' AND sql IS NOT NULL"
        )
        found = list(cur.fetchall())
        for name, _sql in found:
            cur.execute(f'DROP INDEX "{name}"')
        # Triggers that keep a search table in step (FTS5) fire once per row; rebuilding
        # the search table after the load is far cheaper.
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'enterprise'"
        )
        triggers = list(cur.fetchall())
        for name, _sql in triggers:
            cur.execute(f'DROP TRIGGER "{name}"')
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE '%VIRTUAL TABLE%' AND sql LIKE '%content=''enterprise''%'"
        )
        rebuilds = [f'INSERT INTO "{n}"("{n}") VALUES (\'rebuild\')' for (n,) in cur.fetchall()]  # noqa: S608 - names from sqlite_master
        return [sql for _name, sql in found] + [sql for _name, sql in triggers] + rebuilds
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'enterprise'::regclass AND contype = 'u'"
    )
    constraints = list(cur.fetchall())
    for name, _def in constraints:
        cur.execute(f'ALTER TABLE enterprise DROP CONSTRAINT "{name}"')
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'enterprise' "
        "AND i.schemaname = current_schema() AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'enterprise'::regclass)"
    )
    indexes = list(cur.fetchall())
    for name, _def in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [f'ALTER TABLE enterprise ADD CONSTRAINT "{n}" {d}' for n, d in constraints] + [
        d for _n, d in indexes
    ]


def load_enterprises(
    url: str,
    rows: Iterator[tuple[Any, ...]],
    *,
    total: int,
    batch: int = 50_000,
    defer_indexes: bool = True,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Bulk-load enterprise rows: COPY on PostgreSQL, one executemany transaction on SQLite.

    With ``defer_indexes`` the secondary indexes are dropped first and rebuilt after the load.
    Returns the seconds of the load and of the index rebuild.
    """
    engine = make_engine(url)
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    timings: dict[str, float] = {}
    cols = ", ".join(ENTERPRISE_COLUMNS)
    try:
        con: Any = raw.driver_connection
        cur = con.cursor()
        if dialect == "sqlite":
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-524288")
            cur.execute("BEGIN")
        else:
            cur.execute("SET maintenance_work_mem = '1GB'")
        rebuild = _secondary_indexes(cur, dialect) if defer_indexes else []
        started = time.perf_counter()
        done = 0
        if dialect == "sqlite":
            fmt: dict[dt.datetime, str] = {}
            marks = ", ".join("?" * len(ENTERPRISE_COLUMNS))
            sql = f"INSERT INTO enterprise ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
            while chunk := list(islice(rows, batch)):
                for i, r in enumerate(chunk):
                    ts = r[-1]
                    s = fmt.get(ts) or fmt.setdefault(ts, ts.strftime("%Y-%m-%d %H:%M:%S.%f"))
                    chunk[i] = (*r[:-1], s)
                cur.executemany(sql, chunk)
                done += len(chunk)
                if progress:
                    progress("enterprise", done, total)
        else:
            with cur.copy(f"COPY enterprise ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
                    done += 1
                    if progress and done % batch == 0:
                        progress("enterprise", done, total)
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        for ddl in rebuild:
            cur.execute(ddl)
        timings["indexes"] = time.perf_counter() - started
        if dialect == "sqlite":
            cur.execute("COMMIT")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        else:
            con.commit()
        started = time.perf_counter()
        cur.execute("ANALYZE enterprise")
        if dialect != "sqlite":
            con.commit()
        timings["analyze"] = time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
    return timings


def generate_province(
    url: str,
    *,
    enterprises: int,
    seed: int = 2026,
    batch: int = 50_000,
    progress: Progress | None = None,
    defer_indexes: bool = True,
    subjects: int = 5_000,
) -> ProvinceStats:
    """Fill an empty registry with 浙江省 at benchmark scale, in bounded memory."""
    from wurao.auth.scope import SYSTEM_ACTOR
    from wurao.registry import service as registry

    seconds: dict[str, float] = {}
    engine = make_engine(url)
    started = time.perf_counter()
    with session_factory(engine)() as session:
        registry.load_shipped_regions(session, actor=SYSTEM_ACTOR)
        places = places_for(session, PROVINCE)
        subject_rows = _province_subjects(places, subjects)
        session.execute(insert(EnforcementSubject), subject_rows)
        audit.record(
            session, actor=GENERATOR, action="subject.generate", object_type="enforcement_subject",
            object_id="*", region_code=PROVINCE,
            summary=f"批量生成浙江省执法主体 {len(subject_rows)} 个（种子 {seed}）",
        )  # fmt: skip
        refs = [
            SubjectRef(i, r, f)
            for i, r, f in session.execute(
                select(EnforcementSubject.id, EnforcementSubject.region_code,
                       EnforcementSubject.field).order_by(EnforcementSubject.id))
        ]  # fmt: skip
        per_subject = max(3, enterprises // 100 // max(1, len(refs)))
        officers = 0
        gen = officer_rows(seed, refs, per_subject, birth_regions=[p.code for p in places])
        while chunk := [dict(zip(OFFICER_COLUMNS, r, strict=True)) for r in islice(gen, batch)]:
            session.execute(insert(Officer), chunk)
            officers += len(chunk)
            if progress:
                progress("officer", officers, per_subject * len(refs))
        audit.record(
            session, actor=GENERATOR, action="officer.generate", object_type="officer",
            object_id="*", region_code=PROVINCE,
            summary=f"批量生成浙江省执法人员 {officers} 名（种子 {seed}）",
        )  # fmt: skip
        session.commit()
    seconds["subjects_officers"] = time.perf_counter() - started
    engine.dispose()
    timings = load_enterprises(
        url, enterprise_rows(seed, places, enterprises), total=enterprises, batch=batch,
        defer_indexes=defer_indexes, progress=progress,
    )  # fmt: skip
    seconds.update({f"enterprise_{k}": v for k, v in timings.items()})
    engine = make_engine(url)
    with session_factory(engine)() as session:
        loaded = int(session.scalar(select(func.count()).select_from(Enterprise)) or 0)
        audit.record(
            session, actor=GENERATOR, action="enterprise.generate", object_type="enterprise",
            object_id="*", region_code=PROVINCE,
            summary=f"批量载入浙江省企业 {loaded} 家（种子 {seed}，{len(places)} 个县级区划）",
        )  # fmt: skip
        session.commit()
    engine.dispose()
    return ProvinceStats(len(subject_rows), officers, loaded, seconds)
