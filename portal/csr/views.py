"""The CSR board in public (needs, progress, partner pages, feed, open data, verify page)
and the partner's own pages (register, pledge, offer, withdraw, receipts)."""

from __future__ import annotations

import json

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
from flask_login import current_user, login_user

from portal import cache, filecache, spreadsheet
from portal.cache import cached_page
from portal.csr import (
    amounts,
    board_html,
    facts,
    feed,
    history,
    hooks,
    receipts,
    rows,
    services,
    uploads,
)
from portal.csr.forms import CodeForm, LogoForm, NoteForm, OfferForm, PledgeForm, RegisterForm
from portal.csr.models import (
    NEED_KINDS,
    PLEDGE_STATUSES,
    SECTORS,
    Company,
    Delivery,
    Need,
    Pledge,
    PledgeEvent,
)
from portal.extensions import db, limiter
from portal.htmx import render
from portal.roles import PARTNERS, READERS, can
from portal.security import csrf_after_limits, public, roles_required
from portal.service_errors import show_error
from portal.urlargs import existing_page, page_arg

bp = Blueprint("csr", __name__, url_prefix="/csr")


@bp.record_once
def _template_globals(state) -> None:
    # Labels the CSR templates (public and staff) look up by key.
    state.app.jinja_env.globals.update(
        need_kinds=NEED_KINDS,
        pledge_statuses=PLEDGE_STATUSES,
        sectors=SECTORS,
        csr_qty=amounts.qty,
        csr_need_qty=amounts.need_qty,
        csr_pledge_qty=amounts.pledge_qty,
        csr_bars=amounts.bars,
    )
    # The board, a need's page, a partner's page and the feed show these (deliveries and
    # status steps change by bulk UPDATE, which the cache also sees).
    cache.watch(Need, Company, Pledge, PledgeEvent, Delivery)


@bp.context_processor
def _rows():
    """Rows written in Python for the partner's pages (a page's context, not app-wide
    Jinja globals: every {% from %} import walks the globals)."""
    return {
        "csr_history": history.history_section,
        "csr_partner_pledge_rows": rows.partner_pledge_rows,
        "csr_board_cards": rows.board_cards,
        "csr_totals_tables": board_html.totals_tables,
        "csr_need_pledge_rows": rows.need_pledge_rows,
        "csr_need_pledges": rows.need_pledges,
        "csr_need_facts": facts.need_facts,
    }


RECEIPT_ROLES = (*PARTNERS, *READERS)


def _register_limit() -> str:
    return current_app.config.get("CSR_REGISTER_LIMIT", "5 per hour;20 per day")


def _verify_limit() -> str:
    return current_app.config.get("CSR_VERIFY_LIMIT", "30 per minute")


def _my_company():
    company = services.company_for_user(current_user)
    if company is None:
        abort(404)
    return company


# --- public --------------------------------------------------------------------------


@bp.route("/")
@public
@cached_page
def board():
    kind = request.args.get("jenis") or None
    if kind is not None and kind not in NEED_KINDS:
        abort(404)
    listing = request.args.get("daftar") or None
    if listing not in (None, "selesai"):
        abort(404)
    page = page_arg("halaman")
    board = services.board(kind, page=page, done=listing == "selesai")
    if page > board.pages:
        abort(404)
    return render(
        "csr/board.html",
        "csr/_needs.html",
        board=board,
        kind=kind,
        kinds=NEED_KINDS,
        totals=services.totals(),
        company=services.company_for_user(current_user),
    )


@bp.route("/kebutuhan/<int:need_id>")
@public
@cached_page
def need(need_id: int):
    item = services.published_need(need_id, with_links=True)
    if item is None:
        abort(404)
    company = services.company_for_user(current_user)
    form = PledgeForm() if company is not None and company.status != "rejected" else None
    return _need_page(item, company, form)


def _need_page(item, company, form, status=200):
    pledges = services.public_pledges_for_need(item)
    return render_template(
        "csr/need.html",
        need=item,
        progress=services.progress_from(item, pledges),
        pledges=pledges,
        courses=hooks.courses_from_pledges(p.id for p in pledges),
        ballot=item.ballot,
        company=company,
        form=form,
    ), status


