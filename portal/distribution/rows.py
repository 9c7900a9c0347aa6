"""Table rows written by plain functions (the templates call them by these names): the
entitlements list on a round's staff page (/staf/penyaluran/<id>/penerima, 50 rows of
five cells, with its count and table), the round pages' points with their time slots
and the public round page's progress per RT/RW and per point. Jinja spent dozens of
Python calls a row on them (an escape, an attribute look-up, a filter or a call for
every cell, a url_for per collector). The markup is the templates' loops', byte for
byte (tests/test_distribution_rows.py, test_distribution_entitlements_html.py): names,
texts and reasons are escaped as Jinja escaped them, the link's stem is our own URL,
each status's tag is made once."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.distribution.models.labels import from_milli
from portal.i18n import catalogue, current_lang, localized, money, number
from portal.i18n import day as i18n_day
from portal.status_tags import status_tag_html
from portal.text import escape_str, escape_text


def entitlement_rows(items: Iterable, household_stem: str) -> Markup:
    """<tr>s of `items` (EntitlementRow): RT/RW, the collector's name linked to the
    household (`household_stem` + its number) or "–", the alternate's name or "–", what
    is due, and the status's tag with the reason a cancelled one gives. A row is one
    f-string: its texts (str) escaped by escape_str each (the RT/RW is made of numbers: not
    escaped), each status's tag made once."""
    stem = escape(household_stem)
    tags: dict[str, Markup] = {}
    for status in {e.status for e in items}:
        tags[status] = status_tag_html("distribution.entitlement", status)
    return Markup(  # noqa: S704  (see the module: values escaped above)
        "".join(
            [
                f'  <tr>\n    <td class="nowrap">{e.rt_rw}</td>\n'
                "    <td>"
                + (
                    "–"
                    if e.collector is None
                    else f'<a href="{stem}{e.household_id}">{escape_str(e.collector)}</a>'
                )
                + "</td>\n"
                f"    <td>{'–' if e.alternate is None else escape_str(e.alternate)}</td>\n"
                f"    <td>{escape_str(e.due)}</td>\n"
                f"    <td>{tags[e.status]}"
                + (
                    f'<br><span class="meta">{escape_str(e.cancel_reason)}</span>'
                    if e.cancel_reason
                    else ""
                )
                + "</td>\n  </tr>\n"
                for e in items
            ]
        )
    )


def entitlements_table(page, household_stem: str, pager: str) -> Markup:
    """The entitlements page's list (manage/entitlements.html): how many there are, and
    with any, their table (entitlement_rows in its scrolling region) and the `pager`'s
    markup (ui.html's macro, "" for a single page); the template's line ends it."""
    catalogue_ = catalogue()
    ugettext, ungettext = catalogue_.ugettext, catalogue_.ungettext
    total = page.total
    counted = ungettext("%(num)d entitlement", "%(num)d entitlements", total) % {"num": total}
    if not page.items:
        return Markup(f"<p>{counted}</p>")  # noqa: S704  (a catalogue text and a number)
    heads = "".join(
        f'<th scope="col">{ugettext(text)}</th>'
        for text in ("RT/RW", "Collector", "Alternate", "Due", "Status")
    )
    return Markup(  # noqa: S704  (see the module: values escaped)
        f"<p>{counted}</p>\n"
        '<div class="table-wrap" tabindex="0" role="region" '
        f'aria-label="{ugettext("Entitlements")}">\n<table>\n'
        f"  <thead><tr>{heads}</tr></thead>\n  <tbody>\n"
        f"{entitlement_rows(page.items, household_stem)}  </tbody>\n</table>\n\n</div>"
        f"{pager}"
    )


def group_rows(groups: Iterable, cash: bool, too_few: str) -> Markup:
    """<tr>s of the public progress `groups` (progress.Group): the label, and for a
    group large enough to show, collected / due, the percent and with `cash` the rupiah
    paid / due; `too_few` (markup) for one too small (no call for such a row)."""
    lang = current_lang()

    def cells(g) -> str:
        shown = f'<td class="num">{g.collected} / {g.due}</td><td class="num">{g.percent}%</td>'
        if cash:
            paid = escape_text(money(g.cash_paid, lang))
            shown += f'<td class="num nowrap">{paid} / {escape_text(money(g.cash_due, lang))}</td>'
        return shown

    # A label is a str (an RT/RW or a point's name): escaped by escape_text.
    return Markup(  # noqa: S704  (see the module: values escaped above)
        "".join(
            [
                f"<tr><td>{escape_text(g.label) if g.label.__class__ is str else escape(g.label)}"
                f"</td>{cells(g) if g.shown else too_few}</tr>"
                for g in groups
            ]
        )
    )


