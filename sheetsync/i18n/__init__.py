"""The output languages (`output.language`): what a person reads, in their language.

    >>> from datetime import date
    >>> from sheetsync.i18n import language
    >>> pl = language("pl")
    >>> pl.plural(5, "issue"), pl.money(1234.5), pl.date(date(2026, 11, 27))
    ('5 problemów', '1\\xa0234,50 zł', '27.11.2026')

`language(code)` reads the catalog `<code>.json` of this package (`catalog` says what one
holds; `LANGUAGES` lists the shipped ones: en, pl). A `Language` words phrases (`text`,
`plural` with CLDR plural rules, `status`, `severity`, `movement`, `weekday`, `tab`) and
writes numbers and dates the locale's way (`number`, `percent`, `money`, `date`, `render` for
a number under a cell's number format, by `numfmt`); it also gives the number formats of the
language's date, date-time and currency cells. `weekdays` matches weekday names of every
language.

Machine keys never change with the language: the Rep KPIs and History tabs, the KPI stage's
statuses (`On track`...) and movements (`up 2`...), and `--json` output stay English; the
report translates them when it shows them. docs/languages.md tells how to add a language.

May import: `sheetsync.errors`. Read by the config (tab names, weekday names), the report,
the console and notify.
"""

from __future__ import annotations

from sheetsync.i18n.catalog import LANGUAGES, Language, language, read_catalog
from sheetsync.i18n.numfmt import Separators, is_plain, render_number
from sheetsync.i18n.weekdays import fold, weekday_names, weekday_number

__all__ = [
    "LANGUAGES", "Language", "Separators", "fold", "is_plain", "language", "read_catalog",
    "render_number", "weekday_names", "weekday_number",
]  # fmt: skip
