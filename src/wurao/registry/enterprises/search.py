"""One page of enterprises whose name contains a fragment, fast at 10 million rows.

The answer is the one a plain ``ORDER BY id`` over every match would give: the page's rows
in id order and the number of matches counted up to the cap. What changes with the database
is how it is found, because a fragment as common as 有限公司 matches most of a province:

* SQLite — the FTS5 trigram table ``enterprise_name_fts`` (migration 0003) drives the
  query: it yields its matches in rowid (= enterprise id) order, each joined to its
  enterprise, so the first page and the capped count stop after ``cap + 1`` matches. An
  ``id IN (SELECT rowid … MATCH …)`` would first collect every match (millions).
* PostgreSQL — the first ``PROBE_IDS`` ids are scanned in id order with the fragment as a
  filter. A fragment common enough to fill the capped count there needs nothing else: those
  are the first matches, and the total is over the cap. Otherwise the probe's density picks
  the plan, and each plan is forced (``_Past``): the planner estimates ``LIKE '%…%'`` from
  100 histogram entries and walked the primary key for seconds, or sorted every match, when
  its guess was wrong. Counting needs no order, so the index counts up to the cap reading at
  most ``cap + 1`` rows; the page's ids come from a walk in id order when it is near.
  ``LIKE`` replaces ``ILIKE`` when the fragment has no letter with a case (Chinese names):
  the same rows without lower-casing every name.
* Both, in a county or town (``narrow``): the names of the scope are one range of the
  covering index ``ix_enterprise_region_name`` (migration 0029; about 10⁵ entries for a
  county), matched without reading the table, the first ``cap + 1`` ids sorted; only the
  page's rows are fetched (``narrow_ids``). SQLite's index carries the rowid; PostgreSQL's
  has ``INCLUDE (id)`` (migration 0030) and is read by an index-only scan: the matches are
  fenced from the ``ORDER BY id LIMIT`` (else a walk of the primary key, filtering the
  province, looks cheaper), ``NARROW_PLANNER`` turns off the sequential scan and the trigram
  bitmap (the probe's plans, which read the table, gave 143–181 ms p99 at 10 M), and the
  index-only scan wins because it skips the table where the visibility map marks its pages
  all-visible: the bulk load copies ``FREEZE`` (``imports/bulk.py``), autovacuum keeps them
  so after edits; a page changed since reads its heap tuple (docs/benchmarks.md, "County
  scope on PostgreSQL: index-only"). Walking the search table's matches instead would read
  every match in the province (a fragment common elsewhere but absent from the county:
  seconds). A filter on a column outside the index (status, credit class, industry, tag)
  would read the table for each name of the county: on PostgreSQL such a search takes the
  probe above, with the scope's index in its bitmap.
* A name prefix (the 1–2 character terms of ``service.py``) goes through the same probe on
  both databases: a common prefix such as 浙江 is found in the first ids without sorting
  the millions of index entries that start with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, Integer, Select, column, func, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import True_

from wurao.core.paging import page_count, paginate
from wurao.registry.models import Enterprise

SEARCH_TABLE = "enterprise_name_fts"
PROBE_IDS = 20_000
WIDE_IDS = 10_000  # ids sampled for the density of the fragment alone (PostgreSQL)
WALK_COST = 0.5  # µs a row walked in id order with the fragment as a filter (measured)
ENTRY_COST = 0.5  # µs an entry of the trigram index read into the bitmap (measured)
MATCH_COST = 14.0  # µs a row read at random through the index (measured)
BITMAP_MEM = "64MB"  # work_mem of an index query: 10⁶ matches stay an exact bitmap


@dataclass(frozen=True)
class Found:
    """The rows of one page, the count up to the cap, and the page actually shown."""

    rows: list[Enterprise]
    total: int
    capped: bool
    page: int


def escape_like(fragment: str) -> str:
    """The fragment with LIKE's wildcards and escape character escaped (escape ``\\``)."""
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(session: Session, fragment: str, *, indexable: bool = True) -> ColumnElement[bool]:
    """SQL: the enterprise's name contains ``fragment`` (case-insensitive, as before).

    ``indexable=False`` hides the column from the trigram index (PostgreSQL), for scans
    that must walk the primary key instead."""
    pattern = f"%{escape_like(fragment)}%"
    name = Enterprise.name if indexable else Enterprise.name + ""
    if session.get_bind().dialect.name != "postgresql":
        return name.like(pattern, escape="\\")  # SQLite's LIKE ignores ASCII case
    if fragment.lower() == fragment.upper():  # no cased letter: ILIKE would only cost
        return name.like(pattern, escape="\\")
    return name.ilike(pattern, escape="\\")


