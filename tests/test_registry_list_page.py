"""The registry list as it first opens reads its page of households, their members and
the filter menu's programmes in one statement (services.households_page with a list
for the programmes): the same rows, totals, summaries and programmes, in the same
order, as households_page and programmes_for_filter read them apart."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.registry import services
from portal.registry.services import Filters
from tests import factories
from tests.registry_helpers import household


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


def _counted(call):
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        return call(), len(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("with_programmes", [True, False])
def test_the_list_reads_its_programmes_with_its_households(with_programmes):
    from portal.devdata import registry as registry_demo

    if with_programmes:
        # Ids not in the names' order: the menu is by name (ids 1, 2, 3 -> Z, A, M).
        for slug, name in (("z", "Zakat Desa"), ("a", "Anak Sekolah"), ("m", "Makan Sehat")):
            factories.programme(slug=slug, name_id=name, name_en=f"{name} (en)")
    registry_demo.generate(40, seed=3)
    household(rt=9, rw=9)  # no members
    db.session.commit()
    expected = services.programmes_for_filter()
    assert [p.name_id for p in expected] == sorted(p.name_id for p in expected)
    for wanted in (Filters(), Filters(rt=9), Filters(q="a")):
        for page, per_page in ((1, 25), (2, 7), (99, 7), (1, 500)):
            old, members = services.households_page(wanted, page=page, per_page=per_page)
            programmes = []
            (new, together), statements = _counted(
                lambda w=wanted, p=page, n=per_page, out=programmes: services.households_page(
                    w, page=p, per_page=n, programmes=out
                )
            )
            assert new.items == old.items and together == members, (wanted, page)
            assert new.total == old.total and new.pages == old.pages, (wanted, page)
            assert [tuple(p) for p in programmes] == [tuple(p) for p in expected]
            for mine, theirs in zip(programmes, expected, strict=True):
                assert (mine.id, mine.name_id, mine.name_en) == (
                    theirs.id,
                    theirs.name_id,
                    theirs.name_en,
                )
            if wanted == Filters() and (page, per_page) == (1, 25):
                assert statements == 1  # households, members, count and programmes
