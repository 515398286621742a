"""Every language file has exactly the keys and placeholders of strings.json.

hassfest checks strings.json and translations/en.json only; these tests check the other languages.
When a string is added to strings.json (and translations/en.json), the failure lists each language
file and the keys it lacks, with the English text to translate.
"""

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import pytest

TRANSLATIONS = Path(__file__).parent.parent / "custom_components" / "evnnovator" / "translations"
STRINGS = TRANSLATIONS.parent / "strings.json"
# The languages the integration ships besides English.
LANGUAGES = {"de", "es", "fr", "hi", "nl"}
# Home Assistant's placeholders, such as {auth_id}.
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def flatten(tree: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, leaf) for each leaf of a JSON tree, e.g. ("config.step.user.title", "...")."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from flatten(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, tree


def strings_of(path: Path) -> dict[str, Any]:
    return dict(flatten(json.loads(path.read_text(encoding="utf-8"))))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problems(english: dict[str, Any], translated: dict[str, Any]) -> list[str]:
    """What is wrong with a translation, one line each: missing keys, extra keys, wrong strings."""
    found = [
        f"missing {key}: translate {text!r}"
        for key, text in english.items()
        if key not in translated
    ]
    found += [
        f"extra {key}: not in strings.json, remove it" for key in translated if key not in english
    ]
    for key, text in english.items():
        if key not in translated:
            continue
        theirs = translated[key]
        if not isinstance(theirs, str) or not theirs.strip():
            found.append(f"empty {key}: translate {text!r}")
        elif placeholders(theirs) != placeholders(text):
            found.append(
                f"placeholders differ at {key}: English has {sorted(placeholders(text))}, "
                f"this file {sorted(placeholders(theirs))} (keep them exactly as in English)"
            )
    return found


def language_files() -> list[Path]:
    return sorted(path for path in TRANSLATIONS.glob("*.json") if path.stem != "en")


def test_the_languages_are_there() -> None:
    assert {path.stem for path in language_files()} >= LANGUAGES


@pytest.mark.parametrize("path", language_files(), ids=lambda path: path.name)
def test_language_has_exactly_the_english_keys_and_placeholders(path: Path) -> None:
    """Each file: every key of strings.json, no other, each with the same placeholders."""
    if found := problems(strings_of(STRINGS), strings_of(path)):
        pytest.fail(f"translations/{path.name}:\n  " + "\n  ".join(found), pytrace=False)


def test_problems_are_named() -> None:
    """The check names each missing, extra, empty and wrongly-placeholdered key."""
    english = {"a.title": "Hello {name}", "a.text": "Bye", "a.more": "Again"}
    translated = {"a.title": "Hallo {naam}", "a.text": " ", "a.other": "Noch einmal"}
    assert problems(english, translated) == [
        "missing a.more: translate 'Again'",
        "extra a.other: not in strings.json, remove it",
        "placeholders differ at a.title: English has ['name'], this file ['naam'] "
        "(keep them exactly as in English)",
        "empty a.text: translate 'Bye'",
    ]
    assert problems(english, dict(english)) == []


@pytest.mark.parametrize("path", sorted(TRANSLATIONS.glob("*.json")), ids=lambda path: path.name)
def test_decimal_separator_is_a_mark(path: Path) -> None:
    """The Activity writes numbers with it: a point or a comma, never a word such as "Komma"."""
    separator = strings_of(path)["common.logbook_decimal_separator"]
    assert separator in {".", ","}, f"translations/{path.name}: {separator!r}"
