"""The household page's fixed texts, translated once per language and worker.

The page shows some fifty fixed texts; `_()` in a template costs some twenty Python
calls each (a Jinja call, the catalogue, Markup), an attribute of `household_texts()`
a few. The same msgids, marked here for extraction; each text is the catalogue's as
the template's `_()` gave it (Markup: not escaped again), and none holds a "%" (which
_() would format). tests/test_registry_member_rows.py holds them to _()."""

from __future__ import annotations

from flask import current_app
from markupsafe import Markup

from portal.forms import N_
from portal.i18n import catalogue, current_lang

HOUSEHOLD_TEXTS = {
    "add_enrolment": N_("Add enrolment"),
    "add_member": N_("Add member"),
    "address": N_("Address"),
    "aid_fits": N_("Aid this household fits"),
    "answer_no": N_("No"),
    "answer_yes": N_("Yes"),
    "audit_log": N_("Audit log of this household"),
    "audit_note": N_("Your opening of this record is written to the audit log."),
    "change_requests": N_("Change requests"),
    "compare": N_("Compare"),
    "compare_and_decide": N_("Compare and decide"),
    "desil": N_("Desil"),
    "edit_household": N_("Edit household"),
    "end": N_("End"),
    "enrolments": N_("Enrolments"),
    "family_card_numbers": N_("Family card numbers"),
    "history": N_("History"),
    "household_number": N_("Household number"),
    "kk_number": N_("KK number"),
    "members": N_("Members"),
    "members_joining": N_("Members joining and leaving"),
    "monthly_food_package": N_("Monthly food package"),
    "national_data_id": N_("National data id"),
    "no_aid": N_("None at this need level."),
    "no_head": N_("No head of family is recorded."),
    "no_kk_number": N_("No family card number recorded yet."),
    "no_members": N_("No members recorded yet."),
    "not_enrolled": N_("Not enrolled in any programme."),
    "not_known": N_("Not known"),
    "not_recorded": N_("Not recorded"),
    "not_surveyed": N_("Not surveyed"),
    "nothing_recorded": N_("Nothing recorded."),
    "now": N_("now"),
    "other_household": N_("Other household"),
    "points": N_("Points"),
    "reason": N_("Reason"),
    "recipient_registry": N_("Recipient registry"),
    "rt_rw": N_("RT/RW"),
    "score_made": N_("How the score is made"),
    "staff_area": N_("Staff area"),
    "the_14_bps_criteria": N_("The 14 BPS criteria"),
    "the_whole_household": N_("The whole household"),
    "warnings": N_("Warnings"),
    # The heads of the members and enrolments tables (household_body's frames).
    "head_actions": N_("Actions"),
    "head_born": N_("Born"),
    "head_details": N_("Details"),
    "head_for": N_("For"),
    "head_name": N_("Name"),
    "head_nik": N_("NIK"),
    "head_period": N_("Period"),
    "head_programme": N_("Programme"),
    "head_relation": N_("Relation"),
    "head_status": N_("Status"),
}


class Texts:
    """The texts as attributes (a template reads an attribute in one look-up)."""

    def __init__(self, texts: dict[str, Markup]):
        self.__dict__.update(texts)


# The registry list's (/staf/registrasi/ and its fragment) fixed texts outside its kept
# parts, as `list_texts()` (tests/test_registry_result_rows.py holds them to _()).
LIST_TEXTS = {
    "export": N_("Export this list"),
    "households": N_("Households"),
    "search": N_("Search"),
}


def _kept(name: str, table: dict[str, str]) -> Texts:
    """`table` in the reader's language, translated once per language and app."""
    lang = current_lang()
    kept = current_app.extensions.setdefault(name, {})
    texts = kept.get(lang)
    if texts is None:
        ugettext = catalogue().ugettext
        texts = kept[lang] = Texts(
            {key: Markup(ugettext(msgid)) for key, msgid in table.items()}  # noqa: S704
        )
    return texts


def household_texts() -> Texts:
    """HOUSEHOLD_TEXTS in the reader's language, translated once per language and app."""
    return _kept("registry_household_texts", HOUSEHOLD_TEXTS)


def list_texts() -> Texts:
    """LIST_TEXTS in the reader's language, translated once per language and app."""
    return _kept("registry_list_texts", LIST_TEXTS)