def balance_rows(rows: Iterable, names: dict, all_points: str) -> Markup:
    """<tr>s of the ledger per point and item (ledger/_balances.html; `rows` of Balance):
    the point's name from `names["points"]` (`all_points` without a point), the item's
    name in the reader's language with its unit from `names["items"]`, and the
    quantities as the ledger's `milli` writes them (on hand also in thousandths)."""
    lang = current_lang()
    points, items = names["points"], names["items"]
    all_points = escape(all_points)
    item_cells: dict = {}
    out = []
    for b in rows:
        item_id = b.item_id
        item_cell = item_cells.get(item_id)
        if item_cell is None:
            item = items[item_id]
            name = escape(localized(item, "name", lang).text)
            item_cell = item_cells[item_id] = f"{name} ({escape(item.unit)})"
        point = points.get(b.point_id)
        cells = [
            escape_text(number(from_milli(value), lang))
            for value in (
                b.received,
                b.moved_in,
                b.moved_out,
                b.handed_over,
                b.returned,
                b.damaged + b.lost,
                b.on_hand,
            )
        ]
        out.append(
            "    <tr>\n"
            f"      <td>{all_points if point is None else escape(point)}</td>\n"
            f"      <td>{item_cell}</td>\n"
            f"      <td>{cells[0]}</td>\n"
            f"      <td>{cells[1]}</td>\n"
            f"      <td>{cells[2]}</td>\n"
            f"      <td>{cells[3]}</td>\n"
            f"      <td>{cells[4]}</td>\n"
            f"      <td>{cells[5]}</td>\n"
            f'      <td data-on-hand="{escape(b.on_hand)}">{cells[6]}</td>\n'
            "    </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)


def status_counts(labels: dict, counts: dict) -> Markup:
    """The closing page's <dt>/<dd> pairs: each entitlement status's label (`labels`)
    and how many entitlements have it (`counts`, 0 when missing)."""
    return Markup(  # noqa: S704  (see the module: values escaped here)
        "".join(
            [
                f"  <dt>{escape_text(str(label))}</dt>"
                f'<dd data-status-count="{escape_text(key)}">'
                f"{escape_text(str(counts.get(key, 0)))}</dd>\n"
                for key, label in labels.items()
            ]
        )
    )


_BALANCE_HEADS = (
    "Point",
    "Item",
    "Received",
    "Moved in",
    "Moved out",
    "Handed over",
    "Returned",
    "Damaged or lost",
    "On hand",
)


def balances_table(rows: Iterable, names: dict, heading_id: str) -> Markup:
    """ledger/_balances.html: the ledger per point and item (`rows` of Balance) in its
    scrolling region named by the heading `heading_id`, the head and `balance_rows`."""
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, as Markup (not escaped again).
    heads = "".join(f'      <th scope="col">{ugettext(h)}</th>\n' for h in _BALANCE_HEADS)
    body = balance_rows(rows, names, Markup(ugettext("All points")))  # noqa: S704
    return Markup(  # noqa: S704  (see the module: values escaped here)
        '<div class="table-wrap" tabindex="0" role="region" '
        f'aria-labelledby="{escape(heading_id)}">\n'
        f"<table>\n  <thead>\n    <tr>\n{heads}    </tr>\n  </thead>\n"
        f"  <tbody>\n{body}  </tbody>\n</table>\n\n</div>"
    )


def points_html(rows: Iterable, public: bool) -> str:
    """The points of round_parts.point_rows' `rows` (by point, each slot's row after the
    other), each one's name, address, hours and map link and its time slots' table (RT/RW,
    day, hours) in its scrolling region: as the public round page writes them (`public`:
    "open 08.00–14.30", hours with a dot) or the staff round page (a space after the name,
    hours with a colon). Each day and each span of hours written once, a slot's row in
    one f-string: the rows come straight from the statement (no object a slot)."""
    ugettext = catalogue().ugettext
    pattern = "%H.%M" if public else "%H:%M"
    opening, slots_of, map_text = (
        ugettext("open %(from)s–%(until)s"),
        ugettext("Time slots: %(point)s"),
        ugettext("Map"),
    )
    head = (
        f'<table>\n  <thead><tr><th scope="col">{ugettext("RT/RW")}</th>'
        f'<th scope="col">{ugettext("Day")}</th><th scope="col">{ugettext("Time")}</th>'
        "</tr></thead>\n  <tbody>\n"
    )
    days: dict = {}
    hours: dict = {}
    out: list[str] = []
    point, in_table = None, False
    for point_id, name, address, map_url, opens, closes, slot_id, rt, rw, day, start, end in rows:
        if point_id != point:
            if in_table:
                out.append("  </tbody>\n</table>\n\n</div>")
            point, in_table, name = point_id, False, escape_text(name)
            link = (
                f' · <a href="{escape_text(map_url)}" rel="noopener">{map_text}</a>'
                if map_url
                else ""
            )
            span = {"from": opens.strftime(pattern), "until": closes.strftime(pattern)}
            span = opening % span if public else f"{span['from']}–{span['until']}"
            out.append(
                f"<h3>{name}{'' if public else ' '}</h3>\n"
                f'<p class="meta">{escape_text(address)} · {span}{link}</p>\n'
            )
        if slot_id is None:
            continue
        if not in_table:
            label = slots_of % {"point": name}  # the name escaped, as Markup's % did
            out.append(
                f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n{head}'
            )
            in_table = True
        if day not in days:
            days[day] = escape_text(i18n_day(day))
        if (start, end) not in hours:
            hours[start, end] = f"{start.strftime(pattern)}–{end.strftime(pattern)}"
        rt_rw = f"{rt:03d}/{rw:03d}" if rw is not None else f"{rt:03d}/–"
        out.append(
            f'  <tr><td>{rt_rw}</td><td class="nowrap">{days[day]}</td>'
            f'<td class="nowrap">{hours[start, end]}</td></tr>\n'
        )
    if in_table:
        out.append("  </tbody>\n</table>\n\n</div>")
    return "".join(out)


def point_sections(rows: Iterable) -> Markup:
    """The staff round page's points (manage/round.html) when nothing may be removed:
    points_html of round_parts.point_rows' `rows`; "No point yet." without any."""
    found = points_html(rows, public=False)
    if not found:
        found = f"<p>{catalogue().ugettext('No point yet.')}</p>\n"
    return Markup(found)  # noqa: S704  (see the module: values escaped)
