"""The office's view: who is away on a day in the whole school, and the CSV for the register.

The export has one row per pupil per school day (Monday to Friday) in the chosen period:
reports and approved leave, with the kind of absence and whether it was reported late.
Notes are left out (data minimisation); "something else" keeps its few words, which the
office needs to judge the absence. Semicolons and a byte-order mark, so Dutch Excel opens
it as columns; cells that start like a formula are quoted so a spreadsheet does not run them.
"""

import csv
import io
from datetime import date, timedelta

from flask import Response, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from schoolportal import authz
from schoolportal.absence import policy, service
from schoolportal.absence.models import AbsenceReport, LeaveRequest
from schoolportal.core import audit
from schoolportal.core.rendering import render_page
from schoolportal.views.absence import bp

LONGEST_EXPORT_DAYS = 366
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.get("/afwezigheid/dag")
@authz.admin_only
def day():
    """Everyone away on a day, per group, late reports marked; with the export form."""
    today = service.school_today()
    shown = _date_arg("datum") or today
    audit.record("absence_view", "absence_day", None, day=shown.isoformat())
    return _day_page(shown, today, shown, shown)


@bp.get("/afwezigheid/export.csv")
@authz.admin_only
def export():
    """The absences of a period as CSV, one row per pupil per school day."""
    today = service.school_today()
    first, last = _date_arg("van"), _date_arg("tot")
    problem = _period_problem(first, last)
    if problem:
        return _day_page(today, today, first or today, last or today, problem, status=422)
    pupils = policy.absence_pupil_ids(current_user)
    audit.record("absence_view", "absence_day", None, first=first, last=last, export=True)
    entries = (list(AbsenceReport.between(pupils, first, last))
               + list(LeaveRequest.approved_between(pupils, first, last)))
    name = f"afwezigheid-{first.isoformat()}-{last.isoformat()}.csv"
    # An illness still open counts until today, not into the future.
    return Response(_csv(entries, first, min(last, today), last),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _date_arg(name):
    """A yyyy-mm-dd date from the query string, or None."""
    try:
        return date.fromisoformat((request.args.get(name) or "")[:10])
    except ValueError:
        return None


def _period_problem(first, last):
    """What is wrong with an export period, or None."""
    if first is None or last is None:
        return _("Choose a first and a last day for the export.")
    if last < first:
        return _("The last day is before the first day.")
    if (last - first).days >= LONGEST_EXPORT_DAYS:
        return _("Export at most %(days)d days at a time.", days=LONGEST_EXPORT_DAYS)
    return None


def _day_page(shown, today, first, last, problem=None, status=200):
    """The day list with the export form (and what was wrong with an export period)."""
    absent = service.absent_on(policy.absence_pupil_ids(current_user), shown)
    by_group = {}
    for entry in absent:
        by_group.setdefault(entry.pupil.group, []).append(entry)
    return render_page(
        "absence/day.html", status=status, shown=shown, today=today, absent=absent,
        by_group=by_group, late_count=sum(1 for entry in absent if entry.late),
        previous_day=shown - timedelta(days=1), next_day=shown + timedelta(days=1),
        export_first=first, export_last=last, problem=problem,
    )


def _kind(entry):
    """The kind of absence as the register names it."""
    if entry.kind == "leave":
        return _("Leave")
    return {"sick": _("Sick"), "doctor": _("Doctor or dentist"),
            "other": _("Something else")}[entry.reason]


def _cell(value):
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(entries, first, open_until, last):
    """The CSV text: each entry on each school day it covers within first..last."""
    rows = []
    for entry in entries:
        day = max(entry.starts_on, first)
        end = min(entry.ends_on or open_until, last)
        while day <= end:
            if day.weekday() < 5:
                rows.append((day, entry))
            day += timedelta(days=1)
    rows.sort(key=lambda row: (row[0], row[1].pupil.group.sort_order, row[1].pupil.group.name,
                               row[1].pupil.first_name, row[1].pupil.last_name))
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Date"), _("Group"), _("Pupil number"), _("Pupil"), _("Kind"),
                     _("Explanation"), _("Part of the day"), _("Reported late"),
                     _("Reported at")])
    for day, entry in rows:
        pupil = entry.pupil
        part = (f"{entry.start_time:%H:%M}-{entry.end_time:%H:%M}"
                if entry.kind == "report" and entry.is_part_of_day else "")
        writer.writerow([_cell(value) for value in (
            day.isoformat(), pupil.group.name, pupil.pupil_number or "", pupil.full_name,
            _kind(entry), getattr(entry, "reason_text", ""), part,
            _("yes") if entry.late else _("no"),
            format_datetime(entry.created_at, "yyyy-MM-dd HH:mm"),
        )])
    return out.getvalue()
