"""Legal clocks (``wurao.core.clock``): working and calendar days, pauses, the policy read on
the start date, unknown years, and one C6 deadline for the results page and the sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.inspections import add_enterprise, subject
from tests.oversight.test_rules import KC_SCJG, QJ, make_task
from wurao.core import clock
from wurao.core import rules as catalogue
from wurao.core.config import get_settings
from wurao.core.policy import get_policy
from wurao.core.time import LOCAL_TZ, local_date
from wurao.core.workdays import UnknownCalendarYear
from wurao.oversight import rules as supervision
from wurao.sampling import results

D = dt.date
KC = "330802"
# the same parameter as C6, counted in calendar days: the unit is the clock's, not the policy's
C6_CALENDAR = clock.Clock(
    catalogue.C6, "测试期限", "抽查检查结束", "dss.publish_working_days", clock.CALENDAR
)

LocalPolicy = Callable[[str], None]


@pytest.fixture
def local_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalPolicy]:
    """Load a local policy file (WURAO_POLICY_FILE) on top of the shipped one."""

    def load(text: str) -> None:
        path = tmp_path / "local.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("WURAO_POLICY_FILE", str(path))
        get_settings.cache_clear()
        get_policy.cache_clear()

    yield load
    monkeypatch.delenv("WURAO_POLICY_FILE", raising=False)
    get_settings.cache_clear()
    get_policy.cache_clear()


def _five_days_from(effective: str) -> str:
    return (
        f'[[dss.publish_working_days.values]]\nregion = "{QJ}"\neffective = {effective}\n'
        'value = 5\nsource = "测试：衢江区自定"\n'
    )


def test_working_days_skip_the_national_day_holiday() -> None:
    # 2025: 1–8 October off, Saturday 11 October worked
    assert clock.C6_PUBLISH.deadline(D(2025, 9, 30), KC) == D(2025, 11, 4)
    assert clock.C6_WARN.deadline(D(2025, 9, 30), KC) == D(2025, 10, 28)


def test_calendar_days_count_every_day() -> None:
    assert C6_CALENDAR.deadline(D(2025, 9, 30), KC) == D(2025, 10, 20)
    assert C6_CALENDAR.overdue_by(D(2025, 9, 30), KC, D(2025, 10, 23)) == 3
    assert C6_CALENDAR.overdue_by(D(2025, 9, 30), KC, D(2025, 10, 20)) == 0


def test_a_pause_extends_the_deadline_by_the_days_it_stops() -> None:
    # Thursday 9 and Friday 10 October 2025 are working days: two more working days
    pause = [(D(2025, 10, 9), D(2025, 10, 10))]
    assert clock.C6_PUBLISH.deadline(D(2025, 9, 30), KC, pause) == D(2025, 11, 6)
    # the holiday inside a pause was not counted anyway; a pause before the start changes nothing
    holiday = [(D(2025, 10, 1), D(2025, 10, 8)), (D(2025, 9, 1), D(2025, 9, 5))]
    assert clock.C6_PUBLISH.deadline(D(2025, 9, 30), KC, holiday) == D(2025, 11, 4)
    assert C6_CALENDAR.deadline(D(2025, 9, 30), KC, pause) == D(2025, 10, 22)
    assert clock.C6_PUBLISH.overdue_by(D(2025, 9, 30), KC, D(2025, 11, 7), pause) == 1


def test_the_length_is_the_policy_in_force_on_the_start_date(local_policy: LocalPolicy) -> None:
    local_policy(_five_days_from("2026-03-10"))
    # started before the change: the national 20 working days, even judged after it
    before = clock.C6_PUBLISH.deadline(D(2026, 3, 2), QJ)
    assert clock.C6_PUBLISH.length(D(2026, 3, 2), QJ) == 20 and before == D(2026, 3, 30)
    assert clock.C6_PUBLISH.overdue_by(D(2026, 3, 2), QJ, D(2026, 3, 20)) == 0
    # started after it: the county's 5
    assert clock.C6_PUBLISH.deadline(D(2026, 3, 11), QJ) == D(2026, 3, 18)
    assert clock.C6_PUBLISH.shortest(D(2026, 3, 20)) == 5
    assert clock.C6_PUBLISH.shortest(D(2026, 3, 9)) == 20


def test_an_unknown_calendar_year_raises_for_working_days_only() -> None:
    with pytest.raises(UnknownCalendarYear):
        clock.C6_PUBLISH.deadline(D(2099, 6, 1), KC)
    assert C6_CALENDAR.deadline(D(2099, 6, 1), KC) == D(2099, 6, 21)


def test_a_clock_names_a_parameter_of_its_rule() -> None:
    with pytest.raises(ValueError, match="not a parameter"):
        clock.Clock(catalogue.C6, "测试", "测试", "special.annual_quota")
    with pytest.raises(ValueError, match="unit"):
        clock.Clock(catalogue.C6, "测试", "测试", "dss.publish_working_days", "weeks")


def test_c6_results_page_and_sweep_agree(db: Session, local_policy: LocalPolicy) -> None:
    """The page's deadline is the sweep's: late the day after it, not on it, and a policy
    change after the inspection finished moves neither."""
    local_policy(_five_days_from("2026-03-10"))
    finished = dt.datetime(2026, 3, 2, 15, 0, tzinfo=LOCAL_TZ)
    task = make_task(
        db,
        add_enterprise(db, region=QJ),
        [subject(db, KC_SCJG)],
        origin="draw",
        finished=finished,
    )
    page = results.publish_deadline(task.region_code, local_date(finished))
    assert page.due_on == D(2026, 3, 30)
    sweep = supervision.BY_ID[catalogue.C6.id]

    def late_on(day: dt.date) -> list[str]:
        found = sweep.find(db, supervision.Context(today=day))
        return [f.detail for f in found if f.task_id == task.id]

    assert late_on(page.due_on) == []
    late = late_on(page.due_on + dt.timedelta(days=1))
    assert len(late) == 1 and page.due_on.isoformat() in late[0]
