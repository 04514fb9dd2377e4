"""Every string of the public finder is in each of its eight catalogs, placeholders intact."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lotse_web.finder.languages import VARIANTS, catalog_path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "lotse_web"
KEYWORDS = {"_": None, "N_": None, "gettext_": None, "ngettext_": (1, 2), "ngettext": (1, 2)}
METHODS = [("finder/**.py", "python"), ("templates/finder/**.html", "jinja2")]
OPTIONS = {"templates/finder/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                        "lstrip_blocks": "true"}}  # fmt: skip
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def finder_strings() -> set[str]:
    return {
        message[0] if isinstance(message, tuple) else message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(SOURCE), METHODS, OPTIONS, KEYWORDS
        )
    }


def catalog(code: str) -> Catalog:
    variant = VARIANTS[code]
    with resources.files("lotse_web").joinpath(catalog_path(variant)).open("rb") as po:
        return read_po(po, locale=variant.locale)


def _id(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_the_finder_has_strings_of_its_own_and_the_desks_do_not_need_them() -> None:
    strings = finder_strings()
    assert len(strings) > 100
    assert "Add to the handout" in strings
    assert "Sign out" not in strings  # a desk's string


def test_there_are_eight_variants_two_of_them_right_to_left() -> None:
    assert list(VARIANTS) == ["de", "ls", "en", "ar", "uk", "tr", "fa", "ru"]
    assert [c for c, v in VARIANTS.items() if v.direction == "rtl"] == ["ar", "fa"]


@pytest.mark.parametrize("code", list(VARIANTS))
def test_every_finder_string_is_translated(code: str) -> None:
    translated = {_id(m): m for m in catalog(code) if m.id}
    missing = sorted(finder_strings() - translated.keys())
    assert missing == [], f"{code} lacks {len(missing)}: {missing[:10]} (run make locales)"
    empty = [key for key, m in translated.items() if m.fuzzy or not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]  # fmt: skip
    assert empty == [], f"{code} has {len(empty)} untranslated: {empty[:10]}"


@pytest.mark.parametrize("code", list(VARIANTS))
def test_translations_keep_every_placeholder(code: str) -> None:
    wrong = []
    for message in catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = sorted(PLACEHOLDER.findall(string))
            # A plural form for exactly one or two may say the number in words.
            if found != expected and not (len(ids) > 1 and found == []):
                wrong.append((ids[0], string))
    assert wrong == []


@pytest.mark.parametrize("code", [c for c in VARIANTS if c not in ("de", "ls", "en")])
def test_other_languages_are_not_english_left_in_place(code: str) -> None:
    # Proper names aside (Online, Lotse), a translation equal to the English id was missed.
    same = [_id(m) for m in catalog(code) if m.id and m.string == m.id and len(_id(m)) > 8]
    assert same == []
