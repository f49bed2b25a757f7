"""Settings for schoolportal, read from the environment.

Every variable is listed with its default in README.md. Development and test get safe
defaults; production gets none for secrets and refuses to start without them.
"""

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105 (refused in production)


def _bool(name, default):
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    """Read a whole-number environment variable."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Production settings: secure cookies, no default secret."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    DATABASE_URL = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'schoolportal.db'}"
    )
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(INSTANCE_DIR / "media"))
    # CSS, JavaScript and icons; nginx serves the same folder (docs/deploy/nginx-schoolportal.conf).
    STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "static"))
    # Carried-out erasures, one JSON line each (ids only), kept outside the database so a
    # restore of an older backup can replay them. Empty: INSTANCE_PATH/erasure-journal.jsonl.
    ERASURE_JOURNAL = os.environ.get("ERASURE_JOURNAL", "")
    # `flask backup DIR` deletes the backups in DIR that are older than this.
    BACKUP_KEEP_DAYS = _int("BACKUP_KEEP_DAYS", 30)
    # /healthz answers 503 when the worker's last round ended longer ago than this.
    WORKER_LATE_MINUTES = _int("WORKER_LATE_MINUTES", 15)
    # "x-accel" (nginx) or "x-sendfile" (Apache) lets the web server send media bytes.
    MEDIA_SENDFILE = os.environ.get("MEDIA_SENDFILE", "")
    JINJA_CACHE_DIR = os.environ.get("JINJA_CACHE_DIR", "")  # compiled templates on disk

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "OBS De Regenboog <noreply@example.org>"
    )
    MAIL_SUPPRESS_SEND = False
    # "smtp" sends through MAIL_SERVER; "portal" keeps mail inside (admins read it there).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 6 * 3600)
    MAIL_WORKER_INTERVAL = _int("MAIL_WORKER_INTERVAL", 10)
    # The address people use to reach the portal; links in mails start with it.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = {"nl": "Nederlands", "en": "English"}

    SESSION_COOKIE_NAME = "schoolportal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    # OWASP ASVS 4.0 level 2 (3.3.2): re-authenticate after 30 idle minutes or 12 hours.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)
    REMEMBER_COOKIE_DURATION = 0

    LOGIN_THROTTLE_MINUTES = _int("LOGIN_THROTTLE_MINUTES", 15)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE", 20)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)

    # Staff and admins must have a second factor this many days after it first applied to them.
    SECOND_FACTOR_GRACE_DAYS = _int("SECOND_FACTOR_GRACE_DAYS", 14)

    PASSWORD_RESET_MAX_PER_ADDRESS = _int("PASSWORD_RESET_MAX_PER_ADDRESS", 3)
    PASSWORD_RESET_MAX_PER_NETWORK_ADDRESS = _int("PASSWORD_RESET_MAX_PER_NETWORK_ADDRESS", 20)
    # "Forgot password" answers after the same time whether or not the address has an account.
    PASSWORD_RESET_ANSWER_SECONDS = float(os.environ.get("PASSWORD_RESET_ANSWER_SECONDS", "0.3"))
    ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR = _int("ACCESS_REQUESTS_PER_ADDRESS_PER_HOUR", 10)
    ACCESS_REQUESTS_PER_EMAIL_PER_DAY = _int("ACCESS_REQUESTS_PER_EMAIL_PER_DAY", 3)
    ACCESS_REQUESTS_KEEP_DAYS = _int("ACCESS_REQUESTS_KEEP_DAYS", 365)

    # Reports that arrive after school starts are marked late; details are purged after
    # ABSENCE_RETENTION_DAYS counted from the end of the school year.
    ABSENCE_SCHOOL_STARTS_AT = os.environ.get("ABSENCE_SCHOOL_STARTS_AT", "08:30")
    # After this time (and at the weekend) the one-tap sick report is for the next school day.
    ABSENCE_SCHOOL_ENDS_AT = os.environ.get("ABSENCE_SCHOOL_ENDS_AT", "15:00")
    ABSENCE_RETENTION_DAYS = _int("ABSENCE_RETENTION_DAYS", 365)
    # Photo albums: the largest photo one may upload (bytes) and the most pixels it may have.
    ALBUM_PHOTO_MAX_BYTES = _int("ALBUM_PHOTO_MAX_BYTES", 20 * 1024 * 1024)
    ALBUM_PHOTO_MAX_PIXELS = _int("ALBUM_PHOTO_MAX_PIXELS", 50_000_000)
    # Retention (carried out by `flask purge` and the worker's daily purge; see README).
    # Albums and their photos go this many days after they were made.
    RETENTION_PHOTOS_DAYS = _int("RETENTION_PHOTOS_DAYS", 2 * 365)
    # Conversations go this many days after their last message.
    RETENTION_MESSAGES_DAYS = _int("RETENTION_MESSAGES_DAYS", 2 * 365)
    # A family whose children all left school is erased this many days after the last left.
    RETENTION_LEAVERS_DAYS = _int("RETENTION_LEAVERS_DAYS", 365)
    # An erasure asked for by a family is carried out this many days after the request.
    ERASURE_DELAY_DAYS = _int("ERASURE_DELAY_DAYS", 30)
    # Audit log entries are kept this long.
    RETENTION_AUDIT_DAYS = _int("RETENTION_AUDIT_DAYS", 3 * 365)
    # Mails the portal sent leave the outbox this many days after sending.
    RETENTION_SENT_MAIL_DAYS = _int("RETENTION_SENT_MAIL_DAYS", 90)
    # Coaching and research footage: the destruction date is at most this far ahead.
    COACHING_MAX_DAYS = _int("COACHING_MAX_DAYS", 365)
    # The largest coaching video in MB (keep it below MAX_CONTENT_LENGTH).
    COACHING_MAX_MB = _int("COACHING_MAX_MB", 60)
    # Parents may write to parents who opted into a shared group's directory.
    PARENT_TO_PARENT_MESSAGES = _bool("PARENT_TO_PARENT_MESSAGES", False)
    # Safeguarding: admins may read (not write in) every conversation. Tell parents first.
    SAFEGUARDING_ADMIN_READ = _bool("SAFEGUARDING_ADMIN_READ", False)

    # Web Push (see README "Push notifications"): the VAPID key (else instance/vapid_private.pem),
    # the contact for push services, and how the worker retries.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "")
    PUSH_MAX_ATTEMPTS = _int("PUSH_MAX_ATTEMPTS", 8)
    PUSH_RETRY_BASE_SECONDS = _int("PUSH_RETRY_BASE_SECONDS", 60)
    PUSH_RETRY_MAX_SECONDS = _int("PUSH_RETRY_MAX_SECONDS", 6 * 3600)
    PUSH_TTL_SECONDS = _int("PUSH_TTL_SECONDS", 24 * 3600)
    PUSH_TIMEOUT = _int("PUSH_TIMEOUT", 10)
    PUSH_ALLOW_LOOPBACK = False  # tests: a push service of their own on 127.0.0.1

    # Argon2id cost (RFC 9106, second recommended option: 64 MiB, 3 passes).
    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_KIB = _int("ARGON2_MEMORY_KIB", 65536)

    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 64 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    SEND_FILE_MAX_AGE_DEFAULT = 3600


class DevConfig(Config):
    """Local development and `make demo`: plain HTTP on 127.0.0.1."""

    ENV_NAME = "development"
    BASE_URL = os.environ.get("BASE_URL", "http://localhost:5000")  # passkeys need a host name
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    MAIL_PORT = _int("MAIL_PORT", 8025)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "portal")


class TestConfig(Config):
    """The test suite: a throwaway database, cheap hashing, CSRF still on."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    SESSION_COOKIE_SECURE = False
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    # Compiled templates shared by the test processes of one user (pytest-xdist workers).
    JINJA_CACHE_DIR = os.path.join(tempfile.gettempdir(), f"schoolportal-jinja-{os.getuid()}")
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 8025
    MAIL_BACKEND = "smtp"
    MAIL_TIMEOUT = 5
    MAIL_RETRY_BASE_SECONDS = 0
    PUSH_ALLOW_LOOPBACK = True
    PUSH_TIMEOUT = 5
    BASE_URL = "http://127.0.0.1:5000"
    ABSENCE_SCHOOL_ENDS_AT = ""  # "today" stays today whenever the suite runs; tests set it


CONFIGS = {"production": Config, "development": DevConfig, "testing": TestConfig}
