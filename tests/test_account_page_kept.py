""" "My account" keeps per worker what holds nothing of a person (the verification
section by its status, the forms' markup between their CSRF tokens): the page writes
what the template wrote before (its old parts are kept here), in both languages, for
every verification status, kept or made afresh; a refusal's note is never kept."""

from __future__ import annotations

import itertools
import re

import pytest
from flask import render_template_string
from flask_login import login_user

from portal.accounts.forms import ChangePasswordForm, LanguageForm
from portal.extensions import db
from portal.models_base import utcnow

# The template's verification section and the next heading before they were kept.
OLD_VERIFICATION = """{% if can('take_part') %}
<section>
<h2>{{ _("Verification") }}</h2>
{% include "accounts/_status.html" %}
{% if not user.is_verified %}<p><a href="{{ url_for('accounts.verify') }}">{{ _("Verify your account") }}</a></p>{% endif %}
{% if user.is_verified %}<p><a href="{{ url_for('change_requests.index') }}">{{ _("My household's record, and asking to change it") }}</a></p>{% endif %}
</section>
{% endif %}
<section>
<h2>{{ _("What the portal keeps about you") }}</h2>
"""  # noqa: E501  (the template's lines as they were)

# From the download link to the deletion's heading, as a GET wrote it.
OLD_FORMS = """{% from "_macros/ui.html" import csrf_input, field %}\
{% from "_macros/accounts.html" import password_fields %}\
<p><a class="button" href="{{ url_for('accounts.download_data') }}" download>{{ _("Download my data (JSON)") }}</a></p>
</section>
<section class="narrow">
<h2>{{ _("Change password") }}</h2>
<form method="post" action="{{ url_for('accounts.change_password') }}" novalidate>
  {{ csrf_input() if password_form is none else password_form.csrf_token }}
  {% if password_form is none %}{% call kept_fragment("old-password-fields") %}{{ password_fields(new_password_form()) }}{% endcall %}{% else %}{{ password_fields(password_form) }}{% endif %}
  <button type="submit">{{ _("Change password") }}</button>
</form>
<h2>{{ _("Language") }}</h2>
<form method="post" action="{{ url_for('accounts.change_language') }}" novalidate>
  {{ csrf_input() if language_form is none else language_form.csrf_token }}
  {%+ if language_form is none %}{% call kept_fragment("old-language-" ~ chosen_locale) %}{{ field(new_language_form().locale) }}{% endcall %}{% else %}{{ field(language_form.locale) }}{% endif +%}
  <button type="submit">{{ _("Save") }}</button>
</form>
<h2>{{ _("Delete my account") }}</h2>
"""  # noqa: E501  (the template's lines as they were)

NOTE = "Alasan <b>&\"' tidak cocok"
STATES = {
    "verified": {"verification_status": "verified", "verified_at": utcnow()},
    "rejected": {"verification_status": "rejected", "verification_note": NOTE},
    "pending": {
        "verification_status": "pending",
        "claimed_nik": "3201000000000001",
        "verification_requested_at": utcnow(),
    },
    "none": {},
}
CSRF = re.compile(r'<input name="csrf_token" type="hidden" value="[^"]*">')


def _blank(html: str) -> str:
    # The tests run without CSRF protection: a built form writes no token then.
    return CSRF.sub("", html)


_phones = itertools.count(1)


def _resident(make_user, status: str, **fields):
    user = make_user("resident", username=None, phone=f"+6281200{next(_phones):05d}", **fields)
    for name, value in STATES[status].items():
        setattr(user, name, value)
    db.session.commit()
    return user


def _login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _between(page: str, start: str, end: str) -> str:
    first = page.index(start)
    return page[first : page.index(end, first) + len(end)]


def _old(app, user, lang: str, source: str, **values) -> str:
    with app.test_request_context("/akun", headers={"Accept-Language": lang}):
        login_user(user)
        return render_template_string(source, user=user, **values)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_verification_section_is_the_old_one_for_each_status(app, client, make_user, lang):
    users = {status: _resident(make_user, status) for status in STATES}
    for _round in range(2):  # made afresh, then kept
        for status, user in users.items():
            _login(client, user)
            page = client.get("/akun", query_string={"lang": lang}).get_data(as_text=True)
            start = "<section>\n<h2>Verifi" if lang == "en" else "<section>\n<h2>Verifikasi"
            new = page[page.index(start) : page.index("<h3>")]
            old = _old(app, user, lang, OLD_VERIFICATION)
            assert new == old + "\n"  # a template's last newline is dropped
            assert f'data-status="{status}"' in new
    rejected = client.get("/akun?lang=en")  # the last logged in: "none"
    assert "tidak cocok" not in rejected.get_data(as_text=True)
    _login(client, users["rejected"])
    page = client.get("/akun").get_data(as_text=True)
    assert "Alasan &lt;b&gt;&amp;&#34;&#39; tidak cocok" in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_kept_forms_are_the_old_ones_in_each_chosen_language(app, client, make_user, lang):
    for locale in ("id", "en", None):
        user = _resident(make_user, "verified")
        user.locale = locale
        db.session.commit()
        _login(client, user)
        chosen = locale or lang
        old = _old(
            app,
            user,
            lang,
            OLD_FORMS,
            password_form=None,
            language_form=None,
            new_password_form=lambda: ChangePasswordForm(formdata=None),
            new_language_form=lambda chosen=chosen: LanguageForm(
                formdata=None, data={"locale": chosen}
            ),
            chosen_locale=chosen,
        )
        for _round in range(2):  # made afresh, then kept
            page = client.get("/akun", query_string={"lang": lang}).get_data(as_text=True)
            start = page.index('<p><a class="button" href="/akun/data.json"')
            end = page.index("</h2>\n", page.index('action="/akun/bahasa"')) + len("</h2>\n")
            new = page[start:end]
            assert _blank(new) == _blank(old) + "\n"  # a template's last newline is dropped
            assert f'<option selected value="{chosen}">' in new


def test_a_form_sent_back_with_errors_keeps_the_rest_of_the_page(app, client, make_user):
    user = _resident(make_user, "verified")
    _login(client, user)
    page = client.get("/akun?lang=en").get_data(as_text=True)
    sent = client.post(
        "/akun/sandi?lang=en",
        data={"current": "x", "password": "long enough <b>", "confirm": "other"},
    ).get_data(as_text=True)
    assert 'class="error"' in sent
    head = '<p><a class="button" href="/akun/data.json"'
    tail = '<form method="post" action="/akun/bahasa"'
    assert _blank(_between(sent, head, "novalidate>")) == _blank(
        _between(page, head, "novalidate>")
    )
    assert _blank(sent[sent.index(tail) :]) == _blank(page[page.index(tail) :])


def test_the_pages_statements_bind_no_list_expanded_when_run(app):
    """My account's and the new-broadcast page's statements bind every value on its own
    (portal.database.read then takes the driver's path on SQLite), and the open deletion
    request's status is in the SQL (bound, SQLite prepared the statement on every run:
    the value decides whether the partial index of open requests applies)."""
    from portal.accounts import residents
    from portal.complaints import account_data as complaints
    from portal.distribution import notices
    from portal.distribution.services import invitations

    statements = [
        residents._account_dates_statement(),
        complaints._statement(1),
        complaints._statement(2),
        invitations._any_invitation(),
        notices._choices_statement(),
    ]
    dialect = db.engine.dialect
    for statement in statements:
        compiled = statement.compile(dialect=dialect)
        assert not compiled.literal_execute_params and not compiled.post_compile_params
    assert "status = 'open'" in str(statements[0].compile(dialect=dialect))
