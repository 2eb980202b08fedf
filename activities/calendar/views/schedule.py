"""Views of one activity date and what people do with it: schedule an activity, a date's page, RSVP, and the
schedulers' edit, move, cancel, restore, attendance and notes.

Who: anyone who may see the community's content sees its dates (404 for outsiders); who answers, schedules and
changes is `activities.calendar.rules` (403 for others, with the rule's refusal). The services' refusals come back
on the form, next to the field they name (`core.pages`). Every view shows times in the viewer's own time zone
(core.viewer_zone's middleware); forms take times in the organizer's.
"""

import zoneinfo
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.calendar import rules, selectors, services
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
from communities.access import CommunityAccess, get_community_for
from core.forms import refusal_text
from core.pages import form_page, post_and_return
from core.redirects import safe_next
from core.rules import Refused

Answer = Rsvp.Answer


def _scheduler_access(request: HttpRequest, slug: str) -> CommunityAccess:
    """The community, for those who may schedule there (`rules.may_schedule`): 404 for outsiders, 403 for others."""
    access = get_community_for(request.user, slug, content=True)
    if not rules.may_schedule(access):
        raise PermissionDenied(rules.schedule_refusal(access))
    return access


def _scheduler_date(request: HttpRequest, slug: str, pk: int) -> tuple[CommunityAccess, Occurrence]:
    """A date of the community with its counts, for those who may schedule there (404 for a date elsewhere)."""
    access = _scheduler_access(request, slug)
    return access, selectors.occurrence_for(access, pk, request.user)


def _when(occurrence: Occurrence) -> str:
    """The date of an occurrence in the active (viewer's) zone, e.g. "Tuesday 14 April"."""
    return dateformat.format(timezone.localtime(occurrence.start), "l j F")


def _scheduled(opening: tuple[Occurrence, int]) -> str:
    """What scheduling says: the title and the first date (and how many there are)."""
    first, count = opening
    dates = f"{count} dates from {_when(first)}" if count > 1 else _when(first)
    return f"Scheduled: {first.activity.title}, {dates}."


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    """Schedule an activity: one date, or a series repeating weekly, fortnightly or monthly."""
    access = _scheduler_access(request, slug)
    form = ScheduleForm(request.POST or None, community=access.community, organizer=request.user)
    return form_page(
        request,
        form,
        template="activities/schedule.html",
        context={"access": access, "tab": "activities"},
        act=lambda data: selectors.series_opening(
            services.activity_schedule(
                actor=request.user, community=access.community, **form.service_fields()
            )
        ),
        success=_scheduled,
        then=lambda opening: opening[0].get_absolute_url(),
    )


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
        **selectors.people_at(found),
        "can_schedule": rules.may_schedule(access),
        "can_answer": rules.may_answer(access),
        "is_over": rules.is_over(found),
        "has_started": rules.has_started(found),
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
        except Refused as refusal:
            error = refusal_text(refusal)
        else:
            success = _rsvp_message(answer, found)
    back = safe_next(request, found.get_absolute_url())
    if request.htmx:
        fresh = selectors.occurrence_for(access, pk, request.user)
        compact = request.POST.get("compact") == "1"
        context = {
            "occurrence": fresh,
            "can_answer": rules.may_answer(access),
            "compact": compact,
            "next": back,
            "announce": error or success,
            "announce_error": bool(error),
        }
        response = render(request, "activities/_rsvp.html", context)
        if not compact:
            # On the date's own page the lists of who is going change too: swapped in out of band.
            people = {"occurrence": fresh, "oob": True, **selectors.people_at(fresh)}
            response.write(render_to_string("activities/occurrence.html#people", people, request=request))
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect(back)


ACTION = "activities/action.html"


def _tool_context(access: CommunityAccess, found: Occurrence, **texts: str | bool) -> dict:
    """What a schedulers' form about one date shows (`activities/action.html`): `heading`, `intro`, `submit` and
    optional `danger`."""
    return {"access": access, "tab": "activities", "occurrence": found, **texts}


