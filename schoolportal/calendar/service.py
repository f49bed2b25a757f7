"""The year calendar: saving activities, what a month, a year and "binnenkort" show, feed links.

Who sees which activity is decided in authz (`visible_activities`); this module only
shapes what they see. Every list is one statement: the activities LEFT JOINed with their
groups (`with_audience`).
"""

import calendar as weeks
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, IntegrityError, SelectQuery, chunked

from schoolportal.calendar import policy
from schoolportal.calendar.models import Activity, ActivityGroup, CalendarFeed, CalendarImport
from schoolportal.core import tokens
from schoolportal.core.database import write_transaction
from schoolportal.core.models import Group, User, utcnow
from schoolportal.core.prepared import prepared_by_groups

FIRST_YEAR, LAST_YEAR = 2000, 2099  # keeps date arithmetic (and DTEND + 1 day) in range
MAX_DAYS = 366
UPCOMING_DAYS, UPCOMING_LIMIT = 31, 5
FEED_HISTORY_DAYS, FEED_LIMIT = 365, 2000
PREVIEW_HOURS = 24  # an unconfirmed .ics upload is forgotten after this


@dataclass
class ActivityData:
    """What an editor or an import says about an activity."""

    title: str
    starts_on: date
    ends_on: date
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = ""
    description: str = ""
    whole_school: bool = True
    group_ids: tuple = ()
    link_url: str = ""


def when_problem(starts_on, ends_on, starts_at, ends_at):
    """Why these dates and times cannot be an activity (a lazy message), or None."""
    return dates_problem(starts_on, ends_on) or times_problem(
        starts_on, ends_on, starts_at, ends_at)


