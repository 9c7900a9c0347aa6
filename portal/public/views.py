"""Public pages: read-only, open to everyone, light enough for a cheap phone."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from portal import cache
from portal.database import database_answers
from portal.extensions import db
from portal.htmx import render
from portal.programmes.models import Programme
from portal.public import cards, feed, services
from portal.public.meeting_cards import meeting_cards
from portal.public.models import ANNOUNCEMENT_CATEGORIES, Announcement, Meeting, Partner
from portal.security import public
from portal.urlargs import existing_page, page_arg

bp = Blueprint("public", __name__)
# Rendered pages are kept a few seconds for anonymous visitors (see portal/cache.py);
# a commit that changes what these pages show drops them on every worker.
cache.watch(Announcement, Programme, Meeting, Partner)


def query_arg() -> tuple[str, str | None]:
    """The ?q= search words, shortened to a sane length with a note saying so."""
    q = request.args.get("q", "").strip()
    if len(q) > services.MAX_QUERY:
        return q[: services.MAX_QUERY], _(
            "Your search was shortened to %(n)d characters.", n=services.MAX_QUERY
        )
    return q, None


@bp.route("/")
@public
@cache.cached_page
def home():
    return render_template(
        "public/home.html",
        announcements=services.latest_announcements(5),
        programmes=services.programmes(only_open=True),
        meetings=services.upcoming_meetings(limit=3),
        announcement_cards=cards.announcement_cards,
        programme_cards=cards.programme_cards,
        meeting_cards=cards.meeting_cards,
    )


@bp.route("/program")
@public
@cache.cached_page
def programmes():
    return render_template("public/programmes.html", programmes=services.programmes())


@bp.route("/program/<slug>")
@public
@cache.cached_page
def programme(slug: str):
    item = services.programme_by_slug(slug)
    if item is None:
        abort(404)
    return render_template("public/programme.html", programme=item)


@bp.route("/pengumuman")
@public
@cache.cached_page
def announcements():
    q, q_note = query_arg()
    category = request.args.get("kategori") or None
    if category is not None and category not in ANNOUNCEMENT_CATEGORIES:
        abort(404)
    pagination = existing_page(
        services.search_announcements(q, category, page_arg(), current_app.config["PAGE_SIZE"])
    )
    return render(
        "public/announcements.html",
        "public/_announcement_list.html",
        pagination=pagination,
        q=q,
        q_note=q_note,
        category=category,
        categories=ANNOUNCEMENT_CATEGORIES,
    )


@bp.route("/pengumuman/<int:announcement_id>")
@public
@cache.cached_page
def announcement(announcement_id: int):
    item = services.published_announcement(announcement_id)
    if item is None:
        abort(404)
    return render_template("public/announcement.html", item=item)


@bp.route("/musyawarah")
@public
@cache.cached_page
def meetings():
    upcoming, past = services.meetings_page()
    return render_template(
        "public/meetings.html", upcoming=upcoming, past=past, meeting_cards=meeting_cards
    )


@bp.route("/musyawarah/<int:meeting_id>")
@public
@cache.cached_page
def meeting(meeting_id: int):
    item = services.published_meeting(meeting_id)
    if item is None:
        abort(404)
    return render_template("public/meeting.html", meeting=item)


@bp.route("/mitra")
@public
@cache.cached_page
def partners():
    return render_template("public/partners.html", partners=services.partners())


@bp.route("/cari")
@public
@cache.cached_page
def search():
    q, q_note = query_arg()
    results = services.search_everything(q) if q else None
    return render_template("public/search.html", q=q, q_note=q_note, results=results)


@bp.route("/pengumuman.atom")
@public
@cache.cached_page
def announcements_feed():
    body = feed.announcements_atom(
        services.latest_announcements(30),
        feed_url=url_for("public.announcements_feed", _external=True),
        site_url=url_for("public.home", _external=True),
    )
    return current_app.response_class(body, mimetype="application/atom+xml")


@bp.route("/healthz")
@public
def healthz():
    if not database_answers(db.session):
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
