"""Staff pages of the recipient registry: search, household record, editing, warnings,
and deciding on likely duplicates (merge, or different people).

Operators and admins edit; auditors read. Opening a household's full record, or two
person records side by side, is written to the audit log, like every change.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal import searches
from portal.accounts.models import User
from portal.audit.services import mask_numbers
from portal.extensions import db
from portal.forms import EmptyForm, TokenOnly, choices
from portal.htmx import is_htmx, render
from portal.i18n import current_lang
from portal.models_base import village_today
from portal.programmes.models import AID_TYPES
from portal.registry import reads, scoring, services
from portal.registry.duplicate_cards import duplicate_cards
from portal.registry.filter_rows import filter_html
from portal.registry.forms import (
    EnrolmentForm,
    HouseholdForm,
    MergeForm,
    MoveForm,
    NotDuplicateForm,
    PersonForm,
)
from portal.registry.household_body import household_body
from portal.registry.kept_forms import kept_form, remember
from portal.registry.models import (
    BPS_CRITERIA,
    CIVIL_STATUSES,
    DUPLICATE_DECISIONS,
    KK_CHANGE_REASONS,
    MEMBERSHIP_REASONS,
    NATIONAL_PROGRAMMES,
    NEED_LEVELS,
    RELATIONS,
    SEXES,
    Enrolment,
    ExternalEnrolment,
    Person,
)
from portal.registry.page_texts import household_texts, list_texts
from portal.registry.pair_sections import pair_sections
from portal.registry.result_rows import household_rows
from portal.registry.warning_rows import WARNING_ITEMS
from portal.roles import EDITORS, READERS
from portal.row_pages import pager_html
from portal.security import roles_required
from portal.service_errors import show_error
from portal.urlargs import page_arg

bp = Blueprint("registry", __name__, url_prefix="/staf/registrasi")

PER_PAGE = 25


@bp.app_template_global("food_formula")
def _food_formula():
    """The public food formula, for the food programme's page."""
    return scoring.food_formula()


@bp.app_template_filter("masked")
def _masked(number: str | None) -> str:
    """A NIK or KK number for lists: 3201********0001 (the full one is on audited pages)."""
    return mask_numbers(number) if number else "–"


LABELS = {
    "need_levels": NEED_LEVELS,
    "relations": RELATIONS,
    "sexes": SEXES,
    "civil_statuses": CIVIL_STATUSES,
    "bps_criteria": BPS_CRITERIA,
    "kk_reasons": KK_CHANGE_REASONS,
    "membership_reasons": MEMBERSHIP_REASONS,
    "national_programmes": NATIONAL_PROGRAMMES,
    "duplicate_decisions": DUPLICATE_DECISIONS,
    "aid_types": AID_TYPES,
}


def _translated_labels() -> dict[str, dict]:
    """The label tables in the reader's language, translated once per language and app.

    The pages look labels up in every row, and a lazy string is translated again each
    time it is shown; the tables hold only fixed labels, nothing about any person.
    """
    lang = current_lang()
    kept = current_app.extensions.setdefault("registry_labels", {})
    labels = kept.get(lang)
    if labels is None:
        labels = kept[lang] = {
            name: {
                key: (value[0], str(value[1])) if isinstance(value, tuple) else str(value)
                for key, value in table.items()
            }
            for name, table in LABELS.items()
        }
    return labels


@bp.context_processor
def _labels():
    user = current_user._get_current_object()  # one look-up through the proxy, not four
    edits = user.is_authenticated and user.role in EDITORS
    return {
        **_translated_labels(),
        "can_edit": edits,
        # Files with NIK, KK, birth dates and disability: operators and admins only.
        "can_export": edits,
        "household_rows": household_rows,
        "warning_items": WARNING_ITEMS,
    }


def _ip() -> str | None:
    return request.remote_addr


def _household_or_404(household_id: int):
    household = services.get_household(household_id)
    if household is None:
        abort(404)
    return household


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.merged_into_id is not None:
        abort(404)
    return person


SEARCH = "registry"


def search_filters() -> tuple[services.Filters, dict]:
    """The filters of this request and the URL arguments that give them back: a search
    kept by id (`portal.searches`), else the query string without any words."""
    kept = searches.recall(SEARCH)
    if kept is not None:
        return services.filters_from_args(kept), {searches.ARG: request.args[searches.ARG]}
    filters = services.filters_from_args(request.args)
    filters.q = ""
    return filters, services.filters_query(filters)


