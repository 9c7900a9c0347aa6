"""Monitoring: the plan's progress worked out from its parts, one value per indicator
and year (also under concurrent requests), computed indicators equal to plain SQL
reference queries, no figure for a group under five, roles and bad input."""

from __future__ import annotations

import statistics
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

import portal.models  # noqa: F401  (every model first: run alone, the mappers configure)
from portal.complaints import services as complaints
from portal.complaints.models import Complaint
from portal.distribution.models import Entitlement
from portal.extensions import db
from portal.models_base import village_today
from portal.monitoring import services
from portal.monitoring.models import Activity, IndicatorValue
from tests.at_once import run_at_once
from tests.distribution_helpers import approved_round

YEAR = village_today().year


def _plan(operator):
    return services.save_plan(title_id="RPJMDes Duri Selatan", first_year=YEAR - 1, actor=operator)


def _activity(plan, operator, **over):
    data = dict(
        title_id="Pelatihan UMKM ibu-ibu",
        year=YEAR,
        field="empowerment",
        funds="village_fund",
        method="self_managed",
        status="in_progress",
        progress=None,
        weight=1,
    )
    data.update(over)
    return services.save_activity(plan.id, None, data, actor=operator)


def test_a_parents_progress_is_its_childrens_weighted_mean(app, make_user):
    operator = make_user("operator")
    plan = _plan(operator)
    parent = _activity(plan, operator, title_id="Jalan desa", progress=5)
    part = _activity(plan, operator, title_id="Ruas A", parent_id=parent.id, progress=100, weight=3)
    _activity(plan, operator, title_id="Ruas B", parent_id=parent.id, progress=20, weight=1)
    _activity(
        plan, operator, title_id="Ruas C", parent_id=parent.id, status="cancelled", progress=0
    )
    leaf = _activity(plan, operator, title_id="Posyandu", status="done")
    progress = {a.title_id: p for a, _d, p in services.activity_tree(plan)}
    assert progress["Jalan desa"] == 80  # (100*3 + 20*1) / 4, the cancelled part left out
    assert progress["Posyandu"] == 100 == db.session.get(Activity, leaf.id).progress
    with pytest.raises(services.MonitoringError) as refused:
        services.save_activity(
            plan.id, parent.id, {**_fields(parent), "parent_id": part.id}, actor=operator
        )
    assert refused.value.field == "parent_id"  # a part cannot hold its whole


def _fields(activity):
    return {k: getattr(activity, k) for k in services.ACTIVITY_FIELDS}


def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(app, make_user):
    operator = make_user("operator")
    plan = _plan(operator)
    cases = [
        ({"title_id": " "}, "title_id"),
        ({"year": YEAR + 10}, "year"),
        ({"field": "roads"}, "field"),
        ({"progress": 101}, "progress"),
        ({"budget_planned": -5}, "budget_planned"),
        ({"starts_on": date(YEAR, 5, 1), "ends_on": date(YEAR, 4, 1)}, "ends_on"),
    ]
    for change, field in cases:
        with pytest.raises(services.MonitoringError) as refused:
            _activity(plan, operator, **change)
        assert refused.value.field == field
    assert db.session.scalar(select(func.count(Activity.id))) == 0
    with pytest.raises(services.MonitoringError) as refused:
        services.save_plan(title_id="Lagi", first_year=YEAR - 1, actor=operator)
    assert refused.value.field == "first_year"


def test_one_value_per_indicator_and_year_and_none_for_computed_ones(app, make_user):
    operator = make_user("operator")
    entered = services.save_indicator(
        dict(code="3.2.1", name_id="Cakupan imunisasi", unit="%"), actor=operator
    )
    services.record_value(entered.id, year=YEAR - 1, value=81.5, actor=operator)
    with pytest.raises(services.MonitoringError) as refused:
        services.record_value(entered.id, year=YEAR - 1, value=90, actor=operator)
    assert refused.value.field == "year"
    services.ensure_computed(actor=operator)
    assert services.ensure_computed(actor=operator) == 0  # once only
    computed = services.get_indicator("1.3")
    with pytest.raises(services.MonitoringError):
        services.record_value(computed.id, year=YEAR, value=1, actor=operator)
    with pytest.raises(services.MonitoringError) as refused:
        services.save_indicator(dict(code="3.2.1", name_id="Dua kali"), actor=operator)
    assert refused.value.field == "code"


