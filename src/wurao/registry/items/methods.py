"""Inspection methods (检查方式): the one definition every domain reads.

An item lists the methods it may be inspected by; a plan line, a draw and a task each name
one; the code's claims and the printed record show its label. "能非现场不入企" (A6,
国办发〔2024〕54号 §四) is why there are three; the third is 书面核查 everywhere (it was once
"书面检查" in the draws, a second spelling of the same method).
"""

from __future__ import annotations

from wurao.core.lifecycle import LabelledEnum


class Method(LabelledEnum):
    """How an inspection is carried out; the value is what the columns store."""

    ONSITE = ("onsite", "现场检查")
    OFFSITE = ("offsite", "非现场检查")
    WRITTEN = ("written", "书面核查")


METHODS: dict[str, str] = Method.labels()
# The short names a spreadsheet import accepts ("现场", "非现场", "书面核查") → stored value.
IMPORT_NAMES: dict[str, str] = {m.label.removesuffix("检查"): m.value for m in Method}
# "现场检查、非现场检查或书面核查", for the refusal of an unknown method.
CHOICE_TEXT = "、".join(list(METHODS.values())[:-1]) + "或" + list(METHODS.values())[-1]
