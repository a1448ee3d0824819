"""Valid synthetic identifiers for the demo: 统一社会信用代码 (GB 32100, with the GB 11714
organisation check inside) and 居民身份证号 (GB 11643); stdnum is the reference for both."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 code symbols
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714


def _base31(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 31)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _org_check(body: str) -> str:
    total = sum(
        (int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w
        for c, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    r = 11 - total % 11
    return "X" if r == 10 else "0" if r == 11 else str(r)


def make_uscc(kind: str, region: str, serial: int, *, letters: str = "MA") -> str:
    """A valid 统一社会信用代码: kind (e.g. 91), region (chars 3–8), a serial in the body."""
    body = letters + _base31(serial, 6)
    first17 = kind + region + body + _org_check(body)
    return first17 + str(stdnum_uscc.calc_check_digit(first17))


_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # GB 32100 §5


class UsccMaker:
    """`make_uscc` for millions of rows: the same codes, with the sums precomputed.

    stdnum (used by `make_uscc` and by `wurao.core.ids.validate_uscc`) is the reference;
    the tests compare the two over every generated row.
    """

    def __init__(self, letters: str = "MA") -> None:
        self.letters = letters
        self._org_head = sum(
            (ord(c) - 55 if c.isalpha() else int(c)) * w
            for c, w in zip(letters, _ORG_WEIGHTS, strict=False)
        )
        # per body position (3rd–8th body character): value → (USCC term, org term)
        self._terms = [
            [
                (v * _USCC_WEIGHTS[10 + pos], (ord(c) - 55 if c.isalpha() else v) * ow)
                for v, c in enumerate(_ALPHABET)
            ]
            for pos, ow in enumerate(_ORG_WEIGHTS[2:])
        ]
        self._heads: dict[tuple[str, str], int] = {}

    def __call__(self, kind: str, region: str, serial: int) -> str:
        head = self._heads.get((kind, region))
        if head is None:
            head = sum(
                _ALPHABET.index(c) * w
                for c, w in zip(kind + region + self.letters, _USCC_WEIGHTS, strict=False)
            )
            self._heads[(kind, region)] = head
        digits = [0] * 6
        for k in range(5, -1, -1):
            serial, digits[k] = divmod(serial, 31)
        total, org = head, self._org_head
        for pos, d in enumerate(digits):
            t = self._terms[pos][d]
            total += t[0]
            org += t[1]
        r = 11 - org % 11
        org_check = "X" if r == 10 else "0" if r == 11 else str(r)
        total += _ALPHABET.index(org_check) * _USCC_WEIGHTS[16]
        body = "".join([_ALPHABET[d] for d in digits])
        return f"{kind}{region}{self.letters}{body}{org_check}{_ALPHABET[(31 - total % 31) % 31]}"


def make_ric(region: str, birth: dt.date, seq: int) -> str:
    """A valid 居民身份证号 for an address code, birth date and 3-digit sequence."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    # stdnum computes the check over all but the last character of what it is given
    return first17 + str(stdnum_ric.calc_check_digit(first17 + "0"))
