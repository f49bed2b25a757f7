"""Absence reports and leave requests: the rules, the notices to teachers and parents, the purge.

Duplicates. Every form carries a one-time `submission_key` (unique in the database), and
one report per pupil per first day is unique too. A double tap, a resubmitted form or ten
rapid posts therefore store one report: the repeats hit the unique index (or, while the
first is still being written, wait for the pupil's row lock and then find it) and get the
first report back. Two guardians tapping at once get one report and a clear message.

Time. An absence begins when school starts on its first day (the setting
ABSENCE_SCHOOL_STARTS_AT, default 08:30 at the school), or at its start time when it is part
of a day. Until then the parents may correct or withdraw it; afterwards it is read-only, and
an open-ended illness can be ended ("better again"). A report made after the absence began
is marked late for the office.

Notices. Teachers are told through the channel they chose for "absence reports"
(notifications): a push (waiting for their working hours; it names the group, never the
child or the reason) or a mail at once; by default also when they chose "daily" under the
old single mail choice, since an absence matters this morning. "off" means the portal only
(the home panel and the badge in the menu). Parents hear about leave decisions by mail
unless they chose no mail.

Retention. The daily job `absence_purge` deletes reports, leave requests and the mails
about them one year (ABSENCE_RETENTION_DAYS, default 365) after the end of the school year
in which they ended; the office's CSV export is the lasting attendance record.
"""

from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError, fn

from schoolportal.absence.models import (
    LEAVE_APPROVED,
    LEAVE_PENDING,
    LEAVE_REJECTED,
    AbsenceReport,
    LeaveRequest,
)
from schoolportal.core import clock, outbox
from schoolportal.core.database import is_sqlite, write_transaction
from schoolportal.core.models import (
    MAIL_PENDING,
    Group,
    GroupStaff,
    Guardianship,
    OutboxMail,
    Pupil,
    School,
    User,
    utcnow,
)
from schoolportal.core.together import Rows, read_together
from schoolportal.notifications import service as notifications

DEFAULT_SCHOOL_STARTS_AT = "08:30"
DEFAULT_RETENTION_DAYS = 365
DAYS_BACK = 7  # a forgotten report may still be made for last week
DAYS_AHEAD = 90  # further ahead is a leave request, not an absence report
LONGEST_DAYS = 92  # the longest period one report may name
LEAVE_DAYS_AHEAD = 366
LEAVE_LONGEST_DAYS = 62
UPCOMING_DAYS = 30  # how far ahead the teachers' overview looks
MAIL_TEMPLATES = ("absence/report", "absence/withdrawn", "absence/leave_decided")
NEVER = "never"


class AbsenceError(ValueError):
    """An action that cannot be done, with a message for the person who tried."""

    def __init__(self, message, report=None):
        super().__init__(message)
        self.report = report


class AlreadyReported(AbsenceError):
    """Another report already covers the first day; `report` is that one."""


class HasBegun(AbsenceError):
    """The absence has begun: it can no longer be corrected or withdrawn."""


class AlreadyDecided(AbsenceError):
    """The director has decided on this leave request already."""


# --- time at the school ----------------------------------------------------------------

local_now = clock.school_now
school_today = clock.school_today


def school_starts_at():
    """When the school day starts (ABSENCE_SCHOOL_STARTS_AT, "HH:MM")."""
    value = str(current_app.config.get("ABSENCE_SCHOOL_STARTS_AT", DEFAULT_SCHOOL_STARTS_AT))
    try:
        hours, minutes = (int(part) for part in value.split(":"))
        return time(hours, minutes)
    except ValueError:
        return time(8, 30)


def school_ends_at():
    """When the school day is over (ABSENCE_SCHOOL_ENDS_AT, "HH:MM", default 15:00).

    Empty: never (the one-tap report is always for today, also at the weekend).
    """
    value = str(current_app.config.get("ABSENCE_SCHOOL_ENDS_AT", "15:00"))
    if not value.strip():
        return None
    try:
        hours, minutes = (int(part) for part in value.split(":"))
        return time(hours, minutes)
    except ValueError:
        return time(15, 0)


