"""Status tags: a status's label and colour, named once, next to the status itself.

Each feature registers its kinds of status beside the model that has them
(`register("csr.pledge", PLEDGE_STATUSES, {...})`); templates show one with the
`status_tag(kind, status)` of templates/_macros/ui.html, which is `status_tag_html`
here. The colour is a tone, one CSS class each in static/css/portal.css;
a status without a tone gets the plain tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

from portal.i18n import lazy_gettext as _l

# ok: done, good; warn: waiting for someone; danger: failed, refused; muted: over,
# inactive; info: newly in, not yet acted on.
TONES = ("ok", "warn", "danger", "muted", "info")


@dataclass(frozen=True)
class StatusTag:
    label: str
    css_class: str


_KINDS: dict[str, tuple[Mapping[str, object], Mapping[str, str]]] = {}


def register(kind: str, labels: Mapping[str, object], tones: Mapping[str, str]) -> None:
    """Name a kind of status: its labels (lazy strings) and the tone of some of them."""
    unknown = set(tones) - set(labels)
    if unknown:
        raise ValueError(f"{kind}: tones for statuses without a label: {sorted(unknown)}")
    bad = {tone for tone in tones.values() if tone not in TONES}
    if bad:
        raise ValueError(f"{kind}: unknown tones {sorted(bad)}")
    _KINDS[kind] = (labels, tones)


def kinds() -> list[str]:
    return sorted(_KINDS)


def status_tag_of(kind: str, status: str) -> StatusTag:
    """The label (in the reader's language) and CSS class of one status."""
    labels, tones = _KINDS[kind]
    tone = tones.get(status)
    label = labels.get(status, status)
    return StatusTag(str(label), f"tag tag-{tone}" if tone else "tag")


def status_tag_html(kind: str, status: str, id: str | None = None) -> Markup:  # noqa: A002
    """The tag's markup: what ui.html's `status_tag` is (the same bytes as the macro it
    replaced, tests/test_templates.py; a macro call cost some 40 Python calls, and list
    pages show one a row)."""
    tag = status_tag_of(kind, status)
    own_id = f' id="{escape(id)}"' if id else ""
    return Markup(  # noqa: S704 - every value in it is escaped
        f'<span class="{escape(tag.css_class)}" data-status="{escape(status)}"{own_id}>'
        f"{escape(tag.label)}</span>"
    )


# Published or draft: staff-written content of every feature.
PUBLICATION = "publication"

register(
    PUBLICATION,
    {"published": _l("Published"), "draft": _l("Draft")},
    {"published": "ok", "draft": "muted"},
)
