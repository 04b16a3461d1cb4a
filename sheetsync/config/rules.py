"""The rules a config value must follow beyond its type, as small functions the model's validators
call. Each raises `problem(...)`: a pydantic error carrying our own wording, which the loader
turns into a `ConfigError` (`at` names a key below the one being validated, for the rules of a
whole section).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic_core import PydanticCustomError

from sheetsync.config.countries import LIST_COMMAND, country_code
from sheetsync.i18n import LANGUAGES, fold, weekday_names, weekday_number
from sheetsync.spreadsheet import title_pattern

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
NAMED_FORMATS = {"integer": "#,##0", "number": "#,##0.00", "decimal": "#,##0.0", "percent": "0.0%"}
KPI_KEY = r"^[A-Za-z_][A-Za-z0-9_]*$"
TAB_NAME_MAX = 31  # Excel's limit on a tab name's length
TAB_NAME_FORBIDDEN = "[]:*?/\\"  # characters Excel refuses in a tab name
_PEM = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PRIVATE KEY-----|^MII[A-Za-z0-9+/]{60}", re.MULTILINE
)
_JSON_KEY = re.compile(
    r'"(private_key|private_key_id|client_secret|refresh_token)"\s*:'
    r'|"type"\s*:\s*"(service_account|authorized_user|external_account)"'
)
_KEY_ID = re.compile(r"[0-9a-fA-F]{40}")
_API_KEY = re.compile(r"AIza[0-9A-Za-z_-]{35}")
_SECRET_FIELDS = {"private_key", "private_key_id", "client_secret", "refresh_token"}
PEM_KEY = "a PEM private key"
JSON_KEY = "a service account's JSON key"
KEY_ID = "a private key id (40 hexadecimal characters)"
API_KEY = "a Google API key"
ACCESS_TOKEN = "an OAuth access token"
KEY_FILE = "the path of a key file"
KEY_FILE_HINT = (
    "Save the key in a file only you can read (like secrets/sheetsync-key.json) and give that "
    "file's path here, or leave this out and set GOOGLE_APPLICATION_CREDENTIALS to the path."
)
SPREADSHEET = "a spreadsheet id or address"
SPREADSHEET_HINT = (
    "Give the spreadsheet's id (the part between /d/ and /edit in its address) or its whole "
    "address."
)
ROTATE = (
    "Anyone who saw it has the key: delete that key in the Google Cloud console (IAM & Admin > "
    "Service accounts > Keys) and make a new one."
)


def problem(text: str, at: str = "") -> PydanticCustomError:
    """A validation error in our words; `at`: the key path below the value being validated."""
    return PydanticCustomError("sheetsync", "{problem}", {"problem": text, "at": at})


def show(value: Any) -> str:
    """A config value as a message shows it."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def key_material(value: Any) -> str | None:
    """What kind of secret `value` looks like (a PEM private key, a JSON key file's text or its
    fields as a mapping, a private key id, an API key, an access token), or None. Used to refuse
    a secret where a path or an id belongs, without ever showing it."""
    if isinstance(value, Mapping):
        secret = {str(key) for key in value} & _SECRET_FIELDS
        return JSON_KEY if secret or value.get("type") == "service_account" else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _JSON_KEY.search(text):
        return JSON_KEY
    if _PEM.search(text):
        return PEM_KEY
    if _KEY_ID.fullmatch(text):
        return KEY_ID
    if _API_KEY.search(text):
        return API_KEY
    return ACCESS_TOKEN if text.startswith("ya29.") else None


def key_refusal(kind: str, instead: str, hint: str = "") -> str:
    """The message for key material found where `instead` belongs (never the value itself),
    with `hint`: what to put there."""
    advice = "" if kind == KEY_ID else f" {ROTATE}"
    hint = f" {hint}" if hint else ""
    return f"this looks like {kind}, not {instead} (the value is not shown).{hint}{advice}"


def not_a_key(instead: str, hint: str) -> Callable[[Any], Any]:
    """A validator refusing key material where `instead` belongs; the value is never shown."""

    def check(value: Any) -> Any:
        kind = key_material(value)
        if kind is not None:
            raise problem(key_refusal(kind, instead, hint))
        return value

    return check


def off_if_false(value: Any) -> Any:
    """`false` switches a setting off, as `null` does."""
    return None if value is False else value


def empty_is_none(value: Any) -> Any:
    """An empty value (`""`, `0`) takes the default, as `null` does."""
    return value or None


def one_or_list(value: Any) -> Any:
    """A single text where a list of texts is expected is a list of one."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise problem(f"expected a list of text values, got {show(value)}")
    return value


def timezone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise problem(f"unknown time zone {zone!r}; use an IANA name like Europe/Warsaw") from None
    return zone


def month(value: Any) -> Any:
    """A month number 1-12 or a name (its first three letters count): the month's number."""
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    name = str(value).strip().lower()[:3]
    if name in MONTHS:
        return MONTHS.index(name) + 1
    raise problem(f"expected a month 1-12 or a name like April, got {value!r}")


