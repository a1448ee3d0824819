"""Page forms: one model per form, and the parsing helpers older routes still use.

A page route takes its form as one model (issue 19 item 2)::

    class EntryForm(PageForm):
        item_id: int = Field(ge=1, le=MAX_ID, title="检查事项")
        note: Annotated[str, Text(NOTE, "备注")] = ""

    def add_entry(..., form: Annotated[EntryForm, Form()], ...): ...

FastAPI binds the model from the form data (an empty field counts as not given); what the model
refuses, and what the service refuses afterwards (``InvalidInput(field=...)``,
``RuleViolation``), comes back on the form's own page with the typed values and each error
beside its field (web/form_state.py, the ``field`` macro in _macros.html). The model's titles
label its fields in those errors.

Numbers are ASCII digits within a bound (a Unicode digit such as "²" or a 20-digit id used to
reach ``int()`` or SQL and answer 500): pydantic's integer parsing refuses both, and the
helpers below do the same for routes that parse by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict

from wurao.core.errors import InvalidInput
from wurao.web.labels import FORM_LABELS, label_of
from wurao.web.params import MAX_ID, MAX_YEAR, MIN_YEAR, Text


class PageForm(BaseModel):
    """The fields of one page form; subclasses declare them with titles (Chinese labels)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, title in cls.titles().items():
            FORM_LABELS.setdefault(name, title)

    @classmethod
    def titles(cls) -> dict[str, str]:
        """The Chinese label of each field (its title, or its Text marker's label)."""
        out: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            title = info.title or next(
                (m.label for m in info.metadata if isinstance(m, Text)), None
            )
            if title:
                out[name] = title
        return out


@functools.cache
def _titles_of(endpoint: Callable[..., Any]) -> dict[str, str]:
    hints = typing.get_type_hints(endpoint, include_extras=True)
    titles: dict[str, str] = {}
    for hint in hints.values():
        model = typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint
        if isinstance(model, type) and issubclass(model, PageForm):
            titles.update(model.titles())
    return titles


def route_titles(route: object) -> dict[str, str]:
    """The field titles of the page form(s) ``route`` takes (empty for any other route): the
    labels its validation errors use, before the application-wide ones."""
    endpoint = getattr(route, "endpoint", None)
    if endpoint is None:
        return {}
    try:
        return _titles_of(endpoint)
    except (NameError, TypeError):  # an endpoint whose annotations cannot be resolved
        return {}


def form_date(value: str, field: str) -> dt.date | None:
    """A YYYY-MM-DD form value, or None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field=field) from None


def form_int(value: str, field: str, *, maximum: int = MAX_ID) -> int | None:
    """A whole-number form value (0 to ``maximum``), or None when empty."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput("请填写数字。", field=field)
    if len(value) > len(str(maximum)) or int(value) > maximum:
        raise InvalidInput(f"「{label_of(field)}」不能大于{maximum}。", field=field)
    return int(value)


def required_int(value: str, field: str, *, maximum: int = MAX_ID) -> int:
    """A whole-number form value that must be present."""
    number = form_int(value, field, maximum=maximum)
    if number is None:
        raise InvalidInput("请填写数字。", field=field)
    return number


def form_year(value: str, field: str = "year") -> int | None:
    """A year between 2000 and 2100, or None when empty."""
    year = form_int(value, field, maximum=MAX_YEAR)
    if year is not None and year < MIN_YEAR:
        raise InvalidInput(f"「{label_of(field)}」应在{MIN_YEAR}至{MAX_YEAR}之间。", field=field)
    return year
