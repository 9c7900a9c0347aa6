"""Library internals are overridden where the libraries offer no public hook; the
versions are pinned in pyproject.toml, and these tests fail if a release moves what the
overrides replace (so an upgrade cannot silently turn them into dead code)."""

from __future__ import annotations

import inspect

import flask_login.utils
from flask_login import LoginManager
from limits.storage import MemoryStorage

from portal.extensions import PortalLoginManager
from portal.limits_memory import SweepingMemoryStorage


def test_flask_login_still_has_the_steps_portal_login_manager_replaces():
    assert "_load_user" in vars(LoginManager)
    assert "_update_request_context_with_user" in vars(LoginManager)
    # Our _load_user is the one Flask-Login's current_user proxy calls.
    assert "login_manager._load_user()" in inspect.getsource(flask_login.utils._get_user)
    assert PortalLoginManager._load_user is not LoginManager._load_user


def test_limits_memory_storage_still_calls_the_method_sweeping_storage_replaces():
    assert "_MemoryStorage__schedule_expiry" in vars(MemoryStorage)
    assert "__schedule_expiry()" in inspect.getsource(MemoryStorage.incr)
    assert "_MemoryStorage__expire_events" in vars(MemoryStorage)
    replaced = SweepingMemoryStorage._MemoryStorage__schedule_expiry
    assert replaced is not MemoryStorage._MemoryStorage__schedule_expiry


def test_faster_html_params_writes_what_wtforms_writes():
    """portal/forms.py replaces WTForms' html_params (the widgets' attribute writer)
    with an f-string version: the output must stay byte for byte WTForms' own."""
    import wtforms.fields.core
    import wtforms.widgets
    import wtforms.widgets.core as widgets_core
    from markupsafe import Markup
    from wtforms import Form, SelectField, StringField
    from wtforms.fields.choices import SelectChoice

    from portal import forms

    assert widgets_core.html_params is forms.html_params
    assert "html_params(" in inspect.getsource(forms.wtforms_render_option)
    # Input and Button call their own class attribute (bound at WTForms' import), Label
    # the package's re-export.
    for widget in (widgets_core.Input, widgets_core.Button):
        assert "self.html_params(" in inspect.getsource(widget.__call__), widget
        assert widget.html_params is forms.html_params, widget
    assert "widgets.html_params(" in inspect.getsource(wtforms.fields.core.Label.__call__)
    assert wtforms.widgets.html_params is forms.html_params
    cases = [
        {"id": "x", "name": "nama", "value": 'a "quoted" <b>&</b>', "required": True},
        {"class_": "wide", "for_": "x", "data_hx_get": "/a?b=1&c=2", "aria_invalid": "true"},
        {"checked": False, "disabled": True, "value": 0, "size": 12, "title": Markup("<i>")},
        {"value": None, "placeholder": "Rp 1.500.000", "aria-describedby": "a-hint a-error"},
        {"onclick": "alert('x')", "data_value": "'\"'"},
        {"title": Markup('a "b" &amp;'), "alt": 'x"y', "hidden": True, "data_n": 3.5},
        {},
    ]
    for case in cases:
        ours, theirs = forms.html_params(**case), forms.wtforms_html_params(**case)
        assert ours == theirs and type(ours) is type(theirs), case

    class Sample(Form):
        name = StringField(default='<script>"x"</script>')
        kind = SelectField(
            choices=[SelectChoice("a", "A & B"), SelectChoice("b", '"Bee"')], default="b"
        )

    sample = Sample()
    html = str(sample.name()) + str(sample.kind()) + str(sample.name.label(class_="x"))
    widgets_core.html_params = forms.wtforms_html_params
    widgets_core.Input.html_params = staticmethod(forms.wtforms_html_params)
    wtforms.widgets.html_params = forms.wtforms_html_params
    try:
        expected = str(sample.name()) + str(sample.kind()) + str(sample.name.label(class_="x"))
    finally:
        widgets_core.html_params = forms.html_params
        widgets_core.Input.html_params = staticmethod(forms.html_params)
        wtforms.widgets.html_params = forms.html_params
    assert html == expected