@bp.route("/kebutuhan/<int:need_id>/janji", methods=["POST"])
@roles_required(*PARTNERS)
def pledge(need_id: int):
    item = services.published_need(need_id)
    if item is None:
        abort(404)
    company = _my_company()
    form = PledgeForm()
    if form.validate_on_submit():
        try:
            made = services.make_pledge(
                company,
                item.id,
                amount=form.amount.data,
                value=form.value.data,
                expected_on=form.expected_on.data,
                conditions=form.conditions.data,
                actor=current_user._get_current_object(),
            )
        except services.NotAllowed as error:
            flash(str(error.message), "error")
            return redirect(url_for("csr.need", need_id=need_id))
        except services.CsrError as error:
            show_error(form, error)
        else:
            if company.is_verified:
                flash(_("Thank you. Your pledge is recorded and shown on the board."), "success")
            else:
                flash(
                    _(
                        "Thank you. Your pledge is recorded; it will be shown on the board once "
                        "the village office has verified your company."
                    ),
                    "success",
                )
            return redirect(url_for("csr.my_pledge", pledge_id=made.id))
    return _need_page(item, company, form, 200)


@bp.route("/mitra/<int:company_id>")
@public
@cached_page
def company(company_id: int):
    item = services.public_company(company_id)
    if item is None:
        abort(404)
    pledges, summary = services.company_pledges_and_totals(
        item, public=True, page=page_arg("halaman")
    )
    return render_template(
        "csr/company.html",
        company=item,
        pledges=existing_page(pledges),
        summary=summary,
    )


@bp.route("/logo/<int:company_id>")
@public
def logo(company_id: int):
    item = db.session.get(Company, company_id)
    if item is None or not item.logo_file:
        abort(404)
    # An unverified company's logo is seen only by itself and staff.
    if not item.is_verified and not (
        can(current_user, "read")
        or (current_user.is_authenticated and current_user.id == item.user_id)
    ):
        abort(404)
    return _image("logos", item.logo_file, "image/png", public=item.is_verified)


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@public
@csrf_after_limits
def register():
    if current_user.is_authenticated:
        if services.company_for_user(current_user) is not None:
            return redirect(url_for("csr.account"))
        return render_template("csr/register.html", form=None)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            made = services.register_company(
                name=form.name.data,
                sector=form.sector.data,
                contact_name=form.contact_name.data,
                email=form.email.data,
                password=form.password.data,
                locale=form.locale.data,
                contact_phone=form.contact_phone.data,
                website=form.website.data,
                description=form.description.data,
                logo=form.logo.image,
                ip=request.remote_addr,
            )
        except services.CsrError as error:
            show_error(form, error)
        else:
            login_user(made.user)
            flash(
                _(
                    "Your company is registered. The village office will verify it; until "
                    "then your pledges are not shown in public."
                ),
                "success",
            )
            return redirect(url_for("csr.account"))
    return render_template("csr/register.html", form=form)


@bp.route("/verifikasi")
@limiter.limit(_verify_limit)
@public
def verify():
    form = CodeForm(request.args)
    result = None
    checked = False
    if "kode" in request.args and form.validate():
        checked = True
        result = services.find_receipt(form.kode.data)
    return render_template("csr/verify.html", form=form, result=result, checked=checked)


@bp.route("/janji.atom")
@public
@cached_page
def pledges_feed():
    body = feed.pledges_atom(
        services.recent_events(30),
        feed_url=url_for("csr.pledges_feed", _external=True),
        site_url=url_for("csr.board", _external=True),
    )
    return current_app.response_class(body, mimetype="application/atom+xml")


DATASETS = {
    "janji": (services.export_pledges, services.PLEDGE_COLUMNS, "pledges"),
    "pengiriman": (services.export_deliveries, services.DELIVERY_COLUMNS, "deliveries"),
}


