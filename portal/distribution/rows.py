"""Table rows written by plain functions (the templates call them by these names): the
entitlements list on a round's staff page (/staf/penyaluran/<id>/penerima, 50 rows of
five cells) and the public round page's progress per RT/RW and per point. Jinja spent
dozens of Python calls a row on them (an escape, an attribute look-up, a filter or a
call for every cell, a url_for per collector). The markup is the templates' loops',
byte for byte (tests/test_distribution_rows.py): names, texts and reasons are escaped
as Jinja escaped them, the link's stem is our own URL, each status's tag is made once."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from portal.distribution.models.labels import from_milli
from portal.i18n import catalogue, current_lang, localized, money, number
from portal.status_tags import status_tag_html
from portal.text import escape_text


def entitlement_rows(items: Iterable, household_stem: str) -> Markup:
    """<tr>s of `items` (EntitlementRow): RT/RW, the collector's name linked to the
    household (`household_stem` + its number) or "–", the alternate's name or "–", what
    is due, and the status's tag with the reason a cancelled one gives."""
    stem = escape(household_stem)
    tags: dict[str, Markup] = {}
    rows = []
    for e in items:
        status = e.status
        tag = tags.get(status)
        if tag is None:
            tag = tags[status] = status_tag_html("distribution.entitlement", status)
        # The texts are plain str: escaped as escape() does, without a Markup each.
        collector = (
            "–"
            if e.collector is None
            else f'<a href="{stem}{e.household_id}">{escape_text(e.collector)}</a>'
        )
        alternate = "–" if e.alternate is None else escape_text(e.alternate)
        reason = (
            f'<br><span class="meta">{escape_text(e.cancel_reason)}</span>'
            if e.cancel_reason
            else ""
        )
        rows.append(
            f'  <tr>\n    <td class="nowrap">{escape_text(e.rt_rw)}</td>\n'
            f"    <td>{collector}</td>\n"
            f"    <td>{alternate}</td>\n"
            f"    <td>{escape_text(e.due)}</td>\n"
            f"    <td>{tag}{reason}</td>\n"
            "  </tr>\n"
        )
    return Markup("".join(rows))  # noqa: S704  (see the module: values escaped above)


def group_rows(groups: Iterable, cash: bool, too_few: str) -> Markup:
    """<tr>s of the public progress `groups` (progress.Group): the label, and for a
    group large enough to show, collected / due, the percent and with `cash` the rupiah
    paid / due; `too_few` (markup) for one too small."""
    lang = current_lang()
    rows = []
    for g in groups:
        if g.shown:
            cells = f'<td class="num">{g.collected} / {g.due}</td><td class="num">{g.percent}%</td>'
            if cash:
                paid = escape_text(money(g.cash_paid, lang))
                cells += (
                    f'<td class="num nowrap">{paid} / {escape_text(money(g.cash_due, lang))}</td>'
                )
        else:
            cells = too_few
        label = g.label  # a str (an RT/RW or a point's name): escaped by one escape_text
        label = escape_text(label) if label.__class__ is str else escape(label)
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    return Markup("".join(rows))  # noqa: S704  (see the module: values escaped above)


def slot_rows(slots: Iterable) -> Markup:
    """<tr>s of a point's time slots (slot_texts.SlotText): RT/RW, day and hours (plain
    str, escaped as escape() does, without a Markup each)."""
    return Markup(  # noqa: S704  (see the module: values escaped)
        "".join(
            [
                f'  <tr><td>{escape_text(s.rt_rw)}</td><td class="nowrap">{escape_text(s.day)}'
                f'</td><td class="nowrap">{escape_text(s.hours)}</td></tr>\n'
                for s in slots
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


def point_sections(points: Iterable, slots: dict) -> Markup:
    """The staff round page's points (manage/round.html) when nothing may be removed:
    each point's name, address, hours and map link, and its time slots' table
    (`slots`: point id -> SlotText, slot_texts.py) in its scrolling region; "No point
    yet." without any."""
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, % the values escaped.
    out = []
    for point in points:
        name = escape(point.name)
        hours = f"{point.opens_at.strftime('%H:%M')}–{point.closes_at.strftime('%H:%M')}"
        link = ""
        if point.map_url:
            link = f' · <a href="{escape(point.map_url)}" rel="noopener">{ugettext("Map")}</a>'
        out.append(
            f'<h3>{name} </h3>\n<p class="meta">{escape(point.address)} · {hours}{link}</p>\n'
        )
        point_slots = slots.get(point.id, ())
        if point_slots:
            label = ugettext("Time slots: %(point)s") % {"point": name}
            out.append(
                f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n'
                f'<table>\n  <thead><tr><th scope="col">{ugettext("RT/RW")}</th>'
                f'<th scope="col">{ugettext("Day")}</th><th scope="col">{ugettext("Time")}</th>'
                f"</tr></thead>\n  <tbody>\n{slot_rows(point_slots)}  </tbody>\n</table>\n\n</div>"
            )
    if not out:
        out.append(f"<p>{ugettext('No point yet.')}</p>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