def test_flask_babel_still_finds_its_request_state_through_the_replaced_function():
    """portal/i18n.py replaces flask_babel._get_current_context (three lookups of `g`
    on every gettext) with a one-lookup version keeping the same namespace."""
    import flask_babel
    from flask import Flask, g

    from portal.i18n import _babel_context

    for caller in (flask_babel.get_domain, flask_babel.get_locale, flask_babel.refresh):
        assert "_get_current_context()" in inspect.getsource(caller), caller
    original = inspect.getsource(flask_babel.Domain.get_translations)
    assert "_get_current_context()" in original
    assert _babel_context() is None  # outside an app context, as Flask-Babel's
    with Flask("x").app_context():
        state = _babel_context()
        assert state is g._flask_babel is _babel_context()


def test_faster_select_options_write_what_wtforms_writes():
    """portal/forms.py writes a select's <option>s with an f-string and works out the
    render_option a Select class uses once: the markup stays WTForms' own."""
    import warnings

    import wtforms.widgets.core as widgets_core
    from markupsafe import Markup
    from wtforms import Form, SelectField, SelectMultipleField
    from wtforms.fields.choices import SelectChoice

    from portal import forms

    assert "def _dispatch_render_option" in inspect.getsource(widgets_core.Select)
    choices = [
        SelectChoice("", "–"),
        SelectChoice("a", 'A & "B" <c>'),
        SelectChoice(3, Markup("<i>tiga</i>")),
        SelectChoice('x"y', ""),
        SelectChoice("z", "Zed", render_kw={"disabled": True}),
    ]

    class Sample(Form):
        one = SelectField(choices=choices, default="a")
        flag = SelectField(
            choices=[SelectChoice(True, "Ya"), SelectChoice(False, "Tidak")],
            coerce=bool,
            default=True,
        )
        many = SelectMultipleField(
            choices=[SelectChoice("p", "P"), SelectChoice("q", "Q")], default=["p", "q"]
        )

    sample = Sample()

    def written():
        return [str(sample.one()), str(sample.flag()), str(sample.many(class_="w"))]

    ours = written()
    assert 'selected value="a"' in ours[0] and "&lt;c&gt;" in ours[0]
    widgets_core.Select.render_option = classmethod(forms.wtforms_render_option)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no legacy-signature warning either way
            theirs = written()
    finally:
        widgets_core.Select.render_option = classmethod(forms._render_option)
    assert ours == theirs


def test_flags_listing_only_the_set_flags_renders_what_wtforms_renders(monkeypatch):
    """portal/forms.py answers dir(field.flags) with the flags set on the field; every
    widget's output must stay what it is with Python's own dir()."""
    import wtforms.fields.core
    from wtforms import (
        BooleanField,
        Form,
        IntegerField,
        SelectField,
        StringField,
        SubmitField,
        TextAreaField,
    )
    from wtforms.fields.choices import SelectChoice
    from wtforms.validators import DataRequired, Length, NumberRange, Optional

    import portal.forms  # noqa: F401  (installs the override)

    assert "__dir__" in vars(wtforms.fields.core.Flags)

    class Sample(Form):
        name = StringField("Name", [DataRequired(), Length(min=2, max=40)])
        note = TextAreaField("Note", [Optional(), Length(max=300)])
        age = IntegerField("Age", [NumberRange(min=0, max=120)])
        kind = SelectField(
            "Kind", [DataRequired()], choices=[SelectChoice("a", "A"), SelectChoice("b", "B")]
        )
        ok = BooleanField("OK")
        send = SubmitField("Send")

    def rendered() -> list[str]:
        form = Sample(data={"name": 'x"<y', "kind": "b", "age": 7})
        flags = [repr(field.flags) for field in form]
        plain = [str(field()) for field in form]
        return plain + [str(field(disabled=True)) for field in form] + flags

    ours = rendered()
    assert 'maxlength="40" minlength="2" name="name" required ' in ours[0]  # the flags written
    monkeypatch.delattr(wtforms.fields.core.Flags, "__dir__")
    assert rendered() == ours


