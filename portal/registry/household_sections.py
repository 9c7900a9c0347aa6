"""The staff household page's warnings, enrolment rows and history, written by plain
functions (household_body calls them): Jinja spent some 30 Python calls on each history
line and some 110 on each enrolment row (an escape, an attribute look-up, a filter or a
URL for every value), and the history's loops and tests ran on every view of the most
opened staff page. The markup is the template's was, byte for byte with its whitespace
(tests/test_registry_household_body.py renders the old template beside it): names,
programmes and labels escaped as Jinja did (portal.text.escape_value), our catalogue's
formatted texts as `_()` formatted them (Markup % values), the page's fixed texts
(page_texts.household_texts) as they are, the addresses from the page's own `url_for`,
a row's id written into the address built once for id 0."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from markupsafe import Markup

from portal.i18n import catalogue, day
from portal.text import escape_text, escape_value


def _days() -> Callable[[date], str]:
    """`day(value, "medium")` escaped, each day worked out once a page (the members of a
    household mostly joined on one day)."""
    seen: dict[date, str] = {}

    def medium(value: date) -> str:
        shown = seen.get(value)
        if shown is None:
            shown = seen[value] = escape_text(day(value, "medium"))
        return shown

    return medium


def _around_id(url: str) -> tuple[str, str]:
    """An address built for id 0, as the escaped text before and after the id."""
    before, _zero, after = url.rpartition("/0/")
    return escape_text(before + "/"), escape_text("/" + after)


def household_warnings(
    warnings: Mapping[str, list],
    household_id: int,
    t,
    labels: tuple[Mapping, Mapping],
    can_edit: bool,
    url_for: Callable[..., str],
) -> Markup:
    """The warnings section (nothing when there is no warning): the stale enrolments,
    the overlaps, the NIKs to check, the likely duplicates (linked to the other
    household and to the pair's page) and a missing head, as household_page's
    `household_record` gives them. `labels` are the page's `civil_statuses` and
    `aid_types`."""
    stale, overlaps, nik = warnings["stale"], warnings["overlaps"], warnings["nik"]
    duplicates, no_head = warnings["duplicates"], warnings["no_head"]
    if not (stale or overlaps or nik or duplicates or no_head):
        return Markup("")
    ugettext = catalogue().ugettext
    statuses, aid_types = labels
    out = [
        '<section class="warnings" aria-labelledby="warnings-title">\n'
        f'  <h2 id="warnings-title">{t.warnings}</h2>\n'
        "  <ul>\n"
    ]
    if stale:
        as_head = Markup(  # noqa: S704 (our catalogue's text; the values escaped by %)
            ugettext(
                "%(name)s (%(status)s) is the head of this household, which is still "
                "enrolled in %(programme)s."
            )
        )
        enrolled = Markup(ugettext("%(name)s (%(status)s) is still enrolled in %(programme)s."))  # noqa: S704
        for s in stale:
            values = {
                "name": s.person_name,
                "status": statuses.get(s.status, ""),
                "programme": s.programme,
            }
            out.append(f"    <li>{(as_head if s.as_head else enrolled) % values}</li>\n")
    if overlaps:
        both = Markup(  # noqa: S704 (our catalogue's text; the values escaped by %)
            ugettext("Overlap: %(first)s and %(second)s both give %(kind)s aid from %(start)s.")
        )
        for o in overlaps:
            values = {
                "first": o.first,
                "second": o.second,
                "kind": aid_types.get(o.aid_type, ""),
                "start": day(o.start),
            }
            out.append(f"    <li>{both % values}</li>\n")
    if nik:
        check = Markup(  # noqa: S704 (our catalogue's text; the values escaped by %)
            ugettext(
                "The NIK of %(name)s disagrees with the recorded birth date or sex. "
                "Please check the family card."
            )
        )
        out.extend(f"    <li>{check % {'name': p.name}}</li>\n" for p in nik)
    if duplicates:
        same = Markup(  # noqa: S704 (our catalogue's text; the values escaped by %)
            ugettext("%(a)s and %(b)s may be the same person (same name and birth date).")
        )
        compare = t.compare_and_decide if can_edit else t.compare
        for pair in duplicates:
            a, b = pair.a, pair.b
            other = ""
            if not pair.same_household:
                elsewhere = b if a.household_id == household_id else a
                if elsewhere.household_id:
                    url = url_for("registry.household", household_id=elsewhere.household_id)
                    other = f'<a href="{escape_text(url)}">{t.other_household}</a>'
            url = escape_text(url_for("registry.duplicate_pair", first=a.id, second=b.id))
            names = f"{escape_value(a.name)}, {escape_value(b.name)}"
            out.append(
                f"    <li>{same % {'a': a.name, 'b': b.name}}\n{other}"
                f'      <a href="{url}">{compare}'
                f'<span class="visually-hidden">: {names}</span></a></li>\n'
            )
    if no_head:  # the template's line ended with its {% endif %}: no line break
        out.append(f"<li>{t.no_head}</li>")
    out.append("  </ul>\n</section>\n")
    return Markup("".join(out))  # noqa: S704 (see the module: every value escaped above)


def enrolment_rows(
    enrolments: Mapping[str, list],
    labels: tuple[Mapping, Mapping],
    t,
    today: date,
    csrf_field: str | None,
    url_for: Callable[..., str],
) -> Markup:
    """The enrolments table's <tr>s: the village enrolments (`enrolments["village"]`,
    household_page.VillageRow), then the national ones (NationalRow); with
    `csrf_field` (the editors' column: the CSRF input, "" without CSRF) the End button
    of each one still running on `today`. `labels` are the page's `aid_types` and
    `national_programmes`."""
    aid_types, national_programmes = labels
    medium = _days()
    whole, end = t.the_whole_household, t.end
    rows = []
    for kind, items in (("desa", enrolments["village"]), ("nasional", enrolments["national"])):
        if csrf_field is not None and items:
            stem = url_for("registry.end_enrolment", kind=kind, enrolment_id=0)
            end_at = _around_id(stem)
        for e in items:
            tag = f'<span class="tag">{escape_value(aid_types.get(e.aid_type, ""))}</span>'
            if kind == "desa":
                programme = f"{escape_value(e.programme_name)} {tag}"
                named = e.programme_name
            else:
                title = national_programmes[e.programme_code][1]
                programme = f"{escape_value(title)} {tag}"
                if e.source:
                    programme = f'{programme}<br><span class="meta">{escape_value(e.source)}</span>'
                named = e.programme_code
            person = whole if e.person_name is None else escape_value(e.person_name)
            ends = e.period_end
            row = (
                f"  <tr><td>{programme}</td>\n"
                f"    <td>{person}</td>\n"
                f'    <td class="nowrap">{medium(e.period_start)} – '
                f"{medium(ends) if ends else ''}</td>\n"
            )
            if csrf_field is not None:
                button = ""
                if ends is None or ends >= today:
                    button = (
                        '      <form class="inline" method="post" '
                        f'action="{end_at[0]}{e.id}{end_at[1]}">\n'
                        f"        {csrf_field}\n"
                        '        <button type="submit" class="small secondary">'
                        f'{end}<span class="visually-hidden">: {escape_value(named)}</span>'
                        "</button>\n      </form>"
                    )
                row = f"{row}<td>{button}</td>"
            rows.append(f"{row}</tr>\n")
    return Markup("".join(rows))  # noqa: S704 (see the module: every value escaped above)


def household_history(
    kk_history: Iterable,
    history: Iterable,
    labels: tuple[Mapping, Mapping],
    t,
    household_id: int,
    url_for: Callable[..., str],
) -> Markup:
    """The history section: the family card numbers (household_page.KKRow, newest
    first), the members joining and leaving (HistoryRow) and the link to the household's
    audit log. `labels` are the page's `kk_reasons` and `membership_reasons`."""
    kk_reasons, membership_reasons = labels
    medium = _days()
    out = [
        '<section aria-labelledby="history-title">\n'
        f'<h2 id="history-title">{t.history}</h2>\n'
        f"<h3>{t.family_card_numbers}</h3>\n"
    ]
    cards = [
        f'  <li><span class="nowrap">{escape_value(k.kk_number)}</span>: '
        f"{medium(k.valid_from)} – {medium(k.valid_to) if k.valid_to else t.now} "
        f"({escape_value(kk_reasons.get(k.reason, ''))})</li>\n"
        for k in kk_history
    ]
    out.append(f"<ul>\n{''.join(cards)}</ul>\n" if cards else f"<p>{t.no_kk_number}</p>\n")
    out.append(f"<h3>{t.members_joining}</h3>\n")
    lines = []
    for m in history:
        reason = membership_reasons.get(m.start_reason, m.start_reason)
        line = f"  <li>{escape_value(m.person_name)}: {medium(m.start_date)} {escape_value(reason)}"
        if m.end_date:
            reason = membership_reasons.get(m.end_reason, m.end_reason)
            line = f"{line}; {medium(m.end_date)} {escape_value(reason)}"
        lines.append(f"{line}</li>\n")
    out.append(f"<ul>\n{''.join(lines)}</ul>\n" if lines else f"<p>{t.nothing_recorded}</p>\n")
    log = escape_text(url_for("audit.log", objek="household", id=household_id))
    out.append(f'<p><a href="{log}">{t.audit_log}</a></p>\n</section>')
    return Markup("".join(out))  # noqa: S704 (see the module: every value escaped above)
