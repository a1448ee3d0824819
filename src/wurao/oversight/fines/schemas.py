"""API shapes of fine revenue (罚没收入): the monthly series. Amounts are integers in fen."""

from __future__ import annotations

from pydantic import BaseModel

from wurao.oversight.fines.queries import Row, Table


class SeriesOut(BaseModel):
    """One subject's or region's months: this year and last year, in fen."""

    key: str  # the subject id, or the county-level region code; "" for the total
    label: str
    region_code: str
    months_fen: list[int]
    sources: list[str]  # per month: "cases", "import", "mixed" (a region), "" (nothing)
    last_months_fen: list[int]
    last_sources: list[str]
    total_fen: int  # January to the last compared month
    last_total_fen: int
    growth: float | None  # (total − last total) ÷ last total; null without a base

    @classmethod
    def of(cls, row: Row) -> SeriesOut:
        return cls(
            key=row.key,
            label=row.label,
            region_code=row.region_code,
            months_fen=row.now.months,
            sources=row.now.sources,
            last_months_fen=row.last.months,
            last_sources=row.last.sources,
            total_fen=row.total,
            last_total_fen=row.last_total,
            growth=None if row.growth is None else round(row.growth, 6),
        )


class MonthlyOut(BaseModel):
    """The monthly table of the caller's region for one year."""

    year: int
    by: str  # subject / region
    compared_months: int  # the year-on-year compares January to this month (0: none yet)
    series: list[SeriesOut]
    total: SeriesOut

    @classmethod
    def of(cls, found: Table) -> MonthlyOut:
        return cls(
            year=found.year,
            by=found.by,
            compared_months=found.compared,
            series=[SeriesOut.of(r) for r in found.rows],
            total=SeriesOut.of(found.total),
        )
