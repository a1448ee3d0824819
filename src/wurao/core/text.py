"""Hygiene and limits of user text, defined once for the API schemas, the page forms, the
request edge (``wurao.web.textguard``) and the spreadsheet imports.

Control characters are refused, never stripped: a NUL or an escape sequence in a name is a
mistake (or an attack) the sender should see. TAB, LF and CR stay allowed (multi-line texts).
"""

from __future__ import annotations

import re

# C0 controls except TAB/LF/CR, DEL, C1 controls, lone surrogates (a JSON "\ud800" decodes to
# one; neither UTF-8 nor PostgreSQL can store it) and the non-characters U+FFFE/U+FFFF.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# The same rule as a JSON-schema (ECMA-262) pattern, published in the OpenAPI.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"

# Documented maxima. Columns declared String(n) take n; Text columns take LONG_TEXT (narratives:
# findings, necessity assessments, opinions) or NOTE (comments and reasons).
NOTE = 2_000
LONG_TEXT = 20_000
# The edge refuses any single text field longer than this, whatever route it is sent to.
MAX_TEXT = LONG_TEXT


def has_control(value: str) -> bool:
    """True when ``value`` contains a character refused by ``CONTROL_RE``."""
    return CONTROL_RE.search(value) is not None


def control_message(label: str) -> str:
    """The Chinese error for a control character in the field ``label``."""
    return f"「{label}」含有不可见的控制字符，请删除后重试。"


def too_long_message(label: str, max_length: int) -> str:
    """The Chinese error for a text longer than its documented maximum."""
    return f"「{label}」最多{max_length}个字。"


def text_problem(value: str, label: str, max_length: int) -> str | None:
    """The Chinese error for ``value`` as the field ``label``, or None when it is acceptable."""
    if has_control(value):
        return control_message(label)
    if len(value) > max_length:
        return too_long_message(label, max_length)
    return None


def visible(value: str) -> str:
    """``value`` with each refused character shown as its code (U+0000), safe to display or
    write to a spreadsheet."""
    return CONTROL_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
