"""One way to page a list: count the filtered statement, fetch one page of it.

Every list service builds a scoped, filtered ``select`` and hands it, ordered, to
:func:`paginate` (one entity per row) or :func:`paginate_rows` (several columns); the route
passes the :class:`Page` on and the template reads ``rows``/``total``/``page``/``pages`` from
:meth:`Page.context`. A list filtered in Python pages with :func:`paginate_list`. ``PER_PAGE``
is the platform's page size and ``LONG_PER_PAGE`` the one of lists of one-line rows, both
defined here only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

PER_PAGE = 20
# Lists of one-line rows read in long runs (the audit log, a figure's drill-down, a draw's
# published selection and teams) show more per page.
LONG_PER_PAGE = 50
# The most rows a client may ask for in one page of a public API (the open-data API).
API_MAX_PER_PAGE = 200

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and where it sits: ``page`` counts from 1."""

    items: list[T]
    total: int
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        """Number of pages (at least one, so an empty list still shows "1 / 1")."""
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages

    def with_items(self, items: list[U]) -> Page[U]:
        """The same page holding ``items`` (the rows once a service has joined in names)."""
        return Page(items, self.total, self.page, self.per_page)

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page with ``fn`` applied to each item."""
        return self.with_items([fn(i) for i in self.items])

    def context(self, name: str = "rows") -> dict[str, Any]:
        """The variables the list templates read: the items under ``name``, ``total``,
        ``page`` and ``pages``."""
        return {name: self.items, "total": self.total, "page": self.page, "pages": self.pages}


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    """Number of pages for ``total`` rows (at least one)."""
    return max(1, math.ceil(total / per_page))


def _count(session: Session, stmt: Select[*Ts]) -> int:
    # The count wraps the statement in a subquery, so joins, filters and ``distinct`` count
    # as they select; its ORDER BY is dropped (it cannot change a count).
    counted = stmt.order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(counted)) or 0)


def _start(page: int, total: int, per_page: int, clamp: bool) -> int:
    page = max(page, 1)
    return min(page, page_count(total, per_page)) if clamp else page


def paginate(
    session: Session,
    stmt: Select[T],
    page: int = 1,
    per_page: int = PER_PAGE,
    *,
    clamp: bool = False,
    total: int | None = None,
) -> Page[T]:
    """Count ``stmt`` (one entity per row) and fetch page ``page`` of it, in its own order.

    A page below 1 reads as 1; with ``clamp`` a page past the end reads as the last one (the
    lists that keep their place after rows disappear), otherwise it is simply empty. ``total``,
    when the caller already knows it (a kept figure, a capped count), spares the count."""
    total = _count(session, stmt) if total is None else total
    page = _start(page, total, per_page, clamp)
    rows = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(rows), total, page, per_page)


def paginate_rows(
    session: Session,
    stmt: Select[*Ts],
    page: int = 1,
    per_page: int = PER_PAGE,
    *,
    clamp: bool = False,
    total: int | None = None,
) -> Page[Row[*Ts]]:
    """As :func:`paginate`, for a statement of several columns (the items are rows)."""
    total = _count(session, stmt) if total is None else total
    page = _start(page, total, per_page, clamp)
    rows = session.execute(stmt.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(rows), total, page, per_page)


def paginate_list(
    items: Sequence[T], page: int = 1, per_page: int = PER_PAGE, *, clamp: bool = False
) -> Page[T]:
    """One page of a list already in memory: rows a service filters in Python (a state the
    database cannot compute) or a published JSON selection."""
    total = len(items)
    page = _start(page, total, per_page, clamp)
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), total, page, per_page)
