"""Every interface string is in every language's catalog, with the same placeholders."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lotse_web.i18n import LANGUAGES

SOURCE = Path(__file__).resolve().parents[1] / "src" / "lotse_web"
KEYWORDS = {"_": None, "N_": None, "gettext_": None, "ngettext_": (1, 2)}
# The public finder has catalogs of its own (test_finder_catalogs.py).
METHODS = [("finder/**.py", "ignore"), ("templates/finder/**.html", "ignore"),
           ("**.py", "python"), ("templates/**.html", "jinja2")]  # fmt: skip
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                 "lstrip_blocks": "true"}}  # fmt: skip
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")


def interface_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SOURCE), METHODS, OPTIONS, KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(code: str) -> Catalog:
    path = resources.files("lotse_web") / "locales" / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=code)


def test_the_source_has_interface_strings_to_check() -> None:
    assert len(interface_strings()) > 200


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_interface_string_is_translated(code: str) -> None:
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(code) if m.id}
    missing = sorted(interface_strings() - translated.keys())
    assert missing == [], f"{code} lacks {len(missing)}: {missing[:10]} (run make locales)"
    empty = [key for key, m in translated.items()
             if not (all(m.string) if isinstance(m.string, tuple) else m.string)]  # fmt: skip
    assert empty == [], f"{code} has {len(empty)} untranslated: {empty[:10]}"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_translations_keep_every_placeholder(code: str) -> None:
    wrong = []
    for message in catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        wrong += [ids[0] for s in strings if sorted(PLACEHOLDER.findall(s)) != expected
                  and not (len(ids) > 1 and "%(num)d" in ids[-1])]  # fmt: skip
    assert wrong == []