@pytest.mark.concurrency
def test_a_value_sent_twice_at_once_is_stored_once(app, make_user):
    operator = make_user("operator")
    indicator = services.save_indicator(
        dict(code="IDM", name_id="Indeks Desa Membangun"), actor=operator
    )
    ids = (indicator.id, operator.id)
    db.session.commit()
    barrier = threading.Barrier(6, timeout=60)
    outcomes, lock = [], threading.Lock()

    def run(i):
        from portal.accounts.models import User

        with app.app_context():
            try:
                actor = db.session.get(User, ids[1])
                db.session.commit()
                barrier.wait()
                services.record_value(ids[0], year=YEAR, value=0.61 + i / 100, actor=actor)
                result = "ok"
            except services.MonitoringError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 5, outcomes
    assert db.session.scalar(select(func.count(IndicatorValue.id))) == 1


def _scalar(sql: str, **params):
    return db.session.execute(text(sql), params).scalar()


def _share(numerator, denominator):
    return None if denominator < 5 else round(numerator * 100 / denominator, 1)


def test_computed_indicators_equal_plain_sql(app, make_user):
    round_, version, operator, head = approved_round(make_user, households=150)
    # Some entitlements collected, some not, and some complaints filed and closed.
    ids = db.session.scalars(select(Entitlement.id).where(Entitlement.round_id == round_.id)).all()
    db.session.execute(
        update(Entitlement).where(Entitlement.id.in_(ids[:7])).values(status="collected")
    )
    db.session.execute(
        update(Entitlement).where(Entitlement.id.in_(ids[7:10])).values(status="not_collected")
    )
    db.session.commit()
    for n in range(6):
        complaint, _code = complaints.file_complaint(
            category="misuse", description=f"Bantuan dipotong petugas {n}", anonymous=True
        )
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id)
            .values(
                status="closed",
                resolution="Dikembalikan",
                created_at=complaint.created_at - timedelta(days=n + 1),
                closed_at=complaint.created_at,
            )
        )
    # The list's enrolments began a month ago (the helper's period starts in ten days).
    db.session.execute(
        text("UPDATE enrolment SET period_start = :d WHERE period_start > :d"),
        {"d": village_today() - timedelta(days=30)},
    )
    db.session.commit()
    today = village_today()
    poor = "('sangat_miskin', 'miskin')"
    enrolled = (
        "SELECT household_id FROM enrolment WHERE period_start <= :day "
        "AND (period_end IS NULL OR period_end >= :day)"
    )
    total = _scalar("SELECT COUNT(*) FROM household")
    very_poor = _scalar("SELECT COUNT(*) FROM household WHERE need_level = 'sangat_miskin'")
    assert services.measure("very_poor_share").compute(YEAR).value == _share(very_poor, total)

    poor_total = _scalar(f"SELECT COUNT(*) FROM household WHERE need_level IN {poor}")
    covered = _scalar(
        f"SELECT COUNT(*) FROM household WHERE need_level IN {poor} AND id IN ({enrolled})",
        day=today,
    )
    assert covered > 0
    assert services.measure("coverage").compute(YEAR).value == _share(covered, poor_total)

    enrolled_total = _scalar(f"SELECT COUNT(*) FROM household WHERE id IN ({enrolled})", day=today)
    not_poor = _scalar(
        f"SELECT COUNT(*) FROM household WHERE id IN ({enrolled}) AND need_level NOT IN {poor}",
        day=today,
    )
    assert services.measure("leakage").compute(YEAR).value == _share(not_poor, enrolled_total)

    rounds_year = (
        "SELECT id FROM distribution_round WHERE starts_on >= :first AND starts_on <= :last "
        "AND status <> 'cancelled'"
    )
    bounds = dict(first=date(round_.starts_on.year, 1, 1), last=date(round_.starts_on.year, 12, 31))
    all_ent = _scalar(
        f"SELECT COUNT(*) FROM distribution_entitlement WHERE round_id IN ({rounds_year}) "
        "AND status <> 'cancelled'",
        **bounds,
    )
    full = _scalar(
        f"SELECT COUNT(*) FROM distribution_entitlement WHERE round_id IN ({rounds_year}) "
        "AND status = 'collected'",
        **bounds,
    )
    missed = _scalar(
        f"SELECT COUNT(*) FROM distribution_entitlement WHERE round_id IN ({rounds_year}) "
        "AND status = 'not_collected'",
        **bounds,
    )
    year = round_.starts_on.year
    assert services.measure("collected_full").compute(year).value == _share(full, all_ent) > 0
    assert services.measure("not_collected").compute(year).value == _share(missed, all_ent) > 0

    start, end = datetime(YEAR, 1, 1, tzinfo=UTC), datetime(YEAR + 1, 1, 1, tzinfo=UTC)
    filed = _scalar(
        "SELECT COUNT(*) FROM complaint WHERE created_at >= :s AND created_at < :e", s=start, e=end
    )
    recipients = _scalar(
        "SELECT COUNT(DISTINCT household_id) FROM enrolment WHERE period_start <= :last "
        "AND (period_end IS NULL OR period_end >= :first)",
        first=date(YEAR, 1, 1),
        last=today,
    )
    per_100 = services.measure("complaints_per_100").compute(YEAR)
    assert per_100.value == round(filed * 100 / recipients, 1) and filed == 6
    days = services.measure("complaint_days").compute(YEAR)
    assert days.value == round(statistics.median([n + 1 for n in range(6)]), 1)

    # Nothing decided, taken or voted: no figure, never a division by zero.
    for key in ("objections_upheld", "course_completion", "business_started", "ballot_turnout"):
        figure = services.measure(key).compute(YEAR)
        assert figure.value is None and figure.small, key


