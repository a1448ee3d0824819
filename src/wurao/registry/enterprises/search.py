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
  are the first matches, and the total is over the cap. Otherwise the fragment is rare
  (under 2 % of the rows), and the pg_trgm GIN index serves the count and, unless the probe
  already holds the page, the page. ``LIKE`` replaces ``ILIKE`` when the fragment has no
  letter with a case (Chinese names): the same rows without lower-casing every name.
* In a county or town (``narrow``) the names of the scope are one range of the covering
  index ``ix_enterprise_region_name`` (migration 0029; about 10⁵ entries for a county):
  SQLite matches the fragment on that range without reading the table and fetches only the
  page's rows; PostgreSQL's planner chooses between it and the trigram index. Walking the
  search table's matches instead would read every match in the province (a fragment common
  elsewhere but absent from the county: seconds).
* A name prefix (the 1–2 character terms of ``service.py``) goes through the same probe on
  both databases: a common prefix such as 浙江 is found in the first ids without sorting
  the millions of index entries that start with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, Select, column, func, select, table, text
from sqlalchemy.orm import Session

from wurao.core.paging import page_count, paginate
from wurao.registry.models import Enterprise

SEARCH_TABLE = "enterprise_name_fts"
PROBE_IDS = 50_000


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
    first = session.scalar(select(func.min(Enterprise.id)))
    if first is None:
        return Found([], 0, False, 1)
    window = (Enterprise.id >= first) & (Enterprise.id < first + PROBE_IDS)
    probe = list(
        session.scalars(
            stmt.with_only_columns(Enterprise.id)
            .where(window, scan)
            .order_by(Enterprise.id)
            .limit(cap + 1)
        )
    )
    if len(probe) > cap:  # common: the probe holds the first cap + 1 matches
        page = _start(page, cap, per)
        return Found(_by_ids(session, probe[(page - 1) * per : page * per]), cap, True, page)
    ordered = stmt.where(indexed).order_by(Enterprise.id)
    total = _counted(session, ordered, cap)
    shown = _start(page, min(total, cap), per)
    if shown * per <= len(probe) or total <= len(probe):
        rows = _by_ids(session, probe[(shown - 1) * per : shown * per])
        return Found(rows, min(total, cap), total > cap, shown)
    return _paged(session, ordered, total, cap, page, per)


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
        ids = list(
            session.scalars(
                stmt.with_only_columns(Enterprise.id)
                .where(contains(session, fragment))
                .order_by(Enterprise.id)
                .limit(cap + 1)
            )
        )
        shown = _start(page, min(len(ids), cap), per_page)
        rows = _by_ids(session, ids[(shown - 1) * per_page : shown * per_page])
        return Found(rows, min(len(ids), cap), len(ids) > cap, shown)
    if narrow:
        scoped = stmt.where(contains(session, fragment)).order_by(Enterprise.id)
        return _paged(session, scoped, _counted(session, scoped, cap), cap, page, per_page)
    if sqlite:
        return _sqlite(session, stmt, fragment, cap, page, per_page)
    return probed(
        session, stmt, scan=contains(session, fragment, indexable=False),
        indexed=contains(session, fragment), cap=cap, page=page, per=per_page,
    )  # fmt: skip
