"""A milestone's photo (public from its date, /pemantauan/tonggak/<id>/foto), and
residents' comments on an activity (shown on its public page) with their moderation
under /staf/pemantauan/komentar. Thin: the rules are in services/comments.py."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from portal import cache
from portal.comment_html import comment_section_html
from portal.extensions import db, limiter
from portal.forms import EmptyForm, Form
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.monitoring import moderation_html
from portal.monitoring.models import FIELDS, FUNDS, Activity, ActivityComment, Milestone
from portal.monitoring.services import comments, photos
from portal.monitoring.services.common import MonitoringError
from portal.roles import EDITORS, READERS, RESIDENTS
from portal.security import public, roles_required
from portal.service_errors import show_error
from portal.uploads import mimetype_of

bp = Blueprint("monitoring_comments", __name__)
cache.watch(ActivityComment)


def _account_key() -> str:
    # Per account, as participation's comments: a resident gets no more by changing
    # networks, and neighbours on the village office's connection share no budget.
    return f"account:{current_user.id}" if current_user.is_authenticated else "anonymous"


# The same budgets as comments and reports on proposals, counted apart from them.
comment_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_COMMENT"],
    key_func=_account_key,
    scope="monitoring-comment",
)
flag_limit = limiter.limit(
    lambda: current_app.config["RATELIMIT_FLAG"], key_func=_account_key, scope="monitoring-flag"
)


class CommentForm(Form):
    body = TextAreaField(_l("Your comment"), validators=[Length(max=comments.MAX_BODY)])


class HideForm(Form):
    reason = StringField(_l("Reason, shown in place of the comment"))


@bp.context_processor
def _labels():
    # The activity page, shown again with a refused comment, needs its blueprint's labels.
    return {"activity_fields": FIELDS, "activity_funds": FUNDS}


@bp.app_template_global("activity_comments")
def _activity_comments(activity_id: int):
    return comments.comments_for(activity_id)


@bp.app_template_global("activity_comment_form")
def _activity_comment_form():
    if not comments.can_comment(current_user):
        return None
    return g.get("activity_comment_form") or CommentForm(formdata=None)


def activity_comment_html(activity_id: int):
    """The activity page's comment section written by portal/comment_html.py (the macro's
    markup), or None when the page shows a refused comment's form again (the macro
    writes that one)."""
    if g.get("activity_comment_form") is not None:
        return None
    flag_stem = url_for("monitoring_comments.flag", comment_id=0).replace("/0/", "/{}/")
    return comment_section_html(
        comments.comments_for(activity_id),
        comments.can_comment(current_user),
        CommentForm,
        url_for("monitoring_comments.comment", activity_id=activity_id),
        flag_stem,
    )


@bp.route("/pemantauan/kegiatan/<int:activity_id>/komentar", methods=["POST"])
@comment_limit
@roles_required(*RESIDENTS)
def comment(activity_id: int):
    if db.session.get(Activity, activity_id) is None:
        abort(404)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comments.add_comment(activity_id, current_user, form.body.data)
            flash(_("Your comment is published."), "success")
            return redirect(url_for("monitoring.activity", activity_id=activity_id) + "#comments")
        except MonitoringError as error:
            show_error(form, error)
    from portal.monitoring.views import activity

    g.activity_comment_form = form
    return activity(activity_id), 422


@bp.route("/pemantauan/tonggak/<int:milestone_id>/foto")
@public
def milestone_photo(milestone_id: int):
    """A milestone's photo, public from the milestone's date (as its text is)."""
    item = db.session.get(Milestone, milestone_id)
    if item is None or item.on > village_today():
        abort(404)
    path = photos.path_of(item.photo_file)
    if path is None:
        abort(404)
    return send_file(path, mimetype=mimetype_of(path), max_age=3600)


@bp.route("/pemantauan/komentar/<int:comment_id>/laporkan", methods=["POST"])
@flag_limit
@roles_required(*RESIDENTS)
def flag(comment_id: int):
    item = db.session.get(ActivityComment, comment_id)
    if item is None or not EmptyForm().validate_on_submit():
        abort(404 if item is None else 400)
    try:
        if comments.flag_comment(comment_id, current_user):
            flash(_("Thank you. The village office will look at it."), "success")
        else:
            flash(_("You have already reported it."), "info")
    except MonitoringError as error:
        flash(error.message, "error")
    return redirect(url_for("monitoring.activity", activity_id=item.activity_id) + "#comments")


def _hide_form(comment_id: int, formdata=None) -> HideForm:
    # One form per comment on the page: a prefix keeps its field's id apart.
    return HideForm(prefix=f"c{comment_id}", formdata=formdata)


def _moderation(forms=None, status=200):
    items, hidden = comments.comments_to_moderate()  # plain rows, in one go
    return (
        render_template(
            "monitoring/manage/comments.html",
            items=items,
            hidden=hidden,
            forms=forms or {},
            hide_form=_hide_form,
            moderation_lists=moderation_html.moderation_lists,
        ),
        status,
    )


@bp.route("/staf/pemantauan/komentar")
@roles_required(*READERS)
def moderation():
    return _moderation()


@bp.route("/staf/pemantauan/komentar/<int:comment_id>/sembunyikan", methods=["POST"])
@roles_required(*EDITORS)
def hide(comment_id: int):
    if db.session.get(ActivityComment, comment_id) is None:
        abort(404)
    form = HideForm(prefix=f"c{comment_id}")
    if form.validate_on_submit():
        try:
            comments.hide_comment(comment_id, current_user, form.reason.data)
            flash(_("The comment is hidden."), "success")
            return redirect(url_for(".moderation"))
        except MonitoringError as error:
            show_error(form, error)
    return _moderation({comment_id: form}, 422)


@bp.route("/staf/pemantauan/komentar/<int:comment_id>/tampilkan", methods=["POST"])
@roles_required(*EDITORS)
def unhide(comment_id: int):
    if db.session.get(ActivityComment, comment_id) is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        comments.unhide_comment(comment_id, current_user)
        flash(_("The comment is shown again."), "success")
    except MonitoringError as error:
        flash(error.message, "error")
    return redirect(url_for(".moderation"))
