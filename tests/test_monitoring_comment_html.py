"""An activity's comment section written by a plain function
(portal/comment_html.py) is what the shared macro wrote."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from flask import render_template_string

from portal.comment_html import comment_section_html
from portal.monitoring.comment_views import CommentForm

# The activity page's call of the shared macro before (templates/monitoring/_comments.html).
OLD = (
    '{% from "_macros/comments.html" import comment_section with context %}'
    "{{ comment_section(comments, can_act, comment_form, action, "
    "'monitoring_comments.flag', 'comment_id') }}"
)
COMMENTS = [
    SimpleNamespace(
        id=3,
        is_hidden=False,
        hidden_reason=None,
        author_label="S**i <A> & 'B'",
        created_at=datetime(2026, 8, 17, 23, 30, tzinfo=UTC),
        body='Jalan "rusak" & <berlubang>',
    ),
    SimpleNamespace(
        id=41,
        is_hidden=True,
        hidden_reason="Kasar <sekali> & 100%",
        author_label="X",
        created_at=datetime(2026, 1, 2),
        body="hidden",
    ),
    SimpleNamespace(
        id=5,
        is_hidden=False,
        hidden_reason=None,
        author_label="Warga",
        created_at=date(2025, 12, 31),
        body="Terima kasih\nbaris dua",
    ),
]


def test_comment_section_is_what_the_macro_wrote(app):
    app.config["WTF_CSRF_ENABLED"] = True  # as in use (tests turn it off): the token shown
    compared = 0
    try:
        for lang in ("id", "en"):
            with app.app_context(), app.test_request_context(f"/pemantauan/kegiatan/1?lang={lang}"):
                for comments in (COMMENTS, COMMENTS[:1], []):
                    for can_act in (True, False):
                        action = "/pemantauan/kegiatan/7/komentar"
                        old = render_template_string(
                            OLD,
                            comments=comments,
                            can_act=can_act,
                            comment_form=CommentForm(formdata=None) if can_act else None,
                            action=action,
                        )
                        ours = comment_section_html(
                            comments,
                            can_act,
                            CommentForm,
                            action,
                            "/pemantauan/komentar/{}/laporkan",
                        )
                        assert ours == old, (lang, len(comments), can_act)
                        assert ("Comments</h2>" in ours) is (lang == "en")
                        compared += 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert compared == 2 * 3 * 2
