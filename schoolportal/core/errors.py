"""Error pages: a clear message in the user's language, never a stack trace."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from schoolportal.core.rendering import render_page

MESSAGES = {
    400: (_l("Something went wrong"), _l("The request could not be understood. Please try again.")),
    401: (_l("Please log in"), _l("You need to log in to do this.")),
    403: (_l("No access"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is not available to you.")),
    405: (_l("Not possible"), _l("This action is not possible here.")),
    413: (_l("Too large"), _l("What you sent is too large. Please send something smaller.")),
    429: (_l("Please wait"), _l("Too many attempts. Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Please try again later.")),
}


def _render_error(status, title=None, message=None):
    """The error page (or fragment for htmx) with a clear message."""
    default_title, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    return render_page(
        "errors/error.html",
        "partials/errors/message.html",
        status=status,
        title=title or default_title,
        message=message or default_message,
        back_url=request.path if request.method == "POST" else None,
    )


def handle_csrf_error(error):
    """A form whose security token is missing or stale: ask to send it again."""
    return _render_error(
        400,
        _l("Please try again"),
        _l("This form has expired or was not sent from this site. Nothing was changed. "
           "Please fill it in again."),
    )


def handle_http_error(error):
    """Any HTTP error: the matching page."""
    return _render_error(error.code or 500)


def handle_unexpected_error(error):
    """A bug: log it and show a calm page."""
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _render_error(500)


def register(app):
    """Attach the handlers to the app."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, handle_unexpected_error)