def test_a_group_under_five_gets_no_figure(app, make_user):
    figure = services.computed.share(2, 4)
    assert figure.value is None and figure.small
    assert services.computed.share(2, 5).value == 40.0


def test_the_public_dashboard_shows_the_plan_and_indicators_in_both_languages(
    app, client, make_user
):
    operator = make_user("operator")
    plan = _plan(operator)
    activity = _activity(plan, operator, title_en="Training for women's businesses")
    services.add_milestone(
        activity.id, on=village_today() - timedelta(days=1), text_id="Kelas pertama", actor=operator
    )
    services.add_milestone(
        activity.id,
        on=village_today() + timedelta(days=30),
        text_id="Belum waktunya",
        actor=operator,
    )
    services.ensure_computed(actor=operator)
    page = client.get("/pemantauan/?lang=en").get_data(as_text=True)
    assert (
        "Training for women&#39;s businesses" in page or "Training for women's businesses" in page
    )
    assert "Poor households receiving aid (coverage)" in page
    page_id = client.get("/pemantauan/?lang=id").get_data(as_text=True)
    assert "Pelatihan UMKM ibu-ibu" in page_id
    detail = client.get(f"/pemantauan/kegiatan/{activity.id}").get_data(as_text=True)
    assert "Kelas pertama" in detail and "Belum waktunya" not in detail  # public from its date
    definition = client.get("/pemantauan/indikator/1.3?lang=en").get_data(as_text=True)
    assert "enrolled in a village programme" in definition and "<svg" in definition
    data = client.get("/api/v1/pemantauan/indikator").get_json()
    assert data["version"] == 1 and any(r["code"] == "1.3" for r in data["indicators"])
    csv = client.get("/pemantauan/data/indikator.csv")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").startswith("code,")
    assert client.get("/pemantauan/data/indikator.xml").status_code == 404
    assert client.get("/pemantauan/indikator/nope").status_code == 404


