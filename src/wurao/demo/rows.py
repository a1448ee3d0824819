"""Registry row builders: enterprises and officers as pure, deterministic generators.

Every value comes from ``random.Random(seed)``, so one seed always gives the same rows; the
city and the province generators only write what these yield. ``places_for`` reads the
counties (and their towns) the enterprises are spread over.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.demo.common import DEMO_YEAR, EPOCH, later, years_on
from wurao.demo.identifiers import UsccMaker, make_ric
from wurao.registry.models import Region

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
    stamps = [EPOCH - dt.timedelta(days=d, seconds=37 * d) for d in range(730)]
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
    created = EPOCH - dt.timedelta(days=300)
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