def test_flask_asks_once_per_function_whether_it_is_a_coroutine(app, client, monkeypatch):
    """portal.remember_sync_checks: Flask's ensure_sync (documented as the method to
    override) answers each view, hook and context processor once, then from memory."""
    import flask.app

    asked = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda f: asked.append(f) or real(f))
    assert client.get("/?lang=en").status_code == 200
    first = len(asked)
    assert client.get("/?lang=en").status_code == 200
    assert client.get("/pengumuman?lang=id").status_code == 200
    assert len(asked) - first <= 1  # at most the new page's view

    def plain():
        return "x"

    assert app.ensure_sync(plain) is plain


def test_flask_wtf_still_calls_the_generate_csrf_portal_replaces(app):
    """portal/csrf_tokens.py replaces flask_wtf.csrf.generate_csrf: its forms and its
    context processor look the name up in that module at each call, its template global
    is taken at init_app (after the replacement)."""
    import flask_wtf.csrf

    from portal import csrf_tokens

    assert "return generate_csrf(" in inspect.getsource(flask_wtf.csrf._FlaskFormCSRF)
    init = inspect.getsource(flask_wtf.csrf.CSRFProtect.init_app)
    assert '"csrf_token": generate_csrf' in init and '["csrf_token"] = generate_csrf' in init
    assert flask_wtf.csrf.generate_csrf is csrf_tokens.generate_csrf
    assert app.jinja_env.globals["csrf_token"] is csrf_tokens.generate_csrf


def test_flask_limiter_still_has_the_step_portal_limiter_watches():
    """portal.extensions.PortalLimiter remembers the endpoints Flask-Limiter's own
    filtering step found no limit for: the step and its call must still be there."""
    from flask_limiter import Limiter

    from portal.extensions import PortalLimiter

    assert "_Limiter__filter_limits" in vars(Limiter)
    assert "self.__filter_limits(" in inspect.getsource(Limiter._check_request_limit)
    assert "_check_request_limit" in inspect.getsource(Limiter.init_app)
    assert PortalLimiter._Limiter__filter_limits is not Limiter._Limiter__filter_limits


