"""Public and residents' pages of participation (/partisipasi): ballots and results,
surveys, proposals with supports, comments and flags.

Anyone may read; only logged-in residents may act, and the services refuse those not
verified. Every action is a plain form POST; htmx swaps the answer in when present.

Public pages go through the page cache for anonymous visitors (portal.cache;
portal.participation.cache keeps them fresh; ballot and results pages at most
PARTICIPATION_RESULTS_SECONDS). Votes, supports, comments, flags and survey answers are
rate-limited per account (RATELIMIT_VOTE, RATELIMIT_SUPPORT, RATELIMIT_COMMENT,
RATELIMIT_FLAG, RATELIMIT_SURVEY_ANSWER; per address RATELIMIT_SURVEY_CODE for a survey
answered with an invitation's code); too many get a friendly 429 in the reader's
language (for htmx, a notice put at the top of the part of the page that was sent).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from portal import filecache
from portal.cache import cached_page
from portal.extensions import db, limiter
from portal.htmx import is_htmx, render
from portal.i18n import current_lang
from portal.numbers import is_whole
from portal.participation import cache as participation_cache
from portal.participation import identity as participation_identity
from portal.participation import proposal_html, services, survey_html
from portal.participation.forms import CommentForm, FlagForm, ProposalForm, SurveyCodeForm
from portal.participation.models import (
    METHODS,
    PROPOSAL_CATEGORIES,
    Ballot,
    Proposal,
    ProposalComment,
    Survey,
)
from portal.roles import RESIDENTS as RESIDENT
from portal.security import csrf_after_limits, public, roles_required
from portal.service_errors import show_error
from portal.urlargs import existing_page, page_arg

bp = Blueprint("participation", __name__, url_prefix="/partisipasi")


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        ballot_methods=METHODS,
        proposal_categories=PROPOSAL_CATEGORIES,
        meeting_proposals=services.meeting_proposals,
        support_box=proposal_html.support_box,
        survey_form_html=survey_html.survey_form_html,
    )
    participation_cache.listen()
    participation_identity.listen()


# --- rate limits --------------------------------------------------------------------------


def _account_key() -> str:
    # Per account: a resident cannot get more by changing networks, and neighbours who
    # share the village office's connection do not share one budget.
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address() or "unknown"


def _setting(name: str):
    return lambda: current_app.config[name]


vote_limit = limiter.limit(
    _setting("RATELIMIT_VOTE"), key_func=_account_key, scope="participation-vote"
)
support_limit = limiter.limit(
    _setting("RATELIMIT_SUPPORT"), key_func=_account_key, scope="participation-support"
)
comment_limit = limiter.limit(
    _setting("RATELIMIT_COMMENT"), key_func=_account_key, scope="participation-comment"
)
# One budget for reports of proposals and of comments.
flag_limit = limiter.shared_limit(
    _setting("RATELIMIT_FLAG"), scope="participation-flag", key_func=_account_key
)
answer_limit = limiter.limit(
    _setting("RATELIMIT_SURVEY_ANSWER"), key_func=_account_key, scope="participation-answer"
)


@bp.errorhandler(429)
def _too_many(error):
    message = _(
        "You have done this too often in a short time. Please wait a few minutes and try "
        "again. What you sent before is kept."
    )
    if is_htmx():
        # htmx does not swap an error answer in: send the notice as a 200 and put it at
        # the top of the part of the page the form replaces, which keeps the form.
        response = current_app.response_class(
            render_template("participation/_limited.html", message=message)
        )
        response.headers["HX-Reswap"] = "afterbegin"
    else:
        response = current_app.response_class(
            render_template(
                "errors/error.html", code=429, title=_("Too many attempts"), message=message
            ),
            status=429,
        )
    retry = getattr(error, "retry_after", None)
    if retry:
        response.headers["Retry-After"] = str(int(retry))
    return response


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


# --- overview ----------------------------------------------------------------------------


@bp.route("/")
@public
@cached_page
def index():
    all_ballots = services.ballots()
    return render_template(
        "participation/index.html",
        open_ballots=[b for b in all_ballots if b.is_open()],
        closed_ballots=[b for b in all_ballots if b.is_closed()][:5],
        surveys=services.open_surveys(),
        proposals=services.most_supported(5),
    )


# --- ballots ------------------------------------------------------------------------------


def _ballot_context(ballot: Ballot, error=None, chosen=None, saved=False):
    user = _user()
    can_vote = bool(user and user.role == "resident" and user.is_verified)
    mine = services.my_choice(ballot, user) if can_vote else []
    return {
        "ballot": ballot,
        "can_vote": can_vote,
        "mine": mine,
        "chosen": chosen if chosen is not None else mine,
        "error": error,
        "saved": saved,
        "show_results": services.results_visible(ballot),
        "results": services.results(ballot) if services.results_visible(ballot) else None,
    }


@bp.route("/pemungutan/<int:ballot_id>")
@public
@cached_page(seconds=participation_cache.results_seconds)
def ballot(ballot_id: int):
    # The ballot with its options (the page lists them): one statement.
    item = services.ballot_with_options(ballot_id)
    if item is None:
        abort(404)
    return render_template("participation/ballot.html", **_ballot_context(item))


@bp.route("/pemungutan/<int:ballot_id>/pilih", methods=["POST"])
@vote_limit
@roles_required(*RESIDENT)
def vote(ballot_id: int):
    # The service checks the choice against the worker's copy of the ballot's rules
    # (no query); the ballot itself is loaded only to show the page again.
    chosen = request.form.getlist("option")
    try:
        services.cast_vote(ballot_id, _user(), chosen)
    except services.UnknownBallot:
        abort(404)
    except services.ParticipationError as error:
        item = db.get_or_404(Ballot, ballot_id)
        picked = [int(c) for c in chosen if is_whole(c) and len(c) <= 10]
        context = _ballot_context(item, error=str(error.message), chosen=picked)
        if is_htmx():
            return render_template("participation/_ballot_box.html", **context)
        return render_template("participation/ballot.html", **context), 400
    if is_htmx():
        db.session.expire_all()
        item = db.get_or_404(Ballot, ballot_id)
        return render_template(
            "participation/_ballot_box.html", **_ballot_context(item, saved=True)
        )
    flash(_("Your vote is saved. You may change it until the ballot closes."), "success")
    return redirect(url_for("participation.ballot", ballot_id=ballot_id))


@bp.route("/pemungutan/<int:ballot_id>/hasil")
@public
@cached_page(seconds=participation_cache.results_seconds)
def results(ballot_id: int):
    item = db.get_or_404(Ballot, ballot_id)
    visible = services.results_visible(item)
    return render_template(
        "participation/results.html",
        ballot=item,
        visible=visible,
        results=services.results(item) if visible else None,
    )


@bp.route("/pemungutan/<int:ballot_id>/hasil.csv")
@public
@limiter.limit(filecache.download_limit)
def results_csv(ballot_id: int):
    item = db.get_or_404(Ballot, ballot_id)
    if not item.results_published:
        abort(404)
    return Response(
        services.results_csv(item, current_lang()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hasil-pemungutan-{item.id}.csv"},
    )


# --- surveys ------------------------------------------------------------------------------


def _survey_page(survey: Survey, errors=None, raw=None, status=200):
    user = _user()
    can_answer = bool(user and user.role == "resident" and user.is_verified)
    return render_template(
        "participation/survey.html",
        survey=survey,
        can_answer=can_answer,
        answered=can_answer and services.has_answered(survey, user),
        errors=errors or {},
        raw=raw or {},
    ), status


@bp.route("/survei/<int:survey_id>")
@public
def survey(survey_id: int):
    # The survey with its questions (the page shows them): one statement.
    item = services.survey_with_questions(survey_id)
    if item is None or item.status == "draft":
        abort(404)
    return _survey_page(item)


@bp.route("/survei/<int:survey_id>/jawab", methods=["POST"])
@answer_limit
@roles_required(*RESIDENT)
def answer(survey_id: int):
    item = db.get_or_404(Survey, survey_id)
    raw = {q.id: request.form.getlist(f"q{q.id}") for q in item.questions}
    try:
        errors = services.submit_response(item.id, _user(), raw)
    except services.ParticipationError as error:
        flash(str(error.message), "error")
        return redirect(url_for("participation.survey", survey_id=survey_id))
    if errors:
        return _survey_page(item, errors, raw, 400)
    flash(_("Thank you: your answers are saved."), "success")
    return redirect(url_for("participation.survey", survey_id=survey_id))


# --- a survey answered with an invitation's code (no account) ----------------------------

# One budget per address for every way of trying a code (the code form and the answers).
code_limit = limiter.shared_limit(
    _setting("RATELIMIT_SURVEY_CODE"), scope="participation-code", methods=["POST"]
)


def _code_page(form, status=200):
    return render_template("participation/code_survey.html", form=form), status


def _code_questions(form, respondent, survey, errors=None, raw=None, status=200):
    return render_template(
        "participation/code_survey.html",
        form=form,
        respondent=respondent,
        survey=survey,
        errors=errors or {},
        raw=raw or {},
    ), status


@bp.route("/kode", methods=["GET", "POST"])
@code_limit
@public
@csrf_after_limits
def code_survey():
    """The households a round invited answer its survey with the code on the invitation:
    the code first, then the questions (the code travels in a hidden field)."""
    form = SurveyCodeForm()
    if not form.validate_on_submit():
        return _code_page(form, 400 if form.errors else 200)
    try:
        respondent, item = services.survey_for_code(form.code.data)
    except services.ParticipationError as error:
        show_error(form, error, fallback="code")
        return _code_page(form, 400)
    return _code_questions(form, respondent, item)


@bp.route("/kode/jawab", methods=["GET", "POST"])
@code_limit
@public
@csrf_after_limits
def code_answer():
    if request.method == "GET":
        # The language switch on the questions links here: the code is not in the URL,
        # so the reader starts again from the code form, in the language chosen.
        return redirect(url_for("participation.code_survey"))
    form = SurveyCodeForm()
    if not form.validate_on_submit():
        return _code_page(form, 400)
    # The answers' fields are q<question id>; the service keeps those of its survey.
    raw = {
        int(key[1:]): request.form.getlist(key)
        for key in request.form
        if key[:1] == "q" and is_whole(key[1:]) and len(key) <= 10
    }
    try:
        respondent, item, errors = services.submit_coded_response(form.code.data, raw)
    except services.ParticipationError as error:
        show_error(form, error, fallback="code")
        return _code_page(form, 400)
    if errors:
        return _code_questions(form, respondent, item, errors, raw, 400)
    flash(_("Thank you: your answers are saved."), "success")
    return redirect(url_for("participation.code_survey"))


# --- proposals ----------------------------------------------------------------------------


@bp.route("/usulan")
@public
@cached_page
def proposals():
    sort = request.args.get("urut", "support")
    if sort not in services.SORTS:
        abort(404)
    category = request.args.get("kategori") or None
    if category is not None and category not in PROPOSAL_CATEGORIES:
        abort(404)
    pagination = existing_page(services.proposals_page(page_arg("halaman"), sort, category))
    return render(
        "participation/proposals.html",
        "participation/_proposal_list.html",
        pagination=pagination,
        sort=sort,
        category=category,
        threshold=services.support_threshold(),
    )


@bp.route("/usulan/baru", methods=["GET", "POST"])
@roles_required(*RESIDENT)
def new_proposal():
    form = ProposalForm()
    user = _user()
    if form.validate_on_submit():
        try:
            item = services.create_proposal(user, form.data)
        except services.ParticipationError as error:
            show_error(form, error)
        else:
            flash(_("Your proposal is published."), "success")
            return redirect(url_for("participation.proposal", proposal_id=item.id))
    status = 400 if form.errors else 200
    return render_template("participation/proposal_form.html", form=form, user=user), status


def _proposal_page(item: Proposal, comment_form=None, status=200, supported=None):
    user = _user()
    if supported is None:
        supported = services.has_supported(item, user) if user else False
    return render_template(
        "participation/proposal.html",
        proposal=item,
        comments=services.comments_for(item),
        supported=supported,
        can_act=bool(user and user.role == "resident" and user.is_verified),
        # A refused comment's form shown again; else none built (proposal_html writes).
        comment_form=comment_form,
        flag_reason_field=proposal_html.flag_reason_field,
        proposal_comments=proposal_html.proposal_comments,
        proposal_head=proposal_html.proposal_head,
        threshold=services.support_threshold(),
    ), status


@bp.route("/usulan/<int:proposal_id>")
@public
@cached_page
def proposal(proposal_id: int):
    user = _user()
    if user is None:
        return _proposal_page(db.get_or_404(Proposal, proposal_id))
    # The proposal and whether this account supports it: one statement.
    found = services.proposal_with_support(proposal_id, user)
    if found is None:
        abort(404)
    return _proposal_page(found[0], supported=found[1])


@bp.route("/usulan/<int:proposal_id>/dukung", methods=["POST"])
@support_limit
@roles_required(*RESIDENT)
def support(proposal_id: int):
    item = db.get_or_404(Proposal, proposal_id)
    error = None
    try:
        item = services.support(item.id, _user())
    except services.ParticipationError as exc:
        error = str(exc.message)
    if is_htmx():
        return render_template(
            "participation/_support.html",
            proposal=item,
            supported=True if error is None else services.has_supported(item, _user()),
            can_act=True,
            error=error,
            threshold=services.support_threshold(),
        )
    flash(error or _("Thank you for your support."), "error" if error else "success")
    return redirect(url_for("participation.proposal", proposal_id=proposal_id))


@bp.route("/usulan/<int:proposal_id>/komentar", methods=["POST"])
@comment_limit
@roles_required(*RESIDENT)
def comment(proposal_id: int):
    item = db.get_or_404(Proposal, proposal_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.add_comment(item.id, _user(), form.body.data)
        except services.ParticipationError as error:
            show_error(form, error, fallback="body")
        else:
            flash(_("Your comment is published."), "success")
            return redirect(
                url_for("participation.proposal", proposal_id=proposal_id) + "#comments"
            )
    return _proposal_page(item, form, 400)


@bp.route("/usulan/<int:target_id>/tandai", methods=["POST"])
@flag_limit
@roles_required(*RESIDENT)
def flag_proposal(target_id: int):
    return _flag("proposal", target_id)


@bp.route("/komentar/<int:target_id>/tandai", methods=["POST"])
@flag_limit
@roles_required(*RESIDENT)
def flag_comment(target_id: int):
    return _flag("comment", target_id)


def _flag(kind: str, target_id: int):
    form = FlagForm()
    if not form.validate_on_submit():
        abort(400)
    model = Proposal if kind == "proposal" else ProposalComment
    item = db.get_or_404(model, target_id)
    try:
        new = services.flag(kind, target_id, _user(), form.reason.data or "")
    except services.ParticipationError as error:
        flash(str(error.message), "error")
    else:
        if new:
            flash(_("Thank you: an operator will look at it."), "success")
        else:
            flash(_("You have already reported this."), "info")
    proposal_id = item.id if kind == "proposal" else item.proposal_id
    return redirect(url_for("participation.proposal", proposal_id=proposal_id))
