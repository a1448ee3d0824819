"""The 双随机 draw as pure functions: pool file and hash, seed commitment, selection of
enterprises, assignment of officers, and verification. No database here.

Algorithm ``wurao-dss-v1`` (docs/draw-algorithm.md describes it for reimplementation):

* The pool file is UTF-8 text: the line ``uscc,stratum`` then one line ``USCC,STRATUM`` per
  candidate, sorted by USCC (byte order), each ending in ``\\n``. Its SHA-256 is the pool hash.
* The seed is 32 random bytes; its commitment is SHA-256(seed), published at freeze time.
* The key K is the seed, followed by the UTF-8 bytes of the public value when there is one.
* Enterprise key: HMAC-SHA256(K, "E|" + stratum + "|" + USCC). In each stratum of n members
  the k = ceil(ratio × n) members with the smallest keys (compared as bytes) are drawn;
  the ratio is a decimal string and the product is computed exactly.
* Officers: the drawn enterprises in ascending USCC order; for each, each subject in
  ascending USCC order; the subject's roster (certificate numbers) ranked by (1 if the pair was the
  team last time else 0, HMAC-SHA256(K, "O|" + USCC + "|" + cert)), skipping conflicted pairs
  and officers who reached the cap; the first m are assigned.
* Conflicts and last teams are published as tags HMAC-SHA256(salt, "USCC|cert") under a
  per-draw secret salt committed at freeze time (SHA-256(salt) in the frozen document); a
  legacy document without that commitment used plain SHA-256("USCC|cert").
* Every hashed JSON document is canonicalised with RFC 8785 (JCS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import hmac
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

import rfc8785

ALGORITHM = "wurao-dss-v1"
ARTEFACTS_FORMAT = "wurao-draw-artefacts/2"  # 2: times, salted conflict tags, served as JCS
POOL_HEADER = "uscc,stratum\n"
SALT_COMMITMENT = "conflict_salt_commitment"  # in the frozen document; absent = legacy


class PoolError(ValueError):
    """A pool file that is not in the documented form."""


class PublicValueError(ValueError):
    """A public random value with control or invisible characters."""


# --- hashes ----------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    """SHA-256 of bytes, lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def commitment(seed: bytes) -> str:
    """The published commitment to a seed: SHA-256(seed), hex."""
    return sha256_hex(seed)


def pair_hash(uscc: str, cert_no: str) -> str:
    """SHA-256 of "USCC|cert": the legacy (unsalted, reversible) conflict tag."""
    return sha256_hex(f"{uscc}|{cert_no}".encode())


def pair_tag(uscc: str, cert_no: str, salt: bytes | None) -> str:
    """The published tag of an (enterprise, officer) pair: HMAC-SHA256(salt, "USCC|cert").

    Without the salt nobody can test a pair, so the tags reveal no relation; ``None`` gives
    the legacy SHA-256 tag of draws frozen before the salt existed.
    """
    if salt is None:
        return pair_hash(uscc, cert_no)
    return hmac.digest(salt, f"{uscc}|{cert_no}".encode(), "sha256").hex()


def normalise_public_value(value: str) -> str:
    """The public value as stored and used: Unicode NFKC, then leading and trailing white space
    removed (``str.strip``); control, format and unassigned characters are refused."""
    text = unicodedata.normalize("NFKC", value).strip()
    bad = [c for c in text if unicodedata.category(c).startswith("C")]
    if bad:
        raise PublicValueError(f"U+{ord(bad[0]):04X}")
    return text


def draw_key(seed: bytes, public_value: str = "") -> bytes:
    """The HMAC key: the seed, then the public value's UTF-8 bytes (if any)."""
    return seed + public_value.encode("utf-8")


def enterprise_key(key: bytes, stratum: str, uscc: str) -> bytes:
    """HMAC-SHA256(K, "E|stratum|USCC")."""
    return hmac.digest(key, f"E|{stratum}|{uscc}".encode(), "sha256")


def officer_key(key: bytes, uscc: str, cert_no: str) -> bytes:
    """HMAC-SHA256(K, "O|USCC|cert")."""
    return hmac.digest(key, f"O|{uscc}|{cert_no}".encode(), "sha256")


# --- the pool ------------------------------------------------------------------------------


def pool_bytes(members: Iterable[tuple[str, str]]) -> bytes:
    """The pool file for (USCC, stratum) pairs already sorted by USCC."""
    body = "".join(f"{u},{s}\n" for u, s in members)
    return (POOL_HEADER + body).encode("utf-8")