def _results_page(filters: services.Filters, search_args: dict, page: int = 1):
    searched = any(
        (filters.q, filters.need_level, filters.aid_type, filters.rt, filters.rw)
    ) or bool(filters.programme_id)
    # Only the whole page has the filter menu; the fragment (every keystroke) has not.
    # Its programmes come with the households (one statement when nothing is filtered).
    programmes = None if is_htmx() else []
    pagination, members = services.households_page(
        filters, page=page, per_page=PER_PAGE, programmes=programmes
    )
    return render(
        "registry/index.html",
        "registry/_results.html",
        filters=filters,
        search_args=search_args,
        searched=searched,
        pagination=pagination,
        members=members,
        programmes=programmes or [],
        filter_html=filter_html,
        pager=pager_html,
        lt=list_texts(),
    )


@bp.route("/")
@roles_required(*READERS)
def index():
    if "q" in request.args:  # an old link: the words leave the address
        values = services.filters_query(services.filters_from_args(request.args))
        return searches.redirect_to(SEARCH, values, "registry.index")
    filters, search_args = search_filters()
    return _results_page(filters, search_args, page_arg())


@bp.route("/", methods=["POST"])
@roles_required(*READERS)
def search():
    """The search form (a POST, so that a NIK or KK number never enters a URL)."""
    filters = services.filters_from_args(request.form)
    values = services.filters_query(filters)
    if not is_htmx():
        return searches.redirect_to(SEARCH, values, "registry.index")
    token = searches.remember(SEARCH, values)
    response = _results_page(filters, {searches.ARG: token})
    response.headers["HX-Replace-Url"] = url_for("registry.index", **{searches.ARG: token})
    return response


@bp.route("/rumah-tangga/<int:household_id>")
@roles_required(*READERS)
def household(household_id: int):
    today = village_today()
    found = services.kept_household_record(household_id, today)
    if found is None:
        abort(404)
    page = render_template(
        "registry/household.html",
        household=found.household,
        record=found,
        # Only this page and the pair page show `today` (not every registry page).
        today=today,
        t=household_texts(),
        labels=_translated_labels(),
        # The end-enrolment buttons' CSRF input, made only when the page shows them.
        button=TokenOnly(),
        household_body=household_body,
    )
    # Written once the page is made and before it is sent: a page that cannot be
    # logged is not shown. (Writing first would also reload the record after the commit.)
    services.view_household(found.household, actor=current_user, ip=_ip())
    return page


