"""Languages: which one a reader gets, and how staff-written text and numbers show.

Indonesian is the default. `?lang=en` / `?lang=id` switches and is remembered in a
cookie for a year; on a first visit the browser's Accept-Language decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from types import SimpleNamespace

import flask_babel
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, request
from flask.globals import _cv_app
from flask_babel import (
    Domain,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

from portal.extensions import babel

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


# The language chosen for each Accept-Language header seen (browsers send a handful of
# different ones); bounded, as the header is whatever a client sends.
_ACCEPTED: dict[tuple[str, tuple[str, ...]], str] = {}
_ACCEPTED_MOST = 256


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    """The Babel locale of a language code, parsed once (Flask-Babel parses the
    selector's answer on every request; a Locale it is given is used as it is)."""
    return Locale.parse(code)


def _accepted(languages: list[str]) -> str:
    """The best of `languages` for the request's Accept-Language header, worked out once
    per header (parsing and matching it cost some 45 Python calls a request)."""
    key = (request.headers.get("Accept-Language", ""), tuple(languages))
    try:
        return _ACCEPTED[key]
    except KeyError:
        chosen = request.accept_languages.best_match(languages) or languages[0]
        if len(_ACCEPTED) < _ACCEPTED_MOST:
            _ACCEPTED[key] = chosen
        return chosen


def select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") if request.query_string else None
    if asked is not None:
        if asked in languages:
            g.set_lang_cookie = asked
            return _locale(asked)
        # An unknown language is not an error: say so and carry on in the usual one.
        g.lang_unknown = asked[:20]
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in languages:
        return _locale(remembered)
    return _locale(_accepted(languages))


def current_lang() -> str:
    """The reader's language code, worked out once per request (templates ask often:
    Flask-Babel's get_locale() and str(Locale) cost some microseconds each time)."""
    try:
        state = _cv_app.get().g._flask_babel  # `g` itself, not through its proxy
        kept = state.portal_lang
        if kept[0] is state.babel_locale:
            return kept[1]
    except (AttributeError, LookupError):
        pass
    locale = get_locale()
    lang = str(locale or "id")
    if locale is not None:
        g._flask_babel.portal_lang = (locale, lang)
    return lang


@dataclass(frozen=True)
class Localized:
    """A staff-written text in the reader's language, or the Indonesian one instead."""

    text: str
    lang: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __html__(self) -> str:
        return str(Markup.escape(self.text))


def localized(obj, field: str, lang: str | None = None) -> Localized:
    """`obj.<field>_<lang>`, falling back to `obj.<field>_id` with a flag to show a note."""
    lang = lang or current_lang()
    if lang != "id":
        text = getattr(obj, f"{field}_{lang}", None)
        if text:
            return Localized(text, lang, False)
    text = getattr(obj, f"{field}_id", None) or ""
    return Localized(text, "id", lang != "id" and bool(text))


def money(amount, lang: str | None = None) -> str:
    """Rupiah without decimals: "Rp 150.000" in Indonesian, "IDR 150,000" in English."""
    if amount is None:
        return ""
    return _money(amount, lang or current_lang())


# Pages show the same amounts, numbers and days many times (a list's rows, a board's
# totals); Babel's formatting is pure but costs 10-20 µs a call, so it is kept.
@lru_cache(maxsize=4096)
def _money(amount, lang: str) -> str:
    return format_currency(
        amount, "IDR", format="¤\u00a0#,##0", locale=lang, currency_digits=False
    ).replace("\u00a0", " ")


def number(value, lang: str | None = None) -> str:
    return _number(value, lang or current_lang())


@lru_cache(maxsize=4096)
def _number(value, lang: str) -> str:
    return format_decimal(value, locale=lang)


@lru_cache(maxsize=4096)
def _day(value: date, fmt: str, lang: str) -> str:
    return babel_format_date(value, fmt, locale=lang)


# Weekday, day, month and time without seconds, as each language writes it.
DATETIME_PATTERNS = {"id": "EEEE, d MMMM y, HH.mm", "en": "EEEE d MMMM y, HH:mm"}


def when(value, fmt: str = "medium") -> str:
    """A date, or a date and time in the village's time zone (no seconds: people read it)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        lang = current_lang()
        pattern = DATETIME_PATTERNS.get(lang, "medium") if fmt == "medium" else fmt
        return _when(value, pattern, lang, _zone())
    if isinstance(value, date):
        return _day(value, fmt, current_lang())  # Flask-Babel's format_date, kept
    return str(value)


@lru_cache(maxsize=4096)
def _when(value: datetime, pattern: str, lang: str, tz) -> str:
    # What flask_babel.format_datetime does: the time shown in the village's time zone.
    return babel_format_datetime(value, pattern, tzinfo=tz, locale=lang)


def _zone():
    """Flask-Babel's get_timezone(): the time zone it keeps for the request, read from
    `g` itself (its own way goes through the `g` proxy twice, on every time shown)."""
    try:
        found = _cv_app.get().g._flask_babel.babel_tzinfo
        if found is not None:
            return found
    except (AttributeError, LookupError):
        pass
    return get_timezone()


def day(value, fmt: str = "long") -> str:
    """A date as the language writes it; a stored time (UTC) by the village's day, in
    the same form as a date ("17 Agustus 2026", "August 17, 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Flask-Babel's to_user_timezone, with the request's zone read once.
        zone = _zone()
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        value = zone.normalize(aware.astimezone(zone)).date()
    return _day(value, fmt, current_lang())


def machine_time(value) -> str:
    """The value of a `datetime` attribute (valid HTML): a stored time as UTC with "Z"
    and at most milliseconds (stored times are UTC, naive on SQLite); a date stays
    YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not a date or a time: {value!r}")


_LINKS_KEPT: dict[tuple[str, str, str], Markup] = {}
_LINKS_MOST = 2048


def language_links() -> Markup:
    """base.html's language switch: the reader's language named, the others linked to
    this page with ?lang= (the markup its Jinja loop wrote, byte for byte: a test in
    tests/test_i18n.py keeps the loop). Kept per language, path and query string (a
    hundred Python calls a page otherwise); bounded, emptied when full."""
    here = current_lang()
    environ = request.environ
    key = (here, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    try:
        return _LINKS_KEPT[key]
    except KeyError:
        pass
    if len(_LINKS_KEPT) >= _LINKS_MOST:
        _LINKS_KEPT.clear()
    links = _LINKS_KEPT[key] = _language_links(here)
    return links


def _language_links(here: str) -> Markup:
    path = escape(request.path)
    out = []
    for code, name in LANGUAGE_NAMES.items():
        if code == here:
            out.append(f'<span aria-current="true" lang="{code}">{code.upper()}</span>\n')
        else:
            out.append(
                f'<a href="{path}?{escape(lang_query(code))}" lang="{code}" hreflang="{code}"'
                f' title="{escape(name)}">{code.upper()}</a>'
            )
    return Markup("".join(out))  # noqa: S704  (the path, query and names escaped above)


def lang_query(code: str) -> str:
    """The current query string with ?lang= set to `code` (for the language links)."""
    from urllib.parse import urlencode

    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("lang", "page")]
    if request.args.get("page"):
        args.append(("page", request.args["page"]))
    args.append(("lang", code))
    return urlencode(args)


class _CachingDomain(Domain):
    """Flask-Babel's domain, with the catalogue kept for the rest of the request.

    Flask-Babel finds the domain, the locale and the catalogue again on every
    gettext call (some 60 µs each); a page makes a hundred or more of them. The
    catalogue is kept beside the locale Flask-Babel chose for the request, keyed by
    that locale object, so force_locale() and refresh() still take effect.
    """

    def get_translations(self):
        try:
            state = g._flask_babel
            kept = state.portal_catalogue
            if kept[0] is state.babel_locale:
                return kept[1]
        except (AttributeError, RuntimeError):
            pass
        catalogue = super().get_translations()
        try:
            state = g._flask_babel
            state.portal_catalogue = (state.babel_locale, catalogue)
        except (AttributeError, RuntimeError):
            pass
        return catalogue


def catalogue():
    """The request's translations: what _CachingDomain kept, else Flask-Babel's way.
    (`g` read from the app context itself: forms and status tags ask this for every
    lazy label, and each lookup through the `g` proxy costs as much as the rest.)"""
    try:
        state = _cv_app.get().g._flask_babel
        kept = state.portal_catalogue
        if kept[0] is state.babel_locale:
            return kept[1]
    except (AttributeError, LookupError):
        pass
    return get_translations()


class LazyText(LazyString):
    """`lazy_gettext`'s string (a Flask-Babel LazyString, so WTForms, Jinja and JSON
    treat it as before), translated from the request's catalogue directly. Flask-Babel's
    own goes through its module gettext, the domain and the context on every use, and a
    form page uses its lazy labels, choices and hints a hundred times or more."""

    def __init__(self, string: str, **variables):
        super().__init__(flask_babel.gettext, string, **variables)
        self._string = string
        self._variables = variables

    def __str__(self) -> str:
        text = catalogue().ugettext(self._string)
        return text % self._variables if self._variables else text

    def __html__(self) -> str:
        return self.__str__()

    def __len__(self) -> int:
        return len(self.__str__())

    def __bool__(self) -> bool:
        # gettext gives the source text for a missing or empty translation, so a text
        # without variables is never empty (`if field.label.text`); "" is the header.
        return True if self._string and not self._variables else bool(self.__str__())


def lazy_gettext(string: str, **variables) -> LazyText:
    """flask_babel.lazy_gettext, translated the quick way (LazyText)."""
    return LazyText(string, **variables)


_l = lazy_gettext
FALLBACK_NOTE = _l("Only available in Indonesian.")


# Jinja's newstyle gettext (what Flask-Babel installs), reading the request's catalogue
# directly: a page calls _() a hundred times or more, and Flask-Babel's way to the
# catalogue (domain, context, locale) was a third of each call. They take the evaluation
# context (autoescape or not), not the whole context as Jinja's own do: Jinja gives a
# function that takes the context a context of its own (`Context.derived`, some 15
# calls) on every call made where a `{% set %}` of the block or loop is in scope.
@pass_eval_context
def _jinja_gettext(__eval_ctx, __string: str, **variables):
    rv = catalogue().ugettext(__string)
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  (our own catalogue, as Jinja's newstyle gettext does)
    # Formatting with nothing (Markup's % goes through its escaping helper, a third of
    # the call) gives the text back unless it holds a "%" ("%%" becomes "%").
    return _formatted(rv, variables) if variables or "%" in rv else rv


def _formatted(rv, variables: dict):
    """`rv % variables`. A Markup text whose values are all whole numbers (the counts of
    ngettext) is formatted as a str: the same text (a number has nothing to escape)
    without Markup's escaping helper around each value (some 15 Python calls)."""
    if type(rv) is Markup:
        for value in variables.values():
            if type(value) is not int:
                return rv % variables
        return str.__new__(Markup, str.__mod__(rv, variables))
    return rv % variables


@pass_eval_context
def _jinja_ngettext(__eval_ctx, __singular: str, __plural: str, __num: int, **variables):
    variables.setdefault("num", __num)
    rv = catalogue().ungettext(__singular, __plural, __num)
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704  (our own catalogue, as Jinja's newstyle gettext does)
    return _formatted(rv, variables)


def _bound(lookup):
    @pass_eval_context
    def translate(__eval_ctx, *args, **variables):
        if len(args) == 3:  # ngettext(singular, plural, n)
            variables.setdefault("num", args[2])
        rv = lookup(*args)
        if __eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704  (our own catalogue, as Jinja's newstyle gettext does)
        return _formatted(rv, variables) if variables or "%" in rv else rv

    return translate


def _babel_context() -> SimpleNamespace | None:
    """Flask-Babel's per-request state (its `_get_current_context`, which it asks on
    every gettext, lazy string and get_locale): the same namespace in `g`, found with
    one lookup of `g` instead of three. A form's select of 20 lazy labels asked 100
    times a page. None outside an app context, as Flask-Babel's own."""
    try:
        return g._flask_babel
    except AttributeError:
        state = g._flask_babel = SimpleNamespace()
        return state
    except RuntimeError:
        return None


def configure_i18n(app: Flask) -> None:
    flask_babel._get_current_context = _babel_context
    babel.init_app(app, locale_selector=select_locale)
    # One domain ("messages") for the whole portal; see _CachingDomain.
    babel.__dict__["domain_instance"] = _CachingDomain(
        domain=app.config.get("BABEL_DOMAIN", "messages")
    )
    # `_` is gettext itself, not the i18n extension's alias that looks gettext up in
    # the context and calls it (two calls through the context for every _()).
    app.jinja_env.globals.update(gettext=_jinja_gettext, ngettext=_jinja_ngettext, _=_jinja_gettext)

    @app.context_processor
    def _bound_gettext():
        # Each page's _() and ngettext() bound to the request's catalogue, found once
        # per render; macros imported without context use the globals above.
        try:
            found = catalogue()
        except RuntimeError:
            return {}
        gettext = _bound(found.ugettext)
        return {"gettext": gettext, "_": gettext, "ngettext": _bound(found.ungettext)}

    @app.after_request
    def _remember_language(response):
        get_locale()  # make sure the selector ran, even on a redirect
        chosen = g.get("set_lang_cookie")
        if chosen:
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=app.config.get("SESSION_COOKIE_SECURE", False),
                httponly=True,
            )
        if "Vary" in response.headers:
            response.vary.update(("Accept-Language", "Cookie"))
        else:  # what the update writes when there is no Vary yet, without parsing one
            response.headers["Vary"] = "Accept-Language, Cookie"
        return response

    app.jinja_env.globals.update(
        tr=localized,
        lang_query=lang_query,
        language_links=language_links,
        current_lang=current_lang,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        FALLBACK_NOTE=FALLBACK_NOTE,
    )
    app.jinja_env.filters.update(
        money=money, number=number, when=when, day=day, machine_time=machine_time
    )
