"""The round pages' reads (services.round_pages): the public page (/penyaluran/<id>) in
four statements on one connection, the staff page (/staf/penyaluran/<id>) in four, none
more for a round with more points, time slots and items; the public page's progress is
the one services.progress works out."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import update

from portal.distribution import services
from portal.distribution.models import DistributionRound
from portal.extensions import db
from tests.distribution_helpers import approved_round, draft_round
from tests.test_query_counts import counting


def _larger(version, operator):
    """A second round of the list with one more point, five more slots and an item."""
    round_ = draft_round(version, operator, formula=True)
    point = services.add_point(
        round_.id,
        name="Pos <RW> 9",
        address="Jl. Sembilan",
        opens_at=time(9),
        closes_at=time(12),
        actor=operator,
    )
    for n in range(5):
        services.add_slot(
            round_.id,
            point_id=point.id,
            rt=20 + n,
            rw=9,
            day=round_.starts_on + timedelta(days=n % 2),
            starts_at=time(8 + n),
            ends_at=time(9 + n),
            actor=operator,
        )
    services.add_item(
        round_.id, name_id="Gula", name_en="Sugar", unit="kg", quantity="2", actor=operator
    )
    return round_


def _statements(client, path: str) -> tuple[int, str]:
    client.get(path)  # a first request may fill a per-worker cache
    with counting(db.engine) as seen:
        page = client.get(path)
    assert page.status_code == 200, path
    return len(seen), page.get_data(as_text=True)


def test_round_pages_send_no_more_statements_for_a_larger_round(app, client, make_user):
    from tests.test_query_counts import _client

    small, version, operator, _head = approved_round(make_user, households=20)
    large = _larger(version, operator)
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == large.id).values(status="open")
    )
    db.session.commit()
    staff = _client(app, make_user("auditor"))
    resident = _client(app, make_user("resident"))
    for reader, path in ((resident, "/penyaluran/{}"), (staff, "/staf/penyaluran/{}")):
        few, _ = _statements(reader, path.format(small.id))
        more, page = _statements(reader, path.format(large.id))
        assert more == few, path
        assert "Pos &lt;RW&gt; 9" in page and "024/009" in page and "Gula" in page


def test_the_public_page_reads_the_progress_services_progress_works_out(app, make_user):
    round_, _version, _operator, _head = approved_round(make_user, households=20)
    round_id = round_.id  # loaded now
    with counting(db.engine) as seen:
        page = services.public_round_page(round_id)
    assert len(seen) == 4
    expected = services.progress(db.session.get(DistributionRound, round_id))
    shown = page.progress
    assert (shown.total, shown.by_rt, shown.by_point) == (
        expected.total,
        expected.by_rt,
        expected.by_point,
    )
    assert shown.cancelled == expected.cancelled and shown.total.due > 0
    assert [(i.item.id, i.due_milli, i.delivered_milli) for i in shown.items] == [
        (i.item.id, i.due_milli, i.delivered_milli) for i in expected.items
    ]
    assert [i.item.name_id for i in shown.items] == ["Beras", "Minyak goreng"]
    assert page.round.evaluation_survey_id is None  # no evaluation links a survey
    assert services.public_round_page(round_id + 1) is None
    with counting(db.engine) as seen:
        found = services.staff_round_page(round_id)
    assert len(seen) == 4 and found.progress.total == expected.total
    assert found.version.number == page.version.number == 1
