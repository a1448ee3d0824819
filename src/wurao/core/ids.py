"""Identifier validation: 统一社会信用代码, 居民身份证号 and 行政区划代码 (docs/rules.md section G).

Pure functions, no database. Check digits come from ``python-stdnum`` (``stdnum.cn.uscc``,
``stdnum.cn.ric``); this module adds normalisation, the format checks with Chinese reasons,
the GB 11714 organisation-code warning (G1a) and the structure of GB/T 2260 region codes.
Whether a region code is in the *current* list (G3, WARN) is the region table's business,
not this module's.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from stdnum import numdb
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError

__all__ = [
    "IdentifierError",
    "mask_ric",
    "normalize_ric",
    "normalize_uscc",
    "region_level",
    "region_parent",
    "region_scope_prefix",
    "ric_address_warning",
    "ric_age_on",
    "ric_birth_date",
    "ric_sex",
    "uscc_org_code_warning",
    "uscc_region",
    "validate_region_code",
    "validate_ric",
    "validate_uscc",
]

RegionLevel = Literal["province", "prefecture", "county", "town"]
Sex = Literal["男", "女"]


class IdentifierError(ValueError):
    """An identifier failed validation; ``reason`` is a Chinese sentence for the user."""

    def __init__(self, field: str, value: str, reason: str) -> None:
        # str(exc) is the reason only: ``value`` may be personal data (居民身份证号) and
        # must not end up in a log line by accident.
        super().__init__(reason)
        self.field = field
        self.value = value
        self.reason = reason


def _normalize(raw: str) -> str:
    # NFKC folds full-width forms ("９１Ａ", U+3000) to ASCII; then drop every whitespace.
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()


# ---------------------------------------------------------------------------------------
# 统一社会信用代码 — GB 32100-2015 (rule G1), organisation code GB 11714 (rule G1a)
# ---------------------------------------------------------------------------------------

# GB 32100-2015 §4: the 31 code symbols, Arabic digits and upper-case Latin letters
# without I, O, S, V, Z.
_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_USCC_FORBIDDEN = frozenset("IOSVZ")
# GB 11714-1997 §5: weights of the eight body characters of the organisation code.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ASCII_DIGITS = frozenset("0123456789")


def normalize_uscc(raw: str) -> str:
    """Fold full-width characters to half-width, drop all whitespace and upper-case."""
    return _normalize(raw)


def _uscc_error(value: str, reason: str) -> IdentifierError:
    return IdentifierError("uscc", value, reason)


def _check_uscc_format(raw: str) -> str:
    """Normalise and check length and characters (not the check digit); return the code."""
    code = normalize_uscc(raw)
    if not code:
        raise _uscc_error(raw, "统一社会信用代码不能为空")
    if len(code) != 18:
        raise _uscc_error(raw, f"统一社会信用代码应为18位（现为{len(code)}位）")
    for position, char in enumerate(code, start=1):
        if char in _USCC_FORBIDDEN:
            raise _uscc_error(
                raw, f"统一社会信用代码含有不允许的字符I/O/S/V/Z（第{position}位为“{char}”）"
            )
        if char not in _USCC_ALPHABET:
            raise _uscc_error(raw, f"统一社会信用代码含有非法字符（第{position}位为“{char}”）")
    # GB 32100-2015 §4.3: characters 3–8 are the registering authority's GB/T 2260 code.
    # (stdnum also demands digits in characters 1–2, but the standard allows letters there,
    # e.g. registering department N 农业 or Y 其他, so only 3–8 are checked as digits.)
    if not set(code[2:8]) <= _ASCII_DIGITS:
        raise _uscc_error(raw, "统一社会信用代码第3–8位（登记管理机关行政区划码）应为数字")
    return code


def validate_uscc(raw: str, *, allow_bad_check: bool = False) -> str:
    """Return the normalised 统一社会信用代码 or raise IdentifierError (rule G1)."""
    code = _check_uscc_format(raw)
    # GB 32100-2015 §5: check character from weights 3^(i-1) mod 31 (stdnum computes it).
    expected = stdnum_uscc.calc_check_digit(code[:17])
    if code[17] != expected and not allow_bad_check:
        # The override (allow_bad_check=True) exists because at least one real, registered
        # code fails the check (91350203M0001QAY9B); the caller records who overrode it.
        raise _uscc_error(raw, f"统一社会信用代码校验位错误（应为{expected}）")
    return code


def uscc_org_code_warning(code: str) -> str | None:
    """Return a Chinese warning if characters 9–17 fail the GB 11714 check (rule G1a), else None."""
    normalized = _check_uscc_format(code)
    org_code = normalized[8:17]
    # GB 11714-1997 §5: digits count as themselves, letters A–Z as 10–35;
    # C9 = 11 − (Σ Ci·Wi mod 11), where 10 is written X and 11 is written 0.
    total = sum(
        (int(char) if char in _ASCII_DIGITS else ord(char) - ord("A") + 10) * weight
        for char, weight in zip(org_code[:8], _ORG_CODE_WEIGHTS, strict=True)
    )
    remainder = 11 - total % 11
    expected = "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)
    if org_code[8] == expected:
        return None
    return f"组织机构代码（统一社会信用代码第9–17位）校验位不符合GB 11714（应为{expected}），请核对"


def uscc_region(code: str) -> str:
    """Return characters 3–8 of a 统一社会信用代码: the registering authority's region code."""
    return _check_uscc_format(code)[2:8]


