"""Settings, read from environment variables and the optional instance/config.py.

Every setting has a safe default for one village on one small server: SQLite in
instance/, a secret key generated once into instance/, rate-limit counters in memory.
A district deployment sets DATABASE_URL (PostgreSQL) and RATELIMIT_STORAGE_URI (Redis).
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from portal.files import private_dir


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: str, variable: str, filename: str, make) -> str:
    """The setting `variable` from the environment, or from instance/`filename`.

    The file is created once with 0600 rights (`make()` gives its content) so that the
    value survives restarts without anyone having to invent it.
    """
    if os.environ.get(variable):
        return os.environ[variable]
    path = Path(instance_path) / filename
    if not path.exists():
        private_dir(str(path.parent))
        # O_EXCL: two workers starting together must not write two different values.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
    return path.read_text().strip()


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY (sessions, CSRF tokens) from the environment or instance/secret_key."""
    return _instance_secret(
        instance_path, "SECRET_KEY", "secret_key", lambda: secrets.token_hex(32)
    )


TOTP_KEY_BYTES = 64  # AES-256-SIV (portal/accounts/secret_box.py)


def new_totp_key() -> str:
    """A fresh TOTP_ENCRYPTION_KEY, as the environment and instance/totp_key hold it."""
    return base64.urlsafe_b64encode(secrets.token_bytes(TOTP_KEY_BYTES)).decode()


def load_totp_key(instance_path: str) -> str:
    """TOTP_ENCRYPTION_KEY (staff TOTP secrets at rest) from the environment or
    instance/totp_key. Back it up with the database, apart from it: without it every
    staff second factor has to be reset."""
    return _instance_secret(instance_path, "TOTP_ENCRYPTION_KEY", "totp_key", new_totp_key)


