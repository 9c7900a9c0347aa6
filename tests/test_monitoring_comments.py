"""Comments on activities: only verified residents write and report them, a report
counts once per person, hidden comments show only their reason, staff moderate with
a reason given beside the field, and each route refuses the other roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import portal.models  # noqa: F401  (every model first: run alone, the mappers configure)
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.monitoring import services
from portal.monitoring.models import ActivityComment, ActivityCommentFlag
from portal.monitoring.services import comments

YEAR = village_today().year


@pytest.fixture
def activity(app, make_user):
    operator = make_user("operator")
    plan = services.save_plan(title_id="RPJMDes", first_year=YEAR - 1, actor=operator)
    data = dict(
        title_id="Sumur bor RT 3",
        year=YEAR,
        field="development",
        funds="village_fund",
        method="provider",
        status="in_progress",
        progress=40,
        weight=1,
    )
    return services.save_activity(plan.id, None, data, actor=operator)


def _verify(user):
    user.verification_status, user.verified_at = "verified", utcnow()
    db.session.commit()
    return user


def _verified(login_as):
    return _verify(login_as("resident"))


def test_only_verified_residents_comment_and_bad_input_stays_beside_the_field(
    app, client, login_as, make_user, activity
):
    url = f"/pemantauan/kegiatan/{activity.id}/komentar"
    login_as("resident")  # not verified
    assert client.post(url, data={"body": "Sumurnya sudah jalan"}).status_code == 422
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 0
    page = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert "Add comment" not in page and "Tambah komentar" not in page
    _verified(login_as)
    empty = client.post(url, data={"body": "   "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.get_data(as_text=True)
    long = client.post(url, data={"body": "x" * 2001})
    assert long.status_code == 422 and "x" * 2001 in long.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 0
    ok = client.post(url, data={"body": "Airnya sudah mengalir, terima kasih"})
    assert ok.status_code == 302
    page = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert "Airnya sudah mengalir" in page
    login_as("operator")
    assert client.post(url, data={"body": "Staf"}).status_code == 403


def test_a_report_counts_once_and_a_hidden_comment_shows_only_its_reason(
    app, client, login_as, make_user, activity
):
    author = _verify(make_user("resident"))
    comment = comments.add_comment(activity.id, author, "Kata-kata kasar untuk tetangga")
    reporter = _verified(login_as)
    flag_url = f"/pemantauan/komentar/{comment.id}/laporkan"
    assert client.post(flag_url).status_code == 302
    assert client.post(flag_url).status_code == 302
    assert comments.flag_comment(comment.id, reporter) is False
    assert db.session.get(ActivityComment, comment.id).flags_count == 1
    assert db.session.scalar(select(func.count(ActivityCommentFlag.id))) == 1

    login_as("auditor")
    assert "Kata-kata kasar" in client.get("/staf/pemantauan/komentar").get_data(as_text=True)
    hide_url = f"/staf/pemantauan/komentar/{comment.id}/sembunyikan"
    assert client.post(hide_url, data={f"c{comment.id}-reason": "Kasar"}).status_code == 403
    _verified(login_as)
    assert client.get("/staf/pemantauan/komentar").status_code == 403
    login_as("operator")
    bad = client.post(hide_url, data={f"c{comment.id}-reason": " "})
    assert bad.status_code == 422 and f'id="c{comment.id}-reason-error"' in bad.get_data(
        as_text=True
    )
    assert db.session.get(ActivityComment, comment.id).hidden_at is None
    ok = client.post(hide_url, data={f"c{comment.id}-reason": "Menghina tetangga"})
    assert ok.status_code == 302
    client.get("/keluar")
    page = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert "Kata-kata kasar" not in page and "Menghina tetangga" in page

    # Hidden by mistake: an editor shows it again, audited; auditors and residents cannot.
    unhide_url = f"/staf/pemantauan/komentar/{comment.id}/tampilkan"
    _verified(login_as)
    assert client.post(unhide_url).status_code == 403
    login_as("auditor")
    moderation = client.get("/staf/pemantauan/komentar?lang=en").get_data(as_text=True)
    assert "Hidden comments" in moderation and "Menghina tetangga" in moderation
    assert unhide_url not in moderation  # no button for a reader
    assert client.post(unhide_url).status_code == 403
    login_as("operator")
    assert unhide_url in client.get("/staf/pemantauan/komentar").get_data(as_text=True)
    assert client.post(unhide_url).status_code == 302
    shown = db.session.get(ActivityComment, comment.id)
    assert shown.hidden_at is None and shown.hidden_reason is None
    again = client.post(unhide_url + "?lang=en", follow_redirects=True)
    assert "This comment is not hidden." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "unhide_comment")) == 1
    client.get("/keluar")
    page = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert "Kata-kata kasar" in page


def test_comments_and_reports_are_rate_limited_per_account(
    app, client, login_as, make_user, activity
):
    app.config.update(RATELIMIT_COMMENT="2 per minute", RATELIMIT_FLAG="1 per minute")
    url = f"/pemantauan/kegiatan/{activity.id}/komentar"
    author = _verified(login_as)
    assert client.post(url, data={"body": "Pertama"}).status_code == 302
    assert client.post(url, data={"body": "Kedua"}).status_code == 302
    limited = client.post(url + "?lang=en", data={"body": "Ketiga"})
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
    assert db.session.scalar(select(func.count(ActivityComment.id))) == 2
    first, second = db.session.scalars(select(ActivityComment).order_by(ActivityComment.id))
    assert client.post(f"/pemantauan/komentar/{first.id}/laporkan").status_code == 302
    assert client.post(f"/pemantauan/komentar/{second.id}/laporkan").status_code == 429
    # Per account: a neighbour keeps a budget of their own.
    _verified(login_as)
    assert client.post(url, data={"body": "Tetangga"}).status_code == 302
    assert (
        author.id
        != db.session.scalars(
            select(ActivityComment.author_id).order_by(ActivityComment.id.desc())
        ).first()
    )


def test_a_milestone_photo_is_checked_by_content_and_public_from_its_date(
    app, client, login_as, activity
):
    from datetime import timedelta
    from io import BytesIO

    from portal.monitoring.models import Milestone
    from tests.procurement_helpers import png_bytes

    login_as("operator")
    url = f"/staf/pemantauan/kegiatan/{activity.id}/tonggak"
    today = village_today()
    fake = client.post(
        url,
        data={
            "on": today.isoformat(),
            "text_id": "Pengeboran selesai",
            "photo": (BytesIO(b"MZ\x90\x00 not a picture"), "sumur.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and 'id="photo-error"' in fake.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Milestone.id))) == 0
    for day, text in ((today, "Pengeboran selesai"), (today + timedelta(days=9), "Serah terima")):
        made = client.post(
            url,
            data={
                "on": day.isoformat(),
                "text_id": text,
                "photo": (BytesIO(png_bytes()), "sumur.png"),
            },
            content_type="multipart/form-data",
        )
        assert made.status_code == 302, made.get_data(as_text=True)
    done, later = db.session.scalars(select(Milestone).order_by(Milestone.on)).all()
    assert done.photo_file.endswith(".jpg")  # re-encoded, under a random name
    client.get("/keluar")
    page = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert f"/pemantauan/tonggak/{done.id}/foto" in page
    assert f"/pemantauan/tonggak/{later.id}/foto" not in page
    with client.get(f"/pemantauan/tonggak/{done.id}/foto") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert photo.data.startswith(b"\xff\xd8\xff")
    assert client.get(f"/pemantauan/tonggak/{later.id}/foto").status_code == 404


@pytest.mark.concurrency
def test_a_report_sent_six_times_at_once_counts_once(app, make_user, activity):
    import threading

    from portal.accounts.models import User

    author = _verify(make_user("resident"))
    reporter = _verify(make_user("resident"))
    comment = comments.add_comment(activity.id, author, "Komentar yang dilaporkan")
    ids = (comment.id, reporter.id)
    db.session.commit()
    barrier = threading.Barrier(6, timeout=60)
    outcomes, lock = [], threading.Lock()

    def run():
        with app.app_context():
            try:
                user = db.session.get(User, ids[1])
                db.session.commit()
                barrier.wait()
                result = "counted" if comments.flag_comment(ids[0], user) else "again"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("counted") == 1 and outcomes.count("again") == 5, outcomes
    db.session.expire_all()
    assert db.session.get(ActivityComment, comment.id).flags_count == 1
    assert db.session.scalar(select(func.count(ActivityCommentFlag.id))) == 1


def test_the_demo_has_residents_comments_and_last_years_snapshot(app, client):
    from portal.devdata import village as demo
    from portal.monitoring.models import NeedSnapshot

    demo.seed()
    shown = db.session.scalars(select(ActivityComment)).all()
    assert len(shown) == 2 and all("*" in c.author_label for c in shown)  # masked names
    page = client.get(f"/pemantauan/kegiatan/{shown[0].activity_id}").get_data(as_text=True)
    assert shown[0].body in page
    assert db.session.scalar(
        select(func.count(NeedSnapshot.id)).where(NeedSnapshot.year == YEAR - 1)
    )
    figure = services.measure("left_very_poor").compute(YEAR)
    assert figure.value is not None and figure.value > 0


def test_the_moderation_lists_are_plain_rows_read_in_two_statements(app, make_user, activity):
    """comments_to_moderate: the visible comments (the most reported first, then the
    newest) and the hidden ones (the latest hidden first), plain rows, two statements
    however many comments there are."""
    from tests.test_query_counts import counting

    author, operator = _verify(make_user("resident")), make_user("operator")
    made = [comments.add_comment(activity.id, author, f"Komentar {n}").id for n in range(4)]
    reporter = _verify(make_user("resident"))
    assert comments.flag_comment(made[1], reporter) is True
    comments.hide_comment(made[2], operator, "Kasar")
    comments.hide_comment(made[0], operator, "Menghina")
    db.session.expire_all()
    with counting(db.engine) as seen:
        shown, hidden = comments.comments_to_moderate()
    assert len(seen) == 2
    assert [c.id for c in shown] == [made[1], made[3]] and shown[0].flags_count == 1
    assert [c.id for c in hidden] == [made[0], made[2]]
    assert hidden[0].hidden_reason == "Menghina" and hidden[0].hidden_at is not None
