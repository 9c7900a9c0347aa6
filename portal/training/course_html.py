"""The course page's head (/pelatihan/kursus/<id>) written by a plain function
(training/course.html calls it): the crumbs, the title, the description with its
fallback note and the facts (category, place, trainer, sponsor, who it is for). In
Jinja every `_()` cost some fifteen Python calls and the note a macro import and call.
The markup is the template's was, byte for byte (tests/test_training_course_html.py
keeps the old template text and compares, in both languages): values escaped as Jinja
escaped them, catalogue texts and labels as `_()` and the lazy labels gave them."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from portal.i18n import FALLBACK_NOTE, catalogue, current_lang, localized
from portal.text import escape_value as _e
from portal.text import render_markdown
from portal.training.models import CATEGORIES
from portal.training.services import rule_text


def course_head(course, url_for: Callable[..., str]) -> Markup:
    """Everything of the course page above its sessions."""
    t = catalogue().ugettext
    lang = current_lang()
    title = localized(course, "title", lang)
    description = localized(course, "description", lang)
    note = f'<p class="fallback" lang="{lang}">{FALLBACK_NOTE}</p>' if description.fallback else ""
    trainer = ""
    if course.trainer_name or course.trainer:
        trainer = (
            f"<dt>{t('Trainer')}</dt><dd>{_e(course.trainer_name or course.trainer.name)}</dd>"
        )
    title_lang = ' lang="id"' if title.fallback else ""
    prose_lang = ' lang="id"' if description.fallback else ""
    sponsor = course.sponsor
    sponsor_facts = ""
    if sponsor:
        name = _e(sponsor.name)
        if sponsor.is_verified:
            href = _e(url_for("csr.company", company_id=sponsor.id))
            name = f'<a href="{href}">{name}</a>'
        sponsor_facts = f"<dt>{t('Sponsor')}</dt><dd>{name}</dd>"
    return Markup(  # noqa: S704  (see the module: values escaped above)
        f'<p class="crumbs"><a href="{_e(url_for("training.courses"))}">'
        f"{t('Training courses')}</a></p>\n"
        f"<h1{title_lang}>{_e(title)}</h1>\n"
        f"{note}\n"
        f'<div class="prose"{prose_lang}>'
        f"{render_markdown(description)}</div>\n"
        '<dl class="facts">\n'
        f"  <dt>{t('Category')}</dt><dd>{_e(CATEGORIES[course.category])}</dd>\n"
        f"  <dt>{t('Place')}</dt><dd>{_e(course.place)}</dd>\n"
        f"{trainer}{sponsor_facts}"
        f'  <dt>{t("Who it is for")}</dt><dd id="training-rule">{_e(rule_text(course))}</dd>\n'
        "</dl>\n"
    )