# templates/monitoring/index.html's indicator rows as a Jinja loop, before they were
# written by portal/monitoring/views.py's indicator_table_rows.
JINJA_ROWS = """{% set l_code, l_indicator, l_unit, l_baseline = _('Code'), _('Indicator'), _('Unit'), _('Baseline') %}
{% set last_year = years[-1] %}{% set l_target = _('Target %(year)d', year=last_year) %}
{% for row in rows %}
{% set ind = row.indicator %}
  <tr>
    <td data-label="{{ l_code }}">{{ ind.code }}</td>
    <td data-label="{{ l_indicator }}"><a href="{{ url_for('monitoring.indicator', code=ind.code) }}">{% set t = tr(ind, "name") %}<span{% if t.fallback %} lang="id"{% endif %}>{{ t }}</span></a></td>
    <td data-label="{{ l_unit }}">{{ ind.unit }}</td>
    <td data-label="{{ l_baseline }}">{% if ind.baseline is not none %}{{ ind.baseline|number }}{% if ind.baseline_year %} ({{ ind.baseline_year }}){% endif %}{% else %}–{% endif %}</td>
    {% for y in years %}<td data-label="{{ y }}">{{ figure_cell(row.values.get(y)) }}</td>{% endfor %}
    <td data-label="{{ l_target }}">{% if row.targets.get(last_year) is not none %}{{ row.targets[last_year]|number }}{% else %}–{% endif %}</td>
  </tr>
{% endfor %}"""  # noqa: E501
# templates/monitoring/_evaluation_body.html's rows as they were (one year, no baseline).
JINJA_EVALUATION_ROWS = """{% set l_code, l_indicator, l_unit, l_target = _('Code'), _('Indicator'), _('Unit'), _('Target') %}
  {% set year = subject.year %}
  {% for row in rows %}{% set ind = row.indicator %}
  <tr>
    <td data-label="{{ l_code }}">{{ ind.code }}</td>
    <td data-label="{{ l_indicator }}"><a href="{{ url_for('monitoring.indicator', code=ind.code) }}">{% set t = tr(ind, "name") %}<span{% if t.fallback %} lang="id"{% endif %}>{{ t }}</span></a></td>
    <td data-label="{{ l_unit }}">{{ ind.unit }}</td>
    <td data-label="{{ year }}">{{ figure_cell(row.values.get(year)) }}</td>
    <td data-label="{{ l_target }}">{% if row.targets.get(year) is not none %}{{ row.targets[year]|number }}{% else %}–{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501


def test_the_dashboards_indicator_rows_are_the_jinja_loops(app, make_user):
    """indicator_table_rows writes what the templates' loops wrote (the dashboard's and
    an evaluation's), in both languages:
    a name without English (lang="id"), escaped text, baselines, targets, small groups."""
    from flask import render_template_string

    from portal.monitoring.views import _years

    operator = make_user("operator")
    services.ensure_computed(actor=operator)
    item = services.save_indicator(
        dict(code="9.1", name_id="Air <bersih> & layak", unit="m³ & <l>", baseline=1500.25),
        actor=operator,
    )
    services.save_indicator(
        dict(code="9.2", name_id="Jalan", name_en="Roads", baseline=3, baseline_year=2020),
        actor=operator,
    )
    services.record_value(item.id, year=YEAR - 1, value=12345.5, actor=operator)
    services.set_target(item.id, year=YEAR, value=2000, actor=operator)
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/pemantauan/?lang={lang}"):
            years = _years()
            rows = services.dashboard_rows(years)
            old = render_template_string(JINJA_ROWS, rows=rows, years=years)
            new = render_template_string(
                "{{ indicator_table_rows(rows, years, url_for) }}", rows=rows, years=years
            )
            subject = type("Subject", (), {"year": YEAR})
            evaluation = render_template_string(
                "{{ indicator_table_rows(rows, [year], url_for, evaluation=True) }}",
                rows=services.dashboard_rows([YEAR]),
                year=YEAR,
            )
            old_evaluation = render_template_string(
                JINJA_EVALUATION_ROWS, rows=services.dashboard_rows([YEAR]), subject=subject
            )
        assert new == old and evaluation == old_evaluation
        assert ("2.000" if lang == "id" else "2,000") + "</td>\n  </tr>" in evaluation
        assert "&lt;bersih&gt; &amp; layak" in new and "m³ &amp; &lt;l&gt;" in new
        assert "&lt;5</abbr>" in new and " (2020)</td>" in new
    assert '<span lang="id">Air' in new and "<span>Roads</span>" in new


def test_the_current_plan_is_the_running_one_else_the_latest_with_its_goals(app, make_user):
    operator = make_user("operator")
    assert services.current_plan() is None
    running = _plan(operator)  # YEAR - 1 to YEAR + 4
    services.add_goal(running.id, title_id="Tujuan satu", title_en=None, actor=operator)
    services.add_goal(running.id, title_id="Tujuan dua", title_en=None, actor=operator)
    later = services.save_plan(title_id="Berikut", first_year=YEAR + 5, actor=operator)
    db.session.expire_all()
    found = services.current_plan()
    assert found.id == running.id
    assert [g.title_id for g in found.goals] == ["Tujuan satu", "Tujuan dua"]
    assert services.current_plan(date(YEAR + 7, 1, 1)).id == later.id
    assert services.current_plan(date(YEAR + 20, 1, 1)).id == later.id  # none runs: latest


def test_staff_pages_write_for_editors_and_read_for_auditors(app, client, login_as):
    login_as("auditor")
    assert client.get("/staf/pemantauan/").status_code == 200
    assert (
        client.post(
            "/staf/pemantauan/rencana", data={"title_id": "X", "first_year": YEAR}
        ).status_code
        == 403
    )
    login_as("resident")
    assert client.get("/staf/pemantauan/").status_code == 403
    login_as("operator")
    bad = client.post("/staf/pemantauan/rencana", data={"title_id": "Rencana", "first_year": "dua"})
    assert bad.status_code == 422 and "Rencana" in bad.get_data(as_text=True)
    ok = client.post("/staf/pemantauan/rencana", data={"title_id": "Rencana", "first_year": YEAR})
    assert ok.status_code == 302
    plan_id = int(ok.headers["Location"].rstrip("/").split("/")[-1])
    made = client.post(
        f"/staf/pemantauan/rencana/{plan_id}/kegiatan",
        data={
            "title_id": "Sumur bor",
            "year": YEAR,
            "field": "development",
            "goal_id": 0,
            "parent_id": 0,
            "funds": "village_fund",
            "method": "provider",
            "status": "planned",
            "budget_planned": "Rp 25.000.000",
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    item = db.session.scalar(select(Activity).where(Activity.title_id == "Sumur bor"))
    assert item.budget_planned == 25_000_000 and item.progress == 0


def test_blank_staff_forms_are_kept_but_not_what_was_typed_nor_another_plans_choices(
    app, client, login_as, make_user
):
    """A GET's blank plan, indicator, activity and milestone forms are kept per worker
    (kept_fragment): a form sent back with an error shows what was typed, the next blank
    one is blank, and a plan's goal and parent choices are its own."""
    operator = make_user("operator")
    first = _plan(operator)
    second = services.save_plan(title_id="RPJMDes berikut", first_year=YEAR + 5, actor=operator)
    services.add_goal(first.id, title_id="Tujuan pertama", title_en=None, actor=operator)
    leaf = _activity(first, operator, title_id="Kegiatan pertama")
    login_as("operator")

    def page(path: str) -> str:
        return client.get(path).get_data(as_text=True)

    for _round in range(2):  # the second round is answered from the kept fields
        index, plan_page = page("/staf/pemantauan/"), page(f"/staf/pemantauan/rencana/{first.id}")
        other = page(f"/staf/pemantauan/rencana/{second.id}")
        assert 'name="vision_id"' in index and 'name="direction"' in index
        assert "Tujuan pertama" in plan_page and "Kegiatan pertama" in plan_page
        assert "Tujuan pertama" not in other and "Kegiatan pertama" not in other
        assert 'name="weight"' in other and 'name="title_en"' in other
        assert 'name="text_en"' in page(f"/staf/pemantauan/kegiatan/{leaf.id}")
    typed = {"title_id": "Ketikan saya", "year": "dua"}
    sent = client.post(f"/staf/pemantauan/rencana/{first.id}/kegiatan", data=typed)
    assert sent.status_code == 422 and "Ketikan saya" in sent.get_data(as_text=True)
    sent = client.post("/staf/pemantauan/rencana", data={"title_id": "Ketikan saya"})
    assert sent.status_code == 422 and "Ketikan saya" in sent.get_data(as_text=True)
    assert page(f"/staf/pemantauan/rencana/{first.id}") == plan_page
    assert "Ketikan saya" not in page("/staf/pemantauan/")