def _start(page: int, total: int, per_page: int) -> int:
    return min(max(page, 1), page_count(total, per_page))


def _by_ids(session: Session, ids: list[int]) -> list[Enterprise]:
    if not ids:
        return []
    return list(
        session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.id))
    )


def _counted(session: Session, stmt: Select[Enterprise], cap: int) -> int:
    ids = stmt.with_only_columns(Enterprise.id).order_by(None).limit(cap + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(ids)) or 0)


def _paged(
    session: Session, stmt: Select[Enterprise], total: int, cap: int, page: int, per: int
) -> Found:
    found = paginate(session, stmt, page, per, clamp=True, total=min(total, cap))
    return Found(found.items, found.total, total > cap, found.page)


def _sqlite(
    session: Session, stmt: Select[Enterprise], fragment: str, cap: int, page: int, per: int
) -> Found:
    fts = table(SEARCH_TABLE, column("rowid", Integer))
    phrase = '"' + fragment.replace('"', '""') + '"'
    driven = (
        stmt.join_from(fts, Enterprise, Enterprise.id == fts.c.rowid)
        .where(text(f"{SEARCH_TABLE} MATCH :fts_q").bindparams(fts_q=phrase))
        .order_by(fts.c.rowid)
    )
    return _paged(session, driven, _counted(session, driven, cap), cap, page, per)


def starts_with(prefix: str, *, indexable: bool = True) -> ColumnElement[bool]:
    """SQL: the name starts with ``prefix``, as a range on ``ix_enterprise_name``.

    Code-point order (BINARY on SQLite, C collation on PostgreSQL): every name starting with
    the prefix sorts between it and the prefix followed by the last code point."""
    name = Enterprise.name if indexable else Enterprise.name + ""
    return (name >= prefix) & (name < prefix + chr(0x10FFFF))


def probed(
    session: Session,
    stmt: Select[Enterprise],
    *,
    scan: ColumnElement[bool],
    indexed: ColumnElement[bool],
    cap: int,
    page: int,
    per: int,
) -> Found:
    """Page ``page`` of ``stmt`` filtered by a condition given twice: ``scan`` for the walk of
    the first ``PROBE_IDS`` ids in id order, ``indexed`` (the same rows) for its index."""
    # each bound its own query: SQLite reads one end of the primary key for a lone min() or
    # max(), but scans the table for both in one SELECT (10 M: 1 s)
    first, last = session.execute(
        select(
            select(func.min(Enterprise.id)).scalar_subquery(),
            select(func.max(Enterprise.id)).scalar_subquery(),
        )
    ).one()
    if first is None:
        return Found([], 0, False, 1)
    window = (Enterprise.id >= first) & (Enterprise.id < first + PROBE_IDS)
    ids = stmt.with_only_columns(Enterprise.id).order_by(Enterprise.id)
    if session.get_bind().dialect.name == "postgresql":  # short scans: workers cost more
        with _planner(session, max_parallel_workers_per_gather="0"):
            return _probed_pg(session, ids, scan, indexed, window, first, last, cap, page, per)
    probe = list(session.scalars(ids.where(window, scan).limit(cap + 1)))
    if len(probe) > cap:  # common: the probe holds the first cap + 1 matches
        return _page_of(session, probe, cap, page, per)
    ordered = stmt.where(indexed).order_by(Enterprise.id)
    total = _counted(session, ordered, cap)
    shown = _start(page, min(total, cap), per)
    if shown * per <= len(probe) or total <= len(probe):
        rows = _by_ids(session, probe[(shown - 1) * per : shown * per])
        return Found(rows, min(total, cap), total > cap, shown)
    return _paged(session, ordered, total, cap, page, per)