def test_a_page_without_limits_is_checked_once_and_limited_views_every_time(
    app, client, monkeypatch
):
    """After the first request to a page no limit applies to, Flask-Limiter's check
    before the request is skipped for it; a view with a limit of its own (the login
    form, 10 a minute here) still refuses the request over its limit."""
    from flask_limiter import Limiter

    from portal.extensions import limiter

    looked = []
    real = Limiter._Limiter__filter_limits

    def counting(self, endpoint, *args, **kwargs):
        looked.append(endpoint)
        return real(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_Limiter__filter_limits", counting)
    for _ in range(3):
        assert client.get("/pengumuman").status_code == 200
    assert looked.count("public.announcements") == 1
    assert "public.announcements" in limiter._portal_unlimited

    app.config["RATELIMIT_LOGIN"] = "2 per minute"
    answers = [
        client.post("/masuk", data={"identifier": "nobody", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert answers[-1] == 429, answers
    assert looked.count("accounts.login") >= 4  # the view's own check, every time


def test_werkzeug_headers_still_keep_their_pairs_in_the_list_security_appends_to():
    """portal.security appends its fixed headers to `Headers._list` directly."""
    from werkzeug.datastructures import Headers

    headers = Headers([("Vary", "Cookie")])
    headers._list.append(("X-Frame-Options", "DENY"))
    assert headers.get("x-frame-options") == "DENY"
    assert list(headers.items()) == [("Vary", "Cookie"), ("X-Frame-Options", "DENY")]
    assert headers.to_wsgi_list() == [("Vary", "Cookie"), ("X-Frame-Options", "DENY")]


def test_templates_write_their_values_through_fast_escape(app):
    """portal.templating puts fast_escape in jinja2.runtime, where a compiled template
    takes `escape` from when it is loaded; the compiler still writes `escape(`."""
    import jinja2.compiler
    import jinja2.runtime

    from portal.templating import fast_escape

    assert "escape" in jinja2.runtime.exported
    assert 'self.write("escape(")' in inspect.getsource(jinja2.compiler.CodeGenerator)
    template = app.jinja_env.from_string("{{ x }}")
    assert template.root_render_func.__globals__["escape"] is fast_escape
    assert template.render(x="<b>&'\"") == "&lt;b&gt;&amp;&#39;&#34;"


def test_fast_escape_answers_what_markupsafe_answers():
    from flask_babel.speaklater import LazyString
    from markupsafe import Markup, escape

    from portal.templating import fast_escape

    class Html:
        def __html__(self):
            return "<i>kept</i>"

    class SubMarkup(Markup):
        pass

    values = [
        "", "plain", "<script>alert('x')</script>", 'a "q" & b', "é ü 中文 \x00",
        Markup("<b>safe</b>"), SubMarkup("<u>s</u>"), 0, -12, 10**30, True, False, None,
        1.5, Html(), LazyString(lambda: "<lazy>"), ["<l>"], b"<bytes>",
    ]  # fmt: skip
    for value in values:
        got, expected = fast_escape(value), escape(value)
        assert got == expected, value
        assert type(got) is type(expected) is Markup, value


def test_jinja_still_calls_and_makes_contexts_as_the_portal_classes_assume():
    """PortalContext.call mirrors Jinja 3.1's Context.call; PortalTemplate.new_context
    its Template.new_context with runtime.new_context's `dict(globals, **vars)`. A
    Jinja release that changes those steps fails here (and the template test compares
    the outputs)."""
    import jinja2.environment
    import jinja2.runtime

    call = inspect.getsource(jinja2.runtime.Context.call)
    for step in (
        "_PassArg.from_obj(__obj.__call__) is not None",
        'kwargs.get("_loop_vars")',
        'kwargs.get("_block_vars")',
        "args = (__self.eval_ctx,) + args",
        "args = (__self.environment,) + args",
        "except StopIteration:",
    ):
        assert step in call, step
    made = inspect.getsource(jinja2.environment.Template.new_context)
    assert "self.environment, self.name, self.blocks, vars, shared, self.globals, locals" in made
    assert "parent = dict(globals or (), **vars)" in inspect.getsource(jinja2.runtime.new_context)
    assert "environment.context_class(" in inspect.getsource(jinja2.runtime.new_context)


def test_the_kept_session_identifier_is_flask_logins_own(app, monkeypatch):
    """Flask-Login's session protection asks for the client's identifier on every
    logged-in request; the portal keeps it per X-Forwarded-For, address and browser,
    the three values Flask-Login's own reads: the same answer for each, bounded."""
    import flask_login.utils

    from portal import extensions
    from portal.extensions import kept_identifier, login_manager

    assert login_manager._session_identifier_generator is kept_identifier
    made = inspect.getsource(flask_login.utils._create_identifier)
    assert 'request.headers.get("User-Agent")' in made and "_get_remote_addr()" in made
    addr = inspect.getsource(flask_login.utils._get_remote_addr)
    assert 'request.headers.get("X-Forwarded-For", request.remote_addr)' in addr
    monkeypatch.setattr(extensions, "MAX_IDENTIFIERS", 3)
    extensions._IDENTIFIERS.clear()
    seen = set()
    for forwarded in (None, "203.0.113.9", "203.0.113.9, 10.0.0.1"):
        for remote in ("10.0.0.2", "10.0.0.3"):
            for agent in (None, "Mozilla/5.0 (Linux; Android 10)", "curl/8"):
                headers = {"X-Forwarded-For": forwarded} if forwarded else {}
                if agent:
                    headers["User-Agent"] = agent
                environ = {"REMOTE_ADDR": remote}
                with app.test_request_context("/", headers=headers, environ_base=environ):
                    first = kept_identifier()
                    assert first == kept_identifier() == flask_login.utils._create_identifier()
                    seen.add(first)
                assert len(extensions._IDENTIFIERS) <= 3
    # Without a forwarded address each address and browser its own (2 x 3); with one,
    # its first address stands for the client whatever the remote one (3 browsers).
    assert len(seen) == 2 * 3 + 3
