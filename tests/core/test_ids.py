"""Tests for wurao.core.ids: rules G1, G1a, G2, G3 of docs/rules.md and the regions.csv table."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from wurao.core.ids import (
    IdentifierError,
    mask_ric,
    normalize_uscc,
    region_level,
    region_parent,
    region_scope_prefix,
    ric_address_warning,
    ric_age_on,
    ric_birth_date,
    ric_sex,
    uscc_org_code_warning,
    uscc_region,
    validate_region_code,
    validate_ric,
    validate_uscc,
)

REGIONS_CSV = Path(__file__).resolve().parents[2] / "src/wurao/registry/data/regions.csv"
TODAY = dt.date(2026, 5, 1)

# --- independent implementations of the check characters, written from docs/rules.md G1/G2 -----

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def g1_check(code17: str) -> str:
    """C18 = 31 − (Σ Cᵢ·Wᵢ mod 31), Wᵢ = 3^(i−1) mod 31, 31 → 0 (GB 32100-2015)."""
    total = sum(_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(code17))
    return _ALPHABET[(31 - total % 31) % 31]


def g2_check(code17: str) -> str:
    """check = (12 − S mod 11) mod 11 with weights 7,9,10,5,8,4,2,1,6,3,… (GB 11643-1999)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(code17, weights, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


# Published codes of well-known enterprises (华为技术有限公司, 腾讯科技（深圳）有限公司,
# 中国石油天然气股份有限公司, 比亚迪股份有限公司, 小米科技有限责任公司).
REAL_USCC = [
    "914403001922038216",
    "9144030071526726XG",
    "91110000710925462X",
    "91440300192317458F",
    "91110108551385082Q",
]
# Made-up codes in the real format, check characters computed once (and re-checked below).
SYNTHETIC_USCC = [
    "91330802MA29K3L778",  # 企业, 衢州市柯城区
    "92330803MA2DH1T45Q",  # 个体工商户, 衢江区
    "91330000MA27U0GK6P",  # 企业, 浙江省
    "93410700MA45C8Q283",  # 农民专业合作社, 新乡市
    "N2330802MA2H6EP14Q",  # registering department N (农业): letters allowed in chars 1–2
]
OVERRIDE_USCC = "91350203M0001QAY9B"  # real, registered, fails the check (RULES G1)


# --- G1 统一社会信用代码 ------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCC + SYNTHETIC_USCC)
def test_g1_valid_codes_pass(code: str) -> None:
    assert g1_check(code[:17]) == code[17]
    assert validate_uscc(code) == code


def test_g1_bad_check_blocks_with_expected_character() -> None:
    code = "91330802MB29K3L778"  # the 10th character of a valid code changed A → B
    expected = g1_check(code[:17])
    assert expected != code[17]
    with pytest.raises(IdentifierError) as info:
        validate_uscc(code)
    assert info.value.field == "uscc"
    assert info.value.value == code
    assert info.value.reason == f"统一社会信用代码校验位错误（应为{expected}）"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("position", [0, 5, 9, 16])
def test_g1_any_single_changed_character_blocks(position: int) -> None:
    code = SYNTHETIC_USCC[0]
    replacement = "1" if code[position] != "1" else "2"
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(IdentifierError, match="校验位错误"):
        validate_uscc(changed)


def test_g1_full_width_input_is_normalised() -> None:
    full_width = "９１３３０８０２ＭＡ２９Ｋ３Ｌ７７８"
    assert normalize_uscc(full_width) == "91330802MA29K3L778"
    assert validate_uscc(full_width) == "91330802MA29K3L778"


def test_g1_lower_case_and_inner_whitespace_are_normalised() -> None:
    assert validate_uscc(" 9144030071526726xg ") == "9144030071526726XG"
    assert validate_uscc("9133 0802\tma29 k3l7\u300078") == "91330802MA29K3L778"


@pytest.mark.parametrize(
    ("raw", "length"),
    [("91330802MA29K3L77", 17), ("91330802MA29K3L7780", 19), ("9133", 4)],
)
def test_g1_wrong_length_blocks(raw: str, length: int) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_uscc(raw)
    assert info.value.reason == f"统一社会信用代码应为18位（现为{length}位）"


def test_g1_empty_blocks() -> None:
    with pytest.raises(IdentifierError, match="不能为空"):
        validate_uscc("  ")


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_g1_forbidden_letters_block(letter: str) -> None:
    code = "91330802M" + letter + "29K3L778"
    with pytest.raises(IdentifierError) as info:
        validate_uscc(code)
    assert "含有不允许的字符I/O/S/V/Z" in info.value.reason
    assert f"第10位为“{letter}”" in info.value.reason


def test_g1_other_characters_block() -> None:
    with pytest.raises(IdentifierError, match="非法字符（第9位为“-”）"):
        validate_uscc("91330802-A29K3L778")


def test_g1_region_part_must_be_digits() -> None:
    code17 = "9133A802MA29K3L77"
    code = code17 + g1_check(code17)  # a correct check character: only the format is wrong
    with pytest.raises(IdentifierError, match="第3–8位"):
        validate_uscc(code)


def test_g1_override_code_fails_the_check() -> None:
    assert g1_check(OVERRIDE_USCC[:17]) != OVERRIDE_USCC[17]
    with pytest.raises(IdentifierError) as info:
        validate_uscc(OVERRIDE_USCC)
    assert info.value.reason == f"统一社会信用代码校验位错误（应为{g1_check(OVERRIDE_USCC[:17])}）"


def test_g1_override_accepts_only_a_bad_check_character() -> None:
    assert validate_uscc(OVERRIDE_USCC, allow_bad_check=True) == OVERRIDE_USCC
    assert validate_uscc(OVERRIDE_USCC.lower(), allow_bad_check=True) == OVERRIDE_USCC
    # Format faults still block with the override.
    with pytest.raises(IdentifierError, match="应为18位"):
        validate_uscc(OVERRIDE_USCC[:17], allow_bad_check=True)
    with pytest.raises(IdentifierError, match="I/O/S/V/Z"):
        validate_uscc("91350203M0001QAY9O", allow_bad_check=True)
    with pytest.raises(IdentifierError, match="第3–8位"):
        validate_uscc("913502X3M0001QAY9B", allow_bad_check=True)


# --- G1a organisation code (GB 11714) ------------------------------------------------------


@pytest.mark.parametrize("code", [*REAL_USCC, *SYNTHETIC_USCC, OVERRIDE_USCC])
def test_g1a_good_organisation_code_gives_no_warning(code: str) -> None:
    assert uscc_org_code_warning(code) is None


def test_g1a_bad_organisation_code_warns() -> None:
    # Valid USCC check character, but character 17 should be 7 under GB 11714.
    code = "91330802MA29K3L70J"
    assert validate_uscc(code) == code
    warning = uscc_org_code_warning(code)
    assert warning is not None
    assert "GB 11714" in warning
    assert "应为7" in warning


def test_g1a_check_value_x() -> None:
    # 腾讯: organisation code 71526726-X, the check value 10 written X.
    assert uscc_org_code_warning("9144030071526726XG") is None
    code17 = "914403007152672650"[:17]
    assert uscc_org_code_warning(code17 + g1_check(code17)) is not None


def test_g1a_check_value_0() -> None:
    # Σ Cᵢ·Wᵢ of MA2H6EP3 is 572 = 52 × 11: the check value 11 is written 0.
    assert uscc_org_code_warning("91330802MA2H6EP30Y") is None
    code17 = "91330802MA2H6EP31"
    warning = uscc_org_code_warning(code17 + g1_check(code17))
    assert warning is not None
    assert "应为0" in warning


def test_uscc_region() -> None:
    assert uscc_region("91330802MA29K3L778") == "330802"
    assert uscc_region(" 9144030071526726xg") == "440300"
    with pytest.raises(IdentifierError):
        uscc_region("9133080")


# --- G2 居民身份证号 ----------------------------------------------------------------------

VALID_RIC = "330802199001011232"  # made up; check character computed from G2
FEMALE_RIC = "11010519491231002X"  # the example in GB 11643-1999


@pytest.mark.parametrize("code", [VALID_RIC, FEMALE_RIC, "410702200002290026"])
def test_g2_valid_codes_pass(code: str) -> None:
    assert g2_check(code[:17]) == code[17]
    assert validate_ric(code, today=TODAY) == code


def test_g2_wrong_check_blocks() -> None:
    code = VALID_RIC[:17] + "5"
    with pytest.raises(IdentifierError) as info:
        validate_ric(code, today=TODAY)
    assert info.value.field == "ric"
    assert info.value.reason == "居民身份证号校验位错误（应为2）"
    # The personal number does not leak into the message.
    assert code not in str(info.value)


def test_g2_one_digit_changed_blocks() -> None:
    with pytest.raises(IdentifierError, match="校验位错误"):
        validate_ric("330802199001011332", today=TODAY)


def test_g2_future_birth_date_blocks() -> None:
    code = "330802209901011234"
    assert g2_check(code[:17]) == code[17]
    with pytest.raises(IdentifierError) as info:
        validate_ric(code, today=TODAY)
    assert info.value.reason == "居民身份证号出生日期在未来（2099-01-01）"


def test_g2_birth_today_passes_and_tomorrow_blocks() -> None:
    code17 = "33080220260501002"
    code = code17 + g2_check(code17)
    assert validate_ric(code, today=dt.date(2026, 5, 1)) == code
    with pytest.raises(IdentifierError, match="未来"):
        validate_ric(code, today=dt.date(2026, 4, 30))


def test_g2_february_30_blocks() -> None:
    code = "330802199002301231"
    assert g2_check(code[:17]) == code[17]
    with pytest.raises(IdentifierError) as info:
        validate_ric(code, today=TODAY)
    assert info.value.reason == "居民身份证号出生日期无效（19900230不是真实日期）"


def test_g2_february_29_only_in_leap_years() -> None:
    leap17, common17 = "41070220000229002", "41070219990229002"
    assert validate_ric(leap17 + g2_check(leap17), today=TODAY)
    with pytest.raises(IdentifierError, match="不是真实日期"):
        validate_ric(common17 + g2_check(common17), today=TODAY)


def test_g2_implausibly_old_birth_year_blocks() -> None:
    code17 = "33080218990101123"
    with pytest.raises(IdentifierError, match="早于1900年"):
        validate_ric(code17 + g2_check(code17), today=TODAY)


def test_g2_lower_case_x_and_full_width_are_normalised() -> None:
    assert validate_ric("11010519491231002x", today=TODAY) == FEMALE_RIC
    assert validate_ric("１１０１０５１９４９１２３１００２Ｘ", today=TODAY) == FEMALE_RIC
    assert validate_ric(" 110105 19491231 002X ", today=TODAY) == FEMALE_RIC


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("33080219900101123", "居民身份证号应为18位（现为17位）"),
        ("330802900101123", "居民身份证号应为18位（现为15位）"),
        ("3308021990010112X2", "居民身份证号格式错误：前17位应为数字，末位应为数字或X"),
        ("33080219900101123Y", "居民身份证号格式错误：前17位应为数字，末位应为数字或X"),
        ("", "居民身份证号不能为空"),
    ],
)
def test_g2_pattern_blocks(raw: str, reason: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_ric(raw, today=TODAY)
    assert info.value.reason == reason


def test_g2_non_ascii_digits_block() -> None:
    # Arabic-Indic digits are digits to str.isdigit() but not to GB 11643.
    with pytest.raises(IdentifierError, match="格式错误"):
        validate_ric("٣٣٠٨٠٢١٩٩٠٠١٠١١٢٣٢", today=TODAY)


def test_ric_helpers() -> None:
    assert ric_birth_date(VALID_RIC) == dt.date(1990, 1, 1)
    assert ric_sex(VALID_RIC) == "男"  # sequence 123: odd
    assert ric_sex(FEMALE_RIC) == "女"  # sequence 002: even
    assert ric_age_on(VALID_RIC, dt.date(2025, 12, 31)) == 35
    assert ric_age_on(VALID_RIC, dt.date(2026, 1, 1)) == 36
    leap = "410702200002290026"
    assert ric_age_on(leap, dt.date(2018, 2, 28)) == 17
    assert ric_age_on(leap, dt.date(2018, 3, 1)) == 18
    assert ric_age_on(leap, dt.date(2020, 2, 29)) == 20
    with pytest.raises(IdentifierError):
        ric_birth_date("330802199002301231")


def test_mask_ric() -> None:
    assert mask_ric(FEMALE_RIC) == "110105********002X"
    assert mask_ric("11010519491231002x") == "110105********002X"
    assert len(mask_ric(VALID_RIC)) == 18
    assert mask_ric(VALID_RIC) == "330802********1232"
    assert mask_ric("1234567") == "*******"


def test_ric_address_warning() -> None:
    assert ric_address_warning(VALID_RIC) is None
    # 柯城区 dates from 1985; someone born before then still holds 330802 (no warning).
    assert ric_address_warning("330802196001011234") is None
    code17 = "33999919900101123"
    warning = ric_address_warning(code17 + g2_check(code17))
    assert warning is not None
    assert "339999" in warning


# --- G3 行政区划代码 structure ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parent", "prefix"),
    [
        ("330000", "province", None, "33"),
        ("330800", "prefecture", "330000", "3308"),
        ("330802", "county", "330800", "330802"),
        ("330802001", "town", "330802", "330802001"),
        ("331004", "county", "331000", "331004"),
        ("320312", "county", "320300", "320312"),
        ("410700", "prefecture", "410000", "4107"),
        ("429004", "county", "420000", "429004"),  # 省直辖县级: parent is the province
        ("419001", "county", "410000", "419001"),
        ("659001", "county", "650000", "659001"),
        ("110101", "county", "110000", "110101"),  # 直辖市 district
        ("500229", "county", "500000", "500229"),  # 直辖市 county
        ("441900", "prefecture", "440000", "4419"),  # 东莞: towns directly under it
        ("441900003", "town", "441900", "441900003"),
    ],
)
def test_g3_region_structure(code: str, level: str, parent: str | None, prefix: str) -> None:
    assert validate_region_code(code) == code
    assert region_level(code) == level
    assert region_parent(code) == parent
    assert region_scope_prefix(code) == prefix


