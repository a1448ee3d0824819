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
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

ALGORITHM = "wurao-dss-v1"
ARTEFACTS_FORMAT = "wurao-draw-artefacts/1"
POOL_HEADER = "uscc,stratum\n"


class PoolError(ValueError):
    """A pool file that is not in the documented form."""


# --- hashes ----------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    """SHA-256 of bytes, lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def commitment(seed: bytes) -> str:
    """The published commitment to a seed: SHA-256(seed), hex."""
    return sha256_hex(seed)


def pair_hash(uscc: str, cert_no: str) -> str:
    """SHA-256 of "USCC|cert": how conflicts and last teams are published without names."""
    return sha256_hex(f"{uscc}|{cert_no}".encode())


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
) -> list[Team]:
    """Teams for the drawn enterprises; ``roster`` maps subject USCC → certificate numbers.

    Subjects are taken in ascending USCC order; ``conflicts`` and ``avoid`` hold
    ``pair_hash`` values. An officer is never given more than ``cap`` enterprises.
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
                free = [c for c in free if pair_hash(uscc, c) not in conflicts]
            ranked = sorted(
                (1 if avoid and pair_hash(uscc, c) in avoid else 0, officer_key(key, uscc, c), c)
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


def selection_json(drawn: Sequence[Drawn]) -> list[dict[str, Any]]:
    """The selection as published."""
    return [{"uscc": d.uscc, "stratum": d.stratum, "rank": d.rank, "key": d.key} for d in drawn]


def teams_json(teams: Sequence[Team]) -> list[dict[str, Any]]:
    """The officer assignment as published."""
    return [
        {"uscc": t.uscc, "officers": t.officers, **({"short": t.short} if t.short else {})}
        for t in teams
    ]


def compute(
    members: Sequence[tuple[str, str]],
    frozen: Mapping[str, Any],
    seed: bytes,
    public_value: str = "",
) -> tuple[list[Drawn], list[Team]]:
    """Selection and teams from a pool, the frozen parameters, the seed and public value."""
    key = draw_key(seed, public_value)
    drawn = select(members, frozen["ratios"], key)
    off = frozen["officers"]
    teams = assign(
        [d.uscc for d in drawn],
        {s: list(c) for s, c in off["roster"].items()},
        per_subject=int(off["per_subject"]),
        cap=int(off["cap"]),
        key=key,
        conflicts=frozenset(off.get("conflicts", [])),
        avoid=frozenset(off.get("avoid", [])),
    )
    return drawn, teams


def canonical(data: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Verdict:
    """Outcome of verifying published artefacts: ``ok`` and one line per check."""

    ok: bool
    checks: list[tuple[bool, str]]


def verify(artefacts: Mapping[str, Any], pool: bytes) -> Verdict:
    """Recompute a published draw from its artefacts and pool file; say what matches."""
    checks: list[tuple[bool, str]] = []

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
    check(sha256_hex(canonical(frozen)) == artefacts.get("frozen_sha256"), "冻结参数摘要一致")
    seed_hex = artefacts.get("seed")
    if not check(bool(seed_hex), "种子已公开"):
        return Verdict(False, checks)
    seed = bytes.fromhex(str(seed_hex))
    check(commitment(seed) == frozen["seed_commitment"], "种子与事先公布的承诺值一致")
    drawn, teams = compute(members, frozen, seed, str(artefacts.get("public_value") or ""))
    check(selection_json(drawn) == artefacts.get("selection"), "抽中企业与公布结果一致")
    check(teams_json(teams) == artefacts.get("teams"), "检查人员分配与公布结果一致")
    return Verdict(all(ok for ok, _ in checks), checks)
