"""schoolportal: a closed school-parent portal. `create_app` builds the Flask app."""

import os
from pathlib import Path

from flask import g, has_request_context, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import FileSystemBytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import CONFIGS, DEV_SECRET_KEY
from schoolportal import areas, authz
from schoolportal.core import assets, database, errors, hooks, i18n, outbox, requestlog, sessions
from schoolportal.core.extensions import babel, csrf, db, login_manager, mail
from schoolportal.core.fragments import render_kept
from schoolportal.core.models import School
from schoolportal.core.rendering import add_security_headers, current_path, initials
from schoolportal.core.urls import Portal

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app; `config` is a config class, a name, or None for SCHOOLPORTAL_CONFIG."""
    config_class = _config_class(config)
    app = Portal(
        __name__,
        static_folder=str(ROOT / "static"),
        instance_path=str(Path(os.environ.get("INSTANCE_PATH", ROOT / "instance")).resolve()),
    )
    app.config.from_object(config_class)
    app.static_folder = app.config["STATIC_ROOT"]  # a wheel has no static/ beside the package
    _refuse_unsafe_production(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    if app.config.get("JINJA_CACHE_DIR"):
        # Compiled templates kept on disk: the next process (a test worker, a restarted
        # server) loads them instead of compiling every template again.
        Path(app.config["JINJA_CACHE_DIR"]).mkdir(parents=True, exist_ok=True)
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(app.config["JINJA_CACHE_DIR"])
    db.initialize(database.open_database(app.config["DATABASE_URL"]))
    # Ids in URLs fit a database integer; a longer number is a plain 404, not an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    areas.register(app)
    _allow_static_files(app)
    errors.register(app)
    _register_request_hooks(app)
    requestlog.register(app)

    from schoolportal.cli import register_commands

    register_commands(app)
    return app


class _Lazy:
    """A list worked out only when a template uses it (fragments and mails skip the menu)."""

    def __init__(self, compute):
        self._compute, self._items = compute, None

    def _get(self):
        if self._items is None:
            self._items = self._compute()
        return self._items

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())

    def __bool__(self):
        return bool(self._get())


class BoundedIntConverter(IntegerConverter):
    """The `int` URL converter, limited to what an INTEGER column can hold."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _config_class(config):
    """Resolve the config argument to a config class."""
    if config is None:
        config = os.environ.get("SCHOOLPORTAL_CONFIG", "production")
    if isinstance(config, str):
        if config not in CONFIGS:
            raise RuntimeError(f"Unknown SCHOOLPORTAL_CONFIG {config!r}; use {sorted(CONFIGS)}")
        return CONFIGS[config]
    return config


def _refuse_unsafe_production(app):
    """In production, refuse to start with the development secret key."""
    if app.config["ENV_NAME"] != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY is not set (or shorter than 32 characters). Set it before starting "
            "in production: SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
        )


def _init_extensions(app):
    """Bind the unbound extensions to this app."""
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    i18n.install_template_gettext(app)
    i18n.install_form_translations()
    i18n.register_date_filters(app)
    app.add_template_filter(initials)
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session does this job
    login_manager.login_view = "auth.login"
    login_manager.user_loader(sessions.load)


def _allow_static_files(app):
    """Static files are public (CSS, icons, htmx): they hold nothing personal."""
    assets.register(app, authz.public)


def _register_request_hooks(app):
    """Connection per request, deny-by-default check, headers on the way out."""

    @app.before_request
    def open_connection_and_check_rule():
        """Connect, then refuse endpoints without a declared access rule."""
        view = app.view_functions.get(request.endpoint)
        if not getattr(view, database.OWN_CONNECTION, False):  # /healthz reports a failure
            db.connect(reuse_if_open=True)
        authz.enforce_declared_rule()

    @app.teardown_request
    def close_connection(exc):
        """Give the connection back after each request."""
        if not db.is_closed():
            db.close()

    app.after_request(add_security_headers)

    @app.context_processor
    def template_globals():
        """Values every template may use."""
        if "school" not in g:  # once per request (School.current) or mail batch
            g.school = School.current()
        school = g.school
        in_request = has_request_context()
        # Mails rendered during a request need no menu (and its badge queries).
        me = current_user._get_current_object() if in_request else None  # not the proxy
        signed_in = in_request and not g.get("rendering_mail") and me.is_authenticated
        nav_groups = _Lazy(lambda: authz.visible_group_list(me)
                           if signed_in and not me.is_admin else [])
        nav_items = _Lazy(lambda: hooks.nav_for(me, current_path(), url_for)
                          if signed_in else [])

        def menu(name):
            """The menu or tab bar (a template of partials/), rendered once for its values."""
            return render_kept(
                name, nav_items=list(nav_items), current_path=current_path(),
                is_admin=signed_in and me.is_admin,
                nav_groups=[{"id": group.id, "name": group.name} for group in nav_groups])

        return {
            "languages": app.config["LANGUAGES"],
            "current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "school_name": school.name if school else "schoolportal",
            # Admins see every group: they reach them from their home page, not the menu.
            "nav_groups": nav_groups,
            "nav_items": nav_items,
            "menu": menu,
            "current_path": current_path() if in_request else "",
            # The user itself, not Flask-Login's proxy: a page reads it a hundred times.
            "user": me,
            "absolute_url": outbox.absolute_url,
        }
