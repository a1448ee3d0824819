"""Policy as data: thresholds that differ by place or change over time.

A policy file is TOML: one table per named parameter (``[group.name]``) with a Chinese
``title``, the ``rule`` it serves (docs/rules.md id), its ``type`` and a list of ``values``, each
with a ``region`` (GB/T 2260 code, ``000000`` for the national default), an ``effective``
date, the ``value`` and its ``source``; ``unconfirmed = true`` marks a value not found in a
primary text (docs/rules.md **[UNCONFIRMED]**). ``lookup(name, region, on)`` walks up the region
hierarchy (town → county → prefecture → province → national) and, at the first level that
has values, takes the latest one effective on that date.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from wurao.core.ids import IdentifierError, region_parent, validate_region_code

NATIONAL = "000000"
_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "number": (int, float),
    "bool": (bool,),
    "str": (str,),
    "list": (list,),
    "table": (dict,),
}


class PolicyError(ValueError):
    """The policy file is malformed, or a parameter has no value for a region and date."""


@dataclass(frozen=True)
class PolicyValue:
    """One value of a parameter, with where and from when it applies and its source."""

    name: str
    value: Any
    region: str
    effective: dt.date
    source: str
    unconfirmed: bool = False
    note: str = ""


@dataclass(frozen=True)
class Parameter:
    """A named parameter and all its values."""

    name: str
    title: str
    rule: str
    type: str
    unit: str
    values: tuple[PolicyValue, ...]


@lru_cache(maxsize=16_384)  # a province's regions; each walk validates every code (#18)
def region_chain(region: str) -> tuple[str, ...]:
    """The region and its ancestors, nearest first, ending with the national default."""
    if region == NATIONAL:
        return (NATIONAL,)
    chain: list[str] = []
    code: str | None = region
    while code:
        chain.append(code)
        code = region_parent(code)
    chain.append(NATIONAL)
    return tuple(chain)


class Policy:
    """A loaded set of parameters with region- and date-aware lookup."""

    def __init__(self, parameters: dict[str, Parameter]) -> None:
        self.parameters = parameters

    def lookup(self, name: str, region: str, on: dt.date) -> PolicyValue:
        """The value of ``name`` in force in ``region`` on ``on``."""
        param = self.parameters.get(name)
        if param is None:
            raise PolicyError(f"unknown policy parameter {name!r}")
        for code in region_chain(region):
            candidates = [v for v in param.values if v.region == code and v.effective <= on]
            if candidates:
                return max(candidates, key=lambda v: v.effective)
        raise PolicyError(f"policy parameter {name!r} has no value for {region} on {on}")

    def value(self, name: str, region: str, on: dt.date) -> Any:
        """Shorthand for ``lookup(...).value``."""
        return self.lookup(name, region, on).value

    def in_force(self, region: str, on: dt.date) -> list[tuple[Parameter, PolicyValue | None]]:
        """Every parameter with the value in force for a region and date (for the rules page)."""
        out: list[tuple[Parameter, PolicyValue | None]] = []
        for param in sorted(self.parameters.values(), key=lambda p: p.name):
            try:
                out.append((param, self.lookup(param.name, region, on)))
            except PolicyError:
                out.append((param, None))
        return out


def _flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for key, val in doc.items():
        if not isinstance(val, dict):
            continue
        name = f"{prefix}{key}"
        if "values" in val or "title" in val:
            found[name] = val
        else:
            found.update(_flatten(val, name + "."))
    return found


def _parse_values(name: str, type_name: str, raw: list[Any], origin: str) -> list[PolicyValue]:
    out = []
    for i, item in enumerate(raw):
        where = f"{origin}: {name} value #{i + 1}"
        if not isinstance(item, dict):
            raise PolicyError(f"{where}: must be a table")
        unknown = set(item) - {"region", "effective", "value", "source", "unconfirmed", "note"}
        if unknown:
            raise PolicyError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("region", "effective", "value", "source"):
            if key not in item:
                raise PolicyError(f"{where}: missing {key!r}")
        region = str(item["region"])
        if region != NATIONAL:
            try:
                validate_region_code(region)
            except IdentifierError as exc:
                raise PolicyError(f"{where}: {exc.reason}") from exc
        effective = item["effective"]
        if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
            raise PolicyError(f"{where}: effective must be a date (YYYY-MM-DD)")
        value = item["value"]
        expected = _TYPES[type_name]
        if not isinstance(value, expected) or (type_name != "bool" and isinstance(value, bool)):
            raise PolicyError(f"{where}: value must be of type {type_name}")
        if not str(item["source"]).strip():
            raise PolicyError(f"{where}: source must not be empty")
        out.append(
            PolicyValue(
                name=name,
                value=value,
                region=region,
                effective=effective,
                source=str(item["source"]),
                unconfirmed=bool(item.get("unconfirmed", False)),
                note=str(item.get("note", "")),
            )
        )
    return out


def parse_policy(texts: list[tuple[str, str]]) -> Policy:
    """Parse one or more policy documents; later documents add values to earlier ones."""
    params: dict[str, Parameter] = {}
    for origin, text in texts:
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"{origin}: {exc}") from exc
        for name, spec in _flatten(doc).items():
            existing = params.get(name)
            type_name = str(spec.get("type", existing.type if existing else ""))
            if type_name not in _TYPES:
                raise PolicyError(f"{origin}: {name}: type must be one of {sorted(_TYPES)}")
            values = _parse_values(name, type_name, list(spec.get("values", [])), origin)
            if existing is None:
                if not spec.get("title") or not spec.get("rule"):
                    raise PolicyError(f"{origin}: {name}: a new parameter needs title and rule")
                params[name] = Parameter(
                    name=name,
                    title=str(spec["title"]),
                    rule=str(spec["rule"]),
                    type=type_name,
                    unit=str(spec.get("unit", "")),
                    values=tuple(values),
                )
            else:
                params[name] = Parameter(
                    name=name,
                    title=existing.title,
                    rule=existing.rule,
                    type=existing.type,
                    unit=existing.unit,
                    values=existing.values + tuple(values),
                )
    for param in params.values():
        if not any(v.region == NATIONAL for v in param.values):
            raise PolicyError(f"{param.name}: needs a national default value (region 000000)")
    return Policy(params)


def default_policy_text() -> str:
    """The policy file shipped with the package."""
    return resources.files("wurao.core.policy").joinpath("default.toml").read_text("utf-8")


def load_policy(extra: Path | None = None) -> Policy:
    """Load the shipped defaults plus an optional local file (``WURAO_POLICY_FILE``)."""
    texts = [("default.toml", default_policy_text())]
    if extra is not None:
        texts.append((str(extra), extra.read_text(encoding="utf-8")))
    return parse_policy(texts)


@lru_cache(maxsize=1)
def get_policy() -> Policy:
    """The process-wide policy (shipped defaults plus the configured local file)."""
    from wurao.core.config import get_settings

    return load_policy(get_settings().policy_file)