def parse_pool(data: bytes) -> list[tuple[str, str]]:
    """The members of a pool file; raises PoolError unless it is in the documented form."""
    text = data.decode("utf-8")
    if not text.startswith(POOL_HEADER):
        raise PoolError("pool file must start with the line 'uscc,stratum'")
    if text != POOL_HEADER and not text.endswith("\n"):
        raise PoolError("pool file must end with a newline")
    members: list[tuple[str, str]] = []
    previous = ""
    for number, line in enumerate(text[len(POOL_HEADER) :].splitlines(), start=2):
        uscc, sep, stratum = line.partition(",")
        if not sep or not uscc or not stratum or "," in stratum:
            raise PoolError(f"line {number}: expected USCC,STRATUM")
        if uscc.encode() <= previous.encode():
            raise PoolError(f"line {number}: USCC not in strictly ascending order")
        previous = uscc
        members.append((uscc, stratum))
    return members


def strata_counts(members: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Members per stratum, strata sorted."""
    counts: dict[str, int] = {}
    for _u, s in members:
        counts[s] = counts.get(s, 0) + 1
    return dict(sorted(counts.items()))


def quota(ratio: str, n: int) -> int:
    """k = ceil(ratio × n), exactly, for a decimal ratio string in [0, 1]."""
    try:
        r = Decimal(ratio)
    except InvalidOperation:
        raise ValueError(f"ratio {ratio!r} is not a decimal number") from None
    if not (Decimal(0) <= r <= Decimal(1)):
        raise ValueError(f"ratio {ratio} is outside [0, 1]")
    return int((r * n).to_integral_value(rounding=ROUND_CEILING))


# --- selection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    """One drawn enterprise: its stratum, rank in the stratum (1 = smallest key) and key."""

    uscc: str
    stratum: str
    rank: int
    key: str


def select(
    members: Sequence[tuple[str, str]], ratios: Mapping[str, str], key: bytes
) -> list[Drawn]:
    """The drawn enterprises, stratum by stratum (sorted), each by ascending key.

    A stratum without a ratio draws nobody; ratios of strata absent from the pool are ignored.
    """
    by_stratum: dict[str, list[str]] = {}
    for uscc, stratum in members:
        by_stratum.setdefault(stratum, []).append(uscc)
    out: list[Drawn] = []
    for stratum in sorted(by_stratum):
        usccs = by_stratum[stratum]
        k = quota(ratios[stratum], len(usccs)) if stratum in ratios else 0
        if k == 0:
            continue
        keyed = ((enterprise_key(key, stratum, u), u) for u in usccs)
        best = heapq.nsmallest(k, keyed) if k < len(usccs) else sorted(keyed)
        out.extend(
            Drawn(u, stratum, rank, digest.hex()) for rank, (digest, u) in enumerate(best, start=1)
        )
    return out


# --- officers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """The officers assigned to one drawn enterprise, per subject (by subject USCC)."""

    uscc: str
    officers: dict[str, list[str]]
    short: dict[str, int] = field(default_factory=dict)  # subject → officers missing


def assign(
    drawn: Iterable[str],
    roster: Mapping[str, Sequence[str]],
    *,
    per_subject: int,
    cap: int,
    key: bytes,
    conflicts: frozenset[str] = frozenset(),
    avoid: frozenset[str] = frozenset(),
    salt: bytes | None = None,
) -> list[Team]:
    """Teams for the drawn enterprises; ``roster`` maps subject USCC → certificate numbers.

    Subjects are taken in ascending USCC order; ``conflicts`` and ``avoid`` hold
    ``pair_tag`` values under ``salt``. An officer is never given more than ``cap`` enterprises.
    """
    load: dict[str, int] = {}
    teams: list[Team] = []
    for uscc in sorted(set(drawn), key=str.encode):
        officers: dict[str, list[str]] = {}
        short: dict[str, int] = {}
        for subject in sorted(roster, key=str.encode):
            certs = roster[subject]
            free = [c for c in certs if load.get(c, 0) < cap]
            if conflicts:
                free = [c for c in free if pair_tag(uscc, c, salt) not in conflicts]
            ranked = sorted(
                (
                    1 if avoid and pair_tag(uscc, c, salt) in avoid else 0,
                    officer_key(key, uscc, c),
                    c,
                )
                for c in free
            )
            chosen = [c for _a, _k, c in ranked[:per_subject]]
            for c in chosen:
                load[c] = load.get(c, 0) + 1
            officers[subject] = chosen
            if len(chosen) < per_subject:
                short[subject] = per_subject - len(chosen)
        teams.append(Team(uscc, officers, short))
    return teams


# --- artefacts and verification ------------------------------------------------------------


class SaltRequired(ValueError):
    """Salted conflict tags to test and no salt to test them with."""


def selection_json(drawn: Sequence[Drawn]) -> list[dict[str, Any]]:
    """The selection as published."""
    return [{"uscc": d.uscc, "stratum": d.stratum, "rank": d.rank, "key": d.key} for d in drawn]


def teams_json(teams: Sequence[Team]) -> list[dict[str, Any]]:
    """The officer assignment as published."""
    return [
        {"uscc": t.uscc, "officers": t.officers, **({"short": t.short} if t.short else {})}
        for t in teams
    ]


def is_salted(frozen: Mapping[str, Any]) -> bool:
    """Whether the frozen document commits to a conflict salt (False: a legacy draw)."""
    return SALT_COMMITMENT in frozen


def needs_salt(frozen: Mapping[str, Any]) -> bool:
    """Whether recomputing the teams needs the salt: salted tags were published."""
    off = frozen["officers"]
    return is_salted(frozen) and bool(off.get("conflicts") or off.get("avoid"))


def assign_frozen(
    drawn: Iterable[str], frozen: Mapping[str, Any], key: bytes, salt: bytes | None = None
) -> list[Team]:
    """The teams for ``drawn`` under the frozen officer parameters (the salt when salted)."""
    if needs_salt(frozen) and salt is None:
        raise SaltRequired("the conflict tags are salted: the salt is needed")
    off = frozen["officers"]
    return assign(
        drawn,
        {s: list(c) for s, c in off["roster"].items()},
        per_subject=int(off["per_subject"]),
        cap=int(off["cap"]),
        key=key,
        conflicts=frozenset(off.get("conflicts", [])),
        avoid=frozenset(off.get("avoid", [])),
        salt=salt if is_salted(frozen) else None,
    )


def compute(
    members: Sequence[tuple[str, str]],
    frozen: Mapping[str, Any],
    seed: bytes,
    public_value: str = "",
    salt: bytes | None = None,
) -> tuple[list[Drawn], list[Team]]:
    """Selection and teams from a pool, the frozen parameters, the seed, public value and salt."""
    key = draw_key(seed, public_value)
    drawn = select(members, frozen["ratios"], key)
    return drawn, assign_frozen([d.uscc for d in drawn], frozen, key, salt)


def canonical(data: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes: what every draw hash and commitment is taken over."""
    return rfc8785.dumps(data)


@dataclass(frozen=True)
class Verdict:
    """Outcome of verifying published artefacts: ``ok``, one line per check, and what could
    not be checked (the conflict exclusions, without the salt)."""

    ok: bool
    checks: list[tuple[bool, str]]
    unchecked: list[str] = field(default_factory=list)


def team_problems(drawn: Sequence[str], frozen: Mapping[str, Any], published: Any) -> list[str]:
    """What is wrong with published teams, checkable without the salt: every officer on his
    subject's roster, once per team, m per subject less the shortfall, no one over the cap."""
    off = frozen["officers"]
    m, cap = int(off["per_subject"]), int(off["cap"])
    roster = {s: set(c) for s, c in off["roster"].items()}
    if not isinstance(published, list):
        return ["未公布检查人员分配"]
    if [t.get("uscc") for t in published] != sorted(set(drawn), key=str.encode):
        return ["分配人员的企业与抽中企业不一致"]
    load: dict[str, int] = {}
    problems: list[str] = []
    for team in published:
        uscc, officers, short = team["uscc"], team["officers"], team.get("short", {})
        if sorted(officers) != sorted(roster) or not set(short) <= set(officers):
            problems.append(f"{uscc}：执法主体与名册不一致")
            continue
        for subject, certs in officers.items():
            if len(set(certs)) != len(certs) or not set(certs) <= roster[subject]:
                problems.append(f"{uscc}：{subject} 的人员不在名册中或重复")
            if len(certs) + int(short.get(subject, 0)) != m or short.get(subject, 1) < 1:
                problems.append(f"{uscc}：{subject} 的人数与人员不足数不符")
            for c in certs:
                load[c] = load.get(c, 0) + 1
                if load[c] == cap + 1:
                    problems.append(f"{c} 超过每人上限 {cap} 户")
    return problems


TIME_KEYS = ("pool_frozen_at", "seed_committed_at", "public_value_entered_at", "drawn_at",
             "cancelled_at")  # fmt: skip


def _times(artefacts: Mapping[str, Any]) -> dict[str, dt.datetime]:
    times = artefacts.get("times") or {}
    out: dict[str, dt.datetime] = {}
    for name in TIME_KEYS:
        if times.get(name):
            value = dt.datetime.fromisoformat(str(times[name]))
            if value.utcoffset() is None:
                raise ValueError(f"{name} has no UTC offset")
            out[name] = value
    return out


def verify(artefacts: Mapping[str, Any], pool: bytes, salt: bytes | None = None) -> Verdict:
    """Recompute a published draw from its artefacts, pool file and (if given) conflict salt."""
    checks: list[tuple[bool, str]] = []
    unchecked: list[str] = []

    def check(ok: bool, text: str) -> bool:
        checks.append((ok, text))
        return ok

    if not check(artefacts.get("algorithm") == ALGORITHM, f"算法为 {ALGORITHM}"):
        return Verdict(False, checks)
    frozen = artefacts["frozen"]
    check(sha256_hex(pool) == frozen["pool"]["sha256"], "名录库文件的 SHA-256 与公布值一致")
    try:
        members = parse_pool(pool)
    except (PoolError, UnicodeDecodeError) as exc:
        check(False, f"名录库文件格式正确（{exc}）")
        return Verdict(False, checks)
    check(strata_counts(members) == frozen["pool"]["strata"], "各层户数与公布值一致")
    check(sha256_hex(canonical(frozen)) == artefacts.get("frozen_sha256"),
          "冻结参数摘要一致（RFC 8785 规范化 JSON 的 SHA-256）")  # fmt: skip
    salted = is_salted(frozen)
    if salt is not None and salted:
        check(commitment(salt) == frozen[SALT_COMMITMENT], "回避盐值与事先公布的承诺值一致")
    public_value = str(artefacts.get("public_value") or "")
    if salted and public_value:
        try:
            normal = normalise_public_value(public_value) == public_value
        except PublicValueError:
            normal = False
        check(normal, "公开随机数为规范形式（Unicode NFKC，去除首尾空白）")
    try:
        times = _times(artefacts)
    except ValueError as exc:
        check(False, f"时间为带时区偏移的 ISO 8601 格式（{exc}）")
        times = {}
    committed, entered = times.get("seed_committed_at"), times.get("public_value_entered_at")
    drawn_at = times.get("drawn_at")
    if committed and entered:
        check(committed <= entered and (drawn_at is None or entered <= drawn_at),
              "公开随机数在种子承诺公布之后、抽取之前录入")  # fmt: skip
    if committed and drawn_at:
        check(committed <= drawn_at, "抽取在名录库冻结、种子承诺之后")
    seed_hex = artefacts.get("seed")
    if not check(bool(seed_hex), "种子已公开"):
        return Verdict(False, checks)
    seed = bytes.fromhex(str(seed_hex))
    check(commitment(seed) == frozen["seed_commitment"], "种子与事先公布的承诺值一致")
    key = draw_key(seed, public_value)
    drawn = select(members, frozen["ratios"], key)
    check(selection_json(drawn) == artefacts.get("selection"), "抽中企业与公布结果一致")
    usccs = [d.uscc for d in drawn]
    if needs_salt(frozen) and salt is None:
        try:
            problems = team_problems(usccs, frozen, artefacts.get("teams"))
        except (KeyError, TypeError, AttributeError, ValueError):
            problems = ["人员分配的格式不正确"]
        check(not problems, "检查人员均在名册中，每户人数、人员不足数和每人上限与公布参数相符"
              + (f"（{'；'.join(problems[:3])}）" if problems else ""))  # fmt: skip
        unchecked.append(
            "回避排除和“不与上次同组”的排序未核验：回避关系以加盐标签公布，需要回避盐值"
            "（wurao draw verify --salt，由执法监督机构或牵头执法主体提供）。"
        )
    else:
        teams = assign_frozen(usccs, frozen, key, salt)
        check(teams_json(teams) == artefacts.get("teams"), "检查人员分配与公布结果一致")
    return Verdict(all(ok for ok, _ in checks), checks, unchecked)
