"""docs/draw-algorithm.md: its third-party script recomputes a real draw, its numbers are right."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.sampling import add_enterprises, add_item, add_officers, new_draw, subject
from wurao.sampling import algorithm, artefacts, conflicts, freeze, run

DOC = Path(__file__).resolve().parents[2] / "docs" / "draw-algorithm.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def _script(tmp_path: Path) -> Path:
    blocks = re.findall(r"```python\n(.*?)```", _section("A reimplementation"), re.S)
    assert len(blocks) == 1
    path = tmp_path / "verify_draw.py"
    path.write_text(blocks[0], encoding="utf-8")
    return path


def _run(script: Path, *args: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_documented_script_recomputes_a_salted_draw(
    db: Session, personas: Personas, tmp_path: Path
) -> None:
    s = subject(db)
    staff = add_officers(db, s, 4)
    ents = add_enterprises(db, "D" * 3 + "A" * 20)
    conflicts.declare_conflict(db, officer=staff[0], enterprise=ents[0], reason="近亲属任高管",
                             actor=personas.agency_admin)  # fmt: skip
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)], public_value_note="福彩3D")
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    freeze.set_public_value(db, draw=draw, value="福彩3D　第２０２６０５７期 381",
                             actor=personas.supervisor)  # fmt: skip
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    art = tmp_path / "artefacts.json"
    pool = tmp_path / "pool.csv"
    art.write_bytes(artefacts.artefacts_bytes(draw))
    pool.write_bytes(freeze.stored_pool(db, draw))
    script = _script(tmp_path)

    full = _run(script, art, pool, draw.conflict_salt_hex or "")
    assert full.returncode == 0, full.stderr
    assert "selection OK" in full.stdout and "teams OK" in full.stdout

    partial = _run(script, art, pool)
    assert partial.returncode == 0, partial.stderr
    assert "selection OK" in partial.stdout and "teams NOT CHECKED" in partial.stdout

    data = json.loads(art.read_bytes())
    team = next(t for t in data["teams"] if t["uscc"] == ents[0].uscc)
    team["officers"][s.uscc][0] = str(staff[0].cert_no)  # the conflicted officer slipped in
    art.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cheat = _run(script, art, pool, draw.conflict_salt_hex or "")
    assert cheat.returncode == 1 and "teams MISMATCH" in cheat.stdout

    data["frozen"]["ratios"]["A"] = "0.5"
    art.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _run(script, art, pool).returncode == 1  # the frozen hash no longer matches


def test_the_worked_example_numbers_are_what_the_algorithm_gives() -> None:
    text = _section("Worked example")
    members = [(u, s) for u, s in (line.split(",") for line in re.findall(
        r"^(9133\w+,[A-D])$", text, re.M))]  # fmt: skip
    data = algorithm.pool_bytes(members)
    seed = bytes(range(32))
    salt = bytes(range(32, 64))
    key = algorithm.draw_key(seed, "381")
    roster = {"11330802MB1A00001T": ["ZJ330802001", "ZJ330802002", "ZJ330802003"]}
    conflict = algorithm.pair_tag("91330802MA00056C7M", "ZJ330802001", salt)
    drawn = algorithm.select(members, {"A": "0.25", "B": "0.5", "C": "1.0"}, key)
    teams = algorithm.assign([d.uscc for d in drawn], roster, per_subject=2, cap=2, key=key,
                             conflicts=frozenset({conflict}), salt=salt)  # fmt: skip
    numbers = [
        f"({len(data)} bytes)",
        algorithm.sha256_hex(data),
        algorithm.commitment(seed),
        algorithm.commitment(salt),
        conflict,
        *(d.key for d in drawn),
        *(algorithm.enterprise_key(key, s, u).hex() for u, s in members),
        *(algorithm.officer_key(key, t.uscc, c).hex() for t in teams
          for c in roster["11330802MB1A00001T"]),
    ]  # fmt: skip
    for number in numbers:
        assert number in text, number
    summary = "; ".join(
        f"{t.uscc[-3:]} → " + ", ".join(c[-3:] for c in t.officers["11330802MB1A00001T"])
        for t in teams
    )
    assert f"teams: {summary}." in " ".join(text.split())