def database_url(instance_path: str) -> str:
    """DATABASE_URL, normalised to the psycopg 3 driver; SQLite in instance/ by default."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def defaults(instance_path: str) -> dict:
    """The configuration a fresh install runs with."""
    secure = _bool("SESSION_COOKIE_SECURE", default=_bool("BEHIND_HTTPS"))
    return {
        **_storage(instance_path),
        **_logins(),
        **_web(secure),
        **_outbox(instance_path),
        **_features(),
        "DEBUG": False,
    }


def _storage(instance_path: str) -> dict:
    """The keys, the database and how long a request waits for it."""
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "TOTP_ENCRYPTION_KEY": load_totp_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # pool_pre_ping: a pooled connection is tested before use and replaced when the
        # database went away, so the app recovers without a restart (portal/unavailable.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How long SQLite waits for another connection's lock, and PostgreSQL for a new
        # connection, before the request gives up with the 503 page.
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "30000")),
        "DATABASE_CONNECT_TIMEOUT": int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")),
    }


def _logins() -> dict:
    """Rate limits, sessions and lockouts of logins, sign-ups and verification."""
    return {
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "sweeping-memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour"),
        # Second-factor codes: per account, so that changing address does not help guessing.
        "RATELIMIT_SECOND_FACTOR": os.environ.get(
            "RATELIMIT_SECOND_FACTOR", "5 per minute;30 per hour"
        ),
        # Residents' sign-ups per client address (/daftar).
        "RATELIMIT_REGISTER": os.environ.get("RATELIMIT_REGISTER", "10 per hour"),
        # Off: every verification waits for the office's check of the KTP, even with the
        # right proof (for a village where copies of family cards circulate widely).
        "VERIFY_AT_ONCE": _bool("VERIFY_AT_ONCE", default=True),
        # Verification attempts (NIK, birth date, KK, mother's name) per resident account...
        "RATELIMIT_VERIFY": os.environ.get("RATELIMIT_VERIFY", "5 per hour"),
        # ...and per client address, higher: neighbours at the village office share one.
        "RATELIMIT_VERIFY_IP": os.environ.get("RATELIMIT_VERIFY_IP", "20 per hour"),
        # Hours a one-time password reset code from the village office stays valid.
        "RESET_CODE_HOURS": int(os.environ.get("RESET_CODE_HOURS", "24")),
        # A staff session ends after this many minutes without a request.
        "STAFF_IDLE_MINUTES": int(os.environ.get("STAFF_IDLE_MINUTES", "30")),
        # Every login ends this long after the password was typed, however active:
        # staff after STAFF_SESSION_HOURS, everyone else (also "keep me logged in")
        # after MEMBER_SESSION_DAYS. Staff are never kept logged in.
        "STAFF_SESSION_HOURS": int(os.environ.get("STAFF_SESSION_HOURS", "12")),
        "MEMBER_SESSION_DAYS": int(os.environ.get("MEMBER_SESSION_DAYS", "30")),
        # Wrong passwords in a row an account takes before logging in to it pauses,
        # 1, 2, 4 ... minutes, at most LOGIN_MAX_PAUSE_MINUTES (portal/accounts/lockout.py).
        "LOGIN_FREE_TRIES": int(os.environ.get("LOGIN_FREE_TRIES", "5")),
        "LOGIN_MAX_PAUSE_MINUTES": int(os.environ.get("LOGIN_MAX_PAUSE_MINUTES", "60")),
        # Wrong second-step codes in a row that lock it (a recovery code or an admin opens).
        "SECOND_FACTOR_MAX_FAILURES": int(os.environ.get("SECOND_FACTOR_MAX_FAILURES", "10")),
        # Several workers with rate-limit counters in memory: each counts alone, so the
        # app refuses to start (portal/workers.py) unless this says it is meant.
        "RATELIMIT_PER_WORKER_OK": _bool("RATELIMIT_PER_WORKER_OK"),
    }


def _web(secure: bool) -> dict:
    """Proxy, cookies, uploads, languages and the public page cache."""
    return {
        "BEHIND_PROXY": _bool("BEHIND_PROXY"),
        # The public host name (bansos.example.desa.id): links built for outside (feeds,
        # QR codes, receipts, certificates) use it, never the Host a request carries.
        "SERVER_NAME": os.environ.get("SERVER_NAME") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        # Uploads (scans, photos, roster spreadsheets) stay well below this.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": secure,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("PORTAL_TIMEZONE", "Asia/Jakarta"),
        "LANGUAGES": ("id", "en"),
        "VILLAGE_NAME": os.environ.get("VILLAGE_NAME", "Desa Duri Selatan"),
        "PAGE_SIZE": 10,
        "PUBLIC_CACHE_SECONDS": int(os.environ.get("PUBLIC_CACHE_SECONDS", "30")),
        # Pages kept per worker (each a few kB to ~100 kB).
        "PUBLIC_CACHE_ENTRIES": int(os.environ.get("PUBLIC_CACHE_ENTRIES", "500")),
    }


def _outbox(instance_path: str) -> dict:
    """Where messages go (the notify outbox, SMTP or an SMS/WhatsApp gateway), and the
    subscribers' rules."""
    return {
        # Training messages (confirmations, waitlist, reminders) go through an outbox.
        # Without settings every message is written to instance/outbox/ and shown on the
        # staff outbox page. SMTP_HOST (with SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
        # SMTP_FROM, SMTP_STARTTLS) sends e-mail; SMS_GATEWAY_URL (with
        # SMS_GATEWAY_TOKEN, sent as a Bearer token, and SMS_CHANNEL "sms" or "whatsapp")
        # posts {"to", "channel", "body"} as JSON to an SMS/WhatsApp gateway.
        "OUTBOX_DIR": os.environ.get("OUTBOX_DIR", str(Path(instance_path) / "outbox")),
        "OUTBOX_MAX_ATTEMPTS": int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8")),
        "SMTP_HOST": os.environ.get("SMTP_HOST"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USER": os.environ.get("SMTP_USER"),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD"),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "noreply@localhost"),
        "SMTP_STARTTLS": _bool("SMTP_STARTTLS", default=True),
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL"),
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN"),
        "SMS_CHANNEL": os.environ.get("SMS_CHANNEL", "sms"),
        # Subscribers' messages (portal/notify/): none in the village's night hours
        # (start-end, village time), at most NOTIFY_DAILY_CAP a person a day, a second
        # person approves a broadcast to more than NOTIFY_APPROVAL_ABOVE people. The
        # gateway posts replies (STOP) to /kabar/balasan with this Bearer secret (unset:
        # no webhook).
        "NOTIFY_QUIET_HOURS": os.environ.get("NOTIFY_QUIET_HOURS", "21-7"),
        "NOTIFY_DAILY_CAP": int(os.environ.get("NOTIFY_DAILY_CAP", "3")),
        "NOTIFY_APPROVAL_ABOVE": int(os.environ.get("NOTIFY_APPROVAL_ABOVE", "200")),
        "NOTIFY_WEBHOOK_SECRET": os.environ.get("NOTIFY_WEBHOOK_SECRET") or None,
        # The village office's numbers, printed on the complaint poster.
        "VILLAGE_PHONE": os.environ.get("VILLAGE_PHONE", ""),
        "VILLAGE_WHATSAPP": os.environ.get("VILLAGE_WHATSAPP", ""),
    }