# ---------------------------------------------------------------------------------------
# 居民身份证号 — GB 11643-1999 (rule G2)
# ---------------------------------------------------------------------------------------

# GB 11643-1999 §4: 6-digit address code, 8-digit birth date, 3-digit sequence, check.
_RIC_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
# No resident alive was born before this; a year such as 1026 is a typing error.
_RIC_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def normalize_ric(raw: str) -> str:
    """Fold full-width characters to half-width, drop all whitespace and upper-case (x → X)."""
    return _normalize(raw)


def _ric_error(value: str, reason: str) -> IdentifierError:
    return IdentifierError("ric", value, reason)


def _check_ric_pattern(raw: str) -> str:
    code = normalize_ric(raw)
    if not code:
        raise _ric_error(raw, "居民身份证号不能为空")
    if len(code) != 18:
        raise _ric_error(raw, f"居民身份证号应为18位（现为{len(code)}位）")
    if not _RIC_PATTERN.fullmatch(code):
        raise _ric_error(raw, "居民身份证号格式错误：前17位应为数字，末位应为数字或X")
    return code


def _ric_birth(code: str, raw: str) -> dt.date:
    try:
        birth = stdnum_ric.get_birth_date(code)
    except ValidationError:
        raise _ric_error(raw, f"居民身份证号出生日期无效（{code[6:14]}不是真实日期）") from None
    if birth < _RIC_EARLIEST_BIRTH:
        raise _ric_error(raw, f"居民身份证号出生日期无效（{birth.isoformat()}早于1900年）")
    return birth


def validate_ric(raw: str, *, today: dt.date) -> str:
    """Return the normalised 居民身份证号 or raise IdentifierError (rule G2)."""
    code = _check_ric_pattern(raw)
    birth = _ric_birth(code, raw)
    if birth > today:
        raise _ric_error(raw, f"居民身份证号出生日期在未来（{birth.isoformat()}）")
    # GB 11643-1999 §7: ISO 7064 MOD 11-2 check character (stdnum computes it).
    expected = stdnum_ric.calc_check_digit(code)
    if code[17] != expected:
        raise _ric_error(raw, f"居民身份证号校验位错误（应为{expected}）")
    return code


def ric_address_warning(code: str) -> str | None:
    """Return a Chinese warning if the address code is in no GB/T 2260 list since 1980."""
    normalized = _check_ric_pattern(code)
    # A WARN, not a block: stdnum's table of historical GB/T 2260 codes lags new counties,
    # and its own birth-year test would reject people born before their county was set up
    # (a person born 1960 in 柯城区, created 1985, holds 330802…). So any period counts.
    parts = numdb.get("cn/loc").info(normalized[:6])
    if any("county" in properties for _, properties in parts):
        return None
    return f"居民身份证号地址码{normalized[:6]}不在历年行政区划代码（GB/T 2260）中，请核对"


