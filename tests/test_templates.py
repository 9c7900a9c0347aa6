"""Rules for the templates themselves: htmx attributes, machine-readable times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from markupsafe import Markup

from portal.extensions import db
from portal.i18n import machine_time

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_machine_time_is_utc_with_z_and_milliseconds():
    # A naive time is a stored one (SQLite keeps UTC without a zone).
    assert machine_time(datetime(2026, 11, 29, 3, 6, 15, 120958)) == "2026-11-29T03:06:15.120Z"
    wib = timezone(timedelta(hours=7))
    assert machine_time(datetime(2026, 11, 29, 10, 6, 15, tzinfo=wib)) == (
        "2026-11-29T03:06:15.000Z"
    )
    assert machine_time(datetime(2026, 11, 29, 3, 6, tzinfo=UTC)) == "2026-11-29T03:06:00.000Z"
    assert machine_time(date(2026, 11, 29)) == "2026-11-29"
    assert machine_time(None) == ""


def test_every_datetime_attribute_goes_through_machine_time():
    found = []
    for path in _templates():
        for value in re.findall(r'datetime="([^"]*)"', path.read_text()):
            found.append(value)
            assert "|machine_time" in value, (path, value)
    assert found


def test_htmx_attributes_are_data_hx():
    """HTML has no hx-* attributes; htmx reads data-hx-* as well."""
    used = 0
    for path in _templates():
        text = path.read_text()
        assert not re.search(r"(?<![\w-])hx-[a-z-]+=", text), path
        used += len(re.findall(r"\bdata-hx-[a-z-]+=", text))
    assert used > 10


def test_the_csrf_header_for_htmx_is_on_body(app, client, login_as):
    login_as("operator")
    page = client.get("/staf/").get_data(as_text=True)
    match = re.search(r"<body data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", page)
    assert match, page[:800]


# --- status tags and the scrolling table wrapper -------------------------------------


def test_status_tags_name_label_and_colour_once(app):
    from portal import status_tags

    assert {
        "accounts.verification",
        "complaint",
        "csr.company",
        "csr.pledge",
        "publication",
        "registry.import_batch",
        "registry.import_row",
        "notify.message",
        "training.place",
    } <= set(status_tags.kinds())
    with app.test_request_context("/?lang=en"):
        tag = status_tags.status_tag_of("notify.message", "failed")
        assert (tag.label, tag.css_class) == ("Failed", "tag tag-danger")
        # A status without a tone gets the plain tag; an unknown one shows its key.
        assert status_tags.status_tag_of("complaint", "in_review").css_class == "tag"
        assert status_tags.status_tag_of("complaint", "lost").label == "lost"


def test_status_tags_refuse_tones_they_cannot_show():
    import pytest

    from portal import status_tags

    with pytest.raises(ValueError, match="without a label"):
        status_tags.register("test.kind", {"a": "A"}, {"b": "ok"})
    with pytest.raises(ValueError, match="unknown tones"):
        status_tags.register("test.kind", {"a": "A"}, {"a": "green"})
    assert "test.kind" not in status_tags.kinds()


def test_no_template_maps_a_status_to_a_colour_by_hand():
    pattern = re.compile(r"status\s*==\s*'[a-z_]+'\s*%\}\s*tag-|tag-ok' if|status_tags\[")
    for path in _templates():
        assert not pattern.search(path.read_text()), path


def test_the_status_tag_macro_renders_label_and_colour(app, client):
    from portal.devdata.complaints import DEMO_CODE, seed

    seed()
    from portal.extensions import db

    db.session.commit()
    page = client.get(f"/pengaduan/{DEMO_CODE}?lang=en").get_data(as_text=True)
    found = re.findall(r'<span class="(tag[a-z -]*)" data-status="([a-z_]+)">([^<]+)</span>', page)
    assert found, page
    css, status, label = found[0]
    assert css == {"received": "tag tag-info", "in_review": "tag"}.get(status, css), found
    assert label.strip()


def test_every_scrolling_table_comes_from_the_macro():
    for path in _templates():
        if path.relative_to(TEMPLATES).as_posix() == "_macros/ui.html":
            continue
        assert "table-wrap" not in path.read_text(), path


def test_the_scrolling_table_is_a_named_focusable_region(app, client, login_as):
    login_as("operator")
    page = client.get("/staf/pelatihan/laporan?lang=en").get_data(as_text=True)
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Per RT/RW">' in page


# --- names in Jinja's globals ----------------------------------------------------------

# What the portal adds to every template (docs/architecture.md, "Templates"). A feature's
# labels go to its own blueprint's templates through a context processor, or to the
# view's render arguments; statuses through status_tag. Growing this list is a decision.
CORE_GLOBALS = {
    "FALLBACK_NOTE",
    "LANGUAGE_NAMES",
    "aid_types",
    "can",  # capabilities (portal/roles.py): templates never name a role
    "categories",
    "current_lang",
    "excerpt",
    "form_field",  # the field() macro's markup, written in Python (portal/forms.py)
    "kept_fragment",  # base.html's menu, footer and head links (portal/templating.py)
    "scroll_table",  # ui.html's scroll_table, written in Python (portal/templating.py)
    "text",  # ui.html's text (a translated text's <span>), written in Python (the same)
    "lang_query",
    "language_links",  # base.html's language switch (portal/i18n.py)
    "meeting_kinds",
    "partner_kinds",
    "status_tag_of",
    "status_tag_html",  # ui.html's status_tag (portal/status_tags.py)
    "tr",
    "village_name",
}
FEATURE_GLOBALS = {
    # templates of both a feature's public and staff blueprints, or of another feature
    "complaints": {"complaint_categories", "complaint_steps", "format_code"},
    "csr": {
        "need_kinds",
        "pledge_statuses",
        "sectors",
        "csr_qty",
        "csr_need_qty",
        "csr_pledge_qty",
        "csr_bars",
    },
    "lists": {"objection_kinds", "objection_statuses"},
    "monitoring": {
        "activity_comment_form",
        "activity_comments",
        "figure_cell",
    },
    "participation": {
        "ballot_methods",
        "meeting_proposals",
        "proposal_categories",
        "support_box",  # _support.html, also the htmx answer (participation/proposal_html.py)
        "survey_form_html",  # two pages' survey form (participation/survey_html.py)
    },
    "registry": {"food_formula"},
    "training": {
        "priority_rules",
        "training_categories",
        "training_mask",
        "training_rule_text",
        "waitlist_position",
    },
}
EXTENSION_GLOBALS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
EXTENSION_GLOBALS |= {"csrf_token", "csrf_meta_tag"}


def test_the_names_in_jinja_globals_are_the_listed_ones(app):
    from flask import Flask

    added = set(app.jinja_env.globals) - set(Flask("plain").jinja_env.globals)
    listed = CORE_GLOBALS | EXTENSION_GLOBALS | set().union(*FEATURE_GLOBALS.values())
    assert added == listed, (sorted(added - listed), sorted(listed - added))


# --- kept fragments of base.html (portal.templating.kept_fragment) --------------------


def _menu(page) -> str:
    html = page.get_data(as_text=True)
    return html[html.index('<nav class="main-nav"') : html.index("</nav>", html.index("main-nav"))]


def _current(menu: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', menu)


def test_the_kept_menu_follows_role_language_and_page(app, make_user):
    """One worker keeps the menu per endpoint, language and role: the same page asked
    by an anonymous visitor, a resident, an operator and an officer, in both languages,
    shows each their own items, and the current item follows the page."""
    from tests.test_query_counts import _client

    clients = {None: app.test_client()}
    clients |= {role: _client(app, make_user(role)) for role in ("resident", "operator", "officer")}
    for _round in range(2):  # the second round is answered from the kept markup
        for lang, staff, account, point in (
            ("id", "Area Staf", "Akun saya", "Titik penyaluran"),
            ("en", "Staff area", "My account", "Distribution point"),
        ):
            menus = {role: _menu(client.get(f"/?lang={lang}")) for role, client in clients.items()}
            assert staff not in menus[None] and account not in menus[None]
            assert account in menus["resident"] and staff not in menus["resident"]
            assert staff in menus["operator"] and account not in menus["operator"]
            assert point in menus["officer"] and staff not in menus["officer"]
            assert point not in menus["resident"] and point not in menus[None]
            assert all(_current(menu) == ["/"] for menu in menus.values()), menus
        listing = _menu(clients["operator"].get("/pengumuman?lang=en"))
        assert _current(listing) == ["/pengumuman"] and "Announcements" in listing
        staff_page = _menu(clients["operator"].get("/staf/?lang=id"))
        assert _current(staff_page) == ["/staf/"] and "Area Staf" in staff_page


def test_a_fields_hint_argument_is_shown_and_tied_to_the_input(app):
    """field(f, hint=...) shows the hint (the evaluation form passes one) unless the
    field has a description of its own, and the input names it in aria-describedby."""
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        plain = StringField("Plain")
        described = StringField("Described", description="Its own words")

    page = '{% from "_macros/ui.html" import field %}{{ field(f, hint="Say it short") }}'
    with app.test_request_context():
        form = Form(meta={"csrf": False})
        plain = render_template_string(page, f=form.plain)
        described = render_template_string(page, f=form.described)
    assert '<p class="hint" id="plain-hint">Say it short</p>' in plain
    assert 'aria-describedby="plain-hint"' in plain
    assert "Its own words" in described and "Say it short" not in described


def test_kept_fragments_hold_nothing_of_a_person_or_a_form():
    """A kept fragment is answered to everyone of the same role, page and language (its
    key): a block may use the role (is_authenticated, is_staff, can()) and the endpoint,
    never the person, a token, the session or the request's arguments (a blank form's
    fields may be kept, `if f.name != 'csrf_token'`: its CSRF token stays outside)."""
    forbidden = re.compile(
        r"current_user\.(?!is_authenticated\b|is_staff\b)|(?<![\x27\x22])csrf|\bsession[.[]|\bg\."
        r"|request\.(?!endpoint\b|blueprint\b)"
    )
    blocks = 0
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for block in re.findall(r"{%-? call kept_fragment\(.*?{%-? endcall", text, re.S):
            blocks += 1
            assert not forbidden.search(block), (path, forbidden.search(block).group())
    assert blocks >= 5


def test_the_staff_dashboard_keeps_its_cards_per_role_not_the_name_or_counts(app, make_user):
    from portal.public.models import Announcement
    from tests.test_query_counts import _client

    operator = make_user("operator", name="Operator Satu")
    admin = make_user("admin", name="Admin Dua")
    for _round in range(2):  # the second round is answered from the kept cards
        as_operator = _client(app, operator).get("/staf/?lang=en").get_data(as_text=True)
        as_admin = _client(app, admin).get("/staf/?lang=en").get_data(as_text=True)
        assert "Welcome, Operator Satu." in as_operator and "Welcome, Admin Dua." in as_admin
        assert "Staff accounts" in as_admin and "Staff accounts" not in as_operator
        assert "Audit log" in as_operator and "Audit log" in as_admin
    assert "0 published of 0" in as_operator
    db.session.add(Announcement(title_id="Baru", body_id="Isi", published=True))
    db.session.commit()
    page = _client(app, operator).get("/staf/?lang=id").get_data(as_text=True)
    assert "Area Staf" in page and "1 dari 1 sudah diterbitkan" in page


# templates/_macros/ui.html's field() as a Jinja macro, before it called form_field().
JINJA_FIELD = """{% macro field(f, hint=None) %}
{% set description = f.description or hint %}
{% set described = [] %}
{% if description %}{% do described.append(f.id ~ '-hint') %}{% endif %}
{% if f.errors %}{% do described.append(f.id ~ '-error') %}{% endif %}
<div class="field{% if f.errors %} has-error{% endif %}{% if f.type == 'BooleanField' %}\
 check{% endif %}">
  {% if f.type == 'BooleanField' %}
    {{ f(**({'aria-describedby': described|join(' ')} if described else {})) }} {{ f.label }}
  {% else %}
    {{ f.label }}
    {% set attrs = {} %}
    {% if described %}{% do attrs.update({'aria-describedby': described|join(' ')}) %}{% endif %}
    {% if f.errors %}{% do attrs.update({'aria-invalid': 'true'}) %}{% endif %}
    {% if f.flags.required %}{% do attrs.update({'required': True}) %}{% endif %}
    {{ f(**attrs) }}
  {% endif %}
  {% if description %}<p class="hint" id="{{ f.id }}-hint">{{ description }}</p>{% endif %}
  {% if f.errors %}<p class="error" id="{{ f.id }}-error">{{ f.errors|join(' ') }}</p>{% endif %}