def test_g3_province_prefix_covers_province_direct_counties() -> None:
    assert "429004".startswith(region_scope_prefix("420000"))
    assert not "429004".startswith(region_scope_prefix("420900"))  # not under 孝感市


def test_g3_region_code_normalised() -> None:
    assert validate_region_code(" ３３０８０２ ") == "330802"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("33080", "6位"),
        ("3308021", "6位"),
        ("3308020011", "6位"),
        ("33080a", "6位"),
        ("", "不能为空"),
        ("000000", "不是省级"),
        ("990000", "不是省级"),
        ("330012", "第3–4位为00"),
        ("429000", "省直辖县级"),
        ("330802000", "000"),
        ("330000001", "不能是省级"),
    ],
)
def test_g3_bad_region_codes_block(raw: str, fragment: str) -> None:
    with pytest.raises(IdentifierError) as info:
        validate_region_code(raw)
    assert info.value.field == "region_code"
    assert fragment in info.value.reason
    with pytest.raises(IdentifierError):
        region_parent(raw)


# --- regions.csv --------------------------------------------------------------------------


def _regions() -> list[dict[str, str]]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["code", "name", "level", "parent"]
        return list(reader)


def test_regions_csv_rows_are_valid_and_parents_present() -> None:
    rows = _regions()
    codes = {row["code"] for row in rows}
    assert len(codes) == len(rows), "duplicate codes"
    for row in rows:
        code = row["code"]
        assert validate_region_code(code) == code
        assert row["name"].strip() == row["name"] != ""
        assert row["level"] == region_level(code), code
        if row["level"] == "province":
            assert row["parent"] == "", code
        else:
            assert row["parent"] in codes, code
            assert row["parent"] == region_parent(code), code


