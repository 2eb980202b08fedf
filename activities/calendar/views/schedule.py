"""Views of one activity date and what people do with it: schedule an activity, a date's page, RSVP, and the
schedulers' edit, move, cancel, restore, attendance and notes.

Who: anyone who may see the community's content sees its dates (404 for outsiders); active members answer;
coordinators and core group members schedule and change (403 for others). Every view shows times in the
viewer's own time zone (core.viewer_zone's middleware); forms take times in the organizer's.
"""

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.calendar import selectors, services
from activities.calendar.forms import (
    AttendanceForm,
    CancelForm,
    EditForm,
    MoveForm,
    NotesForm,
    RsvpForm,
    ScheduleForm,
)
from activities.calendar.models import Occurrence, Rsvp
from activities.calendar.recurrence import describe
from activities.calendar.services import ActivityError
from communities.access import CommunityAccess, get_community_for
from communities.selectors import community_members
from core.redirects import safe_next

Answer = Rsvp.Answer


def may_schedule(access: CommunityAccess) -> bool:
    """Coordinators and core group members of a community that is not archived."""
    return not access.community.is_archived and services.can_schedule(access.viewer, access.community)


def _scheduler_access(request: HttpRequest, slug: str) -> CommunityAccess:
    access = get_community_for(request.user, slug, content=True)
    if not may_schedule(access):
        raise PermissionDenied("Only coordinators and core group members can schedule and change activities.")
    return access


def _when(occurrence: Occurrence) -> str:
    """The date of an occurrence in the active (viewer's) zone, e.g. "Tuesday 14 April"."""
    return dateformat.format(timezone.localtime(occurrence.start), "l j F")


def _field_for(error: ActivityError, fields: dict[str, tuple[str, ...]]) -> str | None:
    """The form field a service's refusal is about (by a word in its message), or None for the whole form."""
    text = error.message.lower()
    return next((name for name, words in fields.items() if any(word in text for word in words)), None)


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Schedule an activity: one date, or a series repeating weekly, fortnightly or monthly."""
    access = _scheduler_access(request, slug)
    form = ScheduleForm(request.POST or None, community=access.community, organizer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_schedule(
                actor=request.user, community=access.community, **form.service_fields()
            )
        except ActivityError as error:
            field = _field_for(
                error,
                {
                    "repeat_until": ("end of the series",),
                    "date": ("choose a date",),
                    "end_time": ("end must", "three days"),
                    "capacity": ("capacity",),
                    "past_confirmed": ("in the past",),
                },
            )
            form.add_error(field, error.message)
        else:
            first = activity.occurrences.order_by("start").first()
            count = activity.occurrences.count()
            dates = f"{count} dates from {_when(first)}" if count > 1 else _when(first)
            messages.success(request, f"Scheduled: {activity.title}, {dates}.")
            return redirect(first)
    return render(
        request,
        "activities/schedule.html",
        {"access": access, "tab": "activities", "form": form},
        status=400 if form.is_bound else 200,
    )


def _people(occurrence: Occurrence) -> dict[str, list]:
    """Who is going, waiting, maybe coming, and who came: the page's people section (one query)."""
    people = list(selectors.attendees(occurrence=occurrence))
    return {
        "going": [r for r in people if r.answer == Answer.GOING and not r.waitlisted],
        "waitlist": [r for r in people if r.answer == Answer.GOING and r.waitlisted],
        "maybe": [r for r in people if r.answer == Answer.MAYBE],
        "attended": [r for r in people if r.attended],
    }


