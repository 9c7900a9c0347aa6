"""Portal Bansos Desa Duri Selatan: the application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from portal import config as portal_config
from portal.files import private_dir, private_sqlite_file
from portal.templating import use_environment
from portal.urlargs import DatabaseIntConverter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, languages, security, CLI, errors."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE", os.path.join(ROOT, "instance")),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    use_environment(app)  # before anything makes app.jinja_env (portal/templating.py)
    # 0700: it holds the database, the keys, uploads and the outbox.
    private_dir(app.instance_path)
    app.config.from_mapping(portal_config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT, "translations")
    # Before any route is added: every <int:...> holds only what the database can.
    app.url_map.converters["int"] = DatabaseIntConverter

    remember_sync_checks(app)
    configure_workers(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_i18n(app)
    configure_security(app)
    configure_templates(app)
    configure_cli(app)
    configure_errors(app)
    return app


def remember_sync_checks(app: Flask, most: int = 4096) -> None:
    """Flask asks `inspect.iscoroutinefunction` about the view, every before- and
    after-request function, teardown and context processor on every request (some 18 a
    page, each 5 Python calls): the same functions every time. The answer is kept per
    function (bounded; a function that cannot be a key is asked each time)."""
    own = app.ensure_sync
    kept: dict[Any, Any] = {}

    def ensure_sync(func):
        try:
            return kept[func]
        except KeyError:
            if len(kept) >= most:
                kept.clear()
            result = kept[func] = own(func)
            return result
        except TypeError:
            return own(func)

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def configure_workers(app: Flask) -> None:
    """Refuse several workers that would each keep their own rate-limit counters."""
    from portal.workers import check_limit_storage, worker_count

    check_limit_storage(app.config, worker_count())


def configure_extensions(app: Flask) -> None:
    import portal.models  # noqa: F401  (every table known before the first query)
    from portal.database import configure_engine, engine_options
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    from portal.csrf_tokens import reuse_signed_tokens
    from portal.session_cookie import KeptSessionInterface

    app.session_interface = KeptSessionInterface()  # a checked cookie kept a minute

    reuse_signed_tokens()  # before csrf.init_app: its template global is the function
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        # A SQLite file is made 0600 before SQLite creates it with the process umask.
        private_sqlite_file(db.engine.url)
        configure_engine(db.engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    from portal import cache

    cache.init_app(app)  # rendered public pages for anonymous visitors (portal/cache.py)

    from portal.accounts.services import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def configure_blueprints(app: Flask) -> None:
    from portal.accounts.views import bp as accounts_bp
    from portal.audit.views import bp as audit_bp
    from portal.complaints.manage import bp as complaints_manage_bp
    from portal.complaints.views import bp as complaints_bp
    from portal.csr.manage import bp as csr_manage_bp
    from portal.csr.views import bp as csr_bp
    from portal.distribution.conflicts import bp as distribution_conflicts_bp
    from portal.distribution.ledger import bp as distribution_ledger_bp
    from portal.distribution.manage import bp as distribution_manage_bp
    from portal.distribution.point import bp as distribution_point_bp
    from portal.distribution.views import bp as distribution_bp
    from portal.lists.manage import bp as lists_manage_bp
    from portal.lists.views import bp as lists_bp
    from portal.monitoring.evaluation_views import bp as monitoring_evaluation_bp
    from portal.monitoring.evaluation_views import manage as monitoring_evaluation_manage_bp
    from portal.monitoring.manage import bp as monitoring_manage_bp
    from portal.monitoring.views import api as monitoring_api_bp
    from portal.monitoring.views import bp as monitoring_bp
    from portal.participation.manage import bp as participation_manage_bp
    from portal.participation.views import bp as participation_bp
    from portal.procurement.manage import bp as procurement_manage_bp
    from portal.procurement.purchase_pages import bp as procurement_purchase_bp
    from portal.procurement.views import bp as procurement_bp
    from portal.public.manage import bp as manage_bp
    from portal.public.views import bp as public_bp
    from portal.registry.change_requests.manage import bp as change_requests_manage_bp
    from portal.registry.change_requests.views import bp as change_requests_bp
    from portal.registry.import_views import bp as registry_import_bp
    from portal.registry.resident_manage import bp as residents_manage_bp
    from portal.registry.views import bp as registry_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(residents_manage_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(registry_bp)
    app.register_blueprint(registry_import_bp)
    app.register_blueprint(change_requests_bp)
    app.register_blueprint(change_requests_manage_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(complaints_manage_bp)
    from portal.complaints.audit_rules import register as register_complaint_audit_rule

    register_complaint_audit_rule()
    app.register_blueprint(csr_bp)
    app.register_blueprint(csr_manage_bp)
    app.register_blueprint(participation_bp)
    app.register_blueprint(participation_manage_bp)
    app.register_blueprint(lists_bp)
    app.register_blueprint(lists_manage_bp)
    from portal.lists import change_concerns

    change_concerns.listen()
    from portal.distribution import change_concerns as distribution_concerns

    distribution_concerns.listen()
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(monitoring_api_bp)
    app.register_blueprint(monitoring_manage_bp)
    app.register_blueprint(monitoring_evaluation_bp)
    app.register_blueprint(monitoring_evaluation_manage_bp)
    from portal.monitoring.cli import cli as monitoring_cli
    from portal.monitoring.comment_views import bp as monitoring_comments_bp

    app.register_blueprint(monitoring_comments_bp)
    from portal.monitoring import survey_codes

    survey_codes.register()

    app.cli.add_command(monitoring_cli)
    app.register_blueprint(distribution_ledger_bp)
    app.register_blueprint(procurement_bp)
    app.register_blueprint(procurement_manage_bp)
    app.register_blueprint(procurement_purchase_bp)
    app.register_blueprint(distribution_bp)
    app.register_blueprint(distribution_manage_bp)
    app.register_blueprint(distribution_point_bp)
    app.register_blueprint(distribution_conflicts_bp)
    from portal.training.views import register as register_training

    register_training(app)
    from portal.notify.manage import register as register_notify

    register_notify(app)
    configure_account_data()
    configure_notify_hooks()


def configure_account_data() -> None:
    """Each feature tells "My account" what it keeps about a person; the registry
    offers accounts its check of a resident's proof (portal/accounts/identity.py)."""
    from portal.registry import verification

    verification.register()
    from portal.registry.change_requests import account_data as change_request_data

    change_request_data.register()
    from portal.complaints import account_data as complaints_data
    from portal.distribution import account_data as distribution_data
    from portal.notify import account_data as notify_data
    from portal.participation import account_data as participation_data
    from portal.training import account_data as training_data

    for feature in (
        participation_data,
        training_data,
        complaints_data,
        notify_data,
        distribution_data,
    ):
        feature.register()