def sick_report_day(now=None):
    """The day a one-tap sick report is for: today during a school day, else the next one.

    After school (and at the weekend) nobody reports a child sick for the day that is over:
    the parent means the next school day (Monday to Friday; holidays are not known here).
    """
    moment = local_now(now)
    day = moment.date()
    ends = school_ends_at()
    if ends is None or (day.weekday() < 5 and moment.time() < ends):
        return day
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def begins_at(starts_on, start_time=None):
    """The moment an absence begins: its start time, else when school starts."""
    moment = datetime.combine(starts_on, start_time or school_starts_at())
    return moment.replace(tzinfo=local_now().tzinfo)


def has_begun(report, now=None):
    """True once the absence has begun (then it is read-only for the parents)."""
    return local_now(now) >= begins_at(report.starts_on, report.start_time)


# --- reporting, correcting, withdrawing ------------------------------------------------

def report(pupil, by, key, now=None, **details):
    """Store a report and mail the teachers; returns (report, created).

    A form sent again (same key) gives the first report back with created False. Raises
    AlreadyReported when another report already covers the first day.
    """
    now = now or utcnow()
    try:
        with write_transaction():
            _lock(pupil)
            clash = _covering(pupil, details["starts_on"])
            if clash is not None:
                raise AlreadyReported(_already_message(clash), clash)
            late = local_now(now) >= begins_at(details["starts_on"], details.get("start_time"))
            row = AbsenceReport.create(pupil=pupil, reported_by=by, submission_key=key,
                                       late=late, created_at=now, updated_at=now, **details)
            _tell_teachers(row, "absence/report", by=by, changed=False)
            return row, True
    except (IntegrityError, AlreadyReported) as error:
        first = AbsenceReport.get_or_none(AbsenceReport.submission_key == key)
        if first is not None and first.pupil_id == pupil.id:
            return first, False  # the same form again: nothing new
        clash = getattr(error, "report", None) or _covering(pupil, details["starts_on"])
        if clash is None:
            raise AbsenceError(_l("This form was sent already. Please fill it in again.")) \
                from None
        raise AlreadyReported(_already_message(clash), clash) from None


def correct(report, by, now=None, **details):
    """Change a report that has not begun; the teachers are told and see it as new."""
    now = now or utcnow()
    with write_transaction():
        current = _reread_for_change(report, now)
        clash = _covering(current.pupil, details["starts_on"], exclude=current)
        if clash is not None:
            raise AlreadyReported(_already_message(clash), clash)
        late = local_now(now) >= begins_at(details["starts_on"], details.get("start_time"))
        try:
            with write_transaction():  # a savepoint: a clash must not end the transaction
                AbsenceReport.update(late=late, updated_at=now, seen_by=None, seen_at=None,
                                     **details).where(AbsenceReport.id == current.id).execute()
        except IntegrityError:
            raise AbsenceError(_l("Another report already starts on that day.")) from None
        changed = AbsenceReport.get_by_id(current.id)
        _tell_teachers(changed, "absence/report", by=by, changed=True)
        return changed


def withdraw(report, by, now=None):
    """Delete a report that has not begun; the teachers are told."""
    now = now or utcnow()
    with write_transaction():
        current = _reread_for_change(report, now)
        _tell_teachers(current, "absence/withdrawn", by=by)
        current.delete_instance()


def end(report, by, now=None):
    """An open-ended absence is over ("better again"); returns the report.

    Said before school starts, the child was away until yesterday; later in the day, the
    child was away today too. Ending an ended report changes nothing.
    """
    now = now or utcnow()
    if not has_begun(report, now):
        raise AbsenceError(_l("This absence has not begun yet. Withdraw it instead."), report)
    moment = local_now(now)
    last = moment.date() - timedelta(days=1 if moment.time() < school_starts_at() else 0)
    with write_transaction():
        AbsenceReport.update(ends_on=max(last, report.starts_on), updated_at=now).where(
            (AbsenceReport.id == report.id) & AbsenceReport.ends_on.is_null()).execute()
    return AbsenceReport.get_by_id(report.id)


def mark_seen(report, by, now=None):
    """The teacher has seen the report; the first one to say so is kept."""
    AbsenceReport.update(seen_by=by, seen_at=now or utcnow()).where(
        (AbsenceReport.id == report.id) & AbsenceReport.seen_at.is_null()).execute()
    return AbsenceReport.with_people().where(AbsenceReport.id == report.id).get()