def test_procurement_measures_equal_plain_sql(app, make_user):
    from portal.procurement import services as procurement
    from tests.procurement_helpers import ordered_purchase, round_to_buy_for, supplier

    assert services.measure("spend_in_village").compute(YEAR).value is None  # nothing bought
    assert services.measure("plastic_avoided").compute(YEAR).value is None
    round_, operator = round_to_buy_for(make_user)
    ordered_purchase(round_, operator, supplier(operator), quantity="100", price=12_000)
    ordered_purchase(
        round_, operator, supplier(operator, "Toko Duri Utara", location="district"), price=9_000
    )
    ordered_purchase(
        round_, operator, supplier(operator, "Grosir Kota", location="outside"), price=10_000
    )
    procurement.add_packed_batch(
        round_id=round_.id,
        packed_on=village_today(),
        packages=40,
        packaging="reusable",
        packaging_grams=None,
        own_bags=7,
        note=None,
        actor=operator,
    )
    procurement.add_packed_batch(
        round_id=round_.id,
        packed_on=village_today(),
        packages=10,
        packaging="plastic",
        packaging_grams=150,
        own_bags=0,
        note=None,
        actor=operator,
    )
    year = village_today().year
    counted = (
        "FROM procurement_purchase p JOIN procurement_supplier s ON s.id = p.supplier_id "
        "WHERE p.status = 'ordered' AND p.ordered_on >= :first AND p.ordered_on <= :last "
        "AND p.id NOT IN (SELECT corrects_id FROM procurement_purchase "
        "WHERE corrects_id IS NOT NULL AND status = 'ordered')"
    )
    bounds = dict(first=date(year, 1, 1), last=date(year, 12, 31))
    spend = int(_scalar(f"SELECT SUM(p.total) {counted}", **bounds))
    village = int(_scalar(f"SELECT SUM(p.total) {counted} AND s.location = 'village'", **bounds))
    district = int(
        _scalar(
            f"SELECT SUM(p.total) {counted} AND s.location IN ('village', 'district')", **bounds
        )
    )
    assert 0 < village < district < spend
    kept = services.measure("spend_in_village").compute(year)
    assert kept.value == round(village * 100 / spend, 1) and kept.denominator == spend
    assert services.measure("spend_in_district").compute(year).value == round(
        district * 100 / spend, 1
    )
    avoided = _scalar(
        "SELECT SUM(own_bags + CASE WHEN packaging = 'plastic' THEN 0 ELSE packages END) "
        "FROM procurement_packed_batch WHERE packed_on >= :first AND packed_on <= :last",
        **bounds,
    )
    grams = app.config.get("PROCUREMENT_PLASTIC_BAG_GRAMS", 15)
    assert avoided == 47
    assert services.measure("plastic_avoided").compute(year).value == round(
        avoided * grams / 1000, 1
    )
    assert services.measure("spend_in_village").compute(year - 1).value is None
    public = procurement.summary(year=year)  # the procurement pages say the same
    assert (public.spend, public.plastic_avoided_kg) == (spend, round(avoided * grams / 1000, 1))


