"""The pages: one package per area, each making one blueprint (see `schoolportal.areas`).

What views of several areas share lives here, once.
"""

from flask_login import current_user


def me():
    """The logged-in user as a model instance (to store as author, reporter or reader)."""
    return current_user._get_current_object()


def redirect_after_upload(url):
    """Where to go after an upload: a redirect, or (for the progress bar's request) JSON.

    static/js/app.js sends uploads itself to show their progress; it follows this address,
    so the flash message is still waiting for the page it opens.
    """
    from flask import jsonify, redirect, request

    if request.headers.get("X-Upload-Progress") == "1":
        return jsonify(location=url)
    return redirect(url)