def _probed_pg(
    session: Session,
    ids: Select[int],
    scan: ColumnElement[bool],
    indexed: ColumnElement[bool],
    window: ColumnElement[bool],
    first: int,
    last: int,
    cap: int,
    page: int,
    per: int,
) -> Found:
    probe = list(session.scalars(ids.where(window, scan).limit(cap + 1)))
    if len(probe) > cap:  # common: the probe holds the first cap + 1 matches
        return _page_of(session, probe, cap, page, per)
    rest = max(0, last - first + 1 - PROBE_IDS)
    if _unfiltered(ids):
        wide = len(probe) * (rest + PROBE_IDS) / PROBE_IDS  # the probe sampled it alone
    else:
        sample = (Enterprise.id >= first) & (Enterprise.id < first + WIDE_IDS)
        wide = (session.scalar(select(func.count()).where(sample, scan)) or 0) * (
            (rest + PROBE_IDS) / WIDE_IDS
        )
    past = _Past(session, ids, scan, indexed, probe, rest, wide)
    return past.found(first, cap, page, per)


def _unfiltered(query: Select[int]) -> bool:
    """Whether ``query`` has no condition (or only ``true``: a system administrator's scope)."""
    where = query.whereclause
    return where is None or isinstance(getattr(where, "element", where), True_)


@dataclass(frozen=True)
class _Past:
    """What follows a probe that did not fill the cap (PostgreSQL). The plan is chosen from
    the probe, not by the planner, whose estimate of ``LIKE '%…%'`` comes from 100 histogram
    entries and is off by orders of magnitude either way (docs/benchmarks.md): walk on in id
    order with the fragment as a filter (primary key, ``scan``), or take the matches from the
    trigram (or name) index (``indexed``), whichever costs less by the per-row costs measured
    at 10 million enterprises (``WALK_COST``, ``ENTRY_COST``, ``MATCH_COST``). Counting needs
    no order: the index counts up to the cap reading at most ``cap + 1`` rows; only the page
    needs the id order, and the first page is usually near."""

    session: Session
    ids: Select[int]
    scan: ColumnElement[bool]
    indexed: ColumnElement[bool]
    probe: list[int]
    rest: int  # ids past the probe window
    wide: float  # matches of the condition alone in the table (the index's entries), estimated

    @property
    def expected(self) -> float:
        """Matches past the probe, at the probe's density (at least one)."""
        return max(1, len(self.probe)) * self.rest / PROBE_IDS

    def walk_cost(self, matches: int) -> float:
        """Walking on until ``matches`` matches (in all) at the probe's density."""
        found = len(self.probe)
        rows = self.rest if found == 0 else min(self.rest, (matches - found) * PROBE_IDS / found)
        return rows * WALK_COST

    def index_cost(self, rows: float) -> float:
        """Reading the index's entries for the condition, then ``rows`` rows from the table."""
        return self.wide * ENTRY_COST + rows * MATCH_COST

    def walk(self, first: int, matches: int) -> list[int]:
        past = self.ids.where(self.scan, Enterprise.id >= first + PROBE_IDS)
        # the primary key in id order: no bitmap, no other index then a sort
        with _planner(self.session, **_off("seqscan", "bitmapscan", "sort")):
            rest = self.session.scalars(past.limit(matches - len(self.probe)))
            return self.probe + list(rest)

    def indexed_ids(self, limit: int, *, ordered: bool) -> list[int]:
        """``limit`` matches from the index: the first by id, or any (read no further)."""
        query = self.ids if ordered else self.ids.order_by(None)
        # bitmaps only, exact (a lossy bitmap of a large match rechecks whole blocks)
        with _planner(self.session, **_off("seqscan", "indexscan"), work_mem=BITMAP_MEM):
            return list(self.session.scalars(query.where(self.indexed).limit(limit)))

    def found(self, first: int, cap: int, page: int, per: int) -> Found:
        if self.walk_cost(cap + 1) <= self.index_cost(min(self.expected, cap + 1)):
            return _page_of(self.session, self.walk(first, cap + 1), cap, page, per)
        some = self.indexed_ids(cap + 1, ordered=False)
        if len(some) <= cap:  # every match, once sorted: every page
            return _page_of(self.session, sorted(some), cap, page, per)
        shown = _start(page, cap, per)  # over the cap: only the page needs the id order
        need = shown * per
        if need <= len(self.probe):
            ids = self.probe
        elif self.walk_cost(need) <= self.index_cost(max(self.expected, cap + 1)):
            ids = self.walk(first, need)
        else:
            ids = self.indexed_ids(need, ordered=True)
        return Found(_by_ids(self.session, ids[(shown - 1) * per : need]), cap, True, shown)


