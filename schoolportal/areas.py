"""The areas of the portal, and what each adds to the shared places.

Every area is a package `schoolportal/<area>/` with its pages in `schoolportal/views/<area>/`
(one blueprint). What an area adds to shared places it declares in modules of fixed names,
read here when `create_app` calls `register(app)` — never as a side effect of an import:

    panels.py   NAV_ITEMS, HOME_PANELS   menu links and home-page cards (core.hooks)
                CHILD_COLUMNS            per-child figures read with the home page's children
    jobs.py     DAILY_JOBS               {name: function}, run once a day (core.worker)
                ROUND_JOBS               {name: function}, run every worker round (core.worker)
                RETENTION_RULES          rules of the retention policy (core.retention)
                MAIL_RENDERERS           {template: function(ids)}: mails the worker renders
                                         (core.outbox.send_later)
    policy.py   FINDERS                  {kind: (model, finder)}: how a user reaches one
                                         object of each type (authz; the authorization walk)
    demo.py     seed(today)              demo content, run only by `seed-demo` (schoolportal.demo)

This module (and `schema.py`, which reads each area's `models.py` from AREAS) sits next to
`create_app`, not in `core/` or in an area: it imports every area, which the core may not
(the import contracts in pyproject.toml) and no single area should.
"""

from importlib import import_module
from importlib.util import find_spec

from schoolportal import authz
from schoolportal.core import hooks, outbox, retention, worker

# In the order their blueprints are registered (the menu has its own order).
AREAS = (
    "auth", "home", "spaces", "account", "onboarding", "invitations", "access", "imports",
    "admin", "feed", "absence", "meetings", "calendar", "surveys", "conversations", "albums",
    "consent", "coaching", "privacy_admin", "family_data", "rollover", "notifications", "system",
    "webapp", "slips",
)


def part(area, name):
    """The module `schoolportal.<area>.<name>`, or None when the area has none."""
    module = f"schoolportal.{area}.{name}"
    return import_module(module) if find_spec(module) else None


def register(app):
    """Register every area's blueprint (with its pages) and what its modules declare."""
    for area in AREAS:
        views = import_module(f"schoolportal.views.{area}")
        for page in views.PAGES:
            import_module(f"{views.__name__}.{page}")
        app.register_blueprint(views.bp)
        if panels := part(area, "panels"):
            hooks.add_nav_items(getattr(panels, "NAV_ITEMS", ()))
            hooks.add_home_panels(getattr(panels, "HOME_PANELS", ()))
            hooks.add_child_columns(getattr(panels, "CHILD_COLUMNS", {}))
        if jobs := part(area, "jobs"):
            worker.add_daily_jobs(getattr(jobs, "DAILY_JOBS", {}))
            worker.add_round_jobs(getattr(jobs, "ROUND_JOBS", {}))
            retention.add(getattr(jobs, "RETENTION_RULES", ()))
            outbox.add_renderers(getattr(jobs, "MAIL_RENDERERS", {}))
        if policy := part(area, "policy"):
            authz.add_finders(area, policy.FINDERS)
