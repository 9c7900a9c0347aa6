"""Staff pages of procurement (/staf/pengadaan): suppliers, purchases with quotes and
deliveries, reference prices, packed batches. Operators and admins write; the village
head and the BPD (auditors) read, and see the prices flagged over the reference."""

from __future__ import annotations

from functools import cache

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
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from portal.database import read
from portal.extensions import db
from portal.form_html import BlankForm, field_html, fields_html
from portal.i18n import current_lang
from portal.kept_fields import kept_fields_html, note_fields
from portal.models_base import village_today
from portal.procurement import forms, services
from portal.procurement.models import (
    LOCATIONS,
    METHODS,
    PACKAGING,
    SUPPLIER_KINDS,
    SUPPLIER_STATUSES,
    Purchase,
    PurchaseDelivery,
    Quote,
    Supplier,
)
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.uploads import mimetype_of

bp = Blueprint("procurement_manage", __name__, url_prefix="/staf/pengadaan")


@bp.context_processor
def staff_labels():
    """Labels the procurement staff pages look up by key (both staff blueprints)."""
    return {
        "supplier_kinds": SUPPLIER_KINDS,
        "locations": LOCATIONS,
        "methods": METHODS,
        "packaging_kinds": PACKAGING,
        "supplier_statuses": SUPPLIER_STATUSES,
    }


def _actor():
    return current_user._get_current_object()


def _none(label=None):
    return [(0, label or _("None"))]


# The index's statements, built once per process: the newest purchases as plain rows
# with their supplier's name and whether an ordered correction replaced them (the
# supplier was loaded purchase by purchase), the flagged ones, the pending count.
@cache
def _index_statements():
    correction = aliased(Purchase)
    replaced = (
        select(correction.id)
        .where(correction.corrects_id == Purchase.id, correction.status == "ordered")
        .exists()
    )
    purchases = (
        select(
            Purchase.id,
            Purchase.title,
            Purchase.status,
            Purchase.corrects_id,
            Purchase.total,
            Supplier.name.label("supplier_name"),
            replaced.label("superseded"),
        )
        .outerjoin(Supplier, Supplier.id == Purchase.supplier_id)
        .order_by(Purchase.id.desc())
        .limit(300)
    )
    flagged = (
        select(Purchase.id, Purchase.title, Purchase.total, Purchase.price_reason)
        .where(Purchase.price_flagged.is_(True))
        .order_by(Purchase.id.desc())
    )
    pending = select(func.count()).select_from(Supplier).where(Supplier.status == "pending")
    return purchases, flagged, pending


@bp.route("/")
@roles_required(*READERS)
def index():
    purchases, flagged, pending = _index_statements()
    return render_template(
        "procurement/manage/index.html",
        purchases=db.session.execute(purchases).all(),
        flagged=db.session.execute(flagged).all(),
        pending=db.session.scalar(pending),
    )


# --- suppliers ----------------------------------------------------------------------


@bp.route("/pemasok")
@roles_required(*READERS)
def suppliers():
    found = services.list_suppliers()
    return render_template(
        "procurement/manage/suppliers.html",
        suppliers=found,
        courses=services.course_titles(found),
    )


@cache
def _supplier_statement():
    """A supplier's form fields (and name) as one plain row."""
    columns = Supplier.__table__.c
    names = ("id", *services.suppliers.SUPPLIER_FIELDS, "training_place_id")
    return select(*dict.fromkeys(columns[name] for name in names)).where(
        Supplier.id == bindparam("supplier_id")
    )


def _kept_supplier_fields(item):
    """_supplier_form(item)'s fields on a GET (item None: a new supplier's), written into
    their kept markup without building the form (portal.kept_fields), or None."""
    overrides = {}
    if item is not None:
        overrides = {
            "training_place_id": item.training_place_id or 0,
            "rt": str(item.rt or ""),
            "rw": str(item.rw or ""),
        }
    menu = forms.pairs(_none() + services.course_choices())
    return kept_fields_html(forms.SupplierForm, item, overrides, menus={"training_place_id": menu})


def _supplier_form(item=None) -> forms.SupplierForm:
    form = forms.SupplierForm(obj=item)
    form.training_place_id.choices = forms.pairs(_none() + services.course_choices())
    if item is not None and not form.is_submitted():
        form.training_place_id.data = item.training_place_id or 0
        form.rt.data = str(item.rt or "")
        form.rw.data = str(item.rw or "")
    return form


def _save_supplier(supplier_id: int | None, form: forms.SupplierForm):
    data = {name: form.data[name] for name in services.suppliers.SUPPLIER_FIELDS}
    try:
        return services.save_supplier(supplier_id, data, actor=_actor())
    except services.ProcurementError as error:
        show_error(form, error, fallback="name")
        return None