def _lock(pupil):
    """Serialise writes about one pupil (SQLite's BEGIN IMMEDIATE does this already)."""
    if not is_sqlite():
        list(Pupil.select(Pupil.id).where(Pupil.id == pupil.id).for_update())


def _covering(pupil, day, exclude=None):
    """Another report of this pupil that includes the day, or None."""
    query = AbsenceReport.select().where(
        (AbsenceReport.pupil == pupil) & AbsenceReport.covering(day))
    if exclude is not None:
        query = query.where(AbsenceReport.id != exclude.id)
    return query.order_by(AbsenceReport.starts_on).first()


def _reread_for_change(report, now):
    """The report as stored now, under the pupil's lock, if the parents may still change it."""
    _lock(report.pupil)
    current = AbsenceReport.get_or_none(AbsenceReport.id == report.id)
    if current is None:
        raise AbsenceError(_l("This report has been withdrawn already."))
    if has_begun(current, now):
        raise HasBegun(_l("This absence has begun: it can no longer be changed. Call the "
                          "school if something is wrong."), current)
    return current


def _already_message(clash):
    """What to tell a parent whose child is already reported for that day."""
    return _l("%(child)s is already reported absent for that day.", child=clash.pupil.first_name)


# --- notices ---------------------------------------------------------------------------

def _mailable(query):
    """Active, activated accounts that want mail: "daily" is mailed at once too (see above)."""
    return query.where((User.active == True) & User.password_hash.is_null(False)  # noqa: E712
                       & (User.mail_notifications != NEVER))


def staff_of(pupil):
    """Every active, activated member of staff of the pupil's group (they choose how to hear)."""
    staff = GroupStaff.select(GroupStaff.staff).where(GroupStaff.group == pupil.group_id)
    return list(User.select().where(User.id.in_(staff) & (User.active == True)  # noqa: E712
                                    & User.password_hash.is_null(False)).order_by(User.id))


def teachers_of(pupil):
    """The active staff of the pupil's group who want mail about it."""
    staff = GroupStaff.select(GroupStaff.staff).where(GroupStaff.group == pupil.group_id)
    return list(_mailable(User.select().where(User.id.in_(staff))).order_by(User.id))


def guardians_of(pupil):
    """The pupil's guardians who want mail about it."""
    links = Guardianship.select(Guardianship.guardian).where(Guardianship.pupil == pupil.id)
    return list(_mailable(User.select().where(User.id.in_(links))).order_by(User.id))


def _tell_teachers(report, template, **context):
    """Mail the child's teachers about a report, in the same transaction."""
    pupil = Pupil.select(Pupil, Group).join(Group).where(Pupil.id == report.pupil_id).get()
    subject = (_l("Absence withdrawn: %(child)s", child=pupil.full_name)
               if template == "absence/withdrawn"
               else _l("Absent: %(child)s (%(group)s)", child=pupil.full_name,
                       group=pupil.group.name))
    link = (outbox.absolute_url("absence.index") if template == "absence/withdrawn"
            else outbox.absolute_url("absence.report", report_id=report.id))
    path = (notifications.link("absence.index") if template == "absence/withdrawn"
            else notifications.link("absence.report", report_id=report.id))
    school = School.current()
    # The lock screen shows the group only: a child's name with "absent" is health data.
    title = (_l("Absence withdrawn in %(group)s", group=pupil.group.name)
             if template == "absence/withdrawn"
             else _l("New absence report in %(group)s", group=pupil.group.name))
    notifications.notify(
        staff_of(pupil), "absence", title=title, url=path,
        mail=lambda teacher: outbox.send(teacher, template, subject, school=school,
                                         report=report, pupil=pupil, link=link, **context))


# --- leave requests --------------------------------------------------------------------

def request_leave(pupil, by, key, starts_on, ends_on, reason, now=None):
    """Store a leave request for the director; returns (request, created)."""
    try:
        with write_transaction():
            row = LeaveRequest.create(pupil=pupil, requested_by=by, submission_key=key,
                                      starts_on=starts_on, ends_on=ends_on, reason=reason,
                                      created_at=now or utcnow())
            return row, True
    except IntegrityError:
        first = LeaveRequest.get_or_none(LeaveRequest.submission_key == key)
        if first is not None and first.pupil_id == pupil.id:
            return first, False
        raise AbsenceError(_l("This form was sent already. Please fill it in again.")) from None


