"""The output languages' catalogs (`sheetsync.i18n`): complete, well-formed, and the Polish
locale's plurals, numbers and dates as a Polish reader expects them."""

from __future__ import annotations

import json
import string
from datetime import date
from importlib.resources import files
from typing import Any

import pytest

from sheetsync.config.rules import TAB_NAME_FORBIDDEN, TAB_NAME_MAX
from sheetsync.config.values import OUTPUT_KEYS
from sheetsync.errors import UsageError
from sheetsync.i18n import LANGUAGES, language, read_catalog, weekday_number
from sheetsync.i18n.plural import PluralRule
from sheetsync.kpi.evaluate import STATUSES
from sheetsync.spreadsheet import norm

NBSP = "\u00a0"
EN, PL = language("en"), language("pl")
OTHERS = [code for code in LANGUAGES if code != "en"]


def raw_catalog(code: str) -> dict[str, Any]:
    text = files("sheetsync.i18n").joinpath(f"{code}.json").read_text(encoding="utf-8")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def fields(phrase: str) -> set[str]:
    return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(phrase) if name}


def test_en_and_pl_are_shipped() -> None:
    assert {"en", "pl"} <= set(LANGUAGES)


@pytest.mark.parametrize("code", OTHERS)
def test_every_catalog_has_every_key_of_the_english_one(code: str) -> None:
    mine, english = raw_catalog(code)["messages"], raw_catalog("en")["messages"]
    assert sorted(set(english) - set(mine)) == [], f"{code}.json lacks these keys"
    assert sorted(set(mine) - set(english)) == [], f"{code}.json has keys en.json has not"
    for key, phrase in english.items():  # a plural phrase stays one, and the reverse
        assert isinstance(mine[key], dict) == isinstance(phrase, dict), key


GAP_FIELDS = {"amount", "unit", "kpi"}
"""`brief_text.gap_text` gives every gap phrase all three (English uses two of them)."""


@pytest.mark.parametrize("code", OTHERS)
def test_a_translation_uses_no_field_the_code_does_not_fill(code: str) -> None:
    english, lang = language("en"), language(code)
    for key, phrase in lang.messages.items():
        given = english.messages[key]
        english_forms = [given] if isinstance(given, str) else list(given.values())
        allowed = set().union(*map(fields, english_forms))
        allowed |= GAP_FIELDS if key.startswith("gap.") else set()
        forms = [phrase] if isinstance(phrase, str) else list(phrase.values())
        for form in forms:
            assert fields(form) <= allowed | {"n"}, (code, key, form)


@pytest.mark.parametrize("code", LANGUAGES)
def test_plural_phrases_have_every_form_of_the_language_rule(code: str) -> None:
    lang = language(code)
    plurals = [phrase for phrase in lang.messages.values() if not isinstance(phrase, str)]
    assert plurals
    for forms in plurals:
        assert set(forms) == set(lang.plural_rule.categories)


def test_a_catalog_missing_a_plural_form_or_a_part_is_refused_naming_it() -> None:
    raw = raw_catalog("pl")
    del raw["messages"]["issue"]["few"]
    with pytest.raises(ValueError, match=r"pl.json: messages.issue: needs the forms one, few"):
        read_catalog("pl", raw, "pl.json")
    raw = raw_catalog("pl")
    del raw["numbers"]
    with pytest.raises(ValueError, match=r"pl.json: numbers is missing"):
        read_catalog("pl", raw, "pl.json")


@pytest.mark.parametrize("code", LANGUAGES)
def test_default_tab_names_are_names_excel_accepts_and_distinct(code: str) -> None:
    names = [language(code).tab(key) for key in OUTPUT_KEYS]
    for name in names:
        assert 0 < len(name) <= TAB_NAME_MAX, name
        assert not set(name) & set(TAB_NAME_FORBIDDEN), name
        assert not name.startswith("'") and not name.endswith("'"), name
        assert norm(name) != "history", "Excel reserves History"
    assert len({norm(name) for name in names}) == len(names)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_kpi_status_and_severity_has_a_word(code: str) -> None:
    lang = language(code)
    assert set(lang.statuses()) == set(STATUSES)
    assert set(lang.severities()) == {"error", "warning"}
    assert all(lang.status(status) for status in STATUSES)


def test_english_words_are_the_machine_values() -> None:
    assert EN.statuses() == {status: status for status in STATUSES}
    assert EN.severities() == {"error": "error", "warning": "warning"}
    assert [EN.movement(m) for m in ("up 2", "down 1", "same", "new")] == [
        "up 2", "down 1", "same", "new",
    ]  # fmt: skip
    assert EN.status(None) == "" and EN.status(float("nan")) == ""