@bp.route("/pemasok/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def supplier_create():
    if request.method == "GET" and (fields := _kept_supplier_fields(None)) is not None:
        return render_template(
            "procurement/manage/supplier_form.html",
            form=BlankForm(forms.SupplierForm),
            supplier=None,
            fields=fields,
        )
    form = _supplier_form()
    if request.method == "GET":
        note_fields(form)
    if form.validate_on_submit() and (saved := _save_supplier(None, form)):
        flash(_("Saved. The supplier can be chosen once verified."), "success")
        return redirect(url_for(".supplier", supplier_id=saved.id))
    return render_template(
        "procurement/manage/supplier_form.html", form=form, supplier=None, fields_html=fields_html
    )


@bp.route("/pemasok/<int:supplier_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def supplier_edit(supplier_id: int):
    item = read(db.session, _supplier_statement(), {"supplier_id": supplier_id}).first()
    if item is None:
        abort(404)
    if request.method == "GET" and (fields := _kept_supplier_fields(item)) is not None:
        return render_template(
            "procurement/manage/supplier_form.html",
            form=BlankForm(forms.SupplierForm),
            supplier=item,
            fields=fields,
        )
    form = _supplier_form(item)
    if request.method == "GET":
        note_fields(form)
    if form.validate_on_submit() and _save_supplier(supplier_id, form):
        flash(_("Saved. The supplier waits for verification again."), "success")
        return redirect(url_for(".supplier", supplier_id=supplier_id))
    return render_template(
        "procurement/manage/supplier_form.html", form=form, supplier=item, fields_html=fields_html
    )


@cache
def _supplier_page_statement():
    """What the supplier's page shows, as one plain row."""
    return select(*Supplier.__table__.c).where(Supplier.id == bindparam("supplier_id"))


@bp.route("/pemasok/<int:supplier_id>")
@roles_required(*READERS)
def supplier(supplier_id: int, decide_form=None):
    # Only shown: the supplier as a plain row; a GET's blank decision form is kept (the
    # template writes its field once per worker).
    item = read(db.session, _supplier_page_statement(), {"supplier_id": supplier_id}).first()
    if item is None:
        abort(404)
    return render_template(
        "procurement/manage/supplier.html",
        supplier=item,
        course=services.course_titles([item]).get(item.id),
        form=decide_form or BlankForm(forms.DecideSupplierForm),
    )


@bp.route("/pemasok/<int:supplier_id>/putuskan", methods=["POST"])
@roles_required(*EDITORS)
def supplier_decide(supplier_id: int):
    db.get_or_404(Supplier, supplier_id)
    form = forms.DecideSupplierForm()
    if form.validate_on_submit():
        verified = request.form.get("decision") == "verify"
        try:
            services.decide_supplier(
                supplier_id, verified=verified, note=form.note.data, actor=_actor()
            )
        except services.ProcurementError as error:
            show_error(form, error, fallback="note")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".supplier", supplier_id=supplier_id))
    return supplier(supplier_id, decide_form=form)


# --- reference prices and packed batches --------------------------------------------


@bp.route("/harga")
@roles_required(*READERS)
def prices(form=None):
    return render_template(
        "procurement/manage/prices.html",
        prices=services.reference_prices(),
        form=form or forms.ReferencePriceForm(),
        field_html=field_html,
    )


@bp.route("/harga/baru", methods=["POST"])
@roles_required(*EDITORS)
def price_create():
    form = forms.ReferencePriceForm()
    if form.validate_on_submit():
        try:
            services.set_reference_price(
                item=form.item.data,
                unit=form.unit.data,
                month=form.month.data,
                price=form.price.data,
                source=form.source.data,
                actor=_actor(),
            )
        except services.ProcurementError as error:
            show_error(form, error, fallback="item")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".prices"))
    return prices(form=form)


def _round_choices():
    lang = current_lang()
    return [(r.id, r.title(lang)) for r in services.rounds()]


def _packing_form(rounds):
    form = forms.PackedBatchForm()
    form.round_id.choices = forms.pairs(_none(_("Choose a round")) + rounds)
    return form


@bp.route("/pengemasan")
@roles_required(*READERS)
def packing(form=None):
    rounds = _round_choices()  # once: the form's choices and the list's titles
    blank = None
    if form is None:
        # A GET's blank form is a kept fragment (the template's kept_fragment): its fields
        # hold only today's date and the rounds, which name the fragment; the form is
        # built only to write it the first time.
        blank = (repr((village_today(), rounds)), cache(lambda: _packing_form(rounds)))
    return render_template(
        "procurement/manage/packing.html",
        batches=services.packed_batches(),
        titles=dict(rounds),
        form=form,
        blank=blank,
    )


@bp.route("/pengemasan/baru", methods=["POST"])
@roles_required(*EDITORS)
def packing_create():
    form = forms.PackedBatchForm()
    form.round_id.choices = forms.pairs(_none(_("Choose a round")) + _round_choices())
    if form.validate_on_submit():
        try:
            services.add_packed_batch(
                round_id=form.round_id.data or None,
                packed_on=form.packed_on.data,
                packages=form.packages.data or 0,
                packaging=form.packaging.data,
                packaging_grams=form.packaging_grams.data,
                own_bags=form.own_bags.data or 0,
                note=form.note.data,
                actor=_actor(),
            )
        except services.ProcurementError as error:
            show_error(form, error, fallback="packages")
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".packing"))
    return packing(form=form)


# --- files -------------------------------------------------------------------------

FILES = {
    "penawaran": (Quote, "document_file", "quotes"),
    "foto": (PurchaseDelivery, "photo_file", "photos"),
    "kuitansi": (PurchaseDelivery, "receipt_file", "receipts"),
}


@bp.route("/berkas/<kind>/<int:record_id>")
@roles_required(*READERS)
def stored_file(kind: str, record_id: int):
    if kind not in FILES:
        abort(404)
    model, column, folder = FILES[kind]
    row = db.session.get(model, record_id)
    name = getattr(row, column, None) if row else None
    path = services.stored_path(folder, name) if name else None
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype=mimetype_of(name))
    response.headers["Content-Disposition"] = "inline"
    return response
