"""Enterprise name search: the fast paths (search.py) give the answer of a plain scan.

Each case is compared with the same search done in Python over the rows the actor may see:
the page's ids in id order, the total counted up to the cap, and whether it was capped. The
PostgreSQL probe window and the cap are shrunk so that every path runs on a small table:
the probe filling the cap, the probe holding the page but not the count, and past the probe
(PostgreSQL) the walk in id order and the index's matches, each chosen in turn. A county or
town scope reads its ids from ``ix_enterprise_region_name`` on both databases, on PostgreSQL
by an index-only scan (its plan is checked).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.registry.test_enterprises import add
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core.ids import region_scope_prefix
from wurao.registry.enterprises import search, service
from wurao.registry.models import Enterprise


@pytest.fixture
def made(db: Session, personas: Personas) -> list[Enterprise]:
    rows = []
    for i in range(24):
        region = ("330802", "330803", "330802001")[i % 3]
        rare = "稀有标记" if i % 5 == 0 else ""
        name = f"衢州样本检索{rare}{i:02d}号有限公司"
        rows.append(add(db, personas.admin, serial=200 + i, name=name, region=region))
    rows.append(add(db, personas.admin, serial=230, name="衢州ABC检索科技有限公司"))
    return rows


def _expected(
    db: Session, actor: Actor, q: str, region: str, cap: int, page: int, per: int
) -> tuple[list[int], int, bool]:
    stmt = select(Enterprise).where(region_filter(actor, Enterprise.region_code))
    if region:
        stmt = stmt.where(region_in_scope(Enterprise.region_code, region_scope_prefix(region)))
    scope = region_scope_prefix(region) if region else actor.scope_prefix
    wide = len(scope) < 6
    if len(q) < 3 and wide:  # 1–2 characters over a wide scope: the start of the name
        ids = sorted(e.id for e in db.scalars(stmt) if e.name.startswith(q))
    else:
        ids = sorted(e.id for e in db.scalars(stmt) if q.lower() in e.name.lower())
    total = min(len(ids), cap)
    last = max(1, -(-total // per))
    page = min(max(page, 1), last)
    return ids[(page - 1) * per : page * per], total, len(ids) > cap


@pytest.mark.parametrize("plan", ["walk", "index", "index-count-walk-page"])
@pytest.mark.parametrize("probe", ["none", "half", "all"])
@pytest.mark.parametrize("cap", [5, 1000])
def test_name_search_matches_a_plain_scan(
    db: Session,
    personas: Personas,
    made: list[Enterprise],
    monkeypatch: pytest.MonkeyPatch,
    probe: str,
    cap: int,
    plan: str,
) -> None:
    first = int(db.scalar(select(func.min(Enterprise.id))) or 0)
    window = {"none": 1, "half": made[12].id - first, "all": made[-1].id - first + 1}[probe]
    monkeypatch.setattr(search, "PROBE_IDS", window)
    # past the probe, PostgreSQL walks on in id order, or takes the index's matches, or counts
    # with the index and walks only to the page: each plan in turn
    if plan == "walk":
        monkeypatch.setattr(search, "WALK_COST", 0.0)
    elif plan == "index":
        monkeypatch.setattr(search, "MATCH_COST", 0.0)
        monkeypatch.setattr(search, "ENTRY_COST", 0.0)
    else:
        monkeypatch.setattr(
            search._Past, "walk_cost", lambda self, matches: 0.0 if matches <= cap else 1e9
        )
    monkeypatch.setattr(service, "COUNT_CAP", cap)
    cases = [
        (personas.admin, "样本检索", ""),  # every made row: the common fragment
        (personas.admin, "稀有标记", ""),  # a fifth of them
        (personas.admin, "样本检索稀有标记10号", ""),  # one, by a long fragment
        (personas.admin, "衢州样本检索稀有标记00号有限公司", ""),  # an exact name
        (personas.admin, "abc检索", ""),  # a letter with a case: still case-insensitive
        (personas.admin, "没有这样的企业", ""),
        (personas.admin, "样本检索", "330803"),  # a county filter: the bounded scan
        (personas.admin, "样本检索", "330802001"),  # a town
        (personas.admin, "样本检索", "330800"),  # a city: wide, through the index
        (personas.supervisor, "样本检索", ""),  # a county actor (柯城区 and its towns)
        (personas.supervisor, "稀有标记", ""),
        (personas.neighbour_supervisor, "稀有标记", ""),
        (personas.admin, "衢州", ""),  # 2 characters, province-wide: the start of the name
        (personas.admin, "样本", ""),  # … so this finds none of them
        (personas.supervisor, "样本", ""),  # 2 characters in a county: anywhere
        (personas.admin, "稀有", "330803"),
    ]
    for actor, q, region in cases:
        for page in (1, 2, 9):
            got = service.list_enterprises(
                db, actor=actor, q=q, region=region, page=page, per_page=3
            )
            ids, total, capped = _expected(db, actor, q, region, cap, page, 3)
            assert ([r.id for r in got.rows], got.total, got.capped) == (ids, total, capped), (
                q,
                region,
                page,
            )


def test_uscc_and_exact_name_find_one(
    db: Session, personas: Personas, made: list[Enterprise]
) -> None:
    target = made[7]
    by_code = service.list_enterprises(db, actor=personas.admin, q=target.uscc.lower())
    assert [r.id for r in by_code.rows] == [target.id] and by_code.total == 1
    by_name = service.list_enterprises(db, actor=personas.admin, q=target.name)
    assert [r.id for r in by_name.rows] == [target.id]
    hidden = service.list_enterprises(db, actor=personas.neighbour_supervisor, q=target.name)
    assert (target.region_code == "330803") == ([r.id for r in hidden.rows] == [target.id])


def test_capped_total_is_labelled(
    db: Session, personas: Personas, made: list[Enterprise], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "COUNT_CAP", 4)
    page = service.list_enterprises(db, actor=personas.admin, q="样本检索", per_page=2)
    assert page.capped and page.total_label == "4+" and page.pages == 2
    assert [r.id for r in page.rows] == [made[0].id, made[1].id]


ON_POSTGRESQL = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


@pytest.fixture
def elsewhere(db: Session, personas: Personas, made: list[Enterprise]) -> list[Enterprise]:
    """Rows of 衢江区 (330803) only, some of credit class A: common there, absent in 柯城区."""
    return [
        add(db, personas.admin, serial=300 + i, name=f"衢江独有名称{i:02d}号有限公司",
            region="330803", credit_class="A" if i % 2 else "B")
        for i in range(8)
    ]  # fmt: skip


def _no_probe(*_args: object, **_kw: object) -> Any:
    raise AssertionError("a county search took the probe instead of the region's name index")


@pytest.mark.parametrize("cap", [3, 1000])
def test_county_search_reads_the_region_index_and_matches_a_plain_scan(
    db: Session,
    personas: Personas,
    elsewhere: list[Enterprise],
    monkeypatch: pytest.MonkeyPatch,
    cap: int,
) -> None:
    monkeypatch.setattr(service, "COUNT_CAP", cap)
    monkeypatch.setattr(search, "probed", _no_probe)  # the narrow path, never the probe
    cases = [
        (personas.admin, "样本检索", "330802"),  # the county and its town: 16 rows
        (personas.admin, "稀有标记", "330802"),
        (personas.admin, "衢江独有", "330802"),  # common elsewhere, absent in the county
        (personas.admin, "衢江独有", "330803"),
        (personas.admin, "abc检索", "330802"),  # a letter with a case: ILIKE
        (personas.admin, "样本检索", "330802001"),  # a town
        (personas.supervisor, "样本检索", ""),  # a county actor: its own scope
        (personas.supervisor, "衢江独有", ""),
        (personas.neighbour_supervisor, "衢江独有", ""),
        (personas.supervisor, "样本检索", "330802001"),
    ]
    for actor, q, region in cases:
        for page in (1, 2, 9):
            got = service.list_enterprises(
                db, actor=actor, q=q, region=region, page=page, per_page=2
            )
            ids, total, capped = _expected(db, actor, q, region, cap, page, 2)
            assert ([r.id for r in got.rows], got.total, got.capped) == (ids, total, capped), (
                q,
                region,
                page,
            )


@pytest.mark.parametrize("cap", [2, 1000])
def test_county_search_with_a_filter_off_the_index_matches_a_plain_scan(
    db: Session,
    personas: Personas,
    elsewhere: list[Enterprise],
    monkeypatch: pytest.MonkeyPatch,
    cap: int,
) -> None:
    monkeypatch.setattr(service, "COUNT_CAP", cap)
    in_county = [e for e in elsewhere if e.credit_class == "A"]
    for page in (1, 2, 9):
        got = service.list_enterprises(
            db, actor=personas.admin, q="衢江独有", region="330803", credit="A", page=page,
            per_page=1,
        )  # fmt: skip
        total = min(len(in_county), cap)
        shown = min(page, total)
        want = [in_county[shown - 1].id]
        assert ([r.id for r in got.rows], got.total, got.capped) == (
            want,
            total,
            len(in_county) > cap,
        )


@ON_POSTGRESQL
def test_county_ids_come_from_an_index_only_scan(
    db: Session, personas: Personas, elsewhere: list[Enterprise]
) -> None:
    """The plan of the statement the search runs, explained where it runs (its planner
    settings in force): the region's name index alone, not the trigram index, the table or a
    walk of the primary key."""
    plans: list[str] = []

    def explain(_conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.startswith("WITH scope AS MATERIALIZED") and "LIKE" in statement:
            cursor.execute("EXPLAIN " + statement, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    # the table as a loaded province has it: its region indexes built from the live rows
    # (the tests' rolled-back inserts leave them many times their size, and the planner
    # charges an index by its pages), statistics gathered (their correlation makes a plain
    # index scan of the other region index look cheap), every page all-visible as the bulk
    # load's COPY FREEZE and autovacuum leave them (a table never vacuumed has none, and the
    # planner takes a small one for 10 pages). All of it goes with the test's transaction but
    # the page counts ANALYZE writes in place, which autovacuum would write the same.
    db.execute(text("REINDEX INDEX ix_enterprise_region_name"))
    db.execute(text("REINDEX INDEX ix_enterprise_region_status_class"))
    db.execute(text("ANALYZE enterprise"))
    db.execute(text(
        "UPDATE pg_class SET relallvisible = greatest(10, relpages, pg_relation_size(oid) / "
        "current_setting('block_size')::int) WHERE oid = 'enterprise'::regclass"
    ))  # fmt: skip
    conn = db.connection()
    event.listen(conn, "before_cursor_execute", explain)
    try:
        for q in ("样本检索", "衢江独有", "abc检索"):
            service.list_enterprises(db, actor=personas.supervisor, q=q)
            service.list_enterprises(db, actor=personas.admin, q=q, region="330802001")
    finally:
        event.remove(conn, "before_cursor_execute", explain)
    assert len(plans) == 6
    for plan in plans:
        assert "Index Only Scan using ix_enterprise_region_name on enterprise" in plan, plan
        assert "Heap Scan" not in plan and "Seq Scan" not in plan, plan
        assert "pk_enterprise" not in plan, plan
