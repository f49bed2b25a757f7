"""Paths built once: `url_for("feed.post", post_id=7)` gives the same path every time.

A page builds 50 to 100 links. Flask builds each one anew (the rule's converters, the URL
defaults, the query string): about a tenth of a page's time. `Portal.url_for` keeps the
paths it built during requests, per app, by endpoint and arguments, and gives them again.

What is kept depends only on what is in the key: the endpoint (a blueprint-relative
".name" with the request's blueprint), the arguments as given, in their order and with
their types, and the request's script root. Nothing about the user goes in, and nothing
comes out but the path the same call built before. Not kept: links to static files (their
version follows the file, core/assets.py), full URLs (_external, _scheme), anchors, a
method's rule, calls outside a request, and arguments that cannot be a key (a list).
"""

from flask import Flask
from flask.globals import _cv_request

KEPT_MAX = 20_000  # paths per app; then the store starts again (ids grow it slowly)


class Portal(Flask):
    """Flask, keeping the paths that url_for built during requests."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._paths = {}

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None,
                **values):
        """Flask's url_for; a relative path built before with the same arguments is kept."""
        context = _cv_request.get(None)  # the request itself, not through its proxy
        if (_anchor is not None or _method is not None or _scheme is not None or _external
                or endpoint == "static" or context is None):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        request = context.request
        blueprint = request.blueprint if endpoint[:1] == "." else None
        # Each argument's type too: 1, 1.0 and True are equal keys but different paths.
        key = (endpoint, blueprint, request.script_root,
               *[(name, value.__class__, value) for name, value in values.items()])
        try:
            return self._paths[key]
        except KeyError:
            pass
        except TypeError:  # an argument that cannot be a key (a list): built every time
            return super().url_for(endpoint, **values)
        path = super().url_for(endpoint, **values)
        if len(self._paths) >= KEPT_MAX:
            self._paths.clear()
        self._paths[key] = path
        return path
