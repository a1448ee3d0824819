"""Bounded parameter types shared by every route and API schema.

An integer from a URL or a body is bounded before it reaches SQL (a 20-digit id overflows
PostgreSQL's BIGINT and used to answer 500); every text field declares its documented maximum
and refuses control characters, so the OpenAPI says what is accepted. Route parameters use
the ``Annotated`` aliases (``task_id: Id``, ``page: PageNo = 1``); text fields use
``Annotated[str, Text(200, "计划名称")]`` (with ``Form()`` first on page forms). A test walks
every route and fails on an integer parameter without an upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Path, Query
from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from wurao.core.text import TEXT_PATTERN, text_problem

# An id beyond its column's range cannot exist, and PostgreSQL refuses to even compare it
# ("integer out of range"): most keys are INTEGER, tasks and enterprises BIGINT.
MAX_ID = 2**31 - 1
MAX_LONG_ID = 2**63 - 1
MAX_PAGE = 100_000
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_COUNT = 100_000  # planned counts, caps and other sizes a person types
MAX_LIST = 200  # ids, codes or lines in one request body

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号")]
LongId = Annotated[int, Path(ge=1, le=MAX_LONG_ID, description="编号")]  # tasks, enterprises
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码")]
Year = Annotated[int, Query(ge=MIN_YEAR, le=MAX_YEAR, description="年度")]
OptYear = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description="年度")]
OptIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="编号")]
OptLongIdQuery = Annotated[int | None, Query(ge=1, le=MAX_LONG_ID, description="编号")]
FormSize = Annotated[int, Form(ge=0, le=MAX_LONG_ID, description="字节数")]

# Integers inside request bodies (schemas.py): ids, years, counts.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
BodyLongId = Annotated[int, Field(ge=1, le=MAX_LONG_ID)]
BodyYear = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


@dataclass(frozen=True)
class Text:
    """Metadata of a text field: its documented maximum and its Chinese label.

    Validates (Chinese errors naming the field) and publishes ``maxLength`` and ``pattern``
    in the OpenAPI.
    """

    max_length: int
    label: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(maxLength=self.max_length, pattern=TEXT_PATTERN)
        json_schema.setdefault("description", self.label)
        return json_schema

    def check(self, value: str) -> str:
        """The value unchanged, or a validation error in Chinese naming the field."""
        problem = text_problem(value, self.label, self.max_length)
        if problem is not None:
            raise PydanticCustomError("text_invalid", problem)
        return value
