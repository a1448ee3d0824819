"""Registry reads and writes (regions and subjects; the full registries follow)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.ids import region_parent
from wurao.registry.models import EnforcementSubject, Region


def get_region(session: Session, code: str) -> Region | None:
    """A region by code."""
    return session.get(Region, code)


def region_path(session: Session, code: str) -> str:
    """Full name of a region, from the province down (e.g. 浙江省衢州市柯城区)."""
    names: list[str] = []
    current: str | None = code
    while current:
        region = session.get(Region, current)
        if region is not None:
            names.append(region.name)
        current = region_parent(current)
    return "".join(reversed(names)) or code


def subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names of the given subjects."""
    if not ids:
        return {}
    rows = session.execute(
        select(EnforcementSubject.id, EnforcementSubject.name).where(EnforcementSubject.id.in_(ids))
    ).all()
    return {i: n for i, n in rows}


def read_region_csv() -> list[dict[str, str]]:
    """The shipped GB/T 2260 division table (see registry/data/regions.SOURCE.md)."""
    import csv
    from importlib import resources

    text = resources.files("wurao.registry").joinpath("data/regions.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_shipped_regions(session: Session, *, actor: Actor) -> int:
    """Insert the shipped division table's missing rows (parents first); returns the count added."""
    existing = set(session.scalars(select(Region.code)))
    rows = [r for r in read_region_csv() if r["code"] not in existing]
    order = {"province": 0, "prefecture": 1, "county": 2, "town": 3}
    rows.sort(key=lambda r: (order.get(r["level"], 9), r["code"]))
    added = [
        Region(code=r["code"], name=r["name"], level=r["level"], parent_code=r["parent"] or None)
        for r in rows
    ]
    session.add_all(added)
    if added:
        audit.record(
            session,
            actor=actor,
            action="region.load",
            object_type="region",
            object_id="*",
            covers=added,
            summary=f"载入行政区划表 {len(added)} 条",
        )
    return len(added)
