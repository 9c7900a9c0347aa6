"""Staff editing of public content: create, edit, publish, unpublish, with audit."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting
from tests import factories


def text(response) -> str:
    return response.get_data(as_text=True)


def test_operator_creates_publishes_and_unpublishes_an_announcement(client, login_as):
    user = login_as("operator")
    response = client.post(
        "/staf/pengumuman/baru",
        data={"title_id": "Jadwal baru", "body_id": "Isi **penting**", "category": "aid"},
    )
    assert response.status_code == 302
    item = db.session.scalars(select(Announcement)).one()
    assert item.published is False and item.author_id == user.id
    assert item.title_en is None  # an empty English field is stored as "no English"
    assert "Jadwal baru" not in text(client.get("/"))

    client.post(f"/staf/pengumuman/{item.id}/terbitkan")
    assert "Jadwal baru" in text(client.get("/"))

    client.post(f"/staf/pengumuman/{item.id}/tarik")
    assert "Jadwal baru" not in text(client.get("/"))

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "announcement")
    ).all()
    assert actions == ["create", "publish", "unpublish"]


def test_edit_keeps_published_state_and_records_before_and_after(client, login_as):
    login_as("admin")
    item = factories.announcement(title_id="Lama")
    response = client.post(
        f"/staf/pengumuman/{item.id}",
        data={"title_id": "Baru", "title_en": "New", "body_id": "Isi", "category": "general"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert item.title_id == "Baru" and item.title_en == "New" and item.published
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
    assert entry.before["title_id"] == "Lama" and entry.after["title_id"] == "Baru"


def test_english_version_is_shown_to_english_readers(client, login_as):
    item = factories.announcement(title_id="Judul", title_en="Title", body_en="English body")
    assert "English body" in text(client.get(f"/pengumuman/{item.id}?lang=en"))


def test_bad_input_is_explained_beside_the_field_and_kept(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/pengumuman/baru?lang=en",
        data={"title_id": "", "body_id": "Isi yang diketik", "category": "aid"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Please fill in this field." in page
    assert 'aria-invalid="true"' in page
    assert "Isi yang diketik" in page
    assert db.session.scalar(select(Announcement).limit(1)) is None


def test_a_blank_new_form_is_the_same_before_and_after_one_sent_back(client, login_as):
    """The blank form of a new item is kept per worker and kind (kept_fragment): a form
    sent back with an error shows what was typed, and the next blank one is blank."""
    login_as("operator")

    def form_part(path: str) -> str:
        page = text(client.get(path))
        return page[page.index('class="editor"') :].split("</form>")[0]

    blank = form_part("/staf/pengumuman/baru?lang=en")
    assert "Isi yang diketik" not in blank and "aria-invalid" not in blank
    assert blank != form_part("/staf/program/baru?lang=en")
    sent = client.post(
        "/staf/pengumuman/baru?lang=en",
        data={"title_id": "", "body_id": "Isi yang diketik", "category": "aid"},
    )
    assert "Isi yang diketik" in text(sent)
    assert form_part("/staf/pengumuman/baru?lang=en") == blank
    assert form_part("/staf/pengumuman/baru?lang=id") != blank


def test_too_long_and_wrong_type_values_are_refused_clearly(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/program/baru?lang=en",
        data={
            "name_id": "x" * 500,
            "slug": "Bukan Slug!",
            "aid_type": "food",
            "summary_id": "s",
            "eligibility_id": "e",
            "benefits_id": "b",
            "benefit_value": "banyak",
            "start_date": "2027-02-31",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "At most 160 characters." in page
    assert "lower-case letters" in page
    assert "Not a valid integer value." in page or "Not a valid integer" in page
    assert db.session.scalar(select(Programme).limit(1)) is None


def test_unknown_choice_is_refused(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/pengumuman/baru", data={"title_id": "J", "body_id": "I", "category": "hack"}
    )
    assert response.status_code == 200
    assert db.session.scalar(select(Announcement).limit(1)) is None


def test_duplicate_programme_address_is_a_field_error_not_a_500(client, login_as):
    login_as("operator")
    factories.programme(slug="paket-pangan")
    response = client.post(
        "/staf/program/baru?lang=en",
        data={
            "name_id": "Lain",
            "slug": "paket-pangan",
            "aid_type": "food",
            "summary_id": "s",
            "eligibility_id": "e",
            "benefits_id": "b",
        },
    )
    assert response.status_code == 200
    assert "Another programme already uses this address." in text(response)
    assert db.session.query(Programme).count() == 1


def test_meeting_time_is_entered_in_village_time_and_stored_in_utc(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/musyawarah/baru",
        data={
            "title_id": "Musdes",
            "kind": "musdes",
            "starts_at": "2027-01-10T09:00",
            "place": "Balai Desa",
            "agenda_id": "1. Pembukaan",
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalars(select(Meeting)).one()
    assert (meeting.starts_at.hour, meeting.starts_at.minute) == (2, 0)  # 09:00 WIB = 02:00 UTC
    form = text(client.get(f"/staf/musyawarah/{meeting.id}"))
    assert 'value="2027-01-10T09:00"' in form


def test_auditor_reads_lists_but_cannot_edit(client, login_as):
    login_as("auditor")
    item = factories.announcement()
    assert client.get("/staf/pengumuman/").status_code == 200
    assert client.get(f"/staf/pengumuman/{item.id}").status_code == 403
    assert client.post(f"/staf/pengumuman/{item.id}/tarik").status_code == 403


def test_unknown_kind_or_item_is_404(client, login_as):
    login_as("operator")
    assert client.get("/staf/rahasia/").status_code == 404
    assert client.get("/staf/pengumuman/999").status_code == 404
