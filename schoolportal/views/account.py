"""A user's own profile and settings."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import authz
from ..forms.account import SettingsForm
from ..models import User
from ..rendering import render_page

bp = Blueprint("account", __name__)


@bp.get("/account")
@authz.signed_in
def settings():
    """Show the profile and settings form."""
    form = SettingsForm(obj=current_user)
    return render_page("account/settings.html", "partials/account/settings_form.html", form=form)


@bp.post("/account")
@authz.signed_in
def settings_submit():
    """Save name and language; the new language applies at once."""
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_page(
            "account/settings.html", "partials/account/settings_form.html", status=422, form=form
        )
    User.update(display_name=form.display_name.data.strip(), language=form.language.data).where(
        User.id == current_user.id
    ).execute()
    with force_locale(form.language.data):
        flash(_("Your settings have been saved."), "success")
    return redirect(url_for("account.settings"))