</div>
{% endmacro %}"""


def test_the_field_macro_writes_what_the_jinja_macro_wrote(app):
    """field() is written in Python (portal.forms.form_field): for every kind of field,
    with and without a description, a hint, errors (plain, lazy, with markup characters)
    and `required`, in both languages, the markup is the Jinja macro's, byte for byte."""
    from flask import render_template_string
    from flask_wtf import FlaskForm
    from wtforms import BooleanField, SelectField, StringField, TextAreaField
    from wtforms.validators import InputRequired

    from portal.forms import choices
    from portal.i18n import lazy_gettext

    class Form(FlaskForm):
        name = StringField(lazy_gettext("Name"), validators=[InputRequired()])
        note = TextAreaField("Note <b>", description=lazy_gettext("Only available in Indonesian."))
        kind = SelectField("Kind", choices=choices({"a": 'A & "B"', "b": "B"}))
        agree = BooleanField("I agree", description="Say yes & mean it")
        plain = StringField("Plain")

    old = JINJA_FIELD + "{{ field(f, hint=hint) }}"
    new = '{% from "_macros/ui.html" import field %}{{ field(f, hint=hint) }}'
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            form = Form(meta={"csrf": False})
            for errors in ([], ["Wajib <diisi> & benar"], [lazy_gettext("Name"), "Kedua"]):
                for f in form:
                    f.errors = list(errors)
                    for hint in (None, "Tulis singkat & jelas"):
                        ours = render_template_string(new, f=f, hint=hint)
                        theirs = render_template_string(old, f=f, hint=hint)
                        assert ours == theirs, (f.name, errors, hint)
                        compared += 1
    assert compared == 2 * 3 * 5 * 2