def test_households_that_left_the_very_poor_level_equal_plain_sql(app, make_user):
    from portal.registry.models import Household

    approved_round(make_user, households=40)
    key = services.measure("left_very_poor")
    assert key.compute(YEAR).value is None  # no snapshot of last year yet
    households = db.session.scalars(select(Household).order_by(Household.id)).all()
    for n, h in enumerate(households):
        h.need_level = "sangat_miskin" if n < 12 else "rentan"
    db.session.commit()
    assert services.take_snapshot(YEAR - 1) == len(households)
    assert services.take_snapshot(YEAR - 1) == 0  # one row per household and year
    for h in households[:5]:
        h.need_level = "miskin"
    db.session.commit()
    reference = (
        "SELECT COUNT(*) FROM household h WHERE h.id IN (SELECT household_id FROM "
        "monitoring_need_snapshot WHERE year = :y AND need_level = 'sangat_miskin')"
    )
    then = _scalar(reference, y=YEAR - 1)
    left = _scalar(f"{reference} AND h.need_level <> 'sangat_miskin'", y=YEAR - 1)
    figure = key.compute(YEAR)
    assert (figure.value, figure.denominator) == (left, then) == (5, 12)
    # A past year compares two snapshots; without the year's own there is no figure.
    assert key.compute(YEAR - 1).value is None
    assert services.take_snapshot(YEAR) == len(households)
    services.take_snapshot(YEAR - 2)
    assert key.compute(YEAR - 1).value == 0  # last year's snapshot equals the one before


