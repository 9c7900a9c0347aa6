"""The admin's list of accounts (portal/accounts/staff_rows.py) writes what the
template's loop wrote."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.accounts.staff_rows import staff_rows
from portal.accounts.staff_views import ROLE_LABELS

# The template's loop before the rows became a function (accounts/staff_list.html),
# with `me` for current_user.id.
OLD_LOOP = """  {% for person in staff %}
    <tr id="account-{{ person.id }}">
      <td>{{ person.name }}</td>
      <td>{{ person.username or person.email or "" }}</td>
      <td>{{ role_labels.get(person.role, person.role) }}</td>
      <td>{% if person.active %}{{ _("Active") }}{% else %}<strong>{{ _("Switched off")\
 }}</strong>{% endif %}
        {% if person.id in paused %}· <strong>{{ _("Login paused after wrong passwords")\
 }}</strong>{% endif %}</td>
      <td>
        {% if not person.is_staff %}
          –
        {% elif person.has_second_factor %}
          {{ _("On") }} · {{ ngettext("%(num)d recovery code left", "%(num)d recovery\
 codes left", left[person.id]) }}
          {% if person.totp_locked_at %}· <strong>{{ _("Locked") }}</strong>{% endif %}
        {% else %}
          {{ _("Not set up yet") }}
        {% endif %}
      </td>
      <td>
        {% if person.id != me %}
        <form class="inline" method="post" action="{{\
 url_for('accounts.change_account_role', user_id=person.id) }}">
          <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
          <label class="visually-hidden" for="role-{{ person.id }}">{{ _("Role")\
 }}</label>
          <select id="role-{{ person.id }}" name="role">
            {% for key, label in role_choices %}
            <option value="{{ key }}"{% if key == person.role %} selected{% endif %}>{{\
 label }}</option>
            {% endfor %}
          </select>
          <button type="submit" class="small secondary">{{ _("Change role") }}</button>
        </form>
        <form class="inline" method="post" action="{{\
 url_for('accounts.set_account_active', user_id=person.id) }}">
          <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
          {% if person.active %}
          <input type="hidden" name="active" value="0">
          <button type="submit" class="small secondary">{{ _("Switch off") }}</button>
          {% else %}
          <input type="hidden" name="active" value="1">
          <button type="submit" class="small secondary">{{ _("Switch on") }}</button>
          {% endif %}
        </form>
        {% if person.totp_locked_at or person.id in paused %}
        <form class="inline" method="post" action="{{\
 url_for('accounts.unlock_second_factor', user_id=person.id) }}">
          <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
          <button type="submit" class="small secondary">{{ _("Unlock") }}</button>
        </form>
        {% endif %}
        {% if person.is_staff and (person.has_second_factor or person.totp_secret) %}
        <form class="inline" method="post" action="{{\
 url_for('accounts.reset_second_factor', user_id=person.id) }}">
          <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
          <button type="submit" class="small secondary">{{ _("Reset second step")\
 }}</button>
        </form>
        {% endif %}
        {% endif %}
      </td>
    </tr>
  {% endfor %}
"""

AT = datetime(2026, 8, 17, 3, 4, 5)


def _person(pid, role, **kw):
    values = {
        "id": pid, "name": "Siti & <Aminah>", "username": None, "email": None, "role": role,
        "active": True, "totp_locked_at": None, "totp_secret": None, "has_second_factor": False,
        "is_staff": role in ("operator", "admin", "auditor"),
    }  # fmt: skip
    values.update(kw)
    return SimpleNamespace(**values)


STAFF = [
    _person(1, "admin", username="me", has_second_factor=True, totp_secret="x"),
    _person(2, "operator", username="op'1", has_second_factor=True, totp_secret="x",
            totp_locked_at=AT),
    _person(3, "operator", email="a@b.id", totp_secret="x", active=False),
    _person(4, "partner", name='PT "Maju"', email="p@c.id"),
    _person(5, "trainer", username="t", active=False),
    _person(6, "auditor", username="au"),
    _person(7, "odd<role>", username="o"),
]  # fmt: skip
LEFT = {1: 8, 2: 1, 3: 0, 6: 0}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("paused", [set(), {2, 5}])
def test_staff_rows_write_what_the_template_wrote(app, lang, paused):
    with app.test_request_context("/staf/pengguna", headers={"Accept-Language": lang}):
        token = "tok&en"
        old = render_template_string(
            OLD_LOOP,
            staff=STAFF,
            left=LEFT,
            paused=paused,
            me=1,
            role_labels=ROLE_LABELS,
            role_choices=list(ROLE_LABELS.items()),
            csrf_token=lambda: token,
        )
        new = staff_rows(STAFF, LEFT, paused, 1, ROLE_LABELS, token)
    assert str(new) == old
    assert "Siti &amp; &lt;Aminah&gt;" in new and "/staf/pengguna/2/buka-kode" in new
