"""A proposal's page written by plain functions (portal/participation/proposal_html.py:
its head, the support box, the Report form's blank field and the comment section) is
what participation/proposal.html's and _support.html's Jinja wrote with the page's
WTForms forms, byte for byte, in both languages: hidden or shown, with or without RT/RW
and a meeting, for one who may act (supporting or not) and one who may not, with and
without comments; and the support box with a refused support's message."""

from __future__ import annotations

import itertools
from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.participation import proposal_html
from portal.participation.forms import CommentForm, FlagForm

# proposal.html's content block before its parts became functions, with _support.html
# as it was in place of its include (and "|" after it: a template's own last newline
# is dropped, a block's is not).
OLD = (
    '{% from "_macros/ui.html" import field %}'
    '{% from "_macros/comments.html" import comment_section with context %}'
    + """<p class="crumbs"><a href="{{ url_for('participation.proposals') }}">{{ _("Proposals") }}</a></p>
{% if proposal.is_hidden %}
<h1>{{ _("Hidden proposal") }}</h1>
<p class="notice">{{ _("Hidden by an operator: %(reason)s", reason=proposal.hidden_reason) }}</p>
{% else %}
<h1>{{ proposal.title }}</h1>
<p class="meta">{{ proposal_categories[proposal.category] }}{% if proposal.rt %} · RT {{ proposal.rt }}{% if proposal.rw %}/RW {{ proposal.rw }}{% endif %}{% endif %} · {{ _("by %(name)s", name=proposal.author_label) }} · {{ proposal.created_at|day }}</p>
<div class="prose">{{ proposal.description|markdown }}</div>
{% if proposal.meeting %}
<p class="notice notice-success">{{ _("On the agenda of:") }} <a href="{{ url_for('public.meeting', meeting_id=proposal.meeting.id) }}">{{ tr(proposal.meeting, 'title') }}</a>, {{ proposal.meeting.starts_at|when }}</p>
{% endif %}
<div id="support-box" class="pt-support">
  {% if error %}<p class="notice notice-error" role="alert">{{ error }}</p>{% endif %}
  <p><strong>{{ ngettext("%(num)d support", "%(num)d supports", proposal.supports_count) }}</strong> · {{ _("%(num)d needed for the meeting agenda", num=threshold) }}</p>
  {% if can_act %}
    {% if supported %}
    <p class="tag tag-ok">{{ _("You support this proposal.") }}</p>
    {% else %}
    <form method="post" action="{{ url_for('participation.support', proposal_id=proposal.id) }}" data-hx-post="{{ url_for('participation.support', proposal_id=proposal.id) }}" data-hx-target="#support-box" data-hx-swap="outerHTML">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <button type="submit">{{ _("Support") }}</button>
    </form>
    {% endif %}
  {% endif %}
</div>{% if can_act %}
<details class="pt-flag"><summary>{{ _("Report this proposal") }}</summary>
<form method="post" action="{{ url_for('participation.flag_proposal', target_id=proposal.id) }}">
  {{ flag_form.csrf_token }}
  {{ field(flag_form.reason) }}
  <button type="submit" class="secondary small">{{ _("Report") }}</button>
</form></details>
{% endif %}

{{ comment_section(comments, can_act, comment_form, url_for('participation.comment', proposal_id=proposal.id), 'participation.flag_comment', 'target_id') }}
{% endif %}
|"""  # noqa: E501
)
NEW = """<p class="crumbs"><a href="{{ url_for('participation.proposals') }}">{{ _("Proposals") }}</a></p>
{% if proposal.is_hidden %}
<h1>{{ _("Hidden proposal") }}</h1>
<p class="notice">{{ _("Hidden by an operator: %(reason)s", reason=proposal.hidden_reason) }}</p>
{% else %}
{{ proposal_head(proposal, url_for) }}{{ support_box(proposal, threshold, can_act, supported, none, url_for) }}{% if can_act %}
<details class="pt-flag"><summary>{{ _("Report this proposal") }}</summary>
<form method="post" action="{{ url_for('participation.flag_proposal', target_id=proposal.id) }}">
  <input name="csrf_token" type="hidden" value="{{ csrf_token() }}">
  {{ flag_reason_field() }}
  <button type="submit" class="secondary small">{{ _("Report") }}</button>
</form></details>
{% endif %}

{% if comment_form is none %}{% set comments_html = proposal_comments(comments, can_act, proposal.id, url_for) %}{% else %}{% from "_macros/comments.html" import comment_section with context %}{% set comments_html = comment_section(comments, can_act, comment_form, url_for('participation.comment', proposal_id=proposal.id), 'participation.flag_comment', 'target_id') %}{% endif %}
{{ comments_html }}
{% endif %}
|"""  # noqa: E501
OLD_SUPPORT = """<div id="support-box" class="pt-support">
  {% if error %}<p class="notice notice-error" role="alert">{{ error }}</p>{% endif %}
  <p><strong>{{ ngettext("%(num)d support", "%(num)d supports", proposal.supports_count) }}</strong> · {{ _("%(num)d needed for the meeting agenda", num=threshold) }}</p>
  {% if can_act %}
    {% if supported %}
    <p class="tag tag-ok">{{ _("You support this proposal.") }}</p>
    {% else %}
    <form method="post" action="{{ url_for('participation.support', proposal_id=proposal.id) }}" data-hx-post="{{ url_for('participation.support', proposal_id=proposal.id) }}" data-hx-target="#support-box" data-hx-swap="outerHTML">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <button type="submit">{{ _("Support") }}</button>
    </form>
    {% endif %}
  {% endif %}
</div>
"""  # noqa: E501
NEW_SUPPORT = "{{ support_box(proposal, threshold, can_act, supported, error, url_for) }}\n"
COMMENTS = [
    SimpleNamespace(
        id=3,
        is_hidden=False,
        hidden_reason=None,
        author_label="S**i & <A>",
        created_at=datetime(2026, 12, 1, 9),
        body="Setuju <sekali> & 'cepat'",
    ),
    SimpleNamespace(
        id=4,
        is_hidden=True,
        hidden_reason="Kasar & <tidak> sopan",
        author_label="B**i",
        created_at=datetime(2026, 12, 2, 9),
        body="x",
    ),
]