def test_the_snapshot_command_takes_this_years_need_levels_once(app, make_user):
    from portal.monitoring.models import NeedSnapshot

    approved_round(make_user, households=8)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["monitoring", "snapshot"])
    assert first.exit_code == 0 and "8 households" in first.output
    again = runner.invoke(args=["monitoring", "snapshot", "--year", str(YEAR)])
    assert "0 households" in again.output
    assert db.session.scalar(select(func.count(NeedSnapshot.id))) == 8


@pytest.mark.concurrency
def test_a_snapshot_taken_four_times_at_once_holds_one_row_per_household(app, make_user):
    from portal.monitoring.models import NeedSnapshot
    from portal.registry.models import Household

    approved_round(make_user, households=12)
    households = db.session.scalar(select(func.count(Household.id)))
    db.session.commit()
    outcomes = run_at_once(app, 4, lambda: services.take_snapshot(YEAR))
    assert all(isinstance(n, int) for n in outcomes), outcomes
    assert sum(outcomes) == households
    assert db.session.scalar(select(func.count(NeedSnapshot.id))) == households


def test_computed_figures_are_kept_per_worker_for_their_setting(app, make_user):
    """Someone logged in gets the dashboard rendered for them: its computed figures are
    worked out at most once every MONITORING_FIGURES_SECONDS, then again."""
    approved_round(make_user, households=20)
    from portal.registry.models import Household

    def very_poor_now():
        rows = services.dashboard_rows([YEAR])
        row = next(r for r in rows if r.indicator.computed == "very_poor_share")
        return row.values[YEAR].value

    def make_everyone_very_poor():
        db.session.execute(update(Household).values(need_level="sangat_miskin"))
        db.session.commit()

    app.config["MONITORING_FIGURES_SECONDS"] = 600
    services.ensure_computed(actor=make_user("operator"))
    before = very_poor_now()
    make_everyone_very_poor()
    assert very_poor_now() == before  # kept
    app.config["MONITORING_FIGURES_SECONDS"] = 0
    assert very_poor_now() == 100.0 != before  # worked out again


def test_indicator_rows_quote_a_code_that_needs_it_as_url_for_does(app):
    """indicator_table_rows puts a plain code (letters, digits, dots, dashes) after one
    built address; any other code still goes through url_for."""
    from types import SimpleNamespace

    from flask import render_template_string, url_for

    ind = SimpleNamespace(
        code="a b/é", name_id="X", name_en=None, unit="", baseline=None, baseline_year=None
    )
    rows = [SimpleNamespace(indicator=ind, values={}, targets={})]
    with app.test_request_context("/pemantauan/"):
        html = render_template_string(
            "{{ indicator_table_rows(rows, [2026], url_for) }}", rows=rows
        )
        assert f'href="{url_for("monitoring.indicator", code="a b/é")}"' in html
        assert "/a%20b" in html


def test_the_current_plan_as_plain_columns_is_the_plan_and_its_goals(app, make_user):
    """current_plan reads the plan's columns and its goals (in position order) in one
    statement: the same values as the mapped Plan."""
    from portal.monitoring.models import Plan

    operator = make_user("operator")
    running = _plan(operator)
    services.add_goal(running.id, title_id="Satu", title_en="One", actor=operator)
    services.add_goal(running.id, title_id="Dua", title_en=None, actor=operator)
    db.session.expire_all()
    plan = db.session.get(Plan, running.id)
    found = services.current_plan()
    for name in ("id", "title_id", "title_en", "first_year", "last_year", "vision_id"):
        assert getattr(found, name) == getattr(plan, name), name
    assert found.vision_en == plan.vision_en
    assert [(g.title_id, g.title_en) for g in found.goals] == [
        (g.title_id, g.title_en) for g in plan.goals
    ]
    assert services.activity_tree(found, YEAR) == services.activity_tree(plan, YEAR)