@login_required
@require_GET
def occurrence(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One date of an activity: when (in the viewer's zone), where, who hosts, who is going, the viewer's answer;
    for schedulers the tools to change it."""
    access = get_community_for(request.user, slug, content=True)
    found = selectors.occurrence_for(access, pk, request.user)
    activity = found.activity
    organizer_zone = zoneinfo.ZoneInfo(activity.time_zone)
    viewer_offset = timezone.localtime(found.start).utcoffset()
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "activity": activity,
        "hosts": list(activity.hosts.all()),
        "organizer_zone": activity.time_zone,
        "repeat_label": describe(
            repeat=activity.repeat,
            first_local=(found.series_first_start or found.original_start).astimezone(organizer_zone),
        ),
        "show_organizer_time": found.start.astimezone(organizer_zone).utcoffset() != viewer_offset,
        **_people(found),
        "can_schedule": may_schedule(access),
        "can_answer": access.is_member and not access.community.is_archived,
        "is_over": found.end <= timezone.now(),
        "has_started": found.start <= timezone.now(),
    }
    return render(request, "activities/occurrence.html", context)


def _rsvp_message(rsvp: Rsvp, occurrence: Occurrence) -> str:
    title, when = occurrence.activity.title, _when(occurrence)
    if rsvp.answer == Answer.GOING and rsvp.waitlisted:
        return f"{title} on {when} is full: you are on the waitlist. If a seat frees up, you move up and get an email."
    if rsvp.answer == Answer.GOING:
        return f"You are going to {title} on {when}."
    if rsvp.answer == Answer.MAYBE:
        return f"Noted: maybe for {title} on {when}."
    return f"Noted: you are not going to {title} on {when}."


@login_required
@require_POST
def rsvp(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Answer going, maybe or not going. htmx gets the RSVP block back with the result announced; without
    JavaScript it redirects back (to `next`) with a message."""
    access = get_community_for(request.user, slug, content=True)
    found = selectors.occurrence_for(access, pk, request.user)
    form = RsvpForm(request.POST)
    success = error = ""
    if not form.is_valid():
        error = "Answer going, maybe or not going."
    else:
        try:
            answer = services.rsvp_set(
                user=request.user, occurrence=found, answer=form.cleaned_data["answer"]
            )
        except ActivityError as refusal:
            error = refusal.message
        else:
            success = _rsvp_message(answer, found)
    back = safe_next(request, found.get_absolute_url())
    if request.htmx:
        fresh = selectors.occurrence_for(access, pk, request.user)
        compact = request.POST.get("compact") == "1"
        context = {
            "occurrence": fresh,
            "can_answer": access.is_member and not access.community.is_archived,
            "compact": compact,
            "next": back,
            "announce": error or success,
            "announce_error": bool(error),
        }
        response = render(request, "activities/_rsvp.html", context)
        if not compact:
            # On the date's own page the lists of who is going change too: swapped in out of band.
            people = {"occurrence": fresh, "oob": True, **_people(fresh)}
            response.write(render_to_string("activities/occurrence.html#people", people, request=request))
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change what a series is (every date of it): title, kind, description, place, link, capacity, hosts."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    activity = found.activity
    form = EditForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity=activity, **form.service_fields())
        except ActivityError as error:
            form.add_error(_field_for(error, {"capacity": ("capacity",)}), error.message)
        else:
            scope = "every date of the series" if activity.is_recurring else "the activity"
            messages.success(request, f"Saved: the changes apply to {scope}.")
            return redirect(found)
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "form": form,
        "heading": f"Edit {found.activity.title}",
        "intro": (
            "Changes apply to every date of this series. To change one date's time, move it instead."
            if activity.is_recurring
            else "To change its date or time, move it instead."
        ),
        "submit": "Save the changes",
    }
    return render(request, "activities/action.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move one date (its answers stay with it), or for a series this date and the following ones."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    form = MoveForm(request.POST or None, occurrence=found)
    if request.method == "POST" and form.is_valid():
        start_local, end_local = form.local_times()
        try:
            if form.following:
                services.series_split(
                    actor=request.user,
                    occurrence=found,
                    start_local=start_local,
                    end_local=end_local,
                    past_confirmed=form.past_is_confirmed(),
                )
            else:
                services.occurrence_move(
                    actor=request.user,
                    occurrence=found,
                    start_local=start_local,
                    end_local=end_local,
                    past_confirmed=form.past_is_confirmed(),
                )
        except ActivityError as error:
            fields = {
                "date": ("choose a date",),
                "end_time": ("end must", "three days"),
                "past_confirmed": ("in the past",),
            }
            form.add_error(_field_for(error, fields), error.message)
        else:
            moved = selectors.occurrence_for(access, pk, request.user)
            what = "This date and the following ones are" if form.following else "This date is"
            messages.success(request, f"{what} moved. Answers given so far stay.")
            return redirect(moved)
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "form": form,
        "heading": f"Move {found.activity.title} on {_when(found)}",
        "intro": "Everyone's answers stay with the date. People see the new time in their own time zone.",
        "submit": "Move",
    }
    return render(request, "activities/action.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cancel one date with a reason (the rest of the series stays); those going are told by email."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_cancel(
                actor=request.user, occurrence=found, reason=form.cleaned_data["reason"]
            )
        except ActivityError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{found.activity.title} on {_when(found)} is cancelled.")
        return redirect(found)
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "form": form,
        "heading": f"Cancel {found.activity.title} on {_when(found)}",
        "intro": (
            "Only this date is cancelled; the other dates of the series stay. It stays on the calendar, struck "
            "through, with your reason."
        ),
        "submit": "Cancel this date",
        "danger": True,
    }
    return render(request, "activities/action.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Undo a cancellation: the date takes place after all."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    if not found.cancelled:
        messages.error(request, "This date is not cancelled.")
        return redirect(found)
    try:
        services.occurrence_restore(actor=request.user, occurrence=found)
    except ActivityError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{found.activity.title} on {_when(found)} takes place after all.")
    return redirect(found)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record who came, prefilled from those going (or from what was recorded before)."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    if found.start > timezone.now():
        messages.error(request, "Attendance can be recorded once the activity has started.")
        return redirect(found)
    answers = {r.user_id: r for r in selectors.attendees(occurrence=found)}
    if found.attendance_recorded_at:
        checked = {user_id for user_id, r in answers.items() if r.attended}
    else:
        checked = {user_id for user_id, r in answers.items() if r.answer == Answer.GOING and not r.waitlisted}
    labels = {Answer.GOING: "said going", Answer.MAYBE: "said maybe", Answer.NOT_GOING: "said not going"}

    def label(membership) -> str:
        r = answers.get(membership.user_id)
        said = ("on the waitlist" if r.waitlisted else labels[r.answer]) if r else ""
        return f"{membership.user.full_name} ({said})" if said else membership.user.full_name

    members = sorted(
        community_members(community=access.community),
        key=lambda m: (m.user_id not in checked, m.user.full_name),
    )
    form = AttendanceForm(
        request.POST or None, members=[(m.user_id, label(m)) for m in members], checked=checked
    )
    if request.method == "POST" and form.is_valid():
        try:
            came = services.attendance_record(
                actor=request.user, occurrence=found, attended_user_ids=form.attended_ids()
            )
        except ActivityError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"Attendance recorded: {came} {'person' if came == 1 else 'people'} came."
            )
            return redirect(found)
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "form": form,
        "heading": f"Who came to {found.activity.title} on {_when(found)}",
        "intro": "Recording attendance counts towards each member's participation in the community.",
        "submit": "Record attendance",
    }
    return render(request, "activities/action.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Notes written after the date happened: what was discussed, decisions, links."""
    access = _scheduler_access(request, slug)
    found = selectors.occurrence_for(access, pk, request.user)
    form = NotesForm(request.POST or None, initial={"notes": found.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_notes_save(
                actor=request.user, occurrence=found, notes=form.cleaned_data["notes"]
            )
        except ActivityError as error:
            form.add_error("notes", error.message)
        else:
            messages.success(request, "The notes are saved.")
            return redirect(found)
    context = {
        "access": access,
        "tab": "activities",
        "occurrence": found,
        "form": form,
        "heading": f"Notes of {found.activity.title} on {_when(found)}",
        "intro": "Members see them on the date's page.",
        "submit": "Save the notes",
    }
    return render(request, "activities/action.html", context, status=400 if form.is_bound else 200)
