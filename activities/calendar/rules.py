"""Who may do what with a community's calendar: named, pure predicates over a `CommunityAccess`.

Each predicate reads only what the access already holds (the viewer's membership, the community) and runs no
query. Views and template tags ask them (403, or which buttons to show); the services enforce the same ones
with `core.rules.require`, saying the refusal written beside each rule, so the 403 page and the service say the
same thing. Nothing else decides.

Whether a date has started or is over is not a permission but the date's state: `has_started` and `is_over`
are asked by the pages, the template filter and the services alike.
"""

from datetime import datetime

from django.utils import timezone

from activities.calendar.models import Occurrence
from communities.access import CommunityAccess

SCHEDULERS_ONLY = "Only coordinators and core group members can schedule and change activities."
ATTENDANCE_NOT_STARTED = "Attendance can be recorded once the activity has started."


def archived_refusal(access: CommunityAccess) -> str:
    """What an archived community answers to any change of its calendar."""
    return f"{access.community.name} is archived: its calendar no longer changes."


def may_schedule(access: CommunityAccess) -> bool:
    """Coordinators and core group members (active) of a community that is not archived schedule its activities
    and change them: edit a series, move, cancel or restore a date."""
    return (access.is_coordinator or access.is_core) and not access.community.is_archived


def schedule_refusal(access: CommunityAccess) -> str:
    """Why `may_schedule` does not hold."""
    return archived_refusal(access) if access.community.is_archived else SCHEDULERS_ONLY


def may_record_attendance(access: CommunityAccess) -> bool:
    """Those who schedule a community's activities record who came (`may_schedule`), once the date has started
    (`has_started`)."""
    return may_schedule(access)


def may_write_notes(access: CommunityAccess) -> bool:
    """Those who schedule a community's activities write a date's notes (`may_schedule`)."""
    return may_schedule(access)


def may_answer(access: CommunityAccess) -> bool:
    """Active members of a community that is not archived answer going, maybe or not going for its dates."""
    return access.is_member and not access.community.is_archived


def answer_refusal(access: CommunityAccess) -> str:
    """Why `may_answer` does not hold."""
    if not access.is_member:
        return f"Join {access.community.name} to answer for its activities."
    return archived_refusal(access)


def has_started(occurrence: Occurrence, now: datetime | None = None) -> bool:
    """The date has begun (at `now`; None is now): attendance can be recorded."""
    return occurrence.start <= (now or timezone.now())


def is_over(occurrence: Occurrence, now: datetime | None = None) -> bool:
    """The date has ended (at `now`; None is now): answers are closed and it can no longer be cancelled."""
    return occurrence.end <= (now or timezone.now())
