"""The scan page (#18) issues a fixed, small number of statements, however many officers,
items and checklist lines its task has (docs/benchmarks-verify.md, scan page)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import add_item, add_officer, issue, key_dir, new_task, world
from tests.web.test_query_counts import queries_for
from wurao.core.time import local_today

__all__ = ["key_dir"]

# The code with its task, enterprise, subjects and officers; the items with their checklists;
# the observers (pages.py); and the test transaction's RELEASE SAVEPOINT. (The request's
# BEGIN falls outside the count: the test session is already inside a transaction.)
MAX_STATEMENTS = 4


def _scan_url(
    db: Session, personas: Personas, *, officers: int, items: int
) -> tuple[str, list[str]]:
    w = world(db)
    extra = [add_officer(db, w.subject) for _ in range(officers - len(w.officers))]
    more = [add_item(db, w.subject.field) for _ in range(items - 1)]
    today = local_today()
    task = new_task(
        db,
        personas.agency_admin,
        w,
        window_start=today,
        window_end=today,
        officer_ids=[o.id for o in [*w.officers, *extra]],
        item_codes=[i.code for i in [w.item, *more]],
    )
    issued = issue(db, personas.agency_admin, task, today=today, now=None)
    db.commit()
    names = [o.name for o in [*w.officers, *extra]] + [i.name for i in [w.item, *more]]
    return f"/v/{issued.code.token}", names


def test_scan_page_statements_do_not_grow_with_officers_and_items(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    small, _ = _scan_url(db, personas, officers=2, items=1)
    large, names = _scan_url(db, personas, officers=6, items=4)
    few = queries_for(client, db, small)
    many = queries_for(client, db, large)
    assert few <= MAX_STATEMENTS, few
    assert many == few
    text = client.get(large).text
    assert 'data-status="valid"' in text
    for name in names:  # every officer and item is still on the page
        assert name in text
    assert text.count("查验产品质量检验合格证明") == 4  # each item's checklist line