@bp.route("/data/janji.csv", defaults={"dataset": "janji", "fmt": "csv"})
@bp.route("/data/janji.json", defaults={"dataset": "janji", "fmt": "json"})
@bp.route("/data/pengiriman.csv", defaults={"dataset": "pengiriman", "fmt": "csv"})
@bp.route("/data/pengiriman.json", defaults={"dataset": "pengiriman", "fmt": "json"})
@public
@limiter.limit(filecache.download_limit)
def open_data(dataset: str, fmt: str):
    produce, columns, name = DATASETS[dataset]
    rows = produce()
    if fmt == "json":
        body = json.dumps({"dataset": name, "count": len(rows), "rows": rows}, ensure_ascii=False)
        response = current_app.response_class(body, mimetype="application/json")
    else:
        table = [columns, *([row.get(c) for c in columns] for row in rows)]
        response = current_app.response_class(
            spreadsheet.csv_text(table, bom=True), mimetype="text/csv; charset=utf-8"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="csr-{name}.{fmt}"'
    return response


# --- the partner's own pages -----------------------------------------------------------


@bp.route("/akun")
@roles_required(*PARTNERS)
def account():
    company = _my_company()
    # The blank logo field is kept per worker (the template's kept_fragment).
    return _account_page(company, None)


def _account_page(company, logo_form):
    page = page_arg("halaman")
    return render_template(
        "csr/account.html",
        blank_logo_form=LogoForm,
        company=company,
        # The account page shows no pledge's deliveries.
        pledges=existing_page(
            services.company_pledges_page(company, public=False, page=page, deliveries=False)
        ),
        logo_form=logo_form,
        # The page lists the first ten.
        needs=services.open_needs(10),
    )


@bp.route("/akun/logo", methods=["POST"])
@roles_required(*PARTNERS)
def change_logo():
    company = _my_company()
    form = LogoForm()
    if form.validate_on_submit():
        services.set_logo(company, form.logo.image, actor=current_user._get_current_object())
        flash(_("The logo is saved."), "success")
        return redirect(url_for("csr.account"))
    return _account_page(company, form)


@bp.route("/tawaran", methods=["GET", "POST"])
@roles_required(*PARTNERS)
def offer():
    company = _my_company()
    form = OfferForm()
    if form.validate_on_submit():
        try:
            made = services.make_offer(
                company,
                kind=form.kind.data,
                description=form.description.data,
                amount=form.amount.data,
                unit=form.unit.data,
                value=form.value.data,
                expected_on=form.expected_on.data,
                conditions=form.conditions.data,
                actor=current_user._get_current_object(),
            )
        except services.CsrError as error:
            show_error(form, error)
        else:
            flash(
                _("Thank you. The village office will look at your offer and reply."),
                "success",
            )
            return redirect(url_for("csr.my_pledge", pledge_id=made.id))
    return render_template("csr/offer.html", form=form, company=company)


@bp.route("/akun/janji/<int:pledge_id>")
@roles_required(*PARTNERS)
def my_pledge(pledge_id: int):
    # The partner's company and its pledge in one statement (404 without either); the
    # withdrawal's form only when the pledge may be withdrawn (the page shows no other).
    item = services.partner_pledge(current_user, pledge_id)
    if item is None:
        abort(404)
    steps = services.allowed_steps(item, current_user)
    return render_template(
        "csr/my_pledge.html",
        company=item.company,
        pledge=item,
        steps=steps,
        form=NoteForm() if "withdrawn" in steps else None,
        history=services.pledge_history(item.id),
    )


@bp.route("/akun/janji/<int:pledge_id>/tarik", methods=["POST"])
@roles_required(*PARTNERS)
def withdraw(pledge_id: int):
    company = _my_company()
    item = services.own_pledge(company, pledge_id)
    if item is None:
        abort(404)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.change_status(
                item.id, "withdrawn", actor=current_user._get_current_object(), note=form.note.data
            )
        except services.CsrError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Your pledge is withdrawn. It stays on record, marked as withdrawn."), "info")
    return redirect(url_for("csr.my_pledge", pledge_id=pledge_id))


# --- receipts and attachments (the company and staff) ------------------------------------


def _may_see(item: Pledge) -> bool:
    if current_user.is_staff:
        return True
    return item.company.user_id == current_user.id


def _pdf(body: bytes, name: str):
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/kuitansi/janji/<int:pledge_id>.pdf")
@roles_required(*RECEIPT_ROLES)
def pledge_receipt(pledge_id: int):
    item = db.session.get(Pledge, pledge_id)
    if item is None or not item.receipt_code or not _may_see(item):
        abort(404)
    with filecache.render_slot():
        body = receipts.pledge_receipt(item, url_for("csr.verify", _external=True))
    return _pdf(body, f"tanda-terima-janji-{item.id}.pdf")


@bp.route("/kuitansi/pengiriman/<int:delivery_id>.pdf")
@roles_required(*RECEIPT_ROLES)
def delivery_receipt(delivery_id: int):
    item = db.session.get(Delivery, delivery_id)
    if item is None or not _may_see(item.pledge):
        abort(404)
    until = sum(d.amount for d in item.pledge.deliveries if d.id <= item.id)
    with filecache.render_slot():
        body = receipts.delivery_receipt(item, url_for("csr.verify", _external=True), until)
    return _pdf(body, f"tanda-terima-pengiriman-{item.id}.pdf")


@bp.route("/lampiran/<int:delivery_id>")
@roles_required(*RECEIPT_ROLES)
def attachment(delivery_id: int):
    item = db.session.get(Delivery, delivery_id)
    if item is None or not item.attachment_file or not _may_see(item.pledge):
        abort(404)
    mimetype = uploads.mimetype_of(item.attachment_file)
    return _image("deliveries", item.attachment_file, mimetype, public=False)


def _image(folder: str, name: str, mimetype: str, *, public: bool):
    """A stored image or PDF receipt (size-limited), read whole and sent inline."""
    path = uploads.stored_path(folder, name)
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = "inline"
    if public:
        response.headers["Cache-Control"] = "public, max-age=3600"
    return response