def _tool_page(
    request: HttpRequest,
    access: CommunityAccess,
    found: Occurrence,
    form: forms.Form,
    *,
    act: Callable[[dict], Any],
    success: str | Callable[[Any], str],
    **texts: str,
) -> HttpResponse:
    """A schedulers' form about one date: on a valid POST `act` runs, `success` is said and the date's page
    follows; bad input or the service's refusal comes back on the form."""
    return form_page(
        request,
        form,
        template=ACTION,
        context=_tool_context(access, found, **texts),
        act=act,
        success=success,
        then=found.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change what a series is (every date of it): title, kind, description, place, link, capacity, hosts."""
    access, found = _scheduler_date(request, slug, pk)
    activity = found.activity
    form = EditForm(request.POST or None, activity=activity)
    scope = "every date of the series" if activity.is_recurring else "the activity"
    return _tool_page(
        request,
        access,
        found,
        form,
        act=lambda data: services.activity_update(
            actor=request.user, activity=activity, **form.service_fields()
        ),
        success=f"Saved: the changes apply to {scope}.",
        heading=f"Edit {activity.title}",
        intro=(
            "Changes apply to every date of this series. To change one date's time, move it instead."
            if activity.is_recurring
            else "To change its date or time, move it instead."
        ),
        submit="Save the changes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move one date (its answers stay with it), or for a series this date and the following ones."""
    access, found = _scheduler_date(request, slug, pk)
    form = MoveForm(request.POST or None, occurrence=found)

    def act(data: dict) -> None:
        start_local, end_local = form.local_times()
        move_or_split = services.series_split if form.following else services.occurrence_move
        move_or_split(
            actor=request.user,
            occurrence=found,
            start_local=start_local,
            end_local=end_local,
            past_confirmed=form.past_is_confirmed(),
        )

    return _tool_page(
        request,
        access,
        found,
        form,
        act=act,
        success=lambda _: (
            f"{'This date and the following ones are' if form.following else 'This date is'} moved. "
            "Answers given so far stay."
        ),
        heading=f"Move {found.activity.title} on {_when(found)}",
        intro="Everyone's answers stay with the date. People see the new time in their own time zone.",
        submit="Move",
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Cancel one date with a reason (the rest of the series stays); those going are told by email."""
    access, found = _scheduler_date(request, slug, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A refusal here is about the date (already cancelled, over), not what was typed: said on its page.
        return post_and_return(
            request,
            form,
            back=found.get_absolute_url(),
            act=lambda data: services.occurrence_cancel(
                actor=request.user, occurrence=found, reason=data["reason"]
            ),
            success=f"{found.activity.title} on {_when(found)} is cancelled.",
        )
    context = _tool_context(
        access,
        found,
        heading=f"Cancel {found.activity.title} on {_when(found)}",
        intro=(
            "Only this date is cancelled; the other dates of the series stay. It stays on the calendar, struck "
            "through, with your reason."
        ),
        submit="Cancel this date",
        danger=True,
    )
    return render(request, ACTION, {**context, "form": form}, status=400 if form.is_bound else 200)


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Undo a cancellation: the date takes place after all."""
    _, found = _scheduler_date(request, slug, pk)
    return post_and_return(
        request,
        forms.Form(request.POST),
        back=found.get_absolute_url(),
        act=lambda data: services.occurrence_restore(actor=request.user, occurrence=found),
        success=f"{found.activity.title} on {_when(found)} takes place after all.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record who came, prefilled from those going (or from what was recorded before)."""
    access, found = _scheduler_date(request, slug, pk)
    if not rules.has_started(found):
        messages.error(request, rules.ATTENDANCE_NOT_STARTED)
        return redirect(found)
    members, checked = selectors.attendance_choices(occurrence=found)
    form = AttendanceForm(request.POST or None, members=members, checked=checked)
    return _tool_page(
        request,
        access,
        found,
        form,
        act=lambda data: services.attendance_record(
            actor=request.user, occurrence=found, attended_user_ids=form.attended_ids()
        ),
        success=lambda came: f"Attendance recorded: {came} {'person' if came == 1 else 'people'} came.",
        heading=f"Who came to {found.activity.title} on {_when(found)}",
        intro="Recording attendance counts towards each member's participation in the community.",
        submit="Record attendance",
    )


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Notes written after the date happened: what was discussed, decisions, links."""
    access, found = _scheduler_date(request, slug, pk)
    form = NotesForm(request.POST or None, initial={"notes": found.notes})
    return _tool_page(
        request,
        access,
        found,
        form,
        act=lambda data: services.occurrence_notes_save(
            actor=request.user, occurrence=found, notes=data["notes"]
        ),
        success="The notes are saved.",
        heading=f"Notes of {found.activity.title} on {_when(found)}",
        intro="Members see them on the date's page.",
        submit="Save the notes",
    )
