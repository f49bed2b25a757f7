"""Logging in and out."""

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from .. import authz, passwords, sessions, throttle
from ..forms.account import LanguageForm
from ..forms.auth import LoginForm
from ..i18n import remember_choice
from ..models import User
from ..rendering import render_page

bp = Blueprint("auth", __name__)


@bp.get("/login")
@authz.public
def login():
    """Show the login form (or go home when already logged in)."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return _login_page(LoginForm())


@bp.post("/login")
@authz.public
def login_submit():
    """Check the credentials, throttle repeated failures, start a fresh session."""
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, status=422)
    email, ip = form.email.data, throttle.client_ip()
    if throttle.is_throttled(email, ip):
        minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
        form.form_errors.append(_(
            "Too many failed attempts. Wait %(minutes)d minutes and try again, "
            "or ask the school office for help.", minutes=minutes))
        return _login_page(form, status=429)
    user = User.by_email(email)
    hash_ = user.password_hash if user is not None and user.active else None
    if not passwords.verify_password(hash_, form.password.data):
        throttle.record_failure(email, ip)
        # The same answer for an unknown address and a wrong password.
        form.form_errors.append(_("This email address and password do not match."))
        return _login_page(form, status=422)
    sessions.log_in(user, form.password.data)
    return redirect(authz.safe_next_url(request.args.get("next")) or url_for("home.index"))


@bp.post("/logout")
@authz.signed_in
def logout():
    """End the session on the server and in the browser."""
    sessions.end(current_user.session_key)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
@authz.public
def choose_language():
    """Remember the language a visitor picked on the login page."""
    form = LanguageForm()
    if form.validate_on_submit():
        remember_choice(form.language.data)
    return redirect(url_for("auth.login"))


def _login_page(form, status=200):
    """The login page, with the language switch."""
    language_form = LanguageForm(formdata=None)
    return render_page(
        "auth/login.html", "partials/auth/login_form.html", status=status,
        form=form, language_form=language_form,
    )
