"""Languages: the Indonesian catalogue is complete and current, the reader's language is
chosen and remembered, money and dates follow it, and staff-written text falls back to
Indonesian with a visible note and the right `lang` attribute."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal.extensions import db
from portal.i18n import FALLBACK_NOTE, day, money, when
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting, Partner

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "id" / "LC_MESSAGES" / "messages.po"
GETTEXT_NAMES = {
    "_",
    "_l",
    "gettext",
    "lazy_gettext",
    "ngettext",
    "lazy_ngettext",
    "pgettext",
    "lazy_pgettext",
    "npgettext",
}


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _read(path: Path, locale: str | None = "id"):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _fill_module():
    spec = importlib.util.spec_from_file_location(
        "translations_fill", ROOT / "translations/fill.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """A fresh extraction from the code, done exactly as translations/fill.py does it."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), *_fill_module().EXTRACT_ARGS, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return {_key(m) for m in _read(pot, locale=None) if m.id}


def html(response) -> str:
    return response.get_data(as_text=True)


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', page)
    assert match, "no <html lang> on the page"
    return match.group(1)


def publish(item):
    item.set_published(True)
    db.session.add(item)
    db.session.commit()
    return item


# --- the catalogue -------------------------------------------------------------------


def test_every_message_has_an_indonesian_translation_and_none_is_fuzzy():
    catalog = _read(PO)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 150
    untranslated = [
        _key(m)
        for m in messages
        if not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    fuzzy = [_key(m) for m in messages if m.fuzzy]
    assert not untranslated, (
        "add these to translations/pending/<task>.json and run translations/fill.py: "
        f"{untranslated}"
    )
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_catalogue_is_up_to_date_with_the_code(extracted):
    in_po = {_key(m) for m in _read(PO) if m.id}
    missing = sorted(extracted - in_po)
    assert not missing, f"run translations/fill.py; not in messages.po yet: {missing}"


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sdif]")
    for message in _read(PO):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text:
                assert sorted(placeholder.findall(text)) == sorted(placeholder.findall(source)), (
                    source,
                    text,
                )


def test_babel_cfg_finds_template_macro_and_python_strings(extracted):
    assert "Skip to content" in extracted  # templates/base.html
    assert "Page %(page)d of %(pages)d" in extracted  # templates/_macros/ui.html
    assert "Only available in Indonesian." in extracted  # portal/i18n.py
    assert "Please fill in this field." in extracted  # portal/public/forms.py


# --- choosing the language ------------------------------------------------------------


def test_indonesian_is_the_default(client):
    page = html(client.get("/"))
    assert html_lang(page) == "id"
    assert ">Beranda</a>" in page and ">Program</a>" in page
    assert "lang=" not in client.get("/").headers.get("Set-Cookie", "")


def test_lang_parameter_switches_and_is_remembered(client):
    response = client.get("/?lang=en")
    page = html(response)
    assert html_lang(page) == "en"
    assert ">Home</a>" in page and ">Programmes</a>" in page and ">Announcements</a>" in page
    assert "lang=en" in response.headers["Set-Cookie"]

    page = html(client.get("/pengumuman"))  # no parameter: the cookie decides
    assert html_lang(page) == "en"
    assert "<h1>Announcements</h1>" in page

    page = html(client.get("/mitra?lang=id"))
    assert html_lang(page) == "id"
    assert "<h1>Mitra</h1>" in page
    assert html_lang(html(client.get("/"))) == "id"