def _proposal(hidden: bool, where: bool, meeting: bool):
    return SimpleNamespace(
        id=1,
        is_hidden=hidden,
        hidden_reason="Iklan & <spam>" if hidden else None,
        title="Lampu <jalan> & 'gang'",
        category="infrastructure",
        rt=2 if where else None,
        rw=5 if where else None,
        author_label="K*****i & co",
        created_at=datetime(2026, 12, 6, 2, 0),
        description="Gang **gelap** <script>x</script>",
        meeting=SimpleNamespace(
            id=1,
            title_id="Musyawarah <Desa>",
            title_en=None,
            starts_at=datetime(2026, 12, 15, 2, 0),
        )
        if meeting
        else None,
        supports_count=1 if where else 5,
    )


CASES = list(
    itertools.product(
        (False, True),  # hidden
        (True, False),  # RT/RW, a meeting, comments
        ("supporting", "not yet", "may not act"),
    )
)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(("hidden", "full", "who"), CASES)
def test_the_proposal_page_writes_what_the_template_wrote(app, lang, hidden, full, who):
    app.config["WTF_CSRF_ENABLED"] = True  # the forms' token fields, as in production
    values = {
        "proposal": _proposal(hidden, full, full),
        "comments": COMMENTS if full else [],
        "supported": who == "supporting",
        "can_act": who != "may not act",
        "threshold": 10,
    }
    with app.test_request_context("/partisipasi/usulan/1", headers={"Accept-Language": lang}):
        app.preprocess_request()
        old = render_template_string(
            OLD, **values, comment_form=CommentForm(), flag_form=FlagForm()
        )
        new = render_template_string(
            NEW,
            **values,
            comment_form=None,
            flag_reason_field=proposal_html.flag_reason_field,
            proposal_comments=proposal_html.proposal_comments,
            proposal_head=proposal_html.proposal_head,
        )
    assert new == old
    if full and not hidden:
        assert "Lampu &lt;jalan&gt; &amp; &#39;gang&#39;" in new


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("error", [None, "Anda <sudah> mendukung & cukup"])
@pytest.mark.parametrize("supported", [True, False])
def test_the_support_box_is_what_the_fragment_wrote(app, lang, error, supported):
    values = {
        "proposal": _proposal(False, False, False),
        "supported": supported,
        "can_act": True,
        "threshold": 10,
        "error": error,
    }
    with app.test_request_context(
        "/partisipasi/usulan/1/dukung", headers={"Accept-Language": lang}
    ):
        app.preprocess_request()
        old = render_template_string(OLD_SUPPORT, **values)
        new = render_template_string(NEW_SUPPORT, **values)
    assert new == old
