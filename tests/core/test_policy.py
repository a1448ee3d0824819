"""Policy lookup: region precedence, effective dates, validation of the file."""

from __future__ import annotations

import datetime as dt

import pytest

from wurao.core.policy import PolicyError, load_policy, parse_policy, region_chain

DOC = """
[inspection.cap]
title = "cap"
rule = "A5"
type = "int"
  [[inspection.cap.values]]
  region = "000000"
  effective = 2024-01-01
  value = 3
  source = "national"
  [[inspection.cap.values]]
  region = "330000"
  effective = 2024-06-01
  value = 4
  source = "province"
  [[inspection.cap.values]]
  region = "330800"
  effective = 2025-05-10
  value = 2
  source = "city"
  [[inspection.cap.values]]
  region = "330802"
  effective = 2026-01-01
  value = 1
  source = "county"
"""


def test_region_chain_walks_up() -> None:
    assert region_chain("330802001") == ("330802001", "330802", "330800", "330000", "000000")


@pytest.mark.parametrize(
    ("region", "on", "value", "source"),
    [
        ("330802", dt.date(2026, 3, 1), 1, "county"),  # county value wins
        ("330802", dt.date(2025, 12, 31), 2, "city"),  # county not yet effective → city
        ("330802001", dt.date(2026, 3, 1), 1, "county"),  # a town inherits its county
        ("330803", dt.date(2026, 3, 1), 2, "city"),  # sibling county → city
        ("330803", dt.date(2025, 1, 1), 4, "province"),  # before the city rule → province
        ("331004", dt.date(2026, 3, 1), 4, "province"),  # other city → province
        ("320312", dt.date(2026, 3, 1), 3, "national"),  # other province → national
    ],
)
def test_lookup_precedence(region: str, on: dt.date, value: int, source: str) -> None:
    v = parse_policy([("t", DOC)]).lookup("inspection.cap", region, on)
    assert (v.value, v.source) == (value, source)


def test_lookup_before_any_value_fails() -> None:
    with pytest.raises(PolicyError):
        parse_policy([("t", DOC)]).lookup("inspection.cap", "330802", dt.date(2023, 1, 1))


def test_local_file_adds_values(tmp_path) -> None:  # type: ignore[no-untyped-def]
    local = tmp_path / "local.toml"
    local.write_text(
        '[[inspection.onsite_cap_per_year.values]]\nregion = "331004"\neffective = 2026-01-01\n'
        'value = 1\nsource = "路桥区测试"\n',
        encoding="utf-8",
    )
    policy = load_policy(local)
    assert policy.value("inspection.onsite_cap_per_year", "331004", dt.date(2026, 6, 1)) == 1
    assert policy.value("inspection.onsite_cap_per_year", "330802", dt.date(2026, 6, 1)) == 2


def test_shipped_defaults_carry_sources() -> None:
    policy = load_policy()
    cap = policy.lookup("inspection.onsite_cap_per_year", "330802", dt.date(2026, 6, 1))
    assert cap.value == 2
    assert "衢政办发〔2025〕16号" in cap.source
    assert "第8项" in cap.source
    late = policy.lookup("code.late_window_working_days", "330881", dt.date(2026, 6, 1))
    assert late.value == 1
    assert "第7项" in late.source
    for param in policy.parameters.values():
        assert all(v.source.strip() for v in param.values), param.name


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            '[a.b]\ntitle="t"\nrule="r"\ntype="int"\n[[a.b.values]]\nregion="000000"\neffective=2024-01-01\nvalue="x"\nsource="s"\n',
            "type int",
        ),
        (
            '[a.b]\ntitle="t"\nrule="r"\ntype="int"\n[[a.b.values]]\nregion="000000"\neffective=2024-01-01\nvalue=1\nsource=""\n',
            "source",
        ),
        (
            '[a.b]\ntitle="t"\nrule="r"\ntype="int"\n[[a.b.values]]\nregion="12345"\neffective=2024-01-01\nvalue=1\nsource="s"\n',
            "value #1",
        ),
        (
            '[a.b]\ntitle="t"\nrule="r"\ntype="int"\n[[a.b.values]]\nregion="330800"\neffective=2024-01-01\nvalue=1\nsource="s"\n',
            "national default",
        ),
        (
            '[a.b]\ntitle="t"\nrule="r"\ntype="int"\n[[a.b.values]]\nregion="000000"\neffective=2024-01-01\nvalue=1\nsource="s"\nextra=1\n',
            "unknown keys",
        ),
    ],
)
def test_malformed_files_are_refused(doc: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy([("t", doc)])