def _page_of(session: Session, ids: list[int], cap: int, page: int, per: int) -> Found:
    """The page of ``ids`` (the first matches in id order, up to ``cap + 1``)."""
    total = min(len(ids), cap)
    shown = _start(page, total, per)
    return Found(
        _by_ids(session, ids[(shown - 1) * per : shown * per]), total, len(ids) > cap, shown
    )


def _off(*switches: str) -> dict[str, str]:
    """The planner switches ``enable_<switch>`` turned off (PostgreSQL)."""
    return {f"enable_{s}": "off" for s in switches}


@contextmanager
def _planner(session: Session, **settings: str) -> Iterator[None]:
    """PostgreSQL settings (``enable_seqscan="off"`` …) for the statements inside: set local to
    the transaction in one round trip, put back as they were in another."""
    names = list(settings)
    before = session.execute(
        select(*(func.current_setting(n) for n in names),
               *(func.set_config(n, v, True) for n, v in settings.items()))
    ).one()[: len(names)]  # fmt: skip
    try:
        yield
    finally:
        session.execute(
            select(*(func.set_config(n, v, True) for n, v in zip(names, before, strict=True)))
        )


# an index-only scan of the scope's range (PostgreSQL): no trigram bitmap (a bitmap always
# reads the table), no sequential scan, no parallel workers for 10⁵ index entries
NARROW_PLANNER = {**_off("seqscan", "bitmapscan"), "max_parallel_workers_per_gather": "0"}
_REGION_NAME_INDEX = frozenset({"region_code", "name", "id"})


def in_region_name_index(stmt: Select[Enterprise]) -> bool:
    """Whether every condition of ``stmt`` reads only columns of ``ix_enterprise_region_name``
    (the region scope): its ids can then come from that index without the table. A filter on
    status, credit class, industry or tag reads the table: such a search takes the probe."""
    where = stmt.whereclause
    columns = [] if where is None else [e for e in visitors.iterate(where) if isinstance(e, Column)]
    table = Enterprise.__tablename__
    return all(c.table.name == table and c.name in _REGION_NAME_INDEX for c in columns)


def narrow_ids(session: Session, stmt: Select[Enterprise], fragment: str, cap: int) -> Select[int]:
    """The first ``cap + 1`` ids of ``stmt`` (a county or town) whose name contains
    ``fragment``, in id order: one range of ``ix_enterprise_region_name`` with the fragment
    matched on the index's name column, the ids sorted (about 10⁵ entries for a county).

    On PostgreSQL the matches are a ``MATERIALIZED`` common table expression, which the
    planner does not fold into the outer query: with ``ORDER BY id LIMIT n`` in the same query
    it may walk the primary key in id order, filtering every row of the province, when it
    expects the fragment to be common — for a rare fragment that reads the whole table.
    Fenced, the scope's range is read first (the sort needs every match of it anyway)."""
    matches = stmt.with_only_columns(Enterprise.id).where(contains(session, fragment))
    if session.get_bind().dialect.name == "sqlite":
        return matches.order_by(Enterprise.id).limit(cap + 1)
    scope = matches.cte("scope").prefix_with("MATERIALIZED")
    return select(scope.c.id).order_by(scope.c.id).limit(cap + 1)


def name_page(
    session: Session,
    stmt: Select[Enterprise],
    fragment: str,
    *,
    narrow: bool,
    cap: int,
    page: int,
    per_page: int,
) -> Found:
    """Page ``page`` of ``stmt`` (already scoped and filtered) narrowed to names containing
    ``fragment`` (3 characters or more), in id order, the total counted up to ``cap``."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    if narrow and sqlite:  # ids from the covering index, then the page's rows
        ids = list(session.scalars(narrow_ids(session, stmt, fragment, cap)))
        return _page_of(session, ids, cap, page, per_page)
    if sqlite:
        return _sqlite(session, stmt, fragment, cap, page, per_page)
    if narrow and in_region_name_index(stmt):  # the same, from an index-only scan
        with _planner(session, **NARROW_PLANNER):
            ids = list(session.scalars(narrow_ids(session, stmt, fragment, cap)))
        return _page_of(session, ids, cap, page, per_page)
    return probed(
        session, stmt, scan=contains(session, fragment, indexable=False),
        indexed=contains(session, fragment), cap=cap, page=page, per=per_page,
    )  # fmt: skip