def test_regions_csv_scope_prefixes_match_the_tree() -> None:
    rows = {row["code"]: row for row in _regions()}

    def ancestors_or_self(code: str) -> set[str]:
        found = {code}
        while rows[code]["parent"]:
            code = rows[code]["parent"]
            found.add(code)
        return found

    by_prefix = {region_scope_prefix(code): code for code in rows}
    assert len(by_prefix) == len(rows)
    for code in rows:
        above = ancestors_or_self(code)
        # Every region below a region starts with that region's prefix …
        assert all(code.startswith(region_scope_prefix(a)) for a in above), code
        # … and no region starts with the prefix of a region it is not below.
        for length in (2, 4, 6, 9):
            holder = by_prefix.get(code[:length])
            assert holder is None or holder in above, (code, holder)


def test_regions_csv_has_every_province() -> None:
    provinces = {row["code"] for row in _regions() if row["level"] == "province"}
    assert len(provinces) == 34
    assert {"110000", "330000", "320000", "410000", "710000", "810000", "820000"} <= provinces


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("330800", "衢州市"),
        ("330802", "柯城区"),
        ("330803", "衢江区"),
        ("330822", "常山县"),
        ("330824", "开化县"),
        ("330825", "龙游县"),
        ("330881", "江山市"),
        ("331004", "路桥区"),
        ("320312", "铜山区"),
        ("410700", "新乡市"),
        ("429004", "仙桃市"),
    ],
)
def test_regions_csv_required_rows(code: str, name: str) -> None:
    assert {row["code"]: row["name"] for row in _regions()}[code] == name


def test_regions_csv_covers_zhejiang_jiangsu_henan() -> None:
    rows = _regions()
    for province, prefectures, min_counties in (("33", 11, 90), ("32", 13, 95), ("41", 17, 157)):
        mine = [row for row in rows if row["code"].startswith(province)]
        assert sum(row["level"] == "prefecture" for row in mine) == prefectures
        assert sum(row["level"] == "county" for row in mine) >= min_counties
        for row in mine:
            if row["level"] == "prefecture":
                assert any(r["parent"] == row["code"] for r in mine), row


def test_regions_csv_towns_only_in_demo_city() -> None:
    towns = [row for row in _regions() if row["level"] == "town"]
    assert towns
    assert {row["parent"] for row in towns} == {"330802", "330803"}
