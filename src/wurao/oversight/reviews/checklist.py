"""The scoring checklist (data/checklist.toml) and the score of a file from its item results.

Why data: the items, their points and the veto items differ between supervisors (新乡's and
铜山's reviews, 鲁司〔2023〕33号) and change year by year; a new checklist is a new data file,
not new code. A file's score: 0 and 不合格 on a failed veto item, otherwise 100 less the
deductions (each at most its item's points, never below zero), graded by the policy's
thresholds (review.grade_thresholds).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wurao.core import rules as catalogue
from wurao.core.policy import get_policy
from wurao.oversight.reviews.statuses import FileKind, Grade

CHECKLIST_FILE = Path(__file__).parent / "data" / "checklist.toml"
GRADE_PARAM = catalogue.F8_REVIEW_SCORE.params[0]
FULL_MARKS = 100


@dataclass(frozen=True)
class Item:
    """One checklist item."""

    code: str
    section: str
    title: str
    points: int
    veto: bool
    check: str  # the automatic check's key in checks.CHECKS, "" when the reviewer alone judges
    source: str


@dataclass(frozen=True)
class Checklist:
    """The items of each kind of file."""

    version: str
    items: Mapping[str, tuple[Item, ...]]

    def of(self, kind: str) -> tuple[Item, ...]:
        """The items for a kind of file, in the file's order."""
        return self.items[kind]

    def item(self, kind: str, code: str) -> Item | None:
        """The item of that code, or None."""
        return next((i for i in self.items[kind] if i.code == code), None)


def parse(text: str) -> Checklist:
    """A checklist from its TOML text; ValueError unless every kind scores out of 100."""
    doc = tomllib.loads(text)
    items: dict[str, tuple[Item, ...]] = {}
    for kind in FileKind:
        rows = tuple(Item(**{k: row[k] for k in Item.__dataclass_fields__}) for row in doc[kind])
        if sum(i.points for i in rows if not i.veto) != FULL_MARKS:
            raise ValueError(f"checklist {kind}: the points do not add up to {FULL_MARKS}")
        if len({i.code for i in rows}) != len(rows):
            raise ValueError(f"checklist {kind}: an item code is used twice")
        items[kind.value] = rows
    return Checklist(str(doc["version"]), items)


@cache
def checklist() -> Checklist:
    """The shipped checklist."""
    return parse(CHECKLIST_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Score:
    """A file's score, grade and whether a veto item failed."""

    score: int
    grade: Grade
    vetoed: bool


def grade_of(score: int, vetoed: bool, region: str, on: dt.date) -> Grade:
    """The grade of a score under the policy in force (a veto is always 不合格)."""
    limits = get_policy().value(GRADE_PARAM, region, on)
    if vetoed or score < int(limits["qualified"]):
        return Grade.UNQUALIFIED
    return Grade.EXCELLENT if score >= int(limits["excellent"]) else Grade.QUALIFIED


def score_of(
    items: tuple[Item, ...], results: Mapping[str, tuple[str, int]], region: str, on: dt.date
) -> Score:
    """The score from each item's (result, deduction) — F8 REVIEW-SCORE."""
    vetoed = any(i.veto and results.get(i.code, ("", 0))[0] == "fail" for i in items)
    if vetoed:
        return Score(0, Grade.UNQUALIFIED, True)
    deducted = 0
    for i in items:
        result, deduction = results.get(i.code, ("", 0))
        if result == "fail" and not i.veto:
            deducted += max(0, min(deduction, i.points))
    score = max(0, FULL_MARKS - deducted)
    return Score(score, grade_of(score, False, region, on), False)