def test_template_globals_keys_are_a_set_and_imports_reuse_their_module(app):
    """portal.templating.PortalEnvironment: a template's globals answer keys() with a
    set (Jinja subtracts it at every import), and still overlay the environment's."""
    env = app.jinja_env
    page = env.get_template("base.html")
    assert isinstance(page.globals.keys(), set)
    assert set(env.globals) <= page.globals.keys()
    own = env.from_string("{{ x }} {{ current_lang is defined }}", globals={"x": "mine"})
    assert own.render() == "mine True" and "x" not in env.globals
    # A page importing a macro file with the same globals gets its kept module back.
    macros = env.get_template("_macros/ui.html")
    importer = env.from_string('{% from "_macros/ui.html" import text %}{{ text("a") }}')
    with app.test_request_context("/"):
        importer.render()
        kept = macros._module
        importer.render()
        assert kept is not None and macros._module is kept


OLD_STATUS_TAG = (
    "{% macro status_tag(kind, status, id=None) -%}\n"
    '{% set t = status_tag_of(kind, status) %}<span class="{{ t.css_class }}" '
    'data-status="{{ status }}"{% if id %} id="{{ id }}"{% endif %}>{{ t.label }}</span>\n'
    "{%- endmacro %}"
)


def test_status_tag_writes_the_old_macros_markup_byte_for_byte(app):
    from portal.status_tags import _KINDS, kinds

    env = app.jinja_env
    old = env.from_string(OLD_STATUS_TAG + "{{ status_tag(kind, status, id) }}")
    new = env.from_string(
        '{% from "_macros/ui.html" import status_tag %}{{ status_tag(kind, status, id) }}'
    )
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for kind in kinds():
                for status in [*_KINDS[kind][0], "<unknown & new>"]:
                    for own_id in (None, "", 'tag-1"x'):
                        values = {"kind": kind, "status": status, "id": own_id}
                        assert new.render(**values) == old.render(**values), values
                        compared += 1
    assert compared > 300