@bp.route("/rumah-tangga/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create_household():
    form = HouseholdForm()
    if form.validate_on_submit():
        item, errors = services.save_household(None, form.to_data(), actor=current_user, ip=_ip())
        if not errors:
            flash(_("The household is saved. Add its members now."), "success")
            return redirect(url_for("registry.household", household_id=item.id))
        show_error(form, errors)
    return render_template("registry/household_form.html", form=form, household=None)


@bp.route("/rumah-tangga/<int:household_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_household(household_id: int):
    if request.method == "GET":  # the form shows the columns: not read as a record
        item = services.household_fields(household_id)
        if item is None:
            abort(404)
    else:
        item = _household_or_404(household_id)
    # A GET's form from kept markup when it can be (portal/registry/kept_forms.py).
    form = kept_form(HouseholdForm, item) if request.method == "GET" else None
    if form is None:
        form = HouseholdForm(obj=item)
        remember(form)
    if request.method != "GET" and form.validate_on_submit():
        _item, errors = services.save_household(
            item, form.to_data(), actor=current_user, kk_reason=form.kk_reason.data, ip=_ip()
        )
        if not errors:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registry.household", household_id=item.id))
        show_error(form, errors)
    page = render_template("registry/household_form.html", form=form, household=item)
    # The form shows the KK number in full: logged once made, before it is sent.
    reads.view_household_form(item, actor=current_user, ip=_ip())
    return page


@bp.route("/rumah-tangga/<int:household_id>/anggota-baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def add_person(household_id: int):
    if request.method == "GET":  # the blank form: whether the household has a head
        has_head = services.household_has_head(household_id)
        if has_head is None:
            abort(404)
        form = PersonForm()
        if has_head:
            form.relation.data = "child"
        return render_template(
            "registry/person_form.html", form=form, person=None, household_id=household_id
        )
    item = _household_or_404(household_id)
    form = PersonForm()
    if form.validate_on_submit():
        _person, errors, warnings = services.save_person(
            None, form.to_data(), actor=current_user, household=item, ip=_ip()
        )
        if not errors:
            flash(_("The person is saved."), "success")
            for warning in warnings:
                flash(str(warning), "warning")
            return redirect(url_for("registry.household", household_id=item.id))
        show_error(form, errors)
    return render_template(
        "registry/person_form.html", form=form, person=None, household_id=item.id
    )


@bp.route("/warga/<int:person_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = None
    if request.method == "GET":
        services.view_person(person, actor=current_user, ip=_ip())
        # From kept markup when it can be (portal/registry/kept_forms.py).
        form = kept_form(PersonForm, person)
    if form is None:
        form = PersonForm(obj=person)
        remember(form)
    if request.method != "GET" and form.validate_on_submit():
        _person, errors, warnings = services.save_person(
            person, form.to_data(), actor=current_user, ip=_ip()
        )
        if not errors:
            flash(_("Your changes are saved."), "success")
            for warning in warnings:
                flash(str(warning), "warning")
            if person.household_id:
                return redirect(url_for("registry.household", household_id=person.household_id))
            return redirect(url_for("registry.index"))
        show_error(form, errors)
    return render_template(
        # Only the household's number is shown (the crumb): not read as a record.
        "registry/person_form.html",
        form=form,
        person=person,
        household_id=person.household_id,
    )


@bp.route("/warga/<int:person_id>/pindah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def move_person(person_id: int):
    if request.method == "GET":  # the blank form: the person's name, household, relation
        heading = services.person_heading(person_id)
        if heading is None:
            abort(404)
        form = MoveForm()
        form.relation.data = heading.relation
        return render_template("registry/move_form.html", form=form, person=heading)
    person = _person_or_404(person_id)
    form = MoveForm()
    if form.validate_on_submit():
        target = services.household_by_kk(form.target.data)
        if target is None:
            form.target.errors = [_("No household in the registry has this family card number.")]
        elif target.id == person.household_id:
            form.target.errors = [_("The person already belongs to this household.")]
        else:
            services.move_person(
                person,
                target,
                actor=current_user,
                relation=form.relation.data,
                reason=form.reason.data,
                on=form.on.data,
                ip=_ip(),
            )
            flash(_("The move is recorded."), "success")
            return redirect(url_for("registry.household", household_id=target.id))
    return render_template("registry/move_form.html", form=form, person=person)


@bp.route("/rumah-tangga/<int:household_id>/kepesertaan", methods=["GET", "POST"])
@roles_required(*EDITORS)
def add_enrolment(household_id: int):
    if request.method == "GET":  # the blank form: the members' names, plain rows
        item, names = None, services.member_names(household_id)
        if names is None:
            abort(404)
    else:
        item = _household_or_404(household_id)
        names = [(p.id, p.name) for p in item.members if p.merged_into_id is None]
    form = EnrolmentForm()
    form.programme.choices = choices(
        {
            "": _("Choose a programme"),
            **{f"v{p.id}": p.name_id for p in services.programmes_for_filter()},
            **{f"n{code}": label for code, (_kind, label) in NATIONAL_PROGRAMMES.items()},
        }
    )
    form.person.choices = choices(
        {
            "": _("The whole household"),
            **{str(person_id): name for person_id, name in names},
        }
    )
    if form.validate_on_submit():
        person = None
        if form.person.data:
            person = db.session.get(Person, int(form.person.data))
        choice = form.programme.data
        if choice.startswith("n"):
            services.add_external(
                item,
                choice[1:],
                form.period_start.data,
                form.period_end.data,
                actor=current_user,
                person=person,
                source=form.source.data or None,
                ip=_ip(),
            )
            errors = {}
        else:
            _enrolment, errors = services.enrol(
                item,
                int(choice[1:]),
                form.period_start.data,
                form.period_end.data,
                actor=current_user,
                person=person,
                ip=_ip(),
            )
        if not errors:
            flash(_("The enrolment is recorded."), "success")
            return redirect(url_for("registry.household", household_id=item.id))
        show_error(form, errors)
    return render_template("registry/enrolment_form.html", form=form, household_id=household_id)


@bp.route("/kepesertaan/<kind>/<int:enrolment_id>/akhiri", methods=["POST"])
@roles_required(*EDITORS)
def end_enrolment(kind: str, enrolment_id: int):
    model = {"desa": Enrolment, "nasional": ExternalEnrolment}.get(kind)
    item = db.session.get(model, enrolment_id) if model else None
    if item is None:
        abort(404)
    household_id = item.household_id or (item.person.household_id if item.person else None)
    if EmptyForm().validate_on_submit():
        services.end_enrolment(item, actor=current_user, ip=_ip())
        flash(_("The enrolment has ended."), "success")
    if household_id:
        return redirect(url_for("registry.household", household_id=household_id))
    return redirect(url_for("registry.warnings"))


@bp.route("/peringatan")
@roles_required(*READERS)
def warnings():
    return render_template("registry/warnings.html", warnings=services.warnings_overview())


@bp.route("/duplikat")
@roles_required(*READERS)
def duplicates():
    return render_template(
        "registry/duplicates.html",
        pairs=services.likely_duplicate_rows(300),
        duplicate_cards=duplicate_cards,
    )


def _pair_or_404(first: int, second: int) -> tuple[Person, Person]:
    # Merged records are found too: their page says the pair is decided, not "not found".
    # A decision reads them one by one (its service locks and reads them again).
    a, b = db.session.get(Person, first), db.session.get(Person, second)
    if a is None or b is None:
        abort(404)
    return a, b


def _pair_page(a: Person, b: Person, merge_form=None, different_form=None, posted=None, heads=None):
    """The comparison page; `posted` names the form that came back with errors. A GET
    (no forms given) builds the forms only when the page shows them (no problem with
    the pair); `heads` names each household's head (read with the records on a GET)."""
    decision = services.decision_for(a, b) if a.id != b.id else None
    problem = services.pair_problem(a, b, decision)
    if merge_form is None and not problem:
        merge_form, different_form = MergeForm(prefix="merge"), NotDuplicateForm(prefix="different")
    if merge_form is not None:
        merge_form.keep.choices = [
            (str(p.id), _("Keep record %(n)d: %(name)s", n=n, name=p.name))
            for n, p in ((1, a), (2, b))
        ]
    if heads is None:
        heads = {}
        for p in (a, b):
            if p.household is not None:
                head = p.household.head
                heads[p.household.id] = head.name if head else None
    decided_by = (
        db.session.get(User, decision.decided_by_id)
        if decision and decision.decided_by_id
        else None
    )
    page = render_template(
        "registry/duplicate_pair.html",
        today=village_today(),
        a=a,
        b=b,
        problem=problem,
        decision=decision,
        decided_by=decided_by.name if decided_by else None,
        likely=a.name_norm == b.name_norm and a.birth_date == b.birth_date,
        # One record on both sides is read once.
        enrolments={p.id: services.person_enrolments(p) for p in {a.id: a, b.id: b}.values()},
        heads=heads,
        pair_sections=pair_sections,
        merge_form=merge_form,
        different_form=different_form,
        posted=posted,
    )
    # Written once the page is made and before it is sent (as the household page): a
    # page that cannot be logged is not shown, and the reads stay in one transaction.
    services.view_pair(a, b, actor=current_user, ip=_ip())
    return page


@bp.route("/duplikat/<int:first>/<int:second>")
@roles_required(*READERS)
def duplicate_pair(first: int, second: int):
    # The page reads both records with their households and the heads' names at once.
    a, b, heads = services.pair_records(first, second)
    if a is None or b is None:
        abort(404)
    return _pair_page(a, b, heads=heads)


@bp.route("/duplikat/<int:first>/<int:second>/gabungkan", methods=["POST"])
@roles_required(*EDITORS)
def merge_pair(first: int, second: int):
    a, b = _pair_or_404(first, second)
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        keep = {str(a.id): a, str(b.id): b}.get(form.keep.data)
        if keep is None:
            form.keep.errors = [_("Choose the record that stays.")]
        else:
            drop = b if keep is a else a
            try:
                services.merge_persons(keep, drop, current_user, form.reason.data, ip=_ip())
            except services.DuplicateDecisionError as exc:
                show_error(form, exc, fallback="reason")
            else:
                flash(
                    _(
                        "%(drop)s is merged into %(keep)s: every enrolment and household stay "
                        "now belongs to the record that stays.",
                        drop=drop.name,
                        keep=keep.name,
                    ),
                    "success",
                )
                return redirect(url_for("registry.duplicates"))
    blank = NotDuplicateForm(prefix="different", formdata=None)
    return _pair_page(a, b, form, blank, posted="merge")


@bp.route("/duplikat/<int:first>/<int:second>/bukan-duplikat", methods=["POST"])
@roles_required(*EDITORS)
def not_duplicate(first: int, second: int):
    a, b = _pair_or_404(first, second)
    form = NotDuplicateForm(prefix="different")
    if form.validate_on_submit():
        try:
            services.decide_not_duplicate(
                a, b, actor=current_user, reason=form.reason.data, ip=_ip()
            )
        except services.DuplicateDecisionError as exc:
            show_error(form, exc, fallback="reason")
        else:
            flash(
                _(
                    "%(a)s and %(b)s are recorded as different people.",
                    a=a.name,
                    b=b.name,
                ),
                "success",
            )
            return redirect(url_for("registry.duplicates"))
    blank = MergeForm(prefix="merge", formdata=None)
    return _pair_page(a, b, blank, form, posted="different")