def ric_birth_date(code: str) -> dt.date:
    """Return the birth date encoded in characters 7–14 of a 居民身份证号."""
    return _ric_birth(_check_ric_pattern(code), code)


def ric_sex(code: str) -> Sex:
    """Return the sex encoded in character 17 (odd 男, even 女) of a 居民身份证号."""
    return "男" if int(_check_ric_pattern(code)[16]) % 2 == 1 else "女"


def ric_age_on(code: str, day: dt.date) -> int:
    """Return the age in full years (周岁) on ``day`` of the holder of a 居民身份证号."""
    birth = ric_birth_date(code)
    # A birthday not yet reached this year subtracts one; someone born on 29 February
    # turns a year older on 1 March in a common year.
    not_yet = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - int(not_yet)


def mask_ric(code: str) -> str:
    """Mask a 居民身份证号 for display, keeping the first 6 and last 4 characters."""
    normalized = normalize_ric(code)
    if len(normalized) <= 10:
        # Too short to keep anything without revealing most of it.
        return "*" * len(normalized)
    return normalized[:6] + "*" * (len(normalized) - 10) + normalized[-4:]


# ---------------------------------------------------------------------------------------
# 行政区划代码 — GB/T 2260 (6 digits) and the statistics bureau's 乡级 code (9 digits)
# ---------------------------------------------------------------------------------------

# GB/T 2260: the 34 provincial-level divisions (first two digits).
# fmt: off
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34",
    "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52",
    "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
# fmt: on
# 直辖市: their districts and counties hang directly under the province (the current list
# has no 110100 市辖区 or 500200 县 level).
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# GB/T 2260: digits 3–4 = 90 mark 省直辖县级行政区划 (e.g. 429004 仙桃市, 419001 济源市).
_PROVINCE_DIRECT = "90"
_REGION_PATTERN = re.compile(r"^[0-9]{6}(?:[0-9]{3})?$")


def _region_error(value: str, reason: str) -> IdentifierError:
    return IdentifierError("region_code", value, reason)


def validate_region_code(raw: str) -> str:
    """Return the normalised 行政区划代码 (6 or 9 digits) or raise IdentifierError."""
    code = _normalize(raw)
    if not code:
        raise _region_error(raw, "行政区划代码不能为空")
    if not _REGION_PATTERN.fullmatch(code):
        raise _region_error(raw, "行政区划代码应为6位（县级及以上）或9位（乡级）数字")
    if code[:2] not in _PROVINCES:
        raise _region_error(raw, f"行政区划代码前两位“{code[:2]}”不是省级行政区划代码")
    prefecture, county = code[2:4], code[4:6]
    if prefecture == "00" and county != "00":
        raise _region_error(raw, "行政区划代码结构错误：第3–4位为00时第5–6位也应为00")
    if prefecture == _PROVINCE_DIRECT and county == "00":
        raise _region_error(raw, "行政区划代码结构错误：省直辖县级代码的第5–6位不能为00")
    if len(code) == 9:
        if prefecture == "00":
            raise _region_error(raw, "乡级代码的前6位应为县级或地级代码，不能是省级代码")
        if code[6:] == "000":
            raise _region_error(raw, "乡级代码的第7–9位不能为000")
    return code


def region_level(code: str) -> RegionLevel:
    """Return the level a region code denotes: province, prefecture, county or town."""
    code = validate_region_code(code)
    if len(code) == 9:
        return "town"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def region_parent(code: str) -> str | None:
    """Return the parent region's code from the code's structure (None for a province)."""
    code = validate_region_code(code)
    level = region_level(code)
    if level == "town":
        return code[:6]
    if level == "province":
        return None
    province = code[:2] + "0000"
    if level == "prefecture":
        return province
    if code[2:4] == _PROVINCE_DIRECT or code[:2] in _MUNICIPALITIES:
        return province
    return code[:4] + "00"


def region_scope_prefix(code: str) -> str:
    """Return the prefix that every region at or below ``code`` starts with."""
    code = validate_region_code(code)
    level = region_level(code)
    if level == "province":
        return code[:2]
    if level == "prefecture":
        return code[:4]
    # A county, including a 省直辖县级 xx90yy (the province's prefix covers it), or a town.
    return code