def test_accept_language_decides_the_first_visit_only(app):
    client = app.test_client()
    page = html(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert html_lang(page) == "en"
    assert ">Home</a>" in page
    # A choice made on the page beats the browser's header from then on.
    client.get("/?lang=id")
    page = html(client.get("/", headers={"Accept-Language": "en"}))
    assert html_lang(page) == "id"


def test_unknown_language_shows_a_notice_not_an_error(client):
    response = client.get("/?lang=xx")
    assert response.status_code == 200
    page = html(response)
    assert html_lang(page) == "id"
    assert "Bahasa “xx” tidak tersedia. Halaman ditampilkan dalam Bahasa Indonesia." in page
    assert "lang=" not in response.headers.get("Set-Cookie", "")

    client.get("/?lang=en")
    page = html(client.get("/program?lang=%3Cb%3Eklingon"))
    assert html_lang(page) == "en"  # the remembered choice still holds
    assert "The language “&lt;b&gt;klingon” is not available. The page is shown in English." in (
        page
    )


# --- numbers and dates ----------------------------------------------------------------


def test_money_follows_the_language(app):
    with app.test_request_context("/"):
        assert money(150000, "id") == "Rp 150.000"
        assert money(150000, "en") == "IDR 150,000"
        assert money(None, "id") == ""
        with force_locale("en"):
            assert money(2500000) == "IDR 2,500,000"


def test_dates_follow_the_language_and_the_village_clock(app):
    with app.test_request_context("/"):
        with force_locale("id"):
            assert day(date(2026, 8, 17)) == "17 Agustus 2026"
            # 20:00 UTC is already the next morning in the village (WIB, UTC+7).
            assert day(datetime(2026, 8, 16, 20, 0, tzinfo=UTC)) == "17 Agustus 2026"
            assert "Des" in when(date(2026, 12, 1))
        with force_locale("en"):
            assert day(date(2026, 8, 17)) == "August 17, 2026"
            # A stored time reads as a date does, by the village's day.
            assert day(datetime(2026, 8, 16, 20, 0, tzinfo=UTC)) == "August 17, 2026"
            assert day(datetime(2026, 8, 16, 16, 0)) == "August 16, 2026"  # naive: UTC
            assert "Dec" in when(date(2026, 12, 1))


def test_times_use_the_zone_flask_babel_keeps_for_the_request(app):
    """when() and day() read the request's time zone from Flask-Babel's state directly:
    the same text as Flask-Babel's own conversion, and a zone changed for the request
    (its refresh()) is followed."""
    from flask_babel import format_datetime, refresh, to_user_timezone
    from pytz import timezone

    from portal.i18n import DATETIME_PATTERNS

    moments = [datetime(2026, 8, 16, 16, 59), datetime(2026, 8, 16, 17, 0, tzinfo=UTC)]
    with app.test_request_context("/"), force_locale("en"):
        for moment in moments:
            assert day(moment) == day(to_user_timezone(moment).date())
            assert when(moment) == format_datetime(moment, DATETIME_PATTERNS["en"])
        babel = app.extensions["babel"]
        try:
            babel.default_timezone = "Asia/Jayapura"  # UTC+9
            refresh()
            assert day(datetime(2026, 8, 16, 15, 0)) == "August 17, 2026"
            assert when(moments[0]).endswith("01:59")
            assert to_user_timezone(moments[0]).tzinfo.zone == timezone("Asia/Jayapura").zone
        finally:
            babel.default_timezone = "Asia/Jakarta"
            refresh()


def test_dates_are_written_as_flask_babels_format_date_writes_them(app):
    """when() and day() of a date, and a change request's YYYY-MM-DD, kept per worker
    by babel directly: what Flask-Babel's format_date writes, in both languages."""
    from flask_babel import format_date

    from portal.registry.change_requests.labels import iso_day

    with app.test_request_context("/"):
        for lang in ("id", "en"):
            with force_locale(lang):
                for value in (date(2026, 1, 5), date(1999, 12, 31)):
                    for fmt in ("short", "medium", "long", "full"):
                        assert when(value, fmt) == format_date(value, fmt)
                    assert day(value) == format_date(value, "long")
                    assert iso_day(value.isoformat()) == format_date(value, "long")
                assert iso_day("2026-13-01") == "2026-13-01" and iso_day(None) == "–"


def test_programme_page_shows_money_and_dates_in_the_readers_language(client):
    publish(
        Programme(
            slug="blt-dd",
            name_id="BLT Dana Desa",
            summary_id="Bantuan tunai.",
            eligibility_id="Desil 1-4.",
            benefits_id="Uang tunai.",
            benefit_value=300000,
            start_date=date(2026, 1, 5),
            end_date=date(2026, 12, 20),
        )
    )
    page = html(client.get("/program/blt-dd"))
    assert "Rp 300.000" in page and "5 Januari 2026" in page and "20 Desember 2026" in page
    page = html(client.get("/program/blt-dd?lang=en"))
    assert "IDR 300,000" in page and "January 5, 2026" in page


# --- staff-written content ------------------------------------------------------------


def test_fallback_note_is_translated(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            assert str(FALLBACK_NOTE) == "Only available in Indonesian."
        with force_locale("id"):
            assert str(FALLBACK_NOTE) == "Hanya tersedia dalam bahasa Indonesia."


def test_the_quick_lazy_strings_translate_as_flask_babels_own(app):
    """portal.i18n.lazy_gettext (what `_l` is everywhere) reads the request's catalogue
    directly: it must give what Flask-Babel's lazy_gettext gives, in each language, under
    force_locale, with variables, and with no request (a command's app context)."""
    from flask_babel import lazy_gettext as babel_lazy
    from flask_babel.speaklater import LazyString
    from markupsafe import escape

    from portal.i18n import lazy_gettext

    texts = [("Only available in Indonesian.", {}), ("Page %(page)d of %(pages)d", {})]
    texts.append(("Page %(page)d of %(pages)d", {"page": 2, "pages": 5}))
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for text, variables in texts:
                ours, theirs = lazy_gettext(text, **variables), babel_lazy(text, **variables)
                assert isinstance(ours, LazyString)
                assert str(ours) == str(theirs) and len(ours) == len(theirs)
                assert escape(ours) == escape(theirs) and ours == str(theirs)
                assert bool(ours) is bool(theirs) is True
            with force_locale("en" if lang == "id" else "id"):
                assert str(lazy_gettext(texts[0][0])) == str(babel_lazy(texts[0][0]))
    with app.test_request_context("/?lang=id"):
        assert str(lazy_gettext("Page %(page)d of %(pages)d", page=2, pages=5)) == (
            "Halaman 2 dari 5"
        )
    assert bool(lazy_gettext("")) is bool(babel_lazy(""))  # gettext("") is the header
    # In the app context of a command (no request): the default language, as Flask-Babel.
    assert str(lazy_gettext(texts[0][0])) == str(babel_lazy(texts[0][0]))


def test_indonesian_only_announcement_in_english_shows_the_note_and_lang_id(client):
    item = publish(
        Announcement(title_id="Pembagian beras", body_id="Beras dibagikan di balai desa.")
    )
    page = html(client.get(f"/pengumuman/{item.id}?lang=en"))
    assert html_lang(page) == "en"
    assert '<p class="fallback" lang="en">Only available in Indonesian.</p>' in page
    assert '<span lang="id">Pembagian beras</span>' in page
    assert re.search(r'<div lang="id">\s*<p>Beras dibagikan di balai desa.</p>', page)

    listing = html(client.get("/pengumuman"))  # still English, from the cookie
    assert '<span lang="id">Pembagian beras</span>' in listing
    assert '<p lang="id">Beras dibagikan di balai desa.</p>' in listing

    page = html(client.get(f"/pengumuman/{item.id}?lang=id"))
    assert "Beras dibagikan di balai desa." in page
    assert 'class="fallback"' not in page
    assert "Hanya tersedia dalam bahasa Indonesia." not in page


def test_announcement_with_english_shows_english_and_no_note(client):
    item = publish(
        Announcement(
            title_id="Pembagian beras",
            title_en="Rice handout",
            body_id="Beras dibagikan di balai desa.",
            body_en="Rice is handed out at the village hall.",
        )
    )
    page = html(client.get(f"/pengumuman/{item.id}?lang=en"))
    assert "Rice is handed out at the village hall." in page
    assert "<h1><span>Rice handout</span></h1>" in page
    assert "Beras dibagikan" not in page
    assert "Only available in Indonesian." not in page
    assert 'lang="id">Pembagian' not in page


def test_meeting_partner_and_programme_fall_back_with_the_note(client):
    meeting = publish(
        Meeting(
            title_id="Musdesus BLT",
            title_en="Special meeting on BLT",
            place="Balai Desa",
            agenda_id="Validasi daftar penerima.",
            starts_at=datetime.now(UTC) + timedelta(days=3),
            kind="musdesus",
        )
    )
    publish(Partner(name="Koperasi Tani", description_id="Koperasi petani lokal."))
    publish(
        Programme(
            slug="pangan",
            name_id="Paket Pangan",
            name_en="Food parcel",
            summary_id="Paket sembako.",
            summary_en="A monthly food parcel.",
            eligibility_id="Keluarga desil 1-4.",
            benefits_id="Beras 10 kg.",
            benefits_en="10 kg of rice.",
        )
    )
    note = '<p class="fallback" lang="en">Only available in Indonesian.</p>'

    page = html(client.get(f"/musyawarah/{meeting.id}?lang=en"))
    assert "Special meeting on BLT" in page and note in page
    assert re.search(r'<div lang="id">\s*<p>Validasi daftar penerima.</p>', page)

    page = html(client.get("/mitra"))
    assert note in page and '<p lang="id">Koperasi petani lokal.</p>' in page

    page = html(client.get("/program/pangan"))
    assert "A monthly food parcel." in page and "10 kg of rice." in page
    # Only the eligibility section is Indonesian: one note, just for it.
    assert page.count(note) == 1
    assert re.search(re.escape(note) + r'\s*<div lang="id">\s*<p>Keluarga desil 1-4.</p>', page)


# --- how strings are marked -----------------------------------------------------------


def _dynamic_msgids(source: str, filename: str) -> list[str]:
    """Lines where a gettext call's message is built at run time (f-string, +, %, format)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_NAMES:
            continue
        for arg in node.args[:2]:
            built = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                isinstance(arg, ast.Call) and getattr(arg.func, "attr", None) == "format"
            )
            if built:
                found.append(f"{filename}:{node.lineno}")
    return found


def test_the_msgid_checker_catches_built_strings():
    sample = 'a = _(f"Hi {name}")\nb = _l("Hi " + name)\nc = _("Hi %s" % n)\nd = _("ok", n=1)\n'
    assert _dynamic_msgids(sample, "sample.py") == ["sample.py:1", "sample.py:2", "sample.py:3"]


def test_no_gettext_call_builds_its_message_at_run_time():
    offenders = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        offenders += _dynamic_msgids(path.read_text(encoding="utf-8"), str(path))
    # Jinja has no f-strings, but "~" or "|format" inside _() hides the text from extraction.
    built = re.compile(
        r"""\b(?:_|gettext|ngettext)\(\s*(?:f["']|(["'])(?:(?!\1).)*\1\s*(?:~|\||%|\+))"""
    )
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if built.search(line):
                offenders.append(f"{path}:{number}")
    assert not offenders, f"use _('... %(name)s ...', name=...) instead: {offenders}"


def test_jinja_gettext_escapes_by_the_templates_setting_without_deriving_contexts(app, monkeypatch):
    """`_`, gettext and ngettext take the evaluation context, not the context: after a
    {% set %} Jinja would otherwise derive a context for every call."""
    from jinja2.runtime import Context

    derived = []
    original = Context.derived
    monkeypatch.setattr(
        Context, "derived", lambda self, *a, **k: derived.append(1) or original(self, *a, **k)
    )
    env = app.jinja_env
    page = env.from_string(
        "{% set who = 'A&B' %}{% for n in [1, 2] %}{% set m = n %}"
        "{{ _('Logged in as %(name)s', name=who) }}|{{ gettext('Home') }}|"
        "{{ ngettext('%(num)d household', '%(num)d households', m) }};{% endfor %}"
        "{% autoescape false %}{{ _('Logged in as %(name)s', name=who) }}{% endautoescape %}"
    )
    from flask import render_template

    # Each in an app context of its own (the fixture's would keep the first language).
    with app.app_context(), app.test_request_context("/?lang=en"):
        english = render_template(page)
    with app.app_context(), app.test_request_context("/?lang=id"):
        indonesian = render_template(page)
    assert english.startswith("Logged in as A&amp;B|Home|1 household;")
    assert english.endswith("Logged in as A&B")
    assert "A&amp;B" in indonesian and indonesian != english
    assert derived == []


def test_jinja_gettext_without_variables_is_the_text_and_a_percent_sign_still_formats(app):
    env = app.jinja_env
    page = env.from_string("{{ _('Home') }}|{{ gettext('Home') }}|{{ _('100%% <b>') }}")
    from flask import render_template

    with app.app_context(), app.test_request_context("/?lang=en"):
        html = render_template(page)
        plain = env.from_string("{% autoescape false %}{{ _('100%% <b>') }}{% endautoescape %}")
        text = render_template(plain)
    # The text is the catalogue's (Markup, as Jinja's newstyle gettext has it), "%%" a "%".
    assert html == "Home|Home|100% <b>"
    assert text == "100% <b>"


# base.html's language switch before it became portal.i18n.language_links().
OLD_LANGUAGE_LOOP = """    <nav class="lang">
      {% for code, name in LANGUAGE_NAMES.items() %}
        {% if code == current_lang() %}<span aria-current="true" lang="{{ code }}">\
{{ code|upper }}</span>
        {% else %}<a href="{{ request.path }}?{{ lang_query(code) }}" lang="{{ code }}" \
hreflang="{{ code }}" title="{{ name }}">{{ code|upper }}</a>{% endif %}
      {% endfor %}
    </nav>"""


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("path", ["/akun", "/pengumuman?q=a%26b+%3Cc%3E&page=2&lang=xx"])
def test_language_links_write_what_the_loop_wrote(app, lang, path):
    from flask import render_template_string

    with app.test_request_context(path, headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(OLD_LANGUAGE_LOOP)
        new = render_template_string('    <nav class="lang">\n{{ language_links() }}    </nav>')
        kept = render_template_string('    <nav class="lang">\n{{ language_links() }}    </nav>')
    assert new == old
    assert kept == old  # the second time from the kept copy
    assert ("&amp;" in new) == ("page" in path) and "<c>" not in new


def test_each_accept_language_header_keeps_its_own_choice(app, monkeypatch):
    """portal.i18n keeps the language chosen for each Accept-Language header: a header
    seen again gets the same answer, a different header its own, and the memory is
    bounded (the header is whatever a client sends)."""
    from portal import i18n

    monkeypatch.setattr(i18n, "_ACCEPTED", {})
    monkeypatch.setattr(i18n, "_ACCEPTED_MOST", 3)
    headers = ["en-GB,en;q=0.9", "id-ID,id;q=0.9,en;q=0.5", "fr, en;q=0.4", "de, nl"]
    expected = ["en", "id", "en", "id"]  # no match at all: the village's language
    for _round in range(2):
        for header, lang in zip(headers, expected, strict=True):
            page = html(app.test_client().get("/", headers={"Accept-Language": header}))
            assert html_lang(page) == lang, header
    assert len(i18n._ACCEPTED) == 3
    assert i18n._locale("en") is i18n._locale("en")  # parsed once


def test_vary_names_language_and_cookie_once_whatever_else_varies(app, client):
    """The Vary header is written directly when a response has none yet, and merged
    when a view set its own."""

    @app.route("/_vary_test")
    def _vary_test():
        from flask import make_response

        made = make_response("x")
        made.headers["Vary"] = "Origin"
        return made

    from portal.security import public

    public(app.view_functions["_vary_test"])
    response = client.get("/?lang=en")
    assert response.headers.getlist("Vary") == ["Accept-Language, Cookie"]
    vary = client.get("/_vary_test").headers.getlist("Vary")
    assert len(vary) == 1
    assert [v.strip() for v in vary[0].split(",")] == ["Origin", "Accept-Language", "Cookie"]


def test_kept_language_links_follow_the_page_and_stay_bounded(app, monkeypatch):
    from portal import i18n

    monkeypatch.setattr(i18n, "_LINKS_KEPT", {})
    monkeypatch.setattr(i18n, "_LINKS_MOST", 2)
    seen = {}
    for path in ["/a?x=1", "/a?x=2", "/b", "/a?x=1", "/b?lang=en"]:
        # A fresh app context each time: the locale is kept in `g` for the request.
        with app.app_context(), app.test_request_context(path, headers={"Accept-Language": "id"}):
            app.preprocess_request()
            seen[path] = str(i18n.language_links())
            assert seen[path] == str(i18n._language_links(i18n.current_lang()))
        assert len(i18n._LINKS_KEPT) <= 2
    assert 'href="/a?x=1&amp;lang=en"' in seen["/a?x=1"]
    assert 'href="/a?x=2&amp;lang=en"' in seen["/a?x=2"]
    assert 'href="/b?lang=id"' in seen["/b?lang=en"]  # the English page links Indonesian


def test_formatting_whole_numbers_gives_what_markups_own_formatting_gives():
    """Texts with only whole numbers are formatted as str (no escaping helper): the same
    Markup text as Markup's own %, for every kind of placeholder; anything else (a str,
    a bool, a float) still goes through Markup's escaping."""
    from markupsafe import Markup

    from portal.i18n import _formatted

    cases = [
        ("%(num)d dukungan", {"num": 3}), ("%(num)s items", {"num": -12}),
        ("%(a)d of %(b)05d", {"a": 1, "b": 10**20}), ("100%%", {}),
        ("<b>%(name)s</b>", {"name": "<i>"}), ("%(num)s", {"num": True}),
        ("%(num).1f", {"num": 2.25}), ("%(n)s %(m)d", {"n": "&", "m": 2}),
    ]  # fmt: skip
    for text, variables in cases:
        for rv in (Markup(text), text):  # noqa: S704  (the test's own texts)
            assert _formatted(rv, dict(variables)) == rv % variables
            assert type(_formatted(rv, dict(variables))) is type(rv % variables)
    assert _formatted(Markup("<b>%(name)s</b>"), {"name": "<i>"}) == "<b>&lt;i&gt;</b>"