def weekday(name: str) -> int | None:
    """Monday=0 .. Sunday=6 for a weekday name, else None: English by its first three letters
    (Mon, monday), or a name in another shipped language (Pon, Śr, czwartek; case and
    diacritics ignored: `sroda`)."""
    short = name.lower()[:3]
    return WEEKDAYS.index(short) if short in WEEKDAYS else weekday_number(name)


def weekdays(names: tuple[str, ...]) -> tuple[str, ...]:
    for name in names:
        if weekday(name) is None:
            raise problem(f"unknown weekday {name!r}; allowed: Mon, Tue, ... Sun, or Polish "
                          "Pon, Wt, Śr, Czw, Pt, Sob, Nd, or full names")  # fmt: skip
    if not names:
        raise problem("needs at least one weekday")
    return names


def weekday_pattern(any_case: Callable[[tuple[str, ...]], str]) -> str:
    """A JSON Schema pattern for a weekday name: English by its first three letters, or a
    whole name of another language as written or without diacritics (`any_case` makes a
    case-blind pattern of words starting with one of them)."""
    names = {form for code in LANGUAGES if code != "en" for day in weekday_names(code)
             for name in day for form in (name.lower(), fold(name))}  # fmt: skip
    others = any_case(tuple(sorted(names, key=lambda n: (-len(n), n)))) + "\\s*$"
    return f"({any_case(WEEKDAYS)})|({others})"


def language_code(code: Any) -> Any:
    """An output language's code (`en`, `pl`, in any case)."""
    if code is None:
        return "en"
    found = str(code).strip().lower()
    if found not in LANGUAGES:
        raise problem(f"got {show(code)}; allowed: {', '.join(LANGUAGES)} (docs/languages.md "
                      "tells how to add a language)")  # fmt: skip
    return found


def holidays_country(code: str | None) -> str | None:
    """A country code the `holidays` package knows, upper-cased; None for none."""
    if code is None:
        return None
    found = country_code(code)
    if found is None:
        raise problem(f"unknown country code {code!r}; use an ISO 3166 code like PL, DE or US "
                      f"that the holidays package knows (list them: {LIST_COMMAND})")  # fmt: skip
    return found


def list_of_dates(value: Any) -> Any:
    if not value:
        return []
    if not isinstance(value, list):
        raise problem(f"expected a list of dates (YYYY-MM-DD), got {show(value)}")
    return value


def iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise problem(f"expected a date as YYYY-MM-DD, got {show(value)}") from None


def date_formats(formats: tuple[str, ...]) -> tuple[str, ...]:
    for fmt in formats:
        if "%" not in fmt:
            raise problem(f"{fmt!r} is not a strftime pattern like %d.%m.%Y")
    return formats


def number_format(name: str) -> str:
    """A named format (currency, integer, number, decimal, percent) or a number format pattern."""
    if name == "currency" or name in NAMED_FORMATS or "0" in name or "#" in name:
        return name
    allowed = ", ".join(("currency", *NAMED_FORMATS))
    raise problem(f"got {name!r}; allowed: {allowed}, or a number format pattern")


def kpi_key(key: str) -> str:
    if not re.fullmatch(KPI_KEY, key):
        raise problem("a KPI key must be letters, digits and underscores")
    return key


def rep_tabs(pattern: str | None) -> str | None:
    """A glob (`*`, `?`, `[seq]`, `[!seq]`) with a `*` outside [...] for the rep's name."""
    if pattern is None:
        return None
    try:
        regex = title_pattern(pattern)
    except re.error as exc:
        rules = "use * for the rep's name, ? for one character, [abc] for one of a set"
        raise problem(f"{pattern!r} is not a valid pattern ({exc}); {rules}") from None
    if not regex.groups:
        where = "to mark where the rep's name is in the tab title"
        raise problem(f"{pattern!r} has no '*' {where}; use a pattern like 'Rep - *'")
    return pattern


def tab_or_off(value: Any) -> Any:
    """An output's tab name, or `false`/`null` to switch the output off."""
    value = off_if_false(value)
    if isinstance(value, str) and not value.strip():
        raise problem("a tab name must not be empty; use false to switch this output off")
    return value


def tab_name(title: str | None) -> str | None:
    """Excel's rules for a tab name: at most 31 characters, none of [ ] : * ? / \\, and no
    apostrophe first or last.

    Excel's own rename box also refuses `History` (reserved for its change-tracking sheet), but a
    file may hold a tab of that name, so it is not refused here.
    """
    if title is None:
        return None
    if len(title) > TAB_NAME_MAX:
        raise problem(f"tab name {title!r} has {len(title)} characters; a tab name may have at "
                      f"most {TAB_NAME_MAX}")  # fmt: skip
    bad = next((char for char in title if char in TAB_NAME_FORBIDDEN), None)
    if bad is not None:
        raise problem(f"tab name {title!r} contains {bad!r}; a tab name cannot contain any of "
                      f"{' '.join(TAB_NAME_FORBIDDEN)}")  # fmt: skip
    if title.startswith("'") or title.endswith("'"):
        raise problem(f"tab name {title!r} starts or ends with an apostrophe ('); "
                      "one is allowed only inside the name")  # fmt: skip
    return title