def test_scroll_table_writes_the_macros_markup_byte_for_byte(app):
    """The global scroll_table (portal/templating.py) against ui.html's macro: named by a
    heading id or a label (escaped), or neither; the table inside as it was written."""
    env = app.jinja_env
    table = "<table><tr><td>{{ cell }}</td></tr></table>"
    body = "{% call scroll_table(**args) %}\n" + table + "\n{% endcall %}"
    old = env.from_string('{% from "_macros/ui.html" import scroll_table %}' + body)
    new = env.from_string(body)
    assert "from" not in body and env.globals["scroll_table"] is not None
    labels = [None, "", "Per RT/RW", 'A "quoted" <b>&</b>', Markup("<i>kept</i>")]
    compared = 0
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for label in labels:
                for labelledby in (None, "", "heading-1", 'x"<y>'):
                    for args in ({"label": label, "labelledby": labelledby}, {"label": label}):
                        values = {"args": args, "cell": "<& cell >"}
                        assert new.render(**values) == old.render(**values), args
                        compared += 1
    assert compared == 80
    positional = env.from_string("{% call scroll_table(name) %}x{% endcall %}")
    assert positional.render(name="Outbox") == (
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Outbox">\nx\n</div>'
    )


def test_text_writes_the_macros_markup_byte_for_byte(app):
    """The global text (portal/templating.py) against ui.html's macro: a translated text
    that fell back to Indonesian or not, plain strings, markup, nothing; escaped alike."""
    from jinja2.exceptions import UndefinedError

    from portal.i18n import Localized

    env = app.jinja_env
    body = "[{{ text(t) }}]"
    old = env.from_string('{% from "_macros/ui.html" import text %}' + body)
    new = env.from_string(body)
    assert "from" not in body and env.globals["text"] is not None
    values = [
        Localized('Bantuan "pangan" <b>&</b>', "id", True),
        Localized("Food aid <i>", "en", False),
        Localized("", "id", False),
        "plain <str> & more",
        Markup("<em>kept</em>"),
        None,
        0,
    ]
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for value in values:
                assert new.render(t=value) == old.render(t=value), value
            for template in (old, new):  # an undefined name: an error in both
                with pytest.raises(UndefinedError):
                    template.render()
    assert new.render(t=values[0]) == (
        '[<span lang="id">Bantuan &#34;pangan&#34; &lt;b&gt;&amp;&lt;/b&gt;</span>]'
    )


