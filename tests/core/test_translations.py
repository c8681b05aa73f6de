"""The Japanese catalogue is complete and is what visitors see by default.

Refresh the catalogue after adding or changing UI strings (run from the ``shinrai`` package directory,
so that only the package is scanned and the catalogue lands in LOCALE_PATHS, ``shinrai/locale``)::

    cd shinrai && ../.venv/bin/shinrai makemessages -l ja --no-obsolete
    # translate every new or "#, fuzzy" entry in shinrai/locale/ja/LC_MESSAGES/django.po, drop the fuzzy flags
    cd .. && .venv/bin/shinrai compile_translations   # .mo files are built locally and never committed
"""

import ast
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "ja" / "LC_MESSAGES" / "django.po"

# %(name)s style and positional %s / %d style; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
NAMED = re.compile(r"%\([^)]+\)")


def placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages (see this module's docstring)"
    return polib.pofile(str(PO_PATH))


@pytest.fixture(scope="module")
def compiled_catalogue():
    """Build the .mo (as `make setup` does); re-setting LOCALE_PATHS makes Django reload its catalogues."""
    call_command("compile_translations", verbosity=0)
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


def test_header_is_japanese(catalogue):
    assert catalogue.metadata["Language"] == "ja"
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated(catalogue):
    entries = [entry for entry in catalogue if not entry.obsolete]
    assert entries, "the catalogue is empty"
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    assert untranslated == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.percent_translated() == 100
    for entry in entries:
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, f"Japanese has one plural form: {entry.msgid!r}"


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def test_every_gettext_call_inside_an_f_string_is_in_the_catalogue(catalogue):
    """makemessages (xgettext before 0.22) does not read calls inside f-strings: such a string stays English
    unless the same text is extracted elsewhere. Move the call out of the f-string, refresh the catalogue."""
    translated = {entry.msgid for entry in catalogue if entry.translated()}
    package = Path(settings.BASE_DIR)
    missing = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in GETTEXT_NAMES
                    and call.args
                    and isinstance(call.args[-1], ast.Constant)
                    and call.args[-1].value not in translated
                ):
                    missing.append(f"{path.relative_to(package)}:{call.lineno} {call.args[-1].value!r}")
    assert missing == []


def test_only_project_sources_are_extracted(catalogue):
    files = {path for entry in catalogue for path, _line in entry.occurrences}
    assert not [path for path in files if ".venv" in path or "site-packages" in path]


def test_placeholders_are_kept(catalogue):
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, text in pairs:
            if "python-format" in entry.flags:
                if placeholders(source) != placeholders(text):
                    problems.append((source, text))
            elif Counter(NAMED.findall(source)) != Counter(NAMED.findall(text)):
                problems.append((source, text))
    assert problems == []


def test_gettext_gives_japanese(compiled_catalogue):
    with translation.override("ja"):
        assert translation.gettext("Log in") == "ログイン"
        assert translation.gettext("Customer view") == "お客様画面"
        singular, plural = "%(counter)s project you can see.", "%(counter)s projects you can see."
        text = translation.ngettext(singular, plural, 3)
        assert text % {"counter": 3} == "閲覧できるプロジェクトは 3 件です。"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


@pytest.mark.django_db
def test_login_page_is_japanese_by_default(client, compiled_catalogue):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    assert "メールアドレス" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_login_page_in_english_with_the_language_cookie(client, compiled_catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert settings.LANGUAGE_COOKIE_NAME == "shinrai_language"
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "ログイン" not in page