def test_polish_statuses_and_movements() -> None:
    assert PL.status("On track") == "Zgodnie z planem"
    assert PL.status("Behind") == "Poniżej planu"
    assert PL.status("At risk") == "Zagrożony"
    assert PL.movement("up 2") == "w górę o 2" and PL.movement("down 11") == "w dół o 11"
    assert PL.movement("same") == "bez zmian" and PL.movement(None) == ""


# -- plurals: CLDR rules ---------------------------------------------------------------------

# CLDR's samples for Polish (plurals.xml): one 1; few 2~4, 22~24, 32~34, ...; many 0, 5~19,
# 100, 1000, ...; and English: one 1, other 0, 2~16, 100...
PL_CATEGORIES = {
    "one": [1],
    "few": [2, 3, 4, 22, 23, 24, 32, 102, 1002, 1_000_022],
    "many": [0, 5, 6, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 25, 100, 101, 111, 112, 1000],
}


@pytest.mark.parametrize("category", PL_CATEGORIES)
def test_polish_plural_categories_follow_cldr(category: str) -> None:
    for count in PL_CATEGORIES[category]:
        assert PL.plural_rule.category(count) == category, count


def test_polish_plural_phrases() -> None:
    assert [PL.plural(n, "issue") for n in (1, 2, 4, 5, 12, 22, 25)] == [
        "1 problem", "2 problemy", "4 problemy", "5 problemów", "12 problemów", "22 problemy",
        "25 problemów",
    ]  # fmt: skip
    assert PL.plural(1, "cli.issues") == "1 problem z danymi"
    assert PL.plural(3, "cli.issues") == "3 problemy z danymi"
    assert PL.plural(5, "cli.issues") == "5 problemów z danymi"
    assert PL.plural(1234, "cli.rows") == f"1{NBSP}234 wiersze"


def test_english_plurals_stay_one_and_other() -> None:
    assert EN.plural_rule.categories == ("one", "other")
    assert [EN.plural(n, "issue") for n in (0, 1, 2)] == ["0 issues", "1 issue", "2 issues"]
    assert EN.plural(1234, "cli.rows") == "1,234 rows"


def test_a_cldr_rule_of_zgloszenie_and_bad_syntax() -> None:
    rule = PluralRule.parse(raw_catalog("pl")["plural"])
    forms = {"one": "zgłoszenie", "few": "zgłoszenia", "many": "zgłoszeń"}
    assert [forms[rule.category(n)] for n in (1, 2, 4, 5, 21, 22)] == [
        "zgłoszenie", "zgłoszenia", "zgłoszenia", "zgłoszeń", "zgłoszeń", "zgłoszenia",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="not a CLDR plural relation"):
        PluralRule.parse({"one": "n is 1"})  # the old syntax is not supported


# -- numbers and dates -----------------------------------------------------------------------


def test_polish_money_numbers_percent_and_dates() -> None:
    assert PL.money(1234.5) == f"1{NBSP}234,50 zł"  # CLDR pl: a no-break space groups digits
    assert PL.money(-1234.5) == f"-1{NBSP}234,50 zł"
    assert PL.money(1234567, "#,##0 zł") == f"1{NBSP}234{NBSP}567 zł"
    assert PL.number(1234.567, 2) == f"1{NBSP}234,57"
    assert PL.percent(0.8625) == "86,3%"  # half away from zero, as a sheet shows it
    assert PL.date(date(2026, 11, 27)) == "27.11.2026"
    assert PL.date_format == "dd.mm.yyyy" and PL.currency_format == '#,##0.00 "zł"'


def test_english_keeps_todays_output() -> None:
    assert EN.money(1234.5) == "$1,235"
    assert EN.number(1234.5, 2) == "1,234.50"
    assert EN.percent(0.8625) == "86.3%"
    assert EN.date(date(2026, 11, 27)) == "2026-11-27"
    assert (EN.date_format, EN.datetime_format) == ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss")


def test_weekday_names() -> None:
    assert [PL.weekday(day) for day in range(7)] == ["Pon", "Wt", "Śr", "Czw", "Pt", "Sob", "Nd"]
    assert PL.weekday(2, short=False) == "środa" and EN.weekday(6, short=False) == "Sunday"
    spellings = {"Pon": 0, "wt": 1, "ŚR": 2, "sroda": 2, "Środa": 2, "Czw": 3, "czwartek": 3,
                 "Pt": 4, "piątek": 4, "PIATEK": 4, "Sob": 5, "sobota": 5, "Nd": 6,
                 "Niedziela": 6, "Poniedziałek": 0, "poniedzialek": 0, "Monday": 0}  # fmt: skip
    assert {name: weekday_number(name) for name in spellings} == spellings
    assert weekday_number("Xyz") is None


def test_an_unknown_language_is_a_usage_error_listing_the_shipped_ones() -> None:
    with pytest.raises(UsageError, match=r"no output language 'de'; available: en, pl"):
        language("de")
