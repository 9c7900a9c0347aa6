"""Deciding on likely duplicates through the staff pages: the list, the pair page, merge
and "not a duplicate", with reasons, the audit trail, errors beside the field and roles."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services
from portal.registry.models import DuplicateDecision, Enrolment, ExternalEnrolment, Person
from portal.registry.services.household_rows import PERSON_COLUMNS
from tests import factories
from tests.registry_helpers import household, person

TODAY = village_today()  # the services' today (WIB), also after 17:00 UTC
YEAR_START = date(TODAY.year, 1, 1)
LIST = "/staf/registrasi/duplikat"


def text(response) -> str:
    return response.get_data(as_text=True)


def audit(action: str, object_id=None) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == str(object_id))
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))


def pair_url(a, b, action: str = "") -> str:
    return f"{LIST}/{a.id}/{b.id}" + (f"/{action}" if action else "")


@pytest.fixture
def pair(app):
    """Siti in two households under two spellings, each record with its own enrolments."""
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    food = factories.programme()
    first, second = household(rt=3, rw=2), household(rt=7, rw=1)
    person(first, "Karto Wiyono")
    keep = person(
        first, "Siti Juariyah", born=date(1950, 3, 4), sex="female", relation="parent", nik=None
    )
    person(second, "Joko Susilo")
    drop = person(
        second, "Hj. Siti Djoeariah", born=date(1950, 3, 4), sex="female", relation="parent"
    )
    services.enrol(first, food.id, YEAR_START, actor=None)  # the household's, stays there
    own = services.enrol(first, health.id, date(TODAY.year - 1, 1, 1), actor=None, person=keep)
    village = services.enrol(second, health.id, YEAR_START, actor=None, person=drop)
    national = services.add_external(None, "PBI", YEAR_START, actor=None, person=drop)
    db.session.commit()
    return {
        "keep": keep,
        "drop": drop,
        "first": first,
        "second": second,
        "enrolments": [own[0].id, village[0].id],
        "national": national.id,
        "health": health,
    }


def test_list_shows_the_planted_demo_duplicates_with_masked_niks(client, login_as):
    from portal.devdata.registry import generate

    factories.programme()
    counts = generate(30, seed=5)
    db.session.commit()
    # Even a small demo village has a few duplicates to decide on.
    assert counts["duplicates"] >= 2
    pairs = services.likely_duplicates()
    assert len(pairs) >= counts["duplicates"]
    login_as("operator")
    page = text(client.get(f"{LIST}?lang=en"))
    for item in pairs:
        assert item.a.name in page and item.b.name in page
        assert pair_url(item.a, item.b) in page
        # The list masks NIKs; the full number is on the (audited) pair page only.
        assert item.a.nik not in page and item.a.nik[:4] + "********" in page
    assert "Compare and decide" in page


def test_pair_page_shows_both_records_in_full_and_is_audited(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    user = login_as("auditor")
    response = client.get(pair_url(keep, drop) + "?lang=en")
    assert response.status_code == 200
    page = text(response)
    assert "Siti Juariyah" in page and "Hj. Siti Djoeariah" in page
    assert drop.nik in page  # staff see the full NIK, and the opening is logged
    assert "PBI" in page and "Lansia" in page and "Paket Pangan" in page
    assert "RT/RW" in page and "007/001" in page
    views = [e for e in audit("view") if e.object_type == "person"]
    assert {e.object_id for e in views} == {str(keep.id), str(drop.id)}
    assert all(e.actor_id == user.id for e in views)
    # An auditor reads but is offered no way to decide.
    assert "/gabungkan" not in page and "/bukan-duplikat" not in page


def test_merging_through_the_page_keeps_every_enrolment_and_is_audited(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    operator = login_as("operator")
    page = text(client.get(pair_url(keep, drop) + "?lang=en"))
    assert 'name="merge-keep"' in page and "/gabungkan" in page and "/bukan-duplikat" in page

    response = client.post(
        pair_url(keep, drop, "gabungkan") + "?lang=en",
        data={"merge-keep": str(keep.id), "merge-reason": "Same woman: both family cards"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    listing = text(client.get(response.headers["Location"]))
    assert "is merged into Siti Juariyah" in listing
    assert pair_url(keep, drop) not in listing

    db.session.expire_all()
    for enrolment_id in pair["enrolments"]:
        assert db.session.get(Enrolment, enrolment_id).person_id == keep.id
    assert db.session.get(ExternalEnrolment, pair["national"]).person_id == keep.id
    dropped = db.session.get(Person, drop.id)
    assert dropped.merged_into_id == keep.id
    decision = db.session.scalar(select(DuplicateDecision))
    assert decision.decision == "merge" and decision.decided_by_id == operator.id
    assert decision.reason == "Same woman: both family cards"
    merge = audit("merge", keep.id)[0]
    assert merge.actor_id == operator.id and merge.summary == "Same woman: both family cards"
    assert merge.ip == "127.0.0.1"
    assert sorted(merge.after["enrolments_moved"]) == [pair["enrolments"][1]]
    assert audit("merged_into", drop.id)[0].actor_id == operator.id

    # The decided pair's page says so and offers nothing more to do.
    page = text(client.get(pair_url(keep, drop) + "?lang=en"))
    assert "This pair has already been decided: Same person: merged." in page
    assert "Reason: Same woman: both family cards" in page
    assert "/gabungkan" not in page


def test_the_other_record_can_be_the_one_that_stays(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    login_as("admin")
    response = client.post(
        pair_url(keep, drop, "gabungkan"),
        data={"merge-keep": str(drop.id), "merge-reason": "The record with the NIK stays"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, keep.id).merged_into_id == drop.id
    assert {db.session.get(Enrolment, i).person_id for i in pair["enrolments"]} == {drop.id}


def test_same_programme_twice_ends_the_duplicate_enrolment_instead_of_failing(
    client, login_as, pair
):
    keep, drop = pair["keep"], pair["drop"]
    # Both records enrolled in elderly care from the same day: one person cannot hold both.
    twin = services.enrol(pair["first"], pair["health"].id, YEAR_START, actor=None, person=keep)[0]
    login_as("operator")
    response = client.post(
        pair_url(keep, drop, "gabungkan"),
        data={"merge-keep": str(keep.id), "merge-reason": "Enrolled twice"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    doubled = db.session.get(Enrolment, pair["enrolments"][1])
    assert doubled.person_id == drop.id and doubled.period_end is not None  # kept, ended
    assert db.session.get(Enrolment, twin.id).person_id == keep.id
    merge = audit("merge", keep.id)[0]
    assert merge.after["enrolments_ended_as_duplicates"] == [doubled.id]


def test_not_a_duplicate_leaves_the_list_and_is_logged_with_the_reason(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    operator = login_as("operator")
    assert pair_url(keep, drop) in text(client.get(LIST))
    response = client.post(
        pair_url(keep, drop, "bukan-duplikat") + "?lang=en",
        data={"different-reason": "Two women, different mothers on the cards"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    listing = text(client.get(LIST + "?lang=en"))
    assert "are recorded as different people" in listing
    assert pair_url(keep, drop) not in listing
    assert services.likely_duplicates() == []
    decision = db.session.scalar(select(DuplicateDecision))
    assert (decision.decision, decision.reason) == (
        "not_duplicate",
        "Two women, different mothers on the cards",
    )
    logged = audit("not_duplicate")
    assert {e.object_id for e in logged} == {str(keep.id), str(drop.id)}
    assert all(e.summary == "Two women, different mothers on the cards" for e in logged)
    assert all(e.actor_id == operator.id for e in logged)
    db.session.expire_all()
    assert db.session.get(Person, drop.id).merged_into_id is None  # nothing merged


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "Please give a reason."), ("id", "Mohon isi alasannya.")],
)
def test_a_reason_is_required_and_the_error_sits_beside_the_field(
    client, login_as, pair, lang, message
):
    keep, drop = pair["keep"], pair["drop"]
    login_as("operator")
    merge = client.post(
        pair_url(keep, drop, "gabungkan") + f"?lang={lang}",
        data={"merge-keep": str(drop.id), "merge-reason": "   "},
    )
    assert merge.status_code == 200
    page = text(merge)
    error = re.search(r'<p class="error" id="merge-reason-error">([^<]*)</p>', page)
    assert error and error.group(1) == message
    assert 'aria-describedby="merge-reason-hint merge-reason-error"' in page
    # What was chosen is kept.
    assert re.search(rf'value="{drop.id}" checked', page)

    different = client.post(
        pair_url(keep, drop, "bukan-duplikat") + f"?lang={lang}", data={"different-reason": ""}
    )
    assert different.status_code == 200
    error = re.search(r'<p class="error" id="different-reason-error">([^<]*)</p>', text(different))
    assert error and error.group(1) == message
    assert db.session.scalar(select(DuplicateDecision)) is None
    assert audit("merge") == [] and audit("not_duplicate") == []


def test_the_record_that_stays_must_be_one_of_the_pair(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    other = person(pair["first"], "Someone Else", relation="child")
    login_as("operator")
    for choice in ({}, {"merge-keep": str(other.id)}):
        response = client.post(
            pair_url(keep, drop, "gabungkan") + "?lang=en",
            data={"merge-reason": "Same woman", **choice},
        )
        assert response.status_code == 200
        assert 'id="merge-keep-error">Choose the record that stays.</p>' in text(response)
    assert db.session.scalar(select(DuplicateDecision)) is None


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "This pair has already been decided: Different people."),
        ("id", "Pasangan ini sudah diputuskan: Orang yang berbeda."),
    ],
)
def test_a_pair_already_decided_is_an_error_not_a_500(client, login_as, pair, lang, message):
    keep, drop = pair["keep"], pair["drop"]
    services.decide_not_duplicate(keep, drop, actor=None, reason="Checked")
    login_as("operator")
    page = text(client.get(pair_url(keep, drop) + f"?lang={lang}"))
    assert message in page and "/gabungkan" not in page  # nothing left to decide
    # A second tab that was still open posts anyway.
    merge = client.post(
        pair_url(keep, drop, "gabungkan") + f"?lang={lang}",
        data={"merge-keep": str(keep.id), "merge-reason": "Same woman"},
    )
    assert merge.status_code == 200
    assert f'id="merge-reason-error">{message}</p>' in text(merge)
    again = client.post(
        pair_url(keep, drop, "bukan-duplikat") + f"?lang={lang}",
        data={"different-reason": "Again"},
    )
    assert f'id="different-reason-error">{message}</p>' in text(again)
    db.session.expire_all()
    assert db.session.get(Person, drop.id).merged_into_id is None
    assert len(db.session.scalars(select(DuplicateDecision)).all()) == 1


def test_a_record_already_merged_elsewhere_cannot_be_merged_again(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    third = person(
        pair["second"], "Siti Juariah", born=date(1950, 3, 4), sex="female", relation="other"
    )
    services.merge_persons(keep, drop, None, "Same woman")
    login_as("operator")
    response = client.post(
        pair_url(drop, third, "gabungkan") + "?lang=en",
        data={"merge-keep": str(third.id), "merge-reason": "Same woman again"},
    )
    assert response.status_code == 200
    assert "already been merged into another record" in text(response)
    db.session.expire_all()
    assert db.session.get(Person, third.id).merged_into_id is None


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Both sides are the same record: there is nothing to decide."),
        ("id", "Kedua sisi adalah data yang sama: tidak ada yang perlu diputuskan."),
    ],
)
def test_the_same_record_twice_is_an_error(client, login_as, pair, lang, message):
    keep = pair["keep"]
    login_as("operator")
    page = text(client.get(pair_url(keep, keep) + f"?lang={lang}"))
    assert message in page
    for action, data in (
        ("gabungkan", {"merge-keep": str(keep.id), "merge-reason": "x"}),
        ("bukan-duplikat", {"different-reason": "x"}),
    ):
        response = client.post(pair_url(keep, keep, action) + f"?lang={lang}", data=data)
        assert response.status_code == 200 and message in text(response)
    assert db.session.scalar(select(DuplicateDecision)) is None


def test_unknown_records_are_404(client, login_as, pair):
    login_as("operator")
    assert client.get(f"{LIST}/{pair['keep'].id}/999999").status_code == 404
    assert client.post(f"{LIST}/999999/{pair['keep'].id}/bukan-duplikat").status_code == 404


def test_auditor_reads_but_gets_403_on_the_decisions(client, login_as, pair):
    keep, drop = pair["keep"], pair["drop"]
    login_as("auditor")
    assert client.get(LIST).status_code == 200
    assert client.get(pair_url(keep, drop)).status_code == 200
    merge = client.post(
        pair_url(keep, drop, "gabungkan"),
        data={"merge-keep": str(keep.id), "merge-reason": "Same woman"},
    )
    different = client.post(pair_url(keep, drop, "bukan-duplikat"), data={"different-reason": "x"})
    assert merge.status_code == 403 and different.status_code == 403
    assert db.session.scalar(select(DuplicateDecision)) is None


@pytest.mark.parametrize("role", ["resident", "partner", "trainer"])
def test_residents_and_other_roles_get_403(client, login_as, pair, role):
    keep, drop = pair["keep"], pair["drop"]
    login_as(role)
    for method, url in (
        ("GET", LIST),
        ("GET", pair_url(keep, drop)),
        ("POST", pair_url(keep, drop, "gabungkan")),
        ("POST", pair_url(keep, drop, "bukan-duplikat")),
    ):
        assert client.open(url, method=method).status_code == 403, url


def test_anonymous_visitors_are_sent_to_login(client, pair):
    keep, drop = pair["keep"], pair["drop"]
    for method, url in (
        ("GET", LIST),
        ("GET", pair_url(keep, drop)),
        ("POST", pair_url(keep, drop, "gabungkan")),
        ("POST", pair_url(keep, drop, "bukan-duplikat")),
    ):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url
    assert db.session.scalar(select(DuplicateDecision)) is None


def test_household_page_links_its_duplicates_to_the_pair_page(client, login_as, pair):
    login_as("operator")
    page = text(client.get(f"/staf/registrasi/rumah-tangga/{pair['first'].id}?lang=en"))
    assert pair_url(pair["keep"], pair["drop"]) in page


def test_warnings_page_links_the_nik_mismatches_and_duplicates(client, login_as, pair):
    home = household(rt=9, rw=9)
    # The NIK encodes a man born on 1 January 1990 (a woman's day would be 41).
    wrong = person(home, "Ani Lestari", born=date(1990, 1, 1), sex="female", nik="1403090101900001")
    assert wrong.nik_warning
    login_as("auditor")
    page = text(client.get("/staf/registrasi/peringatan?lang=en"))
    assert "NIK disagrees with birth date or sex" in page
    assert f"/staf/registrasi/rumah-tangga/{home.id}" in page and "Ani Lestari" in page
    assert LIST in page


def test_service_refuses_a_second_decision_on_the_same_pair(pair):
    keep, drop = pair["keep"], pair["drop"]
    services.decide_not_duplicate(keep, drop, actor=None, reason="Different")
    with pytest.raises(services.DuplicateDecisionError):
        services.decide_not_duplicate(drop, keep, actor=None, reason="Again")
    with pytest.raises(services.DuplicateDecisionError):
        services.merge_persons(keep, drop, None, "Same after all")
    with pytest.raises(services.DuplicateDecisionError) as refused:
        services.decide_not_duplicate(keep, keep, actor=None, reason="x")
    assert refused.value.field is None
    with pytest.raises(services.DuplicateDecisionError) as empty:
        services.merge_persons(keep, person(pair["first"], "X", relation="child"), None, " ")
    assert empty.value.field == "reason"


def test_pair_page_lists_each_records_enrolments_oldest_first(client, login_as, pair):
    """Each side lists its village enrolments (its own and its household's), then its
    national ones, oldest first, each marked for the person or the household."""
    login_as("operator")
    page = text(client.get(pair_url(pair["keep"], pair["drop"]) + "?lang=en"))
    first, second = page.split('id="record-2-title"')
    first = first.split("<h3>Enrolments</h3>")[1]
    second = second.split("<h3>Enrolments</h3>")[1].split("</section>")[0]
    items = re.findall(r"<li>([^,]+),[^(]*\(([^)]*)\)", first)
    assert [label for _name, label in items] == ["for this person", "for the whole household"]
    assert items[0][0] == "Lansia"
    items = re.findall(r"<li>([^,]+),[^(]*\(([^)]*)\)", second)
    assert [name.split(" ")[0] for name, _label in items] == ["Lansia", "PBI"]
    assert {label for _name, label in items} == {"for this person"}


def test_the_warnings_pages_count_is_the_number_of_undecided_pairs(app):
    """likely_duplicate_count pairs the namesakes in SQL: the same number as the pairs
    `likely_duplicates` makes in Python, decided pairs and merged records left out, and
    at most `limit`."""
    homes = [household(rt=n, rw=1) for n in (1, 2, 3)]
    born, other = date(1950, 3, 4), date(1961, 8, 9)
    sitis = [
        person(home, "Siti Aminah", born=born, sex="female", relation="parent") for home in homes
    ]
    person(homes[0], "Joko Susilo", born=other)
    person(homes[1], "Joko Susilo", born=other)
    merged = person(homes[2], "Joko Susilo", born=other)
    person(homes[2], "Siti Aminah", born=other, sex="female", relation="parent")  # another day
    merged.merged_into_id = sitis[0].id
    db.session.add(
        DuplicateDecision(
            person_a_id=sitis[0].id, person_b_id=sitis[2].id, decision="not_duplicate"
        )
    )
    db.session.commit()
    assert len(services.likely_duplicates()) == 3  # Siti twice (of three), Joko once
    for limit in (1, 2, 3, 200):
        expected = len(services.likely_duplicates(limit))
        assert services.likely_duplicate_count(limit) == expected == min(3, limit)


def test_the_pair_page_reads_the_heads_names_with_the_records(app, pair):
    """pair_records names each household's head as Household.head does (the first
    member by id recorded as head and not merged; None without one)."""
    keep, drop, second = pair["keep"], pair["drop"], pair["second"]
    a, b, heads = services.pair_records(keep.id, drop.id)
    # Plain values (services/pair_page.py): each column as the record has it, the
    # household's address, KK number and RT/RW as the household record has them.
    for plain, record in ((a, keep), (b, drop)):
        for name in PERSON_COLUMNS:
            assert getattr(plain, name) == getattr(record, name), name
        assert plain.age_on(date(2026, 1, 1)) == record.age_on(date(2026, 1, 1))
        home, their_home = plain.household, record.household
        for name in ("id", "address", "kk_number", "rt_rw"):
            assert getattr(home, name) == getattr(their_home, name), name
    assert heads == {keep.household_id: "Karto Wiyono", drop.household_id: "Joko Susilo"}
    head = second.head
    head.merged_into_id = keep.id  # the head merged away: no head any more
    db.session.commit()
    db.session.expire_all()
    _a, _b, heads = services.pair_records(keep.id, drop.id)
    assert heads[drop.household_id] is None
    assert services.pair_records(keep.id, 10**6)[1] is None
    # Without a household: none, and no head named.
    drop.household_id = None
    db.session.commit()
    _a, homeless, heads = services.pair_records(keep.id, drop.id)
    assert homeless.household is None and homeless.household_id is None
    assert list(heads) == [keep.household_id]


# The pair page's title, head and foot as the template wrote them before they were kept
# per worker (templating.kept_fragment).
OLD_PAIR_PARTS = (
    '<title>{{ _("Compare two records") }} · {{ _("Recipient registry") }} · ',
    '<p class="crumbs"><a href="{{ url_for(\'registry.index\') }}">'
    '{{ _("Recipient registry") }}</a> › <a href="{{ url_for(\'registry.duplicates\') }}">'
    '{{ _("Likely duplicates") }}</a></p>\n<h1>{{ _("Compare two records") }}</h1>\n'
    '<p class="meta">{{ _("Your opening of these records is written to the audit log.") }}'
    "</p>\n\n",
    "<p><a href=\"{{ url_for('registry.duplicates') }}\">← "
    '{{ _("Back to the list of likely duplicates") }}</a></p>\n</main>',
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pair_pages_kept_parts_are_the_templates(app, client, login_as, pair, lang):
    from flask import render_template_string

    login_as("operator")
    url = pair_url(pair["keep"], pair["drop"]) + f"?lang={lang}"
    first, again = text(client.get(url)), text(client.get(url))
    assert first == again
    with app.test_request_context(url):
        parts = [render_template_string(part) for part in OLD_PAIR_PARTS]
    for part in parts:
        assert part in first, part