def test_a_fragment_key_follows_the_user_of_the_request(app, make_user):
    """The part of the key shared by a page's fragments is worked out once per request,
    for the user it was worked out for: a login in the middle of a request (the user
    changes) gives the fragments after it the new role."""
    from flask_login import login_user

    from portal.templating import _fragment_key

    resident = make_user("resident")
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        before = _fragment_key("menu")
        assert before[0] == "menu" and before[-1] is None
        assert _fragment_key("footer")[1:] == before[1:]
        login_user(resident)
        after = _fragment_key("menu")
        assert after[-1] == "resident" and after[:-1] == before[:-1]
    with pytest.raises(RuntimeError):
        _fragment_key("menu")


def _call_cases():
    """Templates calling every kind of callable Context.call distinguishes, and their
    globals: (source, globals of the template, variables)."""
    from jinja2 import pass_context, pass_environment, pass_eval_context

    @pass_context
    def seen(context, name):
        return f"{name}={context.get(name)}"

    @pass_eval_context
    def escaping(eval_ctx, text):
        return f"{text}:{eval_ctx.autoescape}"

    @pass_environment
    def env_name(environment):
        return type(environment.undefined).__name__

    class Counter:
        @pass_context
        def __call__(self, context, step=1):
            return context.get("start", 0) + step

    class Plain:
        def __call__(self, *args, **kwargs):
            return f"{args}{sorted(kwargs)}"

    def stops():
        raise StopIteration

    def keywords(**kwargs):
        return ",".join(sorted(kwargs))

    source = (
        "{% macro m(x) %}[{{ x }}{{ caller() if caller }}]{% endmacro %}"
        "{{ seen('start') }} {{ escaping('<b>') }} {{ env_name() }} {{ counter(step=2) }}"
        " {{ plain(1, a=2) }} {{ stops() is undefined }} {{ keywords(z=1, y=2) }}"
        "{% for item in items %}{% set inner = item %}{{ seen('inner') }}{{ keywords(k=item) }}"
        "{{ counter() }}{% call m(item) %}c{{ seen('inner') }}{% endcall %}{% endfor %}"
        "{% set start = 7 %}{{ seen('start') }}{{ counter() }}"
        "{% block b %}{% set kept = 5 %}{{ seen('kept') }}{% for item in items %}"
        "{% set inner = item %}{{ seen('inner') }}{% endfor %}{% endblock %}"
        " {{ shadowed }} {{ own }} {{ layered }} {{ m('<i>') }}"
    )
    common = {
        "seen": seen, "escaping": escaping, "env_name": env_name, "counter": Counter(),
        "plain": Plain(), "stops": stops, "keywords": keywords, "shadowed": "common",
        "layered": "common",
    }  # fmt: skip
    return source, common, {"own": "template", "shadowed": "template", "layered": "own"}