def _features() -> dict:
    """The recipient lists' and participation's limits and settings."""
    return {
        # Recipient lists: the printed notice board may carry full names (village decision);
        # the self-check and objections are rate-limited per address.
        "LISTS_PRINT_FULL_NAMES": _bool("LISTS_PRINT_FULL_NAMES"),
        # PDFs rendered at once per worker process; one more answers 503 (Retry-After).
        "RENDER_SLOTS": int(os.environ.get("RENDER_SLOTS", "2")),
        # Public downloads made afresh on each request (open data, ballot results).
        "RATELIMIT_DOWNLOAD": os.environ.get("RATELIMIT_DOWNLOAD", "20 per minute;200 per hour"),
        "RATELIMIT_SELF_CHECK": os.environ.get("RATELIMIT_SELF_CHECK", "5 per minute;20 per hour"),
        "RATELIMIT_OBJECTION": os.environ.get("RATELIMIT_OBJECTION", "5 per minute;20 per hour"),
        # Participation, per resident account: votes (a changed vote counts again),
        # supports, comments, reports of abuse (proposals and comments share one budget)
        # and survey answers (a form sent back with errors counts too).
        "RATELIMIT_VOTE": os.environ.get("RATELIMIT_VOTE", "10 per minute;60 per hour"),
        "RATELIMIT_SUPPORT": os.environ.get("RATELIMIT_SUPPORT", "30 per minute;300 per hour"),
        "RATELIMIT_COMMENT": os.environ.get("RATELIMIT_COMMENT", "10 per minute;60 per hour"),
        "RATELIMIT_FLAG": os.environ.get("RATELIMIT_FLAG", "10 per minute;30 per hour"),
        "RATELIMIT_SURVEY_CODE": os.environ.get(
            "RATELIMIT_SURVEY_CODE", "10 per minute;60 per hour"
        ),
        "RATELIMIT_SURVEY_ANSWER": os.environ.get(
            "RATELIMIT_SURVEY_ANSWER", "5 per minute;20 per hour"
        ),
        # Live ballot results (and the ballot and results pages that show them) are
        # computed at most this often per worker.
        "PARTICIPATION_RESULTS_SECONDS": int(os.environ.get("PARTICIPATION_RESULTS_SECONDS", "5")),
        # The monitoring indicators computed from the records are worked out at most this
        # often per worker (0: every time).
        "MONITORING_FIGURES_SECONDS": int(os.environ.get("MONITORING_FIGURES_SECONDS", "60")),
        # Supports that put a proposal on the next village meeting's agenda.
        "PROPOSAL_SUPPORT_THRESHOLD": int(os.environ.get("PROPOSAL_SUPPORT_THRESHOLD", "10")),
        # Village procurement (portal/procurement): the regency's amounts in rupiah for
        # direct purchase and request for quotations (above: tender), the quotes each
        # method needs, the margin over the reference price flagged for the village head.
        **{
            name: int(os.environ.get(name, str(default)))
            for name, default in (
                ("PROCUREMENT_DIRECT_MAX", 10_000_000),
                ("PROCUREMENT_QUOTES_MAX", 200_000_000),
                ("PROCUREMENT_MIN_QUOTES_DIRECT", 1),
                ("PROCUREMENT_MIN_QUOTES_QUOTES", 2),
                ("PROCUREMENT_MIN_QUOTES_TENDER", 3),
                ("PROCUREMENT_PRICE_MARGIN_PERCENT", 20),
                ("PROCUREMENT_PLASTIC_BAG_GRAMS", 15),
            )
        },
    }