def configure_notify_hooks() -> None:
    """The features tell the notify service who their audiences are and what their
    posters say (portal/notify/hooks.py); the registry, whose households have phones."""
    from portal.complaints import notices as complaint_notices
    from portal.distribution import notices as distribution_notices
    from portal.lists import notices as list_notices
    from portal.public import notices as public_notices
    from portal.registry import notices as registry_notices
    from portal.training import notices as training_notices

    for feature in (
        registry_notices,
        list_notices,
        training_notices,
        public_notices,
        complaint_notices,
        distribution_notices,
    ):
        feature.register()


def configure_i18n(app: Flask) -> None:
    from portal.i18n import configure_i18n as _configure

    _configure(app)


def configure_security(app: Flask) -> None:
    from portal.security import configure_security as _configure

    _configure(app)


def configure_templates(app: Flask) -> None:
    from portal import templating
    from portal.forms import form_field
    from portal.programmes.models import AID_TYPES
    from portal.public.models import ANNOUNCEMENT_CATEGORIES, MEETING_KINDS, PARTNER_KINDS
    from portal.roles import can
    from portal.security import request_user
    from portal.status_tags import status_tag_html, status_tag_of
    from portal.text import plain_excerpt, render_markdown

    app.jinja_env.add_extension("jinja2.ext.do")
    templating.configure(app)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        village_name=app.config["VILLAGE_NAME"],
        excerpt=plain_excerpt,
        form_field=form_field,
        status_tag_of=status_tag_of,
        status_tag_html=status_tag_html,
        aid_types=AID_TYPES,
        categories=ANNOUNCEMENT_CATEGORIES,
        meeting_kinds=MEETING_KINDS,
        partner_kinds=PARTNER_KINDS,
        can=lambda capability: can(request_user(), capability),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def configure_cli(app: Flask) -> None:
    from portal.cli import register

    register(app)


def configure_errors(app: Flask) -> None:
    from portal import unavailable
    from portal.errors import register

    register(app)
    unavailable.register(app)