def dates_problem(starts_on, ends_on):
    """Why these days cannot be an activity's first and last day, or None."""
    if not (FIRST_YEAR <= starts_on.year <= LAST_YEAR and FIRST_YEAR <= ends_on.year <= LAST_YEAR):
        return _l("Choose dates between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
    if ends_on < starts_on:
        return _l("The last day cannot be before the first day.")
    if (ends_on - starts_on).days >= MAX_DAYS:
        return _l("An activity lasts at most %(num)d days.", num=MAX_DAYS)
    return None


def times_problem(starts_on, ends_on, starts_at, ends_at):
    """Why these times cannot go with these days, or None (no times: all day)."""
    if (starts_at is None) != (ends_at is None):
        return _l("Fill in both times, or leave both empty for an all-day activity.")
    if starts_at is not None and ends_on == starts_on and ends_at <= starts_at:
        return _l("The end time must be after the start time.")
    return None


# --- Saving ------------------------------------------------------------------------------

def save_activity(activity, data, user):
    """Create (activity=None) or change an activity and its groups in one transaction."""
    values = {
        Activity.title: data.title, Activity.starts_on: data.starts_on,
        Activity.ends_on: data.ends_on, Activity.starts_at: data.starts_at,
        Activity.ends_at: data.ends_at, Activity.place: data.place,
        Activity.description: data.description, Activity.whole_school: data.whole_school,
        Activity.link_url: data.link_url, Activity.updated_at: utcnow(),
    }
    with write_transaction():
        if activity is None:
            activity_id = Activity.insert({**values, Activity.created_by: user}).execute()
        else:
            activity_id = activity.id
            # A higher SEQUENCE tells calendar apps that this version replaces the last.
            Activity.update({**values, Activity.sequence: Activity.sequence + 1}).where(
                Activity.id == activity_id).execute()
        _set_groups(activity_id, () if data.whole_school else data.group_ids)
    return Activity.get_by_id(activity_id)


def _set_groups(activity_id, group_ids):
    """Replace the groups an activity is for."""
    ActivityGroup.delete().where(ActivityGroup.activity == activity_id).execute()
    if group_ids:
        ActivityGroup.insert_many(
            [{"activity": activity_id, "group": group_id} for group_id in sorted(set(group_ids))]
        ).execute()


def delete_activity(activity):
    """Delete an activity (its groups go with it); the feed drops it at the next refresh."""
    with write_transaction():
        Activity.delete().where(Activity.id == activity.id).execute()


def group_ids_of(activity):
    """The ids of the groups an activity is for."""
    return [row.group_id for row in ActivityGroup.select(ActivityGroup.group).where(
        ActivityGroup.activity == activity.id)]


# --- What people see ---------------------------------------------------------------------

def with_audience(activities):
    """The activities in date order, each with `.groups` filled in.

    A query is read together with its groups in one statement (LEFT JOINs; a limited query
    is kept whole as a subquery, so its limit counts activities, not their groups); a list
    of activities costs one statement more.
    """
    if not isinstance(activities, SelectQuery):
        return _with_audience_of_list(activities)
    return grouped(audience_rows(activities))


def audience_rows(activities):
    """The query `with_audience` reads: each activity once per group it is for (a query, so
    the home page reads it with its other cards; `grouped` makes the activities of it)."""
    if activities._limit is not None:
        activities = Activity.select().where(Activity.id.in_(activities.select(Activity.id)))
    audience = [field.alias(f"audience_{field.name}") for field in Group._meta.sorted_fields]
    return (activities.select(Activity, *audience)
            .join(ActivityGroup, JOIN.LEFT_OUTER, on=(ActivityGroup.activity == Activity.id))
            .join(Group, JOIN.LEFT_OUTER, on=(ActivityGroup.group == Group.id))
            .order_by(Activity.id, Group.sort_order, Group.name).objects())


def grouped(rows):
    """The activities of `audience_rows`' rows in date order, each with `.groups`."""
    by_id = {}
    for row in rows:
        activity = by_id.get(row.id)
        if activity is None:
            activity = by_id[row.id] = row
            activity.groups = []
        if row.audience_id is not None:
            activity.groups.append(Group(**{field.name: getattr(row, f"audience_{field.name}")
                                            for field in Group._meta.sorted_fields}))
    return _date_order(by_id.values())


def _date_order(activities):
    """Activities by date, time, title and id."""
    return sorted(activities, key=lambda a: (a.starts_on, a.starts_at or time.min,
                                             a.title.lower(), a.id))


def _with_audience_of_list(activities):
    """with_audience for activities already read: their groups in one statement."""
    activities = _date_order(activities)
    by_id = {a.id: a for a in activities}
    for activity in activities:
        activity.groups = []
    if by_id:
        rows = (ActivityGroup.select(ActivityGroup, Group).join(Group)
                .where(ActivityGroup.activity.in_(list(by_id)))
                .order_by(Group.sort_order, Group.name))
        for row in rows:
            by_id[row.activity_id].groups.append(row.group)
    return activities


def activities_between(user, first, last):
    """The activities this user sees that touch a day from first to last."""
    query = policy.visible_activities(user).where(Activity.overlapping(first, last))
    return with_audience(query)


@dataclass
class Day:
    """One square of the month grid."""

    day: date
    in_month: bool
    is_today: bool
    activities: list


@dataclass
class MonthView:
    """A month: its weeks for the grid, its activities for the agenda list, its neighbours."""

    first: date
    weeks: list
    activities: list
    previous: date
    next: date


def month_view(user, year, month, today):
    """The month grid (weeks from Monday) and agenda of what this user sees."""
    first = date(year, month, 1)
    last = date(year, month, weeks.monthrange(year, month)[1])
    grid_first = first - timedelta(days=first.weekday())
    grid_last = last + timedelta(days=6 - last.weekday())
    activities = activities_between(user, grid_first, grid_last)
    days = []
    for offset in range((grid_last - grid_first).days + 1):
        day = grid_first + timedelta(days=offset)
        days.append(Day(day, day.month == month, day == today,
                        [a for a in activities if a.starts_on <= day <= a.ends_on]))
    in_month = [a for a in activities if a.starts_on <= last and a.ends_on >= first]
    previous = (first - timedelta(days=1)).replace(day=1)
    return MonthView(first, [days[i:i + 7] for i in range(0, len(days), 7)], in_month,
                     previous, last + timedelta(days=1))


def month_in_range(year, month):
    """True for a month the calendar can show (a guessed year 99999 is a 404)."""
    return FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12


def upcoming_rows(user, today):
    """The next few activities for the home page ("binnenkort"), running ones included: a
    query the home card reads with the others, prepared unless the policy gives the groups
    as a subquery; upcoming_of makes the activities of it)."""
    last = today + timedelta(days=UPCOMING_DAYS)
    # The policy decides which groups; here only the query's form.
    return _upcoming_by_groups(policy.activity_groups(user), today, last)


def _upcoming(activities, first, last):
    return audience_rows(activities.where(Activity.overlapping(first, last)))


_upcoming_by_groups = prepared_by_groups(_upcoming, policy.activities_of_groups,
                                         Activity.select)


def upcoming_of(rows):
    """The first activities of `upcoming_rows`' rows, with their groups."""
    return grouped(rows)[:UPCOMING_LIMIT]


def school_year_start(day):
    """The first year of the school year a day falls in; a school year starts in August."""
    return day.year if day.month >= 8 else day.year - 1


def year_overview(user, start_year):
    """Per month of the school year (Aug-Jul), the activities that begin in it."""
    first, last = date(start_year, 8, 1), date(start_year + 1, 7, 31)
    months = [date(start_year + (m < 8), m, 1) for m in (*range(8, 13), *range(1, 8))]
    by_month = {month: [] for month in months}
    for activity in activities_between(user, first, last):
        begins = max(activity.starts_on, first)
        by_month[begins.replace(day=1)].append(activity)
    return list(by_month.items())


# --- The private feed link ---------------------------------------------------------------

def feed_of(user):
    """The user's feed link (without its token, which is not kept), or None."""
    return CalendarFeed.get_or_none(CalendarFeed.user == user.id)


def new_feed_token(user):
    """Make a new feed token for the user; the old link stops working at once."""
    token, token_hash = tokens.new_token()
    with write_transaction():
        CalendarFeed.insert(user=user.id, token_hash=token_hash, created_at=utcnow()).on_conflict(
            conflict_target=[CalendarFeed.user],
            update={CalendarFeed.token_hash: token_hash, CalendarFeed.created_at: utcnow()},
        ).execute()
    return token


def stop_feed(user):
    """Revoke the user's feed link; returns True when there was one."""
    with write_transaction():
        return CalendarFeed.delete().where(CalendarFeed.user == user.id).execute() > 0


def user_for_feed_token(token):
    """The active account a feed token belongs to, or None (wrong, revoked or deactivated)."""
    if not tokens.looks_like_token(token):
        return None
    return (User.select().join(CalendarFeed, on=(CalendarFeed.user == User.id))
            .where((CalendarFeed.token_hash == tokens.hash_token(token))
                   & (User.active == True))  # noqa: E712
            .first())


def feed_activities(user, today):
    """What the user's feed holds: from a year back on, at most FEED_LIMIT activities."""
    since = today - timedelta(days=FEED_HISTORY_DAYS)
    query = (policy.visible_activities(user).where(Activity.ends_on >= since)
             .order_by(Activity.starts_on).limit(FEED_LIMIT))
    return with_audience(query)


def feed_bookings(user):
    """The user's meeting bookings from a year back on, when the meetings area offers them."""
    try:
        from schoolportal.meetings.booking import bookings_for
    except ImportError:
        return []  # without the meetings area the feed holds activities only
    return list(bookings_for(user, since=utcnow() - timedelta(days=FEED_HISTORY_DAYS)))


# --- Import: keep the checked file's activities until confirmed ---------------------------

def keep_import(events, file_name, audience, user):
    """Store a checked upload's activities and audience; returns its CalendarImport."""
    plan = json.dumps({"audience": audience, "events": [e.to_json() for e in events]})
    with write_transaction():
        CalendarImport.delete().where(
            CalendarImport.applied_at.is_null()
            & (CalendarImport.created_at < utcnow() - timedelta(hours=PREVIEW_HOURS))
        ).execute()
        return CalendarImport.create(key=secrets.token_urlsafe(32), uploaded_by=user,
                                     file_name=file_name, plan=plan)


def import_key(uid):
    """The stored form of an imported event's UID (any length, any characters)."""
    return hashlib.sha256(uid.encode("utf-8", "replace")).hexdigest()


@dataclass
class ImportOutcome:
    """What importing would do: new activities, earlier imports to update, ones to skip."""

    new: list
    updates: list  # (activity, event) for earlier imports the file changes
    unchanged: list
    skipped: list  # events imported before into activities this user may not change


def import_outcome(user, events):
    """Sort a file's events into new ones, updates and skips, in two queries."""
    known = {a.import_key: a for a in with_audience(
        Activity.select().where(Activity.import_key.in_([e.key for e in events])))}
    outcome = ImportOutcome([], [], [], [])
    for event in events:
        activity = known.get(event.key)
        if activity is None:
            outcome.new.append(event)
        elif not policy.may_manage_activity(user, activity, [g.id for g in activity.groups]):
            outcome.skipped.append(event)
        elif all(getattr(activity, k) == v for k, v in event.fields().items()):
            outcome.unchanged.append(event)
        else:
            outcome.updates.append((activity, event))
    return outcome


def apply_import(kept, user, events, audience):
    """Import a kept upload as its preview showed it; the outcome, or None if applied already.

    New events become activities for the chosen audience (bulk inserts); an event imported
    before updates its activity, keeping that activity's audience.
    """
    whole_school = audience == "school"
    group_ids = () if whole_school else (int(audience),)
    try:
        with write_transaction():
            claimed = CalendarImport.update(applied_at=utcnow(), plan="").where(
                (CalendarImport.id == kept.id) & CalendarImport.applied_at.is_null()).execute()
            if claimed != 1:
                return None  # a second click, or the back button
            outcome = import_outcome(user, events)
            _insert_imported(outcome.new, user, whole_school, group_ids)
            now = utcnow()
            for activity, event in outcome.updates:
                # One UPDATE per changed activity: each row gets its own values.
                Activity.update({**event.fields(), "updated_at": now,
                                 "sequence": Activity.sequence + 1}).where(
                    Activity.id == activity.id).execute()
    except IntegrityError as error:
        # Someone imported the same events at the same moment; everything was undone,
        # so confirming again sees their activities and updates them instead.
        raise ImportConflict() from error
    return outcome


class ImportConflict(Exception):
    """The same events were imported by someone else at the same moment; nothing changed."""


def _insert_imported(events, user, whole_school, group_ids):
    """Insert new activities and their groups with a few bulk statements."""
    if not events:
        return
    now = utcnow()
    rows = [{**e.fields(), "whole_school": whole_school, "import_key": e.key,
             "created_by": user.id, "created_at": now, "updated_at": now} for e in events]
    for batch in chunked(rows, 100):
        Activity.insert_many(batch).execute()
    if group_ids:
        ids = Activity.select(Activity.id).where(Activity.import_key.in_([e.key for e in events]))
        ActivityGroup.insert_many(
            [{"activity": row.id, "group": g} for row in ids for g in group_ids]).execute()
