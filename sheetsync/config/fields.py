"""The types of the config file's values, for `model`: pydantic validates them, calling
`rules` for what a type cannot say, and they give the JSON Schema its types and patterns
(`json_schema_input_type`: what the YAML may hold where a validator turns it into the value).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from annotated_types import Ge, Le
from pydantic import AfterValidator, BeforeValidator, Strict, StringConstraints, WithJsonSchema

from sheetsync.config import rules
from sheetsync.config.bounds import (
    CELLS_PER_TAB_MAX,
    MAX_TEXT,
    PART_MB_MAX,
    RATIO_MAX,
    UNPACKED_MB_MAX,
)
from sheetsync.config.values import HISTORY_MAX_ROWS
from sheetsync.i18n import LANGUAGES


def _any_case(words: tuple[str, ...]) -> str:
    """A JSON Schema pattern for text starting with one of `words`, in any case."""
    return "^\\s*(" + "|".join("".join(f"[{c.upper()}{c}]" for c in w) for w in words) + ")"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
ListItem = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
OptionalText = Annotated[
    Text | None,
    BeforeValidator(rules.off_if_false, json_schema_input_type=Text | Literal[False] | None),
]
UnpackedMb = Annotated[float, Strict(), Ge(1), Le(UNPACKED_MB_MAX)]
PartMb = Annotated[float, Strict(), Ge(1), Le(PART_MB_MAX)]
Ratio = Annotated[float, Strict(), Ge(1), Le(RATIO_MAX)]
CellsPerTab = Annotated[float, Strict(), Ge(1), Le(CELLS_PER_TAB_MAX)]
Threshold = Annotated[float, Strict(), Ge(0.0), Le(10.0)]
Weight = Annotated[float, Strict(), Ge(0.0), Le(1000.0)]
Cap = Annotated[float, Strict(), Ge(0.01), Le(100.0)]
MonthName = Annotated[str, StringConstraints(pattern=_any_case(rules.MONTHS))]
Month = Annotated[
    int,
    BeforeValidator(rules.month, json_schema_input_type=Annotated[int, Ge(1), Le(12)] | MonthName),
]
WeekdayName = Annotated[str, StringConstraints(pattern=rules.weekday_pattern(_any_case))]
Weekdays = Annotated[
    tuple[ListItem, ...],
    BeforeValidator(rules.one_or_list, json_schema_input_type=WeekdayName | list[WeekdayName]),
    AfterValidator(rules.weekdays),
]
IsoDate = Annotated[date, BeforeValidator(rules.iso_date)]
Dates = Annotated[tuple[IsoDate, ...], BeforeValidator(rules.list_of_dates)]
DateFormats = Annotated[
    tuple[ListItem, ...],
    BeforeValidator(rules.one_or_list, json_schema_input_type=str | list[str]),
    AfterValidator(rules.date_formats),
]
KpiKey = Annotated[
    str, AfterValidator(rules.kpi_key), WithJsonSchema({"type": "string", "pattern": rules.KPI_KEY})
]
LanguageCode = Annotated[
    str,
    BeforeValidator(rules.language_code),
    WithJsonSchema({"type": "string", "enum": list(LANGUAGES)}),
]
CountryCode = Annotated[
    str | None,
    AfterValidator(rules.holidays_country),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": "^\\s*[A-Za-z]{2,3}\\s*$"}, {"type": "null"}]}
    ),
]
TAB_NAME = r"^[^'\[\]:*?/\\]([^\[\]:*?/\\]*[^'\[\]:*?/\\])?$"
TabName = Annotated[str, StringConstraints(max_length=rules.TAB_NAME_MAX, pattern=TAB_NAME)]
HistoryRows = Annotated[int, Strict(), Ge(1000), Le(HISTORY_MAX_ROWS)]
OutputTab = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True)] | None,
    BeforeValidator(rules.tab_or_off, json_schema_input_type=TabName | Literal[False] | None),
    AfterValidator(rules.tab_name),
]
