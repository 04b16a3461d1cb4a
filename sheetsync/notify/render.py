"""Templates: a message's subject, plain text and HTML, rendered by Jinja2.

Each message kind has three templates: `<kind>_subject.txt`, `<kind>.txt` and `<kind>.html`
(kinds: `team_digest`, `scorecard`). The built-in ones are in `sheetsync/notify/templates/`;
a folder named by `email.templates` (relative to the config's folder) is searched first, so a
template of the same name there replaces the built-in one and the others stay as they are
(a Jinja2 ChoiceLoader).

Autoescaping is on for `.html` templates: every value printed there (rep names, KPI labels,
cell values, data issue texts) is escaped, so a rep called `<script>` stays text. The `.txt`
templates are plain text and are not escaped. An unknown variable is an error, not a blank
(StrictUndefined), so a typo in a team's template stops the run before anything is sent.
Templates are trusted like the config itself (they are not sandboxed).

The fixed phrases are the output language's (`output.language`, `sheetsync.i18n`): every
template gets `t(key, **fields)` (a catalog phrase with its fields filled in; a plural phrase
takes the form for `count=`), `heading(key, **fields)` (the same with the phrase's own words in
capitals, the plain-text headings), `language` (the code, `en`) and the filters `number`,
`percent`, `money` and `date`, which write a number or a date the language's way. In HTML a
phrase and its fields are escaped, except a field that is markup already (a `{% set %}` block
or another `t(...)`), so `<strong>` can go into a phrase.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from jinja2.nodes import EvalContext

from sheetsync.config.values import Config
from sheetsync.errors import ConfigError
from sheetsync.i18n import Language
from sheetsync.notify.teamtemplates import TeamTemplates

__all__ = [
    "KINDS", "Rendered", "Renderer", "filters", "phrases", "template_folder", "variables",
]  # fmt: skip

KINDS = ("team_digest", "scorecard")
_ONE_LINE = re.compile(r"[^\S\u00a0\u202f]+")
"""A run of whitespace a subject line is collapsed at: any but the no-break spaces that group
a number's digits (`1 234,50 zł`)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def template_folder(config: Config) -> Path | None:
    """`email.templates` resolved against the config's folder; a ConfigError when it is not a
    folder."""
    given = config.email.templates if config.email is not None else None
    if not given:
        return None
    path = Path(given).expanduser()
    folder = path if path.is_absolute() else (config.path or Path("x")).parent / path
    if not folder.is_dir():
        raise ConfigError(str(config.path or "config"), "email.templates",
                          f"{folder} is not a folder")  # fmt: skip
    return folder


def variables(values: object) -> dict[str, Any]:
    """A dataclass's fields as template variables (one level: nested values stay objects)."""
    assert dataclasses.is_dataclass(values) and not isinstance(values, type)
    return {field.name: getattr(values, field.name) for field in dataclasses.fields(values)}


class Renderer:
    """The templates of one config: the team's folder first, then the built-in ones; phrases
    and number filters in `lang`, the team's language (the run context's)."""

    def __init__(self, config: Config, lang: Language) -> None:
        self.config = config
        loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("sheetsync.notify", "templates")]
        folder = template_folder(config)
        if folder is not None:
            loaders.insert(0, TeamTemplates(folder))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm"),
                                                default_for_string=False, default=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
        )  # fmt: skip
        self.env.globals.update(phrases(lang))
        self.env.filters.update(filters(lang))

    def render(self, kind: str, values: Mapping[str, Any]) -> Rendered:
        """The subject (on one line), plain text and HTML of a message of `kind`."""
        subject = _ONE_LINE.sub(" ", self._render(f"{kind}_subject.txt", values)).strip()
        return Rendered(subject, self._render(f"{kind}.txt", values),
                        self._render(f"{kind}.html", values))  # fmt: skip

    def _render(self, name: str, values: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(values)
        except jinja2.TemplateNotFound as exc:
            raise self._error(f"{name}: no such template") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise self._error(f"{exc.filename or name}: line {exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateError as exc:
            raise self._error(f"{name}: {exc}") from exc

    def _error(self, problem: str) -> ConfigError:
        return ConfigError(str(self.config.path or "config"), "email.templates", problem)


# -- the language: phrases and filters ----------------------------------------------------------


def phrases(lang: Language) -> dict[str, Any]:
    """The template globals of a language: `t`, `heading` and `language` (see the module doc).
    A phrase that is not in the catalog, a plural phrase without `count`, or a field the
    phrase needs and was not given stops the rendering with an error naming the key."""

    def fill(autoescape: bool, key: str, fields: dict[str, Any], caps: bool) -> str:
        if key not in lang.messages:
            raise jinja2.TemplateRuntimeError(f"no phrase {key!r} in the {lang.code} catalog")
        count = fields.get("count")
        if not isinstance(lang.messages[key], str):
            if isinstance(count, bool) or not isinstance(count, int):
                raise jinja2.TemplateRuntimeError(
                    f"{key} is a plural phrase: give count= a whole number")  # fmt: skip
            fields = {**fields, "n": lang.number(count)}
        phrase = lang.phrase(key, count)
        phrase = capitals(phrase) if caps else phrase
        try:
            if autoescape:
                return markupsafe.escape(phrase).format(**fields)
            return phrase.format(**fields)
        except (KeyError, IndexError) as exc:
            raise jinja2.TemplateRuntimeError(f"{key}: the phrase needs the field {exc}") from None

    @jinja2.pass_eval_context
    def t(context: EvalContext, key: str, **fields: Any) -> str:
        return fill(context.autoescape, key, fields, caps=False)

    @jinja2.pass_eval_context
    def heading(context: EvalContext, key: str, **fields: Any) -> str:
        return fill(context.autoescape, key, fields, caps=True)

    return {"t": t, "heading": heading, "language": lang.code}


def capitals(phrase: str) -> str:
    """A phrase's own words in capitals, its `{fields}` as they are: "Ranking: {when}" ->
    "RANKING: {when}"."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(phrase):
        parts.append(literal.upper().replace("{", "{{").replace("}", "}}"))
        if name is not None:
            parts.append("{" + name + (f"!{conversion}" if conversion else "")
                         + (f":{spec}" if spec else "") + "}")  # fmt: skip
    return "".join(parts)


def filters(lang: Language) -> dict[str, Callable[..., str]]:
    """The template filters of a language: `number(decimals=0)`, `percent(decimals=1)` (of a
    share: 0.961 -> `96,1%`), `money(number_format=None)` (default: the language's currency
    format) and `date` (of a date or `YYYY-MM-DD` text). A blank (None, "", NaN) gives ""."""

    def number(value: Any, decimals: int = 0) -> str:
        found = _number(value, "number")
        return "" if found is None else lang.number(found, decimals)

    def percent(value: Any, decimals: int = 1) -> str:
        found = _number(value, "percent")
        return "" if found is None else lang.percent(found, decimals)

    def money(value: Any, number_format: str | None = None) -> str:
        found = _number(value, "money")
        return "" if found is None else lang.money(found, number_format)

    def day(value: Any) -> str:
        if value is None or value == "":
            return ""
        return lang.date(_date(value))

    return {"number": number, "percent": percent, "money": money, "date": day}


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise jinja2.TemplateRuntimeError(f"{name}: expected a number, got {value!r}")
    found = float(value)
    return found if math.isfinite(found) else None


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise jinja2.TemplateRuntimeError(f"date: expected a date, got {value!r}") from None