def test_the_portal_context_calls_as_jinjas_does(app):
    """PortalContext.call and PortalTemplate.new_context answer what Jinja's own do, for
    plain, context-, evaluation-context- and environment-taking callables, callable
    objects, macros with caller, loop and block variables, a StopIteration, an
    undefined callable, and template globals over the environment's under variables."""
    import jinja2

    from portal.templating import PortalContext, PortalEnvironment, PortalTemplate

    source, common, own = _call_cases()
    outputs = []
    for fast in (False, True):

        class Env(jinja2.Environment):
            make_globals = PortalEnvironment.make_globals
            if fast:
                context_class = PortalContext
                template_class = PortalTemplate

        for autoescape in (True, False):
            env = Env(autoescape=autoescape)
            env.globals.update(common)
            template = env.from_string(source, globals=own)
            assert (type(template) is PortalTemplate) is fast
            text = template.render(items=[1, "<x>"], start=3, shadowed="vars")
            with pytest.raises(jinja2.UndefinedError):
                env.from_string("{{ missing() }}").render()
            outputs.append(text)
    assert outputs[:2] == outputs[2:]
    assert "shadowed" not in outputs[0] and " vars template own " in outputs[0]
    assert "inner=&lt;x&gt;" in outputs[0] and "inner=<x>" in outputs[1]
    assert "kept=5" in outputs[0] and "start=78" in outputs[0]
    assert app.jinja_env.context_class is PortalContext
    assert app.jinja_env.template_class is PortalTemplate
