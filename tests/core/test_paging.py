"""One paginate(): count, offset, the page's position and the template variables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core.paging import PER_PAGE, Page, page_count, paginate, paginate_rows
from wurao.registry.models import Region


def test_page_position_and_context() -> None:
    page = Page(items=["a", "b"], total=45, page=2, per_page=20)
    assert (page.pages, page.has_prev, page.has_next) == (3, True, True)
    assert page.context("plans") == {"plans": ["a", "b"], "total": 45, "page": 2, "pages": 3}
    assert Page(items=[], total=0).pages == 1 and not Page(items=[], total=0).has_next
    assert page.map(str.upper).items == ["A", "B"] and page.map(str.upper).total == 45
    assert page_count(41) == 3 and PER_PAGE == 20


def test_paginate_counts_the_filter_and_reads_one_page_in_order(db: Session) -> None:
    stmt = select(Region).where(Region.code.startswith("3308")).order_by(Region.code)
    codes = [r.code for r in db.scalars(stmt)]
    assert len(codes) > 3
    second = paginate(db, stmt, page=2, per_page=2)
    assert second.total == len(codes)
    assert [r.code for r in second.items] == codes[2:4]
    assert paginate(db, stmt, page=0, per_page=2).page == 1  # below 1 reads as 1
    past = paginate(db, stmt, page=999, per_page=2)
    assert past.items == [] and past.total == len(codes)
    last = paginate(db, stmt, page=999, per_page=2, clamp=True)
    assert last.page == last.pages and [r.code for r in last.items] == codes[-len(last.items) :]
    rows = paginate_rows(db, select(Region.code, Region.name).order_by(Region.code), 1, 3)
    assert (
        len(rows.items) == 3
        and rows.items[0][0] == db.scalars(select(Region.code).order_by(Region.code)).first()
    )
