"""Page numbers in every paged list, public and staff: one rule (`portal.urlargs`). A page
that is not a whole number from 1, or that lies past the end, is "page not found": never
a 500 (a number too large for the database's integers was one) and never a silent page 1."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.forms import parse_amount
from portal.numbers import DB_INT_MAX, db_int, is_whole
from tests import factories
from tests.test_lists import published, village  # noqa: F401  (fixture)

BAD = ["0", "-1", "x", "1.5", "", "99999999999999999999"]

PUBLIC = ["/pengumuman?page={}", "/csr/?halaman={}", "/partisipasi/usulan?halaman={}"]
STAFF = [
    "/staf/audit/?page={}",
    "/staf/registrasi/?page={}",
    "/staf/pengaduan/?page={}",
]


def _assert_not_found(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, url


@pytest.mark.parametrize("url", PUBLIC)
def test_public_lists_refuse_bad_pages(client, url):
    factories.announcement()
    assert client.get(url.format(1)).status_code == 200
    for value in [*BAD, "999"]:
        _assert_not_found(client, url.format(value))


@pytest.mark.parametrize("url", STAFF)
def test_staff_lists_refuse_bad_pages(client, login_as, url):
    login_as("admin")
    assert client.get(url.format(1)).status_code == 200
    for value in BAD:
        _assert_not_found(client, url.format(value))


def test_recipient_board_and_working_list_refuse_bad_pages(
    village,  # noqa: F811
    make_user,
    client,
    login_as,
):
    period, version, *_ = published(village, make_user)
    board = f"/daftar-penerima/{period.id}?halaman={{}}"
    assert client.get(board.format(1)).status_code == 200
    pages = -(-version.households // 100)
    for value in [*BAD, str(pages + 1)]:
        _assert_not_found(client, board.format(value))
    login_as("admin")
    working = f"/staf/daftar-penerima/{period.id}?page={{}}"
    assert client.get(working.format(1)).status_code == 200
    for value in BAD:
        _assert_not_found(client, working.format(value))


HUGE = "99999999999999999999"


def test_ids_too_large_for_the_database_are_not_found(village, client, login_as):  # noqa: F811
    """In the path, the query string or a hidden form field: 404, not an overflow."""
    for url in (
        f"/daftar-penerima/{HUGE}",
        f"/daftar-penerima/1/versi/{HUGE}.pdf",
        "/daftar-penerima/2147483648",
        f"/csr/kebutuhan/{HUGE}",
        f"/partisipasi/usulan/{HUGE}",
    ):
        _assert_not_found(client, url)
    login_as("admin")
    _assert_not_found(client, f"/staf/pelatihan/kursus/baru?pledge={HUGE}")
    _assert_not_found(client, f"/staf/registrasi/rumah-tangga/{HUGE}")


def test_a_course_from_an_unknown_pledge_is_refused_beside_the_field(client, login_as):
    login_as("admin")
    data = {
        "title_id": "Pelatihan menjahit",
        "description_id": "Belajar menjahit.",
        "category": "sewing",
        "place": "Balai Desa",
        "priority_rule": "open",
        "trainer_id": "",
        "sponsor_company_id": "",
        "priority_programme_id": "",
    }
    for value in (HUGE, "2147483647"):
        response = client.post(
            "/staf/pelatihan/kursus/baru?lang=en", data={**data, "pledge_id": value}
        )
        assert response.status_code == 422, value
        assert "No pledge has this number." in response.get_data(as_text=True)
        assert 'value="Pelatihan menjahit"' in response.get_data(as_text=True)


def test_person_numbers_too_large_are_refused_beside_the_field(client, login_as, make_user):
    login_as("operator")
    response = client.post(
        "/staf/warga/baru?lang=en",
        data={"person_id": HUGE, "name": "", "phone": "0812 7777 0001", "locale": "id"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "No such person in the registry." in page and "0812 7777 0001" in page
    waiting = make_user("resident")
    waiting.verification_status = "pending"
    db.session.commit()
    response = client.post(f"/staf/warga/{waiting.id}/setujui?lang=en", data={"person_id": HUGE})
    assert response.status_code == 400
    assert "Choose the person in the registry." in response.get_data(as_text=True)


# "²" and "①" pass str.isdigit() but not int(): every typed number goes through
# portal.numbers.is_whole, so they are refused like any other non-number.
ODD_DIGITS = ["²", "①", "1²", "٣"]


def test_is_whole_and_db_int_take_only_the_digits_0_to_9():
    assert is_whole("0123456789") and not is_whole("") and not is_whole("-1")
    for odd in ODD_DIGITS:
        assert not is_whole(odd) and db_int(odd) is None
    assert db_int("42") == 42 and db_int(42) == 42
    assert db_int(True) is None and db_int(3.0) is None and db_int("0") is None
    assert db_int(str(DB_INT_MAX)) == DB_INT_MAX and db_int(DB_INT_MAX + 1) is None


@pytest.mark.parametrize("odd", ODD_DIGITS)
def test_odd_digits_in_typed_numbers_are_refused_not_a_500(client, odd):
    from tests.test_complaints import FORM

    factories.announcement()
    _assert_not_found(client, f"/pengumuman?page={odd}")
    _assert_not_found(client, f"/csr/?halaman={odd}")
    # The public complaint form: the RT is refused beside the field, the text kept.
    response = client.post(
        "/pengaduan?lang=en",
        data={**FORM, "rt": odd},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400  # this form's answer to bad input
    page = response.get_data(as_text=True)
    assert "Enter a number like 3 or 003." in page and FORM["description"] in page
    assert parse_amount(odd) is None
