"""Certificates (fpdf2) and calendar files (icalendar) for training sessions.

A certificate is written in the language the participant chose (not the language of
whoever downloads it) and carries its verification code, the address of the public
check page and, when segno is there, a QR code of that address.
"""

from __future__ import annotations

import io
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from icalendar import Calendar, Event

from portal.i18n import localized
from portal.models_base import as_utc
from portal.pdf import latin1
from portal.training.models import CATEGORIES, Place, TrainingSession


def verify_url(code: str) -> str:
    return url_for("training.certificate_check", code=code, _external=True)


def certificate_lines(place: Place) -> list[tuple[str, str]]:
    """What the certificate says, as (style, text) pairs, in the participant's language."""
    ts = place.session
    course = ts.course
    village = current_app.config["VILLAGE_NAME"]
    with force_locale(place.locale):
        lines = [
            ("small", village),
            ("title", _("Certificate of completion")),
            ("para", _("This certifies that")),
            ("name", place.name),
            (
                "para",
                _(
                    "completed the course %(course)s (%(category)s), held on %(date)s at "
                    "%(place)s.",
                    course=localized(course, "title", place.locale),
                    category=CATEGORIES.get(course.category, course.category),
                    date=format_date(as_utc(ts.starts_at), "long"),
                    place=ts.where,
                ),
            ),
        ]
        if course.trainer_name or course.trainer:
            lines.append(
                ("para", _("Trainer: %(name)s", name=course.trainer_name or course.trainer.name))
            )
        if course.sponsor is not None:
            lines.append(("para", _("Supported by %(company)s", company=course.sponsor.name)))
        lines.append(("small", _("Verification code")))
        lines.append(("code", place.certificate_code or ""))
        lines.append(
            (
                "small",
                _(
                    "Anyone can check that this certificate is genuine at %(url)s.",
                    url=verify_url(place.certificate_code or ""),
                ),
            )
        )
    return lines


def certificate_text(place: Place) -> str:
    return "\n".join(text for _style, text in certificate_lines(place))


def certificate_pdf(place: Place) -> bytes:
    """The certificate as a landscape A4 PDF."""
    if not place.certificate_code or place.completed_at is None:
        raise ValueError("only a completed place has a certificate")
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(False)
    pdf.set_title(latin1(certificate_lines(place)[1][1]))
    pdf.add_page()
    pdf.set_draw_color(11, 93, 59)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    sizes = {"small": ("helvetica", "", 10, 6), "title": ("helvetica", "B", 28, 16)}
    sizes |= {"para": ("helvetica", "", 13, 8), "name": ("helvetica", "B", 22, 14)}
    sizes |= {"code": ("courier", "B", 18, 10)}
    pdf.ln(8)
    for style, text in certificate_lines(place):
        family, weight, size, height = sizes[style]
        pdf.set_font(family, weight, size)
        pdf.multi_cell(0, height, latin1(text), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if style in ("title", "name"):
            pdf.ln(3)
    try:
        import segno

        qr = io.BytesIO()
        segno.make(verify_url(place.certificate_code), error="m").save(qr, kind="png", scale=4)
        qr.seek(0)
        pdf.image(qr, x=pdf.w - 55, y=pdf.h - 55, w=32)
    except ImportError:  # the QR code is a convenience; the printed address suffices
        pass
    return bytes(pdf.output())


# --- calendar --------------------------------------------------------------------------


def _event(ts: TrainingSession, lang: str) -> Event:
    event = Event()
    host = current_app.config.get("SERVER_NAME") or "portal"
    event.add("uid", f"training-session-{ts.id}@{host}")
    event.add("summary", str(localized(ts.course, "title", lang)))
    event.add("dtstart", as_utc(ts.starts_at))
    event.add("dtend", as_utc(ts.ends_at) or as_utc(ts.starts_at) + timedelta(hours=2))
    event.add("dtstamp", as_utc(ts.updated_at or ts.created_at))
    event.add("location", ts.where)
    event.add("url", url_for("training.course", course_id=ts.course_id, _external=True))
    event.add("description", str(localized(ts.course, "description", lang))[:1000])
    return event


def calendar_bytes(sessions: list[TrainingSession], lang: str, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//{current_app.config['VILLAGE_NAME']}//Portal//ID")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for ts in sessions:
        cal.add_component(_event(ts, lang))
    return cal.to_ical()
