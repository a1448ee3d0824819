"""The draw algorithm as pure functions: determinism, hashes, strata, officers, verification."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
from typing import Any

import pytest

from wurao.demo.identifiers import make_uscc
from wurao.sampling import algorithm as alg

SEED = bytes(range(32))


def pool(classes: str) -> list[tuple[str, str]]:
    return sorted((make_uscc("91", "330802", 1000 + n), c) for n, c in enumerate(classes))


def frozen_for(
    members: list[tuple[str, str]], ratios: dict[str, str], **officers: Any
) -> dict[str, Any]:
    data = alg.pool_bytes(members)
    off = {"per_subject": 2, "cap": 100, "roster": {"S1": ["C001", "C002", "C003"]},
           "conflicts": [], "avoid": []}  # fmt: skip
    off.update(officers)
    return {
        "algorithm": alg.ALGORITHM,
        "pool": {
            "sha256": alg.sha256_hex(data),
            "size": len(members),
            "strata": alg.strata_counts(members),
        },
        "ratios": ratios,
        "seed_commitment": alg.commitment(SEED),
        "officers": off,
    }


def artefacts_for(members: list[tuple[str, str]], ratios: dict[str, str], seed: bytes = SEED,
                  public_value: str = "") -> dict[str, Any]:  # fmt: skip
    frozen = frozen_for(members, ratios)
    frozen["seed_commitment"] = alg.commitment(seed)
    drawn, teams = alg.compute(members, frozen, seed, public_value)
    return {
        "algorithm": alg.ALGORITHM,
        "frozen": frozen,
        "frozen_sha256": alg.sha256_hex(alg.canonical(frozen)),
        "public_value": public_value,
        "seed": seed.hex(),
        "selection": alg.selection_json(drawn),
        "teams": alg.teams_json(teams),
    }


def test_same_seed_and_pool_give_the_same_selection() -> None:
    members = pool("ABCD" * 10)
    ratios = {"A": "0.1", "B": "0.3", "C": "0.5", "D": "1"}
    first = alg.select(members, ratios, alg.draw_key(SEED))
    again = alg.select(list(members), dict(ratios), alg.draw_key(bytes(SEED)))
    assert first == again
    other = alg.select(members, ratios, alg.draw_key(bytes(32)))
    assert [d.uscc for d in other] != [d.uscc for d in first]
    mixed = alg.select(members, ratios, alg.draw_key(SEED, "上证收盘 3245.67"))
    assert [d.uscc for d in mixed] != [d.uscc for d in first]


def test_strata_ratios_are_respected_with_exact_ceiling() -> None:
    members = pool("A" * 100 + "B" * 40 + "C" * 7 + "D" * 3)
    ratios = {"A": "0.02", "B": "0.07", "C": "1.0", "D": "1.0"}
    drawn = alg.select(members, ratios, alg.draw_key(SEED))
    per = {s: sum(1 for d in drawn if d.stratum == s) for s in "ABCD"}
    # 0.07 × 40 = 2.8 → 3; in binary floating point 0.07 × 100 would give 8, not 7
    assert per == {"A": 2, "B": 3, "C": 7, "D": 3}
    assert alg.quota("0.07", 100) == 7 and alg.quota("0.02", 1) == 1 and alg.quota("0", 9) == 0
    with pytest.raises(ValueError, match="outside"):
        alg.quota("1.5", 10)
    # within a stratum, the drawn are those with the smallest keys, in order
    for s in "AB":
        keys = sorted(alg.enterprise_key(alg.draw_key(SEED), s, u).hex()
                      for u, c in members if c == s)  # fmt: skip
        assert [d.key for d in drawn if d.stratum == s] == keys[: per[s]]


def test_any_change_to_the_pool_changes_its_hash_and_verification_fails() -> None:
    members = pool("AB" * 20)
    art = artefacts_for(members, {"A": "0.2", "B": "0.5"})
    good = alg.pool_bytes(members)
    assert alg.verify(art, good).ok
    dropped = alg.pool_bytes(members[1:])
    changed = alg.pool_bytes([(u, "A" if c == "B" and i == 3 else c)
                              for i, (u, c) in enumerate(members)])  # fmt: skip
    for tampered in (dropped, changed, good.replace(b"\n", b"\r\n")):
        assert alg.sha256_hex(tampered) != art["frozen"]["pool"]["sha256"]
        assert not alg.verify(art, tampered).ok


def test_tampered_selection_seed_or_parameters_fail_verification() -> None:
    members = pool("AB" * 20)
    art = artefacts_for(members, {"A": "0.2", "B": "0.5"}, public_value="福彩3D 2026057期 381")
    data = alg.pool_bytes(members)
    assert alg.verify(art, data).ok
    swapped = copy.deepcopy(art)
    not_drawn = next(u for u, _c in members if u not in {d["uscc"] for d in art["selection"]})
    swapped["selection"][0]["uscc"] = not_drawn
    other_seed = copy.deepcopy(art)
    other_seed["seed"] = bytes(32).hex()
    ratio = copy.deepcopy(art)
    ratio["frozen"]["ratios"]["A"] = "0.3"
    public = copy.deepcopy(art)
    public["public_value"] = "福彩3D 2026057期 382"
    for bad in (swapped, other_seed, ratio, public):
        assert not alg.verify(bad, data).ok


def test_pool_file_must_be_sorted_and_well_formed() -> None:
    members = pool("AB" * 3)
    text = alg.pool_bytes(members)
    assert alg.parse_pool(text) == members
    with pytest.raises(alg.PoolError):
        alg.parse_pool(alg.pool_bytes(list(reversed(members))))
    with pytest.raises(alg.PoolError):
        alg.parse_pool(text[:-1])
    with pytest.raises(alg.PoolError):
        alg.parse_pool(b"uscc;stratum\n")


def test_officers_skip_conflicts_respect_the_cap_and_avoid_last_team() -> None:
    drawn = [u for u, _c in pool("A" * 6)]
    roster = {"S1": ["C1", "C2", "C3", "C4"], "S2": ["D1", "D2"]}
    conflicts = frozenset({alg.pair_hash(drawn[0], "C1"), alg.pair_hash(drawn[0], "C2")})
    teams = alg.assign(drawn, roster, per_subject=2, cap=3, key=alg.draw_key(SEED),
                       conflicts=conflicts)  # fmt: skip
    assert teams[0].uscc == min(drawn)
    first = next(t for t in teams if t.uscc == drawn[0])
    assert sorted(first.officers["S1"]) == ["C3", "C4"]
    load: dict[str, int] = {}
    for t in teams:
        for certs in t.officers.values():
            for c in certs:
                load[c] = load.get(c, 0) + 1
    assert max(load.values()) <= 3
    # S2 has two officers with a cap of 3: after three enterprises it runs short, and says so
    assert sum(1 for t in teams if t.short.get("S2")) == 3
    # the last team is avoided when others are free
    key = alg.draw_key(SEED)
    plain = alg.assign(drawn[:1], {"S1": roster["S1"]}, per_subject=2, cap=9, key=key)
    last = plain[0].officers["S1"]
    avoid = frozenset(alg.pair_hash(drawn[0], c) for c in last)
    again = alg.assign(drawn[:1], {"S1": roster["S1"]}, per_subject=2, cap=9, key=key,
                       avoid=avoid)  # fmt: skip
    assert not set(again[0].officers["S1"]) & set(last)


def test_each_member_is_drawn_with_the_expected_frequency() -> None:
    """Pool 20, k 5, 4 000 deterministic seeds: chi-square against uniform (19 df)."""
    members = pool("A" * 20)
    counts = {u: 0 for u, _c in members}
    seeds = 4000
    for i in range(seeds):
        seed = hashlib.sha256(f"wurao-test-seed-{i}".encode()).digest()
        for d in alg.select(members, {"A": "0.25"}, alg.draw_key(seed)):
            counts[d.uscc] += 1
    expected = seeds * 5 / 20
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    # the 0.999 999 quantile of chi-square with 19 degrees of freedom is about 58
    assert chi2 < 58, (chi2, counts)
    assert sum(counts.values()) == seeds * 5
    assert math.isclose(sum(counts.values()) / len(counts), expected)


def test_artefacts_are_plain_json() -> None:
    art = artefacts_for(pool("AB" * 4), {"A": "0.5", "B": "0.5"})
    assert json.loads(json.dumps(art)) == art


# --- canonical JSON (RFC 8785), salted conflict tags, public value, times ------------------


def test_canonical_json_is_rfc8785_jcs() -> None:
    # numbers in ECMAScript form, keys by UTF-16 code units, U+2028 and non-ASCII unescaped
    data = {"\uffff": 1.0, "\U0001f600": [1e21, 0.5, -0.0], "a": '\u2028\x1f"é'}
    expected = '{"a":"\u2028\\u001f\\"é","\U0001f600":[1e+21,0.5,0],"\uffff":1}'.encode()
    assert alg.canonical(data) == expected
    import rfc8785

    assert alg.canonical(data) == rfc8785.dumps(data)


def test_documents_frozen_before_jcs_hash_the_same() -> None:
    """Strings, integers and ASCII keys: the former sorted-keys form and JCS coincide."""
    members = pool("AB" * 5)
    frozen = frozen_for(members, {"A": "0.2", "B": "0.5"})
    frozen["draw"] = {"title": "2026年\t第一批\n“双随机”", "window": ["2026-03-03", "2026-03-31"]}
    legacy = json.dumps(frozen, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert alg.canonical(frozen) == legacy.encode()


SALT = bytes(range(32, 64))


def test_salted_conflict_tags_are_hmac_and_legacy_tags_plain_sha256() -> None:
    uscc, cert = "91330802MA00056C7M", "ZJ330802001"
    assert alg.pair_tag(uscc, cert, None) == alg.pair_hash(uscc, cert)
    expected = hmac.new(SALT, f"{uscc}|{cert}".encode(), "sha256").hexdigest()
    assert alg.pair_tag(uscc, cert, SALT) == expected != alg.pair_hash(uscc, cert)


def salted_artefacts(
    members: list[tuple[str, str]], conflicts: list[tuple[str, str]], salt: bytes = SALT
) -> dict[str, Any]:
    frozen = frozen_for(members, {"A": "1"}, cap=2)
    frozen[alg.SALT_COMMITMENT] = alg.commitment(salt)
    frozen["officers"]["conflicts"] = sorted(alg.pair_tag(u, c, salt) for u, c in conflicts)
    drawn, teams = alg.compute(members, frozen, SEED, "", salt)
    return {
        "algorithm": alg.ALGORITHM,
        "frozen": frozen,
        "frozen_sha256": alg.sha256_hex(alg.canonical(frozen)),
        "public_value": "",
        "seed": SEED.hex(),
        "selection": alg.selection_json(drawn),
        "teams": alg.teams_json(teams),
    }


def test_verify_with_the_salt_checks_conflicts_and_without_it_says_what_it_skipped() -> None:
    members = pool("A" * 3)
    usccs = [u for u, _c in members]
    art = salted_artefacts(members, [(usccs[0], "C001"), (usccs[0], "C002")])
    data = alg.pool_bytes(members)
    first = next(t for t in art["teams"] if t["uscc"] == usccs[0])
    assert first["officers"]["S1"] == ["C003"] and first["short"] == {"S1": 1}
    full = alg.verify(art, data, salt=SALT)
    assert full.ok and full.unchecked == []
    assert any("盐值" in text for ok, text in full.checks if ok)
    partial = alg.verify(art, data)
    assert partial.ok and partial.unchecked and "回避" in partial.unchecked[0]
    wrong = alg.verify(art, data, salt=bytes(32))
    assert not wrong.ok
    # a team that ignores the conflict is caught with the salt, not without it
    cheat = copy.deepcopy(art)
    next(t for t in cheat["teams"] if t["uscc"] == usccs[0])["officers"]["S1"] = ["C003", "C001"]
    next(t for t in cheat["teams"] if t["uscc"] == usccs[0]).pop("short")
    assert not alg.verify(cheat, data, salt=SALT).ok
    # without the salt the structure is still checked: an officer not on the roster fails
    alien = copy.deepcopy(art)
    alien["teams"][1]["officers"]["S1"][0] = "X999"
    assert not alg.verify(alien, data).ok
    over = copy.deepcopy(art)  # cap 2: C003 in all three teams is one too many
    for t in over["teams"]:
        t["officers"]["S1"] = ["C003", *[c for c in t["officers"]["S1"] if c != "C003"]][:2]
    assert not alg.verify(over, data).ok


def test_verify_needs_no_salt_when_nothing_was_excluded() -> None:
    members = pool("A" * 3)
    art = salted_artefacts(members, [])
    verdict = alg.verify(art, alg.pool_bytes(members))
    assert verdict.ok and verdict.unchecked == []


@pytest.mark.parametrize(
    ("entered", "stored"),
    [
        ("381", "381"),
        ("  ３８１\u3000", "381"),  # full-width digits and ideographic space
        ("\t福彩3D　2026057期 ３８１\n", "福彩3D 2026057期 381"),
        ("①②③", "123"),
        ("\ufb01\u2460", "fi1"),
    ],
)
def test_public_value_is_nfkc_normalised_then_trimmed(entered: str, stored: str) -> None:
    assert alg.normalise_public_value(entered) == stored


@pytest.mark.parametrize("bad", ["38\x001", "381\u200b", "38\x7f1", "\u202e183"])
def test_public_value_with_control_or_invisible_characters_is_refused(bad: str) -> None:
    with pytest.raises(alg.PublicValueError):
        alg.normalise_public_value(bad)


def test_times_out_of_order_fail_verification() -> None:
    members = pool("AB" * 5)
    art = artefacts_for(members, {"A": "0.2", "B": "0.5"}, public_value="381")
    data = alg.pool_bytes(members)
    art["times"] = {"pool_frozen_at": "2026-03-01T16:00:00+08:00",
                    "seed_committed_at": "2026-03-01T16:00:00+08:00",
                    "public_value_entered_at": "2026-03-02T09:00:00+08:00",
                    "drawn_at": "2026-03-02T09:30:00+08:00", "cancelled_at": None}  # fmt: skip
    assert alg.verify(art, data).ok
    early = copy.deepcopy(art)
    early["times"]["public_value_entered_at"] = "2026-03-01T15:59:59+08:00"
    assert not alg.verify(early, data).ok
    late = copy.deepcopy(art)
    late["times"]["public_value_entered_at"] = "2026-03-02T01:31:00Z"  # 09:31 in Beijing
    assert not alg.verify(late, data).ok
