"""`url_for` for templates, remembered per worker.

A page builds the same addresses on every request: the menu, the footer, the static
files, the links of its rows. Werkzeug's build costs some 10 µs a call; the address of
an endpoint with the same values is the same for every request to the same host,
scheme and script root, so templates get it from a bounded dictionary after the first
time. Anything else (a relative ".endpoint", `_external`, `_anchor` and the other `_`
options, values that cannot be a dictionary key, no request) goes to Flask's own
`url_for` every time.

Each render gets a `url_for` bound to its request (a context processor: the request is
looked up once per page, not once per link); the global one, for macros imported
without context, looks the request up on each call.

`scroll_table` is ui.html's scroll_table macro written in Python (a table that may be
wider than a phone scrolls inside a named, focusable region): `{% call
scroll_table(label) %}<table>...</table>{% endcall %}` as before, without a Jinja macro
call's some 50 Python calls for each of a page's tables.

`kept_fragment` does the same for parts of base.html that are the same markup for every
page of one endpoint, language and role (the main menu, the footer's links, the head's
links): `{% call kept_fragment("menu") %}...{% endcall %}` renders the block the first
time and then answers the kept markup. The key is the fragment's name, the language,
the host (addresses), the request's endpoint (which item is current) and the user's
role (which items show), so a block may use exactly those and nothing else: no user
name, no CSRF token, no query string, no flashed message.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable

import jinja2.runtime
from flask import Flask, request
from flask.globals import _cv_app, _cv_request
from flask.templating import Environment
from flask_login import current_user
from jinja2 import Template
from jinja2.runtime import Context
from jinja2.utils import _PassArg, internalcode
from markupsafe import Markup, escape
from markupsafe._speedups import _escape_inner

from portal.i18n import current_lang

MAX_KEPT = 4096
MAX_FRAGMENTS = 2048


class _Globals(ChainMap):
    """A template's globals: Jinja's ChainMap over the environment's, whose keys() is a
    set made in C. Every `{% from ... import %}` subtracts the imported template's
    globals' keys from the page's (Jinja's `_get_default_module`), and a ChainMap's
    KeysView tests each of some 60 names through Python (`__contains__`, `any()` and a
    generator): 250-380 calls an import, several imports a page."""

    def keys(self):  # type: ignore[override]
        return set().union(*self.maps)


class PortalContext(Context):
    """Jinja's template context with its `call` taking fewer steps.

    Compiled templates call every function through `Context.call` (each `_()`,
    `url_for`, macro and helper), which asks `hasattr` and `_PassArg.from_obj` twice and
    pops two keywords: seven Python calls around each call a page makes. This one
    answers the same (the `__call__` of a callable object is used when it takes the
    context; the context, evaluation context or environment goes first as the
    callable's `jinja_pass_arg` says; `_loop_vars`/`_block_vars` derive the context for
    a context-taking callable and are dropped; a StopIteration is an undefined value)
    with `getattr` alone (tests/test_templates.py renders each case with both)."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        if __debug__:
            __traceback_hide__ = True  # noqa: F841
        through = getattr(getattr(__obj, "__call__", None), "jinja_pass_arg", None)  # noqa: B004
        if through is not None:
            __obj, pass_arg = __obj.__call__, through
        else:
            pass_arg = getattr(__obj, "jinja_pass_arg", None)
        if pass_arg is not None:
            if pass_arg is _PassArg.context:
                if kwargs.get("_loop_vars"):
                    __self = __self.derived(kwargs["_loop_vars"])
                if kwargs.get("_block_vars"):
                    __self = __self.derived(kwargs["_block_vars"])
                args = (__self, *args)
            elif pass_arg is _PassArg.eval_context:
                args = (__self.eval_ctx, *args)
            elif pass_arg is _PassArg.environment:
                args = (__self.environment, *args)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class PortalTemplate(Template):
    """A template whose render's context copies its globals' two dictionaries in C.

    Jinja's `new_context` makes each render's variables as `dict(globals, **vars)`;
    with the globals a ChainMap that reads each of some 60 names through
    `ChainMap.__getitem__` (a Python call each, every render of every page)."""

    def new_context(self, vars=None, shared=False, locals=None):  # noqa: A002
        found = self.globals
        if shared or locals or type(found) is not _Globals or len(found.maps) != 2:
            return super().new_context(vars, shared, locals)
        own, common = found.maps
        parent = {**common, **own, **(vars or {})}
        return self.environment.context_class(
            self.environment, parent, self.name, self.blocks, globals=found
        )


class PortalEnvironment(Environment):
    """Flask's Jinja environment with `_Globals` as every template's globals, and the
    context and template classes above."""

    context_class = PortalContext
    template_class = PortalTemplate

    def make_globals(self, d):
        return _Globals({} if d is None else d, self.globals)


_new_str = str.__new__  # a Markup made without Markup.__new__'s Python steps


def fast_escape(s, /) -> Markup:
    """markupsafe.escape with the common cases first: a str escaped by markupsafe's own
    C function and made Markup directly, Markup itself (already safe), an int (nothing
    to escape). Jinja writes every `{{ value }}` of an autoescaped template through
    `escape`: markupsafe's costs 4-7 Python calls a value (a `hasattr` and Markup's
    `__new__`), this 1-2. Anything else goes to markupsafe (tests/test_templates.py
    compares the two)."""
    kind = type(s)
    if kind is str:
        return _new_str(Markup, _escape_inner(s))
    if kind is Markup:
        return s
    if kind is int:
        return _new_str(Markup, str(s))
    return escape(s)


def use_environment(app: Flask) -> None:
    """Make `app.jinja_env` a PortalEnvironment: before anything reads it (it is made
    once, on first use). Templates compiled from then on write their values through
    `fast_escape` (a compiled template takes `escape` from jinja2.runtime when it is
    loaded)."""
    if "jinja_env" in app.__dict__:
        raise RuntimeError("use_environment() after the Jinja environment was made")
    app.jinja_environment = PortalEnvironment
    jinja2.runtime.escape = fast_escape  # type: ignore[attr-defined]


def _request_key() -> tuple:
    environ = request.environ
    return (environ.get("HTTP_HOST"), environ.get("SCRIPT_NAME"), environ.get("wsgi.url_scheme"))


def configure(app: Flask) -> None:
    build = app.url_for
    kept: dict[tuple, str] = {}

    def remembered(where: Callable[[], tuple]) -> Callable[..., str]:
        def url_for(endpoint: str, **values) -> str:
            if endpoint[:1] == "." or any(name[:1] == "_" for name in values):
                return build(endpoint, **values)
            try:
                key = (where(), endpoint, *sorted(values.items()))
                return kept[key]
            except KeyError:
                pass
            except (TypeError, RuntimeError):  # an unhashable value; outside a request
                return build(endpoint, **values)
            url = build(endpoint, **values)
            if len(kept) >= MAX_KEPT:
                kept.clear()
            kept[key] = url
            return url

        return url_for

    app.jinja_env.globals["url_for"] = remembered(_request_key)

    @app.context_processor
    def _bound_url_for():
        try:
            here = _request_key()
        except RuntimeError:  # rendering outside a request (mail, PDF text)
            return {}
        return {"url_for": remembered(lambda: here)}

    _configure_fragments(app)


_FRAGMENT_BASE = "_portal_fragment_base"


def _fragment_key(name: str) -> tuple:
    # What a page's fragments share (host, endpoint, role) is worked out once per request
    # and kept on the request's context with the user it was worked out for: a page
    # writes three fragments or more, each lookup through the proxies cost ~50 calls.
    try:
        context = _cv_request.get()
        user = _cv_app.get().g.__dict__.get("_login_user")  # Flask-Login's, once loaded
    except LookupError:
        raise RuntimeError("kept_fragment outside a request") from None
    kept = context.__dict__.get(_FRAGMENT_BASE)
    if kept is None or user is None or kept[0] is not user:
        user = current_user._get_current_object()
        role = user.role if user.is_authenticated else None
        kept = (user, _request_key(), request.endpoint, role)
        setattr(context, _FRAGMENT_BASE, kept)
    return (name, current_lang(), *kept[1:])


def _configure_fragments(app: Flask) -> None:
    kept: dict[tuple, Markup] = {}

    def kept_fragment(name: str, caller: Callable[[], str]) -> Markup:
        try:
            key = _fragment_key(name)
            return kept[key]
        except KeyError:
            pass
        except RuntimeError:  # outside a request
            return escape(caller())
        # The block comes back as Markup (base.html is autoescaped): escape() keeps it.
        markup = escape(caller())
        if len(kept) >= MAX_FRAGMENTS:
            kept.clear()
        kept[key] = markup
        return markup

    app.jinja_env.globals["kept_fragment"] = kept_fragment
    app.jinja_env.globals["scroll_table"] = scroll_table
    app.jinja_env.globals["text"] = text


def scroll_table(label=None, labelledby=None, *, caller: Callable[[], str]) -> Markup:
    """A table's scrolling region: named by the heading whose id is `labelledby`, else by
    `label`; the markup ui.html's macro wrote (tests/test_templates.py compares them)."""
    if labelledby:
        named = f'aria-labelledby="{escape(labelledby)}"'
    else:
        named = f'aria-label="{escape(label)}"'
    body = caller()
    # The name escaped above; the body is the caller's markup, as the macro wrote it.
    return Markup(f'<div class="table-wrap" tabindex="0" role="region" {named}>\n{body}\n</div>')  # noqa: S704


def text(t) -> Markup:
    """A translated text (i18n.Localized) in its <span>, marked lang="id" when it fell back
    to Indonesian: the markup ui.html's `text` macro wrote (tests/test_templates.py
    compares them), for templates that do not import the macro (a call cost Jinja ~60
    Python calls, this 5)."""
    lang = ' lang="id"' if getattr(t, "fallback", False) else ""
    return Markup(f"<span{lang}>{escape(t)}</span>")  # noqa: S704  (escaped)