def decide_leave(leave, by, approve, note, now=None):
    """Approve or reject once; the guardians and the teachers are mailed the decision."""
    with write_transaction():
        decided = LeaveRequest.update(
            status=LEAVE_APPROVED if approve else LEAVE_REJECTED, decided_by=by,
            decided_at=now or utcnow(), decision_note=note,
        ).where((LeaveRequest.id == leave.id) & (LeaveRequest.status == LEAVE_PENDING)).execute()
        if not decided:
            raise AlreadyDecided(_l("This leave request has been decided already; nothing was "
                                    "changed."))
        leave = LeaveRequest.with_people().where(LeaveRequest.id == leave.id).get()
        subject = _l("Leave request for %(child)s: %(decision)s", child=leave.pupil.full_name,
                     decision=_l("approved") if approve else _l("not approved"))
        school, link = School.current(), outbox.absolute_url("absence.leave", leave_id=leave.id)
        for person in guardians_of(leave.pupil) + teachers_of(leave.pupil):
            outbox.send(person, "absence/leave_decided", subject, school=school, leave=leave,
                        link=link)
    return leave


def withdraw_leave(leave):
    """The parents take back a request the director has not decided yet."""
    gone = LeaveRequest.delete().where(
        (LeaveRequest.id == leave.id) & (LeaveRequest.status == LEAVE_PENDING)).execute()
    if not gone:
        raise AlreadyDecided(_l("This leave request has been decided already; nothing was "
                                "changed."))


# --- lists ---------------------------------------------------------------------------

def ongoing_by_pupil(pupil_ids, day, reports=None):
    """Per pupil id: reports not over before the day, first ones first (one query, or the
    rows of AbsenceReport.not_over already read)."""
    found = {pupil_id: [] for pupil_id in pupil_ids}
    if reports is None:
        reports = AbsenceReport.not_over(list(found), day)
    for row in reports:
        found[row.pupil_id].append(row)
    return found


def absent_on(pupil_ids, day):
    """Who is away on the day: reports and approved leave, in school order (one statement)."""
    queries = absent_queries(pupil_ids, day)
    return in_school_order(*read_together([Rows(query) for query in queries]))


def absent_queries(pupil_ids, day):
    """The reports and the approved leave behind `absent_on` (queries, for the home page to
    read with its other cards; in_school_order makes the list of them)."""
    return (AbsenceReport.between(pupil_ids, day, day),
            LeaveRequest.approved_between(pupil_ids, day, day))


def in_school_order(reports, leave):
    """Reports and leave together, by group and child."""
    entries = list(reports) + list(leave)
    entries.sort(key=lambda e: (e.pupil.group.sort_order, e.pupil.group.name,
                                e.pupil.first_name, e.pupil.last_name))
    return entries


def covers(item, day):
    """True when a report or leave includes the day."""
    return item.starts_on <= day and (item.ends_on is None or item.ends_on >= day)


# --- retention -------------------------------------------------------------------------

def purge_before(today=None):
    """The last day whose details may go: the latest school-year end past retention."""
    today = today or school_today()
    keep = timedelta(days=int(current_app.config.get("ABSENCE_RETENTION_DAYS",
                                                     DEFAULT_RETENTION_DAYS)))
    year = today.year
    while date(year, 7, 31) + keep >= today:
        year -= 1
    return date(year, 7, 31)


def purge(today=None):
    """Delete reports, leave requests and their mails past retention; returns the counts."""
    last = purge_before(today)
    with write_transaction():
        reports = AbsenceReport.delete().where(
            fn.COALESCE(AbsenceReport.ends_on, AbsenceReport.starts_on) <= last).execute()
        leave = LeaveRequest.delete().where(LeaveRequest.ends_on <= last).execute()
        mails = OutboxMail.delete().where(
            OutboxMail.template.in_(MAIL_TEMPLATES) & (OutboxMail.status != MAIL_PENDING)
            & (OutboxMail.created_at < datetime.combine(last + timedelta(days=1), time()))
        ).execute()
    return {"reports": reports, "leave": leave, "mails": mails}


def purge_job():
    """Once a day: forget absence details past the retention period."""
    purge()
